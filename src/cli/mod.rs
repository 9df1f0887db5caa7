//! The command-line face of the library: `elder-assess <command>`.
//!
//! Each command parses its input, calls the engine and prints. Results go to stdout,
//! problems to stderr, and the exit code says which:
//!
//! | code | meaning |
//! | --- | --- |
//! | 0 | success |
//! | 1 | a check found problems (`check-scale`) |
//! | 2 | unusable input or arguments: nothing is printed on stdout |

use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::assessment::json::{ScoreInput, ScoreOutput};
use crate::assessment::score;
use crate::scale::{self, Scale};

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
    /// Print a stored assessment's outcome as JSON (the `score` output plus its number
    /// and status).
    Outcome {
        /// Assessment number (A.1.1), e.g. `PG20261128-0001`.
        number: String,
    },
}

/// Parses the process arguments and runs the command.
pub fn run() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Some(Command::Score { file, scale_file }) => score_command(&file, scale_file.as_deref()),
        Some(Command::CheckScale { files }) => check_scale_command(&files),
        Some(Command::Scales) => scales_command(),
        Some(Command::Outcome { number }) => {
            let Some(dir) = cli.data_dir.or_else(crate::store::default_data_dir) else {
                return usage_error("找不到用户数据目录，请用 --data-dir 指定");
            };
            outcome_command(&dir, &number)
        }
        None => {
            let Some(dir) = cli.data_dir.or_else(crate::store::default_data_dir) else {
                return usage_error("找不到用户数据目录，请用 --data-dir 指定");
            };
            crate::ui::run(&dir)
        }
    }
}

/// Prints `message` on stderr and returns exit code 2.
fn usage_error(message: &str) -> ExitCode {
    eprintln!("elder-assess: {message}");
    ExitCode::from(2)
}

fn score_command(file: &str, scale_file: Option<&Path>) -> ExitCode {
    let text = if file == "-" {
        let mut text = String::new();
        if let Err(err) = std::io::stdin().read_to_string(&mut text) {
            return usage_error(&format!("无法读取标准输入：{err}"));
        }
        text
    } else {
        match std::fs::read_to_string(file) {
            Ok(text) => text,
            Err(err) => return usage_error(&format!("{file}: 无法读取文件：{err}")),
        }
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
        Err(err) => {
            for issue in err.issues() {
                eprintln!("elder-assess: {file}: {issue}");
            }
            ExitCode::from(2)
        }
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

fn outcome_command(dir: &Path, number: &str) -> ExitCode {
    let store = match crate::store::Store::open(dir) {
        Ok(store) => store,
        Err(err) => return usage_error(&format!("无法打开数据目录 {}：{err}", dir.display())),
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
            status: match stored.status {
                crate::store::Status::Draft => "draft",
                crate::store::Status::Completed => "completed",
            },
            outcome: ScoreOutput::from(&outcome),
        }),
        Err(err) => {
            for issue in err.issues() {
                eprintln!("elder-assess: {number}: {issue}");
            }
            ExitCode::from(2)
        }
    }
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
