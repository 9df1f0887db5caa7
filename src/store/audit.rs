//! The tamper-evident audit trail: an append-only table whose rows form a hash chain.
//!
//! Each row's `hash` is the SHA-256 (lower-case hex) of the canonical serialisation of
//! its content and the previous row's hash: the compact JSON array
//!
//! ```text
//! [seq, at, actor, record_id, action, field, old_value, new_value, reason, prev_hash]
//! ```
//!
//! (`serde_json`, numbers as integers, absent values as `null`), with the row's
//! `content_hash` appended as an eleventh element when it has one (schema 4 and later:
//! every entry that changes a record carries the SHA-256 of the record's stored content
//! after the change, see [`super::audit_content`]). The first row's `prev_hash` is 64
//! zeros. Each append also records the chain's head (`seq:hash` of the new row) in
//! `meta` under [`HEAD_KEY`], in the same transaction. Triggers refuse `UPDATE` and `DELETE`; someone who drops them
//! and edits or deletes rows behind the program's back is caught by
//! [`Store::verify_audit`](super::Store::verify_audit):
//!
//! - an edited row no longer matches its hash ([`AuditProblem::Edited`]);
//! - a deleted row leaves a gap in `seq`, or `sqlite_sequence` (the highest `seq` ever
//!   handed out, which new rows continue from) is ahead of the last row
//!   ([`AuditProblem::Missing`]);
//! - a row whose hash was recomputed after an edit no longer matches the next row's
//!   `prev_hash` ([`AuditProblem::Unlinked`]).
//!
//! Values may contain personal data (a name, an ID number): that is fine inside the
//! database, but no error or report built here ever shows them.

use std::collections::BTreeMap;
use std::fmt;

use rusqlite::{Connection, OptionalExtension, params};
use serde_json::Value;
use sha2::{Digest, Sha256};

/// `prev_hash` of the first row.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The `meta` key of the chain's head: `seq:hash` of the last row appended.
pub(super) const HEAD_KEY: &str = "audit_head";

/// One row to append; `seq`, `prev_hash` and `hash` are computed by [`append`].
#[derive(Debug, Clone, Default)]
pub(super) struct Entry<'a> {
    pub at: &'a str,
    pub actor: &'a str,
    pub record_id: Option<i64>,
    pub action: &'a str,
    pub field: Option<&'a str>,
    pub old: Option<&'a str>,
    pub new: Option<&'a str>,
    pub reason: Option<&'a str>,
    /// The SHA-256 of the record's stored content after the change, for entries that
    /// change a record (see [`super::audit_content::content_hash`]).
    pub content_hash: Option<&'a str>,
}

/// The hash of one row: SHA-256 hex of the canonical JSON array (see the module docs).
#[expect(clippy::too_many_arguments, reason = "one argument per hashed column, in order")]
pub fn row_hash(
    seq: i64,
    at: &str,
    actor: &str,
    record_id: Option<i64>,
    action: &str,
    field: Option<&str>,
    old: Option<&str>,
    new: Option<&str>,
    reason: Option<&str>,
    prev_hash: &str,
    content_hash: Option<&str>,
) -> String {
    let mut canonical =
        serde_json::json!([seq, at, actor, record_id, action, field, old, new, reason, prev_hash]);
    if let (Some(content_hash), Value::Array(items)) = (content_hash, &mut canonical) {
        items.push(Value::from(content_hash));
    }
    sha256_hex(canonical.to_string().as_bytes())
}

/// SHA-256 of `bytes`, lower-case hex.
pub(super) fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut hex = String::with_capacity(64);
    for byte in digest {
        use fmt::Write as _;
        let _ = write!(hex, "{byte:02x}");
    }
    hex
}

