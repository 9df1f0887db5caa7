//! `elder-assess import`: assessment records as JSON lines, one
//! [`AssessmentRecord`] (the store's JSON form) per line, parsed next to the record they
//! hold; [`ImportError`] names the first bad line.
//!
//! Blank lines are skipped; a UTF-8 byte-order mark at the start (the command line's one
//! rule, `datafile::json_text::strip_bom`) and CRLF line ends are accepted. Each line is
//! checked as strictly as `score` checks its input: a duplicate key (anywhere, e.g. an
//! answer given twice) and a field the record format does not know are errors. Then the
//! record runs [`AssessmentRecord::invalid_values`], the same validation that `report`,
//! submitting and approving use: a wrong ID number check digit, a birth date not before
//! the reference date, an age above [`crate::record::MAX_AGE`], an unknown item code or a
//! score out of range stops the import, and so does a 乡镇 that is missing or not one of
//! the county's `townships` ([`AssessmentRecord::township_issue`]: without it the record
//! would be counted under 未填写 and missed by the queue's filter). A record that is
//! otherwise only unfinished is imported.
//!
//! The first bad line stops the import with an error that names its number and the field
//! (its path, or its form code such as `A.2.8`) — never a value, which may be a name or
//! an ID number (serde's own messages quote values, so they are not passed on).

use serde_json::Value;
use serde_path_to_error::Segment;

use super::{AssessmentRecord, FieldCode, FieldIssue, join_issues};
use crate::scale::Scale;

/// Why a JSON-lines import failed: the first bad line, by number.
///
/// Privacy: no message contains a field value. A bad value is named by its line and field
/// path (`subject.sex`), never by the value itself, because values may be a name or an ID
/// number.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// A line that is not valid JSON.
    #[error("第 {line} 行：不是有效的 JSON（第 {column} 列附近）")]
    Syntax {
        /// 1-based line number in the input.
        line: usize,
        /// 1-based column where the parser stopped.
        column: usize,
    },
    /// A line that ends before the record is complete.
    #[error("第 {line} 行：JSON 不完整（记录在行末之前未结束）")]
    Incomplete {
        /// 1-based line number in the input.
        line: usize,
    },
    /// Valid JSON that is not an assessment record: a missing field or a value of the
    /// wrong kind. `path` names the field (`info.reference_date`), never its value.
    #[error("第 {line} 行：字段 {path} 缺失或取值无效（{kind}）")]
    Field {
        /// 1-based line number in the input.
        line: usize,
        /// Dotted path of the offending field; `.` for the record itself.
        path: String,
        /// What is wrong, without the value.
        kind: FieldProblem,
    },
    /// A well-formed record with wrong values (a wrong check digit, an impossible birth
    /// date, …): every one, by form code, from [`AssessmentRecord::invalid_values`].
    /// The messages never contain a name or an ID number.
    #[error("第 {line} 行：{}", join_issues(issues))]
    InvalidRecord {
        /// 1-based line number in the input.
        line: usize,
        /// The record's invalid fields.
        issues: Vec<FieldIssue>,
    },
}

/// What is wrong with a field of an imported record (no value is ever included).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldProblem {
    /// A required field is absent (only `info` and `info.reference_date` are required).
    Missing,
    /// A field the record format does not know.
    Unknown,
    /// The same key twice in one object (e.g. an answer given twice).
    Duplicate,
    /// A value of the wrong type, an unknown code, a number out of range or a bad date.
    Invalid,
}

impl std::fmt::Display for FieldProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Missing => "缺少必填字段",
            Self::Unknown => "未知字段",
            Self::Duplicate => "键重复",
            Self::Invalid => "类型或取值不符合格式",
        })
    }
}

/// The message of the duplicate-key error, recognised again in [`describe`].
const DUPLICATE_KEY: &str = "duplicate key";

