//! Writing the bureau's tables to files: records (CSV or XLSX, de-identified unless a
//! full export is chosen explicitly, which goes to the audit trail first) and statistics.
//!
//! This is the one place where the store's rows, the pure [`crate::tables`] encoders and
//! the file system meet, so the app's 导出表格… window and `elder-assess export` / `stats
//! --out` behave the same. Messages name files and counts, never a field value.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use crate::scale::Scale;
use crate::store::{Store, StoreError};
use crate::tables::{MultiStatsTable, Privacy, StatsTable};

/// Audit action recorded before a full (identifying) export is written.
pub use crate::store::FULL_EXPORT_ACTION;

/// A spreadsheet file format, chosen by the file name's extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableFormat {
    /// UTF-8 CSV with a byte-order mark; ID numbers kept as text.
    Csv,
    /// Excel workbook.
    Xlsx,
}

impl TableFormat {
    /// The format for `path`: `.csv` or `.xlsx` (any case).
    pub fn of(path: &Path) -> Result<Self, TableExportError> {
        match path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref() {
            Some("csv") => Ok(Self::Csv),
            Some("xlsx") => Ok(Self::Xlsx),
            _ => Err(TableExportError::Format { path: path.to_path_buf() }),
        }
    }

    /// The file name extension, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            Self::Csv => "csv",
            Self::Xlsx => "xlsx",
        }
    }
}

/// Why a table could not be exported. Nothing was written in any case.
#[derive(Debug, thiserror::Error)]
pub enum TableExportError {
    /// The file name does not end in `.csv` or `.xlsx`.
    #[error("{}：文件名应以 .csv 或 .xlsx 结尾", path.display())]
    Format {
        /// The file asked for.
        path: PathBuf,
    },
    /// The records could not be read.
    #[error("无法读取评估：{0}")]
    Read(#[source] StoreError),
    /// The full export could not be recorded in the audit trail, so it was not made.
    #[error("无法记录完整导出（未导出）：{0}")]
    Audit(#[source] StoreError),
    /// The spreadsheet could not be generated.
    #[error("{0}")]
    Encode(#[from] crate::tables::TableError),
    /// The file could not be written.
    #[error("{}：无法写入：{source}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// What the file system said.
        source: std::io::Error,
    },
}

/// What to export of the records.
#[derive(Debug, Clone)]
pub struct RecordsExport<'a> {
    /// The file to write (`.csv` or `.xlsx`).
    pub path: &'a Path,
    /// De-identified (the default) or full.
    pub privacy: Privacy,
    /// Only approved records (otherwise every record, with its status).
    pub approved_only: bool,
    /// Why a full export is made: required (the audit row's reason); the store refuses
    /// a full export without one, and by an assessor once accounts exist.
    pub purpose: Option<&'a str>,
}

/// What [`export_records`] wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordsWritten {
    /// How many records.
    pub rows: usize,
    /// Cells cut to Excel's limit (row and column only): the caller shows them as
    /// warnings.
    pub cut: Vec<crate::tables::CutCell>,
}

/// Writes the records; returns how many rows were written and which cells were cut.
///
/// A full export is written only after [`Store::record_full_export`] put an
/// `export_full` row (count, file, purpose) in the audit trail, which it refuses without
/// a purpose or for an assessor; if that fails, nothing is written.
pub fn export_records(
    store: &Store,
    scale: &Scale,
    request: &RecordsExport<'_>,
    now: DateTime<Utc>,
) -> Result<RecordsWritten, TableExportError> {
    let format = TableFormat::of(request.path)?;
    let rows = store.export_rows(scale, request.approved_only).map_err(TableExportError::Read)?;
    let encoded = match format {
        TableFormat::Csv => crate::tables::to_csv(&rows, request.privacy, scale),
        TableFormat::Xlsx => crate::tables::to_xlsx(&rows, request.privacy, scale)?,
    };
    if request.privacy == Privacy::Full {
        let detail = format!("{} 条，{}", rows.len(), request.path.display());
        store.record_full_export(&detail, request.purpose, now).map_err(TableExportError::Audit)?;
    }
    write(request.path, &encoded.bytes)?;
    Ok(RecordsWritten { rows: rows.len(), cut: encoded.cut })
}

/// Writes one statistics table (one grouping × level).
pub fn export_stats(table: &StatsTable, path: &Path) -> Result<(), TableExportError> {
    let bytes = match TableFormat::of(path)? {
        TableFormat::Csv => crate::tables::stats_to_csv(table),
        TableFormat::Xlsx => crate::tables::stats_to_xlsx(table)?,
    };
    write(path, &bytes)
}

/// Writes a statistics table grouped by several dimensions.
pub fn export_multi_stats(table: &MultiStatsTable, path: &Path) -> Result<(), TableExportError> {
    let bytes = match TableFormat::of(path)? {
        TableFormat::Csv => crate::tables::multi_stats_to_csv(table),
        TableFormat::Xlsx => crate::tables::multi_stats_to_xlsx(table)?,
    };
    write(path, &bytes)
}

fn write(path: &Path, bytes: &[u8]) -> Result<(), TableExportError> {
    crate::output::atomic::write_atomically(path, bytes)
        .map_err(|source| TableExportError::Write { path: path.to_path_buf(), source })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_format_follows_the_extension() {
        assert_eq!(TableFormat::of(Path::new("a/b.CSV")).unwrap(), TableFormat::Csv);
        assert_eq!(TableFormat::of(Path::new("b.xlsx")).unwrap(), TableFormat::Xlsx);
        let err = TableFormat::of(Path::new("b.xls")).unwrap_err();
        assert_eq!(err.to_string(), "b.xls：文件名应以 .csv 或 .xlsx 结尾");
        assert!(TableFormat::of(Path::new("csv")).is_err());
    }
}
