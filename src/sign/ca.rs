//! The county certificate authority, on the bureau's machine: the county root
//! (`ca init`), assessor certificates issued from accounts' requests (`ca issue`) and
//! revocation (`ca revoke`, a signed CRL).
//!
//! Files live in `<data dir>/ca/`: `root.key.pem` (the root's P-256 key, encrypted like
//! an assessor's key, 0600; it never leaves this machine), `root.crt.pem` (the root
//! certificate every machine installs with `trust add`), `issued.json` (the record, see
//! [`super::ca_registry`]) and `county.crl.pem` (the latest CRL).
//!
//! - Root: self-signed, `Profile::Root` (CA, keyCertSign + cRLSign), subject
//!   `C=CN, O=<agency>, CN=<agency>老年人能力评估根证书`, valid [`ROOT_VALIDITY_YEARS`] years.
//! - Assessor certificate: issuer = the root's subject; subject `C=CN, O=<root's O>,
//!   CN=<registered name>, UID=<login>, serialNumber=<assessor certificate number>`;
//!   `Profile::Leaf` (digitalSignature + nonRepudiation, CA=false, SKI, AKI); a random
//!   positive 16-byte serial. Issued only from a request whose signature verifies and
//!   whose `CN` and `UID` are the registered name and login.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Months, Utc};
use const_oid::db::rfc4519::{COMMON_NAME, COUNTRY_NAME, ORGANIZATION_NAME};
use der::EncodePem as _;
use der::pem::LineEnding;
use p256::ecdsa::{DerSignature, SigningKey};
use spki::SubjectPublicKeyInfoOwned;
use x509_cert::Certificate;
use x509_cert::builder::{Builder as _, CertificateBuilder, Profile};

use super::SignError;
use super::ca_registry::{self, IssuedCertificate};
use super::crl::{build_crl, crl_to_pem, serial_hex};
use super::keys::{
    KdfCost, MIN_PASSPHRASE_CHARS, certificate_fingerprint, check_name, decrypt_key, encrypt_key,
    random_serial, read_certificate, validity, write_new,
};
use super::request::Request;
use super::x509::{SERIAL_NUMBER, UID, name_of, subject_text, verify_issued_by};

/// How long the county root is valid.
pub const ROOT_VALIDITY_YEARS: u32 = 20;

/// The files of the county authority under a data directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaPaths {
    /// `ca/root.key.pem`.
    pub key: PathBuf,
    /// `ca/root.crt.pem`.
    pub cert: PathBuf,
    /// `ca/county.crl.pem`.
    pub crl: PathBuf,
}

/// The authority's files under `dir` (whether or not they exist).
pub fn ca_paths(dir: &Path) -> CaPaths {
    let ca = dir.join("ca");
    CaPaths {
        key: ca.join("root.key.pem"),
        cert: ca.join("root.crt.pem"),
        crl: ca.join("county.crl.pem"),
    }
}

/// What `ca init` made (or what is there).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RootInfo {
    /// The root certificate's subject.
    pub subject: String,
    /// SHA-256 of the root certificate's DER, lower-case hex.
    pub fingerprint: String,
    /// End of validity.
    pub not_after: DateTime<Utc>,
    /// The root certificate (PEM).
    pub cert_path: PathBuf,
    /// The encrypted root key (PEM).
    pub key_path: PathBuf,
}

/// Creates the county root of `agency` in `<dir>/ca/`, its key encrypted with
/// `passphrase`. Refuses ([`SignError::RootExists`]) if there is one already.
pub fn create_root(
    dir: &Path,
    agency: &str,
    passphrase: &str,
    now: DateTime<Utc>,
    cost: KdfCost,
) -> Result<RootInfo, SignError> {
    let agency = check_name(agency)?;
    let paths = ca_paths(dir);
    for path in [&paths.key, &paths.cert] {
        if path.exists() {
            return Err(SignError::RootExists { path: path.clone() });
        }
    }
    if passphrase.chars().count() < MIN_PASSPHRASE_CHARS {
        return Err(SignError::WeakPassphrase { min: MIN_PASSPHRASE_CHARS });
    }
    let common = format!("{agency}老年人能力评估根证书");
    let subject =
        name_of(&[(COUNTRY_NAME, "CN"), (ORGANIZATION_NAME, agency), (COMMON_NAME, &common)])?;
    let secret = p256::SecretKey::random(&mut rand_core::OsRng);
    let key = SigningKey::from(&secret);
    let not_after = now
        .checked_add_months(Months::new(ROOT_VALIDITY_YEARS * 12))
        .ok_or_else(|| SignError::Crypto("证书有效期超出范围".to_owned()))?;
    let public =
        SubjectPublicKeyInfoOwned::from_key(*key.verifying_key()).map_err(SignError::crypto)?;
    let root = CertificateBuilder::new(
        Profile::Root,
        random_serial()?,
        validity(now, not_after)?,
        subject,
        public,
        &key,
    )
    .map_err(SignError::crypto)?
    .build::<DerSignature>()
    .map_err(SignError::crypto)?;
    let cert_pem = root.to_pem(LineEnding::LF).map_err(SignError::crypto)?;
    let key_pem = encrypt_key(&secret, passphrase, cost)?;

    let ca_dir = dir.join("ca");
    crate::output::atomic::create_private_dir_all(&ca_dir)
        .map_err(|err| SignError::io(&ca_dir, err))?;
    write_new(agency, &paths.key, key_pem.as_bytes(), true)?;
    if let Err(err) = write_new(agency, &paths.cert, cert_pem.as_bytes(), false) {
        let _ = std::fs::remove_file(&paths.key);
        return Err(err);
    }
    root_info(&root, paths)
}

