//! `elder-assess keys …`: the signing keys in `<data dir>/keys/`.
//!
//! - `keys new`: once accounts exist, signed in: the account's key (named after the
//!   account, bound to it in the store) and its certificate request for the county
//!   (`keys/acct-….csr.pem`); without accounts, a practice key by `--name`;
//! - `keys request`: the account's request again;
//! - `keys install CERT.pem`: the county-issued certificate replaces the practice one
//!   (checked against the trust store) and is bound to the account;
//! - `keys list`: every key, county-issued or practice.

use std::path::Path;

use crate::sign;
use crate::store::Store;

use super::args::{KeysCommand, KeysInstallArgs, KeysNewArgs, KeysRequestArgs};
use super::env::Env;
use super::error::CliError;
use super::reports::china_date;
use super::secrets::{PASSPHRASE_ENV, new_passphrase_from, passphrase_from};
use super::store_open::{self, Access, sign_in_if_needed};

/// `elder-assess keys …`.
pub fn keys_command(env: &mut Env, command: &KeysCommand) -> Result<(), CliError> {
    let dir = env.data_dir()?;
    match command {
        KeysCommand::New(args) => keys_new_command(env, &dir, args),
        KeysCommand::List => list_keys(env, &dir),
        KeysCommand::Request(args) => request_command(env, &dir, args),
        KeysCommand::Install(args) => install_command(env, &dir, args),
    }
}

/// `keys new`: once accounts exist, signed in, the account's key, bound to it, and its
/// certificate request.
fn keys_new_command(env: &mut Env, dir: &Path, args: &KeysNewArgs) -> Result<(), CliError> {
    let sign_in = &args.sign_in;
    let has_db = dir.join(crate::store::DB_FILE_NAME).is_file();
    let store = if has_db || sign_in.account.is_some() {
        Some(store_open::open_as(dir, Access::Write, &sign_in.into(), env.now())?)
    } else {
        None
    };
    if let Some(store) = &store {
        sign_in_if_needed(store, sign_in, env.now())?;
    }
    let actor = store.as_ref().and_then(Store::current_actor);
    let name = match (&actor, args.name.as_deref()) {
        (Some(actor), Some(name)) if name.trim() != actor.display_name => {
            return Err(CliError::KeyNameMismatch { account: actor.account.clone() });
        }
        (Some(actor), _) => actor.display_name.clone(),
        (None, Some(name)) => name.to_owned(),
        (None, None) => return Err(CliError::KeyNameRequired),
    };
    let passphrase = new_passphrase_from(args.passphrase_file.as_deref(), PASSPHRASE_ENV)?;
    let now = env.now();
    let (Some(store), Some(actor)) = (&store, &actor) else {
        let key = sign::create_key(dir, &name, &passphrase, now)?;
        env.out.line(format_args!("已创建签名密钥：{}", key.subject))?;
        return print_key(env, &key);
    };
    let login = actor.account.as_str();
    let key =
        sign::create_account_key(dir, login, &name, &passphrase, now, sign::KdfCost::Standard)?;
    let remove = || {
        let _ = std::fs::remove_file(&key.key_path);
        let _ = std::fs::remove_file(&key.cert_path);
    };
    if let Err(err) = store.bind_signing_key(&key.fingerprint, &key.name, now) {
        // An unbound key would be refused for signing: do not leave it behind.
        remove();
        return Err(CliError::BindKey(err));
    }
    let request = write_request(dir, login, &passphrase, None)?;
    env.out.line(format_args!("已创建签名密钥：{}（账号 {login}）", key.subject))?;
    print_key(env, &key)?;
    let out = &mut env.out;
    out.line(format_args!("  证书申请：{}", request.display()))?;
    out.line("  这是练习证书：签名的报告不会验证为可信。下一步：把证书申请交给县级管理员，")?;
    out.line(format_args!(
        "  由其运行 elder-assess ca issue 签发证书，再运行 elder-assess keys install 证书文件 --as {login}"
    ))
}

