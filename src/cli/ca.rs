//! `elder-assess ca …`: the county certificate authority on the bureau's machine —
//! `init` (the root), `cert` (export it), `issue` (an assessor certificate from a
//! request), `revoke` (and a fresh CRL) and `list`. Once accounts exist, every command
//! but `cert` needs an admin signed in. The root key's passphrase comes from
//! `--passphrase-file`, else `ELDER_ASSESS_PASSPHRASE`, else the terminal.

use std::path::Path;

use chrono::{DateTime, NaiveTime, TimeDelta, Utc};

use crate::review::Role;
use crate::sign;
use crate::sign::ca::{Issue, RevokeTarget};
use crate::store::StoreError;

use super::args::{CaCommand, CaInitArgs, CaIssueArgs, CaRevokeArgs, OptionalSignIn};
use super::env::Env;
use super::error::CliError;
use super::reports::china_date;
use super::secrets::{PASSPHRASE_ENV, new_passphrase_from, passphrase_from};
use super::store_open::{self, Access, sign_in_if_needed};

/// `elder-assess ca …`.
pub fn ca_command(env: &mut Env, command: &CaCommand) -> Result<(), CliError> {
    let dir = env.data_dir()?;
    match command {
        CaCommand::Init(args) => init(env, &dir, args),
        CaCommand::Cert { out } => export_root(env, &dir, out),
        CaCommand::Issue(args) => issue(env, &dir, args),
        CaCommand::IssueTsa(args) => super::tsa::issue_tsa(env, &dir, args),
        CaCommand::Revoke(args) => revoke(env, &dir, args),
        CaCommand::IssueServer(args) => super::ca_server::issue_server(env, &dir, args),
        CaCommand::List { sign_in } => list(env, &dir, sign_in),
    }
}

/// Once accounts exist (a database with accounts in `dir`), `sign_in` must be an admin.
pub(super) fn require_admin(
    env: &Env,
    dir: &Path,
    sign_in: &OptionalSignIn,
) -> Result<(), CliError> {
    let has_db = dir.join(crate::store::DB_FILE_NAME).is_file();
    if !has_db && sign_in.account.is_none() {
        return Ok(());
    }
    let now = env.now();
    let store = store_open::open_as(dir, Access::Write, &sign_in.into(), now)?;
    if !store.has_accounts()? {
        return Ok(());
    }
    sign_in_if_needed(&store, sign_in, now)?;
    match store.current_actor() {
        Some(actor) if actor.role == Role::Admin => Ok(()),
        Some(_) => Err(StoreError::Forbidden.into()),
        None => Err(CliError::SignInNeeded),
    }
}

fn init(env: &mut Env, dir: &Path, args: &CaInitArgs) -> Result<(), CliError> {
    require_admin(env, dir, &args.sign_in)?;
    let root_path = sign::ca::ca_paths(dir).cert;
    if root_path.exists() {
        return Err(sign::SignError::RootExists { path: root_path }.into());
    }
    let agency = match &args.agency {
        Some(agency) => agency.clone(),
        None => super::county::bundled_county()?.name,
    };
    let passphrase = new_passphrase_from(args.passphrase_file.as_deref(), PASSPHRASE_ENV)?;
    let root =
        sign::ca::create_root(dir, &agency, &passphrase, env.now(), sign::KdfCost::Standard)?;
    let out = &mut env.out;
    out.line(format_args!("已创建县级根证书：{}", root.subject))?;
    out.line(format_args!("  证书：{}", root.cert_path.display()))?;
    out.line(format_args!("  私钥（已加密，不要离开本机）：{}", root.key_path.display()))?;
    out.line(format_args!("  SHA-256 指纹：{}", root.fingerprint))?;
    out.line(format_args!("  有效期至：{}", china_date(root.not_after)))?;
    out.line("  下一步：elder-assess ca cert --out 根证书.pem，再在每台电脑上 elder-assess trust add 根证书.pem")
}

fn export_root(env: &mut Env, dir: &Path, out: &Path) -> Result<(), CliError> {
    let root = sign::ca::root(dir)?;
    let bytes = std::fs::read(&root.cert_path)
        .map_err(|source| CliError::ReadFile { path: root.cert_path.clone(), source })?;
    write(out, &bytes)?;
    env.out.line(format_args!("{}：{}", out.display(), root.subject))?;
    env.out.line(format_args!("  SHA-256 指纹：{}", root.fingerprint))
}

pub(super) fn write(path: &Path, bytes: &[u8]) -> Result<(), CliError> {
    crate::output::atomic::write_atomically(path, bytes)
        .map_err(|source| CliError::WriteFile { path: path.to_owned(), source })
}

