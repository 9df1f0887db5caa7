//! Evaluation: (service list, facts, outcome, reference date) → one decision per service.
//!
//! Conditions use three-valued logic: a fact that was not recorded is unknown, and a
//! service whose condition stays unknown is `needs_info`, naming what to record. Decisions
//! quote the service's 服务对象 text and say which facts decided.

use chrono::NaiveDate;
use serde::Serialize;

use crate::record::codes::Diagnosis;
use crate::record::{AssessmentRecord, age_on};
use crate::scale::Scale;

use super::raw::Condition;
use super::readings::Readings;
use super::{Policy, Service};
use crate::record::county::CountyFacts;

/// Everything about one elder that the service list looks at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subject {
    /// The assessment's reference date (ages are counted on it).
    pub reference_date: NaiveDate,
    /// Birth date, if known.
    pub birth_date: Option<NaiveDate>,
    /// Final ability level (0–4), if assessed.
    pub final_level: Option<u8>,
    /// Diagnosed dementia (失智), if recorded.
    pub dementia: Option<bool>,
    /// The county facts.
    pub facts: CountyFacts,
}

impl Subject {
    /// The subject of an assessment record: its reference date, birth date (A.2.3, else
    /// from the ID number), final level (when the record can be scored), dementia (A.4.1)
    /// and county facts.
    pub fn from_record(record: &AssessmentRecord, scale: &Scale) -> Self {
        let final_level =
            crate::assessment::score(scale, &record.answers(scale), &record.facts(scale))
                .ok()
                .map(|o| o.final_level);
        Self {
            reference_date: record.info.reference_date,
            birth_date: record
                .subject
                .birth_date
                .or_else(|| record.subject.id_number().map(|id| id.birth_date())),
            final_level,
            dementia: record.diagnoses.has(Diagnosis::Dementia),
            facts: record.county.clone(),
        }
    }

    /// Age (周岁) on the reference date.
    pub fn age(&self) -> Option<u32> {
        self.birth_date.map(|birth| age_on(birth, self.reference_date))
    }
}

/// The decision for one service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// The elder belongs to the service's target group.
    Eligible,
    /// The elder does not.
    NotEligible,
    /// A fact the service depends on is not recorded.
    NeedsInfo,
}

impl Status {
    /// Chinese wording.
    pub const fn label(self) -> &'static str {
        match self {
            Self::Eligible => "可享受",
            Self::NotEligible => "不符合",
            Self::NeedsInfo => "需补充信息",
        }
    }
}

/// One service's decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Decision {
    /// 序号.
    pub no: u16,
    /// 服务项目.
    pub name: String,
    /// The decision.
    pub status: Status,
    /// Monthly cash amount when eligible for a paying tier (the minimum for 不低于).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub amount_per_month: Option<u32>,
    /// Whether the amount is a minimum (不低于).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub amount_is_minimum: bool,
    /// Eligible for cash whose amount the list states without a figure (not in the total).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub amount_unstated: bool,
    /// Whether some tier of the service pays cash (so a `needs_info` decision may add to
    /// the total once the facts are recorded).
    #[serde(skip)]
    pub pays_cash: bool,
    /// Why, quoting the service's 服务对象.
    pub reason: String,
    /// Facts to record for a `needs_info` decision.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub missing: Vec<&'static str>,
    /// 服务类型.
    pub kind: &'static str,
    /// 普惠 or 保障.
    pub scope: &'static str,
    /// 牵头责任部门.
    pub department: String,
    /// 服务内容及标准 of the tier that applies (or the first tier).
    pub content: String,
}

