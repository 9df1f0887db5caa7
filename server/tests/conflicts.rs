//! Conflicts resolved by a reviewer (以此版本为准), and the summary table when an approved
//! envelope is superseded by a correction.

use std::sync::OnceLock;

use chrono::{TimeDelta, Utc};
use elder_assess::sync::SignedEnvelope;
use elder_assess::sync::protocol::{EventKind, ItemOutcome, Verdict};
use elder_assess_server::Server;

use crate::pg::Postgres;
use crate::support::{self, Device, Fixture, count, decision, enrol, push, push_request};

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(Fixture::new)
}

async fn setup(pg: &Postgres) -> Server {
    let server = fixture().server(&pg.url()).await;
    support::accounts(&server).await;
    server
}

/// Two versions of one envelope id pushed one after the other: (first, second). The
/// second names `duty` among its duty accounts too.
async fn conflict(
    server: &Server,
    device: &Device,
    duty: Option<&str>,
) -> (SignedEnvelope, SignedEnvelope) {
    let first = fixture().envelope(device, "PG-0001", None);
    let id = first.id.clone();
    let mut record = fixture().record.clone();
    record.info.number = "PG-0001".to_owned();
    let second = fixture().envelope_of(device, record, None, |body| {
        body.id = id.clone();
        body.created_at += TimeDelta::seconds(5);
        body.parties.duty_accounts.extend(duty.map(str::to_owned));
    });
    assert_ne!(first.hash, second.hash);
    let response = push(server, device, &push_request(vec![first.clone()], vec![])).await;
    assert!(matches!(response.envelopes[0].outcome, ItemOutcome::Accepted { .. }), "{response:?}");
    let response = push(server, device, &push_request(vec![second.clone()], vec![])).await;
    assert_eq!(response.envelopes[0].outcome, ItemOutcome::Conflict);
    (first, second)
}

async fn totals(server: &Server) -> (i64, i64) {
    let cells = server.statistics(None).await.unwrap();
    (cells.iter().map(|c| c.assessed).sum(), cells.iter().map(|c| c.approved).sum())
}

async fn row(server: &Server, envelope: &SignedEnvelope) -> (String, bool, bool, SignedEnvelope) {
    let client = server.pool.get().await.unwrap();
    let row = client
        .query_one(
            "SELECT status, counted, conflict FROM envelopes WHERE id = $1 AND hash = $2",
            &[&envelope.id.as_str(), &envelope.hash],
        )
        .await
        .unwrap();
    (row.get(0), row.get(1), row.get(2), stored_envelope(server, envelope).await)
}

/// The envelope as the server keeps it (id, hash), rebuilt from its stored parts.
async fn stored_envelope(server: &Server, envelope: &SignedEnvelope) -> SignedEnvelope {
    let client = server.pool.get().await.unwrap();
    let sql = format!(
        "SELECT {} FROM envelopes WHERE id = $1 AND hash = $2",
        elder_assess_server::stored::COLUMNS
    );
    let row = client.query_one(&sql, &[&envelope.id.as_str(), &envelope.hash]).await.unwrap();
    elder_assess_server::stored::from_row(&row).unwrap()
}

