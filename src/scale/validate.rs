//! Validation: [`RawScale`] → [`Scale`].
//!
//! Checks everything serde cannot: unique ids, item codes inside their domain, options
//! covering each item's score range exactly once, levels numbered in order, bands that
//! cover `0..=max total` with no gap, overlap or inversion, and conditions that refer to
//! items, facts and scores that exist. All problems are collected, not just the first.
//!
//! Raw values carry no positions, so each problem comes with a [`Locator`]: a piece of
//! text to find in the source (the offending id, or a `key: value` pair). The loader turns
//! it into `line:column`.

use std::collections::BTreeMap;

use crate::datafile::ron_text::Locator;

use super::error::Problem;
use super::model::{
    Band, ChangeRules, Check, Condition, CountPart, Domain, Effect, Fact, FactKind, Grading, Item,
    Level, Rule, Scale, ScoreOption, Severity, Worsening,
};
use super::raw::{
    RawBand, RawChangeRules, RawCheck, RawCondition, RawDomain, RawEffect, RawFact, RawFactKind,
    RawGrading, RawItem, RawLevel, RawRule, RawScale, RawSeverity, RawWorsening,
};

type Problems = Vec<(Problem, Locator)>;

/// Validates a parsed scale. On failure returns every problem found, in file order.
pub(crate) fn validate(raw: RawScale) -> Result<Scale, Problems> {
    let mut v = Validator::default();
    if !is_valid_date(&raw.effective) {
        v.push(Problem::BadDate { value: raw.effective.clone() }, Locator::Key("effective"));
    }
    let (domains, items) = v.domains(raw.domains);
    let max_total: u16 = domains.iter().map(|d| d.max).sum();
    let facts = v.facts(raw.facts);
    let levels = v.levels(raw.levels);
    let worst_defined = u8::try_from(levels.len().saturating_sub(1)).unwrap_or(u8::MAX);
    let grading = match raw.grading {
        RawGrading::TotalBands(bands) => {
            validate_bands(&bands, max_total, worst_defined, &mut v.problems)
        }
    };
    let lookup = Lookup { items: &items, facts: &facts };
    let change_rules = v.change_rules(raw.change_rules, worst_defined, &lookup);
    let checks = v.checks(raw.checks, &lookup);

    if !v.problems.is_empty() {
        return Err(v.problems);
    }
    Ok(Scale {
        id: raw.id,
        name: raw.name,
        standard: raw.standard,
        effective: raw.effective,
        source: raw.source,
        notes: raw.notes,
        domains,
        items,
        facts,
        levels,
        grading,
        change_rules,
        checks,
        max_total,
    })
}

/// Collects problems while the raw scale is turned into the model.
#[derive(Default)]
struct Validator {
    problems: Problems,
    /// How often each `(kind, id)` has been defined so far.
    seen_ids: BTreeMap<(&'static str, String), usize>,
}

impl Validator {
    fn push(&mut self, problem: Problem, locator: Locator) {
        self.problems.push((problem, locator));
    }

    /// Records a definition of `id`; a repeat is a problem located at its own occurrence.
    fn register(&mut self, what: &'static str, id: &str) {
        let count = self.seen_ids.entry((what, id.to_owned())).or_insert(0);
        let nth = *count;
        *count += 1;
        if nth > 0 {
            self.push(
                Problem::DuplicateId { what, id: id.to_owned() },
                Locator::Str { text: id.to_owned(), nth },
            );
        }
    }

    /// A level's short name: not empty, and no other level's short name.
    fn short_name(&mut self, before: &[Level], code: u8, short: &str) {
        let same: Vec<u8> =
            before.iter().filter(|level| level.short == short).map(|level| level.code).collect();
        let locator = Locator::Field { key: "short", value: format!("{short:?}"), nth: same.len() };
        if short.trim().is_empty() {
            let id = code.to_string();
            self.push(Problem::Empty { what: "level", id, field: "short" }, locator);
        } else if let Some(&first) = same.first() {
            let short = short.to_owned();
            self.push(Problem::DuplicateShortName { short, first, second: code }, locator);
        }
    }