/// The end of validity `ca issue` asks for: the end of `--until` (China time), else
/// `--days` from now.
fn not_after(args: &CaIssueArgs, now: DateTime<Utc>) -> Result<DateTime<Utc>, CliError> {
    let bad = || sign::SignError::BadIssue("有效期超出范围".to_owned());
    let until = match args.until {
        Some(day) => day
            .and_time(NaiveTime::from_hms_opt(23, 59, 59).ok_or_else(bad)?)
            .and_local_timezone(crate::clock::CHINA_OFFSET)
            .single()
            .ok_or_else(bad)?
            .to_utc(),
        None => now.checked_add_signed(TimeDelta::days(i64::from(args.days))).ok_or_else(bad)?,
    };
    Ok(until)
}

fn issue(env: &mut Env, dir: &Path, args: &CaIssueArgs) -> Result<(), CliError> {
    require_admin(env, dir, &args.sign_in)?;
    let pem = std::fs::read(&args.request)
        .map_err(|source| CliError::ReadFile { path: args.request.clone(), source })?;
    let request = sign::request::read_request(&pem)?;
    let now = env.now();
    let issue = Issue {
        login: &args.login,
        name: &args.name,
        number: &args.number,
        not_before: now,
        not_after: not_after(args, now)?,
    };
    // The request is checked before the passphrase is asked for.
    sign::ca::check_request(&request, &issue)?;
    let passphrase = passphrase_from(args.passphrase_file.as_deref(), PASSPHRASE_ENV)?;
    let certificate = sign::ca::issue(dir, &passphrase, &request, &issue, now)?;
    let pem = der::EncodePem::to_pem(&certificate, der::pem::LineEnding::LF)
        .map_err(sign::SignError::crypto)?;
    write(&args.out, pem.as_bytes())?;
    let serial = sign::crl::serial_hex(&certificate.tbs_certificate.serial_number);
    let out = &mut env.out;
    out.line(format_args!("已签发评估员证书：{}", certificate.tbs_certificate.subject))?;
    out.line(format_args!("  序列号：{serial}"))?;
    out.line(format_args!(
        "  有效期：{} 至 {}",
        china_date(issue.not_before),
        china_date(issue.not_after)
    ))?;
    out.line(format_args!("  证书文件：{}", args.out.display()))?;
    out.line(format_args!(
        "  下一步：评估员在自己的电脑上运行 elder-assess keys install {} --as {}",
        args.out.display(),
        args.login.trim()
    ))
}

fn revoke(env: &mut Env, dir: &Path, args: &CaRevokeArgs) -> Result<(), CliError> {
    require_admin(env, dir, &args.sign_in)?;
    let file = Path::new(&args.target);
    let certificate = if file.is_file() {
        let pem = std::fs::read(file)
            .map_err(|source| CliError::ReadFile { path: file.to_owned(), source })?;
        Some(der::DecodePem::from_pem(&pem).map_err(|err| {
            sign::SignError::BadIssue(format!("{} 不是 PEM 格式的证书（{err}）", file.display()))
        })?)
    } else {
        None
    };
    let target = match &certificate {
        Some(cert) => RevokeTarget::Certificate(cert),
        None => RevokeTarget::Serial(&args.target),
    };
    let passphrase = passphrase_from(args.passphrase_file.as_deref(), PASSPHRASE_ENV)?;
    let revoked = sign::ca::revoke(dir, &passphrase, target, env.now())?;
    write(&args.out, revoked.crl_pem.as_bytes())?;
    let out = &mut env.out;
    out.line(format_args!("已吊销证书 {}", revoked.serial))?;
    out.line(format_args!(
        "  吊销列表（第 {} 号，共 {} 个证书）：{}",
        revoked.crl_number,
        revoked.revoked,
        args.out.display()
    ))?;
    out.line(format_args!(
        "  下一步：在每台电脑上运行 elder-assess trust add {}",
        args.out.display()
    ))
}

fn list(env: &mut Env, dir: &Path, sign_in: &OptionalSignIn) -> Result<(), CliError> {
    require_admin(env, dir, sign_in)?;
    let issued = sign::ca_registry::issued(dir)?;
    if issued.is_empty() {
        return env.out.line("还没有签发任何证书");
    }
    env.out.line("序列号\t账号\t姓名\t有效期\t状态")?;
    for entry in issued {
        let state = entry
            .revoked_at
            .map_or("有效".to_owned(), |at| format!("已吊销（{}）", china_date(at)));
        env.out.line(format_args!(
            "{}\t{}\t{}\t{} 至 {}\t{state}",
            entry.serial,
            entry.login,
            entry.name,
            china_date(entry.not_before),
            china_date(entry.not_after)
        ))?;
    }
    Ok(())
}
