//! One assessment record: the Annex A basic-information forms (A.1–A.5) and the Annex B
//! answers, as the assessor GUI edits them and the store saves them.
//!
//! - [`codes`]: the Annex A code lists, with the standard's wording.
//! - [`field_code`]: [`FieldCode`], the typed code of one form field, with its section
//!   and title; [`field_path`]: the form field of a path in the record's JSON.
//! - [`IdNumber`] / [`IdNumberInput`]: A.2.8 公民身份号码, validated and masked.
//! - [`AssessmentRecord`]: the record itself, serde-friendly; [`AssessmentRecord::facts`]
//!   and [`AssessmentRecord::answers`] feed [`crate::assessment::score`], and
//!   [`AssessmentRecord::validate`] lists what is missing or inconsistent.
//! - `checks`: the plausible-age rule and the views of `validate` that every entrance
//!   uses ([`AssessmentRecord::report_issues`], [`AssessmentRecord::invalid_values`]).
//! - `township`: 乡镇 against the county's list ([`AssessmentRecord::township_issue`]).
//! - [`import`]: [`parse_jsonl`], JSON lines → records, with [`ImportError`].
//!
//! This module is pure, like [`crate::scale`] and [`crate::assessment`]: no egui, no
//! rusqlite, no printpdf, no file access and no clock (dates are always passed in).
//!
//! Privacy: the elder's name and ID number never appear in a [`FieldIssue`] message, and
//! the ID number is masked in every `Debug` and `Display` output.
//!
//! Fields the GUI edits keystroke by keystroke are kept as typed: text as `String`, the
//! ID number as [`IdNumberInput`] (a half-typed number is not lost; validation is
//! [`IdNumberInput::parse`] and [`AssessmentRecord::validate`]). Choices are `Option`s,
//! `None` meaning "not answered yet"; multi-selects are `BTreeSet`s, sorted in form order.

mod checks;
pub mod codes;
pub mod county;
mod diagnoses;
pub mod exclusive;
pub mod field_code;
pub mod field_path;
mod id_number;
pub mod import;
mod risk_events;
pub mod signature;
mod township;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::assessment::{AnswerIssue, Answers, Facts};
use crate::scale::{FactKind, Scale};

pub use checks::{BirthDateProblem, MAX_AGE, check_birth_date, join_issues};
pub use diagnoses::{Diagnoses, Medication};
pub use field_code::{FieldCode, FieldCodeError, FieldSection};
pub use id_number::{IdNumber, IdNumberError, IdNumberInput, age_on, mask_id};
pub use import::{FieldProblem, ImportError, parse_jsonl};
pub use risk_events::{RISK_EVENT_PARTS, RiskEvents};
pub use signature::{Signature, Signatures};

use codes::{
    AssessmentReason, Denture, Diagnosis, Education, Ethnicity, IncomeSource, JointMotion,
    LivingArrangement, MaritalStatus, MedicalPayment, Pain, Presence, PressureInjury, Relationship,
    Religion, Sex, SpecialCare, SwallowingSign, ToothLoss, Wound,
};

/// Highest A.2.14 count: 3 means "发生过3次及以上".
pub const RISK_EVENT_MAX: u8 = 3;

/// Age (周岁) below which [`AssessmentRecord::validate`] notes that the person is not yet
/// an older adult (老年人, 60 and over). A notice only: it does not block.
pub const OLDER_ADULT_AGE: u32 = 60;

/// Fact ids of the bundled GB/T 42195-2022 scale that a record fills in.
const FACT_COMA: &str = "coma";
const FACT_DEMENTIA: &str = "dementia";
const FACT_MENTAL_DISORDER: &str = "mental_disorder";
const FACT_RISK_EVENTS: &str = "risk_events_30d";

/// One older-adult ability assessment: Annex A forms plus Annex B item scores.
///
/// Serde: `info` is required; every other section, and every field inside them, falls
/// back to its empty default, so files written before a field existed still load.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssessmentRecord {
    /// A.1 评估信息表.
    pub info: AssessmentInfo,
    /// A.2 评估对象基本信息表.
    #[serde(default)]
    pub subject: Subject,
    /// A.3 信息提供者及联系人信息表.
    #[serde(default)]
    pub informant: Informant,
    /// A.4 疾病诊断和用药情况.
    #[serde(default)]
    pub diagnoses: Diagnoses,
    /// A.5 健康相关问题.
    #[serde(default)]
    pub health: Health,
    /// Annex B: item code (`"B.1.1"`) → score. Codes the scale does not know are kept
    /// (and reported by [`AssessmentRecord::validate`]).
    #[serde(default)]
    pub answers: BTreeMap<String, u8>,
    /// Handwritten signatures of the two assessors and the informant (Annex C).
    #[serde(default)]
    pub signatures: Signatures,
    /// County data for entitlements (户籍, 特困, 低保, …): not part of GB/T 42195.
    #[serde(default)]
    pub county: county::CountyFacts,
}

