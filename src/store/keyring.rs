//! The database key and the keyring that wraps it for each account.
//!
//! Once a machine has accounts, its database and backups are encrypted with SQLCipher
//! under one random 256-bit [`DbKey`]. The key itself is never stored in the clear: the
//! keyring file `elder-assess.keyring.json` (mode 0600, next to the database) holds one
//! entry per account, in which the key is sealed with AES-256-GCM under a key derived from
//! that account's password with Argon2id (its own random salt and parameters). Signing in
//! unseals it; a password reset seals it again under the new password; a new account gets
//! its own entry from a signed-in admin, who holds the key.
//!
//! The keyring also keeps each entry's failed unlock attempts, so that the lockout
//! ([`super::MAX_FAILED_LOGINS`] failures, then [`super::LOCKOUT`]) holds before the
//! database — where the accounts live — can be read. The file is plain JSON parsed into
//! raw types with unknown fields denied; its Argon2 parameters are checked against
//! [`MAX_KDF_MEMORY_KIB`] and friends before anything is derived, so a crafted file
//! cannot make the program allocate without bound.
//!
//! What this does not protect: anyone who learns one account's password (and has the
//! files) can unseal the key; an attacker with the files can guess passwords offline at
//! the cost of one Argon2id derivation per guess (the lockout only slows the app).

use std::path::{Path, PathBuf};

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use argon2::{Algorithm, Argon2, Params, Version};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use chrono::{DateTime, Utc};
use rand_core::{OsRng, RngCore as _};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use super::accounts::PasswordCost;

/// The keyring's file name inside the data directory.
pub const KEYRING_FILE_NAME: &str = "elder-assess.keyring.json";

/// The only keyring format this program reads and writes.
const FORMAT: u32 = 1;

/// Largest Argon2 memory cost accepted from a keyring file (1 GiB).
pub const MAX_KDF_MEMORY_KIB: u32 = 1024 * 1024;
/// Largest Argon2 pass count accepted from a keyring file.
pub const MAX_KDF_PASSES: u32 = 16;
/// Largest Argon2 lane count accepted from a keyring file.
pub const MAX_KDF_LANES: u32 = 8;

/// Bound to every sealed key, so an entry cannot be moved to another login.
const AAD_PREFIX: &[u8] = b"elder-assess keyring v1\0";

/// An error reading, unsealing or writing the keyring.
#[derive(Debug, thiserror::Error)]
pub enum KeyringError {
    /// The file could not be read or written.
    #[error("无法读写密钥文件 {}：{source}", path.display())]
    Io {
        /// The keyring file.
        path: PathBuf,
        /// The operating-system error.
        #[source]
        source: std::io::Error,
    },
    /// The file is not a keyring this program wrote.
    #[error("密钥文件 {} 无效（第 {line} 行第 {column} 列）：{what}；文件未被改动", path.display())]
    Invalid {
        /// The keyring file.
        path: PathBuf,
        /// 1-based line of the problem (0 when not from the parser).
        line: usize,
        /// 1-based column of the problem (0 when not from the parser).
        column: usize,
        /// What is wrong, in words.
        what: String,
    },
    /// No entry for this login, or the password does not unseal it.
    #[error("账号或密码不正确")]
    BadCredentials,
    /// Too many failed attempts: locked until then.
    #[error("账号已锁定，请于 {until} 之后再试", until = until.with_timezone(&crate::clock::CHINA_OFFSET).format("%Y-%m-%d %H:%M"))]
    Locked {
        /// When the lock ends.
        until: DateTime<Utc>,
    },
    /// Sealing or key derivation failed (should not happen with checked parameters).
    #[error("密钥运算失败")]
    Crypto,
}

/// The database key: 32 random bytes, wiped from memory when dropped.
#[derive(Clone)]
pub struct DbKey(Zeroizing<[u8; 32]>);

impl std::fmt::Debug for DbKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DbKey(…)")
    }
}

impl DbKey {
    /// A fresh random key from the operating system.
    pub fn generate() -> Self {
        let mut bytes = Zeroizing::new([0_u8; 32]);
        OsRng.fill_bytes(bytes.as_mut());
        Self(bytes)
    }

    /// The key as SQLCipher's raw-key literal `x'…'` (64 hex digits): SQLCipher uses it
    /// as is, without its own key derivation.
    pub(super) fn pragma_literal(&self) -> Zeroizing<String> {
        let mut text = Zeroizing::new(String::with_capacity(67));
        text.push_str("x'");
        for byte in self.0.iter() {
            text.push(char::from(HEX[usize::from(byte >> 4)]));
            text.push(char::from(HEX[usize::from(byte & 0x0f)]));
        }
        text.push('\'');
        text
    }
}

const HEX: &[u8; 16] = b"0123456789ABCDEF";

