//! `pull`: the events after a device's cursor that are for it, and the county state.
//!
//! A reviewer's or admin's device (by the role of the account that enrolled it) gets every
//! event; an assessor's device the decisions on envelopes it made. The cursor returned is
//! the last event examined: the newest cursor is read first and only events up to it are
//! scanned, and cursors are handed out under the event lock and committed in order, so an
//! event committed later always has a higher cursor and is never skipped.

use chrono::{DateTime, Utc};

use elder_assess::sync::protocol::{Decision, Event, EventKind, PullRequest, PullResponse};

use crate::service::{DeviceRow, Server, clock_warning, micros};
use crate::{ServerError, stored};

/// The most events one pull returns (envelope events carry a report PDF each).
pub const MAX_EVENTS_PER_PULL: u32 = 100;

impl Server {
    /// The events after `request.since` for `device`.
    pub async fn pull(
        &self,
        device: &DeviceRow,
        request: &PullRequest,
        now: DateTime<Utc>,
    ) -> Result<PullResponse, ServerError> {
        let now = micros(now);
        let limit = i64::from(request.limit.clamp(1, MAX_EVENTS_PER_PULL));
        let client = self.pool.get().await?;
        let newest: i64 =
            client.query_one("SELECT coalesce(max(cursor), 0) FROM events", &[]).await?.get(0);
        let everything = device.role != "assessor";
        let rows = client
            .query(
                "SELECT cursor, kind, envelope_id, envelope_hash, decision_id FROM events
                 WHERE cursor > $1 AND cursor <= $2 AND ($3 OR (kind = 'decision' AND device = $4))
                 ORDER BY cursor LIMIT $5",
                &[&request.since, &newest, &everything, &device.id, &(limit + 1)],
            )
            .await?;
        let more = i64::try_from(rows.len()).unwrap_or(i64::MAX) > limit;
        let mut events = Vec::new();
        for row in rows.iter().take(usize::try_from(limit).unwrap_or(usize::MAX)) {
            let cursor: i64 = row.get(0);
            let kind: String = row.get(1);
            let envelope_id: String = row.get(2);
            let kind = if kind == "envelope" {
                let hash: Option<String> = row.get(3);
                let r = client
                    .query_one(
                        &format!(
                            "SELECT {}, received_at, conflict FROM envelopes WHERE id = $1 AND hash = $2",
                            stored::COLUMNS
                        ),
                        &[&envelope_id, &hash],
                    )
                    .await?;
                let envelope = stored::from_row(&r)?;
                EventKind::Envelope { envelope, received_at: r.get(8), conflict: r.get(9) }
            } else {
                let decision_id: Option<String> = row.get(4);
                let r = client
                    .query_one(
                        "SELECT decision, number, applied_at FROM decisions WHERE id = $1",
                        &[&decision_id],
                    )
                    .await?;
                let decision: Decision = serde_json::from_value(r.get(0))
                    .map_err(|e| ServerError::Database(e.to_string()))?;
                EventKind::Decision { decision, number: r.get(1), applied_at: r.get(2) }
            };
            events.push(Event { cursor, kind });
        }
        let cursor = if more {
            events.last().map_or(request.since, |e| e.cursor)
        } else {
            newest.max(request.since)
        };
        drop(client);
        Ok(PullResponse {
            events,
            cursor,
            more,
            county_state: self.county_state().await?,
            server_time: now,
            clock_warning: clock_warning(request.device_time, now),
        })
    }
}