/// A.1 评估信息表 (assessment information).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssessmentInfo {
    /// A.1.1 评估编号.
    #[serde(default)]
    pub number: String,
    /// A.1.2 评估基准日期. Always set: a record is created with it.
    pub reference_date: NaiveDate,
    /// A.1.3 评估原因; `None` = not chosen.
    #[serde(default)]
    pub reason: Option<AssessmentReason>,
    /// The reason when A.1.3 is 其他; kept but meaningless otherwise.
    #[serde(default)]
    pub reason_other: String,
    /// 评估地点 (where the assessment took place), printed in the report's header and
    /// signature block (Annex C). Not part of A.1; optional.
    #[serde(default)]
    pub place: String,
    /// 乡镇: the township the elder lives in (for the review queue and statistics), one
    /// of the county file's `townships`. Not a field of the standard; asked with A.1 and
    /// required (see `township`).
    #[serde(default)]
    pub township: String,
}

/// A.2 评估对象基本信息表 (the older adult's basic information).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Subject {
    /// A.2.1 姓名.
    pub name: String,
    /// A.2.2 性别.
    pub sex: Option<Sex>,
    /// A.2.3 出生日期.
    pub birth_date: Option<NaiveDate>,
    /// A.2.4 身高, in cm.
    pub height_cm: Option<u16>,
    /// A.2.5 体重, in tenths of a kilogram (`625` = 62.5 kg), so no float is stored.
    pub weight_tenth_kg: Option<u16>,
    /// A.2.6 民族.
    pub ethnicity: Ethnicity,
    /// A.2.7 宗教信仰.
    pub religion: Religion,
    /// A.2.8 公民身份号码, as typed; see [`Subject::id_number`].
    pub id_number: IdNumberInput,
    /// A.2.9 文化程度.
    pub education: Option<Education>,
    /// A.2.10 居住情况 (multi-select).
    pub living: BTreeSet<LivingArrangement>,
    /// A.2.11 婚姻状况.
    pub marital: Option<MaritalStatus>,
    /// A.2.12 医疗费用支付方式 (multi-select).
    pub payment: BTreeSet<MedicalPayment>,
    /// A.2.13 经济来源 (multi-select).
    pub income: BTreeSet<IncomeSource>,
    /// A.2.14 近30天内照护风险事件.
    pub risk_events: RiskEvents,
}

impl Subject {
    /// The validated A.2.8 number, if the typed text is one.
    pub fn id_number(&self) -> Option<IdNumber> {
        self.id_number.parse().ok()
    }

    /// A.2.5 in kilograms.
    pub fn weight_kg(&self) -> Option<f64> {
        self.weight_tenth_kg.map(|w| f64::from(w) / 10.0)
    }

    /// BMI = 体重(kg)/[身高(m)]² (the A.5.9 note), if height and weight are recorded.
    pub fn bmi(&self) -> Option<f64> {
        let height_m = f64::from(self.height_cm.filter(|&h| h > 0)?) / 100.0;
        Some(self.weight_kg()? / (height_m * height_m))
    }
}

/// A.3 信息提供者及联系人信息表 (informant and contact).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Informant {
    /// A.3.1 信息提供者的姓名.
    pub name: String,
    /// A.3.2 信息提供者与老年人的关系.
    pub relationship: Option<Relationship>,
    /// A.3.3 联系人姓名.
    pub contact_name: String,
    /// A.3.4 联系人电话.
    pub contact_phone: String,
}

/// A.5 健康相关问题 (health-related problems).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Health {
    /// A.5.1 压力性损伤.
    pub pressure_injury: Option<PressureInjury>,
    /// A.5.2 关节活动度.
    pub joint_motion: JointMotion,
    /// A.5.3 伤口情况 (multi-select).
    pub wounds: BTreeSet<Wound>,
    /// A.5.4 特殊护理情况 (multi-select).
    pub special_care: BTreeSet<SpecialCare>,
    /// A.5.5 疼痛感.
    pub pain: Option<Pain>,
    /// A.5.6 牙齿缺失情况 (multi-select).
    pub teeth: BTreeSet<ToothLoss>,
    /// A.5.7 义齿佩戴情况 (multi-select).
    pub dentures: BTreeSet<Denture>,
    /// A.5.8 吞咽困难的情形和症状 (multi-select).
    pub swallowing: BTreeSet<SwallowingSign>,
    /// A.5.9 营养不良：体质指数（BMI）低于正常值.
    pub malnutrition: Option<Presence>,
    /// A.5.10 清理呼吸道无效.
    pub airway_clearance: Option<Presence>,
    /// A.5.11 昏迷. 有 sets the final level to 4 (C.4 ①).
    pub coma: Option<Presence>,
    /// A.5.12 其他（请补充）.
    pub other: String,
}