/// Argon2id parameters and salt of one entry.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
struct Kdf {
    /// Memory in KiB.
    m_kib: u32,
    /// Passes.
    t: u32,
    /// Lanes.
    p: u32,
    /// Base64 salt (16 bytes).
    salt: String,
}

/// One account's sealed copy of the key and its failed attempts.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
struct Entry {
    login: String,
    kdf: Kdf,
    /// Base64 AES-GCM nonce (12 bytes).
    nonce: String,
    /// Base64 sealed key (32 bytes + 16-byte tag).
    sealed: String,
    /// Failed unlock attempts in a row.
    #[serde(default)]
    failed: u32,
    /// Locked until then (RFC 3339), after too many failures.
    #[serde(default)]
    locked_until: Option<DateTime<Utc>>,
}

/// The file as written.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
struct RawKeyring {
    format: u32,
    entries: Vec<Entry>,
}

/// The keyring of one data directory.
#[derive(Debug, Clone)]
pub struct Keyring {
    path: PathBuf,
    entries: Vec<Entry>,
}

/// Where the keyring of `dir` is.
pub fn keyring_path(dir: &Path) -> PathBuf {
    dir.join(KEYRING_FILE_NAME)
}

/// Whether `dir` has a keyring, i.e. its database is (to be) encrypted.
pub fn has_keyring(dir: &Path) -> bool {
    keyring_path(dir).exists()
}

impl Keyring {
    /// An empty keyring for `dir` (not yet written).
    pub fn new(dir: &Path) -> Self {
        Self { path: keyring_path(dir), entries: Vec::new() }
    }

    /// Whether `login` has a sealed copy of the database key.
    pub fn has_entry(&self, login: &str) -> bool {
        self.entries.iter().any(|entry| entry.login == login)
    }

    /// Reads and checks the keyring of `dir`; `None` when there is none.
    pub fn load(dir: &Path) -> Result<Option<Self>, KeyringError> {
        let path = keyring_path(dir);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(source) => return Err(KeyringError::Io { path, source }),
        };
        let invalid = |line, column, what: String| KeyringError::Invalid {
            path: path.clone(),
            line,
            column,
            what,
        };
        let raw: RawKeyring = serde_json::from_str(&text)
            .map_err(|error| invalid(error.line(), error.column(), error.to_string()))?;
        if raw.format != FORMAT {
            return Err(invalid(
                0,
                0,
                format!("格式版本 {} 不受支持（应为 {FORMAT}）", raw.format),
            ));
        }
        for (index, entry) in raw.entries.iter().enumerate() {
            check_entry(entry)
                .map_err(|what| invalid(0, 0, format!("第 {} 项：{what}", index + 1)))?;
        }
        Ok(Some(Self { path, entries: raw.entries }))
    }

    /// Unseals the key with `login`'s password at `now`, counting a failure (and locking
    /// after [`super::MAX_FAILED_LOGINS`]) in the file. An unknown login costs one
    /// derivation too, so both failures take about as long.
    pub fn unlock(
        &mut self,
        login: &str,
        password: &str,
        now: DateTime<Utc>,
        cost: PasswordCost,
    ) -> Result<DbKey, KeyringError> {
        let Some(index) = self.entries.iter().position(|entry| entry.login == login) else {
            let _ = derive(password, &[0; 16], &kdf_params(cost));
            return Err(KeyringError::BadCredentials);
        };
        if let Some(until) = self.entries[index].locked_until
            && until > now
        {
            return Err(KeyringError::Locked { until });
        }
        match open_entry(&self.entries[index], password) {
            Ok(key) => {
                let entry = &mut self.entries[index];
                if entry.failed != 0 || entry.locked_until.is_some() {
                    entry.failed = 0;
                    entry.locked_until = None;
                    self.save()?;
                }
                Ok(key)
            }
            Err(KeyringError::BadCredentials) => {
                let entry = &mut self.entries[index];
                entry.failed = entry.failed.saturating_add(1);
                let locked = entry.failed >= super::MAX_FAILED_LOGINS;
                if locked {
                    entry.failed = 0;
                    entry.locked_until = Some(now + super::LOCKOUT);
                }
                self.save()?;
                if locked {
                    return Err(KeyringError::Locked { until: now + super::LOCKOUT });
                }
                Err(KeyringError::BadCredentials)
            }
            Err(other) => Err(other),
        }
    }

    /// Seals `key` for `login` under `password` (replacing its entry, which also clears
    /// its lock). Not written until [`Keyring::save`].
    pub fn seal(
        &mut self,
        login: &str,
        password: &str,
        key: &DbKey,
        cost: PasswordCost,
    ) -> Result<(), KeyringError> {
        let params = kdf_params(cost);
        let mut salt = [0_u8; 16];
        OsRng.fill_bytes(&mut salt);
        let mut nonce = [0_u8; 12];
        OsRng.fill_bytes(&mut nonce);
        let wrapping = derive(password, &salt, &params)?;
        let cipher =
            Aes256Gcm::new_from_slice(wrapping.as_ref()).map_err(|_| KeyringError::Crypto)?;
        let aad = aad(login);
        let sealed = cipher
            .encrypt(&Nonce::from(nonce), Payload { msg: key.0.as_ref(), aad: &aad })
            .map_err(|_| KeyringError::Crypto)?;
        let entry = Entry {
            login: login.to_owned(),
            kdf: Kdf {
                m_kib: params.m_cost(),
                t: params.t_cost(),
                p: params.p_cost(),
                salt: BASE64.encode(salt),
            },
            nonce: BASE64.encode(nonce),
            sealed: BASE64.encode(sealed),
            failed: 0,
            locked_until: None,
        };
        self.entries.retain(|existing| existing.login != login);
        self.entries.push(entry);
        self.entries.sort_by(|a, b| a.login.cmp(&b.login));
        Ok(())
    }

    /// Writes the keyring atomically (temporary file, fsync, rename; mode 0600).
    pub fn save(&self) -> Result<(), KeyringError> {
        let raw = RawKeyring { format: FORMAT, entries: self.entries.clone() };
        let text = serde_json::to_string_pretty(&raw).map_err(|_| KeyringError::Crypto)?;
        crate::output::atomic::write_atomically(&self.path, text.as_bytes())
            .map_err(|source| KeyringError::Io { path: self.path.clone(), source })?;
        let _ = crate::output::atomic::make_private(&self.path);
        Ok(())
    }
}

