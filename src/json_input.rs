//! Parsing JSON given to the command line, with errors that name the field path and the
//! position, for the `score` and `entitlements` contracts.

use serde::de::DeserializeOwned;

/// Parses `text` into `T`. The error names the field path (`items.B.1.1`) or, for broken
/// JSON, the line and column.
pub(crate) fn parse<T: DeserializeOwned>(text: &str) -> Result<T, String> {
    let de = &mut serde_json::Deserializer::from_str(text);
    serde_path_to_error::deserialize(de).map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner();
        match inner.classify() {
            serde_json::error::Category::Syntax | serde_json::error::Category::Eof => {
                format!("JSON 格式错误（第 {} 行第 {} 列）：{inner}", inner.line(), inner.column())
            }
            _ if path.is_empty() || path == "." => format!("JSON 无效：{inner}"),
            _ => format!("`{path}`：{inner}"),
        }
    })
}
