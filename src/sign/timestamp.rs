//! Trusted time: RFC 3161 time-stamp tokens from the county's time-stamp authority, and
//! document time-stamps that make a signed report PAdES baseline B-T.
//!
//! A PAdES B-B signature's time (`/M`) is the signer's word. A document time-stamp
//! (ETSI EN 319 142-1 §5.4, PDF 2.0 §12.8.5) is an incremental update with one more
//! signature dictionary, `/Type /DocTimeStamp /SubFilter /ETSI.RFC3161`, whose
//! `/Contents` is a time-stamp token over the SHA-256 of its `/ByteRange`: the county's
//! authority vouches that every earlier revision, and so every signature in it, existed
//! at the token's `genTime`. EN 319 142-1 accepts such a document time-stamp in place of a
//! signature time-stamp for B-T. The certifying signature's DocMDP P=2 allows it (adding
//! signatures and document time-stamps), and the field is invisible (`/Rect [0 0 0 0]`,
//! no appearance), which pyHanko's difference analysis accepts after certification.
//!
//! The token (RFC 3161 §2.4.2) is a CMS `SignedData` (module `cms`) with
//! `eContentType` id-ct-TSTInfo and the `TSTInfo` (module `tst_info`, policy
//! [`TSA_POLICY`]) encapsulated, signed by the authority's P-256 key with the signed
//! attributes contentType, messageDigest and signing-certificate-v2; it carries the
//! authority's certificate (issued by the county root with the critical extended key
//! usage id-kp-timeStamping, see [`super::ca_tsa`]) and the root.

use std::sync::OnceLock;

use chrono::{DateTime, Utc};
use const_oid::db::rfc4519::COMMON_NAME;
use der::Encode as _;
use lopdf::Object;
use p256::ecdsa::SigningKey;
use p256::pkcs8::DecodePrivateKey as _;
use sha2::{Digest as _, Sha256};
use spki::SubjectPublicKeyInfoOwned;
use x509_cert::Certificate;

use super::chain::is_timestamping;
use super::ecdsa::RingSigner;
use super::pdf::{self, CONTENTS_MARGIN, Placeholder};
use super::tst_info::{ID_CT_TST_INFO, TstInfo};
use super::x509::subject_text;
use super::{SignError, cms, pdf_fields, verify};

pub use super::tst_info::TSA_POLICY;

/// The name of the `n`-th document time-stamp field (`时间戳1`, `时间戳2`, …).
pub const FIELD_PREFIX: &str = "时间戳";

/// A time-stamp authority: its P-256 key, its certificate and the certificates sent
/// along (the county root).
pub struct TimestampAuthority {
    key: SigningKey,
    certificate: Certificate,
    extra_certificates: Vec<Certificate>,
    /// The same key for `ring`, several times faster (`None`: signed by `p256`).
    ring: Option<RingSigner>,
    /// A token's length without its serial number's, measured once (see `token_len`).
    token_base_len: OnceLock<usize>,
}

impl std::fmt::Debug for TimestampAuthority {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TimestampAuthority")
            .field("subject", &self.certificate.tbs_certificate.subject.to_string())
            .finish_non_exhaustive()
    }
}

impl TimestampAuthority {
    /// From PEM texts: the authority's certificate (issued by the county root, extended
    /// key usage id-kp-timeStamping only and critical), optionally followed by more
    /// certificates (the county root) sent along in every token, and its unencrypted
    /// PKCS#8 key. [`SignError::BadTimestampAuthority`] for a certificate without that
    /// key purpose, a key that is not the certificate's, or unreadable PEM.
    pub fn from_pem(cert_pem: &str, key_pem: &str) -> Result<Self, SignError> {
        let bad = |what: String| SignError::BadTimestampAuthority(what);
        let mut chain = Certificate::load_pem_chain(cert_pem.as_bytes())
            .map_err(|err| bad(format!("证书无法读取（{err}）")))?;
        if chain.is_empty() {
            return Err(bad("证书文件中没有证书".to_owned()));
        }
        let certificate = chain.remove(0);
        if !is_timestamping(&certificate) {
            return Err(bad(
                "证书没有关键的 timeStamping 扩展密钥用途（RFC 3161 要求它是唯一用途）".to_owned(),
            ));
        }
        let key = SigningKey::from_pkcs8_pem(key_pem)
            .map_err(|_| bad("私钥不是未加密的 PKCS#8 P-256 私钥".to_owned()))?;
        let public =
            SubjectPublicKeyInfoOwned::from_key(*key.verifying_key()).map_err(SignError::crypto)?;
        if public != certificate.tbs_certificate.subject_public_key_info {
            return Err(bad("私钥与证书不匹配".to_owned()));
        }
        let ring = RingSigner::new(&key);
        Ok(Self {
            key,
            ring,
            certificate,
            extra_certificates: chain,
            token_base_len: OnceLock::new(),
        })
    }

    /// The authority's certificate.
    pub fn certificate(&self) -> &Certificate {
        &self.certificate
    }

