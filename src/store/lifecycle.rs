//! The review lifecycle in the store: status changes, linked records (复评 and
//! corrections), each elder's history, the review queue and due dates.
//!
//! Records of the same elder are linked by the A.2.8 ID number (stored normalised: trimmed,
//! upper case). Every list row shows it masked (first 6 and last 4 characters).

use chrono::{DateTime, Months, NaiveDate, TimeDelta, Utc};
use rusqlite::types::Value as SqlValue;
use rusqlite::{OptionalExtension, params, params_from_iter};

use super::audit::Entry;
use super::{
    SUMMARY_COLUMNS, Status, Store, StoreError, StoredAssessment, Summary, format_date, mask_id,
    normalise_id, parse_count, parse_date, parse_level, parse_timestamp, summaries_from, timestamp,
};
use crate::record::AssessmentRecord;
use crate::record::codes::Sex;
use crate::review::{self, Action, Actor};

/// A due date within this many days (and not past) is "due soon".
pub const DUE_SOON_DAYS: i64 = 30;

/// Which submitted records [`Store::queue`] lists. `None` / `false` fields do not filter.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QueueFilter {
    /// Only this township (乡镇), compared trimmed.
    pub township: Option<String>,
    /// Only records where this name is assessor 1 or 2, compared trimmed.
    pub assessor: Option<String>,
    /// Reference date (A.1.2) on or after.
    pub from: Option<NaiveDate>,
    /// Reference date (A.1.2) on or before.
    pub to: Option<NaiveDate>,
    /// Only this final level.
    pub final_level: Option<u8>,
    /// Only records with at least one consistency warning.
    pub with_warnings: bool,
}

/// One submitted record in the review queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueRow {
    /// Row id, for [`Store::load`] and [`Store::transition`].
    pub id: i64,
    /// A.1.1 评估编号.
    pub number: String,
    /// A.2.1 姓名.
    pub subject_name: String,
    /// A.2.8, masked: first 6 and last 4 characters.
    pub id_masked: String,
    /// 乡镇.
    pub township: String,
    /// A.2.2, or from the ID number.
    pub sex: Option<Sex>,
    /// A.2.3, or from the ID number.
    pub birth_date: Option<NaiveDate>,
    /// The two assessors' names.
    pub assessors: [String; 2],
    /// A.1.2 评估基准日期.
    pub reference_date: NaiveDate,
    /// The final level, if scored.
    pub final_level: Option<u8>,
    /// Consistency warnings.
    pub warnings: u32,
    /// When it was submitted.
    pub submitted_at: Option<DateTime<Utc>>,
    /// The approved record it replaces, if it is a 复评 or a correction.
    pub supersedes: Option<i64>,
}

/// One elder's latest approved assessment and when the next one is due, from
/// [`Store::due`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueRow {
    /// Row id of the latest approved assessment.
    pub id: i64,
    /// Its number (A.1.1).
    pub number: String,
    /// A.2.1 姓名.
    pub subject_name: String,
    /// A.2.8, masked: first 6 and last 4 characters.
    pub id_masked: String,
    /// 乡镇.
    pub township: String,
    /// Its reference date (A.1.2).
    pub reference_date: NaiveDate,
    /// Its final level.
    pub final_level: Option<u8>,
    /// Reference date + the interval.
    pub due_date: NaiveDate,
    /// The due date has passed (before `today`).
    pub overdue: bool,
    /// Not overdue, and due within [`DUE_SOON_DAYS`] days of `today`.
    pub due_soon: bool,
}

