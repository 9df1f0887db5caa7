//! An assessor's signing identity: a P-256 key, encrypted at rest, and a self-issued
//! X.509 certificate.
//!
//! Files live in `<data dir>/keys/`: `<slug>.key.pem` (the private key) and
//! `<slug>.crt.pem` (the certificate). `<slug>` is the lowercase hex of the name's UTF-8
//! bytes, so any name (张三, "Li Si", …) maps to one safe file name and back.
//!
//! **Key protection.** The private key is only ever written as an encrypted PKCS#8
//! document (`ENCRYPTED PRIVATE KEY`, PBES2): scrypt with N = 2^17, r = 8, p = 1 (scrypt's
//! own recommended parameters, 128 MiB of memory per guess) derives an AES-256-CBC key
//! from the passphrase and a fresh 16-byte salt. scrypt was chosen over PBKDF2 because it
//! is memory-hard, which matters for the threat it answers: a stolen laptop and an
//! offline guessing attack. The cost is a fraction of a second per load on a laptop.
//! (OpenSSL 3 refuses N = 2^17 by default, `maxmem` 32 MiB; the key is for this program.)
//! The plaintext key exists only in memory, in buffers that are wiped when dropped.
//! Loading checks the file's scrypt parameters against fixed bounds before deriving
//! anything (`kdf_bounds`), so a crafted file cannot make the process allocate gigabytes.
//! A new key's passphrase has at least [`MIN_PASSPHRASE_CHARS`] characters.
//!
//! **Certificate.** Self-issued end-entity certificate (`Profile::Leaf`: CA=false,
//! digitalSignature + nonRepudiation), subject `C=CN, CN=<name>` (and `UID=<login>` for an
//! account's key, see [`super::account_keys`]), a random positive 16-byte serial, valid for five years from the injected time.

use std::fmt;
use std::fs::OpenOptions;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use chrono::{DateTime, Months, Utc};
use const_oid::db::rfc4519::{COMMON_NAME, COUNTRY_NAME};
use der::pem::LineEnding;
use der::pem::PemLabel as _;
use der::{DecodePem as _, EncodePem as _};
use p256::ecdsa::{DerSignature, SigningKey};
use pkcs8::pkcs5::{pbes2, scrypt};
use pkcs8::{
    DecodePrivateKey as _, EncodePrivateKey as _, EncryptedPrivateKeyInfo, PrivateKeyInfo,
};
use rand_core::{OsRng, RngCore as _};
use spki::SubjectPublicKeyInfoOwned;
use x509_cert::Certificate;
use x509_cert::builder::{Builder as _, CertificateBuilder, Profile};
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::time::{Time, Validity};
use zeroize::Zeroizing;

use super::SignError;
use super::x509::subject_text;

/// A new key's passphrase must have at least this many characters.
pub const MIN_PASSPHRASE_CHARS: usize = 10;

/// The longest signer name accepted, in characters.
pub const MAX_NAME_CHARS: usize = 64;

/// How long a certificate is valid.
const VALIDITY_MONTHS: u32 = 5 * 12;

/// scrypt parameters r and p (see the module documentation).
const SCRYPT_R: u32 = 8;
const SCRYPT_P: u32 = 1;

/// How much work guessing a passphrase costs: the scrypt N of a new key.
///
/// Loading a key always uses the parameters stored in its file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum KdfCost {
    /// N = 2^17 (128 MiB per guess): every real key.
    #[default]
    Standard,
    /// N = 2^10: only for tests, whose unoptimised builds would take seconds per key.
    /// Never use it for a key that signs anything.
    TestOnly,
}

impl KdfCost {
    fn log_n(self) -> u8 {
        match self {
            Self::Standard => 17,
            Self::TestOnly => 10,
        }
    }
}

/// What is known about a stored key, from its certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyInfo {
    /// The signer's name (the certificate's common name).
    pub name: String,
    /// The certificate subject, e.g. `CN=张三,C=CN`.
    pub subject: String,
    /// Start of validity.
    pub not_before: DateTime<Utc>,
    /// End of validity.
    pub not_after: DateTime<Utc>,
    /// The certificate file (PEM).
    pub cert_path: PathBuf,
    /// The encrypted private key file (PEM).
    pub key_path: PathBuf,
    /// [`certificate_fingerprint`] of its certificate: what binds it to an account.
    pub fingerprint: String,
    /// The account (login) the certificate names (`UID`), for an account's key.
    pub account: Option<String>,
    /// The issuer's common name when another party (the county root) issued the
    /// certificate; `None` for a self-issued practice certificate.
    pub issuer: Option<String>,
}

