//! The commands whose duties are bound to accounts once the machine has any: `report` of
//! a stored record (signed in, and audited before the file is written, like a full
//! export), `review sign` and `audit verify` (the chain, the head and every record's content).

use std::path::Path;

use crate::record::AssessmentRecord;
use crate::store::{Store, StoreError};

use super::args::{OptionalSignIn, SignIn};
use super::env::Env;
use super::error::CliError;
use super::store_open::{self, Access, sign_in_as, sign_in_if_needed};

/// A stored record to report on, read by a signed-in account (once accounts exist).
pub struct StoredReport {
    /// The open store, with the account signed in.
    pub store: Store,
    /// The record's row id.
    pub id: i64,
    /// The record.
    pub record: AssessmentRecord,
}

/// Opens the store, signs in (required once accounts exist) and loads the record
/// numbered `number`.
pub fn open_stored(
    env: &Env,
    number: &str,
    sign_in: &OptionalSignIn,
) -> Result<StoredReport, CliError> {
    let store = env.open_store(Access::Write, &sign_in.into())?;
    sign_in_if_needed(&store, sign_in, env.now())?;
    let read = |source| CliError::ReadAssessment { number: number.to_owned(), source };
    let id = store
        .find_by_number(number)
        .map_err(read)?
        .ok_or_else(|| CliError::NeitherFileNorNumber(number.to_owned()))?;
    // Bound assessors are printed with their accounts' registered names.
    let record = store.signed_record(id).map_err(read)?;
    Ok(StoredReport { store, id, record })
}

impl StoredReport {
    /// The audit row of the report, written before the file; a fully signed report
    /// (`signed`) is kept in the store too, for the record's sync envelope.
    pub fn record(
        &self,
        out: &Path,
        signed: Option<&[u8]>,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<(), CliError> {
        let detail = out.display().to_string();
        self.store
            .log_event(crate::store::REPORT_ACTION, Some(self.id), Some(&detail), None, now)
            .map_err(CliError::RecordReport)?;
        if let Some(pdf) = signed {
            self.store.store_report(self.id, pdf, now).map_err(CliError::RecordReport)?;
        }
        Ok(())
    }
}

/// `review sign NUMBER --slot N --as LOGIN`: the signed-in account confirms that it is
/// assessor `slot` of the record.
pub fn sign_command(
    env: &mut Env,
    store: &Store,
    number: &str,
    slot: u8,
    sign_in: &SignIn,
) -> Result<(), CliError> {
    let slot = if slot == 1 {
        crate::store::AssessorSlot::First
    } else {
        crate::store::AssessorSlot::Second
    };
    let actor = sign_in_as(store, sign_in, env.now())?;
    let id = store
        .find_by_number(number)
        .map_err(|source| CliError::ReadAssessment { number: number.to_owned(), source })?
        .ok_or_else(|| CliError::NoSuchAssessment(number.to_owned()))?;
    let actor = store.bind_assessor(id, slot, &actor.account, None, env.now())?;
    let role = if slot == crate::store::AssessorSlot::First { "评估员1" } else { "评估员2" };
    env.out.line(format_args!("{number}：{role}已确认为账号 {}", actor.account))
}

/// `elder-assess audit verify`: the hash chain, the head in `meta`, every record's
/// content and the newest backup's head.
pub fn audit_verify_command(env: &mut Env, sign_in: &OptionalSignIn) -> Result<(), CliError> {
    let dir = env.data_dir()?;
    let file = dir.join(crate::store::DB_FILE_NAME);
    if !file.exists() {
        return Err(CliError::NoDatabase(file));
    }
    let store = match store_open::open_as(&dir, Access::Read, &sign_in.into(), env.now()) {
        Ok(store) => store,
        // A damaged file is a finding (exit 1), not unusable input.
        Err(CliError::StoreOpen { dir, source: source @ StoreError::Corrupt { .. } }) => {
            return Err(CliError::DamagedDatabase { dir, source });
        }
        Err(err) => return Err(err),
    };
    let report = match store.verify_audit() {
        Ok(report) => report,
        Err(err @ StoreError::Corrupt { .. }) => return Err(CliError::IntegrityFailed(err)),
        Err(err) => return Err(CliError::ReadAudit(err)),
    };
    let backup = report.backup.as_deref().map(backup_name);
    let out = &mut env.out;
    match report.problem {
        None => {
            out.line(format_args!(
                "审计记录完好：共 {} 条，哈希链完整，每条评估的内容与审计记录一致",
                report.rows
            ))?;
            match backup {
                Some(name) => out.line(format_args!("  与最新备份 {name} 记下的审计记录一致")),
                None => out.line("  （没有可读的备份可以比对）"),
            }
        }
        Some(problem) => {
            match problem.seq() {
                Some(seq) => out
                    .line(format_args!("审计记录共 {} 条；第一处问题：第 {seq} 条", report.rows))?,
                None => out.line(format_args!("审计记录共 {} 条；发现问题", report.rows))?,
            }
            Err(CliError::AuditBroken(problem))
        }
    }
}

fn backup_name(path: &Path) -> String {
    path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into())
}
