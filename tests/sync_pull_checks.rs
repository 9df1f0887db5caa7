//! Issue 15, what a reviewer's device keeps from a pull: every pulled envelope goes
//! through the same entrance check as a USB import (`intake::check_envelope`: the signed
//! report through the device's county trust included), not only its device signature. One
//! that fails is not kept as a county record, is named in the sync summary by its id and
//! reason (no personal data), and the cursor still moves past it.

use std::collections::HashMap;
use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use elder_assess::store::{QueueFilter, Store};
use elder_assess::sync::client::Client;
use elder_assess::sync::device::DeviceKey;
use elder_assess::sync::protocol::{CountyState, Event, EventKind, PullRequest, PullResponse};
use elder_assess::sync::{SignedEnvelope, run};

use super::common::TempDir;
use super::sync_client::serve;
use super::sync_outbox::{at, crl_revoking_a1, enrolled, example, roster_device, submitted};

/// An assessor device's two queued envelopes (records -0001 and -0002) and its key.
fn assessor_envelopes() -> (Vec<SignedEnvelope>, DeviceKey, TempDir) {
    let dir = TempDir::new("pull-check-assessor");
    let key = DeviceKey::generate();
    let store = enrolled(dir.path(), &key, "D007", "a1", Vec::new());
    submitted(&store, "PG20251201-D007-0001", at(10));
    submitted(&store, "PG20251201-D007-0002", at(11));
    assert_eq!(run::enqueue_ready(&store, at(12)).unwrap(), 2);
    let envelopes = store
        .outbox_items()
        .unwrap()
        .iter()
        .map(|item| serde_json::from_str(&item.body).unwrap())
        .collect();
    (envelopes, key, dir)
}

/// A fake county server whose one pull page holds `envelopes` (cursors 1, 2, …, as the
/// server accepted them) with `state`.
fn county_server(envelopes: Vec<SignedEnvelope>, state: CountyState) -> String {
    serve(Arc::new(move |path: &str, _: &HashMap<String, String>, body: &[u8]| {
        assert_eq!(path, "/api/v1/pull", "the reviewer's outbox is empty: nothing to push");
        let request: PullRequest = serde_json::from_slice(body).unwrap();
        let events: Vec<Event> = if request.since == 0 {
            envelopes
                .iter()
                .zip(1..)
                .map(|(envelope, cursor)| Event {
                    cursor,
                    kind: EventKind::Envelope {
                        envelope: envelope.clone(),
                        received_at: at(50),
                        conflict: false,
                    },
                })
                .collect()
        } else {
            Vec::new()
        };
        let answer = PullResponse {
            more: false,
            cursor: i64::try_from(envelopes.len()).unwrap(),
            events,
            county_state: state.clone(),
            server_time: at(62),
            clock_warning: None,
        };
        (200, serde_json::to_string(&answer).unwrap())
    }))
}

/// The reviewer's device (D009, r1) listing the assessor device, and its sync against
/// `url`.
fn reviewer_syncs(
    dir: &TempDir,
    assessor: &DeviceKey,
    page: impl FnOnce(CountyState) -> String,
) -> (Store, run::SyncSummary) {
    let key = DeviceKey::generate();
    let store =
        enrolled(dir.path(), &key, "D009", "r1", vec![roster_device(assessor, "D007", "a1")]);
    let url = page(store.sync_state().unwrap().unwrap().county_state);
    let client = Client::new_allowing_http_for_tests(&url, &[]).unwrap();
    let summary = run::sync(&store, dir.path(), &client, &|| at(100), &mut |_| {}).unwrap();
    (store, summary)
}

/// No line of `rejected` carries the example elder's name or ID number.
fn no_personal_data(rejected: &[String]) {
    let record = example("PG20251201-D007-0001");
    let id_number = serde_json::to_value(&record.subject.id_number).unwrap();
    for line in rejected {
        assert!(!line.contains(&record.subject.name), "{line}");
        assert!(!line.contains(id_number.as_str().unwrap()), "{line}");
    }
}

#[test]
fn a_pulled_envelope_whose_report_was_changed_is_not_kept_and_is_reported() {
    let (mut envelopes, a_key, _a_dir) = assessor_envelopes();
    // The second envelope's report changed after signing, the envelope re-sealed by the
    // enrolled device: its device signature holds, the report does not.
    let mut body = envelopes[1].open().unwrap();
    let mut pdf = BASE64.decode(&body.report_pdf).unwrap();
    let middle = pdf.len() / 3;
    pdf[middle] ^= 0x01;
    body.report_pdf = BASE64.encode(&pdf);
    envelopes[1] = SignedEnvelope::seal(&body, a_key.signing_key()).unwrap();
    let tampered = envelopes[1].id.to_string();
    let dir = TempDir::new("pull-check-tampered");
    let (store, summary) =
        reviewer_syncs(&dir, &a_key, |state| county_server(envelopes.clone(), state));
    assert_eq!(summary.envelopes, 1, "only the sound envelope is kept");
    assert_eq!(summary.rejected.len(), 1, "{:?}", summary.rejected);
    assert!(summary.rejected[0].contains(&tampered), "names the envelope: {:?}", summary.rejected);
    assert!(summary.rejected[0].contains("报告"), "says why: {:?}", summary.rejected);
    no_personal_data(&summary.rejected);
    let queue = store.queue(&QueueFilter::default()).unwrap();
    assert_eq!(queue.len(), 1);
    assert_eq!(queue[0].number, "PG20251201-D007-0001");
    assert!(!store.has_replica_id(&tampered).unwrap(), "not kept as a county record");
    assert_eq!(store.sync_state().unwrap().unwrap().cursor, 2, "the queue is not blocked");
    assert!(store.verify_audit().unwrap().is_intact());
}

#[test]
fn a_pulled_envelope_whose_signer_the_county_crl_revokes_is_not_kept_and_is_reported() {
    let (envelopes, a_key, _a_dir) = assessor_envelopes();
    let ids: Vec<String> = envelopes.iter().map(|e| e.id.to_string()).collect();
    let dir = TempDir::new("pull-check-revoked");
    // The server accepted both; the page brings the county's CRL revoking a1 (who signed
    // both reports) the day before.
    let (store, summary) = reviewer_syncs(&dir, &a_key, |mut state| {
        state.trust.crls.push(crl_revoking_a1("2026-11-30T00:00:00Z"));
        county_server(envelopes.clone(), state)
    });
    assert_eq!(summary.envelopes, 0);
    assert_eq!(summary.rejected.len(), 2, "{:?}", summary.rejected);
    for (line, id) in summary.rejected.iter().zip(&ids) {
        assert!(line.contains(id.as_str()), "{line}");
    }
    no_personal_data(&summary.rejected);
    assert!(store.queue(&QueueFilter::default()).unwrap().is_empty());
    assert_eq!(store.sync_state().unwrap().unwrap().cursor, 2);
}
