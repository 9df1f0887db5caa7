//! What the assessor recorded: item scores ([`Answers`]) and context facts ([`Facts`]).
//!
//! Both are dense vectors indexed like the scale's items and facts, so scoring does no
//! lookups by name. Building them from codes (`"B.1.1"`, `"coma"`) checks every value and
//! reports every problem at once.

use crate::scale::{FactKind, Item, Scale};

use super::error::{AnswerIssue, AssessmentError};

/// Item scores for one assessment, indexed like [`Scale::items`]; `None` = not answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answers {
    scores: Vec<Option<u8>>,
}

impl Answers {
    /// No item answered yet.
    pub fn new(scale: &Scale) -> Self {
        Self { scores: vec![None; scale.items().len()] }
    }

    /// Builds answers from `(item code, score)` pairs, checking each against the scale.
    ///
    /// Every unknown code, duplicate, out-of-range score and missing item is reported,
    /// in that order of kind and in scale order within a kind.
    pub fn from_codes<'a>(
        scale: &Scale,
        pairs: impl IntoIterator<Item = (&'a str, i64)>,
    ) -> Result<Self, AssessmentError> {
        let mut answers = Self::new(scale);
        let mut issues = Vec::new();
        let mut out_of_range = vec![false; scale.items().len()];
        for (code, value) in pairs {
            let Some(index) = scale.item_index(code) else {
                issues.push(AnswerIssue::UnknownItem { code: code.to_owned() });
                continue;
            };
            let item = &scale.items()[index];
            if answers.scores[index].is_some() || out_of_range[index] {
                issues.push(AnswerIssue::DuplicateItem { item: item_label(item) });
                continue;
            }
            if let Some(score) = u8::try_from(value).ok().filter(|&s| item.accepts(s)) {
                answers.scores[index] = Some(score);
            } else {
                out_of_range[index] = true;
                issues.push(AnswerIssue::OutOfRange {
                    item: item_label(item),
                    value,
                    allowed: item.allowed_scores(),
                });
            }
        }
        for (index, item) in scale.items().iter().enumerate() {
            if answers.scores[index].is_none() && !out_of_range[index] {
                issues.push(AnswerIssue::MissingItem { item: item_label(item) });
            }
        }
        if issues.is_empty() { Ok(answers) } else { Err(AssessmentError::InvalidAnswers(issues)) }
    }

    /// The score of item `index`, if answered.
    pub fn get(&self, index: usize) -> Option<u8> {
        self.scores.get(index).copied().flatten()
    }

    /// Records (or with `None` clears) the score of item `index`.
    ///
    /// The value is not checked here; [`super::score`] rejects a score the item does not
    /// offer. Out-of-bounds indices are ignored.
    pub fn set(&mut self, index: usize, score: Option<u8>) {
        if let Some(slot) = self.scores.get_mut(index) {
            *slot = score;
        }
    }

    /// All scores, indexed like [`Scale::items`].
    pub fn as_slice(&self) -> &[Option<u8>] {
        &self.scores
    }

    /// How many items in `range` (indices into [`Scale::items`]) are answered.
    pub fn answered_in(&self, range: std::ops::Range<usize>) -> usize {
        self.scores.get(range).map_or(0, |s| s.iter().filter(|s| s.is_some()).count())
    }
}

/// Context facts for one assessment, indexed like [`Scale::facts`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Facts {
    values: Vec<FactValue>,
}

/// The recorded value of one fact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FactValue {
    /// A yes/no fact.
    Flag(bool),
    /// Counts per part, in the fact's part order.
    Counts(Vec<u8>),
}

impl Facts {
    /// Every flag "no" and every count 0.
    pub fn new(scale: &Scale) -> Self {
        let values = scale
            .facts()
            .iter()
            .map(|fact| match fact.kind() {
                FactKind::Flag => FactValue::Flag(false),
                FactKind::Counts { parts, .. } => FactValue::Counts(vec![0; parts.len()]),
            })
            .collect();
        Self { values }
    }

    /// The value of fact `index`.
    pub fn get(&self, index: usize) -> Option<&FactValue> {
        self.values.get(index)
    }

    /// Whether flag fact `index` is yes (`false` for anything else).
    pub fn flag(&self, index: usize) -> bool {
        matches!(self.values.get(index), Some(FactValue::Flag(true)))
    }

    /// The counts of counted fact `index` (empty for anything else).
    pub fn counts(&self, index: usize) -> &[u8] {
        match self.values.get(index) {
            Some(FactValue::Counts(counts)) => counts,
            _ => &[],
        }
    }

    /// Sets a yes/no fact by id.
    pub fn set_flag(&mut self, scale: &Scale, id: &str, value: bool) -> Result<(), AnswerIssue> {
        let index =
            scale.fact_index(id).ok_or_else(|| AnswerIssue::UnknownFact { id: id.to_owned() })?;
        match &mut self.values[index] {
            FactValue::Flag(slot) => {
                *slot = value;
                Ok(())
            }
            FactValue::Counts(_) => Err(AnswerIssue::NotAFlag { id: id.to_owned() }),
        }
    }

    /// Sets one part of a counted fact by ids; the count must be within `0..=max`.
    pub fn set_count(
        &mut self,
        scale: &Scale,
        fact: &str,
        part: &str,
        value: i64,
    ) -> Result<(), AnswerIssue> {
        let index = scale
            .fact_index(fact)
            .ok_or_else(|| AnswerIssue::UnknownFact { id: fact.to_owned() })?;
        let FactKind::Counts { max, parts } = scale.facts()[index].kind() else {
            return Err(AnswerIssue::NotACount { id: fact.to_owned() });
        };
        let part_index =
            parts.iter().position(|p| p.id == part).ok_or_else(|| AnswerIssue::UnknownPart {
                fact: fact.to_owned(),
                part: part.to_owned(),
                known: parts.iter().map(|p| p.id.as_str()).collect::<Vec<_>>().join("、"),
            })?;
        let count = u8::try_from(value).ok().filter(|c| c <= max).ok_or_else(|| {
            AnswerIssue::CountOutOfRange {
                fact: fact.to_owned(),
                part: part.to_owned(),
                value,
                max: *max,
            }
        })?;
        if let FactValue::Counts(counts) = &mut self.values[index] {
            counts[part_index] = count;
        }
        Ok(())
    }
}

/// `B.2.4（上下楼梯）`: how items are named in messages.
pub(crate) fn item_label(item: &Item) -> String {
    format!("{}（{}）", item.id(), item.name())
}