/// Parses JSON lines into records, in order, checking each against `scale` and the
/// county's `townships`. See the module docs for the rules.
pub fn parse_jsonl(
    text: &str,
    scale: &Scale,
    townships: &[String],
) -> Result<Vec<AssessmentRecord>, ImportError> {
    let text = crate::datafile::json_text::strip_bom(text);
    let mut records = Vec::new();
    for (index, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let number = index + 1;
        let record = parse_line(line, number)?;
        let mut issues = record.invalid_values(scale);
        issues.retain(|issue| issue.field != FieldCode::TOWNSHIP);
        issues.extend(record.township_issue(townships));
        issues.sort_by(|a, b| a.field.cmp(&b.field));
        if !issues.is_empty() {
            return Err(ImportError::InvalidRecord { line: number, issues });
        }
        records.push(record);
    }
    Ok(records)
}

/// One record from one line; `number` is 1-based.
fn parse_line(line: &str, number: usize) -> Result<AssessmentRecord, ImportError> {
    // First as plain JSON, refusing duplicate keys at any depth.
    let mut de = serde_json::Deserializer::from_str(line);
    let value = match serde_path_to_error::deserialize::<_, Strict>(&mut de) {
        Ok(Strict(value)) => value,
        Err(err) => {
            let path = safe_path(err.path());
            return Err(describe(&err.into_inner(), path, number));
        }
    };
    // Anything after the record on the same line (a second object, stray text).
    de.end().map_err(|err| describe(&err, String::new(), number))?;
    let record: Result<AssessmentRecord, _> = serde_path_to_error::deserialize(&value);
    let record = match record {
        Ok(record) => record,
        Err(err) => {
            let path = safe_path(err.path());
            return Err(describe(&err.into_inner(), path, number));
        }
    };
    // Every field of the record is written back, so a key of the line that is not in the
    // record written back is one the format does not know.
    let written =
        serde_json::to_value(&record).map_err(|err| describe(&err, String::new(), number))?;
    if let Some(path) = unknown_key(&value, &written, &mut Vec::new()) {
        return Err(ImportError::Field { line: number, path, kind: FieldProblem::Unknown });
    }
    Ok(record)
}

/// A JSON value whose objects have no duplicate keys.
struct Strict(Value);

impl<'de> serde::Deserialize<'de> for Strict {
    fn deserialize<D: serde::Deserializer<'de>>(de: D) -> Result<Self, D::Error> {
        de.deserialize_any(StrictVisitor)
    }
}

struct StrictVisitor;

impl<'de> serde::de::Visitor<'de> for StrictVisitor {
    type Value = Strict;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("JSON")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Strict, E> {
        Ok(Strict(Value::Bool(v)))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Strict, E> {
        Ok(Strict(Value::from(v)))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Strict, E> {
        Ok(Strict(Value::from(v)))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Strict, E> {
        Ok(Strict(Value::from(v)))
    }

    fn visit_str<E>(self, v: &str) -> Result<Strict, E> {
        Ok(Strict(Value::String(v.to_owned())))
    }

    fn visit_string<E>(self, v: String) -> Result<Strict, E> {
        Ok(Strict(Value::String(v)))
    }

    fn visit_unit<E>(self) -> Result<Strict, E> {
        Ok(Strict(Value::Null))
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Strict, A::Error> {
        let mut out = Vec::new();
        while let Some(Strict(value)) = seq.next_element()? {
            out.push(value);
        }
        Ok(Strict(Value::Array(out)))
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Strict, A::Error> {
        let mut out = serde_json::Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if out.contains_key(&key) {
                // Failing while reading the value puts the key in the error's path.
                map.next_value_seed(Duplicate)?;
            }
            let Strict(value) = map.next_value()?;
            out.insert(key, value);
        }
        Ok(Strict(Value::Object(out)))
    }
}

/// The value of a duplicate key: always an error.
struct Duplicate;

impl<'de> serde::de::DeserializeSeed<'de> for Duplicate {
    type Value = Strict;

    fn deserialize<D: serde::Deserializer<'de>>(self, _: D) -> Result<Strict, D::Error> {
        Err(serde::de::Error::custom(DUPLICATE_KEY))
    }
}

/// The safe path of the first key of `given` that `written` does not have.
fn unknown_key<'a>(given: &'a Value, written: &Value, path: &mut Vec<Part<'a>>) -> Option<String> {
    match (given, written) {
        (Value::Object(given), Value::Object(written)) => {
            for (key, value) in given {
                path.push(Part::Key(key));
                let Some(back) = written.get(key) else { return Some(safe_parts(path)) };
                if let Some(found) = unknown_key(value, back, path) {
                    return Some(found);
                }
                path.pop();
            }
            None
        }
        (Value::Array(given), Value::Array(written)) => {
            for (index, (value, back)) in given.iter().zip(written).enumerate() {
                path.push(Part::Index(index));
                if let Some(found) = unknown_key(value, back, path) {
                    return Some(found);
                }
                path.pop();
            }
            None
        }
        _ => None,
    }
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
            } else if message.starts_with(DUPLICATE_KEY) {
                (FieldProblem::Duplicate, path)
            } else {
                (FieldProblem::Invalid, path)
            };
            let path = if path.is_empty() { ".".to_owned() } else { path };
            ImportError::Field { line, path, kind }
        }
    }
}

