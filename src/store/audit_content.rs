//! What the audit trail proves about the records themselves: content hashes, the chain's
//! head in `meta`, and the head recorded in the newest backup.
//!
//! # The content hash
//!
//! Every audit entry that changes a record (`create`, `edit`, `import`, a status change,
//! `supersede`, `bind_assessor`, `delete_draft`) carries in `content_hash` the SHA-256
//! (lower-case hex) of the record's stored content after the change: the compact JSON
//!
//! ```text
//! [[id, number, status, record_json, subject_name, id_number, reference_date,
//!   final_level, created_at, updated_at, township, sex, birth_date, assessor1,
//!   assessor2, warnings, submitted_at, reviewed_at, reviewer, review_reason, supersedes],
//!  [[duty, account], …]]
//! ```
//!
//! — every column of the `assessments` row in that order (integers as numbers, text as
//! strings, NULL as `null`), then the record's `record_accounts` rows sorted by duty and
//! account. A deleted draft's entry carries [`GENESIS_HASH`] (64 zeros: no row).
//! [`verify`] recomputes each record's hash and compares it with the one in the record's
//! last entry that has one, so a change made behind the store (an approved record's
//! scores edited after dropping the trigger) is found and named by its number.
//!
//! # The head
//!
//! [`super::audit::append`] records `seq:hash` of the last row in `meta` in the same
//! transaction; [`verify`] checks it against the last row, so deleting the newest rows
//! (and fixing `sqlite_sequence`) is found. It also checks that the head recorded in the
//! newest readable backup (`backups/`) is still a row of the chain, with the same hash:
//! a chain recomputed from some row on no longer matches it.
//!
//! # What this does not protect against
//!
//! Everything is on one machine. Someone with root (or the assessor's own account) who
//! understands this scheme can rewrite the records, recompute the whole chain, rewrite
//! `meta` and rewrite or delete every backup too; nothing local can prove otherwise. Only
//! the newest backup is compared, so a recomputed chain also passes once a newer daily
//! backup has copied it (the first open of the next day backs up before `audit verify`
//! runs). The chain only makes such a rewrite deliberate work rather than a one-line
//! `UPDATE`, and the county server (a later issue) will hold copies of the head off the
//! machine.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::keyring::DbKey;
use rusqlite::types::Value as SqlValue;
use rusqlite::{Connection, OptionalExtension, params};
use serde_json::Value;

use super::audit::{self, AuditProblem, Entry, GENESIS_HASH, HEAD_KEY, sha256_hex};

/// The audit `actor` of the entries written by the schema 4 migration.
const MIGRATION_ACTOR: &str = "(升级)";

/// The `assessments` columns the content hash covers, in order.
const CONTENT_COLUMNS: &str = "id, number, status, record_json, subject_name, id_number,
    reference_date, final_level, created_at, updated_at, township, sex, birth_date,
    assessor1, assessor2, warnings, submitted_at, reviewed_at, reviewer, review_reason,
    supersedes";

/// How many columns [`CONTENT_COLUMNS`] names.
const CONTENT_COLUMN_COUNT: usize = 21;

fn json_of(value: SqlValue) -> Value {
    match value {
        SqlValue::Integer(n) => Value::from(n),
        SqlValue::Text(text) => Value::from(text),
        SqlValue::Real(x) => Value::from(x),
        SqlValue::Blob(bytes) => Value::from(sha256_hex(&bytes)),
        SqlValue::Null => Value::Null,
    }
}

fn hash_content(columns: Vec<Value>, duties: &[(String, String)]) -> String {
    let duties: Vec<Value> =
        duties.iter().map(|(duty, account)| serde_json::json!([duty, account])).collect();
    sha256_hex(
        Value::Array(vec![Value::Array(columns), Value::Array(duties)]).to_string().as_bytes(),
    )
}

fn columns_of(row: &rusqlite::Row<'_>) -> rusqlite::Result<Vec<Value>> {
    (0..CONTENT_COLUMN_COUNT)
        .map(|i| {
            // Text that is not UTF-8 any more (bytes flipped inside a record) hashes as
            // what it is, so the record is named as changed instead of failing the check.
            if let rusqlite::types::ValueRef::Text(bytes) = row.get_ref(i)?
                && std::str::from_utf8(bytes).is_err()
            {
                return Ok(Value::from(format!("(不是 UTF-8 文本：{})", sha256_hex(bytes))));
            }
            row.get::<_, SqlValue>(i).map(json_of)
        })
        .collect()
}

fn duties_of(conn: &Connection, id: i64) -> rusqlite::Result<Vec<(String, String)>> {
    let mut statement = conn.prepare_cached(
        "SELECT duty, account FROM record_accounts WHERE record_id = ?1 ORDER BY duty, account",
    )?;
    let rows = statement.query_map([id], |row| Ok((row.get(0)?, row.get(1)?)))?;
    rows.collect()
}

