//! The bureau's screens driven through `egui_kittest`: the review queue's filters, return
//! with a reason and approve, an elder's history and 复评, exports of records (de-identified
//! by default, full only with a purpose and audited) and of statistics, and the recovery
//! screen for a damaged database.

use calamine::Reader as _;
use chrono::{DateTime, NaiveDate, TimeZone as _, Utc};
use egui::{Key, Modifiers};
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT as _, Queryable as _};
use elder_assess::clock::FixedClock;
use elder_assess::record::AssessmentRecord;
use elder_assess::review::{Action, Actor, Role};
use elder_assess::store::{PasswordCost, Status, Store};
use elder_assess::ui::AppState;

use super::common::{TempDir, gbt};
use super::ui::{harness_for, run_until_idle, shown_containing, wait_for_jobs};
use super::ui_recovery::{recovery_harness, root_shows};

pub(super) const ELDER_A: &str = "11010519491231002X";
const ELDER_B: &str = "530926194001011233";
pub(super) const PASSWORD: &str = "password-1";

/// 2026-11-28 10:00 in China.
pub(super) fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 28, 2, 0, 0).unwrap()
}

pub(super) fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// The accounts: admin, assessor a1 (评估员甲), reviewer r1 (审核员丙).
pub(super) struct People {
    pub a1: Actor,
    pub r1: Actor,
}

pub(super) fn store_with_people(dir: &TempDir) -> (Store, People) {
    let store = Store::open(dir.path()).unwrap().with_password_cost(PasswordCost::TestOnlyLight);
    let admin = store.create_first_admin("admin", "管理员戊", PASSWORD, now()).unwrap();
    let a1 =
        store.create_account(&admin, "a1", "评估员甲", Role::Assessor, PASSWORD, now()).unwrap();
    let r1 =
        store.create_account(&admin, "r1", "审核员丙", Role::Reviewer, PASSWORD, now()).unwrap();
    store.create_account(&admin, "a2", "评估员乙", Role::Assessor, PASSWORD, now()).unwrap();
    (store, People { a1, r1 })
}

/// A scored record signed by 评估员甲 and 评估员乙; every item at its maximum except
/// B.1.1 at `b11`.
pub(super) fn record(
    number: &str,
    name: &str,
    id: &str,
    township: &str,
    day: NaiveDate,
    b11: u8,
) -> AssessmentRecord {
    let mut record = AssessmentRecord::new(number.to_owned(), day);
    record.subject.name = name.to_owned();
    *record.subject.id_number.text_mut() = id.to_owned();
    record.info.township = township.to_owned();
    record.signatures.assessor1.name = "评估员甲".to_owned();
    record.signatures.assessor2.name = "评估员乙".to_owned();
    for item in gbt().items() {
        record.answers.insert(item.id().to_owned(), item.max());
    }
    record.answers.insert("B.1.1".to_owned(), b11);
    super::common::complete_annex_a(&mut record);
    record
}

/// Saves `record` as a1 and submits it; returns its row id.
pub(super) fn submit(store: &Store, people: &People, record: &AssessmentRecord) -> i64 {
    store.login("a1", PASSWORD, now()).unwrap();
    let scale = gbt();
    let level =
        elder_assess::assessment::score(&scale, &record.answers(&scale), &record.facts(&scale))
            .unwrap()
            .final_level;
    let id = store.save(record, Status::Completed, Some(level), now()).unwrap();
    super::common::bind_assessors(store, id, ["a1", "a2"], PASSWORD, now());
    store.transition(id, Action::Submit, &people.a1, None, now()).unwrap();
    store.logout();
    id
}

/// Saves, submits and approves `record` (reviewer r1); returns its row id.
pub(super) fn approve(store: &Store, people: &People, record: &AssessmentRecord) -> i64 {
    let id = submit(store, people, record);
    store.transition(id, Action::Approve, &people.r1, None, now()).unwrap();
    id
}

