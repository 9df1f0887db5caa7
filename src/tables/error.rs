//! The one error type of [`crate::tables`]: spreadsheet writing and dimension names.
//!
//! Privacy: no message contains a field value.

/// Why an export or a statistics request failed.
#[derive(Debug, thiserror::Error)]
pub enum TableError {
    /// `rust_xlsxwriter` refused the workbook (e.g. more rows than a sheet holds; an
    /// over-long text is cut to fit instead, see [`crate::tables::CutCell`]).
    #[error("生成 Excel 文件失败：{0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    /// A statistics dimension name that is not `township`, `age_band` (`age`), `sex` or
    /// `level`.
    #[error(
        "未知的统计维度“{0}”：可用 township（乡镇）、age_band（年龄段）、sex（性别）、level（能力等级）"
    )]
    UnknownDimension(String),
}
