//! Sync orchestration on a device, over the store's API (no SQL here): enrolment,
//! building envelopes for the outbox, push and pull (the USB package's export and import
//! are in `usb.rs`). Used by the CLI (`enrol`, `sync`, `package export|import`) and by the app (on
//! a job: [`sync_data_dir`] with a progress callback).

use std::path::Path;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use chrono::{DateTime, Utc};

use super::client::Client;
use super::device::{DeviceKey, nonce};
use super::envelope::{ENVELOPE_FORMAT, EnvelopeBody, EnvelopeId, OutcomeSummary};
use super::intake::{self, CountyContext, DeviceCounty};
use super::protocol::{
    CountyState, Decision, EnrolRequest, EventKind, ItemOutcome, ItemResult, PullRequest,
    PushRequest, Verdict,
};
use super::{SignedEnvelope, SyncError};
use crate::store::{
    DbKey, DecisionIn, KeptVersion, OutboxKind, PasswordCost, ReplicaIn, Store, StoreError,
    SyncState,
};

/// Envelopes per push request.
const PUSH_BATCH: usize = 20;
/// Events asked for per pull page.
const PULL_LIMIT: u32 = 100;

/// What a sync is doing, for a progress line or bar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyncProgress {
    /// Envelopes built for records ready to go.
    Queued(usize),
    /// Items pushed so far, of all.
    Pushed {
        /// Sent so far.
        done: usize,
        /// In the outbox at the start.
        total: usize,
    },
    /// Events received so far.
    Pulled(usize),
}

/// What a sync did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncSummary {
    /// Envelopes built this time.
    pub queued: usize,
    /// Accepted as new.
    pub uploaded: usize,
    /// The server had them already.
    pub duplicates: usize,
    /// Same id, other content: kept by the server for a reviewer.
    pub conflicts: usize,
    /// Refused: (item id, assessment number, reason).
    pub refused: Vec<(String, Option<String>, String)>,
    /// Decisions received that changed a record here.
    pub decisions: usize,
    /// County envelopes received (reviewer devices).
    pub envelopes: usize,
    /// Received envelopes that failed the device's checks (not kept), and county trust
    /// files that could not be installed, each with the reason.
    pub rejected: Vec<String>,
    /// The server's warning about this device's clock.
    pub clock_warning: Option<String>,
    /// Items still waiting.
    pub outbox_left: usize,
}

/// The county roots installed in `dir`, DER (what the HTTPS client trusts).
pub fn county_roots(dir: &Path) -> Result<Vec<Vec<u8>>, SyncError> {
    use der::Encode as _;
    let trust = crate::sign::trust::TrustStore::load(dir)
        .map_err(|err| SyncError::File { path: dir.to_owned(), reason: err.to_string() })?;
    Ok(trust.roots.iter().filter_map(|root| root.to_der().ok()).collect())
}

/// A client of `url` trusting the roots installed in `dir`; plain HTTP only when the
/// test-only variable [`super::client::ALLOW_HTTP_ENV`] is `1`.
pub fn client_for(dir: &Path, url: &str) -> Result<Client, SyncError> {
    let roots = county_roots(dir)?;
    if std::env::var(super::client::ALLOW_HTTP_ENV).is_ok_and(|value| value == "1") {
        Client::new_allowing_http_for_tests(url, &roots)
    } else {
        Client::new(url, &roots)
    }
}

/// Installs the county's roots and CRLs into the device's trust store (`dir/trust`);
/// returns what could not be installed (e.g. a CRL older than the one installed), each
/// as a message.
fn install_trust(dir: &Path, state: &CountyState, now: DateTime<Utc>) -> Vec<String> {
    state
        .trust
        .roots
        .iter()
        .chain(&state.trust.crls)
        .filter_map(|pem| crate::sign::trust::install(dir, pem.as_bytes(), now).err())
        .map(|err| format!("县级证书未安装：{err}"))
        .collect()
}

