//! A.2.14 近30天内照护风险事件: one count per kind, each unanswered until the assessor
//! chooses 无 / 发生过1次 / 发生过2次 / 发生过3次及以上.
//!
//! A count is an `Option<u8>`: `None` (JSON `null` or absent) = not answered yet,
//! `Some(0)` = 无. Files written when the counts were plain numbers still load: an old
//! `0` reads as 无 (`Some(0)`), which is what the old form showed and what its assessor
//! confirmed by completing; only a missing or `null` count is unanswered.
//!
//! An unanswered count is a blocking `missing` issue ([`RiskEvents::issues`]), so a record
//! is neither completed nor submitted until all five are answered, and the C.4 ③ rule
//! (合计 2 次及以上) only ever adds answered counts ([`RiskEvents::total`]).

use serde::{Deserialize, Serialize};

use super::{FieldCode, FieldIssue, RISK_EVENT_MAX};

/// A.2.14 近30天内照护风险事件: counts per kind, each `0..=3` (3 = 3 次及以上);
/// `None` = not answered.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RiskEvents {
    /// A.2.14.1 跌倒.
    pub fall: Option<u8>,
    /// A.2.14.2 走失.
    pub wandering: Option<u8>,
    /// A.2.14.3 噎食.
    pub choking: Option<u8>,
    /// A.2.14.4 自杀、自伤.
    pub suicide_self_harm: Option<u8>,
    /// A.2.14.5 其他 (count).
    pub other: Option<u8>,
    /// A.2.14.5 其他: what happened.
    pub other_text: String,
}

/// The scale's part ids of the A.2.14 fact, in form order.
pub const RISK_EVENT_PARTS: [&str; 5] =
    ["fall", "wandering", "choking", "suicide_self_harm", "other"];

/// The form's names of the A.2.14 kinds, in form order.
const KIND_NAMES: [&str; 5] = ["跌倒", "走失", "噎食", "自杀、自伤", "其他"];

impl RiskEvents {
    /// `(field code, scale part id, count)` for each kind, in form order.
    pub fn parts(&self) -> [(FieldCode, &'static str, Option<u8>); 5] {
        let [fall, wandering, choking, harm, other] = FieldCode::RISK_EVENTS;
        let [p_fall, p_wandering, p_choking, p_harm, p_other] = RISK_EVENT_PARTS;
        [
            (fall, p_fall, self.fall),
            (wandering, p_wandering, self.wandering),
            (choking, p_choking, self.choking),
            (harm, p_harm, self.suicide_self_harm),
            (other, p_other, self.other),
        ]
    }

    /// The count of the kind with scale part id `part` (an unknown id: 其他), for editing.
    pub fn count_mut(&mut self, part: &str) -> &mut Option<u8> {
        match part {
            "fall" => &mut self.fall,
            "wandering" => &mut self.wandering,
            "choking" => &mut self.choking,
            "suicide_self_harm" => &mut self.suicide_self_harm,
            _ => &mut self.other,
        }
    }

    /// Whether every kind is answered.
    pub fn is_answered(&self) -> bool {
        self.parts().iter().all(|(_, _, count)| count.is_some())
    }

    /// Sum of the answered counts (each capped at [`RISK_EVENT_MAX`]); unanswered kinds
    /// add nothing.
    pub fn total(&self) -> u16 {
        self.parts()
            .iter()
            .filter_map(|(_, _, n)| *n)
            .map(|n| u16::from(n.min(RISK_EVENT_MAX)))
            .sum()
    }

    /// A `missing` issue for each unanswered kind and a wrong-value issue for each count
    /// above [`RISK_EVENT_MAX`], in form order.
    pub(super) fn issues(&self) -> Vec<FieldIssue> {
        let mut issues = Vec::new();
        for ((field, _, count), name) in self.parts().into_iter().zip(KIND_NAMES) {
            match count {
                None => issues.push(FieldIssue::missing(
                    field,
                    format!("{name}未选择（未发生请选“无”，影响最终等级）"),
                )),
                Some(count) if count > RISK_EVENT_MAX => issues.push(FieldIssue::new(
                    field,
                    format!("发生次数为 {count}，应为 0–3（3 表示 3 次及以上）"),
                )),
                Some(_) => {}
            }
        }
        issues
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_list_is_unanswered_and_adds_nothing() {
        let events = RiskEvents::default();
        assert!(!events.is_answered());
        assert_eq!(events.total(), 0);
        let issues = events.issues();
        assert_eq!(issues.len(), 5);
        assert!(issues.iter().all(|issue| issue.missing && issue.blocking));
    }

    #[test]
    fn old_numbers_load_as_answers_and_null_as_unanswered() {
        let old: RiskEvents = serde_json::from_str(
            r#"{"fall": 0, "wandering": 2, "choking": 0, "suicide_self_harm": 0, "other": 0}"#,
        )
        .unwrap();
        assert!(old.is_answered());
        assert_eq!((old.fall, old.wandering, old.total()), (Some(0), Some(2), 2));
        let partial: RiskEvents = serde_json::from_str(r#"{"fall": 1, "choking": null}"#).unwrap();
        assert_eq!((partial.fall, partial.choking, partial.wandering), (Some(1), None, None));
        assert_eq!(partial.total(), 1);
    }
}
