//! Signing a PDF: one signature per call, appended as an incremental update.
//!
//! The recipe (`shared/reference/pdf.md` §4): the original bytes are kept verbatim and a
//! new revision is appended with
//!
//! - a signature dictionary (`/Filter /Adobe.PPKLite /SubFilter /adbe.pkcs7.detached`)
//!   whose `/Contents` is an 8192-byte zero placeholder and whose `/ByteRange` is a
//!   fixed-width placeholder;
//! - a merged signature field + widget on the requested page, whose normal appearance
//!   (`/AP /N`) is a form `XObject` drawing the signer's handwritten strokes;
//! - a copy of the catalog with the widget added to `/AcroForm /Fields` (`/SigFlags 3`)
//!   and a copy of the page with the widget added to `/Annots`.
//!
//! Then the placeholders are located (only in the appended part), the byte range is
//! written in place with the same width, the two ranges are hashed with SHA-256, and the
//! CMS `SignedData` is written as hex over the zeros. No length changes after the ranges
//! are known. The page content stream is never touched, so a later signature leaves an
//! earlier one valid.
//!
//! **Field names.** `/T` is written as a PDF text string (UTF-16BE with a BOM when not
//! ASCII), so Chinese field names such as `评估员1` are used as they are; both `pdfsig`
//! and pyHanko display them. A field name may not contain `.` (the PDF separator of
//! field-name parts).

use chrono::{DateTime, Utc};
use lopdf::{Dictionary, Document, IncrementalDocument, Object, ObjectId, Stream, StringFormat};
use sha2::{Digest as _, Sha256};

use super::{SignError, Signer, cms};
use crate::record::signature::SCALE;

/// Bytes reserved for the CMS `SignedData` (written as twice as many hex digits).
/// A P-256 signature with its certificate takes about 850 bytes.
pub const CONTENTS_SIZE: usize = 8192;

/// The signature pad's width:height ratio (the assessor app draws a 640 × 160 pad).
pub const PAD_ASPECT: f32 = 4.0;

/// Stroke width in the appearance, in points.
const LINE_WIDTH: f32 = 1.2;

/// Ink colour of the handwritten signature (dark blue), as RGB.
const INK: &str = "0.05 0.1 0.45";

/// Uppercase hex digits for writing the CMS into `/Contents`.
const HEX: &[u8; 16] = b"0123456789ABCDEF";

/// The `/ByteRange` placeholder as lopdf writes it; 10 digits allow files up to 9.9 GB.
const BYTE_RANGE_PLACEHOLDER: &[u8] = b"[0 9999999999 9999999999 9999999999]";
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
    /// When it was signed (written to `/M` and the CMS signingTime attribute).
    pub signing_time: DateTime<Utc>,
}

