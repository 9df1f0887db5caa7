//! Opening the store: for writing ([`Store::open_at`]: checks, pragmas, migrations,
//! backups), read-only ([`Store::open_read_only`]: no write, no lock, no migration), from
//! a backup after damage ([`Store::open_backup`]), and in memory.
//!
//! # Damage is found before anything is written
//!
//! Every open, before its first write, checks the file: the `SQLite` header, a size that
//! fits the header (whole pages, as many as it counts: a file cut off by a full disk or a
//! crash does not), the schema version, and `PRAGMA quick_check`. A 0-byte file is a new
//! database only when there is no backup beside it; with backups it is damaged.
//! [`StoreError::Corrupt`] then names the newest backup that passes the check.
//!
//! # Permissions
//!
//! On Unix each open makes the data directory, `backups/` and `keys/` 0700 and the
//! database, its `-wal`/`-shm` files and the backups 0600 (existing ones are tightened).
//! A new database file is created 0600 before `SQLite` opens it, and `SQLite` gives the
//! `-wal` and `-shm` files the database's mode. The process umask is not changed.
//! Temporary files of an earlier crash in the data directory (see [`crate::output::atomic`]) are
//! removed once stale.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use rusqlite::{Connection, ErrorCode, OpenFlags};

use super::backup::{self, backup_dir, list_backups, with_suffix};
use super::backup_check::{self, latest_backup, looks_whole_with, parse_header, size_fits};
use super::encryption::{PAGE_SIZE, apply_key};
use super::keyring::{DbKey, has_keyring};
use super::{DB_FILE_NAME, PasswordCost, SCHEMA_VERSION, Store, StoreError, schema};
use crate::output::atomic as files;

/// Initialises SQLite (and SQLCipher's functions, `sqlcipher_export` among them) once per
/// process before any connection of the store is opened: connections opened on several
/// threads during the library's first start-up could miss SQLCipher's functions (seen
/// when test threads enrolled devices at once: `no such function: sqlcipher_export`).
pub(super) fn sqlite_ready() {
    static READY: std::sync::Once = std::sync::Once::new();
    READY.call_once(|| drop(Connection::open_in_memory()));
}

/// What [`inspect`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FileState {
    /// No file, or a 0-byte file with no backup beside it: a new database.
    New,
    /// A file that looks whole.
    Existing,
}

impl Store {
    /// Opens (creating if needed) `dir/elder-assess.sqlite3`, creating `dir` too, and
    /// migrates it to [`SCHEMA_VERSION`]. Same as [`Store::open_at`] with the system
    /// clock's time, which only dates the backup copies.
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
    /// Nothing is written to a file that is not an `SQLite` database, that is cut off,
    /// that fails `PRAGMA quick_check`, or whose schema is newer than this program's:
    /// those give [`StoreError::Corrupt`] (naming the newest good backup, see
    /// [`Store::open_backup`]) and [`StoreError::TooNew`] and leave the file as it was.
    pub fn open(dir: &Path) -> Result<Self, StoreError> {
        Self::open_at(dir, Utc::now())
    }

    /// [`Store::open`] at the time `now`, which dates the backups:
    ///
    /// 1. The file is checked (see the module docs) before anything is written, on every
    ///    open: a damaged file gives [`StoreError::Corrupt`] and is not touched, so it
    ///    never replaces a good backup.
    /// 2. Before a migration: `backups/elder-assess-YYYYMMDD-HHMMSS-before-v{N}.sqlite3`
    ///    (the migration does not run if this copy fails).
    /// 3. After migrating, on the first open of the day (China Standard Time):
    ///    `backups/elder-assess-YYYYMMDD-HHMMSS-daily.sqlite3`, keeping the newest
    ///    [`DAILY_KEEP`](super::DAILY_KEEP). If this copy fails the store still opens;
    ///    [`Store::backup_problem`] says why.
    ///
    /// An encrypted data directory (one with a keyring) gives
    /// [`StoreError::SignInRequired`]: open it with [`Store::open_signed_in`].
    pub fn open_at(dir: &Path, now: DateTime<Utc>) -> Result<Self, StoreError> {
        if has_keyring(dir) {
            return Err(StoreError::SignInRequired);
        }
        Self::open_writable(dir, now, None)
    }