impl Store {
    /// Takes `action` on record `id` for `actor`, after checking it with
    /// [`crate::review::transition`], and returns the new status.
    ///
    /// `actor` must be an existing account ([`StoreError::UnknownAccount`]); its role and
    /// display name are read from the `accounts` table, so a caller cannot claim another
    /// role or name. The assessors are the names in the stored record's signatures.
    ///
    /// `reason` is written to the audit row; for [`Action::Return`] with a blank reason it
    /// becomes the return reason (a return needs one). Submit sets `submitted_at`;
    /// approve and return set `reviewed_at`, `reviewer` (display name) and
    /// `review_reason`.
    pub fn transition(
        &self,
        id: i64,
        action: Action,
        actor: &Actor,
        reason: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Status, StoreError> {
        let actor = self.authenticate(actor)?;
        let reason = reason.map(str::trim).filter(|reason| !reason.is_empty());
        let action = match action {
            Action::Return { reason: given } if given.trim().is_empty() => {
                Action::Return { reason: reason.unwrap_or_default().to_owned() }
            }
            other => other,
        };
        let audit_reason = action.reason().or(reason).map(str::to_owned);
        if let Some(envelope) = self.replica_envelope(id)? {
            // Another device's record: the decision goes to the server through the outbox.
            return self.queue_replica_decision((id, &envelope), &action, &actor, now);
        }
        self.check_not_frozen(id)?;
        let tx = self.immediate()?;
        let (current, record) = self.status_and_record(id)?;
        let parties = self.parties(id, &record)?;
        let next = review::transition(current, action.clone(), &actor, &parties)?;
        self.check_before(&action, id, &record)?;
        let at = timestamp(now);
        if action == Action::Submit {
            self.add_duty(id, super::duties::Duty::Submit, &actor.account)?;
        }
        match action {
            Action::Submit => self
                .conn
                .prepare_cached(
                    "UPDATE assessments SET status = ?2, submitted_at = ?3, updated_at = ?3
                 WHERE id = ?1",
                )?
                .execute(params![id, next.code(), at])?,
            Action::Approve | Action::Return { .. } => self
                .conn
                .prepare_cached(
                    "UPDATE assessments SET status = ?2, reviewed_at = ?3, updated_at = ?3,
                     reviewer = ?4, review_reason = ?5
                 WHERE id = ?1",
                )?
                .execute(params![id, next.code(), at, actor.display_name, audit_reason])?,
            Action::Edit | Action::Complete | Action::Reopen => self
                .conn
                .prepare_cached(
                    "UPDATE assessments SET status = ?2, updated_at = ?3 WHERE id = ?1",
                )?
                .execute(params![id, next.code(), at])?,
        };
        super::audit_content::append_change(
            &self.conn,
            &Entry {
                at: &at,
                actor: &actor.account,
                record_id: Some(id),
                action: action.code(),
                field: Some("status"),
                old: Some(current.code()),
                new: Some(next.code()),
                reason: audit_reason.as_deref(),
                content_hash: None,
            },
        )?;
        tx.commit()?;
        Ok(next)
    }

    /// Starts a re-assessment (复评) or a correction of the approved record `of`: a new
    /// draft numbered `number` with `reference_date`, linked by `supersedes = of`, with
    /// Annex A copied from `of` (A.1 place and township, A.2 to A.5 and the county facts —
    /// for the assessors to check, not to trust) and no answers or signatures. The
    /// approved record stays as it is. Returns the new row id.
    ///
    /// Errors: [`StoreError::NotFound`], [`StoreError::NotApproved`] when `of` is not
    /// approved, [`StoreError::NumberTaken`], [`StoreError::MissingNumber`]; attributed
    /// like [`Store::save`].
    pub fn new_linked_record(
        &self,
        of: i64,
        number: String,
        reference_date: NaiveDate,
        now: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        let actor = self.acting()?;
        let number =
            if number.trim().len() == number.len() { number } else { number.trim().to_owned() };
        if number.is_empty() {
            return Err(StoreError::MissingNumber);
        }
        let tx = self.immediate()?;
        let (status, old) = self.status_and_record(of)?;
        if status != Status::Approved {
            return Err(StoreError::NotApproved { id: of });
        }
        if self.find_by_number(&number)?.is_some() {
            return Err(StoreError::NumberTaken);
        }
        let mut record = AssessmentRecord::new(number, reference_date);
        record.info.place = old.info.place;
        record.info.township = old.info.township;
        record.subject = old.subject;
        record.informant = old.informant;
        record.diagnoses = old.diagnoses;
        record.health = old.health;
        record.county = old.county;
        let context = super::SaveContext {
            now,
            actor: &actor,
            supersedes: Some(of),
            audit: super::AuditMode::PerField,
        };
        let scored = super::Scored { final_level: None, warnings: self.warnings_of(&record) };
        let id = self.save_in_tx(&record, Status::Draft, scored, &context)?;
        let at = timestamp(now);
        super::audit_content::append_change(
            &self.conn,
            &Entry {
                at: &at,
                actor: &actor.account,
                record_id: Some(id),
                action: "supersede",
                field: Some("supersedes"),
                new: Some(&of.to_string()),
                ..Entry::default()
            },
        )?;
        tx.commit()?;
        Ok(id)
    }

    /// Every record of the elder with this ID number (compared trimmed, either case of
    /// the check character), newest reference date first (ties: newest row first). A
    /// blank number gives no records.
    pub fn history(&self, id_number: &str) -> Result<Vec<Summary>, StoreError> {
        let id_number = normalise_id(id_number);
        if id_number.is_empty() {
            return Ok(Vec::new());
        }
        let mut statement = self.conn.prepare_cached(&format!(
            "SELECT {SUMMARY_COLUMNS} FROM assessments WHERE id_number = ?1
             ORDER BY reference_date DESC, id DESC"
        ))?;
        summaries_from(statement.query([id_number])?)
    }

    /// [`Store::history`] of the elder of record `id` (by its ID number): every record of
    /// that elder, newest first; only record `id` itself when it has no ID number.
    /// [`StoreError::NotFound`] for an unknown `id`.
    pub fn history_of(&self, id: i64) -> Result<Vec<Summary>, StoreError> {
        // Stored ID numbers are already normalised, so they compare as they are.
        let mut statement = self.conn.prepare_cached(&format!(
            "SELECT {SUMMARY_COLUMNS} FROM assessments
             WHERE id = ?1
                OR id_number IN (SELECT id_number FROM assessments WHERE id = ?1 AND id_number != '')
             ORDER BY reference_date DESC, id DESC"
        ))?;
        let summaries = summaries_from(statement.query([id])?)?;
        if summaries.is_empty() {
            return Err(StoreError::NotFound { id });
        }
        Ok(summaries)
    }

    /// The same elder's latest approved record before record `id` (earlier reference
    /// date, or the same date and an older row), for the side-by-side comparison; `None`
    /// if there is none or record `id` has no ID number. [`StoreError::NotFound`] for an
    /// unknown `id`.
    pub fn previous_of(&self, id: i64) -> Result<Option<StoredAssessment>, StoreError> {
        let current: Option<(String, String)> = self
            .conn
            .prepare_cached("SELECT id_number, reference_date FROM assessments WHERE id = ?1")?
            .query_row([id], |row| Ok((row.get(0)?, row.get(1)?)))
            .optional()?;
        let Some((id_number, date)) = current else {
            return Err(StoreError::NotFound { id });
        };
        if id_number.is_empty() {
            return Ok(None);
        }
        let previous: Option<i64> = self
            .conn
            .prepare_cached(
                "SELECT id FROM assessments
                 WHERE id_number = ?1 AND status = 'approved' AND id != ?3
                   AND (reference_date < ?2 OR (reference_date = ?2 AND id < ?3))
                 ORDER BY reference_date DESC, id DESC LIMIT 1",
            )?
            .query_row(params![id_number, date, id], |row| row.get(0))
            .optional()?;
        previous.map_or(Ok(None), |previous| self.load(previous))
    }

    /// The submitted records that pass `filter`, oldest submission first.
    pub fn queue(&self, filter: &QueueFilter) -> Result<Vec<QueueRow>, StoreError> {
        let mut sql = String::from(
            "SELECT id, number, subject_name, id_number, township, sex, birth_date, assessor1,
                    assessor2, reference_date, final_level, warnings, submitted_at, supersedes
             FROM assessments WHERE status = 'submitted'",
        );
        let mut values: Vec<SqlValue> = Vec::new();
        // Appends `clause`, every `?` in it bound to `value`.
        let bind = |sql: &mut String, values: &mut Vec<SqlValue>, clause: &str, value| {
            values.push(value);
            sql.push_str(&clause.replace('?', &format!("?{}", values.len())));
        };
        if let Some(township) = &filter.township {
            let township = SqlValue::Text(township.trim().to_owned());
            bind(&mut sql, &mut values, " AND township = ?", township);
        }
        if let Some(from) = filter.from {
            bind(
                &mut sql,
                &mut values,
                " AND reference_date >= ?",
                SqlValue::Text(format_date(from)),
            );
        }
        if let Some(to) = filter.to {
            bind(
                &mut sql,
                &mut values,
                " AND reference_date <= ?",
                SqlValue::Text(format_date(to)),
            );
        }
        if let Some(assessor) = &filter.assessor {
            let name = SqlValue::Text(assessor.trim().to_owned());
            bind(&mut sql, &mut values, " AND (assessor1 = ? OR assessor2 = ?)", name);
        }
        if let Some(level) = filter.final_level {
            let level = SqlValue::Integer(i64::from(level));
            bind(&mut sql, &mut values, " AND final_level = ?", level);
        }
        if filter.with_warnings {
            sql.push_str(" AND warnings > 0");
        }
        sql.push_str(" ORDER BY submitted_at, id");
        let mut statement = self.conn.prepare_cached(&sql)?;
        let mut rows = statement.query(params_from_iter(values))?;
        let mut queue = Vec::new();
        while let Some(row) = rows.next()? {
            let id: i64 = row.get(0)?;
            let id_number: String = row.get(3)?;
            let sex: String = row.get(5)?;
            let birth: Option<String> = row.get(6)?;
            let date: String = row.get(9)?;
            let submitted: Option<String> = row.get(12)?;
            queue.push(QueueRow {
                id,
                number: row.get(1)?,
                subject_name: row.get(2)?,
                id_masked: mask_id(&id_number),
                township: row.get(4)?,
                sex: parse_sex(&sex),
                birth_date: birth.map(|b| parse_date(id, "birth_date", &b)).transpose()?,
                assessors: [row.get(7)?, row.get(8)?],
                reference_date: parse_date(id, "reference_date", &date)?,
                final_level: parse_level(id, row.get(10)?)?,
                warnings: parse_count(id, row.get(11)?)?,
                submitted_at: submitted
                    .map(|s| parse_timestamp(id, "submitted_at", &s))
                    .transpose()?,
                supersedes: row.get(13)?,
            });
        }
        Ok(queue)
    }

    /// Each elder's (by ID number) latest approved assessment whose next routine
    /// assessment is overdue or due within [`DUE_SOON_DAYS`] days of `today`, with the date
    /// it is due (reference date + `interval_months`, clamped to the end of the month),
    /// soonest first. Records without an ID number are left out.
    pub fn due(&self, interval_months: u32, today: NaiveDate) -> Result<Vec<DueRow>, StoreError> {
        let soon = today + TimeDelta::days(DUE_SOON_DAYS);
        // Only records whose due date can be on or before `soon` are read, and of those
        // only the elder's latest (no later approved record of the same ID number, ties
        // broken by row id): both are index lookups (`assessments_due`).
        let mut statement = self.conn.prepare_cached(
            "SELECT id, number, subject_name, id_number, township, reference_date, final_level
             FROM assessments AS a INDEXED BY assessments_due
             WHERE status = 'approved' AND id_number != '' AND reference_date <= ?1
               AND NOT EXISTS (
                   SELECT 1 FROM assessments AS b INDEXED BY assessments_due
                   WHERE b.status = 'approved' AND b.id_number = a.id_number
                     AND (b.reference_date > a.reference_date
                          OR (b.reference_date = a.reference_date AND b.id > a.id))
               )",
        )?;
        let latest_reference = latest_reference_due_by(soon, interval_months);
        let mut rows = statement.query([format_date(latest_reference)])?;
        let mut due = Vec::new();
        while let Some(row) = rows.next()? {
            let id: i64 = row.get(0)?;
            let id_number: String = row.get(3)?;
            let date: String = row.get(5)?;
            let reference_date = parse_date(id, "reference_date", &date)?;
            let due_date = reference_date
                .checked_add_months(Months::new(interval_months))
                .unwrap_or(NaiveDate::MAX);
            if due_date > soon {
                continue;
            }
            let overdue = due_date < today;
            due.push(DueRow {
                id,
                number: row.get(1)?,
                subject_name: row.get(2)?,
                id_masked: mask_id(&id_number),
                township: row.get(4)?,
                reference_date,
                final_level: parse_level(id, row.get(6)?)?,
                due_date,
                overdue,
                due_soon: !overdue,
            });
        }
        due.sort_by(|a, b| a.due_date.cmp(&b.due_date).then(a.id.cmp(&b.id)));
        Ok(due)
    }
}

/// The `sex` column (`male` / `female` / empty).
pub(super) fn parse_sex(code: &str) -> Option<Sex> {
    match code {
        "male" => Some(Sex::Male),
        "female" => Some(Sex::Female),
        _ => None,
    }
}

impl Store {
    /// The status and record of row `id` ([`StoreError::NotFound`] if there is none).
    pub(super) fn status_and_record(
        &self,
        id: i64,
    ) -> Result<(Status, AssessmentRecord), StoreError> {
        let row: Option<(String, String)> = self
            .conn
            .prepare_cached("SELECT status, record_json FROM assessments WHERE id = ?1")?
            .query_row([id], |row| Ok((row.get(0)?, row.get(1)?)))
            .optional()?;
        let Some((status, json)) = row else {
            return Err(StoreError::NotFound { id });
        };
        let record = serde_json::from_str(&json)
            .map_err(|e| StoreError::Json { number: format!("#{id}"), source: e.into() })?;
        Ok((super::parse_status(id, &status)?, record))
    }
}

/// The last reference date whose due date (`interval_months` later, clamped to the end of
/// the month) is on or before `by`; every earlier date is due by then too, since adding
/// months never moves a later date before an earlier one.
fn latest_reference_due_by(by: NaiveDate, interval_months: u32) -> NaiveDate {
    let months = Months::new(interval_months);
    let mut date = by.checked_sub_months(months).unwrap_or(NaiveDate::MIN);
    // Clamping at month ends can leave up to three later days with the same due date.
    for _ in 0..4 {
        match date.succ_opt() {
            Some(next) if next.checked_add_months(months).is_some_and(|due| due <= by) => {
                date = next;
            }
            _ => break,
        }
    }
    date
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn latest_reference_due_by_handles_month_ends() {
        assert_eq!(latest_reference_due_by(day(2026, 3, 31), 1), day(2026, 2, 28));
        assert_eq!(latest_reference_due_by(day(2026, 2, 28), 1), day(2026, 1, 31));
        assert_eq!(latest_reference_due_by(day(2026, 12, 31), 12), day(2025, 12, 31));
        assert_eq!(latest_reference_due_by(day(2024, 2, 29), 12), day(2023, 2, 28));
    }

    #[test]
    fn latest_reference_due_by_is_the_exact_boundary() {
        // Every day of two years (a leap year among them) and intervals of 1 to 24 months.
        let mut by = day(2027, 1, 1);
        while by < day(2029, 1, 1) {
            for interval in 1..=24 {
                let months = Months::new(interval);
                let last = latest_reference_due_by(by, interval);
                assert!(last.checked_add_months(months).unwrap() <= by, "{by} {interval}");
                let next = last.succ_opt().unwrap().checked_add_months(months).unwrap();
                assert!(next > by, "{by} {interval}: {last} is not the last");
            }
            by = by.succ_opt().unwrap();
        }
    }
}
