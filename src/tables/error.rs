//! The one error type of [`crate::tables`]: spreadsheet writing, dimension names and
//! JSON-lines import.
//!
//! Privacy: no message contains a field value. Import errors name the line, and for a
//! bad value the field path (`subject.sex`), never the value itself, because values may
//! be a name or an ID number.

/// Why an export, a statistics request or an import failed.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
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
    /// A JSON-lines line that is not valid JSON.
    #[error("第 {line} 行：不是有效的 JSON（第 {column} 列附近）")]
    Syntax {
        /// 1-based line number in the input.
        line: usize,
        /// 1-based column where the parser stopped.
        column: usize,
    },
    /// A JSON-lines line that ends before the record is complete.
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
    /// date, …): every one, by form code, from [`crate::record::AssessmentRecord::invalid_values`].
    /// The messages never contain a name or an ID number.
    #[error("第 {line} 行：{}", crate::record::join_issues(issues))]
    InvalidRecord {
        /// 1-based line number in the input.
        line: usize,
        /// The record's invalid fields.
        issues: Vec<crate::record::FieldIssue>,
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

/// [`crate::tables::parse_jsonl`]'s error: the module's one error enum, whose import
/// variants are [`ExportError::Syntax`], [`ExportError::Incomplete`] and
/// [`ExportError::Field`].
pub type ImportError = ExportError;
