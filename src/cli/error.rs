//! The one error of the command line, [`CliError`], and the one place that turns a
//! command's result into what the user sees: the lines on stderr and the exit code
//! ([`finish`]).
//!
//! | code | meaning |
//! | --- | --- |
//! | 0 | success (also when the reader of stdout went away: the rest is not printed) |
//! | 1 | a check found problems ([`CliError::is_finding`]) |
//! | 2 | unusable input or arguments, or a refusal |
//!
//! The messages are the ones people read, in Simplified Chinese; they never quote a
//! name, an ID number or a diagnosis (the module errors they wrap promise the same).

use std::path::PathBuf;
use std::process::ExitCode;

use crate::assessment::AssessmentError;
use crate::output::signed_report::ExportError as ReportExportError;
use crate::output::table_files::TableExportError;
use crate::policy::PolicyError;
use crate::report::ReportError;
use crate::scale::ScaleError;
use crate::sign::SignError;
use crate::store::{AuditProblem, StoreError};

use super::secrets::PASSWORD_ENV;

/// Everything a command can fail with.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    // --- Findings of a check (exit 1) ---------------------------------------------
    /// `check-scale`: these scale files are invalid (each message names its file).
    #[error("量表文件无效")]
    InvalidScaleFiles(Vec<ScaleError>),
    /// `check-policy`: these service-list files are invalid.
    #[error("服务清单文件无效")]
    InvalidPolicyFiles(Vec<PolicyError>),
    /// A bundled scale does not load (only a broken build).
    #[error("内置量表无效：{0}")]
    BundledScale(ScaleError),
    /// `verify`: the PDF carries no signature.
    #[error("{}: 文件没有数字签名", path.display())]
    Unsigned {
        /// The PDF.
        path: PathBuf,
    },
    /// `verify`: a signature is broken, or the file changed after the last one.
    #[error("{}: 签名验证未通过", path.display())]
    SignaturesFailed {
        /// The PDF.
        path: PathBuf,
    },
    /// `audit verify`: the database file is damaged (the store's open message).
    #[error("无法打开数据目录 {}：{source}", dir.display())]
    DamagedDatabase {
        /// The data directory.
        dir: PathBuf,
        /// [`StoreError::Corrupt`].
        source: StoreError,
    },
    /// `audit verify`: the integrity check failed.
    #[error("数据库完整性检查未通过：{0}")]
    IntegrityFailed(StoreError),
    /// `audit verify`: the chain, the head or a record's content does not hold.
    #[error("审计记录验证未通过：{0}")]
    AuditBroken(AuditProblem),

    // --- Unusable input (exit 2) -----------------------------------------------------
    /// No `--data-dir` and no per-user data directory.
    #[error("找不到用户数据目录，请用 --data-dir 指定")]
    NoDataDir,
    /// The program was built without the desktop app (`--no-default-features`).
    #[error("此程序未包含桌面界面，请使用命令行子命令（elder-assess --help）")]
    NoGui,
    /// Standard input could not be read.
    #[error("无法读取标准输入：{0}")]
    ReadStdin(std::io::Error),
    /// An input file could not be read.
    #[error("{}: 无法读取文件：{source}", path.display())]
    ReadFile {
        /// The file.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// An output file could not be written.
    #[error("{}: 无法写入：{source}", path.display())]
    WriteFile {
        /// The file.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// A password or passphrase file (or the terminal) could not be read.
    #[error("无法读写 {}：{source}", path.display())]
    ReadSecret {
        /// The file, or `/dev/tty`.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// Standard output failed for another reason than a closed pipe.
    #[error("无法写出结果：{0}")]
    Stdout(std::io::Error),
    /// An input file is not what the command reads (the reason names the field).
    #[error("{file}: {reason}")]
    BadInput {
        /// The file as given (`-` for standard input), or the assessment number.
        file: String,
        /// What is wrong, and where.
        reason: String,
    },
    /// Problems in one assessment, one line each.
    #[error("{label}: {}", lines.join("；"))]
    Issues {
        /// The file or assessment number.
        label: String,
        /// One message per problem.
        lines: Vec<String>,
    },
    /// An assessment file does not parse.
    #[error("{file}: 评估文件无效（`{path}`，第 {line} 行第 {column} 列）：{kind}")]
    BadAssessmentFile {
        /// The file as given.
        file: String,
        /// The JSON path of the problem.
        path: String,
        /// Line, from 1.
        line: usize,
        /// Column, from 1.
        column: usize,
        /// What kind of problem (never serde's text, which can quote a value).
        kind: &'static str,
    },
    /// An assessment file has more after its JSON object.
    #[error("{file}: 评估文件的 JSON 对象之后还有多余内容（第 {line} 行第 {column} 列）")]
    TrailingJson {
        /// The file as given.
        file: String,
        /// Line, from 1.
        line: usize,
        /// Column, from 1.
        column: usize,
    },
    /// The input names another scale than the `--scale-file`.
    #[error("`scale`：输入指定 `{asked}`，但量表文件是 `{file}`")]
    ScaleMismatch {
        /// The scale the input names.
        asked: String,
        /// The scale in the file.
        file: String,
    },
    /// The input names no bundled scale.
    #[error("`scale`：未知量表 `{id}`，可用量表为 {known}")]
    UnknownScale {
        /// The id asked for.
        id: String,
        /// The bundled ids, quoted and joined.
        known: String,
    },
    /// The input names no bundled service list.
    #[error("`policy`：未知服务清单 `{0}`")]
    UnknownPolicy(String),
    /// An unknown role code.
    #[error("未知角色，可用：assessor（评估员）、reviewer（审核员）、admin（管理员）")]
    UnknownRole,
    /// `--from` after `--to`.
    #[error("`--from` 晚于 `--to`")]
    FromAfterTo,
    /// `--by` names an unknown grouping.
    #[error("`--by`：{0}")]
    Grouping(crate::tables::TableError),
    /// More than two `--sign`.
    #[error("最多两个 --sign（评估员1、评估员2）")]
    TooManySigners,
    /// More `--passphrase-file` than keys.
    #[error("--passphrase-file 的个数不能多于要解锁的密钥（每个密钥各用自己的口令）")]
    PassphraseFileCount,
    /// `--sign KEY` for a stored record once accounts exist.
    #[error(
        "本机已设置账号：存档评估不能再用 --sign 密钥名 签名；请用 --as 账号 --sign 以本人账号的密钥签名（另一位评估员用 --cosign-as 或之后用 elder-assess sign）"
    )]
    SignByKeyName,
    /// `--sign` without a key outside a stored record on a machine with accounts.
    #[error(
        "--sign 不带密钥名时以 --as 账号本人的密钥签名，只用于本机已设账号的存档评估；评估文件请用 --sign 密钥名"
    )]
    SignByAccountNeedsAccounts,
    /// `--sign` and `--sign KEY` together.
    #[error("--sign 与 --sign 密钥名 不能同时使用")]
    MixedSign,
    /// `--cosign-as` without signing.
    #[error("--cosign-as 需要与 --sign 一起使用")]
    CosignWithoutSign,
    /// `--cosign-as` names the account signed in with `--as`.
    #[error("--cosign-as 与 --as 是同一账号：另一位评估员须用自己的账号")]
    CosignSameAccount,
    /// The account is bound to neither assessor slot of the record.
    #[error("账号 {account} 不是这份评估绑定的评估员1或评估员2，不能为其签名")]
    NotRecordAssessor {
        /// The login.
        account: String,
    },
    /// No passphrase file, no environment variable, and no terminal to ask on.
    #[error(
        "没有提供口令：标准输入不是终端，请用 --passphrase-file 指定口令文件或设置环境变量 {env}"
    )]
    NoPassphrase {
        /// The environment variable that was looked at.
        env: String,
    },
    /// The two passphrases typed for a new key differ.
    #[error("两次输入的口令不一致")]
    PassphraseMismatch,
    /// No password file, no environment variable, and no terminal to ask on.
    #[error("没有提供密码：标准输入不是终端，请用 {flag} 指定密码文件或设置环境变量 {env}")]
    NoPassword {
        /// The flag that names a password file.
        flag: &'static str,
        /// The environment variable that was looked at.
        env: String,
    },
    /// The two passwords typed differ.
    #[error("两次输入的密码不一致")]
    PasswordMismatch,
    /// A key does not load (wrong passphrase, no such key, …).
    #[error("密钥“{key}”：{source}")]
    Key {
        /// The key's name as given to `--sign`.
        key: String,
        /// Why.
        source: SignError,
    },
    /// `keys new --name` differs from the signed-in account's registered name.
    #[error("密钥的姓名须是账号 {account} 登记的姓名；请省略 --name")]
    KeyNameMismatch {
        /// The signed-in account.
        account: String,
    },
    /// `keys new` without accounts and without `--name`.
    #[error("请用 --name 指定评估员姓名")]
    KeyNameRequired,
    /// The new key could not be bound to the account (it was removed again).
    #[error("无法把密钥绑定到账号（未创建）：{0}")]
    BindKey(StoreError),
    /// `verify`: the file is not a PDF that can be read.
    #[error("{}: {source}", path.display())]
    Verify {
        /// The file.
        path: PathBuf,
        /// Why.
        source: SignError,
    },
    /// `export --full` without a purpose.
    #[error("完整导出（--full）必须用 --purpose 说明用途")]
    PurposeRequired,
    /// Accounts exist and the command was given no `--as`.
    #[error("本机已设置账号：请用 --as 账号 登录（密码见 --password-file）")]
    SignInNeeded,
    /// An encrypted store and no `--as`.
    #[error("{}（密码见 --password-file 或环境变量 {PASSWORD_ENV}）", StoreError::SignInRequired)]
    SignInRequired,
    /// `accounts init` once an account exists.
    #[error("已有账号，不能再初始化；请由管理员用 accounts add 添加账号")]
    AccountsExist,
    /// The first admin was created but the database was not encrypted.
    #[error("已创建管理员账号 {account}，但数据加密未完成：{source}")]
    EncryptionIncomplete {
        /// The admin's login.
        account: String,
        /// Why.
        source: StoreError,
    },
    /// The store in the data directory does not open.
    #[error("无法打开数据目录 {}：{source}", dir.display())]
    StoreOpen {
        /// The data directory.
        dir: PathBuf,
        /// Why.
        source: StoreError,
    },
    /// No stored assessment has this number.
    #[error("没有编号为 {0} 的评估")]
    NoSuchAssessment(String),
    /// `report`: neither a file nor a stored number.
    #[error("{0}: 既不是评估文件，也不是已保存的评估编号")]
    NeitherFileNorNumber(String),
    /// `audit verify` without a database file.
    #[error("{}: 数据库文件不存在", .0.display())]
    NoDatabase(PathBuf),
    /// One stored assessment could not be read.
    #[error("无法读取评估 {number}：{source}")]
    ReadAssessment {
        /// Its number.
        number: String,
        /// Why.
        source: StoreError,
    },
    /// The assessments for a listing could not be read.
    #[error("无法读取评估：{0}")]
    ReadAssessments(StoreError),
    /// The review queue could not be read.
    #[error("无法读取审核队列：{0}")]
    ReadQueue(StoreError),
    /// The audit trail could not be read.
    #[error("无法读取审计记录：{0}")]
    ReadAudit(StoreError),
    /// The report's audit row could not be written (so no file was written).
    #[error("无法记录报告导出（未写入文件）：{0}")]
    RecordReport(StoreError),
    /// The import file does not parse (nothing was written).
    #[error("{file}: {source}（未写入任何记录）")]
    ImportParse {
        /// The file as given.
        file: String,
        /// Which line, and why.
        source: crate::record::ImportError,
    },
    /// The import transaction failed (nothing was written).
    #[error("导入失败（未写入任何记录）：{0}")]
    ImportFailed(StoreError),

    // --- Module errors, in their own words (exit 2) -----------------------------------
    /// The store refused or failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Keys and signatures.
    #[error(transparent)]
    Sign(#[from] SignError),
    /// A scale file.
    #[error(transparent)]
    Scale(#[from] ScaleError),
    /// A service-list file.
    #[error(transparent)]
    Policy(#[from] PolicyError),
    /// Rendering a PDF.
    #[error(transparent)]
    Report(#[from] ReportError),
    /// Rendering and signing the report.
    #[error(transparent)]
    ReportExport(#[from] ReportExportError),
    /// Writing a table file.
    #[error(transparent)]
    TableExport(#[from] TableExportError),
    /// Enrolment, sync or a USB package (network errors leave everything as it was).
    #[error(transparent)]
    Sync(#[from] crate::sync::SyncError),
}

impl CliError {
    /// Whether a check found problems (exit 1) rather than the input being unusable
    /// (exit 2).
    pub fn is_finding(&self) -> bool {
        matches!(
            self,
            Self::InvalidScaleFiles(_)
                | Self::InvalidPolicyFiles(_)
                | Self::BundledScale(_)
                | Self::Unsigned { .. }
                | Self::SignaturesFailed { .. }
                | Self::DamagedDatabase { .. }
                | Self::IntegrityFailed(_)
                | Self::AuditBroken(_)
        )
    }

    /// The exit code: 1 for a finding, 2 for anything else.
    pub fn exit_code(&self) -> u8 {
        if self.is_finding() { 1 } else { 2 }
    }

    /// The problems found in an assessment's answers (the first ones, then how many
    /// more), under `label`.
    pub fn answer_issues(label: &str, err: &AssessmentError) -> Self {
        let (shown, hidden) = err.shown_issues();
        let mut lines: Vec<String> = shown.iter().map(ToString::to_string).collect();
        if hidden > 0 {
            lines.push(crate::assessment::more_issues_line(hidden));
        }
        Self::Issues { label: label.to_owned(), lines }
    }

    /// The lines printed on stderr.
    fn stderr_lines(&self) -> Vec<String> {
        match self {
            // Each file's message names the file; they are printed as they are.
            Self::InvalidScaleFiles(errors) => errors.iter().map(ToString::to_string).collect(),
            Self::InvalidPolicyFiles(errors) => errors.iter().map(ToString::to_string).collect(),
            Self::Issues { label, lines } => {
                lines.iter().map(|line| format!("elder-assess: {label}: {line}")).collect()
            }
            other => vec![format!("elder-assess: {other}")],
        }
    }
}

/// The exit code of a command's result, after printing its error on stderr.
pub fn finish(result: Result<(), CliError>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            for line in err.stderr_lines() {
                eprintln!("{line}");
            }
            ExitCode::from(err.exit_code())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::CliError;
    use crate::store::StoreError;

    #[test]
    fn findings_exit_1_and_unusable_input_exits_2() {
        let findings = [
            CliError::Unsigned { path: "a.pdf".into() },
            CliError::SignaturesFailed { path: "a.pdf".into() },
            CliError::InvalidScaleFiles(Vec::new()),
            CliError::InvalidPolicyFiles(Vec::new()),
            CliError::IntegrityFailed(StoreError::Forbidden),
        ];
        for err in &findings {
            assert_eq!(err.exit_code(), 1, "{err:?}");
        }
        let unusable = [
            CliError::NoDataDir,
            CliError::FromAfterTo,
            CliError::SignInNeeded,
            CliError::Store(StoreError::Forbidden),
            CliError::StoreOpen { dir: "d".into(), source: StoreError::Forbidden },
        ];
        for err in &unusable {
            assert_eq!(err.exit_code(), 2, "{err:?}");
        }
    }

    #[test]
    fn issues_are_one_prefixed_line_each() {
        let err =
            CliError::Issues { label: "x.json".into(), lines: vec!["甲".into(), "乙".into()] };
        assert_eq!(err.stderr_lines(), ["elder-assess: x.json: 甲", "elder-assess: x.json: 乙"]);
        assert_eq!(
            CliError::NoDataDir.stderr_lines(),
            ["elder-assess: 找不到用户数据目录，请用 --data-dir 指定"]
        );
    }
}
