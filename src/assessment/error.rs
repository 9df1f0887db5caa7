//! Errors in the answers given to the engine.
//!
//! Messages name items by code and name (`B.2.4（上下楼梯）`), never by anything about
//! the person assessed.

use std::fmt;

/// Answers the engine cannot score.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AssessmentError {
    /// One or more answers are missing or invalid; every one is listed.
    #[error("{}", IssueList(.0))]
    InvalidAnswers(Vec<AnswerIssue>),
}

/// At most this many issues are shown in a message; the rest are counted.
pub const MAX_SHOWN_ISSUES: usize = 20;

impl AssessmentError {
    /// The individual issues.
    pub fn issues(&self) -> &[AnswerIssue] {
        match self {
            Self::InvalidAnswers(issues) => issues,
        }
    }

    /// The first [`MAX_SHOWN_ISSUES`] issues, and how many more there are: what a message
    /// shows, so that 100,000 unknown keys give a short, useful error.
    pub fn shown_issues(&self) -> (&[AnswerIssue], usize) {
        split_shown(self.issues())
    }
}

fn split_shown(issues: &[AnswerIssue]) -> (&[AnswerIssue], usize) {
    let (shown, hidden) = issues.split_at(issues.len().min(MAX_SHOWN_ISSUES));
    (shown, hidden.len())
}

/// The line that stands for the issues not shown.
pub fn more_issues_line(hidden: usize) -> String {
    format!("……另有 {hidden} 个问题未列出")
}

struct IssueList<'a>(&'a [AnswerIssue]);

impl fmt::Display for IssueList<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (shown, hidden) = split_shown(self.0);
        for (i, issue) in shown.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{issue}")?;
        }
        if hidden > 0 {
            write!(f, "\n{}", more_issues_line(hidden))?;
        }
        Ok(())
    }
}

/// One problem with one answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AnswerIssue {
    /// An item of the scale has no answer.
    #[error("{item}：未作答")]
    MissingItem {
        /// `B.2.4（上下楼梯）`.
        item: String,
    },
    /// A code that is not an item of the scale.
    #[error("`{code}`：不是本量表的条目")]
    UnknownItem {
        /// The code as given.
        code: String,
    },
    /// The same item answered twice.
    #[error("{item}：重复作答")]
    DuplicateItem {
        /// `B.2.4（上下楼梯）`.
        item: String,
    },
    /// A score the item does not offer.
    #[error("{item}：{value} 分超出范围，可选分值为 {allowed}")]
    OutOfRange {
        /// `B.2.4（上下楼梯）`.
        item: String,
        /// The value as given.
        value: i64,
        /// Allowed scores in words.
        allowed: String,
    },
    /// A fact id the scale does not define.
    #[error("`{id}`：不是本量表的事实项")]
    UnknownFact {
        /// The id as given.
        id: String,
    },
    /// A yes/no value given for a counted fact.
    #[error("`{id}`：应为各类事件的次数，不是是/否")]
    NotAFlag {
        /// Fact id.
        id: String,
    },
    /// Counts given for a yes/no fact.
    #[error("`{id}`：应为是/否，不是次数")]
    NotACount {
        /// Fact id.
        id: String,
    },
    /// A part a counted fact does not have.
    #[error("`{fact}.{part}`：未知的类别，可用类别为 {known}")]
    UnknownPart {
        /// Fact id.
        fact: String,
        /// Part as given.
        part: String,
        /// Known part ids.
        known: String,
    },
    /// A count outside `0..=max`.
    #[error("`{fact}.{part}`：{value} 超出范围，应为 0–{max}（{max} 表示 {max} 次及以上）")]
    CountOutOfRange {
        /// Fact id.
        fact: String,
        /// Part id.
        part: String,
        /// The value as given.
        value: i64,
        /// Highest count.
        max: u8,
    },
}
