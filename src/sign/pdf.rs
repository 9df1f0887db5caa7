//! Signing a PDF: one signature per call, appended as an incremental update.
//!
//! The recipe (`shared/reference/pdf.md` §4): the original bytes are kept verbatim and a
//! new revision is appended with
//!
//! - a PAdES baseline B-B signature dictionary (`/Filter /Adobe.PPKLite /SubFilter
//!   /ETSI.CAdES.detached`, the claimed time in `/M`, a `/Reference` with the field's
//!   FieldMDP lock and, when certifying, DocMDP P=2) whose `/Contents` is a zero
//!   placeholder sized to a trial CMS plus [`CONTENTS_MARGIN`] and whose `/ByteRange` is
//!   a fixed-width placeholder;
//! - the signature field: an empty one of the same name (made earlier by
//!   [`add_signature_fields`]) gets `/V` and its appearance in place; otherwise a new
//!   merged field + widget is made on the requested page with its `/Lock`, and added to
//!   `/AcroForm /Fields` (`/SigFlags 3`) and the page's `/Annots`. The normal appearance
//!   (`/AP /N`) is a form `XObject` drawing the signer's handwritten strokes;
//! - the catalog's `/Perms /DocMDP` when certifying, and the PAdES extension declaration
//!   (see `pdf_fields`).
//!
//! Then the placeholders are located (only in the appended part), the byte range is
//! written in place with the same width, the two ranges are hashed with SHA-256, and the
//! CMS `SignedData` (module `cms`) is written as hex over the zeros. No length
//! changes after the ranges are known. The page content stream is never touched, so a
//! later signature leaves an earlier one valid.
//!
//! **Field names.** `/T` is written as a PDF text string (UTF-16BE with a BOM when not
//! ASCII), so Chinese field names such as `评估员1` are used as they are; both `pdfsig`
//! and pyHanko display them. A field name may not contain `.` (the PDF separator of
//! field-name parts).

use chrono::{DateTime, Utc};
use lopdf::{Dictionary, Document, IncrementalDocument, Object, Stream, StringFormat};
use sha2::{Digest as _, Sha256};
use x509_cert::Certificate;

use super::pdf_fields::{self, add_annotation, add_field};
use super::{SignError, Signer, cms};
use crate::record::signature::SCALE;

/// Bytes reserved in `/Contents` beyond the size of a trial CMS built with a dummy
/// digest: the real one differs only in the ECDSA signature, whose DER length varies
/// by a few bytes (leading zeros of r and s), which can also lengthen a DER length field.
pub const CONTENTS_MARGIN: usize = 32;

/// The signature pad's width:height ratio (the assessor app draws a 640 × 160 pad).
pub const PAD_ASPECT: f32 = 4.0;

/// Stroke width in the appearance, in points.
const LINE_WIDTH: f32 = 1.2;

/// Ink colour of the handwritten signature (dark blue), as RGB.
const INK: &str = "0.05 0.1 0.45";

/// Uppercase hex digits for writing the CMS into `/Contents`.
const HEX: &[u8; 16] = b"0123456789ABCDEF";

/// The `/ByteRange` placeholder as lopdf writes it; 10 digits allow files up to 9.9 GB.
pub(super) const BYTE_RANGE_PLACEHOLDER: &[u8] = b"[0 9999999999 9999999999 9999999999]";
const PLACEHOLDER_NUMBER: i64 = 9_999_999_999;

