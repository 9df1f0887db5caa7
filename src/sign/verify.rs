//! Checking the signatures of a PDF, in pure Rust.
//!
//! Every signature field of the last revision (`/AcroForm /Fields`, with `/Kids`) is
//! checked, and so is any other `/Type /Sig` dictionary in the file. For each signature:
//!
//! 1. **Digest**: SHA-256 of the two `/ByteRange` ranges equals the CMS messageDigest
//!    attribute. The range must start at 0 and its gap must be exactly the `/Contents`
//!    hex string, which is read from the gap itself.
//! 2. **Signature**: the ECDSA P-256 signature over the DER of the signed attributes
//!    verifies with the public key of the certificate inside the CMS.
//! 3. **Coverage**: whether the signed range ends at the end of the file. When it does
//!    not, the bytes after it count as harmless only if another signature's range starts
//!    at 0, covers the whole file and begins after this one ends, i.e. the later
//!    revisions are closed by a signature. Anything else is "modified after signing".
//!
//! What this does not do: trust (the certificates are self-issued; their holders are
//! named, not vouched for), revocation, and a pyHanko-style diff of what the later
//! revisions changed. A later signature closes its revisions, but it does not prove that
//! they only added that signature; `pdfsig`/pyHanko can be used for that audit.

use std::collections::HashSet;

use chrono::{DateTime, FixedOffset, NaiveDate, TimeZone as _, Utc};
use lopdf::{Dictionary, Document, Object, ObjectId};
use sha2::{Digest as _, Sha256};

use super::{SignError, cms};

/// The result of checking one signature.
#[expect(clippy::struct_excessive_bools, reason = "independent yes/no findings, each shown")]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureCheck {
    /// The signature field's full name (e.g. `评估员1`).
    pub field: String,
    /// The signer: the common name of the certificate in the CMS, else `/Name`.
    pub signer: String,
    /// The signingTime attribute, else the signature dictionary's `/M`.
    pub signed_at: Option<DateTime<Utc>>,
    /// The SHA-256 of the signed byte ranges matches the CMS messageDigest.
    pub digest_ok: bool,
    /// The CMS signature over the signed attributes verifies with the embedded
    /// certificate's key.
    pub signature_ok: bool,
    /// The signed ranges reach the end of the file.
    pub covers_whole_file: bool,
    /// Bytes after the signed range are not closed by a later signature over the whole
    /// file: the document was changed after this signature.
    pub modified_after: bool,
    /// The `/ByteRange` as written, if it is four non-negative integers.
    pub byte_range: Option<[usize; 4]>,
    /// The signing certificate the CMS identifies.
    pub certificate: Option<x509_cert::Certificate>,
    /// The CMS names that certificate in a signing-certificate-v2 attribute (PAdES).
    pub ess_ok: bool,
}

impl SignatureCheck {
    /// The signed content is unchanged, the signature holds, and nothing but later
    /// signatures was appended.
    pub fn is_intact(&self) -> bool {
        self.digest_ok && self.signature_ok && !self.modified_after
    }

    /// What is wrong, in words for the user; `None` when intact.
    pub fn problem(&self) -> Option<&'static str> {
        if !self.digest_ok {
            Some("签名范围内的内容已被改动（摘要不符）")
        } else if !self.signature_ok {
            Some("签名值无效")
        } else if self.modified_after {
            Some("签名后文件被修改")
        } else {
            None
        }
    }

    /// The byte offset where this signature's signed ranges end.
    pub fn end(&self) -> usize {
        self.byte_range.map_or(0, |[_, _, start, len]| start.saturating_add(len))
    }
}

/// Checks every signature in `pdf`, in the order they were applied.
///
/// Document time-stamps (`/Type /DocTimeStamp`) are not signatures and are not listed
/// (see [`super::timestamp::document_timestamps`]), but one over the whole file closes
/// the revisions before it like a signature does.
/// An empty list means the file has no signature. [`SignError::NotPdf`] if the bytes
/// cannot be read as a PDF.
pub fn verify_pdf(pdf: &[u8]) -> Result<Vec<SignatureCheck>, SignError> {
    Ok(checks_of(pdf, &load(pdf)?))
}

