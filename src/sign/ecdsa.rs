//! ECDSA P-256 / SHA-256 signature verification, the one place every check goes through:
//! certificates, CRLs and CMS signatures (`x509`, `cms`), device signatures on envelopes
//! and packages (`sync::envelope`) and on the county server's requests.
//!
//! The key is read and validated with `p256` (SPKI DER, a point on the curve); the
//! signature is verified with `ring`, whose constant-time P-256 arithmetic is several
//! times faster than `p256`'s portable field code. The county server verifies about
//! seven signatures for each envelope it receives, so this is on its hot path. Signing
//! stays with `p256` (keys are `p256` types throughout), except the time-stamp
//! authority's, which signs every report the server receives ([`RingSigner`]).

use p256::ecdsa::{SigningKey, VerifyingKey};
use p256::pkcs8::{DecodePublicKey as _, EncodePrivateKey as _};
use ring::rand::SystemRandom;
use ring::signature::{
    ECDSA_P256_SHA256_ASN1, ECDSA_P256_SHA256_ASN1_SIGNING, EcdsaKeyPair, UnparsedPublicKey,
};

/// A P-256 public key ready to verify signatures (its uncompressed point).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicKey(Vec<u8>);

impl PublicKey {
    /// The key in `spki_der` (`SubjectPublicKeyInfo` DER), if it is a valid P-256 key.
    pub fn from_spki_der(spki_der: &[u8]) -> Option<Self> {
        VerifyingKey::from_public_key_der(spki_der).ok().map(|key| Self::from(&key))
    }

    /// Whether the DER-encoded ECDSA `signature` over `message` (hashed with SHA-256)
    /// verifies with this key.
    pub fn verifies(&self, message: &[u8], signature: &[u8]) -> bool {
        UnparsedPublicKey::new(&ECDSA_P256_SHA256_ASN1, &self.0).verify(message, signature).is_ok()
    }
}

impl From<&VerifyingKey> for PublicKey {
    fn from(key: &VerifyingKey) -> Self {
        Self(key.to_encoded_point(false).as_bytes().to_vec())
    }
}

/// A P-256 key that signs with `ring`: the county server's time-stamp authority signs
/// every report it receives. Made from the `p256` key it was loaded as.
pub struct RingSigner {
    pair: EcdsaKeyPair,
    rng: SystemRandom,
}

impl RingSigner {
    /// The same key as `key`, for `ring`; `None` if `ring` does not take it.
    pub fn new(key: &SigningKey) -> Option<Self> {
        let der = key.to_pkcs8_der().ok()?;
        let rng = SystemRandom::new();
        let pair =
            EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, der.as_bytes(), &rng).ok()?;
        Some(Self { pair, rng })
    }

    /// An ECDSA signature (DER) over `message` (hashed with SHA-256).
    pub fn sign(&self, message: &[u8]) -> Option<Vec<u8>> {
        self.pair.sign(&self.rng, message).ok().map(|s| s.as_ref().to_vec())
    }
}

/// Whether `signature` (DER) over `message` verifies with the key in `spki_der`.
pub fn verify_spki_der(spki_der: &[u8], message: &[u8], signature: &[u8]) -> bool {
    PublicKey::from_spki_der(spki_der).is_some_and(|key| key.verifies(message, signature))
}

#[cfg(test)]
mod tests {
    use p256::ecdsa::signature::Signer as _;
    use p256::ecdsa::{DerSignature, SigningKey};
    use p256::pkcs8::EncodePublicKey as _;

    use super::*;

    #[test]
    fn a_p256_signature_verifies_and_any_change_is_caught() {
        let key = SigningKey::random(&mut rand_core::OsRng);
        let spki = key.verifying_key().to_public_key_der().unwrap();
        let signature: DerSignature = key.sign(b"message");
        assert!(verify_spki_der(spki.as_bytes(), b"message", signature.as_bytes()));
        assert!(!verify_spki_der(spki.as_bytes(), b"messagf", signature.as_bytes()));

        let mut bad = signature.as_bytes().to_vec();
        let last = bad.len() - 1;
        bad[last] ^= 1;
        assert!(!verify_spki_der(spki.as_bytes(), b"message", &bad));

        let other = SigningKey::random(&mut rand_core::OsRng);
        let other_spki = other.verifying_key().to_public_key_der().unwrap();
        assert!(!verify_spki_der(other_spki.as_bytes(), b"message", signature.as_bytes()));
        assert!(!verify_spki_der(b"not a key", b"message", signature.as_bytes()));
    }

    #[test]
    fn a_ring_signature_is_the_p256_keys_and_verifies_with_p256_too() {
        use p256::ecdsa::signature::Verifier as _;
        let key = SigningKey::random(&mut rand_core::OsRng);
        let ring = RingSigner::new(&key).unwrap();
        let signature = ring.sign(b"token").unwrap();
        let der = DerSignature::try_from(signature.as_slice()).unwrap();
        assert!(key.verifying_key().verify(b"token", &der).is_ok());
        assert!(key.verifying_key().verify(b"tokem", &der).is_err());
    }

    #[test]
    fn ring_and_p256_agree_on_signatures_p256_makes() {
        use p256::ecdsa::signature::Verifier as _;
        for n in 0..20_u8 {
            let key = SigningKey::random(&mut rand_core::OsRng);
            let message = [n; 40];
            let signature: DerSignature = key.sign(&message);
            let ours =
                PublicKey::from(key.verifying_key()).verifies(&message, signature.as_bytes());
            assert_eq!(ours, key.verifying_key().verify(&message, &signature).is_ok());
            assert!(ours);
        }
    }
}
