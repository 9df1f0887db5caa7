//! The county's time-stamp authority certificate (`ca issue-tsa`): issued by the county
//! root to a key generated here, for the county server's RFC 3161 time-stamps
//! ([`super::timestamp`]).
//!
//! - Subject `C=CN, O=<root's O>, CN=<name>`; issuer the root; a random positive
//!   16-byte serial; `Profile::Leaf` (digitalSignature + nonRepudiation, CA=false, SKI,
//!   AKI) plus the extended key usage id-kp-timeStamping, alone and critical, as RFC 3161
//!   §2.3 requires of a TSA certificate.
//! - The key is P-256, returned as an unencrypted PKCS#8 PEM: the server signs with it
//!   unattended, so it is protected by its file's mode (0600) and the server's machine,
//!   not by a passphrase.
//! - The issue is recorded in `ca/issued.json` like an assessor certificate, with login
//!   [`TSA_LOGIN`] and number [`TSA_NUMBER`], so `ca list` shows it and `ca revoke`
//!   revokes it by serial.

use std::path::Path;

use chrono::{DateTime, Utc};
use const_oid::AssociatedOid;
use const_oid::db::rfc4519::{COMMON_NAME, COUNTRY_NAME, ORGANIZATION_NAME};
use const_oid::db::rfc5280::ID_KP_TIME_STAMPING;
use der::EncodePem as _;
use der::pem::LineEnding;
use p256::ecdsa::{DerSignature, SigningKey};
use p256::pkcs8::EncodePrivateKey as _;
use rand_core::OsRng;
use spki::SubjectPublicKeyInfoOwned;
use x509_cert::Certificate;
use x509_cert::builder::{Builder as _, CertificateBuilder, Profile};
use x509_cert::ext::pkix::ExtendedKeyUsage;
use x509_cert::ext::{AsExtension, Extension};
use x509_cert::name::Name;
use zeroize::Zeroizing;

use super::SignError;
use super::ca_registry::{self, IssuedCertificate};
use super::crl::serial_hex;
use super::keys::{check_name, random_serial, validity};
use super::x509::{name_of, subject_text};

/// The registry's login column for a time-stamp authority certificate.
pub const TSA_LOGIN: &str = "（时间戳服务）";

/// The registry's number column for a time-stamp authority certificate.
pub const TSA_NUMBER: &str = "TSA";

/// The extended key usage id-kp-timeStamping, marked critical.
struct CriticalTimeStamping(ExtendedKeyUsage);

impl AssociatedOid for CriticalTimeStamping {
    const OID: der::oid::ObjectIdentifier = ExtendedKeyUsage::OID;
}

impl der::Encode for CriticalTimeStamping {
    fn encoded_len(&self) -> der::Result<der::Length> {
        self.0.encoded_len()
    }

    fn encode(&self, writer: &mut impl der::Writer) -> der::Result<()> {
        self.0.encode(writer)
    }
}

impl AsExtension for CriticalTimeStamping {
    fn critical(&self, _subject: &Name, _extensions: &[Extension]) -> bool {
        true
    }
}

/// A time-stamp authority certificate for `public`, named `name`, issued by `root`
/// (with its key `root_key`), valid `not_before..not_after`, with serial `serial`.
pub fn tsa_certificate(
    root: &Certificate,
    root_key: &SigningKey,
    name: &str,
    public: SubjectPublicKeyInfoOwned,
    not_before: DateTime<Utc>,
    not_after: DateTime<Utc>,
) -> Result<Certificate, SignError> {
    let root_subject = &root.tbs_certificate.subject;
    let organisation = subject_text(root_subject, ORGANIZATION_NAME)
        .ok_or_else(|| SignError::Crypto("根证书没有机构名称（O）".to_owned()))?;
    let subject =
        name_of(&[(COUNTRY_NAME, "CN"), (ORGANIZATION_NAME, &organisation), (COMMON_NAME, name)])?;
    let profile = Profile::Leaf {
        issuer: root_subject.clone(),
        enable_key_agreement: false,
        enable_key_encipherment: false,
    };
    let mut builder = CertificateBuilder::new(
        profile,
        random_serial()?,
        validity(not_before, not_after)?,
        subject,
        public,
        root_key,
    )
    .map_err(SignError::crypto)?;
    builder
        .add_extension(&CriticalTimeStamping(ExtendedKeyUsage(vec![ID_KP_TIME_STAMPING])))
        .map_err(SignError::crypto)?;
    builder.build::<DerSignature>().map_err(SignError::crypto)
}

/// What `ca issue-tsa` made.
pub struct IssuedTsa {
    /// The authority's certificate.
    pub certificate: Certificate,
    /// The certificate and then the county root, PEM: what
    /// [`super::timestamp::TimestampAuthority::from_pem`] takes.
    pub cert_pem: String,
    /// The new key, unencrypted PKCS#8 PEM (to be written 0600).
    pub key_pem: Zeroizing<String>,
}

/// Issues a time-stamp authority certificate named `name` to a new P-256 key, with the
/// root unlocked by `passphrase`, valid `now..not_after` (at most the root's), and
/// records it in the registry.
pub fn issue_timestamp_authority(
    dir: &Path,
    passphrase: &str,
    name: &str,
    now: DateTime<Utc>,
    not_after: DateTime<Utc>,
) -> Result<IssuedTsa, SignError> {
    let name = check_name(name)?;
    if not_after <= now {
        return Err(SignError::BadIssue("有效期的结束早于开始".to_owned()));
    }
    let (root, root_key) = super::ca::unlock_root(dir, passphrase)?;
    let root_until: DateTime<Utc> = root.tbs_certificate.validity.not_after.to_system_time().into();
    if not_after > root_until {
        return Err(SignError::BadIssue("有效期超过了县级根证书的有效期".to_owned()));
    }
    let key = SigningKey::random(&mut OsRng);
    let public =
        SubjectPublicKeyInfoOwned::from_key(*key.verifying_key()).map_err(SignError::crypto)?;
    let certificate = tsa_certificate(&root, &root_key, name, public, now, not_after)?;
    let key_pem = key.to_pkcs8_pem(LineEnding::LF).map_err(SignError::crypto)?;
    let mut cert_pem = certificate.to_pem(LineEnding::LF).map_err(SignError::crypto)?;
    cert_pem.push_str(&root.to_pem(LineEnding::LF).map_err(SignError::crypto)?);

    let _lock = ca_registry::lock(dir)?;
    let mut registry = ca_registry::load(dir)?;
    registry.certificates.push(IssuedCertificate {
        serial: serial_hex(&certificate.tbs_certificate.serial_number),
        login: TSA_LOGIN.to_owned(),
        name: name.to_owned(),
        number: TSA_NUMBER.to_owned(),
        not_before: now,
        not_after,
        issued_at: now,
        revoked_at: None,
    });
    ca_registry::save(dir, &registry)?;
    Ok(IssuedTsa { certificate, cert_pem, key_pem: Zeroizing::new(key_pem.to_string()) })
}