/// [`verify_pdf`] of `pdf` already read as `doc` (read once by the report verdict).
pub(crate) fn checks_of(pdf: &[u8], doc: &Document) -> Vec<SignatureCheck> {
    let mut checks = Vec::new();
    let mut closers = Vec::new();
    for (field, sig) in signature_dictionaries(doc) {
        if is_doc_timestamp(sig) {
            if let Some([0, gap_start, b, len]) = byte_range(doc, sig)
                && b.checked_add(len) == Some(pdf.len())
            {
                closers.push(gap_start);
            }
            continue;
        }
        checks.push(check(pdf, doc, field, sig));
    }
    checks.sort_by(|a, b| a.end().cmp(&b.end()).then_with(|| a.field.cmp(&b.field)));

    closers.extend(
        checks
            .iter()
            .filter(|c| c.covers_whole_file)
            .filter_map(|c| c.byte_range.map(|[_, gap_start, _, _]| gap_start)),
    );
    for check in &mut checks {
        let end = check.end();
        check.modified_after =
            !check.covers_whole_file && !closers.iter().any(|&gap_start| gap_start >= end);
    }
    checks
}

/// `pdf` read as a PDF (it must start with `%PDF-`).
pub(crate) fn load(pdf: &[u8]) -> Result<Document, SignError> {
    if !pdf.starts_with(b"%PDF-") {
        return Err(SignError::NotPdf("文件开头不是 %PDF-".to_owned()));
    }
    Document::load_mem(pdf).map_err(|err| SignError::NotPdf(err.to_string()))
}

/// Every signature dictionary of the document with its field's full name: those the
/// signature fields' `/V` point to, then any other `/Type /Sig` or `/DocTimeStamp`
/// dictionary with a `/ByteRange` (e.g. of a field removed later), with an empty name.
pub(crate) fn signature_dictionaries(doc: &Document) -> Vec<(String, &Dictionary)> {
    let mut out = Vec::new();
    let mut seen: HashSet<ObjectId> = HashSet::new();
    for field in fields(doc) {
        if field.kind.as_deref() != Some(b"Sig".as_slice()) {
            continue;
        }
        let Ok(value) = field.dict.get(b"V") else { continue };
        if let Ok(id) = value.as_reference() {
            seen.insert(id);
        }
        if let Ok((_, Object::Dictionary(sig))) = doc.dereference(value) {
            out.push((field.name, sig));
        }
    }
    for (id, object) in &doc.objects {
        if let Object::Dictionary(dict) = object
            && (dict.has_type(b"Sig") || dict.has_type(b"DocTimeStamp"))
            && dict.has(b"ByteRange")
            && !seen.contains(id)
        {
            out.push((String::new(), dict));
        }
    }
    out
}

/// Whether a signature dictionary is a document time-stamp (`/Type /DocTimeStamp` or
/// `/SubFilter /ETSI.RFC3161`).
pub(crate) fn is_doc_timestamp(sig: &Dictionary) -> bool {
    sig.has_type(b"DocTimeStamp")
        || sig.get(b"SubFilter").and_then(Object::as_name).is_ok_and(|n| n == b"ETSI.RFC3161")
}

/// A signature dictionary's `/ByteRange`, if it is four non-negative integers.
pub(crate) fn byte_range(doc: &Document, sig: &Dictionary) -> Option<[usize; 4]> {
    sig.get(b"ByteRange").ok().and_then(|o| parse_byte_range(doc, o))
}

/// The `/Contents` bytes: read from the byte range's gap when the range is well formed,
/// else the dictionary's value.
pub(crate) fn contents(
    pdf: &[u8],
    doc: &Document,
    sig: &Dictionary,
    byte_range: Option<[usize; 4]>,
) -> Vec<u8> {
    byte_range
        .and_then(|range| contents_in_gap(pdf, range))
        .or_else(|| {
            sig.get(b"Contents")
                .and_then(|o| doc.dereference(o))
                .and_then(|(_, o)| o.as_str())
                .ok()
                .map(<[u8]>::to_vec)
        })
        .unwrap_or_default()
}