/// What to sign and how the signature looks.
#[derive(Debug, Clone, PartialEq)]
pub struct SignatureRequest {
    /// The signature field's name, e.g. `评估员1`; unique in the document, no `.`.
    pub field_name: String,
    /// The page the signature widget sits on, counted from 0.
    pub page_index: usize,
    /// The widget's rectangle `[x1, y1, x2, y2]` in PDF points, origin bottom left.
    pub rect_pt: [f32; 4],
    /// The handwritten strokes, normalised pad coordinates `0..=SCALE` with y pointing
    /// down, as in [`crate::record::Signature`]. Drawn to fit the rectangle.
    pub strokes: Vec<Vec<[u16; 2]>>,
    /// The signer's name for `/Name`.
    pub signer_name: String,
    /// Why the document is signed, e.g. `老年人能力评估报告 评估员签名`.
    pub reason: String,
    /// Where it was signed.
    pub location: String,
    /// When it was signed, the claimed time written to `/M` (a PAdES CMS has no
    /// signingTime attribute).
    pub signing_time: DateTime<Utc>,
    /// Certify the document (DocMDP, P=2: later changes limited to form filling and
    /// signing). Only the first signature may certify; refused when the document is
    /// already signed.
    pub certify: bool,
    /// Certificates embedded in the CMS besides the signer's own, e.g. the county root
    /// that issued it; empty for none.
    pub extra_certificates: Vec<Certificate>,
}

/// Appends one signature to `pdf` and returns the signed file.
///
/// `pdf` may already carry signatures; they stay valid. Fails with
/// [`SignError::NotPdf`] for unreadable input, [`SignError::NoPage`],
/// [`SignError::BadField`] (empty, has `.`, or already in the document),
/// [`SignError::Unsupported`] for `certify` on a document that is already signed, and
/// [`SignError::SignatureTooLarge`] if the CMS does not fit in the space reserved for it
/// (the size of a trial CMS plus [`CONTENTS_MARGIN`]).
pub fn sign_pdf(
    pdf: &[u8],
    signer: &Signer,
    request: &SignatureRequest,
) -> Result<Vec<u8>, SignError> {
    check_field_name(&request.field_name)?;
    let doc = load(pdf)?;
    let root_id = root_id(&doc)?;
    // An empty signature field of this name (see `add_signature_fields`) is filled in
    // place, keeping its page and rectangle; otherwise a new field is made.
    let empty = pdf_fields::empty_signature_field(&doc, &request.field_name)?;
    let (page_id, rect) = match &empty {
        Some(field) => (field.page_id, field.rect),
        None => (page_id(&doc, request.page_index)?, checked_rect(request.rect_pt)?),
    };
    if request.certify && pdf_fields::has_signature(&doc) {
        return Err(SignError::Unsupported("文档已有签名，认证签名只能是第一个签名".to_owned()));
    }
    // The real CMS differs from this trial only in the digest and the ECDSA value.
    let reserved =
        cms::signed_data(signer, &request.extra_certificates, &[0; 32])?.len() + CONTENTS_MARGIN;

    let (width, height) = (rect[2] - rect[0], rect[3] - rect[1]);
    let mut inc = IncrementalDocument::create_from(pdf.to_vec(), doc);
    let new = &mut inc.new_document;
    let appearance = Stream::new(
        Dictionary::from_iter([
            ("Type", Object::Name(b"XObject".to_vec())),
            ("Subtype", Object::Name(b"Form".to_vec())),
            ("BBox", Object::Array(vec![0.into(), 0.into(), width.into(), height.into()])),
            ("Resources", Object::Dictionary(Dictionary::new())),
        ]),
        appearance_stream(&request.strokes, width, height),
    );
    let appearance_id = new.add_object(appearance);
    let mut signature = placeholder_dictionary("Sig", "ETSI.CAdES.detached", reserved);
    signature.extend(&Dictionary::from_iter([
        ("M", Object::string_literal(pdf_date(request.signing_time))),
        ("Name", lopdf::text_string(&request.signer_name)),
        ("Reason", lopdf::text_string(&request.reason)),
        ("Location", lopdf::text_string(&request.location)),
        ("Reference", pdf_fields::references(request.certify, &request.field_name, root_id)),
    ]));
    let signature_id = new.add_object(signature);
    let filled = pdf_fields::Filled { signature: signature_id, appearance: appearance_id };
    if let Some(field) = empty {
        pdf_fields::fill_field(&mut inc, root_id, field.id, filled)?;
    } else {
        let widget = pdf_fields::widget(&request.field_name, page_id, rect, Some(filled));
        let widget_id = inc.new_document.add_object(widget);
        add_field(&mut inc, root_id, Some(widget_id))?;
        add_annotation(&mut inc, page_id, widget_id)?;
    }
    pdf_fields::mark_catalog(&mut inc, root_id, request.certify.then_some(signature_id))?;

    let mut out = Vec::with_capacity(pdf.len() + 2 * reserved + 4096);
    inc.save_to(&mut out).map_err(|err| SignError::Unsupported(err.to_string()))?;
    let placeholder = Placeholder { old_len: pdf.len(), reserved };
    fill_signature(&mut out, placeholder, |digest| {
        cms::signed_data(signer, &request.extra_certificates, digest)
    })?;
    Ok(out)
}

