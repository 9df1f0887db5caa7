//! The USB-stick package: a device's outbox (envelopes and decisions) as one signed file.
//!
//! [`SignedPackage`] holds the exact JSON text of a [`Package`], its SHA-256 and the
//! device key's signature over it, like an envelope. [`SignedPackage::read`] reads a file
//! strictly (a truncated file is a format error); [`check`] verifies everything an
//! importing machine can before it keeps anything: the package's hash and signature, its
//! county, its device against the roster (enrolled, same key, not withdrawn), and every
//! envelope (hash, signature, strict body, county, device against the roster). One
//! refusal refuses the whole package, naming the envelope and the reason.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::device::DeviceKey;
use super::envelope::{content_hash, verify_device_signature};
use super::protocol::{Decision, RosterDevice};
use super::{DeviceId, EnvelopeBody, SignedEnvelope, SyncError, intake};

/// The package format this program writes and reads.
pub const PACKAGE_FORMAT: u32 = 1;

/// What a package carries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Package {
    /// [`PACKAGE_FORMAT`].
    pub format: u32,
    /// The county.
    pub county: String,
    /// The device that wrote it.
    pub device: DeviceId,
    /// When (the device's clock).
    pub created_at: DateTime<Utc>,
    /// The outbox's envelopes, in outbox order.
    pub envelopes: Vec<SignedEnvelope>,
    /// The outbox's decisions, in outbox order.
    pub decisions: Vec<Decision>,
    /// The device's audit head (`seq:hash`).
    pub audit_head: String,
}

/// A package as written: the exact body text, its hash and the device signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignedPackage {
    /// The JSON text of a [`Package`], exactly as signed.
    pub body: String,
    /// SHA-256 of `body`, lower-case hex.
    pub hash: String,
    /// The device's public key, SPKI DER, base64.
    pub device_key: String,
    /// ECDSA P-256 over `body`, DER, base64.
    pub signature: String,
}

impl SignedPackage {
    /// Serialises `package` once and signs it with the device `key`.
    pub fn seal(package: &Package, key: &DeviceKey) -> Result<Self, SyncError> {
        let body = serde_json::to_string(package).map_err(|_| SyncError::Sign)?;
        Ok(Self {
            hash: content_hash(body.as_bytes()),
            device_key: key.public_key()?,
            signature: key.sign_request(body.as_bytes()),
            body,
        })
    }

    /// The file's bytes (pretty JSON of the signed package).
    pub fn to_bytes(&self) -> Result<Vec<u8>, SyncError> {
        serde_json::to_vec_pretty(self).map_err(|_| SyncError::Sign)
    }

    /// Reads a package file strictly.
    pub fn read(bytes: &[u8]) -> Result<Self, SyncError> {
        serde_json::from_slice(bytes).map_err(|err| SyncError::format("U盘数据包", &err))
    }

    /// Checks the hash and the signature and reads the body strictly.
    pub fn open(&self) -> Result<Package, SyncError> {
        if content_hash(self.body.as_bytes()) != self.hash {
            return Err(SyncError::PackageDamaged { what: "摘要" });
        }
        let spki = verify_device_signature(&self.device_key, self.body.as_bytes(), &self.signature)
            .map_err(|err| err.unwrap_or(SyncError::PackageDamaged { what: "签名" }))?;
        let package: Package =
            serde_json::from_str(&self.body).map_err(|err| SyncError::format("U盘数据包", &err))?;
        if package.format != PACKAGE_FORMAT {
            return Err(SyncError::Version {
                what: "U盘数据包",
                found: package.format,
                supported: PACKAGE_FORMAT,
            });
        }
        if package.device != DeviceId::of_public_key(&spki) {
            return Err(SyncError::PackageDamaged { what: "签名" });
        }
        Ok(package)
    }
}

/// Whether `devices` lists `device` with `key` (SPKI base64) and not withdrawn.
fn enrolled(devices: &[RosterDevice], device: &DeviceId, key: &str) -> bool {
    devices.iter().any(|d| &d.id == device && d.key == key && !d.revoked)
}

/// Everything checked before a package is imported; returns the package and each
/// envelope's opened body, in package order. The package's own hash, signature and county
/// and its device against the roster, then every envelope through the full entrance check
/// ([`intake::check_envelope`]: its device, county, scale, record, outcome, parties, signed
/// report through the county trust and audit rows).
pub fn check(
    signed: &SignedPackage,
    ctx: &intake::CountyContext<'_>,
) -> Result<(Package, Vec<EnvelopeBody>), SyncError> {
    let package = signed.open()?;
    if package.county != ctx.county {
        return Err(SyncError::PackageForeignCounty { county: package.county });
    }
    if !enrolled(ctx.devices, &package.device, &signed.device_key) {
        return Err(SyncError::UnenrolledDevice {
            what: "数据包".to_owned(),
            device: package.device.to_string(),
        });
    }
    let mut bodies = Vec::with_capacity(package.envelopes.len());
    for envelope in &package.envelopes {
        bodies.push(intake::check_envelope(envelope, ctx)?);
    }
    Ok((package, bodies))
}
