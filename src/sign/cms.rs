//! The CMS `SignedData` inside a PDF signature, built and read by hand.
//!
//! Built from the `RustCrypto` `cms` types without that crate's `builder` feature (which
//! would pull in the `rsa` crate): a detached `SignedData` (`eContentType` id-data, no
//! content), the signer's certificate plus any extra certificates (a chain), one
//! `SignerInfo` identified by issuer and serial number, digest SHA-256, signature ECDSA
//! P-256 over the DER `SET` of the signed attributes.
//!
//! The signed attributes are those of CAdES / PAdES baseline B-B (ETSI EN 319 122-1,
//! EN 319 142-1): contentType, messageDigest and the ESS signing-certificate-v2
//! (RFC 5035: the SHA-256 of the signer's certificate, hash algorithm left at its
//! default, no issuerSerial). There is **no** signingTime: the claimed time is the
//! signature dictionary's `/M`.
//!
//! The `certificates` field is a DER `SET OF`, so the certificates are stored sorted by
//! their encoding, not in the order given; [`inspect`] finds the signer's certificate by
//! the `SignerInfo`'s issuer and serial number (or subject key identifier).

use chrono::{DateTime, Utc};
use cms::cert::{CertificateChoices, IssuerAndSerialNumber};
use cms::content_info::{CmsVersion, ContentInfo};
use cms::signed_data::{
    CertificateSet, EncapsulatedContentInfo, SignedData, SignerIdentifier, SignerInfo, SignerInfos,
};
use const_oid::db::rfc4519::COMMON_NAME;
use const_oid::db::rfc5280::ID_CE_SUBJECT_KEY_IDENTIFIER;
use const_oid::db::rfc5911::{
    ID_AA_SIGNING_CERTIFICATE_V_2, ID_CONTENT_TYPE, ID_DATA, ID_MESSAGE_DIGEST, ID_SIGNED_DATA,
    ID_SIGNING_TIME,
};
use const_oid::db::rfc5912::{ECDSA_WITH_SHA_256, ID_SHA_256};
use der::asn1::{OctetString, SetOfVec};
use der::{Any, Decode as _, Encode as _, Sequence, SliceReader};
use p256::ecdsa::signature::Signer as _;
use p256::ecdsa::{DerSignature, SigningKey};
use sha2::{Digest as _, Sha256};
use spki::AlgorithmIdentifierOwned;
use x509_cert::Certificate;
use x509_cert::attr::{Attribute, Attributes};
use x509_cert::time::Time;

use super::x509::subject_text;
use super::{SignError, Signer};

/// ESS `ESSCertIDv2` (RFC 5035 §4).
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct EssCertIdV2 {
    /// Absent means SHA-256 (the DEFAULT, which DER leaves out).
    #[asn1(optional = "true")]
    hash_algorithm: Option<AlgorithmIdentifierOwned>,
    cert_hash: OctetString,
    /// `IssuerSerial`, kept undecoded: it is only a hint; the hash binds the certificate.
    #[asn1(optional = "true")]
    issuer_serial: Option<Any>,
}

/// ESS `SigningCertificateV2` (RFC 5035 §3); the first `ESSCertIDv2` names the signer's
/// certificate.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct SigningCertificateV2 {
    certs: Vec<EssCertIdV2>,
    #[asn1(optional = "true")]
    policies: Option<Any>,
}

/// The DER of a `ContentInfo(SignedData)` signing `digest` (SHA-256 of the signed bytes)
/// with `signer`'s key, carrying `signer`'s certificate and then `extra_certificates`
/// (e.g. the issuing county root); duplicates of the signer's certificate are dropped.
pub(crate) fn signed_data(
    signer: &Signer,
    extra_certificates: &[Certificate],
    digest: &[u8; 32],
) -> Result<Vec<u8>, SignError> {
    build(
        &|message| p256_sign(signer.signing_key(), message),
        signer.certificate(),
        extra_certificates,
        Content::Detached(digest),
    )
}

/// An ECDSA P-256 signature (DER) over `message` by `key`.
pub(crate) fn p256_sign(key: &SigningKey, message: &[u8]) -> Result<Vec<u8>, SignError> {
    let signature: DerSignature = key.try_sign(message).map_err(SignError::crypto)?;
    Ok(signature.as_bytes().to_vec())
}

