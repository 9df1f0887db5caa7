//! The expensive half of a push, off the async runtime and across the cores: each
//! envelope through [`check_envelope_and_report`] (its report PDF verified through the county
//! trust), its report time-stamped (`stamp`) and split into the parts it is stored as
//! (`stored`). All of it runs before the push's transaction, outside the event lock, on
//! tokio's blocking pool, the envelopes of one push shared among as many threads as the
//! machine has cores, so a single device's push is not limited to one core either.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use elder_assess::sync::intake::{CountyContext, check_envelope_and_report};
use elder_assess::sync::protocol::{RosterAccount, RosterDevice};
use elder_assess::sync::{EnvelopeBody, SignedEnvelope};

use crate::ServerError;
use crate::county::CountyConfig;
use crate::stored::{self, Parts};

/// An envelope that passed the entrance check, ready to store.
#[derive(Debug)]
pub struct Checked {
    /// Its body.
    pub body: EnvelopeBody,
    /// How it is stored.
    pub parts: Parts,
    /// The server's time-stamp, as the update it appends to the report.
    pub stamp_tail: Option<Vec<u8>>,
}

/// The roster a push is checked against.
pub struct Roster {
    /// The county's accounts.
    pub accounts: Vec<RosterAccount>,
    /// The enrolled devices.
    pub devices: Vec<RosterDevice>,
}

/// Each of `envelopes` checked at `now`: the stored form, or the reason it is refused.
pub async fn check_all(
    county: Arc<CountyConfig>,
    roster: Roster,
    envelopes: Vec<SignedEnvelope>,
    now: DateTime<Utc>,
) -> Result<Vec<Result<Checked, String>>, ServerError> {
    tokio::task::spawn_blocking(move || in_threads(&county, &roster, &envelopes, now))
        .await
        .map_err(|_| ServerError::Database("信封检查中断".to_owned()))
}

fn in_threads(
    county: &CountyConfig,
    roster: &Roster,
    envelopes: &[SignedEnvelope],
    now: DateTime<Utc>,
) -> Vec<Result<Checked, String>> {
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let chunk = envelopes.len().div_ceil(cores.min(envelopes.len()).max(1)).max(1);
    if envelopes.len() <= 1 {
        return envelopes.iter().map(|e| check_one(county, roster, e, now)).collect();
    }
    std::thread::scope(|scope| {
        let handles: Vec<_> = envelopes
            .chunks(chunk)
            .map(|part| {
                let handle = scope.spawn(move || {
                    part.iter().map(|e| check_one(county, roster, e, now)).collect::<Vec<_>>()
                });
                (handle, part.len())
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|(handle, n)| {
                handle
                    .join()
                    .unwrap_or_else(|_| (0..n).map(|_| Err("信封检查失败".to_owned())).collect())
            })
            .collect()
    })
}

fn check_one(
    county: &CountyConfig,
    roster: &Roster,
    envelope: &SignedEnvelope,
    now: DateTime<Utc>,
) -> Result<Checked, String> {
    let ctx = CountyContext {
        county: &county.name,
        scale: &county.scale,
        townships: &county.townships,
        devices: &roster.devices,
        accounts: &roster.accounts,
        trust: &county.trust,
        now,
    };
    let (body, report) =
        check_envelope_and_report(envelope, &ctx).map_err(|err| err.to_string())?;
    let parts = stored::split(&envelope.body, &body.report_pdf, report);
    let stamp_tail = crate::stamp::stamp_report(county.tsa.as_deref(), &parts.report, now)
        .and_then(|stamped| stored::stamp_tail(&parts.report, &stamped));
    Ok(Checked { body, parts, stamp_tail })
}
