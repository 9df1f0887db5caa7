//! The embedded assessment store: one `SQLite` file per assessor's machine.
//!
//! This is the only module that touches `rusqlite` (see `ARCHITECTURE.md`). It keeps each
//! [`AssessmentRecord`] as JSON, next to a few denormalised columns (name, ID number,
//! reference date, final level) used to list and search without parsing every record.
//!
//! - [`Store::open`] / [`Store::open_in_memory`]: open, set the pragmas and migrate
//!   (`schema`: versioned steps tracked with `PRAGMA user_version`).
//! - [`Store::save`] / [`Store::load`] / [`Store::list`] / [`Store::delete_draft`]: the
//!   records, keyed by their assessment number (A.1.1).
//! - [`Store::set_last_open`] / [`Store::last_open`]: which assessment the GUI had open,
//!   so the next start can reopen an interrupted one.
//! - [`Store::next_number`]: a fresh assessment number such as `PG20261128-0001`.
//!
//! The store never reads the clock: every timestamp is passed in by the caller.
//!
//! # Durability
//!
//! The GUI saves the open assessment about once a second, and promises that killing the
//! program at any moment loses at most that last second. The file is therefore opened in
//! WAL mode with `synchronous=FULL`; see [`Store::open`] for why FULL and not NORMAL.

mod error;
mod schema;

use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use rusqlite::{Connection, ErrorCode, OptionalExtension, params};

pub use crate::record::mask_id;

use crate::record::AssessmentRecord;

pub use error::{JsonError, StoreError};
pub use schema::SCHEMA_VERSION;

/// The database file name inside the data directory.
pub const DB_FILE_NAME: &str = "elder-assess.sqlite3";

/// The first 16 bytes of every `SQLite` 3 database file.
const SQLITE_HEADER: &[u8; 16] = b"SQLite format 3\0";

/// The `meta` key holding [`Store::last_open`].
const META_LAST_OPEN: &str = "last_open";

/// Prefix of the numbers made by [`Store::next_number`].
const NUMBER_PREFIX: &str = "PG";

/// The per-user, non-roaming data directory (`%LOCALAPPDATA%\gengma\elder-assess\data` on
/// Windows, `~/.local/share/elder-assess` on Linux), or `None` if the platform gives no
/// home directory.
pub fn default_data_dir() -> Option<PathBuf> {
    directories::ProjectDirs::from("cn", "gengma", "elder-assess")
        .map(|dirs| dirs.data_local_dir().to_owned())
}

/// Where an assessment is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Being filled in.
    Draft,
    /// Finished and scored.
    Completed,
}

impl Status {
    /// The Chinese label shown to the assessor: 草稿 / 已完成.
    pub fn label(self) -> &'static str {
        match self {
            Self::Draft => "草稿",
            Self::Completed => "已完成",
        }
    }

    /// The value stored in the `status` column.
    fn as_sql(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Completed => "completed",
        }
    }

    fn from_sql(text: &str) -> Option<Self> {
        match text {
            "draft" => Some(Self::Draft),
            "completed" => Some(Self::Completed),
            _ => None,
        }
    }
}

/// One assessment as loaded by [`Store::load`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAssessment {
    /// Row id.
    pub id: i64,
    /// Draft or completed.
    pub status: Status,
    /// The record itself.
    pub record: AssessmentRecord,
    /// The final ability level, once scored.
    pub final_level: Option<u8>,
    /// When the row was first saved.
    pub created_at: DateTime<Utc>,
    /// When the row was last saved.
    pub updated_at: DateTime<Utc>,
}

/// One line of the assessment list, from [`Store::list`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    /// Row id, for [`Store::load`].
    pub id: i64,
    /// A.1.1 评估编号.
    pub number: String,
    /// Draft or completed.
    pub status: Status,
    /// A.2.1 姓名 (trimmed).
    pub subject_name: String,
    /// A.2.8 as typed, first 6 and last 4 characters shown, the rest `*` (all `*` when 10
    /// characters or fewer); empty when no number was typed. See [`mask_id`].
    pub id_masked: String,
    /// A.1.2 评估基准日期.
    pub reference_date: NaiveDate,
    /// The final ability level, once scored.
    pub final_level: Option<u8>,
    /// When the row was last saved.
    pub updated_at: DateTime<Utc>,
}

