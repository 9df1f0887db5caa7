//! The commands whose duties are bound to accounts once the machine has any: `report` of
//! a stored record (signed in, and audited before the file is written, like a full
//! export), `keys new` (signed in; the key is bound to the account) and `audit verify`
//! (the chain, the head and every record's content).

use std::path::Path;
use std::process::ExitCode;

use crate::record::AssessmentRecord;
use crate::sign;
use crate::store::Store;

use super::{OptionalSignIn, SignIn, sign_in_as, sign_in_if_needed, usage_error};

/// A stored record to report on, read by a signed-in account (once accounts exist).
pub(super) struct StoredReport {
    /// The open store, with the account signed in.
    pub store: Store,
    /// The record's row id.
    pub id: i64,
    /// The record.
    pub record: AssessmentRecord,
}

/// Opens the store, signs in (required once accounts exist) and loads the record
/// numbered `number`.
pub(super) fn open_stored(
    data_dir: Option<&Path>,
    number: &str,
    sign_in: &OptionalSignIn,
) -> Result<StoredReport, String> {
    let dir = data_dir
        .map(Path::to_path_buf)
        .or_else(crate::store::default_data_dir)
        .ok_or_else(|| "找不到用户数据目录，请用 --data-dir 指定".to_owned())?;
    let store =
        super::store_open::open_as(&dir, super::store_open::Access::Write, &sign_in.into())?;
    sign_in_if_needed(&store, sign_in)?;
    let id = store
        .find_by_number(number)
        .map_err(|err| format!("无法读取评估 {number}：{err}"))?
        .ok_or_else(|| format!("{number}: 既不是评估文件，也不是已保存的评估编号"))?;
    // Bound assessors are printed with their accounts' registered names.
    let record = store.signed_record(id).map_err(|err| format!("无法读取评估 {number}：{err}"))?;
    Ok(StoredReport { store, id, record })
}

impl StoredReport {
    /// Once accounts exist, each signing key must be bound (by `keys new`) to the
    /// account bound to that assessor of the record.
    pub fn check_signers(&self, signers: &[sign::Signer]) -> Result<(), String> {
        let mut fingerprints = [None, None];
        for (slot, signer) in fingerprints.iter_mut().zip(signers) {
            *slot = Some(
                sign::certificate_fingerprint(signer.certificate()).map_err(|e| e.to_string())?,
            );
        }
        self.store
            .check_signing_keys(self.id, fingerprints.each_ref().map(Option::as_deref))
            .map_err(|err| err.to_string())
    }

    /// The audit row of the report, written before the file.
    pub fn record(&self, out: &Path, now: chrono::DateTime<chrono::Utc>) -> Result<(), String> {
        let detail = out.display().to_string();
        self.store
            .log_event(crate::store::REPORT_ACTION, Some(self.id), Some(&detail), None, now)
            .map_err(|err| format!("无法记录报告导出（未写入文件）：{err}"))
    }
}

/// `review sign NUMBER --slot N --as LOGIN`: the signed-in account confirms that it is
/// assessor `slot` of the record.
pub(super) fn sign_command(store: &Store, number: &str, slot: u8, sign_in: &SignIn) -> ExitCode {
    let slot = if slot == 1 {
        crate::store::AssessorSlot::First
    } else {
        crate::store::AssessorSlot::Second
    };
    let result = sign_in_as(store, sign_in).and_then(|actor| {
        let id = store
            .find_by_number(number)
            .map_err(|err| format!("无法读取评估 {number}：{err}"))?
            .ok_or_else(|| format!("没有编号为 {number} 的评估"))?;
        store
            .bind_assessor(id, slot, &actor.account, None, chrono::Utc::now())
            .map_err(|err| err.to_string())
    });
    match result {
        Ok(actor) => {
            let role =
                if slot == crate::store::AssessorSlot::First { "评估员1" } else { "评估员2" };
            println!("{number}：{role}已确认为账号 {}", actor.account);
            ExitCode::SUCCESS
        }
        Err(message) => usage_error(&message),
    }
}