/// One step of a field path.
enum Part<'a> {
    /// A key of an object (a field name, an item code, or data).
    Key(&'a str),
    /// A position in a list.
    Index(usize),
    /// Something serde could not name.
    Unknown,
}

/// The dotted field path of a serde error (see [`safe_parts`]).
fn safe_path(path: &serde_path_to_error::Path) -> String {
    let parts: Vec<Part<'_>> = path
        .iter()
        .map(|segment| match segment {
            Segment::Seq { index } => Part::Index(*index),
            Segment::Map { key } | Segment::Enum { variant: key } => Part::Key(key),
            Segment::Unknown => Part::Unknown,
        })
        .collect();
    safe_parts(&parts)
}

/// The dotted field path, with anything that could be data replaced by `?`: struct
/// fields and enum variants must look like `snake_case` names, keys under `answers` like
/// item codes (`B.1.1`), and list positions are shown as `[n]`.
fn safe_parts(path: &[Part<'_>]) -> String {
    let mut out = String::new();
    let mut parent = "";
    for part in path {
        let (text, next_parent) = match part {
            Part::Index(index) => (format!("[{index}]"), ""),
            Part::Key(key) => {
                let safe = if parent == "answers" { is_item_code(key) } else { is_field_name(key) };
                if safe { ((*key).to_owned(), *key) } else { ("?".to_owned(), "") }
            }
            Part::Unknown => ("?".to_owned(), ""),
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

    fn parse(text: &str) -> Result<Vec<AssessmentRecord>, ImportError> {
        let scale = crate::scale::bundled(crate::scale::DEFAULT_SCALE_ID).unwrap().unwrap();
        parse_jsonl(text, &scale, &["耿马镇".to_owned()])
    }

    #[test]
    fn errors_name_the_field_but_not_the_value() {
        let good =
            r#"{"info": {"number": "1", "reference_date": "2024-05-20", "township": "耿马镇"}}"#;
        let bad_sex = r#"{"info": {"number": "1", "reference_date": "2024-05-20"}, "subject": {"name": "张三", "sex": "张三"}}"#;
        let err = parse(&format!("{good}\n\n{bad_sex}\n")).unwrap_err();
        let text = err.to_string();
        assert!(text.starts_with("第 3 行"), "{text}");
        assert!(text.contains("subject.sex"), "{text}");
        assert!(!text.contains("张三"), "{text}");

        let err = parse(r#"{"info": {"number": "1"}}"#).unwrap_err();
        assert!(err.to_string().contains("info.reference_date"), "{err}");
        let err = parse(r#"{"info": {"number": "1", "reference_date": "2024-05-20"}, "answers": {"530926194305120420": 300}}"#).unwrap_err();
        assert!(!err.to_string().contains("530926"), "{err}");
        assert!(err.to_string().contains("answers.?"), "{err}");
        let err = parse(r#"{"info": {"number": "1", "reference_date": "2024-05-20"}, "answers": {"B.1.1": 300}}"#).unwrap_err();
        assert!(err.to_string().contains("answers.B.1.1"), "{err}");
        let err = parse(&format!("{good} {good}")).unwrap_err();
        assert!(matches!(err, ImportError::Syntax { line: 1, .. }), "{err}");
        let err = parse(r#"{"info": {"#).unwrap_err();
        assert!(matches!(err, ImportError::Incomplete { line: 1 }), "{err}");
    }
}