/// Appends one row, chained to the row with the highest `seq`. Call inside the
/// transaction that makes the change it records.
///
/// The new `seq` continues from `sqlite_sequence` (the highest `seq` ever handed out, not
/// the last row's), so rows deleted from the end of the chain leave a gap that later rows
/// cannot hide.
pub(super) fn append(conn: &Connection, entry: &Entry<'_>) -> rusqlite::Result<i64> {
    // `max` with the rows too: a `sqlite_sequence` row deleted by hand must not make the
    // next `seq` collide with an existing row.
    let handed_out: i64 = conn
        .prepare_cached(
            "SELECT max(
                 coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'audit'), 0),
                 coalesce((SELECT max(seq) FROM audit), 0))",
        )?
        .query_row([], |row| row.get(0))?;
    let prev_hash: String = conn
        .prepare_cached("SELECT hash FROM audit ORDER BY seq DESC LIMIT 1")?
        .query_row([], |row| row.get(0))
        .optional()?
        .unwrap_or_else(|| GENESIS_HASH.to_owned());
    let seq = handed_out + 1;
    let hash = row_hash(
        seq,
        entry.at,
        entry.actor,
        entry.record_id,
        entry.action,
        entry.field,
        entry.old,
        entry.new,
        entry.reason,
        &prev_hash,
        entry.content_hash,
    );
    conn.prepare_cached(
        "INSERT INTO audit (seq, at, actor, record_id, action, field, old_value, new_value,
             reason, prev_hash, hash, content_hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
    )?
    .execute(params![
        seq,
        entry.at,
        entry.actor,
        entry.record_id,
        entry.action,
        entry.field,
        entry.old,
        entry.new,
        entry.reason,
        prev_hash,
        hash,
        entry.content_hash
    ])?;
    conn.prepare_cached(
        "INSERT INTO meta (key, value) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )?
    .execute(params![HEAD_KEY, format!("{seq}:{hash}")])?;
    Ok(seq)
}

/// The first problem found: in the chain (by `seq`), then the head in `meta`, then the
/// records' content, then the newest backup's head (see [`super::audit_content`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuditProblem {
    /// The row's content no longer matches its hash: it was edited.
    Edited {
        /// The edited row.
        seq: i64,
    },
    /// No row has this `seq`, though later numbers were handed out: it was deleted.
    Missing {
        /// The first missing `seq`.
        seq: i64,
    },
    /// The row's `prev_hash` is not the previous row's hash: the row before it was
    /// replaced or re-hashed.
    Unlinked {
        /// The row whose link is broken.
        seq: i64,
    },
    /// The head recorded in `meta` is not the last row: rows were deleted from the end
    /// (or `meta` was edited). `recorded` is 0 when `meta` has no usable head.
    HeadMismatch {
        /// The `seq` recorded in `meta`.
        recorded: i64,
        /// The last row's `seq` (0: no rows).
        last: i64,
    },
    /// A record's stored content no longer has the hash its last entry recorded: it was
    /// changed behind the store.
    ContentChanged {
        /// The record's assessment number (A.1.1).
        number: String,
        /// Its last entry with a content hash.
        seq: i64,
    },
    /// A record has no entry with a content hash: it was added behind the store.
    ContentUnrecorded {
        /// The record's assessment number (A.1.1).
        number: String,
    },
    /// The trail says a record exists that is not in the database: it was deleted behind
    /// the store.
    RecordMissing {
        /// The record's row id.
        id: i64,
        /// Its last entry with a content hash.
        seq: i64,
    },
    /// The newest backup's head is a row of this chain with another hash: the chain
    /// was recomputed.
    BackupDiffers {
        /// The backup's head `seq`.
        seq: i64,
    },
    /// The newest backup's head is beyond this chain's last row: rows were removed (or
    /// this database was restored from an older backup).
    BackupAhead {
        /// The backup's head `seq`.
        seq: i64,
    },
}

impl AuditProblem {
    /// The audit row where the problem shows, if it is about one.
    pub fn seq(&self) -> Option<i64> {
        match self {
            Self::Edited { seq }
            | Self::Missing { seq }
            | Self::Unlinked { seq }
            | Self::ContentChanged { seq, .. }
            | Self::RecordMissing { seq, .. }
            | Self::BackupDiffers { seq }
            | Self::BackupAhead { seq } => Some(*seq),
            Self::HeadMismatch { last, .. } => Some(*last),
            Self::ContentUnrecorded { .. } => None,
        }
    }
}

