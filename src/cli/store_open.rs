//! How the commands open the store: commands that only read (`stats`, `review queue`,
//! `review due`, `outcome`, a de-identified `export`, `audit verify`, `report NUMBER`)
//! open it read-only ([`Store::open_read_only`]: no write, no lock, no migration, so they
//! work in a read-only data directory and while another process writes); the others open
//! it for writing ([`Store::open`]), and a failed daily backup is reported on stderr.
//!
//! Either way a damaged file is refused before anything is written, and the message names
//! the real cause ([`StoreError`]'s words: damaged, read-only, locked, disk full, needs
//! upgrading) and the newest good backup.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::store::{PasswordCost, Store, StoreError};

use super::{OptionalSignIn, PASSWORD_ENV, SignIn, password_from, usage_error};

/// Who a command signs in as, if anyone: what opens an encrypted store.
#[derive(Debug, Clone, Default)]
pub(super) struct Credentials {
    /// The login (`--as`).
    pub account: Option<String>,
    /// `--password-file`, else `ELDER_ASSESS_PASSWORD`, else the terminal.
    pub password_file: Option<PathBuf>,
}

impl From<&SignIn> for Credentials {
    fn from(sign_in: &SignIn) -> Self {
        Self {
            account: Some(sign_in.account.clone()),
            password_file: sign_in.password_file.clone(),
        }
    }
}

impl From<&OptionalSignIn> for Credentials {
    fn from(sign_in: &OptionalSignIn) -> Self {
        Self { account: sign_in.account.clone(), password_file: sign_in.password_file.clone() }
    }
}

/// Why [`open_as`] gave no store: the message, and whether the database is damaged
/// (`audit verify` reports that as a finding, exit 1).
#[derive(Debug)]
pub(super) struct OpenFailure {
    /// What to print.
    pub message: String,
    /// The file is damaged ([`StoreError::Corrupt`]).
    pub damaged: bool,
}

impl From<String> for OpenFailure {
    fn from(message: String) -> Self {
        Self { message, damaged: false }
    }
}

impl From<OpenFailure> for String {
    fn from(failure: OpenFailure) -> Self {
        failure.message
    }
}

fn failure(dir: &Path, error: &StoreError) -> OpenFailure {
    OpenFailure {
        message: open_error(dir, error),
        damaged: matches!(error, StoreError::Corrupt { .. }),
    }
}

/// Opens the store in `dir` for `access` as [`open`] does; an encrypted store (once
/// accounts exist) opens only by signing in as `who` (its password unseals the key),
/// and the account is then signed in for the command.
pub(super) fn open_as(dir: &Path, access: Access, who: &Credentials) -> Result<Store, OpenFailure> {
    if !crate::store::has_keyring(dir) {
        return open(dir, access).map_err(|err| failure(dir, &err));
    }
    let Some(account) = who.account.as_deref() else {
        return Err(OpenFailure::from(format!(
            "{}（密码见 --password-file 或环境变量 {PASSWORD_ENV}）",
            StoreError::SignInRequired
        )));
    };
    let password = password_from(who.password_file.as_deref(), PASSWORD_ENV, false)?;
    let now = chrono::Utc::now();
    let opened = match access {
        Access::Read => {
            Store::open_signed_in_read_only(dir, account, &password, now, PasswordCost::Standard)
        }
        Access::Write => {
            Store::open_signed_in(dir, account, &password, now, PasswordCost::Standard)
        }
    };
    let store = opened.map_err(|err| failure(dir, &err))?;
    if let Some(problem) = store.backup_problem() {
        eprintln!("elder-assess: 警告：今天的自动备份未完成：{problem}");
    }
    Ok(store)
}

/// Whether a command writes to the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Access {
    /// Only reads: opened read-only.
    Read,
    /// Writes (or signs in, which counts failed logins).
    Write,
}

/// The data directory: `--data-dir`, else the per-user default.
pub(super) fn data_dir(data_dir: Option<&Path>) -> Result<PathBuf, String> {
    data_dir
        .map(Path::to_path_buf)
        .or_else(crate::store::default_data_dir)
        .ok_or_else(|| "找不到用户数据目录，请用 --data-dir 指定".to_owned())
}

/// Opens the store in `dir` for `access`. A failed daily backup is printed on stderr
/// (the command goes on).
pub(super) fn open(dir: &Path, access: Access) -> Result<Store, StoreError> {
    match access {
        Access::Read => Store::open_read_only(dir),
        Access::Write => {
            let store = Store::open(dir)?;
            if let Some(problem) = store.backup_problem() {
                eprintln!("elder-assess: 警告：今天的自动备份未完成：{problem}");
            }
            Ok(store)
        }
    }
}

/// The message for a store that did not open.
pub(super) fn open_error(dir: &Path, error: &StoreError) -> String {
    format!("无法打开数据目录 {}：{error}", dir.display())
}

/// Opens the store in the data directory for `access` and runs `f`.
pub(super) fn with_store(
    data_dir_arg: Option<&Path>,
    access: Access,
    who: &Credentials,
    f: impl FnOnce(&Store) -> ExitCode,
) -> ExitCode {
    let dir = match data_dir(data_dir_arg) {
        Ok(dir) => dir,
        Err(message) => return usage_error(&message),
    };
    match open_as(&dir, access, who) {
        Ok(store) => f(&store),
        Err(failure) => usage_error(&failure.message),
    }
}
