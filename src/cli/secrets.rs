//! Where a passphrase or password comes from: a file, an environment variable, or the
//! terminal. Only the command line asks; `sign` and `store` are given the value.
//!
//! The order is fixed so that every command behaves the same: the `--…-file` flag first,
//! then the environment variable ([`PASSPHRASE_ENV`], [`PASSWORD_ENV`],
//! [`NEW_PASSWORD_ENV`]), and only then a prompt on the terminal without echo. When
//! standard input is not a terminal and neither source is given, there is nobody to ask,
//! so the command fails ([`CliError::NoPassphrase`], [`CliError::NoPassword`]) instead of
//! hanging.

use std::io::IsTerminal as _;
use std::path::{Path, PathBuf};

use zeroize::Zeroizing;

use super::error::CliError;

/// The environment variable that may hold a signing key's passphrase.
pub const PASSPHRASE_ENV: &str = "ELDER_ASSESS_PASSPHRASE";

/// The environment variable that may hold the second assessor's key passphrase
/// (`report --cosign-as`, or a second practice key): never the same source as the first
/// key's.
pub const COSIGN_PASSPHRASE_ENV: &str = "ELDER_ASSESS_COSIGN_PASSPHRASE";

/// The environment variable that may hold the second assessor's account password
/// (`report --cosign-as`).
pub const COSIGN_PASSWORD_ENV: &str = "ELDER_ASSESS_COSIGN_PASSWORD";

/// The environment variable that may hold the password of the account signing in.
pub const PASSWORD_ENV: &str = "ELDER_ASSESS_PASSWORD";

/// The environment variable that may hold the password being set (a new account's, or a
/// reset).
pub const NEW_PASSWORD_ENV: &str = "ELDER_ASSESS_NEW_PASSWORD";

/// A passphrase or password, wiped from memory when dropped.
pub type Secret = Zeroizing<String>;

/// The passphrase of an existing key: from `file`, else the environment variable `env`,
/// else asked once on the terminal.
pub fn passphrase_from(file: Option<&Path>, env: &str) -> Result<Secret, CliError> {
    obtain(file, env, false).map_err(|missing| missing.for_passphrase(env))
}

/// The passphrase for a new key: like [`passphrase_from`], but a terminal prompt asks
/// twice and the two entries must match.
pub fn new_passphrase_from(file: Option<&Path>, env: &str) -> Result<Secret, CliError> {
    obtain(file, env, true).map_err(|missing| missing.for_passphrase(env))
}

/// A password: from `file`, else the environment variable `env`, else the terminal
/// (asked twice when `new`). The same sources and order as a key passphrase, with the
/// prompts and messages worded for passwords.
pub(super) fn password_from(file: Option<&Path>, env: &str, new: bool) -> Result<Secret, CliError> {
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
    obtain(file, env, new).map_err(|missing| match missing {
        Missing::NoSource => {
            let flag = if new { "--new-password-file" } else { "--password-file" };
            CliError::NoPassword { flag, env: env.to_owned() }
        }
        Missing::Mismatch => CliError::PasswordMismatch,
        Missing::Unreadable(path, source) => CliError::ReadSecret { path, source },
    })
}

/// The second assessor's account password (`--cosign-password-file`, else
/// [`COSIGN_PASSWORD_ENV`], else the terminal).
pub(super) fn cosign_password_from(file: Option<&Path>) -> Result<Secret, CliError> {
    password_from(file, COSIGN_PASSWORD_ENV, false).map_err(|err| match err {
        CliError::NoPassword { env, .. } => {
            CliError::NoPassword { flag: "--cosign-password-file", env }
        }
        other => other,
    })
}

/// Why [`obtain`] has no secret; the callers word it for passphrases or passwords.
enum Missing {
    /// No file, no variable, no terminal.
    NoSource,
    /// The two entries on the terminal differ.
    Mismatch,
    /// A file (or the terminal, `/dev/tty`) could not be read.
    Unreadable(PathBuf, std::io::Error),
}

impl Missing {
    fn for_passphrase(self, env: &str) -> CliError {
        match self {
            Self::NoSource => CliError::NoPassphrase { env: env.to_owned() },
            Self::Mismatch => CliError::PassphraseMismatch,
            Self::Unreadable(path, source) => CliError::ReadSecret { path, source },
        }
    }
}

fn obtain(file: Option<&Path>, env: &str, confirm: bool) -> Result<Secret, Missing> {
    if let Some(path) = file {
        let text = Zeroizing::new(
            std::fs::read_to_string(path)
                .map_err(|source| Missing::Unreadable(path.to_owned(), source))?,
        );
        // A file written by `echo` ends with a newline that is not part of the secret.
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
        return Err(Missing::NoSource);
    }
    let first = prompt("请输入口令：")?;
    if confirm {
        let second = prompt("请再次输入口令：")?;
        if *first != *second {
            return Err(Missing::Mismatch);
        }
    }
    Ok(first)
}

fn prompt(text: &str) -> Result<Secret, Missing> {
    rpassword::prompt_password(text)
        .map(Zeroizing::new)
        .map_err(|source| Missing::Unreadable("/dev/tty".into(), source))
}