/// One missing, invalid or inconsistent field found by [`AssessmentRecord::validate`].
///
/// Messages are Chinese and never contain the elder's name or ID number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldIssue {
    /// The form code: `A.2.8`, `A.2.14.1`, an Annex B item code, `签名.1`.
    pub field: FieldCode,
    /// What is wrong, in Chinese.
    pub message: String,
    /// `false` for a notice that should not stop the assessment being completed (the
    /// age notice); `true` for everything else.
    pub blocking: bool,
    /// `true` when the field is not filled in yet (an unfinished draft), `false` when its
    /// value is wrong. [`AssessmentRecord::invalid_values`] keeps only the latter.
    #[serde(skip)]
    pub missing: bool,
}

impl FieldIssue {
    /// A wrong value.
    fn new(field: FieldCode, message: impl Into<String>) -> Self {
        Self { field, message: message.into(), blocking: true, missing: false }
    }

    /// A field not filled in yet.
    fn missing(field: FieldCode, message: impl Into<String>) -> Self {
        Self { missing: true, ..Self::new(field, message) }
    }

    fn notice(field: FieldCode, message: String) -> Self {
        Self { field, message, blocking: false, missing: false }
    }
}

impl fmt::Display for FieldIssue {
    /// `A.2.8 公民身份号码未填写`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.field, self.message)
    }
}

impl AssessmentRecord {
    /// An empty record with its A.1.1 number and A.1.2 reference date.
    pub fn new(number: String, reference_date: NaiveDate) -> Self {
        Self {
            info: AssessmentInfo {
                number,
                reference_date,
                reason: None,
                reason_other: String::new(),
                place: String::new(),
                township: String::new(),
            },
            subject: Subject::default(),
            informant: Informant::default(),
            diagnoses: Diagnoses::default(),
            health: Health::default(),
            answers: BTreeMap::new(),
            signatures: Signatures::default(),
            county: county::CountyFacts::default(),
        }
    }

    /// The elder's age (周岁) on the reference date, from A.2.3, or else from a valid
    /// A.2.8 number.
    pub fn age(&self) -> Option<u32> {
        let birth =
            self.subject.birth_date.or_else(|| self.subject.id_number().map(|id| id.birth_date()));
        birth.map(|birth| age_on(birth, self.info.reference_date))
    }

    /// The Annex A facts the scale's change rules read.
    ///
    /// - A.5.11 昏迷 = 有 → `coma`;
    /// - A.4.1 痴呆 → `dementia`; 其他精神和行为障碍 → `mental_disorder` (both "no"
    ///   while A.4.1 is unanswered);
    /// - answered A.2.14 counts → `risk_events_30d` parts `fall`, `wandering`, `choking`,
    ///   `suicide_self_harm`, `other`, each capped at the fact's maximum (3 = 3 次及以上);
    ///   an unanswered count adds nothing.
    ///
    /// An unanswered A.4.1, A.2.14 or A.5.11 is a blocking `validate` issue, so a record
    /// that completes is never scored from a default.
    ///
    /// A fact the scale does not define is skipped: no rule of that scale reads it. A fact
    /// the scale defines with another shape (counts instead of a flag, other parts) cannot
    /// be filled in; [`AssessmentRecord::validate`] reports it.
    pub fn facts(&self, scale: &Scale) -> Facts {
        self.build_facts(scale).0
    }

    /// The Annex B scores, for the items of `scale`.
    ///
    /// Codes the scale does not know are skipped; out-of-range scores are passed on, and
    /// [`crate::assessment::score`] rejects them. [`AssessmentRecord::validate`] reports
    /// both.
    pub fn answers(&self, scale: &Scale) -> Answers {
        let mut answers = Answers::new(scale);
        for (code, &score) in &self.answers {
            if let Some(index) = scale.item_index(code) {
                answers.set(index, Some(score));
            }
        }
        answers
    }

