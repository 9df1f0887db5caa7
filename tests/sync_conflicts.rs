//! Issue 15, point 3: a conflict (one envelope id received with different content) on a
//! reviewer's device is resolved by a reviewer (以此版本为准), the choice goes through the
//! outbox, and once the server's decision is pulled the county record takes the kept
//! version and can be approved; the assessors' device learns which version stands.

use elder_assess::review::Action;
use elder_assess::store::{Status, Store, StoreError};
use elder_assess::sync::SignedEnvelope;
use elder_assess::sync::device::DeviceKey;
use elder_assess::sync::intake::DeviceCounty;
use elder_assess::sync::protocol::{Decision, Event, EventKind, Verdict};
use elder_assess::sync::run;

use super::common::TempDir;
use super::sync_outbox::{PASSWORD, at, enrolled, roster_device, submitted};

const NUMBER: &str = "PG20251201-D007-0001";

/// An assessor device with one submitted record queued, a reviewer device that pulled
/// two versions of its envelope (the second flagged by the server), signed in as r1.
struct Setup {
    dirs: (TempDir, TempDir),
    assessor: Store,
    reviewer: Store,
    versions: [SignedEnvelope; 2],
}

fn setup() -> Setup {
    let (a_dir, r_dir) = (TempDir::new("conflict-assessor"), TempDir::new("conflict-reviewer"));
    let (assessor_key, reviewer_key) = (DeviceKey::generate(), DeviceKey::generate());
    let roster = |key, code, by| vec![roster_device(key, code, by)];
    let assessor =
        enrolled(a_dir.path(), &assessor_key, "D007", "a1", roster(&reviewer_key, "D001", "r1"));
    let reviewer =
        enrolled(r_dir.path(), &reviewer_key, "D001", "r1", roster(&assessor_key, "D007", "a1"));
    submitted(&assessor, NUMBER, at(10));
    run::enqueue_ready(&assessor, at(11)).unwrap();
    let item = assessor.outbox_items().unwrap().remove(0);
    assessor.apply_push_outcomes(&[(item.item_id.clone(), None)], at(12)).unwrap();
    let first: SignedEnvelope = serde_json::from_str(&item.body).unwrap();
    let mut body = first.open().unwrap();
    body.record.health.other = "另一份".to_owned();
    let second = SignedEnvelope::seal(&body, assessor_key.signing_key()).unwrap();
    let events = [envelope_event(1, &first, false), envelope_event(2, &second, true)];
    pull(&reviewer, r_dir.path(), &events, 2);
    reviewer.login("r1", PASSWORD, at(30)).unwrap();
    Setup { dirs: (a_dir, r_dir), assessor, reviewer, versions: [first, second] }
}

fn envelope_event(cursor: i64, envelope: &SignedEnvelope, conflict: bool) -> Event {
    Event {
        cursor,
        kind: EventKind::Envelope {
            envelope: envelope.clone(),
            received_at: at(20 + cursor),
            conflict,
        },
    }
}

/// Applies `events` on `store` as one pull page; returns the decisions applied.
fn pull(store: &Store, dir: &std::path::Path, events: &[Event], cursor: i64) -> usize {
    let state = store.sync_state().unwrap().unwrap();
    let mut rejected = Vec::new();
    let county = DeviceCounty::load(dir, &state.county_state).unwrap();
    let ctx = county.context(&state.county, &state.county_state, at(39));
    let (replicas, decisions) = run::page_items(events, &ctx, &mut rejected).unwrap();
    assert!(rejected.is_empty(), "{rejected:?}");
    store
        .apply_pull_page(&replicas, &decisions, Some((&state.county_state, cursor)), at(40))
        .unwrap()
}

/// The decision queued for record `id`, as the server sends it back.
fn decision_event(store: &Store, id: i64, cursor: i64) -> (Decision, Event) {
    let decision: Decision =
        serde_json::from_str(&store.pending_decision(id).unwrap().unwrap()).unwrap();
    let event = Event {
        cursor,
        kind: EventKind::Decision {
            decision: decision.clone(),
            number: NUMBER.to_owned(),
            applied_at: at(50),
        },
    };
    (decision, event)
}