/// What a `SignedData` signs.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Content<'a> {
    /// Detached content (a PDF signature): `eContentType` id-data, no `eContent`, the
    /// messageDigest is this SHA-256 of the signed bytes.
    Detached(&'a [u8; 32]),
    /// Encapsulated content (an RFC 3161 `TSTInfo`): its type and DER, carried in
    /// `eContent`; the messageDigest is the SHA-256 of that DER. The `SignedData` is
    /// version 3, as RFC 5652 §5.1 requires for a type other than id-data.
    Encapsulated {
        /// The `eContentType`, e.g. id-ct-TSTInfo.
        content_type: der::oid::ObjectIdentifier,
        /// The content's DER.
        der: &'a [u8],
    },
}

/// How a CMS is signed: the message in, the DER ECDSA signature out.
pub(crate) type SignFn<'a> = dyn Fn(&[u8]) -> Result<Vec<u8>, SignError> + 'a;

/// The DER of a `ContentInfo(SignedData)` over `content`, signed by `sign` for the key
/// whose certificate is `certificate`, with `extra_certificates` after it (duplicates dropped).
/// The signed attributes are contentType, messageDigest and signing-certificate-v2.
pub(crate) fn build(
    sign: &SignFn<'_>,
    certificate: &Certificate,
    extra_certificates: &[Certificate],
    content: Content<'_>,
) -> Result<Vec<u8>, SignError> {
    let cert_hash: [u8; 32] =
        Sha256::digest(certificate.to_der().map_err(SignError::crypto)?).into();
    let ess = SigningCertificateV2 {
        certs: vec![EssCertIdV2 {
            hash_algorithm: None,
            cert_hash: OctetString::new(cert_hash.to_vec()).map_err(SignError::crypto)?,
            issuer_serial: None,
        }],
        policies: None,
    };
    let (content_type, digest, econtent, version) = match content {
        Content::Detached(digest) => (ID_DATA, *digest, None, CmsVersion::V1),
        Content::Encapsulated { content_type, der } => {
            let econtent = Any::new(der::Tag::OctetString, der).map_err(SignError::crypto)?;
            (content_type, Sha256::digest(der).into(), Some(econtent), CmsVersion::V3)
        }
    };
    let attrs: Attributes = set(vec![
        attribute(ID_CONTENT_TYPE, Any::encode_from(&content_type).map_err(SignError::crypto)?)?,
        attribute(
            ID_MESSAGE_DIGEST,
            Any::encode_from(&OctetString::new(digest.to_vec()).map_err(SignError::crypto)?)
                .map_err(SignError::crypto)?,
        )?,
        attribute(
            ID_AA_SIGNING_CERTIFICATE_V_2,
            Any::encode_from(&ess).map_err(SignError::crypto)?,
        )?,
    ])?;
    let to_sign = attrs.to_der().map_err(SignError::crypto)?;
    let signature = sign(&to_sign)?;

    let sha256 = AlgorithmIdentifierOwned { oid: ID_SHA_256, parameters: None };
    let signer_info = SignerInfo {
        version: CmsVersion::V1,
        sid: SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
            issuer: certificate.tbs_certificate.issuer.clone(),
            serial_number: certificate.tbs_certificate.serial_number.clone(),
        }),
        digest_alg: sha256.clone(),
        signed_attrs: Some(attrs),
        signature_algorithm: AlgorithmIdentifierOwned { oid: ECDSA_WITH_SHA_256, parameters: None },
        signature: OctetString::new(signature).map_err(SignError::crypto)?,
        unsigned_attrs: None,
    };
    let mut certificates = vec![CertificateChoices::Certificate(certificate.clone())];
    for extra in extra_certificates {
        let choice = CertificateChoices::Certificate(extra.clone());
        if !certificates.contains(&choice) {
            certificates.push(choice);
        }
    }
    let signed_data = SignedData {
        version,
        digest_algorithms: set(vec![sha256])?,
        encap_content_info: EncapsulatedContentInfo { econtent_type: content_type, econtent },
        certificates: Some(CertificateSet(set(certificates)?)),
        crls: None,
        signer_infos: SignerInfos(set(vec![signer_info])?),
    };
    ContentInfo {
        content_type: ID_SIGNED_DATA,
        content: Any::encode_from(&signed_data).map_err(SignError::crypto)?,
    }
    .to_der()
    .map_err(SignError::crypto)
}

