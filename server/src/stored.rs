//! How an envelope is kept in `envelopes` (migration 0002): not as one `jsonb` value but
//! as its exact parts — the report PDF once, as bytes (`report`), the body's text before
//! and after the report's base64 (`body_head`, `body_tail`), the device key and signature
//! — so the envelope the device signed is rebuilt byte for byte for a pull, and the
//! report is read without parsing the body. The server's time-stamp is kept as the
//! incremental update it appends to the report (`stamp_tail`).
//!
//! A body whose report is not found verbatim (a device that wrote it differently) is kept
//! whole in `body_head` with no `body_tail`. Rows written before migration 0002 have
//! `envelope` (jsonb) and `stamped_report` instead and are read from those.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use elder_assess::sync::{EnvelopeBody, EnvelopeId, SignedEnvelope};
use tokio_postgres::Row;

use crate::ServerError;

/// The columns [`from_row`] reads, in its order.
pub const COLUMNS: &str = "id, hash, envelope, body_head, body_tail, report, device_key, signature";

/// The columns [`report_from_row`] reads, in its order.
pub const REPORT_COLUMNS: &str = "report, stamp_tail, stamped_report, envelope->>'body'";

/// An accepted envelope's parts, as [`split`] makes them for the `INSERT`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parts {
    /// The body up to the report's base64 (the whole body when not split).
    pub body_head: Vec<u8>,
    /// The body after the report's base64; `None` when the body is kept whole.
    pub body_tail: Option<Vec<u8>>,
    /// The report PDF as the device signed it.
    pub report: Vec<u8>,
}

/// Splits `body_text` (an opened envelope's body) around `report_pdf` (its report's
/// base64, as the body holds it), `report` being those bytes decoded (by the entrance
/// check), into its parts.
pub fn split(body_text: &str, report_pdf: &str, report: Vec<u8>) -> Parts {
    let key = "\"report_pdf\":\"";
    let place = body_text.match_indices(key).map(|(at, _)| at + key.len()).find(|&start| {
        body_text.get(start..).is_some_and(|rest| {
            rest.starts_with(report_pdf) && rest.as_bytes().get(report_pdf.len()) == Some(&b'"')
        })
    });
    // The standard engine decodes canonical base64 only (padding required, no trailing
    // bits), so encoding the bytes again gives exactly the text sent.
    match place {
        Some(start) => Parts {
            body_head: body_text.as_bytes()[..start].to_vec(),
            body_tail: Some(body_text.as_bytes()[start + report_pdf.len()..].to_vec()),
            report,
        },
        None => Parts { body_head: body_text.as_bytes().to_vec(), body_tail: None, report },
    }
}

/// The body text `parts` were split from.
pub fn join(body_head: &[u8], body_tail: Option<&[u8]>, report: &[u8]) -> Vec<u8> {
    let Some(tail) = body_tail else { return body_head.to_vec() };
    let encoded = BASE64.encode(report);
    let mut out = Vec::with_capacity(body_head.len() + encoded.len() + tail.len());
    out.extend_from_slice(body_head);
    out.extend_from_slice(encoded.as_bytes());
    out.extend_from_slice(tail);
    out
}

fn damaged() -> ServerError {
    ServerError::Database("保存的信封无法读取".to_owned())
}

/// The signed envelope of a row selected with [`COLUMNS`].
pub fn from_row(row: &Row) -> Result<SignedEnvelope, ServerError> {
    if let Some(old) = row.get::<_, Option<serde_json::Value>>(2) {
        return serde_json::from_value(old).map_err(|_| damaged());
    }
    let id: String = row.get(0);
    let head: Option<Vec<u8>> = row.get(3);
    let tail: Option<Vec<u8>> = row.get(4);
    let report: Option<Vec<u8>> = row.get(5);
    let (Some(head), Some(report)) = (head, report) else { return Err(damaged()) };
    let body = String::from_utf8(join(&head, tail.as_deref(), &report)).map_err(|_| damaged())?;
    Ok(SignedEnvelope {
        id: EnvelopeId::parse(&id).map_err(|_| damaged())?,
        body,
        hash: row.get(1),
        device_key: row.get::<_, Option<String>>(6).ok_or_else(damaged)?,
        signature: row.get::<_, Option<String>>(7).ok_or_else(damaged)?,
    })
}

/// The stored report of a row selected with [`REPORT_COLUMNS`]: time-stamped by the
/// server when it was, else as the device signed it.
pub fn report_from_row(row: &Row) -> Result<Vec<u8>, ServerError> {
    if let Some(mut report) = row.get::<_, Option<Vec<u8>>>(0) {
        if let Some(tail) = row.get::<_, Option<Vec<u8>>>(1) {
            report.extend_from_slice(&tail);
        }
        return Ok(report);
    }
    if let Some(stamped) = row.get::<_, Option<Vec<u8>>>(2) {
        return Ok(stamped);
    }
    let body: String = row.get::<_, Option<String>>(3).ok_or_else(damaged)?;
    let body: EnvelopeBody = serde_json::from_str(&body).map_err(|_| damaged())?;
    BASE64.decode(&body.report_pdf).map_err(|_| damaged())
}

/// The update the server's time-stamp appended to `report` (`stamped` begins with it);
/// `None` when `stamped` is not `report` with something appended.
pub fn stamp_tail(report: &[u8], stamped: &[u8]) -> Option<Vec<u8>> {
    stamped.strip_prefix(report).map(<[u8]>::to_vec)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_body_is_split_around_its_report_and_joined_back_exactly() {
        let pdf = b"%PDF-1.7 not really".to_vec();
        let b64 = BASE64.encode(&pdf);
        // The key also appears, escaped, inside another string: only the real one splits.
        let text =
            format!("{{\"a\":\"\\\"report_pdf\\\":\\\"x\",\"report_pdf\":\"{b64}\",\"z\":1}}");
        let parts = split(&text, &b64, pdf.clone());
        assert_eq!(parts.report, pdf);
        let tail = parts.body_tail.clone().unwrap();
        assert_eq!(tail, b"\",\"z\":1}");
        assert_eq!(join(&parts.body_head, Some(&tail), &parts.report), text.as_bytes());
    }

    #[test]
    fn a_report_written_otherwise_keeps_the_body_whole() {
        let pdf = b"%PDF-1.7 ???>>>".to_vec();
        let b64 = BASE64.encode(&pdf);
        assert!(b64.contains('/'));
        // The same base64 with its slashes escaped, as JSON allows.
        let text = format!("{{\"report_pdf\":\"{}\"}}", b64.replace('/', "\\/"));
        let parts = split(&text, &b64, pdf.clone());
        assert_eq!(parts.body_tail, None);
        assert_eq!(join(&parts.body_head, None, &parts.report), text.as_bytes());
    }

    #[test]
    fn only_canonical_base64_is_read_so_it_is_rebuilt_exactly() {
        assert_eq!(BASE64.decode("QQ==").unwrap(), b"A");
        assert_eq!(BASE64.encode(BASE64.decode("QQ==").unwrap()), "QQ==");
        for other in ["QR==", "QQ", "QQ=", "Q Q==", "QQ==\n"] {
            assert!(BASE64.decode(other).is_err(), "{other:?}");
        }
    }

    #[test]
    fn a_stamp_tail_is_only_what_was_appended() {
        assert_eq!(stamp_tail(b"abc", b"abcdef"), Some(b"def".to_vec()));
        assert_eq!(stamp_tail(b"abc", b"abdef"), None);
    }
}
