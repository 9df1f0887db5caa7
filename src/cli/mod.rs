//! The command-line face of the library: `elder-assess <command>`.
//!
//! Each command parses its input, calls the engine and prints. Results go to stdout,
//! problems to stderr, and the exit code says which:
//!
//! | code | meaning |
//! | --- | --- |
//! | 0 | success |
//! | 1 | a check found problems (`check-scale`, `verify`, `audit verify`, also on a damaged database) |
//! | 2 | unusable input or arguments: nothing is printed on stdout |

mod county;
mod store_open;

use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::assessment::json::{ScoreInput, ScoreOutput};
use crate::assessment::score;
use crate::record::AssessmentRecord;
use crate::scale::{self, Scale};
use crate::sign;

use store_open::{Access, with_store};

mod guarded;

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
    Score {
        /// Answer file, or `-` for standard input.
        #[arg(default_value = "-")]
        file: String,
        /// Score against this scale file instead of a bundled scale.
        #[arg(long, value_name = "SCALE.ron")]
        scale_file: Option<PathBuf>,
    },
    /// Validate scale files; exit 1 if any fails.
    CheckScale {
        /// Scale files (RON).
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// List the bundled scales.
    Scales,
    /// Export the assessment report (评估报告 and the resident page) as PDF.
    Report {
        /// An assessment file (JSON, as in `tests/data/example-assessment.json`) or the
        /// number of a stored assessment.
        assessment: String,
        /// Where to write the PDF.
        #[arg(long, value_name = "FILE.pdf")]
        out: PathBuf,
        /// Leave out the resident page (给老人和家属的说明).
        #[arg(long)]
        no_resident_page: bool,
        /// Sign with this assessor key (see `keys new`): the first `--sign` is assessor 1,
        /// the second assessor 2. Each key's name must be that assessor's name.
        #[arg(long, value_name = "KEY", num_args = 1, action = clap::ArgAction::Append)]
        sign: Vec<String>,
        /// Read the key passphrase from this file (one per `--sign`, in order; a single
        /// file serves every key). Else `ELDER_ASSESS_PASSPHRASE`, else a prompt.
        #[arg(long, value_name = "FILE", action = clap::ArgAction::Append)]
        passphrase_file: Vec<PathBuf>,
        /// Who reports (required for a stored record once accounts exist; the report is
        /// recorded in the audit trail).
        #[command(flatten)]
        sign_in: OptionalSignIn,
    },
    /// Export the blank paper form (Annex A–C with tick boxes) as PDF.
    BlankForm {
        /// Where to write the PDF.
        #[arg(long, value_name = "FILE.pdf")]
        out: PathBuf,
    },
    /// Evaluate the county's service list for one elder: reads the facts JSON, prints one
    /// decision per service, the monthly cash total and the admission priority.
    Entitlements {
        /// Facts file, or `-` for standard input.
        #[arg(default_value = "-")]
        file: String,
        /// Evaluate against this service-list file instead of the bundled one.
        #[arg(long, value_name = "POLICY.ron")]
        policy_file: Option<PathBuf>,
    },
    /// Validate service-list files; exit 1 if any fails.
    CheckPolicy {
        /// Service-list files (RON).
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Export stored assessments as CSV or XLSX (by the file's extension). De-identified
    /// (no name, masked ID number, age band) unless `--full`, which is recorded in the
    /// audit trail.
    Export {
        /// Where to write: `*.csv` or `*.xlsx`.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// Include names and full ID numbers (recorded in the audit trail).
        #[arg(long)]
        full: bool,
        /// Why a full export is made (required with `--full`; recorded in the audit
        /// trail with it).
        #[arg(long, requires = "full")]
        purpose: Option<String>,
        /// Only approved assessments.
        #[arg(long)]
        approved_only: bool,
        /// Who exports (required for `--full` once accounts exist: a reviewer or admin).
        #[command(flatten)]
        sign_in: OptionalSignIn,
    },
    /// Count approved assessments by final level and township, age band or sex.
    Stats {
        /// Grouping, e.g. `township,level`, `age,level`, `sex,level`, `township,sex`.
        #[arg(long, default_value = "township,level")]
        by: String,
        /// First day of the period (default: 1 January of this year).
        #[arg(long, value_name = "YYYY-MM-DD")]
        from: Option<chrono::NaiveDate>,
        /// Last day of the period (default: today).
        #[arg(long, value_name = "YYYY-MM-DD")]
        to: Option<chrono::NaiveDate>,
        /// Also write the table to this `*.csv` or `*.xlsx` file.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// Who reads (needed once the data is encrypted, i.e. accounts exist).
        #[command(flatten)]
        sign_in: OptionalSignIn,
    },
    /// Import assessments from JSON lines (one assessment file per line), in one
    /// transaction: all or nothing.
    Import {
        /// The JSON-lines file, or `-` for standard input.
        file: String,
        /// Who imports (required once accounts exist).
        #[command(flatten)]
        sign_in: OptionalSignIn,
    },
    /// Print a stored assessment's outcome as JSON (the `score` output plus its number
    /// and status).
    Outcome {
        /// Assessment number (A.1.1), e.g. `PG20261128-0001`.
        number: String,
        /// Who reads (needed once the data is encrypted, i.e. accounts exist).
        #[command(flatten)]
        sign_in: OptionalSignIn,
    },
    /// Manage the assessors' signing keys (digital signatures on reports).
    Keys {
        /// What to do with the keys.
        #[command(subcommand)]
        command: KeysCommand,
    },
    /// Check the digital signatures of a PDF: exit 0 if every signature is intact and
    /// the last one covers the whole file, 1 if not (or unsigned), 2 if not a PDF.
    Verify {
        /// The PDF file.
        #[arg(value_name = "FILE.pdf")]
        file: PathBuf,
    },
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
    /// The review (审核): submit, approve or return an assessment; the review queue and
    /// the elders due for a routine re-assessment.
    Review {
        /// What to do.
        #[command(subcommand)]
        command: ReviewCommand,
    },
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

/// `elder-assess keys …`: the assessors' signing keys in `<data dir>/keys/`.
#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Create an encrypted signing key and a certificate for an assessor; once accounts
    /// exist, signed in, named after the account and bound to it.
    New {
        /// The assessor's name, as it appears on signatures (once accounts exist: the
        /// signed-in account's registered name, which is the default).
        #[arg(long)]
        name: Option<String>,
        /// Read the passphrase from this file (else `ELDER_ASSESS_PASSPHRASE`, else the
        /// terminal).
        #[arg(long, value_name = "FILE")]
        passphrase_file: Option<PathBuf>,
        /// The account the key is for (required once accounts exist).
        #[command(flatten)]
        sign_in: OptionalSignIn,
    },
    /// List the stored keys.
    List,
}

/// Parses the process arguments and runs the command.
pub fn run() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Some(Command::Score { file, scale_file }) => score_command(&file, scale_file.as_deref()),
        Some(Command::CheckScale { files }) => check_scale_command(&files),
        Some(Command::Scales) => scales_command(),
        Some(Command::Report {
            assessment,
            out,
            no_resident_page,
            sign,
            passphrase_file,
            sign_in,
        }) => {
            let request = ReportRequest {
                data_dir: cli.data_dir.as_deref(),
                assessment: &assessment,
                out: &out,
                resident_page: !no_resident_page,
                keys: &sign,
                passphrase_files: &passphrase_file,
                sign_in: &sign_in,
            };
            report_command(&request)
        }
        Some(Command::BlankForm { out }) => blank_form_command(&out),
        Some(Command::Export { out, full, purpose, approved_only, sign_in }) => {
            let request =
                ExportArgs { out: &out, full, purpose: purpose.as_deref(), approved_only };
            export_from_args(cli.data_dir.as_deref(), &request, &sign_in)
        }
        Some(Command::Stats { by, from, to, out, sign_in }) => with_store(
            cli.data_dir.as_deref(),
            Access::Read,
            &store_open::Credentials::from(&sign_in),
            |store| stats_command(store, &by, from, to, out.as_deref()),
        ),
        Some(Command::Import { file, sign_in }) => with_store(
            cli.data_dir.as_deref(),
            Access::Write,
            &store_open::Credentials::from(&sign_in),
            |store| import_command(store, &file, &sign_in),
        ),
        Some(Command::Entitlements { file, policy_file }) => {
            entitlements_command(&file, policy_file.as_deref())
        }
        Some(Command::CheckPolicy { files }) => check_policy_command(&files),
        Some(Command::Keys { command }) => {
            let Some(dir) = cli.data_dir.or_else(crate::store::default_data_dir) else {
                return usage_error("找不到用户数据目录，请用 --data-dir 指定");
            };
            keys_command(&dir, command)
        }
        Some(Command::Verify { file }) => verify_command(&file),
        Some(Command::Audit { command: AuditCommand::Verify { sign_in } }) => {
            let Some(dir) = cli.data_dir.or_else(crate::store::default_data_dir) else {
                return usage_error("找不到用户数据目录，请用 --data-dir 指定");
            };
            guarded::audit_verify_command(&dir, &sign_in)
        }
        Some(Command::Outcome { number, sign_in }) => {
            let Some(dir) = cli.data_dir.or_else(crate::store::default_data_dir) else {
                return usage_error("找不到用户数据目录，请用 --data-dir 指定");
            };
            outcome_command(&dir, &number, &sign_in)
        }
        Some(Command::Accounts {
            command: AccountsCommand::Init { login, name, new_password_file },
        }) => init_account(cli.data_dir.as_deref(), &login, &name, new_password_file.as_deref()),
        Some(Command::Accounts { command }) => {
            let who = command.sign_in();
            with_store(cli.data_dir.as_deref(), Access::Write, &who, |store| {
                accounts_command(store, command)
            })
        }
        Some(Command::Review { command }) => {
            let access = match command {
                ReviewCommand::Queue { .. } | ReviewCommand::Due { .. } => Access::Read,
                _ => Access::Write,
            };
            let who = command.sign_in();
            with_store(cli.data_dir.as_deref(), access, &who, |store| {
                review_command(store, command)
            })
        }
        None => {
            let Some(dir) = cli.data_dir.or_else(crate::store::default_data_dir) else {
                return usage_error("找不到用户数据目录，请用 --data-dir 指定");
            };
            crate::ui::run(&dir)
        }
    }
}