/// `keys new`: once accounts exist, signed in, named after the account and bound to it.
pub(super) fn keys_new_command(
    dir: &Path,
    name: Option<&str>,
    passphrase_file: Option<&Path>,
    sign_in: &OptionalSignIn,
) -> ExitCode {
    use crate::clock::{CHINA_OFFSET, Clock as _, SystemClock};
    let date = |t: chrono::DateTime<chrono::Utc>| t.with_timezone(&CHINA_OFFSET).format("%Y-%m-%d");
    let has_db = dir.join(crate::store::DB_FILE_NAME).is_file();
    let store = if has_db || sign_in.account.is_some() {
        match super::store_open::open_as(dir, super::store_open::Access::Write, &sign_in.into()) {
            Ok(store) => Some(store),
            Err(failure) => return usage_error(&failure.message),
        }
    } else {
        None
    };
    if let Some(store) = &store
        && let Err(message) = sign_in_if_needed(store, sign_in)
    {
        return usage_error(&message);
    }
    let actor = store.as_ref().and_then(Store::current_actor);
    let name = match (&actor, name) {
        (Some(actor), Some(name)) if name.trim() != actor.display_name => {
            return usage_error(&format!(
                "密钥的姓名须是账号 {} 登记的姓名；请省略 --name",
                actor.account
            ));
        }
        (Some(actor), _) => actor.display_name.clone(),
        (None, Some(name)) => name.to_owned(),
        (None, None) => return usage_error("请用 --name 指定评估员姓名"),
    };
    let passphrase = match sign::new_passphrase_from(passphrase_file, sign::PASSPHRASE_ENV) {
        Ok(passphrase) => passphrase,
        Err(err) => return usage_error(&err.to_string()),
    };
    let now = SystemClock.now();
    let key = match sign::create_key(dir, &name, &passphrase, now) {
        Ok(key) => key,
        Err(err) => return usage_error(&err.to_string()),
    };
    if let (Some(store), Some(actor)) = (&store, &actor) {
        if let Err(err) = store.bind_signing_key(&key.fingerprint, &key.name, now) {
            // An unbound key would be refused for signing: do not leave it behind.
            let _ = std::fs::remove_file(&key.key_path);
            let _ = std::fs::remove_file(&key.cert_path);
            return usage_error(&format!("无法把密钥绑定到账号（未创建）：{err}"));
        }
        println!("已创建签名密钥：{}（账号 {}）", key.subject, actor.account);
    } else {
        println!("已创建签名密钥：{}", key.subject);
    }
    println!("  私钥（已加密）：{}", key.key_path.display());
    println!("  证书：{}", key.cert_path.display());
    println!("  有效期：{} 至 {}", date(key.not_before), date(key.not_after));
    ExitCode::SUCCESS
}

/// `elder-assess audit verify`: the hash chain, the head in `meta`, every record's
/// content and the newest backup's head.
pub(super) fn audit_verify_command(dir: &Path, sign_in: &OptionalSignIn) -> ExitCode {
    use super::store_open::{self, Access};
    use crate::store::StoreError;
    let file = dir.join(crate::store::DB_FILE_NAME);
    if !file.exists() {
        return usage_error(&format!("{}: 数据库文件不存在", file.display()));
    }
    let store = match store_open::open_as(dir, Access::Read, &sign_in.into()) {
        Ok(store) => store,
        // A damaged file is a finding (exit 1), not unusable input.
        Err(failure) if failure.damaged => {
            eprintln!("elder-assess: {}", failure.message);
            return ExitCode::FAILURE;
        }
        Err(failure) => return usage_error(&failure.message),
    };
    let report = match store.verify_audit() {
        Ok(report) => report,
        Err(err @ StoreError::Corrupt { .. }) => {
            eprintln!("elder-assess: 数据库完整性检查未通过：{err}");
            return ExitCode::FAILURE;
        }
        Err(err) => return usage_error(&format!("无法读取审计记录：{err}")),
    };
    let backup = report.backup.as_deref().map(backup_name);
    match report.problem {
        None => {
            println!(
                "审计记录完好：共 {} 条，哈希链完整，每条评估的内容与审计记录一致",
                report.rows
            );
            match backup {
                Some(name) => println!("  与最新备份 {name} 记下的审计记录一致"),
                None => println!("  （没有可读的备份可以比对）"),
            }
            ExitCode::SUCCESS
        }
        Some(problem) => {
            match problem.seq() {
                Some(seq) => {
                    println!("审计记录共 {} 条；第一处问题：第 {seq} 条", report.rows);
                }
                None => println!("审计记录共 {} 条；发现问题", report.rows),
            }
            eprintln!("elder-assess: 审计记录验证未通过：{problem}");
            ExitCode::FAILURE
        }
    }
}

fn backup_name(path: &Path) -> String {
    path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into())
}
