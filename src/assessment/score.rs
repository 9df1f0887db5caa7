//! Scoring: (scale, answers, facts) → [`Outcome`].
//!
//! The order of work follows Annex C: domain scores (C.1), total (C.2), preliminary level
//! (C.3), change rules (C.4), final level (C.5). Consistency checks run last and never
//! change anything above.
//!
//! Final level, for a scale's change rules:
//! - if the preliminary level is at or beyond `frozen_from_level`, it is final;
//! - otherwise `worsened = min(worst_level, preliminary + steps)`, where `steps` is the
//!   number of `Worsen` rules that hold (`Cumulative`) or 1 if any holds (`Once`);
//! - the final level is the worst of `worsened` and every `SetLevel` that holds.
//!
//! So the final level is never better than the preliminary level, and never beyond
//! `worst_level` unless a rule sets it there.

use std::fmt;

use crate::scale::{
    Check, Condition, Effect, Fact, Grading, Item, Rule, Scale, Severity, Worsening,
};

use super::answers::{Answers, Facts, item_label};
use super::error::{AnswerIssue, AssessmentError};

/// Everything the engine concludes from one complete assessment.
#[derive(Debug, Clone)]
pub struct Outcome<'s> {
    /// The scale scored against.
    pub scale: &'s Scale,
    /// Score per domain, in [`Scale::domains`] order.
    pub domain_scores: Vec<u16>,
    /// Sum of all item scores.
    pub total: u16,
    /// Level from the total alone (C.3).
    pub preliminary_level: u8,
    /// Level after the change rules (C.5).
    pub final_level: u8,
    /// Every change rule whose condition holds, in rule order, with what triggered it.
    pub adjustments: Vec<Adjustment<'s>>,
    /// Every consistency check that fired, in check order.
    pub warnings: Vec<Warning<'s>>,
}

impl Outcome<'_> {
    /// Full name of the final level.
    pub fn level_name(&self) -> &str {
        self.scale.level(self.final_level).map_or("", |l| l.name.as_str())
    }

    /// Full name of the preliminary level.
    pub fn preliminary_level_name(&self) -> &str {
        self.scale.level(self.preliminary_level).map_or("", |l| l.name.as_str())
    }

    /// The grounds that hold, each clause and wording once (in rule order), with the
    /// triggers of every rule of that ground joined by `；`. C.4 ② is one ground even when both of
    /// its diagnoses are recorded.
    pub fn grounds(&self) -> Vec<GroundHeld<'_>> {
        let mut grounds: Vec<GroundHeld<'_>> = Vec::new();
        for adjustment in &self.adjustments {
            let trigger = adjustment.to_string();
            let rule = adjustment.rule;
            match grounds.iter_mut().find(|g| g.clause == rule.clause && g.text == rule.text) {
                Some(ground) => {
                    ground.trigger.push('；');
                    ground.trigger.push_str(&trigger);
                }
                None => grounds.push(GroundHeld {
                    clause: &adjustment.rule.clause,
                    text: &adjustment.rule.text,
                    trigger,
                }),
            }
        }
        grounds
    }
}

/// A C.4 ground that holds: its clause, its wording, and what triggered it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroundHeld<'a> {
    /// `C.4 ②`.
    pub clause: &'a str,
    /// The clause's wording, verbatim.
    pub text: &'a str,
    /// The recorded values that made its rules hold, e.g. `A.4.1 痴呆（F00～F03）：有`.
    pub trigger: String,
}

/// A change rule that holds.
#[derive(Debug, Clone)]
pub struct Adjustment<'s> {
    /// The rule.
    pub rule: &'s Rule,
    /// The recorded values that made it hold.
    pub evidence: Vec<Evidence<'s>>,
}

impl fmt::Display for Adjustment<'_> {
    /// The triggering facts in words, e.g. `A.5.11 昏迷：有`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, evidence) in self.evidence.iter().enumerate() {
            if i > 0 {
                f.write_str("；")?;
            }
            write!(f, "{evidence}")?;
        }
        Ok(())
    }
}

