//! Reading RON data files (scales, policies) with errors that point at the file position.
//!
//! Parsing uses ron with `IMPLICIT_SOME`, so optional fields are written as plain values.
//! Validation problems found after parsing carry a [`Locator`] (an id or `key: value` to
//! look for), which [`locate`] turns into a 1-based line and column in characters. Every
//! failure is a [`DataFileError`] of [`Located`] problems (`file:line:column: …`).

use std::fmt;
use std::path::Path;

use serde::de::DeserializeOwned;

use super::located::{DataFileError, Located, Position};

/// Reads the file at `path` and [`load`]s it; errors name the file as `path` displays.
pub(crate) fn load_file<R: DeserializeOwned, T, P: fmt::Debug + fmt::Display>(
    path: &Path,
    validate: impl FnOnce(R) -> Result<T, Vec<(P, Locator)>>,
) -> Result<T, DataFileError<P>> {
    let file = path.display().to_string();
    let source =
        std::fs::read_to_string(path).map_err(|err| DataFileError::unreadable(&file, &err))?;
    load(&source, &file, validate)
}

/// Parses `source` and validates it with `validate`, locating every problem; `file`
/// names the source in errors.
pub(crate) fn load<R: DeserializeOwned, T, P: fmt::Debug + fmt::Display>(
    source: &str,
    file: &str,
    validate: impl FnOnce(R) -> Result<T, Vec<(P, Locator)>>,
) -> Result<T, DataFileError<P>> {
    let raw = parse(source, file).map_err(DataFileError::Parse)?;
    validate(raw).map_err(|problems| {
        let mut located: Vec<Located<P>> = problems
            .into_iter()
            .map(|(problem, locator)| {
                Located::new(Some(file), Some(locate(source, &locator)), problem)
            })
            .collect();
        located.sort_by_key(|problem| problem.at.map(|at| (at.line, at.column)));
        DataFileError::Invalid(located)
    })
}

/// Parses RON `source` into `T`; `file` names it in the error.
fn parse<T: DeserializeOwned>(source: &str, file: &str) -> Result<T, Located> {
    // `IMPLICIT_SOME` lets optional fields be written as plain values (`en: "Eating"`).
    let options =
        ron::Options::default().with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME);
    options.from_str(source).map_err(|err| {
        let at = Position { line: err.span.start.line, column: err.span.start.col };
        Located::new(Some(file), Some(at), describe_ron_error(&err.code))
    })
}

/// Turns ron's error into a message that says what to change.
fn describe_ron_error(code: &ron::Error) -> String {
    let within = |outer: &Option<String>| {
        outer.as_deref().map(|o| format!("（在 `{o}` 中）")).unwrap_or_default()
    };
    let list =
        |names: &[&str]| names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join("、");
    match code {
        ron::Error::NoSuchStructField { expected, found, outer } => format!(
            "未知字段 `{found}`{}：可用字段为 {}；请检查拼写",
            within(outer),
            list(expected)
        ),
        ron::Error::MissingStructField { field, outer } => {
            format!("缺少字段 `{field}`{}：请补上该字段", within(outer))
        }
        ron::Error::DuplicateStructField { field, outer } => {
            format!("字段 `{field}` 重复{}：请删除其中一个", within(outer))
        }
        ron::Error::NoSuchEnumVariant { expected, found, outer } => {
            format!("未知取值 `{found}`{}：可用取值为 {}", within(outer), list(expected))
        }
        other => format!("RON 语法错误：{other}"),
    }
}

/// Where in the source a problem is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Locator {
    /// The `nth` (0-based) occurrence of the quoted string `"text"`.
    Str { text: String, nth: usize },
    /// The `nth` occurrence of `key: value` (any white space around the colon).
    Field { key: &'static str, value: String, nth: usize },
    /// The first occurrence of `key:`.
    Key(&'static str),
    /// The first quoted string `"text"` after where `anchor` is.
    After { anchor: Box<Locator>, text: String },
}

impl Locator {
    pub(crate) fn str(text: &str) -> Self {
        Self::Str { text: text.to_owned(), nth: 0 }
    }

    pub(crate) fn after(anchor: &Locator, text: &str) -> Self {
        Self::After { anchor: Box::new(anchor.clone()), text: text.to_owned() }
    }
}

/// Finds a locator in the source: 1-based line and column (in characters).
/// Falls back to `1:1` when the text is not found.
pub(crate) fn locate(source: &str, locator: &Locator) -> Position {
    offset_of(source, locator).map_or(Position { line: 1, column: 1 }, |at| line_column(source, at))
}

fn offset_of(source: &str, locator: &Locator) -> Option<usize> {
    match locator {
        Locator::Str { text, nth } => {
            source.match_indices(&format!("\"{text}\"")).nth(*nth).map(|(at, _)| at)
        }
        Locator::Field { key, value, nth } => find_fields(source, key)
            .filter(|&(_, v)| value_matches(v, value))
            .nth(*nth)
            .map(|(at, _)| at),
        Locator::Key(key) => find_fields(source, key).next().map(|(at, _)| at),
        Locator::After { anchor, text } => {
            let start = offset_of(source, anchor)?;
            let needle = format!("\"{text}\"");
            // Skip the anchor itself when it is the same string.
            let from = if source[start..].starts_with(&needle) { start + 1 } else { start };
            source[from..].find(&needle).map(|at| from + at)
        }
    }
}

/// Every `key:` in the source (as a whole word), with the text after the colon.
fn find_fields<'s>(source: &'s str, key: &'s str) -> impl Iterator<Item = (usize, &'s str)> + 's {
    source.match_indices(key).filter_map(move |(at, _)| {
        let before_ok =
            source[..at].chars().next_back().is_none_or(|c| !(c.is_alphanumeric() || c == '_'));
        let rest = source[at + key.len()..].trim_start();
        let after = rest.strip_prefix(':')?;
        before_ok.then_some((at, after.trim_start()))
    })
}

fn value_matches(text_after_colon: &str, value: &str) -> bool {
    text_after_colon.strip_prefix(value).is_some_and(|rest| {
        rest.chars().next().is_none_or(|c| !(c.is_alphanumeric() || c == '_' || c == '.'))
    })
}

/// 1-based line and character column of a byte offset.
fn line_column(source: &str, offset: usize) -> Position {
    let before = &source[..offset.min(source.len())];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    Position { line, column }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locate_counts_lines_and_characters() {
        let at = |line, column| Position { line, column };
        let source = "A(\n  名称: \"进食\", id: \"B.1.1\",\n  id: \"B.1.1\")";
        assert_eq!(locate(source, &Locator::str("B.1.1")), at(2, 17));
        assert_eq!(locate(source, &Locator::Str { text: "B.1.1".to_owned(), nth: 1 }), at(3, 7));
        assert_eq!(
            locate(source, &Locator::Field { key: "id", value: "\"B.1.1\"".to_owned(), nth: 1 }),
            at(3, 3)
        );
        assert_eq!(locate(source, &Locator::str("missing")), at(1, 1));
    }
}