/// What `export` was asked for.
struct ExportArgs<'a> {
    out: &'a Path,
    full: bool,
    purpose: Option<&'a str>,
    approved_only: bool,
}

/// `elder-assess export`: de-identified, or full (signed in, with a purpose).
fn export_from_args(
    data_dir: Option<&Path>,
    request: &ExportArgs<'_>,
    sign_in: &OptionalSignIn,
) -> ExitCode {
    let access = if request.full { Access::Write } else { Access::Read };
    with_store(data_dir, access, &store_open::Credentials::from(sign_in), |store| {
        if request.full
            && let Err(message) = sign_in_if_needed(store, sign_in)
        {
            return usage_error(&message);
        }
        if request.full && request.purpose.is_none_or(|p| p.trim().is_empty()) {
            return usage_error("完整导出（--full）必须用 --purpose 说明用途");
        }
        let privacy = if request.full {
            crate::tables::Privacy::Full
        } else {
            crate::tables::Privacy::DeIdentified
        };
        let request = crate::output::table_files::RecordsExport {
            path: request.out,
            privacy,
            approved_only: request.approved_only,
            purpose: request.purpose,
        };
        export_command(store, &request)
    })
}

/// Prints `message` on stderr and returns exit code 2.
fn usage_error(message: &str) -> ExitCode {
    eprintln!("elder-assess: {message}");
    ExitCode::from(2)
}

