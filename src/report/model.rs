//! The report model: everything a report prints, as plain values, built from a finished
//! assessment and its outcome. Rendering reads only this, so what is printed can be tested
//! without looking into PDF bytes.

use chrono::{DateTime, Months, NaiveDate, Utc};

use crate::assessment::score;
use crate::clock::CHINA_OFFSET;
use crate::policy::{Policy, Status, Subject, cash_total, evaluate, order_rule_text, priority};
use crate::record::{AssessmentRecord, mask_id, signature};
use crate::scale::Scale;

use super::error::ReportError;

/// Settings of a report that do not come from the record.
#[derive(Debug, Clone)]
pub struct ReportOptions {
    /// 评估机构, printed in the header.
    pub agency: String,
    /// How to reach the agency (printed on the resident page), e.g. a phone number.
    pub contact: String,
    /// Months until the next routine assessment (default: the county file's).
    pub reassessment_months: u32,
    /// When the report is made (the injected clock's "now").
    pub created: DateTime<Utc>,
    /// The county service list: when set, the resident page lists the entitlements.
    pub policy: Option<Policy>,
}

impl ReportOptions {
    /// The bundled county file's defaults (agency named after the county, its
    /// re-assessment interval, its service list) with the given creation time. The
    /// bundled file is tested to load; if it did not, the agency is left blank and the
    /// shortest interval is printed rather than a long one.
    pub fn new(created: DateTime<Utc>) -> Self {
        let policy = crate::policy::bundled(crate::policy::DEFAULT_POLICY_ID).ok().flatten();
        let county = policy.as_ref().map(Policy::county);
        Self {
            agency: county.map_or_else(String::new, |c| format!("{}老年人能力评估机构", c.name)),
            contact: String::new(),
            reassessment_months: county
                .map_or(crate::policy::MIN_REASSESSMENT_MONTHS, |c| c.reassessment_months),
            created,
            policy,
        }
    }
}

/// The entitlements printed on the resident page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntitlementSummary {
    /// The service list's title.
    pub policy_name: String,
    /// Eligible services: `（序号）名称` and the monthly amount text, if any.
    pub eligible: Vec<(String, Option<String>)>,
    /// Services that need information: name and what to record.
    pub needs_info: Vec<(String, String)>,
    /// Monthly cash total of the stated amounts, yuan.
    pub monthly_total: u32,
    /// The total in words, naming the paying services it could not include.
    pub monthly_total_text: String,
    /// Whether some paying service is left out of the total.
    pub monthly_total_partial: bool,
    /// Admission priority in words (a group, none, or the facts to record).
    pub priority: Option<String>,
    /// The admission order rule: the plan's, and the county's own within a group.
    pub priority_rule: String,
    /// Every service: `序号`, name, decision, amount text and reason.
    pub decisions: Vec<[String; 5]>,
}

/// One domain's line in C.1.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DomainRow {
    /// `B.1`.
    pub id: String,
    /// `自理能力`.
    pub name: String,
    /// Score.
    pub score: u16,
    /// Maximum.
    pub max: u16,
}

/// One Annex B item with the chosen option.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemRow {
    /// `B.1.1`.
    pub id: String,
    /// `进食`.
    pub name: String,
    /// Score of the chosen option.
    pub score: u8,
    /// Item maximum.
    pub max: u8,
    /// The chosen option's wording.
    pub option: String,
}

/// A C.4 ground that holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdjustmentRow {
    /// `C.4 ①`.
    pub clause: String,
    /// The clause's wording.
    pub text: String,
    /// What triggered it.
    pub trigger: String,
}

/// One signature of the signature block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureRow {
    /// `评估员1`, `评估员2`, `信息提供者`.
    pub role: String,
    /// Signer's name.
    pub name: String,
    /// Date signed (China time).
    pub date: Option<NaiveDate>,
    /// Strokes, normalised to `0..=signature::SCALE`, y down.
    pub strokes: Vec<Vec<[u16; 2]>>,
}

/// Everything a report prints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportModel {
    /// 评估机构.
    pub agency: String,
    /// How to reach the agency.
    pub contact: String,
    /// `GB/T 42195-2022`.
    pub standard: String,
    /// A.1.1.
    pub number: String,
    /// A.1.2.
    pub reference_date: NaiveDate,
    /// A.1.3 in words.
    pub reason: String,
    /// 评估地点.
    pub place: String,
    /// 乡镇 (asked with A.1).
    pub township: String,
    /// A.2.1.
    pub name: String,
    /// A.2.2 in words.
    pub sex: String,
    /// Age on the reference date.
    pub age: Option<u32>,
    /// A.2.8 as entered (official report only).
    pub id_number: String,
    /// A.2.8 masked: first 6 and last 4 (resident page).
    pub id_masked: String,
    /// C.1.
    pub domains: Vec<DomainRow>,
    /// C.2.
    pub total: u16,
    /// Highest total.
    pub max_total: u16,
    /// C.3: code and name.
    pub preliminary: (u8, String),
    /// C.5: code and name.
    pub final_level: (u8, String),
    /// C.4's lead text, from the scale.
    pub grounds_lead: String,
    /// C.4 grounds that hold, each clause once.
    pub adjustments: Vec<AdjustmentRow>,
    /// The scale's explanations of how the grounds combine (说明).
    pub grounds_remarks: Vec<String>,
    /// C.5's lead text, from the scale.
    pub final_lead: String,
    /// The 26 items.
    pub items: Vec<ItemRow>,
    /// Consistency warnings: code and message.
    pub warnings: Vec<(String, String)>,
    /// Assessor 1, assessor 2, informant.
    pub signatures: [SignatureRow; 3],
    /// Next routine assessment due.
    pub next_due: Option<NaiveDate>,
    /// When the report was made (China time, minutes).
    pub created: String,
    /// The same instant, for document metadata.
    pub created_utc: DateTime<Utc>,
    /// What the elder may be entitled to (when a service list is given).
    pub entitlements: Option<EntitlementSummary>,
}