    fn require_text(&mut self, what: &'static str, id: &str, field: &'static str, value: &str) {
        if value.trim().is_empty() {
            self.push(Problem::Empty { what, id: id.to_owned(), field }, Locator::str(id));
        }
    }

    fn domains(&mut self, raw_domains: Vec<RawDomain>) -> (Vec<Domain>, Vec<Item>) {
        let mut domains = Vec::with_capacity(raw_domains.len());
        let mut items = Vec::new();
        for raw_domain in raw_domains {
            self.register("domain", &raw_domain.id);
            self.require_text("domain", &raw_domain.id, "name", &raw_domain.name);
            let start = items.len();
            for raw_item in raw_domain.items {
                items.push(self.item(raw_item, &raw_domain.id, domains.len()));
            }
            let max = items[start..].iter().map(|i: &Item| u16::from(i.max)).sum();
            domains.push(Domain {
                id: raw_domain.id,
                name: raw_domain.name,
                en: raw_domain.en,
                items: start..items.len(),
                max,
            });
        }
        (domains, items)
    }

    fn item(&mut self, raw: RawItem, domain_id: &str, domain: usize) -> Item {
        self.register("item", &raw.id);
        self.require_text("item", &raw.id, "name", &raw.name);
        if !raw.id.starts_with(&format!("{domain_id}.")) {
            self.push(
                Problem::ItemOutsideDomain { item: raw.id.clone(), domain: domain_id.to_owned() },
                Locator::str(&raw.id),
            );
        }
        let max = raw.options.iter().map(|o| o.score).max().unwrap_or(0);
        if raw.step == 0 {
            self.push(Problem::ZeroStep { item: raw.id.clone() }, Locator::str(&raw.id));
        } else if !covers_range(raw.options.iter().map(|o| o.score), raw.step, max) {
            let found: Vec<String> = raw.options.iter().map(|o| o.score.to_string()).collect();
            self.push(
                Problem::OptionsDoNotCover {
                    item: raw.id.clone(),
                    found: found.join(", "),
                    step: raw.step,
                },
                Locator::str(&raw.id),
            );
        }
        if raw.options.iter().any(|o| o.text.trim().is_empty()) {
            self.push(
                Problem::Empty { what: "item", id: raw.id.clone(), field: "text" },
                Locator::str(&raw.id),
            );
        }
        Item {
            id: raw.id,
            name: raw.name,
            en: raw.en,
            definition: raw.definition,
            notes: raw.notes,
            remarks: raw.remarks,
            domain,
            step: raw.step.max(1),
            max,
            options: raw
                .options
                .into_iter()
                .map(|o| ScoreOption { score: o.score, text: o.text })
                .collect(),
        }
    }

    fn facts(&mut self, raw_facts: Vec<RawFact>) -> Vec<Fact> {
        let mut facts = Vec::with_capacity(raw_facts.len());
        for raw in raw_facts {
            self.register("fact", &raw.id);
            let kind = match raw.kind {
                RawFactKind::Flag => FactKind::Flag,
                RawFactKind::Counts { max, parts } => {
                    if parts.is_empty() || max == 0 {
                        self.push(
                            Problem::EmptyCounts { fact: raw.id.clone() },
                            Locator::str(&raw.id),
                        );
                    }
                    for part in &parts {
                        self.register("fact part", &format!("{}.{}", raw.id, part.id));
                    }
                    let parts =
                        parts.into_iter().map(|p| CountPart { id: p.id, label: p.label }).collect();
                    FactKind::Counts { max, parts }
                }
            };
            facts.push(Fact { id: raw.id, label: raw.label, source: raw.source, kind });
        }
        facts
    }

