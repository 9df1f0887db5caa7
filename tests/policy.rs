//! The county service list (耿马自治县基本养老服务清单): every service decided for
//! eligible, not eligible and missing facts; age boundaries; 失能 by level; the admission
//! priority; the CLI contract; located errors in a county's own file.

use chrono::NaiveDate;
use elder_assess::policy::{
    self, Amount, CountyFacts, FamilyPlanning, Pension, Policy, Status, Subject, Tekun,
    admission_order, evaluate, monthly_cash_total, priority,
};

fn gengma() -> Policy {
    policy::bundled(policy::DEFAULT_POLICY_ID).unwrap().unwrap()
}

fn reference() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 28).unwrap()
}

/// A fully recorded elder of `age` with no special circumstances, level 0.
pub fn plain(age: u32) -> Subject {
    let year = 2026 - i32::try_from(age).unwrap();
    Subject {
        reference_date: reference(),
        birth_date: NaiveDate::from_ymd_opt(year, 11, 28),
        final_level: Some(0),
        dementia: Some(false),
        facts: CountyFacts {
            local_hukou: Some(true),
            tekun: Some(Tekun::None),
            // Only 特困 elders state a wish; 22 and 23 then follow the arrangement.
            tekun_wants_institution: None,
            dibao: Some(false),
            family_planning: Some(FamilyPlanning::None),
            disability_grade: Some(0),
            youfu: Some(false),
            youfu_group: None,
            no_able_supporter: Some(false),
            state_youfu_allowance: Some(false),
            needs_long_term_care: Some(false),
            economic_hardship: Some(false),
            living_alone: Some(false),
            empty_nest: Some(false),
            left_behind: Some(false),
            pension: Some(Pension::None),
            pension_drawing: Some(false),
            preferential_card: Some(false),
            homeless: Some(false),
        },
    }
}

fn status(subject: &Subject, no: u16) -> Status {
    evaluate(&gengma(), subject).into_iter().find(|d| d.no == no).unwrap().status
}

fn amount(subject: &Subject, no: u16) -> Option<u32> {
    evaluate(&gengma(), subject).into_iter().find(|d| d.no == no).unwrap().amount_per_month
}

#[test]
fn the_bundled_list_has_the_31_services_as_the_seed_states_them() {
    let policy = gengma();
    let numbers: Vec<u16> = policy.services().iter().map(|s| s.no).collect();
    assert_eq!(numbers, (1..=31).collect::<Vec<_>>());
    for service in policy.services() {
        let universal = service.no <= 14;
        assert_eq!(service.scope == policy::Scope::Universal, universal, "{}", service.no);
    }
    let amounts = |no: u16| -> Vec<Option<Amount>> {
        policy.services()[usize::from(no) - 1].tiers.iter().map(|t| t.amount).collect()
    };
    assert_eq!(amounts(3), [Some(Amount::AtLeast(50)), Some(Amount::AtLeast(500))]);
    assert_eq!(amounts(20), [Some(Amount::Exactly(590)), Some(Amount::Exactly(460))]);
    assert_eq!(amounts(21), [Some(Amount::AtLeast(100)), Some(Amount::AtLeast(90))]);
    assert_eq!(amounts(30), [Some(Amount::AtLeast(50))]);
    assert_eq!(policy.services()[2].name, "高龄津贴");
    assert_eq!(policy.services()[2].tiers[0].target, "本县户籍 80—99周岁老年人");
}

type Edit = fn(&mut Subject);

fn drawing_employee_pension(s: &mut Subject) {
    s.facts.pension = Some(Pension::Employee);
    s.facts.pension_drawing = Some(true);
}

/// A 退伍军人 with no able supporter, receiving 国家定期抚恤补助 (list item 18).
fn supported_veteran(s: &mut Subject) {
    s.facts.youfu = Some(true);
    s.facts.youfu_group = Some(policy::YoufuGroup::Veteran);
    s.facts.no_able_supporter = Some(true);
    s.facts.state_youfu_allowance = Some(true);
}

