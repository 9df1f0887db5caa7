//! The county server's HTTP API, as types shared by the client (`elder-assess sync`, the
//! app) and the server (`elder-assess-server`). JSON over HTTPS; every request and
//! response type refuses unknown fields.
//!
//! | method, path | body → answer | who |
//! | --- | --- | --- |
//! | `POST /api/v1/enrol` | [`EnrolRequest`] → [`EnrolResponse`] | a new device, with an account's password |
//! | `POST /api/v1/push` | [`PushRequest`] → [`PushResponse`] | an enrolled device, signed |
//! | `POST /api/v1/pull` | [`PullRequest`] → [`PullResponse`] | an enrolled device, signed |
//! | `GET /api/v1/health` | → `ok` | anyone |
//!
//! A signed request carries the headers [`DEVICE_HEADER`] (the device id) and
//! [`SIGNATURE_HEADER`] (base64 DER ECDSA P-256 by the device key over the exact request
//! body bytes). Each body holds a random `nonce` and the device's clock, so two requests
//! never have the same bytes. Errors answer with an HTTP status and an [`ErrorResponse`].

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{DeviceId, EnvelopeId, SignedEnvelope};

/// The request header naming the device.
pub const DEVICE_HEADER: &str = "elder-device";
/// The request header with the device's signature over the body.
pub const SIGNATURE_HEADER: &str = "elder-signature";
/// The API's path prefix.
pub const API_PREFIX: &str = "/api/v1";
/// How far a device's clock may be from the server's before it is reported (a day).
pub const CLOCK_TOLERANCE_SECONDS: i64 = 24 * 60 * 60;

/// A new device asks to be enrolled, with one account's login and password.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnrolRequest {
    /// The account's login.
    pub login: String,
    /// The account's password (over TLS; the server checks it against its Argon2id hash).
    pub password: String,
    /// The device's public key, SPKI DER, base64.
    pub device_key: String,
    /// A name for the device shown to the bureau (e.g. the host name).
    pub device_name: String,
    /// The device's clock.
    pub device_time: DateTime<Utc>,
}

/// The server's answer to an enrolment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnrolResponse {
    /// The device's id (from its key).
    pub device: DeviceId,
    /// A short code unique in the county (e.g. `D007`), part of the device's assessment numbers.
    pub device_code: String,
    /// The county's name.
    pub county: String,
    /// The accounts, devices, trust and versions in force.
    pub county_state: CountyState,
    /// The server's clock.
    pub server_time: DateTime<Utc>,
}

/// What every device keeps a copy of: the roster, the trust and the versions in force.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CountyState {
    /// The county's accounts, sorted by login.
    pub accounts: Vec<RosterAccount>,
    /// The enrolled devices, sorted by id.
    pub devices: Vec<RosterDevice>,
    /// The county roots (PEM) and the newest CRL of each (PEM).
    pub trust: TrustBundle,
    /// The scale (`id@version`) in force.
    pub scale: String,
    /// The county policy version in force.
    pub policy_version: String,
}

/// One county account, as every device keeps it for signing in offline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RosterAccount {
    /// The login.
    pub login: String,
    /// The person's name.
    pub display_name: String,
    /// `admin`, `assessor` or `reviewer` ([`crate::review::Role::code`]).
    pub role: String,
    /// The Argon2id PHC string of the password (for offline sign-in).
    pub password_hash: String,
    /// Whether the account may sign in.
    pub active: bool,
}

/// One enrolled device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RosterDevice {
    /// Its id.
    pub id: DeviceId,
    /// Its public key, SPKI DER, base64.
    pub key: String,
    /// Its short code.
    pub code: String,
    /// The account that enrolled it.
    pub enrolled_by: String,
    /// Whether it was withdrawn (its new envelopes are refused).
    pub revoked: bool,
}

/// The county's trust, as PEM texts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrustBundle {
    /// County root certificates, PEM.
    pub roots: Vec<String>,
    /// CRLs, PEM.
    pub crls: Vec<String>,
}

/// A reviewer's decision on an envelope, made on a device (possibly offline).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Decision {
    /// Made on the device: a retried push carries the same id and is applied once.
    pub id: EnvelopeId,
    /// The envelope decided on.
    pub envelope: EnvelopeId,
    /// The reviewer's account (signed in on the device).
    pub reviewer: String,
    /// What was decided.
    pub verdict: Verdict,
    /// The device's clock when it was decided.
    pub decided_at: DateTime<Utc>,
}