    /// Every missing, invalid or inconsistent field, sorted by field code (A before B,
    /// `A.2.9` before `A.2.10`); within one field in the order checked.
    ///
    /// Required: A.1.1, A.1.3 (and its text for 其他), 乡镇, A.2.1, A.2.2, A.2.3, A.2.8 (a
    /// valid number), A.2.14.1–A.2.14.5, A.3.1, A.3.2, A.4.1 (a diagnosis or 「以上均无」,
    /// not both), A.5.11 and every Annex B item of `scale` with a score it
    /// offers. A.1.2 always has a value. Cross-checks: sex and birth date against the ID
    /// number, a plausible birth date ([`check_birth_date`]: before the reference date and
    /// an age of at most [`MAX_AGE`]; the ID number's, when A.2.3 is empty), A.2.14 counts
    /// within `0..=3`. Each issue says (`FieldIssue.missing`) whether the field is missing or
    /// wrong. A
    /// notice (`blocking: false`) is added when the age on the reference date is under
    /// [`OLDER_ADULT_AGE`].
    pub fn validate(&self, scale: &Scale) -> Vec<FieldIssue> {
        let mut issues = Vec::new();
        self.validate_info(&mut issues);
        self.validate_subject(&mut issues);
        self.validate_informant(&mut issues);
        issues.extend(self.diagnoses.issues());
        self.validate_health(&mut issues);
        self.validate_answers(scale, &mut issues);
        self.validate_signatures(&mut issues);
        issues.extend(self.build_facts(scale).1);
        issues.sort_by(|a, b| a.field.cmp(&b.field));
        issues
    }

    fn validate_info(&self, issues: &mut Vec<FieldIssue>) {
        let info = &self.info;
        if is_blank(&info.number) {
            issues.push(FieldIssue::missing(FieldCode::NUMBER, "评估编号未填写"));
        }
        match info.reason {
            None => issues.push(FieldIssue::missing(FieldCode::REASON, "评估原因未选择")),
            Some(AssessmentReason::Other) if is_blank(&info.reason_other) => {
                issues.push(FieldIssue::missing(
                    FieldCode::REASON,
                    "评估原因为“其他”，请填写具体原因",
                ));
            }
            Some(_) => {}
        }
        if is_blank(&info.township) {
            issues.push(FieldIssue::missing(FieldCode::TOWNSHIP, township::MISSING));
        }
    }

    fn validate_subject(&self, issues: &mut Vec<FieldIssue>) {
        let subject = &self.subject;
        let reference = self.info.reference_date;
        if is_blank(&subject.name) {
            issues.push(FieldIssue::missing(FieldCode::NAME, "姓名未填写"));
        }
        if subject.sex.is_none() {
            issues.push(FieldIssue::missing(FieldCode::SEX, "性别未选择"));
        }
        let birth_problem = |birth| check_birth_date(birth, reference).err();
        match subject.birth_date.map(birth_problem) {
            None => issues.push(FieldIssue::missing(FieldCode::BIRTH_DATE, "出生日期未填写")),
            Some(Some(BirthDateProblem::NotBeforeReference)) => {
                issues.push(FieldIssue::new(
                    FieldCode::BIRTH_DATE,
                    "出生日期应早于评估基准日期（A.1.2）",
                ));
            }
            Some(Some(problem)) => {
                issues.push(FieldIssue::new(FieldCode::BIRTH_DATE, problem.to_string()));
            }
            Some(None) => {}
        }
        let id = if subject.id_number.is_blank() {
            issues.push(FieldIssue::missing(FieldCode::ID_NUMBER, "公民身份号码未填写"));
            None
        } else {
            match subject.id_number.parse() {
                Ok(id) => Some(id),
                Err(err) => {
                    issues.push(FieldIssue::new(FieldCode::ID_NUMBER, format!("{err}")));
                    None
                }
            }
        };
        if let Some(id) = id {
            // Without A.2.3 the age comes from the number, so its date must be plausible.
            if subject.birth_date.is_none()
                && let Some(problem) = birth_problem(id.birth_date())
            {
                issues.push(FieldIssue::new(
                    FieldCode::ID_NUMBER,
                    format!("公民身份号码中的出生日期不合理：{problem}"),
                ));
            }
            // Say which field differs, but not the value read from the number: that
            // would reveal digits the masked form hides.
            if subject.sex.is_some_and(|sex| sex != id.sex()) {
                issues.push(FieldIssue::new(FieldCode::SEX, "性别与公民身份号码（A.2.8）不符"));
            }
            if subject.birth_date.is_some_and(|birth| birth != id.birth_date()) {
                issues.push(FieldIssue::new(
                    FieldCode::BIRTH_DATE,
                    "出生日期与公民身份号码（A.2.8）中的出生日期不符",
                ));
            }
        }
        let birth = subject.birth_date.or_else(|| subject.id_number().map(|id| id.birth_date()));
        if let Some(age) = self.age().filter(|&age| age < OLDER_ADULT_AGE)
            && birth.is_some_and(|birth| birth_problem(birth).is_none())
        {
            issues.push(FieldIssue::notice(
                FieldCode::BIRTH_DATE,
                format!("评估基准日期时年龄为 {age} 周岁，未满 {OLDER_ADULT_AGE} 周岁"),
            ));
        }
        issues.extend(subject.risk_events.issues());
    }