    /// [`Store::open_at`] with the database key when the store is encrypted.
    pub(super) fn open_writable(
        dir: &Path,
        now: DateTime<Utc>,
        key: Option<DbKey>,
    ) -> Result<Self, StoreError> {
        files::create_private_dir_all(dir).map_err(|source| write_error(dir, source))?;
        let path = dir.join(DB_FILE_NAME);
        let corrupt = || damaged(dir, &path, key.as_ref());
        let or_corrupt = |error: rusqlite::Error| {
            if is_corruption(&error) { corrupt() } else { StoreError::from(error) }
        };
        let state = inspect(dir, &path, key.as_ref())?;
        tighten_modes(dir);
        files::remove_stale_temps(dir);
        if state == FileState::New {
            create_private_file(&path)?;
        }
        sqlite_ready();
        let conn = Connection::open(&path).map_err(or_corrupt)?;
        if let Some(key) = &key {
            apply_key(&conn, key).map_err(or_corrupt)?;
        }
        // Reading the version reads the header: a damaged file fails here, before any
        // pragma or migration writes to it.
        let version = schema::user_version(&conn).map_err(or_corrupt)?;
        if version < 0 {
            return Err(corrupt());
        }
        if version > SCHEMA_VERSION {
            return Err(StoreError::TooNew { found: version, supported: SCHEMA_VERSION });
        }
        let has_content = state == FileState::Existing
            && (version > 0
                || conn
                    .query_row("SELECT EXISTS (SELECT 1 FROM sqlite_master)", [], |row| {
                        row.get::<_, bool>(0)
                    })
                    .map_err(or_corrupt)?);
        if has_content && !checked(&conn, key.as_ref()).map_err(or_corrupt)? {
            return Err(corrupt());
        }
        let migrating = version < SCHEMA_VERSION;
        if has_content && migrating {
            backup::before_migration(&conn, dir, SCHEMA_VERSION, now, key.as_ref())?;
        }
        let mut store =
            Self::init(conn, path.clone(), Some(dir.to_owned()), version).map_err(|error| {
                match error {
                    StoreError::Sqlite(error) | StoreError::Migration { source: error, .. }
                        if is_corruption(&error) =>
                    {
                        corrupt()
                    }
                    other => other,
                }
            })?;
        if has_content && !backup::daily_done(dir, now, key.as_ref()) {
            store.backup_problem = daily_backup(&store.conn, dir, now, key.as_ref());
        }
        store.key = key;
        // Versions typed before a crash are saved (audited) before anything reads them.
        if let Err(problem) = store.recover_autosaves(now) {
            store.autosave_problem = Some(format!("上次中断前输入的内容尚未保存：{problem}"));
        }
        Ok(store)
    }

    /// Opens the database in `dir` for reading only, as the read-only commands (`stats`,
    /// `review queue`, `outcome`, `export`, `audit verify`, …) do: `SQLITE_OPEN_READ_ONLY`,
    /// no pragma that writes, no migration, no backup, no write lock. It works in a
    /// read-only data directory and while another process holds a write transaction
    /// (WAL readers do not wait for writers).
    ///
    /// The same checks as [`Store::open_at`] run first ([`StoreError::Corrupt`],
    /// [`StoreError::TooNew`]); a schema older than this program's gives
    /// [`StoreError::NeedsUpgrade`]. No file (or a 0-byte file with no backup) reads as an
    /// empty store, and nothing is created. In a data directory that cannot be written and
    /// holds no `-wal` file, `SQLite` cannot create its shared-memory file; the database
    /// is then opened `immutable` (nobody can be writing it, as a writer would need that
    /// directory too).
    ///
    /// An encrypted data directory gives [`StoreError::SignInRequired`] (see
    /// [`Store::open_signed_in_read_only`]).
    pub fn open_read_only(dir: &Path) -> Result<Self, StoreError> {
        if has_keyring(dir) {
            return Err(StoreError::SignInRequired);
        }
        Self::open_read_only_with(dir, None)
    }

