//! Issue 12: the county plan's service rules as data-driven cases
//! (`tests/data/entitlement-cases.json`, input facts → decision and reason through the
//! `entitlements` contract), the admission order as section 三（七） writes it, the county
//! file's readings changing decisions without code, and the new county facts through
//! import JSON, the store and the CLI.

use elder_assess::policy::json::{EntitlementInput, entitlements};
use elder_assess::policy::{self, Policy, Standing, admission_order, priority};
use serde_json::Value;

use super::policy::plain;

fn gengma() -> Policy {
    policy::bundled(policy::DEFAULT_POLICY_ID).unwrap().unwrap()
}

/// The output of the `entitlements` contract for `base` overridden by `facts`.
fn run(policy: &Policy, base: &Value, facts: &Value) -> Value {
    let mut input = base.clone();
    for (key, value) in facts.as_object().unwrap() {
        input[key] = value.clone();
    }
    let input = EntitlementInput::from_json(&input.to_string()).unwrap();
    serde_json::to_value(entitlements(policy, &input.to_subject().unwrap())).unwrap()
}

fn contains(haystack: &Value, needle: &Value, what: &str) {
    let text = haystack.as_str().unwrap_or_default();
    assert!(text.contains(needle.as_str().unwrap()), "{what}: {text:?} lacks {needle}");
}

#[test]
fn every_service_rule_case_decides_as_the_plan_writes_it() {
    let file: Value = serde_json::from_str(include_str!("data/entitlement-cases.json")).unwrap();
    let policy = gengma();
    let cases = file["cases"].as_array().unwrap();
    assert!(cases.len() >= 25);
    for case in cases {
        let name = format!("{} ({})", case["name"], case["covers"]);
        let out = run(&policy, &file["base"], &case["facts"]);
        let expect = &case["expect"];
        if let Some(services) = expect["services"].as_object() {
            for (no, want) in services {
                let at = no.parse::<usize>().unwrap() - 1;
                let got = &out["services"][at];
                let what = format!("{name}: service {no}");
                assert_eq!(got["status"], want["status"], "{what}: {got}");
                if let Some(reason) = want.get("reason") {
                    contains(&got["reason"], reason, &what);
                }
                if let Some(missing) = want.get("missing") {
                    assert_eq!(&got["missing"], missing, "{what}");
                }
                if let Some(amount) = want.get("amount") {
                    assert_eq!(&got["amount_per_month"], amount, "{what}");
                }
            }
        }
        if let Some(total) = expect.get("monthly_cash_total") {
            assert_eq!(&out["monthly_cash_total"], total, "{name}");
        }
        if let Some(excluded) = expect["excluded"].as_array() {
            let got: Vec<&Value> =
                out["monthly_cash_excluded"].as_array().unwrap().iter().map(|e| &e["no"]).collect();
            assert_eq!(got, excluded.iter().collect::<Vec<_>>(), "{name}");
        }
        if let Some(text) = expect.get("cash_text") {
            contains(&out["monthly_cash_text"], text, &name);
        }
        if let Some(want) = expect.get("priority") {
            let got = &out["priority"];
            for key in ["standing", "group", "preferred", "missing"] {
                if let Some(value) = want.get(key) {
                    assert_eq!(&got[key], value, "{name}: priority {key}: {got}");
                }
            }
            for reason in want["reasons"].as_array().into_iter().flatten() {
                assert!(got["reasons"].as_array().unwrap().contains(reason), "{name}: {got}");
            }
            if let Some(text) = want.get("text") {
                contains(&out["priority_text"], text, &name);
            }
        }
        if let Some(rule) = expect.get("rule") {
            contains(&out["priority_rule"], rule, &name);
        }
    }
}

/// A level-1 优抚 (现役军人家属) 65-year-old no longer comes before a level-3 75-year-old;
/// among equals (same group, level and age) the named family comes first; without the
/// county's own order only the plan's order and the tie-break remain.
#[test]
fn the_military_tie_break_applies_only_among_equals_and_the_county_order_is_a_setting() {
    let elder = |age: u32, level: u8, family: bool| {
        let mut s = plain(age);
        s.facts.economic_hardship = Some(true);
        s.final_level = Some(level);
        if family {
            s.facts.youfu = Some(true);
            s.facts.youfu_group = Some(policy::YoufuGroup::ActiveDutyFamily);
        }
        s
    };
    let subjects = [elder(65, 1, true), elder(75, 3, false), elder(75, 3, true), plain(70)];
    let readings = gengma().readings().clone();
    let places: Vec<_> = subjects.iter().map(|s| priority(&readings, s)).collect();
    assert_eq!(places[3].standing, Standing::General);
    assert_eq!(admission_order(&readings, &places), [2, 1, 0, 3]);
    // The county's file with `order_within_group: []`: within group 2 only the
    // tie-break orders.
    let source = include_str!("../assets/policies/gengma-2023.ron").replacen(
        "order_within_group: [WorseLevel, Older]",
        "order_within_group: []",
        1,
    );
    let county = policy::from_ron_str(&source, "county.ron").unwrap();
    let places: Vec<_> = subjects.iter().map(|s| priority(county.readings(), s)).collect();
    assert_eq!(admission_order(county.readings(), &places), [0, 2, 1, 3]);
    assert!(policy::order_rule_text(county.readings()).contains("同类之内不另排序"));
}

