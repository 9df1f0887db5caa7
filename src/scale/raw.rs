//! The scale file format: serde types that mirror `scales/*.ron` one to one.
//!
//! These types are the format's reference: every field is documented here, for whoever
//! writes or fixes a scale file. They are only ever an intermediate step; [`super::Scale`]
//! is built from them by [`super::validate`], which checks everything serde cannot.
//!
//! Every struct denies unknown fields, so a misspelt key is an error with its position,
//! never a silently ignored line.

use serde::Deserialize;

/// A whole instrument: `Scale( id: …, domains: [...], … )`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename = "Scale", deny_unknown_fields)]
pub struct RawScale {
    /// Stable identifier used in answer files and records, e.g. `"gbt42195-2022"`.
    pub id: String,
    /// The instrument's title as printed, e.g. `"老年人能力评估规范"`.
    pub name: String,
    /// The standard's designation, e.g. `"GB/T 42195-2022"`.
    pub standard: String,
    /// Effective date as `YYYY-MM-DD`.
    pub effective: String,
    /// Where the wording in this file comes from.
    pub source: String,
    /// Free remarks shown with the scale (deviations, open questions).
    #[serde(default)]
    pub notes: Vec<String>,
    /// First-level indicators in the standard's order, each with its items.
    pub domains: Vec<RawDomain>,
    /// Context facts (outside the scored items) that change rules and checks may use.
    #[serde(default)]
    pub facts: Vec<RawFact>,
    /// The ability levels, best first, with codes `0, 1, 2, …`.
    pub levels: Vec<RawLevel>,
    /// How the preliminary level is derived from the item scores.
    pub grading: RawGrading,
    /// Rules that turn the preliminary level into the final level.
    pub change_rules: RawChangeRules,
    /// Consistency checks: reported, never change a score, never block scoring.
    #[serde(default)]
    pub checks: Vec<RawCheck>,
}

/// A first-level indicator: `Domain( id: "B.1", name: "自理能力", items: [...] )`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename = "Domain", deny_unknown_fields)]
pub struct RawDomain {
    /// Code as printed in the standard, e.g. `"B.1"`.
    pub id: String,
    /// Name as printed in the standard.
    pub name: String,
    /// English name, for code readers and exports.
    #[serde(default)]
    pub en: Option<String>,
    /// The items, in the standard's order.
    pub items: Vec<RawItem>,
}

/// A scored item: `Item( id: "B.1.1", name: "进食", definition: "…", options: [...] )`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename = "Item", deny_unknown_fields)]
pub struct RawItem {
    /// Code as printed in the standard, e.g. `"B.1.1"`. Must start with its domain's code.
    pub id: String,
    /// Name as printed in the standard.
    pub name: String,
    /// English name, for code readers and exports.
    #[serde(default)]
    pub en: Option<String>,
    /// The item's definition, verbatim. May be empty where the standard gives none.
    #[serde(default)]
    pub definition: String,
    /// The item's notes (注), verbatim.
    #[serde(default)]
    pub notes: Vec<String>,
    /// This file's explanations of how a note is applied (not the standard's words),
    /// shown as 说明 next to the notes, e.g. that C.4 ① governs B.3.9's coma note.
    #[serde(default)]
    pub remarks: Vec<String>,
    /// Distance between consecutive scores (1 for GB/T 42195; 5 for a Barthel-style item).
    #[serde(default = "one")]
    pub step: u8,
    /// Every option with its score and verbatim text, best first. The scores must cover
    /// `0..=max` in steps of `step`, each exactly once.
    pub options: Vec<RawOption>,
}

fn one() -> u8 {
    1
}

/// One answer option: `(score: 4, text: "独立完成，不需要协助")`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename = "Option", deny_unknown_fields)]
pub struct RawOption {
    /// Points for choosing this option.
    pub score: u8,
    /// The option's wording, verbatim.
    pub text: String,
}

/// A context fact: `Fact( id: "coma", label: "昏迷", source: "A.5.11", kind: Flag )`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename = "Fact", deny_unknown_fields)]
pub struct RawFact {
    /// Identifier used by rules, checks and answer files, e.g. `"coma"`.
    pub id: String,
    /// Label as printed on the form.
    pub label: String,
    /// Where on the form the fact is recorded, e.g. `"A.5.11"`.
    pub source: String,
    /// Yes/no, or a set of counted events.
    pub kind: RawFactKind,
}

/// The kind of a context fact.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename = "FactKind", deny_unknown_fields)]
pub enum RawFactKind {
    /// A yes/no fact.
    Flag,
    /// Counts of several kinds of event, each `0..=max` (the top value means "max or more").
    Counts {
        /// The highest count that can be recorded for one part.
        max: u8,
        /// The parts counted, in form order.
        parts: Vec<RawCountPart>,
    },
}

/// One counted part of a [`RawFactKind::Counts`] fact: `(id: "fall", label: "跌倒")`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename = "Part", deny_unknown_fields)]
pub struct RawCountPart {
    /// Identifier used in answer files, e.g. `"fall"`.
    pub id: String,
    /// Label as printed on the form.
    pub label: String,
}