/// A signature dictionary's fixed part: `/Type` `kind` (`Sig`, or `DocTimeStamp`),
/// `/Filter /Adobe.PPKLite`, `/SubFilter` `sub_filter`, the `/ByteRange` placeholder and
/// `reserved` zero bytes of `/Contents`, for [`fill_signature`] to fill.
pub(super) fn placeholder_dictionary(kind: &str, sub_filter: &str, reserved: usize) -> Dictionary {
    let name = |text: &str| Object::Name(text.as_bytes().to_vec());
    Dictionary::from_iter([
        ("Type", name(kind)),
        ("Filter", name("Adobe.PPKLite")),
        ("SubFilter", name(sub_filter)),
        (
            "ByteRange",
            Object::Array(vec![
                0.into(),
                PLACEHOLDER_NUMBER.into(),
                PLACEHOLDER_NUMBER.into(),
                PLACEHOLDER_NUMBER.into(),
            ]),
        ),
        ("Contents", Object::String(vec![0; reserved], StringFormat::Hexadecimal)),
    ])
}

/// Where an empty signature field goes, for [`add_signature_fields`].
#[derive(Debug, Clone, PartialEq)]
pub struct FieldPlacement {
    /// The field's name, e.g. `评估员2`; unique in the document, no `.`.
    pub field_name: String,
    /// The page, counted from 0.
    pub page_index: usize,
    /// The widget's rectangle `[x1, y1, x2, y2]` in PDF points, origin bottom left.
    pub rect_pt: [f32; 4],
}

/// Adds empty (unsigned) signature fields to an unsigned `pdf`, as one incremental
/// update, each with its widget on its page and its field lock (`/Lock`, FieldMDP
/// locking the field itself once signed). [`sign_pdf`] later fills a field of the same
/// name in place.
///
/// Made for certified reports: after a certification signature pyHanko (by default)
/// accepts filling an existing signature field but not creating a new visible one, so
/// every slot's field must exist before assessor 1 certifies. Fails like [`sign_pdf`]
/// for a bad name or page, and with [`SignError::Unsupported`] if `pdf` is signed.
pub fn add_signature_fields(pdf: &[u8], fields: &[FieldPlacement]) -> Result<Vec<u8>, SignError> {
    let doc = load(pdf)?;
    if pdf_fields::has_signature(&doc) {
        return Err(SignError::Unsupported("只能在未签名的文件上添加签名域".to_owned()));
    }
    let root_id = root_id(&doc)?;
    let mut placed = Vec::with_capacity(fields.len());
    for field in fields {
        check_field_name(&field.field_name)?;
        let taken = super::verify::field_names(&doc).contains(&field.field_name)
            || fields.iter().filter(|f| f.field_name == field.field_name).count() > 1;
        if taken {
            return Err(SignError::BadField {
                field: field.field_name.clone(),
                reason: "文档中已有同名的域",
            });
        }
        placed.push((page_id(&doc, field.page_index)?, checked_rect(field.rect_pt)?));
    }
    let mut inc = IncrementalDocument::create_from(pdf.to_vec(), doc);
    for (field, (page_id, rect)) in fields.iter().zip(placed) {
        let widget = pdf_fields::widget(&field.field_name, page_id, rect, None);
        let widget_id = inc.new_document.add_object(widget);
        add_field(&mut inc, root_id, Some(widget_id))?;
        add_annotation(&mut inc, page_id, widget_id)?;
    }
    let mut out = Vec::with_capacity(pdf.len() + 1024);
    inc.save_to(&mut out).map_err(|err| SignError::Unsupported(err.to_string()))?;
    Ok(out)
}