/// Reads a file, or standard input for `-`.
fn read_input(file: &str) -> Result<String, String> {
    if file == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|err| format!("无法读取标准输入：{err}"))?;
        Ok(text)
    } else {
        std::fs::read_to_string(file).map_err(|err| format!("{file}: 无法读取文件：{err}"))
    }
}

fn entitlements_command(file: &str, policy_file: Option<&Path>) -> ExitCode {
    let text = match read_input(file) {
        Ok(text) => text,
        Err(message) => return usage_error(&message),
    };
    let input = match crate::policy::json::EntitlementInput::from_json(&text) {
        Ok(input) => input,
        Err(message) => return usage_error(&format!("{file}: {message}")),
    };
    let policy = if let Some(path) = policy_file {
        crate::policy::load_file(path).map_err(|err| err.to_string())
    } else {
        let id = input.policy.as_deref().unwrap_or(crate::policy::DEFAULT_POLICY_ID);
        crate::policy::bundled(id)
            .map_err(|err| err.to_string())
            .and_then(|p| p.ok_or_else(|| format!("`policy`：未知服务清单 `{id}`")))
    };
    let policy = match policy {
        Ok(policy) => policy,
        Err(message) => return usage_error(&message),
    };
    match input.to_subject() {
        Ok(subject) => print_json(&crate::policy::json::entitlements(&policy, &subject)),
        Err(err) => usage_error(&format!("{file}: {err}")),
    }
}

fn check_policy_command(files: &[PathBuf]) -> ExitCode {
    let mut failed = false;
    for file in files {
        match crate::policy::load_file(file) {
            Ok(policy) => println!(
                "{}: ok（{}，{} 项服务）",
                file.display(),
                policy.id,
                policy.services().len()
            ),
            Err(err) => {
                failed = true;
                eprintln!("{err}");
            }
        }
    }
    if failed { ExitCode::FAILURE } else { ExitCode::SUCCESS }
}

fn score_command(file: &str, scale_file: Option<&Path>) -> ExitCode {
    let text = match read_input(file) {
        Ok(text) => text,
        Err(message) => return usage_error(&message),
    };
    let input = match ScoreInput::from_json(&text) {
        Ok(input) => input,
        Err(message) => return usage_error(&format!("{file}: {message}")),
    };
    let scale = match resolve_scale(input.scale.as_deref(), scale_file) {
        Ok(scale) => scale,
        Err(message) => return usage_error(&message),
    };
    let outcome =
        input.to_answers(&scale).and_then(|(answers, facts)| score(&scale, &answers, &facts));
    match outcome {
        Ok(outcome) => print_json(&ScoreOutput::from(&outcome)),
        Err(err) => answer_issues(file, &err),
    }
}

/// The scale to score against: a file if given, else the bundled scale named in the input.
fn resolve_scale(id: Option<&str>, scale_file: Option<&Path>) -> Result<Scale, String> {
    if let Some(path) = scale_file {
        let scale = scale::load_file(path).map_err(|err| err.to_string())?;
        if let Some(id) = id.filter(|id| *id != scale.id()) {
            return Err(format!("`scale`：输入指定 `{id}`，但量表文件是 `{}`", scale.id()));
        }
        return Ok(scale);
    }
    let id = id.unwrap_or(scale::DEFAULT_SCALE_ID);
    let bundled = scale::load_bundled().map_err(|err| err.to_string())?;
    let known: Vec<String> = bundled.iter().map(|s| format!("`{}`", s.id())).collect();
    bundled
        .into_iter()
        .find(|s| s.id() == id)
        .ok_or_else(|| format!("`scale`：未知量表 `{id}`，可用量表为 {}", known.join("、")))
}

fn print_json(value: &impl serde::Serialize) -> ExitCode {
    let mut stdout = std::io::stdout().lock();
    let written = serde_json::to_writer_pretty(&mut stdout, value)
        .map_err(std::io::Error::from)
        .and_then(|()| writeln!(stdout));
    match written {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("elder-assess: 无法写出结果：{err}");
            ExitCode::from(2)
        }
    }
}

/// The stored outcome: the `score` JSON with the assessment's number and status first.
#[derive(serde::Serialize)]
struct StoredOutcome<'a> {
    number: &'a str,
    status: &'static str,
    #[serde(flatten)]
    outcome: ScoreOutput,
}

fn outcome_command(dir: &Path, number: &str, sign_in: &OptionalSignIn) -> ExitCode {
    let store = match store_open::open_as(dir, Access::Read, &sign_in.into()) {
        Ok(store) => store,
        Err(failure) => return usage_error(&failure.message),
    };
    let stored = match store.find_by_number(number).and_then(|id| match id {
        Some(id) => store.load(id),
        None => Ok(None),
    }) {
        Ok(Some(stored)) => stored,
        Ok(None) => return usage_error(&format!("没有编号为 {number} 的评估")),
        Err(err) => return usage_error(&format!("无法读取评估 {number}：{err}")),
    };
    let scale = match resolve_scale(None, None) {
        Ok(scale) => scale,
        Err(message) => return usage_error(&message),
    };
    let record = &stored.record;
    match score(&scale, &record.answers(&scale), &record.facts(&scale)) {
        Ok(outcome) => print_json(&StoredOutcome {
            number: &record.info.number,
            status: stored.status.code(),
            outcome: ScoreOutput::from(&outcome),
        }),
        Err(err) => answer_issues(number, &err),
    }
}

/// Prints the first issues of `err` (and how many more there are), one per line, and
/// returns exit code 2.
fn answer_issues(label: &str, err: &crate::assessment::AssessmentError) -> ExitCode {
    let (shown, hidden) = err.shown_issues();
    for issue in shown {
        eprintln!("elder-assess: {label}: {issue}");
    }
    if hidden > 0 {
        eprintln!("elder-assess: {label}: {}", crate::assessment::more_issues_line(hidden));
    }
    ExitCode::from(2)
}