fn set<T: der::DerOrd>(items: Vec<T>) -> Result<SetOfVec<T>, SignError> {
    SetOfVec::try_from(items).map_err(SignError::crypto)
}

fn attribute(oid: der::oid::ObjectIdentifier, value: Any) -> Result<Attribute, SignError> {
    Ok(Attribute { oid, values: set(vec![value])? })
}

/// What a signature's CMS says, and whether its own signature holds.
#[derive(Debug, Default)]
pub(crate) struct Inspected {
    /// Common name of the signing certificate.
    pub signer: Option<String>,
    /// The signer's certificate: the one the `SignerInfo` names (issuer and serial
    /// number, or subject key identifier); `None` when no embedded certificate matches.
    pub certificate: Option<Certificate>,
    /// Every certificate embedded in the CMS (the signer's among them), as stored.
    #[cfg_attr(
        not(test),
        expect(dead_code, reason = "for the chain building of the verifier (issue 14)")
    )]
    pub certificates: Vec<Certificate>,
    /// The signingTime attribute, if there is one (PAdES signatures have none: the
    /// claimed time is the signature dictionary's `/M`).
    pub signing_time: Option<DateTime<Utc>>,
    /// The messageDigest attribute, if the digest algorithm is SHA-256.
    pub sha256_digest: Option<Vec<u8>>,
    /// The `eContentType` (id-data for a PDF signature, id-ct-TSTInfo for a time-stamp).
    pub econtent_type: Option<der::oid::ObjectIdentifier>,
    /// The encapsulated content's bytes (the `eContent` OCTET STRING), if any.
    pub econtent: Option<Vec<u8>>,
    /// The ECDSA P-256 signature over the signed attributes verifies with the
    /// certificate's key.
    pub signature_ok: bool,
    /// A signing-certificate-v2 attribute is signed and its first `ESSCertIDv2` is the
    /// SHA-256 (the only hash accepted) of the signer's certificate.
    pub ess_cert_ok: bool,
}

/// Reads a `/Contents` value (DER, possibly followed by zero padding).
pub(crate) fn inspect(contents: &[u8]) -> Result<Inspected, String> {
    let mut reader = SliceReader::new(contents).map_err(|e| e.to_string())?;
    let info = ContentInfo::decode(&mut reader).map_err(|e| e.to_string())?;
    if info.content_type != ID_SIGNED_DATA {
        return Err(format!("不是 SignedData：{}", info.content_type));
    }
    let signed: SignedData = info.content.decode_as().map_err(|e| e.to_string())?;
    let signer_info = signed.signer_infos.0.iter().next().ok_or("没有 SignerInfo")?;
    let certificates: Vec<Certificate> = signed
        .certificates
        .iter()
        .flat_map(|set| set.0.iter())
        .filter_map(|choice| match choice {
            CertificateChoices::Certificate(cert) => Some(cert.clone()),
            CertificateChoices::Other(_) => None,
        })
        .collect();
    let certificate = certificates.iter().find(|c| names_signer(&signer_info.sid, c)).cloned();

    let mut inspected = Inspected {
        econtent_type: Some(signed.encap_content_info.econtent_type),
        econtent: signed
            .encap_content_info
            .econtent
            .as_ref()
            .and_then(|any| any.decode_as::<OctetString>().ok())
            .map(OctetString::into_bytes),
        signer: certificate
            .as_ref()
            .and_then(|c| subject_text(&c.tbs_certificate.subject, COMMON_NAME)),
        ..Inspected::default()
    };
    let Some(attrs) = &signer_info.signed_attrs else {
        return Ok(Inspected { certificate, certificates, ..inspected });
    };
    for attr in attrs.iter() {
        let Some(value) = attr.values.iter().next() else { continue };
        if attr.oid == ID_MESSAGE_DIGEST && signer_info.digest_alg.oid == ID_SHA_256 {
            inspected.sha256_digest =
                value.decode_as::<OctetString>().ok().map(OctetString::into_bytes);
        } else if attr.oid == ID_SIGNING_TIME {
            inspected.signing_time = value
                .to_der()
                .and_then(|der| Time::from_der(&der))
                .ok()
                .map(|time| DateTime::<Utc>::from(time.to_system_time()));
        } else if attr.oid == ID_AA_SIGNING_CERTIFICATE_V_2
            && let Some(certificate) = &certificate
        {
            inspected.ess_cert_ok = ess_names(value, certificate);
        }
    }
    if let Some(certificate) = &certificate
        && signer_info.signature_algorithm.oid == ECDSA_WITH_SHA_256
    {
        let spki = certificate.tbs_certificate.subject_public_key_info.to_der();
        inspected.signature_ok = match (spki, attrs.to_der()) {
            (Ok(spki), Ok(message)) => {
                super::ecdsa::verify_spki_der(&spki, &message, signer_info.signature.as_bytes())
            }
            _ => false,
        };
    }
    Ok(Inspected { certificate, certificates, ..inspected })
}

