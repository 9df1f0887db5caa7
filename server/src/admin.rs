//! The county's accounts and devices, for `elder-assess-server account|device`.

use chrono::{DateTime, Utc};
use deadpool_postgres::Pool;

use crate::{ServerError, audit, service};

/// One account as listed (no password hash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountRow {
    /// Login.
    pub login: String,
    /// Name.
    pub display_name: String,
    /// Role code.
    pub role: String,
    /// Whether it may sign in.
    pub active: bool,
}

/// One device as listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceListRow {
    /// Id.
    pub id: String,
    /// Code (D001…).
    pub code: String,
    /// Name given at enrolment.
    pub name: String,
    /// Who enrolled it.
    pub enrolled_by: String,
    /// Withdrawn.
    pub revoked: bool,
    /// The last audit head it reported.
    pub audit_head: Option<String>,
}

/// Adds an account (password hashed with the library's Argon2id).
pub async fn add_account(
    pool: &Pool,
    login: &str,
    name: &str,
    role: &str,
    password: &str,
    now: DateTime<Utc>,
) -> Result<(), ServerError> {
    if elder_assess::review::Role::from_code(role).is_none() {
        return Err(ServerError::BadRequest("角色须为 admin、assessor 或 reviewer".to_owned()));
    }
    if password.chars().count() < elder_assess::store::MIN_PASSWORD_CHARS {
        return Err(ServerError::BadRequest(format!(
            "密码至少 {} 个字符",
            elder_assess::store::MIN_PASSWORD_CHARS
        )));
    }
    let owned = password.to_owned();
    let hash = tokio::task::spawn_blocking(move || {
        elder_assess::store::hash_password(elder_assess::store::PasswordCost::Standard, &owned)
    })
    .await
    .map_err(|e| ServerError::Database(e.to_string()))?
    .map_err(|e| ServerError::BadRequest(e.to_string()))?;
    add_account_hashed(pool, login, name, role, &hash, now).await
}

/// Adds an account with an already made PHC hash (tests use a light one).
pub async fn add_account_hashed(
    pool: &Pool,
    login: &str,
    name: &str,
    role: &str,
    hash: &str,
    now: DateTime<Utc>,
) -> Result<(), ServerError> {
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    service::lock_events(&tx).await?;
    let inserted = tx
        .execute(
            "INSERT INTO accounts (login, display_name, role, password_hash) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
            &[&login.trim(), &name.trim(), &role, &hash],
        )
        .await?;
    if inserted == 0 {
        return Err(ServerError::BadRequest(format!("账号 {} 已存在", login.trim())));
    }
    audit::append(
        &tx,
        now,
        "admin",
        "account-add",
        Some(login.trim()),
        serde_json::json!({ "role": role }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Every account, by login.
pub async fn accounts(pool: &Pool) -> Result<Vec<AccountRow>, ServerError> {
    let client = pool.get().await?;
    let rows = client
        .query("SELECT login, display_name, role, active FROM accounts ORDER BY login", &[])
        .await?;
    Ok(rows
        .iter()
        .map(|r| AccountRow {
            login: r.get(0),
            display_name: r.get(1),
            role: r.get(2),
            active: r.get(3),
        })
        .collect())
}

/// Every device, by code.
pub async fn devices(pool: &Pool) -> Result<Vec<DeviceListRow>, ServerError> {
    let client = pool.get().await?;
    let rows = client
        .query(
            "SELECT id, code, name, enrolled_by, revoked, audit_head FROM devices ORDER BY code",
            &[],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| DeviceListRow {
            id: r.get(0),
            code: r.get(1),
            name: r.get(2),
            enrolled_by: r.get(3),
            revoked: r.get(4),
            audit_head: r.get(5),
        })
        .collect())
}

/// Withdraws a device (by id or code): its new envelopes and requests are refused.
pub async fn revoke_device(
    pool: &Pool,
    device: &str,
    now: DateTime<Utc>,
) -> Result<(), ServerError> {
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    service::lock_events(&tx).await?;
    let n = tx
        .execute("UPDATE devices SET revoked = true WHERE id = $1 OR code = $1", &[&device.trim()])
        .await?;
    if n == 0 {
        return Err(ServerError::NotFound(format!("没有设备 {}", device.trim())));
    }
    audit::append(&tx, now, "admin", "device-revoke", Some(device.trim()), serde_json::json!({}))
        .await?;
    tx.commit().await?;
    Ok(())
}

/// The report of the newest envelope (not in conflict) of assessment `number`, as stored:
/// time-stamped by the server when it has an authority, else as the device signed it.
pub async fn stored_report(pool: &Pool, number: &str) -> Result<Vec<u8>, ServerError> {
    let client = pool.get().await?;
    let row = client
        .query_opt(
            &format!(
                "SELECT {} FROM envelopes
                 WHERE number = $1 AND NOT conflict ORDER BY received_at DESC, id LIMIT 1",
                crate::stored::REPORT_COLUMNS
            ),
            &[&number.trim()],
        )
        .await?
        .ok_or_else(|| ServerError::NotFound("没有这份评估的报告".to_owned()))?;
    crate::stored::report_from_row(&row)
}
