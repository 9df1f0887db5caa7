//! The validated scale: what the engine works with.
//!
//! A [`Scale`] can only be built by [`super::validate`], so every invariant listed there
//! holds for every value of these types: ids are unique, references resolve to indices,
//! options cover each item's range exactly once and the grading covers every total.

use std::ops::Range;

/// A validated instrument definition.
#[derive(Debug, Clone)]
pub struct Scale {
    pub(super) id: String,
    pub(super) name: String,
    pub(super) standard: String,
    pub(super) effective: String,
    pub(super) source: String,
    pub(super) notes: Vec<String>,
    pub(super) domains: Vec<Domain>,
    pub(super) items: Vec<Item>,
    pub(super) facts: Vec<Fact>,
    pub(super) levels: Vec<Level>,
    pub(super) grading: Grading,
    pub(super) change_rules: ChangeRules,
    pub(super) checks: Vec<Check>,
    pub(super) max_total: u16,
}

impl Scale {
    /// Stable identifier, e.g. `gbt42195-2022`.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Title as printed.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Designation of the standard, e.g. `GB/T 42195-2022`.
    pub fn standard(&self) -> &str {
        &self.standard
    }

    /// Effective date, `YYYY-MM-DD`.
    pub fn effective(&self) -> &str {
        &self.effective
    }

    /// Where the wording comes from.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Remarks shown with the scale.
    pub fn notes(&self) -> &[String] {
        &self.notes
    }

    /// Domains in the standard's order.
    pub fn domains(&self) -> &[Domain] {
        &self.domains
    }

    /// All items of all domains, in the standard's order. An item's position here is its
    /// index for [`crate::assessment::Answers`].
    pub fn items(&self) -> &[Item] {
        &self.items
    }

    /// The items of one domain.
    pub fn domain_items(&self, domain: &Domain) -> &[Item] {
        &self.items[domain.items.clone()]
    }

    /// Context facts, in file order.
    pub fn facts(&self) -> &[Fact] {
        &self.facts
    }

    /// Levels, best first; a level's code is its index.
    pub fn levels(&self) -> &[Level] {
        &self.levels
    }

    /// The level with this code.
    pub fn level(&self, code: u8) -> Option<&Level> {
        self.levels.get(usize::from(code))
    }

    /// How the preliminary level is derived.
    pub fn grading(&self) -> &Grading {
        &self.grading
    }

    /// The rules from preliminary to final level.
    pub fn change_rules(&self) -> &ChangeRules {
        &self.change_rules
    }

    /// Consistency checks, in file order.
    pub fn checks(&self) -> &[Check] {
        &self.checks
    }

    /// Highest possible total score (the sum of every item's maximum).
    pub fn max_total(&self) -> u16 {
        self.max_total
    }

    /// Index of the item with this code.
    pub fn item_index(&self, id: &str) -> Option<usize> {
        self.items.iter().position(|item| item.id == id)
    }

    /// Index of the fact with this id.
    pub fn fact_index(&self, id: &str) -> Option<usize> {
        self.facts.iter().position(|fact| fact.id == id)
    }
}

/// A first-level indicator (一级指标).
#[derive(Debug, Clone)]
pub struct Domain {
    pub(super) id: String,
    pub(super) name: String,
    pub(super) en: Option<String>,
    pub(super) items: Range<usize>,
    pub(super) max: u16,
}

impl Domain {
    /// Code, e.g. `B.1`.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Name, e.g. `自理能力`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// English name, if given.
    pub fn en(&self) -> Option<&str> {
        self.en.as_deref()
    }

    /// Indices of this domain's items in [`Scale::items`].
    pub fn item_range(&self) -> Range<usize> {
        self.items.clone()
    }

    /// Highest possible domain score.
    pub fn max(&self) -> u16 {
        self.max
    }
}

/// A scored item (二级指标).
#[derive(Debug, Clone)]
pub struct Item {
    pub(super) id: String,
    pub(super) name: String,
    pub(super) en: Option<String>,
    pub(super) definition: String,
    pub(super) notes: Vec<String>,
    pub(super) remarks: Vec<String>,
    pub(super) domain: usize,
    pub(super) step: u8,
    pub(super) max: u8,
    pub(super) options: Vec<ScoreOption>,
}