/// Per service: (number, age and edit of an eligible subject, age and edit of a refused one).
fn service_cases() -> [(u16, u32, Edit, u32, Edit); 31] {
    [
        // Issue 12: 达到待遇享受年龄 is read from 已领取养老金, not from age 60.
        (1, 65, drawing_employee_pension, 65, |_| {}),
        (
            2,
            65,
            |s| s.facts.pension = Some(Pension::Resident),
            65,
            |s| s.facts.pension = Some(Pension::Employee),
        ),
        (3, 85, |_| {}, 85, |s| s.facts.local_hukou = Some(false)),
        (4, 60, |_| {}, 59, |_| {}),
        (5, 60, |_| {}, 59, |_| {}),
        (6, 65, |_| {}, 64, |_| {}),
        (7, 60, |_| {}, 59, |_| {}),
        (8, 60, |_| {}, 59, |_| {}),
        (9, 60, |_| {}, 59, |_| {}),
        (10, 60, |_| {}, 59, |_| {}),
        (11, 60, |_| {}, 59, |_| {}),
        (12, 60, |_| {}, 59, |_| {}),
        (13, 60, |_| {}, 59, |_| {}),
        (14, 65, |_| {}, 64, |_| {}),
        (15, 70, |s| s.facts.family_planning = Some(FamilyPlanning::ChildDisabled), 70, |_| {}),
        (16, 70, |s| s.facts.economic_hardship = Some(true), 70, |_| {}),
        (
            17,
            70,
            |s| s.facts.economic_hardship = Some(true),
            59,
            |s| s.facts.economic_hardship = Some(true),
        ),
        // Issue 12: the plan's named groups, no able supporter and 国家定期抚恤补助.
        (18, 70, supported_veteran, 70, |_| {}),
        (19, 70, |s| s.final_level = Some(1), 70, |_| {}),
        (
            20,
            60,
            |s| s.facts.family_planning = Some(FamilyPlanning::ChildDied),
            59,
            |s| s.facts.family_planning = Some(FamilyPlanning::ChildDied),
        ),
        (
            21,
            70,
            // Issue 12: 要长期照护的.
            |s| {
                s.facts.disability_grade = Some(2);
                s.facts.needs_long_term_care = Some(true);
            },
            70,
            |s| s.facts.disability_grade = Some(3),
        ),
        (
            22,
            70,
            |s| s.facts.tekun = Some(Tekun::Dispersed),
            70,
            |s| s.facts.tekun = Some(Tekun::Centralized),
        ),
        (
            23,
            70,
            |s| s.facts.tekun = Some(Tekun::Centralized),
            70,
            |s| s.facts.tekun = Some(Tekun::Dispersed),
        ),
        (24, 70, |s| s.facts.dibao = Some(true), 70, |_| {}),
        (
            25,
            70,
            |s| {
                s.facts.tekun = Some(Tekun::Dispersed);
                s.final_level = Some(2);
            },
            70,
            |s| s.facts.tekun = Some(Tekun::Dispersed),
        ),
        (26, 80, |s| s.facts.dibao = Some(true), 79, |s| s.facts.dibao = Some(true)),
        (27, 70, |s| s.facts.tekun = Some(Tekun::Dispersed), 70, |_| {}),
        (28, 70, |s| s.facts.living_alone = Some(true), 70, |_| {}),
        (29, 70, |s| s.facts.homeless = Some(true), 70, |_| {}),
        (30, 80, |s| s.facts.dibao = Some(true), 79, |s| s.facts.dibao = Some(true)),
        (
            31,
            70,
            |s| {
                s.facts.disability_grade = Some(4);
                s.facts.economic_hardship = Some(true);
            },
            70,
            |s| s.facts.disability_grade = Some(4),
        ),
    ]
}

/// For every service: a subject who is eligible and one who is not.
#[test]
fn every_service_has_an_eligible_and_a_not_eligible_case() {
    for (no, yes_age, yes, no_age, not) in service_cases() {
        let mut eligible = plain(yes_age);
        yes(&mut eligible);
        assert_eq!(status(&eligible, no), Status::Eligible, "service {no} should be eligible");
        let mut refused = plain(no_age);
        not(&mut refused);
        assert_eq!(status(&refused, no), Status::NotEligible, "service {no} should be refused");
    }
}

#[test]
fn age_boundaries_of_the_old_age_allowance() {
    assert_eq!(status(&plain(79), 3), Status::NotEligible);
    assert_eq!(amount(&plain(80), 3), Some(50));
    assert_eq!(amount(&plain(99), 3), Some(50));
    assert_eq!(amount(&plain(100), 3), Some(500));
    assert_eq!(status(&plain(59), 4), Status::NotEligible);
    assert_eq!(status(&plain(60), 4), Status::Eligible);
    assert_eq!(status(&plain(64), 6), Status::NotEligible);
    assert_eq!(status(&plain(65), 6), Status::Eligible);
}

#[test]
fn disabled_means_final_level_1_to_4_not_level_0() {
    for no in [19, 25, 28] {
        let mut subject = plain(70);
        subject.facts.tekun = Some(Tekun::Dispersed);
        subject.final_level = Some(0);
        assert_eq!(status(&subject, no), Status::NotEligible, "service {no} at level 0");
        subject.final_level = Some(1);
        assert_eq!(status(&subject, no), Status::Eligible, "service {no} at level 1");
    }
}

