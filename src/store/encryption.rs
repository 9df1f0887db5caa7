//! Encryption at rest: turning a plain database into an SQLCipher one when the first
//! account is made, and opening an encrypted one after sign-in.
//!
//! The database, its WAL and every backup are encrypted (SQLCipher 4: AES-256 pages with
//! an HMAC each) under the one [`DbKey`] that the keyring ([`super::keyring`]) seals for
//! each account. Without a keyring the file is a plain `SQLite` database, as before
//! accounts existed; the app says so on its home screen.
//!
//! Turning encryption on ([`Store::encrypt_at_rest`]) is ordered so that a crash at any
//! point leaves either the plain database with no keyring (nothing happened), or a keyring
//! and a database that the next sign-in finishes encrypting ([`finish_interrupted`]):
//!
//! 1. the encrypted copy is written to a private temporary file (random name, created
//!    exclusively, see [`crate::output::atomic`]), fsynced, checked with the key, and renamed to
//!    `elder-assess.sqlite3.staged`;
//! 2. the keyring is written (atomically);
//! 3. the plain connection is closed, its `-wal`/`-shm` removed, and the copy renamed over
//!    the database;
//! 4. each plain backup is replaced by an encrypted copy the same way.
//!
//! The plain file's blocks are unlinked, not overwritten: on a disk without full-disk
//! encryption they may survive until reused (README, "Security and data safety").

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags};

use super::backup_check::SQLITE_HEADER;
use super::backup_check::quick_check;
use super::keyring::{DbKey, Keyring};
use super::{DB_FILE_NAME, Store, StoreError, backup};

/// SQLCipher 4's page size, which this program never changes: an encrypted file is whole
/// pages of this size.
pub(super) const PAGE_SIZE: u64 = 4096;

/// Where the checked encrypted copy of the database waits to be renamed over it.
fn staged_name(dir: &Path) -> PathBuf {
    dir.join(format!("{DB_FILE_NAME}.staged"))
}

/// Whether the file at `path` starts with the plain `SQLite` header (an SQLCipher file
/// starts with its random salt).
pub(super) fn is_plain(path: &Path) -> bool {
    use std::io::Read as _;
    let mut header = [0_u8; 16];
    std::fs::File::open(path).and_then(|mut file| file.read_exact(&mut header)).is_ok()
        && &header == SQLITE_HEADER
}

/// Gives `conn` the database key (before anything else reads the file) and silences
/// SQLCipher's own logging, which would print page errors on stderr.
pub(super) fn apply_key(conn: &Connection, key: &DbKey) -> rusqlite::Result<()> {
    conn.pragma_update(None, "cipher_log_level", "NONE")?;
    conn.pragma_update(None, "key", key.pragma_literal().as_str())?;
    Ok(())
}