fn keep(envelope: &SignedEnvelope, reviewer: &str) -> elder_assess::sync::protocol::Decision {
    let verdict = Verdict::Keep {
        hash: envelope.hash.clone(),
        reason: "复核纸质表后确认".to_owned(),
    };
    decision(&envelope.id, reviewer, verdict)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reviewer_keeps_one_version_which_is_counted_once_and_the_other_is_set_aside() {
    let Some(pg) = Postgres::start() else { return };
    let server = setup(&pg).await;
    let device = enrol(&server, "liming").await;
    let (first, second) = conflict(&server, &device, None).await;
    let stored_first = row(&server, &first).await.3;
    let reviewer = enrol(&server, "wanggang").await;
    let resolution = keep(&second, "wanggang");
    let response = push(&server, &reviewer, &push_request(vec![], vec![resolution.clone()])).await;
    assert!(matches!(response.decisions[0].outcome, ItemOutcome::Accepted { .. }), "{response:?}");
    assert_eq!(totals(&server).await, (1, 0), "the kept version is counted once");
    let (status, counted, conflict, _) = row(&server, &second).await;
    assert_eq!((status.as_str(), counted, conflict), ("submitted", true, false));
    let (status, counted, _, envelope) = row(&server, &first).await;
    assert_eq!((status.as_str(), counted), ("set_aside", false));
    assert_eq!(envelope, stored_first, "the set-aside version is kept unchanged");
    assert_eq!(stored_first, first, "as the device signed it");
    // A retry is a duplicate and changes nothing.
    let again = push(&server, &reviewer, &push_request(vec![], vec![resolution.clone()])).await;
    assert!(matches!(again.decisions[0].outcome, ItemOutcome::Duplicate { .. }), "{again:?}");
    assert_eq!(totals(&server).await, (1, 0));
    assert_eq!(count(&server, "SELECT * FROM envelopes").await, 2);
    // Another choice once resolved (a second reviewer, too late) is refused.
    let late = push(&server, &reviewer, &push_request(vec![], vec![keep(&first, "zhaoli")])).await;
    assert!(
        matches!(&late.decisions[0].outcome, ItemOutcome::Refused { reason } if reason.contains("没有待处理的内容冲突")),
        "{late:?}"
    );
    assert_eq!(row(&server, &first).await.0, "set_aside");
    // The kept version is an ordinary envelope now: it can be approved.
    let approve = decision(&first.id, "wanggang", Verdict::Approve);
    let response = push(&server, &reviewer, &push_request(vec![], vec![approve])).await;
    assert!(matches!(response.decisions[0].outcome, ItemOutcome::Accepted { .. }), "{response:?}");
    assert_eq!(totals(&server).await, (1, 1));
    assert_eq!(row(&server, &first).await.0, "set_aside");
    assert_eq!(row(&server, &second).await.0, "approved");
    // The assessor's device learns which version stands.
    let pulled = server.pull(&device.row, &support::pull_request(0), Utc::now()).await.unwrap();
    assert!(pulled.events.iter().any(
        |e| matches!(&e.kind, EventKind::Decision { decision, .. } if *decision == resolution)
    ));
    let client = server.pool.get().await.unwrap();
    assert!(elder_assess_server::audit::verify(&client).await.unwrap().is_ok());
    assert_eq!(count(&server, "SELECT * FROM audit WHERE action = 'resolve'").await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resolving_is_refused_for_a_party_of_a_version_a_non_conflict_and_an_unknown_hash() {
    let Some(pg) = Postgres::start() else { return };
    let server = setup(&pg).await;
    let device = enrol(&server, "liming").await;
    let (first, second) = conflict(&server, &device, Some("zhaoli")).await;
    let reviewer = enrol(&server, "wanggang").await;
    let refusal = |response: &elder_assess::sync::protocol::PushResponse| match &response.decisions
        [0]
    .outcome
    {
        ItemOutcome::Refused { reason } => reason.clone(),
        other => panic!("{other:?}"),
    };
    // An assessor of the versions (not a reviewer at all).
    let response =
        push(&server, &device, &push_request(vec![], vec![keep(&first, "liming")])).await;
    assert!(refusal(&response).contains("审核员或管理员"), "{response:?}");
    // A reviewer with a duty on one of the versions.
    let response =
        push(&server, &reviewer, &push_request(vec![], vec![keep(&first, "zhaoli")])).await;
    assert!(refusal(&response).contains("不能是任一版本"), "{response:?}");
    // A hash that is none of the versions.
    let mut unknown = keep(&first, "wanggang");
    unknown.verdict = Verdict::Keep { hash: "ab".repeat(32), reason: "理由".to_owned() };
    let response = push(&server, &reviewer, &push_request(vec![], vec![unknown])).await;
    assert!(refusal(&response).contains("不是信封"), "{response:?}");
    // An envelope that is not in conflict.
    let single = fixture().envelope(&device, "PG-0002", None);
    push(&server, &device, &push_request(vec![single.clone()], vec![])).await;
    let response =
        push(&server, &reviewer, &push_request(vec![], vec![keep(&single, "wanggang")])).await;
    assert!(refusal(&response).contains("没有待处理的内容冲突"), "{response:?}");
    // Nothing changed but the audit trail.
    assert_eq!(count(&server, "SELECT * FROM decisions").await, 0);
    assert_eq!(totals(&server).await, (2, 0));
    assert!(row(&server, &first).await.2 && row(&server, &second).await.2);
    assert_eq!(count(&server, "SELECT * FROM audit WHERE action = 'resolve-refused'").await, 4);
    // The conflict is still open for another reviewer.
    let response =
        push(&server, &reviewer, &push_request(vec![], vec![keep(&first, "wanggang")])).await;
    assert!(matches!(response.decisions[0].outcome, ItemOutcome::Accepted { .. }), "{response:?}");
    assert_eq!(totals(&server).await, (2, 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_approved_envelope_superseded_by_a_correction_leaves_the_approved_count() {
    let Some(pg) = Postgres::start() else { return };
    let server = setup(&pg).await;
    let device = enrol(&server, "liming").await;
    let original = fixture().envelope(&device, "PG-0001", None);
    push(&server, &device, &push_request(vec![original.clone()], vec![])).await;
    let reviewer = enrol(&server, "wanggang").await;
    let approve = decision(&original.id, "wanggang", Verdict::Approve);
    push(&server, &reviewer, &push_request(vec![], vec![approve])).await;
    assert_eq!(totals(&server).await, (1, 1));
    let correction = fixture().envelope(&device, "PG-0001", Some(&original.id));
    let response = push(&server, &device, &push_request(vec![correction.clone()], vec![])).await;
    assert!(matches!(response.envelopes[0].outcome, ItemOutcome::Accepted { .. }), "{response:?}");
    assert_eq!(totals(&server).await, (1, 0), "the correction counted once, not yet approved");
    assert_eq!(row(&server, &original).await.0, "superseded");
}

/// A reviewer's device store enrolled with the server as `login`: (store, its device).
async fn reviewer_device(
    server: &Server,
    dir: &std::path::Path,
    login: &str,
) -> (elder_assess::store::Store, Device) {
    let key = elder_assess::sync::device::DeviceKey::generate();
    let request = elder_assess::sync::protocol::EnrolRequest {
        login: login.to_owned(),
        password: support::PASSWORD.to_owned(),
        device_key: key.public_key().unwrap(),
        device_name: "bureau".to_owned(),
        device_time: Utc::now(),
    };
    let answer = server.enrol(&request, Utc::now()).await.unwrap();
    let signing = key.signing_key().clone();
    let row = support::authenticate(server, &signing, &answer.device, b"{}").await.unwrap();
    let store = elder_assess::store::Store::open_at(dir, Utc::now())
        .unwrap()
        .with_password_cost(elder_assess::store::PasswordCost::TestOnlyLight);
    let state = elder_assess::store::SyncState {
        server_url: "https://county.invalid".to_owned(),
        device_id: answer.device.to_string(),
        device_code: answer.device_code,
        county: answer.county,
        device_key: key.to_stored().unwrap(),
        enrolled_by: login.to_owned(),
        cursor: 0,
        county_state: answer.county_state,
    };
    store.record_enrolment(&state, Utc::now()).unwrap();
    (store, Device { key: signing, id: answer.device, row })
}

/// Pulls everything new from the server into `store`, as `sync` does.
async fn pull_into(server: &Server, store: &elder_assess::store::Store, device: &Device) {
    let since = store.sync_state().unwrap().unwrap().cursor;
    let page = server.pull(&device.row, &support::pull_request(since), Utc::now()).await.unwrap();
    let mut rejected = Vec::new();
    // The device's full entrance check, with the server's county (the same scale,
    // townships and trust) and the page's roster.
    let county = &server.county;
    let ctx = elder_assess::sync::intake::CountyContext {
        county: &county.name,
        scale: &county.scale,
        townships: &county.townships,
        devices: &page.county_state.devices,
        accounts: &page.county_state.accounts,
        trust: &county.trust,
        now: Utc::now(),
    };
    let (replicas, decisions) =
        elder_assess::sync::run::page_items(&page.events, &ctx, &mut rejected).unwrap();
    assert!(rejected.is_empty(), "{rejected:?}");
    store
        .apply_pull_page(&replicas, &decisions, Some((&page.county_state, page.cursor)), Utc::now())
        .unwrap();
}

/// Pushes `store`'s outbox (decisions) and applies the answers, as `sync` does.
async fn push_outbox(
    server: &Server,
    store: &elder_assess::store::Store,
    device: &Device,
) -> Vec<ItemOutcome> {
    let items = store.outbox_items().unwrap();
    let decisions = items.iter().map(|item| serde_json::from_str(&item.body).unwrap()).collect();
    let response = push(server, device, &push_request(vec![], decisions)).await;
    let outcomes: Vec<(String, Option<String>)> = response
        .decisions
        .iter()
        .map(|r| match &r.outcome {
            ItemOutcome::Refused { reason } => (r.id.to_string(), Some(reason.clone())),
            _ => (r.id.to_string(), None),
        })
        .collect();
    store.apply_push_outcomes(&outcomes, Utc::now()).unwrap();
    response.decisions.into_iter().map(|r| r.outcome).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reviewer_device_resolves_a_conflict_through_the_server_and_then_approves() {
    let Some(pg) = Postgres::start() else { return };
    let server = setup(&pg).await;
    let device = enrol(&server, "liming").await;
    let (_, second) = conflict(&server, &device, None).await;
    let dir = tempfile::tempdir().unwrap();
    let (store, reviewer) = reviewer_device(&server, dir.path(), "wanggang").await;
    pull_into(&server, &store, &reviewer).await;
    let actor = store.login("wanggang", support::PASSWORD, Utc::now()).unwrap();
    let id = store.find_by_number("PG-0001").unwrap().unwrap();
    assert_eq!(store.conflict_versions(id).unwrap().len(), 2);
    store.queue_keep(id, (&second.hash[..10], "复核纸质表后确认"), &actor, Utc::now()).unwrap();
    let outcomes = push_outbox(&server, &store, &reviewer).await;
    assert!(matches!(outcomes[..], [ItemOutcome::Accepted { .. }]), "{outcomes:?}");
    pull_into(&server, &store, &reviewer).await;
    assert!(store.conflict_versions(id).unwrap().is_empty(), "the conflict is cleared");
    assert_eq!(store.kept_version(id).unwrap().unwrap().0, second.hash);
    store.transition(id, elder_assess::review::Action::Approve, &actor, None, Utc::now()).unwrap();
    let outcomes = push_outbox(&server, &store, &reviewer).await;
    assert!(matches!(outcomes[..], [ItemOutcome::Accepted { .. }]), "{outcomes:?}");
    pull_into(&server, &store, &reviewer).await;
    assert_eq!(store.load(id).unwrap().unwrap().status, elder_assess::store::Status::Approved);
    assert_eq!(totals(&server).await, (1, 1));
    assert_eq!(row(&server, &second).await.0, "approved");
}
