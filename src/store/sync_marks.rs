//! What the app shows about sync on its lists and screens, in one cheap read: the
//! records frozen in the outbox, the county's records (replicas), the replicas with a
//! review decision waiting to go, and the numbers received as conflicts. Read-only; the
//! outbox and the replicas themselves are in `sync_outbox.rs` and `sync_replica.rs`.

use std::collections::BTreeSet;

use super::{RefusedItem, Store, StoreError};

/// The sync state of the records, by row id (and conflicts by assessment number).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncMarks {
    /// Items waiting in the outbox.
    pub outbox: usize,
    /// Local records with an envelope waiting in the outbox (frozen).
    pub frozen: BTreeSet<i64>,
    /// Records that are copies of another device's envelope (县级记录).
    pub replicas: BTreeSet<i64>,
    /// Replicas with a review decision waiting in the outbox.
    pub decision_pending: BTreeSet<i64>,
    /// Assessment numbers received from the server flagged as conflicts.
    pub conflicts: BTreeSet<String>,
    /// Items the server refused, newest first ([`Store::refused_items`]).
    pub refused: Vec<RefusedItem>,
}

impl Store {
    /// The records' sync marks (a few indexed reads; small on a device).
    pub fn sync_marks(&self) -> Result<SyncMarks, StoreError> {
        let ids = |sql: &str| -> Result<BTreeSet<i64>, StoreError> {
            let mut statement = self.conn.prepare_cached(sql)?;
            let rows = statement.query_map([], |row| row.get::<_, i64>(0))?;
            Ok(rows.collect::<Result<_, _>>()?)
        };
        let frozen = ids("SELECT DISTINCT record_id FROM sync_outbox
             WHERE state = 'pending' AND kind = 'envelope' AND record_id IS NOT NULL")?;
        let decision_pending = ids("SELECT DISTINCT record_id FROM sync_outbox
             WHERE state = 'pending' AND kind = 'decision' AND record_id IS NOT NULL")?;
        let replicas = ids("SELECT id FROM assessments WHERE replica IS NOT NULL")?;
        let mut statement = self.conn.prepare_cached(
            "SELECT number FROM sync_replica WHERE conflict = 1
                 UNION SELECT a.number FROM assessments AS a
                 JOIN sync_replica AS r ON r.envelope_id = a.replica WHERE r.conflict = 1",
        )?;
        let conflicts =
            statement.query_map([], |row| row.get::<_, String>(0))?.collect::<Result<_, _>>()?;
        Ok(SyncMarks {
            outbox: self.outbox_count()?,
            frozen,
            replicas,
            decision_pending,
            conflicts,
            refused: self.refused_items()?,
        })
    }
}
