//! The CMS `SignedData` inside a PDF signature, built and read by hand.
//!
//! Built from the `RustCrypto` `cms` types without that crate's `builder` feature (which
//! would pull in the `rsa` crate): a detached `SignedData` (`eContentType` id-data, no
//! content), one certificate, one `SignerInfo` identified by issuer and serial number,
//! digest SHA-256, signature ECDSA P-256 over the DER `SET` of the signed attributes
//! contentType, messageDigest and signingTime (RFC 5652 §5.4).

use std::time::SystemTime;

use chrono::{DateTime, Datelike as _, Utc};
use cms::cert::{CertificateChoices, IssuerAndSerialNumber};
use cms::content_info::{CmsVersion, ContentInfo};
use cms::signed_data::{
    CertificateSet, EncapsulatedContentInfo, SignedData, SignerIdentifier, SignerInfo, SignerInfos,
};
use const_oid::db::rfc4519::COMMON_NAME;
use const_oid::db::rfc5911::{
    ID_CONTENT_TYPE, ID_DATA, ID_MESSAGE_DIGEST, ID_SIGNED_DATA, ID_SIGNING_TIME,
};
use const_oid::db::rfc5912::{ECDSA_WITH_SHA_256, ID_SHA_256};
use der::asn1::{
    GeneralizedTime, Ia5StringRef, OctetString, PrintableStringRef, SetOfVec, TeletexStringRef,
    UtcTime, Utf8StringRef,
};
use der::{Any, Decode as _, Encode as _, SliceReader, Tag, Tagged as _};
use p256::ecdsa::signature::{Signer as _, Verifier as _};
use p256::ecdsa::{DerSignature, VerifyingKey};
use spki::{AlgorithmIdentifierOwned, DecodePublicKey as _};
use x509_cert::Certificate;
use x509_cert::attr::{Attribute, Attributes};
use x509_cert::name::Name;
use x509_cert::time::Time;

use super::{SignError, Signer};

/// The DER of a `ContentInfo(SignedData)` signing `digest` (SHA-256 of the signed bytes).
pub(crate) fn signed_data(
    signer: &Signer,
    digest: &[u8; 32],
    signing_time: DateTime<Utc>,
) -> Result<Vec<u8>, SignError> {
    let certificate = signer.certificate();
    let time = SystemTime::from(signing_time);
    // RFC 5652 §11.3: UTCTime through 2049, GeneralizedTime from 2050.
    let time = if signing_time.year() < 2050 {
        Any::encode_from(&UtcTime::from_system_time(time).map_err(SignError::crypto)?)
    } else {
        Any::encode_from(&GeneralizedTime::from_system_time(time).map_err(SignError::crypto)?)
    }
    .map_err(SignError::crypto)?;
    let attrs: Attributes = set(vec![
        attribute(ID_CONTENT_TYPE, Any::encode_from(&ID_DATA).map_err(SignError::crypto)?)?,
        attribute(
            ID_MESSAGE_DIGEST,
            Any::encode_from(&OctetString::new(digest.to_vec()).map_err(SignError::crypto)?)
                .map_err(SignError::crypto)?,
        )?,
        attribute(ID_SIGNING_TIME, time)?,
    ])?;
    let to_sign = attrs.to_der().map_err(SignError::crypto)?;
    let signature: DerSignature =
        signer.signing_key().try_sign(&to_sign).map_err(SignError::crypto)?;

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
        signature: OctetString::new(signature.as_bytes()).map_err(SignError::crypto)?,
        unsigned_attrs: None,
    };
    let signed_data = SignedData {
        version: CmsVersion::V1,
        digest_algorithms: set(vec![sha256])?,
        encap_content_info: EncapsulatedContentInfo { econtent_type: ID_DATA, econtent: None },
        certificates: Some(CertificateSet(set(vec![CertificateChoices::Certificate(
            certificate.clone(),
        )])?)),
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
    /// The signing certificate.
    pub certificate: Option<Certificate>,
    /// The signingTime attribute.
    pub signing_time: Option<DateTime<Utc>>,
    /// The messageDigest attribute, if the digest algorithm is SHA-256.
    pub sha256_digest: Option<Vec<u8>>,
    /// The ECDSA P-256 signature over the signed attributes verifies with the
    /// certificate's key.
    pub signature_ok: bool,
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
    let certificates: Vec<&Certificate> = signed
        .certificates
        .iter()
        .flat_map(|set| set.0.iter())
        .filter_map(|choice| match choice {
            CertificateChoices::Certificate(cert) => Some(cert),
            CertificateChoices::Other(_) => None,
        })
        .collect();
    let certificate = match &signer_info.sid {
        SignerIdentifier::IssuerAndSerialNumber(id) => certificates.iter().find(|c| {
            c.tbs_certificate.issuer == id.issuer
                && c.tbs_certificate.serial_number == id.serial_number
        }),
        SignerIdentifier::SubjectKeyIdentifier(_) => None,
    }
    .or_else(|| certificates.first())
    .copied();

    let mut inspected = Inspected {
        signer: certificate.and_then(|c| common_name(&c.tbs_certificate.subject)),
        certificate: certificate.cloned(),
        ..Inspected::default()
    };
    let Some(attrs) = &signer_info.signed_attrs else {
        return Ok(inspected);
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
        }
    }
    if let Some(certificate) = certificate
        && signer_info.signature_algorithm.oid == ECDSA_WITH_SHA_256
    {
        let verified = (|| {
            let spki = certificate.tbs_certificate.subject_public_key_info.to_der().ok()?;
            let key = VerifyingKey::from_public_key_der(&spki).ok()?;
            let signature = DerSignature::try_from(signer_info.signature.as_bytes()).ok()?;
            let message = attrs.to_der().ok()?;
            Some(key.verify(&message, &signature).is_ok())
        })();
        inspected.signature_ok = verified == Some(true);
    }
    Ok(inspected)
}

/// The common name (CN) of an X.500 name, if it has a readable one.
pub(crate) fn common_name(name: &Name) -> Option<String> {
    name.0.iter().rev().flat_map(|rdn| rdn.0.iter()).find(|atv| atv.oid == COMMON_NAME).and_then(
        |atv| {
            let value = &atv.value;
            let text = match value.tag() {
                Tag::Utf8String => Utf8StringRef::try_from(value).ok()?.as_str().to_owned(),
                Tag::PrintableString => {
                    PrintableStringRef::try_from(value).ok()?.as_str().to_owned()
                }
                Tag::Ia5String => Ia5StringRef::try_from(value).ok()?.as_str().to_owned(),
                Tag::TeletexString => TeletexStringRef::try_from(value).ok()?.as_str().to_owned(),
                _ => return None,
            };
            Some(text)
        },
    )
}
