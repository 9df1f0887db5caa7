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
    /// The file is not an `SQLite` database, is cut off (0 bytes next to backups, or
    /// shorter than its header says), or fails `PRAGMA quick_check` / `integrity_check`.
    /// It was left untouched. The GUI offers to continue from a backup that passes the
    /// check with `Store::open_backup`.
    #[error("{} 不是有效的评估数据库或已损坏（文件未被改动）{}", path.display(), backup_hint(latest_backup.as_deref()))]
    Corrupt {
        /// The database file.
        path: PathBuf,
        /// The newest backup copy in `backups/` that opens and passes the check, if any.
        latest_backup: Option<PathBuf>,
    },
    /// A backup copy could not be made (its temporary file was removed); before a
    /// migration, nothing was migrated.
    #[error("无法创建数据库备份 {}：{}", path.display(), sqlite_cause(source))]
    Backup {
        /// The backup file that was being written.
        path: PathBuf,
        /// The `SQLite` error.
        #[source]
        source: rusqlite::Error,
    },
    /// A backup copy could not be written or synced to disk (its temporary file was
    /// removed).
    #[error("无法写入数据库备份 {}：{}", path.display(), io_cause(source))]
    BackupIo {
        /// The backup file that was being written.
        path: PathBuf,
        /// The operating-system error.
        #[source]
        source: std::io::Error,
    },
    /// A backup copy was written but does not match the database (it was removed).
    #[error("数据库备份 {} 未通过检查（{problem}），已删除，不算作备份", path.display())]
    BackupMismatch {
        /// The backup file that was checked.
        path: PathBuf,
        /// What differs.
        problem: &'static str,
    },
    /// The file or its directory cannot be written (read-only medium, permissions, or
    /// another program's lock on the file system).
    #[error(
        "数据库文件或数据目录是只读的，无法写入；只读命令（如 stats、review queue、audit verify）仍可使用"
    )]
    ReadOnly,
    /// Another process held the write lock for longer than the busy timeout.
    #[error("另一个程序正在写入数据库（已等待 5 秒）；请稍后再试，或先关闭另一个 elder-assess")]
    Busy,
    /// A store without a file (in memory) cannot be shared with the store writer.
    #[error("内存中的数据库不能在后台保存")]
    NoFile,
    /// The disk is full.
    #[error("磁盘空间不足，无法写入数据库；请腾出空间后再试（已保存的数据未受影响）")]
    DiskFull,
    /// A read-only command found a file whose schema is older than this program's.
    #[error(
        "数据库需要升级（版本 {found}，本程序为 {supported}）；请先用本程序的窗口或一个写入命令打开一次"
    )]
    NeedsUpgrade {
        /// `PRAGMA user_version` of the file.
        found: i64,
        /// The schema version this program creates.
        supported: i64,
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
    /// Another account created this draft: only its creator deletes it.
    #[error("评估记录 {id} 是其他账号创建的草稿，只能由创建者删除")]
    NotOwnDraft {
        /// The row id.
        id: i64,
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
    /// The database is encrypted: it opens only after sign-in
    /// ([`crate::store::Store::open_signed_in`]).
    #[error("此数据目录中的评估数据已加密，请先登录（命令行请加 --as 账号）")]
    SignInRequired,
    /// [`crate::store::Store::open_signed_in`] on a data directory without a keyring.
    #[error("此数据目录中的评估数据未加密（还没有账号）；请先用 accounts init 创建第一个管理员")]
    NotEncrypted,
    /// The keyring could not be read, checked or written.
    #[error(transparent)]
    Keyring(super::keyring::KeyringError),
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
    Sqlite(rusqlite::Error),
    /// The record does not pass its validation, so it is not imported, submitted or
    /// approved (see `AssessmentRecord::report_issues` / `invalid_values`). The issues
    /// name form codes, never a name or an ID number.
    #[error("评估 {number} 未通过校验：{}", crate::record::join_issues(issues))]
    InvalidRecord {
        /// The assessment number (A.1.1), or `#<row id>`.
        number: String,
        /// What is wrong, by field.
        issues: Vec<crate::record::FieldIssue>,
    },
    /// The bundled scale, needed to validate a record, could not be loaded.
    #[error("无法加载内置量表，无法校验评估")]
    NoScale,
    /// The device is enrolled: accounts are the county server's.
    #[error("账号由县级服务器统一管理，不能在本机创建账号或重置密码")]
    CountyManaged,
    /// The device is enrolled already.
    #[error("本机已登记到县级服务器，不能再次登记")]
    AlreadyEnrolled,
    /// Enrolment needs a data directory without local accounts.
    #[error("本机数据目录已有账号，不能登记到县级服务器：请在新的数据目录中登记")]
    LocalAccounts,
    /// The device is not enrolled.
    #[error("本机尚未登记到县级服务器（先运行 elder-assess enrol）")]
    NotEnrolled,
    /// The record waits in the outbox: frozen until the server has it.
    #[error("该评估正在等待同步，暂不能修改")]
    SyncPending {
        /// The row id.
        id: i64,
    },
    /// The record is a copy of another device's envelope: decided through the outbox only.
    #[error("该评估是县级服务器上的记录副本，只能审核，不能修改")]
    Replica {
        /// The row id.
        id: i64,
    },
    /// `import --correct` names a record that is not a returned one of this machine.
    #[error("评估 {number} {}：只有本机已退回的评估可以更正", status.map_or("不存在", |s| s.label()))]
    NotReturned {
        /// The assessment number.
        number: String,
        /// Its status, if the number exists.
        status: Option<crate::review::ReviewStatus>,
    },
    /// A conflict's resolution on a record without an open conflict.
    #[error("该评估没有待处理的内容冲突")]
    NoConflict {
        /// The row id.
        id: i64,
    },
    /// No version (or more than one) has a hash starting with the prefix given.
    #[error("没有唯一一个以 {prefix} 开头的版本，请用 elder-assess review conflicts 查看各版本")]
    UnknownVersion {
        /// The hash prefix given.
        prefix: String,
    },
    /// A conflict is resolved only by a reviewer or admin who did none of the versions.
    #[error("处理内容冲突须由审核员或管理员，且不能是任一版本的评估员或经办人")]
    ConflictResolver,
    /// 以此版本为准 without a reason.
    #[error("以某一版本为准须写明理由")]
    MissingKeepReason,
    /// A review decision on a record whose conflict is not resolved.
    #[error("该评估存在内容冲突，请先选定以哪一版本为准")]
    Conflicted {
        /// The row id.
        id: i64,
    },
    /// A sync item or page cannot be stored.
    #[error("同步数据无法保存：{0}")]
    SyncData(String),
}

impl From<rusqlite::Error> for StoreError {
    /// Names the real cause where `SQLite` has a code for it: read-only, locked by another
    /// process, disk full; anything else stays [`StoreError::Sqlite`].
    fn from(error: rusqlite::Error) -> Self {
        use rusqlite::ErrorCode;
        match error.sqlite_error_code() {
            Some(ErrorCode::ReadOnly) => Self::ReadOnly,
            Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => Self::Busy,
            Some(ErrorCode::DiskFull) => Self::DiskFull,
            _ => Self::Sqlite(error),
        }
    }
}

/// An `SQLite` error in words, naming a full disk and a read-only directory plainly.
fn sqlite_cause(error: &rusqlite::Error) -> String {
    match error.sqlite_error_code() {
        Some(rusqlite::ErrorCode::DiskFull) => "磁盘空间不足".to_owned(),
        Some(rusqlite::ErrorCode::ReadOnly | rusqlite::ErrorCode::CannotOpen) => {
            "目录只读或没有写入权限".to_owned()
        }
        _ => error.to_string(),
    }
}

/// An I/O error in words, naming a full disk and a read-only file system plainly.
fn io_cause(error: &std::io::Error) -> String {
    match error.kind() {
        std::io::ErrorKind::StorageFull | std::io::ErrorKind::FileTooLarge => {
            "磁盘空间不足".to_owned()
        }
        std::io::ErrorKind::ReadOnlyFilesystem | std::io::ErrorKind::PermissionDenied => {
            "目录只读或没有写入权限".to_owned()
        }
        _ => error.to_string(),
    }
}

/// "；可打开最近的备份 …" when there is a backup.
impl From<super::keyring::KeyringError> for StoreError {
    /// A wrong password or a lock reads the same as for an unencrypted store.
    fn from(error: super::keyring::KeyringError) -> Self {
        use super::keyring::KeyringError;
        match error {
            KeyringError::BadCredentials => Self::BadCredentials,
            KeyringError::Locked { until } => Self::Locked { until },
            other => Self::Keyring(other),
        }
    }
}

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