/// One recorded value that made a condition hold.
#[derive(Debug, Clone)]
pub enum Evidence<'s> {
    /// A yes/no fact that is yes.
    Flag(&'s Fact),
    /// A counted fact: the counts per part and their sum.
    Counts {
        /// The fact.
        fact: &'s Fact,
        /// Count per part, in the fact's part order.
        counts: Vec<u8>,
        /// Sum of the counts.
        total: u16,
    },
    /// An item and its score.
    Item {
        /// The item.
        item: &'s Item,
        /// Its score.
        score: u8,
    },
    /// A yes/no fact that is no (from a `Not` condition).
    NotFlag(&'s Fact),
}

impl fmt::Display for Evidence<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Flag(fact) => write!(f, "{} {}：有", fact.source(), fact.label()),
            Self::NotFlag(fact) => write!(f, "{} {}：无", fact.source(), fact.label()),
            Self::Counts { fact, counts, total } => {
                write!(f, "{} {}：合计 {total} 次", fact.source(), fact.label())?;
                if let crate::scale::FactKind::Counts { parts, max } = fact.kind() {
                    let listed: Vec<String> = parts
                        .iter()
                        .zip(counts)
                        .filter(|(_, n)| **n > 0)
                        .map(|(part, n)| {
                            let more = if n == max { "及以上" } else { "" };
                            format!("{} {n} 次{more}", part.label)
                        })
                        .collect();
                    if !listed.is_empty() {
                        write!(f, "（{}）", listed.join("、"))?;
                    }
                }
                Ok(())
            }
            Self::Item { item, score } => write!(f, "{} = {score} 分", item_label(item)),
        }
    }
}

/// A consistency check that fired.
#[derive(Debug, Clone, Copy)]
pub struct Warning<'s> {
    /// The check.
    pub check: &'s Check,
}

impl Warning<'_> {
    /// `W001`.
    pub fn code(&self) -> &str {
        &self.check.code
    }

    /// What the assessor sees.
    pub fn message(&self) -> &str {
        &self.check.message
    }

    /// Warning or info.
    pub fn severity(&self) -> Severity {
        self.check.severity
    }
}

/// Scores a complete assessment.
///
/// Fails, naming every offending item, if an item is unanswered or has a score its
/// item does not offer, or if `answers` or `facts` were built for another scale.
pub fn score<'s>(
    scale: &'s Scale,
    answers: &Answers,
    facts: &Facts,
) -> Result<Outcome<'s>, AssessmentError> {
    let scores = complete_scores(scale, answers)?;
    let context = Context { scores: &scores, facts };

    let mut domain_scores = Vec::with_capacity(scale.domains().len());
    for domain in scale.domains() {
        let sum: u16 = scores[domain.item_range()].iter().map(|&s| u16::from(s)).sum();
        domain_scores.push(sum);
    }
    let total: u16 = domain_scores.iter().sum();
    let preliminary_level = preliminary(scale, total);

    let rules = scale.change_rules();
    let mut adjustments = Vec::new();
    let mut worsen_steps: u8 = 0;
    let mut set_level: Option<u8> = None;
    for rule in &rules.rules {
        if !context.holds(&rule.when) {
            continue;
        }
        match rule.effect {
            Effect::Worsen => worsen_steps = worsen_steps.saturating_add(1),
            Effect::SetLevel(code) => set_level = Some(set_level.map_or(code, |s| s.max(code))),
        }
        let mut evidence = Vec::new();
        context.evidence(scale, &rule.when, &mut evidence);
        adjustments.push(Adjustment { rule, evidence });
    }
    let frozen = rules.frozen_from_level.is_some_and(|f| preliminary_level >= f);
    let final_level = if frozen {
        preliminary_level
    } else {
        if rules.worsening == Worsening::Once {
            worsen_steps = worsen_steps.min(1);
        }
        let worsened = preliminary_level.saturating_add(worsen_steps).min(rules.worst_level);
        worsened.max(preliminary_level).max(set_level.unwrap_or(0))
    };

    let warnings = scale
        .checks()
        .iter()
        .filter(|check| context.holds(&check.when))
        .map(|check| Warning { check })
        .collect();

    Ok(Outcome {
        scale,
        domain_scores,
        total,
        preliminary_level,
        final_level,
        adjustments,
        warnings,
    })
}

