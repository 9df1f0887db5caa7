//! `push`: a device's envelopes and decisions, in one transaction under the event lock.
//!
//! Envelopes are checked by [`elder_assess::sync::intake::check_envelope`] before the
//! transaction (the expensive part, outside the lock, on the blocking pool: `checking`)
//! and stored as their parts (`stored`). Idempotency: `envelope_keys`'
//! primary key (id, hash) with `ON CONFLICT DO NOTHING`; the same id with another hash is
//! kept and flagged (`conflict`) on every row of that id. A correction that arrives before
//! the envelope it supersedes leaves the original stored as `superseded` (out of order).

use std::sync::Arc;

use chrono::{DateTime, Datelike as _, Utc};
use deadpool_postgres::Transaction;
use elder_assess::review::{Action, Actor, Parties, ReviewStatus, Role, transition};
use elder_assess::sync::SignedEnvelope;
use elder_assess::sync::protocol::{
    Decision, ItemOutcome, ItemResult, PushRequest, PushResponse, Verdict,
};

use crate::checking::{Checked, Roster, check_all};
use crate::service::{DeviceRow, Server, clock_warning, lock_events, micros, next_cursor, roster};
use crate::{ServerError, audit};

/// The most envelopes one push may carry.
pub const MAX_ENVELOPES_PER_PUSH: usize = 500;

impl Server {
    /// Applies a push from the authenticated `device` at the server's time `now`.
    pub async fn push(
        &self,
        device: &DeviceRow,
        request: &PushRequest,
        now: DateTime<Utc>,
    ) -> Result<PushResponse, ServerError> {
        let now = micros(now);
        if request.envelopes.len() > MAX_ENVELOPES_PER_PUSH {
            return Err(ServerError::BadRequest(format!(
                "一次最多上传 {MAX_ENVELOPES_PER_PUSH} 个信封"
            )));
        }
        // The connection is held only for the roster and then for the transaction, not
        // while the envelopes' PDFs are verified: 50 devices pushing at once otherwise
        // wait past the pool's timeout (503) behind requests that are only checking.
        let (accounts, devices) = roster(&self.pool.get().await?).await?;
        let county = &self.county;
        let checked = check_all(
            Arc::clone(county),
            Roster { accounts, devices },
            request.envelopes.clone(),
            now,
        )
        .await?;
        let warning = clock_warning(request.device_time, now);
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        lock_events(&tx).await?;
        let detail = serde_json::json!({
            "device": device.id, "audit_head": request.audit_head,
            "clock_skew_seconds": (request.device_time - now).num_seconds(),
            "envelopes": request.envelopes.len(), "decisions": request.decisions.len(),
        });
        audit::append(&tx, now, &device.enrolled_by, "push", Some(&device.id), detail).await?;
        tx.execute(
            &tx.prepare_cached("UPDATE devices SET audit_head = $2 WHERE id = $1").await?,
            &[&device.id, &request.audit_head],
        )
        .await?;
        let mut envelopes = Vec::with_capacity(checked.len());
        for (signed, checked) in request.envelopes.iter().zip(checked) {
            let outcome = match checked {
                Ok(checked) => accept(&tx, &county.person_key, signed, &checked, now).await?,
                Err(reason) => {
                    let detail =
                        serde_json::json!({ "envelope": signed.id.as_str(), "reason": reason });
                    audit::append(
                        &tx,
                        now,
                        &device.enrolled_by,
                        "refuse",
                        Some(signed.id.as_str()),
                        detail,
                    )
                    .await?;
                    ItemOutcome::Refused { reason }
                }
            };
            envelopes.push(ItemResult { id: signed.id.clone(), outcome });
        }
        let mut decisions = Vec::with_capacity(request.decisions.len());
        for decision in &request.decisions {
            let outcome = decide(&tx, device, decision, now).await?;
            decisions.push(ItemResult { id: decision.id.clone(), outcome });
        }
        tx.commit().await?;
        Ok(PushResponse { envelopes, decisions, server_time: now, clock_warning: warning })
    }
}