/// Enrols the fresh data directory `dir` with the server at `url` (through `client`,
/// e.g. [`client_for`]) as `login`: a new
/// device key, the server's answer recorded in the store (the roster becomes the
/// device's accounts), the county trust installed, and the store encrypted with
/// `login`'s keyring entry. Returns the store, `login` signed in.
pub fn enrol(
    dir: &Path,
    client: &Client,
    url: &str,
    login: &str,
    password: &str,
    now: DateTime<Utc>,
    cost: PasswordCost,
) -> Result<(Store, SyncState), SyncError> {
    if crate::store::has_keyring(dir) {
        // Encrypted: accounts exist already (local ones, or an earlier enrolment).
        return Err(StoreError::LocalAccounts.into());
    }
    let store = Store::open_at(dir, now)?.with_password_cost(cost);
    if store.is_enrolled()? {
        return Err(StoreError::AlreadyEnrolled.into());
    }
    if store.has_accounts()? {
        return Err(StoreError::LocalAccounts.into());
    }
    let key = DeviceKey::generate();
    let request = EnrolRequest {
        login: login.trim().to_owned(),
        password: password.to_owned(),
        device_key: key.public_key()?,
        device_name: std::env::var("HOSTNAME").unwrap_or_else(|_| "elder-assess".to_owned()),
        device_time: now,
    };
    let answer = client.enrol(&request)?;
    if answer.device != key.id()? {
        return Err(SyncError::BadDevice);
    }
    if let Some(problem) = install_trust(dir, &answer.county_state, now).into_iter().next() {
        return Err(SyncError::File { path: dir.join("trust"), reason: problem });
    }
    let state = SyncState {
        server_url: url.trim().trim_end_matches('/').to_owned(),
        device_id: answer.device.to_string(),
        device_code: answer.device_code,
        county: answer.county,
        device_key: key.to_stored()?,
        enrolled_by: login.trim().to_owned(),
        cursor: 0,
        county_state: answer.county_state,
    };
    store.record_enrolment(&state, now)?;
    let store = store.encrypt_at_rest(login, password, now)?;
    Ok((store, state))
}

/// The device's enrolment and key.
pub(super) fn enrolled(store: &Store) -> Result<(SyncState, DeviceKey), SyncError> {
    let state = store.sync_state()?.ok_or(SyncError::NotEnrolled)?;
    let key = DeviceKey::from_stored(&state.device_key)?;
    Ok((state, key))
}

/// Builds an envelope for every submitted record whose signed report is kept and that
/// has none for this submission; each is queued in its own transaction, exact bytes.
/// Returns how many were queued.
pub fn enqueue_ready(store: &Store, now: DateTime<Utc>) -> Result<usize, SyncError> {
    let (state, key) = enrolled(store)?;
    let scale = crate::scale::bundled("gbt42195-2022").ok().flatten().ok_or(StoreError::NoScale)?;
    let mut queued = 0;
    for ready in store.ready_for_outbox()? {
        let answers = ready.record.answers(&scale);
        let Ok(outcome) = crate::assessment::score(&scale, &answers, &ready.record.facts(&scale))
        else {
            continue;
        };
        let body = EnvelopeBody {
            format: ENVELOPE_FORMAT,
            id: EnvelopeId::random(),
            county: state.county.clone(),
            device: key.id()?,
            supersedes: ready.supersedes.as_deref().map(EnvelopeId::parse).transpose()?,
            scale: if state.county_state.scale.is_empty() {
                scale.id().to_owned()
            } else {
                state.county_state.scale.clone()
            },
            policy_version: state.county_state.policy_version.clone(),
            outcome: OutcomeSummary {
                domain_scores: outcome.domain_scores.clone(),
                total: outcome.total,
                preliminary_level: outcome.preliminary_level,
                final_level: outcome.final_level,
            },
            record: ready.record.clone(),
            parties: ready.parties.clone(),
            report_pdf: BASE64.encode(&ready.report_pdf),
            audit: ready.audit.clone(),
            audit_head: store.audit_head()?,
            created_at: now,
        };
        let sealed = SignedEnvelope::seal(&body, key.signing_key())?;
        let text = serde_json::to_string(&sealed).map_err(|_| SyncError::Sign)?;
        let record = Some((ready.id, ready.submitted_at.as_str()));
        if store.enqueue(OutboxKind::Envelope, sealed.id.as_str(), record, &text, now)? {
            queued += 1;
        }
    }
    Ok(queued)
}

/// The pending outbox as envelopes and decisions (exact stored bytes parsed back).
pub(super) fn outbox(store: &Store) -> Result<(Vec<SignedEnvelope>, Vec<Decision>), SyncError> {
    let mut envelopes = Vec::new();
    let mut decisions = Vec::new();
    for item in store.outbox_items()? {
        match item.kind {
            OutboxKind::Envelope => envelopes.push(
                serde_json::from_str(&item.body).map_err(|err| SyncError::format("信封", &err))?,
            ),
            OutboxKind::Decision => decisions.push(
                serde_json::from_str(&item.body)
                    .map_err(|err| SyncError::format("审核决定", &err))?,
            ),
        }
    }
    Ok((envelopes, decisions))
}

