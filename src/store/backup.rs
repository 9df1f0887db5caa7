//! Backup copies of the database in `<data dir>/backups/` (0700, each copy 0600).
//!
//! - Before a migration is applied to an existing, non-empty file:
//!   `elder-assess-YYYYMMDD-HHMMSS-before-v{N}.sqlite3`, `N` being the schema version the
//!   file is upgraded to. The migration does not run if the copy fails.
//! - On the first open of each day (China Standard Time):
//!   `elder-assess-YYYYMMDD-HHMMSS-daily.sqlite3`; the newest [`DAILY_KEEP`] good ones
//!   are kept.
//!
//! # A copy is a backup only once it is checked
//!
//! Each copy is made with `VACUUM INTO` (a consistent snapshot even while the WAL holds
//! recent commits) into a private temporary file (`.elder-assess-….sqlite3.{random}.tmp`,
//! see [`crate::output::atomic`]), fsynced, and then checked: `PRAGMA quick_check`, the schema
//! version, and the number of rows of every table equal to the source's. Only then is it
//! renamed to its final name and the directory fsynced. On any failure — a full disk,
//! a crash, a copy that differs — the temporary file is removed (or, after a crash, left
//! under its temporary name and removed by a later backup once stale), and nothing under
//! a final name changes: a failed copy never counts as today's backup and never pushes a
//! good one out of rotation, which deletes old dailies only after a new one succeeded and
//! counts only copies that look whole ([`looks_whole`]).
//!
//! The source is checked with `PRAGMA quick_check` on every open before this runs, so a
//! damaged database is never copied over a good backup. Names sort by time, so the newest
//! backup is the greatest name.
//!
//! A damaged database is never overwritten: [`Store::open`](super::Store::open) gives
//! [`StoreError::Corrupt`] naming the newest backup that passes the check, and
//! [`Store::open_backup`](super::Store::open_backup) moves the damaged file aside (renamed,
//! not changed) and continues from a copy of the backup the user chose among
//! [`usable_backups`].

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use rusqlite::Connection;

pub use super::backup_check::{BackupInfo, latest_backup, usable_backups};
use super::backup_check::{looks_whole_with, row_counts};
use super::keyring::DbKey;
use super::{DB_FILE_NAME, StoreError};
use crate::clock::CHINA_OFFSET;
use crate::output::atomic as files;

/// The backup folder inside the data directory.
pub const BACKUP_DIR: &str = "backups";

/// Daily backups kept.
pub const DAILY_KEEP: usize = 14;

pub(super) const PREFIX: &str = "elder-assess-";
pub(super) const SUFFIX: &str = ".sqlite3";
const DAILY: &str = "-daily";

/// `dir/backups`.
pub(super) fn backup_dir(dir: &Path) -> PathBuf {
    dir.join(BACKUP_DIR)
}

/// Every file in `dir/backups` under a backup's final name, oldest first. Temporary files
/// (which start with a dot) are never listed; a listed file may still be damaged — see
/// [`usable_backups`] for the ones that pass the check.
pub fn list_backups(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(backup_dir(dir)) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| {
            path.file_name()
                .and_then(|name| name.to_str())
                .is_some_and(|name| name.starts_with(PREFIX) && name.ends_with(SUFFIX))
        })
        .collect();
    files.sort();
    files
}

/// `YYYYMMDD-HHMMSS` in China Standard Time.
pub(super) fn stamp(now: DateTime<Utc>) -> String {
    now.with_timezone(&CHINA_OFFSET).format("%Y%m%d-%H%M%S").to_string()
}

/// A path in `dir/backups` named `elder-assess-{stamp}{tail}.sqlite3`, with `-2`, `-3`, …
/// before the tail if that name is taken.
fn fresh_name(dir: &Path, now: DateTime<Utc>, tail: &str) -> PathBuf {
    let folder = backup_dir(dir);
    let stamp = stamp(now);
    let mut path = folder.join(format!("{PREFIX}{stamp}{tail}{SUFFIX}"));
    let mut n = 2;
    while path.exists() {
        path = folder.join(format!("{PREFIX}{stamp}-{n}{tail}{SUFFIX}"));
        n += 1;
    }
    path
}

/// How the copy is written into the (existing, empty, private) temporary file: `VACUUM
/// INTO` in production; tests pass a writer that fails half-way.
type CopyFn<'a> = &'a dyn Fn(&Connection, &Path) -> Result<(), StoreError>;