/// The parameters new entries use: the account hashes' cost.
fn kdf_params(cost: PasswordCost) -> Params {
    match cost {
        PasswordCost::Standard => Params::default(),
        PasswordCost::TestOnlyLight => Params::new(8, 1, 1, Some(32)).unwrap_or_default(),
    }
}

fn aad(login: &str) -> Vec<u8> {
    let mut aad = AAD_PREFIX.to_vec();
    aad.extend_from_slice(login.as_bytes());
    aad
}

/// Checks an entry's shape and bounds before anything is derived from it.
fn check_entry(entry: &Entry) -> Result<(), String> {
    if entry.login.trim().is_empty() {
        return Err("账号为空".to_owned());
    }
    let kdf = &entry.kdf;
    if kdf.m_kib > MAX_KDF_MEMORY_KIB
        || kdf.t == 0
        || kdf.t > MAX_KDF_PASSES
        || kdf.p == 0
        || kdf.p > MAX_KDF_LANES
    {
        return Err(format!(
            "Argon2 参数超出允许范围（内存 ≤ {MAX_KDF_MEMORY_KIB} KiB，轮数 1–{MAX_KDF_PASSES}，并行度 1–{MAX_KDF_LANES}）"
        ));
    }
    let lengths =
        [(&kdf.salt, 16, "salt"), (&entry.nonce, 12, "nonce"), (&entry.sealed, 48, "sealed")];
    for (text, len, field) in lengths {
        if BASE64.decode(text).map_or(true, |bytes| bytes.len() != len) {
            return Err(format!("字段 {field} 应为 {len} 字节的 Base64"));
        }
    }
    Params::new(kdf.m_kib, kdf.t, kdf.p, Some(32))
        .map_err(|error| format!("Argon2 参数无效：{error}"))?;
    Ok(())
}

/// Unseals one (checked) entry.
fn open_entry(entry: &Entry, password: &str) -> Result<DbKey, KeyringError> {
    let decode = |text: &str| BASE64.decode(text).map_err(|_| KeyringError::Crypto);
    let salt = decode(&entry.kdf.salt)?;
    let nonce: [u8; 12] = decode(&entry.nonce)?.try_into().map_err(|_| KeyringError::Crypto)?;
    let sealed = decode(&entry.sealed)?;
    let params = Params::new(entry.kdf.m_kib, entry.kdf.t, entry.kdf.p, Some(32))
        .map_err(|_| KeyringError::Crypto)?;
    let wrapping = derive(password, &salt, &params)?;
    let cipher = Aes256Gcm::new_from_slice(wrapping.as_ref()).map_err(|_| KeyringError::Crypto)?;
    let aad = aad(&entry.login);
    let plain = Zeroizing::new(
        cipher
            .decrypt(&Nonce::from(nonce), Payload { msg: &sealed, aad: &aad })
            .map_err(|_| KeyringError::BadCredentials)?,
    );
    let mut key = Zeroizing::new([0_u8; 32]);
    if plain.len() != key.len() {
        return Err(KeyringError::Crypto);
    }
    key.copy_from_slice(&plain);
    Ok(DbKey(key))
}

