//! The county certificate authority's record of what it issued: `<data dir>/ca/issued.json`,
//! one entry per certificate (serial, login, registered name, assessor certificate number,
//! validity, when it was revoked) and the number of the last CRL.
//!
//! The file is rewritten whole on every change, atomically (a temporary file, fsynced, then
//! renamed; 0600), so a crash leaves either the old or the new record and an entry once
//! written is never lost. A change holds an exclusive lock on `ca/issued.lock` from reading
//! to writing, so two `ca` commands at once cannot drop each other's entries.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::SignError;

/// One issued certificate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuedCertificate {
    /// The serial number, lower-case hex.
    pub serial: String,
    /// The account (`UID`).
    pub login: String,
    /// The registered name (`CN`).
    pub name: String,
    /// The assessor certificate number (`serialNumber`).
    pub number: String,
    /// Start of validity.
    pub not_before: DateTime<Utc>,
    /// End of validity.
    pub not_after: DateTime<Utc>,
    /// When it was issued.
    pub issued_at: DateTime<Utc>,
    /// When it was revoked, if it was.
    pub revoked_at: Option<DateTime<Utc>>,
}

/// The whole file.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(super) struct Registry {
    /// The number of the last CRL written (0: none yet).
    pub crl_number: u64,
    /// Every issued certificate, in issue order.
    pub certificates: Vec<IssuedCertificate>,
}

/// `<dir>/ca/issued.json`.
pub(super) fn registry_path(dir: &Path) -> PathBuf {
    dir.join("ca").join("issued.json")
}

/// Holds the registry's lock (`ca/issued.lock`) until the returned file is dropped.
pub(super) fn lock(dir: &Path) -> Result<std::fs::File, SignError> {
    let path = dir.join("ca").join("issued.lock");
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|err| SignError::io(&path, err))?;
    file.lock().map_err(|err| SignError::io(&path, err))?;
    Ok(file)
}

/// The record; empty when nothing was issued yet.
pub(super) fn load(dir: &Path) -> Result<Registry, SignError> {
    let path = registry_path(dir);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(Registry::default()),
        Err(err) => return Err(SignError::io(&path, err)),
    };
    serde_json::from_str(&text).map_err(|err| SignError::BadKeyFile {
        path,
        reason: format!("签发记录无法解析（第 {} 行）", err.line()),
    })
}

/// Writes the record atomically.
pub(super) fn save(dir: &Path, registry: &Registry) -> Result<(), SignError> {
    let path = registry_path(dir);
    let json = serde_json::to_vec_pretty(registry).map_err(SignError::crypto)?;
    crate::output::atomic::write_atomically(&path, &json).map_err(|err| SignError::io(&path, err))
}

/// Every certificate this data directory's county root issued, oldest first (then by
/// serial).
pub fn issued(dir: &Path) -> Result<Vec<IssuedCertificate>, SignError> {
    let mut certificates = load(dir)?.certificates;
    certificates
        .sort_by(|a, b| a.issued_at.cmp(&b.issued_at).then_with(|| a.serial.cmp(&b.serial)));
    Ok(certificates)
}