/// 通过 or 退回 with the reason, or which version of a conflicting envelope stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Verdict {
    /// 审核通过.
    Approve,
    /// 退回, with the reviewer's reason.
    Return {
        /// Why.
        reason: String,
    },
    /// 以此版本为准: of the envelopes stored under one id with different content (a
    /// conflict), the one with content hash `hash` stands (an ordinary submitted, counted
    /// envelope from then on); the others are set aside, kept but never counted. Only a
    /// reviewer or admin who is none of any version's assessors or duty accounts may say it.
    Keep {
        /// The content hash (SHA-256 hex) of the version that stands.
        hash: String,
        /// Why (required).
        reason: String,
    },
}

/// A device sends its outbox: envelopes and decisions, and its audit head.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PushRequest {
    /// Random, so no two requests have the same bytes.
    pub nonce: String,
    /// The device's clock.
    pub device_time: DateTime<Utc>,
    /// The device's audit head (`seq:hash`), recorded in the server's audit trail.
    pub audit_head: String,
    /// Envelopes, in outbox order.
    pub envelopes: Vec<SignedEnvelope>,
    /// Decisions, in outbox order.
    pub decisions: Vec<Decision>,
}

/// What became of each envelope and decision pushed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PushResponse {
    /// One per envelope, in request order.
    pub envelopes: Vec<ItemResult>,
    /// One per decision, in request order.
    pub decisions: Vec<ItemResult>,
    /// The server's clock (authoritative).
    pub server_time: DateTime<Utc>,
    /// Set when the device's clock is more than a day off the server's.
    pub clock_warning: Option<String>,
}

/// The outcome of one pushed item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ItemResult {
    /// The item's id.
    pub id: EnvelopeId,
    /// What happened.
    pub outcome: ItemOutcome,
}

/// What happened to one pushed item. The device removes it from its outbox on
/// `Accepted`, `Duplicate` and `Conflict` (the server holds it); on `Refused` it stays
/// there, frozen, with the reason shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum ItemOutcome {
    /// New, stored, received at the server's time.
    Accepted {
        /// The server's receipt time.
        received_at: DateTime<Utc>,
    },
    /// The same id and content hash were accepted before: nothing changed.
    Duplicate {
        /// When it was first received.
        received_at: DateTime<Utc>,
    },
    /// The same id with different content: kept beside the first and flagged for review.
    Conflict,
    /// Not accepted, with the reason (never personal data).
    Refused {
        /// Why.
        reason: String,
    },
}

/// A device asks for what is new since its cursor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PullRequest {
    /// Random, so no two requests have the same bytes.
    pub nonce: String,
    /// The device's clock.
    pub device_time: DateTime<Utc>,
    /// The last cursor received (0 at first).
    pub since: i64,
    /// At most this many events (the server caps it).
    pub limit: u32,
}

/// Events after the cursor, and the county state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PullResponse {
    /// In cursor order.
    pub events: Vec<Event>,
    /// The cursor to send next time.
    pub cursor: i64,
    /// Whether more events wait after these.
    pub more: bool,
    /// The roster, trust and versions in force.
    pub county_state: CountyState,
    /// The server's clock.
    pub server_time: DateTime<Utc>,
    /// Set when the device's clock is more than a day off the server's.
    pub clock_warning: Option<String>,
}

/// One thing that happened on the server that a device should know.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Event {
    /// Its position (the cursor after it).
    pub cursor: i64,
    /// What happened.
    pub kind: EventKind,
}

/// The kinds of [`Event`]. An assessor's device receives the decisions on its own
/// envelopes; a reviewer's device receives every envelope of the county too.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum EventKind {
    /// A decision was applied on the server.
    Decision {
        /// The decision (its reviewer and verdict).
        decision: Decision,
        /// The record's assessment number (A.1.1), for the device to find it.
        number: String,
        /// The server's time of applying it.
        applied_at: DateTime<Utc>,
    },
    /// An envelope was received (for reviewers' devices).
    Envelope {
        /// The envelope as received.
        envelope: SignedEnvelope,
        /// The server's receipt time.
        received_at: DateTime<Utc>,
        /// Whether it conflicts with another envelope of the same id.
        conflict: bool,
    },
}

/// The body of an error answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErrorResponse {
    /// A stable code (`unauthenticated`, `bad-request`, `forbidden`, `unavailable`, …).
    pub code: String,
    /// The message, Chinese, never personal data.
    pub message: String,
}