/// An ability level: `(code: 1, name: "能力轻度受损（轻度失能）", short: "轻度失能")`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename = "Level", deny_unknown_fields)]
pub struct RawLevel {
    /// Level code; codes are `0, 1, 2, …` with 0 the best.
    pub code: u8,
    /// Full name as printed in the standard.
    pub name: String,
    /// Short name for lists and charts (the part in brackets); the full name if absent.
    #[serde(default)]
    pub short: Option<String>,
}

/// How the preliminary level is derived.
///
/// Only total-score bands exist today. MZ/T 039-2013 (per-domain grades, then a
/// combination table) will be a second variant here; the engine already dispatches on it.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename = "Grading", deny_unknown_fields)]
pub enum RawGrading {
    /// The level is looked up from the total score: `TotalBands([(level: 0, min: 90, max: 90), …])`.
    /// The bands must cover `0..=max total` with no gap or overlap, and a higher score may
    /// never give a worse level.
    TotalBands(Vec<RawBand>),
}

/// A total-score band: `(level: 1, min: 66, max: 89)`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename = "Band", deny_unknown_fields)]
pub struct RawBand {
    /// The level code this band gives.
    pub level: u8,
    /// Lowest total in the band, inclusive.
    pub min: u16,
    /// Highest total in the band, inclusive.
    pub max: u16,
}

/// The change rules: `ChangeRules( worsening: Once, worst_level: 4, rules: [...] )`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename = "ChangeRules", deny_unknown_fields)]
pub struct RawChangeRules {
    /// Whether several `Worsen` rules that hold add up or count once.
    pub worsening: RawWorsening,
    /// No rule can make the final level worse than this.
    pub worst_level: u8,
    /// If set, a preliminary level at or beyond this one is final: no rule changes it
    /// (MZ/T 039-2013's "等级不再提高").
    #[serde(default)]
    pub frozen_from_level: Option<u8>,
    /// The lead text of the grounds (C.4), verbatim; printed above them.
    #[serde(default)]
    pub lead: String,
    /// The lead text of the final level (C.5), verbatim; printed above it.
    #[serde(default)]
    pub final_lead: String,
    /// This file's explanations of how the rules combine (not the standard's words).
    #[serde(default)]
    pub remarks: Vec<String>,
    /// The rules, in the order the report lists them. Several rules may implement one
    /// ground (one clause): they then share its wording, which the first of them gives.
    pub rules: Vec<RawRule>,
}

/// How several worsening rules combine.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename = "Worsening")]
pub enum RawWorsening {
    /// One step in all, however many `Worsen` rules hold.
    Once,
    /// One step per `Worsen` rule that holds.
    Cumulative,
}

/// A change rule: `Rule( id: "coma", clause: "C.4 ①", text: "…", when: Fact("coma"), effect: SetLevel(4) )`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename = "Rule", deny_unknown_fields)]
pub struct RawRule {
    /// Identifier used in outcomes, e.g. `"coma"`.
    pub id: String,
    /// The clause it implements, e.g. `"C.4 ①"`.
    pub clause: String,
    /// The clause's wording, verbatim. Left out on a rule that implements the same
    /// clause as an earlier rule, which then gives the wording: the two are one ground.
    #[serde(default)]
    pub text: String,
    /// When the rule holds.
    pub when: RawCondition,
    /// What it does to the level.
    pub effect: RawEffect,
}

/// What a change rule does.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename = "Effect")]
pub enum RawEffect {
    /// Set the final level to this code, whatever the preliminary level.
    SetLevel(u8),
    /// Make the level one step worse (see [`RawWorsening`]).
    Worsen,
}

/// A condition over item scores and context facts.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename = "Condition")]
pub enum RawCondition {
    /// A yes/no fact is yes: `Fact("coma")`.
    Fact(String),
    /// The counts of a counted fact add up to at least `total`:
    /// `CountAtLeast(fact: "risk_events_30d", total: 2)`.
    CountAtLeast {
        /// A fact of kind `Counts`.
        fact: String,
        /// Threshold for the sum over all parts.
        total: u16,
    },
    /// An item scored exactly `score`: `ItemIs(item: "B.2.3", score: 4)`.
    ItemIs {
        /// Item code.
        item: String,
        /// Score to compare with.
        score: u8,
    },
    /// An item scored `score` or more.
    ItemAtLeast {
        /// Item code.
        item: String,
        /// Score to compare with.
        score: u8,
    },
    /// An item scored `score` or less.
    ItemAtMost {
        /// Item code.
        item: String,
        /// Score to compare with.
        score: u8,
    },
    /// Every condition holds.
    All(Vec<RawCondition>),
    /// At least one condition holds.
    Any(Vec<RawCondition>),
    /// The condition does not hold.
    Not(Box<RawCondition>),
}

/// A consistency check: `Check( code: "W001", severity: Warning, message: "…", rationale: "…", when: … )`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename = "Check", deny_unknown_fields)]
pub struct RawCheck {
    /// Code `W` followed by three digits, unique in the scale.
    pub code: String,
    /// How strongly the assessor should look again.
    pub severity: RawSeverity,
    /// What the assessor sees, in plain words.
    pub message: String,
    /// One line: why these answers are unlikely together.
    pub rationale: String,
    /// When the check fires.
    pub when: RawCondition,
}

/// Severity of a consistency check.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename = "Severity")]
pub enum RawSeverity {
    /// Worth a second look before completing.
    Warning,
    /// A reminder; often fine as it stands.
    Info,
}