/// The result of a condition: decided with the facts that decided it, or unknown with
/// the facts that are missing.
pub(super) enum Truth {
    True(Vec<String>),
    False(Vec<String>),
    Unknown(Vec<&'static str>),
}

/// Evaluates every service, in number order.
pub fn evaluate(policy: &Policy, subject: &Subject) -> Vec<Decision> {
    policy.services.iter().map(|service| decide(service, subject, &policy.readings)).collect()
}

fn decide(service: &Service, subject: &Subject, readings: &Readings) -> Decision {
    let pays_cash = service.tiers.iter().any(|t| t.amount.is_some());
    let mut missing: Vec<&'static str> = Vec::new();
    let mut refusals: Vec<String> = Vec::new();
    for tier in &service.tiers {
        match truth(&tier.when, subject, readings) {
            Truth::True(why) => {
                return Decision {
                    no: service.no,
                    name: service.name.clone(),
                    status: Status::Eligible,
                    amount_per_month: tier.amount.and_then(super::raw::Amount::stated),
                    amount_is_minimum: matches!(tier.amount, Some(super::raw::Amount::AtLeast(_))),
                    amount_unstated: tier.amount == Some(super::raw::Amount::Unstated),
                    pays_cash,
                    reason: format!("符合服务对象“{}”：{}", tier.target, why.join("，")),
                    missing: Vec::new(),
                    kind: service.kind.label(),
                    scope: service.scope.label(),
                    department: service.department.clone(),
                    content: tier.content.clone(),
                };
            }
            Truth::False(why) => {
                let refusal = format!("“{}”（{}）", tier.target, why.join("，"));
                if !refusals.contains(&refusal) {
                    refusals.push(refusal);
                }
            }
            Truth::Unknown(facts) => {
                for fact in facts {
                    if !missing.contains(&fact) {
                        missing.push(fact);
                    }
                }
            }
        }
    }
    let first = service.tiers.first();
    let (status, reason) = if missing.is_empty() {
        (Status::NotEligible, format!("不符合服务对象{}", refusals.join("；")))
    } else {
        let mut targets: Vec<&str> = Vec::new();
        for tier in &service.tiers {
            if !targets.contains(&tier.target.as_str()) {
                targets.push(&tier.target);
            }
        }
        (
            Status::NeedsInfo,
            format!("服务对象“{}”：需补充{}", targets.join("”“"), missing.join("、")),
        )
    };
    Decision {
        no: service.no,
        name: service.name.clone(),
        status,
        amount_per_month: None,
        amount_is_minimum: false,
        amount_unstated: false,
        pays_cash,
        reason,
        missing,
        kind: service.kind.label(),
        scope: service.scope.label(),
        department: service.department.clone(),
        content: first.map(|t| t.content.clone()).unwrap_or_default(),
    }
}

/// A yes/no fact: `Some(true)` → true with `yes`, `Some(false)` → false with `no`.
pub(super) fn flag(value: Option<bool>, fact: &'static str, yes: &str, no: &str) -> Truth {
    match value {
        Some(true) => Truth::True(vec![yes.to_owned()]),
        Some(false) => Truth::False(vec![no.to_owned()]),
        None => Truth::Unknown(vec![fact]),
    }
}

/// The truth of `condition` for `s`, under the county's readings `r`.
pub(super) fn truth(condition: &Condition, s: &Subject, r: &Readings) -> Truth {
    let f = &s.facts;
    match condition {
        Condition::AgeAtLeast(min) => match s.age() {
            Some(age) if age >= *min => Truth::True(vec![format!("{age} 周岁")]),
            Some(age) => Truth::False(vec![format!("{age} 周岁，未满 {min} 周岁")]),
            None => Truth::Unknown(vec!["出生日期"]),
        },
        Condition::AgeBetween(from, to) => match s.age() {
            Some(age) if (*from..=*to).contains(&age) => Truth::True(vec![format!("{age} 周岁")]),
            Some(age) => Truth::False(vec![format!("{age} 周岁，不在 {from}—{to} 周岁")]),
            None => Truth::Unknown(vec!["出生日期"]),
        },
        Condition::AdvancedAge => match s.age() {
            Some(age) if age >= r.advanced_age => Truth::True(vec![format!("高龄（{age} 周岁）")]),
            Some(age) => Truth::False(vec![format!("{age} 周岁，非高龄")]),
            None => Truth::Unknown(vec!["出生日期"]),
        },
        Condition::Disabled => match s.final_level {
            Some(level) if r.is_disabled_level(level) => {
                Truth::True(vec![format!("失能（最终等级 {level} 级）")])
            }
            Some(0) => Truth::False(vec!["能力完好，非失能".to_owned()]),
            Some(level) => Truth::False(vec![format!("最终等级 {level} 级，本县不计为失能")]),
            None => Truth::Unknown(vec!["能力评估最终等级"]),
        },
        Condition::Dementia => flag(s.dementia, "是否失智（痴呆诊断）", "失智", "非失智"),
        Condition::Homeless => flag(
            f.homeless,
            "是否生活无着的流浪乞讨人员",
            "生活无着的流浪乞讨人员",
            "非流浪乞讨人员",
        ),
        Condition::All(parts) => {
            let (trues, falses, missing) = partition(parts, s, r);
            if !falses.is_empty() {
                Truth::False(falses)
            } else if !missing.is_empty() {
                Truth::Unknown(missing)
            } else {
                Truth::True(trues)
            }
        }
        Condition::Any(parts) => {
            let (trues, falses, missing) = partition(parts, s, r);
            if !trues.is_empty() {
                Truth::True(trues)
            } else if !missing.is_empty() {
                Truth::Unknown(missing)
            } else {
                Truth::False(falses)
            }
        }
        Condition::EconomicDifficulty => {
            let parts: Vec<Condition> = r
                .economic_difficulty
                .iter()
                .map(|h| super::atoms::hardship_condition(*h))
                .collect();
            truth(&Condition::Any(parts), s, r)
        }
        atom => super::atoms::county_truth(atom, f, r),
    }
}

/// The reasons of the parts that hold, of those that do not, and the missing facts.
fn partition(
    parts: &[Condition],
    s: &Subject,
    r: &Readings,
) -> (Vec<String>, Vec<String>, Vec<&'static str>) {
    let (mut trues, mut falses, mut missing) = (Vec::new(), Vec::new(), Vec::new());
    for part in parts {
        match truth(part, s, r) {
            Truth::True(why) => trues.extend(why),
            Truth::False(why) => falses.extend(why),
            Truth::Unknown(facts) => missing.extend(facts),
        }
    }
    for reasons in [&mut trues, &mut falses] {
        dedup_keep_order(reasons);
    }
    let mut seen = Vec::new();
    missing.retain(|fact| {
        let new = !seen.contains(fact);
        seen.push(*fact);
        new
    });
    (trues, falses, missing)
}

/// Removes repeated strings, keeping the first of each.
fn dedup_keep_order(items: &mut Vec<String>) {
    let mut seen: Vec<String> = Vec::new();
    items.retain(|item| {
        let new = !seen.contains(item);
        if new {
            seen.push(item.clone());
        }
        new
    });
}