#[test]
fn amounts_follow_the_tier_and_add_up() {
    let mut subject = plain(85);
    subject.facts.dibao = Some(true);
    subject.facts.family_planning = Some(FamilyPlanning::ChildDisabled);
    subject.facts.disability_grade = Some(1);
    subject.facts.needs_long_term_care = Some(true);
    let decisions = evaluate(&gengma(), &subject);
    let get = |no: u16| decisions.iter().find(|d| d.no == no).unwrap();
    assert_eq!(get(20).amount_per_month, Some(460));
    assert!(!get(20).amount_is_minimum);
    assert_eq!(get(21).amount_per_month, Some(100));
    assert!(get(21).amount_is_minimum);
    assert_eq!(monthly_cash_total(&decisions), 50 + 460 + 100 + 50);
    assert!(get(3).reason.contains("本县户籍 80—99周岁老年人"), "{}", get(3).reason);
}

#[test]
fn absent_facts_make_dependent_services_need_information() {
    let mut subject = plain(85);
    subject.facts.local_hukou = None;
    let decisions = evaluate(&gengma(), &subject);
    let allowance = decisions.iter().find(|d| d.no == 3).unwrap();
    assert_eq!(allowance.status, Status::NeedsInfo);
    assert_eq!(allowance.missing, ["是否本县户籍"]);
    // A decided part still decides: under 80, 户籍 does not matter.
    let mut young = plain(70);
    young.facts.local_hukou = None;
    assert_eq!(status(&young, 3), Status::NotEligible);
    // Without a birth date, age-bound services need it.
    let mut unknown_age = plain(70);
    unknown_age.birth_date = None;
    let d = evaluate(&gengma(), &unknown_age).into_iter().find(|d| d.no == 4).unwrap();
    assert_eq!((d.status, d.missing.as_slice()), (Status::NeedsInfo, ["出生日期"].as_slice()));
    // Without an assessed level, 失能 services need it.
    let mut unassessed = plain(70);
    unassessed.final_level = None;
    assert_eq!(status(&unassessed, 19), Status::NeedsInfo);
}

#[test]
fn decisions_are_sorted_by_service_number() {
    let decisions = evaluate(&gengma(), &plain(70));
    assert_eq!(decisions.len(), 31);
    assert!(decisions.windows(2).all(|w| w[0].no < w[1].no));
}

#[test]
fn priority_puts_tekun_wishing_institution_first_then_hardship_with_a_condition() {
    let mut tekun = plain(70);
    tekun.facts.tekun = Some(Tekun::Dispersed);
    tekun.facts.tekun_wants_institution = Some(true);
    let mut hardship_disabled = plain(70);
    hardship_disabled.facts.economic_hardship = Some(true);
    hardship_disabled.final_level = Some(2);
    let mut hardship_only = plain(70);
    hardship_only.facts.economic_hardship = Some(true);
    let mut disabled_only = plain(70);
    disabled_only.final_level = Some(4);
    let place = |s: &Subject| priority(gengma().readings(), s);
    assert_eq!(place(&tekun).group, Some(1));
    assert_eq!(place(&hardship_disabled).group, Some(2));
    assert!(place(&hardship_disabled).reasons.contains(&"失能".to_owned()));
    assert_eq!(place(&hardship_only).group, None, "hardship alone is not a listed condition");
    assert_eq!(place(&disabled_only).group, None, "失能 without hardship is not in the group");
    assert_eq!(place(&disabled_only).standing, policy::Standing::General);
}

/// Issue 12 changes this order: the military families go first only among equals (same
/// group, level and age under the county's rule), no longer before a worse level; elders
/// in neither group are general applicants, ordered last.
#[test]
fn admission_order_prefers_worse_level_then_older_then_youfu_among_equals() {
    let readings = gengma().readings().clone();
    let hardship = |age: u32, level: u8, youfu: bool| {
        let mut s = plain(age);
        s.facts.economic_hardship = Some(true);
        s.final_level = Some(level);
        s.facts.youfu = Some(youfu);
        if youfu {
            s.facts.youfu_group = Some(policy::YoufuGroup::ActiveDutyFamily);
        }
        priority(&readings, &s)
    };
    let mut tekun = plain(62);
    tekun.facts.tekun = Some(Tekun::Centralized);
    tekun.facts.tekun_wants_institution = Some(true);
    let list = vec![
        hardship(90, 1, false),          // 0
        hardship(70, 3, false),          // 1
        hardship(75, 3, false),          // 2
        hardship(65, 1, true),           // 3: youfu, but level 1 and 65
        priority(&readings, &tekun),     // 4: group 1
        priority(&readings, &plain(70)), // 5: a general applicant
        hardship(70, 3, true),           // 6: youfu, equal to 1: first among equals
    ];
    assert_eq!(admission_order(&readings, &list), [4, 2, 6, 1, 0, 3, 5]);
}

