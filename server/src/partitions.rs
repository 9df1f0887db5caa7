//! The county's own partitions of `envelopes`: LIST (county) → RANGE (year of the
//! reference date). DEFAULT partitions at both levels (from the migration) keep every
//! envelope storable; [`ensure_county`] adds a county's partition (with its own DEFAULT)
//! and one partition per year, at `serve` start, under the migration lock.
//!
//! A county partition is only created while the DEFAULT partition holds none of that
//! county's rows (`PostgreSQL` would refuse it otherwise); rows that arrived earlier stay in
//! DEFAULT, which is correct, only less pruned.

use elder_assess::sync::envelope::content_hash;
use tokio_postgres::Client;

use crate::ServerError;
use crate::migrate::MIGRATION_LOCK;

/// A table-name-safe tag for a county (its name is Chinese): `c` + 12 hex of its SHA-256.
pub fn county_tag(county: &str) -> String {
    let hex = content_hash(county.as_bytes());
    format!("c{}", &hex[..12])
}

/// Creates `county`'s partition and its `years` partitions when missing.
pub async fn ensure_county(
    client: &mut Client,
    county: &str,
    years: std::ops::RangeInclusive<i32>,
) -> Result<(), ServerError> {
    let tag = county_tag(county);
    let tx = client.transaction().await?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK]).await?;
    let exists = tx
        .query_opt("SELECT 1 FROM pg_class WHERE relname = $1", &[&format!("envelopes_{tag}")])
        .await?
        .is_some();
    if !exists {
        let in_default = tx
            .query_opt("SELECT 1 FROM envelopes_other WHERE county = $1 LIMIT 1", &[&county])
            .await?;
        if in_default.is_some() {
            tx.commit().await?;
            return Ok(());
        }
        let literal = county.replace('\'', "''");
        tx.batch_execute(&format!(
            "CREATE TABLE envelopes_{tag} PARTITION OF envelopes FOR VALUES IN ('{literal}')
                 PARTITION BY RANGE (year);
             CREATE TABLE envelopes_{tag}_any PARTITION OF envelopes_{tag} DEFAULT;"
        ))
        .await?;
    }
    for year in years {
        let name = format!("envelopes_{tag}_{year}");
        let exists =
            tx.query_opt("SELECT 1 FROM pg_class WHERE relname = $1", &[&name]).await?.is_some();
        let in_default = tx
            .query_opt(
                &format!("SELECT 1 FROM envelopes_{tag}_any WHERE year = $1 LIMIT 1"),
                &[&year],
            )
            .await?
            .is_some();
        if !exists && !in_default {
            let next = year + 1;
            tx.batch_execute(&format!(
                "CREATE TABLE {name} PARTITION OF envelopes_{tag} FOR VALUES FROM ({year}) TO ({next})"
            ))
            .await?;
        }
    }
    tx.commit().await?;
    Ok(())
}
