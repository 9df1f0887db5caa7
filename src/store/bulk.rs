//! Bulk reads and writes for the bureau: rows for exports and statistics, and importing
//! many records in one transaction.

use chrono::{DateTime, NaiveDate, Utc};

use crate::assessment::score;
use crate::record::AssessmentRecord;
use crate::scale::Scale;
use crate::tables::ExportRow;

use super::lifecycle::parse_sex;
use super::{
    AuditMode, SaveContext, Status, Store, StoreError, parse_date, parse_level, parse_status,
};

impl Store {
    /// Every record (or only approved ones) as export rows, ordered by assessment number.
    /// Domain scores and totals come from the engine.
    pub fn export_rows(
        &self,
        scale: &Scale,
        approved_only: bool,
    ) -> Result<Vec<ExportRow>, StoreError> {
        let mut statement = self.conn.prepare(
            "SELECT id, number, status, township, reference_date, subject_name, id_number, sex,
                    birth_date, final_level, assessor1, assessor2, reviewer, warnings, record_json
             FROM assessments WHERE (?1 = 0 OR status = 'approved') ORDER BY number",
        )?;
        let mut rows = statement.query([i64::from(approved_only)])?;
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            let id: i64 = row.get(0)?;
            let status = parse_status(id, &row.get::<_, String>(2)?)?;
            let json: String = row.get(14)?;
            let (total, domain_scores) = match serde_json::from_str::<AssessmentRecord>(&json) {
                Ok(record) => match score(scale, &record.answers(scale), &record.facts(scale)) {
                    Ok(outcome) => (Some(outcome.total), outcome.domain_scores),
                    Err(_) => (None, Vec::new()),
                },
                Err(_) => (None, Vec::new()),
            };
            out.push(ExportRow {
                number: row.get(1)?,
                status: status.label().to_owned(),
                approved: status == Status::Approved,
                township: row.get(3)?,
                reference_date: parse_date(id, "reference_date", &row.get::<_, String>(4)?)?,
                name: row.get(5)?,
                id_number: row.get(6)?,
                sex: parse_sex(&row.get::<_, String>(7)?),
                birth_date: row
                    .get::<_, Option<String>>(8)?
                    .map(|d| parse_date(id, "birth_date", &d))
                    .transpose()?,
                final_level: parse_level(id, row.get(9)?)?,
                total,
                domain_scores,
                assessors: [row.get(10)?, row.get(11)?],
                reviewer: row.get(12)?,
                warnings: u32::try_from(row.get::<_, i64>(13)?).unwrap_or(0),
            });
        }
        Ok(out)
    }

    /// Approved records with a reference date in `[from, to]`, with only the columns the
    /// statistics need (no names, no ID numbers).
    pub fn stats_rows(&self, from: NaiveDate, to: NaiveDate) -> Result<Vec<ExportRow>, StoreError> {
        let mut statement = self.conn.prepare_cached(
            "SELECT id, township, reference_date, sex, birth_date, final_level
             FROM assessments
             WHERE status = 'approved' AND reference_date BETWEEN ?1 AND ?2",
        )?;
        let mut rows = statement.query([from.to_string(), to.to_string()])?;
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            let id: i64 = row.get(0)?;
            out.push(ExportRow {
                number: String::new(),
                status: Status::Approved.label().to_owned(),
                approved: true,
                township: row.get(1)?,
                reference_date: parse_date(id, "reference_date", &row.get::<_, String>(2)?)?,
                name: String::new(),
                id_number: String::new(),
                sex: parse_sex(&row.get::<_, String>(3)?),
                birth_date: row
                    .get::<_, Option<String>>(4)?
                    .map(|d| parse_date(id, "birth_date", &d))
                    .transpose()?,
                final_level: parse_level(id, row.get(5)?)?,
                total: None,
                domain_scores: Vec::new(),
                assessors: [String::new(), String::new()],
                reviewer: None,
                warnings: 0,
            });
        }
        Ok(out)
    }

    /// Imports records as drafts (or completed, when they score and nothing their report
    /// needs is missing) in one transaction, with the usual audit rows. A record whose
    /// number already exists, or with an invalid value
    /// ([`AssessmentRecord::invalid_values`]: [`StoreError::InvalidRecord`]), is an error
    /// and nothing is imported. Returns how many were imported.
    pub fn import_records(
        &self,
        records: &[AssessmentRecord],
        scale: &Scale,
        now: DateTime<Utc>,
    ) -> Result<usize, StoreError> {
        let actor = self.acting()?;
        let tx = self.immediate()?;
        for record in records {
            let number = record.info.number.trim();
            let exists: bool = self
                .conn
                .prepare_cached("SELECT EXISTS(SELECT 1 FROM assessments WHERE number = ?1)")?
                .query_row([number], |row| row.get(0))?;
            if exists {
                return Err(StoreError::DuplicateNumber { number: number.to_owned() });
            }
            // The parser checked each line already; this holds for every caller.
            let invalid = record.invalid_values(scale);
            if !invalid.is_empty() {
                return Err(StoreError::InvalidRecord {
                    number: number.to_owned(),
                    issues: invalid,
                });
            }
            let scored = super::Scored::of(scale, record);
            // Completed only when nothing its report needs is missing; else a draft.
            let complete = scored.final_level.is_some() && record.report_issues(scale).is_empty();
            let status = if complete { Status::Completed } else { Status::Draft };
            let context =
                SaveContext { now, actor: &actor, supersedes: None, audit: AuditMode::Imported };
            self.save_in_tx(record, status, scored, &context)?;
        }
        tx.commit()?;
        Ok(records.len())
    }
}