#[test]
fn cli_entitlements_follows_the_contract() {
    use std::io::Write as _;
    use std::process::{Command, Stdio};
    let run = |input: &str| {
        let mut child = Command::new(env!("CARGO_BIN_EXE_elder-assess"))
            .arg("entitlements")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
        child.wait_with_output().unwrap()
    };
    let input = r#"{"reference_date": "2026-11-28", "birth_date": "1941-03-02", "final_level": 2,
        "local_hukou": true, "tekun": "none", "dibao": false, "family_planning": "none",
        "disability_grade": 0, "youfu": false, "economic_hardship": false,
        "pension": "none", "living_alone": false}"#;
    let out = run(input);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let services = json["services"].as_array().unwrap();
    assert_eq!(services.len(), 31);
    assert_eq!(services[2]["no"], 3);
    assert_eq!(services[2]["name"], "高龄津贴");
    assert_eq!(services[2]["status"], "eligible");
    assert_eq!(services[2]["amount_per_month"], 50);
    assert!(services[2]["reason"].as_str().unwrap().contains("本县户籍 80—99周岁老年人"));
    assert_eq!(json["monthly_cash_total"], 50);
    // `homeless` was not given: service 29 depends on it.
    assert_eq!(services[28]["status"], "needs_info");

    for (bad, field) in [
        (r#"{"reference_date": "2026-11-28", "final_level": 7}"#, "final_level"),
        (r#"{"reference_date": "2026-11-28", "tekun": "sometimes"}"#, "tekun"),
        (r#"{"reference_date": "2026-11-28", "hukou": true}"#, "hukou"),
        (r#"{"birth_date": "1941-03-02"}"#, "reference_date"),
        (r#"{"reference_date": "2026-11-28", "disability_grade": 5}"#, "disability_grade"),
    ] {
        let out = run(bad);
        assert_eq!(out.status.code(), Some(2), "{bad}");
        assert!(out.stdout.is_empty());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(field), "{bad}: {err}");
    }
}

#[test]
fn a_countys_own_file_is_validated_with_positions() {
    let source = include_str!("../assets/policies/gengma-2023.ron").replacen("no: 5,", "no: 4,", 1);
    let err = policy::from_ron_str(&source, "county.ron").unwrap_err().to_string();
    let line = source.lines().position(|l| l.contains("就医便利服务")).unwrap() + 1;
    assert!(err.contains(&format!("county.ron:{line}:")), "{err}");
    assert!(err.contains("服务序号 4 重复"), "{err}");
    let misspelt = include_str!("../assets/policies/gengma-2023.ron").replacen(
        "department:",
        "departmant:",
        1,
    );
    let err = policy::from_ron_str(&misspelt, "county.ron").unwrap_err().to_string();
    assert!(err.contains("`departmant`"), "{err}");
}

#[test]
fn every_shipped_policy_file_loads() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/policies");
    let mut files: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "ron"))
        .map(|p| {
            policy::load_file(&p).unwrap_or_else(|e| panic!("{e}"));
            format!("assets/policies/{}", p.file_name().unwrap().to_string_lossy())
        })
        .collect();
    files.sort();
    assert_eq!(files, policy::bundled_files().collect::<Vec<_>>());
}

#[test]
fn the_county_section_is_checked_with_positions_by_check_policy() {
    let good = include_str!("../assets/policies/gengma-2023.ron");
    let county = policy::from_ron_str(good, "county.ron").unwrap().county().clone();
    assert_eq!(county.name, "耿马傣族佤族自治县");
    assert_eq!(county.townships.first().map(String::as_str), Some("耿马镇"));
    assert_eq!(county.reassessment_months, 12);

    // 勐永镇 listed twice, and a 20-year interval.
    let bad = good.replacen("\"勐撒镇\",", "\"勐永镇\",", 1).replacen(
        "reassessment_months: 12",
        "reassessment_months: 240",
        1,
    );
    let dir = std::env::temp_dir().join(format!("elder-assess-county-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("county.ron");
    std::fs::write(&file, &bad).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_elder-assess"))
        .arg("check-policy")
        .arg(&file)
        .output()
        .unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    let line_of = |needle: &str| bad.lines().position(|l| l.contains(needle)).unwrap() + 1;
    let repeat = bad.lines().nth(line_of("\"勐永镇\"") - 1).unwrap();
    let column = repeat[..repeat.rfind("\"勐永镇\"").unwrap()].chars().count() + 1;
    assert!(
        err.contains(&format!(
            ":{}:{column}: 第 3 个乡镇与第 2 个重复：乡镇名称必须互不相同",
            line_of("\"勐永镇\"")
        )),
        "{err}"
    );
    assert!(
        err.contains(&format!(":{}:", line_of("reassessment_months")))
            && err.contains("复评间隔 240 个月无效：应为 1–120 个月"),
        "{err}"
    );
}