pub(super) fn load(pdf: &[u8]) -> Result<Document, SignError> {
    let doc = Document::load_mem(pdf).map_err(|err| SignError::NotPdf(err.to_string()))?;
    if doc.is_encrypted() {
        return Err(SignError::Unsupported("PDF 已加密".to_owned()));
    }
    Ok(doc)
}

pub(super) fn root_id(doc: &Document) -> Result<lopdf::ObjectId, SignError> {
    doc.trailer
        .get(b"Root")
        .and_then(Object::as_reference)
        .map_err(|_| SignError::NotPdf("缺少文档目录（/Root）".to_owned()))
}

pub(super) fn page_id(doc: &Document, page_index: usize) -> Result<lopdf::ObjectId, SignError> {
    let pages = doc.get_pages();
    u32::try_from(page_index + 1)
        .ok()
        .and_then(|n| pages.get(&n))
        .copied()
        .ok_or(SignError::NoPage { page: page_index + 1, count: pages.len() })
}

/// The rectangle with its corners ordered, if it is a usable size.
fn checked_rect(rect: [f32; 4]) -> Result<[f32; 4], SignError> {
    let [x1, y1, x2, y2] = rect;
    let (width, height) = ((x2 - x1).abs(), (y2 - y1).abs());
    if !(width.is_finite() && height.is_finite() && width > 1.0 && height > 1.0) {
        return Err(SignError::Unsupported(format!("签名框 {rect:?} 大小无效")));
    }
    Ok([x1.min(x2), y1.min(y2), x1.max(x2), y1.max(y2)])
}

fn check_field_name(name: &str) -> Result<(), SignError> {
    let bad = |reason| Err(SignError::BadField { field: name.to_owned(), reason });
    if name.trim().is_empty() {
        return bad("名称不能为空");
    }
    if name.contains('.') {
        return bad("名称不能含有“.”");
    }
    if name.chars().any(char::is_control) {
        return bad("名称含有控制字符");
    }
    Ok(())
}

/// Where the placeholders are: in the update that starts at `old_len`, a `/Contents`
/// of `reserved` zero bytes.
#[derive(Debug, Clone, Copy)]
pub(super) struct Placeholder {
    /// The length of the file before the update.
    pub old_len: usize,
    /// The bytes reserved for the CMS.
    pub reserved: usize,
}

/// Writes the byte range into its placeholder, then the CMS that `make` builds over the
/// SHA-256 of the two ranges into `/Contents` (a signature's `SignedData`, or a document
/// time-stamp's token).
pub(super) fn fill_signature(
    out: &mut [u8],
    Placeholder { old_len, reserved }: Placeholder,
    make: impl FnOnce(&[u8; 32]) -> Result<Vec<u8>, SignError>,
) -> Result<(), SignError> {
    let missing = || SignError::Crypto("签名占位符未找到".to_owned());
    let range_at = old_len + find(&out[old_len..], BYTE_RANGE_PLACEHOLDER).ok_or_else(missing)?;
    let mut contents_placeholder = Vec::with_capacity(2 * reserved + 2);
    contents_placeholder.push(b'<');
    contents_placeholder.resize(2 * reserved + 1, b'0');
    contents_placeholder.push(b'>');
    let c_start = old_len + find(&out[old_len..], &contents_placeholder).ok_or_else(missing)?;
    let c_end = c_start + contents_placeholder.len();

    let ranges = format!("0 {c_start} {c_end} {}", out.len() - c_end);
    let room = BYTE_RANGE_PLACEHOLDER.len() - 2;
    if ranges.len() > room {
        return Err(SignError::Unsupported("文件过大".to_owned()));
    }
    let padded = format!("[{ranges:<room$}]");
    out[range_at..range_at + BYTE_RANGE_PLACEHOLDER.len()].copy_from_slice(padded.as_bytes());

    let mut hasher = Sha256::new();
    hasher.update(&out[..c_start]);
    hasher.update(&out[c_end..]);
    let digest: [u8; 32] = hasher.finalize().into();
    let der = make(&digest)?;
    if der.len() > reserved {
        return Err(SignError::SignatureTooLarge { size: der.len(), room: reserved });
    }
    for (i, byte) in der.iter().enumerate() {
        out[c_start + 1 + 2 * i] = HEX[usize::from(byte >> 4)];
        out[c_start + 2 + 2 * i] = HEX[usize::from(byte & 0x0f)];
    }
    Ok(())
}

