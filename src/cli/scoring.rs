//! The scoring and policy commands: `score`, `check-scale`, `scales`, `outcome` (a
//! stored assessment's outcome), `entitlements` and `check-policy`. Also the helpers
//! other commands share: reading an input file or stdin, and the scale to score against.

use std::io::Read as _;
use std::path::{Path, PathBuf};

use crate::assessment::json::{ScoreInput, ScoreOutput};
use crate::assessment::score;
use crate::scale::{self, Scale};

use super::args::{EntitlementsArgs, OutcomeArgs, ScoreArgs};
use super::env::Env;
use super::error::CliError;
use super::store_open::Access;

/// Reads a file, or standard input for `-`.
pub fn read_input(file: &str) -> Result<String, CliError> {
    if file == "-" {
        let mut text = String::new();
        std::io::stdin().read_to_string(&mut text).map_err(CliError::ReadStdin)?;
        Ok(text)
    } else {
        std::fs::read_to_string(file)
            .map_err(|source| CliError::ReadFile { path: file.into(), source })
    }
}

/// The scale to score against: a file if given, else the bundled scale named in the input
/// (else the default one).
pub fn resolve_scale(id: Option<&str>, scale_file: Option<&Path>) -> Result<Scale, CliError> {
    if let Some(path) = scale_file {
        let scale = scale::load_file(path)?;
        if let Some(id) = id.filter(|id| *id != scale.id()) {
            return Err(CliError::ScaleMismatch {
                asked: id.to_owned(),
                file: scale.id().to_owned(),
            });
        }
        return Ok(scale);
    }
    let id = id.unwrap_or(scale::DEFAULT_SCALE_ID);
    let bundled = scale::load_bundled()?;
    let known: Vec<String> = bundled.iter().map(|s| format!("`{}`", s.id())).collect();
    bundled
        .into_iter()
        .find(|s| s.id() == id)
        .ok_or_else(|| CliError::UnknownScale { id: id.to_owned(), known: known.join("、") })
}

/// An input that does not parse, under its file name.
fn bad_input(file: &str, reason: &impl std::fmt::Display) -> CliError {
    CliError::BadInput { file: file.to_owned(), reason: reason.to_string() }
}

/// `elder-assess score`: the answer JSON in, the outcome JSON out.
pub fn score_command(env: &mut Env, args: &ScoreArgs) -> Result<(), CliError> {
    let file = args.file.as_str();
    let text = read_input(file)?;
    let input = ScoreInput::from_json(&text).map_err(|message| bad_input(file, &message))?;
    let scale = resolve_scale(input.scale.as_deref(), args.scale_file.as_deref())?;
    let outcome = input
        .to_answers(&scale)
        .and_then(|(answers, facts)| score(&scale, &answers, &facts))
        .map_err(|err| CliError::answer_issues(file, &err))?;
    env.out.json(&ScoreOutput::from(&outcome))
}

/// The stored outcome: the `score` JSON with the assessment's number and status first.
#[derive(serde::Serialize)]
struct StoredOutcome<'a> {
    number: &'a str,
    status: &'static str,
    /// The reviewer's reason while the record is returned (已退回).
    #[serde(skip_serializing_if = "Option::is_none")]
    return_reason: Option<&'a str>,
    #[serde(flatten)]
    outcome: ScoreOutput,
}

/// `elder-assess outcome NUMBER`: a stored assessment's outcome as JSON.
pub fn outcome_command(env: &mut Env, args: &OutcomeArgs) -> Result<(), CliError> {
    let number = args.number.as_str();
    let store = env.open_store(Access::Read, &(&args.sign_in).into())?;
    let read = |source| CliError::ReadAssessment { number: number.to_owned(), source };
    let id = store
        .find_by_number(number)
        .map_err(read)?
        .ok_or_else(|| CliError::NoSuchAssessment(number.to_owned()))?;
    let stored = store
        .load(id)
        .map_err(read)?
        .ok_or_else(|| CliError::NoSuchAssessment(number.to_owned()))?;
    let scale = resolve_scale(None, None)?;
    let record = &stored.record;
    let outcome = score(&scale, &record.answers(&scale), &record.facts(&scale))
        .map_err(|err| CliError::answer_issues(number, &err))?;
    env.out.json(&StoredOutcome {
        number: &record.info.number,
        status: stored.status.code(),
        return_reason: stored
            .review_reason
            .as_deref()
            .filter(|_| stored.status == crate::store::Status::Returned),
        outcome: ScoreOutput::from(&outcome),
    })
}

/// `elder-assess check-scale FILES…`: one line per good file; exit 1 if any fails.
pub fn check_scale_command(env: &mut Env, files: &[PathBuf]) -> Result<(), CliError> {
    let mut failed = Vec::new();
    for file in files {
        match scale::load_file(file) {
            Ok(scale) => env.out.line(format_args!(
                "{}: ok（{}，{} 个维度，{} 个条目，总分 0–{}）",
                file.display(),
                scale.id(),
                scale.domains().len(),
                scale.items().len(),
                scale.max_total()
            ))?,
            Err(err) => failed.push(err),
        }
    }
    if failed.is_empty() { Ok(()) } else { Err(CliError::InvalidScaleFiles(failed)) }
}

/// `elder-assess scales`: the bundled scales, one line each.
pub fn scales_command(env: &mut Env) -> Result<(), CliError> {
    // A bundled scale is checked by the test suite; this only guards a broken build.
    let scales = scale::load_bundled().map_err(CliError::BundledScale)?;
    for (scale, file) in scales.iter().zip(scale::bundled_files()) {
        env.out.line(format_args!(
            "{}\t{}《{}》\t{} 个条目，总分 0–{}\t生效 {}\t{}",
            scale.id(),
            scale.standard(),
            scale.name(),
            scale.items().len(),
            scale.max_total(),
            scale.effective(),
            file
        ))?;
    }
    Ok(())
}

/// `elder-assess entitlements`: the facts JSON in, one decision per service out.
pub fn entitlements_command(env: &mut Env, args: &EntitlementsArgs) -> Result<(), CliError> {
    let file = args.file.as_str();
    let text = read_input(file)?;
    let input = crate::policy::json::EntitlementInput::from_json(&text)
        .map_err(|message| bad_input(file, &message))?;
    let policy = if let Some(path) = &args.policy_file {
        crate::policy::load_file(path)?
    } else {
        let id = input.policy.as_deref().unwrap_or(crate::policy::DEFAULT_POLICY_ID);
        crate::policy::bundled(id)?.ok_or_else(|| CliError::UnknownPolicy(id.to_owned()))?
    };
    let subject = input.to_subject().map_err(|err| bad_input(file, &err))?;
    env.out.json(&crate::policy::json::entitlements(&policy, &subject))
}

/// `elder-assess check-policy FILES…`: one line per good file; exit 1 if any fails.
pub fn check_policy_command(env: &mut Env, files: &[PathBuf]) -> Result<(), CliError> {
    let mut failed = Vec::new();
    for file in files {
        match crate::policy::load_file(file) {
            Ok(policy) => env.out.line(format_args!(
                "{}: ok（{}，{} 项服务）",
                file.display(),
                policy.id,
                policy.services().len()
            ))?,
            Err(err) => failed.push(err),
        }
    }
    if failed.is_empty() { Ok(()) } else { Err(CliError::InvalidPolicyFiles(failed)) }
}