#[test]
fn a_reviewer_device_keeps_one_version_of_a_conflict_and_then_approves() {
    let s = setup();
    let [first, second] = &s.versions;
    let id = s.reviewer.find_by_number(NUMBER).unwrap().unwrap();
    assert!(s.reviewer.sync_marks().unwrap().conflicts.contains(NUMBER));
    let versions = s.reviewer.conflict_versions(id).unwrap();
    let hashes: Vec<&str> = versions.iter().map(|v| v.hash.as_str()).collect();
    assert_eq!(hashes, [first.hash.as_str(), second.hash.as_str()]);
    let r1 = s.reviewer.current_actor().unwrap();
    // No approval while the conflict is open.
    let error = s.reviewer.transition(id, Action::Approve, &r1, None, at(31)).unwrap_err();
    assert!(matches!(error, StoreError::Conflicted { .. }), "{error:?}");
    // An assessor of the versions may not choose; an unknown prefix or no reason neither.
    let a1 = elder_assess::review::Actor { account: "a1".to_owned(), ..r1.clone() };
    let error = s.reviewer.queue_keep(id, (&second.hash[..8], "复核"), &a1, at(31)).unwrap_err();
    assert!(matches!(error, StoreError::ConflictResolver), "{error:?}");
    let error = s.reviewer.queue_keep(id, ("zz", "复核"), &r1, at(31)).unwrap_err();
    assert!(matches!(error, StoreError::UnknownVersion { .. }), "{error:?}");
    let error = s.reviewer.queue_keep(id, (&second.hash[..8], " "), &r1, at(31)).unwrap_err();
    assert!(matches!(error, StoreError::MissingKeepReason), "{error:?}");
    // r1 keeps the second version.
    let kept = s.reviewer.queue_keep(id, (&second.hash[..8], "与纸质表一致"), &r1, at(32)).unwrap();
    assert_eq!(kept.hash, second.hash);
    let (decision, event) = decision_event(&s.reviewer, id, 3);
    assert_eq!(
        decision.verdict,
        Verdict::Keep { hash: second.hash.clone(), reason: "与纸质表一致".to_owned() }
    );
    assert!(s.reviewer.sync_marks().unwrap().decision_pending.contains(&id));
    // The server's answer and its decision event come back.
    let item = s.reviewer.outbox_items().unwrap().remove(0);
    s.reviewer.apply_push_outcomes(&[(item.item_id, None)], at(33)).unwrap();
    assert_eq!(pull(&s.reviewer, s.dirs.1.path(), std::slice::from_ref(&event), 3), 1);
    assert_eq!(
        pull(&s.reviewer, s.dirs.1.path(), std::slice::from_ref(&event), 3),
        0,
        "applied once"
    );
    assert!(!s.reviewer.sync_marks().unwrap().conflicts.contains(NUMBER));
    assert!(s.reviewer.conflict_versions(id).unwrap().is_empty());
    let record = s.reviewer.load(id).unwrap().unwrap();
    assert_eq!(record.status, Status::Submitted);
    assert_eq!(record.record.health.other, "另一份", "the record shows the kept version");
    assert_eq!(s.reviewer.kept_version(id).unwrap().unwrap().0, second.hash);
    // Now it is an ordinary county record: r1 approves it (queued for the server).
    let status = s.reviewer.transition(id, Action::Approve, &r1, None, at(34)).unwrap();
    assert_eq!(status, Status::Submitted);
    let (approval, _) = decision_event(&s.reviewer, id, 4);
    assert_eq!(approval.verdict, Verdict::Approve);
    assert!(s.reviewer.verify_audit().unwrap().is_intact());
    // The assessors' device learns which version stands.
    assert_eq!(pull(&s.assessor, s.dirs.0.path(), &[event], 3), 1);
    let own = s.assessor.find_by_number(NUMBER).unwrap().unwrap();
    let (hash, reason) = s.assessor.kept_version(own).unwrap().unwrap();
    assert_eq!(hash, second.hash);
    assert!(reason.contains(&second.hash[..12]) && reason.contains("与纸质表一致"), "{reason}");
    assert!(s.assessor.verify_audit().unwrap().is_intact());
}

/// `elder-assess --data-dir <dir> <args>` with the test password in the environment.
fn cli(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_elder-assess"))
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .env("ELDER_ASSESS_PASSWORD", PASSWORD)
        .output()
        .unwrap()
}

#[test]
fn the_cli_lists_a_conflicts_versions_and_resolves_it_for_the_next_sync() {
    let s = setup();
    let [first, second] = &s.versions;
    let dir = s.dirs.1.path();
    drop(s.reviewer);
    let output = cli(dir, &["review", "conflicts", "--as", "r1"]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(stdout.lines().count(), 3, "{stdout}");
    for version in [first, second] {
        assert!(stdout.contains(&version.hash[..12]), "{stdout}");
    }
    assert!(!stdout.contains("李明") && !stdout.contains("示例"), "no names: {stdout}");
    let output =
        cli(dir, &["review", "resolve", NUMBER, "--keep", "zz", "--reason", "复核", "--as", "r1"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("zz"));
    let prefix = &first.hash[..10];
    let output = cli(
        dir,
        &["review", "resolve", NUMBER, "--keep", prefix, "--reason", "复核纸质表", "--as", "r1"],
    );
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(String::from_utf8_lossy(&output.stdout).contains("待同步"));
    let store = Store::open_at(dir, at(60)).unwrap();
    let item = store.outbox_items().unwrap().remove(0);
    let decision: Decision = serde_json::from_str(&item.body).unwrap();
    assert_eq!(
        decision.verdict,
        Verdict::Keep { hash: first.hash.clone(), reason: "复核纸质表".to_owned() }
    );
    assert_eq!(decision.reviewer, "r1");
}