fn root_info(root: &Certificate, paths: CaPaths) -> Result<RootInfo, SignError> {
    let tbs = &root.tbs_certificate;
    Ok(RootInfo {
        subject: tbs.subject.to_string(),
        fingerprint: certificate_fingerprint(root)?,
        not_after: tbs.validity.not_after.to_system_time().into(),
        cert_path: paths.cert,
        key_path: paths.key,
    })
}

/// The county root certificate of this data directory ([`SignError::NoRoot`] if none).
pub fn root_certificate(dir: &Path) -> Result<Certificate, SignError> {
    let paths = ca_paths(dir);
    if !paths.cert.is_file() {
        return Err(SignError::NoRoot { path: paths.cert });
    }
    read_certificate(&paths.cert)
}

/// The county root of this data directory.
pub fn root(dir: &Path) -> Result<RootInfo, SignError> {
    root_info(&root_certificate(dir)?, ca_paths(dir))
}

/// The root certificate and its key, unlocked with `passphrase`.
pub(super) fn unlock_root(
    dir: &Path,
    passphrase: &str,
) -> Result<(Certificate, SigningKey), SignError> {
    let paths = ca_paths(dir);
    let root = root_certificate(dir)?;
    let secret =
        decrypt_key(&paths.key, passphrase, || SignError::NoRoot { path: paths.key.clone() })?;
    let public =
        SubjectPublicKeyInfoOwned::from_key(secret.public_key()).map_err(SignError::crypto)?;
    if public != root.tbs_certificate.subject_public_key_info {
        return Err(SignError::BadKeyFile {
            path: paths.cert,
            reason: "根证书与根密钥不匹配".to_owned(),
        });
    }
    Ok((root, SigningKey::from(&secret)))
}

/// What the county vouches for in an assessor certificate.
#[derive(Debug, Clone)]
pub struct Issue<'a> {
    /// The account's login (must be the request's `UID`).
    pub login: &'a str,
    /// The registered name (must be the request's `CN`).
    pub name: &'a str,
    /// The assessor certificate number (评估员证书编号).
    pub number: &'a str,
    /// Start of validity.
    pub not_before: DateTime<Utc>,
    /// End of validity (at most the root's).
    pub not_after: DateTime<Utc>,
}

/// Whether `number` can be an assessor certificate number (a `PrintableString`).
fn check_number(number: &str) -> Result<&str, SignError> {
    let number = number.trim();
    let printable = |c: char| c.is_ascii_alphanumeric() || " '()+,-./:=?".contains(c);
    if number.is_empty() || number.len() > 64 || !number.chars().all(printable) {
        return Err(SignError::BadIssue(
            "评估员证书编号须为 1–64 个字母、数字或 -./:() 等符号".to_owned(),
        ));
    }
    Ok(number)
}

/// The checks of [`issue`] that need no key: the request names `issue`'s login and
/// name, the number is usable and the validity is not empty. Returns the trimmed login,
/// name and number.
pub fn check_request<'a>(
    request: &Request,
    issue: &Issue<'a>,
) -> Result<(&'a str, &'a str, &'a str), SignError> {
    let login = check_name(issue.login)?;
    let name = check_name(issue.name)?;
    let number = check_number(issue.number)?;
    if request.login != login {
        return Err(SignError::BadIssue(format!(
            "申请中的账号（UID）是 {}，与 --login {login} 不一致",
            request.login
        )));
    }
    if request.name != name {
        return Err(SignError::BadIssue("申请中的姓名（CN）与 --name 登记的姓名不一致".to_owned()));
    }
    if issue.not_after <= issue.not_before {
        return Err(SignError::BadIssue("有效期的结束早于开始".to_owned()));
    }
    Ok((login, name, number))
}

