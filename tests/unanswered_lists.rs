//! Lists that start unanswered (issue 13, point 6): A.2.14 近30天内照护风险事件 and A.4.1
//! 疾病诊断 are missing on a new record, block completion until answered, and decide the
//! C.4 ② / ③ grounds only from answers; 「以上均无」 excludes the diagnoses; old files with
//! numeric counts still load.

use egui::accesskit::{Role, Toggled};
use egui_kittest::kittest::{NodeT as _, Queryable as _};
use elder_assess::assessment::score;
use elder_assess::record::codes::Diagnosis;
use elder_assess::record::{AssessmentRecord, Diagnoses, RiskEvents, parse_jsonl};
use elder_assess::store::Status;

use super::common::{gbt, townships};
use super::ui::{
    answer_all_and_sign, app, data_dir, fill_annex_a, new_assessment, open_section,
    shown_containing,
};
use super::ui_township::complete;

const A214: [&str; 5] = ["A.2.14.1", "A.2.14.2", "A.2.14.3", "A.2.14.4", "A.2.14.5"];

fn example() -> AssessmentRecord {
    serde_json::from_str(include_str!("data/example-assessment.json")).unwrap()
}

fn missing_fields(record: &AssessmentRecord) -> Vec<String> {
    let scale = gbt();
    record
        .validate(&scale)
        .into_iter()
        .filter(|issue| issue.missing && issue.blocking)
        .map(|issue| issue.field.to_string())
        .collect()
}

#[test]
fn a_new_record_reports_a2_14_and_a4_1_missing() {
    let record = AssessmentRecord::new("2026-001".to_owned(), chrono::NaiveDate::MIN);
    let missing = missing_fields(&record);
    for field in A214.iter().chain(&["A.4.1"]) {
        assert!(missing.iter().any(|m| m == field), "{field} is missing: {missing:?}");
    }
}

#[test]
fn the_engine_decides_c4_2_and_3_only_from_answered_facts() {
    let scale = gbt();
    let mut record = example();
    assert_eq!(missing_fields(&record), Vec::<String>::new(), "the example is complete");
    record.subject.risk_events = RiskEvents::default();
    record.diagnoses.conditions.clear();
    let mut missing = A214.map(str::to_owned).to_vec();
    missing.push("A.4.1".to_owned());
    assert_eq!(missing_fields(&record), missing);
    let grounds = |record: &AssessmentRecord| -> Vec<String> {
        let outcome = score(&scale, &record.answers(&scale), &record.facts(&scale)).unwrap();
        outcome.adjustments.iter().map(|a| a.rule.id.clone()).collect()
    };
    assert_eq!(grounds(&record), Vec::<String>::new(), "no ground from unanswered facts");
    // Two answered falls raise the level although the other kinds are not answered yet.
    record.subject.risk_events.fall = Some(2);
    assert_eq!(grounds(&record), ["risk_events"]);
    record.subject.risk_events.fall = Some(1);
    record.subject.risk_events.choking = None;
    assert_eq!(grounds(&record), Vec::<String>::new());
    record.diagnoses.tick(Diagnosis::Dementia);
    assert_eq!(grounds(&record), ["dementia"]);
    record.diagnoses.tick_none_of_the_above();
    assert_eq!(grounds(&record), Vec::<String>::new(), "以上均无 clears 痴呆");
}

