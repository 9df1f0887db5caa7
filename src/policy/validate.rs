//! Validation of a service list: numbers unique and ascending, texts present, every
//! service with at least one tier, age and disability ranges that make sense.

use std::collections::BTreeMap;

use crate::ron_load::Locator;

use super::error::PolicyProblem;
use super::raw::{Condition, RawPolicy};
use super::{Policy, Service, Tier};

/// Validates a parsed list. On failure returns every problem with where it is.
pub(super) fn validate(raw: RawPolicy) -> Result<Policy, Vec<(PolicyProblem, Locator)>> {
    let mut problems = Vec::new();
    let mut seen: BTreeMap<u16, usize> = BTreeMap::new();
    let mut previous = 0u16;
    for service in &raw.services {
        // Located at this service's own `no:` (the second of two equal numbers).
        let count = seen.entry(service.no).or_insert(0);
        let at = Locator::Field { key: "no", value: service.no.to_string(), nth: *count };
        *count += 1;
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
        for tier in &service.tiers {
            for (field, value) in [("content", &tier.content), ("target", &tier.target)] {
                if value.trim().is_empty() {
                    problems.push((PolicyProblem::Empty { no: service.no, field }, at.clone()));
                }
            }
            check_condition(&tier.when, service.no, &at, &mut problems);
        }
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