    /// Opens a second, read-only connection to this store's file (with its key) where
    /// it is called: a job's thread reads through it while the app's own connection
    /// stays with the UI. An in-memory store has no file to share: [`StoreError::NoFile`].
    pub fn read_only_opener(
        &self,
    ) -> Result<impl FnOnce() -> Result<Self, StoreError> + Send + 'static, StoreError> {
        let dir = self.dir.clone().ok_or(StoreError::NoFile)?;
        let key = self.key.clone();
        Ok(move || Self::open_read_only_with(&dir, key))
    }

    /// [`Store::open_read_only`] with the database key when the store is encrypted.
    pub(super) fn open_read_only_with(dir: &Path, key: Option<DbKey>) -> Result<Self, StoreError> {
        let path = dir.join(DB_FILE_NAME);
        let corrupt = || damaged(dir, &path, key.as_ref());
        let or_corrupt = |error: rusqlite::Error| {
            if is_corruption(&error) { corrupt() } else { StoreError::from(error) }
        };
        if inspect(dir, &path, key.as_ref())? == FileState::New {
            let mut store = Self::open_in_memory()?;
            store.path = path;
            return Ok(store);
        }
        // Only permission bits are removed, which needs no write access to the files.
        let _ = files::make_private(dir);
        tighten_modes(dir);
        let conn = open_read_only_conn(&path, key.as_ref()).map_err(or_corrupt)?;
        let version = schema::user_version(&conn).map_err(or_corrupt)?;
        if version < 0 {
            return Err(corrupt());
        }
        if version > SCHEMA_VERSION {
            return Err(StoreError::TooNew { found: version, supported: SCHEMA_VERSION });
        }
        if !checked(&conn, key.as_ref()).map_err(or_corrupt)? {
            return Err(corrupt());
        }
        if version < SCHEMA_VERSION {
            return Err(StoreError::NeedsUpgrade { found: version, supported: SCHEMA_VERSION });
        }
        let mut store = Self::with_conn(conn, path, Some(dir.to_owned()));
        store.key = key;
        Ok(store)
    }

    /// Continues from a backup after the database in `dir` was found damaged: checks that
    /// `backup` is an undamaged database, copies it into a private temporary file in
    /// `dir`, renames the damaged file (and its `-wal` and `-shm` files) to
    /// `elder-assess.damaged-YYYYMMDD-HHMMSS.sqlite3` next to it — its bytes are kept,
    /// never overwritten — renames the copy to `elder-assess.sqlite3` and opens it
    /// (migrating it if it is older).
    ///
    /// The GUI offers this for each of [`Store::usable_backups`] when [`Store::open`]
    /// gives [`StoreError::Corrupt`]. Changes made after that backup are not in it; the
    /// damaged file stays for a specialist to recover.
    ///
    /// An encrypted store's backups need its `key` (from [`Store::unlock`]); `None` for a
    /// plain store.
    pub fn open_backup(
        dir: &Path,
        backup: &Path,
        now: DateTime<Utc>,
        key: Option<DbKey>,
    ) -> Result<Self, StoreError> {
        backup_check::check_backup(backup, key.as_ref())?;
        let path = dir.join(DB_FILE_NAME);
        let io = |source| StoreError::Io { path: path.clone(), source };
        let (mut file, temp) = files::create_temp(dir, DB_FILE_NAME).map_err(io)?;
        let result = (|| -> Result<(), StoreError> {
            let mut source = std::fs::File::open(backup)
                .map_err(|source| StoreError::Io { path: backup.to_owned(), source })?;
            std::io::copy(&mut source, &mut file).and_then(|_| file.sync_all()).map_err(io)?;
            backup::move_aside(dir, now)?;
            std::fs::rename(&temp, &path).map_err(io)?;
            files::sync_dir(dir);
            Ok(())
        })();
        if result.is_err() {
            let _ = std::fs::remove_file(&temp);
        }
        result?;
        Self::open_writable(dir, now, key)
    }

    /// Every backup in `dir/backups` that opens and passes the check, newest first, with
    /// when it was taken and how many assessments it holds (see
    /// [`usable_backups`](super::usable_backups)).
    pub fn usable_backups(dir: &Path, key: Option<&DbKey>) -> Vec<super::BackupInfo> {
        backup_check::usable_backups(dir, key)
    }

    /// A fresh store in memory, for tests.
    pub fn open_in_memory() -> Result<Self, StoreError> {
        sqlite_ready();
        Self::init(Connection::open_in_memory()?, PathBuf::from(":memory:"), None, 0)
    }

    fn init(
        mut conn: Connection,
        path: PathBuf,
        dir: Option<PathBuf>,
        version: i64,
    ) -> Result<Self, StoreError> {
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
        Ok(Self::with_conn(conn, path, dir))
    }

    pub(super) fn with_conn(conn: Connection, path: PathBuf, dir: Option<PathBuf>) -> Self {
        Self {
            conn,
            path,
            dir,
            session: std::cell::RefCell::new(None),
            password_cost: PasswordCost::default(),
            dummy_hash: std::cell::OnceCell::new(),
            scale: std::cell::OnceCell::new(),
            backup_problem: None,
            key: None,
            autosave_problem: None,
        }
    }
}

