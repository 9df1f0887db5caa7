//! Validation of a service list: an id, numbers from 1, unique and ascending, texts
//! present, every service with at least one tier, age and disability ranges that make
//! sense, ages at most [`MAX_CONDITION_AGE`], amounts at most [`MAX_AMOUNT`] 元/月, and
//! the largest possible monthly total at most [`MAX_MONTHLY_TOTAL`] 元 (summed with
//! checked arithmetic), so that evaluating a list can never overflow.

use std::collections::BTreeMap;

use crate::datafile::ron_text::Locator;

use super::error::PolicyProblem;
use super::raw::{Amount, Condition, RawPolicy};
use super::{Policy, Service, Tier};

/// The largest monthly amount of one tier, in 元.
pub const MAX_AMOUNT: u32 = 100_000;

/// The largest age a condition may name, in 周岁.
pub const MAX_CONDITION_AGE: u32 = 150;

/// The largest possible monthly cash total (every service's largest amount), in 元.
pub const MAX_MONTHLY_TOTAL: u64 = 1_000_000;

/// Validates a parsed list. On failure returns every problem with where it is.
pub(super) fn validate(raw: RawPolicy) -> Result<Policy, Vec<(PolicyProblem, Locator)>> {
    let mut problems = Vec::new();
    if raw.id.trim().is_empty() {
        problems.push((PolicyProblem::EmptyId, Locator::Key("id")));
    }
    let county = super::county::validate(raw.county, &mut problems);
    super::readings::validate(&raw.readings, &mut problems);
    let mut seen: BTreeMap<u16, usize> = BTreeMap::new();
    // How often each `amount:` text has been seen, to locate the nth one.
    let mut amounts_seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut total: Option<u64> = Some(0);
    let mut previous = 0u16;
    for service in &raw.services {
        // Located at this service's own `no:` (the second of two equal numbers).
        let count = seen.entry(service.no).or_insert(0);
        let at = Locator::Field { key: "no", value: service.no.to_string(), nth: *count };
        *count += 1;
        if service.no == 0 {
            problems.push((PolicyProblem::NumberZero, at.clone()));
        }
        if *count > 1 {
            problems.push((PolicyProblem::DuplicateNumber { no: service.no }, at.clone()));
        } else if service.no < previous {
            problems
                .push((PolicyProblem::OutOfOrder { no: service.no, after: previous }, at.clone()));
        }
        previous = previous.max(service.no);
        for (field, value) in [("name", &service.name), ("department", &service.department)] {
            if value.trim().is_empty() {
                problems.push((PolicyProblem::Empty { no: service.no, field }, at.clone()));
            }
        }
        if service.tiers.is_empty() {
            problems.push((PolicyProblem::NoTier { no: service.no }, at.clone()));
        }
        let mut largest = 0u32;
        for tier in &service.tiers {
            for (field, value) in [("content", &tier.content), ("target", &tier.target)] {
                if value.trim().is_empty() {
                    problems.push((PolicyProblem::Empty { no: service.no, field }, at.clone()));
                }
            }
            check_condition(&tier.when, service.no, &at, &mut problems);
            if let Some(amount) = tier.amount {
                let text = amount_text(amount);
                let nth = amounts_seen.entry(text.clone()).or_insert(0);
                let here = Locator::Field { key: "amount", value: text, nth: *nth };
                *nth += 1;
                if amount.yuan() > MAX_AMOUNT {
                    problems.push((
                        PolicyProblem::AmountTooLarge { no: service.no, yuan: amount.yuan() },
                        here,
                    ));
                }
                largest = largest.max(amount.yuan());
            }
        }
        // One decision per service: at most its largest tier amount counts.
        total = total.and_then(|t| t.checked_add(u64::from(largest)));
    }
    let amount_refused =
        problems.iter().any(|(problem, _)| matches!(problem, PolicyProblem::AmountTooLarge { .. }));
    if !amount_refused && total.is_none_or(|total| total > MAX_MONTHLY_TOTAL) {
        problems.push((PolicyProblem::TotalTooLarge, Locator::Key("services")));
    }
    if raw.services.is_empty() {
        problems.push((PolicyProblem::NoServices, Locator::Key("services")));
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(Policy {
        id: raw.id,
        name: raw.name,
        source: raw.source,
        effective: raw.effective,
        county,
        readings: raw.readings,
        services: raw
            .services
            .into_iter()
            .map(|s| Service {
                no: s.no,
                name: s.name,
                kind: s.kind,
                scope: s.scope,
                department: s.department,
                tiers: s
                    .tiers
                    .into_iter()
                    .map(|t| Tier {
                        content: t.content,
                        target: t.target,
                        when: t.when,
                        amount: t.amount,
                    })
                    .collect(),
            })
            .collect(),
    })
}

fn check_condition(
    condition: &Condition,
    no: u16,
    at: &Locator,
    problems: &mut Vec<(PolicyProblem, Locator)>,
) {
    match condition {
        Condition::AgeAtLeast(age) | Condition::AgeBetween(_, age) if *age > MAX_CONDITION_AGE => {
            problems.push((PolicyProblem::AgeTooLarge { no, age: *age }, at.clone()));
        }
        Condition::AgeBetween(from, to) if from > to => {
            problems.push((
                PolicyProblem::BadRange { no, what: "AgeBetween", from: *from, to: *to },
                at.clone(),
            ));
        }
        Condition::DisabilityGrade(from, to) if *from < 1 || from > to || *to > 4 => {
            problems.push((
                PolicyProblem::BadRange {
                    no,
                    what: "DisabilityGrade",
                    from: u32::from(*from),
                    to: u32::from(*to),
                },
                at.clone(),
            ));
        }
        Condition::All(parts) | Condition::Any(parts) => {
            if parts.is_empty() {
                problems.push((PolicyProblem::EmptyGroup { no }, at.clone()));
            }
            for part in parts {
                check_condition(part, no, at, problems);
            }
        }
        _ => {}
    }
}

/// The amount as written in the file: `Exactly(590)`, `AtLeast(50)`.
fn amount_text(amount: Amount) -> String {
    match amount {
        Amount::Exactly(yuan) => format!("Exactly({yuan})"),
        Amount::AtLeast(yuan) => format!("AtLeast({yuan})"),
        Amount::Unstated => "Unstated".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use std::fmt::Write as _;

    use super::super::{PolicyError, from_ron_str};
    use super::*;

    /// A list with one service per `(no, when, amount)`.
    fn list(id: &str, services: &[(u16, &str, &str)]) -> String {
        let mut text = String::new();
        for (no, when, amount) in services {
            let _ = writeln!(
                text,
                "Service(no: {no}, name: \"服务\", kind: Material, scope: Universal, \
                 department: \"县民政局\", tiers: [(content: \"内容\", target: \"对象\", \
                 when: {when}, amount: {amount})]),"
            );
        }
        format!(
            "Policy(id: \"{id}\", name: \"清单\", source: \"来源\", effective: \"2023-09-25\",\n\
             county: County(name: \"县\", townships: [\"乡\"], reassessment_months: 12),\n\
             readings: Readings(disabled_levels: (1, 4), advanced_age: 80, \
             severe_disability_grades: (1, 2), economic_difficulty: [Flag], \
             priority_min_age: 60, preferred_youfu_groups: [], \
             preferred_family_planning: true, order_within_group: []),\n\
             services: [\n{text}])"
        )
    }

    fn problems(source: &str) -> Vec<PolicyProblem> {
        match from_ron_str(source, "test.ron") {
            Err(PolicyError::File(err)) if !err.problems().is_empty() => {
                err.problems().iter().map(|located| located.problem.clone()).collect()
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn amounts_ages_ids_and_numbers_are_bounded() {
        let fine = list("t", &[(1, "AgeAtLeast(150)", "Exactly(100000)")]);
        assert!(from_ron_str(&fine, "test.ron").is_ok());
        assert_eq!(
            problems(&list("t", &[(1, "AgeAtLeast(60)", "Exactly(4294967295)")])),
            [PolicyProblem::AmountTooLarge { no: 1, yuan: u32::MAX }]
        );
        assert_eq!(
            problems(&list("t", &[(1, "AgeBetween(80, 200)", "AtLeast(50)")])),
            [PolicyProblem::AgeTooLarge { no: 1, age: 200 }]
        );
        assert_eq!(
            problems(&list(" ", &[(0, "AgeAtLeast(60)", "AtLeast(50)")])),
            [PolicyProblem::EmptyId, PolicyProblem::NumberZero]
        );
        // Eleven services of 100,000 元 each could add up to more than the bound.
        let many: Vec<(u16, &str, &str)> =
            (1..=11).map(|no| (no, "AgeAtLeast(60)", "Exactly(100000)")).collect();
        assert_eq!(problems(&list("t", &many)), [PolicyProblem::TotalTooLarge]);
        assert!(from_ron_str(&list("t", &many[..10]), "test.ron").is_ok());
    }
}
