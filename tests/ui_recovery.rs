//! The recovery screen (issue #10): every backup that passes the check is listed, newest
//! first, with its date and number of records, the one chosen is opened and the damaged
//! file kept aside unchanged; a failed daily backup is shown on the status line.

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use elder_assess::clock::FixedClock;
use elder_assess::store::Store;
use elder_assess::ui::AppState;

use super::common::gbt;

/// The recovery screen (or the app) of `root` in a harness, after one frame.
pub(super) fn recovery_harness(
    root: elder_assess::ui::recovery::Root,
) -> Harness<'static, elder_assess::ui::recovery::Root> {
    let mut harness = Harness::builder()
        // The store writer asks for a frame when its status changes (the status line, a notice).
        .with_max_steps(64)
        .with_size(egui::vec2(1280.0, 900.0))
        .with_context_setup(elder_assess::ui::setup_context)
        .build_ui_state(|ui, root: &mut elder_assess::ui::recovery::Root| root.ui(ui), root);
    harness.step();
    // The backups are checked on a job.
    super::ui::run_until_idle(&mut harness, elder_assess::ui::recovery::Root::is_busy);
    harness
}

/// Whether a text containing `part` is shown.
pub(super) fn root_shows(
    harness: &Harness<'_, elder_assess::ui::recovery::Root>,
    part: &str,
) -> bool {
    harness.query_all_by(|node| node.value().is_some_and(|v| v.contains(part))).next().is_some()
}

#[test]
fn the_recovery_screen_lists_the_good_backups_and_opens_the_one_chosen() {
    use super::store_safety::{daily_name, day, flip_page_holding, store_dir};
    use elder_assess::store::DB_FILE_NAME;
    use elder_assess::ui::recovery::Root;

    let (_dir, data) = store_dir("ui-choose-backup", 3);
    std::fs::write(data.join("backups").join(daily_name(9)), b"").unwrap();
    let damaged = flip_page_holding(&data.join(DB_FILE_NAME), b"PG20251128-0001");

    let root =
        Root::open(&data, gbt(), Box::new(FixedClock(day(10))), elder_assess::ui::Prefs::default());
    assert!(root.app().is_none());
    let mut harness = recovery_harness(root);
    let shown = root_shows;
    assert!(shown(&harness, &format!("最近的备份：{}", daily_name(3))));
    assert!(!shown(&harness, &daily_name(9)), "the 0-byte file is not offered");
    let line = |n: i64, records: u32| {
        let when =
            day(n).with_timezone(&elder_assess::clock::CHINA_OFFSET).format("%Y-%m-%d %H:%M:%S");
        format!("{when}　{records} 条评估　{}", daily_name(n))
    };
    for (n, records) in [(3, 3), (2, 2), (1, 1)] {
        assert!(harness.query_by_label(&line(n, records)).is_some(), "{}", line(n, records));
    }

    harness.get_by_label(&line(1, 1)).click();
    harness.run();
    harness.get_by_label("打开所选的备份").click();
    harness.step();
    super::ui::run_until_idle(&mut harness, Root::is_busy);
    harness.run();
    let app = harness.state().app().expect("the app runs on the chosen backup");
    assert_eq!(app.store().list("").unwrap().len(), 1);
    let aside = std::fs::read_dir(&data)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| {
            p.to_string_lossy().contains(".damaged-") && p.to_string_lossy().ends_with(".sqlite3")
        })
        .unwrap();
    assert_eq!(std::fs::read(aside).unwrap(), damaged, "kept aside, unchanged");
}

#[test]
fn a_failed_daily_backup_is_shown_on_the_status_line() {
    use super::store_safety::{day, store_dir};
    let (_dir, data) = store_dir("ui-backup-problem", 1);
    // `backups` is a file: no copy can be written there.
    std::fs::remove_dir_all(data.join("backups")).unwrap();
    std::fs::write(data.join("backups"), b"in the way").unwrap();
    let store = Store::open_at(&data, day(5)).unwrap();
    assert!(store.backup_problem().is_some());
    let state = AppState::new(gbt(), store, Box::new(FixedClock(day(5))));
    let shown = state.error().unwrap_or_default();
    assert!(shown.starts_with("今天的自动备份未完成："), "{shown}");
}
