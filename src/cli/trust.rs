//! `elder-assess trust …`: the county roots and CRLs this machine trusts (`add FILE`,
//! admin only once accounts exist; `list`).

use std::path::Path;

use crate::sign::trust::{TrustEntry, TrustStore, install};

use super::args::TrustCommand;
use super::env::Env;
use super::error::CliError;
use super::reports::china_date;

/// `elder-assess trust …`.
pub fn trust_command(env: &mut Env, command: &TrustCommand) -> Result<(), CliError> {
    let dir = env.data_dir()?;
    match command {
        TrustCommand::Add { file, sign_in } => {
            super::ca::require_admin(env, &dir, sign_in)?;
            add(env, &dir, file)
        }
        TrustCommand::List => {
            let entries = TrustStore::load(&dir)?.list();
            if entries.is_empty() {
                return env
                    .out
                    .line("本机还没有安装县级根证书；请运行 elder-assess trust add 根证书.pem");
            }
            for entry in &entries {
                env.out.line(describe(entry))?;
            }
            Ok(())
        }
    }
}

fn add(env: &mut Env, dir: &Path, file: &Path) -> Result<(), CliError> {
    let bytes = std::fs::read(file)
        .map_err(|source| CliError::ReadFile { path: file.to_owned(), source })?;
    let entry = install(dir, &bytes, env.now())?;
    env.out.line(format_args!("已安装 {}", describe(&entry)))
}

fn describe(entry: &TrustEntry) -> String {
    match entry {
        TrustEntry::Root { subject, fingerprint, not_after } => {
            format!("根证书\t{subject}\t有效期至 {}\tSHA-256 {fingerprint}", china_date(*not_after))
        }
        TrustEntry::Crl { issuer, number, this_update, next_update, revoked } => {
            let number = number.map_or("无编号".to_owned(), |n| format!("第 {n} 号"));
            let next = next_update.map_or("未定".to_owned(), |t| china_date(t).to_string());
            format!(
                "吊销列表\t{issuer}\t{number}\t{} 发布，下次更新 {next}\t{revoked} 个已吊销证书",
                china_date(*this_update)
            )
        }
    }
}