/// A loaded signing identity: the decrypted key (wiped on drop) and its certificate.
pub struct Signer {
    name: String,
    account: Option<String>,
    key: SigningKey,
    certificate: Certificate,
}

impl Signer {
    /// The signer's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The account (login) the certificate names, for an account's key.
    pub fn account(&self) -> Option<&str> {
        self.account.as_deref()
    }

    /// The signer's certificate.
    pub fn certificate(&self) -> &Certificate {
        &self.certificate
    }

    /// The ECDSA P-256 key.
    pub(crate) fn signing_key(&self) -> &SigningKey {
        &self.key
    }
}

impl fmt::Debug for Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signer")
            .field("name", &self.name)
            .field("subject", &self.certificate.tbs_certificate.subject.to_string())
            .finish_non_exhaustive()
    }
}

/// The key and certificate files of `name` under `dir` (whether or not they exist).
pub fn key_paths(dir: &Path, name: &str) -> Result<(PathBuf, PathBuf), SignError> {
    let name = check_name(name)?;
    Ok(paths(dir, name))
}

fn paths(dir: &Path, name: &str) -> (PathBuf, PathBuf) {
    let slug = slug(name);
    let keys = dir.join("keys");
    (keys.join(format!("{slug}.key.pem")), keys.join(format!("{slug}.crt.pem")))
}

