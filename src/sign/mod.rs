//! Digital signatures on PDF reports: assessor keys, signing, verification.
//!
//! Each assessor has a signing identity ([`keys`]): a P-256 key kept encrypted on disk
//! under a passphrase, and a self-issued X.509 certificate naming them. [`sign_pdf`]
//! appends one signature to a PDF as an incremental update, with the assessor's
//! handwritten strokes as the visible appearance; a second assessor signs the already
//! signed bytes the same way, and the first signature stays valid. [`verify_pdf`] checks
//! every signature in a file without any external tool.
//!
//! The signatures are ordinary `adbe.pkcs7.detached` PDF signatures (CMS `SignedData`,
//! ECDSA P-256 with SHA-256), so `pdfsig`, pyHanko and PDF readers can check them too.
//! The certificates are self-issued: a validator proves that the file is unchanged and
//! who holds the key, while trusting that key is the bureau's decision (it would keep a
//! roster of the assessors' certificates).
//!
//! This module does not depend on the GUI; it uses `lopdf` for the PDF structure. It
//! never asks for a passphrase: callers pass the value (the CLI reads it from a file,
//! the environment or the terminal, see `cli::secrets`; the app from its dialog).

pub mod account_keys;
mod cms;
mod error;
mod kdf_bounds;
pub mod keys;
pub mod pdf;
pub mod slots;
pub mod verify;
pub mod x509;

pub use account_keys::{account_key, create_account_key, load_account_signer};
pub use error::SignError;
pub use keys::{
    KdfCost, KeyInfo, Signer, certificate_fingerprint, create_key, create_key_with_cost, list_keys,
    load_signer,
};
pub use pdf::{SignatureRequest, sign_pdf};
pub use slots::{Slot, SlotPlace, add_slots, read_slots};
pub use verify::{SignatureCheck, verify_pdf};
