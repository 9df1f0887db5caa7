//! Checking database files without writing to them: whether a file looks whole from its
//! header and size ([`looks_whole`], cheap), whether a backup copy is a usable database
//! ([`check_backup`]: opened read-only and immutable, `PRAGMA quick_check`, schema version,
//! records counted), and the list of usable backups the recovery screen offers.

use std::io::Read as _;
use std::path::{Path, PathBuf};

use super::keyring::DbKey;
use chrono::{DateTime, NaiveDateTime, Utc};
use rusqlite::{Connection, OpenFlags};

use super::backup::{PREFIX, list_backups};
use super::{SCHEMA_VERSION, StoreError};
use crate::clock::CHINA_OFFSET;

/// The first 16 bytes of every `SQLite` 3 database file.
pub(super) const SQLITE_HEADER: &[u8; 16] = b"SQLite format 3\0";

/// A backup that opens and passes the check, for the recovery screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupInfo {
    /// The backup file.
    pub path: PathBuf,
    /// When it was taken (from its name; its modification time if the name has none).
    pub taken_at: Option<DateTime<Utc>>,
    /// The number of assessments in it.
    pub records: u64,
}

/// What the first 100 bytes of a database file say about its size.
pub(super) struct Header {
    /// The page size in bytes.
    pub page_size: u64,
    /// The number of pages, when the header's count is valid.
    pub page_count: Option<u64>,
}

/// Reads the `SQLite` header of `bytes` (`None`: not an `SQLite` 3 file).
pub(super) fn parse_header(bytes: &[u8]) -> Option<Header> {
    if bytes.len() < 100 || &bytes[..16] != SQLITE_HEADER {
        return None;
    }
    let be16 = |at: usize| u64::from(u16::from_be_bytes([bytes[at], bytes[at + 1]]));
    let be32 =
        |at: usize| u32::from_be_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]);
    let page_size = match be16(16) {
        1 => 65_536,
        n if n >= 512 && n.is_power_of_two() => n,
        _ => return None,
    };
    // The in-header size is valid only when the change counter matches
    // "version-valid-for" (offsets 24 and 92) and it is not zero.
    let count = be32(28);
    let page_count = (count > 0 && be32(24) == be32(92)).then_some(u64::from(count));
    Some(Header { page_size, page_count })
}

/// The first 100 bytes of `path` (fewer if it is shorter).
pub(super) fn read_start(path: &Path) -> std::io::Result<Vec<u8>> {
    let mut start = Vec::with_capacity(100);
    std::fs::File::open(path)?.take(100).read_to_end(&mut start)?;
    Ok(start)
}

/// Whether `len` bytes fit `header`: whole pages, at least one, and at least as many as
/// the header counts.
pub(super) fn size_fits(header: &Header, len: u64) -> bool {
    len >= header.page_size
        && len.is_multiple_of(header.page_size)
        && header.page_count.is_none_or(|count| len >= count.saturating_mul(header.page_size))
}

/// Whether the file at `path` has an `SQLite` header and the size it announces: a 0-byte
/// file, a file cut off by a full disk or a crash, or a file of garbage does not.
pub(super) fn looks_whole(path: &Path) -> bool {
    let Ok(len) = std::fs::metadata(path).map(|meta| meta.len()) else {
        return false;
    };
    read_start(path).ok().and_then(|start| parse_header(&start)).is_some_and(|h| size_fits(&h, len))
}

/// Whether the file at `path` looks whole for a store with `key`: with a key the file is
/// encrypted (no plain header to read), so it must be whole SQLCipher pages, at least one.
pub(super) fn looks_whole_with(path: &Path, key: Option<&DbKey>) -> bool {
    if key.is_none() {
        return looks_whole(path);
    }
    std::fs::metadata(path).is_ok_and(|meta| {
        meta.len() >= super::encryption::PAGE_SIZE
            && meta.len().is_multiple_of(super::encryption::PAGE_SIZE)
    })
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

/// The number of rows of every table (by name), in one read transaction.
pub(super) fn row_counts(conn: &Connection) -> rusqlite::Result<Vec<(String, i64)>> {
    let tables: Vec<String> = conn
        .prepare(
            "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
             ORDER BY name",
        )?
        .query_map([], |row| row.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    tables
        .into_iter()
        .map(|table| {
            let sql = format!("SELECT count(*) FROM \"{}\"", table.replace('"', "\"\""));
            let count = conn.query_row(&sql, [], |row| row.get(0))?;
            Ok((table, count))
        })
        .collect()
}

/// Opens a file that nobody writes (a backup) read-only and immutable, so that `SQLite`
/// creates no `-wal` or `-shm` file next to it and never takes a lock.
pub(super) fn open_immutable(path: &Path, key: Option<&DbKey>) -> rusqlite::Result<Connection> {
    #[cfg(unix)]
    let conn = Connection::open_with_flags(
        super::open::immutable_uri(path),
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_URI,
    );
    #[cfg(not(unix))]
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY);
    let conn = conn?;
    if let Some(key) = key {
        super::encryption::apply_key(&conn, key)?;
    }
    Ok(conn)
}

/// Checks a fresh copy: whole, `quick_check`, schema `version`, and row counts equal to
/// one of `expected` (the source's before and after the copy, which differ only if
/// another process wrote meanwhile).
pub(super) fn check_copy(
    copy: &Path,
    version: i64,
    expected: &[Vec<(String, i64)>],
    key: Option<&DbKey>,
) -> Result<(), &'static str> {
    if !looks_whole_with(copy, key) {
        return Err("文件不完整");
    }
    let conn = open_immutable(copy, key).map_err(|_| "无法打开")?;
    if !quick_check(&conn).unwrap_or(false) {
        return Err("完整性检查未通过");
    }
    if super::schema::user_version(&conn).ok() != Some(version) {
        return Err("数据库版本不同");
    }
    let counts = row_counts(&conn).map_err(|_| "无法计数")?;
    if expected.contains(&counts) { Ok(()) } else { Err("记录数与数据库不同") }
}

