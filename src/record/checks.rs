//! The checks every entrance of a record runs, in one place: the plausible-age rule
//! shared with `entitlements`, and the two views of [`AssessmentRecord::validate`] that
//! `report`, `import`, submit and approve use.
//!
//! - [`check_birth_date`]: a birth date must be before the reference date and give an
//!   age of at most [`MAX_AGE`] 周岁 (years such as 1700 or -0100 are typing errors, not
//!   elders). Used by [`AssessmentRecord::validate`] and by the `entitlements` input.
//! - [`AssessmentRecord::report_issues`]: every blocking issue except the signature
//!   block, which may be signed on paper. What `report` refuses, and what submitting or
//!   approving a record refuses.
//! - [`AssessmentRecord::invalid_values`]: the blocking issues that are a wrong value,
//!   not a missing one (a wrong check digit, an impossible birth date, an unknown item
//!   code, a score out of range). `import` refuses a record with any of them; a record
//!   that is only unfinished is imported as a draft.
//! - [`AssessmentRecord::unanswered_change_inputs`]: the C.4 inputs not answered yet,
//!   for showing a level as provisional.

use std::fmt;

use chrono::NaiveDate;

use super::{AssessmentRecord, FieldCode, FieldIssue, age_on};
use crate::scale::Scale;

/// The highest plausible age (周岁) on the reference date. The oldest documented person
/// lived to 122; an age above 120 on an assessment is taken to be a typing error.
pub const MAX_AGE: u32 = 120;

/// Why a birth date cannot be right.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BirthDateProblem {
    /// On or after the reference date.
    NotBeforeReference,
    /// An age above [`MAX_AGE`] on the reference date.
    TooOld {
        /// The age it gives.
        age: u32,
    },
}

impl fmt::Display for BirthDateProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotBeforeReference => f.write_str("出生日期应早于评估基准日期"),
            Self::TooOld { age } => write!(
                f,
                "按出生日期，评估基准日期时年龄为 {age} 周岁，超过 {MAX_AGE} 周岁，请核对出生日期"
            ),
        }
    }
}

/// The age (周岁) on `reference` of someone born on `birth`, if that is plausible (see
/// the module docs).
pub fn check_birth_date(birth: NaiveDate, reference: NaiveDate) -> Result<u32, BirthDateProblem> {
    if birth >= reference {
        return Err(BirthDateProblem::NotBeforeReference);
    }
    let age = age_on(birth, reference);
    if age > MAX_AGE {
        return Err(BirthDateProblem::TooOld { age });
    }
    Ok(age)
}

impl AssessmentRecord {
    /// Every blocking issue of [`AssessmentRecord::validate`] except the signature block
    /// (`签名.1`–`签名.3`): what stops a report, a submission and an approval.
    pub fn report_issues(&self, scale: &Scale) -> Vec<FieldIssue> {
        self.validate(scale)
            .into_iter()
            .filter(|issue| issue.blocking && !issue.field.is_signature())
            .collect()
    }

    /// The blocking issues of [`AssessmentRecord::validate`] that are a wrong value
    /// rather than a field not yet filled in: what stops an import.
    pub fn invalid_values(&self, scale: &Scale) -> Vec<FieldIssue> {
        self.validate(scale).into_iter().filter(|issue| issue.blocking && !issue.missing).collect()
    }

    /// The fields the C.4 grounds read that are not answered yet (A.2.14.1–A.2.14.5,
    /// A.4.1, A.5.11), in form order: while any is, a level computed from the record is
    /// provisional (its grounds come from the answers given so far).
    pub fn unanswered_change_inputs(&self) -> Vec<FieldCode> {
        let events = self.subject.risk_events.parts();
        let mut fields: Vec<FieldCode> =
            events.into_iter().filter(|(_, _, n)| n.is_none()).map(|(field, _, _)| field).collect();
        if !self.diagnoses.is_answered() {
            fields.push(FieldCode::DIAGNOSES);
        }
        if self.health.coma.is_none() {
            fields.push(FieldCode::COMA);
        }
        fields
    }
}

/// The issues as one line, `A.2.8 公民身份号码校验码不正确；A.2.3 …`, for error messages
/// (which therefore never contain a name or an ID number either).
pub fn join_issues(issues: &[FieldIssue]) -> String {
    issues.iter().map(ToString::to_string).collect::<Vec<_>>().join("；")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn fields(issues: &[FieldIssue]) -> Vec<String> {
        issues.iter().map(|issue| issue.field.to_string()).collect()
    }

    #[test]
    fn an_unfinished_record_has_no_invalid_values_but_wrong_ones_are_found() {
        let scale = crate::scale::bundled(crate::scale::DEFAULT_SCALE_ID).unwrap().unwrap();
        let mut record = AssessmentRecord::new("1".to_owned(), date(2026, 11, 28));
        assert_eq!(record.invalid_values(&scale), []);
        assert!(fields(&record.report_issues(&scale)).contains(&"A.2.8".to_owned()));
        assert!(
            record
                .report_issues(&scale)
                .iter()
                .all(|issue| !issue.field.to_string().starts_with("签名"))
        );

        // Born 1943-05-12 by the number: fine on 2026-11-28, impossible before 1943.
        *record.subject.id_number.text_mut() = "530926194305120420".to_owned();
        assert_eq!(record.invalid_values(&scale), []);
        record.info.reference_date = date(1943, 1, 1);
        assert_eq!(fields(&record.invalid_values(&scale)), ["A.2.8"]);
        record.info.reference_date = date(2073, 6, 1);
        let issues = record.invalid_values(&scale);
        assert_eq!(fields(&issues), ["A.2.8"]);
        assert!(issues[0].message.contains("130 周岁"), "{}", issues[0]);
        assert!(!issues[0].message.contains("1943"), "no digit of the number: {}", issues[0]);

        *record.subject.id_number.text_mut() = "530926194305120421".to_owned();
        record.subject.birth_date = Some(date(2074, 1, 1));
        record.answers.insert("B.1.1".to_owned(), 9);
        assert_eq!(fields(&record.invalid_values(&scale)), ["A.2.3", "A.2.8", "B.1.1"]);
    }

    #[test]
    fn birth_dates_must_give_a_plausible_age() {
        let reference = date(2026, 11, 28);
        assert_eq!(check_birth_date(date(1941, 3, 2), reference), Ok(85));
        assert_eq!(check_birth_date(date(1906, 11, 28), reference), Ok(120));
        assert_eq!(check_birth_date(date(1905, 11, 29), reference), Ok(120));
        assert_eq!(
            check_birth_date(date(1905, 11, 28), reference),
            Err(BirthDateProblem::TooOld { age: 121 })
        );
        assert_eq!(
            check_birth_date(date(1700, 1, 1), reference),
            Err(BirthDateProblem::TooOld { age: 326 })
        );
        assert!(check_birth_date(date(-100, 1, 1), reference).is_err());
        for birth in [reference, date(2027, 1, 1)] {
            assert_eq!(
                check_birth_date(birth, reference),
                Err(BirthDateProblem::NotBeforeReference)
            );
        }
    }
}
