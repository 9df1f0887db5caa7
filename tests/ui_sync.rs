//! Issue 15 in the app: the 同步 button of an enrolled device (the outbox count, the sync
//! on its job against a fake county server over plain HTTP, the summary notice, the lists
//! reloaded), a network error keeping the outbox, a record frozen in the outbox shown
//! read-only with the reason, and a county record on a reviewer's device (县级记录, the
//! decision queued: 审核决定待同步 instead of the buttons).

use std::path::Path;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use elder_assess::clock::FixedClock;
use elder_assess::store::{DbKey, PasswordCost, Status, Store};
use elder_assess::sync::SyncError;
use elder_assess::sync::client::Client;
use elder_assess::sync::device::DeviceKey;
use elder_assess::sync::protocol::{Event, EventKind};
use elder_assess::sync::run::{self, SyncProgress, SyncSummary};
use elder_assess::ui::app::{AppState, Level};

use super::common::{TempDir, gbt};
use super::sync_client::{fake_county, serve};
use super::sync_outbox::{COUNTY, PASSWORD, at, enrolled, roster_device, submitted};
use super::ui::{harness_for, shown_containing, wait_for_jobs};
use super::ui_bureau::{click, sign_in};

/// [`run::sync`] over the store opened with the key the app passes (the test stores are
/// encrypted), reaching the plain-HTTP fake server saved as the store's server through
/// the test-only client (the app's runner, [`run::sync_data_dir`], accepts HTTPS only).
fn http_runner(
    dir: &Path,
    key: Option<DbKey>,
    login: &str,
    now: &dyn Fn() -> DateTime<Utc>,
    progress: &mut dyn FnMut(SyncProgress),
) -> Result<SyncSummary, SyncError> {
    let key = key.expect("the app passes the encrypted store's key to the job");
    let store = Store::open_unlocked(dir, login, key, now(), PasswordCost::TestOnlyLight)?;
    let server = store.sync_state()?.expect("enrolled").server_url;
    run::sync(&store, dir, &Client::new_allowing_http_for_tests(&server, &[])?, now, progress)
}

/// An enrolled device in `dir` (encrypted, a1 signed in) with two submitted records
/// queued in its outbox, syncing with the server at `url`; and the device key.
pub(super) fn device_with_outbox(dir: &TempDir, url: Option<&str>) -> (Store, DeviceKey) {
    let key = DeviceKey::generate();
    let store = enrolled(dir.path(), &key, "D007", "a1", Vec::new());
    submitted(&store, "PG20251201-D007-0001", at(10));
    submitted(&store, "PG20251201-D007-0002", at(11));
    assert_eq!(run::enqueue_ready(&store, at(12)).unwrap(), 2);
    if let Some(url) = url {
        store.set_sync_server(url).unwrap();
    }
    let store = store.encrypt_at_rest("a1", PASSWORD, at(13)).unwrap();
    assert!(store.is_encrypted());
    (store, key)
}

pub(super) fn app(store: Store) -> Harness<'static, AppState> {
    let mut state = AppState::new(gbt(), store, Box::new(FixedClock(at(100))));
    state.set_sync_runner(http_runner);
    harness_for(state)
}

/// Whether a button (or another labelled widget) reads `text`.
fn button_shown(harness: &Harness<'static, AppState>, text: &str) -> bool {
    harness.query_by_label(text).is_some()
}

/// A URL where nothing answers.
pub(super) fn nobody_listening() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    format!("http://{}", listener.local_addr().unwrap())
}

#[test]
fn the_sync_button_shows_the_outbox_and_its_summary_and_the_lists_reload() {
    let dir = TempDir::new("ui-sync");
    let log = Arc::new(Mutex::new(Vec::new()));
    // The server is started once the device key is known; its URL is saved after.
    let (store, key) = device_with_outbox(&dir, None);
    let url = serve(fake_county(key.public_key().unwrap(), Arc::clone(&log)));
    store.set_sync_server(&url).unwrap();
    let mut harness = app(store);
    assert!(button_shown(&harness, "同步（待上传 2）"), "the button shows the outbox count");
    assert!(shown_containing(&harness, "等待同步（已冻结）"), "the list marks the frozen records");

    click(&mut harness, "同步（待上传 2）");
    wait_for_jobs(&mut harness);
    let notice = harness.state().notice().unwrap().clone();
    assert_eq!(notice.level, Level::Warning, "the clock warning makes it a 注意: {notice:?}");
    for part in [
        "本机时钟与服务器相差超过一天",
        "上传 1 份，服务器已有 0 份，冲突 0 份，被拒收 1 份（PG20251201-D007-0002：报告签名证书已吊销）",
        "收到审核结果 1 条，收到县内评估 0 份",
    ] {
        assert!(notice.text.contains(part), "{part} in {}", notice.text);
    }
    assert_eq!(log.lock().unwrap().len(), 1, "one push");
    // The count dropped, the pulled approval and the refusal show on the reloaded list.
    assert!(button_shown(&harness, "同步") && !button_shown(&harness, "同步（待上传 2）"));
    assert!(shown_containing(
        &harness,
        "被县级服务器拒收：PG20251201-D007-0002：报告签名证书已吊销"
    ));
    assert!(shown_containing(&harness, "已通过"));
    assert!(!shown_containing(&harness, "等待同步（已冻结）"));
    let store = harness.state().store();
    assert_eq!(store.outbox_count().unwrap(), 0);
    let statuses: Vec<Status> =
        store.list_page("", 10).unwrap().0.iter().map(|row| row.status).collect();
    assert!(statuses.contains(&Status::Approved) && statuses.contains(&Status::Completed));
}

