//! Errors from building reports. Messages never contain the elder's name or ID number.

/// A report that could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReportError {
    /// The assessment cannot be scored yet.
    #[error("评估未完成，无法生成报告：{0}")]
    Incomplete(String),
    /// The bundled font could not be read or subset.
    #[error("字体错误：{0}")]
    Font(String),
}