impl Item {
    /// Code, e.g. `B.1.1`.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Name, e.g. `进食`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// English name, if given.
    pub fn en(&self) -> Option<&str> {
        self.en.as_deref()
    }

    /// Definition, verbatim; empty where the standard gives none.
    pub fn definition(&self) -> &str {
        &self.definition
    }

    /// Notes (注), verbatim.
    pub fn notes(&self) -> &[String] {
        &self.notes
    }

    /// The scale file's explanations of how the notes are applied (说明), not the
    /// standard's words.
    pub fn remarks(&self) -> &[String] {
        &self.remarks
    }

    /// Index of the item's domain in [`Scale::domains`].
    pub fn domain_index(&self) -> usize {
        self.domain
    }

    /// Highest score.
    pub fn max(&self) -> u8 {
        self.max
    }

    /// Options in file order (best first).
    pub fn options(&self) -> &[ScoreOption] {
        &self.options
    }

    /// The option scoring `score`, if there is one.
    pub fn option(&self, score: u8) -> Option<&ScoreOption> {
        self.options.iter().find(|option| option.score == score)
    }

    /// Whether `score` is one of the item's option scores.
    pub fn accepts(&self, score: u8) -> bool {
        score <= self.max && score.is_multiple_of(self.step)
    }

    /// The allowed scores in words, e.g. `0–3` or `0、5、10`.
    pub fn allowed_scores(&self) -> String {
        if self.step == 1 {
            format!("0–{}", self.max)
        } else {
            let scores: Vec<String> =
                (0..=self.max).step_by(usize::from(self.step)).map(|s| s.to_string()).collect();
            scores.join("、")
        }
    }
}

/// One answer option of an item.
#[derive(Debug, Clone)]
pub struct ScoreOption {
    /// Points for this option.
    pub score: u8,
    /// Wording, verbatim.
    pub text: String,
}

/// A context fact used by change rules and checks.
#[derive(Debug, Clone)]
pub struct Fact {
    pub(super) id: String,
    pub(super) label: String,
    pub(super) source: String,
    pub(super) kind: FactKind,
}

impl Fact {
    /// Identifier, e.g. `coma`.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Label as printed, e.g. `昏迷`.
    pub fn label(&self) -> &str {
        &self.label
    }

    /// Where on the form it is recorded, e.g. `A.5.11`.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Yes/no or counted.
    pub fn kind(&self) -> &FactKind {
        &self.kind
    }
}

/// The kind of a context fact.
#[derive(Debug, Clone)]
pub enum FactKind {
    /// Yes/no.
    Flag,
    /// Counts per part, each `0..=max`.
    Counts {
        /// Highest count per part ("max or more").
        max: u8,
        /// The parts, in form order.
        parts: Vec<CountPart>,
    },
}

/// A counted part of a counted fact.
#[derive(Debug, Clone)]
pub struct CountPart {
    /// Identifier, e.g. `fall`.
    pub id: String,
    /// Label, e.g. `跌倒`.
    pub label: String,
}

/// An ability level.
#[derive(Debug, Clone)]
pub struct Level {
    /// Code: 0 is best.
    pub code: u8,
    /// Full name, e.g. `能力轻度受损（轻度失能）`.
    pub name: String,
    /// Short name for lists and charts, e.g. `轻度失能` (the full name when the scale
    /// file gives none).
    pub short: String,
}

/// How the preliminary level is derived.
#[derive(Debug, Clone)]
pub enum Grading {
    /// Bands over the total score.
    TotalBands {
        /// The bands as written, for display.
        bands: Vec<Band>,
        /// Level code for every total `0..=max_total`, precomputed.
        by_total: Vec<u8>,
    },
}

/// A total-score band.
#[derive(Debug, Clone, Copy)]
pub struct Band {
    /// Level code.
    pub level: u8,
    /// Lowest total, inclusive.
    pub min: u16,
    /// Highest total, inclusive.
    pub max: u16,
}

/// The rules from the preliminary to the final level.
#[derive(Debug, Clone)]
pub struct ChangeRules {
    /// How several worsening rules combine.
    pub worsening: Worsening,
    /// The worst level a rule can reach.
    pub worst_level: u8,
    /// A preliminary level at or beyond this is final.
    pub frozen_from_level: Option<u8>,
    /// C.4's lead text, verbatim (may be empty).
    pub lead: String,
    /// C.5's lead text, verbatim (may be empty).
    pub final_lead: String,
    /// The scale file's explanations of how the rules combine.
    pub remarks: Vec<String>,
    /// The rules in report order.
    pub rules: Vec<Rule>,
}

