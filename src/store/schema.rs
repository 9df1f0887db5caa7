//! The database schema as versioned migrations, tracked with `PRAGMA user_version`.
//!
//! [`MIGRATIONS`]`[n]` takes the schema from version `n` to `n + 1`. Each step runs in
//! its own `BEGIN IMMEDIATE` transaction together with the `user_version` bump, so a
//! crash in the middle of an upgrade leaves the database at the previous version, intact.
//! Steps are append-only: never edit one that has shipped, add a new one instead.

use rusqlite::{Connection, TransactionBehavior};

use super::StoreError;

/// The SQL of each migration step, oldest first.
pub(super) const MIGRATIONS: &[&str] = &[
    // 1: assessments and the key/value meta table.
    "CREATE TABLE assessments (
        id INTEGER PRIMARY KEY,
        number TEXT NOT NULL UNIQUE,
        status TEXT NOT NULL CHECK (status IN ('draft', 'completed')),
        record_json TEXT NOT NULL,
        subject_name TEXT NOT NULL DEFAULT '',
        id_number TEXT NOT NULL DEFAULT '',
        reference_date TEXT NOT NULL,
        final_level INTEGER,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    ) STRICT;
    CREATE INDEX assessments_updated_at ON assessments (updated_at);
    CREATE TABLE meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    ) STRICT;",
];

/// The schema version this code creates and understands.
#[expect(clippy::cast_possible_wrap, reason = "a handful of migrations")]
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// The file's `PRAGMA user_version`.
pub(super) fn user_version(conn: &Connection) -> rusqlite::Result<i64> {
    conn.pragma_query_value(None, "user_version", |row| row.get(0))
}

/// Applies every step the database has not seen yet.
///
/// The version is re-read inside each write transaction, so two processes opening the
/// same file at once do not apply a step twice.
pub(super) fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    loop {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let current = user_version(&tx)?;
        if current > SCHEMA_VERSION {
            return Err(StoreError::TooNew { found: current, supported: SCHEMA_VERSION });
        }
        let Some(step) = usize::try_from(current).ok().and_then(|n| MIGRATIONS.get(n)) else {
            // Up to date (or negative, which no version of this program writes).
            return Ok(());
        };
        let version = current + 1;
        let fail = |source| StoreError::Migration { version, source };
        tx.execute_batch(step).map_err(fail)?;
        tx.pragma_update(None, "user_version", version).map_err(fail)?;
        tx.commit().map_err(fail)?;
    }
}
