//! What a report PDF says about itself in its document information dictionary: the
//! assessment number (`/Subject`, `{number} 老年人能力评估报告` as `report` writes it)
//! and when it was made (`/CreationDate`). It means something only for a report whose
//! verification holds: the signatures cover the dictionary, and a later revision that
//! replaced it is reported by `revisions.rs`.

use chrono::{DateTime, Utc};
use lopdf::{Document, Object, decode_text_string};

use super::SignError;

/// The words after the number in a report's `/Subject`.
const SUBJECT_SUFFIX: &str = " 老年人能力评估报告";

/// A report's own account of what it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportInfo {
    /// The assessment number (A.1.1), if the subject names one.
    pub number: Option<String>,
    /// When the report was rendered, if it says.
    pub created: Option<DateTime<Utc>>,
}

/// Reads [`ReportInfo`] from `pdf`.
pub fn report_info(pdf: &[u8]) -> Result<ReportInfo, SignError> {
    let doc = Document::load_mem(pdf).map_err(|err| SignError::NotPdf(err.to_string()))?;
    let info = doc
        .trailer
        .get(b"Info")
        .and_then(Object::as_reference)
        .and_then(|id| doc.get_dictionary(id))
        .ok();
    let text = |key: &[u8]| {
        info.and_then(|dict| dict.get(key).ok()).and_then(|value| decode_text_string(value).ok())
    };
    let number = text(b"Subject")
        .and_then(|subject| subject.strip_suffix(SUBJECT_SUFFIX).map(str::trim).map(str::to_owned))
        .filter(|number| !number.is_empty());
    let created = text(b"CreationDate").and_then(|date| super::verify::parse_pdf_date(&date));
    Ok(ReportInfo { number, created })
}
