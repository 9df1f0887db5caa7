//! The scoring engine: pure functions over a validated [`Scale`](crate::scale::Scale).
//!
//! - [`Answers`] and [`Facts`] hold what the assessor recorded (Annex B scores; the
//!   Annex A facts the change rules need).
//! - [`score`] turns them into an [`Outcome`]: domain scores, total, preliminary level,
//!   the change rules that hold with the facts that triggered them, final level and the
//!   consistency warnings.
//! - [`progress`] gives the running total and the possible levels of an unfinished one.
//! - [`json`] is the `elder-assess score` contract.
//!
//! No GUI, database or PDF code here, and no clock: the same input always gives the same
//! output.

mod answers;
mod error;
pub mod json;
mod progress;
mod score;

pub use answers::{Answers, FactValue, Facts};
pub use error::{AnswerIssue, AssessmentError, MAX_SHOWN_ISSUES, more_issues_line};
pub use progress::{Progress, progress};
pub use score::{Adjustment, Evidence, GroundHeld, Outcome, Warning, preliminary, score};
