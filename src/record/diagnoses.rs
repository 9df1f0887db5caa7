//! A.4 疾病诊断和用药情况: the A.4.1 diagnoses, with the tool's answer 「以上均无」, and
//! the A.4.2 medication table.
//!
//! The standard's A.4.1 list has no 「无」 option, so an empty list cannot tell "no
//! diagnosis" from "not asked yet". The record therefore keeps an explicit tool answer,
//! [`Diagnoses::none_of_the_above`] (shown as 「以上均无」, not a diagnosis code): A.4.1
//! is answered when a diagnosis is ticked or 「以上均无」 is, and 「以上均无」 excludes
//! the diagnoses ([`Diagnoses::tick`], [`Diagnoses::tick_none_of_the_above`]). The C.4 ②
//! ground (痴呆, 其他精神和行为障碍) is only decided on an answered A.4.1
//! ([`Diagnoses::has`]); an unanswered or contradictory A.4.1 is a blocking issue.
//!
//! A.4.2 用药情况 stays optional: the standard asks for the current long-term drugs as a
//! table and no rule reads it, so an empty table is not a missing answer.
//!
//! Files written before 「以上均无」 existed load with it unticked: an old record with
//! no diagnosis reads as A.4.1 unanswered and must be answered before it is completed.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::codes::Diagnosis;
use super::{FieldCode, FieldIssue};

/// A.4 疾病诊断和用药情况 (diagnoses and medication).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Diagnoses {
    /// A.4.1 疾病诊断 (multi-select).
    pub conditions: BTreeSet<Diagnosis>,
    /// A.4.1 「以上均无」: the assessor confirmed none of the listed diagnoses. A tool
    /// answer, not one of the standard's options; exclusive with `conditions`.
    pub none_of_the_above: bool,
    /// A.4.1 其他: the diagnosis as written.
    pub other: String,
    /// A.4.2 用药情况（目前长期服药情况）, one row per drug.
    pub medications: Vec<Medication>,
}

/// One A.4.2 row.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Medication {
    /// 药物名称.
    pub name: String,
    /// 服药方法.
    pub route: String,
    /// 用药剂量.
    pub dose: String,
    /// 用药频率.
    pub frequency: String,
}

impl Diagnoses {
    /// The wording of the tool's "no listed diagnosis" answer.
    pub const NONE_OF_THE_ABOVE: &'static str = "以上均无";

    /// Whether A.4.1 is answered: a diagnosis or 「以上均无」 ticked.
    pub fn is_answered(&self) -> bool {
        self.none_of_the_above || !self.conditions.is_empty()
    }

    /// Whether `diagnosis` is recorded; `None` while A.4.1 is unanswered.
    pub fn has(&self, diagnosis: Diagnosis) -> Option<bool> {
        self.is_answered().then(|| self.conditions.contains(&diagnosis))
    }

    /// Ticks or unticks `diagnosis`; ticking it unticks 「以上均无」.
    pub fn tick(&mut self, diagnosis: Diagnosis) {
        if !self.conditions.remove(&diagnosis) {
            self.conditions.insert(diagnosis);
            self.none_of_the_above = false;
        }
    }

    /// Ticks or unticks 「以上均无」; ticking it clears the diagnoses.
    pub fn tick_none_of_the_above(&mut self) {
        self.none_of_the_above = !self.none_of_the_above;
        if self.none_of_the_above {
            self.conditions.clear();
        }
    }

    /// A blocking issue when A.4.1 is unanswered (`missing`) or holds 「以上均无」
    /// together with a diagnosis (a wrong value: an import or a hand-edited file).
    pub(super) fn issues(&self) -> Vec<FieldIssue> {
        if !self.is_answered() {
            let message = "疾病诊断未选择（无所列疾病请选“以上均无”，影响最终等级）";
            vec![FieldIssue::missing(FieldCode::DIAGNOSES, message)]
        } else if self.none_of_the_above && !self.conditions.is_empty() {
            vec![FieldIssue::new(FieldCode::DIAGNOSES, "“以上均无”不能与疾病诊断同时选择")]
        } else {
            Vec::new()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn none_of_the_above_clears_the_diagnoses_and_the_reverse() {
        let mut diagnoses = Diagnoses::default();
        assert_eq!(diagnoses.has(Diagnosis::Dementia), None);
        diagnoses.tick(Diagnosis::Dementia);
        diagnoses.tick(Diagnosis::Cataract);
        diagnoses.tick_none_of_the_above();
        assert!(diagnoses.none_of_the_above && diagnoses.conditions.is_empty());
        assert_eq!(diagnoses.has(Diagnosis::Dementia), Some(false));
        diagnoses.tick(Diagnosis::Hypertension);
        assert!(!diagnoses.none_of_the_above);
        assert_eq!(diagnoses.conditions, BTreeSet::from([Diagnosis::Hypertension]));
        diagnoses.tick(Diagnosis::Hypertension);
        assert!(!diagnoses.is_answered(), "unticking the last answer leaves A.4.1 unanswered");
    }

    #[test]
    fn unanswered_and_contradictory_diagnoses_are_blocking_issues() {
        let mut diagnoses = Diagnoses::default();
        let issues = diagnoses.issues();
        assert_eq!(issues.len(), 1);
        assert!(issues[0].missing && issues[0].blocking);
        assert_eq!(issues[0].field, FieldCode::DIAGNOSES);
        diagnoses.none_of_the_above = true;
        assert!(diagnoses.issues().is_empty());
        diagnoses.conditions.insert(Diagnosis::Dementia);
        let issues = diagnoses.issues();
        assert_eq!(issues.len(), 1);
        assert!(!issues[0].missing && issues[0].blocking);
    }
}
