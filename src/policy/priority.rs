//! Priority for admission to public institutions (公办养老机构), as section 三（七） of the
//! county plan writes it, for elders of `readings.priority_min_age` and over:
//!
//! 1. "对有集中供养意愿的特困老年人全部实现集中供养": 特困 elders who wish institutional care
//!    (the recorded wish, else a current 集中供养 standing for it) come first.
//! 2. "在满足特困人员集中供养需求的前提下，优先为经济困难的失能、失智、重残、高龄、计划生育特殊
//!    家庭、优抚对象老年人提供无偿或者低收费托养服务": then elders who are 经济困难 (as the county
//!    reads it: the flag, 低保, 特困) and 失能, 失智, 重残, 高龄, 计划生育特殊家庭 or 优抚对象.
//! 3. Everyone else of age is a general applicant.
//!
//! "现役军人家属和烈士、因公牺牲军人、病故军人的遗属 … 同等条件下优先安排" — and, by list item
//! 15, 计划生育特殊家庭 elders — go first only among equals, in every group. The plan gives no
//! order within a group: `readings.order_within_group` is the county's own, labelled as such.
//! A fact that is not recorded makes the priority "需补充", naming it; it never reads as
//! "no priority".

use std::cmp::Ordering;

use serde::Serialize;

use super::eval::{Subject, Truth, truth};
use super::raw::{Condition, FamilyPlanningIs, TekunIs};
use super::readings::{OrderKey, Readings};

/// Where an elder stands for admission.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Standing {
    /// In priority group 1 or 2.
    Priority,
    /// Of age, in neither group: a general applicant.
    General,
    /// A fact needed to place the elder is not recorded.
    NeedsInfo,
    /// Under the priority's age.
    Underage,
}

/// An elder's place for admission to public institutions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Priority {
    /// Where the elder stands.
    pub standing: Standing,
    /// 1 = 特困 wishing institutional care; 2 = economically difficult with a listed
    /// condition; `None` otherwise (or not yet known).
    pub group: Option<u8>,
    /// Arranged first at equal conditions (the named military families, 计划生育特殊家庭);
    /// `None` when not known.
    pub preferred: Option<bool>,
    /// Final level, if assessed (for the county's order within a group).
    pub final_level: Option<u8>,
    /// Age, if known (for the county's order within a group).
    pub age: Option<u32>,
    /// Why, in words.
    pub reasons: Vec<String>,
    /// Facts to record (`NeedsInfo`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub missing: Vec<&'static str>,
}

impl Priority {
    /// The elder's priority in words.
    pub fn text(&self) -> String {
        let why = self.reasons.join("，");
        let head = match (self.standing, self.group) {
            (Standing::Priority, Some(group)) => {
                format!("公办养老机构入住优先：第 {group} 类（{why}）")
            }
            (Standing::NeedsInfo, Some(group)) => format!(
                "公办养老机构入住优先：第 {group} 类（{why}）；同等条件下是否优先安排需补充{}",
                self.missing.join("、")
            ),
            (Standing::NeedsInfo, None) => {
                format!("公办养老机构入住优先：需补充{}", self.missing.join("、"))
            }
            (Standing::Underage, _) => format!("公办养老机构入住优先：不适用（{why}）"),
            _ => "公办养老机构入住：不属于第 1、2 类优先安排对象".to_owned(),
        };
        if self.preferred == Some(true) && self.standing != Standing::NeedsInfo {
            format!("{head}；同等条件下优先安排")
        } else {
            head
        }
    }
}

/// The order of admission in words: the plan's order, and the county's own rule within a
/// group, labelled as the county's configurable rule.
pub fn order_rule_text(readings: &Readings) -> String {
    let plan = "入住顺序：有集中供养意愿的特困老年人优先，其次为经济困难的失能、失智、重残、高龄、\
                计划生育特殊家庭、优抚对象老年人（实施方案三（七））";
    let county = if readings.order_within_group.is_empty() {
        "同类之内不另排序".to_owned()
    } else {
        let keys: Vec<&str> = readings.order_within_group.iter().map(|k| k.label()).collect();
        format!("同类之内{}（本县可配置规则，非方案规定）", keys.join("、"))
    };
    format!(
        "{plan}；{county}；同等条件下现役军人家属和烈士、因公牺牲军人、病故军人的遗属及计划生育特殊家庭老年人优先安排"
    )
}