fn check_scale_command(files: &[PathBuf]) -> ExitCode {
    let mut failed = false;
    for file in files {
        match scale::load_file(file) {
            Ok(scale) => println!(
                "{}: ok（{}，{} 个维度，{} 个条目，总分 0–{}）",
                file.display(),
                scale.id(),
                scale.domains().len(),
                scale.items().len(),
                scale.max_total()
            ),
            Err(err) => {
                failed = true;
                eprintln!("{err}");
            }
        }
    }
    if failed { ExitCode::FAILURE } else { ExitCode::SUCCESS }
}

fn scales_command() -> ExitCode {
    let scales = match scale::load_bundled() {
        Ok(scales) => scales,
        // A bundled scale is checked by the test suite; this only guards a broken build.
        Err(err) => {
            eprintln!("elder-assess: 内置量表无效：{err}");
            return ExitCode::FAILURE;
        }
    };
    for (scale, file) in scales.iter().zip(scale::bundled_files()) {
        println!(
            "{}\t{}《{}》\t{} 个条目，总分 0–{}\t生效 {}\t{}",
            scale.id(),
            scale.standard(),
            scale.name(),
            scale.items().len(),
            scale.max_total(),
            scale.effective(),
            file
        );
    }
    ExitCode::SUCCESS
}

/// Loads an assessment from a JSON file (`report FILE.json`; a stored record is read by
/// [`guarded::open_stored`]).
fn load_assessment(assessment: &str) -> Result<AssessmentRecord, String> {
    let path = Path::new(assessment);
    let text = std::fs::read_to_string(path)
        .map_err(|err| format!("{assessment}: 无法读取文件：{err}"))?;
    let mut de = serde_json::Deserializer::from_str(crate::datafile::json_text::strip_bom(&text));
    let record = serde_path_to_error::deserialize(&mut de).map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner();
        // serde's own text can quote a value (a name, an ID number): say only what
        // kind of problem it is and where.
        let kind = match inner.classify() {
            serde_json::error::Category::Syntax => "JSON 格式错误",
            serde_json::error::Category::Eof => "文件不完整",
            serde_json::error::Category::Data => "字段缺失、多余或取值不对",
            serde_json::error::Category::Io => "读取失败",
        };
        format!(
            "{assessment}: 评估文件无效（`{path}`，第 {} 行第 {} 列）：{kind}",
            inner.line(),
            inner.column()
        )
    })?;
    de.end().map_err(|err| {
        format!(
            "{assessment}: 评估文件的 JSON 对象之后还有多余内容（第 {} 行第 {} 列）",
            err.line(),
            err.column()
        )
    })?;
    Ok(record)
}

/// The arguments of `report`.
struct ReportRequest<'a> {
    data_dir: Option<&'a Path>,
    assessment: &'a str,
    out: &'a Path,
    resident_page: bool,
    keys: &'a [String],
    passphrase_files: &'a [PathBuf],
    sign_in: &'a OptionalSignIn,
}

/// Loads the signing keys named on the command line, asking for each passphrase.
fn load_signers(
    dir: &Path,
    keys: &[String],
    files: &[PathBuf],
) -> Result<Vec<sign::Signer>, String> {
    if keys.len() > 2 {
        return Err("最多两个 --sign（评估员1、评估员2）".to_owned());
    }
    if files.len() > 1 && files.len() != keys.len() {
        return Err("--passphrase-file 的个数应为 1 或与 --sign 相同".to_owned());
    }
    let mut signers = Vec::with_capacity(keys.len());
    for (i, key) in keys.iter().enumerate() {
        let file = files.get(i).or_else(|| files.first()).map(PathBuf::as_path);
        if file.is_none() && std::env::var_os(sign::PASSPHRASE_ENV).is_none() {
            eprintln!("评估员{}（密钥“{key}”）", i + 1);
        }
        let passphrase =
            sign::passphrase_from(file, sign::PASSPHRASE_ENV).map_err(|err| err.to_string())?;
        let signer = sign::load_signer(dir, key, &passphrase)
            .map_err(|err| format!("密钥“{key}”：{err}"))?;
        signers.push(signer);
    }
    Ok(signers)
}

fn report_command(request: &ReportRequest<'_>) -> ExitCode {
    let assessment = request.assessment;
    let loaded = if Path::new(assessment).is_file() {
        load_assessment(assessment).map(|record| (record, None))
    } else {
        guarded::open_stored(request.data_dir, assessment, request.sign_in)
            .map(|stored| (stored.record.clone(), Some(stored)))
    };
    let (record, stored) = match loaded {
        Ok(loaded) => loaded,
        Err(message) => return usage_error(&message),
    };
    let scale = match resolve_scale(None, None) {
        Ok(scale) => scale,
        Err(message) => return usage_error(&message),
    };
    // Everything but the signatures must be complete: an unsigned report can still be
    // printed and signed by hand.
    let blocking = record.report_issues(&scale);
    if !blocking.is_empty() {
        for issue in &blocking {
            eprintln!("elder-assess: {assessment}: {issue}");
        }
        return ExitCode::from(2);
    }
    let signers = if request.keys.is_empty() {
        Vec::new()
    } else {
        let Some(dir) =
            request.data_dir.map(Path::to_path_buf).or_else(crate::store::default_data_dir)
        else {
            return usage_error("找不到用户数据目录，请用 --data-dir 指定");
        };
        match load_signers(&dir, request.keys, request.passphrase_files) {
            Ok(signers) => signers,
            Err(message) => return usage_error(&message),
        }
    };
    if let Some(stored) = &stored
        && let Err(message) = stored.check_signers(&signers)
    {
        return usage_error(&message);
    }
    let now = chrono::Utc::now();
    let options = crate::report::ReportOptions::new(now);
    let export = crate::output::signed_report::ExportRequest {
        record: &record,
        scale: &scale,
        options: &options,
        resident_page: request.resident_page,
        signers: [signers.first(), signers.get(1)],
    };
    let exported = match crate::output::signed_report::export_report(&export) {
        Ok(exported) => exported,
        Err(err) => return usage_error(&err.to_string()),
    };
    if !exported.missing_glyphs.is_empty() {
        eprintln!(
            "elder-assess: 注意：有 {} 个字符字体中没有，打印为空白",
            exported.missing_glyphs.len()
        );
    }
    let out = request.out;
    if let Some(stored) = &stored
        && let Err(message) = stored.record(out, now)
    {
        return usage_error(&message);
    }
    if let Err(err) = crate::output::atomic::write_atomically(out, &exported.bytes) {
        return usage_error(&format!("{}: 无法写入：{err}", out.display()));
    }
    println!(
        "{}：{} 页，{} 个数字签名，{} 字节",
        out.display(),
        exported.pages,
        exported.signatures,
        exported.bytes.len()
    );
    ExitCode::SUCCESS
}