/// Enqueues, pushes the outbox in batches (through `client`, e.g. [`client_for`] with the
/// URL saved at enrolment) and pulls until the server has no more. Each
/// answer is applied in one store transaction; a network error leaves everything as it
/// was (the outbox keeps every item).
pub fn sync(
    store: &Store,
    dir: &Path,
    client: &Client,
    now: &dyn Fn() -> DateTime<Utc>,
    progress: &mut dyn FnMut(SyncProgress),
) -> Result<SyncSummary, SyncError> {
    let (_, key) = enrolled(store)?;
    let mut summary =
        SyncSummary { queued: enqueue_ready(store, now())?, ..SyncSummary::default() };
    progress(SyncProgress::Queued(summary.queued));
    let exchange = Exchange { store, client, key: &key, now };
    exchange.push(&mut summary, progress)?;
    exchange.pull(dir, &mut summary, progress)?;
    summary.outbox_left = store.outbox_count()?;
    Ok(summary)
}

/// One sync's parties: the store, the server, the device key and the clock.
struct Exchange<'a> {
    store: &'a Store,
    client: &'a Client,
    key: &'a DeviceKey,
    now: &'a dyn Fn() -> DateTime<Utc>,
}

impl Exchange<'_> {
    fn push(
        &self,
        summary: &mut SyncSummary,
        progress: &mut dyn FnMut(SyncProgress),
    ) -> Result<(), SyncError> {
        let Self { store, client, key, now } = *self;
        let (envelopes, decisions) = outbox(store)?;
        let total = envelopes.len() + decisions.len();
        let mut done = 0;
        let mut batches: Vec<(Vec<SignedEnvelope>, Vec<Decision>)> =
            envelopes.chunks(PUSH_BATCH).map(|chunk| (chunk.to_vec(), Vec::new())).collect();
        if !decisions.is_empty() || batches.is_empty() {
            batches.push((Vec::new(), decisions));
        }
        for (envelopes, decisions) in batches {
            if envelopes.is_empty() && decisions.is_empty() {
                continue;
            }
            let request = PushRequest {
                nonce: nonce(),
                device_time: now(),
                audit_head: store.audit_head()?,
                envelopes,
                decisions,
            };
            let answer = client.push(key, &request)?;
            if answer.clock_warning.is_some() {
                summary.clock_warning.clone_from(&answer.clock_warning);
            }
            let outcomes: Vec<(String, Option<String>)> = answer
                .envelopes
                .iter()
                .chain(&answer.decisions)
                .map(|ItemResult { id, outcome }| {
                    let refused = match outcome {
                        ItemOutcome::Accepted { .. } => {
                            summary.uploaded += 1;
                            None
                        }
                        ItemOutcome::Duplicate { .. } => {
                            summary.duplicates += 1;
                            None
                        }
                        ItemOutcome::Conflict => {
                            summary.conflicts += 1;
                            None
                        }
                        ItemOutcome::Refused { reason } => Some(reason.clone()),
                    };
                    (id.to_string(), refused)
                })
                .collect();
            store.apply_push_outcomes(&outcomes, now())?;
            done += request.envelopes.len() + request.decisions.len();
            progress(SyncProgress::Pushed { done, total });
        }
        let refused: Vec<_> = store.refused_items()?;
        for item in refused {
            if outcomes_named(&item.item_id, summary) {
                continue;
            }
            summary.refused.push((item.item_id, item.number, item.reason));
        }
        Ok(())
    }

    fn pull(
        &self,
        dir: &Path,
        summary: &mut SyncSummary,
        progress: &mut dyn FnMut(SyncProgress),
    ) -> Result<(), SyncError> {
        let Self { store, client, key, now } = *self;
        let mut received = 0;
        loop {
            let state = store.sync_state()?.ok_or(SyncError::NotEnrolled)?;
            let since = state.cursor;
            let request =
                PullRequest { nonce: nonce(), device_time: now(), since, limit: PULL_LIMIT };
            let page = client.pull(key, &request)?;
            if page.clock_warning.is_some() {
                summary.clock_warning.clone_from(&page.clock_warning);
            }
            // The page's roots and CRLs first, so its envelopes are checked against the
            // county's newest trust. Not fatal: what was not installed is reported.
            summary.rejected.extend(install_trust(dir, &page.county_state, now()));
            let county = DeviceCounty::load(dir, &page.county_state)?;
            let ctx = county.context(&state.county, &page.county_state, now());
            let (replicas, decisions) = page_items(&page.events, &ctx, &mut summary.rejected)?;
            summary.envelopes += replicas.len();
            received += page.events.len();
            // The cursor moves past the whole page, a rejected envelope included, so one
            // bad envelope cannot block the queue (it stays on the server for the bureau).
            summary.decisions += store.apply_pull_page(
                &replicas,
                &decisions,
                Some((&page.county_state, page.cursor)),
                now(),
            )?;
            progress(SyncProgress::Pulled(received));
            if !page.more || page.cursor <= since {
                return Ok(());
            }
        }
    }
}

