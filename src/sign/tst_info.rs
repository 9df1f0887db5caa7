//! The RFC 3161 `TSTInfo` (§2.4.2), the content a time-stamp token signs, written with
//! the `der` derive macros (the `x509-tsp` crate is not needed for one structure).
//!
//! ```text
//! TSTInfo ::= SEQUENCE {
//!    version        INTEGER { v1(1) },
//!    policy         TSAPolicyId,
//!    messageImprint MessageImprint,
//!    serialNumber   INTEGER,
//!    genTime        GeneralizedTime,
//!    accuracy       Accuracy OPTIONAL,
//!    ordering       BOOLEAN DEFAULT FALSE,
//!    nonce          INTEGER OPTIONAL,
//!    tsa            [0] GeneralName OPTIONAL,
//!    extensions     [1] IMPLICIT Extensions OPTIONAL }
//! ```
//!
//! The county's authority writes version 1, the policy [`TSA_POLICY`], a SHA-256 imprint,
//! the serial it is given, `genTime` in whole seconds (DER `GeneralizedTime`, `Z`), an
//! accuracy of one second, and no ordering, nonce, name or extensions (a document
//! time-stamp answers no request, so there is no nonce to echo).

use chrono::{DateTime, Utc};
use const_oid::ObjectIdentifier;
use const_oid::db::rfc5912::ID_SHA_256;
use der::asn1::{GeneralizedTime, OctetString, Uint};
use der::{Any, Decode as _, Encode as _, Sequence};
use spki::AlgorithmIdentifierOwned;

use super::SignError;

/// id-ct-TSTInfo (RFC 3161 §2.4.2): the `eContentType` of a time-stamp token.
pub const ID_CT_TST_INFO: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.1.4");

/// The policy the county's time-stamps name: the ETSI baseline time-stamp policy
/// (ETSI EN 319 421 §5.2, `itu-t(0) identified-organization(4) etsi(0)
/// time-stamp-policy(2023) policy-identifiers(1) baseline-ts-policy(1)`). The county
/// authority follows what it asks of a token (SHA-256, UTC time, accuracy of one second,
/// the TSA certificate with the critical timeStamping key purpose); it is not audited
/// against it, which is what trusting the county root means here.
pub const TSA_POLICY: ObjectIdentifier = ObjectIdentifier::new_unwrap("0.4.0.2023.1.1");

/// `MessageImprint` (RFC 3161 §2.4.1).
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct MessageImprint {
    /// The hash algorithm; the county's tokens use SHA-256.
    pub hash_algorithm: AlgorithmIdentifierOwned,
    /// The hash of the time-stamped data.
    pub hashed_message: OctetString,
}

/// `Accuracy` (RFC 3161 §2.4.2).
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct Accuracy {
    /// Whole seconds.
    #[asn1(optional = "true")]
    pub seconds: Option<Uint>,
    /// Milliseconds, 1–999.
    #[asn1(context_specific = "0", tag_mode = "IMPLICIT", optional = "true")]
    pub millis: Option<Uint>,
    /// Microseconds, 1–999.
    #[asn1(context_specific = "1", tag_mode = "IMPLICIT", optional = "true")]
    pub micros: Option<Uint>,
}

/// `TSTInfo` (RFC 3161 §2.4.2).
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct TstInfo {
    /// Always 1.
    pub version: u8,
    /// The TSA's policy.
    pub policy: ObjectIdentifier,
    /// What is time-stamped.
    pub message_imprint: MessageImprint,
    /// Unique per token of one TSA.
    pub serial_number: Uint,
    /// When the token was made.
    pub gen_time: GeneralizedTime,
    /// How far `gen_time` may be off.
    #[asn1(optional = "true")]
    pub accuracy: Option<Accuracy>,
    /// Whether tokens of this TSA can be ordered by `gen_time` alone.
    #[asn1(default = "Default::default")]
    pub ordering: bool,
    /// The requester's nonce, echoed.
    #[asn1(optional = "true")]
    pub nonce: Option<Uint>,
    /// The TSA's name (a `GeneralName`), kept undecoded.
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    pub tsa: Option<Any>,
    /// Extensions, kept undecoded.
    #[asn1(context_specific = "1", tag_mode = "IMPLICIT", optional = "true")]
    pub extensions: Option<Vec<x509_cert::ext::Extension>>,
}

