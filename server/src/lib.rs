//! The county server of elder-assess (`elder-assess-server`): receives the signed
//! envelopes of the assessors' devices over HTTPS, keeps the county's records, decisions
//! and its own hash-chained audit trail in `PostgreSQL`, and hands each device what is new
//! for it. Instances are stateless: every fact lives in the database.
//!
//! It links the `elder-assess` library without the desktop app and calls its pure
//! modules (`review::transition`, `sync` envelopes, `sync::intake`) for every rule it
//! enforces. Modules: [`migrate`] (embedded versioned migrations), [`partitions`] (the
//! county's partitions), [`county`] (what the server knows of its county), [`service`]
//! (enrolment, signed requests, county state), [`push`], [`resolve`] (a reviewer's choice between conflicting versions), [`pull`], [`bureau`] (queue,
//! history, statistics), [`audit`] (the server's chain), [`http`] (axum + rustls),
//! [`admin`] (accounts and devices for the command line).

pub mod admin;
pub mod audit;
pub mod bureau;
pub mod checking;
pub mod county;
mod error;
pub mod http;
pub mod migrate;
pub mod package_import;
pub mod partitions;
pub mod pull;
pub mod push;
pub mod resolve;
pub mod service;
pub mod stamp;
pub mod stored;

use std::sync::Arc;

use chrono::Datelike as _;
pub use error::ServerError;
pub use service::Server;

/// A connection pool for `database_url` (`postgres://user@host:port/db`).
pub fn pool(database_url: &str) -> Result<deadpool_postgres::Pool, ServerError> {
    let config: tokio_postgres::Config = database_url
        .parse()
        .map_err(|_| ServerError::BadRequest("数据库地址（--database-url）格式无效".to_owned()))?;
    let manager = deadpool_postgres::Manager::from_config(
        config,
        tokio_postgres::NoTls,
        deadpool_postgres::ManagerConfig {
            recycling_method: deadpool_postgres::RecyclingMethod::Fast,
        },
    );
    deadpool_postgres::Pool::builder(manager)
        .max_size(16)
        .runtime(deadpool_postgres::Runtime::Tokio1)
        .wait_timeout(Some(std::time::Duration::from_secs(10)))
        .create_timeout(Some(std::time::Duration::from_secs(5)))
        .build()
        .map_err(|e| ServerError::Database(e.to_string()))
}

/// Opens the server: migrates the database, adds the county's partitions (this year ±2)
/// and reads (or makes, once) the server's secret key.
pub async fn open(
    database_url: &str,
    mut county: county::CountyConfig,
) -> Result<Server, ServerError> {
    let pool = pool(database_url)?;
    let mut client = pool.get().await?;
    migrate::migrate(&mut client).await?;
    let year = chrono::Utc::now().year();
    partitions::ensure_county(&mut client, &county.name, year - 2..=year + 2).await?;
    let mut key = [0_u8; 32];
    rand_core::RngCore::fill_bytes(&mut rand_core::OsRng, &mut key);
    client
        .execute(
            "INSERT INTO settings (key, value) VALUES ('person_key', $1) ON CONFLICT DO NOTHING",
            &[&key.as_slice()],
        )
        .await?;
    county.person_key =
        client.query_one("SELECT value FROM settings WHERE key = 'person_key'", &[]).await?.get(0);
    drop(client);
    Ok(Server { pool, county: Arc::new(county) })
}
