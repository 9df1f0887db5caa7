//! The bureau's queries on the county's data: the review queue (keyset pages), one
//! elder's history across devices (by the "same elder" hash), and township × level
//! statistics from the summary table (no scan of the records).

use chrono::{DateTime, NaiveDate, Utc};

use crate::ServerError;
use crate::push::person_hash;
use crate::service::Server;

/// One row of the queue or of a history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueRow {
    /// The envelope.
    pub id: String,
    /// Its content hash.
    pub hash: String,
    /// The server's receipt time.
    pub received_at: DateTime<Utc>,
    /// The assessment number.
    pub number: String,
    /// The township.
    pub township: String,
    /// The final level.
    pub final_level: i16,
    /// `submitted`, `approved`, `returned`, `superseded`.
    pub status: String,
    /// The reference date.
    pub reference_date: NaiveDate,
    /// The device that made it.
    pub device: String,
    /// Whether another envelope has the same id.
    pub conflict: bool,
}

/// The queue's filters and page position.
#[derive(Debug, Clone, Default)]
pub struct QueueQuery {
    /// Only this township.
    pub township: Option<String>,
    /// Only this final level.
    pub level: Option<i16>,
    /// After this (`received_at`, `id`): the last row of the previous page.
    pub after: Option<(DateTime<Utc>, String)>,
    /// Page size.
    pub limit: i64,
}

/// One cell of the statistics.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatCell {
    /// The township.
    pub township: String,
    /// The final level.
    pub final_level: i16,
    /// Assessments counted (the latest of each correction chain).
    pub assessed: i64,
    /// Of those, approved.
    pub approved: i64,
}

const COLUMNS: &str = "id, hash, received_at, number, township, final_level, status, reference_date, device, conflict";

fn queue_row(r: &tokio_postgres::Row) -> QueueRow {
    QueueRow {
        id: r.get(0),
        hash: r.get(1),
        received_at: r.get(2),
        number: r.get(3),
        township: r.get(4),
        final_level: r.get(5),
        status: r.get(6),
        reference_date: r.get(7),
        device: r.get(8),
        conflict: r.get(9),
    }
}

impl Server {
    /// Submitted envelopes of the county, oldest first, one keyset page.
    pub async fn queue(&self, query: &QueueQuery) -> Result<Vec<QueueRow>, ServerError> {
        let client = self.pool.get().await?;
        let (after_at, after_id) =
            query.after.clone().map_or((None, None), |(a, i)| (Some(a), Some(i)));
        let sql = format!(
            "SELECT {COLUMNS} FROM envelopes WHERE county = $1 AND status = 'submitted'
               AND ($2::text IS NULL OR township = $2) AND ($3::smallint IS NULL OR final_level = $3)
               AND ($4::timestamptz IS NULL OR (received_at, id) > ($4, $5::text))
             ORDER BY received_at, id LIMIT $6"
        );
        let rows = client
            .query(
                &sql,
                &[
                    &self.county.name,
                    &query.township,
                    &query.level,
                    &after_at,
                    &after_id,
                    &query.limit.clamp(1, 500),
                ],
            )
            .await?;
        Ok(rows.iter().map(queue_row).collect())
    }

    /// Every envelope of the elder with `id_number`, from any device, oldest first.
    pub async fn history(&self, id_number: &str) -> Result<Vec<QueueRow>, ServerError> {
        let client = self.pool.get().await?;
        let person = person_hash(&self.county.person_key, id_number.trim());
        let sql = format!(
            "SELECT {COLUMNS} FROM envelopes WHERE person_hash = $1 ORDER BY reference_date, received_at, id"
        );
        Ok(client.query(&sql, &[&person]).await?.iter().map(queue_row).collect())
    }

    /// Township × level counts of `year` (all years when `None`), sorted.
    pub async fn statistics(&self, year: Option<i32>) -> Result<Vec<StatCell>, ServerError> {
        let client = self.pool.get().await?;
        let rows = client
            .query(
                "SELECT township, final_level, sum(assessed)::bigint, sum(approved)::bigint FROM stats
                 WHERE county = $1 AND ($2::integer IS NULL OR year = $2)
                 GROUP BY township, final_level ORDER BY township, final_level",
                &[&self.county.name, &year],
            )
            .await?;
        Ok(rows
            .iter()
            .map(|r| StatCell {
                township: r.get(0),
                final_level: r.get(1),
                assessed: r.get(2),
                approved: r.get(3),
            })
            .collect())
    }
}
