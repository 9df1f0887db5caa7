//! Certificate revocation lists (CRLs, RFC 5280 §5) of the county root: building and
//! signing one (`ca revoke`), PEM (`X509 CRL`) in and out, and the CRL number.
//!
//! A CRL carries thisUpdate (the injected time), nextUpdate ([`CRL_VALIDITY_DAYS`] later),
//! every revoked serial with its revocation date, and two extensions: the authority key
//! identifier (the root's subject key identifier) and a CRL number that grows by one with
//! every CRL, so a machine can tell a newer list from an older one.

use chrono::{DateTime, TimeDelta, Utc};
use const_oid::AssociatedOid as _;
use const_oid::db::rfc5912::ECDSA_WITH_SHA_256;
use der::asn1::{BitString, Uint};
use der::pem::LineEnding;
use der::{Decode as _, Encode as _};
use p256::ecdsa::signature::Signer as _;
use p256::ecdsa::{DerSignature, SigningKey};
use spki::AlgorithmIdentifierOwned;
use x509_cert::Certificate;
use x509_cert::crl::{CertificateList, RevokedCert, TbsCertList};
use x509_cert::ext::AsExtension as _;
use x509_cert::ext::pkix::{AuthorityKeyIdentifier, CrlNumber, SubjectKeyIdentifier};
use x509_cert::serial_number::SerialNumber;

use super::SignError;

/// How long a CRL is current: its nextUpdate is this many days after thisUpdate.
pub const CRL_VALIDITY_DAYS: i64 = 30;

/// The PEM label of a CRL.
pub const CRL_PEM_LABEL: &str = "X509 CRL";

/// A CRL of `root` (whose key is `key`) listing `revoked` (serial, revocation time),
/// numbered `number`, issued at `now`.
pub(super) fn build_crl(
    key: &SigningKey,
    root: &Certificate,
    revoked: &[(SerialNumber, DateTime<Utc>)],
    number: u64,
    now: DateTime<Utc>,
) -> Result<CertificateList, SignError> {
    let time = |t: DateTime<Utc>| {
        x509_cert::time::Time::try_from(std::time::SystemTime::from(t)).map_err(SignError::crypto)
    };
    let next = now
        .checked_add_signed(TimeDelta::days(CRL_VALIDITY_DAYS))
        .ok_or_else(|| SignError::Crypto("吊销列表有效期超出范围".to_owned()))?;
    let mut entries = Vec::with_capacity(revoked.len());
    for (serial, at) in revoked {
        entries.push(RevokedCert {
            serial_number: serial.clone(),
            revocation_date: time(*at)?,
            crl_entry_extensions: None,
        });
    }
    let issuer = root.tbs_certificate.subject.clone();
    let ski = root
        .tbs_certificate
        .get::<SubjectKeyIdentifier>()
        .map_err(SignError::crypto)?
        .ok_or_else(|| SignError::Crypto("根证书没有主体密钥标识符".to_owned()))?
        .1;
    let aki = AuthorityKeyIdentifier {
        key_identifier: Some(ski.0),
        authority_cert_issuer: None,
        authority_cert_serial_number: None,
    };
    let number = CrlNumber(Uint::new(&number.to_be_bytes()).map_err(SignError::crypto)?);
    let extensions = vec![
        aki.to_extension(&issuer, &[]).map_err(SignError::crypto)?,
        number.to_extension(&issuer, &[]).map_err(SignError::crypto)?,
    ];
    let algorithm = AlgorithmIdentifierOwned { oid: ECDSA_WITH_SHA_256, parameters: None };
    let tbs = TbsCertList {
        version: x509_cert::Version::V2,
        signature: algorithm.clone(),
        issuer,
        this_update: time(now)?,
        next_update: Some(time(next)?),
        revoked_certificates: (!entries.is_empty()).then_some(entries),
        crl_extensions: Some(extensions),
    };
    let signature: DerSignature = key.sign(&tbs.to_der().map_err(SignError::crypto)?);
    let signature = BitString::from_bytes(signature.as_bytes()).map_err(SignError::crypto)?;
    Ok(CertificateList { tbs_cert_list: tbs, signature_algorithm: algorithm, signature })
}

/// The CRL as PEM (`X509 CRL`).
pub fn crl_to_pem(crl: &CertificateList) -> Result<String, SignError> {
    let der = crl.to_der().map_err(SignError::crypto)?;
    der::pem::encode_string(CRL_PEM_LABEL, LineEnding::LF, &der).map_err(SignError::crypto)
}

/// A CRL from PEM (`X509 CRL`); `None` if the text is not one.
pub fn crl_from_pem(pem: &[u8]) -> Option<CertificateList> {
    let (label, der) = der::pem::decode_vec(pem).ok()?;
    if label != CRL_PEM_LABEL {
        return None;
    }
    CertificateList::from_der(&der).ok()
}

/// The CRL number extension's value, if present and at most 64 bits.
pub fn crl_number(crl: &CertificateList) -> Option<u64> {
    let extension = crl
        .tbs_cert_list
        .crl_extensions
        .as_ref()?
        .iter()
        .find(|ext| ext.extn_id == CrlNumber::OID)?;
    let number = CrlNumber::from_der(extension.extn_value.as_bytes()).ok()?;
    let bytes = number.0.as_bytes();
    if bytes.len() > 8 {
        return None;
    }
    Some(bytes.iter().fold(0u64, |n, &b| (n << 8) | u64::from(b)))
}

/// A serial number as lower-case hex (how `ca list` prints it and `ca revoke` reads it).
pub fn serial_hex(serial: &SerialNumber) -> String {
    serial.as_bytes().iter().fold(String::new(), |mut hex, byte| {
        use std::fmt::Write as _;
        let _ = write!(hex, "{byte:02x}");
        hex
    })
}
