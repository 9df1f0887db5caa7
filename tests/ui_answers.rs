//! Answers that cannot contradict themselves: 「无」 excludes the other options of a
//! multiple choice, and the 完成评估 problem list is checked again each time it is shown.

use egui_kittest::kittest::Queryable as _;

use super::ui::{app, data_dir, new_assessment, open_section};

#[test]
fn ticking_none_clears_the_other_answers_and_another_answer_clears_none() {
    use elder_assess::record::codes::Wound;
    let dir = data_dir("keyboard-none");
    let mut harness = app(&dir);
    new_assessment(&mut harness);
    open_section(&mut harness, "A.5 健康问题");
    harness.get_by_label("擦伤").click();
    harness.run();
    // A.5.3's 「无」 is the first check box of that name (A.5.1's is a radio button).
    harness
        .query_all_by_role_and_label(egui::accesskit::Role::CheckBox, "无")
        .next()
        .unwrap()
        .click();
    harness.run();
    let wounds = &harness.state().editor().unwrap().record.health.wounds;
    assert_eq!(wounds.iter().copied().collect::<Vec<_>>(), [Wound::None]);
    harness.get_by_label("烧烫伤").click();
    harness.run();
    let wounds = &harness.state().editor().unwrap().record.health.wounds;
    assert_eq!(wounds.iter().copied().collect::<Vec<_>>(), [Wound::Burn]);
}

#[test]
fn the_problem_list_follows_the_record_after_completion_was_refused() {
    let dir = data_dir("answers-problems");
    let mut harness = app(&dir);
    new_assessment(&mut harness);
    open_section(&mut harness, "C 评估结果");
    harness.get_by_label("完成评估").click();
    harness.run();
    let before = harness.state().editor().unwrap().issues.len();
    assert!(before > 1, "a new record has problems: {before}");
    assert!(super::ui::shown_containing(&harness, "A.2.1 姓名未填写"));
    "李奶奶".clone_into(&mut harness.state_mut().editor_mut().unwrap().record.subject.name);
    harness.run();
    assert!(
        !super::ui::shown_containing(&harness, "A.2.1 姓名未填写"),
        "the fixed field leaves the list"
    );
    assert_eq!(harness.state().editor().unwrap().issues.len(), before - 1);
}
