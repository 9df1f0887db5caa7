//! 「无」 in a multiple choice excludes every other option: A.5.3 伤口情况 「无」 and 擦伤
//! cannot both be true. Ticking 「无」 clears the others and ticking another option clears
//! 「无」 ([`tick`], used by the wizard); a record that holds both anyway (an import, an
//! old file) gets a blocking issue naming the field ([`contradictions`]), so it is neither
//! completed, submitted, approved nor imported.

use std::collections::BTreeSet;

use super::codes::{Denture, SpecialCare, SwallowingSign, ToothLoss, Wound};
use super::{FieldCode, FieldIssue, Health};

/// Ticks or unticks `option` in `set`, keeping 「无」 exclusive: `is_none` names the
/// list's 「无」 option(s).
pub fn tick<T: Ord + Copy>(set: &mut BTreeSet<T>, option: T, is_none: impl Fn(T) -> bool) {
    if set.remove(&option) {
        return;
    }
    if is_none(option) {
        set.clear();
    } else {
        set.retain(|o| !is_none(*o));
    }
    set.insert(option);
}

/// Whether `set` holds a 「无」 option together with another one.
fn contradicts<T: Copy>(set: &BTreeSet<T>, is_none: impl Fn(T) -> bool) -> bool {
    set.len() > 1 && set.iter().any(|o| is_none(*o))
}

/// A blocking issue for each multiple choice of A.5 that ticks 「无」 with another option.
pub(super) fn contradictions(health: &Health) -> Vec<FieldIssue> {
    let lists = [
        (FieldCode::WOUNDS, contradicts(&health.wounds, Wound::is_none_option)),
        (FieldCode::SPECIAL_CARE, contradicts(&health.special_care, SpecialCare::is_none_option)),
        (FieldCode::TEETH, contradicts(&health.teeth, ToothLoss::is_none_option)),
        (FieldCode::DENTURES, contradicts(&health.dentures, Denture::is_none_option)),
        (FieldCode::SWALLOWING, contradicts(&health.swallowing, SwallowingSign::is_none_option)),
    ];
    lists
        .into_iter()
        .filter(|(_, both)| *both)
        .map(|(field, _)| FieldIssue::new(field, "“无”不能与其他选项同时选择"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticking_none_clears_the_others_and_the_reverse() {
        let mut wounds = BTreeSet::from([Wound::Abrasion, Wound::Burn]);
        tick(&mut wounds, Wound::None, Wound::is_none_option);
        assert_eq!(wounds, BTreeSet::from([Wound::None]));
        tick(&mut wounds, Wound::Abrasion, Wound::is_none_option);
        assert_eq!(wounds, BTreeSet::from([Wound::Abrasion]));
        tick(&mut wounds, Wound::Abrasion, Wound::is_none_option);
        assert!(wounds.is_empty(), "ticking again unticks");
    }

    #[test]
    fn none_with_another_option_is_a_blocking_issue_naming_the_field() {
        let mut health = Health::default();
        assert!(contradictions(&health).is_empty());
        health.wounds = BTreeSet::from([Wound::None, Wound::Abrasion]);
        health.dentures = BTreeSet::from([Denture::None]);
        let issues = contradictions(&health);
        assert_eq!(issues.len(), 1);
        assert_eq!(issues[0].field, FieldCode::WOUNDS);
        assert!(issues[0].blocking && !issues[0].missing);
    }
}
