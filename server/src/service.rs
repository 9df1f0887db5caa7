//! The server's requests as functions over the database: enrolment, the signed-request
//! check, and the county state every device copies. Push and pull are in
//! [`crate::push`] and [`crate::pull`]; HTTP in [`crate::http`] only moves bytes to these.
//!
//! Every fact lives in `PostgreSQL`, so instances are stateless. Whatever must follow
//! commit order across instances (the event cursor, the audit chain) is written while the
//! transaction holds `pg_advisory_xact_lock(EVENT_LOCK)`.

use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use chrono::{DateTime, SubsecRound as _, Utc};
use deadpool_postgres::GenericClient;
use deadpool_postgres::Pool;
use elder_assess::sign::ecdsa::PublicKey;
use elder_assess::sync::DeviceId;
use elder_assess::sync::protocol::{
    CLOCK_TOLERANCE_SECONDS, CountyState, EnrolRequest, EnrolResponse, RosterAccount, RosterDevice,
};

use crate::county::CountyConfig;
use crate::{ServerError, audit};

/// The advisory lock under which events get their cursor and the audit chain grows.
pub const EVENT_LOCK: i64 = 15;

/// A running server's shared state: the pool and the county.
#[derive(Clone)]
pub struct Server {
    /// The database.
    pub pool: Pool,
    /// The county.
    pub county: Arc<CountyConfig>,
}

/// An enrolled device, as a signed request finds it.
#[derive(Debug, Clone)]
pub struct DeviceRow {
    /// Its id.
    pub id: String,
    /// The account that enrolled it.
    pub enrolled_by: String,
    /// That account's role code.
    pub role: String,
}

/// A standard-cost hash of a password no account has, made once.
fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| {
        let cost = elder_assess::store::PasswordCost::Standard;
        elder_assess::store::hash_password(cost, "elder-assess-server-dummy").unwrap_or_default()
    })
}

/// `now` at the database's precision (microseconds), so hashes over times re-check.
pub fn micros(now: DateTime<Utc>) -> DateTime<Utc> {
    now.trunc_subsecs(6)
}

/// The Chinese warning for a device clock more than a day off, or `None`.
pub fn clock_warning(device: DateTime<Utc>, server: DateTime<Utc>) -> Option<String> {
    let skew = (device - server).num_seconds();
    (skew.abs() > CLOCK_TOLERANCE_SECONDS).then(|| {
        let hours = skew / 3600;
        format!("本设备时钟与服务器相差约 {hours} 小时（超过一天）：以服务器接收时间为准，请校正设备时间")
    })
}

/// Locks the event cursor and audit chain for the rest of the transaction.
pub async fn lock_events<C: GenericClient>(client: &C) -> Result<(), ServerError> {
    let lock = client.prepare_cached("SELECT pg_advisory_xact_lock($1)").await?;
    client.execute(&lock, &[&EVENT_LOCK]).await?;
    Ok(())
}

/// The next event cursor (the caller holds the event lock).
pub async fn next_cursor<C: GenericClient>(client: &C) -> Result<i64, ServerError> {
    let next = client.prepare_cached("SELECT coalesce(max(cursor), 0) + 1 FROM events").await?;
    let row = client.query_one(&next, &[]).await?;
    Ok(row.get(0))
}

impl Server {
    /// Checks a signed request: `device` enrolled, not revoked, `signature` (base64 DER)
    /// by its key over `body`.
    pub async fn authenticate(
        &self,
        device: &str,
        signature: &str,
        body: &[u8],
    ) -> Result<DeviceRow, ServerError> {
        let unauth = |m: &str| ServerError::Unauthenticated(m.to_owned());
        let client = self.pool.get().await?;
        let row = client
            .query_opt(
                "SELECT d.id, d.key, d.revoked, d.enrolled_by, a.role FROM devices d
                 JOIN accounts a ON a.login = d.enrolled_by WHERE d.id = $1",
                &[&device],
            )
            .await?
            .ok_or_else(|| unauth("设备未登记，请先注册设备"))?;
        if row.get::<_, bool>(2) {
            return Err(unauth("设备已被停用"));
        }
        let key: String = row.get(1);
        let verifying = BASE64
            .decode(key)
            .ok()
            .and_then(|der| PublicKey::from_spki_der(&der))
            .ok_or_else(|| unauth("设备公钥无效"))?;
        let signature = BASE64.decode(signature).map_err(|_| unauth("请求签名无效"))?;
        if !verifying.verifies(body, &signature) {
            return Err(unauth("请求签名无效"));
        }
        Ok(DeviceRow { id: row.get(0), enrolled_by: row.get(3), role: row.get(4) })
    }