#[test]
fn a_network_error_keeps_the_outbox_and_says_so() {
    let dir = TempDir::new("ui-sync-down");
    let (store, _) = device_with_outbox(&dir, Some(&nobody_listening()));
    let mut harness = app(store);
    click(&mut harness, "同步（待上传 2）");
    wait_for_jobs(&mut harness);
    let notice = harness.state().notice().unwrap().clone();
    assert_eq!(notice.level, Level::Error, "{notice:?}");
    assert!(notice.text.contains("数据仍在本机，稍后可重试"), "{}", notice.text);
    assert_eq!(harness.state().store().outbox_count().unwrap(), 2);
    assert!(button_shown(&harness, "同步（待上传 2）"), "the button still shows the outbox");
}

#[test]
fn a_record_frozen_in_the_outbox_opens_read_only_with_the_reason() {
    let dir = TempDir::new("ui-sync-frozen");
    let (store, _) = device_with_outbox(&dir, None);
    let mut harness = app(store);
    harness.get_by_label("打开 PG20251201-D007-0001").click();
    harness.run();
    let editor = harness.state().editor().unwrap();
    assert!(!editor.is_editable(), "the frozen record is read-only");
    assert!(editor.sync_hold.is_some());
    assert!(shown_containing(
        &harness,
        "等待同步（已冻结）：已交给县级服务器同步，上传完成前不能修改"
    ));
    assert!(harness.query_by_label("改为草稿以修改").is_none());
    assert!(harness.state().error().is_none(), "no store refusal shown");
}

/// A reviewer's device in `dir` (enrolled by r1, not signed in) holding one county
/// record, PG20251201-D007-0001, relayed from another device's envelope (flagged by the
/// server as a `conflict` or not).
pub(super) fn reviewer_with_county_record(dir: &TempDir, conflict: bool) -> Store {
    // Device A (an assessor's laptop) builds an envelope; the reviewer's device B
    // receives it as the server relays it.
    let a_dir = TempDir::new("ui-sync-county-a");
    let a_key = DeviceKey::generate();
    let a = enrolled(a_dir.path(), &a_key, "D007", "a1", Vec::new());
    submitted(&a, "PG20251201-D007-0001", at(10));
    run::enqueue_ready(&a, at(12)).unwrap();
    let envelope = serde_json::from_str(&a.outbox_items().unwrap()[0].body).unwrap();
    let b_key = DeviceKey::generate();
    let b = enrolled(dir.path(), &b_key, "D009", "r1", vec![roster_device(&a_key, "D007", "a1")]);
    let state = b.sync_state().unwrap().unwrap();
    let event =
        Event { cursor: 1, kind: EventKind::Envelope { envelope, received_at: at(50), conflict } };
    let mut rejected = Vec::new();
    let county =
        elder_assess::sync::intake::DeviceCounty::load(dir.path(), &state.county_state).unwrap();
    let ctx = county.context(COUNTY, &state.county_state, at(51));
    let (replicas, decisions) = run::page_items(&[event], &ctx, &mut rejected).unwrap();
    assert!(rejected.is_empty(), "{rejected:?}");
    b.apply_pull_page(&replicas, &decisions, None, at(51)).unwrap();
    b
}

#[test]
fn a_county_record_on_a_reviewers_device_queues_its_decision() {
    let dir = TempDir::new("ui-sync-county-b");
    let mut harness = app(reviewer_with_county_record(&dir, false));
    sign_in(&mut harness, "r1", PASSWORD);
    click(&mut harness, "审核队列");
    assert!(shown_containing(&harness, "县级记录"), "the queue marks the county record");
    click(&mut harness, "审核 PG20251201-D007-0001");
    assert!(shown_containing(&harness, "县级记录：其他设备的评估，只能审核，不能修改"));
    click(&mut harness, "通过");
    click(&mut harness, "确认通过");
    assert!(shown_containing(&harness, "审核决定已记录，将在下次同步时上传到县级服务器"));
    assert!(shown_containing(&harness, "审核决定待同步"), "the queue marks the queued decision");
    assert_eq!(harness.state().store().outbox_count().unwrap(), 1);
    click(&mut harness, "审核 PG20251201-D007-0001");
    assert!(shown_containing(&harness, "审核决定待同步"));
    assert!(harness.query_by_label("通过").is_none(), "no second decision");
}

#[test]
fn a_conflict_received_is_shown_and_not_decided() {
    let dir = TempDir::new("ui-sync-conflict");
    let mut harness = app(reviewer_with_county_record(&dir, true));
    sign_in(&mut harness, "r1", PASSWORD);
    assert!(shown_containing(
        &harness,
        "冲突：同一编号有两份不同内容，待复核：PG20251201-D007-0001"
    ));
    click(&mut harness, "审核队列");
    assert!(shown_containing(&harness, "冲突待复核"), "the queue marks the conflict");
    click(&mut harness, "审核 PG20251201-D007-0001");
    assert!(shown_containing(&harness, "县级记录 · 冲突：同一编号有两份不同内容，待复核"));
    assert!(harness.query_by_label("通过").is_none(), "no decision on a conflict");
}