/// The offset of the first `needle` in `haystack`.
fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    let first = *needle.first()?;
    haystack
        .iter()
        .enumerate()
        .filter(|&(_, &b)| b == first)
        .map(|(i, _)| i)
        .find(|&i| haystack[i..].starts_with(needle))
}

/// The appearance content: the strokes as round-capped paths, fitted to `width` ×
/// `height` points with the pad's aspect ratio kept, centred, y flipped.
fn appearance_stream(strokes: &[Vec<[u16; 2]>], width: f32, height: f32) -> Vec<u8> {
    use std::fmt::Write as _;
    let inner_w = (width - LINE_WIDTH).max(0.0);
    let inner_h = (height - LINE_WIDTH).max(0.0);
    let scale = (inner_w / PAD_ASPECT).min(inner_h);
    let (pad_w, pad_h) = (scale * PAD_ASPECT, scale);
    let left = (width - pad_w) / 2.0;
    let bottom = (height - pad_h) / 2.0;
    let unit = f32::from(SCALE);
    let point = |[x, y]: [u16; 2]| {
        let x = f32::from(x.min(SCALE)) / unit;
        let y = f32::from(y.min(SCALE)) / unit;
        (left + x * pad_w, bottom + pad_h - y * pad_h)
    };
    let mut ops = format!("q\n{INK} RG\n{LINE_WIDTH} w 1 J 1 j\n");
    for stroke in strokes {
        let Some(&first) = stroke.first() else { continue };
        let (x, y) = point(first);
        let _ = writeln!(ops, "{x:.2} {y:.2} m");
        if stroke.len() == 1 {
            // A single point: a zero-length line shows as a dot with round caps.
            let _ = writeln!(ops, "{x:.2} {y:.2} l");
        }
        for &p in &stroke[1..] {
            let (x, y) = point(p);
            let _ = writeln!(ops, "{x:.2} {y:.2} l");
        }
        ops.push_str("S\n");
    }
    ops.push_str("Q\n");
    ops.into_bytes()
}

/// A PDF date in China Standard Time, e.g. `D:20261128093000+08'00'`.
fn pdf_date(time: DateTime<Utc>) -> String {
    time.with_timezone(&crate::clock::CHINA_OFFSET).format("D:%Y%m%d%H%M%S+08'00'").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strokes_fit_the_box_with_y_flipped() {
        let text = String::from_utf8(appearance_stream(
            &[vec![[0, 0], [10_000, 10_000]], vec![[5000, 5000]]],
            200.0,
            50.0,
        ))
        .unwrap();
        // The pad's top left is the box's top left (less half a line width), y flipped.
        assert!(text.contains("2.40 49.40 m\n197.60 0.60 l\nS"), "{text}");
        assert!(text.contains("100.00 25.00 m\n100.00 25.00 l\nS"), "{text}");
        assert!(text.contains("1 J 1 j"));
    }

    #[test]
    fn placeholder_matches_what_lopdf_writes() {
        let mut out = Vec::new();
        let mut doc = Document::with_version("1.7");
        doc.add_object(Object::Array(vec![
            0.into(),
            PLACEHOLDER_NUMBER.into(),
            PLACEHOLDER_NUMBER.into(),
            PLACEHOLDER_NUMBER.into(),
        ]));
        doc.save_to(&mut out).unwrap();
        assert!(find(&out, BYTE_RANGE_PLACEHOLDER).is_some());
    }

    #[test]
    fn dates_are_china_time() {
        let t = DateTime::parse_from_rfc3339("2026-11-28T01:30:00Z").unwrap().to_utc();
        assert_eq!(pdf_date(t), "D:20261128093000+08'00'");
    }
}
