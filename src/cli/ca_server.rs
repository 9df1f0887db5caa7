//! `elder-assess ca issue-server`: the county server's TLS certificate, issued by the
//! county root (see [`crate::sign::ca_server`]); the key is written 0600.

use std::path::Path;

use chrono::TimeDelta;

use crate::sign;

use super::args::CaIssueServerArgs;
use super::ca::{require_admin, write};
use super::env::Env;
use super::error::CliError;
use super::reports::china_date;
use super::secrets::{PASSPHRASE_ENV, passphrase_from};

/// `elder-assess ca issue-server`.
pub(super) fn issue_server(
    env: &mut Env,
    dir: &Path,
    args: &CaIssueServerArgs,
) -> Result<(), CliError> {
    require_admin(env, dir, &args.sign_in)?;
    let now = env.now();
    let not_after = now
        .checked_add_signed(TimeDelta::days(i64::from(args.days)))
        .ok_or_else(|| sign::SignError::BadIssue("有效期超出范围".to_owned()))?;
    let passphrase = passphrase_from(args.passphrase_file.as_deref(), PASSPHRASE_ENV)?;
    let issued = sign::ca_server::issue_server(dir, &passphrase, &args.hosts, now, not_after, now)?;
    write(&args.out_key, issued.key_pem.as_bytes())?;
    crate::output::atomic::make_private(&args.out_key)
        .map_err(|source| CliError::WriteFile { path: args.out_key.clone(), source })?;
    write(&args.out_cert, issued.cert_pem.as_bytes())?;
    let out = &mut env.out;
    out.line(format_args!("已签发服务器证书：{}", args.hosts.join(" ")))?;
    out.line(format_args!("  序列号：{}", issued.serial))?;
    out.line(format_args!("  有效期：{} 至 {}", china_date(now), china_date(not_after)))?;
    out.line(format_args!("  证书：{}", args.out_cert.display()))?;
    out.line(format_args!("  私钥（未加密，仅服务器可读）：{}", args.out_key.display()))
}