impl ChangeRules {
    /// The grounds in report order: each clause and wording once. Several rules
    /// implementing one clause with one wording (C.4 ② for F00～F03 and F04～F99) give
    /// one ground.
    pub fn grounds(&self) -> Vec<(&str, &str)> {
        ground_list(self.rules.iter())
    }

    /// The grounds (clause and wording) with a rule that reads fact `fact` (an index
    /// into [`Scale::facts`]), for showing next to the field the fact comes from.
    pub fn grounds_using_fact(&self, fact: usize) -> Vec<(&str, &str)> {
        ground_list(self.rules.iter().filter(|r| r.when.reads_fact(fact)))
    }
}

/// `(clause, wording)` of `rules`, each pair once, in rule order.
fn ground_list<'a>(rules: impl Iterator<Item = &'a Rule>) -> Vec<(&'a str, &'a str)> {
    let mut grounds: Vec<(&str, &str)> = Vec::new();
    for rule in rules {
        let ground = (rule.clause.as_str(), rule.text.as_str());
        if !grounds.contains(&ground) {
            grounds.push(ground);
        }
    }
    grounds
}

/// How several worsening rules combine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Worsening {
    /// One step in all.
    Once,
    /// One step per rule that holds.
    Cumulative,
}

/// A change rule.
#[derive(Debug, Clone)]
pub struct Rule {
    /// Identifier, e.g. `coma`.
    pub id: String,
    /// Clause, e.g. `C.4 ①`.
    pub clause: String,
    /// Clause wording, verbatim.
    pub text: String,
    /// When it holds.
    pub when: Condition,
    /// What it does.
    pub effect: Effect,
}

/// What a change rule does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    /// The final level is at least this code.
    SetLevel(u8),
    /// One step worse.
    Worsen,
}

/// A condition with every reference resolved to an index.
#[derive(Debug, Clone)]
pub enum Condition {
    /// Flag fact (index into [`Scale::facts`]) is yes.
    Flag(usize),
    /// Counted fact's parts sum to at least `total`.
    CountAtLeast {
        /// Index into [`Scale::facts`].
        fact: usize,
        /// Threshold.
        total: u16,
    },
    /// Item (index into [`Scale::items`]) scored exactly `score`.
    ItemIs {
        /// Item index.
        item: usize,
        /// Score.
        score: u8,
    },
    /// Item scored at least `score`.
    ItemAtLeast {
        /// Item index.
        item: usize,
        /// Score.
        score: u8,
    },
    /// Item scored at most `score`.
    ItemAtMost {
        /// Item index.
        item: usize,
        /// Score.
        score: u8,
    },
    /// Every condition holds.
    All(Vec<Condition>),
    /// At least one holds.
    Any(Vec<Condition>),
    /// The condition does not hold.
    Not(Box<Condition>),
}

impl Condition {
    /// Whether the condition reads fact `fact` (an index into [`Scale::facts`]).
    pub fn reads_fact(&self, fact: usize) -> bool {
        match self {
            Self::Flag(f) | Self::CountAtLeast { fact: f, .. } => *f == fact,
            Self::ItemIs { .. } | Self::ItemAtLeast { .. } | Self::ItemAtMost { .. } => false,
            Self::All(all) | Self::Any(all) => all.iter().any(|c| c.reads_fact(fact)),
            Self::Not(inner) => inner.reads_fact(fact),
        }
    }
}

/// Severity of a consistency check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Worth a second look.
    Warning,
    /// A reminder.
    Info,
}

impl Severity {
    /// Lower-case name used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Warning => "warning",
            Self::Info => "info",
        }
    }
}

/// A consistency check.
#[derive(Debug, Clone)]
pub struct Check {
    /// Code, e.g. `W001`.
    pub code: String,
    /// Severity.
    pub severity: Severity,
    /// What the assessor sees.
    pub message: String,
    /// Why it is unlikely.
    pub rationale: String,
    /// When it fires.
    pub when: Condition,
}