pub(super) fn app(store: Store) -> Harness<'static, AppState> {
    harness_for(AppState::new(gbt(), store, Box::new(FixedClock(now()))))
}

/// Types `text` into the field labelled `label`, replacing what it held.
pub(super) fn type_into(harness: &mut Harness<'static, AppState>, label: &str, text: &str) {
    harness.get_by_label(label).click();
    harness.run();
    harness.key_press_modifiers(Modifiers::COMMAND, Key::A);
    harness.get_by_label(label).type_text(text);
    harness.run();
}

/// Signs in on the login screen.
pub(super) fn sign_in(harness: &mut Harness<'static, AppState>, login: &str, password: &str) {
    type_into(harness, "账号", login);
    type_into(harness, "密码", password);
    harness.get_by_label("登录").click();
    harness.step();
    wait_for_jobs(harness);
}

/// Clicks `label` and waits for what it started in the background (exports).
pub(super) fn click(harness: &mut Harness<'static, AppState>, label: &str) {
    harness.get_by_label(label).click();
    harness.step();
    wait_for_jobs(harness);
}

/// Clicks the widget labelled `label` of kind `role`, where a plain text reads the same.
fn click_kind(harness: &mut Harness<'static, AppState>, label: &str, role: egui::accesskit::Role) {
    harness
        .query_all_by_label(label)
        .find(|node| node.accesskit_node().role() == role)
        .unwrap_or_else(|| panic!("no {role:?} labelled {label}"))
        .click();
    harness.run();
}

#[test]
fn the_queue_filters_shows_history_returns_with_a_reason_and_approves() {
    let dir = TempDir::new("ui-queue");
    let (store, people) = store_with_people(&dir);
    // Elder A: approved in 2025 (能力完好), now reassessed worse in 孟定镇; elder B in 耿马镇.
    approve(
        &store,
        &people,
        &record("PG20250601-0001", "岩温香", ELDER_A, "孟定镇", date(2025, 6, 1), 4),
    );
    let a_now = submit(
        &store,
        &people,
        &record("PG20261120-0001", "岩温香", ELDER_A, "孟定镇", date(2026, 11, 20), 0),
    );
    let b_now = submit(
        &store,
        &people,
        &record("PG20261121-0001", "李四", ELDER_B, "耿马镇", date(2026, 11, 21), 4),
    );

    let mut harness = app(store);
    sign_in(&mut harness, "r1", PASSWORD);
    click(&mut harness, "审核队列");
    assert!(shown_containing(&harness, "PG20261120-0001"));
    assert!(shown_containing(&harness, "PG20261121-0001"));

    // Filter by township: only elder A's record is left.
    click_kind(&mut harness, "乡镇", egui::accesskit::Role::ComboBox);
    harness
        .query_all_by_label("孟定镇")
        .find(|node| node.accesskit_node().role() != egui::accesskit::Role::Label)
        .expect("the 孟定镇 option")
        // As assistive technology does: a simulated press and release in one frame does
        // not reach an option of egui's combo-box popup.
        .click_accesskit();
    harness.run();

    assert!(shown_containing(&harness, "PG20261120-0001"));
    assert!(!shown_containing(&harness, "PG20261121-0001"));
    // A date range that excludes it empties the queue.
    type_into(&mut harness, "到", "2026-11-19");
    assert!(shown_containing(&harness, "没有待审核的评估"));
    type_into(&mut harness, "到", "2026-11-30");

    // Open it: the previous approved assessment is side by side, the change marked.
    click(&mut harness, "审核 PG20261120-0001");
    assert!(shown_containing(&harness, "上次评估（2025-06-01）"));
    assert!(shown_containing(&harness, "有变化"));

    // The elder's history is one click away, with the level change.
    click(&mut harness, "该老人的全部评估");
    assert!(shown_containing(&harness, "历史评估：岩温香（110105********002X）"));
    assert!(shown_containing(&harness, "共 2 次评估"));
    assert!(!shown_containing(&harness, ELDER_A), "the full ID number is never shown");
    // The whole record, read-only, is one click from the review.
    click(&mut harness, "打开 PG20261120-0001");
    click(&mut harness, "查看完整记录（只读）");
    assert!(shown_containing(&harness, "本评估已提交，内容只读"));
    assert_eq!(harness.state().editor().unwrap().record.subject.name, "岩温香");
    // Back to the record for review from the history.
    click(&mut harness, "该老人的全部评估");
    click(&mut harness, "打开 PG20261120-0001");
    assert!(shown_containing(&harness, "审核 PG20261120-0001"));

    // Return needs a reason; with one, the record goes back to the assessors.
    assert!(harness.get_by_label("退回").accesskit_node().is_disabled(), "no reason yet");
    type_into(&mut harness, "退回原因", "B.1.1 进食评分与照护情况不符");
    click(&mut harness, "退回");
    click(&mut harness, "确认退回");
    assert!(shown_containing(&harness, "PG20261120-0001：已退回"));
    let stored = harness.state().store().load(a_now).unwrap().unwrap();
    assert_eq!(stored.status, Status::Returned);
    assert_eq!(stored.review_reason.as_deref(), Some("B.1.1 进食评分与照护情况不符"));

    // Approve the other one (the queue starts unfiltered again).
    click(&mut harness, "审核 PG20261121-0001");
    click(&mut harness, "通过");
    click(&mut harness, "确认通过");
    assert!(shown_containing(&harness, "PG20261121-0001：已通过"));
    let stored = harness.state().store().load(b_now).unwrap().unwrap();
    assert_eq!(stored.status, Status::Approved);
    assert!(shown_containing(&harness, "没有待审核的评估"));
    assert!(harness.state().store().verify_audit().unwrap().is_intact());
}