fn blank_form_command(out: &Path) -> ExitCode {
    let scale = match resolve_scale(None, None) {
        Ok(scale) => scale,
        Err(message) => return usage_error(&message),
    };
    let bytes = match crate::report::blank_form_pdf(&scale) {
        Ok(bytes) => bytes,
        Err(err) => return usage_error(&err.to_string()),
    };
    if let Err(err) = crate::output::atomic::write_atomically(out, &bytes) {
        return usage_error(&format!("{}: 无法写入：{err}", out.display()));
    }
    println!("{}：{} 字节", out.display(), bytes.len());
    ExitCode::SUCCESS
}

fn keys_command(dir: &Path, command: KeysCommand) -> ExitCode {
    use crate::clock::CHINA_OFFSET;
    let date = |t: chrono::DateTime<chrono::Utc>| t.with_timezone(&CHINA_OFFSET).format("%Y-%m-%d");
    match command {
        KeysCommand::New { name, passphrase_file, sign_in } => {
            guarded::keys_new_command(dir, name.as_deref(), passphrase_file.as_deref(), &sign_in)
        }
        KeysCommand::List => match sign::list_keys(dir) {
            Ok(keys) if keys.is_empty() => {
                println!(
                    "还没有签名密钥；请运行 elder-assess keys new --as 账号（本机未设账号时用 --name 姓名）"
                );
                ExitCode::SUCCESS
            }
            Ok(keys) => {
                for key in keys {
                    println!(
                        "{}\t{}\t有效期 {} 至 {}\t{}",
                        key.name,
                        key.subject,
                        date(key.not_before),
                        date(key.not_after),
                        key.cert_path.display()
                    );
                }
                ExitCode::SUCCESS
            }
            Err(err) => usage_error(&err.to_string()),
        },
    }
}

fn verify_command(file: &Path) -> ExitCode {
    let bytes = match std::fs::read(file) {
        Ok(bytes) => bytes,
        Err(err) => return usage_error(&format!("{}: 无法读取文件：{err}", file.display())),
    };
    let checks = match sign::verify_pdf(&bytes) {
        Ok(checks) => checks,
        Err(err) => return usage_error(&format!("{}: {err}", file.display())),
    };
    if checks.is_empty() {
        eprintln!("elder-assess: {}: 文件没有数字签名", file.display());
        return ExitCode::FAILURE;
    }
    for (n, check) in checks.iter().enumerate() {
        let field = if check.field.is_empty() { "（无签名域）" } else { &check.field };
        println!("签名 {}：{field}", n + 1);
        println!("  签名人：{}", if check.signer.is_empty() { "未知" } else { &check.signer });
        match check.signed_at {
            Some(t) => println!(
                "  签名时间：{}（北京时间）",
                t.with_timezone(&crate::clock::CHINA_OFFSET).format("%Y-%m-%d %H:%M:%S")
            ),
            None => println!("  签名时间：未知"),
        }
        println!("  验证：{}", check.problem().unwrap_or("完好"));
        println!(
            "  签名之后：{}",
            if check.covers_whole_file {
                "文件未再改动"
            } else if check.modified_after {
                "文件被修改过"
            } else {
                "只追加了后续签名"
            }
        );
    }
    let last_covers = checks.last().is_some_and(|c| c.covers_whole_file);
    if last_covers && checks.iter().all(sign::SignatureCheck::is_intact) {
        println!("全部 {} 个签名完好，文件签名后未被修改", checks.len());
        ExitCode::SUCCESS
    } else {
        eprintln!("elder-assess: {}: 签名验证未通过", file.display());
        ExitCode::FAILURE
    }
}

fn export_command(
    store: &crate::store::Store,
    request: &crate::output::table_files::RecordsExport<'_>,
) -> ExitCode {
    use crate::tables::Privacy;
    let scale = match resolve_scale(None, None) {
        Ok(scale) => scale,
        Err(message) => return usage_error(&message),
    };
    match crate::output::table_files::export_records(store, &scale, request, chrono::Utc::now()) {
        Ok(written) => {
            let mode = if request.privacy == Privacy::Full {
                "完整（含姓名和身份证号）"
            } else {
                "去标识化"
            };
            for cut in &written.cut {
                eprintln!("elder-assess: 注意：{cut}");
            }
            println!("{}：{} 条评估，{mode}", request.path.display(), written.rows);
            ExitCode::SUCCESS
        }
        Err(err) => usage_error(&err.to_string()),
    }
}

