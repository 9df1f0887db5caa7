//! The outbox and the replica: what waits to go to the county server, and the county's
//! records received from it.
//!
//! - `sync_outbox`: envelopes (one per submission of a record whose fully signed report
//!   is kept) and decisions, each stored once as the exact bytes sent, so a retry sends
//!   the same bytes. A record with a pending item is frozen ([`StoreError::SyncPending`]).
//!   The server's answer marks an item `sent` (accepted, duplicate, conflict: the server
//!   holds it) or `refused` with the reason — the record then goes back to 已完成 with an
//!   audit row, for the assessors to correct, re-sign and submit again. Nothing here is
//!   tied to a session: signing out never touches the outbox.
//! - Replica records: another device's envelope, received by a reviewer's device, is an
//!   `assessments` row marked `replica` (the envelope id), with its parties in
//!   `record_accounts`, so the bureau's screens list it. It is never saved; a decision on
//!   it is checked like one on a local record and queued in the outbox
//!   ([`Store::pending_decision`] until the server's event comes back).
//! - A pull page ([`Store::apply_pull_page`]) is applied in one transaction, the cursor
//!   included; decisions already applied (`sync_applied`) are skipped.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};

use super::audit::{self, Entry};
use super::{AuditMode, SaveContext, Scored, Status, Store, StoreError, timestamp};
use crate::record::AssessmentRecord;
use crate::review::{Action, Actor, Role};
use crate::sync::envelope::{AuditEntry, EnvelopeParties};
use crate::sync::protocol::CountyState;

/// What an outbox item carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutboxKind {
    /// A [`crate::sync::SignedEnvelope`] (JSON).
    Envelope,
    /// A [`crate::sync::protocol::Decision`] (JSON).
    Decision,
}

impl OutboxKind {
    fn code(self) -> &'static str {
        match self {
            Self::Envelope => "envelope",
            Self::Decision => "decision",
        }
    }
}

/// One pending outbox item, in outbox order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxItem {
    /// The envelope's or decision's id.
    pub item_id: String,
    /// What it is.
    pub kind: OutboxKind,
    /// The local record it is about.
    pub record_id: Option<i64>,
    /// The exact JSON stored when it was queued.
    pub body: String,
}

/// An item the server refused, with its reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefusedItem {
    /// The envelope's or decision's id.
    pub item_id: String,
    /// The record's assessment number, if it is still on this device.
    pub number: Option<String>,
    /// The server's reason.
    pub reason: String,
}

/// A submitted record whose signed report is kept and that has no envelope for this
/// submission yet, with everything its envelope carries.
#[derive(Debug, Clone)]
pub struct ReadyRecord {
    /// Row id.
    pub id: i64,
    /// The record (assessors as bound, see [`Store::signed_record`]).
    pub record: AssessmentRecord,
    /// When it was submitted (the outbox's key for this submission).
    pub submitted_at: String,
    /// The fully signed report.
    pub report_pdf: Vec<u8>,
    /// The duties by account.
    pub parties: EnvelopeParties,
    /// The device's audit rows about it.
    pub audit: Vec<AuditEntry>,
    /// The envelope of the approved record it corrects or re-assesses, if sent.
    pub supersedes: Option<String>,
}

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
    /// `None`: approved; `Some(reason)`: returned.
    pub returned: Option<String>,
    /// The server's time of applying it.
    pub applied_at: DateTime<Utc>,
}

impl Store {
    /// Pending outbox items (cheap: for the app's 同步 button).
    pub fn outbox_count(&self) -> Result<usize, StoreError> {
        let count: i64 = self
            .conn
            .prepare_cached("SELECT count(*) FROM sync_outbox WHERE state = 'pending'")?
            .query_row([], |row| row.get(0))?;
        Ok(usize::try_from(count).unwrap_or(usize::MAX))
    }