/// Copies the open database to `target` with `VACUUM INTO`.
fn vacuum_into(conn: &Connection, temp: &Path) -> Result<(), StoreError> {
    let text = temp.to_str().ok_or_else(|| StoreError::Backup {
        path: temp.to_owned(),
        source: rusqlite::Error::InvalidPath(temp.to_owned()),
    })?;
    conn.execute("VACUUM INTO ?1", [text])
        .map(drop)
        .map_err(|source| StoreError::Backup { path: temp.to_owned(), source })
}

/// Makes a checked copy of `conn`'s database under `target` (see the module docs).
fn checked_copy(
    conn: &Connection,
    dir: &Path,
    target: &Path,
    copy: CopyFn<'_>,
    key: Option<&DbKey>,
) -> Result<(), StoreError> {
    let folder = backup_dir(dir);
    let io = |source| StoreError::BackupIo { path: target.to_owned(), source };
    files::create_private_dir_all(&folder).map_err(io)?;
    files::remove_stale_temps(&folder);
    let name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let (file, temp) = files::create_temp(&folder, &name).map_err(io)?;
    drop(file);
    let result = (|| -> Result<(), StoreError> {
        let version = super::schema::user_version(conn)?;
        let before = row_counts(conn)?;
        // Errors name the backup's final name, not the temporary one.
        copy(conn, &temp).map_err(|error| match error {
            StoreError::Backup { source, .. } => {
                StoreError::Backup { path: target.to_owned(), source }
            }
            other => other,
        })?;
        let after = row_counts(conn)?;
        std::fs::OpenOptions::new()
            .write(true)
            .open(&temp)
            .and_then(|f| f.sync_all())
            .map_err(io)?;
        super::backup_check::check_copy(&temp, version, &[before, after], key)
            .map_err(|problem| StoreError::BackupMismatch { path: target.to_owned(), problem })?;
        std::fs::rename(&temp, target).map_err(io)?;
        files::sync_dir(&folder);
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temp);
        for side in files::SQLITE_SIDE_FILES {
            let _ = std::fs::remove_file(with_suffix(&temp, side));
        }
    }
    result
}

/// The backup before upgrading to schema `version`.
pub(super) fn before_migration(
    conn: &Connection,
    dir: &Path,
    version: i64,
    now: DateTime<Utc>,
    key: Option<&DbKey>,
) -> Result<PathBuf, StoreError> {
    let target = fresh_name(dir, now, &format!("-before-v{version}"));
    checked_copy(conn, dir, &target, &vacuum_into, key)?;
    Ok(target)
}

/// Whether `path` is a daily backup's final name.
fn is_daily(path: &Path) -> bool {
    path.file_name()
        .and_then(|name| name.to_str())
        .is_some_and(|name| name.ends_with(&format!("{DAILY}{SUFFIX}")))
}

/// Whether a daily backup that looks whole already exists for `now`'s day (a 0-byte or
/// cut-off file under today's name does not count).
pub(super) fn daily_done(dir: &Path, now: DateTime<Utc>, key: Option<&DbKey>) -> bool {
    let day = format!("{PREFIX}{}", now.with_timezone(&CHINA_OFFSET).format("%Y%m%d"));
    list_backups(dir).iter().any(|path| {
        is_daily(path)
            && path.file_name().and_then(|name| name.to_str()).is_some_and(|n| n.starts_with(&day))
            && looks_whole_with(path, key)
    })
}

/// Makes today's daily backup and then deletes all but the newest [`DAILY_KEEP`] dailies
/// that look whole.
pub(super) fn daily(
    conn: &Connection,
    dir: &Path,
    now: DateTime<Utc>,
    key: Option<&DbKey>,
) -> Result<PathBuf, StoreError> {
    daily_with(conn, dir, now, &vacuum_into, key)
}

fn daily_with(
    conn: &Connection,
    dir: &Path,
    now: DateTime<Utc>,
    copy: CopyFn<'_>,
    key: Option<&DbKey>,
) -> Result<PathBuf, StoreError> {
    let target = fresh_name(dir, now, DAILY);
    checked_copy(conn, dir, &target, copy, key)?;
    let dailies: Vec<PathBuf> = list_backups(dir)
        .into_iter()
        .filter(|path| is_daily(path) && looks_whole_with(path, key))
        .collect();
    let excess = dailies.len().saturating_sub(DAILY_KEEP);
    for old in &dailies[..excess] {
        std::fs::remove_file(old)
            .map_err(|source| StoreError::BackupIo { path: old.clone(), source })?;
    }
    Ok(target)
}

