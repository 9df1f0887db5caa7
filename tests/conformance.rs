//! GB/T 42195-2022 Annex C, clause by clause.
//!
//! Each test cites the clause it checks. Wording and the readings chosen where the
//! public transcriptions disagree are in `shared/reference/standard.md` §2 and §10.
//! DIFFERENCE: none known; the "one level once" reading of C.4 follows standard.md §10.2.

use elder_assess::assessment::{Facts, score};
use elder_assess::scale::Scale;

use super::common::{gbt, score_plain, with_total};

fn level_at(total: u16) -> (u8, u8) {
    let scale = gbt();
    let outcome = score_plain(&scale, &with_total(&scale, total));
    assert_eq!(outcome.total, total);
    (outcome.preliminary_level, outcome.final_level)
}

/// Source: GB/T 42195-2022, C.3 (能力完好 = 90).
#[test]
fn total_90_is_level_0() {
    assert_eq!(level_at(90), (0, 0));
}

/// Source: GB/T 42195-2022, C.3 (轻度受损 66–89, upper edge).
#[test]
fn total_89_is_level_1() {
    assert_eq!(level_at(89), (1, 1));
}

/// Source: GB/T 42195-2022, C.3 (轻度受损 66–89, lower edge).
#[test]
fn total_66_is_level_1() {
    assert_eq!(level_at(66), (1, 1));
}

/// Source: GB/T 42195-2022, C.3 (中度受损 46–65, upper edge).
#[test]
fn total_65_is_level_2() {
    assert_eq!(level_at(65), (2, 2));
}

/// Source: GB/T 42195-2022, C.3 (中度受损 46–65, lower edge).
#[test]
fn total_46_is_level_2() {
    assert_eq!(level_at(46), (2, 2));
}

/// Source: GB/T 42195-2022, C.3 (重度受损 30–45, upper edge).
#[test]
fn total_45_is_level_3() {
    assert_eq!(level_at(45), (3, 3));
}

/// Source: GB/T 42195-2022, C.3 (重度受损 30–45, lower edge).
#[test]
fn total_30_is_level_3() {
    assert_eq!(level_at(30), (3, 3));
}

/// Source: GB/T 42195-2022, C.3 (完全丧失 0–29, upper edge).
#[test]
fn total_29_is_level_4() {
    assert_eq!(level_at(29), (4, 4));
}

/// Source: GB/T 42195-2022, C.3 (完全丧失 0–29, lower edge).
#[test]
fn total_0_is_level_4() {
    assert_eq!(level_at(0), (4, 4));
}

/// Scores `total` with the given flags and risk-event counts; returns (final, rule ids).
fn with_facts(
    scale: &Scale,
    total: u16,
    flags: &[&str],
    events: &[(&str, i64)],
) -> (u8, u8, Vec<String>) {
    let mut facts = Facts::new(scale);
    for flag in flags {
        facts.set_flag(scale, flag, true).unwrap();
    }
    for (part, n) in events {
        facts.set_count(scale, "risk_events_30d", part, *n).unwrap();
    }
    let outcome = score(scale, &with_total(scale, total), &facts).unwrap();
    let ids = outcome.adjustments.iter().map(|a| a.rule.id.clone()).collect();
    (outcome.preliminary_level, outcome.final_level, ids)
}

/// Source: GB/T 42195-2022, C.4 ① (处于昏迷状态者，直接评定为能力完全丧失（完全失能）).
#[test]
fn coma_sets_level_4_directly_even_from_full_score() {
    let scale = gbt();
    assert_eq!(with_facts(&scale, 90, &["coma"], &[]), (0, 4, vec!["coma".to_owned()]));
    assert_eq!(with_facts(&scale, 50, &["coma"], &[]), (2, 4, vec!["coma".to_owned()]));
}

/// Source: GB/T 42195-2022, C.4 ② (确诊为痴呆（F00～F03）… 提高一个级别).
#[test]
fn dementia_worsens_by_one_level() {
    let scale = gbt();
    assert_eq!(with_facts(&scale, 89, &["dementia"], &[]), (1, 2, vec!["dementia".to_owned()]));
    assert_eq!(with_facts(&scale, 90, &["dementia"], &[]), (0, 1, vec!["dementia".to_owned()]));
}

