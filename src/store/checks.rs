//! The record's validation where records enter the store's later stages: submitting and
//! approving re-run the same checks as `report` ([`AssessmentRecord::report_issues`]), so a
//! record with a wrong ID number, an impossible birth date or a missing required field
//! cannot be submitted or approved, however it got into the store.

use crate::record::AssessmentRecord;
use crate::review::Action;
use crate::scale::Scale;

use super::{Store, StoreError, WARNINGS_SCALE};

impl Store {
    /// Refuses [`Action::Submit`] and [`Action::Approve`] of `record` (row `id`) while it
    /// has any issue that would stop its report ([`StoreError::InvalidRecord`]); every
    /// other action passes.
    pub(super) fn check_before(
        &self,
        action: &Action,
        id: i64,
        record: &AssessmentRecord,
    ) -> Result<(), StoreError> {
        if !matches!(action, Action::Submit | Action::Approve) {
            return Ok(());
        }
        let issues = record.report_issues(self.bundled_scale()?);
        if issues.is_empty() {
            return Ok(());
        }
        let number = record.info.number.trim();
        let number = if number.is_empty() { format!("#{id}") } else { number.to_owned() };
        Err(StoreError::InvalidRecord { number, issues })
    }

    /// The bundled scale records are validated against (loaded once).
    pub(super) fn bundled_scale(&self) -> Result<&Scale, StoreError> {
        self.scale
            .get_or_init(|| crate::scale::bundled(WARNINGS_SCALE).ok().flatten())
            .as_ref()
            .ok_or(StoreError::NoScale)
    }
}
