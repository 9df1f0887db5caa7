//! Replica records and pull pages.
//!
//! Another device's envelope, received by a reviewer's device (a pull, or a USB package),
//! is kept in `sync_replica` (once per id and content hash; the same id with other
//! content is flagged as a conflict) and, when its number is new here, as an
//! `assessments` row marked `replica` (the envelope id), with its parties in
//! `record_accounts`, so the bureau's screens list it (two envelopes with one ID number
//! are one elder's history). It is never saved; a decision on it is checked like one on a
//! local record and queued in the outbox ([`Store::pending_decision`] until the server's
//! event comes back). A pull page ([`Store::apply_pull_page`]) is applied in one
//! transaction, the cursor included; decisions already applied (`sync_applied`) are
//! skipped.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};

use super::audit::Entry;
use super::sync_outbox::OutboxKind;
use super::{AuditMode, SaveContext, Scored, Status, Store, StoreError, timestamp};
use crate::record::AssessmentRecord;
use crate::review::{Action, Actor, Role};
use crate::sync::envelope::EnvelopeParties;
use crate::sync::protocol::CountyState;

/// A record of another device received in a pull or a package.
#[derive(Debug, Clone)]
pub struct ReplicaIn {
    /// The envelope id.
    pub envelope_id: String,
    /// Its content hash.
    pub hash: String,
    /// The signed envelope, JSON.
    pub envelope: String,
    /// The device that made it.
    pub device: String,
    /// The record.
    pub record: AssessmentRecord,
    /// Its duties.
    pub parties: EnvelopeParties,
    /// The server's receipt time (the package's creation time for a USB import).
    pub received_at: DateTime<Utc>,
    /// Flagged by the server as a conflict.
    pub conflict: bool,
}

/// A decision received in a pull.
#[derive(Debug, Clone)]
pub struct DecisionIn {
    /// The decision's id.
    pub decision_id: String,
    /// The record's assessment number.
    pub number: String,
    /// The reviewer's account.
    pub reviewer: String,
    /// `None`: approved; `Some(reason)`: returned (ignored when `kept` is set).
    pub returned: Option<String>,
    /// Set for a conflict's resolution: the version that stands.
    pub kept: Option<super::KeptVersion>,
    /// The server's time of applying it.
    pub applied_at: DateTime<Utc>,
}