/// 高龄, 失能 and 经济困难 are the county file's settings: changed there, decisions follow.
#[test]
fn the_readings_in_the_county_file_change_decisions_without_code() {
    let edited = |from: &str, to: &str| {
        let source = include_str!("../assets/policies/gengma-2023.ron").replacen(from, to, 1);
        policy::from_ron_str(&source, "county.ron").unwrap()
    };
    let status = |policy: &Policy, s: &policy::Subject, no: u16| {
        policy::evaluate(policy, s).into_iter().find(|d| d.no == no).unwrap().status
    };
    let mut low_income_76 = plain(76);
    low_income_76.facts.dibao = Some(true);
    assert_eq!(status(&gengma(), &low_income_76, 26), policy::Status::NotEligible);
    let at_75 = edited("advanced_age: 80", "advanced_age: 75");
    assert_eq!(status(&at_75, &low_income_76, 26), policy::Status::Eligible);
    assert_eq!(priority(at_75.readings(), &low_income_76).group, Some(2));

    let mut mild = plain(70);
    mild.final_level = Some(1);
    assert_eq!(status(&gengma(), &mild, 19), policy::Status::Eligible);
    let from_2 = edited("disabled_levels: (1, 4)", "disabled_levels: (2, 4)");
    assert_eq!(status(&from_2, &mild, 19), policy::Status::NotEligible);

    let mut on_dibao = plain(70);
    on_dibao.facts.dibao = Some(true);
    let flag_only =
        edited("economic_difficulty: [Flag, Dibao, Tekun]", "economic_difficulty: [Flag]");
    assert_eq!(status(&gengma(), &on_dibao, 16), policy::Status::Eligible);
    assert_eq!(status(&flag_only, &on_dibao, 16), policy::Status::NotEligible);
}

/// The new facts are county facts of the record: import JSON accepts them (and refuses a
/// misspelt group), and the store keeps them.
#[test]
fn the_new_county_facts_survive_import_json_and_the_store() {
    let mut record: Value =
        serde_json::from_str(include_str!("data/example-assessment.json")).unwrap();
    record["county"]["youfu"] = Value::Bool(true);
    record["county"]["youfu_group"] = Value::from("illness_death_survivor");
    record["county"]["no_able_supporter"] = Value::Bool(true);
    record["county"]["state_youfu_allowance"] = Value::Bool(false);
    record["county"]["needs_long_term_care"] = Value::Bool(true);
    let parsed: elder_assess::record::AssessmentRecord =
        serde_json::from_value(record.clone()).unwrap();
    assert_eq!(parsed.county.youfu_group, Some(policy::YoufuGroup::IllnessDeathSurvivor));
    assert_eq!(parsed.county.needs_long_term_care, Some(true));
    let store = elder_assess::store::Store::open_in_memory().unwrap();
    let at = chrono::DateTime::from_timestamp(1_764_316_800, 0).unwrap();
    let id = store.save(&parsed, elder_assess::store::Status::Draft, None, at).unwrap();
    assert_eq!(store.load(id).unwrap().unwrap().record.county, parsed.county);
    record["county"]["youfu_group"] = Value::from("general");
    assert!(serde_json::from_value::<elder_assess::record::AssessmentRecord>(record).is_err());
}

/// The CLI prints the `needs_info` reasons, the excluded amounts and the priority text.
#[test]
fn cli_entitlements_names_what_the_total_leaves_out_and_what_to_record() {
    let input = r#"{"reference_date": "2026-11-28", "birth_date": "1941-11-28", "final_level": 2,
        "local_hukou": true, "tekun": "dispersed", "dibao": false, "family_planning": "none",
        "disability_grade": 1, "youfu": false, "economic_hardship": false}"#;
    let dir = super::common::TempDir::new("entitlements-rules");
    let file = dir.path().join("facts.json");
    std::fs::write(&file, input).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_elder-assess"))
        .arg("entitlements")
        .arg(&file)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["services"][20]["status"], "needs_info");
    assert_eq!(json["services"][20]["missing"][0], "是否需要长期照护");
    let excluded: Vec<u64> = json["monthly_cash_excluded"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["no"].as_u64().unwrap())
        .collect();
    assert_eq!(excluded, [21, 22, 25, 31]);
    assert!(json["monthly_cash_text"].as_str().unwrap().starts_with("每月现金合计至少 100 元"));
    assert_eq!(json["priority"]["group"], 2);
}

/// The report's entitlements section says which amounts the total leaves out, and the
/// priority as the plan writes it with the county's rule labelled.
#[test]
fn the_report_entitlements_name_what_the_total_leaves_out() {
    use elder_assess::record::county::Tekun;
    use elder_assess::report::{ReportModel, ReportOptions};

    let mut record: elder_assess::record::AssessmentRecord =
        serde_json::from_str(include_str!("data/example-assessment.json")).unwrap();
    record.county.tekun = Some(Tekun::Dispersed);
    record.county.disability_grade = Some(1);
    record.county.needs_long_term_care = None;
    let created = chrono::DateTime::from_timestamp(1_764_316_800, 0).unwrap();
    let model =
        ReportModel::new(&record, &super::common::gbt(), &ReportOptions::new(created)).unwrap();
    let e = model.entitlements.unwrap();
    assert!(e.monthly_total_partial);
    assert!(
        e.monthly_total_text
            .contains("未计入：21. 重度残疾人护理补贴（需补充信息后确定）；22. 分散特困供养"),
        "{}",
        e.monthly_total_text
    );
    assert!(e.priority_rule.contains("本县可配置规则，非方案规定"), "{}", e.priority_rule);
    assert!(e.priority.unwrap().starts_with("公办养老机构入住优先"));
}
