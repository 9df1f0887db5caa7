//! Progress of an unfinished assessment: the running total and the range of final levels
//! still possible.
//!
//! The range comes from the engine itself: the unanswered items are filled once with their
//! best and once with their worst option and both are scored. Because a better answer never
//! gives a worse level, every way of finishing the assessment lands inside that range.

use crate::scale::Scale;

use super::answers::{Answers, Facts};
use super::score::score;

/// The running state of a possibly incomplete assessment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Progress {
    /// Items answered, per domain (in [`Scale::domains`] order).
    pub answered: Vec<usize>,
    /// Sum of the answered items, per domain.
    pub domain_scores: Vec<u16>,
    /// Sum of the answered items.
    pub total: u16,
    /// Whether every item is answered (then `levels.0 == levels.1` is the final level).
    pub complete: bool,
    /// The best and worst final level still possible, as `(best, worst)` codes.
    pub levels: (u8, u8),
}

/// Computes the running total and the possible final levels. Scores an item does not
/// offer are ignored, as if unanswered.
pub fn progress(scale: &Scale, answers: &Answers, facts: &Facts) -> Progress {
    let mut answered = Vec::with_capacity(scale.domains().len());
    let mut domain_scores = Vec::with_capacity(scale.domains().len());
    let mut best = Answers::new(scale);
    let mut worst = Answers::new(scale);
    for domain in scale.domains() {
        let mut count = 0;
        let mut sum = 0u16;
        for index in domain.item_range() {
            let item = &scale.items()[index];
            if let Some(s) = answers.get(index).filter(|&s| item.accepts(s)) {
                count += 1;
                sum += u16::from(s);
                best.set(index, Some(s));
                worst.set(index, Some(s));
            } else {
                best.set(index, Some(item.max()));
                worst.set(index, Some(0));
            }
        }
        answered.push(count);
        domain_scores.push(sum);
    }
    let level = |filled: &Answers| score(scale, filled, facts).map_or(0, |o| o.final_level);
    let levels = (level(&best), level(&worst));
    let complete = answered.iter().sum::<usize>() == scale.items().len();
    Progress { answered, total: domain_scores.iter().sum(), domain_scores, complete, levels }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scale::{DEFAULT_SCALE_ID, bundled};

    #[test]
    fn empty_assessment_can_still_reach_any_level() {
        let scale = bundled(DEFAULT_SCALE_ID).unwrap().unwrap();
        let p = progress(&scale, &Answers::new(&scale), &Facts::new(&scale));
        assert_eq!(p.total, 0);
        assert!(!p.complete);
        assert_eq!(p.levels, (0, 4));
        assert_eq!(p.answered, [0, 0, 0, 0]);
    }

    #[test]
    fn complete_assessment_has_a_single_level_equal_to_the_engines() {
        let scale = bundled(DEFAULT_SCALE_ID).unwrap().unwrap();
        let mut answers = Answers::new(&scale);
        for (i, item) in scale.items().iter().enumerate() {
            answers.set(i, Some(item.max() / 2));
        }
        let facts = Facts::new(&scale);
        let p = progress(&scale, &answers, &facts);
        let outcome = score(&scale, &answers, &facts).unwrap();
        assert!(p.complete);
        assert_eq!(p.total, outcome.total);
        assert_eq!(p.levels, (outcome.final_level, outcome.final_level));
    }

    #[test]
    fn coma_fixes_the_range_at_level_4() {
        let scale = bundled(DEFAULT_SCALE_ID).unwrap().unwrap();
        let mut facts = Facts::new(&scale);
        facts.set_flag(&scale, "coma", true).unwrap();
        let p = progress(&scale, &Answers::new(&scale), &facts);
        assert_eq!(p.levels, (4, 4));
    }
}
