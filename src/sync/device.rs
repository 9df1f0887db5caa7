//! The device's identity: its P-256 key (made at enrolment, kept inside the store as
//! PKCS#8 DER base64), its id, and the signature of a request body.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use p256::ecdsa::signature::Signer as _;
use p256::ecdsa::{DerSignature, SigningKey};
use p256::pkcs8::{DecodePrivateKey as _, EncodePrivateKey as _, EncodePublicKey as _};
use zeroize::Zeroizing;

use super::{DeviceId, SyncError};

/// A device key and what is derived from it.
pub struct DeviceKey {
    key: SigningKey,
}

impl std::fmt::Debug for DeviceKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeviceKey").field("id", &self.id().ok()).finish_non_exhaustive()
    }
}

impl DeviceKey {
    /// A fresh random key.
    pub fn generate() -> Self {
        Self { key: SigningKey::random(&mut rand_core::OsRng) }
    }

    /// The device key `key` (a key made elsewhere, e.g. by a test or a benchmark).
    pub fn from_signing_key(key: SigningKey) -> Self {
        Self { key }
    }

    /// The key stored as PKCS#8 DER base64.
    pub fn from_stored(text: &str) -> Result<Self, SyncError> {
        let der = Zeroizing::new(BASE64.decode(text.trim()).map_err(|_| SyncError::BadKey)?);
        let key = SigningKey::from_pkcs8_der(&der).map_err(|_| SyncError::BadKey)?;
        Ok(Self { key })
    }

    /// The key as stored: PKCS#8 DER base64.
    pub fn to_stored(&self) -> Result<Zeroizing<String>, SyncError> {
        let der = self.key.to_pkcs8_der().map_err(|_| SyncError::BadKey)?;
        Ok(Zeroizing::new(BASE64.encode(der.as_bytes())))
    }

    /// The public key, SPKI DER base64 (as in the roster and envelopes).
    pub fn public_key(&self) -> Result<String, SyncError> {
        let spki = self.key.verifying_key().to_public_key_der().map_err(|_| SyncError::BadKey)?;
        Ok(BASE64.encode(spki.as_bytes()))
    }

    /// The device id.
    pub fn id(&self) -> Result<DeviceId, SyncError> {
        let spki = self.key.verifying_key().to_public_key_der().map_err(|_| SyncError::BadKey)?;
        Ok(DeviceId::of_public_key(spki.as_bytes()))
    }

    /// The signing key (for [`super::SignedEnvelope::seal`]).
    pub fn signing_key(&self) -> &SigningKey {
        &self.key
    }

    /// The `elder-signature` header value: base64 DER ECDSA over `body`.
    pub fn sign_request(&self, body: &[u8]) -> String {
        let signature: DerSignature = self.key.sign(body);
        BASE64.encode(signature.as_bytes())
    }
}

/// A random nonce for a request body (16 bytes, hex).
pub fn nonce() -> String {
    super::EnvelopeId::random().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stored_key_reads_back_as_the_same_device() {
        let key = DeviceKey::generate();
        let again = DeviceKey::from_stored(&key.to_stored().unwrap()).unwrap();
        assert_eq!(key.id().unwrap(), again.id().unwrap());
        assert!(DeviceKey::from_stored("not base64").is_err());
    }
}