impl ReportModel {
    /// Builds the model of a complete assessment. Fails, naming every missing item, if
    /// the record cannot be scored.
    pub fn new(
        record: &AssessmentRecord,
        scale: &Scale,
        options: &ReportOptions,
    ) -> Result<Self, ReportError> {
        let outcome = score(scale, &record.answers(scale), &record.facts(scale))
            .map_err(|e| ReportError::Incomplete(e.to_string()))?;
        let domains = scale
            .domains()
            .iter()
            .zip(&outcome.domain_scores)
            .map(|(d, s)| DomainRow {
                id: d.id().to_owned(),
                name: d.name().to_owned(),
                score: *s,
                max: d.max(),
            })
            .collect();
        let items = scale
            .items()
            .iter()
            .map(|item| {
                let score = record.answers.get(item.id()).copied().unwrap_or(0);
                ItemRow {
                    id: item.id().to_owned(),
                    name: item.name().to_owned(),
                    score,
                    max: item.max(),
                    option: item.option(score).map(|o| o.text.clone()).unwrap_or_default(),
                }
            })
            .collect();
        let adjustments = outcome
            .grounds()
            .into_iter()
            .map(|g| AdjustmentRow {
                clause: g.clause.to_owned(),
                text: g.text.to_owned(),
                trigger: g.trigger,
            })
            .collect();
        let warnings = outcome
            .warnings
            .iter()
            .map(|w| (w.code().to_owned(), w.message().to_owned()))
            .collect();
        let signatures = record.signatures.roles().map(|(role, s)| SignatureRow {
            role: role.to_owned(),
            name: s.name.trim().to_owned(),
            date: s.signed_at.map(|at| at.with_timezone(&CHINA_OFFSET).date_naive()),
            strokes: s.strokes.clone(),
        });
        let info = &record.info;
        let reason = match (info.reason, info.reason_other.trim()) {
            (Some(crate::record::codes::AssessmentReason::Other), other) if !other.is_empty() => {
                format!("其他：{other}")
            }
            (Some(reason), _) => reason.label().to_owned(),
            (None, _) => String::new(),
        };
        Ok(Self {
            agency: options.agency.clone(),
            contact: options.contact.clone(),
            standard: scale.standard().to_owned(),
            number: info.number.clone(),
            reference_date: info.reference_date,
            reason,
            place: info.place.trim().to_owned(),
            township: info.township.trim().to_owned(),
            name: record.subject.name.trim().to_owned(),
            sex: record.subject.sex.map(|s| s.label().to_owned()).unwrap_or_default(),
            age: record.age(),
            id_number: record.subject.id_number.as_str().trim().to_owned(),
            id_masked: mask_id(record.subject.id_number.as_str()),
            domains,
            total: outcome.total,
            max_total: scale.max_total(),
            preliminary: (outcome.preliminary_level, outcome.preliminary_level_name().to_owned()),
            final_level: (outcome.final_level, outcome.level_name().to_owned()),
            grounds_lead: scale.change_rules().lead.clone(),
            adjustments,
            grounds_remarks: scale.change_rules().remarks.clone(),
            final_lead: scale.change_rules().final_lead.clone(),
            items,
            warnings,
            signatures,
            next_due: info
                .reference_date
                .checked_add_months(Months::new(options.reassessment_months)),
            created: options
                .created
                .with_timezone(&CHINA_OFFSET)
                .format("%Y-%m-%d %H:%M")
                .to_string(),
            created_utc: options.created,
            entitlements: options
                .policy
                .as_ref()
                .map(|policy| entitlement_summary(policy, record, scale)),
        })
    }
}

/// The pad coordinate range of signature strokes, as `f32`.
pub(crate) fn pad_scale() -> f32 {
    f32::from(signature::SCALE)
}

fn entitlement_summary(
    policy: &Policy,
    record: &AssessmentRecord,
    scale: &Scale,
) -> EntitlementSummary {
    let subject = Subject::from_record(record, scale);
    let decisions = evaluate(policy, &subject);
    let eligible = decisions
        .iter()
        .filter(|d| d.status == Status::Eligible)
        .map(|d| {
            let amount = d
                .amount_per_month
                .map(|a| format!("每月{}{a}元", if d.amount_is_minimum { "不低于" } else { "" }));
            (format!("{}. {}", d.no, d.name), amount)
        })
        .collect();
    let needs_info = decisions
        .iter()
        .filter(|d| d.status == Status::NeedsInfo)
        .map(|d| (format!("{}. {}", d.no, d.name), d.missing.join("、")))
        .collect();
    let priority = Some(priority(policy.readings(), &subject).text());
    let total = cash_total(&decisions);
    let all = decisions
        .iter()
        .map(|d| {
            let amount = d.amount_per_month.map_or_else(
                || if d.amount_unstated { "按当地标准".to_owned() } else { String::new() },
                |a| format!("{}{a}元/月", if d.amount_is_minimum { "≥" } else { "" }),
            );
            [
                d.no.to_string(),
                d.name.clone(),
                d.status.label().to_owned(),
                amount,
                d.reason.clone(),
            ]
        })
        .collect();
    EntitlementSummary {
        decisions: all,
        policy_name: policy.name.clone(),
        eligible,
        needs_info,
        monthly_total: total.yuan,
        monthly_total_text: total.text(),
        monthly_total_partial: !total.excluded.is_empty(),
        priority,
        priority_rule: order_rule_text(policy.readings()),
    }
}
