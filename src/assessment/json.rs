//! The JSON contract of `elder-assess score`: [`ScoreInput`] in, [`ScoreOutput`] out.
//!
//! Input:
//! ```json
//! {"scale": "gbt42195-2022",
//!  "items": {"B.1.1": 4, "…": 0},
//!  "coma": false, "dementia": false, "mental_disorder": false,
//!  "risk_events_30d": {"fall": 0, "wandering": 0, "choking": 0, "suicide_self_harm": 0, "other": 0}}
//! ```
//! Unknown fields and duplicate keys are errors. `scale` may be omitted; the three flags
//! and `risk_events_30d` may not. Inside `risk_events_30d` a missing key or `null` is a
//! kind not answered: it adds nothing to the C.4 ③ total (only answered counts are
//! summed), the same as an unanswered A.2.14 count of a record.

use std::collections::HashSet;
use std::fmt;

use serde::de::{MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::scale::{Effect, Scale};

use super::answers::{Answers, Facts};
use super::error::AssessmentError;
use super::score::Outcome;

/// The input of `elder-assess score`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScoreInput {
    /// Scale id; defaults to [`crate::scale::DEFAULT_SCALE_ID`].
    #[serde(default)]
    pub scale: Option<String>,
    /// Item code → score of the chosen option, in the order given.
    #[serde(deserialize_with = "ordered_unique_map")]
    pub items: Vec<(String, i64)>,
    /// A.5.11 昏迷.
    pub coma: bool,
    /// A.4.1 痴呆（F00～F03）.
    pub dementia: bool,
    /// A.4.1 其他精神和行为障碍（F04～F99）.
    pub mental_disorder: bool,
    /// A.2.14 counts per kind of event, `0..=3` (3 = three or more); `None` (`null`) =
    /// not answered.
    #[serde(deserialize_with = "ordered_unique_map")]
    pub risk_events_30d: Vec<(String, Option<i64>)>,
}

impl ScoreInput {
    /// Parses the JSON text. The error names the field path and position.
    pub fn from_json(text: &str) -> Result<Self, crate::datafile::Located> {
        crate::datafile::json_text::parse(text)
    }

    /// Checks every value against `scale` and builds the engine's inputs. Every problem
    /// is reported at once.
    pub fn to_answers(&self, scale: &Scale) -> Result<(Answers, Facts), AssessmentError> {
        let mut issues = Vec::new();
        let answers =
            match Answers::from_codes(scale, self.items.iter().map(|(k, v)| (k.as_str(), *v))) {
                Ok(answers) => Some(answers),
                Err(err) => {
                    issues.extend_from_slice(err.issues());
                    None
                }
            };
        let mut facts = Facts::new(scale);
        for (id, value) in [
            ("coma", self.coma),
            ("dementia", self.dementia),
            ("mental_disorder", self.mental_disorder),
        ] {
            if let Err(issue) = facts.set_flag(scale, id, value) {
                issues.push(issue);
            }
        }
        for (part, count) in &self.risk_events_30d {
            // Unanswered adds nothing; setting 0 still checks the part id.
            let count = count.unwrap_or(0);
            if let Err(issue) = facts.set_count(scale, "risk_events_30d", part, count) {
                issues.push(issue);
            }
        }
        match answers {
            Some(answers) if issues.is_empty() => Ok((answers, facts)),
            _ => Err(AssessmentError::InvalidAnswers(issues)),
        }
    }
}

/// Deserializes a JSON object into ordered pairs, rejecting duplicate keys.
fn ordered_unique_map<'de, D: Deserializer<'de>, V: Deserialize<'de>>(
    de: D,
) -> Result<Vec<(String, V)>, D::Error> {
    struct PairsVisitor<V>(std::marker::PhantomData<V>);

    impl<'de, V: Deserialize<'de>> Visitor<'de> for PairsVisitor<V> {
        type Value = Vec<(String, V)>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an object of integers")
        }

        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            // A set of the keys seen makes the duplicate check linear (100,000 keys).
            let mut seen: HashSet<String> = HashSet::new();
            let mut pairs: Vec<(String, V)> = Vec::new();
            while let Some(key) = map.next_key::<String>()? {
                if !seen.insert(key.clone()) {
                    return Err(serde::de::Error::custom(format!("键 `{key}` 重复")));
                }
                let value = map.next_value::<V>()?;
                pairs.push((key, value));
            }
            Ok(pairs)
        }
    }

    de.deserialize_map(PairsVisitor(std::marker::PhantomData))
}