fn stats_command(
    store: &crate::store::Store,
    by: &str,
    from: Option<chrono::NaiveDate>,
    to: Option<chrono::NaiveDate>,
    out: Option<&Path>,
) -> ExitCode {
    use crate::clock::Clock as _;
    use chrono::Datelike as _;
    let dims = match crate::tables::Dimension::parse_list(by) {
        Ok(dims) => dims,
        Err(err) => return usage_error(&format!("`--by`：{err}")),
    };
    let today = crate::clock::SystemClock.today();
    let from = from.unwrap_or_else(|| today.with_ordinal(1).unwrap_or(today));
    let to = to.unwrap_or(today);
    if from > to {
        return usage_error("`--from` 晚于 `--to`");
    }
    let rows = match store.stats_rows(from, to) {
        Ok(rows) => rows,
        Err(err) => return usage_error(&format!("无法读取评估：{err}")),
    };
    let (scale, county) =
        match resolve_scale(None, None).and_then(|s| Ok((s, county::bundled_county()?))) {
            Ok(found) => found,
            Err(message) => return usage_error(&message),
        };
    let table = crate::tables::stats_multi(&rows, &dims, (from, to), &scale, &county.townships);
    print_stats(&table);
    if let Some(out) = out
        && let Err(err) = crate::output::table_files::export_multi_stats(&table, out)
    {
        return usage_error(&err.to_string());
    }
    ExitCode::SUCCESS
}

/// The statistics table as tab-separated text.
fn print_stats(table: &crate::tables::MultiStatsTable) {
    println!("已通过的评估 {} 至 {}", table.period.0, table.period.1);
    let mut header: Vec<String> = table.by.iter().map(|d| d.label().to_owned()).collect();
    header.extend(table.columns.iter().cloned());
    header.push("合计".to_owned());
    println!("{}", header.join("\t"));
    for (labels, counts) in &table.rows {
        let mut cells = labels.clone();
        cells.extend(counts.iter().map(ToString::to_string));
        cells.push(counts.iter().sum::<u32>().to_string());
        println!("{}", cells.join("\t"));
    }
    let mut totals = vec!["合计".to_owned()];
    totals.extend(std::iter::repeat_n(String::new(), table.by.len().saturating_sub(1)));
    totals.extend(table.totals.iter().map(ToString::to_string));
    totals.push(table.totals.iter().sum::<u32>().to_string());
    println!("{}", totals.join("\t"));
    if table.skipped > 0 {
        println!("（另有 {} 条已通过的评估没有有效等级，未计入）", table.skipped);
    }
}

fn import_command(store: &crate::store::Store, file: &str, sign_in: &OptionalSignIn) -> ExitCode {
    if let Err(message) = sign_in_if_needed(store, sign_in) {
        return usage_error(&message);
    }
    let text = match read_input(file) {
        Ok(text) => text,
        Err(message) => return usage_error(&message),
    };
    let scale = match resolve_scale(None, None) {
        Ok(scale) => scale,
        Err(message) => return usage_error(&message),
    };
    let records = match crate::tables::parse_jsonl(&text, &scale) {
        Ok(records) => records,
        Err(err) => return usage_error(&format!("{file}: {err}（未写入任何记录）")),
    };
    match store.import_records(&records, &scale, chrono::Utc::now()) {
        Ok(count) => {
            println!("已导入 {count} 条评估");
            ExitCode::SUCCESS
        }
        Err(err) => usage_error(&format!("导入失败（未写入任何记录）：{err}")),
    }
}

/// The environment variable that may hold the password of the account signing in.
pub const PASSWORD_ENV: &str = "ELDER_ASSESS_PASSWORD";

/// The environment variable that may hold the password being set (a new account's, or a
/// reset).
pub const NEW_PASSWORD_ENV: &str = "ELDER_ASSESS_NEW_PASSWORD";

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

