//! Every screen of the app through [`super::ui_layout::sweep`]: the wizard (A.1–A.5 with
//! every optional row open, the county section, every B item, C, signatures), the export
//! dialogs, sign-in, the lists (home, queue, due, statistics, accounts), a review, a
//! history, the recovery screen and the sync states (the 同步 button, a sync running, its
//! summary and refusals, a frozen record, a county record and its queued decision), each at 800×600, 1280×800 and 1920×1080 and at 100 %,
//! 150 % and 200 % text.

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use elder_assess::record::Medication;
use elder_assess::record::codes::{AssessmentReason, EthnicGroup, JointMotionStatus, Presence};
use elder_assess::ui::AppState;
use elder_assess::ui::wizard::Section;

use super::common::{TempDir, gbt};
use super::ui::{completed_with_key, data_dir, fill_annex_a, new_assessment, wait_for_jobs};
use super::ui_bureau::{app, approve, click, date, record, sign_in, store_with_people, submit};
use super::ui_layout::{sweep, sweep_with};

/// Fails with the first problems found, and how many there were.
fn assert_holds(problems: &[String]) {
    if let Ok(path) = std::env::var("LAYOUT_DUMP") {
        let mut all = std::fs::read_to_string(&path).unwrap_or_default();
        all.push_str(&problems.join("\n"));
        all.push('\n');
        std::fs::write(&path, all).unwrap();
    }
    let shown: Vec<&str> = problems.iter().take(40).map(String::as_str).collect();
    assert!(problems.is_empty(), "{} layout problems:\n{}", problems.len(), shown.join("\n"));
}

/// A draft with every optional row of Annex A open and long values in its fields.
fn open_every_row(harness: &mut Harness<'static, AppState>) {
    fill_annex_a(harness);
    let editor = harness.state_mut().editor_mut().unwrap();
    let record = &mut editor.record;
    record.info.reason = Some(AssessmentReason::Other);
    record.info.reason_other = "家属申请后再次评估".to_owned();
    record.subject.ethnicity.group = Some(EthnicGroup::Minority);
    record.subject.ethnicity.minority = "傣族".to_owned();
    record.subject.religion.belief = Some(Presence::Present);
    record.subject.religion.name = "佛教".to_owned();
    record.health.joint_motion.status = Some(JointMotionStatus::Affected);
    record.health.joint_motion.site = "左膝".to_owned();
    record.diagnoses.medications = vec![
        Medication {
            name: "硝苯地平控释片".to_owned(),
            route: "口服".to_owned(),
            dose: "30mg".to_owned(),
            frequency: "每日一次".to_owned(),
        },
        Medication::default(),
    ];
    harness.run();
}

#[test]
fn the_wizard_holds_at_every_size() {
    let dir = data_dir("layout-wizard");
    let mut harness = super::ui::app(&dir);
    new_assessment(&mut harness);
    open_every_row(&mut harness);
    let mut problems = Vec::new();
    for section in [
        Section::Info,
        Section::Subject,
        Section::Informant,
        Section::Diagnoses,
        Section::Health,
        Section::County,
        Section::Result,
        Section::Signatures,
    ] {
        harness.state_mut().editor_mut().unwrap().section = section;
        problems.extend(sweep(&mut harness, &format!("{section:?}")));
    }
    let scale = gbt();
    for (domain, of) in scale.domains().iter().enumerate() {
        for item in of.item_range() {
            let editor = harness.state_mut().editor_mut().unwrap();
            editor.section = Section::Domain(domain);
            editor.item = item;
            problems.extend(sweep(&mut harness, scale.items()[item].id()));
        }
    }
    assert_holds(&problems);
}

#[test]
fn the_export_dialogs_hold_at_every_size() {
    let dir = data_dir("layout-export");
    let mut harness = completed_with_key(&dir);
    harness.get_by_label("导出 PDF…").click();
    harness.run();
    let mut problems = sweep(&mut harness, "导出 PDF");
    let dir = TempDir::new("layout-table-export");
    let (store, _) = store_with_people(&dir);
    let mut harness = app(store);
    sign_in(&mut harness, "r1", "password-1");
    click(&mut harness, "导出表格…");
    problems.extend(sweep(&mut harness, "导出表格"));
    assert_holds(&problems);
}

