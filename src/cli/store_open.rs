//! How the commands open the store and sign in: commands that only read (`stats`,
//! `review queue`, `review due`, `outcome`, a de-identified `export`, `audit verify`,
//! `report NUMBER`) open it read-only ([`Store::open_read_only`]: no write, no lock, no
//! migration, so they work in a read-only data directory and while another process
//! writes); the others open it for writing ([`Store::open`]), and a failed daily backup is
//! reported on stderr.
//!
//! Either way a damaged file is refused before anything is written, and the message names
//! the real cause ([`StoreError`]'s words: damaged, read-only, locked, disk full, needs
//! upgrading) and the newest good backup.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use crate::review::Actor;
use crate::store::{PasswordCost, Store, StoreError};

use super::args::{OptionalSignIn, SignIn};
use super::error::CliError;
use super::secrets::{PASSWORD_ENV, password_from};

/// Who a command signs in as, if anyone: what opens an encrypted store.
#[derive(Debug, Clone, Default)]
pub struct Credentials {
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

/// Whether a command writes to the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Only reads: opened read-only.
    Read,
    /// Writes (or signs in, which counts failed logins).
    Write,
}

/// The store in `dir` did not open.
fn open_failed(dir: &Path, source: StoreError) -> CliError {
    CliError::StoreOpen { dir: dir.to_owned(), source }
}

/// Opens the store in `dir` for `access` as [`open`] does; an encrypted store (once
/// accounts exist) opens only by signing in as `who` (its password unseals the key),
/// and the account is then signed in for the command.
pub fn open_as(
    dir: &Path,
    access: Access,
    who: &Credentials,
    now: DateTime<Utc>,
) -> Result<Store, CliError> {
    if !crate::store::has_keyring(dir) {
        return open(dir, access);
    }
    let Some(account) = who.account.as_deref() else {
        return Err(CliError::SignInRequired);
    };
    let password = password_from(who.password_file.as_deref(), PASSWORD_ENV, false)?;
    let opened = match access {
        Access::Read => {
            Store::open_signed_in_read_only(dir, account, &password, now, PasswordCost::Standard)
        }
        Access::Write => {
            Store::open_signed_in(dir, account, &password, now, PasswordCost::Standard)
        }
    };
    let store = opened.map_err(|err| open_failed(dir, err))?;
    warn_about_backup(&store);
    Ok(store)
}

/// Opens the store in `dir` for `access`, without signing in. A failed daily backup is
/// printed on stderr (the command goes on).
pub fn open(dir: &Path, access: Access) -> Result<Store, CliError> {
    match access {
        Access::Read => Store::open_read_only(dir).map_err(|err| open_failed(dir, err)),
        Access::Write => {
            let store = Store::open(dir).map_err(|err| open_failed(dir, err))?;
            warn_about_backup(&store);
            Ok(store)
        }
    }
}

fn warn_about_backup(store: &Store) {
    if let Some(problem) = store.backup_problem() {
        eprintln!("elder-assess: 警告：今天的自动备份未完成：{problem}");
    }
}

/// Signs in as `sign_in.account` with its password (see [`password_from`]).
pub fn sign_in_as(store: &Store, sign_in: &SignIn, now: DateTime<Utc>) -> Result<Actor, CliError> {
    // An encrypted store was opened by signing in as this account already.
    if let Some(actor) = store.current_actor()
        && actor.account == sign_in.account.trim()
    {
        return Ok(actor);
    }
    let password = password_from(sign_in.password_file.as_deref(), PASSWORD_ENV, false)?;
    Ok(store.login(&sign_in.account, &password, now)?)
}

/// Signs in as `sign_in.account` if given; without it, refuses once accounts exist (the
/// store would refuse to attribute the change to nobody).
pub fn sign_in_if_needed(
    store: &Store,
    sign_in: &OptionalSignIn,
    now: DateTime<Utc>,
) -> Result<(), CliError> {
    match &sign_in.account {
        Some(account) => {
            let sign_in =
                SignIn { account: account.clone(), password_file: sign_in.password_file.clone() };
            sign_in_as(store, &sign_in, now).map(|_| ())
        }
        None if store.has_accounts()? => Err(CliError::SignInNeeded),
        None => Ok(()),
    }
}