/// The SHA-256 of the two signed ranges of a well-formed byte range (see
/// [`contents_in_gap`]); `None` for any other.
pub(crate) fn range_digest(pdf: &[u8], byte_range: Option<[usize; 4]>) -> Option<[u8; 32]> {
    let [0, a, b, len] = byte_range? else { return None };
    contents_in_gap(pdf, [0, a, b, len])?;
    let mut hasher = Sha256::new();
    hasher.update(&pdf[..a]);
    hasher.update(&pdf[b..b + len]);
    Some(hasher.finalize().into())
}

fn check(pdf: &[u8], doc: &Document, field: String, sig: &Dictionary) -> SignatureCheck {
    let byte_range = byte_range(doc, sig);
    let contents = contents(pdf, doc, sig, byte_range);
    let inspected = cms::inspect(&contents).unwrap_or_default();
    let digest_ok = match (range_digest(pdf, byte_range), &inspected.sha256_digest) {
        (Some(digest), Some(expected)) => digest[..] == expected[..],
        _ => false,
    };
    let covers_whole_file =
        matches!(byte_range, Some([0, _, b, len]) if b.checked_add(len) == Some(pdf.len()));
    let text = |key: &[u8]| {
        sig.get(key)
            .and_then(|o| doc.dereference(o))
            .ok()
            .and_then(|(_, o)| lopdf::decode_text_string(o).ok())
    };
    SignatureCheck {
        field,
        signer: inspected.signer.or_else(|| text(b"Name")).unwrap_or_default(),
        signed_at: inspected.signing_time.or_else(|| text(b"M").and_then(|m| parse_pdf_date(&m))),
        digest_ok,
        signature_ok: inspected.signature_ok,
        covers_whole_file,
        modified_after: false,
        byte_range,
        ess_ok: inspected.ess_cert_ok,
        certificate: inspected.certificate,
    }
}

fn parse_byte_range(doc: &Document, object: &Object) -> Option<[usize; 4]> {
    let (_, object) = doc.dereference(object).ok()?;
    let items = object.as_array().ok()?;
    let numbers: Vec<usize> = items
        .iter()
        .map(|o| o.as_i64().ok().and_then(|n| usize::try_from(n).ok()))
        .collect::<Option<_>>()?;
    numbers.try_into().ok()
}

/// The bytes of the hex string that fills the gap of a well-formed byte range
/// `[0, a, b, len]`: the gap must be `<hex digits>` exactly and the second range must lie
/// inside the file.
fn contents_in_gap(pdf: &[u8], [start, a, b, len]: [usize; 4]) -> Option<Vec<u8>> {
    if start != 0 || a >= b || b.checked_add(len)? > pdf.len() || b - a < 2 {
        return None;
    }
    let gap = &pdf[a..b];
    let hex = gap.strip_prefix(b"<")?.strip_suffix(b">")?;
    let digits: Vec<u8> = hex
        .iter()
        .filter(|b| !b.is_ascii_whitespace())
        .map(|&b| char::from(b).to_digit(16).and_then(|d| u8::try_from(d).ok()))
        .collect::<Option<_>>()?;
    Some(digits.chunks(2).map(|pair| pair[0] << 4 | pair.get(1).copied().unwrap_or(0)).collect())
}

/// A PDF date `D:YYYYMMDDHHmmSSOHH'mm'` (every part after the year optional).
pub(super) fn parse_pdf_date(text: &str) -> Option<DateTime<Utc>> {
    let text = text.strip_prefix("D:").unwrap_or(text);
    let digits: String = text.chars().take_while(char::is_ascii_digit).collect();
    let part = |from: usize, len: usize, default: u32| -> Option<u32> {
        match digits.get(from..from + len) {
            Some(s) => s.parse().ok(),
            None => Some(default),
        }
    };
    let year = i32::try_from(part(0, 4, 0)?).ok()?;
    if digits.len() < 4 {
        return None;
    }
    let date = NaiveDate::from_ymd_opt(year, part(4, 2, 1)?, part(6, 2, 1)?)?;
    let time = date.and_hms_opt(part(8, 2, 0)?, part(10, 2, 0)?, part(12, 2, 0)?)?;
    let rest = &text[digits.len()..];
    let offset_seconds = match rest.chars().next() {
        Some(sign @ ('+' | '-')) => {
            let nums: Vec<i32> = rest[1..]
                .split(|c: char| !c.is_ascii_digit())
                .filter(|s| !s.is_empty())
                .filter_map(|s| s.parse().ok())
                .collect();
            let seconds =
                nums.first().copied().unwrap_or(0) * 3600 + nums.get(1).copied().unwrap_or(0) * 60;
            if sign == '-' { -seconds } else { seconds }
        }
        _ => 0,
    };
    let offset = FixedOffset::east_opt(offset_seconds)?;
    offset.from_local_datetime(&time).single().map(|t| t.to_utc())
}

