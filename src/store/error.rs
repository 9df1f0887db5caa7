//! [`StoreError`]: everything that can go wrong in [`crate::store`].
//!
//! Privacy: no message names the elder or shows an ID number. Errors identify an
//! assessment by its row id or its assessment number (A.1.1) only, and a JSON error shows
//! only its category and position, never the offending text (see [`JsonError`]).

use std::fmt;
use std::path::PathBuf;

/// An error from the assessment store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The data directory could not be created, or the database file could not be read.
    #[error("无法访问数据目录或数据库文件 {}：{source}", path.display())]
    Io {
        /// The directory or file.
        path: PathBuf,
        /// The operating-system error.
        #[source]
        source: std::io::Error,
    },
    /// The file is not an `SQLite` database, or is damaged. It was left untouched.
    #[error("{} 不是有效的评估数据库或已损坏（文件未被改动）", path.display())]
    Corrupt {
        /// The database file.
        path: PathBuf,
    },
    /// The database was written by a newer version of this program.
    #[error("数据库版本 {found} 比本程序支持的版本 {supported} 新，请升级程序")]
    TooNew {
        /// `PRAGMA user_version` of the file.
        found: i64,
        /// The newest schema version this program knows.
        supported: i64,
    },
    /// A schema migration failed; the database stays at the previous version.
    #[error("数据库升级到版本 {version} 失败：{source}")]
    Migration {
        /// The version the failed step would have reached.
        version: i64,
        /// The `SQLite` error.
        #[source]
        source: rusqlite::Error,
    },
    /// The record has no assessment number (A.1.1), which the store keys on.
    #[error("评估编号（A.1.1）为空，无法保存")]
    MissingNumber,
    /// No assessment has this row id.
    #[error("评估记录 {id} 不存在")]
    NotFound {
        /// The row id.
        id: i64,
    },
    /// A completed assessment cannot be deleted.
    #[error("评估记录 {id} 已完成，不能删除")]
    Completed {
        /// The row id.
        id: i64,
    },
    /// A stored value cannot be read back (edited by hand, or written by a buggy version).
    #[error("评估记录 {id} 的字段 {column} 无法读取")]
    BadValue {
        /// The row id (0 for the `meta` table).
        id: i64,
        /// The column or meta key.
        column: &'static str,
    },
    /// A record could not be converted to or from JSON.
    #[error("评估记录 {number} 的 JSON 无法处理：{source}")]
    Json {
        /// The assessment number (A.1.1), or `#<row id>` when loading.
        number: String,
        /// The JSON error, without the offending text.
        #[source]
        source: JsonError,
    },
    /// Any other `SQLite` error.
    #[error("数据库错误：{0}")]
    Sqlite(#[from] rusqlite::Error),
}

/// A [`serde_json::Error`] whose `Display` and `Debug` show only the error category and
/// position: serde's own message may quote a value from the record (a name, an ID number).
pub struct JsonError(serde_json::Error);

impl JsonError {
    /// What kind of JSON error this is.
    pub fn category(&self) -> serde_json::error::Category {
        self.0.classify()
    }

    /// 1-based line of the error (0 when serialising).
    pub fn line(&self) -> usize {
        self.0.line()
    }

    /// 1-based column of the error (0 when serialising).
    pub fn column(&self) -> usize {
        self.0.column()
    }
}

impl From<serde_json::Error> for JsonError {
    fn from(error: serde_json::Error) -> Self {
        Self(error)
    }
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.category() {
            serde_json::error::Category::Io => "读写错误",
            serde_json::error::Category::Syntax => "语法错误",
            serde_json::error::Category::Data => "数据与记录结构不符",
            serde_json::error::Category::Eof => "JSON 意外结束",
        };
        write!(f, "{kind}（第 {} 行第 {} 列）", self.line(), self.column())
    }
}

impl fmt::Debug for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "JsonError({self})")
    }
}

impl std::error::Error for JsonError {}
