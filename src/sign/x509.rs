//! Small X.509 helpers shared by the certificate authority, the trust store and the
//! verifier: whether a certificate (or a CRL) was signed by an issuer's key, and the text
//! of a name attribute.
//!
//! Only what this program issues is supported: ECDSA P-256 with SHA-256. Anything else is
//! "not signed by" (never an error), so a foreign algorithm can only make a check fail.

use const_oid::ObjectIdentifier;
use const_oid::db::rfc5912::ECDSA_WITH_SHA_256;
use der::asn1::{BitString, Ia5StringRef, PrintableStringRef, TeletexStringRef, Utf8StringRef};
use der::{Encode as _, Tag, Tagged as _};
use spki::AlgorithmIdentifierOwned;
use x509_cert::Certificate;
use x509_cert::crl::CertificateList;
use x509_cert::name::Name;

/// `uid` (RFC 4519): the account login in an assessor certificate's subject.
pub const UID: ObjectIdentifier = ObjectIdentifier::new_unwrap("0.9.2342.19200300.100.1.1");

/// `serialNumber` (X.520): the assessor certificate number (评估员证书编号).
pub const SERIAL_NUMBER: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.5");

/// Whether `signature` over `message` verifies with `issuer`'s public key, by an algorithm
/// this program supports.
pub fn verify_with(
    issuer: &Certificate,
    algorithm: &AlgorithmIdentifierOwned,
    message: &[u8],
    signature: &BitString,
) -> bool {
    verify_with_spki(&issuer.tbs_certificate.subject_public_key_info, algorithm, message, signature)
}

/// Whether `signature` over `message` verifies with the public key `spki`, by an
/// algorithm this program supports (e.g. a certificate request's own signature).
pub fn verify_with_spki(
    spki: &spki::SubjectPublicKeyInfoOwned,
    algorithm: &AlgorithmIdentifierOwned,
    message: &[u8],
    signature: &BitString,
) -> bool {
    if algorithm.oid != ECDSA_WITH_SHA_256 {
        return false;
    }
    match (spki.to_der(), signature.as_bytes()) {
        (Ok(spki), Some(signature)) => super::ecdsa::verify_spki_der(&spki, message, signature),
        _ => false,
    }
}

/// Whether `cert` names `issuer` as its issuer and carries a valid signature by its key.
pub fn verify_issued_by(cert: &Certificate, issuer: &Certificate) -> bool {
    if cert.tbs_certificate.issuer != issuer.tbs_certificate.subject {
        return false;
    }
    let Ok(tbs) = cert.tbs_certificate.to_der() else { return false };
    verify_with(issuer, &cert.signature_algorithm, &tbs, &cert.signature)
}

/// Whether `crl` names `issuer` as its issuer and carries a valid signature by its key.
pub fn verify_crl_issued_by(crl: &CertificateList, issuer: &Certificate) -> bool {
    if crl.tbs_cert_list.issuer != issuer.tbs_certificate.subject {
        return false;
    }
    let Ok(tbs) = crl.tbs_cert_list.to_der() else { return false };
    verify_with(issuer, &crl.signature_algorithm, &tbs, &crl.signature)
}

/// The text of the last attribute `oid` in `name`, if it is a string type.
pub fn subject_text(name: &Name, oid: ObjectIdentifier) -> Option<String> {
    name.0.iter().rev().flat_map(|rdn| rdn.0.iter()).find(|atv| atv.oid == oid).and_then(|atv| {
        let value = &atv.value;
        let text = match value.tag() {
            Tag::Utf8String => Utf8StringRef::try_from(value).ok()?.as_str().to_owned(),
            Tag::PrintableString => PrintableStringRef::try_from(value).ok()?.as_str().to_owned(),
            Tag::Ia5String => Ia5StringRef::try_from(value).ok()?.as_str().to_owned(),
            Tag::TeletexString => TeletexStringRef::try_from(value).ok()?.as_str().to_owned(),
            _ => return None,
        };
        Some(text)
    })
}

/// An X.500 name from `(attribute, value)` pairs, most general first (e.g. C, O, CN):
/// `countryName` and `serialNumber` as `PrintableString`, everything else as `UTF8String`.
pub fn name_of(parts: &[(ObjectIdentifier, &str)]) -> Result<Name, super::SignError> {
    use const_oid::db::rfc4519::COUNTRY_NAME;
    use der::Any;
    use der::asn1::SetOfVec;
    use x509_cert::attr::AttributeTypeAndValue;
    use x509_cert::name::{RdnSequence, RelativeDistinguishedName};

    let crypto = super::SignError::crypto;
    let mut rdns = Vec::with_capacity(parts.len());
    for &(oid, text) in parts {
        let value = if oid == COUNTRY_NAME || oid == SERIAL_NUMBER {
            PrintableStringRef::new(text).and_then(|v| Any::encode_from(&v))
        } else {
            Utf8StringRef::new(text).and_then(|v| Any::encode_from(&v))
        }
        .map_err(crypto)?;
        let set = SetOfVec::try_from(vec![AttributeTypeAndValue { oid, value }]).map_err(crypto)?;
        rdns.push(RelativeDistinguishedName(set));
    }
    Ok(RdnSequence(rdns))
}