impl TstInfo {
    /// The county's `TSTInfo` over the SHA-256 `digest`, serial `serial`, made at `now`
    /// (whole seconds).
    pub fn new(digest: &[u8; 32], serial: u128, now: DateTime<Utc>) -> Result<Self, SignError> {
        let seconds = u64::try_from(now.timestamp())
            .map_err(|_| SignError::Crypto("时间戳时间早于 1970 年".to_owned()))?;
        let gen_time = GeneralizedTime::from_unix_duration(std::time::Duration::from_secs(seconds))
            .map_err(SignError::crypto)?;
        Ok(Self {
            version: 1,
            policy: TSA_POLICY,
            message_imprint: MessageImprint {
                hash_algorithm: AlgorithmIdentifierOwned { oid: ID_SHA_256, parameters: None },
                hashed_message: OctetString::new(digest.to_vec()).map_err(SignError::crypto)?,
            },
            serial_number: uint(serial)?,
            gen_time,
            accuracy: Some(Accuracy { seconds: Some(uint(1)?), millis: None, micros: None }),
            ordering: false,
            nonce: None,
            tsa: None,
            extensions: None,
        })
    }

    /// The DER encoding.
    pub fn to_der_bytes(&self) -> Result<Vec<u8>, SignError> {
        self.to_der().map_err(SignError::crypto)
    }

    /// Reads a DER `TSTInfo`.
    pub fn from_der_bytes(der: &[u8]) -> Result<Self, SignError> {
        Self::from_der(der).map_err(|err| SignError::Crypto(format!("时间戳内容无法解析：{err}")))
    }

    /// `genTime` as a `DateTime`.
    pub fn gen_time_utc(&self) -> DateTime<Utc> {
        DateTime::<Utc>::from(self.gen_time.to_system_time())
    }

    /// The imprint's hash, if it is SHA-256.
    pub fn sha256_imprint(&self) -> Option<&[u8]> {
        (self.message_imprint.hash_algorithm.oid == ID_SHA_256)
            .then(|| self.message_imprint.hashed_message.as_bytes())
    }

    /// The serial number, if it fits in 128 bits.
    pub fn serial(&self) -> Option<u128> {
        let bytes = self.serial_number.as_bytes();
        if bytes.len() > 16 {
            return None;
        }
        Some(bytes.iter().fold(0u128, |acc, &b| acc << 8 | u128::from(b)))
    }
}

/// A non-negative INTEGER.
fn uint(value: u128) -> Result<Uint, SignError> {
    let bytes = value.to_be_bytes();
    let first = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len() - 1);
    Uint::new(&bytes[first..]).map_err(SignError::crypto)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).unwrap().to_utc()
    }

    #[test]
    fn tst_info_round_trips_through_der() {
        let now = at("2026-12-01T02:00:00Z");
        let info = TstInfo::new(&[0xab; 32], u128::MAX - 5, now).unwrap();
        let der = info.to_der_bytes().unwrap();
        let back = TstInfo::from_der_bytes(&der).unwrap();
        assert_eq!(back, info);
        assert_eq!(back.gen_time_utc(), now);
        assert_eq!(back.serial(), Some(u128::MAX - 5));
        assert_eq!(back.sha256_imprint(), Some(&[0xab; 32][..]));
        assert_eq!(back.policy, TSA_POLICY);
        assert!(!back.ordering);
    }

    #[test]
    fn tst_info_der_is_what_rfc_3161_lays_out() {
        let info = TstInfo::new(&[1; 32], 1, at("2026-12-01T02:00:00Z")).unwrap();
        let der = info.to_der_bytes().unwrap();
        // SEQUENCE { INTEGER 1, OID 0.4.0.2023.1.1, SEQUENCE { SEQUENCE { OID sha256 } …
        assert_eq!(&der[2..5], &[0x02, 0x01, 0x01]);
        assert_eq!(&der[5..13], &[0x06, 0x06, 0x04, 0x00, 0x8f, 0x67, 0x01, 0x01]);
        // … serial INTEGER 1, GeneralizedTime "20261201020000Z", Accuracy { seconds 1 }.
        let tail = b"\x02\x01\x01\x18\x0f20261201020000Z\x30\x03\x02\x01\x01";
        assert!(der.ends_with(tail), "{der:02x?}");
        // The DEFAULT FALSE ordering is left out, and a zero serial is one zero byte.
        assert_eq!(uint(0).unwrap().as_bytes(), &[0]);
        let garbage = TstInfo::from_der_bytes(&[0x30, 0x03, 0x02, 0x01]);
        assert!(garbage.is_err());
    }
}