/// The indexed "same elder" key: SHA-256 over the county's secret key and the ID number.
pub fn person_hash(key: &[u8], id_number: &str) -> String {
    let mut bytes = key.to_vec();
    bytes.extend_from_slice(b"\0elder-assess-person\0");
    bytes.extend_from_slice(id_number.as_bytes());
    elder_assess::sync::envelope::content_hash(&bytes)
}

async fn accept(
    tx: &Transaction<'_>,
    person_key: &[u8],
    signed: &SignedEnvelope,
    checked: &Checked,
    now: DateTime<Utc>,
) -> Result<ItemOutcome, ServerError> {
    let body = &checked.body;
    let record = &body.record;
    let year = record.info.reference_date.year();
    let id = signed.id.as_str();
    let inserted = tx.query_opt(&tx.prepare_cached("INSERT INTO envelope_keys (id, hash, county, year, received_at) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT DO NOTHING RETURNING received_at").await?,
            &[&id, &signed.hash, &body.county, &year, &now],
        )
        .await?;
    if inserted.is_none() {
        let row = tx
            .query_one(
                &tx.prepare_cached(
                    "SELECT received_at FROM envelope_keys WHERE id = $1 AND hash = $2",
                )
                .await?,
                &[&id, &signed.hash],
            )
            .await?;
        return Ok(ItemOutcome::Duplicate { received_at: row.get(0) });
    }
    let conflict = tx
        .query_opt(
            &tx.prepare_cached("SELECT 1 FROM envelope_keys WHERE id = $1 AND hash <> $2 LIMIT 1")
                .await?,
            &[&id, &signed.hash],
        )
        .await?
        .is_some();
    let superseded_already = tx
        .query_opt(
            &tx.prepare_cached(
                "SELECT 1 FROM envelopes WHERE supersedes = $1 AND NOT conflict LIMIT 1",
            )
            .await?,
            &[&id],
        )
        .await?
        .is_some();
    let (status, counted) =
        if superseded_already { ("superseded", false) } else { ("submitted", !conflict) };
    let township = record.info.township.trim().to_owned();
    let level = i16::from(body.outcome.final_level);
    let sex = record.subject.sex.map(|s| s.label().to_owned());
    let birth_year = record.subject.birth_date.map(|d| d.year());
    let person = record.subject.id_number().map(|n| person_hash(person_key, n.as_str()));
    let names =
        [record.signatures.assessor1.name.clone(), record.signatures.assessor2.name.clone()];
    let parties = serde_json::json!({
        "assessor_accounts": body.parties.assessor_accounts,
        "duty_accounts": body.parties.duty_accounts,
        "assessor_names": names,
    });
    let parts = &checked.parts;
    let supersedes = body.supersedes.as_ref().map(|s| s.as_str().to_owned());
    tx.execute(&tx.prepare_cached("INSERT INTO envelopes (county, year, id, hash, received_at, device, supersedes, number, township,
             final_level, sex, birth_year, reference_date, status, person_hash, conflict, counted, parties,
             body_head, body_tail, report, device_key, signature, stamp_tail)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21,
             $22, $23, $24)").await?,
        &[
            &body.county, &year, &id, &signed.hash, &now, &body.device.as_str(), &supersedes, &record.info.number,
            &township, &level, &sex, &birth_year, &record.info.reference_date, &status, &person, &conflict, &counted,
            &parties, &parts.body_head, &parts.body_tail, &parts.report, &signed.device_key, &signed.signature,
            &checked.stamp_tail,
        ],
    )
    .await?;
    if conflict {
        tx.execute(
            &tx.prepare_cached("UPDATE envelopes SET conflict = true WHERE id = $1").await?,
            &[&id],
        )
        .await?;
    }
    if counted {
        bump(tx, &body.county, year, &township, level, 1, 0).await?;
        if let Some(old) = &supersedes {
            supersede(tx, old).await?;
        }
    }
    let cursor = next_cursor(tx).await?;
    tx.execute(&tx.prepare_cached("INSERT INTO events (cursor, kind, envelope_id, envelope_hash, device, at) VALUES ($1, 'envelope', $2, $3, $4, $5)").await?,
        &[&cursor, &id, &signed.hash, &body.device.as_str(), &now],
    )
    .await?;
    let detail = serde_json::json!({ "envelope": id, "hash": signed.hash, "conflict": conflict, "status": status });
    audit::append(tx, now, body.device.as_str(), "accept", Some(id), detail).await?;
    Ok(if conflict { ItemOutcome::Conflict } else { ItemOutcome::Accepted { received_at: now } })
}

