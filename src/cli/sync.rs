//! The sync commands: `enrol` (this device with the county server), `sync` (push the
//! outbox, pull decisions, the county's records, roster and trust), and `package
//! export|import` (the outbox on a USB stick). Progress goes to stderr, the summary to
//! stdout; a network error changes nothing and exits 2.

use std::path::Path;

use crate::store::PasswordCost;
use crate::sync::run::{self, SyncProgress};

use super::args::OptionalSignIn;
use super::args::sync::{EnrolArgs, PackageCommand, SyncArgs};
use super::env::Env;
use super::error::CliError;
use super::secrets::{PASSWORD_ENV, password_from};
use super::store_open::{Access, Credentials};

/// `elder-assess enrol --server URL --as LOGIN`.
pub fn enrol_command(env: &mut Env, args: &EnrolArgs) -> Result<(), CliError> {
    let dir = env.data_dir()?;
    let password = password_from(args.sign_in.password_file.as_deref(), PASSWORD_ENV, false)?;
    let now = env.now();
    let client = run::client_for(&dir, &args.server)?;
    let (store, state) = run::enrol(
        &dir,
        &client,
        &args.server,
        &args.sign_in.account,
        &password,
        now,
        PasswordCost::Standard,
    )?;
    let accounts = state.county_state.accounts.len();
    drop(store);
    env.out.line(format_args!(
        "已登记到 {}：设备编号 {}（{}），县 {}，账号 {accounts} 个；本机评估编号形如 PG{}-{}-0001",
        state.server_url,
        state.device_code,
        state.device_id,
        state.county,
        now.format("%Y%m%d"),
        state.device_code
    ))
}

/// Opens the store, signed in as `sign_in` (needed once accounts exist).
fn open(env: &Env, sign_in: &OptionalSignIn) -> Result<crate::store::Store, CliError> {
    let store = env.open_store(Access::Write, &Credentials::from(sign_in))?;
    super::store_open::sign_in_if_needed(&store, sign_in, env.now())?;
    Ok(store)
}

/// `elder-assess sync [--server URL] [--as LOGIN]`.
pub fn sync_command(env: &mut Env, args: &SyncArgs) -> Result<(), CliError> {
    let dir = env.data_dir()?;
    let store = open(env, &args.sign_in)?;
    if let Some(url) = &args.server {
        store.set_sync_server(url.trim().trim_end_matches('/'))?;
    }
    let clock = || env.now();
    let mut progress = |step: SyncProgress| match step {
        SyncProgress::Queued(n) => eprintln!("elder-assess: 已打包 {n} 份待上传的评估"),
        SyncProgress::Pushed { done, total } => eprintln!("elder-assess: 已上传 {done}/{total}"),
        SyncProgress::Pulled(n) => eprintln!("elder-assess: 已接收 {n} 条更新"),
    };
    let url = store.sync_state()?.ok_or(crate::sync::SyncError::NotEnrolled)?.server_url;
    let client = run::client_for(&dir, &url)?;
    let summary = run::sync(&store, &dir, &client, &clock, &mut progress)?;
    if let Some(warning) = &summary.clock_warning {
        eprintln!("elder-assess: 注意：{warning}");
    }
    let out = &mut env.out;
    out.line(format_args!(
        "同步完成：上传 {}，服务器已有 {}，冲突 {}，被拒 {}，收到审核结果 {}，收到县级记录 {}，待上传 {}",
        summary.uploaded,
        summary.duplicates,
        summary.conflicts,
        summary.refused.len(),
        summary.decisions,
        summary.envelopes,
        summary.outbox_left
    ))?;
    for (id, number, reason) in &summary.refused {
        let number = number.as_deref().unwrap_or("（本机无此记录）");
        out.line(format_args!(
            "  被拒：{number}（信封 {id}）：{reason}；已退回为已完成，可修改后重新提交"
        ))?;
    }
    for reason in &summary.rejected {
        out.line(format_args!("  未接收：{reason}"))?;
    }
    Ok(())
}

/// `elder-assess package export|import`.
pub fn package_command(env: &mut Env, command: &PackageCommand) -> Result<(), CliError> {
    match command {
        PackageCommand::Export { out, sign_in } => {
            let store = open(env, sign_in)?;
            let (envelopes, decisions) = crate::sync::usb::export_package(&store, out, env.now())?;
            env.out.line(format_args!(
                "{}：{envelopes} 份评估，{decisions} 条审核决定（同步确认前仍留在待上传列表中）",
                out.display()
            ))
        }
        PackageCommand::Import { file, sign_in } => {
            let bytes = read(file)?;
            let dir = env.data_dir()?;
            let store = open(env, sign_in)?;
            let summary = crate::sync::usb::import_package(&store, &dir, &bytes, env.now())?;
            env.out.line(format_args!(
                "{}：导入 {} 份评估，{} 份此前已导入；{} 项将在下次同步时转交县级服务器",
                file.display(),
                summary.imported,
                summary.already,
                summary.relayed
            ))
        }
    }
}

fn read(path: &Path) -> Result<Vec<u8>, CliError> {
    std::fs::read(path).map_err(|source| CliError::ReadFile { path: path.to_owned(), source })
}