/// The file-name form of a name: lowercase hex of its UTF-8 bytes.
pub(super) fn slug(name: &str) -> String {
    use fmt::Write as _;
    name.bytes().fold(String::with_capacity(name.len() * 2), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// The name without surrounding spaces, if it is usable.
pub(super) fn check_name(name: &str) -> Result<&str, SignError> {
    let trimmed = name.trim();
    let bad = |reason| SignError::BadName { name: name.to_owned(), reason };
    if trimmed.is_empty() {
        return Err(bad("姓名不能为空"));
    }
    if trimmed.chars().count() > MAX_NAME_CHARS {
        return Err(bad("姓名过长"));
    }
    if trimmed.chars().any(char::is_control) {
        return Err(bad("姓名含有控制字符"));
    }
    Ok(trimmed)
}

/// Creates a key and certificate for `name` in `dir/keys/`, protected by `passphrase`.
///
/// Refuses ([`SignError::KeyExists`]) if a key or certificate of that name is already
/// there, and ([`SignError::WeakPassphrase`]) a passphrase shorter than
/// [`MIN_PASSPHRASE_CHARS`].
pub fn create_key(
    dir: &Path,
    name: &str,
    passphrase: &str,
    now: DateTime<Utc>,
) -> Result<KeyInfo, SignError> {
    create_key_with_cost(dir, name, passphrase, now, KdfCost::Standard)
}

/// [`create_key`] with a chosen passphrase-hashing cost; real keys use
/// [`KdfCost::Standard`], which is what [`create_key`] does.
pub fn create_key_with_cost(
    dir: &Path,
    name: &str,
    passphrase: &str,
    now: DateTime<Utc>,
    cost: KdfCost,
) -> Result<KeyInfo, SignError> {
    let name = check_name(name)?;
    let (key_path, cert_path) = paths(dir, name);
    let pair = NewPair { dir, key_path, cert_path, subject: practice_subject(name, None)?, name };
    create_pair(pair, passphrase, now, cost)
}

/// Where a new key pair goes and whom its practice certificate names.
pub(super) struct NewPair<'a> {
    pub dir: &'a Path,
    pub key_path: PathBuf,
    pub cert_path: PathBuf,
    pub subject: Name,
    /// The name errors mention (a signer's name or an account's login).
    pub name: &'a str,
}

/// Creates a key and its self-issued certificate in the files `pair` names.
pub(super) fn create_pair(
    pair: NewPair<'_>,
    passphrase: &str,
    now: DateTime<Utc>,
    cost: KdfCost,
) -> Result<KeyInfo, SignError> {
    let NewPair { dir, key_path, cert_path, subject, name } = pair;
    if passphrase.chars().count() < MIN_PASSPHRASE_CHARS {
        return Err(SignError::WeakPassphrase { min: MIN_PASSPHRASE_CHARS });
    }
    for path in [&key_path, &cert_path] {
        if path.exists() {
            return Err(SignError::KeyExists { name: name.to_owned(), path: path.clone() });
        }
    }

    let secret = p256::SecretKey::random(&mut OsRng);
    let signing_key = SigningKey::from(&secret);
    let certificate = self_issued_certificate(subject, &signing_key, now)?;
    let cert_pem = certificate.to_pem(LineEnding::LF).map_err(SignError::crypto)?;
    let key_pem = encrypt_key(&secret, passphrase, cost)?;

    let keys_dir = dir.join("keys");
    crate::output::atomic::create_private_dir_all(&keys_dir)
        .map_err(|err| SignError::io(&keys_dir, err))?;
    write_new(name, &key_path, key_pem.as_bytes(), true)?;
    if let Err(err) = write_new(name, &cert_path, cert_pem.as_bytes(), false) {
        // Without its certificate the key is useless; do not leave half a pair behind.
        let _ = std::fs::remove_file(&key_path);
        return Err(err);
    }
    key_info(&certificate, cert_path, key_path)
}

/// Loads the signing identity of `name`, decrypting its key with `passphrase`.
///
/// Without a key made by name, the one account key (`keys new --as`) whose certificate
/// names `name` is used; none, or more than one, is [`SignError::NoKey`] (which account
/// may sign is the store's check, by fingerprint). [`SignError::WrongPassphrase`] if the
/// passphrase does not decrypt it.
pub fn load_signer(dir: &Path, name: &str, passphrase: &str) -> Result<Signer, SignError> {
    let name = check_name(name)?;
    let (mut key_path, mut cert_path) = paths(dir, name);
    if !key_path.is_file() {
        let mut accounts =
            list_keys(dir)?.into_iter().filter(|key| key.account.is_some() && key.name == name);
        if let (Some(key), None) = (accounts.next(), accounts.next()) {
            (key_path, cert_path) = (key.key_path, key.cert_path);
        }
    }
    load_pair(&key_path, &cert_path, passphrase, || SignError::NoKey { name: name.to_owned() })
}

/// Decrypts the encrypted PKCS#8 key in `key_path` (written by [`encrypt_key`]) with
/// `passphrase`; `missing()` is the error when there is no key file.
pub(super) fn decrypt_key(
    key_path: &Path,
    passphrase: &str,
    missing: impl FnOnce() -> SignError,
) -> Result<p256::SecretKey, SignError> {
    let pem = match std::fs::read_to_string(key_path) {
        Ok(text) => Zeroizing::new(text),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Err(missing()),
        Err(err) => return Err(SignError::io(key_path, err)),
    };
    let bad_key = |reason: String| SignError::BadKeyFile { path: key_path.to_owned(), reason };
    let (label, document) =
        pkcs8::SecretDocument::from_pem(&pem).map_err(|err| bad_key(err.to_string()))?;
    if label != EncryptedPrivateKeyInfo::PEM_LABEL {
        return Err(bad_key(format!("应为 ENCRYPTED PRIVATE KEY，实为 {label}")));
    }
    let encrypted = EncryptedPrivateKeyInfo::try_from(document.as_bytes())
        .map_err(|err| bad_key(err.to_string()))?;
    // Before any derivation: the file's scrypt parameters decide how much memory it takes.
    super::kdf_bounds::check(&encrypted).map_err(bad_key)?;
    let plain = encrypted.decrypt(passphrase).map_err(|err| match err {
        // A wrong key shows as bad CBC padding, which pkcs5 0.7.1 reports as
        // `EncryptFailed` (sic) when decrypting.
        pkcs8::Error::EncryptedPrivateKey(
            pkcs8::pkcs5::Error::DecryptFailed | pkcs8::pkcs5::Error::EncryptFailed,
        ) => SignError::WrongPassphrase,
        other => bad_key(other.to_string()),
    })?;
    // With a wrong passphrase, AES-CBC padding is still valid about once in 256 tries;
    // the "plaintext" is then garbage that does not parse as a key.
    p256::SecretKey::from_pkcs8_der(plain.as_bytes()).map_err(|_| SignError::WrongPassphrase)
}

/// Decrypts the key in `key_path` and pairs it with the certificate in `cert_path`;
/// `missing()` is the error when there is no key file.
pub(super) fn load_pair(
    key_path: &Path,
    cert_path: &Path,
    passphrase: &str,
    missing: impl FnOnce() -> SignError,
) -> Result<Signer, SignError> {
    let secret = decrypt_key(key_path, passphrase, missing)?;
    let certificate = read_certificate(cert_path)?;
    let public =
        SubjectPublicKeyInfoOwned::from_key(secret.public_key()).map_err(SignError::crypto)?;
    if public != certificate.tbs_certificate.subject_public_key_info {
        return Err(SignError::BadKeyFile {
            path: cert_path.to_owned(),
            reason: "证书与私钥不匹配".to_owned(),
        });
    }
    let subject = &certificate.tbs_certificate.subject;
    let name = subject_text(subject, COMMON_NAME).ok_or_else(|| SignError::BadKeyFile {
        path: cert_path.to_owned(),
        reason: "证书没有姓名（CN）".to_owned(),
    })?;
    let account = subject_text(subject, super::x509::UID);
    Ok(Signer { name, account, key: SigningKey::from(&secret), certificate })
}

/// Every stored key under `dir/keys/` that has both files, sorted by name.
pub fn list_keys(dir: &Path) -> Result<Vec<KeyInfo>, SignError> {
    let keys_dir = dir.join("keys");
    let entries = match std::fs::read_dir(&keys_dir) {
        Ok(entries) => entries,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(err) => return Err(SignError::io(&keys_dir, err)),
    };
    let mut keys = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|err| SignError::io(&keys_dir, err))?;
        let cert_path = entry.path();
        let Some(slug) =
            cert_path.file_name().and_then(|n| n.to_str()).and_then(|n| n.strip_suffix(".crt.pem"))
        else {
            continue;
        };
        let key_path = keys_dir.join(format!("{slug}.key.pem"));
        if !key_path.is_file() {
            continue;
        }
        let certificate = read_certificate(&cert_path)?;
        keys.push(key_info(&certificate, cert_path, key_path)?);
    }
    keys.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.cert_path.cmp(&b.cert_path)));
    Ok(keys)
}