/// The output of `elder-assess score`.
#[derive(Debug, Clone, Serialize)]
pub struct ScoreOutput {
    /// Scale id.
    pub scale: String,
    /// Domain id → score, in domain order.
    #[serde(serialize_with = "ordered_map")]
    pub domain_scores: Vec<(String, u16)>,
    /// Domain id → maximum, in domain order.
    #[serde(serialize_with = "ordered_map")]
    pub domain_max: Vec<(String, u16)>,
    /// Total score.
    pub total: u16,
    /// Preliminary level code (C.3).
    pub preliminary_level: u8,
    /// Final level code (C.5).
    pub final_level: u8,
    /// Full name of the final level.
    pub level_name: String,
    /// Full name of the preliminary level.
    pub preliminary_level_name: String,
    /// Change rules whose condition holds.
    pub adjustments: Vec<AdjustmentOutput>,
    /// Consistency checks that fired.
    pub warnings: Vec<WarningOutput>,
}

/// A change rule that holds, in JSON.
#[derive(Debug, Clone, Serialize)]
pub struct AdjustmentOutput {
    /// Rule id: `coma`, `dementia`, `mental_disorder`, `risk_events`.
    pub id: String,
    /// Clause, e.g. `C.4 ①`.
    pub clause: String,
    /// `set_level` or `worsen`.
    pub effect: &'static str,
    /// For `set_level`: the level set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to_level: Option<u8>,
    /// The clause's wording.
    pub text: String,
    /// What triggered it, in words.
    pub trigger: String,
}

/// A fired consistency check, in JSON.
#[derive(Debug, Clone, Serialize)]
pub struct WarningOutput {
    /// `W001`…
    pub code: String,
    /// `warning` or `info`.
    pub severity: &'static str,
    /// What to look at.
    pub message: String,
}

impl From<&Outcome<'_>> for ScoreOutput {
    fn from(outcome: &Outcome<'_>) -> Self {
        let scale = outcome.scale;
        Self {
            scale: scale.id().to_owned(),
            domain_scores: scale
                .domains()
                .iter()
                .zip(&outcome.domain_scores)
                .map(|(d, s)| (d.id().to_owned(), *s))
                .collect(),
            domain_max: scale.domains().iter().map(|d| (d.id().to_owned(), d.max())).collect(),
            total: outcome.total,
            preliminary_level: outcome.preliminary_level,
            final_level: outcome.final_level,
            level_name: outcome.level_name().to_owned(),
            preliminary_level_name: outcome.preliminary_level_name().to_owned(),
            adjustments: outcome
                .adjustments
                .iter()
                .map(|a| AdjustmentOutput {
                    id: a.rule.id.clone(),
                    clause: a.rule.clause.clone(),
                    effect: match a.rule.effect {
                        Effect::SetLevel(_) => "set_level",
                        Effect::Worsen => "worsen",
                    },
                    to_level: match a.rule.effect {
                        Effect::SetLevel(code) => Some(code),
                        Effect::Worsen => None,
                    },
                    text: a.rule.text.clone(),
                    trigger: a.to_string(),
                })
                .collect(),
            warnings: outcome
                .warnings
                .iter()
                .map(|w| WarningOutput {
                    code: w.code().to_owned(),
                    severity: w.severity().as_str(),
                    message: w.message().to_owned(),
                })
                .collect(),
        }
    }
}

fn ordered_map<S: Serializer>(pairs: &[(String, u16)], ser: S) -> Result<S::Ok, S::Error> {
    ser.collect_map(pairs.iter().map(|(k, v)| (k, v)))
}