/// The elder's place for admission under the county's readings.
pub fn priority(readings: &Readings, subject: &Subject) -> Priority {
    let mut reasons = Vec::new();
    let place = |standing, group, preferred, reasons| Priority {
        standing,
        group,
        preferred,
        final_level: subject.final_level,
        age: subject.age(),
        reasons,
        missing: Vec::new(),
    };
    let mut missing: Vec<&'static str> = Vec::new();
    let min_age = readings.priority_min_age;
    match truth(&Condition::AgeAtLeast(min_age), subject, readings) {
        Truth::False(why) => return place(Standing::Underage, None, None, why),
        Truth::Unknown(facts) => missing.extend(facts),
        Truth::True(_) => {}
    }
    let mut known = |t: Truth, reasons: &mut Vec<String>| -> Option<bool> {
        match t {
            Truth::True(why) => {
                reasons.extend(why);
                Some(true)
            }
            Truth::False(_) => Some(false),
            Truth::Unknown(facts) => {
                for fact in facts {
                    if !missing.contains(&fact) {
                        missing.push(fact);
                    }
                }
                None
            }
        }
    };
    let first = Condition::All(vec![
        Condition::Tekun(TekunIs::Any),
        Condition::TekunChoice(TekunIs::Centralized),
    ]);
    let group = match known(truth(&first, subject, readings), &mut reasons) {
        Some(true) => Some(1),
        Some(false) => second_group(readings, subject, &mut known, &mut reasons),
        None => None,
    };
    let mut preferred_parts = vec![Condition::YoufuGroup(readings.preferred_youfu_groups.clone())];
    if readings.preferred_family_planning {
        preferred_parts.push(Condition::FamilyPlanning(FamilyPlanningIs::Any));
    }
    let mut preference = Vec::new();
    let preferred =
        known(truth(&Condition::Any(preferred_parts), subject, readings), &mut preference);
    reasons.extend(preference.into_iter().map(|p| format!("同等条件下优先：{p}")));
    let standing = if !missing.is_empty() {
        Standing::NeedsInfo
    } else if group.is_some() {
        Standing::Priority
    } else {
        Standing::General
    };
    let mut result = place(standing, group, preferred, reasons);
    result.missing = missing;
    result
}

/// Group 2 when the elder is 经济困难 and has one of the plan's listed conditions, each
/// named in the plan's words; `None` when not (or not known, the facts noted by `known`).
fn second_group(
    readings: &Readings,
    subject: &Subject,
    known: &mut impl FnMut(Truth, &mut Vec<String>) -> Option<bool>,
    reasons: &mut Vec<String>,
) -> Option<u8> {
    let mut found = Vec::new();
    let mut unknown: Vec<&'static str> = Vec::new();
    for (condition, name) in [
        (Condition::Disabled, "失能"),
        (Condition::Dementia, "失智"),
        (Condition::SevereDisability, "重残"),
        (Condition::AdvancedAge, "高龄"),
        (Condition::FamilyPlanning(FamilyPlanningIs::Any), "计划生育特殊家庭"),
        (Condition::Youfu, "优抚对象"),
    ] {
        match truth(&condition, subject, readings) {
            Truth::True(_) => found.push(name.to_owned()),
            Truth::False(_) => {}
            Truth::Unknown(facts) => unknown.extend(facts),
        }
    }
    if found.is_empty() && unknown.is_empty() {
        // None of the listed conditions: not group 2, whatever the hardship.
        return None;
    }
    let mut hardship = Vec::new();
    match known(truth(&Condition::EconomicDifficulty, subject, readings), &mut hardship) {
        Some(true) if !found.is_empty() => {
            reasons.push(format!("经济困难（{}）", hardship.join("、")));
            reasons.extend(found);
            Some(2)
        }
        Some(true) => {
            known(Truth::Unknown(unknown), &mut Vec::new());
            None
        }
        _ => None,
    }
}

/// Admission order: group 1, group 2, then general applicants; within each, the county's
/// `order_within_group` keys, then those preferred at equal conditions; then input order.
/// Elders under age or with facts to record are left out. Returns indices into
/// `priorities`, in order.
pub fn admission_order(readings: &Readings, priorities: &[Priority]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..priorities.len())
        .filter(|&i| matches!(priorities[i].standing, Standing::Priority | Standing::General))
        .collect();
    order.sort_by(|&a, &b| compare(readings, &priorities[a], &priorities[b]).then(a.cmp(&b)));
    order
}

fn compare(readings: &Readings, x: &Priority, y: &Priority) -> Ordering {
    let rank = |p: &Priority| p.group.unwrap_or(u8::MAX);
    let mut ordering = rank(x).cmp(&rank(y));
    for key in &readings.order_within_group {
        // `Option` orders `None` before `Some`, so comparing y with x puts higher levels
        // and ages first and unknown ones last.
        ordering = ordering.then(match key {
            OrderKey::WorseLevel => y.final_level.cmp(&x.final_level),
            OrderKey::Older => y.age.cmp(&x.age),
        });
    }
    ordering.then(y.preferred.cmp(&x.preferred))
}
