//! Where a received report is time-stamped (issue 15, point 7): the server adds an RFC
//! 3161 document time-stamp to each accepted envelope's signed report PDF, so the stored
//! copy is PAdES B-T (`sign::timestamp::add_document_timestamp`, by the authority given
//! to `serve --tsa-cert/--tsa-key`, issued by the county root with `elder-assess ca
//! issue-tsa`). The envelope itself is never changed (its bytes are signed by the
//! device); the update the stamp appends to the report is stored beside it
//! (`envelopes.stamp_tail`, see `stored`). It runs in `checking`, before the push's
//! transaction, outside the event lock.

use chrono::{DateTime, Utc};
use elder_assess::sign::{TimestampAuthority, add_document_timestamp};

/// `report` time-stamped by `tsa` at `now`; `None` when this server has no authority or
/// the report cannot be stamped (it is then stored as received, PAdES B-B).
pub fn stamp_report(
    tsa: Option<&TimestampAuthority>,
    report: &[u8],
    now: DateTime<Utc>,
) -> Option<Vec<u8>> {
    let tsa = tsa?;
    let mut bytes = [0_u8; 16];
    rand_core::RngCore::fill_bytes(&mut rand_core::OsRng, &mut bytes);
    // A positive 127-bit serial.
    let serial = u128::from_be_bytes(bytes) >> 1;
    add_document_timestamp(report, tsa, serial, now).ok()
}
