//! Where a received report is time-stamped (issue 15, point 7): the server adds an RFC
//! 3161 document time-stamp to each accepted envelope's signed report PDF, so the stored
//! copy is PAdES B-T (`sign::timestamp::add_document_timestamp`, by the authority given
//! to `serve --tsa-cert/--tsa-key`, issued by the county root with `elder-assess ca
//! issue-tsa`). The envelope itself is never changed (its bytes are signed by the
//! device); the stamped PDF is stored beside it in `envelopes.stamped_report`. It runs
//! before the push's transaction, outside the event lock.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use chrono::{DateTime, Utc};
use elder_assess::sign::{TimestampAuthority, add_document_timestamp};
use elder_assess::sync::EnvelopeBody;

/// The report of `body`, time-stamped by `tsa` at `now`; `None` when this server has no
/// authority or the report cannot be stamped (it is then stored as received, PAdES B-B).
pub fn stamp_report(
    tsa: Option<&TimestampAuthority>,
    body: &EnvelopeBody,
    now: DateTime<Utc>,
) -> Option<Vec<u8>> {
    let tsa = tsa?;
    let pdf = BASE64.decode(&body.report_pdf).ok()?;
    let mut bytes = [0_u8; 16];
    rand_core::RngCore::fill_bytes(&mut rand_core::OsRng, &mut bytes);
    // A positive 127-bit serial.
    let serial = u128::from_be_bytes(bytes) >> 1;
    add_document_timestamp(&pdf, tsa, serial, now).ok()
}
