//! The entrance check every receiver runs before it keeps an envelope: the county server
//! on a push, a USB package import, a reviewer device's replica. [`check_envelope`]
//! opens the envelope (hash, device signature) and checks it against the county's
//! roster, scale, townships and trust; a refusal is a [`SyncError`] naming the envelope
//! and the reason, never a person's data.
//!
//! The scale an envelope names is compared with [`Scale::id`] of the scale in force.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use chrono::{DateTime, Utc};

use super::protocol::{RosterAccount, RosterDevice};
use super::{EnvelopeBody, SignedEnvelope, SyncError};
use crate::assessment::score;
use crate::record::join_issues;
use crate::scale::Scale;
use crate::sign::trust::TrustStore;
use crate::sign::verdict::{Anchors, verify_report};

/// What a receiver knows of its county when it checks an envelope.
#[derive(Debug, Clone, Copy)]
pub struct CountyContext<'a> {
    /// The county's name, as in its county file.
    pub county: &'a str,
    /// The scale in force.
    pub scale: &'a Scale,
    /// The county's townships.
    pub townships: &'a [String],
    /// The enrolled devices.
    pub devices: &'a [RosterDevice],
    /// The county's accounts.
    pub accounts: &'a [RosterAccount],
    /// The county roots and CRLs.
    pub trust: &'a TrustStore,
    /// The receiver's clock (a certificate revoked before it refuses the report).
    pub now: DateTime<Utc>,
}

/// What a device knows of its county for [`check_envelope`]: the scale the county
/// state names (the bundled one), the bundled county file's townships and the trust
/// installed in the data directory.
pub struct DeviceCounty {
    scale: Scale,
    townships: Vec<String>,
    trust: TrustStore,
}

impl DeviceCounty {
    /// Loads it for the device whose data directory is `dir`.
    pub fn load(
        dir: &std::path::Path,
        state: &super::protocol::CountyState,
    ) -> Result<Self, SyncError> {
        let setup = |what: &str| SyncError::DeviceSetup { what: what.to_owned() };
        let id = if state.scale.is_empty() { crate::scale::DEFAULT_SCALE_ID } else { &state.scale };
        let scale = crate::scale::bundled(id)
            .ok()
            .flatten()
            .ok_or_else(|| setup("县级服务器要求的量表本程序没有，请更新程序"))?;
        let policy = crate::policy::bundled(crate::policy::DEFAULT_POLICY_ID)
            .ok()
            .flatten()
            .ok_or_else(|| setup("内置县级政策文件无法读取"))?;
        let trust = TrustStore::load(dir).map_err(|_| setup("本机的县级证书无法读取"))?;
        Ok(Self { scale, townships: policy.county().townships.clone(), trust })
    }

    /// The context for checking envelopes of `county` against `state`'s roster at `now`.
    pub fn context<'a>(
        &'a self,
        county: &'a str,
        state: &'a super::protocol::CountyState,
        now: DateTime<Utc>,
    ) -> CountyContext<'a> {
        CountyContext {
            county,
            scale: &self.scale,
            townships: &self.townships,
            devices: &state.devices,
            accounts: &state.accounts,
            trust: &self.trust,
            now,
        }
    }
}

/// Everything an entrance checks before it keeps an envelope: [`SignedEnvelope::open`],
/// the device enrolled with this key and not withdrawn, the county, the scale version,
/// the record's checks (no invalid value, nothing a report needs missing, a township of
/// the county), the outcome re-scored, the parties (two different active assessor
/// accounts), the report PDF valid through the trust with its two signatures by those
/// accounts and neither certificate revoked by now, and each audit row's hash.
pub fn check_envelope(
    envelope: &SignedEnvelope,
    ctx: &CountyContext<'_>,
) -> Result<EnvelopeBody, SyncError> {
    check_envelope_and_report(envelope, ctx).map(|(body, _)| body)
}

/// [`check_envelope`], also giving the report PDF's bytes it decoded and verified (the
/// county server stores them, without decoding the report a second time).
pub fn check_envelope_and_report(
    envelope: &SignedEnvelope,
    ctx: &CountyContext<'_>,
) -> Result<(EnvelopeBody, Vec<u8>), SyncError> {
    let body = envelope.open()?;
    let id = body.id.to_string();
    check_device(envelope, &body, ctx)?;
    if body.county.trim() != ctx.county.trim() {
        return Err(SyncError::ForeignCounty { id, county: body.county.clone() });
    }
    if body.scale != ctx.scale.id() {
        return Err(SyncError::ScaleVersion {
            id,
            found: body.scale.clone(),
            expected: ctx.scale.id().to_owned(),
        });
    }
    check_record(&body, ctx)?;
    check_parties(&body, ctx)?;
    let pdf = check_report(&body, ctx)?;
    check_audit(&body)?;
    Ok((body, pdf))
}