/// Source: GB/T 42195-2022, C.4 ② (其他精神和行为障碍疾病（F04～F99）… 提高一个级别).
#[test]
fn other_mental_disorder_worsens_by_one_level() {
    let scale = gbt();
    assert_eq!(
        with_facts(&scale, 66, &["mental_disorder"], &[]),
        (1, 2, vec!["mental_disorder".to_owned()])
    );
}

/// Source: GB/T 42195-2022, C.4 ③ (近30天内发生过2次及以上照护风险事件): counts are
/// summed across 跌倒、走失、噎食、自杀自伤、其他 (standard.md §10.3).
#[test]
fn two_risk_events_of_different_kinds_worsen_by_one_level() {
    let scale = gbt();
    let ids = vec!["risk_events".to_owned()];
    assert_eq!(with_facts(&scale, 46, &[], &[("fall", 1), ("choking", 1)]), (2, 3, ids.clone()));
    assert_eq!(with_facts(&scale, 46, &[], &[("wandering", 2)]), (2, 3, ids.clone()));
    assert_eq!(with_facts(&scale, 46, &[], &[("other", 1), ("suicide_self_harm", 1)]), (2, 3, ids));
}

/// Source: GB/T 42195-2022, C.4 ③: a single event is not enough.
#[test]
fn one_risk_event_changes_nothing() {
    let scale = gbt();
    assert_eq!(with_facts(&scale, 46, &[], &[("fall", 1)]), (2, 2, vec![]));
}

/// Source: GB/T 42195-2022, A.2.14 ("发生过3次及以上" is recorded as 3) and C.4 ③.
#[test]
fn three_or_more_counts_as_three() {
    let scale = gbt();
    assert_eq!(with_facts(&scale, 70, &[], &[("fall", 3)]), (1, 2, vec!["risk_events".to_owned()]));
    let mut facts = Facts::new(&scale);
    assert!(facts.set_count(&scale, "risk_events_30d", "fall", 4).is_err());
}

/// Source: GB/T 42195-2022, C.4 ②③: several "提高一个级别" grounds raise the level once
/// (standard.md §10.2), and every ground that holds is still listed.
#[test]
fn several_worsening_grounds_apply_once() {
    let scale = gbt();
    let (pre, fin, ids) = with_facts(&scale, 70, &["dementia", "mental_disorder"], &[("fall", 2)]);
    assert_eq!((pre, fin), (1, 2));
    assert_eq!(ids, ["dementia", "mental_disorder", "risk_events"]);
}

/// Source: GB/T 42195-2022, C.3/C.5: level 4 is the last level; nothing goes beyond it.
#[test]
fn worsening_never_passes_level_4() {
    let scale = gbt();
    assert_eq!(with_facts(&scale, 10, &["dementia"], &[("fall", 3)]).1, 4);
    assert_eq!(with_facts(&scale, 10, &["coma", "dementia"], &[]).1, 4);
}

/// Source: GB/T 42195-2022, C.4 ①②: coma with another ground is still level 4, and both
/// grounds are reported with the fact that triggered them.
#[test]
fn coma_with_dementia_reports_both_grounds() {
    let scale = gbt();
    let mut facts = Facts::new(&scale);
    facts.set_flag(&scale, "coma", true).unwrap();
    facts.set_flag(&scale, "dementia", true).unwrap();
    let outcome = score(&scale, &with_total(&scale, 80), &facts).unwrap();
    assert_eq!(outcome.final_level, 4);
    let triggers: Vec<String> = outcome.adjustments.iter().map(ToString::to_string).collect();
    assert_eq!(triggers, ["A.5.11 昏迷：有", "A.4.1 痴呆（F00～F03）：有"]);
}

/// Source: GB/T 42195-2022, C.4 ③: the trigger names the counts per kind of event.
#[test]
fn risk_event_trigger_lists_the_counts() {
    let scale = gbt();
    let mut facts = Facts::new(&scale);
    facts.set_count(&scale, "risk_events_30d", "fall", 3).unwrap();
    facts.set_count(&scale, "risk_events_30d", "choking", 1).unwrap();
    let outcome = score(&scale, &with_total(&scale, 80), &facts).unwrap();
    assert_eq!(
        outcome.adjustments[0].to_string(),
        "A.2.14 近30天内照护风险事件：合计 4 次（跌倒 3 次及以上、噎食 1 次）"
    );
}