/// Checks that `backup` is a readable, undamaged database of a schema this program can
/// open, and counts its assessments.
pub(super) fn check_backup(backup: &Path, key: Option<&DbKey>) -> Result<BackupInfo, StoreError> {
    let corrupt = || StoreError::Corrupt { path: backup.to_owned(), latest_backup: None };
    if !looks_whole_with(backup, key) {
        return Err(corrupt());
    }
    let conn = open_immutable(backup, key).map_err(|_| corrupt())?;
    if !quick_check(&conn).unwrap_or(false) {
        return Err(corrupt());
    }
    let version = super::schema::user_version(&conn).map_err(|_| corrupt())?;
    if version > SCHEMA_VERSION {
        return Err(StoreError::TooNew { found: version, supported: SCHEMA_VERSION });
    }
    let records: i64 = conn
        .query_row("SELECT count(*) FROM assessments", [], |row| row.get(0))
        .map_err(|_| corrupt())?;
    Ok(BackupInfo {
        path: backup.to_owned(),
        taken_at: taken_at(backup),
        records: u64::try_from(records).unwrap_or(0),
    })
}

/// When `backup` was taken: the time in its name (China Standard Time), else its
/// modification time.
fn taken_at(backup: &Path) -> Option<DateTime<Utc>> {
    let from_name = backup
        .file_name()
        .and_then(|name| name.to_str())
        .and_then(|name| name.strip_prefix(PREFIX))
        .and_then(|rest| rest.get(..15))
        .and_then(|stamp| NaiveDateTime::parse_from_str(stamp, "%Y%m%d-%H%M%S").ok())
        .and_then(|local| local.and_local_timezone(CHINA_OFFSET).single())
        .map(|time| time.with_timezone(&Utc));
    from_name.or_else(|| {
        std::fs::metadata(backup).and_then(|meta| meta.modified()).ok().map(DateTime::<Utc>::from)
    })
}

/// Every backup in `dir/backups` that opens and passes the check, newest first, with when
/// it was taken and how many assessments it holds. Each is read in full
/// (`PRAGMA quick_check`): for the recovery screen, not for every start.
/// An encrypted store's backups open only with its `key`.
pub fn usable_backups(dir: &Path, key: Option<&DbKey>) -> Vec<BackupInfo> {
    list_backups(dir).iter().rev().filter_map(|path| check_backup(path, key).ok()).collect()
}

/// The newest backup in `dir/backups` that opens and passes the check, if any.
pub fn latest_backup(dir: &Path, key: Option<&DbKey>) -> Option<PathBuf> {
    list_backups(dir).into_iter().rev().find(|path| check_backup(path, key).is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_header_gives_the_page_size_and_count() {
        let mut bytes = vec![0_u8; 100];
        bytes[..16].copy_from_slice(SQLITE_HEADER);
        bytes[16..18].copy_from_slice(&4096_u16.to_be_bytes());
        bytes[28..32].copy_from_slice(&3_u32.to_be_bytes());
        bytes[24..28].copy_from_slice(&7_u32.to_be_bytes());
        bytes[92..96].copy_from_slice(&7_u32.to_be_bytes());
        let header = parse_header(&bytes).unwrap();
        assert_eq!((header.page_size, header.page_count), (4096, Some(3)));
        assert!(size_fits(&header, 3 * 4096));
        assert!(!size_fits(&header, 2 * 4096), "cut off at a page boundary");
        assert!(!size_fits(&header, 3 * 4096 - 10), "cut off inside a page");
        assert!(!size_fits(&header, 0));
        bytes[92] = 1; // a stale count is not trusted
        assert_eq!(parse_header(&bytes).unwrap().page_count, None);
        bytes[16..18].copy_from_slice(&1000_u16.to_be_bytes());
        assert!(parse_header(&bytes).is_none(), "not a power of two");
        assert!(parse_header(&bytes[..50]).is_none());
        assert!(parse_header(b"").is_none());
    }
}
