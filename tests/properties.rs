//! Invariants of the engine over random answers and facts.

use elder_assess::assessment::{Answers, Facts, score};
use elder_assess::scale::Scale;
use proptest::prelude::*;

use super::common::gbt;

/// Random complete answers for the GB/T scale (scores within each item's range), plus
/// random facts: three flags and five event counts.
fn answers_and_facts() -> impl Strategy<Value = (Vec<u8>, [bool; 3], [u8; 5])> {
    let maxima: Vec<u8> = gbt().items().iter().map(elder_assess::scale::Item::max).collect();
    let scores: Vec<_> = maxima.into_iter().map(|m| 0..=m).collect();
    (scores, any::<[bool; 3]>(), prop::array::uniform5(0u8..=3))
}

fn build(scale: &Scale, scores: &[u8], flags: [bool; 3], events: [u8; 5]) -> (Answers, Facts) {
    let mut answers = Answers::new(scale);
    for (i, s) in scores.iter().enumerate() {
        answers.set(i, Some(*s));
    }
    let mut facts = Facts::new(scale);
    for (id, value) in ["coma", "dementia", "mental_disorder"].into_iter().zip(flags) {
        facts.set_flag(scale, id, value).unwrap();
    }
    for (part, n) in
        ["fall", "wandering", "choking", "suicide_self_harm", "other"].into_iter().zip(events)
    {
        facts.set_count(scale, "risk_events_30d", part, i64::from(n)).unwrap();
    }
    (answers, facts)
}

/// The standard's bands, written out independently of the scale file.
fn band(total: u16) -> u8 {
    match total {
        90 => 0,
        66..=89 => 1,
        46..=65 => 2,
        30..=45 => 3,
        _ => 4,
    }
}

proptest! {
    #[test]
    fn total_is_the_sum_of_domains_and_levels_follow_the_bands((scores, flags, events) in answers_and_facts()) {
        let scale = gbt();
        let (answers, facts) = build(&scale, &scores, flags, events);
        let outcome = score(&scale, &answers, &facts).unwrap();
        prop_assert_eq!(outcome.total, outcome.domain_scores.iter().sum::<u16>());
        prop_assert_eq!(u32::from(outcome.total), scores.iter().map(|&s| u32::from(s)).sum::<u32>());
        for (domain, got) in scale.domains().iter().zip(&outcome.domain_scores) {
            prop_assert!(*got <= domain.max());
        }
        prop_assert_eq!(outcome.preliminary_level, band(outcome.total));
        prop_assert!(outcome.final_level >= outcome.preliminary_level);
        prop_assert!(outcome.final_level <= 4);
        prop_assert!(outcome.final_level <= outcome.preliminary_level + 1 || flags[0]);
        if flags[0] {
            prop_assert_eq!(outcome.final_level, 4);
        }
        let worsen = flags[1] || flags[2] || events.iter().map(|&n| u16::from(n)).sum::<u16>() >= 2;
        if !flags[0] {
            prop_assert_eq!(outcome.final_level, (outcome.preliminary_level + u8::from(worsen)).min(4));
        }
    }

    #[test]
    fn raising_one_item_never_worsens_the_final_level(
        (scores, flags, events) in answers_and_facts(),
        pick in any::<prop::sample::Index>(),
    ) {
        let scale = gbt();
        let item = pick.index(scores.len());
        prop_assume!(scores[item] < scale.items()[item].max());
        let (answers, facts) = build(&scale, &scores, flags, events);
        let before = score(&scale, &answers, &facts).unwrap();
        let mut raised = scores.clone();
        raised[item] += 1;
        let (answers, facts) = build(&scale, &raised, flags, events);
        let after = score(&scale, &answers, &facts).unwrap();
        prop_assert_eq!(after.total, before.total + 1);
        prop_assert!(after.final_level <= before.final_level);
        prop_assert!(after.preliminary_level <= before.preliminary_level);
    }

    #[test]
    fn checks_never_change_the_outcome((scores, flags, events) in answers_and_facts()) {
        // Scoring with every check removed gives the same numbers and levels.
        let scale = gbt();
        let source = include_str!("../scales/gbt42195-2022.ron");
        let cut = source.find("    checks: [").unwrap();
        let without_checks = format!("{}\n)\n", &source[..cut]);
        let bare = elder_assess::scale::from_ron_str(&without_checks, "bare.ron").unwrap();
        let (answers, facts) = build(&scale, &scores, flags, events);
        let with = score(&scale, &answers, &facts).unwrap();
        let (answers, facts) = build(&bare, &scores, flags, events);
        let without = score(&bare, &answers, &facts).unwrap();
        prop_assert!(without.warnings.is_empty());
        prop_assert_eq!(with.domain_scores, without.domain_scores);
        prop_assert_eq!((with.preliminary_level, with.final_level), (without.preliminary_level, without.final_level));
    }
}
