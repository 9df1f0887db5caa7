//! The one located-error type of data files and of JSON given to the command line
//! ([`Located`]), and the error of loading a data file ([`DataFileError`]), which the
//! scale and policy errors wrap.
//!
//! A position is written the way each input has always been told about:
//! - in a named file, like a compiler: `file:line:column: what is wrong`;
//! - in text the caller names itself (the command line puts `FILE: ` in front), in words
//!   after the problem: `what is wrong（第 L 行第 C 列）`.

use std::fmt;

/// A 1-based line and column (in characters) in a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
}

impl Position {
    /// The position of a `serde_json` error; `None` when serde gives none (line 0).
    pub(crate) fn of_json(err: &serde_json::Error) -> Option<Self> {
        (err.line() > 0).then(|| Self { line: err.line(), column: err.column() })
    }
}

/// A problem at a place in a data file, or in JSON given to the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located<P = String> {
    /// The file as named to the user; `None` when the caller names the text itself.
    pub file: Option<String>,
    /// Where the problem is; `None` when the reader did not say (or for a whole file that
    /// could not be read).
    pub at: Option<Position>,
    /// What is wrong and, where the message can say it, what to change.
    pub problem: P,
    /// The reader's own account, shown after the position (`JSON 格式错误（…）：detail`).
    pub detail: Option<String>,
}

impl<P> Located<P> {
    /// `problem` at `at` in `file`, with no detail.
    pub fn new(file: Option<&str>, at: Option<Position>, problem: P) -> Self {
        Self { file: file.map(str::to_owned), at, problem, detail: None }
    }
}

impl<P: fmt::Display> fmt::Display for Located<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let problem = &self.problem;
        match (&self.file, self.at) {
            (Some(file), Some(at)) => write!(f, "{file}:{}:{}: {problem}", at.line, at.column),
            (Some(file), None) => write!(f, "{file}: {problem}"),
            (None, Some(at)) => write!(f, "{problem}（第 {} 行第 {} 列）", at.line, at.column),
            (None, None) => write!(f, "{problem}"),
        }?;
        if let Some(detail) = &self.detail {
            write!(f, "：{detail}")?;
        }
        Ok(())
    }
}

impl<P: fmt::Debug + fmt::Display> std::error::Error for Located<P> {}

/// A data file (a scale, a service list) that could not be loaded; `P` is the format's
/// own kind of broken rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DataFileError<P: fmt::Debug + fmt::Display> {
    /// The file could not be read (`file: 无法读取文件：reason`).
    #[error("{0}")]
    Read(Located),
    /// The text is not valid RON for the format.
    #[error("{0}")]
    Parse(Located),
    /// The file parsed but breaks rules of its format: every problem, in file order.
    #[error("{}", Lines(.0))]
    Invalid(Vec<Located<P>>),
}

impl<P: fmt::Debug + fmt::Display> DataFileError<P> {
    /// `file` could not be read, for this reason (the operating system's words).
    pub(crate) fn unreadable(file: &str, reason: &std::io::Error) -> Self {
        Self::Read(Located::new(Some(file), None, format!("无法读取文件：{reason}")))
    }

    /// The broken rules, in file order (none when the file did not parse or read).
    pub fn problems(&self) -> &[Located<P>] {
        match self {
            Self::Invalid(problems) => problems,
            Self::Read(_) | Self::Parse(_) => &[],
        }
    }
}

/// Located problems, one a line.
struct Lines<'a, P>(&'a [Located<P>]);

impl<P: fmt::Display> fmt::Display for Lines<'_, P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, problem) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{problem}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_named_file_puts_the_position_first_and_other_text_puts_it_in_words() {
        let at = Some(Position { line: 3, column: 7 });
        assert_eq!(Located::new(Some("a.ron"), at, "缺少字段").to_string(), "a.ron:3:7: 缺少字段");
        assert_eq!(Located::new(None, at, "JSON 无效").to_string(), "JSON 无效（第 3 行第 7 列）");
        assert_eq!(Located::new(Some("a.ron"), None, "无法读取").to_string(), "a.ron: 无法读取");
        let mut syntax = Located::new(None, at, "JSON 格式错误");
        syntax.detail = Some("expected value".to_owned());
        assert_eq!(syntax.to_string(), "JSON 格式错误（第 3 行第 7 列）：expected value");
    }

    #[test]
    fn invalid_files_list_one_problem_a_line() {
        let one = |line| Located::new(Some("p.ron"), Some(Position { line, column: 1 }), "x");
        let err: DataFileError<&str> = DataFileError::Invalid(vec![one(1), one(2)]);
        assert_eq!(err.to_string(), "p.ron:1:1: x\np.ron:2:1: x");
        assert_eq!(err.problems().len(), 2);
    }
}
