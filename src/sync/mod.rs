//! Moving completed assessments off the assessor's laptop and decisions back to it: the
//! signed envelope (`envelope.rs`), the wire protocol shared with the county server
//! (`protocol.rs`), and their error type (`error.rs`).
//!
//! A completed, submitted assessment travels as one [`SignedEnvelope`]: its body (the
//! record, its outcome, the signed report PDF, the device's audit entries for it and the
//! device's audit head) as exact JSON bytes, the SHA-256 of those bytes (the content
//! hash) and the device key's ECDSA P-256 signature over them. Its id is made on the
//! device. The same bytes go over HTTPS to the county server (`sync`) and onto a USB
//! stick (`package`), so idempotency has one rule everywhere: the same id with the same
//! content hash is accepted once; the same id with another hash is a conflict, kept and
//! flagged, never merged.
//!
//! `envelope.rs`, `protocol.rs` and `package.rs` do no I/O; `device.rs` is the device
//! key, `client.rs` the HTTPS client, `run.rs` (sync) and `usb.rs` (packages) the
//! device's orchestration over the store's API.

pub mod client;
pub mod device;
pub mod envelope;
mod error;
pub mod intake;
pub mod package;
pub mod protocol;
pub mod run;
pub mod usb;

pub use envelope::{
    DeviceId, ENVELOPE_FORMAT, EnvelopeBody, EnvelopeId, EnvelopeParties, OutcomeSummary,
    SignedEnvelope,
};
pub use error::SyncError;