/// Signs in as `sign_in.account` if given; without it, refuses once accounts exist (the
/// store would refuse to attribute the change to nobody).
fn sign_in_if_needed(store: &crate::store::Store, sign_in: &OptionalSignIn) -> Result<(), String> {
    match &sign_in.account {
        Some(account) => {
            let sign_in =
                SignIn { account: account.clone(), password_file: sign_in.password_file.clone() };
            sign_in_as(store, &sign_in).map(|_| ())
        }
        None if store.has_accounts().map_err(|err| err.to_string())? => {
            Err("本机已设置账号：请用 --as 账号 登录（密码见 --password-file）".to_owned())
        }
        None => Ok(()),
    }
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
    /// List the submitted assessments waiting for review, oldest submission first
    /// (tab-separated; ID numbers masked).
    Queue {
        /// Only this township (乡镇).
        #[arg(long)]
        township: Option<String>,
        /// Only assessments where this name is assessor 1 or 2.
        #[arg(long)]
        assessor: Option<String>,
        /// Reference date (A.1.2) on or after.
        #[arg(long, value_name = "YYYY-MM-DD")]
        from: Option<chrono::NaiveDate>,
        /// Reference date (A.1.2) on or before.
        #[arg(long, value_name = "YYYY-MM-DD")]
        to: Option<chrono::NaiveDate>,
        /// Only this final level (0–4).
        #[arg(long, value_parser = clap::value_parser!(u8).range(0..=4))]
        level: Option<u8>,
        /// Only assessments with consistency warnings.
        #[arg(long)]
        with_warnings: bool,
        /// Who reads (needed once the data is encrypted, i.e. accounts exist).
        #[command(flatten)]
        sign_in: OptionalSignIn,
    },
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

/// A role from its code (`assessor`, `reviewer`, `admin`).
fn parse_role(code: &str) -> Result<crate::review::Role, String> {
    crate::review::Role::from_code(code.trim()).ok_or_else(|| {
        "未知角色，可用：assessor（评估员）、reviewer（审核员）、admin（管理员）".to_owned()
    })
}

/// A password: from `file`, else the environment variable `env`, else the terminal
/// (asked twice when `new`). The same sources and order as a key passphrase
/// ([`sign::passphrase_from`]), with the messages worded for passwords.
fn password_from(file: Option<&Path>, env: &str, new: bool) -> Result<sign::Passphrase, String> {
    use std::io::IsTerminal as _;
    let prompts = file.is_none()
        && std::env::var_os(env).is_none_or(|value| value.is_empty())
        && std::io::stdin().is_terminal();
    if prompts {
        if new {
            eprintln!("设置新密码（至少 {} 个字符，输入两次）", crate::store::MIN_PASSWORD_CHARS);
        } else {
            eprintln!("登录密码");
        }
    }
    let password =
        if new { sign::new_passphrase_from(file, env) } else { sign::passphrase_from(file, env) };
    password.map_err(|err| match err {
        sign::SignError::NoPassphrase { .. } => {
            let flag = if new { "--new-password-file" } else { "--password-file" };
            format!("没有提供密码：标准输入不是终端，请用 {flag} 指定密码文件或设置环境变量 {env}")
        }
        sign::SignError::PassphraseMismatch => "两次输入的密码不一致".to_owned(),
        other => other.to_string(),
    })
}

/// Signs in as `sign_in.account` with its password (see [`password_from`]).
fn sign_in_as(
    store: &crate::store::Store,
    sign_in: &SignIn,
) -> Result<crate::review::Actor, String> {
    // An encrypted store was opened by signing in as this account already.
    if let Some(actor) = store.current_actor()
        && actor.account == sign_in.account.trim()
    {
        return Ok(actor);
    }
    let password = password_from(sign_in.password_file.as_deref(), PASSWORD_ENV, false)?;
    store.login(&sign_in.account, &password, chrono::Utc::now()).map_err(|err| err.to_string())
}

impl AccountsCommand {
    /// Who signs in for the command, to open an encrypted store.
    fn sign_in(&self) -> store_open::Credentials {
        match self {
            Self::Init { .. } => store_open::Credentials::default(),
            Self::Add { sign_in, .. } | Self::Reset { sign_in, .. } | Self::List { sign_in } => {
                sign_in.into()
            }
        }
    }
}

impl ReviewCommand {
    /// Who signs in for the command, to open an encrypted store.
    fn sign_in(&self) -> store_open::Credentials {
        match self {
            Self::Sign { sign_in, .. }
            | Self::Submit { sign_in, .. }
            | Self::Approve { sign_in, .. }
            | Self::Return { sign_in, .. } => sign_in.into(),
            Self::Queue { sign_in, .. } | Self::Due { sign_in, .. } => sign_in.into(),
        }
    }
}

/// `elder-assess accounts …`.
fn accounts_command(store: &crate::store::Store, command: AccountsCommand) -> ExitCode {
    let result = match command {
        // Dispatched before the store opens (see `run`): it encrypts the store.
        AccountsCommand::Init { .. } => Err(ACCOUNTS_EXIST.to_owned()),
        AccountsCommand::Add { sign_in, login, name, role, new_password_file } => {
            let account = NewAccount { login: &login, name: &name, role };
            add_account(store, &sign_in, &account, new_password_file.as_deref())
        }
        AccountsCommand::Reset { sign_in, login, new_password_file } => {
            reset_account(store, &sign_in, &login, new_password_file.as_deref())
        }
        AccountsCommand::List { sign_in } => list_accounts(store, &sign_in),
    };
    match result {
        Ok(message) => {
            println!("{message}");
            ExitCode::SUCCESS
        }
        Err(message) => usage_error(&message),
    }
}

/// The message when the first admin already exists.
const ACCOUNTS_EXIST: &str = "已有账号，不能再初始化；请由管理员用 accounts add 添加账号";

/// `accounts init`: the first admin, then the database and its backups are encrypted
/// under a key sealed for that admin (see README, "Security and data safety").
fn init_account(
    data_dir: Option<&Path>,
    login: &str,
    name: &str,
    password_file: Option<&Path>,
) -> ExitCode {
    use crate::store::StoreError;
    let result = (|| -> Result<String, String> {
        let dir = store_open::data_dir(data_dir)?;
        if crate::store::has_keyring(&dir) {
            return Err(ACCOUNTS_EXIST.to_owned());
        }
        let store = store_open::open(&dir, Access::Write)
            .map_err(|err| store_open::open_error(&dir, &err))?;
        if store.has_accounts().map_err(|err| err.to_string())? {
            return Err(ACCOUNTS_EXIST.to_owned());
        }
        let password = password_from(password_file, NEW_PASSWORD_ENV, true)?;
        let now = chrono::Utc::now();
        let admin = match store.create_first_admin(login, name, &password, now) {
            Ok(admin) => admin,
            Err(StoreError::Forbidden) => return Err(ACCOUNTS_EXIST.to_owned()),
            Err(err) => return Err(err.to_string()),
        };
        store.encrypt_at_rest(&admin.account, &password, now).map_err(|err| {
            format!("已创建管理员账号 {}，但数据加密未完成：{err}", admin.account)
        })?;
        Ok(format!(
            "已创建管理员账号 {}；本机评估数据库和备份已加密，之后的命令需用 --as 登录",
            admin.account
        ))
    })();
    match result {
        Ok(message) => {
            println!("{message}");
            ExitCode::SUCCESS
        }
        Err(message) => usage_error(&message),
    }
}

/// The account `accounts add` creates.
struct NewAccount<'a> {
    login: &'a str,
    name: &'a str,
    role: crate::review::Role,
}

fn add_account(
    store: &crate::store::Store,
    sign_in: &SignIn,
    account: &NewAccount<'_>,
    password_file: Option<&Path>,
) -> Result<String, String> {
    let admin = sign_in_as(store, sign_in)?;
    // Refuse before asking for the new password.
    if admin.role != crate::review::Role::Admin {
        return Err(crate::store::StoreError::Forbidden.to_string());
    }
    let password = password_from(password_file, NEW_PASSWORD_ENV, true)?;
    let created = store
        .create_account(
            &admin,
            account.login,
            account.name,
            account.role,
            &password,
            chrono::Utc::now(),
        )
        .map_err(|err| err.to_string())?;
    Ok(format!("已创建账号 {}（{}）", created.account, created.role.label()))
}

