//! Report export: render the report, then let each assessor who has a key sign it, in
//! order, each in an incremental update whose appearance carries their handwriting.
//!
//! No file access and no clock: the caller passes the creation time (in
//! [`ReportOptions`]) and writes the bytes.

use crate::record::AssessmentRecord;
use crate::report::{self, RenderOptions, ReportError, ReportModel, ReportOptions};
use crate::scale::Scale;
use crate::sign::{
    FieldPlacement, SignError, SignatureRequest, Signer, add_signature_fields, sign_pdf,
};

/// A report to export.
pub struct ExportRequest<'a> {
    /// The finished assessment.
    pub record: &'a AssessmentRecord,
    /// Its scale.
    pub scale: &'a Scale,
    /// Agency, contact, re-assessment interval, creation time.
    pub options: &'a ReportOptions,
    /// Append the resident page.
    pub resident_page: bool,
    /// Assessor 1's and assessor 2's signing keys, if they sign.
    pub signers: [Option<&'a Signer>; 2],
}

/// An exported report.
#[derive(Debug, Clone)]
pub struct Exported {
    /// The PDF, signed as requested.
    pub bytes: Vec<u8>,
    /// Pages.
    pub pages: usize,
    /// How many cryptographic signatures it carries.
    pub signatures: usize,
    /// Characters the font lacks (printed blank).
    pub missing_glyphs: Vec<char>,
}

/// Why an export failed. Messages name roles and keys, never the elder.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The report could not be rendered.
    #[error(transparent)]
    Report(#[from] ReportError),
    /// A signature could not be made.
    #[error(transparent)]
    Sign(#[from] SignError),
    /// A key does not belong to the assessor it would sign for.
    #[error("密钥“{key}”不是{role}“{assessor}”的密钥：请选择{role}本人的密钥")]
    WrongSigner {
        /// `评估员1` / `评估员2`.
        role: &'static str,
        /// The key's name.
        key: String,
        /// The assessor's name in the record.
        assessor: String,
    },
}

/// Signature field names, in signing order.
pub const FIELD_NAMES: [&str; 2] = ["评估员1", "评估员2"];

/// Renders and signs the report.
pub fn export_report(request: &ExportRequest<'_>) -> Result<Exported, ExportError> {
    let record = request.record;
    let assessors = [&record.signatures.assessor1, &record.signatures.assessor2];
    for ((signer, assessor), role) in request.signers.iter().zip(assessors).zip(FIELD_NAMES) {
        if let Some(signer) = signer
            && signer.name().trim() != assessor.name.trim()
        {
            return Err(ExportError::WrongSigner {
                role,
                key: signer.name().to_owned(),
                assessor: assessor.name.trim().to_owned(),
            });
        }
    }
    let model = ReportModel::new(record, request.scale, request.options)?;
    let render = RenderOptions {
        assessor_strokes_in_content: request.signers.map(|s| s.is_none()),
        resident_page: request.resident_page,
    };
    let rendered = report::report_pdf(&model, render)?;
    // Both slots' signature fields exist before anyone signs: after assessor 1's
    // certification a validator accepts filling a field, not creating a visible one.
    let placements: Vec<FieldPlacement> = FIELD_NAMES
        .iter()
        .zip(rendered.signature_boxes)
        .map(|(name, placed)| FieldPlacement {
            field_name: (*name).to_owned(),
            page_index: placed.page,
            rect_pt: placed.rect,
        })
        .collect();
    let mut bytes = add_signature_fields(&rendered.bytes, &placements)?;
    let mut signatures = 0;
    let location = if model.place.is_empty() { model.agency.clone() } else { model.place.clone() };
    for (i, signer) in request.signers.iter().enumerate() {
        let Some(signer) = signer else { continue };
        let placed = rendered.signature_boxes[i];
        let signature_request = SignatureRequest {
            field_name: FIELD_NAMES[i].to_owned(),
            page_index: placed.page,
            rect_pt: placed.rect,
            strokes: assessors[i].strokes.clone(),
            signer_name: signer.name().to_owned(),
            reason: format!("老年人能力评估报告 {} 签名", FIELD_NAMES[i]),
            location: location.clone(),
            signing_time: request.options.created,
            // Assessor 1's signature certifies the report (DocMDP P=2).
            certify: i == 0,
            extra_certificates: Vec::new(),
        };
        bytes = sign_pdf(&bytes, signer, &signature_request)?;
        signatures += 1;
    }
    Ok(Exported {
        bytes,
        pages: rendered.pages,
        signatures,
        missing_glyphs: rendered.missing_glyphs,
    })
}
