//! Trusted time on the command line: `ca issue-tsa` (the county's time-stamp authority
//! certificate and its new key, from the county root; admin only once accounts exist)
//! and `timestamp REPORT.pdf` (a document time-stamp with that key, for trying B-T by
//! hand — the county server time-stamps each received report itself).

use std::path::Path;

use chrono::TimeDelta;
use rand_core::{OsRng, RngCore as _};

use crate::sign::{self, SignError, TimestampAuthority};

use super::args::{CaIssueTsaArgs, TimestampArgs};
use super::ca::{require_admin, write};
use super::env::Env;
use super::error::CliError;
use super::reports::china_date;
use super::secrets::{PASSPHRASE_ENV, passphrase_from};

/// `elder-assess ca issue-tsa`.
pub(super) fn issue_tsa(env: &mut Env, dir: &Path, args: &CaIssueTsaArgs) -> Result<(), CliError> {
    require_admin(env, dir, &args.sign_in)?;
    if args.out_key.exists() {
        return Err(
            SignError::KeyExists { name: args.name.clone(), path: args.out_key.clone() }.into()
        );
    }
    let now = env.now();
    let not_after = now
        .checked_add_signed(TimeDelta::days(i64::from(args.days)))
        .ok_or_else(|| SignError::BadIssue("有效期超出范围".to_owned()))?;
    let passphrase = passphrase_from(args.passphrase_file.as_deref(), PASSPHRASE_ENV)?;
    let issued = sign::ca::issue_timestamp_authority(dir, &passphrase, &args.name, now, not_after)?;
    // `write_atomically` makes the file 0600 before any byte is in it.
    write(&args.out_key, issued.key_pem.as_bytes())?;
    write(&args.out_cert, issued.cert_pem.as_bytes())?;
    let serial = sign::crl::serial_hex(&issued.certificate.tbs_certificate.serial_number);
    let out = &mut env.out;
    out.line(format_args!("已签发时间戳服务证书：{}", issued.certificate.tbs_certificate.subject))?;
    out.line(format_args!("  序列号：{serial}"))?;
    out.line(format_args!("  有效期：{} 至 {}", china_date(now), china_date(not_after)))?;
    out.line(format_args!("  证书（后附县级根证书）：{}", args.out_cert.display()))?;
    out.line(format_args!("  私钥（未加密，仅限县级服务器读取）：{}", args.out_key.display()))
}

/// `elder-assess timestamp`.
pub(super) fn timestamp_command(env: &mut Env, args: &TimestampArgs) -> Result<(), CliError> {
    let read = |path: &Path| {
        std::fs::read_to_string(path)
            .map_err(|source| CliError::ReadFile { path: path.to_owned(), source })
    };
    let tsa = TimestampAuthority::from_pem(&read(&args.tsa_cert)?, &read(&args.tsa_key)?)?;
    let pdf = std::fs::read(&args.file)
        .map_err(|source| CliError::ReadFile { path: args.file.clone(), source })?;
    // A random 127-bit serial: unique without a counter shared between servers.
    let serial = (u128::from(OsRng.next_u64()) << 64 | u128::from(OsRng.next_u64())) >> 1;
    let now = env.now();
    let stamped = sign::add_document_timestamp(&pdf, &tsa, serial, now)?;
    write(&args.out, &stamped)?;
    env.out.line(format_args!(
        "已加时间戳：{}（{}，北京时间）",
        args.out.display(),
        now.with_timezone(&crate::clock::CHINA_OFFSET).format("%Y-%m-%d %H:%M:%S")
    ))?;
    env.out.line("  用 elder-assess verify 检查时间戳与签名")
}