    fn levels(&mut self, raw_levels: Vec<RawLevel>) -> Vec<Level> {
        let mut levels = Vec::with_capacity(raw_levels.len());
        for (position, raw) in raw_levels.into_iter().enumerate() {
            if usize::from(raw.code) != position {
                self.push(
                    Problem::LevelOrder { position: position + 1, code: raw.code },
                    Locator::Field { key: "code", value: raw.code.to_string(), nth: 0 },
                );
            }
            self.require_text("level", &raw.code.to_string(), "name", &raw.name);
            let short = match raw.short {
                Some(short) => {
                    self.short_name(&levels, raw.code, &short);
                    short
                }
                None => raw.name.clone(),
            };
            levels.push(Level { code: raw.code, name: raw.name, short });
        }
        if levels.len() < 2 {
            self.push(Problem::TooFewLevels, Locator::Key("levels"));
        }
        levels
    }

    fn change_rules(
        &mut self,
        raw: RawChangeRules,
        worst_defined: u8,
        lookup: &Lookup<'_>,
    ) -> ChangeRules {
        for (key, code) in
            [("worst_level", Some(raw.worst_level)), ("frozen_from_level", raw.frozen_from_level)]
        {
            if let Some(code) = code.filter(|&c| c > worst_defined) {
                self.push(
                    Problem::UnknownLevel { context: key.to_owned(), code, max: worst_defined },
                    Locator::Key(key),
                );
            }
        }
        let mut rules: Vec<Rule> = Vec::with_capacity(raw.rules.len());
        for mut raw_rule in raw.rules {
            self.register("rule", &raw_rule.id);
            // A clause is one ground: a later rule of the same clause that gives no text
            // shares the wording of the first.
            if raw_rule.text.is_empty()
                && let Some(earlier) = rules.iter().find(|r| r.clause == raw_rule.clause)
            {
                raw_rule.text.clone_from(&earlier.text);
            }
            self.require_text("rule", &raw_rule.id, "text", &raw_rule.text);
            let owner = Locator::after(&Locator::Key("rules"), &raw_rule.id);
            let context = Owner { name: format!("rule `{}`", raw_rule.id), at: owner.clone() };
            let when = lookup.condition(&raw_rule.when, &context, &mut self.problems);
            let effect = match raw_rule.effect {
                RawEffect::SetLevel(code) => {
                    if code > raw.worst_level {
                        self.push(
                            Problem::SetBeyondWorst {
                                rule: raw_rule.id.clone(),
                                code,
                                worst: raw.worst_level,
                            },
                            owner,
                        );
                    }
                    Effect::SetLevel(code)
                }
                RawEffect::Worsen => Effect::Worsen,
            };
            let RawRule { id, clause, text, .. } = raw_rule;
            rules.push(Rule { id, clause, text, when, effect });
        }
        ChangeRules {
            worsening: match raw.worsening {
                RawWorsening::Once => Worsening::Once,
                RawWorsening::Cumulative => Worsening::Cumulative,
            },
            worst_level: raw.worst_level.min(worst_defined),
            frozen_from_level: raw.frozen_from_level,
            lead: raw.lead,
            final_lead: raw.final_lead,
            remarks: raw.remarks,
            rules,
        }
    }