#[test]
fn the_bureau_screens_hold_at_every_size() {
    let dir = TempDir::new("layout-bureau");
    let (store, people) = store_with_people(&dir);
    let townships = ["耿马镇", "孟定镇", "芒洪拉祜族布朗族乡"];
    for (n, township) in townships.iter().enumerate() {
        let day = date(2026, 11, 20 + u32::try_from(n).unwrap());
        let number = format!("PG202611{}-0001", 20 + n);
        let rec = record(&number, "测试老人", "11010519491231002X", township, day, 1);
        if n == 0 {
            submit(&store, &people, &rec);
        } else {
            approve(&store, &people, &rec);
        }
    }
    let mut harness = app(store);
    let mut problems = sweep(&mut harness, "登录");
    sign_in(&mut harness, "r1", "password-1");
    problems.extend(sweep(&mut harness, "评估列表"));
    for tab in ["审核队列", "复评到期", "统计"] {
        click(&mut harness, tab);
        problems.extend(sweep(&mut harness, tab));
    }
    click(&mut harness, "审核队列");
    click(&mut harness, "审核 PG20261120-0001");
    problems.extend(sweep(&mut harness, "审核"));
    click(&mut harness, "评估列表");
    click(&mut harness, "历史 PG20261121-0001");
    problems.extend(sweep(&mut harness, "历史评估"));
    click(&mut harness, "退出登录");
    sign_in(&mut harness, "admin", "password-1");
    click(&mut harness, "账号管理");
    problems.extend(sweep(&mut harness, "账号管理"));
    wait_for_jobs(&mut harness);
    assert_holds(&problems);
}

#[test]
fn the_recovery_screen_holds_at_every_size() {
    use super::store_safety::{day, flip_page_holding, store_dir};
    use elder_assess::clock::FixedClock;
    use elder_assess::store::DB_FILE_NAME;
    use elder_assess::ui::recovery::Root;

    let (_dir, data) = store_dir("layout-recovery", 2);
    flip_page_holding(&data.join(DB_FILE_NAME), b"PG20251128-0001");
    let root =
        Root::open(&data, gbt(), Box::new(FixedClock(day(3))), elder_assess::ui::Prefs::default());
    let mut harness = super::ui_recovery::recovery_harness(root);
    let problems =
        sweep_with(&mut harness, "恢复", |harness, zoom| harness.ctx.set_zoom_factor(zoom));
    assert_holds(&problems);
}

/// A sync that stays on its upload step until [`RELEASE_SYNC`] is set (to draw it).
static RELEASE_SYNC: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

fn held_sync(
    _: &std::path::Path,
    _: Option<elder_assess::store::DbKey>,
    _: &str,
    _: &dyn Fn() -> chrono::DateTime<chrono::Utc>,
    progress: &mut dyn FnMut(elder_assess::sync::run::SyncProgress),
) -> Result<elder_assess::sync::run::SyncSummary, elder_assess::sync::SyncError> {
    progress(elder_assess::sync::run::SyncProgress::Pushed { done: 12, total: 40 });
    for _ in 0..4000 {
        if RELEASE_SYNC.load(std::sync::atomic::Ordering::Relaxed) {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    Err(elder_assess::sync::SyncError::Network { detail: "测试".to_owned() })
}

#[test]
fn the_sync_states_hold_at_every_size() {
    use super::sync_client::{fake_county, serve};
    use super::ui_sync::{app, device_with_outbox, reviewer_with_county_record};

    let dir = TempDir::new("layout-sync");
    let (store, key) = device_with_outbox(&dir, None);
    let log = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    store.set_sync_server(&serve(fake_county(key.public_key().unwrap(), log))).unwrap();
    let mut harness = app(store);
    let mut problems = sweep(&mut harness, "同步前");
    harness.get_by_label("打开 PG20251201-D007-0001").click();
    harness.run();
    problems.extend(sweep(&mut harness, "已冻结的评估"));
    click(&mut harness, "← 返回列表");
    click(&mut harness, "同步（待上传 2）");
    problems.extend(sweep(&mut harness, "同步结果"));

    let dir = TempDir::new("layout-sync-running");
    let (store, _) = device_with_outbox(&dir, None);
    let mut harness = app(store);
    harness.state_mut().set_sync_runner(held_sync);
    harness.get_by_label("同步（待上传 2）").click();
    harness.run();
    assert!(super::ui::shown_containing(&harness, "正在上传 12/40"), "the step is shown");
    problems.extend(sweep(&mut harness, "同步中"));
    RELEASE_SYNC.store(true, std::sync::atomic::Ordering::Relaxed);
    wait_for_jobs(&mut harness);

    let dir = TempDir::new("layout-sync-county");
    let mut harness = app(reviewer_with_county_record(&dir, false));
    sign_in(&mut harness, "r1", super::sync_outbox::PASSWORD);
    click(&mut harness, "审核队列");
    click(&mut harness, "审核 PG20251201-D007-0001");
    problems.extend(sweep(&mut harness, "县级记录审核"));
    click(&mut harness, "通过");
    click(&mut harness, "确认通过");
    problems.extend(sweep(&mut harness, "审核决定待同步"));
    assert_holds(&problems);
}
