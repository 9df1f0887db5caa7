//! The autosave journal: what is typed reaches the disk within half a second, while the
//! audit trail gets one row per burst of edits, not one per keystroke.
//!
//! The app's store writer ([`super::StoreWriter`]) writes the newest version of the open
//! record to the `autosave` table ([`Store::write_autosave`]: one row per assessment
//! number, replaced each time, no audit row) a quarter of a second after a change at the
//! latest. When the burst ends (another field is edited, a short idle, leaving a
//! section, 完成评估, closing the app), [`Store::commit_autosave`] saves that version into
//! `assessments` with its audit rows (the value before the burst → the value after) and
//! removes the journal row, in one transaction.
//!
//! A process killed in the middle of a burst leaves its journal row behind. The next
//! writable open ([`Store::open_at`], sign-in) saves each one, attributed to the account
//! that typed it and audited like any save, before anything else reads the records
//! ([`Store::recover_autosaves`]). A row that cannot be saved (the record was submitted
//! meanwhile, say) stays in the journal, and [`Store::autosave_problem`] says so.
//!
//! The journal lives in the same (encrypted) database file as the records.

use chrono::{DateTime, Utc};
use rusqlite::OptionalExtension;

use super::{Scored, Status, Store, StoreError, UNATTRIBUTED, parse_status, timestamp};
use crate::record::AssessmentRecord;
use crate::review::{Actor, Role};

impl Store {
    /// Writes `record` to the autosave journal for the signed-in account: one row per
    /// assessment number, replaced, fsynced, no audit row (see the module docs).
    pub fn write_autosave(
        &self,
        record: &AssessmentRecord,
        status: Status,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let number = record.info.number.trim();
        if number.is_empty() {
            return Err(StoreError::MissingNumber);
        }
        let actor = self.acting()?;
        let json = serde_json::to_string(record)
            .map_err(|e| StoreError::Json { number: number.to_owned(), source: e.into() })?;
        self.conn
            .prepare_cached(
                "INSERT INTO autosave (number, account, status, record_json, saved_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (number) DO UPDATE SET account = excluded.account,
                     status = excluded.status, record_json = excluded.record_json,
                     saved_at = excluded.saved_at",
            )?
            .execute(rusqlite::params![
                number,
                actor.account,
                status.code(),
                json,
                timestamp(now)
            ])?;
        Ok(())
    }

    /// Ends a burst of edits: [`Store::save_scored`] of `record` and the removal of its
    /// journal row, in one transaction. Returns the row id.
    pub fn commit_autosave(
        &self,
        record: &AssessmentRecord,
        status: Status,
        scored: Scored,
        now: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        let actor = self.acting()?;
        self.save_as(record, (status, scored), now, &actor, true)
    }

    /// The saved record with this assessment number, if any.
    pub fn committed_record(&self, number: &str) -> Result<Option<AssessmentRecord>, StoreError> {
        let json: Option<String> = self
            .conn
            .prepare_cached("SELECT record_json FROM assessments WHERE number = ?1")?
            .query_row([number.trim()], |row| row.get(0))
            .optional()?;
        json.map(|json| {
            serde_json::from_str(&json).map_err(|e| StoreError::Json {
                number: number.trim().to_owned(),
                source: e.into(),
            })
        })
        .transpose()
    }

    /// How many journal rows wait to be saved (0 after a clean stop).
    pub fn autosave_count(&self) -> Result<usize, StoreError> {
        let count: i64 = self.conn.query_row("SELECT count(*) FROM autosave", [], |r| r.get(0))?;
        Ok(usize::try_from(count).unwrap_or(0))
    }

    /// Saves every journal row left by a process that stopped in the middle of a burst,
    /// each as the account that typed it (see the module docs). Returns how many were
    /// saved; rows that cannot be saved stay, and the first reason is returned as the
    /// error after the others were tried.
    pub(super) fn recover_autosaves(&self, now: DateTime<Utc>) -> Result<usize, StoreError> {
        let rows: Vec<(String, String, String, String)> = {
            let mut statement = self.conn.prepare(
                "SELECT number, account, status, record_json FROM autosave ORDER BY number",
            )?;
            let mapped = statement
                .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)))?;
            mapped.collect::<Result<_, _>>()?
        };
        let mut recovered = 0;
        let mut first_problem = None;
        for (number, account, status, json) in rows {
            match self.recover_one(&number, &account, &status, &json, now) {
                Ok(()) => recovered += 1,
                Err(err) => {
                    first_problem.get_or_insert(err);
                }
            }
        }
        first_problem.map_or(Ok(recovered), Err)
    }

    fn recover_one(
        &self,
        number: &str,
        account: &str,
        status: &str,
        json: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let record: AssessmentRecord = serde_json::from_str(json)
            .map_err(|e| StoreError::Json { number: number.to_owned(), source: e.into() })?;
        let status = parse_status(0, status)?;
        let actor = if account == UNATTRIBUTED && !self.has_accounts()? {
            Actor {
                account: UNATTRIBUTED.to_owned(),
                display_name: String::new(),
                role: Role::Assessor,
            }
        } else {
            self.authenticate(&Actor {
                account: account.to_owned(),
                display_name: String::new(),
                role: Role::Assessor,
            })?
        };
        let scored = self.bundled_scale().map_or(Scored::default(), |s| Scored::of(s, &record));
        self.save_as(&record, (status, scored), now, &actor, true)?;
        Ok(())
    }
}
