//! The signed envelope one completed assessment travels in, and its ids.
//!
//! [`EnvelopeBody`] is serialised once, on the device, to JSON bytes; those exact bytes
//! are hashed (SHA-256, the content hash) and signed with the device key (ECDSA P-256,
//! DER) into a [`SignedEnvelope`]. Nothing re-serialises a body to check it: the bytes
//! are kept and sent as they were made, so a retried upload is byte-for-byte the first.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use chrono::{DateTime, Utc};
use p256::ecdsa::signature::Signer as _;
use p256::ecdsa::{DerSignature, SigningKey};
use p256::pkcs8::EncodePublicKey as _;
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

use super::SyncError;
use crate::record::AssessmentRecord;
use crate::sign::ecdsa::PublicKey;

/// The envelope format this program writes and reads.
pub const ENVELOPE_FORMAT: u32 = 1;

/// 32 lower-case hexadecimal characters: the form of envelope and device ids.
fn is_id(text: &str) -> bool {
    text.len() == 32 && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// An envelope's id, made on the device: 128 random bits as 32 lower-case hex characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct EnvelopeId(String);

impl EnvelopeId {
    /// A fresh random id.
    pub fn random() -> Self {
        let mut bytes = [0_u8; 16];
        rand_core::RngCore::fill_bytes(&mut rand_core::OsRng, &mut bytes);
        Self(hex(&bytes))
    }

    /// The id in `text`, checked.
    pub fn parse(text: &str) -> Result<Self, SyncError> {
        if is_id(text) { Ok(Self(text.to_owned())) } else { Err(SyncError::BadId) }
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for EnvelopeId {
    type Error = SyncError;
    fn try_from(text: String) -> Result<Self, SyncError> {
        Self::parse(&text)
    }
}

impl From<EnvelopeId> for String {
    fn from(id: EnvelopeId) -> Self {
        id.0
    }
}

impl std::fmt::Display for EnvelopeId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A device's id: the first 16 bytes of the SHA-256 of its public key (SPKI DER), hex.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DeviceId(String);

impl DeviceId {
    /// The id of the device whose public key is `spki_der`.
    pub fn of_public_key(spki_der: &[u8]) -> Self {
        let digest = Sha256::digest(spki_der);
        Self(hex(&digest[..16]))
    }

    /// The id in `text`, checked.
    pub fn parse(text: &str) -> Result<Self, SyncError> {
        if is_id(text) { Ok(Self(text.to_owned())) } else { Err(SyncError::BadDevice) }
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for DeviceId {
    type Error = SyncError;
    fn try_from(text: String) -> Result<Self, SyncError> {
        Self::parse(&text)
    }
}

impl From<DeviceId> for String {
    fn from(id: DeviceId) -> Self {
        id.0
    }
}

impl std::fmt::Display for DeviceId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Who did the record's duties, by account (login), for the server's separation of duties.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnvelopeParties {
    /// The accounts the two assessor signatures are bound to (assessor 1, assessor 2).
    pub assessor_accounts: [String; 2],
    /// Every account that created, imported, edited or submitted the record, sorted.
    pub duty_accounts: Vec<String>,
}

/// The scored outcome as the device computed it (the server re-scores and compares).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutcomeSummary {
    /// Score per domain, in the scale's domain order.
    pub domain_scores: Vec<u16>,
    /// The total (0–90).
    pub total: u16,
    /// The level from the total alone (C.3).
    pub preliminary_level: u8,
    /// The level after the change rules (C.5).
    pub final_level: u8,
}

/// One row of the device's audit trail about the record, as stored there (columns of
/// `store::audit`, hash chain included, so the server can re-check each row's hash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditEntry {
    /// Position in the device's chain.
    pub seq: i64,
    /// When (RFC 3339, the device's clock).
    pub at: String,
    /// The device's own id of the record (part of the row's hash).
    pub record_id: Option<i64>,
    /// The account.
    pub actor: String,
    /// The action code (`edit`, `sign`, `submit`, …).
    pub action: String,
    /// The field code, for edits.
    pub field: Option<String>,
    /// The old value.
    pub old: Option<String>,
    /// The new value.
    pub new: Option<String>,
    /// A reason (a return's).
    pub reason: Option<String>,
    /// The record's content hash after the change.
    pub content_hash: Option<String>,
    /// The previous row's hash.
    pub prev_hash: String,
    /// This row's hash.
    pub hash: String,
}

/// What one envelope carries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnvelopeBody {
    /// [`ENVELOPE_FORMAT`].
    pub format: u32,
    /// Made on the device.
    pub id: EnvelopeId,
    /// The county (its name as in the county file), checked on import.
    pub county: String,
    /// The device that made and signed it.
    pub device: DeviceId,
    /// The envelope this one replaces (a correction or 复评 of a record sent before).
    pub supersedes: Option<EnvelopeId>,
    /// The scale id and version the record was scored with.
    pub scale: String,
    /// The county policy version in force on the device.
    pub policy_version: String,
    /// The record, as stored on the device.
    pub record: AssessmentRecord,
    /// The outcome the device computed.
    pub outcome: OutcomeSummary,
    /// The duties, by account.
    pub parties: EnvelopeParties,
    /// The signed report PDF, base64.
    pub report_pdf: String,
    /// The device's audit rows about this record, in `seq` order.
    pub audit: Vec<AuditEntry>,
    /// The device's audit head when the envelope was made (`seq:hash`).
    pub audit_head: String,
    /// When the envelope was made (the device's clock: reported, never trusted).
    pub created_at: DateTime<Utc>,
}

/// An envelope as it travels: the exact body bytes, their hash and the device signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignedEnvelope {
    /// The envelope id (repeated outside the body so a receiver can key it before opening).
    pub id: EnvelopeId,
    /// The body: the JSON text of an [`EnvelopeBody`], exactly as signed.
    pub body: String,
    /// SHA-256 of `body`'s bytes, lower-case hex: the content hash.
    pub hash: String,
    /// The device's public key, SPKI DER, base64.
    pub device_key: String,
    /// ECDSA P-256 over `body`'s bytes (SHA-256), DER, base64.
    pub signature: String,
}

impl SignedEnvelope {
    /// Serialises `body` once and signs it with the device `key`.
    pub fn seal(body: &EnvelopeBody, key: &SigningKey) -> Result<Self, SyncError> {
        let text = serde_json::to_string(body).map_err(|_| SyncError::Sign)?;
        let spki = key.verifying_key().to_public_key_der().map_err(|_| SyncError::Sign)?;
        let signature: DerSignature = key.sign(text.as_bytes());
        Ok(Self {
            id: body.id.clone(),
            hash: content_hash(text.as_bytes()),
            body: text,
            device_key: BASE64.encode(spki.as_bytes()),
            signature: BASE64.encode(signature.as_bytes()),
        })
    }

    /// Checks the hash and the signature, reads the body strictly and checks that it is
    /// the envelope and device it claims; returns the body. Whether the device is one the
    /// county enrolled, and whether the record passes the entrance checks, is for the
    /// receiver to check next ([`EnvelopeBody::device`] against its roster).
    pub fn open(&self) -> Result<EnvelopeBody, SyncError> {
        let id = self.id.to_string();
        if content_hash(self.body.as_bytes()) != self.hash {
            return Err(SyncError::Hash { id });
        }
        let spki = verify_device_signature(&self.device_key, self.body.as_bytes(), &self.signature)
            .map_err(|err| err.unwrap_or_else(|| SyncError::Signature { id: id.clone() }))?;
        let body: EnvelopeBody =
            serde_json::from_str(&self.body).map_err(|err| SyncError::format("信封", &err))?;
        if body.format != ENVELOPE_FORMAT {
            return Err(SyncError::Version {
                what: "信封",
                found: body.format,
                supported: ENVELOPE_FORMAT,
            });
        }
        if body.id != self.id {
            return Err(SyncError::Hash { id });
        }
        if body.device != DeviceId::of_public_key(&spki) {
            return Err(SyncError::Signature { id });
        }
        Ok(body)
    }

    /// The device that signed it, from its public key (before [`SignedEnvelope::open`]).
    pub fn device(&self) -> Result<DeviceId, SyncError> {
        let spki = BASE64.decode(&self.device_key).map_err(|_| SyncError::BadKey)?;
        Ok(DeviceId::of_public_key(&spki))
    }
}

/// Checks `signature` (base64 DER ECDSA P-256) over `bytes` by the device key
/// `device_key` (base64 SPKI DER) and returns the key's SPKI DER. An unusable key is
/// `Err(Some(SyncError::BadKey))`; a signature that is unreadable or does not verify is
/// `Err(None)`, for the caller to name (an envelope's, a package's).
pub(super) fn verify_device_signature(
    device_key: &str,
    bytes: &[u8],
    signature: &str,
) -> Result<Vec<u8>, Option<SyncError>> {
    let spki = BASE64.decode(device_key).map_err(|_| Some(SyncError::BadKey))?;
    let key = PublicKey::from_spki_der(&spki).ok_or(Some(SyncError::BadKey))?;
    let signature = BASE64.decode(signature).map_err(|_| None)?;
    if key.verifies(bytes, &signature) { Ok(spki) } else { Err(None) }
}

/// SHA-256 of `bytes`, lower-case hex.
pub fn content_hash(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Lower-case hex of `bytes`.
fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::with_capacity(bytes.len() * 2), |mut out, b| {
        let _ = write!(out, "{b:02x}");
        out
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(key: &SigningKey) -> EnvelopeBody {
        let spki = key.verifying_key().to_public_key_der().unwrap();
        EnvelopeBody {
            format: ENVELOPE_FORMAT,
            id: EnvelopeId::random(),
            county: "耿马傣族佤族自治县".to_owned(),
            device: DeviceId::of_public_key(spki.as_bytes()),
            supersedes: None,
            scale: "gbt42195-2022".to_owned(),
            policy_version: "1".to_owned(),
            record: AssessmentRecord::new("PG20261201-0001".to_owned(), chrono::NaiveDate::MIN),
            outcome: OutcomeSummary {
                domain_scores: vec![1, 2, 3, 4],
                total: 10,
                preliminary_level: 4,
                final_level: 4,
            },
            parties: EnvelopeParties {
                assessor_accounts: ["a1".to_owned(), "a2".to_owned()],
                duty_accounts: vec!["a1".to_owned()],
            },
            report_pdf: String::new(),
            audit: Vec::new(),
            audit_head: "0:0".to_owned(),
            created_at: DateTime::UNIX_EPOCH,
        }
    }

    #[test]
    fn a_sealed_envelope_opens_and_any_changed_byte_is_caught() {
        let key = SigningKey::random(&mut rand_core::OsRng);
        let body = body(&key);
        let sealed = SignedEnvelope::seal(&body, &key).unwrap();
        assert_eq!(sealed.open().unwrap(), body);
        assert_eq!(sealed.device().unwrap(), body.device);

        let mut changed = sealed.clone();
        changed.body = changed.body.replace("a2", "a3");
        assert!(matches!(changed.open(), Err(SyncError::Hash { .. })));

        // The hash recomputed over the changed body: the signature catches it.
        changed.hash = content_hash(changed.body.as_bytes());
        assert!(matches!(changed.open(), Err(SyncError::Signature { .. })));

        // Re-signed by another key: the body's device no longer matches the signer.
        let other = SigningKey::random(&mut rand_core::OsRng);
        let resigned = SignedEnvelope::seal(&body, &other).unwrap();
        assert!(matches!(resigned.open(), Err(SyncError::Signature { .. })));
    }

    #[test]
    fn ids_are_32_lower_case_hex_characters() {
        let id = EnvelopeId::random();
        assert_eq!(EnvelopeId::parse(id.as_str()).unwrap(), id);
        assert!(EnvelopeId::parse("ABCDEF0123456789abcdef0123456789").is_err());
        assert!(EnvelopeId::parse("abc").is_err());
        assert!(serde_json::from_str::<EnvelopeId>("\"xyz\"").is_err());
    }
}
