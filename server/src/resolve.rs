//! Resolving a conflict: a reviewer's [`Verdict::Keep`] decision says which of the
//! envelopes stored under one id with different content hashes stands.
//!
//! Called from `push`'s decision step, inside its transaction and under the event lock,
//! after the decision's own idempotency check (a decision is keyed by its id). The
//! resolver must be an active reviewer or admin and none of any version's assessor or duty
//! accounts (separation of duties). The kept version becomes an ordinary counted envelope
//! (`submitted`, or the decision it already had); every other open version is set aside
//! (`set_aside`, terminal, never counted, its row otherwise unchanged and never deleted).
//! The summary table follows, a `Decision` event goes to every reviewer device and to the
//! devices that made the versions, and the server's audit trail records it. A refusal
//! stores nothing but an audit row and says why (never personal data).

use chrono::{DateTime, Utc};
use deadpool_postgres::Transaction;
use elder_assess::review::Role;
use elder_assess::sync::protocol::{Decision, ItemOutcome, Verdict};
use tokio_postgres::Row;

use crate::push::{bump, parties_of, refused};
use crate::service::{DeviceRow, next_cursor};
use crate::{ServerError, audit};

/// One stored version of the envelope.
struct Version {
    county: String,
    year: i32,
    hash: String,
    status: String,
    counted: bool,
    township: String,
    level: i16,
    accounts: Vec<String>,
    number: String,
}

impl Version {
    fn of(row: &Row) -> Self {
        let parties = parties_of(&row.get::<_, serde_json::Value>(6));
        let accounts = parties
            .assessor_accounts
            .iter()
            .flatten()
            .chain(&parties.duty_accounts)
            .map(|a| a.trim().to_owned())
            .collect();
        Self {
            county: row.get(0),
            year: row.get(1),
            hash: row.get(2),
            status: row.get(3),
            counted: row.get(4),
            township: row.get(5),
            level: row.get(7),
            accounts,
            number: row.get(8),
        }
    }
}

/// The parts of a `Keep` decision.
struct Keep<'a> {
    /// The content hash of the version that stands.
    kept: &'a str,
    /// The reviewer's reason.
    reason: &'a str,
    /// The decision's own content hash (its idempotency key with its id).
    hash: &'a str,
}