    /// The length of this authority's token with serial number `serial`, measured once
    /// (a trial token costs a signature) for the largest serial and adjusted for the
    /// serial's DER length; the signature's DER length varies by a few bytes more, covered
    /// by [`CONTENTS_MARGIN`].
    fn token_len(&self, serial: u128, now: DateTime<Utc>) -> Result<usize, SignError> {
        const LARGEST: u128 = u128::MAX >> 1;
        let base = if let Some(len) = self.token_base_len.get() {
            *len
        } else {
            let len = self.token(&[0; 32], LARGEST, now)?.len() - der_integer_len(LARGEST);
            *self.token_base_len.get_or_init(|| len)
        };
        Ok(base + der_integer_len(serial))
    }

    /// An RFC 3161 `TimeStampToken` (the DER of a `ContentInfo` of `SignedData` with
    /// `eContentType` id-ct-TSTInfo) over the SHA-256 `digest`: `genTime` `now` (whole
    /// seconds), serial number `serial`, policy [`TSA_POLICY`], accuracy one second, with
    /// the signing-certificate-v2 attribute naming the authority's certificate.
    pub fn token(
        &self,
        digest: &[u8; 32],
        serial: u128,
        now: DateTime<Utc>,
    ) -> Result<Vec<u8>, SignError> {
        let info = TstInfo::new(digest, serial, now)?.to_der_bytes()?;
        cms::build(
            &|message| match &self.ring {
                Some(ring) => ring.sign(message).ok_or(SignError::Crypto("ECDSA".to_owned())),
                None => cms::p256_sign(&self.key, message),
            },
            &self.certificate,
            &self.extra_certificates,
            cms::Content::Encapsulated { content_type: ID_CT_TST_INFO, der: &info },
        )
    }
}

/// Appends an incremental update with a document time-stamp (`/Type /DocTimeStamp`,
/// `/SubFilter /ETSI.RFC3161`, `/Contents` the token over the SHA-256 of its
/// `/ByteRange`) in a new invisible field `时间戳N`, covering every earlier signature:
/// PAdES B-T for the report's signatures.
///
/// [`SignError::NotPdf`] for unreadable input, [`SignError::Unsupported`] for an
/// encrypted PDF or one without pages.
pub fn add_document_timestamp(
    pdf: &[u8],
    tsa: &TimestampAuthority,
    serial: u128,
    now: DateTime<Utc>,
) -> Result<Vec<u8>, SignError> {
    let doc = pdf::load(pdf)?;
    let root_id = pdf::root_id(&doc)?;
    let page_id = pdf::page_id(&doc, 0)?;
    let names = verify::field_names(&doc);
    // One of the first `names.len() + 1` numbers is free.
    let field_name = (1..=names.len() + 1)
        .map(|n| format!("{FIELD_PREFIX}{n}"))
        .find(|name| !names.contains(name))
        .unwrap_or_default();
    let reserved = tsa.token_len(serial, now)? + CONTENTS_MARGIN;

    let mut inc = lopdf::IncrementalDocument::create_from(pdf.to_vec(), doc);
    let timestamp_id = inc.new_document.add_object(pdf::placeholder_dictionary(
        "DocTimeStamp",
        "ETSI.RFC3161",
        reserved,
    ));
    let mut widget = pdf_fields::widget(&field_name, page_id, [0.0; 4], None);
    widget.remove(b"Lock");
    widget.set("V", Object::Reference(timestamp_id));
    let widget_id = inc.new_document.add_object(widget);
    pdf_fields::add_field(&mut inc, root_id, Some(widget_id))?;
    pdf_fields::add_annotation(&mut inc, page_id, widget_id)?;

    let mut out = Vec::with_capacity(pdf.len() + 2 * reserved + 2048);
    inc.save_to(&mut out).map_err(|err| SignError::Unsupported(err.to_string()))?;
    let placeholder = Placeholder { old_len: pdf.len(), reserved };
    pdf::fill_signature(&mut out, placeholder, |digest| tsa.token(digest, serial, now))?;
    Ok(out)
}

/// The length of the DER INTEGER content of the non-negative `value` (a leading zero
/// byte when its top bit is set).
fn der_integer_len(value: u128) -> usize {
    let bytes = (16 - (value.leading_zeros() / 8) as usize).max(1);
    let top_bit_set = (value >> ((bytes - 1) * 8)) & 0x80 != 0;
    bytes + usize::from(top_bit_set)
}

/// One document time-stamp found in a PDF, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocTimestamp {
    /// The field's full name (e.g. `时间戳1`); empty for a dictionary no field points to.
    pub field: String,
    /// The token's `genTime`; `None` when the token cannot be read.
    pub gen_time: Option<DateTime<Utc>>,
    /// The token's serial number, if it fits in 128 bits.
    pub serial: Option<u128>,
    /// The authority's certificate subject (RFC 4514 text); empty when unknown.
    pub tsa_subject: String,
    /// The authority's common name, if any.
    pub tsa_name: Option<String>,
    /// The token's SHA-256 message imprint equals the SHA-256 of the `/ByteRange`.
    pub imprint_ok: bool,
    /// The token is a `SignedData` of a `TSTInfo` whose messageDigest matches it, whose
    /// ECDSA P-256 signature verifies with the embedded authority certificate, and whose
    /// signing-certificate-v2 names that certificate.
    pub signature_ok: bool,
    /// The authority's certificate has the critical, sole extended key usage
    /// id-kp-timeStamping.
    pub eku_ok: bool,
    /// The authority's certificate (DER), if the token carries it.
    pub tsa_certificate: Option<Vec<u8>>,
    /// The byte offset where the time-stamped ranges end: every signature whose signed
    /// ranges end at or before it is covered.
    pub covers_whole_file_up_to: usize,
    /// The `/ByteRange`, if it is four non-negative integers.
    pub byte_range: Option<[usize; 4]>,
}

