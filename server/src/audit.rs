//! The server's own audit trail: append-only (triggers refuse UPDATE, DELETE, TRUNCATE)
//! and hash-chained: each row's hash is SHA-256 over the canonical JSON array
//! `[seq, at, actor, action, subject, detail, prev_hash]`. Rows are appended only while
//! the transaction holds the event lock ([`crate::service::EVENT_LOCK`]), so two server
//! instances extend one chain.

use chrono::{DateTime, Utc};
use deadpool_postgres::GenericClient;
use elder_assess::sync::envelope::content_hash;

use crate::ServerError;

/// The `prev_hash` of the first row.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The hash of one row.
pub fn row_hash(
    seq: i64,
    at: &str,
    actor: &str,
    action: &str,
    subject: Option<&str>,
    detail: &serde_json::Value,
    prev: &str,
) -> String {
    let canonical = serde_json::json!([seq, at, actor, action, subject, detail, prev]);
    content_hash(canonical.to_string().as_bytes())
}

/// Appends one row (the caller holds the event lock).
pub async fn append<C: GenericClient>(
    client: &C,
    now: DateTime<Utc>,
    actor: &str,
    action: &str,
    subject: Option<&str>,
    detail: serde_json::Value,
) -> Result<(), ServerError> {
    let last = client
        .query_opt(
            &client.prepare_cached("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").await?,
            &[],
        )
        .await?;
    let (seq, prev) =
        last.map_or((1, GENESIS.to_owned()), |row| (row.get::<_, i64>(0) + 1, row.get(1)));
    let now = crate::service::micros(now);
    let at = now.to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    let hash = row_hash(seq, &at, actor, action, subject, &detail, &prev);
    client
        .execute(
            &client
                .prepare_cached(
                    "INSERT INTO audit (seq, at, actor, action, subject, detail, prev_hash, hash)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                )
                .await?,
            &[&seq, &now, &actor, &action, &subject, &detail, &prev, &hash],
        )
        .await?;
    Ok(())
}

/// Re-checks the whole chain; returns the number of rows, or the first broken `seq`.
pub async fn verify<C: GenericClient>(client: &C) -> Result<Result<i64, i64>, ServerError> {
    let rows = client.query(&client.prepare_cached("SELECT seq, at, actor, action, subject, detail, prev_hash, hash FROM audit ORDER BY seq").await?, &[])
        .await?;
    let mut prev = GENESIS.to_owned();
    for (expected, row) in (1..).zip(rows.iter()) {
        let seq: i64 = row.get(0);
        let at: DateTime<Utc> = row.get(1);
        let at = at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
        let detail: serde_json::Value = row.get(5);
        let hash = row_hash(seq, &at, row.get(2), row.get(3), row.get(4), &detail, &prev);
        let stored: String = row.get(7);
        let stored_prev: String = row.get(6);
        if seq != expected || stored_prev != prev || stored != hash {
            return Ok(Err(seq));
        }
        prev = stored;
    }
    Ok(Ok(i64::try_from(rows.len()).unwrap_or(i64::MAX)))
}