/// One node of the form-field tree.
struct Field<'a> {
    /// Full name: the partial names from the root, joined with `.`.
    name: String,
    /// `/FT`, inherited from ancestors.
    kind: Option<Vec<u8>>,
    dict: &'a Dictionary,
}

/// Every named field of the document's `/AcroForm`, depth first.
fn fields(doc: &Document) -> Vec<Field<'_>> {
    let mut out = Vec::new();
    let roots = doc
        .catalog()
        .ok()
        .and_then(|c| c.get(b"AcroForm").ok())
        .and_then(|a| doc.dereference(a).ok())
        .and_then(|(_, a)| a.as_dict().ok())
        .and_then(|a| a.get(b"Fields").ok())
        .and_then(|f| doc.dereference(f).ok())
        .and_then(|(_, f)| f.as_array().ok());
    let mut visited = HashSet::new();
    for kid in roots.into_iter().flatten() {
        walk(doc, kid, "", None, &mut visited, &mut out, 0);
    }
    out
}

fn walk<'a>(
    doc: &'a Document,
    node: &'a Object,
    parent: &str,
    parent_type: Option<&[u8]>,
    visited: &mut HashSet<ObjectId>,
    out: &mut Vec<Field<'a>>,
    depth: usize,
) {
    if depth > 32 {
        return;
    }
    let Ok((id, Object::Dictionary(dict))) = doc.dereference(node) else { return };
    if let Some(id) = id
        && !visited.insert(id)
    {
        return;
    }
    let partial = dict.get(b"T").ok().and_then(|t| lopdf::decode_text_string(t).ok());
    let name = match (&partial, parent.is_empty()) {
        (Some(p), true) => p.clone(),
        (Some(p), false) => format!("{parent}.{p}"),
        (None, _) => parent.to_owned(),
    };
    let field_type = dict.get(b"FT").and_then(Object::as_name).ok().or(parent_type);
    if partial.is_some() {
        out.push(Field { name: name.clone(), kind: field_type.map(<[u8]>::to_vec), dict });
    }
    if let Ok(kids) =
        dict.get(b"Kids").and_then(|k| doc.dereference(k)).and_then(|(_, k)| k.as_array())
    {
        for kid in kids {
            walk(doc, kid, &name, field_type, visited, out, depth + 1);
        }
    }
}

/// The full names of all form fields, for refusing a duplicate signature field.
pub(crate) fn field_names(doc: &Document) -> Vec<String> {
    fields(doc).into_iter().map(|f| f.name).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pdf_dates() {
        let t = parse_pdf_date("D:20261128093000+08'00'").unwrap();
        assert_eq!(t.to_rfc3339(), "2026-11-28T01:30:00+00:00");
        assert_eq!(parse_pdf_date("D:20261128013000Z"), Some(t));
        assert_eq!(parse_pdf_date("D:2026").unwrap().to_rfc3339(), "2026-01-01T00:00:00+00:00");
        assert_eq!(parse_pdf_date("garbage"), None);
    }

    #[test]
    fn gap_must_be_exactly_a_hex_string() {
        let pdf = b"abc<0A0B>def";
        assert_eq!(contents_in_gap(pdf, [0, 3, 9, 3]), Some(vec![0x0a, 0x0b]));
        assert_eq!(contents_in_gap(pdf, [0, 2, 9, 3]), None);
        assert_eq!(contents_in_gap(pdf, [0, 3, 9, 4]), None);
        assert_eq!(contents_in_gap(pdf, [1, 3, 9, 3]), None);
    }
}
