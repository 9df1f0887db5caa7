//! The outbox: what waits to go to the county server.
//!
//! `sync_outbox` holds envelopes (one per submission of a record whose fully signed
//! report is kept) and decisions, each stored once as the exact bytes sent, so a retry
//! sends the same bytes. A record with a pending item is frozen
//! ([`StoreError::SyncPending`]). The server's answer marks an item `sent` (accepted,
//! duplicate, conflict: the server holds it) or `refused` with the reason — the record
//! then goes back to 已完成 with an audit row, for the assessors to correct, re-sign and
//! submit again. Nothing here is tied to a session: signing out never touches the
//! outbox. The county's records received from the server are in `sync_replica.rs`.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};

use super::audit::{self, Entry};
use super::{Status, Store, StoreError, timestamp};
use crate::record::AssessmentRecord;
use crate::sync::envelope::{AuditEntry, EnvelopeParties};

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

    /// [`Store::enqueue`] inside the caller's transaction.
    pub(super) fn enqueue_in_tx(
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
                actor: &self.acting().map_or_else(|_| "(同步)".to_owned(), |actor| actor.account),
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
            "SELECT DISTINCT envelope_id, number FROM sync_replica WHERE conflict = 1
             ORDER BY envelope_id, number",
        )?;
        let rows = statement.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