#[test]
fn an_assessor_starts_a_reassessment_from_the_history() {
    let dir = TempDir::new("ui-reassess");
    let (store, people) = store_with_people(&dir);
    let approved = approve(
        &store,
        &people,
        &record("PG20250601-0001", "岩温香", ELDER_A, "孟定镇", date(2025, 6, 1), 4),
    );

    let mut harness = app(store);
    sign_in(&mut harness, "a1", PASSWORD);
    click(&mut harness, "历史 PG20250601-0001");
    assert!(shown_containing(&harness, "共 1 次评估"));
    click(&mut harness, "发起复评（基于 PG20250601-0001）");

    // A new draft with today's date and Annex A copied, linked to the approved record.
    let editor = harness.state().editor().expect("the 复评 opens in the editor");
    assert_eq!(editor.status, Status::Draft);
    assert_eq!(editor.record.info.number, "PG20261128-0001");
    assert_eq!(editor.record.info.reference_date, date(2026, 11, 28));
    assert_eq!(editor.record.subject.name, "岩温香");
    assert!(editor.record.answers.is_empty(), "scores are assessed again");
    let id = editor.id;
    let stored = harness.state().store().load(id).unwrap().unwrap();
    assert_eq!(stored.supersedes, Some(approved));
    assert_eq!(harness.state().store().load(approved).unwrap().unwrap().status, Status::Approved);

    // Both are in the elder's history now, and the approved one is no longer the newest:
    // no second 复评 is offered.
    click(&mut harness, "← 返回列表");
    click(&mut harness, "历史 PG20261128-0001");
    assert!(shown_containing(&harness, "共 2 次评估"));
    assert!(!shown_containing(&harness, "发起复评"));
}

/// Reads a CSV export back: header and rows, BOM and `="…"` text guards removed.
fn read_csv(path: &std::path::Path) -> Vec<Vec<String>> {
    let bytes = std::fs::read(path).unwrap();
    let text = String::from_utf8(bytes).unwrap();
    let text = text.strip_prefix('\u{feff}').expect("UTF-8 with BOM");
    let mut reader = csv::ReaderBuilder::new().has_headers(false).from_reader(text.as_bytes());
    reader
        .records()
        .map(|r| {
            r.unwrap()
                .iter()
                .map(|cell| elder_assess::tables::unwrap_text_formula(cell).to_owned())
                .collect()
        })
        .collect()
}

