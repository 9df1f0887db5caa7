//! PDF documents: the official assessment report (Annex C) with the resident page, and the
//! blank paper form.
//!
//! Export is a pure function of a [`ReportModel`] (or a [`Scale`] for the blank form): no
//! file access, no clock (the creation time is in the model). Writing the file and signing
//! it are the caller's job; [`RenderedReport::signature_boxes`] says where the assessors'
//! signature widgets go.
//!
//! The font is the bundled Noto Sans SC, subset to the characters used (text stays
//! extractable). This module may use printpdf; the engine modules may not.

mod blank;
mod error;
mod font;
mod layout;
mod model;
mod official;

pub use error::ReportError;
pub use layout::PlacedBox;
pub use model::{
    AdjustmentRow, DomainRow, EntitlementSummary, ItemRow, ReportModel, ReportOptions, SignatureRow,
};

use crate::scale::Scale;

use layout::{DocInfo, Layout};

/// A rendered report.
#[derive(Debug, Clone)]
pub struct RenderedReport {
    /// The PDF.
    pub bytes: Vec<u8>,
    /// Assessor 1's and assessor 2's signature boxes.
    pub signature_boxes: [PlacedBox; 2],
    /// How many pages.
    pub pages: usize,
    /// Characters the font lacks (printed blank); the caller should warn.
    pub missing_glyphs: Vec<char>,
}

/// How to render a report.
#[derive(Debug, Clone, Copy)]
pub struct RenderOptions {
    /// Draw assessor 1's and assessor 2's strokes on the page. Turn off for an assessor
    /// who will sign the PDF: the strokes then go into that signature's own appearance, so
    /// a later signature never changes what an earlier one covers.
    pub assessor_strokes_in_content: [bool; 2],
    /// Append the resident page (给老人和家属的说明).
    pub resident_page: bool,
}

impl Default for RenderOptions {
    fn default() -> Self {
        Self { assessor_strokes_in_content: [true; 2], resident_page: true }
    }
}

/// Renders the official report (and, by default, the resident page).
pub fn report_pdf(
    model: &ReportModel,
    options: RenderOptions,
) -> Result<RenderedReport, ReportError> {
    let mut layout = Layout::new()?;
    let signature_boxes =
        official::official(&mut layout, model, options.assessor_strokes_in_content);
    if options.resident_page {
        layout.new_page();
        official::resident(&mut layout, model);
    }
    let missing_glyphs = layout.missing_glyphs();
    let info = DocInfo {
        author: model.agency.clone(),
        subject: format!("{} 老年人能力评估报告", model.number),
        created: to_offset(model.created_utc),
    };
    let footer = format!("评估编号 {}", model.number);
    let pages_before = layout.page_index() + 1;
    let bytes = layout.finish("老年人能力评估报告", Some(&footer), &info)?;
    Ok(RenderedReport { bytes, signature_boxes, pages: pages_before, missing_glyphs })
}

/// Renders the blank paper form of `scale`.
pub fn blank_form_pdf(scale: &Scale) -> Result<Vec<u8>, ReportError> {
    let mut layout = Layout::new()?;
    blank::blank(&mut layout, scale);
    let info = DocInfo {
        author: String::new(),
        subject: "老年人能力评估表（纸质备用）".to_owned(),
        created: None,
    };
    layout.finish("老年人能力评估表", Some(scale.standard()), &info)
}

fn to_offset(at: chrono::DateTime<chrono::Utc>) -> Option<printpdf::OffsetDateTime> {
    printpdf::OffsetDateTime::from_unix_timestamp(at.timestamp()).ok()
}
