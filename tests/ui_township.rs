//! 乡镇 in the app (issue 13, point 1): chosen in A.1 from the county file's list, required
//! to complete, and shown in the home list, the review queue (its column and filter) and
//! the statistics.

use chrono::{DateTime, TimeZone as _, Utc};
use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT as _, Queryable as _};
use elder_assess::clock::FixedClock;
use elder_assess::review::{Action, Role as AccountRole};
use elder_assess::store::{PasswordCost, Status, Store};
use elder_assess::ui::AppState;

use super::common::{TempDir, bind_assessors, gbt, townships};
use super::ui::{
    answer_all_and_sign, app, data_dir, fill_annex_a, harness_for, new_assessment, open_section,
    shown_containing, wait_for_jobs,
};
use super::ui_bureau::sign_in;

const PASSWORD: &str = "password-1";

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 28, 2, 0, 0).unwrap()
}

/// Fills everything a completion needs except 乡镇: A.1–A.5, every item, the signatures.
fn fill_all_but_the_township(harness: &mut Harness<'static, AppState>) {
    fill_annex_a(harness);
    let record = &mut harness.state_mut().editor_mut().unwrap().record;
    record.info.township.clear();
    answer_all_and_sign(record, now());
    harness.run();
}

/// Opens the A.1 乡镇 drop-down and chooses `township` from it, as assistive technology
/// does (a simulated click does not reach an option of egui's combo-box popup).
fn choose_township(harness: &mut Harness<'static, AppState>, township: &str) {
    open_a1(harness);
    harness
        .query_all_by_label("乡镇")
        .find(|node| node.accesskit_node().role() == Role::ComboBox)
        .expect("A.1 has a 乡镇 drop-down")
        .click();
    harness.run();
    for listed in townships() {
        assert!(
            harness.query_all_by_label(&listed).any(|n| n.accesskit_node().role() != Role::Label),
            "{listed} is offered"
        );
    }
    harness
        .query_all_by_label(township)
        .find(|node| node.accesskit_node().role() != Role::Label)
        .unwrap_or_else(|| panic!("the {township} option"))
        .click_accesskit();
    harness.run();
}

/// Opens A.1 from the side panel (its heading reads alike).
fn open_a1(harness: &mut Harness<'static, AppState>) {
    harness
        .query_all_by_label_contains("A.1 评估信息")
        .find(|node| node.accesskit_node().role() == Role::Button)
        .expect("the A.1 button")
        .click();
    harness.run();
}

/// Presses 完成评估 in C and returns the record's status once saved.
pub(super) fn complete(harness: &mut Harness<'static, AppState>) -> Status {
    open_section(harness, "C 评估结果");
    harness.get_by_label("完成评估").click();
    harness.run();
    wait_for_jobs(harness);
    harness.state().editor().unwrap().status
}

#[test]
fn the_township_is_chosen_from_the_county_list_required_to_complete_and_shown_at_home() {
    let dir = data_dir("township");
    let mut harness = app(&dir);
    new_assessment(&mut harness);
    fill_all_but_the_township(&mut harness);
    assert_eq!(complete(&mut harness), Status::Draft, "no 乡镇: not completed");
    let issues = &harness.state().editor().unwrap().issues;
    assert_eq!(issues.iter().map(|i| i.field.to_string()).collect::<Vec<_>>(), ["乡镇"]);
    assert!(shown_containing(&harness, "乡镇 未选择"));

    open_a1(&mut harness);
    assert!(shown_containing(&harness, "请选择乡镇"));
    choose_township(&mut harness, "华侨管理区");
    assert_eq!(harness.state().editor().unwrap().record.info.township, "华侨管理区");
    assert!(!shown_containing(&harness, "请选择乡镇"));
    assert_eq!(complete(&mut harness), Status::Completed);
    let id = harness.state().editor().unwrap().id;
    let stored = harness.state().store().load(id).unwrap().unwrap();
    assert_eq!(stored.record.info.township, "华侨管理区");

    harness.get_by_label("← 返回列表").click();
    harness.run();
    wait_for_jobs(&mut harness);
    assert!(harness.state().editor().is_none());
    assert!(shown_containing(&harness, "乡镇"), "the home list has a 乡镇 column");
    assert!(shown_containing(&harness, "华侨管理区"), "and the record's township in it");
}

#[test]
fn a_township_chosen_in_a1_matches_the_queue_filter_and_the_statistics() {
    let dir = TempDir::new("ui-township-queue");
    let store = Store::open(dir.path()).unwrap().with_password_cost(PasswordCost::TestOnlyLight);
    let admin = store.create_first_admin("admin", "管理员戊", PASSWORD, now()).unwrap();
    let make = |login: &str, name: &str, role| {
        store.create_account(&admin, login, name, role, PASSWORD, now()).unwrap()
    };
    let a1 = make("a1", "评估员甲", AccountRole::Assessor);
    let r1 = make("r1", "审核员丙", AccountRole::Reviewer);
    make("a2", "评估员乙", AccountRole::Assessor);

    // The assessor chooses 孟定农场 in A.1; the draft is saved with it.
    let mut harness = harness_for(AppState::new(gbt(), store, Box::new(FixedClock(now()))));
    sign_in(&mut harness, "a1", PASSWORD);
    new_assessment(&mut harness);
    fill_all_but_the_township(&mut harness);
    choose_township(&mut harness, "孟定农场");
    wait_for_jobs(&mut harness);
    let record = harness.state().editor().unwrap().record.clone();
    assert_eq!(record.info.township, "孟定农场");
    harness.get_by_label("← 返回列表").click();
    harness.run();
    wait_for_jobs(&mut harness);
    let store = harness.into_state().into_store();

    // Completed and submitted as the assessors would.
    store.login("a1", PASSWORD, now()).unwrap();
    let id = store.save(&record, Status::Completed, Some(0), now()).unwrap();
    bind_assessors(&store, id, ["a1", "a2"], PASSWORD, now());
    store.transition(id, Action::Submit, &a1, None, now()).unwrap();
    store.logout();

    // The reviewer's queue shows it in the 乡镇 column, and the filter finds it.
    let mut harness = harness_for(AppState::new(gbt(), store, Box::new(FixedClock(now()))));
    sign_in(&mut harness, "r1", PASSWORD);
    harness.get_by_label("审核队列").click();
    harness.run();
    assert!(shown_containing(&harness, "孟定农场"));
    harness
        .query_all_by_label("乡镇")
        .find(|node| node.accesskit_node().role() == Role::ComboBox)
        .expect("the queue's 乡镇 filter")
        .click();
    harness.run();
    harness
        .query_all_by_label("孟定农场")
        .find(|node| node.accesskit_node().role() != Role::Label)
        .expect("the 孟定农场 option")
        .click_accesskit();
    harness.run();
    assert!(shown_containing(&harness, &record.info.number), "the filter matches it");

    // Approved, it is counted under 孟定农场, not 未填写.
    harness.state().store().transition(id, Action::Approve, &r1, None, now()).unwrap();
    harness.get_by_label("统计").click();
    harness.run();
    wait_for_jobs(&mut harness);
    assert!(shown_containing(&harness, "共 1 人"));
    assert!(shown_containing(&harness, "孟定农场"), "its row in the table");
    assert!(!shown_containing(&harness, "未填写"), "nothing counted without a township");
}