#[test]
fn records_export_deidentified_by_default_and_a_full_export_needs_a_purpose_and_is_audited() {
    let dir = TempDir::new("ui-export");
    let out = TempDir::new("ui-export-out");
    let (store, people) = store_with_people(&dir);
    submit(
        &store,
        &people,
        &record("PG20261120-0001", "岩温香", ELDER_A, "孟定镇", date(2026, 11, 20), 4),
    );

    let mut harness = app(store);
    sign_in(&mut harness, "r1", PASSWORD);
    click(&mut harness, "导出表格…");
    harness.state_mut().table_export_dialog_mut().unwrap().save_dialog_mut().dir =
        out.path().to_path_buf();
    harness.run();
    click(&mut harness, "保存");
    let deidentified = out.path().join("评估记录-去标识-2026-11-28.csv");
    assert!(shown_containing(&harness, "已导出 1 条评估"), "{:?}", harness.state().error());
    let rows = read_csv(&deidentified);
    let text = format!("{rows:?}");
    assert!(text.contains("110105********002X") && text.contains("孟定镇"), "{text}");
    assert!(!text.contains("岩温香") && !text.contains(ELDER_A), "{text}");

    // 完整: refused without a purpose (nothing written), then written and audited.
    click(&mut harness, "完整：含姓名、身份证号和出生日期");
    click(&mut harness, "Excel 工作簿（.xlsx）");
    click(&mut harness, "保存");
    let full = out.path().join("评估记录-完整-2026-11-28.xlsx");
    assert!(shown_containing(&harness, "请填写用途"));
    assert!(!full.exists());
    type_into(&mut harness, "用途", "民政局抽查");
    click(&mut harness, "保存");
    assert!(shown_containing(&harness, "完整，已记入审计记录"));
    let mut workbook: calamine::Xlsx<_> = calamine::open_workbook(&full).unwrap();
    let sheet = workbook.worksheet_range_at(0).unwrap().unwrap();
    let cells: Vec<String> = sheet.rows().flatten().map(ToString::to_string).collect();
    assert!(cells.iter().any(|c| c == "岩温香") && cells.iter().any(|c| c == ELDER_A));
    let conn = rusqlite::Connection::open(dir.db()).unwrap();
    let (actor, reason): (String, String) = conn
        .query_row("SELECT actor, reason FROM audit WHERE action = 'export_full'", [], |row| {
            Ok((row.get(0)?, row.get(1)?))
        })
        .unwrap();
    assert_eq!((actor.as_str(), reason.as_str()), ("r1", "民政局抽查"));
    assert!(harness.state().store().verify_audit().unwrap().is_intact());
}

#[test]
fn assessors_cannot_choose_a_full_export() {
    let dir = TempDir::new("ui-export-assessor");
    let (store, _) = store_with_people(&dir);
    let mut harness = app(store);
    sign_in(&mut harness, "a1", PASSWORD);
    click(&mut harness, "导出表格…");
    assert!(shown_containing(&harness, "完整导出仅限审核员和管理员"));
    assert!(
        harness.get_by_label("完整：含姓名、身份证号和出生日期").accesskit_node().is_disabled()
    );
}

