//! Backup copies of the database in `<data dir>/backups/`.
//!
//! - Before a migration is applied to an existing, non-empty file:
//!   `elder-assess-YYYYMMDD-HHMMSS-before-v{N}.sqlite3`, `N` being the schema version the
//!   file is upgraded to. The migration does not run if the copy fails.
//! - On the first open of each day (China Standard Time):
//!   `elder-assess-YYYYMMDD-HHMMSS-daily.sqlite3`; the newest [`DAILY_KEEP`] are kept.
//!
//! Copies are made with `VACUUM INTO`, a consistent snapshot even while the WAL holds
//! recent commits, and only after `PRAGMA quick_check` passed, so a damaged file never
//! replaces a good backup. Names sort by time, so the newest backup is the greatest name.
//!
//! A damaged database is never overwritten: [`Store::open`](super::Store::open) gives
//! [`StoreError::Corrupt`] naming the newest backup, and
//! [`Store::open_backup`](super::Store::open_backup) moves the damaged file aside (renamed,
//! not changed) and continues from a copy of a backup.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OpenFlags};

use super::{DB_FILE_NAME, StoreError};
use crate::clock::CHINA_OFFSET;

/// The backup folder inside the data directory.
pub const BACKUP_DIR: &str = "backups";

/// Daily backups kept.
pub const DAILY_KEEP: usize = 14;

const PREFIX: &str = "elder-assess-";
const SUFFIX: &str = ".sqlite3";
const DAILY: &str = "-daily";

/// `dir/backups`.
pub(super) fn backup_dir(dir: &Path) -> PathBuf {
    dir.join(BACKUP_DIR)
}

/// Every backup file in `dir/backups`, oldest first.
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

/// The newest backup in `dir/backups`, if any.
pub fn latest_backup(dir: &Path) -> Option<PathBuf> {
    list_backups(dir).pop()
}

/// `YYYYMMDD-HHMMSS` in China Standard Time.
fn stamp(now: DateTime<Utc>) -> String {
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

/// Copies the open database to `target` with `VACUUM INTO`.
fn vacuum_into(conn: &Connection, dir: &Path, target: &Path) -> Result<(), StoreError> {
    let folder = backup_dir(dir);
    std::fs::create_dir_all(&folder).map_err(|source| StoreError::Io { path: folder, source })?;
    let text = target.to_str().ok_or_else(|| StoreError::Backup {
        path: target.to_owned(),
        source: rusqlite::Error::InvalidPath(target.to_owned()),
    })?;
    conn.execute("VACUUM INTO ?1", [text])
        .map(drop)
        .map_err(|source| StoreError::Backup { path: target.to_owned(), source })
}

/// The backup before upgrading to schema `version`.
pub(super) fn before_migration(
    conn: &Connection,
    dir: &Path,
    version: i64,
    now: DateTime<Utc>,
) -> Result<PathBuf, StoreError> {
    let target = fresh_name(dir, now, &format!("-before-v{version}"));
    vacuum_into(conn, dir, &target)?;
    Ok(target)
}

/// Whether a daily backup already exists for `now`'s day.
pub(super) fn daily_done(dir: &Path, now: DateTime<Utc>) -> bool {
    let day = format!("{PREFIX}{}", now.with_timezone(&CHINA_OFFSET).format("%Y%m%d"));
    list_backups(dir).iter().any(|path| {
        path.file_name().and_then(|name| name.to_str()).is_some_and(|name| {
            name.starts_with(&day) && name.ends_with(&format!("{DAILY}{SUFFIX}"))
        })
    })
}

/// Makes today's daily backup and deletes all but the newest [`DAILY_KEEP`] dailies.
pub(super) fn daily(
    conn: &Connection,
    dir: &Path,
    now: DateTime<Utc>,
) -> Result<PathBuf, StoreError> {
    let target = fresh_name(dir, now, DAILY);
    vacuum_into(conn, dir, &target)?;
    let dailies: Vec<PathBuf> = list_backups(dir)
        .into_iter()
        .filter(|path| {
            path.file_name()
                .and_then(|name| name.to_str())
                .is_some_and(|name| name.ends_with(&format!("{DAILY}{SUFFIX}")))
        })
        .collect();
    let excess = dailies.len().saturating_sub(DAILY_KEEP);
    for old in &dailies[..excess] {
        std::fs::remove_file(old).map_err(|source| StoreError::Io { path: old.clone(), source })?;
    }
    Ok(target)
}

/// `PRAGMA quick_check` on `conn`: `true` when it reports `ok`.
pub(super) fn quick_check(conn: &Connection) -> rusqlite::Result<bool> {
    let mut problems = Vec::new();
    conn.pragma_query(None, "quick_check", |row| {
        problems.push(row.get::<_, String>(0)?);
        Ok(())
    })?;
    Ok(problems == ["ok"])
}

/// Checks that `backup` is a readable, undamaged database (opened read-only).
pub(super) fn check_backup(backup: &Path) -> Result<(), StoreError> {
    let corrupt = || StoreError::Corrupt { path: backup.to_owned(), latest_backup: None };
    super::check_header(backup).map_err(|_| corrupt())?;
    let conn = Connection::open_with_flags(backup, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .map_err(|_| corrupt())?;
    if quick_check(&conn).unwrap_or(false) { Ok(()) } else { Err(corrupt()) }
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
fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut text = path.as_os_str().to_owned();
    text.push(suffix);
    PathBuf::from(text)
}
