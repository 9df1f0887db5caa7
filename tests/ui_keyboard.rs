//! The wizard by keyboard: an option list is one Tab stop, the arrow keys move inside it
//! and choose, Space ticks a check box.

use egui::Key;
use egui_kittest::kittest::Queryable as _;
use elder_assess::record::codes::{LivingArrangement, Sex};

use super::ui::{app, data_dir, new_assessment, open_section};

#[test]
fn an_option_list_is_one_tab_stop_and_the_arrows_choose_inside_it() {
    let dir = data_dir("keyboard-options");
    let mut harness = app(&dir);
    new_assessment(&mut harness);
    open_section(&mut harness, "A.2 基本信息");
    harness.get_by_label("A.2.8 公民身份号码").focus();
    harness.run();
    // Tab: from the ID number to the 性别 list (its first option), Tab again: past 女 to
    // the birth date.
    harness.key_press(Key::Tab);
    harness.run();
    assert!(harness.get_by_label("男").is_focused(), "Tab reaches the list");
    harness.key_press(Key::ArrowRight);
    harness.run();
    assert_eq!(harness.state().editor().unwrap().record.subject.sex, Some(Sex::Female));
    assert!(harness.get_by_label("女").is_focused(), "the focus follows the choice");
    harness.key_press(Key::ArrowLeft);
    harness.run();
    assert_eq!(harness.state().editor().unwrap().record.subject.sex, Some(Sex::Male));
    harness.key_press(Key::Tab);
    harness.run();
    assert!(
        harness.get_by_label("A.2.3 出生日期").is_focused(),
        "one Tab leaves the list: the second option is not a Tab stop"
    );
}

#[test]
fn space_ticks_the_check_box_under_the_cursor_of_a_multiple_choice() {
    let dir = data_dir("keyboard-multi");
    let mut harness = app(&dir);
    new_assessment(&mut harness);
    open_section(&mut harness, "A.2 基本信息");
    harness.get_by_label("独居").focus();
    harness.run();
    harness.key_press(Key::ArrowRight);
    harness.run();
    harness.key_press(Key::Space);
    harness.run();
    let living = &harness.state().editor().unwrap().record.subject.living;
    assert!(living.contains(&LivingArrangement::WithSpouse), "{living:?}");
    assert_eq!(living.len(), 1, "moving does not tick: {living:?}");
    harness.key_press(Key::Space);
    harness.run();
    assert!(harness.state().editor().unwrap().record.subject.living.is_empty(), "Space unticks");
}
