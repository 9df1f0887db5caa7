//! The county facts the commands need (townships for `stats`, the re-assessment interval
//! for `review due`), from the bundled county file.

use super::error::CliError;
use crate::policy::{County, DEFAULT_POLICY_ID};

/// The county of the bundled default county file.
pub(super) fn bundled_county() -> Result<County, CliError> {
    match crate::policy::bundled(DEFAULT_POLICY_ID)? {
        Some(policy) => Ok(policy.county().clone()),
        None => Err(CliError::UnknownPolicy(DEFAULT_POLICY_ID.to_owned())),
    }
}

/// `--months` if given, else the county file's re-assessment interval.
pub(super) fn due_months(given: Option<u32>) -> Result<u32, CliError> {
    match given {
        Some(months) => Ok(months),
        None => Ok(bundled_county()?.reassessment_months),
    }
}