impl fmt::Display for AuditProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Edited { seq } => write!(f, "第 {seq} 条审计记录的内容与其哈希不符（已被改动）"),
            Self::Missing { seq } => write!(f, "缺少第 {seq} 条审计记录（已被删除）"),
            Self::Unlinked { seq } => {
                write!(f, "第 {seq} 条审计记录与前一条的哈希链接断开（前一条已被替换）")
            }
            Self::HeadMismatch { recorded, last } => write!(
                f,
                "数据库记下的最后一条审计记录是第 {recorded} 条，实际最后一条是第 {last} 条（末尾的审计记录已被删除或改动）"
            ),
            Self::ContentChanged { number, seq } => write!(
                f,
                "评估 {number} 的内容与第 {seq} 条审计记录中的内容哈希不符（绕过程序被改动）"
            ),
            Self::ContentUnrecorded { number } => {
                write!(f, "评估 {number} 没有带内容哈希的审计记录（绕过程序被写入）")
            }
            Self::RecordMissing { id, seq } => write!(
                f,
                "第 {seq} 条审计记录中的评估（行号 {id}）已不在数据库中（绕过程序被删除）"
            ),
            Self::BackupDiffers { seq } => {
                write!(f, "最新备份中的第 {seq} 条审计记录与数据库中的不同（审计记录被重新计算过）")
            }
            Self::BackupAhead { seq } => write!(
                f,
                "最新备份中已有第 {seq} 条审计记录，数据库中却没有（审计记录被删除，或数据库是从更早的备份恢复的）"
            ),
        }
    }
}

/// What [`Store::verify_audit`](super::Store::verify_audit) found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditReport {
    /// Rows in the table.
    pub rows: u64,
    /// The first problem, or `None` when the chain, the head and every record's content
    /// are intact.
    pub problem: Option<AuditProblem>,
    /// The backup whose recorded head was compared with the chain, if one could be read.
    pub backup: Option<std::path::PathBuf>,
}

impl AuditReport {
    /// Whether the chain is intact.
    pub fn is_intact(&self) -> bool {
        self.problem.is_none()
    }
}

/// Walks the whole chain in `seq` order.
pub(super) fn verify(conn: &Connection) -> rusqlite::Result<AuditReport> {
    let mut statement = conn.prepare(
        "SELECT seq, at, actor, record_id, action, field, old_value, new_value, reason,
                prev_hash, hash, content_hash
         FROM audit ORDER BY seq",
    )?;
    let mut rows = statement.query([])?;
    let mut count = 0_u64;
    let mut expected_seq = 1_i64;
    let mut prev = GENESIS_HASH.to_owned();
    let mut problem = None;
    while let Some(row) = rows.next()? {
        count += 1;
        if problem.is_some() {
            continue;
        }
        let seq: i64 = row.get(0)?;
        let at: String = row.get(1)?;
        let actor: String = row.get(2)?;
        let record_id: Option<i64> = row.get(3)?;
        let action: String = row.get(4)?;
        let field: Option<String> = row.get(5)?;
        let old: Option<String> = row.get(6)?;
        let new: Option<String> = row.get(7)?;
        let reason: Option<String> = row.get(8)?;
        let prev_hash: String = row.get(9)?;
        let hash: String = row.get(10)?;
        let content_hash: Option<String> = row.get(11)?;
        let computed = row_hash(
            seq,
            &at,
            &actor,
            record_id,
            &action,
            field.as_deref(),
            old.as_deref(),
            new.as_deref(),
            reason.as_deref(),
            &prev_hash,
            content_hash.as_deref(),
        );
        if seq != expected_seq {
            problem = Some(AuditProblem::Missing { seq: expected_seq });
        } else if computed != hash {
            problem = Some(AuditProblem::Edited { seq });
        } else if prev_hash != prev {
            problem = Some(AuditProblem::Unlinked { seq });
        }
        expected_seq = seq + 1;
        prev = hash;
    }
    if problem.is_none() {
        let handed_out: i64 = conn
            .query_row("SELECT seq FROM sqlite_sequence WHERE name = 'audit'", [], |row| row.get(0))
            .optional()?
            .unwrap_or(0);
        if handed_out >= expected_seq {
            problem = Some(AuditProblem::Missing { seq: expected_seq });
        }
    }
    Ok(AuditReport { rows: count, problem, backup: None })
}

