//! Who signs a report from the command line: `report … --sign` (the signed-in account's
//! own key for its slot, and `--cosign-as` for the other assessor, present with their own
//! password and passphrase), `report FILE.json --sign KEY` (practice keys by name, only
//! where there are no accounts), and `sign REPORT.pdf --as LOGIN` (the next signature,
//! added later).
//!
//! Each key has its own passphrase source: the `--as` account's (or the first practice
//! key's) is `--passphrase-file`, else `ELDER_ASSESS_PASSPHRASE`; the other's is
//! `--cosign-passphrase-file` (or a second `--passphrase-file`), else
//! `ELDER_ASSESS_COSIGN_PASSPHRASE`; else each is asked on the terminal.

use std::path::{Path, PathBuf};

use crate::sign::{self, Signer};

use super::args::{ReportArgs, SignArgs};
use super::env::Env;
use super::error::CliError;
use super::guarded::StoredReport;
use super::secrets::{
    COSIGN_PASSPHRASE_ENV, PASSPHRASE_ENV, cosign_password_from, passphrase_from,
};
use super::sign_keep::Kept;
use super::store_open::{self, Access, Credentials};

/// The signers of a report and the accounts bound to its slots (`None`: no accounts).
pub struct ReportSigners {
    /// Assessor 1's and assessor 2's keys, if they sign now.
    pub signers: [Option<Signer>; 2],
    /// The accounts bound to the two slots, once the machine has accounts.
    pub accounts: Option<[Option<String>; 2]>,
}

/// Works out who signs `report`'s output and unlocks their keys.
pub fn report_signers(
    env: &Env,
    args: &ReportArgs,
    stored: Option<&StoredReport>,
) -> Result<ReportSigners, CliError> {
    let has_accounts = match stored {
        Some(stored) => stored.store.has_accounts()?,
        None => false,
    };
    let by_account = args.sign.iter().any(String::is_empty);
    let keys: Vec<&String> = args.sign.iter().filter(|k| !k.is_empty()).collect();
    if by_account && !keys.is_empty() {
        return Err(CliError::MixedSign);
    }
    if args.cosign.account.is_some() && !by_account {
        return Err(CliError::CosignWithoutSign);
    }
    let accounts = match stored {
        Some(stored) if has_accounts => Some(stored.store.assessor_accounts_of(stored.id)?),
        _ => None,
    };
    if !keys.is_empty() {
        if has_accounts {
            return Err(CliError::SignByKeyName);
        }
        let signers = load_practice_signers(&env.data_dir()?, &keys, &args.passphrase_file)?;
        return Ok(ReportSigners { signers, accounts });
    }
    if !by_account {
        return Ok(ReportSigners { signers: [None, None], accounts });
    }
    let (Some(stored), Some(bound)) = (stored, &accounts) else {
        return Err(CliError::SignByAccountNeedsAccounts);
    };
    if args.passphrase_file.len() > 1 {
        return Err(CliError::PassphraseFileCount);
    }
    let actor = stored.store.current_actor().ok_or(CliError::SignInNeeded)?;
    let now = env.now();
    let cosigner = match &args.cosign.account {
        Some(login) if login.trim() == actor.account => return Err(CliError::CosignSameAccount),
        Some(login) => {
            if args.cosign.cosign_password_file.is_none() {
                eprintln!("另一位评估员（账号 {}）", login.trim());
            }
            let password = cosign_password_from(args.cosign.cosign_password_file.as_deref())?;
            Some(stored.store.confirm_cosigner(login, &password, now)?)
        }
        None => None,
    };
    let dir = env.data_dir()?;
    let mut signers = [None, None];
    let people = [
        Some((
            actor.account.as_str(),
            args.passphrase_file.first().map(PathBuf::as_path),
            PASSPHRASE_ENV,
        )),
        cosigner.as_ref().map(|c| {
            (
                c.account.as_str(),
                args.cosign.cosign_passphrase_file.as_deref(),
                COSIGN_PASSPHRASE_ENV,
            )
        }),
    ];
    for (login, file, env_var) in people.into_iter().flatten() {
        let slot = bound
            .iter()
            .position(|a| a.as_deref() == Some(login))
            .ok_or_else(|| CliError::NotRecordAssessor { account: login.to_owned() })?;
        signers[slot] = Some(unlock_account(&dir, login, file, env_var)?);
    }
    Ok(ReportSigners { signers, accounts })
}

