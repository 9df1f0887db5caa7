//! The arguments of the bureau's commands (`export`, `stats`, `import`, `review …`,
//! `audit …`), of `accounts …`, and the sign-in arguments (`--as`, `--password-file`)
//! they share.

use std::path::PathBuf;

use clap::Subcommand;

use crate::cli::error::CliError;

/// `elder-assess export`.
#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// Where to write: `*.csv` or `*.xlsx`.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// Include names and full ID numbers (recorded in the audit trail).
    #[arg(long)]
    pub full: bool,
    /// Why a full export is made (required with `--full`; recorded in the audit
    /// trail with it).
    #[arg(long, requires = "full")]
    pub purpose: Option<String>,
    /// Only approved assessments.
    #[arg(long)]
    pub approved_only: bool,
    /// Who exports (required for `--full` once accounts exist: a reviewer or admin).
    #[command(flatten)]
    pub sign_in: OptionalSignIn,
}

/// `elder-assess stats`.
#[derive(Debug, clap::Args)]
pub struct StatsArgs {
    /// Grouping, e.g. `township,level`, `age,level`, `sex,level`, `township,sex`.
    #[arg(long, default_value = "township,level")]
    pub by: String,
    /// First day of the period (default: 1 January of this year).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub from: Option<chrono::NaiveDate>,
    /// Last day of the period (default: today).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub to: Option<chrono::NaiveDate>,
    /// Also write the table to this `*.csv` or `*.xlsx` file.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Who reads (needed once the data is encrypted, i.e. accounts exist).
    #[command(flatten)]
    pub sign_in: OptionalSignIn,
}

/// `elder-assess import`.
#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// The JSON-lines file, or `-` for standard input.
    pub file: String,
    /// 更正退回的评估: each line replaces the returned (已退回) record with its number,
    /// audited field by field; its signed report must then be signed again by both
    /// assessors (`report NUMBER --sign --cosign-as`) before `review submit`.
    #[arg(long)]
    pub correct: bool,
    /// Who imports (required once accounts exist).
    #[command(flatten)]
    pub sign_in: OptionalSignIn,
}

/// `elder-assess audit …`: the tamper-evident audit trail in the database.
#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Check the audit trail's hash chain: exit 0 and print the row count when intact,
    /// 1 naming the first broken or missing row, 2 if the database cannot be opened.
    Verify {
        /// Who checks (needed once the data is encrypted, i.e. accounts exist).
        #[command(flatten)]
        sign_in: OptionalSignIn,
    },
}

/// Signing in for one command: the account, and where its password comes from.
#[derive(Debug, clap::Args)]
pub struct SignIn {
    /// Sign in as this account (login name).
    #[arg(long = "as", id = "as", value_name = "LOGIN")]
    pub account: String,
    /// Read the password from this file (else `ELDER_ASSESS_PASSWORD`, else the
    /// terminal).
    #[arg(long, value_name = "FILE")]
    pub password_file: Option<PathBuf>,
}

/// Signing in where it is needed only once accounts exist.
#[derive(Debug, clap::Args)]
pub struct OptionalSignIn {
    /// Sign in as this account (login name); needed once the machine has accounts.
    #[arg(long = "as", id = "as", value_name = "LOGIN")]
    pub account: Option<String>,
    /// Read the password from this file (else `ELDER_ASSESS_PASSWORD`, else the
    /// terminal).
    #[arg(long, value_name = "FILE", requires = "as")]
    pub password_file: Option<PathBuf>,
}

/// `elder-assess accounts …`: the local accounts in the database (in `--data-dir`).
///
/// A password being set comes from `--new-password-file`, else `ELDER_ASSESS_NEW_PASSWORD`,
/// else the terminal (asked twice).
#[derive(Debug, Subcommand)]
pub enum AccountsCommand {
    /// Create the first account, an admin; refused once any account exists.
    Init {
        /// The admin's login name.
        #[arg(long)]
        login: String,
        /// The admin's name (显示名).
        #[arg(long)]
        name: String,
        /// Read the new password from this file (else `ELDER_ASSESS_NEW_PASSWORD`, else
        /// the terminal, twice).
        #[arg(long, value_name = "FILE")]
        new_password_file: Option<PathBuf>,
    },
    /// Create an account, signed in as an admin.
    Add {
        /// The admin signing in.
        #[command(flatten)]
        sign_in: SignIn,
        /// The new account's login name.
        #[arg(long)]
        login: String,
        /// The new account's name, as signed on assessments (显示名).
        #[arg(long)]
        name: String,
        /// `assessor` (评估员), `reviewer` (审核员) or `admin` (管理员).
        #[arg(long, value_parser = parse_role)]
        role: crate::review::Role,
        /// Read the new password from this file (else `ELDER_ASSESS_NEW_PASSWORD`, else
        /// the terminal, twice).
        #[arg(long, value_name = "FILE")]
        new_password_file: Option<PathBuf>,
    },
    /// On a machine enrolled with the county server: let another county account sign in
    /// here. An account already on this machine signs in (`--as`), then the joining
    /// account signs in with its county password, which gives it its own unlock entry.
    Join {
        /// The account already on this machine, signing in.
        #[command(flatten)]
        sign_in: SignIn,
        /// The county account joining (its login, from the roster).
        #[arg(long)]
        login: String,
        /// Read the joining account's password from this file (else
        /// `ELDER_ASSESS_NEW_PASSWORD`, else the terminal).
        #[arg(long, value_name = "FILE")]
        join_password_file: Option<PathBuf>,
    },
    /// Set a new password for an account and unlock it, signed in as an admin.
    Reset {
        /// The admin signing in.
        #[command(flatten)]
        sign_in: SignIn,
        /// The account whose password is reset.
        #[arg(long)]
        login: String,
        /// Read the new password from this file (else `ELDER_ASSESS_NEW_PASSWORD`, else
        /// the terminal, twice).
        #[arg(long, value_name = "FILE")]
        new_password_file: Option<PathBuf>,
    },
    /// List the accounts (login, role, name, locked or not), signed in as an admin.
    List {
        /// The admin signing in.
        #[command(flatten)]
        sign_in: SignIn,
    },
}