/// Whether `summary` lists the refused item already.
fn outcomes_named(id: &str, summary: &SyncSummary) -> bool {
    summary.refused.iter().any(|(item, _, _)| item == id)
}

/// A page's events as store inputs. Every envelope goes through the full entrance check
/// ([`intake::check_envelope`] with `ctx`: the device's scale, county file, roster and
/// trust), as a USB import does; one that fails it is left out (not kept as a county
/// record) and named in `rejected` by its id and the reason, never by a person's data.
pub fn page_items(
    events: &[super::protocol::Event],
    ctx: &CountyContext<'_>,
    rejected: &mut Vec<String>,
) -> Result<(Vec<ReplicaIn>, Vec<DecisionIn>), SyncError> {
    let mut replicas = Vec::new();
    let mut decisions = Vec::new();
    for event in events {
        match &event.kind {
            EventKind::Decision { decision, number, applied_at } => {
                decisions.push(decision_in(decision, number, *applied_at));
            }
            EventKind::Envelope { envelope, received_at, conflict } => {
                match intake::check_envelope(envelope, ctx) {
                    Ok(body) => replicas.push(replica_in(envelope, body, *received_at, *conflict)?),
                    Err(err) => rejected.push(err.to_string()),
                }
            }
        }
    }
    Ok((replicas, decisions))
}

fn decision_in(decision: &Decision, number: &str, applied_at: DateTime<Utc>) -> DecisionIn {
    DecisionIn {
        decision_id: decision.id.to_string(),
        number: number.to_owned(),
        reviewer: decision.reviewer.clone(),
        returned: match &decision.verdict {
            Verdict::Approve | Verdict::Keep { .. } => None,
            Verdict::Return { reason } => Some(reason.clone()),
        },
        kept: match &decision.verdict {
            Verdict::Keep { hash, reason } => Some(KeptVersion {
                envelope_id: decision.envelope.to_string(),
                hash: hash.clone(),
                reason: reason.clone(),
            }),
            Verdict::Approve | Verdict::Return { .. } => None,
        },
        applied_at,
    }
}

pub(super) fn replica_in(
    envelope: &SignedEnvelope,
    body: EnvelopeBody,
    received_at: DateTime<Utc>,
    conflict: bool,
) -> Result<ReplicaIn, SyncError> {
    Ok(ReplicaIn {
        envelope_id: envelope.id.to_string(),
        hash: envelope.hash.clone(),
        envelope: serde_json::to_string(envelope).map_err(|_| SyncError::Sign)?,
        device: body.device.to_string(),
        record: body.record,
        parties: body.parties,
        received_at,
        conflict,
    })
}

/// [`sync`] for the app's job: opens the store in `dir` (with `key` when encrypted, and
/// `login` signed in), syncs, and reports progress through `progress`.
pub fn sync_data_dir(
    dir: &Path,
    key: Option<DbKey>,
    login: &str,
    now: &dyn Fn() -> DateTime<Utc>,
    progress: &mut dyn FnMut(SyncProgress),
) -> Result<SyncSummary, SyncError> {
    let store = match key {
        Some(key) => Store::open_unlocked(dir, login, key, now(), PasswordCost::Standard)?,
        None => Store::open_at(dir, now())?,
    };
    let url = store.sync_state()?.ok_or(SyncError::NotEnrolled)?.server_url;
    sync(&store, dir, &client_for(dir, &url)?, now, progress)
}