/// Appends one signature to `pdf` and returns the signed file.
///
/// `pdf` may already carry signatures; they stay valid. Fails with
/// [`SignError::NotPdf`] for unreadable input, [`SignError::NoPage`],
/// [`SignError::BadField`] (empty, has `.`, or already in the document) and
/// [`SignError::SignatureTooLarge`] if the CMS does not fit in [`CONTENTS_SIZE`].
pub fn sign_pdf(
    pdf: &[u8],
    signer: &Signer,
    request: &SignatureRequest,
) -> Result<Vec<u8>, SignError> {
    check_field_name(&request.field_name)?;
    let [x1, y1, x2, y2] = request.rect_pt;
    let (width, height) = ((x2 - x1).abs(), (y2 - y1).abs());
    if !(width.is_finite() && height.is_finite() && width > 1.0 && height > 1.0) {
        return Err(SignError::Unsupported(format!("签名框 {:?} 大小无效", request.rect_pt)));
    }

    let doc = Document::load_mem(pdf).map_err(|err| SignError::NotPdf(err.to_string()))?;
    if doc.is_encrypted() {
        return Err(SignError::Unsupported("PDF 已加密".to_owned()));
    }
    let pages = doc.get_pages();
    let page_id = u32::try_from(request.page_index + 1)
        .ok()
        .and_then(|n| pages.get(&n))
        .copied()
        .ok_or(SignError::NoPage { page: request.page_index + 1, count: pages.len() })?;
    let root_id = doc
        .trailer
        .get(b"Root")
        .and_then(Object::as_reference)
        .map_err(|_| SignError::NotPdf("缺少文档目录（/Root）".to_owned()))?;
    if super::verify::field_names(&doc).contains(&request.field_name) {
        return Err(SignError::BadField {
            field: request.field_name.clone(),
            reason: "文档中已有同名的域",
        });
    }

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
    let signature_id = new.add_object(Dictionary::from_iter([
        ("Type", Object::Name(b"Sig".to_vec())),
        ("Filter", Object::Name(b"Adobe.PPKLite".to_vec())),
        ("SubFilter", Object::Name(b"adbe.pkcs7.detached".to_vec())),
        (
            "ByteRange",
            Object::Array(vec![
                0.into(),
                PLACEHOLDER_NUMBER.into(),
                PLACEHOLDER_NUMBER.into(),
                PLACEHOLDER_NUMBER.into(),
            ]),
        ),
        ("Contents", Object::String(vec![0; CONTENTS_SIZE], StringFormat::Hexadecimal)),
        ("M", Object::string_literal(pdf_date(request.signing_time))),
        ("Name", lopdf::text_string(&request.signer_name)),
        ("Reason", lopdf::text_string(&request.reason)),
        ("Location", lopdf::text_string(&request.location)),
    ]));
    let rect = [x1.min(x2), y1.min(y2), x1.max(x2), y1.max(y2)];
    let widget_id = new.add_object(Dictionary::from_iter([
        ("Type", Object::Name(b"Annot".to_vec())),
        ("Subtype", Object::Name(b"Widget".to_vec())),
        ("FT", Object::Name(b"Sig".to_vec())),
        ("T", lopdf::text_string(&request.field_name)),
        ("V", Object::Reference(signature_id)),
        ("P", Object::Reference(page_id)),
        // Print + Locked.
        ("F", Object::Integer(132)),
        ("Rect", Object::Array(rect.iter().map(|&v| v.into()).collect())),
        (
            "AP",
            Object::Dictionary(Dictionary::from_iter([("N", Object::Reference(appearance_id))])),
        ),
    ]));
    add_field(&mut inc, root_id, widget_id)?;
    add_annotation(&mut inc, page_id, widget_id)?;

    let mut out = Vec::with_capacity(pdf.len() + 2 * CONTENTS_SIZE + 4096);
    inc.save_to(&mut out).map_err(|err| SignError::Unsupported(err.to_string()))?;
    fill_signature(&mut out, pdf.len(), signer, request.signing_time)?;
    Ok(out)
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

/// Writes the byte range and the CMS into the placeholders of the update that starts
/// at `old_len`.
fn fill_signature(
    out: &mut [u8],
    old_len: usize,
    signer: &Signer,
    signing_time: DateTime<Utc>,
) -> Result<(), SignError> {
    let missing = || SignError::Crypto("签名占位符未找到".to_owned());
    let range_at = old_len + find(&out[old_len..], BYTE_RANGE_PLACEHOLDER).ok_or_else(missing)?;
    let mut contents_placeholder = Vec::with_capacity(2 * CONTENTS_SIZE + 2);
    contents_placeholder.push(b'<');
    contents_placeholder.resize(2 * CONTENTS_SIZE + 1, b'0');
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
    let der = cms::signed_data(signer, &digest, signing_time)?;
    if der.len() > CONTENTS_SIZE {
        return Err(SignError::SignatureTooLarge { size: der.len(), room: CONTENTS_SIZE });
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

/// Adds the widget to the catalog's `/AcroForm /Fields`, creating what is missing.
fn add_field(
    inc: &mut IncrementalDocument,
    root_id: ObjectId,
    widget_id: ObjectId,
) -> Result<(), SignError> {
    let broken = |what: &str| SignError::Unsupported(format!("{what}结构无效"));
    inc.opt_clone_object_to_new_document(root_id).map_err(|_| broken("文档目录"))?;
    let acroform_ref = match inc.new_document.get_dictionary(root_id) {
        Ok(catalog) => match catalog.get(b"AcroForm") {
            Ok(Object::Reference(id)) => Some(*id),
            _ => None,
        },
        Err(_) => return Err(broken("文档目录")),
    };
    let fields_ref = {
        let acroform = match acroform_ref {
            Some(id) => {
                inc.opt_clone_object_to_new_document(id).map_err(|_| broken("表单"))?;
                inc.new_document.get_dictionary(id).ok()
            }
            None => inc
                .new_document
                .get_dictionary(root_id)
                .ok()
                .and_then(|c| c.get(b"AcroForm").ok())
                .and_then(|a| a.as_dict().ok()),
        };
        acroform.and_then(|a| a.get(b"Fields").ok()).and_then(|f| f.as_reference().ok())
    };
    if let Some(id) = fields_ref {
        inc.opt_clone_object_to_new_document(id).map_err(|_| broken("表单域列表"))?;
        inc.new_document
            .get_object_mut(id)
            .and_then(Object::as_array_mut)
            .map_err(|_| broken("表单域列表"))?
            .push(Object::Reference(widget_id));
    }
    let acroform = if let Some(id) = acroform_ref {
        inc.new_document.get_dictionary_mut(id).map_err(|_| broken("表单"))?
    } else {
        let catalog =
            inc.new_document.get_dictionary_mut(root_id).map_err(|_| broken("文档目录"))?;
        if !matches!(catalog.get(b"AcroForm"), Ok(Object::Dictionary(_))) {
            catalog.set("AcroForm", Dictionary::new());
        }
        catalog.get_mut(b"AcroForm").and_then(Object::as_dict_mut).map_err(|_| broken("表单"))?
    };
    if fields_ref.is_none() {
        match acroform.get_mut(b"Fields").and_then(Object::as_array_mut) {
            Ok(fields) => fields.push(Object::Reference(widget_id)),
            Err(_) => acroform.set("Fields", vec![Object::Reference(widget_id)]),
        }
    }
    // SignaturesExist | AppendOnly.
    let flags = acroform.get(b"SigFlags").and_then(Object::as_i64).unwrap_or(0);
    acroform.set("SigFlags", flags | 3);
    Ok(())
}

/// Adds the widget to the page's `/Annots` (a direct array, a referenced array, or none).
fn add_annotation(
    inc: &mut IncrementalDocument,
    page_id: ObjectId,
    widget_id: ObjectId,
) -> Result<(), SignError> {
    let broken = || SignError::Unsupported("页面结构无效".to_owned());
    inc.opt_clone_object_to_new_document(page_id).map_err(|_| broken())?;
    let annots_ref = inc
        .new_document
        .get_dictionary(page_id)
        .map_err(|_| broken())?
        .get(b"Annots")
        .and_then(Object::as_reference)
        .ok();
    if let Some(id) = annots_ref {
        inc.opt_clone_object_to_new_document(id).map_err(|_| broken())?;
        inc.new_document
            .get_object_mut(id)
            .and_then(Object::as_array_mut)
            .map_err(|_| broken())?
            .push(Object::Reference(widget_id));
        return Ok(());
    }
    let page = inc.new_document.get_dictionary_mut(page_id).map_err(|_| broken())?;
    match page.get_mut(b"Annots").and_then(Object::as_array_mut) {
        Ok(annots) => annots.push(Object::Reference(widget_id)),
        Err(_) => page.set("Annots", vec![Object::Reference(widget_id)]),
    }
    Ok(())
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
