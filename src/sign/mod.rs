//! Digital signatures on PDF reports: assessor keys, signing, verification.
//!
//! Each assessor has a signing identity ([`keys`]): a P-256 key kept encrypted on disk
//! under a passphrase, and a self-issued X.509 certificate naming them. [`sign_pdf`]
//! appends one signature to a PDF as an incremental update, with the assessor's
//! handwritten strokes as the visible appearance; a second assessor signs the already
//! signed bytes the same way, and the first signature stays valid. [`verify_pdf`] checks
//! every signature in a file without any external tool.
//!
//! The signatures are PAdES baseline B-B (`ETSI.CAdES.detached`: CMS `SignedData` with
//! ECDSA P-256 and SHA-256, signing-certificate-v2, the claimed time in `/M`); the first
//! one certifies the document (DocMDP P=2) and each locks its own field (FieldMDP), so
//! `pdfsig`, pyHanko and PDF readers can check them too.
//! The certificates are self-issued: a validator proves that the file is unchanged and
//! who holds the key, while trusting that key is the bureau's decision (it would keep a
//! roster of the assessors' certificates).
//!
//! The county's certificate authority makes signatures trustworthy: [`ca`] (the county
//! root, assessor certificates issued from [`request`]s, revocation with [`crl`]s, the
//! record in [`ca_registry`]) and, on every machine, [`trust`] (the installed roots and
//! CRLs a verifier checks against); [`account_keys::install_certificate`] puts a county
//! certificate in place of an account key's practice one.
//!
//! Trusted time: [`timestamp`] (the county's RFC 3161 time-stamp authority, whose
//! certificate [`ca_tsa`] issues, and document time-stamps that make a report PAdES
//! B-T; [`verdict`] checks them).
//!
//! This module does not depend on the GUI; it uses `lopdf` for the PDF structure. It
//! never asks for a passphrase: callers pass the value (the CLI reads it from a file,
//! the environment or the terminal, see `cli::secrets`; the app from its dialog).

pub mod account_keys;
pub mod ca;
pub mod ca_registry;
pub mod ca_server;
pub mod ca_tsa;
pub mod chain;
mod cms;
pub mod crl;
pub mod ecdsa;
mod error;
mod kdf_bounds;
pub mod keys;
pub mod pdf;
mod pdf_fields;
pub mod report_info;
pub mod request;
pub mod revisions;
pub mod slots;
pub mod timestamp;
pub mod trust;
mod tst_info;
pub mod verdict;
pub mod verify;
pub mod x509;

pub use account_keys::{account_key, create_account_key, install_certificate, load_account_signer};
pub use error::SignError;
pub use keys::{
    KdfCost, KeyInfo, Signer, certificate_fingerprint, create_key, create_key_with_cost, list_keys,
    load_signer,
};
pub use pdf::{FieldPlacement, SignatureRequest, add_signature_fields, sign_pdf};
pub use slots::{Slot, SlotPlace, add_slots, read_slots};
pub use timestamp::{
    DocTimestamp, TimestampAuthority, add_document_timestamp, document_timestamps,
};
pub use verify::{SignatureCheck, verify_pdf};