/// Applies a `Keep` `decision` whose content hash is `hash`, pushed through `device`,
/// at `now` (any other verdict is refused).
pub async fn resolve(
    tx: &Transaction<'_>,
    device: &DeviceRow,
    (decision, hash): (&Decision, &str),
    now: DateTime<Utc>,
) -> Result<ItemOutcome, ServerError> {
    let Verdict::Keep { hash: kept, reason } = &decision.verdict else {
        return Ok(refused("只有以某一版本为准的决定可以处理冲突"));
    };
    let keep = Keep { kept: kept.trim(), reason, hash };
    let envelope = decision.envelope.as_str();
    let reviewer = decision.reviewer.trim();
    let rows = tx
        .query(
            "SELECT county, year, hash, status, counted, township, parties, final_level, number, device, conflict
             FROM envelopes WHERE id = $1 ORDER BY received_at, hash",
            &[&envelope],
        )
        .await?;
    let open: Vec<(Version, bool)> = rows
        .iter()
        .filter(|row| row.get::<_, &str>(3) != "set_aside")
        .map(|row| (Version::of(row), row.get(10)))
        .collect();
    let refusal = if rows.is_empty() {
        Some(format!("信封 {envelope} 不在服务器上"))
    } else if open.len() < 2 || !open.iter().any(|(_, conflict)| *conflict) {
        Some(format!("信封 {envelope} 没有待处理的内容冲突"))
    } else if !open.iter().any(|(v, _)| v.hash == keep.kept.trim()) {
        let prefix: String = keep.kept.trim().chars().take(12).collect();
        Some(format!("版本 {prefix} 不是信封 {envelope} 的内容之一"))
    } else if keep.reason.trim().is_empty() {
        Some("以某一版本为准须写明理由".to_owned())
    } else {
        resolver_refusal(tx, reviewer, &open).await?
    };
    if let Some(reason) = refusal {
        let detail = serde_json::json!({ "decision": decision.id.as_str(), "envelope": envelope, "reason": reason });
        audit::append(tx, now, reviewer, "resolve-refused", Some(envelope), detail).await?;
        return Ok(refused(reason));
    }
    let mut set_aside = Vec::new();
    let mut number = String::new();
    for (version, _) in &open {
        let approved = i64::from(version.status == "approved");
        if version.hash == keep.kept.trim() {
            let (status, counted) = match version.status.as_str() {
                "approved" | "returned" => (version.status.as_str(), true),
                "superseded" => ("superseded", false),
                _ => ("submitted", true),
            };
            update(tx, (envelope, version), status, counted, false).await?;
            if counted && !version.counted {
                bump(
                    tx,
                    &version.county,
                    version.year,
                    &version.township,
                    version.level,
                    1,
                    approved,
                )
                .await?;
            }
            number.clone_from(&version.number);
        } else {
            update(tx, (envelope, version), "set_aside", false, true).await?;
            if version.counted {
                let (county, township) = (&version.county, &version.township);
                bump(tx, county, version.year, township, version.level, -1, -approved).await?;
            }
            set_aside.push(version.hash.clone());
        }
    }
    let value =
        serde_json::to_value(decision).map_err(|e| ServerError::BadRequest(e.to_string()))?;
    let id = decision.id.as_str();
    tx.execute(
        "INSERT INTO decisions (id, hash, envelope, reviewer, decision, number, applied_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        &[&id, &keep.hash, &envelope, &reviewer, &value, &number, &now],
    )
    .await?;
    // One event per device that made a version (a reviewer's device gets them all; the
    // device applies a decision once).
    let mut makers: Vec<&str> = rows.iter().map(|row| row.get::<_, &str>(9)).collect();
    makers.sort_unstable();
    makers.dedup();
    for maker in makers {
        let cursor = next_cursor(tx).await?;
        tx.execute(
            "INSERT INTO events (cursor, kind, envelope_id, envelope_hash, decision_id, device, at) VALUES ($1, 'decision', $2, $3, $4, $5, $6)",
            &[&cursor, &envelope, &keep.kept.trim(), &id, &maker, &now],
        )
        .await?;
    }
    let detail = serde_json::json!({
        "decision": id, "envelope": envelope, "kept": keep.kept.trim(), "set_aside": set_aside, "via": device.id,
    });
    audit::append(tx, now, reviewer, "resolve", Some(envelope), detail).await?;
    Ok(ItemOutcome::Accepted { received_at: now })
}

/// Why `reviewer` may not resolve a conflict between `open`'s versions, if so.
async fn resolver_refusal(
    tx: &Transaction<'_>,
    reviewer: &str,
    open: &[(Version, bool)],
) -> Result<Option<String>, ServerError> {
    let Some(account) =
        tx.query_opt("SELECT role, active FROM accounts WHERE login = $1", &[&reviewer]).await?
    else {
        return Ok(Some(format!("审核账号 {reviewer} 不是本县的账号")));
    };
    let role = Role::from_code(account.get(0)).filter(|_| account.get::<_, bool>(1));
    Ok(match role {
        None => Some("审核账号已停用".to_owned()),
        Some(Role::Assessor) => Some("只有审核员或管理员可以处理内容冲突".to_owned()),
        Some(_) if open.iter().any(|(v, _)| v.accounts.iter().any(|a| a == reviewer)) => {
            Some("处理冲突的账号不能是任一版本的评估员或经办人".to_owned())
        }
        Some(_) => None,
    })
}

/// Sets one version's status and counted flag (and its conflict flag: cleared on the kept
/// one, so it can be decided on).
async fn update(
    tx: &Transaction<'_>,
    (envelope, version): (&str, &Version),
    status: &str,
    counted: bool,
    conflict: bool,
) -> Result<(), ServerError> {
    tx.execute(
        "UPDATE envelopes SET status = $5, counted = $6, conflict = $7
         WHERE county = $1 AND year = $2 AND id = $3 AND hash = $4",
        &[&version.county, &version.year, &envelope, &version.hash, &status, &counted, &conflict],
    )
    .await?;
    Ok(())
}