/// Renames the damaged database (and its `-wal` / `-shm` files) in `dir` to
/// `elder-assess.damaged-YYYYMMDD-HHMMSS.sqlite3…`, leaving its bytes untouched. Returns
/// the new name, or `None` if there was no database file.
pub(super) fn move_aside(dir: &Path, now: DateTime<Utc>) -> Result<Option<PathBuf>, StoreError> {
    let db = dir.join(DB_FILE_NAME);
    if !db.exists() {
        return Ok(None);
    }
    let stamp = stamp(now);
    let mut aside = dir.join(format!("elder-assess.damaged-{stamp}{SUFFIX}"));
    let mut n = 2;
    while aside.exists() {
        aside = dir.join(format!("elder-assess.damaged-{stamp}-{n}{SUFFIX}"));
        n += 1;
    }
    for extra in ["-wal", "-shm"] {
        let from = with_suffix(&db, extra);
        if from.exists() {
            let to = with_suffix(&aside, extra);
            std::fs::rename(&from, &to).map_err(|source| StoreError::Io { path: from, source })?;
        }
    }
    std::fs::rename(&db, &aside).map_err(|source| StoreError::Io { path: db, source })?;
    Ok(Some(aside))
}

/// `path` with `suffix` appended to its file name (`x.sqlite3` → `x.sqlite3-wal`).
pub(super) fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut text = path.as_os_str().to_owned();
    text.push(suffix);
    PathBuf::from(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A data directory with a store holding one table of `rows` rows.
    fn source(name: &str, rows: i64) -> (PathBuf, Connection) {
        let dir = std::env::temp_dir()
            .join(format!("elder-assess-backup-unit-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let conn = Connection::open(dir.join(DB_FILE_NAME)).unwrap();
        conn.execute_batch("CREATE TABLE assessments (id INTEGER PRIMARY KEY, x TEXT);").unwrap();
        conn.pragma_update(None, "user_version", super::super::SCHEMA_VERSION).unwrap();
        for i in 0..rows {
            conn.execute("INSERT INTO assessments (x) VALUES (?1)", [i.to_string()]).unwrap();
        }
        (dir, conn)
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(backup_dir(dir))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    fn day(n: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_764_345_600 + n * 86_400, 0).unwrap()
    }

    #[test]
    fn a_copy_that_fails_half_way_leaves_nothing_and_rotates_nothing() {
        let (dir, conn) = source("fails", 50);
        for n in 0..3 {
            daily(&conn, &dir, day(n), None).unwrap();
        }
        let good = names(&dir);
        assert_eq!(good.len(), 3);
        // A disk that fills up half-way: part of the file written, then SQLITE_FULL.
        let full = |conn: &Connection, temp: &Path| {
            vacuum_into(conn, temp)?;
            let bytes = std::fs::read(temp).unwrap();
            std::fs::write(temp, &bytes[..bytes.len() / 2]).unwrap();
            Err(StoreError::from(rusqlite::Error::SqliteFailure(
                rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_FULL),
                None,
            )))
        };
        let error = daily_with(&conn, &dir, day(3), &full, None).unwrap_err();
        assert!(matches!(error, StoreError::DiskFull), "{error:?}");
        assert_eq!(names(&dir), good, "no temp file, no final name, nothing rotated out");
        assert!(!daily_done(&dir, day(3), None), "a failed copy is not today's backup");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_copy_that_differs_from_the_source_is_removed() {
        let (dir, conn) = source("differs", 10);
        let short = |conn: &Connection, temp: &Path| {
            vacuum_into(conn, temp)?;
            let copy = Connection::open(temp).unwrap();
            copy.execute("DELETE FROM assessments WHERE id = 1", []).unwrap();
            Ok(())
        };
        let error = daily_with(&conn, &dir, day(0), &short, None).unwrap_err();
        assert!(matches!(error, StoreError::BackupMismatch { .. }), "{error:?}");
        assert!(error.to_string().contains("不算作备份"), "{error}");
        assert!(names(&dir).is_empty(), "{:?}", names(&dir));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_zero_byte_file_under_todays_name_is_not_todays_backup_nor_counted_in_rotation() {
        let (dir, conn) = source("zero", 5);
        for n in 0..DAILY_KEEP {
            daily(&conn, &dir, day(i64::try_from(n).unwrap()), None).unwrap();
        }
        let today = day(20);
        let bad = fresh_name(&dir, today, DAILY);
        std::fs::write(&bad, b"").unwrap();
        assert!(!daily_done(&dir, today, None));
        let made = daily(&conn, &dir, today, None).unwrap();
        assert_ne!(made, bad);
        assert!(daily_done(&dir, today, None));
        let all = names(&dir);
        assert_eq!(all.len(), DAILY_KEEP + 1, "14 good ones and the bad one: {all:?}");
        assert!(!all.contains(&"elder-assess-20251129-000000-daily.sqlite3".to_owned()));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