/// The content hash of record `id` as stored now ([`GENESIS_HASH`] if there is no such
/// row). Call inside the transaction that changed it, after the change.
pub(super) fn content_hash(conn: &Connection, id: i64) -> rusqlite::Result<String> {
    let columns = conn
        .prepare_cached(&format!("SELECT {CONTENT_COLUMNS} FROM assessments WHERE id = ?1"))?
        .query_row([id], columns_of)
        .optional()?;
    match columns {
        Some(columns) => Ok(hash_content(columns, &duties_of(conn, id)?)),
        None => Ok(GENESIS_HASH.to_owned()),
    }
}

/// Appends `entry`, which changes record `entry.record_id`, with that record's content
/// hash as stored now (call after the change, in its transaction).
pub(super) fn append_change(conn: &Connection, entry: &Entry<'_>) -> rusqlite::Result<i64> {
    let hash = match entry.record_id {
        Some(id) => content_hash(conn, id)?,
        None => GENESIS_HASH.to_owned(),
    };
    audit::append(conn, &Entry { content_hash: Some(&hash), ..entry.clone() })
}

/// The schema 4 migration's Rust step: one `content_baseline` entry per existing record
/// (dated by its `updated_at`) carrying its content hash, and the head in `meta`. Content
/// changed behind the store before the upgrade is taken as it is.
pub(super) fn baseline(conn: &Connection) -> rusqlite::Result<()> {
    let records: Vec<(i64, String)> = {
        let mut statement = conn.prepare("SELECT id, updated_at FROM assessments ORDER BY id")?;
        let rows = statement.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    for (id, updated_at) in records {
        let hash = content_hash(conn, id)?;
        audit::append(
            conn,
            &Entry {
                at: &updated_at,
                actor: MIGRATION_ACTOR,
                record_id: Some(id),
                action: "content_baseline",
                field: Some("content_hash"),
                content_hash: Some(&hash),
                ..Entry::default()
            },
        )?;
    }
    let last: Option<(i64, String)> = conn
        .query_row("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1", [], |row| {
            Ok((row.get(0)?, row.get(1)?))
        })
        .optional()?;
    if let Some((seq, hash)) = last {
        conn.execute(
            "INSERT INTO meta (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![HEAD_KEY, format!("{seq}:{hash}")],
        )?;
    }
    Ok(())
}

/// `seq:hash` → its parts.
fn parse_head(text: &str) -> Option<(i64, String)> {
    let (seq, hash) = text.split_once(':')?;
    Some((seq.parse().ok()?, hash.to_owned()))
}

/// The head recorded in `meta`, if there is one that parses.
fn meta_head(conn: &Connection) -> rusqlite::Result<Option<(i64, String)>> {
    let text: Option<String> = conn
        .query_row("SELECT value FROM meta WHERE key = ?1", [HEAD_KEY], |row| row.get(0))
        .optional()?;
    Ok(text.and_then(|text| parse_head(&text)))
}

fn last_row(conn: &Connection) -> rusqlite::Result<Option<(i64, String)>> {
    conn.query_row("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1", [], |row| {
        Ok((row.get(0)?, row.get(1)?))
    })
    .optional()
}

/// The first difference between the records, the head in `meta`, the newest backup's
/// head and the chain (whose own links [`audit::verify`] has already checked).
pub(super) fn verify(
    conn: &Connection,
    dir: Option<&Path>,
    key: Option<&DbKey>,
) -> rusqlite::Result<Verified> {
    let mut verified = Verified::default();
    let last = last_row(conn)?;
    let head = meta_head(conn)?;
    let head_problem = (head != last).then(|| AuditProblem::HeadMismatch {
        recorded: head.map_or(0, |head| head.0),
        last: last.as_ref().map_or(0, |last| last.0),
    });
    if head_problem.is_some() {
        verified.problem = head_problem;
        return Ok(verified);
    }
    verified.problem = verify_records(conn)?;
    if verified.problem.is_some() {
        return Ok(verified);
    }
    if let Some(dir) = dir {
        let (checked, problem) = verify_backup_head(conn, dir, key)?;
        verified.backup = checked;
        verified.problem = problem;
    }
    Ok(verified)
}

/// What [`verify`] found beyond the chain's links.
#[derive(Debug, Default)]
pub(super) struct Verified {
    /// The first difference.
    pub problem: Option<AuditProblem>,
    /// The backup whose head was compared, if one could be read.
    pub backup: Option<PathBuf>,
}

/// Each record's content against its last content hash, in row id order; then every
/// record the trail says exists.
fn verify_records(conn: &Connection) -> rusqlite::Result<Option<AuditProblem>> {
    let mut recorded: BTreeMap<i64, (i64, String)> = BTreeMap::new();
    {
        let mut statement = conn.prepare(
            "SELECT record_id, seq, content_hash FROM audit
             WHERE record_id IS NOT NULL AND content_hash IS NOT NULL ORDER BY seq",
        )?;
        let mut rows = statement.query([])?;
        while let Some(row) = rows.next()? {
            recorded.insert(row.get(0)?, (row.get(1)?, row.get(2)?));
        }
    }
    let mut duties: BTreeMap<i64, Vec<(String, String)>> = BTreeMap::new();
    {
        let mut statement = conn.prepare(
            "SELECT record_id, duty, account FROM record_accounts ORDER BY record_id, duty, account",
        )?;
        let mut rows = statement.query([])?;
        while let Some(row) = rows.next()? {
            duties.entry(row.get(0)?).or_default().push((row.get(1)?, row.get(2)?));
        }
    }
    let mut statement =
        conn.prepare(&format!("SELECT {CONTENT_COLUMNS} FROM assessments ORDER BY id"))?;
    let mut rows = statement.query([])?;
    while let Some(row) = rows.next()? {
        let id: i64 = row.get(0)?;
        let number: String = row.get(1)?;
        let hash = hash_content(columns_of(row)?, duties.get(&id).map_or(&[], Vec::as_slice));
        match recorded.remove(&id) {
            None => return Ok(Some(AuditProblem::ContentUnrecorded { number })),
            Some((seq, expected)) if expected != hash => {
                return Ok(Some(AuditProblem::ContentChanged { number, seq }));
            }
            Some(_) => {}
        }
    }
    // What is left was recorded but has no row: fine only for a deleted draft.
    Ok(recorded
        .into_iter()
        .find(|(_, (_, hash))| hash != GENESIS_HASH)
        .map(|(id, (seq, _))| AuditProblem::RecordMissing { id, seq }))
}

/// The head of the newest backup that can be read, compared with this chain.
pub(super) fn verify_backup_head(
    conn: &Connection,
    dir: &Path,
    key: Option<&DbKey>,
) -> rusqlite::Result<(Option<PathBuf>, Option<AuditProblem>)> {
    for backup in super::backup::list_backups(dir).into_iter().rev() {
        let Some((seq, hash)) = backup_head(&backup, key) else { continue };
        let ours: Option<String> = conn
            .prepare_cached("SELECT hash FROM audit WHERE seq = ?1")?
            .query_row([seq], |row| row.get(0))
            .optional()?;
        let problem = match ours {
            Some(ours) if ours == hash => None,
            Some(_) => Some(AuditProblem::BackupDiffers { seq }),
            None => Some(AuditProblem::BackupAhead { seq }),
        };
        return Ok((Some(backup), problem));
    }
    Ok((None, None))
}

/// The head recorded in a backup file, opened read-only: the head in its `meta` where
/// there is one, else its last audit row (backups made before schema 4); `None` if it
/// cannot be read or has no audit rows. An encrypted store's backups open with its `key`.
pub(super) fn backup_head(path: &Path, key: Option<&DbKey>) -> Option<(i64, String)> {
    let conn = super::backup_check::open_immutable(path, key).ok()?;
    if let Ok(Some(head)) = meta_head(&conn) {
        return Some(head);
    }
    last_row(&conn).ok().flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A schema 3 database with one record and no audit rows, migrated to 4: the record's
    /// content is anchored by a `content_baseline` entry and the head is in `meta`.
    #[test]
    fn the_migration_anchors_existing_records() {
        let mut conn = Connection::open_in_memory().unwrap();
        for step in &super::super::schema::MIGRATIONS[..3] {
            conn.execute_batch(step).unwrap();
        }
        conn.pragma_update(None, "user_version", 3).unwrap();
        conn.execute(
            "INSERT INTO assessments (number, status, record_json, reference_date, created_at,
                 updated_at)
             VALUES ('M-1', 'draft', '{}', '2026-11-28', '2026-11-28T00:00:00Z',
                 '2026-11-28T00:00:00Z')",
            [],
        )
        .unwrap();
        super::super::schema::migrate(&mut conn).unwrap();
        let action: String = conn
            .query_row("SELECT action FROM audit WHERE record_id = 1", [], |row| row.get(0))
            .unwrap();
        assert_eq!(action, "content_baseline");
        assert!(audit::verify(&conn).unwrap().is_intact());
        assert_eq!(verify(&conn, None, None).unwrap().problem, None);
        conn.execute("UPDATE assessments SET record_json = '{\"x\":1}'", []).unwrap();
        assert_eq!(
            verify(&conn, None, None).unwrap().problem,
            Some(AuditProblem::ContentChanged { number: "M-1".to_owned(), seq: 1 })
        );
    }
}