#[test]
fn the_statistics_table_exports_to_csv() {
    let dir = TempDir::new("ui-stats-export");
    let out = TempDir::new("ui-stats-out");
    let (store, people) = store_with_people(&dir);
    approve(
        &store,
        &people,
        &record("PG20261120-0001", "岩温香", ELDER_A, "孟定镇", date(2026, 11, 20), 4),
    );

    let mut harness = app(store);
    sign_in(&mut harness, "r1", PASSWORD);
    click(&mut harness, "统计");
    assert!(shown_containing(&harness, "共 1 人"));
    click(&mut harness, "导出统计表…");
    assert!(shown_containing(&harness, "统计表不含个人信息"));
    harness.state_mut().table_export_dialog_mut().unwrap().save_dialog_mut().dir =
        out.path().to_path_buf();
    harness.run();
    click(&mut harness, "保存");
    let rows = read_csv(&out.path().join("评估统计-2026-11-28.csv"));
    let township = rows.iter().find(|row| row.first().is_some_and(|c| c == "孟定镇")).unwrap();
    assert_eq!(township.last().map(String::as_str), Some("1"), "{rows:?}");
}

#[test]
fn a_damaged_database_offers_the_latest_backup_and_keeps_the_damaged_file() {
    use elder_assess::ui::recovery::Root;

    let dir = TempDir::new("ui-recovery");
    let (store, people) = store_with_people(&dir);
    submit(
        &store,
        &people,
        &record("PG20261120-0001", "岩温香", ELDER_A, "孟定镇", date(2026, 11, 20), 4),
    );
    drop(store);
    // The next day's first open makes the daily backup; then the file is damaged.
    let next_day = now() + chrono::TimeDelta::days(1);
    drop(Store::open_at(dir.path(), next_day).unwrap());
    let damaged = b"this is not a database".repeat(200);
    std::fs::write(dir.db(), &damaged).unwrap();

    let root = Root::open(
        dir.path(),
        gbt(),
        Box::new(FixedClock(next_day)),
        elder_assess::ui::Prefs::default(),
    );
    assert!(root.app().is_none(), "the app does not start on a damaged file");
    let mut harness = recovery_harness(root);
    let shown = root_shows;
    assert!(shown(&harness, "无法打开评估数据库"));
    assert!(shown(&harness, "不是有效的评估数据库或已损坏（文件未被改动）"));
    assert!(shown(&harness, "最近的备份：elder-assess-"));
    assert_eq!(std::fs::read(dir.db()).unwrap(), damaged, "untouched until the user chooses");

    harness.get_by_label("打开最近的备份").click();
    harness.step();
    run_until_idle(&mut harness, Root::is_busy);
    harness.run();
    let app = harness.state().app().expect("the app runs on the backup");
    assert!(app.store().find_by_number("PG20261120-0001").unwrap().is_some());
    // The damaged file was renamed, not changed.
    let aside: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().starts_with("elder-assess.damaged-"))
        .collect();
    assert_eq!(aside.len(), 1);
    assert_eq!(std::fs::read(aside[0].path()).unwrap(), damaged);
}

#[test]
fn the_queue_counts_overdue_elders_and_the_due_interval_is_configurable() {
    let dir = TempDir::new("ui-due");
    let (store, people) = store_with_people(&dir);
    // Approved on 2025-06-01: due 2026-06-01 after 12 months, overdue on 2026-11-28.
    approve(
        &store,
        &people,
        &record("PG20250601-0001", "岩温香", ELDER_A, "孟定镇", date(2025, 6, 1), 4),
    );

    let mut harness = app(store);
    sign_in(&mut harness, "r1", PASSWORD);
    click(&mut harness, "审核队列");
    assert!(shown_containing(&harness, "复评到期：1 位老人已逾期，0 位 30 天内到期"));
    click(&mut harness, "复评到期");
    assert!(shown_containing(&harness, "2026-06-01（已逾期）"));
    assert!(!shown_containing(&harness, ELDER_A), "the full ID number is never shown");
    assert!(shown_containing(&harness, "110105********002X"));

    // 18 months: due 2026-12-01, within 30 days.
    type_into(&mut harness, "常规复评间隔", "18");
    harness.key_press(Key::Enter);
    harness.run();
    assert_eq!(harness.state().prefs.due_months, 18);
    assert!(shown_containing(&harness, "2026-12-01（即将到期）"));
    // 24 months: due 2027-06-01, neither overdue nor soon.
    type_into(&mut harness, "常规复评间隔", "24");
    harness.key_press(Key::Enter);
    harness.run();
    assert!(shown_containing(&harness, "没有逾期或即将到期的复评"));
    // The elder's history is one click from the due list.
    type_into(&mut harness, "常规复评间隔", "12");
    harness.key_press(Key::Enter);
    harness.run();
    click(&mut harness, "历史 PG20250601-0001");
    assert!(shown_containing(&harness, "历史评估：岩温香（110105********002X）"));
}

