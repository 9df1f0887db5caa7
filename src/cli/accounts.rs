//! `elder-assess accounts …`: the first admin (which encrypts the store), new accounts,
//! password resets and the account list. A password being set comes from
//! `--new-password-file`, else `ELDER_ASSESS_NEW_PASSWORD`, else the terminal (twice).

use std::path::Path;

use crate::review::Role;
use crate::store::{Store, StoreError};

use super::args::{AccountsCommand, SignIn};
use super::env::Env;
use super::error::CliError;
use super::secrets::{NEW_PASSWORD_ENV, password_from};
use super::store_open::{self, Access, Credentials, sign_in_as};

impl AccountsCommand {
    /// Who signs in for the command, to open an encrypted store.
    fn credentials(&self) -> Credentials {
        match self {
            Self::Init { .. } => Credentials::default(),
            Self::Add { sign_in, .. }
            | Self::Reset { sign_in, .. }
            | Self::Join { sign_in, .. }
            | Self::List { sign_in } => sign_in.into(),
        }
    }
}

/// `elder-assess accounts …`.
pub fn accounts_command(env: &mut Env, command: &AccountsCommand) -> Result<(), CliError> {
    // `init` encrypts the store: it opens the store itself.
    if let AccountsCommand::Init { login, name, new_password_file } = command {
        return init_account(env, login, name, new_password_file.as_deref());
    }
    let store = env.open_store(Access::Write, &command.credentials())?;
    let message = match command {
        AccountsCommand::Init { .. } => return Err(CliError::AccountsExist),
        AccountsCommand::Add { sign_in, login, name, role, new_password_file } => {
            let account = NewAccount { login, name, role: *role };
            add_account(env, &store, sign_in, &account, new_password_file.as_deref())?
        }
        AccountsCommand::Reset { sign_in, login, new_password_file } => {
            reset_account(env, &store, sign_in, login, new_password_file.as_deref())?
        }
        AccountsCommand::Join { sign_in, login, join_password_file } => {
            join_account(env, &store, sign_in, login, join_password_file.as_deref())?
        }
        AccountsCommand::List { sign_in } => list_accounts(env, &store, sign_in)?,
    };
    env.out.line(message)
}

/// `accounts init`: the first admin, then the database and its backups are encrypted
/// under a key sealed for that admin (see README, "Security and data safety").
fn init_account(
    env: &mut Env,
    login: &str,
    name: &str,
    password_file: Option<&Path>,
) -> Result<(), CliError> {
    let dir = env.data_dir()?;
    if crate::store::has_keyring(&dir) {
        return Err(CliError::AccountsExist);
    }
    let store = store_open::open(&dir, Access::Write)?;
    if store.has_accounts()? {
        return Err(CliError::AccountsExist);
    }
    let password = password_from(password_file, NEW_PASSWORD_ENV, true)?;
    let now = env.now();
    let admin = match store.create_first_admin(login, name, &password, now) {
        Ok(admin) => admin,
        Err(StoreError::Forbidden) => return Err(CliError::AccountsExist),
        Err(err) => return Err(err.into()),
    };
    store.encrypt_at_rest(&admin.account, &password, now).map_err(|source| {
        CliError::EncryptionIncomplete { account: admin.account.clone(), source }
    })?;
    env.out.line(format_args!(
        "已创建管理员账号 {}；本机评估数据库和备份已加密，之后的命令需用 --as 登录",
        admin.account
    ))
}

/// The account `accounts add` creates.
struct NewAccount<'a> {
    login: &'a str,
    name: &'a str,
    role: Role,
}

/// `accounts join`: on an enrolled machine, `login` (a county account) signs in while
/// the store is open, which gives it its own unlock entry; afterwards it signs in here
/// by itself, offline.
fn join_account(
    env: &Env,
    store: &Store,
    sign_in: &SignIn,
    login: &str,
    password_file: Option<&Path>,
) -> Result<String, CliError> {
    if !store.is_enrolled()? {
        return Err(StoreError::NotEnrolled.into());
    }
    sign_in_as(store, sign_in, env.now())?;
    let password = password_from(password_file, NEW_PASSWORD_ENV, false)?;
    let actor = store.login(login, password.as_str(), env.now())?;
    Ok(format!("{}（{}）现在可以在本机登录", actor.display_name, actor.role.label()))
}

/// Signs in as an admin; anyone else is refused before the new password is asked for.
fn sign_in_admin(
    env: &Env,
    store: &Store,
    sign_in: &SignIn,
) -> Result<crate::review::Actor, CliError> {
    let admin = sign_in_as(store, sign_in, env.now())?;
    if admin.role != Role::Admin {
        return Err(StoreError::Forbidden.into());
    }
    Ok(admin)
}

fn add_account(
    env: &Env,
    store: &Store,
    sign_in: &SignIn,
    account: &NewAccount<'_>,
    password_file: Option<&Path>,
) -> Result<String, CliError> {
    let admin = sign_in_admin(env, store, sign_in)?;
    let password = password_from(password_file, NEW_PASSWORD_ENV, true)?;
    let created = store.create_account(
        &admin,
        account.login,
        account.name,
        account.role,
        &password,
        env.now(),
    )?;
    Ok(format!("已创建账号 {}（{}）", created.account, created.role.label()))
}

fn reset_account(
    env: &Env,
    store: &Store,
    sign_in: &SignIn,
    login: &str,
    password_file: Option<&Path>,
) -> Result<String, CliError> {
    let admin = sign_in_admin(env, store, sign_in)?;
    let password = password_from(password_file, NEW_PASSWORD_ENV, true)?;
    store.reset_password(&admin, login, &password, env.now())?;
    Ok(format!("已重置账号 {} 的密码，账号已解锁", login.trim()))
}

/// One tab-separated line per account: login, role, name, state.
fn list_accounts(env: &Env, store: &Store, sign_in: &SignIn) -> Result<String, CliError> {
    let now = env.now();
    let admin = sign_in_as(store, sign_in, now)?;
    let accounts = store.accounts(&admin, now)?;
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