/// Whether `sid` identifies `certificate`.
fn names_signer(sid: &SignerIdentifier, certificate: &Certificate) -> bool {
    let tbs = &certificate.tbs_certificate;
    match sid {
        SignerIdentifier::IssuerAndSerialNumber(id) => {
            tbs.issuer == id.issuer && tbs.serial_number == id.serial_number
        }
        SignerIdentifier::SubjectKeyIdentifier(ski) => tbs
            .extensions
            .iter()
            .flatten()
            .filter(|ext| ext.extn_id == ID_CE_SUBJECT_KEY_IDENTIFIER)
            .any(|ext| {
                OctetString::from_der(ext.extn_value.as_bytes())
                    .is_ok_and(|value| value.as_bytes() == ski.0.as_bytes())
            }),
    }
}

/// Whether a signing-certificate-v2 value's first entry is the SHA-256 of `certificate`.
fn ess_names(value: &Any, certificate: &Certificate) -> bool {
    let Ok(ess) = value.decode_as::<SigningCertificateV2>() else { return false };
    let Some(first) = ess.certs.first() else { return false };
    let sha256 = first.hash_algorithm.as_ref().is_none_or(|alg| alg.oid == ID_SHA_256);
    let Ok(der) = certificate.to_der() else { return false };
    sha256 && first.cert_hash.as_bytes() == Sha256::digest(der).as_ref() as &[u8]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sign::{KdfCost, create_key_with_cost, load_signer};

    fn signers(tag: &str) -> (std::path::PathBuf, Signer, Signer) {
        let dir =
            std::env::temp_dir().join(format!("elder-assess-cms-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let now = DateTime::parse_from_rfc3339("2026-11-28T01:00:00Z").unwrap().to_utc();
        for name in ["张三", "李四"] {
            create_key_with_cost(&dir, name, "cms test passphrase", now, KdfCost::TestOnly)
                .unwrap();
        }
        let one = load_signer(&dir, "张三", "cms test passphrase").unwrap();
        let two = load_signer(&dir, "李四", "cms test passphrase").unwrap();
        (dir, one, two)
    }

    #[test]
    fn inspect_finds_the_signer_among_extra_certificates_and_checks_ess() {
        let (dir, signer, other) = signers("extra");
        let digest = [7u8; 32];
        let mut der = signed_data(&signer, &[other.certificate().clone()], &digest).unwrap();
        der.extend_from_slice(&[0; 40]);
        let inspected = inspect(&der).unwrap();
        assert_eq!(inspected.signer.as_deref(), Some("张三"));
        assert_eq!(inspected.certificate.as_ref(), Some(signer.certificate()));
        assert_eq!(inspected.certificates.len(), 2);
        assert!(inspected.certificates.contains(other.certificate()));
        assert_eq!(inspected.sha256_digest.as_deref(), Some(&digest[..]));
        assert!(inspected.signature_ok && inspected.ess_cert_ok, "{inspected:?}");
        assert_eq!(inspected.signing_time, None);

        // The attribute names the signer's certificate, not just any embedded one.
        let ess = |cert: &Certificate| {
            let hash = Sha256::digest(cert.to_der().unwrap());
            Any::encode_from(&SigningCertificateV2 {
                certs: vec![EssCertIdV2 {
                    hash_algorithm: None,
                    cert_hash: OctetString::new(hash.to_vec()).unwrap(),
                    issuer_serial: None,
                }],
                policies: None,
            })
            .unwrap()
        };
        assert!(ess_names(&ess(signer.certificate()), signer.certificate()));
        assert!(!ess_names(&ess(other.certificate()), signer.certificate()));
        std::fs::remove_dir_all(dir).unwrap();
    }
}