impl Store {
    /// Whether the replica holds envelope `id` with content `hash` already.
    pub fn has_replica(&self, id: &str, hash: &str) -> Result<bool, StoreError> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM sync_replica WHERE envelope_id = ?1 AND hash = ?2)",
            )?
            .query_row(params![id, hash], |row| row.get(0))?)
    }

    /// Whether the replica holds an envelope with this id (any content).
    pub fn has_replica_id(&self, id: &str) -> Result<bool, StoreError> {
        Ok(self
            .conn
            .prepare_cached("SELECT EXISTS (SELECT 1 FROM sync_replica WHERE envelope_id = ?1)")?
            .query_row([id], |row| row.get(0))?)
    }

    /// A USB package's import, in one transaction: its envelopes kept as replicas, and
    /// its envelopes and decisions (id, exact JSON) queued for relay to the server.
    /// Returns how many items were queued.
    pub fn import_relayed(
        &self,
        replicas: &[ReplicaIn],
        envelopes: &[(String, String)],
        decisions: &[(String, String)],
        now: DateTime<Utc>,
    ) -> Result<usize, StoreError> {
        let tx = self.immediate()?;
        for replica in replicas {
            self.keep_replica(replica)?;
        }
        let mut queued = 0;
        let items = envelopes
            .iter()
            .map(|item| (OutboxKind::Envelope, item))
            .chain(decisions.iter().map(|item| (OutboxKind::Decision, item)));
        for (kind, (id, body)) in items {
            if self.enqueue_in_tx(kind, id, None, body, now)? {
                queued += 1;
            }
        }
        tx.commit()?;
        Ok(queued)
    }

    /// A decision by `actor` on replica `id`: checked like a local one, then queued as a
    /// [`crate::sync::protocol::Decision`] (the record's status changes when the server's
    /// event comes back). Returns the status it has until then.
    pub(super) fn queue_replica_decision(
        &self,
        (id, envelope): (i64, &str),
        action: &Action,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<Status, StoreError> {
        let verdict = match action {
            Action::Approve => crate::sync::protocol::Verdict::Approve,
            Action::Return { reason } => {
                crate::sync::protocol::Verdict::Return { reason: reason.clone() }
            }
            _ => return Err(StoreError::Replica { id }),
        };
        let tx = self.immediate()?;
        let (current, record) = self.status_and_record(id)?;
        let parties = self.parties(id, &record)?;
        crate::review::transition(current, action.clone(), actor, &parties)?;
        if self.has_open_conflict(envelope)? {
            return Err(StoreError::Conflicted { id });
        }
        if self.pending_decision(id)?.is_some() {
            return Err(StoreError::SyncPending { id });
        }
        let envelope = crate::sync::EnvelopeId::parse(envelope)
            .map_err(|err| StoreError::SyncData(err.to_string()))?;
        let decision = crate::sync::protocol::Decision {
            id: crate::sync::EnvelopeId::random(),
            envelope,
            reviewer: actor.account.clone(),
            verdict,
            decided_at: now,
        };
        let body = serde_json::to_string(&decision)
            .map_err(|err| StoreError::SyncData(err.to_string()))?;
        self.enqueue_in_tx(OutboxKind::Decision, decision.id.as_str(), Some((id, "")), &body, now)?;
        tx.commit()?;
        Ok(current)
    }

    /// Applies one pull page in one transaction: replicas kept, decisions applied (each
    /// once), the county state and the cursor. Returns how many decisions changed a record.
    pub fn apply_pull_page(
        &self,
        replicas: &[ReplicaIn],
        decisions: &[DecisionIn],
        state: Option<(&CountyState, i64)>,
        now: DateTime<Utc>,
    ) -> Result<usize, StoreError> {
        let at = timestamp(now);
        let tx = self.immediate()?;
        for replica in replicas {
            self.keep_replica(replica)?;
        }
        let mut applied = 0;
        for decision in decisions {
            if self.apply_decision(decision)? {
                applied += 1;
            }
        }
        if let Some((state, cursor)) = state {
            self.apply_county_state(state, cursor, &at)?;
        }
        tx.commit()?;
        Ok(applied)
    }

    /// Keeps one received envelope (inside the caller's transaction): in `sync_replica`
    /// always (once per id and hash), and as a replica record when its number is new here
    /// or is a county record returned from here (a resubmission replaces its content).
    fn keep_replica(&self, replica: &ReplicaIn) -> Result<(), StoreError> {
        if self.has_replica(&replica.envelope_id, &replica.hash)? {
            return Ok(());
        }
        let number = replica.record.info.number.trim().to_owned();
        let received = timestamp(replica.received_at);
        let earlier: bool = self
            .conn
            .prepare_cached("SELECT EXISTS (SELECT 1 FROM sync_replica WHERE envelope_id = ?1)")?
            .query_row([&replica.envelope_id], |row| row.get(0))?;
        self.conn
            .prepare_cached(
                "INSERT INTO sync_replica (envelope_id, hash, envelope, number, id_number,
                     device, received_at, conflict)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?
            .execute(params![
                replica.envelope_id,
                replica.hash,
                replica.envelope,
                number,
                super::normalise_id(replica.record.subject.id_number.as_str()),
                replica.device,
                received,
                replica.conflict || earlier
            ])?;
        if earlier {
            // Every version of the id is in conflict now (a kept one again, when a further
            // version arrives after a reviewer's choice; set-aside ones stay set aside).
            self.conn
                .prepare_cached(
                    "UPDATE sync_replica SET conflict = 1 WHERE envelope_id = ?1 AND conflict = 0",
                )?
                .execute([&replica.envelope_id])?;
        }
        // A county record this machine returned, resubmitted under its number as a new
        // envelope: the record takes the new content and goes back into the queue.
        let resubmitted: bool = self
            .conn
            .prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM assessments
                 WHERE number = ?1 AND replica IS NOT NULL AND status = 'returned')",
            )?
            .query_row([&number], |row| row.get(0))?;
        if earlier || (!resubmitted && self.find_by_number(&number)?.is_some()) {
            // A conflicting copy, or this device's own record: kept in sync_replica only.
            return Ok(());
        }
        self.install_replica(replica, resubmitted)
    }

    /// Saves `replica`'s record as a county record (inside the caller's transaction):
    /// new, or with `replace` the content of the returned county record of its number
    /// replaced (a resubmission, or the version kept in a conflict).
    pub(super) fn install_replica(
        &self,
        replica: &ReplicaIn,
        replace: bool,
    ) -> Result<(), StoreError> {
        let number = replica.record.info.number.trim().to_owned();
        let received = timestamp(replica.received_at);
        let resubmitted = replace;
        if resubmitted {
            // Lifted for this save only, in this transaction: set again to the new envelope below.
            self.conn
                .prepare_cached("UPDATE assessments SET replica = NULL WHERE number = ?1")?
                .execute([&number])?;
        }
        let maker = Actor {
            account: replica.parties.assessor_accounts[0].clone(),
            display_name: String::new(),
            role: Role::Assessor,
        };
        let context = SaveContext {
            now: replica.received_at,
            actor: &maker,
            supersedes: None,
            audit: AuditMode::Imported,
        };
        let scored = self
            .bundled_scale()
            .map_or(Scored::default(), |scale| Scored::of(scale, &replica.record));
        if resubmitted {
            // 已退回 → 草稿 (the correction) → 已完成, as on the assessors' machine.
            self.save_in_tx(&replica.record, Status::Draft, scored, &context)?;
        }
        let id = self.save_in_tx(&replica.record, Status::Completed, scored, &context)?;
        self.conn
            .prepare_cached(
                "UPDATE assessments SET status = 'submitted', submitted_at = ?2, replica = ?3
                 WHERE id = ?1",
            )?
            .execute(params![id, received, replica.envelope_id])?;
        let parties = &replica.parties;
        for (duty, account) in [
            ("assessor1", &parties.assessor_accounts[0]),
            ("assessor2", &parties.assessor_accounts[1]),
        ]
        .into_iter()
        .chain(parties.duty_accounts.iter().map(|account| ("edit", account)))
        {
            self.conn
                .prepare_cached(
                    "INSERT OR IGNORE INTO record_accounts (record_id, duty, account)
                     VALUES (?1, ?2, ?3)",
                )?
                .execute(params![id, duty, account])?;
        }
        super::audit_content::append_change(
            &self.conn,
            &Entry {
                at: &received,
                actor: "(县级服务器)",
                record_id: Some(id),
                action: "replica",
                field: Some("status"),
                old: Some(Status::Completed.code()),
                new: Some(Status::Submitted.code()),
                reason: Some(&replica.envelope_id),
                content_hash: None,
            },
        )?;
        Ok(())
    }

    /// Applies one decision (inside the caller's transaction) unless it was applied
    /// before; `true` when it changed a record.
    fn apply_decision(&self, decision: &DecisionIn) -> Result<bool, StoreError> {
        let at = timestamp(decision.applied_at);
        let new = self
            .conn
            .prepare_cached(
                "INSERT OR IGNORE INTO sync_applied (decision_id, applied_at) VALUES (?1, ?2)",
            )?
            .execute(params![decision.decision_id, at])?;
        if new == 0 {
            return Ok(false);
        }
        if let Some(kept) = &decision.kept {
            return self.apply_keep(decision, kept);
        }
        let row: Option<(i64, String)> = self
            .conn
            .prepare_cached("SELECT id, status FROM assessments WHERE number = ?1")?
            .query_row([decision.number.trim()], |row| Ok((row.get(0)?, row.get(1)?)))
            .optional()?;
        let Some((id, status)) = row else { return Ok(false) };
        if status != Status::Submitted.code() {
            return Ok(false);
        }
        let reviewer: String = self
            .conn
            .prepare_cached("SELECT display_name FROM accounts WHERE login = ?1")?
            .query_row([&decision.reviewer], |row| row.get(0))
            .optional()?
            .unwrap_or_else(|| decision.reviewer.clone());
        let (next, action) = match &decision.returned {
            None => (Status::Approved, "approve"),
            Some(_) => (Status::Returned, "return"),
        };
        self.conn
            .prepare_cached(
                "UPDATE assessments SET status = ?2, reviewed_at = ?3, updated_at = ?3,
                     reviewer = ?4, review_reason = ?5 WHERE id = ?1",
            )?
            .execute(params![id, next.code(), at, reviewer, decision.returned])?;
        super::audit_content::append_change(
            &self.conn,
            &Entry {
                at: &at,
                actor: &decision.reviewer,
                record_id: Some(id),
                action,
                field: Some("status"),
                old: Some(Status::Submitted.code()),
                new: Some(next.code()),
                reason: decision.returned.as_deref(),
                content_hash: None,
            },
        )?;
        Ok(true)
    }
}