/// The assessment store: one `SQLite` connection.
#[derive(Debug)]
pub struct Store {
    conn: Connection,
    /// The database file (`:memory:` for [`Store::open_in_memory`]), for error messages.
    path: PathBuf,
}

impl Store {
    /// Opens (creating if needed) `dir/elder-assess.sqlite3`, creating `dir` too, and
    /// migrates it to [`SCHEMA_VERSION`].
    ///
    /// Pragmas: `journal_mode=WAL`, `synchronous=FULL`, `foreign_keys=ON`.
    ///
    /// Why `synchronous=FULL`: in WAL mode both NORMAL and FULL survive the *process*
    /// being killed without losing a committed save (the WAL write has reached the OS
    /// before `COMMIT` returns). They differ on power loss or an OS crash: NORMAL only
    /// fsyncs at checkpoints, so a laptop whose battery dies during a home visit could
    /// lose many minutes of saves; FULL fsyncs the WAL at every commit, so it loses at
    /// most the save in flight. The cost is one fsync per save, about once a second,
    /// which is negligible next to an assessor typing.
    ///
    /// Nothing is written to a file that is not an `SQLite` database, or whose schema is
    /// newer than this program's: those give [`StoreError::Corrupt`] and
    /// [`StoreError::TooNew`] and leave the file as it was.
    pub fn open(dir: &Path) -> Result<Self, StoreError> {
        std::fs::create_dir_all(dir)
            .map_err(|source| StoreError::Io { path: dir.to_owned(), source })?;
        let path = dir.join(DB_FILE_NAME);
        check_header(&path)?;
        let corrupt = |error: rusqlite::Error| match error.sqlite_error_code() {
            Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt) => {
                StoreError::Corrupt { path: path.clone() }
            }
            _ => StoreError::Sqlite(error),
        };
        let conn = Connection::open(&path).map_err(corrupt)?;
        // Reading the version reads the header: a damaged file fails here, before any
        // pragma or migration writes to it.
        let version = schema::user_version(&conn).map_err(corrupt)?;
        if version < 0 {
            return Err(StoreError::Corrupt { path });
        }
        Self::init(conn, path.clone(), version).map_err(|error| match error {
            StoreError::Sqlite(error) | StoreError::Migration { source: error, .. }
                if matches!(
                    error.sqlite_error_code(),
                    Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt)
                ) =>
            {
                StoreError::Corrupt { path: path.clone() }
            }
            other => other,
        })
    }

    /// The database file (`:memory:` for an in-memory store).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// A fresh store in memory, for tests.
    pub fn open_in_memory() -> Result<Self, StoreError> {
        Self::init(Connection::open_in_memory()?, PathBuf::from(":memory:"), 0)
    }

    fn init(mut conn: Connection, path: PathBuf, version: i64) -> Result<Self, StoreError> {
        if version > SCHEMA_VERSION {
            return Err(StoreError::TooNew { found: version, supported: SCHEMA_VERSION });
        }
        // Returns the mode now in force: "wal" for a file, "memory" in memory. A file
        // system without WAL support keeps a rollback journal, which is just as safe.
        let _mode: String =
            conn.pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        schema::migrate(&mut conn)?;
        Ok(Self { conn, path })
    }

    /// Inserts or updates the assessment with `record.info.number`, in one small
    /// transaction (cheap enough to call every second). `created_at` is set by the first
    /// save only; every save sets `updated_at` to `now`. Returns the row id.
    ///
    /// Saving does not check the record: drafts are saved half-typed. The caller chooses
    /// `status` and passes the `final_level` it computed.
    pub fn save(
        &self,
        record: &AssessmentRecord,
        status: Status,
        final_level: Option<u8>,
        now: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        let number = record.info.number.trim();
        if number.is_empty() {
            return Err(StoreError::MissingNumber);
        }
        let json = serde_json::to_string(record)
            .map_err(|e| StoreError::Json { number: number.to_owned(), source: e.into() })?;
        let now = timestamp(now);
        let mut statement = self.conn.prepare_cached(
            "INSERT INTO assessments (number, status, record_json, subject_name, id_number,
                 reference_date, final_level, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)
             ON CONFLICT (number) DO UPDATE SET
                 status = excluded.status,
                 record_json = excluded.record_json,
                 subject_name = excluded.subject_name,
                 id_number = excluded.id_number,
                 reference_date = excluded.reference_date,
                 final_level = excluded.final_level,
                 updated_at = excluded.updated_at
             RETURNING id",
        )?;
        let id = statement.query_row(
            params![
                number,
                status.as_sql(),
                json,
                record.subject.name.trim(),
                normalise_id(record.subject.id_number.as_str()),
                record.info.reference_date.format("%Y-%m-%d").to_string(),
                final_level,
                now,
            ],
            |row| row.get(0),
        )?;
        Ok(id)
    }

    /// The assessment with row id `id`, or `None` if there is none.
    pub fn load(&self, id: i64) -> Result<Option<StoredAssessment>, StoreError> {
        let mut statement = self.conn.prepare_cached(
            "SELECT status, record_json, final_level, created_at, updated_at
             FROM assessments WHERE id = ?1",
        )?;
        let row = statement
            .query_row([id], |row| {
                Ok((
                    row.get::<_, String>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, Option<i64>>(2)?,
                    row.get::<_, String>(3)?,
                    row.get::<_, String>(4)?,
                ))
            })
            .optional()?;
        let Some((status, json, final_level, created_at, updated_at)) = row else {
            return Ok(None);
        };
        let record = serde_json::from_str(&json)
            .map_err(|e| StoreError::Json { number: format!("#{id}"), source: e.into() })?;
        Ok(Some(StoredAssessment {
            id,
            status: parse_status(id, &status)?,
            record,
            final_level: parse_level(id, final_level)?,
            created_at: parse_timestamp(id, "created_at", &created_at)?,
            updated_at: parse_timestamp(id, "updated_at", &updated_at)?,
        }))
    }

    /// The row id of the assessment numbered `number` (A.1.1, trimmed), if any.
    pub fn find_by_number(&self, number: &str) -> Result<Option<i64>, StoreError> {
        let mut statement =
            self.conn.prepare_cached("SELECT id FROM assessments WHERE number = ?1")?;
        Ok(statement.query_row([number.trim()], |row| row.get::<_, i64>(0)).optional()?)
    }

    /// The assessments, most recently saved first (ties: newest row first).
    ///
    /// An empty (or blank) `query` lists everything; otherwise only assessments whose
    /// name or ID number contains `query` (trimmed; ASCII letters match either case).
    pub fn list(&self, query: &str) -> Result<Vec<Summary>, StoreError> {
        let query = query.trim();
        let mut statement = self.conn.prepare_cached(
            "SELECT id, number, status, subject_name, id_number, reference_date, final_level,
                    updated_at
             FROM assessments
             WHERE ?1 = ''
                OR instr(lower(subject_name), lower(?1)) > 0
                OR instr(id_number, upper(?1)) > 0
             ORDER BY updated_at DESC, id DESC",
        )?;
        let rows = statement.query_map([query], |row| {
            Ok((
                row.get::<_, i64>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
                row.get::<_, String>(3)?,
                row.get::<_, String>(4)?,
                row.get::<_, String>(5)?,
                row.get::<_, Option<i64>>(6)?,
                row.get::<_, String>(7)?,
            ))
        })?;
        let mut summaries = Vec::new();
        for row in rows {
            let (id, number, status, subject_name, id_number, date, level, updated_at) = row?;
            summaries.push(Summary {
                id,
                number,
                status: parse_status(id, &status)?,
                subject_name,
                id_masked: mask_id(&id_number),
                reference_date: NaiveDate::parse_from_str(&date, "%Y-%m-%d")
                    .map_err(|_| StoreError::BadValue { id, column: "reference_date" })?,
                final_level: parse_level(id, level)?,
                updated_at: parse_timestamp(id, "updated_at", &updated_at)?,
            });
        }
        Ok(summaries)
    }

    /// Remembers the assessment the GUI has open (`None`: none).
    pub fn set_last_open(&self, id: Option<i64>) -> Result<(), StoreError> {
        match id {
            Some(id) => self
                .conn
                .prepare_cached(
                    "INSERT INTO meta (key, value) VALUES (?1, ?2)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                )?
                .execute(params![META_LAST_OPEN, id.to_string()])?,
            None => self
                .conn
                .prepare_cached("DELETE FROM meta WHERE key = ?1")?
                .execute([META_LAST_OPEN])?,
        };
        Ok(())
    }

    /// The assessment the GUI had open when it last stopped, if any. The row may have
    /// been deleted since ([`Store::delete_draft`] clears it, but a hand-edited file may
    /// not): [`Store::load`] then gives `None`.
    pub fn last_open(&self) -> Result<Option<i64>, StoreError> {
        let value: Option<String> = self
            .conn
            .prepare_cached("SELECT value FROM meta WHERE key = ?1")?
            .query_row([META_LAST_OPEN], |row| row.get(0))
            .optional()?;
        value
            .map(|text| {
                text.parse().map_err(|_| StoreError::BadValue { id: 0, column: META_LAST_OPEN })
            })
            .transpose()
    }

    /// A fresh assessment number for `date`: `PG` + `YYYYMMDD` + `-` + a 4-digit sequence,
    /// one more than the highest sequence already stored for that date (so `-0001` on an
    /// empty day, and never a number in use, even after a draft was deleted).
    ///
    /// The number is not reserved: save a record with it before asking for the next one.
    pub fn next_number(&self, date: NaiveDate) -> Result<String, StoreError> {
        let prefix = format!("{NUMBER_PREFIX}{}-", date.format("%Y%m%d"));
        let mut statement = self.conn.prepare_cached(
            "SELECT substr(number, length(?1) + 1) FROM assessments
             WHERE substr(number, 1, length(?1)) = ?1",
        )?;
        let suffixes = statement.query_map([&prefix], |row| row.get::<_, String>(0))?;
        let mut highest = 0_u64;
        for suffix in suffixes {
            let suffix = suffix?;
            if !suffix.is_empty() && suffix.bytes().all(|b| b.is_ascii_digit()) {
                highest = highest.max(suffix.parse().unwrap_or(u64::MAX - 1));
            }
        }
        Ok(format!("{prefix}{:04}", highest.saturating_add(1)))
    }

    /// Deletes a draft. A completed assessment is refused with [`StoreError::Completed`];
    /// an unknown id gives [`StoreError::NotFound`]. Clears [`Store::last_open`] if it
    /// pointed at this draft.
    pub fn delete_draft(&self, id: i64) -> Result<(), StoreError> {
        let tx = self.conn.unchecked_transaction()?;
        let status: Option<String> = tx
            .prepare_cached("SELECT status FROM assessments WHERE id = ?1")?
            .query_row([id], |row| row.get(0))
            .optional()?;
        match status.as_deref().map(|s| parse_status(id, s)).transpose()? {
            None => return Err(StoreError::NotFound { id }),
            Some(Status::Completed) => return Err(StoreError::Completed { id }),
            Some(Status::Draft) => {}
        }
        tx.prepare_cached("DELETE FROM assessments WHERE id = ?1")?.execute([id])?;
        tx.prepare_cached("DELETE FROM meta WHERE key = ?1 AND value = ?2")?
            .execute(params![META_LAST_OPEN, id.to_string()])?;
        tx.commit()?;
        Ok(())
    }

    /// Runs `SQLite`'s full `PRAGMA integrity_check`; a damaged database gives
    /// [`StoreError::Corrupt`]. Slow on a big file: for a "check database" command, not
    /// for every start.
    pub fn integrity_check(&self) -> Result<(), StoreError> {
        let mut problems = Vec::new();
        self.conn.pragma_query(None, "integrity_check", |row| {
            problems.push(row.get::<_, String>(0)?);
            Ok(())
        })?;
        if problems == ["ok"] {
            return Ok(());
        }
        Err(StoreError::Corrupt { path: self.path.clone() })
    }
}

