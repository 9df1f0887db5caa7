//! The faults of issue 15, each a test against a real `PostgreSQL`.

use std::sync::OnceLock;

use chrono::{TimeDelta, Utc};
use elder_assess::sync::protocol::{ItemOutcome, Verdict};

use crate::pg::Postgres;
use crate::support::{self, Fixture, count, decision, enrol, push, push_request};

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(Fixture::new)
}

async fn setup(pg: &Postgres) -> elder_assess_server::Server {
    let server = fixture().server(&pg.url()).await;
    support::accounts(&server).await;
    server
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_envelope_sent_ten_times_is_stored_once() {
    let Some(pg) = Postgres::start() else { return };
    let server = setup(&pg).await;
    let device = enrol(&server, "liming").await;
    let envelope = fixture().envelope(&device, "PG-0001", None);
    let first = push(&server, &device, &push_request(vec![envelope.clone()], vec![])).await;
    let ItemOutcome::Accepted { received_at } = first.envelopes[0].outcome.clone() else {
        panic!("{first:?}")
    };
    for _ in 0..9 {
        let again = push(&server, &device, &push_request(vec![envelope.clone()], vec![])).await;
        assert_eq!(again.envelopes[0].outcome, ItemOutcome::Duplicate { received_at });
    }
    assert_eq!(count(&server, "SELECT * FROM envelopes").await, 1);
    assert_eq!(count(&server, "SELECT * FROM events").await, 1);
    let stats = server.statistics(None).await.unwrap();
    assert_eq!(stats.iter().map(|c| c.assessed).sum::<i64>(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_id_with_other_content_is_a_conflict_and_both_are_kept() {
    let Some(pg) = Postgres::start() else { return };
    let server = setup(&pg).await;
    let device = enrol(&server, "liming").await;
    let first = fixture().envelope(&device, "PG-0001", None);
    let id = first.id.clone();
    let mut record = fixture().record.clone();
    record.info.number = "PG-0001-changed".to_owned();
    let second = fixture().envelope_of(&device, record, None, |body| body.id = id.clone());
    assert_eq!(second.id, first.id);
    assert_ne!(second.hash, first.hash);
    let response = push(&server, &device, &push_request(vec![first, second], vec![])).await;
    assert!(matches!(response.envelopes[0].outcome, ItemOutcome::Accepted { .. }));
    assert_eq!(response.envelopes[1].outcome, ItemOutcome::Conflict);
    assert_eq!(count(&server, "SELECT * FROM envelopes WHERE conflict").await, 2);
    // A decision on a conflicting envelope waits for the conflict to be resolved.
    let reviewer = enrol(&server, "wanggang").await;
    let approve = decision(&id, "wanggang", Verdict::Approve);
    let response = push(&server, &reviewer, &push_request(vec![], vec![approve])).await;
    assert!(
        matches!(&response.decisions[0].outcome, ItemOutcome::Refused { reason } if reason.contains("冲突"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_correction_arriving_before_its_original_leaves_the_original_superseded() {
    let Some(pg) = Postgres::start() else { return };
    let server = setup(&pg).await;
    let device = enrol(&server, "liming").await;
    let original = fixture().envelope(&device, "PG-0001", None);
    let correction = fixture().envelope(&device, "PG-0001", Some(&original.id));
    let response = push(&server, &device, &push_request(vec![correction.clone()], vec![])).await;
    assert!(matches!(response.envelopes[0].outcome, ItemOutcome::Accepted { .. }));
    let response = push(&server, &device, &push_request(vec![original.clone()], vec![])).await;
    assert!(matches!(response.envelopes[0].outcome, ItemOutcome::Accepted { .. }));
    let client = server.pool.get().await.unwrap();
    let status: String = client
        .query_one("SELECT status FROM envelopes WHERE id = $1", &[&original.id.as_str()])
        .await
        .unwrap()
        .get(0);
    assert_eq!(status, "superseded");
    let cells = server.statistics(None).await.unwrap();
    assert_eq!(cells.iter().map(|c| c.assessed).sum::<i64>(), 1, "only the correction is counted");
    let queue = server
        .queue(&elder_assess_server::bureau::QueueQuery { limit: 50, ..Default::default() })
        .await
        .unwrap();
    assert_eq!(queue.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(), [correction.id.as_str()]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_device_clock_a_day_off_is_reported_and_the_receipt_time_is_the_servers() {
    let Some(pg) = Postgres::start() else { return };
    let server = setup(&pg).await;
    let device = enrol(&server, "liming").await;
    let envelope = fixture().envelope(&device, "PG-0001", None);
    let mut request = push_request(vec![envelope], vec![]);
    request.device_time = Utc::now() - TimeDelta::hours(30);
    let before = Utc::now();
    let response = push(&server, &device, &request).await;
    assert!(response.clock_warning.as_deref().is_some_and(|w| w.contains("超过一天")));
    let ItemOutcome::Accepted { received_at } = response.envelopes[0].outcome else { panic!() };
    assert!(received_at >= before - TimeDelta::seconds(1) && received_at <= Utc::now());
    let client = server.pool.get().await.unwrap();
    let skew: i64 = client
        .query_one(
            "SELECT (detail->>'clock_skew_seconds')::bigint FROM audit WHERE action = 'push'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert!(skew < -24 * 3600, "the skew is in the server's audit: {skew}");
    // Within a day: no warning.
    let mut request = push_request(vec![], vec![]);
    request.device_time = Utc::now() - TimeDelta::hours(2);
    assert_eq!(push(&server, &device, &request).await.clock_warning, None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_devices_and_one_id_number_are_both_kept_as_the_same_elder() {
    let Some(pg) = Postgres::start() else { return };
    let server = setup(&pg).await;
    let first = enrol(&server, "liming").await;
    let second = enrol(&server, "yangfang").await;
    let a = fixture().envelope(&first, "D001-0001", None);
    let b = fixture().envelope(&second, "D002-0001", None);
    push(&server, &first, &push_request(vec![a.clone()], vec![])).await;
    push(&server, &second, &push_request(vec![b.clone()], vec![])).await;
    let id_number = fixture().record.subject.id_number.as_str().to_owned();
    let history = server.history(&id_number).await.unwrap();
    let mut ids: Vec<&str> = history.iter().map(|r| r.id.as_str()).collect();
    ids.sort_unstable();
    let mut expected = [a.id.as_str(), b.id.as_str()];
    expected.sort_unstable();
    assert_eq!(ids, expected);
    // The raw number is stored in no column but inside the signed envelope.
    assert_eq!(
        count(&server, &format!("SELECT * FROM envelopes WHERE person_hash LIKE '%{id_number}%'"))
            .await,
        0
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_device_on_an_older_scale_version_is_refused_with_the_reason() {
    let Some(pg) = Postgres::start() else { return };
    let server = setup(&pg).await;
    let device = enrol(&server, "liming").await;
    let old = fixture().envelope_of(&device, fixture().record.clone(), None, |b| {
        b.scale = "gbt42195-2019".to_owned();
    });
    let response = push(&server, &device, &push_request(vec![old], vec![])).await;
    let ItemOutcome::Refused { reason } = &response.envelopes[0].outcome else { panic!() };
    assert!(reason.contains("量表版本 gbt42195-2019"), "{reason}");
    assert_eq!(count(&server, "SELECT * FROM envelopes").await, 0);
    assert_eq!(count(&server, "SELECT * FROM audit WHERE action = 'refuse'").await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_and_revoked_devices_and_tampered_envelopes_are_refused() {
    let Some(pg) = Postgres::start() else { return };
    let server = setup(&pg).await;
    let device = enrol(&server, "liming").await;
    let other = enrol(&server, "yangfang").await;
    // An envelope of a device that never enrolled, relayed by an enrolled one.
    let stranger = support::Device {
        key: p256::ecdsa::SigningKey::random(&mut rand_core::OsRng),
        ..enrol(&server, "zhaoli").await
    };
    let stranger_id = {
        use p256::pkcs8::EncodePublicKey as _;
        elder_assess::sync::DeviceId::of_public_key(
            stranger.key.verifying_key().to_public_key_der().unwrap().as_bytes(),
        )
    };
    let stranger = support::Device { id: stranger_id, ..stranger };
    let unknown = fixture().envelope(&stranger, "X-1", None);
    let mut tampered = fixture().envelope(&device, "X-2", None);
    tampered.body = tampered.body.replace("X-2", "X-3");
    let response = push(&server, &other, &push_request(vec![unknown, tampered], vec![])).await;
    let reasons: Vec<String> = response
        .envelopes
        .iter()
        .map(|r| match &r.outcome {
            ItemOutcome::Refused { reason } => reason.clone(),
            other => panic!("{other:?}"),
        })
        .collect();
    assert!(reasons[0].contains("未登记的设备"), "{reasons:?}");
    assert!(reasons[1].contains("内容摘要不符"), "{reasons:?}");
    // Revoked: its requests are refused, and its envelopes relayed by others too.
    let later = fixture().envelope(&device, "X-4", None);
    elder_assess_server::admin::revoke_device(&server.pool, device.id.as_str(), Utc::now())
        .await
        .unwrap();
    let bytes = serde_json::to_vec(&push_request(vec![], vec![])).unwrap();
    assert!(support::authenticate(&server, &device.key, &device.id, &bytes).await.is_err());
    let response = push(&server, &other, &push_request(vec![later], vec![])).await;
    assert!(
        matches!(&response.envelopes[0].outcome, ItemOutcome::Refused { reason } if reason.contains("已停用"))
    );
    assert_eq!(count(&server, "SELECT * FROM envelopes").await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn approval_by_the_records_own_assessor_is_refused_and_another_reviewers_reaches_the_device()
{
    let Some(pg) = Postgres::start() else { return };
    let server = setup(&pg).await;
    let device = enrol(&server, "liming").await;
    let envelope = fixture().envelope(&device, "PG-0001", None);
    push(&server, &device, &push_request(vec![envelope.clone()], vec![])).await;
    // liming (an assessor of the record) cannot approve, from any device.
    let own = decision(&envelope.id, "liming", Verdict::Approve);
    let response = push(&server, &device, &push_request(vec![], vec![own])).await;
    assert!(matches!(&response.decisions[0].outcome, ItemOutcome::Refused { .. }), "{response:?}");
    let reviewer = enrol(&server, "wanggang").await;
    let approve = decision(&envelope.id, "wanggang", Verdict::Approve);
    let response = push(&server, &reviewer, &push_request(vec![], vec![approve.clone()])).await;
    assert!(matches!(response.decisions[0].outcome, ItemOutcome::Accepted { .. }));
    let again = push(&server, &reviewer, &push_request(vec![], vec![approve.clone()])).await;
    assert!(matches!(again.decisions[0].outcome, ItemOutcome::Duplicate { .. }));
    // The assessor's device pulls the decision (and not the envelope event).
    let pulled = server.pull(&device.row, &support::pull_request(0), Utc::now()).await.unwrap();
    assert_eq!(pulled.events.len(), 1);
    assert!(
        matches!(&pulled.events[0].kind, elder_assess::sync::protocol::EventKind::Decision { decision, .. } if *decision == approve)
    );
    // The reviewer's device pulls both.
    let pulled = server.pull(&reviewer.row, &support::pull_request(0), Utc::now()).await.unwrap();
    assert_eq!(pulled.events.len(), 2);
    let stats = server.statistics(None).await.unwrap();
    assert_eq!(stats.iter().map(|c| c.approved).sum::<i64>(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_audit_trail_is_append_only_and_chained() {
    let Some(pg) = Postgres::start() else { return };
    let server = setup(&pg).await;
    let device = enrol(&server, "liming").await;
    push(&server, &device, &push_request(vec![fixture().envelope(&device, "PG-1", None)], vec![]))
        .await;
    let client = server.pool.get().await.unwrap();
    assert!(elder_assess_server::audit::verify(&client).await.unwrap().is_ok());
    assert!(client.execute("UPDATE audit SET actor = 'x'", &[]).await.is_err());
    assert!(client.execute("DELETE FROM audit", &[]).await.is_err());
    let head: String = client
        .query_one("SELECT audit_head FROM devices WHERE id = $1", &[&device.id.as_str()])
        .await
        .unwrap()
        .get(0);
    assert_eq!(head, "7:abc");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_restarted_under_load_loses_and_duplicates_nothing() {
    let Some(pg) = Postgres::start() else { return };
    let server = setup(&pg).await;
    let device = enrol(&server, "liming").await;
    let envelopes: Vec<_> =
        (0..40).map(|i| fixture().envelope(&device, &format!("PG-{i:04}"), None)).collect();
    let mut failures = 0;
    for (i, envelope) in envelopes.iter().enumerate() {
        if i == 15 {
            // Down: a push fails (the device keeps its outbox) …
            pg.stop();
            let request = push_request(vec![envelope.clone()], vec![]);
            let bytes = serde_json::to_vec(&request).unwrap();
            let down = match support::authenticate(&server, &device.key, &device.id, &bytes).await {
                Ok(row) => server.push(&row, &request, Utc::now()).await.map(|_| ()),
                Err(err) => Err(err),
            };
            assert!(down.is_err(), "a push while PostgreSQL is down fails");
            // … and up again, the same pool serves the retries.
            pg.start_again();
        }
        // A device retries until the server answers.
        loop {
            let request = push_request(vec![envelope.clone()], vec![]);
            let bytes = serde_json::to_vec(&request).unwrap();
            let result = match support::authenticate(&server, &device.key, &device.id, &bytes).await
            {
                Ok(row) => server.push(&row, &request, Utc::now()).await,
                Err(err) => Err(err),
            };
            if result.is_ok() {
                break;
            }
            failures += 1;
            assert!(failures < 200, "the pool never recovered");
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
    }
    assert_eq!(count(&server, "SELECT * FROM envelopes").await, 40);
    assert_eq!(count(&server, "SELECT DISTINCT cursor FROM events").await, 40);
    let client = server.pool.get().await.unwrap();
    assert!(elder_assess_server::audit::verify(&client).await.unwrap().is_ok());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_server_instances_and_one_database_behave_as_one() {
    let Some(pg) = Postgres::start() else { return };
    let first = setup(&pg).await;
    let second = fixture().server(&pg.url()).await;
    let reviewer = enrol(&first, "wanggang").await;
    let devices = [enrol(&first, "liming").await, enrol(&second, "yangfang").await];
    let mut tasks = Vec::new();
    for (i, device) in devices.into_iter().enumerate() {
        let server = if i == 0 { first.clone() } else { second.clone() };
        let envelopes: Vec<_> =
            (0..20).map(|n| fixture().envelope(&device, &format!("D{i}-{n:04}"), None)).collect();
        tasks.push(tokio::spawn(async move {
            for chunk in envelopes.chunks(4) {
                // Each batch twice, once through each instance: duplicates, not copies.
                push(&server, &device, &push_request(chunk.to_vec(), vec![])).await;
                push(&server, &device, &push_request(chunk.to_vec(), vec![])).await;
            }
        }));
    }
    // A reviewer pulls through both instances while they push.
    let mut seen = std::collections::BTreeSet::new();
    let mut cursor = 0;
    let mut last = -1;
    for round in 0.. {
        let server = if round % 2 == 0 { &first } else { &second };
        let pulled =
            server.pull(&reviewer.row, &support::pull_request(cursor), Utc::now()).await.unwrap();
        for event in &pulled.events {
            assert!(event.cursor > last, "cursors are increasing");
            last = event.cursor;
            if let elder_assess::sync::protocol::EventKind::Envelope { envelope, .. } = &event.kind
            {
                assert!(seen.insert(envelope.id.clone()), "no event twice");
            }
        }
        cursor = pulled.cursor;
        if tasks.iter().all(tokio::task::JoinHandle::is_finished)
            && !pulled.more
            && seen.len() == 40
        {
            break;
        }
        assert!(round < 2000, "the pulls never caught up: {}", seen.len());
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    for task in tasks {
        task.await.unwrap();
    }
    assert_eq!(count(&first, "SELECT * FROM envelopes").await, 40);
    let client = first.pool.get().await.unwrap();
    assert!(elder_assess_server::audit::verify(&client).await.unwrap().is_ok());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_certificate_revoked_between_signing_and_sync_refuses_the_envelope() {
    let Some(pg) = Postgres::start() else { return };
    // Its own fixture: the CRL goes into this county's trust directory.
    let fixture = Fixture::new();
    let server = fixture.server(&pg.url()).await;
    support::accounts(&server).await;
    let device = enrol(&server, "liming").await;
    // Signed (2026-11-20) and sealed while the certificate was good …
    let envelope = fixture.envelope(&device, "PG-0001", None);
    // … revoked before the laptop reaches the server, which restarts with the new CRL.
    fixture.revoke_liming();
    let server = fixture.server(&pg.url()).await;
    let response = push(&server, &device, &push_request(vec![envelope], vec![])).await;
    let ItemOutcome::Refused { reason } = &response.envelopes[0].outcome else {
        panic!("{response:?}")
    };
    assert!(reason.contains("吊销"), "{reason}");
    assert_eq!(count(&server, "SELECT * FROM envelopes").await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enrolment_needs_an_active_accounts_password_and_says_no_more() {
    use base64::Engine as _;
    use p256::pkcs8::EncodePublicKey as _;
    let Some(pg) = Postgres::start() else { return };
    let server = setup(&pg).await;
    let key = p256::ecdsa::SigningKey::random(&mut rand_core::OsRng);
    let spki = key.verifying_key().to_public_key_der().unwrap();
    let request = |login: &str, password: &str| elder_assess::sync::protocol::EnrolRequest {
        login: login.to_owned(),
        password: password.to_owned(),
        device_key: base64::engine::general_purpose::STANDARD.encode(spki.as_bytes()),
        device_name: "laptop".to_owned(),
        device_time: Utc::now(),
    };
    let wrong = server.enrol(&request("liming", "not-the-password"), Utc::now()).await.err();
    let unknown = server.enrol(&request("nobody", support::PASSWORD), Utc::now()).await.err();
    let (Some(wrong), Some(unknown)) = (wrong, unknown) else {
        panic!("enrolled without a password")
    };
    assert_eq!(
        wrong.to_string(),
        unknown.to_string(),
        "the answer does not tell which logins exist"
    );
    assert_eq!(wrong.code(), "unauthenticated");
    assert_eq!(count(&server, "SELECT * FROM devices").await, 0);
    // The right password enrols once; again with the same key, the same code.
    let first = server.enrol(&request("liming", support::PASSWORD), Utc::now()).await.unwrap();
    let again = server.enrol(&request("liming", support::PASSWORD), Utc::now()).await.unwrap();
    assert_eq!(first.device_code, "D001");
    assert_eq!(again.device_code, first.device_code);
    assert_eq!(first.county, support::COUNTY);
}
