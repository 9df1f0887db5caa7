//! `elder-assess import`: assessment records as JSON lines, one
//! [`AssessmentRecord`] (the store's JSON form) per line.
//!
//! Blank lines are skipped; a UTF-8 byte-order mark at the start and CRLF line ends are
//! accepted. The first bad line stops the import with an error that names its number
//! and, for a bad field, the field's path — never a value, which may be a name or an ID
//! number (serde's own messages quote values, so they are not passed on).

use serde_path_to_error::Segment;

use super::error::{FieldProblem, ImportError};
use crate::record::AssessmentRecord;

/// Parses JSON lines into records, in order. See the module docs for the rules.
pub fn parse_jsonl(text: &str) -> Result<Vec<AssessmentRecord>, ImportError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut records = Vec::new();
    for (index, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        records.push(parse_line(line, index + 1)?);
    }
    Ok(records)
}

/// One record from one line; `number` is 1-based.
fn parse_line(line: &str, number: usize) -> Result<AssessmentRecord, ImportError> {
    let mut de = serde_json::Deserializer::from_str(line);
    let record: Result<AssessmentRecord, _> = serde_path_to_error::deserialize(&mut de);
    let record = match record {
        Ok(record) => record,
        Err(err) => {
            let path = safe_path(err.path());
            return Err(describe(&err.into_inner(), path, number));
        }
    };
    // Anything after the record on the same line (a second object, stray text).
    de.end().map_err(|err| describe(&err, String::new(), number))?;
    Ok(record)
}

/// The import error for a `serde_json` error, without its message (which may quote data).
fn describe(err: &serde_json::Error, path: String, line: usize) -> ImportError {
    use serde_json::error::Category;
    match err.classify() {
        Category::Eof => ImportError::Incomplete { line },
        Category::Syntax | Category::Io => ImportError::Syntax { line, column: err.column() },
        Category::Data => {
            // serde's messages for these two start with a fixed phrase and name the
            // field in backticks; the missing field's name is one of the record's own.
            let message = err.to_string();
            let (kind, path) = if let Some(rest) = message.strip_prefix("missing field `") {
                let field = rest.split('`').next().filter(|f| is_field_name(f));
                let joined = match (path.as_str(), field) {
                    (_, None) => path,
                    ("" | ".", Some(field)) => field.to_owned(),
                    (parent, Some(field)) => format!("{parent}.{field}"),
                };
                (FieldProblem::Missing, joined)
            } else if message.starts_with("unknown field `") {
                (FieldProblem::Unknown, path)
            } else {
                (FieldProblem::Invalid, path)
            };
            let path = if path.is_empty() { ".".to_owned() } else { path };
            ImportError::Field { line, path, kind }
        }
    }
}

/// The dotted field path, with anything that could be data replaced by `?`: struct
/// fields and enum variants must look like `snake_case` names, keys under `answers` like
/// item codes (`B.1.1`), and list positions are shown as `[n]`.
fn safe_path(path: &serde_path_to_error::Path) -> String {
    let mut out = String::new();
    let mut parent = "";
    for segment in path {
        let (text, next_parent) = match segment {
            Segment::Seq { index } => (format!("[{index}]"), ""),
            Segment::Map { key } | Segment::Enum { variant: key } => {
                let safe = if parent == "answers" { is_item_code(key) } else { is_field_name(key) };
                if safe { (key.clone(), key.as_str()) } else { ("?".to_owned(), "") }
            }
            Segment::Unknown => ("?".to_owned(), ""),
        };
        if !out.is_empty() && !text.starts_with('[') {
            out.push('.');
        }
        out.push_str(&text);
        parent = if next_parent == "answers" { "answers" } else { "" };
    }
    out
}

/// `snake_case` ASCII, as the record's field and code names are.
fn is_field_name(text: &str) -> bool {
    let mut bytes = text.bytes();
    bytes.next().is_some_and(|b| b.is_ascii_lowercase())
        && bytes.all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        && text.len() <= 40
}

/// An Annex B item code such as `B.1.1`: an upper-case letter, then `.number` parts.
fn is_item_code(text: &str) -> bool {
    let mut parts = text.split('.');
    let head_ok =
        parts.next().is_some_and(|h| h.len() == 1 && h.bytes().all(|b| b.is_ascii_uppercase()));
    let mut count = 0;
    let rest_ok = parts.all(|p| {
        count += 1;
        !p.is_empty() && p.len() <= 3 && p.bytes().all(|b| b.is_ascii_digit())
    });
    head_ok && rest_ok && (1..=4).contains(&count)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_name_the_field_but_not_the_value() {
        let good = r#"{"info": {"number": "1", "reference_date": "2024-05-20"}}"#;
        let bad_sex = r#"{"info": {"number": "1", "reference_date": "2024-05-20"}, "subject": {"name": "张三", "sex": "张三"}}"#;
        let err = parse_jsonl(&format!("{good}\n\n{bad_sex}\n")).unwrap_err();
        let text = err.to_string();
        assert!(text.starts_with("第 3 行"), "{text}");
        assert!(text.contains("subject.sex"), "{text}");
        assert!(!text.contains("张三"), "{text}");

        let err = parse_jsonl(r#"{"info": {"number": "1"}}"#).unwrap_err();
        assert!(err.to_string().contains("info.reference_date"), "{err}");
        let err = parse_jsonl(r#"{"info": {"number": "1", "reference_date": "2024-05-20"}, "answers": {"530926194305120420": 300}}"#).unwrap_err();
        assert!(!err.to_string().contains("530926"), "{err}");
        assert!(err.to_string().contains("answers.?"), "{err}");
        let err = parse_jsonl(r#"{"info": {"number": "1", "reference_date": "2024-05-20"}, "answers": {"B.1.1": 300}}"#).unwrap_err();
        assert!(err.to_string().contains("answers.B.1.1"), "{err}");
        let err = parse_jsonl(&format!("{good} {good}")).unwrap_err();
        assert!(matches!(err, ImportError::Syntax { line: 1, .. }), "{err}");
        let err = parse_jsonl(r#"{"info": {"#).unwrap_err();
        assert!(matches!(err, ImportError::Incomplete { line: 1 }), "{err}");
    }
}