/// The 32-byte wrapping key for `password` with `salt` and `params` (Argon2id).
fn derive(
    password: &str,
    salt: &[u8],
    params: &Params,
) -> Result<Zeroizing<[u8; 32]>, KeyringError> {
    let mut out = Zeroizing::new([0_u8; 32]);
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone())
        .hash_password_into(password.as_bytes(), salt, out.as_mut())
        .map_err(|_| KeyringError::Crypto)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        DateTime::from_timestamp(1_790_000_000, 0).unwrap_or_default()
    }

    #[test]
    fn seals_and_unseals_per_login() {
        let dir = tempfile::tempdir().unwrap();
        let key = DbKey::generate();
        let mut ring = Keyring::new(dir.path());
        ring.seal("admin", "正确的密码-1234", &key, PasswordCost::TestOnlyLight).unwrap();
        ring.seal("a1", "另一个密码-5678", &key, PasswordCost::TestOnlyLight).unwrap();
        ring.save().unwrap();
        let mut ring = Keyring::load(dir.path()).unwrap().unwrap();
        let got = ring.unlock("a1", "另一个密码-5678", now(), PasswordCost::TestOnlyLight).unwrap();
        assert_eq!(got.0.as_ref(), key.0.as_ref());
        assert!(matches!(
            ring.unlock("a1", "正确的密码-1234", now(), PasswordCost::TestOnlyLight),
            Err(KeyringError::BadCredentials)
        ));
        assert!(matches!(
            ring.unlock("nobody", "x", now(), PasswordCost::TestOnlyLight),
            Err(KeyringError::BadCredentials)
        ));
    }

    #[test]
    fn an_entry_moved_to_another_login_does_not_open() {
        let dir = tempfile::tempdir().unwrap();
        let key = DbKey::generate();
        let mut ring = Keyring::new(dir.path());
        ring.seal("admin", "正确的密码-1234", &key, PasswordCost::TestOnlyLight).unwrap();
        ring.entries[0].login = "mallory".to_owned();
        assert!(matches!(
            ring.unlock("mallory", "正确的密码-1234", now(), PasswordCost::TestOnlyLight),
            Err(KeyringError::BadCredentials)
        ));
    }

    #[test]
    fn locks_after_repeated_failures_and_persists_the_lock() {
        let dir = tempfile::tempdir().unwrap();
        let key = DbKey::generate();
        let mut ring = Keyring::new(dir.path());
        ring.seal("a1", "正确的密码-1234", &key, PasswordCost::TestOnlyLight).unwrap();
        ring.save().unwrap();
        for _ in 1..super::super::MAX_FAILED_LOGINS {
            assert!(matches!(
                ring.unlock("a1", "wrong", now(), PasswordCost::TestOnlyLight),
                Err(KeyringError::BadCredentials)
            ));
        }
        assert!(matches!(
            ring.unlock("a1", "wrong", now(), PasswordCost::TestOnlyLight),
            Err(KeyringError::Locked { .. })
        ));
        let mut reloaded = Keyring::load(dir.path()).unwrap().unwrap();
        assert!(matches!(
            reloaded.unlock("a1", "正确的密码-1234", now(), PasswordCost::TestOnlyLight),
            Err(KeyringError::Locked { .. })
        ));
        let later = now() + super::super::LOCKOUT + chrono::TimeDelta::seconds(1);
        assert!(
            reloaded.unlock("a1", "正确的密码-1234", later, PasswordCost::TestOnlyLight).is_ok()
        );
    }

    #[test]
    fn crafted_kdf_parameters_are_refused_before_derivation() {
        let dir = tempfile::tempdir().unwrap();
        let key = DbKey::generate();
        let mut ring = Keyring::new(dir.path());
        ring.seal("a1", "正确的密码-1234", &key, PasswordCost::TestOnlyLight).unwrap();
        ring.entries[0].kdf.m_kib = u32::MAX;
        ring.save().unwrap();
        let error = Keyring::load(dir.path()).unwrap_err();
        assert!(error.to_string().contains("Argon2 参数超出允许范围"), "{error}");
    }

    #[test]
    fn unknown_fields_are_refused_with_a_position() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(keyring_path(dir.path()), "{\"format\": 1, \"entries\": [], \"extra\": 1}")
            .unwrap();
        let error = Keyring::load(dir.path()).unwrap_err();
        assert!(matches!(error, KeyringError::Invalid { line: 1, .. }), "{error}");
    }

    #[test]
    fn the_pragma_literal_is_a_raw_key() {
        let key = DbKey(Zeroizing::new([0xAB; 32]));
        let text = key.pragma_literal();
        assert_eq!(text.len(), 67);
        assert!(text.starts_with("x'ABAB") && text.ends_with("AB'"));
        assert_eq!(format!("{key:?}"), "DbKey(…)");
    }
}