/// Marks the counted envelope `old` superseded by a correction and takes it off the
/// summary table; the old status is read before the UPDATE, so an approved original
/// leaves the approved count too.
async fn supersede(tx: &Transaction<'_>, old: &str) -> Result<(), ServerError> {
    let rows = tx
        .query(
            &tx.prepare_cached(
                "WITH old AS (SELECT county, year, id, hash, status FROM envelopes WHERE id = $1 AND counted)
                 UPDATE envelopes AS e SET status = 'superseded', counted = false FROM old
                 WHERE e.county = old.county AND e.year = old.year AND e.id = old.id AND e.hash = old.hash
                 RETURNING e.county, e.year, e.township, e.final_level, old.status",
            )
            .await?,
            &[&old],
        )
        .await?;
    for r in rows {
        let approved = if r.get::<_, &str>(4) == "approved" { -1 } else { 0 };
        bump(tx, r.get(0), r.get(1), r.get(2), r.get(3), -1, approved).await?;
    }
    Ok(())
}

pub(crate) async fn bump(
    tx: &Transaction<'_>,
    county: &str,
    year: i32,
    township: &str,
    level: i16,
    assessed: i64,
    approved: i64,
) -> Result<(), ServerError> {
    tx.execute(&tx.prepare_cached("INSERT INTO stats (county, year, township, final_level, assessed, approved) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (county, year, township, final_level)
         DO UPDATE SET assessed = stats.assessed + $5, approved = stats.approved + $6").await?,
        &[&county, &year, &township, &level, &assessed, &approved],
    )
    .await?;
    Ok(())
}

pub(crate) fn refused(reason: impl Into<String>) -> ItemOutcome {
    ItemOutcome::Refused { reason: reason.into() }
}

async fn decide(
    tx: &Transaction<'_>,
    device: &DeviceRow,
    decision: &Decision,
    now: DateTime<Utc>,
) -> Result<ItemOutcome, ServerError> {
    let text =
        serde_json::to_string(decision).map_err(|e| ServerError::BadRequest(e.to_string()))?;
    let hash = elder_assess::sync::envelope::content_hash(text.as_bytes());
    let id = decision.id.as_str();
    if let Some(row) = tx
        .query_opt(
            &tx.prepare_cached("SELECT hash, applied_at FROM decisions WHERE id = $1").await?,
            &[&id],
        )
        .await?
    {
        let stored: String = row.get(0);
        return Ok(if stored == hash {
            ItemOutcome::Duplicate { received_at: row.get(1) }
        } else {
            ItemOutcome::Conflict
        });
    }
    if let Verdict::Keep { .. } = &decision.verdict {
        return crate::resolve::resolve(tx, device, (decision, &hash), now).await;
    }
    let envelope = decision.envelope.as_str();
    let Some(row) = tx
        .query_opt(
            &tx.prepare_cached(
                "SELECT county, year, hash, status, conflict, counted, township, final_level, parties, number, device
                 FROM envelopes WHERE id = $1 ORDER BY status = 'set_aside', received_at, hash LIMIT 1",
            )
            .await?,
            &[&envelope],
        )
        .await?
    else {
        return Ok(refused(format!("信封 {envelope} 不在服务器上")));
    };
    if row.get::<_, bool>(4) {
        return Ok(refused(format!("信封 {envelope} 存在内容冲突，须先处理冲突")));
    }
    let status: String = row.get(3);
    let current = match status.as_str() {
        "submitted" => ReviewStatus::Submitted,
        "approved" => ReviewStatus::Approved,
        "returned" => ReviewStatus::Returned,
        _ => return Ok(refused(format!("信封 {envelope} 已被更正或复评取代"))),
    };
    let actor = match reviewer(tx, decision.reviewer.trim()).await? {
        Ok(actor) => actor,
        Err(refusal) => return Ok(refusal),
    };
    let parties: serde_json::Value = row.get(8);
    let parties = parties_of(&parties);
    let action = match &decision.verdict {
        Verdict::Approve => Action::Approve,
        Verdict::Return { reason } => Action::Return { reason: reason.clone() },
        Verdict::Keep { .. } => return Ok(refused("处理冲突的决定无法作为审核决定")),
    };
    let next = match transition(current, action, &actor, &parties) {
        Ok(next) => next,
        Err(err) => {
            let detail = serde_json::json!({ "decision": id, "envelope": envelope, "reason": err.to_string() });
            audit::append(tx, now, &actor.account, "decision-refused", Some(envelope), detail)
                .await?;
            return Ok(refused(err.to_string()));
        }
    };
    let next_code = match next {
        ReviewStatus::Approved => "approved",
        _ => "returned",
    };
    let (county, year, env_hash): (String, i32, String) = (row.get(0), row.get(1), row.get(2));
    tx.execute(
        &tx.prepare_cached(
            "UPDATE envelopes SET status = $4 WHERE county = $1 AND year = $2 AND id = $3 AND hash = $5",
        )
        .await?,
        &[&county, &year, &envelope, &next_code, &env_hash],
    )
    .await?;
    if next == ReviewStatus::Approved && row.get::<_, bool>(5) {
        bump(tx, &county, year, row.get(6), row.get(7), 0, 1).await?;
    }
    let number: String = row.get(9);
    let value =
        serde_json::to_value(decision).map_err(|e| ServerError::BadRequest(e.to_string()))?;
    tx.execute(&tx.prepare_cached("INSERT INTO decisions (id, hash, envelope, reviewer, decision, number, applied_at) VALUES ($1, $2, $3, $4, $5, $6, $7)").await?,
        &[&id, &hash, &envelope, &actor.account, &value, &number, &now],
    )
    .await?;
    let cursor = next_cursor(tx).await?;
    let maker: String = row.get(10);
    tx.execute(&tx.prepare_cached("INSERT INTO events (cursor, kind, envelope_id, envelope_hash, decision_id, device, at) VALUES ($1, 'decision', $2, $3, $4, $5, $6)").await?,
        &[&cursor, &envelope, &env_hash, &id, &maker, &now],
    )
    .await?;
    let detail = serde_json::json!({ "decision": id, "envelope": envelope, "status": next_code, "via": device.id });
    audit::append(tx, now, &actor.account, "decision", Some(envelope), detail).await?;
    Ok(ItemOutcome::Accepted { received_at: now })
}

/// The county account `login` deciding, or why its decision is refused.
async fn reviewer(
    tx: &Transaction<'_>,
    login: &str,
) -> Result<Result<Actor, ItemOutcome>, ServerError> {
    let Some(account) = tx
        .query_opt(
            &tx.prepare_cached("SELECT display_name, role, active FROM accounts WHERE login = $1")
                .await?,
            &[&login],
        )
        .await?
    else {
        return Ok(Err(refused(format!("审核账号 {login} 不是本县的账号"))));
    };
    let role = Role::from_code(account.get(1)).filter(|_| account.get::<_, bool>(2));
    let Some(role) = role else { return Ok(Err(refused("审核账号已停用"))) };
    Ok(Ok(Actor { account: login.to_owned(), display_name: account.get(0), role }))
}

pub(crate) fn parties_of(value: &serde_json::Value) -> Parties {
    let strings = |key: &str| -> Vec<String> {
        value
            .get(key)
            .and_then(|v| v.as_array())
            .map(|a| a.iter().filter_map(|s| s.as_str().map(str::to_owned)).collect())
            .unwrap_or_default()
    };
    let accounts = strings("assessor_accounts");
    let names = strings("assessor_names");
    let at = |v: &[String], i: usize| v.get(i).cloned().unwrap_or_default();
    Parties {
        assessor_names: [at(&names, 0), at(&names, 1)],
        assessor_accounts: [accounts.first().cloned(), accounts.get(1).cloned()],
        duty_accounts: strings("duty_accounts"),
        accounts_exist: true,
    }
}