pub(super) fn read_certificate(path: &Path) -> Result<Certificate, SignError> {
    let pem = std::fs::read_to_string(path).map_err(|err| SignError::io(path, err))?;
    Certificate::from_pem(pem.as_bytes()).map_err(|err| SignError::BadKeyFile {
        path: path.to_owned(),
        reason: format!("证书无法解析：{err}"),
    })
}

pub(super) fn key_info(
    certificate: &Certificate,
    cert_path: PathBuf,
    key_path: PathBuf,
) -> Result<KeyInfo, SignError> {
    let tbs = &certificate.tbs_certificate;
    let name = subject_text(&tbs.subject, COMMON_NAME).ok_or_else(|| SignError::BadKeyFile {
        path: cert_path.clone(),
        reason: "证书没有姓名（CN）".to_owned(),
    })?;
    Ok(KeyInfo {
        name,
        subject: tbs.subject.to_string(),
        not_before: tbs.validity.not_before.to_system_time().into(),
        not_after: tbs.validity.not_after.to_system_time().into(),
        cert_path,
        key_path,
        fingerprint: certificate_fingerprint(certificate)?,
        account: subject_text(&tbs.subject, super::x509::UID),
        issuer: (tbs.issuer != tbs.subject).then(|| {
            subject_text(&tbs.issuer, COMMON_NAME).unwrap_or_else(|| tbs.issuer.to_string())
        }),
    })
}

/// The SHA-256 (lower-case hex) of a certificate's DER encoding: the store binds a key
/// to the account that made it by this fingerprint.
pub fn certificate_fingerprint(certificate: &Certificate) -> Result<String, SignError> {
    use der::Encode as _;
    use sha2::Digest as _;
    let der = certificate.to_der().map_err(SignError::crypto)?;
    Ok(sha2::Sha256::digest(der).iter().fold(String::with_capacity(64), |mut hex, byte| {
        use std::fmt::Write as _;
        let _ = write!(hex, "{byte:02x}");
        hex
    }))
}