/// Writes an encrypted copy of the plain database open on `source` to `target`: through a
/// temporary file that is fsynced and checked (opens with `key`, `quick_check` passes,
/// same `user_version`), then renamed. Nothing is left under `target` on failure.
fn encrypted_copy(source: &Connection, target: &Path, key: &DbKey) -> Result<(), StoreError> {
    let name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let (file, temp) =
        crate::output::atomic::create_temp(crate::output::atomic::parent_dir(target), &name)
            .map_err(|source| StoreError::Io { path: target.to_owned(), source })?;
    drop(file);
    let result = (|| {
        let version: i64 = source.query_row("PRAGMA user_version", [], |row| row.get(0))?;
        let temp_text = temp.to_string_lossy().into_owned();
        let key_text = key.pragma_literal();
        source.execute(
            &format!("ATTACH DATABASE ?1 AS encrypted KEY \"{}\"", key_text.as_str()),
            [temp_text.as_str()],
        )?;
        let exported = source
            .query_row("SELECT sqlcipher_export('encrypted')", [], |_| Ok(()))
            .and_then(|()| source.pragma_update(Some("encrypted"), "user_version", version));
        source.execute_batch("DETACH DATABASE encrypted")?;
        exported?;
        sync_file(&temp)?;
        check_encrypted(&temp, key, version)?;
        std::fs::rename(&temp, target)
            .map_err(|source| StoreError::Io { path: target.to_owned(), source })?;
        sync_parent(target);
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    result
}

/// Opens `path` read-only with `key` and checks it: `quick_check` and `user_version`.
fn check_encrypted(path: &Path, key: &DbKey, version: i64) -> Result<(), StoreError> {
    super::open::sqlite_ready();
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    apply_key(&conn, key)?;
    let found: i64 = conn.query_row("PRAGMA user_version", [], |row| row.get(0))?;
    if found != version || !quick_check(&conn)? {
        return Err(StoreError::Corrupt { path: path.to_owned(), latest_backup: None });
    }
    Ok(())
}

fn sync_file(path: &Path) -> Result<(), StoreError> {
    std::fs::File::open(path)
        .and_then(|file| file.sync_all())
        .map_err(|source| StoreError::Io { path: path.to_owned(), source })
}

/// Fsyncs the directory holding `path`, so a rename survives power loss (best effort:
/// not every platform can open a directory).
fn sync_parent(path: &Path) {
    if let Some(parent) = path.parent()
        && let Ok(dir) = std::fs::File::open(parent)
    {
        let _ = dir.sync_all();
    }
}

/// Encrypts every backup of `dir` that is still plain, each through a checked temporary
/// copy renamed over it.
pub(super) fn encrypt_plain_backups(dir: &Path, key: &DbKey) -> Result<(), StoreError> {
    for path in backup::list_backups(dir) {
        if !is_plain(&path) {
            continue;
        }
        // Read-write: an attached database is read-only when its connection is; the
        // backup itself is only read.
        super::open::sqlite_ready();
        let plain = Connection::open(&path)?;
        encrypted_copy(&plain, &path, key)?;
    }
    Ok(())
}

/// Finishes an encryption that stopped after the keyring was written (step 2 above):
/// the database in `dir` is still plain, so it is encrypted now with `key`.
pub(super) fn finish_interrupted(dir: &Path, key: &DbKey) -> Result<(), StoreError> {
    let path = dir.join(DB_FILE_NAME);
    if path.exists() && is_plain(&path) {
        super::open::sqlite_ready();
        let plain = Connection::open(&path)?;
        let staged = staged_name(dir);
        encrypted_copy(&plain, &staged, key)?;
        drop(plain);
        replace_database(&path, &staged)?;
    }
    encrypt_plain_backups(dir, key)
}

/// Moves the checked encrypted copy `staged` over the database `path`, after removing the
/// plain file's `-wal` and `-shm` (which would not belong to the new file).
fn replace_database(path: &Path, staged: &Path) -> Result<(), StoreError> {
    for suffix in ["-wal", "-shm"] {
        let mut name = path.as_os_str().to_os_string();
        name.push(suffix);
        match std::fs::remove_file(PathBuf::from(name)) {
            Ok(()) => {}
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
            Err(source) => return Err(StoreError::Io { path: path.to_owned(), source }),
        }
    }
    std::fs::rename(staged, path)
        .map_err(|source| StoreError::Io { path: path.to_owned(), source })?;
    sync_parent(path);
    Ok(())
}

impl Store {
    /// Whether the database is encrypted (opened with a key after sign-in).
    pub fn is_encrypted(&self) -> bool {
        self.key.is_some()
    }

    /// Encrypts this store's database and backups under a new random key sealed for
    /// `login` with `password` (signed in first, so the password is the account's), and
    /// returns the store reopened on the encrypted file with `login` signed in. For the
    /// first admin, right after [`Store::create_first_admin`]; `accounts init` does both.
    /// Other accounts get their sealed copy when an admin resets their password.
    ///
    /// Needs a file store ([`StoreError::NotSignedIn`] in memory). An already encrypted
    /// store is returned as it is. The store is consumed: on error the
    /// plain database is left as it was (or, past step 2, the next sign-in finishes the
    /// job), and can be opened again.
    pub fn encrypt_at_rest(
        self,
        login: &str,
        password: &str,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<Self, StoreError> {
        let dir = self.dir.clone().ok_or(StoreError::NotSignedIn)?;
        if self.key.is_some() {
            return Ok(self);
        }
        // The password must be the account's: the keyring entry is what sign-in opens.
        let actor = self.login(login, password, now)?;
        let key = DbKey::generate();
        let path = dir.join(DB_FILE_NAME);
        let staged = staged_name(&dir);
        encrypted_copy(&self.conn, &staged, &key)?;
        let mut keyring = Keyring::new(&dir);
        keyring.seal(&actor.account, password, &key, self.password_cost)?;
        if let Err(error) = keyring.save() {
            let _ = std::fs::remove_file(&staged);
            return Err(error.into());
        }
        let cost = self.password_cost;
        drop(self);
        replace_database(&path, &staged)?;
        encrypt_plain_backups(&dir, &key)?;
        let store = Self::open_writable(&dir, now, Some(key))?.with_password_cost(cost);
        store.sign_in_unsealed(&actor.account, now, true)?;
        Ok(store)
    }

    /// Opens the encrypted store in `dir` for `login`: unseals the database key with
    /// `password` (the keyring counts failures and locks), finishes an interrupted
    /// encryption if there is one, opens and checks the database with the key, and signs
    /// the account in.
    pub fn open_signed_in(
        dir: &Path,
        login: &str,
        password: &str,
        now: chrono::DateTime<chrono::Utc>,
        cost: super::PasswordCost,
    ) -> Result<Self, StoreError> {
        let key = Self::unlock(dir, login, password, now, cost)?;
        Self::open_unlocked(dir, login, key, now, cost)
    }

    /// [`Store::open_signed_in`] for reading only ([`Store::open_read_only`]: no write, no
    /// lock); the sign-in is not written to the audit trail, which cannot be written.
    pub fn open_signed_in_read_only(
        dir: &Path,
        login: &str,
        password: &str,
        now: chrono::DateTime<chrono::Utc>,
        cost: super::PasswordCost,
    ) -> Result<Self, StoreError> {
        let key = Self::unlock(dir, login, password, now, cost)?;
        let store = Self::open_read_only_with(dir, Some(key))?.with_password_cost(cost);
        store.sign_in_unsealed(login.trim(), now, false)?;
        Ok(store)
    }

    /// Unseals the database key of `dir` with `login`'s password (the keyring counts
    /// failures and locks) and finishes an interrupted encryption if there is one. The
    /// key opens the store ([`Store::open_unlocked`]) and, after damage, its backups
    /// ([`Store::usable_backups`], [`Store::open_backup`]).
    pub fn unlock(
        dir: &Path,
        login: &str,
        password: &str,
        now: chrono::DateTime<chrono::Utc>,
        cost: super::PasswordCost,
    ) -> Result<DbKey, StoreError> {
        let mut keyring = Keyring::load(dir)?.ok_or(StoreError::NotEncrypted)?;
        let key = keyring.unlock(login.trim(), password, now, cost)?;
        finish_interrupted(dir, &key)?;
        Ok(key)
    }

    /// Opens the encrypted store in `dir` with `key` (from [`Store::unlock`] for `login`)
    /// and signs `login` in.
    pub fn open_unlocked(
        dir: &Path,
        login: &str,
        key: DbKey,
        now: chrono::DateTime<chrono::Utc>,
        cost: super::PasswordCost,
    ) -> Result<Self, StoreError> {
        let store = Self::open_writable(dir, now, Some(key))?.with_password_cost(cost);
        store.sign_in_unsealed(login.trim(), now, true)?;
        Ok(store)
    }

    /// [`Store::open_backup`] for an encrypted store: the backup opens with `key` and
    /// `login` is signed in.
    pub fn open_backup_unlocked(
        dir: &Path,
        backup: &Path,
        login: &str,
        key: DbKey,
        now: chrono::DateTime<chrono::Utc>,
        cost: super::PasswordCost,
    ) -> Result<Self, StoreError> {
        let store = Self::open_backup(dir, backup, now, Some(key))?.with_password_cost(cost);
        store.sign_in_unsealed(login.trim(), now, true)?;
        Ok(store)
    }

    /// The database key, for opening this store's backups.
    pub fn key(&self) -> Option<&DbKey> {
        self.key.as_ref()
    }

    /// Seals the database key for `login` under `password` (a new account, or a password
    /// reset) when the store is encrypted; nothing to do otherwise.
    pub(super) fn seal_for(&self, login: &str, password: &str) -> Result<(), StoreError> {
        let (Some(key), Some(dir)) = (&self.key, &self.dir) else {
            return Ok(());
        };
        let mut keyring = Keyring::load(dir)?.unwrap_or_else(|| Keyring::new(dir));
        keyring.seal(login.trim(), password, key, self.password_cost)?;
        keyring.save()?;
        Ok(())
    }
}

impl Store {
    /// Signs `login` in after its keyring entry unsealed the key (the password is proven):
    /// the account must exist in the database; its failure count is reset and the sign-in
    /// is audited.
    fn sign_in_unsealed(
        &self,
        login: &str,
        now: chrono::DateTime<chrono::Utc>,
        audited: bool,
    ) -> Result<crate::review::Actor, StoreError> {
        let at = super::timestamp(now);
        let probe = crate::review::Actor {
            account: login.to_owned(),
            display_name: String::new(),
            role: crate::review::Role::Assessor,
        };
        let actor = match self.authenticate(&probe) {
            Err(StoreError::UnknownAccount) => return Err(StoreError::BadCredentials),
            other => other?,
        };
        if !audited {
            *self.session.borrow_mut() = Some(actor.clone());
            return Ok(actor);
        }
        let tx = self.immediate()?;
        self.conn
            .prepare_cached(
                "UPDATE accounts SET failed_logins = 0, locked_until = NULL WHERE login = ?1",
            )?
            .execute([login])?;
        super::audit::append(
            &self.conn,
            &super::audit::Entry {
                at: &at,
                actor: login,
                action: "login",
                ..super::audit::Entry::default()
            },
        )?;
        tx.commit()?;
        *self.session.borrow_mut() = Some(actor.clone());
        Ok(actor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::PasswordCost;

    fn at(secs: i64) -> chrono::DateTime<chrono::Utc> {
        chrono::DateTime::from_timestamp(1_764_316_800 + secs, 0).unwrap_or_default()
    }

    /// A crash after the keyring was written but before the encrypted copy replaced the
    /// plain file: the next sign-in finishes the job.
    #[test]
    fn an_interrupted_encryption_is_finished_at_the_next_sign_in() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_at(dir.path(), at(0))
            .unwrap()
            .with_password_cost(PasswordCost::TestOnlyLight);
        store.create_first_admin("admin", "管理员", "管理员的长密码-0001", at(1)).unwrap();
        drop(store);
        let key = DbKey::generate();
        let mut keyring = Keyring::new(dir.path());
        keyring.seal("admin", "管理员的长密码-0001", &key, PasswordCost::TestOnlyLight).unwrap();
        keyring.save().unwrap();
        let path = dir.path().join(DB_FILE_NAME);
        assert!(is_plain(&path));

        let store = Store::open_signed_in(
            dir.path(),
            "admin",
            "管理员的长密码-0001",
            at(2),
            PasswordCost::TestOnlyLight,
        )
        .unwrap();
        assert!(store.is_encrypted());
        assert!(store.has_accounts().unwrap());
        drop(store);
        assert!(!is_plain(&path));
        assert!(!staged_name(dir.path()).exists());
    }

    #[test]
    fn a_failed_copy_leaves_no_file_behind() {
        let dir = tempfile::tempdir().unwrap();
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE TABLE t(x); INSERT INTO t VALUES (1);").unwrap();
        let target = dir.path().join("missing-folder").join("copy.sqlite3");
        assert!(encrypted_copy(&conn, &target, &DbKey::generate()).is_err());
        assert!(!target.exists());
        let leftovers = std::fs::read_dir(dir.path()).unwrap().count();
        assert_eq!(leftovers, 0);
    }
}
