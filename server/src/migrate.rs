//! Versioned schema migrations, embedded in the binary (`server/migrations/NNNN_*.sql`).
//!
//! [`migrate`] applies the missing ones in one transaction under
//! `pg_advisory_xact_lock(MIGRATION_LOCK)`, recording each in `schema_migrations`, so two
//! instances starting together apply them once. `serve` calls it at start (a database
//! on an older schema is brought up to date); a database whose schema is newer than this
//! program refuses to serve ([`crate::ServerError::SchemaTooNew`]).

use tokio_postgres::Client;

use crate::ServerError;

/// The advisory lock key of migrations (distinct from the event lock).
pub const MIGRATION_LOCK: i64 = 1501;

/// The migrations, in order: (version, SQL).
pub const MIGRATIONS: &[(i32, &str)] = &[
    (1, include_str!("../migrations/0001_schema.sql")),
    (2, include_str!("../migrations/0002_envelope_parts.sql")),
];

/// The newest schema version this program knows.
pub fn latest() -> i32 {
    MIGRATIONS.last().map_or(0, |(v, _)| *v)
}

/// Applies every missing migration; returns the schema version now in force.
pub async fn migrate(client: &mut Client) -> Result<i32, ServerError> {
    let tx = client.transaction().await?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK]).await?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
             version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())",
    )
    .await?;
    let row = tx.query_one("SELECT coalesce(max(version), 0) FROM schema_migrations", &[]).await?;
    let current: i32 = row.get(0);
    if current > latest() {
        return Err(ServerError::SchemaTooNew { found: current, supported: latest() });
    }
    for (version, sql) in MIGRATIONS.iter().filter(|(v, _)| *v > current) {
        tx.batch_execute(sql).await?;
        tx.execute("INSERT INTO schema_migrations (version) VALUES ($1)", &[version]).await?;
    }
    tx.commit().await?;
    Ok(latest())
}