    fn validate_informant(&self, issues: &mut Vec<FieldIssue>) {
        if is_blank(&self.informant.name) {
            issues.push(FieldIssue::missing(FieldCode::INFORMANT_NAME, "信息提供者姓名未填写"));
        }
        if self.informant.relationship.is_none() {
            issues.push(FieldIssue::missing(
                FieldCode::INFORMANT_RELATIONSHIP,
                "信息提供者与老年人的关系未选择",
            ));
        }
    }

    fn validate_health(&self, issues: &mut Vec<FieldIssue>) {
        // A.5.11 decides C.4 ①, so "not answered" must not pass as "no".
        if self.health.coma.is_none() {
            issues.push(FieldIssue::missing(FieldCode::COMA, "昏迷未选择（影响最终等级）"));
        }
        issues.extend(exclusive::contradictions(&self.health));
    }

    /// The signature block: both assessors and the informant named and signed, and the
    /// two assessors different people. Field codes `签名.1`–`签名.3` sort after Annex B.
    fn validate_signatures(&self, issues: &mut Vec<FieldIssue>) {
        let signatures = &self.signatures;
        for (code, (role, signature)) in FieldCode::SIGNATURES.into_iter().zip(signatures.roles()) {
            if is_blank(&signature.name) {
                issues.push(FieldIssue::missing(code.clone(), format!("{role}姓名未填写")));
            }
            if !signature.is_signed() {
                issues.push(FieldIssue::missing(code, format!("{role}未签名")));
            }
        }
        let (first, second) = (signatures.assessor1.name.trim(), signatures.assessor2.name.trim());
        if !first.is_empty() && first == second {
            let [_, second, _] = FieldCode::SIGNATURES;
            issues.push(FieldIssue::new(second, "两名评估员应为不同的人"));
        }
    }

    fn validate_answers(&self, scale: &Scale, issues: &mut Vec<FieldIssue>) {
        for item in scale.items() {
            match self.answers.get(item.id()) {
                None => issues.push(FieldIssue::missing(FieldCode::of_answer(item.id()), "未作答")),
                Some(&score) if !item.accepts(score) => issues.push(FieldIssue::new(
                    FieldCode::of_answer(item.id()),
                    format!("{score} 分超出范围，可选分值为 {}", item.allowed_scores()),
                )),
                Some(_) => {}
            }
        }
        for code in self.answers.keys() {
            if scale.item_index(code).is_none() {
                issues.push(FieldIssue::new(FieldCode::of_answer(code), "不是本量表的条目"));
            }
        }
    }

    /// The facts, and an issue for each fact the scale defines with a shape the record
    /// cannot fill in.
    fn build_facts(&self, scale: &Scale) -> (Facts, Vec<FieldIssue>) {
        let mut facts = Facts::new(scale);
        let mut issues = Vec::new();
        let mut note = |field: FieldCode, result: Result<(), AnswerIssue>| match result {
            // The scale does not define this fact, so none of its rules reads it: there
            // is nothing to record.
            Ok(()) | Err(AnswerIssue::UnknownFact { .. }) => {}
            Err(issue) => {
                issues
                    .push(FieldIssue::new(field, format!("无法用于量表 {}：{issue}", scale.id())));
            }
        };
        let coma = self.health.coma == Some(Presence::Present);
        note(FieldCode::COMA, facts.set_flag(scale, FACT_COMA, coma));
        // C.4 ② is decided only on an answered A.4.1; unanswered, the flags stay "no"
        // and `validate` blocks completion.
        let diagnoses = &self.diagnoses;
        let has = |diagnosis| diagnoses.has(diagnosis).unwrap_or(false);
        note(FieldCode::DIAGNOSES, facts.set_flag(scale, FACT_DEMENTIA, has(Diagnosis::Dementia)));
        note(
            FieldCode::DIAGNOSES,
            facts.set_flag(scale, FACT_MENTAL_DISORDER, has(Diagnosis::OtherMentalDisorder)),
        );
        // Counts above the scale's maximum mean "maximum or more"; `validate` reports them.
        let max = scale
            .fact_index(FACT_RISK_EVENTS)
            .and_then(|index| match scale.facts()[index].kind() {
                FactKind::Counts { max, .. } => Some(*max),
                FactKind::Flag => None,
            })
            .unwrap_or(RISK_EVENT_MAX);
        // C.4 ③ adds answered counts only: an unanswered kind stays 0 here, and
        // `validate` blocks completion until it is answered.
        for (field, part, count) in self.subject.risk_events.parts() {
            let Some(count) = count else { continue };
            let count = i64::from(count.min(max));
            note(field, facts.set_count(scale, FACT_RISK_EVENTS, part, count));
        }
        (facts, issues)
    }
}

