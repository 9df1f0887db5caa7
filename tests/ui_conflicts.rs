//! Issue 15, point 3 in the app: a conflicting county record on a reviewer's device shows
//! its versions side by side with a 以此版本为准 button each (确认… / 取消), needs a
//! reason, queues the choice for the server, and the screen holds at every size.

use egui_kittest::kittest::Queryable as _;
use elder_assess::store::Store;
use elder_assess::sync::SignedEnvelope;
use elder_assess::sync::device::DeviceKey;
use elder_assess::sync::protocol::{Decision, Event, EventKind, Verdict};
use elder_assess::sync::run;

use super::common::TempDir;
use super::sync_outbox::{COUNTY, PASSWORD, at, enrolled, roster_device, submitted};
use super::ui::shown_containing;
use super::ui_bureau::{click, sign_in, type_into};
use super::ui_layout::sweep;
use super::ui_sync::app;

const NUMBER: &str = "PG20251201-D007-0001";

/// A reviewer's device in `dir` (enrolled by r1) holding two versions of one envelope of
/// another device, the second flagged by the server as a conflict; and the versions.
fn reviewer_with_conflict(dir: &TempDir) -> (Store, [SignedEnvelope; 2]) {
    let a_dir = TempDir::new("ui-conflict-a");
    let a_key = DeviceKey::generate();
    let a = enrolled(a_dir.path(), &a_key, "D007", "a1", Vec::new());
    submitted(&a, NUMBER, at(10));
    run::enqueue_ready(&a, at(12)).unwrap();
    let first: SignedEnvelope = serde_json::from_str(&a.outbox_items().unwrap()[0].body).unwrap();
    let mut body = first.open().unwrap();
    "另一份".clone_into(&mut body.record.health.other);
    let second = SignedEnvelope::seal(&body, a_key.signing_key()).unwrap();
    let b_key = DeviceKey::generate();
    let b = enrolled(dir.path(), &b_key, "D009", "r1", vec![roster_device(&a_key, "D007", "a1")]);
    let state = b.sync_state().unwrap().unwrap();
    let event = |cursor, envelope: &SignedEnvelope, conflict| Event {
        cursor,
        kind: EventKind::Envelope { envelope: envelope.clone(), received_at: at(50), conflict },
    };
    let events = [event(1, &first, false), event(2, &second, true)];
    let mut rejected = Vec::new();
    let county =
        elder_assess::sync::intake::DeviceCounty::load(dir.path(), &state.county_state).unwrap();
    let ctx = county.context(COUNTY, &state.county_state, at(51));
    let (replicas, decisions) = run::page_items(&events, &ctx, &mut rejected).unwrap();
    assert!(rejected.is_empty(), "{rejected:?}");
    b.apply_pull_page(&replicas, &decisions, None, at(51)).unwrap();
    (b, [first, second])
}

#[test]
fn a_conflicting_county_record_shows_its_versions_and_a_reviewer_keeps_one() {
    let dir = TempDir::new("ui-conflict-b");
    let (store, [first, second]) = reviewer_with_conflict(&dir);
    let mut harness = app(store);
    sign_in(&mut harness, "r1", PASSWORD);
    click(&mut harness, "审核队列");
    click(&mut harness, &format!("审核 {NUMBER}"));
    for version in [&first, &second] {
        assert!(shown_containing(&harness, &version.hash[..12]), "both versions are listed");
    }
    assert!(harness.query_by_label("通过").is_none(), "no approval while in conflict");
    let mut problems = sweep(&mut harness, "冲突版本");
    // No reason yet: the buttons wait for one.
    assert!(shown_containing(&harness, "先填写理由，再选定版本"));
    type_into(&mut harness, "理由", "与纸质表一致");
    harness.query_all_by_label("以此版本为准").nth(1).expect("a button per version").click();
    harness.run();
    let question = format!("确认以版本 {} 为准？其他版本将被搁置", &second.hash[..12]);
    assert!(shown_containing(&harness, &question));
    problems.extend(sweep(&mut harness, "冲突版本确认"));
    click(&mut harness, "确认以此版本为准");
    assert!(shown_containing(&harness, "为准，将在下次同步时上传到县级服务器"));
    let store = harness.state().store();
    let item = store.outbox_items().unwrap().remove(0);
    let decision: Decision = serde_json::from_str(&item.body).unwrap();
    assert_eq!(
        decision.verdict,
        Verdict::Keep { hash: second.hash.clone(), reason: "与纸质表一致".to_owned() }
    );
    click(&mut harness, &format!("审核 {NUMBER}"));
    assert!(shown_containing(&harness, "审核决定待同步"));
    assert!(harness.query_by_label("以此版本为准").is_none(), "no second choice while one waits");
    assert!(problems.is_empty(), "{} layout problems:\n{}", problems.len(), problems.join("\n"));
}
