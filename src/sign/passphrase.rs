//! Where a passphrase comes from: a file, an environment variable, or the terminal.
//!
//! The order is fixed so that every command behaves the same: `--passphrase-file` first,
//! then the environment variable (normally [`PASSPHRASE_ENV`]), and only then a prompt on
//! the terminal without echo. When standard input is not a terminal and neither source
//! is given, there is nobody to ask, so the caller gets [`SignError::NoPassphrase`]
//! instead of a hang.

use std::io::IsTerminal as _;
use std::path::Path;

use zeroize::Zeroizing;

use super::SignError;

/// The environment variable that may hold the passphrase.
pub const PASSPHRASE_ENV: &str = "ELDER_ASSESS_PASSPHRASE";

/// A passphrase, wiped from memory when dropped.
pub type Passphrase = Zeroizing<String>;

/// The passphrase of an existing key: from `file`, else the environment variable `env`,
/// else asked once on the terminal.
pub fn passphrase_from(file: Option<&Path>, env: &str) -> Result<Passphrase, SignError> {
    obtain(file, env, false)
}

/// The passphrase for a new key: like [`passphrase_from`], but a terminal prompt asks
/// twice and the two entries must match.
pub fn new_passphrase_from(file: Option<&Path>, env: &str) -> Result<Passphrase, SignError> {
    obtain(file, env, true)
}

fn obtain(file: Option<&Path>, env: &str, confirm: bool) -> Result<Passphrase, SignError> {
    if let Some(path) = file {
        let text =
            Zeroizing::new(std::fs::read_to_string(path).map_err(|err| SignError::io(path, err))?);
        // A file written by `echo` ends with a newline that is not part of the passphrase.
        let line = text.strip_suffix('\n').unwrap_or(&text);
        let line = line.strip_suffix('\r').unwrap_or(line);
        return Ok(Zeroizing::new(line.to_owned()));
    }
    if let Ok(value) = std::env::var(env) {
        let value = Zeroizing::new(value);
        if !value.is_empty() {
            return Ok(value);
        }
    }
    if !std::io::stdin().is_terminal() {
        return Err(SignError::NoPassphrase { env: env.to_owned() });
    }
    let first = prompt("请输入口令：")?;
    if confirm {
        let second = prompt("请再次输入口令：")?;
        if *first != *second {
            return Err(SignError::PassphraseMismatch);
        }
    }
    Ok(first)
}

fn prompt(text: &str) -> Result<Passphrase, SignError> {
    rpassword::prompt_password(text)
        .map(Zeroizing::new)
        .map_err(|err| SignError::io("/dev/tty", err))
}