/// The fields that differ between two records' JSON, as `(path, old, new)`.
///
/// Objects are walked down to their leaves; a path joins the keys with `.`
/// (`subject.name`, `answers.B.1.1`, `signatures.assessor1.strokes`). Arrays and scalars
/// are leaves, kept as compact JSON (`"张三"`, `3`, `null`, `[[1,2]]`); a path present on
/// one side only has `None` on the other.
pub(super) fn changed_fields(
    old: &Value,
    new: &Value,
) -> Vec<(String, Option<String>, Option<String>)> {
    let mut before = BTreeMap::new();
    let mut after = BTreeMap::new();
    flatten(old, &mut String::new(), &mut before);
    flatten(new, &mut String::new(), &mut after);
    let mut changes = Vec::new();
    for (path, old_value) in &before {
        match after.get(path) {
            Some(new_value) if new_value == old_value => {}
            new_value => changes.push((path.clone(), Some(old_value.clone()), new_value.cloned())),
        }
    }
    for (path, new_value) in after {
        if !before.contains_key(&path) {
            changes.push((path, None, Some(new_value)));
        }
    }
    changes.sort_by(|a, b| a.0.cmp(&b.0));
    changes
}

fn flatten(value: &Value, path: &mut String, out: &mut BTreeMap<String, String>) {
    match value {
        Value::Object(map) if !map.is_empty() => {
            for (key, child) in map {
                let len = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(key);
                flatten(child, path, out);
                path.truncate(len);
            }
        }
        leaf => {
            out.insert(path.clone(), leaf.to_string());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diffs_leaf_paths() {
        let old = serde_json::json!({
            "subject": {"name": "甲", "sex": null},
            "answers": {"B.1.1": 10, "B.1.2": 5},
            "signatures": {"assessor1": {"strokes": [[1, 2]]}}
        });
        let new = serde_json::json!({
            "subject": {"name": "乙", "sex": null},
            "answers": {"B.1.1": 10, "B.1.3": 1},
            "signatures": {"assessor1": {"strokes": [[1, 2], [3, 4]]}}
        });
        let changes = changed_fields(&old, &new);
        let paths: Vec<&str> = changes.iter().map(|c| c.0.as_str()).collect();
        assert_eq!(
            paths,
            ["answers.B.1.2", "answers.B.1.3", "signatures.assessor1.strokes", "subject.name"]
        );
        assert_eq!(changes[0].1.as_deref(), Some("5"));
        assert_eq!(changes[0].2, None);
        assert_eq!(changes[1].1, None);
        assert_eq!(changes[3].1.as_deref(), Some("\"甲\""));
        assert!(changed_fields(&old, &old).is_empty());
    }

    #[test]
    fn hash_covers_every_column() {
        // Every column but the fixed ones varies, one at a time.
        let hash = |seq, record_id, old, new, reason, prev: &str| {
            row_hash(seq, "t", "a", record_id, "edit", Some("f"), old, new, reason, prev, None)
        };
        let base = hash(1, Some(1), None, Some("n"), None, GENESIS_HASH);
        assert_eq!(base.len(), 64);
        assert_ne!(base, hash(2, Some(1), None, Some("n"), None, GENESIS_HASH));
        assert_ne!(base, hash(1, None, None, Some("n"), None, GENESIS_HASH));
        assert_ne!(base, hash(1, Some(1), Some("n"), None, None, GENESIS_HASH));
        assert_ne!(base, hash(1, Some(1), None, Some("n"), Some(""), GENESIS_HASH));
        assert_ne!(base, hash(1, Some(1), None, Some("n"), None, &"1".repeat(64)));
    }

    #[test]
    fn hash_covers_the_content_hash() {
        let hash = |content| {
            row_hash(
                1,
                "t",
                "a",
                Some(1),
                "edit",
                Some("f"),
                None,
                None,
                None,
                GENESIS_HASH,
                content,
            )
        };
        assert_ne!(hash(None), hash(Some("c")));
        assert_ne!(hash(Some("c")), hash(Some("d")));
    }
}
