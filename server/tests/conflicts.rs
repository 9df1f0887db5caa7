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

async fn row(
    server: &Server,
    envelope: &SignedEnvelope,
) -> (String, bool, bool, serde_json::Value) {
    let client = server.pool.get().await.unwrap();
    let row = client
        .query_one(
            "SELECT status, counted, conflict, envelope FROM envelopes WHERE id = $1 AND hash = $2",
            &[&envelope.id.as_str(), &envelope.hash],
        )
        .await
        .unwrap();
    (row.get(0), row.get(1), row.get(2), row.get(3))
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