fn check_device(
    envelope: &SignedEnvelope,
    body: &EnvelopeBody,
    ctx: &CountyContext<'_>,
) -> Result<(), SyncError> {
    let id = body.id.to_string();
    let Some(device) = ctx.devices.iter().find(|d| d.id == body.device) else {
        return Err(SyncError::UnknownDevice { id });
    };
    if device.key != envelope.device_key {
        return Err(SyncError::DeviceKey { id });
    }
    if device.revoked {
        return Err(SyncError::RevokedDevice { id });
    }
    Ok(())
}

fn check_record(body: &EnvelopeBody, ctx: &CountyContext<'_>) -> Result<(), SyncError> {
    let id = || body.id.to_string();
    let record = &body.record;
    let mut issues = record.invalid_values(ctx.scale);
    for issue in record.report_issues(ctx.scale) {
        if !issues.contains(&issue) {
            issues.push(issue);
        }
    }
    issues.extend(record.township_issue(ctx.townships));
    if !issues.is_empty() {
        return Err(SyncError::Record { id: id(), detail: join_issues(&issues) });
    }
    let outcome =
        score(ctx.scale, &record.answers(ctx.scale), &record.facts(ctx.scale)).map_err(|_| {
            SyncError::Record { id: id(), detail: "评分项不完整或无效".to_owned() }
        })?;
    let summary = &body.outcome;
    if outcome.domain_scores != summary.domain_scores
        || outcome.total != summary.total
        || outcome.preliminary_level != summary.preliminary_level
        || outcome.final_level != summary.final_level
    {
        return Err(SyncError::Outcome { id: id() });
    }
    Ok(())
}

fn check_parties(body: &EnvelopeBody, ctx: &CountyContext<'_>) -> Result<(), SyncError> {
    let id = || body.id.to_string();
    let [first, second] = &body.parties.assessor_accounts;
    if first.trim() == second.trim() {
        return Err(SyncError::Parties {
            id: id(), detail: "两名评估员是同一个账号".to_owned()
        });
    }
    for login in [first, second] {
        let account = ctx.accounts.iter().find(|a| a.login == *login);
        match account {
            Some(a) if a.role == crate::review::Role::Assessor.code() && a.active => {}
            Some(_) => {
                return Err(SyncError::Parties {
                    id: id(),
                    detail: format!("账号 {login} 不是在用的评估员账号"),
                });
            }
            None => {
                return Err(SyncError::Parties {
                    id: id(),
                    detail: format!("账号 {login} 不是本县的账号"),
                });
            }
        }
    }
    for login in &body.parties.duty_accounts {
        if !ctx.accounts.iter().any(|a| a.login == *login) {
            return Err(SyncError::Parties {
                id: id(),
                detail: format!("经办账号 {login} 不是本县的账号"),
            });
        }
    }
    Ok(())
}

fn check_report(body: &EnvelopeBody, ctx: &CountyContext<'_>) -> Result<Vec<u8>, SyncError> {
    let report =
        |detail: &str| SyncError::Report { id: body.id.to_string(), detail: detail.to_owned() };
    let pdf = BASE64.decode(&body.report_pdf).map_err(|_| report("不是有效的 base64"))?;
    let anchors = Anchors { roots: &ctx.trust.roots, crls: &ctx.trust.crls };
    let verdict = verify_report(&pdf, anchors).map_err(|_| report("不是可读取的 PDF"))?;
    if !verdict.is_valid() {
        return Err(report(verdict.first_problem()));
    }
    let signers: Vec<Option<&str>> =
        verdict.signatures.iter().map(|s| s.account.as_deref()).collect();
    let expected: Vec<Option<&str>> =
        body.parties.assessor_accounts.iter().map(|a| Some(a.as_str())).collect();
    if signers != expected {
        return Err(report("两个签名不是信封所列的两名评估员账号所签"));
    }
    let revoked = verdict
        .signatures
        .iter()
        .filter_map(|s| s.check.certificate.as_ref())
        .any(|cert| ctx.trust.is_revoked(cert));
    if revoked {
        return Err(report("签名证书在接收前已被吊销"));
    }
    Ok(pdf)
}

fn check_audit(body: &EnvelopeBody) -> Result<(), SyncError> {
    for row in &body.audit {
        let hash = crate::store::audit_row_hash(
            row.seq,
            &row.at,
            &row.actor,
            row.record_id,
            &row.action,
            row.field.as_deref(),
            row.old.as_deref(),
            row.new.as_deref(),
            row.reason.as_deref(),
            &row.prev_hash,
            row.content_hash.as_deref(),
        );
        if hash != row.hash {
            return Err(SyncError::Audit { id: body.id.to_string(), seq: row.seq });
        }
    }
    Ok(())
}