#[test]
fn an_admin_adds_an_account_and_resets_a_locked_one() {
    let dir = TempDir::new("ui-accounts");
    let (store, _) = store_with_people(&dir);
    for _ in 0..5 {
        let _ = store.login("a1", "wrong password", now());
    }
    let mut harness = app(store);

    // Reviewers do not manage accounts.
    sign_in(&mut harness, "r1", PASSWORD);
    assert!(harness.query_by_label("账号管理").is_none());
    click(&mut harness, "退出登录");

    sign_in(&mut harness, "admin", PASSWORD);
    click(&mut harness, "账号管理");
    assert!(shown_containing(&harness, "已锁定至"), "a1 is locked after five failures");

    // A new reviewer: the button waits for every field and two equal passwords.
    type_into(&mut harness, "新账号", "r2");
    type_into(&mut harness, "使用人姓名", "审核员丁");
    click_kind(&mut harness, "审核员", egui::accesskit::Role::RadioButton);
    type_into(&mut harness, "密码", "new password 1");
    type_into(&mut harness, "确认密码", "new password 2");
    assert!(shown_containing(&harness, "两次输入的密码不一致"));
    assert!(harness.get_by_label("添加账号").accesskit_node().is_disabled());
    type_into(&mut harness, "确认密码", "new password 1");
    click(&mut harness, "添加账号");
    assert!(shown_containing(&harness, "已创建账号 r2（审核员）"));
    assert!(shown_containing(&harness, "审核员丁"));

    // Reset a1's password, which unlocks it.
    click(&mut harness, "重置密码 a1");
    type_into(&mut harness, "新密码", "assessor password 2");
    type_into(&mut harness, "确认新密码", "assessor password 2");
    click(&mut harness, "确认重置");
    assert!(shown_containing(&harness, "已重置账号 a1 的密码，账号已解锁"));
    assert!(!shown_containing(&harness, "已锁定至"));

    click(&mut harness, "退出登录");
    sign_in(&mut harness, "a1", "assessor password 2");
    assert!(shown_containing(&harness, "评估员甲（评估员）"));
    click(&mut harness, "退出登录");
    sign_in(&mut harness, "r2", "new password 1");
    assert!(shown_containing(&harness, "审核员丁（审核员）"));
    assert!(harness.state().store().verify_audit().unwrap().is_intact());
}

#[test]
fn a_recorded_decision_is_a_success_notice_not_an_error() {
    use elder_assess::ui::Level;

    let dir = TempDir::new("ui-notice");
    let (store, people) = store_with_people(&dir);
    let submitted = record("PG20261120-0001", "岩温香", ELDER_A, "孟定镇", date(2026, 11, 20), 4);
    submit(&store, &people, &submitted);
    let mut harness = app(store);
    sign_in(&mut harness, "r1", PASSWORD);
    click(&mut harness, "审核队列");
    click(&mut harness, "审核 PG20261120-0001");
    click(&mut harness, "通过");
    click(&mut harness, "确认通过");
    assert!(shown_containing(&harness, "PG20261120-0001：已通过"));
    let notice = harness.state().notice().expect("the decision is told");
    assert_eq!(notice.level, Level::Success, "{notice:?}");
    assert_eq!(harness.state().error(), None, "a success is not shown as an error");
}