/// Refuses, without opening it, a non-empty file that does not start with the `SQLite`
/// header: `SQLite` would refuse it too, but this way nothing can touch it.
fn check_header(path: &Path) -> Result<(), StoreError> {
    use std::io::Read;
    let mut file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(source) => return Err(StoreError::Io { path: path.to_owned(), source }),
    };
    let mut header = Vec::with_capacity(SQLITE_HEADER.len());
    file.by_ref()
        .take(SQLITE_HEADER.len() as u64)
        .read_to_end(&mut header)
        .map_err(|source| StoreError::Io { path: path.to_owned(), source })?;
    if header.is_empty() || header == SQLITE_HEADER {
        Ok(())
    } else {
        Err(StoreError::Corrupt { path: path.to_owned() })
    }
}

/// The ID number column: trimmed, ASCII upper case (`x` → `X`), so search is
/// case-insensitive for the check character.
fn normalise_id(text: &str) -> String {
    text.trim().to_ascii_uppercase()
}

/// Fixed-width RFC 3339 in UTC (`2026-11-28T08:30:00.000000000Z`): text order is time
/// order, which `list` relies on.
fn timestamp(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Nanos, true)
}

fn parse_timestamp(id: i64, column: &'static str, text: &str) -> Result<DateTime<Utc>, StoreError> {
    DateTime::parse_from_rfc3339(text)
        .map(|time| time.with_timezone(&Utc))
        .map_err(|_| StoreError::BadValue { id, column })
}

