//! Every clap type of the command line: the [`Cli`] parser, the [`Command`] enum and one
//! argument struct (or subcommand enum) per command. Handlers take these values; nothing
//! here does any work.
//!
//! - this file: the parser, the commands, and the arguments of the scoring, policy and
//!   report commands;
//! - [`bureau`]: the bureau's commands (export, stats, import, review, audit) and the
//!   accounts, with the sign-in arguments they share;
//! - [`ca`]: the county certificate authority, the trust store and the account-key
//!   requests and certificates;
//! - [`tsa`]: trusted time (`ca issue-tsa`, `timestamp`).
//! - [`sync`]: enrolment with the county server, sync and the USB package.

pub mod bureau;
pub mod ca;
pub mod sync;
pub mod tsa;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

pub use bureau::{
    AccountsCommand, AuditCommand, ExportArgs, ImportArgs, OptionalSignIn, QueueArgs,
    ReviewCommand, SignIn, StatsArgs,
};
pub use ca::{
    CaCommand, CaInitArgs, CaIssueArgs, CaIssueServerArgs, CaRevokeArgs, KeysInstallArgs,
    KeysRequestArgs, TrustCommand,
};
pub use tsa::{CaIssueTsaArgs, TimestampArgs};

/// 老年人能力评估 (GB/T 42195-2022): the assessor app, and commands to score assessments
/// and check scale files.
#[derive(Debug, Parser)]
#[command(name = "elder-assess", version, about)]
pub struct Cli {
    /// What to do; without a command the desktop app opens.
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Where assessments are stored (default: the user's local data directory).
    #[arg(long, global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Score one assessment: reads the answer JSON, prints the outcome JSON.
    Score(ScoreArgs),
    /// Validate scale files; exit 1 if any fails.
    CheckScale {
        /// Scale files (RON).
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// List the bundled scales.
    Scales,
    /// Export the assessment report (评估报告 and the resident page) as PDF.
    Report(ReportArgs),
    /// Add the next assessor's signature (评估员2 after 评估员1) to a report exported
    /// earlier, with the signed-in account's own key; the account must be the one bound
    /// to that slot.
    Sign(SignArgs),
    /// Export the blank paper form (Annex A–C with tick boxes) as PDF.
    BlankForm {
        /// Where to write the PDF.
        #[arg(long, value_name = "FILE.pdf")]
        out: PathBuf,
    },
    /// Evaluate the county's service list for one elder: reads the facts JSON, prints one
    /// decision per service, the monthly cash total and the admission priority.
    Entitlements(EntitlementsArgs),
    /// Validate service-list files; exit 1 if any fails.
    CheckPolicy {
        /// Service-list files (RON).
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Export stored assessments as CSV or XLSX (by the file's extension). De-identified
    /// (no name, masked ID number, age band) unless `--full`, which is recorded in the
    /// audit trail.
    Export(ExportArgs),
    /// Count approved assessments by final level and township, age band or sex.
    Stats(StatsArgs),
    /// Import assessments from JSON lines (one assessment file per line), in one
    /// transaction: all or nothing.
    Import(ImportArgs),
    /// Print a stored assessment's outcome as JSON (the `score` output plus its number
    /// and status).
    Outcome(OutcomeArgs),
    /// Manage the assessors' signing keys (digital signatures on reports).
    Keys {
        /// What to do with the keys.
        #[command(subcommand)]
        command: KeysCommand,
    },
    /// Check a signed report against the county roots and CRLs installed with `trust
    /// add`: exit 0 only if every signature is intact, trusted, by the person printed in
    /// its slot and followed by nothing but signing, and both assessors signed in order;
    /// 1 if not (or unsigned); 2 if not a PDF.
    Verify {
        /// The PDF file.
        #[arg(value_name = "FILE.pdf")]
        file: PathBuf,
        /// Print the verdict as JSON: one object per signature with the reason for each
        /// failure.
        #[arg(long)]
        json: bool,
    },
    /// Add an RFC 3161 document time-stamp (PAdES B-T) to a signed report, with the
    /// county's time-stamp authority key (`ca issue-tsa`).
    Timestamp(TimestampArgs),
    /// The audit trail of the assessment database (in `--data-dir`).
    Audit {
        /// What to do.
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Accounts: the first admin, new accounts, password resets.
    Accounts {
        /// What to do.
        #[command(subcommand)]
        command: AccountsCommand,
    },
    /// The county certificate authority: the root, assessor certificates, revocation.
    Ca {
        /// What to do.
        #[command(subcommand)]
        command: CaCommand,
    },
    /// The county roots and revocation lists this machine trusts.
    Trust {
        /// What to do.
        #[command(subcommand)]
        command: TrustCommand,
    },
    /// The review (审核): submit, approve or return an assessment; the review queue and
    /// the elders due for a routine re-assessment.
    Review {
        /// What to do.
        #[command(subcommand)]
        command: ReviewCommand,
    },
    /// Enrol this device with the county server (once, in a new data directory): the
    /// county's accounts become this device's, its trust is installed.
    Enrol(sync::EnrolArgs),
    /// Sync with the county server: upload the outbox, receive review decisions, the
    /// county's records (reviewers), the roster, trust and versions.
    Sync(sync::SyncArgs),
    /// The outbox as a signed package on a USB stick: export, or import on a bureau
    /// machine.
    Package {
        /// What to do.
        #[command(subcommand)]
        command: sync::PackageCommand,
    },
}

/// `elder-assess score`.
#[derive(Debug, clap::Args)]
pub struct ScoreArgs {
    /// Answer file, or `-` for standard input.
    #[arg(default_value = "-")]
    pub file: String,
    /// Score against this scale file instead of a bundled scale.
    #[arg(long, value_name = "SCALE.ron")]
    pub scale_file: Option<PathBuf>,
}

/// `elder-assess entitlements`.
#[derive(Debug, clap::Args)]
pub struct EntitlementsArgs {
    /// Facts file, or `-` for standard input.
    #[arg(default_value = "-")]
    pub file: String,
    /// Evaluate against this service-list file instead of the bundled one.
    #[arg(long, value_name = "POLICY.ron")]
    pub policy_file: Option<PathBuf>,
}

/// `elder-assess outcome`.
#[derive(Debug, clap::Args)]
pub struct OutcomeArgs {
    /// Assessment number (A.1.1), e.g. `PG20261128-0001`.
    pub number: String,
    /// Who reads (needed once the data is encrypted, i.e. accounts exist).
    #[command(flatten)]
    pub sign_in: OptionalSignIn,
}

/// `elder-assess report`.
#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// An assessment file (JSON, as in `tests/data/example-assessment.json`) or the
    /// number of a stored assessment.
    pub assessment: String,
    /// Where to write the PDF.
    #[arg(long, value_name = "FILE.pdf")]
    pub out: PathBuf,
    /// Leave out the resident page (给老人和家属的说明).
    #[arg(long)]
    pub no_resident_page: bool,
    /// Sign the report. Once the machine has accounts (a stored record): `--sign` alone
    /// signs the slot(s) bound to the `--as` account with that account's own key (and
    /// `--cosign-as` signs the other assessor's slot). Without accounts (or for an
    /// assessment file): `--sign KEY` signs with that practice key (see `keys new`); the
    /// first `--sign KEY` is assessor 1, the second assessor 2, each key named like that
    /// assessor.
    #[arg(
        long,
        value_name = "KEY",
        num_args = 0..=1,
        default_missing_value = "",
        action = clap::ArgAction::Append
    )]
    pub sign: Vec<String>,
    /// Read the key passphrase of the `--as` account (or of the first `--sign KEY`) from
    /// this file; a second one is for the second `--sign KEY`. Else
    /// `ELDER_ASSESS_PASSPHRASE`, else a prompt. One passphrase never unlocks two keys.
    #[arg(long, value_name = "FILE", action = clap::ArgAction::Append)]
    pub passphrase_file: Vec<PathBuf>,
    /// The other assessor signs in too and signs their slot in the same run.
    #[command(flatten)]
    pub cosign: CosignIn,
    /// Who reports (required for a stored record once accounts exist; the report is
    /// recorded in the audit trail).
    #[command(flatten)]
    pub sign_in: OptionalSignIn,
}

/// The second assessor signing in for `report … --sign` (each with their own password
/// and key passphrase).
#[derive(Debug, clap::Args)]
pub struct CosignIn {
    /// The other assessor's account (login name); they sign their own slot.
    #[arg(long = "cosign-as", id = "cosign_as", value_name = "LOGIN2", requires = "as")]
    pub account: Option<String>,
    /// Read their account password from this file (else `ELDER_ASSESS_COSIGN_PASSWORD`,
    /// else the terminal).
    #[arg(long, value_name = "FILE", requires = "cosign_as")]
    pub cosign_password_file: Option<PathBuf>,
    /// Read their key passphrase from this file (else `ELDER_ASSESS_COSIGN_PASSPHRASE`,
    /// else the terminal).
    #[arg(long, value_name = "FILE", requires = "cosign_as")]
    pub cosign_passphrase_file: Option<PathBuf>,
}

/// `elder-assess sign`.
#[derive(Debug, clap::Args)]
pub struct SignArgs {
    /// A report exported earlier, signed by 评估员1.
    #[arg(value_name = "REPORT.pdf")]
    pub file: PathBuf,
    /// Where to write the signed report (default: replace the file).
    #[arg(long, value_name = "FILE.pdf")]
    pub out: Option<PathBuf>,
    /// Read the key passphrase from this file (else `ELDER_ASSESS_PASSPHRASE`, else a
    /// prompt).
    #[arg(long, value_name = "FILE")]
    pub passphrase_file: Option<PathBuf>,
    /// Who signs: the account bound to the report's next unsigned slot.
    #[command(flatten)]
    pub sign_in: SignIn,
}

/// `elder-assess keys …`: the assessors' signing keys in `<data dir>/keys/`.
#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Create an encrypted signing key and a certificate for an assessor; once accounts
    /// exist, signed in, named after the account and bound to it.
    New(KeysNewArgs),
    /// List the stored keys.
    List,
    /// Write the signed-in account's certificate request again (for `ca issue`).
    Request(KeysRequestArgs),
    /// Install the county-issued certificate for the signed-in account's key.
    Install(KeysInstallArgs),
}

/// `elder-assess keys new`.
#[derive(Debug, clap::Args)]
pub struct KeysNewArgs {
    /// The assessor's name, as it appears on signatures (once accounts exist: the
    /// signed-in account's registered name, which is the default).
    #[arg(long)]
    pub name: Option<String>,
    /// Read the passphrase from this file (else `ELDER_ASSESS_PASSPHRASE`, else the
    /// terminal).
    #[arg(long, value_name = "FILE")]
    pub passphrase_file: Option<PathBuf>,
    /// The account the key is for (required once accounts exist).
    #[command(flatten)]
    pub sign_in: OptionalSignIn,
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory as _;

    #[test]
    fn the_command_line_definition_is_consistent() {
        super::Cli::command().debug_assert();
    }
}
