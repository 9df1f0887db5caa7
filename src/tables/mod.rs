//! Exports and statistics for the bureau (issue #6, points 6 and 7), as pure functions
//! over plain rows: the store turns its records into [`ExportRow`]s (from SQL) and these
//! functions turn rows into bytes or tables. No database, file or clock access. (Import
//! parsing sits with the record it parses: [`crate::record::import`].)
//!
//! - [`row`]: [`ExportRow`], [`AgeBand`].
//!
//! Level and domain names are the scale's, townships the county file's: the functions
//! take the [`crate::scale::Scale`] and the township list.
//! - [`csv`]: [`to_csv`] (UTF-8 with BOM, IDs kept as text, formula-injection guard).
//! - [`xlsx`]: [`to_xlsx`], [`stats_to_xlsx`], [`multi_stats_to_xlsx`].
//! - [`stats`]: [`stats`](stats()) / [`stats_multi`] by level × township, age band, sex;
//!   [`stats_to_csv`], [`multi_stats_to_csv`].
//! - [`error`]: the module's one error enum, [`TableError`].
//!
//! Privacy: exports are de-identified unless [`Privacy::Full`] is passed explicitly;
//! recording that choice in the audit trail is the caller's job. No error message of
//! this module contains a field value.

mod columns;
pub mod csv;
pub mod error;
pub mod row;
pub mod stats;
pub mod xlsx;

pub use self::csv::{BOM, to_csv, unwrap_text_formula};
pub use columns::{CUT_MARKER, CutCell, Encoded, MAX_CELL_LEN};
pub use error::TableError;
pub use row::{AgeBand, ExportRow};
pub use stats::{
    Dimension, MultiStatsTable, StatsTable, multi_stats_to_csv, stats, stats_multi, stats_to_csv,
};
pub use xlsx::{multi_stats_to_xlsx, stats_to_xlsx, to_xlsx};

/// How much personal data an export of records contains.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Privacy {
    /// The default: no name and no birth date (the age band instead), the ID number
    /// masked to its first 6 and last 4 characters (`530926********0420`).
    #[default]
    DeIdentified,
    /// Name, full ID number, birth date and age. Needs an explicit choice by the user,
    /// which the caller records in the audit trail.
    Full,
}