fn parse_status(id: i64, text: &str) -> Result<Status, StoreError> {
    Status::from_sql(text).ok_or(StoreError::BadValue { id, column: "status" })
}

fn parse_level(id: i64, level: Option<i64>) -> Result<Option<u8>, StoreError> {
    level
        .map(|level| {
            u8::try_from(level).map_err(|_| StoreError::BadValue { id, column: "final_level" })
        })
        .transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_any_text() {
        assert_eq!(mask_id(""), "");
        assert_eq!(mask_id("  "), "");
        assert_eq!(mask_id("11010519491231002X"), "110105********002X");
        assert_eq!(mask_id(" 1101051949 "), "**********");
        assert_eq!(mask_id("12345678901"), "123456*8901");
        assert_eq!(mask_id("一二三四五六七八九十甲乙"), "一二三四五六**九十甲乙");
    }

    #[test]
    fn timestamps_sort_as_text() {
        let early = DateTime::from_timestamp(1_700_000_000, 5).unwrap();
        let late = DateTime::from_timestamp(1_700_000_001, 0).unwrap();
        assert!(timestamp(early) < timestamp(late));
        assert_eq!(parse_timestamp(1, "t", &timestamp(early)).unwrap(), early);
    }

    #[test]
    fn file_pragmas_are_set() {
        let dir = std::env::temp_dir()
            .join(format!("elder-assess-store-unit-{}-pragmas", std::process::id()));
        let store = Store::open(&dir).unwrap();
        let pragma = |name: &str| -> String {
            store
                .conn
                .pragma_query_value(None, name, |row| row.get::<_, rusqlite::types::Value>(0))
                .map(|value| format!("{value:?}"))
                .unwrap()
        };
        assert_eq!(pragma("journal_mode"), r#"Text("wal")"#);
        assert_eq!(pragma("synchronous"), "Integer(2)", "FULL");
        assert_eq!(pragma("foreign_keys"), "Integer(1)");
        drop(store);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn schema_steps_apply_in_memory() {
        let store = Store::open_in_memory().unwrap();
        assert_eq!(schema::user_version(&store.conn).unwrap(), SCHEMA_VERSION);
        store.integrity_check().unwrap();
    }
}