    fn checks(&mut self, raw_checks: Vec<RawCheck>, lookup: &Lookup<'_>) -> Vec<Check> {
        let mut checks = Vec::with_capacity(raw_checks.len());
        for raw in raw_checks {
            self.register("check", &raw.code);
            let code_ok = raw.code.len() == 4
                && raw.code.starts_with('W')
                && raw.code[1..].bytes().all(|b| b.is_ascii_digit());
            if !code_ok {
                self.push(
                    Problem::BadCheckCode { code: raw.code.clone() },
                    Locator::str(&raw.code),
                );
            }
            self.require_text("check", &raw.code, "message", &raw.message);
            self.require_text("check", &raw.code, "rationale", &raw.rationale);
            if raw.rationale.contains('\n') {
                self.push(
                    Problem::MultiLineRationale { code: raw.code.clone() },
                    Locator::str(&raw.code),
                );
            }
            let context =
                Owner { name: format!("check `{}`", raw.code), at: Locator::str(&raw.code) };
            let when = lookup.condition(&raw.when, &context, &mut self.problems);
            checks.push(Check {
                code: raw.code,
                severity: match raw.severity {
                    RawSeverity::Warning => Severity::Warning,
                    RawSeverity::Info => Severity::Info,
                },
                message: raw.message,
                rationale: raw.rationale,
                when,
            });
        }
        checks
    }
}

/// Whether `scores` are exactly `0, step, 2·step, …, max`, each once.
fn covers_range(scores: impl Iterator<Item = u8>, step: u8, max: u8) -> bool {
    let mut seen = vec![false; usize::from(max) + 1];
    for score in scores {
        let slot = &mut seen[usize::from(score)];
        if *slot || !score.is_multiple_of(step) {
            return false;
        }
        *slot = true;
    }
    seen.iter()
        .enumerate()
        .all(|(score, &present)| present == score.is_multiple_of(usize::from(step)))
}

fn validate_bands(
    bands: &[RawBand],
    max_total: u16,
    worst_defined: u8,
    problems: &mut Problems,
) -> Grading {
    let band_locator =
        |band: &RawBand| Locator::Field { key: "level", value: band.level.to_string(), nth: 0 };
    // `None` = not covered yet.
    let mut by_total: Vec<Option<u8>> = vec![None; usize::from(max_total) + 1];
    for band in bands {
        if band.level > worst_defined {
            problems.push((
                Problem::UnknownLevel {
                    context: "grading".to_owned(),
                    code: band.level,
                    max: worst_defined,
                },
                band_locator(band),
            ));
        }
        if band.min > band.max {
            problems.push((
                Problem::BandReversed { level: band.level, min: band.min, max: band.max },
                band_locator(band),
            ));
            continue;
        }
        if band.max > max_total {
            problems.push((
                Problem::BandBeyondMax { level: band.level, max: band.max, max_total },
                band_locator(band),
            ));
        }
        for total in band.min..=band.max.min(max_total) {
            let slot = &mut by_total[usize::from(total)];
            if let Some(first) = *slot {
                problems.push((
                    Problem::BandOverlap { total, first, second: band.level },
                    band_locator(band),
                ));
                break;
            }
            *slot = Some(band.level);
        }
    }
    // Gaps, reported as ranges.
    let mut total = 0u16;
    while total <= max_total {
        if by_total[usize::from(total)].is_none() {
            let from = total;
            while total < max_total && by_total[usize::from(total + 1)].is_none() {
                total += 1;
            }
            problems
                .push((Problem::BandGap { from, to: total, max_total }, Locator::Key("grading")));
        }
        total += 1;
    }
    // Monotone: walking up the totals, the level code may only stay or improve.
    let mut previous: Option<(u16, u8)> = None;
    for (total, level) in by_total.iter().enumerate() {
        let Some(level) = *level else { continue };
        let total = u16::try_from(total).unwrap_or(u16::MAX);
        if let Some((lower, better)) = previous
            && level > better
        {
            problems.push((
                Problem::BandsNotMonotone { higher: total, worse: level, lower, better },
                Locator::Key("grading"),
            ));
            break;
        }
        previous = Some((total, level));
    }
    Grading::TotalBands {
        bands: bands.iter().map(|b| Band { level: b.level, min: b.min, max: b.max }).collect(),
        by_total: by_total.into_iter().map(|l| l.unwrap_or(worst_defined)).collect(),
    }
}

/// The rule or check a condition belongs to: its name for messages, its place for locating.
struct Owner {
    name: String,
    at: Locator,
}

/// Resolves ids in conditions to indices.
struct Lookup<'a> {
    items: &'a [Item],
    facts: &'a [Fact],
}