    /// The pending items, in the order they were queued.
    pub fn outbox_items(&self) -> Result<Vec<OutboxItem>, StoreError> {
        let mut statement = self.conn.prepare_cached(
            "SELECT item_id, kind, record_id, body FROM sync_outbox
             WHERE state = 'pending' ORDER BY seq",
        )?;
        let rows = statement.query_map([], |row| {
            let kind: String = row.get(1)?;
            Ok(OutboxItem {
                item_id: row.get(0)?,
                kind: if kind == "decision" { OutboxKind::Decision } else { OutboxKind::Envelope },
                record_id: row.get(2)?,
                body: row.get(3)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The items the server refused, newest first.
    pub fn refused_items(&self) -> Result<Vec<RefusedItem>, StoreError> {
        let mut statement = self.conn.prepare_cached(
            "SELECT o.item_id, a.number, o.reason FROM sync_outbox AS o
             LEFT JOIN assessments AS a ON a.id = o.record_id
             WHERE o.state = 'refused' ORDER BY o.seq DESC",
        )?;
        let rows = statement.query_map([], |row| {
            Ok(RefusedItem {
                item_id: row.get(0)?,
                number: row.get(1)?,
                reason: row.get::<_, Option<String>>(2)?.unwrap_or_default(),
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The device's audit head, `seq:hash`.
    pub fn audit_head(&self) -> Result<String, StoreError> {
        let head: Option<String> = self
            .conn
            .prepare_cached("SELECT value FROM meta WHERE key = ?1")?
            .query_row([audit::HEAD_KEY], |row| row.get(0))
            .optional()?;
        Ok(head.unwrap_or_else(|| format!("0:{}", audit::GENESIS_HASH)))
    }

    /// Refuses a change to record `id` while it waits in the outbox, or when it is a
    /// replica.
    pub(super) fn check_not_frozen(&self, id: i64) -> Result<(), StoreError> {
        let (pending, replica): (bool, bool) = self
            .conn
            .prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM sync_outbox WHERE record_id = ?1
                                AND state = 'pending'),
                        EXISTS (SELECT 1 FROM assessments WHERE id = ?1 AND replica IS NOT NULL)",
            )?
            .query_row([id], |row| Ok((row.get(0)?, row.get(1)?)))?;
        if replica {
            return Err(StoreError::Replica { id });
        }
        if pending {
            return Err(StoreError::SyncPending { id });
        }
        Ok(())
    }

    /// Submitted local records with a kept signed report and no envelope for their
    /// current submission.
    pub fn ready_for_outbox(&self) -> Result<Vec<ReadyRecord>, StoreError> {
        let rows: Vec<(i64, String, Vec<u8>, Option<i64>)> = self
            .conn
            .prepare_cached(
                "SELECT a.id, a.submitted_at, r.pdf, a.supersedes FROM assessments AS a
                 JOIN reports AS r ON r.record_id = a.id
                 WHERE a.status = 'submitted' AND a.replica IS NULL
                   AND a.submitted_at IS NOT NULL
                   AND NOT EXISTS (SELECT 1 FROM sync_outbox AS o WHERE o.record_id = a.id
                                   AND o.kind = 'envelope' AND o.submitted_at = a.submitted_at)
                 ORDER BY a.submitted_at, a.id",
            )?
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)))?
            .collect::<Result<_, _>>()?;
        let mut ready = Vec::with_capacity(rows.len());
        for (id, submitted_at, report_pdf, supersedes) in rows {
            let record = self.signed_record(id)?;
            let parties = self.envelope_parties(id)?;
            let supersedes = match supersedes {
                Some(of) => self.sent_envelope_of(of)?,
                None => None,
            };
            let audit = self.audit_rows_of(id)?;
            ready.push(ReadyRecord {
                id,
                record,
                submitted_at,
                report_pdf,
                parties,
                audit,
                supersedes,
            });
        }
        Ok(ready)
    }

    /// Record `id`'s duties by account, for its envelope.
    fn envelope_parties(&self, id: i64) -> Result<EnvelopeParties, StoreError> {
        let [first, second] = self.assessor_accounts_of(id)?;
        let mut duty_accounts: Vec<String> = self
            .conn
            .prepare_cached(
                "SELECT DISTINCT account FROM record_accounts
                 WHERE record_id = ?1 AND duty NOT LIKE 'assessor%' ORDER BY account",
            )?
            .query_map([id], |row| row.get(0))?
            .collect::<Result<_, _>>()?;
        duty_accounts.dedup();
        Ok(EnvelopeParties {
            assessor_accounts: [first.unwrap_or_default(), second.unwrap_or_default()],
            duty_accounts,
        })
    }

    /// The newest envelope of record `id` the server holds (its replica's, on a reviewer's
    /// device), for `supersedes`.
    fn sent_envelope_of(&self, id: i64) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT item_id FROM sync_outbox WHERE record_id = ?1 AND kind = 'envelope'
                   AND state = 'sent' ORDER BY seq DESC LIMIT 1",
            )?
            .query_row([id], |row| row.get::<_, String>(0))
            .optional()?
            .or(self
                .conn
                .prepare_cached("SELECT replica FROM assessments WHERE id = ?1")?
                .query_row([id], |row| row.get::<_, Option<String>>(0))
                .optional()?
                .flatten()))
    }

    /// The audit rows about record `id`, in chain order.
    fn audit_rows_of(&self, id: i64) -> Result<Vec<AuditEntry>, StoreError> {
        let mut statement = self.conn.prepare_cached(
            "SELECT seq, at, record_id, actor, action, field, old_value, new_value, reason,
                    content_hash, prev_hash, hash FROM audit WHERE record_id = ?1 ORDER BY seq",
        )?;
        let rows = statement.query_map([id], |row| {
            Ok(AuditEntry {
                seq: row.get(0)?,
                at: row.get(1)?,
                record_id: row.get(2)?,
                actor: row.get(3)?,
                action: row.get(4)?,
                field: row.get(5)?,
                old: row.get(6)?,
                new: row.get(7)?,
                reason: row.get(8)?,
                content_hash: row.get(9)?,
                prev_hash: row.get(10)?,
                hash: row.get(11)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Queues an item (exact `body`), in one transaction with its audit row. An envelope
    /// for a submission already queued is not queued again: returns `false`.
    pub fn enqueue(
        &self,
        kind: OutboxKind,
        item_id: &str,
        record: Option<(i64, &str)>,
        body: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let tx = self.immediate()?;
        let queued = self.enqueue_in_tx(kind, item_id, record, body, now)?;
        tx.commit()?;
        Ok(queued)
    }

    fn enqueue_in_tx(
        &self,
        kind: OutboxKind,
        item_id: &str,
        record: Option<(i64, &str)>,
        body: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let (record_id, submitted_at) = record.unzip();
        if kind == OutboxKind::Envelope {
            let exists: bool = self
                .conn
                .prepare_cached(
                    "SELECT EXISTS (SELECT 1 FROM sync_outbox WHERE record_id = ?1
                         AND kind = 'envelope' AND submitted_at = ?2)",
                )?
                .query_row(params![record_id, submitted_at], |row| row.get(0))?;
            if exists {
                return Ok(false);
            }
        }
        let at = timestamp(now);
        let inserted = self
            .conn
            .prepare_cached(
                "INSERT OR IGNORE INTO sync_outbox
                     (item_id, kind, record_id, submitted_at, body, state, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, 'pending', ?6)",
            )?
            .execute(params![item_id, kind.code(), record_id, submitted_at, body, at])?;
        if inserted == 0 {
            return Ok(false);
        }
        audit::append(
            &self.conn,
            &Entry {
                at: &at,
                actor: &self.acting().map(|actor| actor.account).unwrap_or_default(),
                record_id,
                action: "outbox",
                field: Some(kind.code()),
                new: Some(item_id),
                ..Entry::default()
            },
        )?;
        Ok(true)
    }

    /// Applies the server's answers, in one transaction: `None` — it holds the item
    /// (accepted, duplicate, conflict); `Some(reason)` — refused: the item is kept marked
    /// refused and its record goes back to 已完成 with an audit row.
    pub fn apply_push_outcomes(
        &self,
        outcomes: &[(String, Option<String>)],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let at = timestamp(now);
        let tx = self.immediate()?;
        for (item_id, refused) in outcomes {
            let record: Option<Option<i64>> = self
                .conn
                .prepare_cached(
                    "SELECT record_id FROM sync_outbox WHERE item_id = ?1 AND state = 'pending'",
                )?
                .query_row([item_id], |row| row.get(0))
                .optional()?;
            let Some(record_id) = record else { continue };
            let state = if refused.is_some() { "refused" } else { "sent" };
            self.conn
                .prepare_cached(
                    "UPDATE sync_outbox SET state = ?2, reason = ?3, done_at = ?4
                     WHERE item_id = ?1",
                )?
                .execute(params![item_id, state, refused, at])?;
            let (Some(reason), Some(id)) = (refused, record_id) else { continue };
            let reopened = self
                .conn
                .prepare_cached(
                    "UPDATE assessments SET status = 'completed', updated_at = ?2
                     WHERE id = ?1 AND status = 'submitted' AND replica IS NULL",
                )?
                .execute(params![id, at])?;
            if reopened > 0 {
                super::audit_content::append_change(
                    &self.conn,
                    &Entry {
                        at: &at,
                        actor: "(县级服务器)",
                        record_id: Some(id),
                        action: "sync_refused",
                        field: Some("status"),
                        old: Some(Status::Submitted.code()),
                        new: Some(Status::Completed.code()),
                        reason: Some(reason),
                        content_hash: None,
                    },
                )?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// The decision queued for replica `id` and not yet confirmed by the server.
    pub fn pending_decision(&self, id: i64) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT body FROM sync_outbox WHERE record_id = ?1 AND kind = 'decision'
                   AND state = 'pending' ORDER BY seq DESC LIMIT 1",
            )?
            .query_row([id], |row| row.get(0))
            .optional()?)
    }

    /// The envelope id of replica `id` (`None` for a local record).
    pub fn replica_envelope(&self, id: i64) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .prepare_cached("SELECT replica FROM assessments WHERE id = ?1")?
            .query_row([id], |row| row.get::<_, Option<String>>(0))
            .optional()?
            .flatten())
    }

    /// Envelope ids received flagged as conflicts (kept beside the first, for a reviewer).
    pub fn replica_conflicts(&self) -> Result<Vec<(String, String)>, StoreError> {
        let mut statement = self.conn.prepare_cached(
            "SELECT envelope_id, number FROM sync_replica WHERE conflict = 1
             ORDER BY envelope_id, hash",
        )?;
        let rows = statement.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Whether the replica holds envelope `id` with content `hash` already.
    pub fn has_replica(&self, id: &str, hash: &str) -> Result<bool, StoreError> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM sync_replica WHERE envelope_id = ?1 AND hash = ?2)",
            )?
            .query_row(params![id, hash], |row| row.get(0))?)
    }
}

impl Store {
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
    /// always (once per id and hash), and as a replica record when its number is new here.
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
        if earlier || self.find_by_number(&number)?.is_some() {
            // A conflicting copy, or this device's own record: kept in sync_replica only.
            return Ok(());
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