/// Makes the day's backup, unless the audit chain was rewritten since the newest backup
/// (an entry of the same number with another hash): copying it would push the last
/// evidence of the rewrite out of the rotation, so the backup is skipped until
/// `audit verify` has been looked at. Returns why there is no backup today, if there is
/// none. (A newest backup *ahead* of the chain is what a restore from an older backup
/// leaves, and is backed up as usual.)
fn daily_backup(
    conn: &Connection,
    dir: &Path,
    now: DateTime<Utc>,
    key: Option<&DbKey>,
) -> Option<String> {
    if let Ok((Some(_), Some(problem @ super::AuditProblem::BackupDiffers { .. }))) =
        super::audit_content::verify_backup_head(conn, dir, key)
    {
        return Some(format!(
            "审计记录与最新备份不一致（{problem}），为保留证据，今天未做备份；\
             请运行 elder-assess audit verify 并联系管理员"
        ));
    }
    backup::daily(conn, dir, now, key).err().map(|error| error.to_string())
}

/// `PRAGMA quick_check` on a store's connection. In an encrypted file a damaged page
/// fails its HMAC, which `SQLCipher` may report as a plain `SQLITE_ERROR` while checking:
/// that is damage too, not a failure to check.
fn checked(conn: &Connection, key: Option<&DbKey>) -> rusqlite::Result<bool> {
    match backup_check::quick_check(conn) {
        Err(error) if key.is_some() && error.sqlite_error_code() == Some(ErrorCode::Unknown) => {
            Ok(false)
        }
        other => other,
    }
}

/// [`StoreError::Corrupt`] for the database `path` of `dir`, naming the newest backup that
/// opens (with `key`, for an encrypted store) and passes the check.
fn damaged(dir: &Path, path: &Path, key: Option<&DbKey>) -> StoreError {
    StoreError::Corrupt { path: path.to_owned(), latest_backup: latest_backup(dir, key) }
}

/// Whether `SQLite` says the file is not a database or is damaged.
pub(super) fn is_corruption(error: &rusqlite::Error) -> bool {
    matches!(error.sqlite_error_code(), Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt))
}

