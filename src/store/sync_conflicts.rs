//! Conflicts on a device: the versions of one envelope id received with different
//! content, a reviewer's choice of the one that stands, and that choice applied when the
//! server's decision comes back.
//!
//! `sync_replica.conflict` says what each received version is: [`OPEN`] (flagged by the
//! server, waiting for a reviewer), [`CLEAR`] (no conflict, or the version kept) or
//! [`SET_ASIDE`] (another version was kept; the row stays, never counted). A choice is a
//! [`crate::sync::protocol::Verdict::Keep`] decision queued in the outbox like an approval
//! ([`Store::queue_keep`]); the server checks it again (only a reviewer or admin who is
//! none of any version's assessor or duty accounts). When the decision is pulled, the
//! county record takes the kept version's content and can then be approved or returned;
//! on the assessors' device the record's history says which version stands.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};

use super::audit::Entry;
use super::sync_outbox::OutboxKind;
use super::sync_replica::DecisionIn;
use super::{Store, StoreError, timestamp};
use crate::review::{Actor, Role};
use crate::sync::SignedEnvelope;
use crate::sync::envelope::EnvelopeBody;

/// `sync_replica.conflict`: no conflict, or the version a reviewer kept.
pub const CLEAR: i64 = 0;
/// `sync_replica.conflict`: flagged by the server, waiting for a reviewer.
pub const OPEN: i64 = 1;
/// `sync_replica.conflict`: another version was kept; this one is set aside.
pub const SET_ASIDE: i64 = 2;

/// The version a pulled `Keep` decision names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeptVersion {
    /// The envelope id.
    pub envelope_id: String,
    /// The kept version's content hash.
    pub hash: String,
    /// The reviewer's reason.
    pub reason: String,
}

/// One received version of a conflicting envelope (no personal data: for lists and logs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConflictVersion {
    /// The envelope id.
    pub envelope_id: String,
    /// The assessment number this version carries.
    pub number: String,
    /// Its content hash (SHA-256 hex).
    pub hash: String,
    /// The device that made it.
    pub device: String,
    /// The server's receipt time (RFC 3339).
    pub received_at: String,
    /// The total score (0–90).
    pub total: u16,
    /// The final level (0–4).
    pub final_level: u8,
    /// [`OPEN`], [`CLEAR`] or [`SET_ASIDE`].
    pub state: i64,
}

/// The word for a version's [`ConflictVersion::state`].
pub fn state_label(state: i64) -> &'static str {
    match state {
        OPEN => "冲突",
        SET_ASIDE => "已搁置",
        _ => "为准",
    }
}

impl ConflictVersion {
    /// The first 12 hex digits of the hash, enough to name it.
    pub fn short_hash(&self) -> &str {
        self.hash.get(..12).unwrap_or(&self.hash)
    }
}

/// A stored envelope's body (it was checked when received).
fn body_of(envelope: &str) -> Result<EnvelopeBody, StoreError> {
    let signed: SignedEnvelope =
        serde_json::from_str(envelope).map_err(|err| StoreError::SyncData(err.to_string()))?;
    signed.open().map_err(|err| StoreError::SyncData(err.to_string()))
}