/// Issues an assessor certificate for `request` (checked by
/// [`super::request::read_request`]) with the root unlocked by `passphrase`, and records
/// it in the registry.
pub fn issue(
    dir: &Path,
    passphrase: &str,
    request: &Request,
    issue: &Issue<'_>,
    now: DateTime<Utc>,
) -> Result<Certificate, SignError> {
    let (login, name, number) = check_request(request, issue)?;
    let (root, key) = unlock_root(dir, passphrase)?;
    let root_until: DateTime<Utc> = root.tbs_certificate.validity.not_after.to_system_time().into();
    if issue.not_after > root_until {
        return Err(SignError::BadIssue("有效期超过了县级根证书的有效期".to_owned()));
    }
    let root_subject = &root.tbs_certificate.subject;
    let organisation = subject_text(root_subject, ORGANIZATION_NAME)
        .ok_or_else(|| SignError::Crypto("根证书没有机构名称（O）".to_owned()))?;
    let subject = name_of(&[
        (COUNTRY_NAME, "CN"),
        (ORGANIZATION_NAME, &organisation),
        (COMMON_NAME, name),
        (UID, login),
        (SERIAL_NUMBER, number),
    ])?;
    let profile = Profile::Leaf {
        issuer: root_subject.clone(),
        enable_key_agreement: false,
        enable_key_encipherment: false,
    };
    let serial = random_serial()?;
    let certificate = CertificateBuilder::new(
        profile,
        serial.clone(),
        validity(issue.not_before, issue.not_after)?,
        subject,
        request.request.info.public_key.clone(),
        &key,
    )
    .map_err(SignError::crypto)?
    .build::<DerSignature>()
    .map_err(SignError::crypto)?;

    let _lock = ca_registry::lock(dir)?;
    let mut registry = ca_registry::load(dir)?;
    registry.certificates.push(IssuedCertificate {
        serial: serial_hex(&serial),
        login: login.to_owned(),
        name: name.to_owned(),
        number: number.to_owned(),
        not_before: issue.not_before,
        not_after: issue.not_after,
        issued_at: now,
        revoked_at: None,
    });
    ca_registry::save(dir, &registry)?;
    Ok(certificate)
}

/// Which certificate `ca revoke` revokes.
#[derive(Debug, Clone, Copy)]
pub enum RevokeTarget<'a> {
    /// Its serial number in hex (case and `:` separators do not matter).
    Serial(&'a str),
    /// The certificate itself.
    Certificate(&'a Certificate),
}

/// What `ca revoke` did.
#[derive(Debug, Clone)]
pub struct Revoked {
    /// The revoked certificate's serial, lower-case hex.
    pub serial: String,
    /// The fresh CRL (also written to [`CaPaths::crl`]).
    pub crl_pem: String,
    /// The CRL file in `<dir>/ca/`.
    pub crl_path: PathBuf,
    /// The CRL number.
    pub crl_number: u64,
    /// How many certificates the CRL lists.
    pub revoked: usize,
}

/// Marks a certificate this root issued as revoked at `now` (a revoked one keeps its
/// first date) and writes a fresh CRL signed by the root.
pub fn revoke(
    dir: &Path,
    passphrase: &str,
    target: RevokeTarget<'_>,
    now: DateTime<Utc>,
) -> Result<Revoked, SignError> {
    let (root, key) = unlock_root(dir, passphrase)?;
    let serial = match target {
        RevokeTarget::Serial(text) => normalise_serial(text),
        RevokeTarget::Certificate(cert) => {
            if !verify_issued_by(cert, &root) {
                return Err(SignError::BadIssue("该证书不是本机县级根证书签发的".to_owned()));
            }
            serial_hex(&cert.tbs_certificate.serial_number)
        }
    };
    let _lock = ca_registry::lock(dir)?;
    let mut registry = ca_registry::load(dir)?;
    let entry = registry
        .certificates
        .iter_mut()
        .find(|entry| entry.serial == serial)
        .ok_or_else(|| SignError::UnknownSerial(serial.clone()))?;
    entry.revoked_at.get_or_insert(now);
    registry.crl_number += 1;
    let mut revoked = Vec::new();
    for entry in &registry.certificates {
        if let Some(at) = entry.revoked_at {
            let bytes = hex_bytes(&entry.serial)
                .ok_or_else(|| SignError::UnknownSerial(entry.serial.clone()))?;
            let number =
                x509_cert::serial_number::SerialNumber::new(&bytes).map_err(SignError::crypto)?;
            revoked.push((number, at));
        }
    }
    let crl = build_crl(&key, &root, &revoked, registry.crl_number, now)?;
    let crl_pem = crl_to_pem(&crl)?;
    ca_registry::save(dir, &registry)?;
    let crl_path = ca_paths(dir).crl;
    crate::output::atomic::write_atomically(&crl_path, crl_pem.as_bytes())
        .map_err(|err| SignError::io(&crl_path, err))?;
    Ok(Revoked {
        serial,
        crl_pem,
        crl_path,
        crl_number: registry.crl_number,
        revoked: revoked.len(),
    })
}

/// A serial as typed: lower case, without `:`, spaces or a `0x` prefix.
fn normalise_serial(text: &str) -> String {
    let text = text.trim();
    let text = text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")).unwrap_or(text);
    text.chars().filter(|c| *c != ':' && !c.is_whitespace()).collect::<String>().to_lowercase()
}

fn hex_bytes(hex: &str) -> Option<Vec<u8>> {
    if !hex.len().is_multiple_of(2) {
        return None;
    }
    (0..hex.len()).step_by(2).map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok()).collect()
}
