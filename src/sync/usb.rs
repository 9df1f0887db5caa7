//! The USB package on a device, over the store's API: [`export_package`] writes the
//! outbox as one signed file; [`import_package`] checks a package on a bureau or
//! reviewer machine and imports it, all or nothing.

use std::path::Path;

use chrono::{DateTime, Utc};

use super::SyncError;
use super::intake::DeviceCounty;
use super::package::{self, PACKAGE_FORMAT, Package, SignedPackage};
use super::run::{enqueue_ready, enrolled, outbox, replica_in};
use crate::store::{ReplicaIn, Store};

/// Writes the outbox (after queueing ready records) as one signed package to `out`
/// (atomically, 0600). The items stay in the outbox until a sync confirms them.
/// Returns (envelopes, decisions) written.
pub fn export_package(
    store: &Store,
    out: &Path,
    now: DateTime<Utc>,
) -> Result<(usize, usize), SyncError> {
    enqueue_ready(store, now)?;
    let (state, key) = enrolled(store)?;
    let (envelopes, decisions) = outbox(store)?;
    let counts = (envelopes.len(), decisions.len());
    let package = Package {
        format: PACKAGE_FORMAT,
        county: state.county,
        device: key.id()?,
        created_at: now,
        envelopes,
        decisions,
        audit_head: store.audit_head()?,
    };
    let bytes = SignedPackage::seal(&package, &key)?.to_bytes()?;
    crate::output::atomic::write_atomically(out, &bytes)
        .map_err(|err| SyncError::File { path: out.to_owned(), reason: err.kind().to_string() })?;
    Ok(counts)
}

/// What a package import did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportSummary {
    /// Envelopes new to this machine.
    pub imported: usize,
    /// Envelopes it had already (same id and content).
    pub already: usize,
    /// Queued for relay to the server.
    pub relayed: usize,
}

/// Imports a package read from `bytes` on an enrolled bureau or reviewer machine: every
/// check first ([`package::check`], with the device's scale, county file and trust in `dir`; an envelope whose id is known with other content is
/// a replay with changes), then, in one transaction, the envelopes into the replica and
/// the outbox for relay to the server. A refused package imports nothing.
pub fn import_package(
    store: &Store,
    dir: &Path,
    bytes: &[u8],
    now: DateTime<Utc>,
) -> Result<ImportSummary, SyncError> {
    let (state, _) = enrolled(store)?;
    let signed = SignedPackage::read(bytes)?;
    let county = DeviceCounty::load(dir, &state.county_state)?;
    let ctx = county.context(&state.county, &state.county_state, now);
    let (package, bodies) = package::check(&signed, &ctx)?;
    let mut summary = ImportSummary::default();
    let mut replicas = Vec::new();
    for (envelope, body) in package.envelopes.iter().zip(bodies) {
        if store.has_replica(envelope.id.as_str(), &envelope.hash)? {
            summary.already += 1;
            continue;
        }
        if store.has_replica_id(envelope.id.as_str())? {
            return Err(SyncError::Replayed { id: envelope.id.to_string() });
        }
        replicas.push((envelope, replica_in(envelope, body, package.created_at, false)?));
    }
    let envelopes: Vec<(String, String)> = replicas
        .iter()
        .map(|(envelope, _)| item_text(envelope.id.as_str(), envelope))
        .collect::<Result<_, _>>()?;
    let decisions: Vec<(String, String)> = package
        .decisions
        .iter()
        .map(|decision| item_text(decision.id.as_str(), decision))
        .collect::<Result<_, _>>()?;
    let replicas: Vec<ReplicaIn> = replicas.into_iter().map(|(_, replica)| replica).collect();
    summary.relayed = store.import_relayed(&replicas, &envelopes, &decisions, now)?;
    summary.imported = replicas.len();
    Ok(summary)
}

/// An outbox item's id and exact JSON.
fn item_text(id: &str, item: &impl serde::Serialize) -> Result<(String, String), SyncError> {
    let text = serde_json::to_string(item).map_err(|_| SyncError::Sign)?;
    Ok((id.to_owned(), text))
}
