//! The JSON contract of `elder-assess entitlements`: [`EntitlementInput`] in,
//! [`EntitlementOutput`] out.
//!
//! ```json
//! {"reference_date": "2026-11-28", "birth_date": "1941-03-02", "final_level": 2,
//!  "local_hukou": true, "tekun": "none", "dibao": false, "family_planning": "none",
//!  "disability_grade": 0, "youfu": false, "economic_hardship": false,
//!  "pension": "none", "pension_drawing": false, "living_alone": false,
//!  "youfu_group": null, "no_able_supporter": null, "state_youfu_allowance": null,
//!  "needs_long_term_care": null}
//! ```
//! Only `reference_date` is required; every absent fact makes the services that depend on
//! it `needs_info`. Unknown fields are errors.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::Policy;
use super::cash::{Excluded, cash_total};
use super::error::EntitlementInputError;
use super::eval::{Decision, Subject, evaluate};
use super::priority::{Priority, order_rule_text, priority};
use crate::record::check_birth_date;
use crate::record::county::{CountyFacts, FamilyPlanning, Pension, Tekun, YoufuGroup};

/// The input of `elder-assess entitlements`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EntitlementInput {
    /// Service list id; defaults to [`super::DEFAULT_POLICY_ID`].
    #[serde(default)]
    pub policy: Option<String>,
    /// The assessment's reference date (ages are counted on it).
    pub reference_date: NaiveDate,
    /// Birth date.
    #[serde(default)]
    pub birth_date: Option<NaiveDate>,
    /// Final ability level, 0–4.
    #[serde(default)]
    pub final_level: Option<u8>,
    /// Diagnosed dementia (失智).
    #[serde(default)]
    pub dementia: Option<bool>,
    /// 本县户籍.
    #[serde(default)]
    pub local_hukou: Option<bool>,
    /// 特困供养: `none` | `dispersed` | `centralized`.
    #[serde(default)]
    pub tekun: Option<Tekun>,
    /// For 特困 elders: wishes to be supported in an institution.
    #[serde(default)]
    pub tekun_wants_institution: Option<bool>,
    /// 低保.
    #[serde(default)]
    pub dibao: Option<bool>,
    /// 计划生育特别扶助对象: `none` | `child_died` | `child_disabled`.
    #[serde(default)]
    pub family_planning: Option<FamilyPlanning>,
    /// 残疾等级 0–4, 0 = none.
    #[serde(default)]
    pub disability_grade: Option<u8>,
    /// 优抚对象.
    #[serde(default)]
    pub youfu: Option<bool>,
    /// Which 优抚对象: `martyr_survivor` | `duty_death_family` | `illness_death_survivor` |
    /// `disabled_veteran` | `demobilized` | `veteran` | `active_duty_family` | `other`.
    #[serde(default)]
    pub youfu_group: Option<YoufuGroup>,
    /// 无法定赡养人、扶养人，或其无赡养、扶养能力.
    #[serde(default)]
    pub no_able_supporter: Option<bool>,
    /// 享受国家定期抚恤补助待遇.
    #[serde(default)]
    pub state_youfu_allowance: Option<bool>,
    /// 要长期照护.
    #[serde(default)]
    pub needs_long_term_care: Option<bool>,
    /// 经济困难.
    #[serde(default)]
    pub economic_hardship: Option<bool>,
    /// Pension insurance: `none` | `employee` | `resident`.
    #[serde(default)]
    pub pension: Option<Pension>,
    /// Draws the pension.
    #[serde(default)]
    pub pension_drawing: Option<bool>,
    /// 独居.
    #[serde(default)]
    pub living_alone: Option<bool>,
    /// 空巢.
    #[serde(default)]
    pub empty_nest: Option<bool>,
    /// 留守.
    #[serde(default)]
    pub left_behind: Option<bool>,
    /// Holds a 老年人优待证.
    #[serde(default)]
    pub preferential_card: Option<bool>,
    /// 生活无着的流浪乞讨人员.
    #[serde(default)]
    pub homeless: Option<bool>,
}

impl EntitlementInput {
    /// Parses the JSON text; the error names the field path and position.
    pub fn from_json(text: &str) -> Result<Self, crate::datafile::Located> {
        crate::datafile::json_text::parse(text)
    }

    /// Checks value ranges and builds the subject.
    pub fn to_subject(&self) -> Result<Subject, EntitlementInputError> {
        if let Some(level) = self.final_level.filter(|&l| l > 4) {
            return Err(EntitlementInputError::Invalid {
                field: "final_level",
                message: format!("{level} 超出范围，应为 0–4"),
            });
        }
        if let Some(grade) = self.disability_grade.filter(|&g| g > 4) {
            return Err(EntitlementInputError::Invalid {
                field: "disability_grade",
                message: format!("{grade} 超出范围，应为 0–4（0 表示无）"),
            });
        }
        // The same plausible-age rule as an assessment record's A.2.3.
        if let Some(problem) =
            self.birth_date.and_then(|b| check_birth_date(b, self.reference_date).err())
        {
            return Err(EntitlementInputError::Invalid {
                field: "birth_date",
                message: problem.to_string(),
            });
        }
        Ok(Subject {
            reference_date: self.reference_date,
            birth_date: self.birth_date,
            final_level: self.final_level,
            dementia: self.dementia,
            facts: CountyFacts {
                local_hukou: self.local_hukou,
                tekun: self.tekun,
                tekun_wants_institution: self.tekun_wants_institution,
                dibao: self.dibao,
                family_planning: self.family_planning,
                disability_grade: self.disability_grade,
                youfu: self.youfu,
                youfu_group: self.youfu_group,
                no_able_supporter: self.no_able_supporter,
                state_youfu_allowance: self.state_youfu_allowance,
                needs_long_term_care: self.needs_long_term_care,
                economic_hardship: self.economic_hardship,
                living_alone: self.living_alone,
                empty_nest: self.empty_nest,
                left_behind: self.left_behind,
                pension: self.pension,
                pension_drawing: self.pension_drawing,
                preferential_card: self.preferential_card,
                homeless: self.homeless,
            },
        })
    }
}

/// The output of `elder-assess entitlements`.
#[derive(Debug, Clone, Serialize)]
pub struct EntitlementOutput {
    /// Service list id.
    pub policy: String,
    /// Age (周岁) on the reference date, if the birth date is known.
    pub age: Option<u32>,
    /// Every service, in number order.
    pub services: Vec<Decision>,
    /// Sum of the stated monthly cash amounts of the eligible services (yuan).
    pub monthly_cash_total: u32,
    /// Paying services the total leaves out (amount not stated as a figure, or facts to
    /// record), in number order.
    pub monthly_cash_excluded: Vec<Excluded>,
    /// The total in words, naming what it leaves out.
    pub monthly_cash_text: String,
    /// The place for admission to public institutions.
    pub priority: Priority,
    /// The admission priority in words.
    pub priority_text: String,
    /// The admission order: the plan's, and the county's own rule within a group.
    pub priority_rule: String,
}

/// Evaluates `subject` against `policy`.
pub fn entitlements(policy: &Policy, subject: &Subject) -> EntitlementOutput {
    let services = evaluate(policy, subject);
    let total = cash_total(&services);
    let priority = priority(policy.readings(), subject);
    EntitlementOutput {
        policy: policy.id.clone(),
        age: subject.age(),
        monthly_cash_total: total.yuan,
        monthly_cash_text: total.text(),
        monthly_cash_excluded: total.excluded,
        services,
        priority_text: priority.text(),
        priority,
        priority_rule: order_rule_text(policy.readings()),
    }
}