/// The level for a total score under the scale's grading.
pub fn preliminary(scale: &Scale, total: u16) -> u8 {
    match scale.grading() {
        Grading::TotalBands { by_total, .. } => {
            // Validation guarantees an entry for every total up to the maximum.
            by_total.get(usize::from(total)).copied().unwrap_or(0)
        }
    }
}

/// Every item's score, or every reason why not.
fn complete_scores(scale: &Scale, answers: &Answers) -> Result<Vec<u8>, AssessmentError> {
    let items = scale.items();
    let given = answers.as_slice();
    let mut scores = Vec::with_capacity(items.len());
    let mut issues = Vec::new();
    for (index, item) in items.iter().enumerate() {
        match given.get(index).copied().flatten() {
            Some(score) if item.accepts(score) => scores.push(score),
            Some(score) => issues.push(AnswerIssue::OutOfRange {
                item: item_label(item),
                value: i64::from(score),
                allowed: item.allowed_scores(),
            }),
            None => issues.push(AnswerIssue::MissingItem { item: item_label(item) }),
        }
    }
    if issues.is_empty() { Ok(scores) } else { Err(AssessmentError::InvalidAnswers(issues)) }
}

/// Complete scores and facts, for evaluating conditions.
struct Context<'a> {
    scores: &'a [u8],
    facts: &'a Facts,
}

impl Context<'_> {
    fn count_total(&self, fact: usize) -> u16 {
        self.facts.counts(fact).iter().map(|&c| u16::from(c)).sum()
    }

    fn score(&self, item: usize) -> u8 {
        self.scores.get(item).copied().unwrap_or(0)
    }

    fn holds(&self, condition: &Condition) -> bool {
        match condition {
            Condition::Flag(fact) => self.facts.flag(*fact),
            Condition::CountAtLeast { fact, total } => self.count_total(*fact) >= *total,
            Condition::ItemIs { item, score } => self.score(*item) == *score,
            Condition::ItemAtLeast { item, score } => self.score(*item) >= *score,
            Condition::ItemAtMost { item, score } => self.score(*item) <= *score,
            Condition::All(all) => all.iter().all(|c| self.holds(c)),
            Condition::Any(any) => any.iter().any(|c| self.holds(c)),
            Condition::Not(inner) => !self.holds(inner),
        }
    }

    /// Collects the values that make a holding `condition` hold.
    fn evidence<'s>(&self, scale: &'s Scale, condition: &Condition, out: &mut Vec<Evidence<'s>>) {
        match condition {
            Condition::Flag(fact) => out.push(Evidence::Flag(&scale.facts()[*fact])),
            Condition::CountAtLeast { fact, .. } => out.push(Evidence::Counts {
                fact: &scale.facts()[*fact],
                counts: self.facts.counts(*fact).to_vec(),
                total: self.count_total(*fact),
            }),
            Condition::ItemIs { item, .. }
            | Condition::ItemAtLeast { item, .. }
            | Condition::ItemAtMost { item, .. } => {
                out.push(Evidence::Item { item: &scale.items()[*item], score: self.score(*item) });
            }
            Condition::All(all) => all.iter().for_each(|c| self.evidence(scale, c, out)),
            Condition::Any(any) => {
                any.iter().filter(|c| self.holds(c)).for_each(|c| self.evidence(scale, c, out));
            }
            Condition::Not(inner) => {
                if let Condition::Flag(fact) = **inner {
                    out.push(Evidence::NotFlag(&scale.facts()[fact]));
                }
            }
        }
    }
}