    /// Enrols a device with an account's password; re-enrolling the same key returns its
    /// existing code.
    pub async fn enrol(
        &self,
        request: &EnrolRequest,
        now: DateTime<Utc>,
    ) -> Result<EnrolResponse, ServerError> {
        let now = micros(now);
        let refused = || ServerError::Unauthenticated("账号或密码错误，或账号已停用".to_owned());
        let mut client = self.pool.get().await?;
        let account = client
            .query_opt(
                "SELECT password_hash, active FROM accounts WHERE login = $1",
                &[&request.login.trim()],
            )
            .await?;
        let (hash, active) = account.map_or((String::new(), false), |r| (r.get(0), r.get(1)));
        let password = request.password.clone();
        let matches = tokio::task::spawn_blocking(move || {
            // An unknown login is checked against a dummy hash: it takes as long as a wrong
            // password, so the answer's timing does not tell which logins exist.
            let known = !hash.is_empty();
            let against = if known { hash.as_str() } else { dummy_hash() };
            elder_assess::store::verify_password(against, &password) && known
        })
        .await
        .unwrap_or(false);
        if !matches || !active {
            return Err(refused());
        }
        let spki = BASE64
            .decode(&request.device_key)
            .ok()
            .filter(|der| PublicKey::from_spki_der(der).is_some())
            .ok_or_else(|| ServerError::BadRequest("设备公钥无效".to_owned()))?;
        let device = DeviceId::of_public_key(&spki);
        let tx = client.transaction().await?;
        lock_events(&tx).await?;
        let existing = tx
            .query_opt("SELECT code, key FROM devices WHERE id = $1", &[&device.as_str()])
            .await?;
        let code = if let Some(row) = existing {
            row.get::<_, String>(0)
        } else {
            let n: i64 = tx.query_one("SELECT nextval('device_code_seq')", &[]).await?.get(0);
            let code = format!("D{n:03}");
            tx.execute(
                "INSERT INTO devices (id, key, code, name, enrolled_by, enrolled_at) VALUES ($1, $2, $3, $4, $5, $6)",
                &[&device.as_str(), &request.device_key, &code, &request.device_name, &request.login.trim(), &now],
            )
            .await?;
            code
        };
        let skew = (request.device_time - now).num_seconds();
        let detail = serde_json::json!({ "device": device.as_str(), "code": code, "clock_skew_seconds": skew });
        audit::append(&tx, now, request.login.trim(), "enrol", Some(device.as_str()), detail)
            .await?;
        tx.commit().await?;
        Ok(EnrolResponse {
            device,
            device_code: code,
            county: self.county.name.clone(),
            county_state: self.county_state().await?,
            server_time: now,
        })
    }

    /// The roster (accounts sorted by login, devices by id), the trust and the versions.
    pub async fn county_state(&self) -> Result<CountyState, ServerError> {
        let client = self.pool.get().await?;
        let (accounts, devices) = roster(&client).await?;
        Ok(CountyState {
            accounts,
            devices,
            trust: self.county.bundle.clone(),
            scale: self.county.scale_code(),
            policy_version: self.county.policy_version.clone(),
        })
    }
}

/// The accounts and devices, sorted.
pub async fn roster<C: GenericClient>(
    client: &C,
) -> Result<(Vec<RosterAccount>, Vec<RosterDevice>), ServerError> {
    let accounts = client
        .query(
            "SELECT login, display_name, role, password_hash, active FROM accounts ORDER BY login",
            &[],
        )
        .await?
        .iter()
        .map(|r| RosterAccount {
            login: r.get(0),
            display_name: r.get(1),
            role: r.get(2),
            password_hash: r.get(3),
            active: r.get(4),
        })
        .collect();
    let mut devices = Vec::new();
    for r in client
        .query("SELECT id, key, code, enrolled_by, revoked FROM devices ORDER BY id", &[])
        .await?
    {
        let id: String = r.get(0);
        let Ok(id) = DeviceId::parse(&id) else { continue };
        devices.push(RosterDevice {
            id,
            key: r.get(1),
            code: r.get(2),
            enrolled_by: r.get(3),
            revoked: r.get(4),
        });
    }
    Ok((accounts, devices))
}
