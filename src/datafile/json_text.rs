//! Parsing JSON given to the command line, with errors that name the field path and the
//! position, for the `score` and `entitlements` contracts; and the one rule for a UTF-8
//! byte-order mark, shared with `import`'s JSON lines ([`strip_bom`]).
//!
//! The input must be exactly one JSON value: anything but white space after it (a second
//! object, stray text) is an error.

use serde::de::DeserializeOwned;

use super::located::{Located, Position};

/// The UTF-8 byte-order mark, as a character.
const BOM: char = '\u{feff}';

/// `text` without a leading UTF-8 byte-order mark (Windows editors write one). Every
/// JSON input of the command line goes through here, so a BOM is accepted everywhere.
pub(crate) fn strip_bom(text: &str) -> &str {
    text.strip_prefix(BOM).unwrap_or(text)
}

/// Parses `text` (a leading BOM is skipped) into `T`. The error names the field path
/// (`items.B.1.1`) or, for broken JSON and trailing data, the line and column; it has no
/// file name (the command line puts it in front).
pub(crate) fn parse<T: DeserializeOwned>(text: &str) -> Result<T, Located> {
    let mut de = serde_json::Deserializer::from_str(strip_bom(text));
    let value = serde_path_to_error::deserialize(&mut de).map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner();
        match inner.classify() {
            serde_json::error::Category::Syntax | serde_json::error::Category::Eof => {
                let mut syntax =
                    Located::new(None, Position::of_json(&inner), "JSON 格式错误".to_owned());
                syntax.detail = Some(inner.to_string());
                syntax
            }
            _ if path.is_empty() || path == "." => located("JSON 无效：", &inner),
            _ => located(&format!("`{path}`："), &inner),
        }
    })?;
    de.end().map_err(|err| {
        Located::new(None, Position::of_json(&err), "JSON 对象之后还有多余内容".to_owned())
    })?;
    Ok(value)
}

/// A data error's own words (this program's, for unknown fields, duplicate keys and
/// values out of range) after `lead`, with the position in Chinese instead of serde's
/// English " at line L column C".
fn located(lead: &str, err: &serde_json::Error) -> Located {
    let text = err.to_string();
    let suffix = format!(" at line {} column {}", err.line(), err.column());
    match text.strip_suffix(&suffix) {
        Some(message) => Located::new(None, Position::of_json(err), format!("{lead}{message}")),
        None => Located::new(None, None, format!("{lead}{text}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    struct One {
        a: u8,
    }

    #[test]
    fn a_data_error_gives_its_position_in_chinese() {
        let err = parse::<One>("{\"a\": 300}").unwrap_err().to_string();
        assert!(err.contains("（第 1 行第 9 列）") && !err.contains(" at line "), "{err}");
    }

    #[test]
    fn a_bom_is_skipped_and_trailing_data_is_an_error() {
        assert_eq!(parse::<One>("\u{feff}{\"a\": 1}").unwrap().a, 1);
        assert!(parse::<One>("{\"a\": 1}\n  \n").is_ok());
        let err = parse::<One>("{\"a\": 1} garbage").unwrap_err().to_string();
        assert!(err.contains("多余内容") && err.contains("第 1 行第 10 列"), "{err}");
        let err = parse::<One>("{\"a\": 1}\n{\"a\": 2}").unwrap_err().to_string();
        assert!(err.contains("多余内容") && err.contains("第 2 行"), "{err}");
        assert_eq!(strip_bom("\u{feff}x"), "x");
        assert_eq!(strip_bom("x\u{feff}"), "x\u{feff}");
    }
}
