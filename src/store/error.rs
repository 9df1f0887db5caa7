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
    /// An imported record's number is already in the store.
    #[error("评估编号 {number} 已存在：导入已取消，未写入任何记录")]
    DuplicateNumber {
        /// The assessment number.
        number: String,
    },
    /// The data directory could not be created, or the database file could not be read.
    #[error("无法访问数据目录或数据库文件 {}：{source}", path.display())]
    Io {
        /// The directory or file.
        path: PathBuf,
        /// The operating-system error.
        #[source]
        source: std::io::Error,
    },
    /// The file is not an `SQLite` database, or is damaged. It was left untouched. The
    /// GUI offers to continue from `latest_backup` with `Store::open_backup`.
    #[error("{} 不是有效的评估数据库或已损坏（文件未被改动）{}", path.display(), backup_hint(latest_backup.as_deref()))]
    Corrupt {
        /// The database file.
        path: PathBuf,
        /// The newest backup copy in `backups/`, if any.
        latest_backup: Option<PathBuf>,
    },
    /// A backup copy could not be made; nothing was migrated.
    #[error("无法创建数据库备份 {}：{source}", path.display())]
    Backup {
        /// The backup file that was being written.
        path: PathBuf,
        /// The `SQLite` error.
        #[source]
        source: rusqlite::Error,
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
    /// A record that is neither a draft nor completed cannot be deleted.
    #[error("评估记录 {id} {status}，不能删除")]
    NotDraft {
        /// The row id.
        id: i64,
        /// Its status.
        status: crate::review::ReviewStatus,
    },
    /// The review rules refuse this change (see [`crate::review::transition`]).
    #[error("{0}")]
    Review(#[from] crate::review::ReviewError),
    /// `Store::save` was asked for a status that only a review action sets.
    #[error("保存时不能把评估改为“{status}”，请使用提交或审核操作")]
    StatusNotSavable {
        /// The requested status.
        status: crate::review::ReviewStatus,
    },
    /// A new linked record (复评, correction) can only replace an approved record.
    #[error("评估记录 {id} 尚未审核通过，不能为其新建复评或更正")]
    NotApproved {
        /// The row id.
        id: i64,
    },
    /// The assessment number is already used by another record.
    #[error("评估编号已被使用，请换一个编号")]
    NumberTaken,
    /// Accounts exist, and nobody is signed in.
    #[error("请先登录")]
    NotSignedIn,
    /// A report would be signed with a key not bound (by `keys new`) to the account bound
    /// to that assessor signature.
    #[error("{role}的密钥不是{role}账号用 keys new 创建的密钥（或{role}尚未用账号确认）")]
    SigningKeyNotBound {
        /// `评估员1` / `评估员2`.
        role: &'static str,
    },
    /// A full (named) export without a purpose.
    #[error("完整导出（含姓名和身份证号）必须说明用途")]
    PurposeRequired,
    /// Unknown login or wrong password: the message never says which.
    #[error("账号或密码不正确")]
    BadCredentials,
    /// Too many failed logins: the account is locked until `until`.
    #[error("登录失败次数过多，账号已锁定，请于 {} 后再试", until.with_timezone(&crate::clock::CHINA_OFFSET).format("%H:%M"))]
    Locked {
        /// When the lock ends.
        until: chrono::DateTime<chrono::Utc>,
    },
    /// A new password is too short.
    #[error("密码至少需要 {min} 个字符")]
    PasswordTooShort {
        /// The minimum length in characters.
        min: usize,
    },
    /// The password could not be hashed.
    #[error("无法处理密码")]
    PasswordHash,
    /// The login name is taken.
    #[error("该账号已存在")]
    AccountExists,
    /// A login name or display name is blank.
    #[error("账号和姓名不能为空")]
    AccountFieldsMissing,
    /// No account has this login name.
    #[error("账号不存在")]
    UnknownAccount,
    /// Only an admin may do this (or: the first admin already exists).
    #[error("只有管理员可以管理账号")]
    Forbidden,
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

/// "；可打开最近的备份 …" when there is a backup.
fn backup_hint(backup: Option<&std::path::Path>) -> String {
    backup.map_or_else(String::new, |path| format!("；可打开最近的备份 {}", path.display()))
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