fn print_key(env: &mut Env, key: &sign::KeyInfo) -> Result<(), CliError> {
    let out = &mut env.out;
    out.line(format_args!("  私钥（已加密）：{}", key.key_path.display()))?;
    out.line(format_args!("  证书：{}", key.cert_path.display()))?;
    out.line(format_args!(
        "  有效期：{} 至 {}",
        china_date(key.not_before),
        china_date(key.not_after)
    ))
}

/// Unlocks `login`'s key and writes its certificate request to `out` (default: beside
/// the key). Returns the path.
fn write_request(
    dir: &Path,
    login: &str,
    passphrase: &str,
    out: Option<&Path>,
) -> Result<std::path::PathBuf, CliError> {
    let signer = sign::load_account_signer(dir, login, passphrase)?;
    let pem = sign::request::create_request(&signer)?;
    let path = match out {
        Some(path) => path.to_owned(),
        None => sign::account_keys::account_request_path(dir, login)?,
    };
    crate::output::atomic::write_atomically(&path, pem.as_bytes())
        .map_err(|source| CliError::WriteFile { path: path.clone(), source })?;
    Ok(path)
}

/// Opens the store signed in as `sign_in` (which must be an account of this machine).
fn signed_in(env: &Env, dir: &Path, sign_in: &super::args::SignIn) -> Result<Store, CliError> {
    let store = store_open::open_as(dir, Access::Write, &sign_in.into(), env.now())?;
    store_open::sign_in_as(&store, sign_in, env.now())?;
    Ok(store)
}

/// `keys request --as LOGIN [--out FILE]`.
fn request_command(env: &mut Env, dir: &Path, args: &KeysRequestArgs) -> Result<(), CliError> {
    let store = signed_in(env, dir, &args.sign_in)?;
    let login = store.current_actor().map(|a| a.account).unwrap_or_default();
    let passphrase = passphrase_from(args.passphrase_file.as_deref(), PASSPHRASE_ENV)?;
    let path = write_request(dir, &login, &passphrase, args.out.as_deref())?;
    env.out.line(format_args!("证书申请：{}（账号 {login}）", path.display()))
}

/// `keys install CERT.pem --as LOGIN`.
fn install_command(env: &mut Env, dir: &Path, args: &KeysInstallArgs) -> Result<(), CliError> {
    let store = signed_in(env, dir, &args.sign_in)?;
    let login = store.current_actor().map(|a| a.account).unwrap_or_default();
    let bytes = std::fs::read(&args.file)
        .map_err(|source| CliError::ReadFile { path: args.file.clone(), source })?;
    let trust = sign::trust::TrustStore::load(dir)?;
    let now = env.now();
    let key = sign::install_certificate(dir, &login, &bytes, &trust, now)?;
    store.bind_signing_key(&key.fingerprint, &key.name, now).map_err(CliError::BindKey)?;
    env.out.line(format_args!(
        "已为账号 {login} 安装县级证书：{}，签发者 {}，有效期至 {}",
        key.subject,
        key.issuer.as_deref().unwrap_or("未知"),
        china_date(key.not_after)
    ))?;
    env.out.line(format_args!("  证书：{}", key.cert_path.display()))
}

/// `elder-assess keys list`: one line per key.
fn list_keys(env: &mut Env, dir: &Path) -> Result<(), CliError> {
    let keys = sign::list_keys(dir)?;
    if keys.is_empty() {
        return env.out.line(
            "还没有签名密钥；请运行 elder-assess keys new --as 账号（本机未设账号时用 --name 姓名）",
        );
    }
    for key in keys {
        let account = key.account.as_deref().map_or(String::new(), |a| format!("账号 {a}"));
        let kind = match &key.issuer {
            Some(issuer) => format!("县级证书（{issuer}签发）"),
            None => "练习证书".to_owned(),
        };
        env.out.line(format_args!(
            "{}\t{}\t{account}\t{kind}\t有效期 {} 至 {}\t{}",
            key.name,
            key.subject,
            china_date(key.not_before),
            china_date(key.not_after),
            key.cert_path.display()
        ))?;
    }
    Ok(())
}
