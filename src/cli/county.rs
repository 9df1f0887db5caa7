//! The county facts the commands need (townships for `stats`, the re-assessment interval
//! for `review due`), from the bundled county file.

use crate::policy::{County, DEFAULT_POLICY_ID};

/// The county of the bundled default county file, or the message to print.
pub(super) fn bundled_county() -> Result<County, String> {
    match crate::policy::bundled(DEFAULT_POLICY_ID) {
        Ok(Some(policy)) => Ok(policy.county().clone()),
        Ok(None) => Err(format!("未知服务清单 `{DEFAULT_POLICY_ID}`")),
        Err(err) => Err(err.to_string()),
    }
}

/// `--months` if given, else the county file's re-assessment interval.
pub(super) fn due_months(given: Option<u32>) -> Result<u32, String> {
    match given {
        Some(months) => Ok(months),
        None => Ok(bundled_county()?.reassessment_months),
    }
}
