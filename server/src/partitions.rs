//! The county's own partitions of `envelopes`: LIST (county) → RANGE (year of the
//! reference date). DEFAULT partitions at both levels (from the migration) keep every
//! envelope storable; [`ensure_county`] adds a county's partition (with its own DEFAULT)
//! and one partition per year, at `serve` start, under the migration lock.
//!
//! Rows that arrived before their partition existed (a county's first envelopes in the
//! DEFAULT partition, a year outside the range made at start in the county's DEFAULT) are
//! moved into it when it is made: the new partition is built beside its parent, the rows
//! copied into it and deleted from the DEFAULT, and it is attached — all in one
//! transaction, with the DEFAULT partition locked against new rows meanwhile, so a row is
//! in exactly one place whatever happens.

use elder_assess::sync::envelope::content_hash;
use tokio_postgres::Client;

use crate::ServerError;
use crate::migrate::MIGRATION_LOCK;

/// A table-name-safe tag for a county (its name is Chinese): `c` + 12 hex of its SHA-256.
pub fn county_tag(county: &str) -> String {
    let hex = content_hash(county.as_bytes());
    format!("c{}", &hex[..12])
}

/// Creates `county`'s partition and its `years` partitions when missing, moving any of
/// their rows out of the DEFAULT partitions.
pub async fn ensure_county(
    client: &mut Client,
    county: &str,
    years: std::ops::RangeInclusive<i32>,
) -> Result<(), ServerError> {
    let tag = county_tag(county);
    let literal = county.replace('\'', "''");
    let tx = client.transaction().await?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK]).await?;
    let county_table = format!("envelopes_{tag}");
    if !exists(&tx, &county_table).await? {
        let place = Place {
            parent: "envelopes",
            default: "envelopes_other",
            table: &county_table,
            bound: format!("IN ('{literal}')"),
            rows: format!("county = '{literal}'"),
            sub_partitioned: true,
        };
        make_partition(&tx, &place).await?;
    }
    let county_default = format!("envelopes_{tag}_any");
    for year in years {
        let name = format!("envelopes_{tag}_{year}");
        if !exists(&tx, &name).await? {
            let place = Place {
                parent: &county_table,
                default: &county_default,
                table: &name,
                bound: format!("FROM ({year}) TO ({})", year + 1),
                rows: format!("year = {year}"),
                sub_partitioned: false,
            };
            make_partition(&tx, &place).await?;
        }
    }
    tx.commit().await?;
    Ok(())
}

/// Where a new partition goes: its parent, the parent's DEFAULT partition, its name, its
/// bound (`IN (…)` / `FROM (…) TO (…)`), which of the DEFAULT's rows are its own, and
/// whether it is itself partitioned by year (with a DEFAULT of its own).
struct Place<'a> {
    parent: &'a str,
    default: &'a str,
    table: &'a str,
    bound: String,
    rows: String,
    sub_partitioned: bool,
}

async fn exists(tx: &tokio_postgres::Transaction<'_>, name: &str) -> Result<bool, ServerError> {
    Ok(tx.query_opt("SELECT 1 FROM pg_class WHERE relname = $1", &[&name]).await?.is_some())
}

/// Makes `place.table` and attaches it, moving its rows out of the DEFAULT partition.
async fn make_partition(
    tx: &tokio_postgres::Transaction<'_>,
    place: &Place<'_>,
) -> Result<(), ServerError> {
    let Place { parent, default, table, bound, rows, sub_partitioned } = place;
    let waiting = tx
        .query_opt(&format!("SELECT 1 FROM {default} WHERE {rows} LIMIT 1"), &[])
        .await?
        .is_some();
    if !waiting {
        let sub = if *sub_partitioned { " PARTITION BY RANGE (year)" } else { "" };
        tx.batch_execute(&format!(
            "CREATE TABLE {table} PARTITION OF {parent} FOR VALUES {bound}{sub};"
        ))
        .await?;
        if *sub_partitioned {
            tx.batch_execute(&format!("CREATE TABLE {table}_any PARTITION OF {table} DEFAULT;"))
                .await?;
        }
        return Ok(());
    }
    // Built beside the parent (same columns, defaults and storage), filled, then attached:
    // PostgreSQL refuses a new partition while the DEFAULT holds rows that belong to it.
    let sub = if *sub_partitioned { " PARTITION BY RANGE (year)" } else { "" };
    tx.batch_execute(&format!(
        "LOCK TABLE {default} IN EXCLUSIVE MODE;
         CREATE TABLE {table} (LIKE {parent} INCLUDING DEFAULTS INCLUDING STORAGE){sub};"
    ))
    .await?;
    if *sub_partitioned {
        tx.batch_execute(&format!("CREATE TABLE {table}_any PARTITION OF {table} DEFAULT;"))
            .await?;
    }
    let columns: String = tx
        .query_one(
            "SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) FROM pg_attribute
             WHERE attrelid = $1::text::regclass AND attnum > 0 AND NOT attisdropped",
            &[&parent],
        )
        .await?
        .get(0);
    tx.batch_execute(&format!(
        "INSERT INTO {table} ({columns}) SELECT {columns} FROM {default} WHERE {rows};
         DELETE FROM {default} WHERE {rows};
         ALTER TABLE {parent} ATTACH PARTITION {table} FOR VALUES {bound};"
    ))
    .await?;
    Ok(())
}
