//! How envelopes are stored (migration 0002, `stored.rs`): as their parts, the report
//! once, rebuilt byte for byte for a pull; rows written before 0002 still read.

use chrono::{Datelike as _, Utc};
use elder_assess::sync::protocol::{EventKind, ItemOutcome};

use crate::pg::Postgres;
use crate::support::{self, Fixture, count, enrol, push, push_request};

async fn pulled_envelopes(
    server: &elder_assess_server::Server,
    device: &support::Device,
) -> Vec<elder_assess::sync::SignedEnvelope> {
    let response = server.pull(&device.row, &support::pull_request(0), Utc::now()).await.unwrap();
    response
        .events
        .into_iter()
        .filter_map(|e| match e.kind {
            EventKind::Envelope { envelope, .. } => Some(envelope),
            EventKind::Decision { .. } => None,
        })
        .collect()
}

/// The partitions whose `report` column `PostgreSQL` would still compress (not `EXTERNAL`).
async fn compressed_report_columns(server: &elder_assess_server::Server) -> i64 {
    count(
        server,
        "SELECT 1 FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
         WHERE c.relname LIKE 'envelopes%' AND a.attname = 'report' AND a.attstorage <> 'e'",
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_envelope_is_stored_as_its_parts_and_pulled_back_byte_for_byte() {
    let Some(pg) = Postgres::start() else { return };
    let fixture = Fixture::new();
    let server = fixture.server(&pg.url()).await;
    support::accounts(&server).await;
    let device = enrol(&server, "liming").await;
    let reviewer = enrol(&server, "wanggang").await;
    let envelope = fixture.envelope(&device, "PG-STORE-1", None);
    let pushed = push(&server, &device, &push_request(vec![envelope.clone()], vec![])).await;
    assert!(matches!(pushed.envelopes[0].outcome, ItemOutcome::Accepted { .. }), "{pushed:?}");

    // The report is kept once, as bytes; the body around it is small; no jsonb copy.
    let client = server.pool.get().await.unwrap();
    let row = client
        .query_one(
            "SELECT envelope IS NULL, body_tail IS NOT NULL, octet_length(body_head) + octet_length(body_tail),
                    octet_length(report), report FROM envelopes",
            &[],
        )
        .await
        .unwrap();
    assert!(row.get::<_, bool>(0) && row.get::<_, bool>(1));
    let around: i32 = row.get(2);
    let report_len: i32 = row.get(3);
    assert!(around * 4 < report_len, "body {around} bytes beside a {report_len}-byte report");
    assert_eq!(row.get::<_, Vec<u8>>(4), fixture.pdf);
    // Not compressed again by PostgreSQL, in every partition, including those made later.
    assert_eq!(compressed_report_columns(&server).await, 0);
    assert!(count(&server, "SELECT 1 FROM pg_class WHERE relname LIKE 'envelopes_c%'").await > 0);

    assert_eq!(pulled_envelopes(&server, &reviewer).await, vec![envelope.clone()]);
    let report =
        elder_assess_server::admin::stored_report(&server.pool, "PG-STORE-1").await.unwrap();
    assert_eq!(report, fixture.pdf);

    // A row as it was written before migration 0002: the whole envelope as jsonb.
    let old = serde_json::to_value(&envelope).unwrap();
    client
        .execute(
            "UPDATE envelopes SET envelope = $1, body_head = NULL, body_tail = NULL, report = NULL,
                 device_key = NULL, signature = NULL",
            &[&old],
        )
        .await
        .unwrap();
    assert_eq!(pulled_envelopes(&server, &reviewer).await, vec![envelope]);
    let report =
        elder_assess_server::admin::stored_report(&server.pool, "PG-STORE-1").await.unwrap();
    assert_eq!(report, fixture.pdf);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_servers_time_stamp_is_stored_as_the_update_it_appends() {
    let Some(pg) = Postgres::start() else { return };
    let fixture = Fixture::new();
    let server = fixture.server_stamping(&pg.url(), true).await;
    support::accounts(&server).await;
    let device = enrol(&server, "liming").await;
    let envelope = fixture.envelope(&device, "PG-STAMP-1", None);
    let pushed = push(&server, &device, &push_request(vec![envelope], vec![])).await;
    assert!(matches!(pushed.envelopes[0].outcome, ItemOutcome::Accepted { .. }), "{pushed:?}");
    let client = server.pool.get().await.unwrap();
    let row = client
        .query_one("SELECT stamp_tail, stamped_report IS NULL FROM envelopes", &[])
        .await
        .unwrap();
    let tail: Vec<u8> = row.get(0);
    assert!(row.get::<_, bool>(1));
    assert!(!tail.is_empty() && tail.len() < 32 * 1024, "a {}-byte time-stamp update", tail.len());
    let report =
        elder_assess_server::admin::stored_report(&server.pool, "PG-STAMP-1").await.unwrap();
    assert_eq!(report[..fixture.pdf.len()], fixture.pdf[..]);
    assert_eq!(report[fixture.pdf.len()..], tail[..]);
    let trust = &server.county.trust;
    let anchors = elder_assess::sign::verdict::Anchors { roots: &trust.roots, crls: &trust.crls };
    let verdict = elder_assess::sign::verdict::verify_report(&report, anchors).unwrap();
    assert!(verdict.is_valid(), "{verdict:?}");
    assert_eq!(verdict.timestamps.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rows_stored_before_their_county_partition_existed_are_moved_into_it() {
    let Some(pg) = Postgres::start() else { return };
    let fixture = Fixture::new();
    let server = fixture.server(&pg.url()).await;
    support::accounts(&server).await;
    // As if the county's envelopes had arrived before its partition was made.
    let tag = elder_assess_server::partitions::county_tag(&server.county.name);
    let client = server.pool.get().await.unwrap();
    client
        .batch_execute(&format!(
            "ALTER TABLE envelopes DETACH PARTITION envelopes_{tag}; DROP TABLE envelopes_{tag};"
        ))
        .await
        .unwrap();
    let device = enrol(&server, "liming").await;
    let reviewer = enrol(&server, "wanggang").await;
    let envelopes: Vec<_> =
        (1..=3).map(|n| fixture.envelope(&device, &format!("PG-EARLY-{n}"), None)).collect();
    push(&server, &device, &push_request(envelopes.clone(), vec![])).await;
    assert_eq!(count(&server, "SELECT * FROM envelopes_other").await, 3);

    // The next start makes the partitions and moves the rows into them, once.
    let server = fixture.server(&pg.url()).await;
    assert_eq!(count(&server, "SELECT * FROM envelopes_other").await, 0);
    let year = fixture.record.info.reference_date.year();
    let leaf = format!("SELECT * FROM envelopes_{tag}_{year}");
    assert_eq!(count(&server, &leaf).await, 3);
    assert_eq!(count(&server, "SELECT * FROM envelopes").await, 3);
    assert_eq!(compressed_report_columns(&server).await, 0);
    // Still the same envelopes: pulled back exactly, and a retry is a duplicate.
    let mut pulled = pulled_envelopes(&server, &reviewer).await;
    pulled.sort_by(|a, b| a.id.cmp(&b.id));
    let mut expected = envelopes.clone();
    expected.sort_by(|a, b| a.id.cmp(&b.id));
    assert_eq!(pulled, expected);
    let again = push(&server, &device, &push_request(envelopes, vec![])).await;
    assert!(again.envelopes.iter().all(|r| matches!(r.outcome, ItemOutcome::Duplicate { .. })));
    let server = fixture.server(&pg.url()).await;
    assert_eq!(count(&server, &leaf).await, 3, "a third start moves nothing");
}