/// A role from its code (`assessor`, `reviewer`, `admin`).
fn parse_role(code: &str) -> Result<crate::review::Role, CliError> {
    crate::review::Role::from_code(code.trim()).ok_or(CliError::UnknownRole)
}

/// `elder-assess review …`: the review lifecycle of stored assessments.
#[derive(Debug, Subcommand)]
pub enum ReviewCommand {
    /// 评估员确认: the signed-in account confirms that it is assessor 1 or 2 of a draft or
    /// completed assessment (each assessor signs in for their own signature). Once
    /// accounts exist, an assessment is submitted only when both are confirmed, by two
    /// different accounts.
    Sign {
        /// Assessment number (A.1.1).
        number: String,
        /// Which assessor signature: 1 or 2.
        #[arg(long, value_parser = clap::value_parser!(u8).range(1..=2))]
        slot: u8,
        /// The assessor signing in.
        #[command(flatten)]
        sign_in: SignIn,
    },
    /// 提交审核: a completed assessment goes to the review queue (assessor or admin).
    Submit {
        /// Assessment number (A.1.1).
        number: String,
        /// Who submits.
        #[command(flatten)]
        sign_in: SignIn,
    },
    /// 审核通过: approve a submitted assessment (reviewer or admin, not one of its
    /// assessors). Final.
    Approve {
        /// Assessment number (A.1.1).
        number: String,
        /// Who approves.
        #[command(flatten)]
        sign_in: SignIn,
    },
    /// 退回: send a submitted assessment back to its assessors, with a reason.
    Return {
        /// Assessment number (A.1.1).
        number: String,
        /// Who returns it.
        #[command(flatten)]
        sign_in: SignIn,
        /// Why it goes back (required, not blank).
        #[arg(long)]
        reason: String,
    },
    /// 内容冲突: list the county records received as conflicting versions (one envelope
    /// id with different content), each version with its hash prefix, device, receipt
    /// time, total and level (no names or ID numbers).
    Conflicts {
        /// Who reads (needed once the data is encrypted, i.e. accounts exist).
        #[command(flatten)]
        sign_in: OptionalSignIn,
    },
    /// 以此版本为准: of a conflicting county record's versions, the one whose content hash
    /// starts with `--keep` stands (reviewer or admin, none of any version's assessors
    /// or duty accounts); queued for the next sync like an approval.
    Resolve {
        /// Assessment number (A.1.1).
        number: String,
        /// The kept version's hash prefix (as `review conflicts` lists it).
        #[arg(long, value_name = "HASH_PREFIX")]
        keep: String,
        /// Why this version stands (required, not blank).
        #[arg(long)]
        reason: String,
        /// Who decides.
        #[command(flatten)]
        sign_in: SignIn,
    },
    /// List the submitted assessments waiting for review, oldest submission first
    /// (tab-separated; ID numbers masked).
    Queue(QueueArgs),
    /// List the elders whose routine re-assessment is overdue or due within 30 days
    /// (from their latest approved assessment; ID numbers masked).
    Due {
        /// Months between routine assessments [default: the county file's].
        #[arg(long, value_parser = clap::value_parser!(u32).range(1..=120))]
        months: Option<u32>,
        /// Who reads (needed once the data is encrypted, i.e. accounts exist).
        #[command(flatten)]
        sign_in: OptionalSignIn,
    },
}

/// `elder-assess review queue`: the filters (turned into a store query by
/// `cli::filters::queue_filter`).
#[derive(Debug, clap::Args)]
pub struct QueueArgs {
    /// Only this township (乡镇).
    #[arg(long)]
    pub township: Option<String>,
    /// Only assessments where this name is assessor 1 or 2.
    #[arg(long)]
    pub assessor: Option<String>,
    /// Reference date (A.1.2) on or after.
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub from: Option<chrono::NaiveDate>,
    /// Reference date (A.1.2) on or before.
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub to: Option<chrono::NaiveDate>,
    /// Only this final level (0–4).
    #[arg(long, value_parser = clap::value_parser!(u8).range(0..=4))]
    pub level: Option<u8>,
    /// Only assessments with consistency warnings.
    #[arg(long)]
    pub with_warnings: bool,
    /// Who reads (needed once the data is encrypted, i.e. accounts exist).
    #[command(flatten)]
    pub sign_in: OptionalSignIn,
}
