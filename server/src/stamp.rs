//! THE HOOK where a received report is time-stamped (issue 15, point 7): the server adds
//! an RFC 3161 document timestamp to each accepted envelope's signed report PDF so the
//! stored copy is PAdES B-T. The envelope itself is never changed (its bytes are signed by
//! the device); the stamped PDF is stored beside it in `envelopes.stamped_report`.
//!
//! Not wired yet: [`stamp_report`] returns `None` (nothing stamped) until the server is
//! given a timestamp authority; the wiring is
//! `sign::timestamp::add_document_timestamp(pdf, &TimestampAuthority, serial, now)`.
//! It runs before the push's transaction, outside the event lock.

use chrono::{DateTime, Utc};
use elder_assess::sync::EnvelopeBody;

/// The report of `body`, time-stamped at `now`, or `None` when this server stamps nothing.
pub fn stamp_report(body: &EnvelopeBody, now: DateTime<Utc>) -> Option<Vec<u8>> {
    let _ = (body, now);
    None
}
