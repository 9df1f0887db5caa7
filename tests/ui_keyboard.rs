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

#[test]
fn a_restart_resumes_at_the_interrupted_section_and_item() {
    use elder_assess::ui::wizard::Section;
    let dir = data_dir("keyboard-resume");
    let scale = super::common::gbt();
    let item = scale.item_index("B.2.3").unwrap();
    {
        let mut harness = app(&dir);
        new_assessment(&mut harness);
        open_section(&mut harness, "B.2 基础运动能力");
        harness.key_press(Key::Num3);
        harness.run();
        harness.key_press(Key::ArrowRight);
        harness.run();
        harness.key_press(Key::ArrowRight);
        harness.run();
        assert_eq!(harness.state().editor().unwrap().item, item);
        // Dropped without any explicit save or shutdown.
    }
    let harness = app(&dir);
    let editor = harness.state().editor().expect("the interrupted assessment reopens");
    assert_eq!(editor.section, Section::Domain(1), "at the interrupted section");
    assert_eq!(editor.item, item, "at the interrupted item");
}

#[test]
fn a_medication_row_just_added_takes_what_is_typed_next() {
    let dir = data_dir("keyboard-medication");
    let mut harness = app(&dir);
    new_assessment(&mut harness);
    open_section(&mut harness, "A.4 疾病与用药");
    harness.get_by_label("＋ 添加药物").click();
    harness.run();
    harness.run();
    assert!(harness.get_by_label("第1行药物名称").is_focused(), "the new row's first field");
    harness.get_by_label("第1行药物名称").type_text("二甲双胍");
    harness.run();
    let medications = &harness.state().editor().unwrap().record.diagnoses.medications;
    assert_eq!(medications[0].name, "二甲双胍", "no typing is lost");
}

#[test]
fn a_section_opens_on_its_first_field_and_enter_moves_on_to_the_next_section() {
    use elder_assess::ui::wizard::Section;
    let dir = data_dir("keyboard-enter");
    let mut harness = app(&dir);
    new_assessment(&mut harness);
    open_section(&mut harness, "A.3 信息提供者");
    harness.run();
    assert!(harness.get_by_label("A.3.1 信息提供者的姓名").is_focused(), "first field focused");
    harness.get_by_label("A.3.1 信息提供者的姓名").type_text("王芳");
    harness.key_press(Key::Enter);
    harness.run();
    let relationship = elder_assess::record::codes::Relationship::ALL[0].label();
    assert!(harness.get_by_label(relationship).is_focused(), "Enter moves to the next field");
    harness.get_by_label("A.3.4 联系人电话").focus();
    harness.run();
    harness.key_press(Key::Enter);
    harness.run();
    assert_eq!(
        harness.state().editor().unwrap().section,
        Section::Diagnoses,
        "the last field's Enter"
    );
}

#[test]
fn a_digit_chooses_the_option_of_that_number_and_moves_on() {
    let dir = data_dir("keyboard-digit");
    let mut harness = app(&dir);
    new_assessment(&mut harness);
    open_section(&mut harness, "A.2 基本信息");
    harness.get_by_label("男").focus();
    harness.run();
    harness.key_press(Key::Num2);
    harness.run();
    assert_eq!(harness.state().editor().unwrap().record.subject.sex, Some(Sex::Female));
    assert!(harness.get_by_label("A.2.3 出生日期").is_focused(), "a single choice moves on");
    harness.get_by_label("独居").focus();
    harness.run();
    harness.key_press(Key::Num2);
    harness.key_press(Key::Num3);
    harness.run();
    let living = &harness.state().editor().unwrap().record.subject.living;
    assert!(living.contains(&LivingArrangement::WithSpouse), "{living:?}");
    assert!(living.contains(&LivingArrangement::WithChildren), "{living:?}");
}

#[test]
fn a_section_opens_at_its_top_and_a_focused_field_is_scrolled_into_view() {
    let dir = data_dir("keyboard-scroll");
    let mut harness = app(&dir);
    harness.set_size(egui::vec2(1280.0, 600.0));
    harness.run();
    new_assessment(&mut harness);
    open_section(&mut harness, "A.5 健康问题");
    // A.5.12 is below the fold; Shift+Tab from the first field's list goes up, so focus it
    // by its accessibility node and check it comes into view.
    let bottom = |h: &egui_kittest::Harness<'static, elder_assess::ui::AppState>| {
        h.get_by_label("A.5.12 其他（请补充）").rect()
    };
    assert!(bottom(&harness).top() > 600.0, "below the fold at first: {:?}", bottom(&harness));
    harness.get_by_label("A.5.12 其他（请补充）").focus();
    harness.run();
    harness.run();
    let rect = bottom(&harness);
    assert!(rect.top() >= 0.0 && rect.bottom() <= 600.0, "scrolled into view: {rect:?}");
    // Another section opens at its top, not at A.5's scroll position.
    open_section(&mut harness, "A.3 信息提供者");
    harness.run();
    let first = harness.get_by_label("A.3.1 信息提供者的姓名").rect();
    assert!(first.top() < 300.0, "A.3 opens at its top: {first:?}");
}