impl Lookup<'_> {
    fn condition(&self, raw: &RawCondition, context: &Owner, problems: &mut Problems) -> Condition {
        match raw {
            RawCondition::Fact(id) => {
                Condition::Flag(self.fact(id, true, context, problems).unwrap_or(0))
            }
            RawCondition::CountAtLeast { fact, total } => Condition::CountAtLeast {
                fact: self.fact(fact, false, context, problems).unwrap_or(0),
                total: *total,
            },
            RawCondition::ItemIs { item, score } => {
                let (item, score) = self.item(item, *score, context, problems);
                Condition::ItemIs { item, score }
            }
            RawCondition::ItemAtLeast { item, score } => {
                let (item, score) = self.item(item, *score, context, problems);
                Condition::ItemAtLeast { item, score }
            }
            RawCondition::ItemAtMost { item, score } => {
                let (item, score) = self.item(item, *score, context, problems);
                Condition::ItemAtMost { item, score }
            }
            RawCondition::All(all) => {
                Condition::All(all.iter().map(|c| self.condition(c, context, problems)).collect())
            }
            RawCondition::Any(any) => {
                Condition::Any(any.iter().map(|c| self.condition(c, context, problems)).collect())
            }
            RawCondition::Not(inner) => {
                Condition::Not(Box::new(self.condition(inner, context, problems)))
            }
        }
    }

    fn fact(
        &self,
        id: &str,
        flag: bool,
        context: &Owner,
        problems: &mut Problems,
    ) -> Option<usize> {
        let Some(index) = self.facts.iter().position(|f| f.id == id) else {
            problems.push((
                Problem::UnknownFact { context: context.name.clone(), fact: id.to_owned() },
                Locator::after(&context.at, id),
            ));
            return None;
        };
        let kind_ok = matches!(
            (&self.facts[index].kind, flag),
            (FactKind::Flag, true) | (FactKind::Counts { .. }, false)
        );
        if !kind_ok {
            problems.push((
                Problem::FactKindMismatch {
                    context: context.name.clone(),
                    fact: id.to_owned(),
                    expected: if flag {
                        "Fact(...) 需要 Flag 类型的 fact"
                    } else {
                        "CountAtLeast 需要 Counts 类型的 fact"
                    },
                },
                Locator::after(&context.at, id),
            ));
        }
        Some(index)
    }

    fn item(&self, id: &str, score: u8, context: &Owner, problems: &mut Problems) -> (usize, u8) {
        let Some(index) = self.items.iter().position(|i| i.id == id) else {
            problems.push((
                Problem::UnknownItem { context: context.name.clone(), item: id.to_owned() },
                Locator::after(&context.at, id),
            ));
            return (0, score);
        };
        let item = &self.items[index];
        if score > item.max {
            problems.push((
                Problem::ScoreOutOfRange {
                    context: context.name.clone(),
                    item: id.to_owned(),
                    score,
                    allowed: item.allowed_scores(),
                },
                Locator::after(&context.at, id),
            ));
        }
        (index, score)
    }
}

/// Whether `value` is a valid `YYYY-MM-DD` Gregorian date.
fn is_valid_date(value: &str) -> bool {
    let parts: Vec<&str> = value.split('-').collect();
    let [y, m, d] = parts.as_slice() else {
        return false;
    };
    if y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return false;
    }
    let (Ok(y), Ok(m), Ok(d)) = (y.parse::<u32>(), m.parse::<u32>(), d.parse::<u32>()) else {
        return false;
    };
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn covers_range_accepts_exact_cover_only() {
        assert!(covers_range([4, 3, 2, 1, 0].into_iter(), 1, 4));
        assert!(covers_range([10, 5, 0].into_iter(), 5, 10));
        assert!(!covers_range([4, 3, 1, 0].into_iter(), 1, 4), "gap at 2");
        assert!(!covers_range([4, 3, 3, 2, 1, 0].into_iter(), 1, 4), "3 twice");
        assert!(!covers_range([4, 3, 2, 1].into_iter(), 1, 4), "no 0");
        assert!(!covers_range([10, 6, 0].into_iter(), 5, 10), "6 is off-step");
    }

    #[test]
    fn dates_are_checked_for_real_calendar_days() {
        assert!(is_valid_date("2022-12-30"));
        assert!(is_valid_date("2024-02-29"));
        assert!(!is_valid_date("2023-02-29"));
        assert!(!is_valid_date("2022-13-01"));
        assert!(!is_valid_date("2022-1-01"));
        assert!(!is_valid_date("20221230"));
    }
}
