//! `elder-assess review conflicts` and `review resolve`: the county records received as
//! conflicting versions on a reviewer's device, and a reviewer's 以此版本为准 (queued for
//! the next sync). Lines name versions by hash prefix, device, receipt time, total and
//! level, never by a person.

use crate::review::Actor;
use crate::store::{ConflictVersion, Store, sync_conflict_state_label};

use super::env::Env;
use super::error::CliError;

/// One version as a tab-separated line.
fn version_line(number: &str, version: &ConflictVersion) -> String {
    format!(
        "{number}\t{}\t{}\t{}\t{}\t{}\t{}",
        version.short_hash(),
        version.device,
        version.received_at,
        version.total,
        version.final_level,
        sync_conflict_state_label(version.state),
    )
}

/// `review conflicts`: every open conflict's versions.
pub fn list(env: &mut Env, store: &Store) -> Result<(), CliError> {
    let records = store.conflicted_records()?;
    let out = &mut env.out;
    if records.is_empty() {
        return out.line("没有待处理的内容冲突");
    }
    out.line("编号\t版本\t设备\t接收时间\t总分\t等级\t状态")?;
    for (id, number) in &records {
        for version in store.conflict_versions(*id)? {
            out.line(version_line(number, &version))?;
        }
    }
    Ok(())
}

/// `review resolve NUMBER --keep HASH_PREFIX --reason TEXT`.
pub fn resolve(
    env: &mut Env,
    store: &Store,
    (number, actor): (&str, &Actor),
    (keep, reason): (&str, &str),
) -> Result<(), CliError> {
    let id = store
        .find_by_number(number)
        .map_err(|source| CliError::ReadAssessment { number: number.to_owned(), source })?
        .ok_or_else(|| CliError::NoSuchAssessment(number.to_owned()))?;
    let kept = store.queue_keep(id, (keep, reason), actor, env.now())?;
    env.out.line(format_args!(
        "{number}：已选定以版本 {} 为准，待同步（下次 sync 时提交县级服务器）",
        kept.short_hash()
    ))
}
