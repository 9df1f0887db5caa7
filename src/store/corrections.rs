//! Correcting returned records from a file (`import --correct`), the command line's way
//! of doing what an assessor does in the app's wizard on a 已退回 record: each corrected
//! record replaces its returned one as an ordinary edit (已退回 → 草稿, one audit row per
//! changed field, the edit duty), then becomes 已完成 again when nothing its report needs
//! is missing. A changed record's kept signed report is dropped by the save itself (see
//! [`Store::drop_stale_report`]), so the record is sent again only after both assessors
//! sign a new report of the corrected content; a record waiting in the outbox (frozen) or
//! a county replica is refused by the save.

use chrono::{DateTime, Utc};

use super::{AuditMode, SaveContext, Scored, Status, Store, StoreError};
use crate::record::AssessmentRecord;
use crate::scale::Scale;

impl Store {
    /// Replaces each returned record named by a record of `records` (by its assessment
    /// number) with it, in one transaction: all or nothing. A number that is not a
    /// 已退回 record here ([`StoreError::NotReturned`]) or a record with an invalid value
    /// ([`StoreError::InvalidRecord`]) refuses the whole file. Returns each corrected
    /// record's new status (已完成, or 草稿 while something its report needs is missing).
    pub fn correct_returned(
        &self,
        records: &[AssessmentRecord],
        scale: &Scale,
        now: DateTime<Utc>,
    ) -> Result<Vec<Status>, StoreError> {
        let actor = self.acting()?;
        let tx = self.immediate()?;
        let mut statuses = Vec::with_capacity(records.len());
        for record in records {
            let number = record.info.number.trim();
            let not_returned =
                |status| StoreError::NotReturned { number: number.to_owned(), status };
            let id = self.find_by_number(number)?.ok_or_else(|| not_returned(None))?;
            let (status, _) = self.status_and_record(id)?;
            if status != Status::Returned {
                return Err(not_returned(Some(status)));
            }
            let invalid = record.invalid_values(scale);
            if !invalid.is_empty() {
                return Err(StoreError::InvalidRecord {
                    number: number.to_owned(),
                    issues: invalid,
                });
            }
            let scored = Scored::of(scale, record);
            let context =
                SaveContext { now, actor: &actor, supersedes: None, audit: AuditMode::PerField };
            // 已退回 → 草稿: the edit, audited field by field.
            self.save_in_tx(record, Status::Draft, scored, &context)?;
            let complete = scored.final_level.is_some() && record.report_issues(scale).is_empty();
            if complete {
                self.save_in_tx(record, Status::Completed, scored, &context)?;
            }
            statuses.push(if complete { Status::Completed } else { Status::Draft });
        }
        tx.commit()?;
        Ok(statuses)
    }
}