/// Checks the database file without opening it with `SQLite` (see the module docs).
fn inspect(dir: &Path, path: &Path, key: Option<&DbKey>) -> Result<FileState, StoreError> {
    let corrupt = || damaged(dir, path, key);
    let len = match std::fs::metadata(path) {
        Ok(meta) => meta.len(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(FileState::New),
        Err(source) => return Err(StoreError::Io { path: path.to_owned(), source }),
    };
    if len == 0 {
        return if list_backups(dir).is_empty() { Ok(FileState::New) } else { Err(corrupt()) };
    }
    if key.is_some() {
        // Encrypted: no plain header to read; whole SQLCipher pages (or a WAL that holds
        // the newest pages) is all that can be told without the key.
        let wal_len = std::fs::metadata(with_suffix(path, "-wal")).map_or(0, |meta| meta.len());
        return if looks_whole_with(path, key) || (wal_len > 0 && len.is_multiple_of(PAGE_SIZE)) {
            Ok(FileState::Existing)
        } else {
            Err(corrupt())
        };
    }
    let start = backup_check::read_start(path)
        .map_err(|source| StoreError::Io { path: path.to_owned(), source })?;
    let Some(header) = parse_header(&start) else {
        return Err(corrupt());
    };
    if size_fits(&header, len) {
        return Ok(FileState::Existing);
    }
    // With a WAL, the file's own page count may lag; a part of a page never fits.
    let wal_len = std::fs::metadata(with_suffix(path, "-wal")).map_or(0, |meta| meta.len());
    if wal_len > 0 && len >= header.page_size && len.is_multiple_of(header.page_size) {
        Ok(FileState::Existing)
    } else {
        Err(corrupt())
    }
}

/// Creates an empty database file, 0600 on Unix, unless one appeared meanwhile.
fn create_private_file(path: &Path) -> Result<(), StoreError> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    match options.open(path) {
        Ok(_) => Ok(()),
        Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(source) => Err(write_error(path, source)),
    }
}

/// An I/O error while creating `path`: [`StoreError::ReadOnly`] or
/// [`StoreError::DiskFull`] when that is the cause.
fn write_error(path: &Path, source: std::io::Error) -> StoreError {
    match source.kind() {
        std::io::ErrorKind::PermissionDenied | std::io::ErrorKind::ReadOnlyFilesystem => {
            StoreError::ReadOnly
        }
        std::io::ErrorKind::StorageFull => StoreError::DiskFull,
        _ => StoreError::Io { path: path.to_owned(), source },
    }
}

/// Tightens the permissions of everything the store keeps in `dir` (best effort: a file
/// owned by another user is left as it is).
fn tighten_modes(dir: &Path) {
    let db = dir.join(DB_FILE_NAME);
    for path in [db.clone(), with_suffix(&db, "-wal"), with_suffix(&db, "-shm")] {
        let _ = files::make_private(&path);
    }
    for folder in [backup_dir(dir), dir.join("keys")] {
        let _ = files::make_private(&folder);
    }
    for backup in list_backups(dir) {
        let _ = files::make_private(&backup);
    }
}

/// A read-only connection to `path`, immutable when `SQLite` cannot set up its
/// shared memory (a read-only directory without a `-wal` file).
fn open_read_only_conn(path: &Path, key: Option<&DbKey>) -> rusqlite::Result<Connection> {
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    sqlite_ready();
    let conn = Connection::open_with_flags(path, flags)?;
    if let Some(key) = key {
        apply_key(&conn, key)?;
    }
    match conn.query_row("SELECT count(*) FROM sqlite_master", [], |row| row.get::<_, i64>(0)) {
        Ok(_) => Ok(conn),
        Err(error)
            if matches!(
                error.sqlite_error_code(),
                Some(ErrorCode::ReadOnly | ErrorCode::CannotOpen)
            ) && std::fs::metadata(with_suffix(path, "-wal")).map_or(true, |m| m.len() == 0)
                && looks_whole_with(path, key) =>
        {
            drop(conn);
            backup_check::open_immutable(path, key)
        }
        Err(error) => Err(error),
    }
}

/// `file:{path}?mode=ro&immutable=1`, percent-encoded (Unix; elsewhere backups are
/// opened plainly read-only).
#[cfg(unix)]
pub(super) fn immutable_uri(path: &Path) -> String {
    use std::fmt::Write as _;
    use std::os::unix::ffi::OsStrExt as _;
    let mut uri = String::from("file:");
    for &byte in path.as_os_str().as_bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            uri.push(char::from(byte));
        } else {
            let _ = write!(uri, "%{byte:02X}");
        }
    }
    uri.push_str("?mode=ro&immutable=1");
    uri
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn immutable_uris_escape_everything_but_plain_characters() {
        assert_eq!(
            immutable_uri(Path::new("/tmp/a b/数?#%.sqlite3")),
            "file:/tmp/a%20b/%E6%95%B0%3F%23%25.sqlite3?mode=ro&immutable=1"
        );
    }
}
