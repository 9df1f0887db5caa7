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
//!
//! The layout:
//!
//! - [`args`]: every clap type (the parser, the commands and their arguments);
//! - `env`: what a command runs in (the data directory, the clock, stdout, opening the
//!   store), built once by [`run`]; on stdout a closed pipe is no error;
//! - `error`: the one [`CliError`], and the one place that prints it and picks the exit
//!   code;
//! - the handlers by area: `scoring` (score, check-scale, scales, outcome, entitlements,
//!   check-policy), `reports` (report, blank-form, verify), `bureau` (export,
//!   stats, import, review), `conflicts` (`review conflicts|resolve`), `accounts`, and `guarded` (the commands bound to accounts:
//!   a stored record's report, `review sign`, `audit verify`);
//! - `filters` (the command line's filters in the store's and tables' terms),
//!   `keys` (`keys new|list|request|install`), `ca` (the county certificate
//!   authority), `trust` (the trust store), `tsa` (`ca issue-tsa`, `timestamp`),
//!   `store_open` (opening the store and signing in), `secrets` (passphrases and
//!   passwords from a file, the environment or the terminal).

mod accounts;
pub mod args;
mod bureau;
mod ca;
mod ca_server;
mod conflicts;
mod county;
mod env;
mod error;
mod filters;
mod guarded;
mod keys;
mod reports;
mod scoring;
mod secrets;
mod sign_keep;
mod signing;
mod store_open;
mod sync;
mod trust;
mod tsa;
mod verify;

use std::process::ExitCode;

use clap::Parser as _;

use crate::clock::SystemClock;

pub use args::{Cli, Command};
pub use error::CliError;
pub use secrets::{
    NEW_PASSWORD_ENV, PASSPHRASE_ENV, PASSWORD_ENV, Secret, new_passphrase_from, passphrase_from,
};

use args::AuditCommand;
use env::Env;

/// Parses the process arguments and runs the command.
pub fn run() -> ExitCode {
    let cli = Cli::parse();
    let Some(command) = cli.command else {
        // Without a command the desktop app opens.
        return match env::data_dir(cli.data_dir.as_deref()) {
            #[cfg(feature = "gui")]
            Ok(dir) => crate::ui::run(&dir),
            #[cfg(not(feature = "gui"))]
            Ok(_) => error::finish(Err(CliError::NoGui)),
            Err(err) => error::finish(Err(err)),
        };
    };
    let mut env = Env::new(cli.data_dir, Box::new(SystemClock));
    let result = dispatch(&mut env, command).and_then(|()| env.out.flush());
    error::finish(result)
}

/// Runs one command in `env`.
fn dispatch(env: &mut Env, command: Command) -> Result<(), CliError> {
    match command {
        Command::Score(args) => scoring::score_command(env, &args),
        Command::CheckScale { files } => scoring::check_scale_command(env, &files),
        Command::Scales => scoring::scales_command(env),
        Command::Outcome(args) => scoring::outcome_command(env, &args),
        Command::Entitlements(args) => scoring::entitlements_command(env, &args),
        Command::CheckPolicy { files } => scoring::check_policy_command(env, &files),
        Command::Report(args) => reports::report_command(env, &args),
        Command::Sign(args) => signing::sign_command(env, &args),
        Command::BlankForm { out } => reports::blank_form_command(env, &out),
        Command::Keys { command } => keys::keys_command(env, &command),
        Command::Verify { file, json } => verify::verify_command(env, &file, json),
        Command::Timestamp(args) => tsa::timestamp_command(env, &args),
        Command::Export(args) => bureau::export_command(env, &args),
        Command::Stats(args) => bureau::stats_command(env, &args),
        Command::Import(args) => bureau::import_command(env, &args),
        Command::Review { command } => bureau::review_command(env, command),
        Command::Audit { command: AuditCommand::Verify { sign_in } } => {
            guarded::audit_verify_command(env, &sign_in)
        }
        Command::Accounts { command } => accounts::accounts_command(env, &command),
        Command::Ca { command } => ca::ca_command(env, &command),
        Command::Trust { command } => trust::trust_command(env, &command),
        Command::Enrol(args) => sync::enrol_command(env, &args),
        Command::Sync(args) => sync::sync_command(env, &args),
        Command::Package { command } => sync::package_command(env, &command),
    }
}