impl DocTimestamp {
    /// The token is intact, by an authority certificate meant for time-stamping, and
    /// time-stamps exactly its byte range (trust in the authority is the verdict's).
    pub fn is_intact(&self) -> bool {
        self.imprint_ok && self.signature_ok && self.eku_ok && self.gen_time.is_some()
    }
}

/// The document time-stamps in `pdf`, in file order, each checked: the token's
/// signature, its message imprint against the SHA-256 of the `/ByteRange`, the
/// authority certificate's timeStamping key purpose, and `genTime`. Trust in the
/// authority (its certificate issued by an installed county root) is checked by
/// [`super::verdict::verify_report`]. [`SignError::NotPdf`] for unreadable input.
pub fn document_timestamps(pdf: &[u8]) -> Result<Vec<DocTimestamp>, SignError> {
    Ok(timestamps_of(pdf, &verify::load(pdf)?))
}

/// [`document_timestamps`] of `pdf` already read as `doc`.
pub(crate) fn timestamps_of(pdf: &[u8], doc: &lopdf::Document) -> Vec<DocTimestamp> {
    let mut out: Vec<DocTimestamp> = verify::signature_dictionaries(doc)
        .into_iter()
        .filter(|(_, sig)| verify::is_doc_timestamp(sig))
        .map(|(field, sig)| {
            let byte_range = verify::byte_range(doc, sig);
            let contents = verify::contents(pdf, doc, sig, byte_range);
            check_token(field, &contents, byte_range, verify::range_digest(pdf, byte_range))
        })
        .collect();
    out.sort_by(|a, b| {
        a.covers_whole_file_up_to.cmp(&b.covers_whole_file_up_to).then(a.field.cmp(&b.field))
    });
    out
}

/// Checks one token (`/Contents`) against the digest of its byte range.
fn check_token(
    field: String,
    contents: &[u8],
    byte_range: Option<[usize; 4]>,
    range_digest: Option<[u8; 32]>,
) -> DocTimestamp {
    let covers_whole_file_up_to =
        byte_range.map_or(0, |[_, _, start, len]| start.saturating_add(len));
    let inspected = cms::inspect(contents).unwrap_or_default();
    let certificate = inspected.certificate.as_ref();
    let econtent =
        inspected.econtent.as_deref().filter(|_| inspected.econtent_type == Some(ID_CT_TST_INFO));
    let info = econtent.and_then(|der| TstInfo::from_der_bytes(der).ok());
    let content_digest_ok = match (econtent, &inspected.sha256_digest) {
        (Some(der), Some(expected)) => Sha256::digest(der)[..] == expected[..],
        _ => false,
    };
    let imprint_ok = match (&info, range_digest) {
        (Some(info), Some(digest)) => info.sha256_imprint() == Some(&digest[..]),
        _ => false,
    };
    DocTimestamp {
        field,
        gen_time: info.as_ref().map(TstInfo::gen_time_utc),
        serial: info.as_ref().and_then(TstInfo::serial),
        tsa_subject: certificate.map(|c| c.tbs_certificate.subject.to_string()).unwrap_or_default(),
        tsa_name: certificate.and_then(|c| subject_text(&c.tbs_certificate.subject, COMMON_NAME)),
        imprint_ok,
        signature_ok: inspected.signature_ok
            && inspected.ess_cert_ok
            && content_digest_ok
            && info.is_some(),
        eku_ok: certificate.is_some_and(is_timestamping),
        tsa_certificate: certificate.and_then(|c| c.to_der().ok()),
        covers_whole_file_up_to,
        byte_range,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_serials_der_length_is_its_minimal_twos_complement_length() {
        assert_eq!(der_integer_len(0), 1);
        assert_eq!(der_integer_len(0x7f), 1);
        assert_eq!(der_integer_len(0x80), 2);
        assert_eq!(der_integer_len(0x1234), 2);
        assert_eq!(der_integer_len(u128::MAX >> 1), 16);
        assert_eq!(der_integer_len(u128::MAX), 17);
    }

    #[test]
    fn a_token_that_is_no_cms_is_reported_unreadable_not_valid() {
        let checked = check_token("时间戳1".to_owned(), b"\x30\x00", Some([0, 1, 2, 3]), None);
        assert_eq!(checked.gen_time, None);
        assert!(!checked.signature_ok && !checked.imprint_ok && !checked.eku_ok);
        assert_eq!(checked.covers_whole_file_up_to, 5);
        assert!(!checked.is_intact());
    }
}
