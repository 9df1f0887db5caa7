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
    // 2: the review lifecycle, accounts and the audit trail (issue 6). `assessments` is
    // rebuilt (SQLite cannot widen a CHECK in place): every row is copied with its id, and
    // the new denormalised columns are filled from `record_json` where it holds them.
    "CREATE TABLE assessments_v2 (
        id INTEGER PRIMARY KEY,
        number TEXT NOT NULL UNIQUE,
        status TEXT NOT NULL
            CHECK (status IN ('draft', 'completed', 'submitted', 'approved', 'returned')),
        record_json TEXT NOT NULL,
        subject_name TEXT NOT NULL DEFAULT '',
        id_number TEXT NOT NULL DEFAULT '',
        reference_date TEXT NOT NULL,
        final_level INTEGER,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        township TEXT NOT NULL DEFAULT '',
        sex TEXT NOT NULL DEFAULT '',
        birth_date TEXT,
        assessor1 TEXT NOT NULL DEFAULT '',
        assessor2 TEXT NOT NULL DEFAULT '',
        warnings INTEGER NOT NULL DEFAULT 0,
        submitted_at TEXT,
        reviewed_at TEXT,
        reviewer TEXT,
        review_reason TEXT,
        supersedes INTEGER REFERENCES assessments (id)
    ) STRICT;
    INSERT INTO assessments_v2 (id, number, status, record_json, subject_name, id_number,
        reference_date, final_level, created_at, updated_at, sex, birth_date, assessor1,
        assessor2)
    SELECT id, number, status, record_json, subject_name, id_number, reference_date,
        final_level, created_at, updated_at,
        CASE WHEN json_valid(record_json)
            THEN coalesce(json_extract(record_json, '$.subject.sex'), '') ELSE '' END,
        CASE WHEN json_valid(record_json)
            THEN json_extract(record_json, '$.subject.birth_date') END,
        CASE WHEN json_valid(record_json)
            THEN trim(coalesce(json_extract(record_json, '$.signatures.assessor1.name'), ''))
            ELSE '' END,
        CASE WHEN json_valid(record_json)
            THEN trim(coalesce(json_extract(record_json, '$.signatures.assessor2.name'), ''))
            ELSE '' END
    FROM assessments;
    DROP TABLE assessments;
    ALTER TABLE assessments_v2 RENAME TO assessments;
    CREATE INDEX assessments_updated_at ON assessments (updated_at);
    CREATE INDEX assessments_queue ON assessments (status, township, reference_date);
    CREATE INDEX assessments_id_number ON assessments (id_number);
    CREATE INDEX assessments_supersedes ON assessments (supersedes);
    -- An approved assessment never changes and is never deleted, whoever writes the file.
    CREATE TRIGGER assessments_approved_no_update BEFORE UPDATE ON assessments
        WHEN OLD.status = 'approved'
        BEGIN SELECT RAISE(ABORT, 'approved assessments are frozen'); END;
    CREATE TRIGGER assessments_approved_no_delete BEFORE DELETE ON assessments
        WHEN OLD.status = 'approved'
        BEGIN SELECT RAISE(ABORT, 'approved assessments are frozen'); END;

    CREATE TABLE accounts (
        login TEXT PRIMARY KEY,
        display_name TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('assessor', 'reviewer', 'admin')),
        password_hash TEXT NOT NULL,
        failed_logins INTEGER NOT NULL DEFAULT 0,
        locked_until TEXT,
        created_at TEXT NOT NULL
    ) STRICT;

    CREATE TABLE audit (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        record_id INTEGER,
        action TEXT NOT NULL,
        field TEXT,
        old_value TEXT,
        new_value TEXT,
        reason TEXT,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL
    ) STRICT;
    CREATE INDEX audit_record ON audit (record_id);
    CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
        BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
    CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
        BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;",
    // 3: covering indexes, so that the statistics and the review queue read only an index
    // and never the rows, whose `record_json` (about 2 KB) spreads them over many pages:
    // with 100,000 records, statistics went from about 195 ms to under 50 ms
    // (`cargo bench --bench store`). The queue index is in the queue's order, the due
    // index in the due list's (each elder's newest approved record).
    "CREATE INDEX assessments_stats ON assessments
        (status, reference_date, township, sex, birth_date, final_level);
    CREATE INDEX assessments_queue_order ON assessments
        (status, submitted_at, id, township, reference_date, final_level, warnings,
         assessor1, assessor2, number, subject_name, id_number, sex, birth_date, supersedes);
    CREATE INDEX assessments_due ON assessments
        (status, id_number, reference_date DESC, id DESC, number, subject_name, township,
         final_level);",
    // 4: duties bound to accounts and an audit trail that covers content (issue 10).
    // `record_accounts` holds who created, imported, edited and submitted each record and
    // which accounts confirmed its two assessor signatures; it is filled here from the
    // audit trail (rows after the record's id was last freed by a deleted draft).
    // `audit.content_hash` is the SHA-256 of a record's stored content after the change an
    // entry records (see `audit_content`); `signing_keys` binds each key made with
    // `keys new` to the signed-in account. The Rust step after this SQL
    // (`audit_content::baseline`) anchors every existing record's content in the chain.
    "ALTER TABLE audit ADD COLUMN content_hash TEXT;
    CREATE TABLE record_accounts (
        record_id INTEGER NOT NULL,
        duty TEXT NOT NULL
            CHECK (duty IN ('create', 'import', 'edit', 'submit', 'assessor1', 'assessor2')),
        account TEXT NOT NULL,
        PRIMARY KEY (record_id, duty, account)
    ) STRICT, WITHOUT ROWID;
    INSERT OR IGNORE INTO record_accounts (record_id, duty, account)
    SELECT record_id,
        CASE action WHEN 'create' THEN 'create' WHEN 'import' THEN 'import'
            WHEN 'submit' THEN 'submit' ELSE 'edit' END,
        actor
    FROM audit AS a
    WHERE record_id IN (SELECT id FROM assessments)
      AND action IN ('create', 'import', 'edit', 'complete', 'reopen', 'submit', 'supersede')
      AND seq > coalesce((SELECT max(seq) FROM audit AS d
                          WHERE d.record_id = a.record_id AND d.action = 'delete_draft'), 0);
    CREATE TABLE signing_keys (
        fingerprint TEXT PRIMARY KEY,
        key_name TEXT NOT NULL,
        account TEXT NOT NULL,
        created_at TEXT NOT NULL
    ) STRICT;",
    // 5: the autosave journal: the newest unaudited version of a record being typed,
    // written within half a second; audited into `assessments` when the burst of edits
    // ends (see `autosave.rs`).
    "CREATE TABLE autosave (
        number TEXT PRIMARY KEY,
        account TEXT NOT NULL,
        status TEXT NOT NULL,
        record_json TEXT NOT NULL,
        saved_at TEXT NOT NULL
    ) STRICT;",
    // 6: sync with the county server (issue 15). `sync_state` is the one row of a device
    // enrolled with the county (its P-256 key, kept only in this — encrypted — file, the
    // server URL, device id and code, the pull cursor and the county state last
    // received); `reports` keeps each stored record's fully signed report PDF, the one
    // an envelope carries; `sync_outbox` holds what waits to be sent (envelopes and
    // decisions, exact bytes, built once); `sync_replica` the county's envelopes received
    // on a reviewer's device, whose records are `assessments` rows marked `replica` (the
    // envelope id: read-only, decided through the outbox); `sync_applied` the decisions
    // received, so that a page applied twice changes nothing.
    "CREATE TABLE sync_state (
        one INTEGER PRIMARY KEY CHECK (one = 1),
        server_url TEXT NOT NULL,
        device_id TEXT NOT NULL,
        device_code TEXT NOT NULL,
        county TEXT NOT NULL,
        device_key TEXT NOT NULL,
        enrolled_by TEXT NOT NULL,
        cursor INTEGER NOT NULL DEFAULT 0,
        county_state TEXT NOT NULL,
        enrolled_at TEXT NOT NULL
    ) STRICT;
    CREATE TABLE reports (
        record_id INTEGER PRIMARY KEY,
        pdf BLOB NOT NULL,
        sha256 TEXT NOT NULL,
        stored_at TEXT NOT NULL
    ) STRICT;
    CREATE TABLE sync_outbox (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        item_id TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL CHECK (kind IN ('envelope', 'decision')),
        record_id INTEGER,
        submitted_at TEXT,
        body TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('pending', 'sent', 'refused')),
        reason TEXT,
        created_at TEXT NOT NULL,
        done_at TEXT
    ) STRICT;
    CREATE INDEX sync_outbox_record ON sync_outbox (record_id, state);
    CREATE TABLE sync_replica (
        envelope_id TEXT NOT NULL,
        hash TEXT NOT NULL,
        envelope TEXT NOT NULL,
        number TEXT NOT NULL,
        id_number TEXT NOT NULL,
        device TEXT NOT NULL,
        received_at TEXT NOT NULL,
        conflict INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (envelope_id, hash)
    ) STRICT;
    CREATE INDEX sync_replica_id_number ON sync_replica (id_number);
    CREATE TABLE sync_applied (
        decision_id TEXT PRIMARY KEY,
        applied_at TEXT NOT NULL
    ) STRICT;
    ALTER TABLE assessments ADD COLUMN replica TEXT;",
];

/// The version whose migration adds content hashes to the audit trail.
const CONTENT_VERSION: i64 = 4;

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
        if version == CONTENT_VERSION {
            super::audit_content::baseline(&tx).map_err(fail)?;
        }
        tx.pragma_update(None, "user_version", version).map_err(fail)?;
        tx.commit().map_err(fail)?;
    }
}