fn is_blank(text: &str) -> bool {
    text.trim().is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::assessment::score;

    fn scale() -> Scale {
        crate::scale::bundled("gbt42195-2022").unwrap().unwrap()
    }

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    /// The well-known valid sample: born 1949-12-31, female.
    const SAMPLE_ID: &str = "11010519491231002X";

    /// A record with every required field filled in and every item at its best score.
    fn complete(scale: &Scale) -> AssessmentRecord {
        let mut record = AssessmentRecord::new("2024-001".to_owned(), date(2024, 5, 20));
        record.info.reason = Some(AssessmentReason::First);
        record.info.township = "耿马镇".to_owned();
        record.subject.name = "张三".to_owned();
        record.subject.sex = Some(Sex::Female);
        record.subject.birth_date = Some(date(1949, 12, 31));
        *record.subject.id_number.text_mut() = SAMPLE_ID.to_owned();
        record.informant.name = "李四".to_owned();
        record.informant.relationship = Some(Relationship::Child);
        record.health.coma = Some(Presence::Absent);
        record.diagnoses.none_of_the_above = true;
        record.subject.risk_events = RiskEvents {
            fall: Some(0),
            wandering: Some(0),
            choking: Some(0),
            suicide_self_harm: Some(0),
            other: Some(0),
            other_text: String::new(),
        };
        for (signature, name) in [
            (&mut record.signatures.assessor1, "评估员甲"),
            (&mut record.signatures.assessor2, "评估员乙"),
            (&mut record.signatures.informant, "李四"),
        ] {
            signature.name = name.to_owned();
            signature.strokes = vec![vec![[100, 100], [900, 800]]];
        }
        for item in scale.items() {
            record.answers.insert(item.id().to_owned(), item.max());
        }
        record
    }

    fn fields(issues: &[FieldIssue]) -> Vec<String> {
        issues.iter().map(|issue| issue.field.to_string()).collect()
    }

    #[test]
    fn complete_record_has_no_issues_and_scores_level_0() {
        let scale = scale();
        let record = complete(&scale);
        assert_eq!(record.validate(&scale), []);
        let outcome = score(&scale, &record.answers(&scale), &record.facts(&scale)).unwrap();
        assert_eq!(outcome.total, 90);
        assert_eq!(outcome.final_level, 0);
        assert_eq!(record.age(), Some(74));
    }

    #[test]
    fn coma_gives_final_level_4() {
        let scale = scale();
        let mut record = complete(&scale);
        record.health.coma = Some(Presence::Present);
        let facts = record.facts(&scale);
        assert!(facts.flag(scale.fact_index("coma").unwrap()));
        let outcome = score(&scale, &record.answers(&scale), &facts).unwrap();
        assert_eq!(outcome.preliminary_level, 0);
        assert_eq!(outcome.final_level, 4);
        assert!(outcome.adjustments.iter().any(|a| a.rule.id == "coma"));
        // 无 is not coma.
        record.health.coma = Some(Presence::Absent);
        assert!(!record.facts(&scale).flag(scale.fact_index("coma").unwrap()));
    }

    #[test]
    fn diagnoses_and_risk_events_map_to_facts() {
        let scale = scale();
        let mut record = complete(&scale);
        let empty = record.facts(&scale);
        assert_eq!(empty, Facts::new(&scale));

        record.diagnoses.tick(Diagnosis::Dementia);
        record.diagnoses.tick(Diagnosis::Hypertension);
        record.subject.risk_events.fall = Some(1);
        record.subject.risk_events.choking = Some(2);
        record.subject.risk_events.other = Some(7); // over the maximum: counts as 3
        let facts = record.facts(&scale);
        assert!(facts.flag(scale.fact_index("dementia").unwrap()));
        assert!(!facts.flag(scale.fact_index("mental_disorder").unwrap()));
        assert_eq!(facts.counts(scale.fact_index("risk_events_30d").unwrap()), [1, 0, 2, 0, 3]);

        record.diagnoses.conditions.insert(Diagnosis::OtherMentalDisorder);
        let facts = record.facts(&scale);
        assert!(facts.flag(scale.fact_index("mental_disorder").unwrap()));
        // Level 0 worsened once (default `Once`) by dementia, mental disorder, risk events.
        let outcome = score(&scale, &record.answers(&scale), &facts).unwrap();
        assert_eq!(outcome.final_level, 1);
        assert_eq!(outcome.adjustments.len(), 3);
    }

    #[test]
    fn answers_skip_unknown_codes() {
        let scale = scale();
        let mut record = complete(&scale);
        record.answers.insert("B.9.9".to_owned(), 1);
        record.answers.remove("B.1.1");
        let answers = record.answers(&scale);
        assert_eq!(answers.get(scale.item_index("B.1.1").unwrap()), None);
        assert_eq!(answers.answered_in(0..scale.items().len()), scale.items().len() - 1);
    }

    #[test]
    fn empty_record_lists_every_required_field_in_order() {
        let scale = scale();
        let record = AssessmentRecord::new(String::new(), date(2024, 5, 20));
        let issues = record.validate(&scale);
        let mut expected = vec![
            "A.1.1", "A.1.3", "乡镇", "A.2.1", "A.2.2", "A.2.3", "A.2.8", "A.2.14.1", "A.2.14.2",
            "A.2.14.3", "A.2.14.4", "A.2.14.5", "A.3.1", "A.3.2", "A.4.1", "A.5.11",
        ];
        let items: Vec<&str> = scale.items().iter().map(crate::scale::Item::id).collect();
        expected.extend(&items);
        expected.extend(["签名.1", "签名.1", "签名.2", "签名.2", "签名.3", "签名.3"]);
        assert_eq!(fields(&issues), expected);
        assert!(issues.iter().all(|issue| issue.blocking));
        let b11 = issues.iter().find(|issue| issue.field == "B.1.1").unwrap();
        assert_eq!(b11.message, "未作答");
        assert_eq!(issues[0].to_string(), "A.1.1 评估编号未填写");
        // A.2.9 sorts before A.2.10 and B.1.x: items are in scale order, B.1.1 first.
        assert_eq!(items[0], "B.1.1");
    }

    #[test]
    fn signatures_need_names_strokes_and_two_different_assessors() {
        let scale = scale();
        let mut record = complete(&scale);
        record.signatures.assessor2.name = " 评估员甲 ".to_owned();
        record.signatures.informant.clear();
        let issues = record.validate(&scale);
        assert_eq!(fields(&issues), ["签名.2", "签名.3"]);
        assert_eq!(issues[0].message, "两名评估员应为不同的人");
        assert_eq!(issues[1].message, "信息提供者未签名");
        // A single tap (one point) is not a signature.
        record.signatures.informant.strokes = vec![vec![[5, 5]]];
        assert!(!record.signatures.informant.is_signed());
    }

    #[test]
    fn unanswered_risk_events_and_diagnoses_block_completion_and_add_no_ground() {
        let scale = scale();
        let mut record = complete(&scale);
        record.subject.risk_events.choking = None;
        record.diagnoses.none_of_the_above = false;
        let issues = record.validate(&scale);
        assert_eq!(fields(&issues), ["A.2.14.3", "A.4.1"]);
        assert!(issues.iter().all(|issue| issue.missing && issue.blocking));
        // Answered counts alone decide C.4 ③; an unanswered kind adds nothing.
        record.subject.risk_events.fall = Some(1);
        let outcome = score(&scale, &record.answers(&scale), &record.facts(&scale)).unwrap();
        assert!(outcome.adjustments.is_empty());
        record.subject.risk_events.wandering = Some(1);
        let outcome = score(&scale, &record.answers(&scale), &record.facts(&scale)).unwrap();
        assert_eq!(outcome.adjustments.len(), 1);
        assert_eq!(outcome.adjustments[0].rule.id, "risk_events");
    }

    #[test]
    fn unanswered_coma_blocks_completion() {
        let scale = scale();
        let mut record = complete(&scale);
        record.health.coma = None;
        assert_eq!(fields(&record.validate(&scale)), ["A.5.11"]);
    }

    #[test]
    fn invalid_values_are_reported() {
        let scale = scale();
        let mut record = complete(&scale);
        record.info.reason = Some(AssessmentReason::Other);
        record.answers.insert("B.1.1".to_owned(), 99);
        record.answers.insert("B.9.9".to_owned(), 1);
        record.subject.risk_events.wandering = Some(4);
        *record.subject.id_number.text_mut() = "110105194912310020".to_owned();
        let issues = record.validate(&scale);
        assert_eq!(fields(&issues), ["A.1.3", "A.2.8", "A.2.14.2", "B.1.1", "B.9.9"]);
        assert_eq!(issues[1].message, "公民身份号码校验码不正确");
        assert!(issues[3].message.starts_with("99 分超出范围"), "{}", issues[3].message);
        assert_eq!(issues[4].message, "不是本量表的条目");

        record.info.reason_other = "入住机构".to_owned();
        record.subject.id_number.text_mut().clear();
        let issues = record.validate(&scale);
        assert_eq!(issues[0].field, "A.2.8");
        assert_eq!(issues[0].message, "公民身份号码未填写");
    }

    #[test]
    fn sex_and_birth_date_are_checked_against_the_id_number() {
        let scale = scale();
        let mut record = complete(&scale);
        record.subject.sex = Some(Sex::Male);
        record.subject.birth_date = Some(date(1949, 12, 30));
        let issues = record.validate(&scale);
        assert_eq!(fields(&issues), ["A.2.2", "A.2.3"]);
        assert_eq!(issues[0].message, "性别与公民身份号码（A.2.8）不符");
        assert_eq!(issues[1].message, "出生日期与公民身份号码（A.2.8）中的出生日期不符");
        for issue in &issues {
            assert!(!issue.message.contains("张三"));
            assert!(!issue.message.contains("1949"));
            assert!(!issue.message.contains("110105"));
        }
    }

    #[test]
    fn birth_date_must_precede_the_reference_date() {
        let scale = scale();
        let mut record = complete(&scale);
        record.subject.id_number = IdNumberInput::default();
        record.subject.birth_date = Some(date(2024, 5, 20));
        let issues = record.validate(&scale);
        assert_eq!(fields(&issues), ["A.2.3", "A.2.8"]);
        assert_eq!(issues[0].message, "出生日期应早于评估基准日期（A.1.2）");
    }

    #[test]
    fn age_under_60_is_a_notice_only() {
        let scale = scale();
        let mut record = complete(&scale);
        record.subject.id_number = IdNumberInput::default();
        record.subject.birth_date = Some(date(1964, 5, 21));
        let issues = record.validate(&scale);
        assert_eq!(fields(&issues), ["A.2.3", "A.2.8"]);
        assert!(!issues[0].blocking);
        assert_eq!(issues[0].message, "评估基准日期时年龄为 59 周岁，未满 60 周岁");
        // Turning 60 on the reference date itself counts.
        record.subject.birth_date = Some(date(1964, 5, 20));
        assert_eq!(record.age(), Some(60));
        assert_eq!(fields(&record.validate(&scale)), ["A.2.8"]);
    }

    #[test]
    fn age_falls_back_to_the_id_number() {
        let scale = scale();
        let mut record = complete(&scale);
        record.subject.birth_date = None;
        assert_eq!(record.age(), Some(74));
        assert_eq!(fields(&record.validate(&scale)), ["A.2.3"]);
    }

    #[test]
    fn debug_output_masks_the_id_number() {
        let record = complete(&scale());
        let shown = format!("{record:?}");
        assert!(!shown.contains(SAMPLE_ID), "{shown}");
        assert!(shown.contains("110105********002X"));
        assert_eq!(record.subject.id_number().unwrap().as_str(), SAMPLE_ID);
    }

    #[test]
    fn serde_round_trip() {
        let scale = scale();
        let mut record = complete(&scale);
        record.info.reason = Some(AssessmentReason::Other);
        record.info.reason_other = "家属申请".to_owned();
        record.subject.height_cm = Some(158);
        record.subject.weight_tenth_kg = Some(525);
        record.subject.ethnicity.group = Some(codes::EthnicGroup::Minority);
        record.subject.ethnicity.minority = "彝族".to_owned();
        record.subject.living.extend([LivingArrangement::WithChildren, LivingArrangement::Alone]);
        record.subject.risk_events.other = Some(1);
        record.subject.risk_events.other_text = "烫伤".to_owned();
        record.diagnoses.conditions.insert(Diagnosis::Dementia);
        record.diagnoses.medications.push(Medication {
            name: "多奈哌齐".to_owned(),
            route: "口服".to_owned(),
            dose: "5 mg".to_owned(),
            frequency: "每日一次".to_owned(),
        });
        record.health.teeth.insert(ToothLoss::Upper);
        record.health.joint_motion.status = Some(codes::JointMotionStatus::Affected);
        record.health.joint_motion.site = "右膝".to_owned();
        record.health.coma = Some(Presence::Absent);

        let json = serde_json::to_string_pretty(&record).unwrap();
        assert!(json.contains(SAMPLE_ID), "the store keeps the full number");
        assert!(json.contains("\"reference_date\": \"2024-05-20\""));
        assert!(json.contains("\"living\": [\n      \"alone\",\n      \"with_children\""));
        let back: AssessmentRecord = serde_json::from_str(&json).unwrap();
        assert_eq!(back, record);
    }

    #[test]
    fn old_files_with_missing_sections_load() {
        let json = r#"{"info": {"number": "7", "reference_date": "2023-01-02"}}"#;
        let record: AssessmentRecord = serde_json::from_str(json).unwrap();
        assert_eq!(record, AssessmentRecord::new("7".to_owned(), date(2023, 1, 2)));
        // The reference date is required.
        assert!(serde_json::from_str::<AssessmentRecord>(r#"{"info": {}}"#).is_err());
    }

    #[test]
    fn bmi_from_height_and_weight() {
        let mut subject = Subject { height_cm: Some(160), ..Subject::default() };
        assert_eq!(subject.bmi(), None);
        subject.weight_tenth_kg = Some(512);
        let bmi = subject.bmi().unwrap();
        assert!((bmi - 20.0).abs() < 1e-9, "{bmi}");
    }
}