/// Unlocks account `login`'s key, the passphrase from `file`, else `env_var`, else a
/// prompt naming the account.
fn unlock_account(
    dir: &Path,
    login: &str,
    file: Option<&Path>,
    env_var: &str,
) -> Result<Signer, CliError> {
    if file.is_none() && std::env::var_os(env_var).is_none() {
        eprintln!("账号 {login} 的签名密钥");
    }
    let passphrase = passphrase_from(file, env_var)?;
    sign::load_account_signer(dir, login, &passphrase)
        .map_err(|source| CliError::Key { key: format!("账号 {login}"), source })
}

/// Loads practice keys by name (no accounts), each with its own passphrase source.
fn load_practice_signers(
    dir: &Path,
    keys: &[&String],
    files: &[PathBuf],
) -> Result<[Option<Signer>; 2], CliError> {
    if keys.len() > 2 {
        return Err(CliError::TooManySigners);
    }
    if files.len() > keys.len() {
        return Err(CliError::PassphraseFileCount);
    }
    let mut signers = [None, None];
    for (i, key) in keys.iter().enumerate() {
        let env_var = if i == 0 { PASSPHRASE_ENV } else { COSIGN_PASSPHRASE_ENV };
        let file = files.get(i).map(PathBuf::as_path);
        if file.is_none() && std::env::var_os(env_var).is_none() {
            eprintln!("评估员{}（密钥“{key}”）", i + 1);
        }
        let passphrase = passphrase_from(file, env_var)?;
        signers[i] = Some(
            sign::load_signer(dir, key, &passphrase)
                .map_err(|source| CliError::Key { key: (*key).clone(), source })?,
        );
    }
    Ok(signers)
}

/// `elder-assess sign REPORT.pdf --as LOGIN`: the signed-in account adds its signature
/// to its slot, the report's next unsigned one.
pub fn sign_command(env: &mut Env, args: &SignArgs) -> Result<(), CliError> {
    let dir = env.data_dir()?;
    let now = env.now();
    let file = args.file.as_path();
    let bytes = std::fs::read(file)
        .map_err(|source| CliError::ReadFile { path: file.to_owned(), source })?;
    // The account signs in as itself (on a machine with a store), like any command.
    let store = if dir.join(crate::store::DB_FILE_NAME).is_file() {
        let store =
            store_open::open_as(&dir, Access::Write, &Credentials::from(&args.sign_in), now)?;
        store_open::sign_in_as(&store, &args.sign_in, now)?;
        Some(store)
    } else {
        None
    };
    let login = args.sign_in.account.trim();
    let signer = unlock_account(&dir, login, args.passphrase_file.as_deref(), PASSPHRASE_ENV)?;
    let added = crate::output::sign_next::sign_next(&bytes, &signer, Vec::new(), now)?;
    let out = args.out.as_deref().unwrap_or(file);
    if let Some(store) = &store {
        let detail = format!("{} {}", added.field, out.display());
        store
            .log_event(SIGN_ACTION, None, Some(&detail), None, now)
            .map_err(CliError::RecordReport)?;
    }
    crate::output::atomic::write_atomically(out, &added.bytes)
        .map_err(|source| CliError::WriteFile { path: out.to_owned(), source })?;
    env.out.line(format_args!(
        "{}：已由账号 {login} 签名{}，共 {} 个数字签名",
        out.display(),
        added.field,
        added.signatures
    ))?;
    let complete = sign::slots::slot_state(&added.bytes)
        .is_ok_and(|state| state.slots.iter().all(|slot| state.signed.contains(&slot.field)));
    let Some(store) = store.filter(|_| complete) else { return Ok(()) };
    match super::sign_keep::keep_completed_report(&store, &dir, &added.bytes, now)? {
        Kept::Stored(number) => {
            env.out.line(format_args!("  已保存为评估 {number} 的签名报告（提交审核后随同步上传）"))
        }
        Kept::NotKept(reason) => {
            eprintln!("elder-assess: 注意：报告未保存为本机评估的签名报告：{reason}");
            Ok(())
        }
    }
}

/// The audit action of a signature added to a report later.
const SIGN_ACTION: &str = "report_sign";