fn reset_account(
    store: &crate::store::Store,
    sign_in: &SignIn,
    login: &str,
    password_file: Option<&Path>,
) -> Result<String, String> {
    let admin = sign_in_as(store, sign_in)?;
    if admin.role != crate::review::Role::Admin {
        return Err(crate::store::StoreError::Forbidden.to_string());
    }
    let password = password_from(password_file, NEW_PASSWORD_ENV, true)?;
    store
        .reset_password(&admin, login, &password, chrono::Utc::now())
        .map_err(|err| err.to_string())?;
    Ok(format!("已重置账号 {} 的密码，账号已解锁", login.trim()))
}

/// One tab-separated line per account: login, role, name, state.
fn list_accounts(store: &crate::store::Store, sign_in: &SignIn) -> Result<String, String> {
    let admin = sign_in_as(store, sign_in)?;
    let now = chrono::Utc::now();
    let accounts = store.accounts(&admin, now).map_err(|err| err.to_string())?;
    let mut lines = vec!["账号\t角色\t姓名\t状态".to_owned()];
    for account in &accounts {
        let state = account.locked_until.map_or("正常".to_owned(), |until| {
            format!("已锁定至 {}", until.with_timezone(&crate::clock::CHINA_OFFSET).format("%H:%M"))
        });
        lines.push(format!(
            "{}\t{}\t{}\t{state}",
            account.login,
            account.role.label(),
            account.display_name
        ));
    }
    Ok(lines.join("\n"))
}

/// `elder-assess review …`.
fn review_command(store: &crate::store::Store, command: ReviewCommand) -> ExitCode {
    use crate::review::Action;
    let (number, sign_in, action) = match command {
        ReviewCommand::Submit { number, sign_in } => (number, sign_in, Action::Submit),
        ReviewCommand::Approve { number, sign_in } => (number, sign_in, Action::Approve),
        ReviewCommand::Return { number, sign_in, reason } => {
            (number, sign_in, Action::Return { reason })
        }
        ReviewCommand::Queue { township, assessor, from, to, level, with_warnings, .. } => {
            let filter = crate::store::QueueFilter {
                township,
                assessor,
                from,
                to,
                final_level: level,
                with_warnings,
            };
            return queue_command(store, &filter);
        }
        ReviewCommand::Due { months, .. } => {
            let months = match county::due_months(months) {
                Ok(months) => months,
                Err(message) => return usage_error(&message),
            };
            return due_command(store, months);
        }
        ReviewCommand::Sign { number, slot, sign_in } => {
            return guarded::sign_command(store, number.trim(), slot, &sign_in);
        }
    };
    let number = number.trim();
    match review_action(store, number, &sign_in, action) {
        Ok(status) => {
            println!("{number}：{}", status.label());
            ExitCode::SUCCESS
        }
        Err(message) => usage_error(&message),
    }
}

/// Signs in, then takes `action` on the assessment numbered `number`.
fn review_action(
    store: &crate::store::Store,
    number: &str,
    sign_in: &SignIn,
    action: crate::review::Action,
) -> Result<crate::store::Status, String> {
    let actor = sign_in_as(store, sign_in)?;
    let id = store
        .find_by_number(number)
        .map_err(|err| format!("无法读取评估 {number}：{err}"))?
        .ok_or_else(|| format!("没有编号为 {number} 的评估"))?;
    store.transition(id, action, &actor, None, chrono::Utc::now()).map_err(|err| err.to_string())
}

/// `elder-assess review queue`: the submitted assessments, tab-separated.
fn queue_command(store: &crate::store::Store, filter: &crate::store::QueueFilter) -> ExitCode {
    if filter.from.zip(filter.to).is_some_and(|(from, to)| from > to) {
        return usage_error("`--from` 晚于 `--to`");
    }
    let rows = match store.queue(filter) {
        Ok(rows) => rows,
        Err(err) => return usage_error(&format!("无法读取审核队列：{err}")),
    };
    if rows.is_empty() {
        println!("没有待审核的评估");
        return ExitCode::SUCCESS;
    }
    println!("编号\t乡镇\t身份证号\t评估基准日期\t等级\t警示");
    for row in &rows {
        let level = row.final_level.map_or_else(|| "-".to_owned(), |level| level.to_string());
        println!(
            "{}\t{}\t{}\t{}\t{level}\t{}",
            row.number, row.township, row.id_masked, row.reference_date, row.warnings
        );
    }
    ExitCode::SUCCESS
}

/// `elder-assess review due`: the elders overdue or due soon, tab-separated.
fn due_command(store: &crate::store::Store, months: u32) -> ExitCode {
    use crate::clock::Clock as _;
    let today = crate::clock::SystemClock.today();
    let rows = match store.due(months, today) {
        Ok(rows) => rows,
        Err(err) => return usage_error(&format!("无法读取评估：{err}")),
    };
    if rows.is_empty() {
        println!("没有逾期或 {} 天内到期的复评", crate::store::DUE_SOON_DAYS);
        return ExitCode::SUCCESS;
    }
    println!("状态\t应评估日期\t编号\t乡镇\t身份证号\t上次评估日期\t等级");
    for row in &rows {
        let state = if row.overdue { "已逾期" } else { "即将到期" };
        let level = row.final_level.map_or_else(|| "-".to_owned(), |level| level.to_string());
        println!(
            "{state}\t{}\t{}\t{}\t{}\t{}\t{level}",
            row.due_date, row.number, row.township, row.id_masked, row.reference_date
        );
    }
    ExitCode::SUCCESS
}