/// `C=CN, CN=<name>` and, for an account's key, `UID=<login>`: encoded C first as X.500
/// names are. A practice certificate names no organisation: only the county's certificate
/// authority vouches for one.
pub(super) fn practice_subject(name: &str, account: Option<&str>) -> Result<Name, SignError> {
    let mut parts = vec![(COUNTRY_NAME, "CN"), (COMMON_NAME, name)];
    if let Some(login) = account {
        parts.push((super::x509::UID, login));
    }
    super::x509::name_of(&parts)
}

/// A random positive 16-byte certificate serial number.
pub(super) fn random_serial() -> Result<SerialNumber, SignError> {
    let mut serial = [0u8; 16];
    OsRng.fill_bytes(&mut serial);
    // Positive (top bit clear) and a full 16 bytes (first byte non-zero).
    serial[0] = (serial[0] & 0x7f) | 0x40;
    SerialNumber::new(&serial).map_err(SignError::crypto)
}

/// A validity from `not_before` to `not_after`.
pub(super) fn validity(
    not_before: DateTime<Utc>,
    not_after: DateTime<Utc>,
) -> Result<Validity, SignError> {
    let time = |t: DateTime<Utc>| Time::try_from(SystemTime::from(t)).map_err(SignError::crypto);
    Ok(Validity { not_before: time(not_before)?, not_after: time(not_after)? })
}

fn self_issued_certificate(
    subject: Name,
    key: &SigningKey,
    now: DateTime<Utc>,
) -> Result<Certificate, SignError> {
    let serial = random_serial()?;
    let not_after = now
        .checked_add_months(Months::new(VALIDITY_MONTHS))
        .ok_or_else(|| SignError::Crypto("证书有效期超出范围".to_owned()))?;
    let validity = validity(now, not_after)?;
    let public =
        SubjectPublicKeyInfoOwned::from_key(*key.verifying_key()).map_err(SignError::crypto)?;
    let profile = Profile::Leaf {
        issuer: subject.clone(),
        enable_key_agreement: false,
        enable_key_encipherment: false,
    };
    CertificateBuilder::new(profile, serial, validity, subject, public, key)
        .map_err(SignError::crypto)?
        .build::<DerSignature>()
        .map_err(SignError::crypto)
}

/// The key as an `ENCRYPTED PRIVATE KEY` PEM (PBES2: scrypt + AES-256-CBC).
pub(super) fn encrypt_key(
    secret: &p256::SecretKey,
    passphrase: &str,
    cost: KdfCost,
) -> Result<Zeroizing<String>, SignError> {
    let plain = secret.to_pkcs8_der().map_err(SignError::crypto)?;
    let mut salt = [0u8; 16];
    let mut iv = [0u8; 16];
    OsRng.fill_bytes(&mut salt);
    OsRng.fill_bytes(&mut iv);
    let kdf =
        scrypt::Params::new(cost.log_n(), SCRYPT_R, SCRYPT_P, 32).map_err(SignError::crypto)?;
    let params = pbes2::Parameters::scrypt_aes256cbc(kdf, &salt, &iv).map_err(SignError::crypto)?;
    let info = PrivateKeyInfo::try_from(plain.as_bytes()).map_err(SignError::crypto)?;
    let encrypted = info.encrypt_with_params(params, passphrase).map_err(SignError::crypto)?;
    encrypted.to_pem(EncryptedPrivateKeyInfo::PEM_LABEL, LineEnding::LF).map_err(SignError::crypto)
}

/// Writes a file that must not exist yet; a private file is readable by its owner only.
pub(super) fn write_new(
    name: &str,
    path: &Path,
    bytes: &[u8],
    private: bool,
) -> Result<(), SignError> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(if private { 0o600 } else { 0o644 });
    }
    #[cfg(not(unix))]
    let _ = private;
    let mut file = options.open(path).map_err(|err| {
        if err.kind() == std::io::ErrorKind::AlreadyExists {
            SignError::KeyExists { name: name.to_owned(), path: path.to_owned() }
        } else {
            SignError::io(path, err)
        }
    })?;
    file.write_all(bytes).and_then(|()| file.sync_all()).map_err(|err| SignError::io(path, err))
}
