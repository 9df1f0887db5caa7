//! What a reviewer needs to see on a resubmission, read from the audit trail: every
//! 退回 of the elder's records with its reason ([`Store::returns_of`]), and every field
//! changed since record `id` was last returned ([`Store::changes_since_return`]).
//!
//! The trail holds one `edit` row per changed field with the values before and after,
//! and one `sign` / `clear` row per signature, so the changes since a return are the
//! rows after its `return` row: per field the value before the first of them and after
//! the last, kept when the two differ.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use rusqlite::params;

use super::{Store, StoreError, parse_timestamp};

/// One 退回 of a record, from the audit trail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReturnEvent {
    /// The returned record's row id.
    pub record_id: i64,
    /// Its A.1.1 评估编号.
    pub number: String,
    /// When it was returned.
    pub at: DateTime<Utc>,
    /// The reviewer's display name (the account name if the account is gone).
    pub reviewer: String,
    /// The reason given.
    pub reason: String,
}

/// One field changed since the record was returned: its path in the record's JSON
/// (`subject.name`, `answers.B.1.1`, `signatures.assessor1`) and its values as JSON
/// text (`None`: not set).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldChange {
    /// The field's path in the record.
    pub path: String,
    /// The value when the record was returned.
    pub old: Option<String>,
    /// The value now.
    pub new: Option<String>,
}

/// The columns of a return row, for [`Store::returns_of`] and
/// [`Store::changes_since_return`].
const RETURN_COLUMNS: &str = "a.seq, a.record_id, s.number, a.at,
    coalesce(c.display_name, a.actor), coalesce(a.reason, '')";

impl Store {
    /// Every 退回 of the records of the elder of record `id` (by ID number; record `id`
    /// alone when it has none), newest first.
    pub fn returns_of(&self, id: i64) -> Result<Vec<ReturnEvent>, StoreError> {
        let mut statement = self.conn.prepare_cached(&format!(
            "SELECT {RETURN_COLUMNS} FROM audit AS a
             JOIN assessments AS s ON s.id = a.record_id
             LEFT JOIN accounts AS c ON c.login = a.actor
             WHERE a.action = 'return'
               AND (a.record_id = ?1 OR s.id_number IN
                   (SELECT id_number FROM assessments WHERE id = ?1 AND id_number != ''))
             ORDER BY a.seq DESC"
        ))?;
        let mut rows = statement.query([id])?;
        let mut events = Vec::new();
        while let Some(row) = rows.next()? {
            events.push(return_event(row)?.1);
        }
        Ok(events)
    }

    /// The last 退回 of record `id` and every field changed since, in path order;
    /// `None` when it was never returned.
    pub fn changes_since_return(
        &self,
        id: i64,
    ) -> Result<Option<(ReturnEvent, Vec<FieldChange>)>, StoreError> {
        let last = self
            .conn
            .prepare_cached(&format!(
                "SELECT {RETURN_COLUMNS} FROM audit AS a
                 JOIN assessments AS s ON s.id = a.record_id
                 LEFT JOIN accounts AS c ON c.login = a.actor
                 WHERE a.action = 'return' AND a.record_id = ?1
                 ORDER BY a.seq DESC LIMIT 1"
            ))?
            .query([id])?
            .next()?
            .map(return_event)
            .transpose()?;
        let Some((seq, event)) = last else { return Ok(None) };
        let mut statement = self.conn.prepare_cached(
            "SELECT field, old_value, new_value FROM audit
             WHERE record_id = ?1 AND seq > ?2 AND action IN ('edit', 'sign', 'clear')
               AND field IS NOT NULL AND field != 'status'
             ORDER BY seq",
        )?;
        let mut rows = statement.query(params![id, seq])?;
        let mut fields: BTreeMap<String, (Option<String>, Option<String>)> = BTreeMap::new();
        while let Some(row) = rows.next()? {
            let (field, old, new): (String, Option<String>, Option<String>) =
                (row.get(0)?, row.get(1)?, row.get(2)?);
            fields
                .entry(field)
                .and_modify(|values| values.1.clone_from(&new))
                .or_insert((old, new));
        }
        let changes = fields
            .into_iter()
            .filter(|(_, (old, new))| old != new)
            .map(|(path, (old, new))| FieldChange { path, old, new })
            .collect();
        Ok(Some((event, changes)))
    }
}

/// A return row selected with [`RETURN_COLUMNS`]: its sequence number and the event.
fn return_event(row: &rusqlite::Row<'_>) -> Result<(i64, ReturnEvent), StoreError> {
    let record_id: i64 = row.get(1)?;
    let at: String = row.get(3)?;
    Ok((
        row.get(0)?,
        ReturnEvent {
            record_id,
            number: row.get(2)?,
            at: parse_timestamp(record_id, "audit.at", &at)?,
            reviewer: row.get(4)?,
            reason: row.get(5)?,
        },
    ))
}