#[test]
fn an_old_record_with_numeric_counts_still_loads_and_imports() {
    // The example file was written with plain numbers (`"fall": 1`, `"wandering": 0`).
    let record = example();
    let events = &record.subject.risk_events;
    assert_eq!((events.fall, events.wandering, events.choking), (Some(1), Some(0), Some(1)));
    assert!(events.is_answered(), "an old 0 reads as 无");
    let line = serde_json::to_string(
        &serde_json::from_str::<serde_json::Value>(include_str!("data/example-assessment.json"))
            .unwrap(),
    )
    .unwrap();
    let imported = parse_jsonl(&line, &gbt(), &townships()).unwrap();
    assert_eq!(imported[0].subject.risk_events, record.subject.risk_events);
    // An unanswered count is written as `null` and read back unanswered.
    let mut draft = record.clone();
    draft.subject.risk_events.wandering = None;
    let text = serde_json::to_string(&draft).unwrap();
    assert!(text.contains(r#""wandering":null"#), "{text}");
    let back: AssessmentRecord = serde_json::from_str(&text).unwrap();
    assert_eq!(back, draft);
}

#[test]
fn unanswered_counts_and_none_of_the_above_survive_the_store() {
    let dir = super::common::TempDir::new("unanswered-store");
    let store = elder_assess::store::Store::open(dir.path()).unwrap();
    let mut record = example();
    record.subject.risk_events.choking = None;
    record.diagnoses.conditions.clear();
    record.diagnoses.tick_none_of_the_above();
    let now = chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2026, 11, 28, 2, 0, 0).unwrap();
    let id = store.save(&record, Status::Draft, None, now).unwrap();
    let stored = store.load(id).unwrap().unwrap();
    assert_eq!(stored.record, record);
    assert_eq!(missing_fields(&stored.record), ["A.2.14.3"]);
}

#[test]
fn importing_none_of_the_above_with_a_diagnosis_is_refused_naming_a4_1() {
    let mut value: serde_json::Value =
        serde_json::from_str(include_str!("data/example-assessment.json")).unwrap();
    value["diagnoses"]["none_of_the_above"] = serde_json::json!(true);
    let error = parse_jsonl(&value.to_string(), &gbt(), &townships()).unwrap_err();
    assert!(error.to_string().contains("A.4.1"), "{error}");
}

/// Whether the A.2 radio buttons of the A.2.14 answers (the last five groups of four)
/// show any option chosen.
fn a214_chosen(harness: &egui_kittest::Harness<'static, elder_assess::ui::AppState>) -> usize {
    ["无", "发生过1次", "发生过2次", "发生过3次及以上"]
        .iter()
        .flat_map(|label| harness.query_all_by_role_and_label(Role::RadioButton, label))
        .filter(|node| node.accesskit_node().toggled() == Some(Toggled::True))
        .count()
}

#[test]
fn the_wizard_shows_no_a2_14_option_chosen_on_a_new_record() {
    let dir = data_dir("unanswered-a214");
    let mut harness = app(&dir);
    new_assessment(&mut harness);
    open_section(&mut harness, "A.2 基本信息");
    assert_eq!(a214_chosen(&harness), 0, "nothing preselected");
    // The A.2.14 rows are below the fold: click as assistive technology does.
    let first = harness.query_all_by_role_and_label(Role::RadioButton, "发生过2次").next();
    first.unwrap().click_accesskit();
    harness.run();
    assert_eq!(harness.state().editor().unwrap().record.subject.risk_events.fall, Some(2));
    assert_eq!(a214_chosen(&harness), 1);
}

#[test]
fn ticking_none_of_the_above_clears_the_diagnoses_and_the_reverse() {
    let dir = data_dir("unanswered-a41");
    let mut harness = app(&dir);
    new_assessment(&mut harness);
    open_section(&mut harness, "A.4 疾病与用药");
    harness.get_by_label(&Diagnosis::Dementia.to_string()).click();
    harness.run();
    harness.get_by_label("以上均无").click();
    harness.run();
    let diagnoses = &harness.state().editor().unwrap().record.diagnoses;
    assert!(diagnoses.none_of_the_above && diagnoses.conditions.is_empty());
    harness.get_by_label(&Diagnosis::Cataract.to_string()).click();
    harness.run();
    let diagnoses = &harness.state().editor().unwrap().record.diagnoses;
    assert!(!diagnoses.none_of_the_above);
    assert_eq!(diagnoses.conditions.iter().copied().collect::<Vec<_>>(), [Diagnosis::Cataract]);
}

#[test]
fn completing_is_refused_until_a2_14_and_a4_1_are_answered() {
    let dir = data_dir("unanswered-complete");
    let mut harness = app(&dir);
    new_assessment(&mut harness);
    fill_annex_a(&mut harness);
    let now = chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2026, 11, 28, 2, 0, 0).unwrap();
    let record = &mut harness.state_mut().editor_mut().unwrap().record;
    record.subject.risk_events = RiskEvents::default();
    record.diagnoses = Diagnoses::default();
    answer_all_and_sign(record, now);
    harness.run();
    assert_eq!(complete(&mut harness), Status::Draft);
    let mut expected = A214.map(str::to_owned).to_vec();
    expected.push("A.4.1".to_owned());
    let issues = &harness.state().editor().unwrap().issues;
    assert_eq!(issues.iter().map(|i| i.field.to_string()).collect::<Vec<_>>(), expected);
    assert!(shown_containing(&harness, "待定：A.2.14.1"), "C.4 is shown as not yet decided");

    // Answer them as an assessor does: 无 for each A.2.14 kind, 以上均无 in A.4.1.
    open_section(&mut harness, "A.2 基本信息");
    for index in 0..5 {
        // A.2.7's 无 comes first; the A.2.14 rows follow in form order.
        let nones: Vec<_> = harness.query_all_by_role_and_label(Role::RadioButton, "无").collect();
        let at = nones.len() - 5 + index;
        nones[at].click_accesskit();
        harness.run();
    }
    open_section(&mut harness, "A.4 疾病与用药");
    harness.get_by_label("以上均无").click();
    harness.run();
    let record = &harness.state().editor().unwrap().record;
    assert!(record.subject.risk_events.is_answered() && record.diagnoses.is_answered());
    assert_eq!(complete(&mut harness), Status::Completed);
    assert!(!shown_containing(&harness, "待定"));
}