impl Store {
    /// The versions received under `envelope_id`, oldest first (with their bodies).
    fn versions_of(
        &self,
        envelope_id: &str,
    ) -> Result<Vec<(ConflictVersion, EnvelopeBody)>, StoreError> {
        let mut statement = self.conn.prepare_cached(
            "SELECT number, hash, device, received_at, conflict, envelope FROM sync_replica
             WHERE envelope_id = ?1 ORDER BY rowid",
        )?;
        let rows = statement.query_map([envelope_id], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
                row.get::<_, String>(3)?,
                row.get::<_, i64>(4)?,
                row.get::<_, String>(5)?,
            ))
        })?;
        let mut versions = Vec::new();
        for row in rows {
            let (number, hash, device, received_at, state, envelope) = row?;
            let body = body_of(&envelope)?;
            let version = ConflictVersion {
                envelope_id: envelope_id.to_owned(),
                number,
                hash,
                device,
                received_at,
                total: body.outcome.total,
                final_level: body.outcome.final_level,
                state,
            };
            versions.push((version, body));
        }
        Ok(versions)
    }

    /// The versions of county record `id` when it has an open conflict (empty otherwise).
    pub fn conflict_versions(&self, id: i64) -> Result<Vec<ConflictVersion>, StoreError> {
        let Some(envelope) = self.replica_envelope(id)? else { return Ok(Vec::new()) };
        let versions = self.versions_of(&envelope)?;
        if !versions.iter().any(|(v, _)| v.state == OPEN) {
            return Ok(Vec::new());
        }
        Ok(versions.into_iter().map(|(v, _)| v).collect())
    }

    /// The county records with an open conflict: (row id, assessment number), by number.
    pub fn conflicted_records(&self) -> Result<Vec<(i64, String)>, StoreError> {
        let mut statement = self.conn.prepare_cached(
            "SELECT DISTINCT a.id, a.number FROM assessments AS a
             JOIN sync_replica AS r ON r.envelope_id = a.replica
             WHERE r.conflict = 1 ORDER BY a.number",
        )?;
        let rows = statement.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The version of record `id` a reviewer said stands, as the pulled decision recorded
    /// it in the record's history: (content hash, the reason shown), newest choice.
    pub fn kept_version(&self, id: i64) -> Result<Option<(String, String)>, StoreError> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT new_value, reason FROM audit WHERE record_id = ?1 AND action = 'keep'
                 ORDER BY seq DESC LIMIT 1",
            )?
            .query_row([id], |row| {
                Ok((row.get::<_, Option<String>>(0)?, row.get::<_, Option<String>>(1)?))
            })
            .optional()?
            .map(|(hash, reason)| (hash.unwrap_or_default(), reason.unwrap_or_default())))
    }

    /// Whether envelope `envelope` has an open conflict (a decision on it must wait).
    pub(super) fn has_open_conflict(&self, envelope: &str) -> Result<bool, StoreError> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM sync_replica WHERE envelope_id = ?1 AND conflict = 1)",
            )?
            .query_row([envelope], |row| row.get(0))?)
    }

    /// 以此版本为准: `actor` says the version of county record `id` whose hash starts with
    /// `prefix` stands, for `reason`. Checked here as the server will (an open conflict,
    /// one matching version, a reviewer or admin who is none of any version's assessor or
    /// duty accounts, a reason), then queued as a decision. Returns the kept version.
    pub fn queue_keep(
        &self,
        id: i64,
        (prefix, reason): (&str, &str),
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<ConflictVersion, StoreError> {
        let actor = self.authenticate(actor)?;
        let envelope = self.replica_envelope(id)?.ok_or(StoreError::NoConflict { id })?;
        let tx = self.immediate()?;
        let versions = self.versions_of(&envelope)?;
        if !versions.iter().any(|(v, _)| v.state == OPEN) {
            return Err(StoreError::NoConflict { id });
        }
        let prefix = prefix.trim().to_ascii_lowercase();
        let mut matching =
            versions.iter().filter(|(v, _)| !prefix.is_empty() && v.hash.starts_with(&prefix));
        let (Some((kept, _)), None) = (matching.next(), matching.next()) else {
            return Err(StoreError::UnknownVersion { prefix });
        };
        let own = versions.iter().any(|(_, body)| {
            let parties = &body.parties;
            parties
                .assessor_accounts
                .iter()
                .chain(&parties.duty_accounts)
                .any(|a| a.trim() == actor.account)
        });
        if !matches!(actor.role, Role::Reviewer | Role::Admin) || own {
            return Err(StoreError::ConflictResolver);
        }
        if reason.trim().is_empty() {
            return Err(StoreError::MissingKeepReason);
        }
        if self.pending_decision(id)?.is_some() {
            return Err(StoreError::SyncPending { id });
        }
        let decision = crate::sync::protocol::Decision {
            id: crate::sync::EnvelopeId::random(),
            envelope: crate::sync::EnvelopeId::parse(&envelope)
                .map_err(|err| StoreError::SyncData(err.to_string()))?,
            reviewer: actor.account.clone(),
            verdict: crate::sync::protocol::Verdict::Keep {
                hash: kept.hash.clone(),
                reason: reason.trim().to_owned(),
            },
            decided_at: now,
        };
        let body = serde_json::to_string(&decision)
            .map_err(|err| StoreError::SyncData(err.to_string()))?;
        self.enqueue_in_tx(OutboxKind::Decision, decision.id.as_str(), Some((id, "")), &body, now)?;
        tx.commit()?;
        Ok(kept.clone())
    }

    /// Applies a pulled `Keep` decision (inside the caller's transaction, once): the kept
    /// version cleared and the others set aside; a county record showing another version
    /// takes the kept one's content; the record's history says which version stands.
    /// `true` when it changed a record.
    pub(super) fn apply_keep(
        &self,
        decision: &DecisionIn,
        kept: &KeptVersion,
    ) -> Result<bool, StoreError> {
        self.conn
            .prepare_cached(
                "UPDATE sync_replica SET conflict = CASE WHEN hash = ?2 THEN ?3 ELSE ?4 END
                 WHERE envelope_id = ?1",
            )?
            .execute(params![kept.envelope_id, kept.hash, CLEAR, SET_ASIDE])?;
        let replica: Option<(i64, String)> = self
            .conn
            .prepare_cached("SELECT id, record_json FROM assessments WHERE replica = ?1")?
            .query_row([&kept.envelope_id], |row| Ok((row.get(0)?, row.get(1)?)))
            .optional()?;
        let id = match replica {
            Some((id, shown)) => {
                let version = self.versions_of(&kept.envelope_id)?;
                let kept_body = version.into_iter().find(|(v, _)| v.hash == kept.hash);
                if let Some((version, body)) = kept_body {
                    let shown: Option<crate::record::AssessmentRecord> =
                        serde_json::from_str(&shown).ok();
                    let same_number = body.record.info.number.trim() == version.number.trim()
                        && self.find_by_number(version.number.trim())? == Some(id);
                    // Not while an item of this record waits in the outbox (the save
                    // would be refused and the whole page with it); the history still
                    // names the kept version.
                    let waiting = self.pending_decision(id)?.is_some();
                    if shown.as_ref() != Some(&body.record) && same_number && !waiting {
                        self.replace_replica_content(id, &kept.envelope_id, (&version, body))?;
                    }
                }
                Some(id)
            }
            None => self.find_by_number(decision.number.trim())?,
        };
        let Some(id) = id else { return Ok(false) };
        let at = timestamp(decision.applied_at);
        let short = kept.hash.get(..12).unwrap_or(&kept.hash);
        let reason = format!("以版本 {short} 为准：{}", kept.reason.trim());
        super::audit_content::append_change(
            &self.conn,
            &Entry {
                at: &at,
                actor: &decision.reviewer,
                record_id: Some(id),
                action: "keep",
                field: Some("conflict"),
                old: Some(&kept.envelope_id),
                new: Some(&kept.hash),
                reason: Some(&reason),
                content_hash: None,
            },
        )?;
        Ok(true)
    }

    /// County record `id` takes the kept version's content (as a resubmission does).
    fn replace_replica_content(
        &self,
        id: i64,
        envelope_id: &str,
        (version, body): (&ConflictVersion, EnvelopeBody),
    ) -> Result<(), StoreError> {
        self.conn
            .prepare_cached("UPDATE assessments SET status = 'returned' WHERE id = ?1")?
            .execute([id])?;
        let replica = super::ReplicaIn {
            envelope_id: envelope_id.to_owned(),
            hash: version.hash.clone(),
            envelope: String::new(),
            device: version.device.clone(),
            record: body.record,
            parties: body.parties,
            received_at: super::parse_timestamp(id, "received_at", &version.received_at)?,
            conflict: false,
        };
        self.install_replica(&replica, true)
    }
}
