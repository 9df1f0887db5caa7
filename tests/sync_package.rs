//! Issue 15, the USB package: an assessor device's outbox exported as one signed file,
//! imported on a reviewer's machine (replica records in its queue, queued for relay,
//! idempotent), and every refusal — a tampered byte, a truncated file, a changed envelope
//! re-sealed by another key, a replay with changes, another county — imports nothing.

use elder_assess::store::{QueueFilter, Status, Store};
use elder_assess::sync::device::DeviceKey;
use elder_assess::sync::intake::DeviceCounty;
use elder_assess::sync::package::{Package, SignedPackage};
use elder_assess::sync::{SignedEnvelope, SyncError};
use elder_assess::sync::{run, usb};

use super::common::TempDir;
use super::sync_outbox::{at, enrolled, roster_device, submitted};

/// An assessor device (D007) with two submitted records, and a reviewer device (D001)
/// whose roster lists it; the assessor's package written to `package.json`.
struct Setup {
    dirs: (TempDir, TempDir),
    assessor: Store,
    assessor_key: DeviceKey,
    reviewer: Store,
    file: std::path::PathBuf,
}

impl Setup {
    fn reviewer_dir(&self) -> &std::path::Path {
        self.dirs.1.path()
    }
}

fn setup() -> Setup {
    let (a_dir, r_dir) = (TempDir::new("pkg-assessor"), TempDir::new("pkg-reviewer"));
    let assessor_key = DeviceKey::generate();
    let reviewer_key = DeviceKey::generate();
    let assessor = enrolled(
        a_dir.path(),
        &assessor_key,
        "D007",
        "a1",
        vec![roster_device(&reviewer_key, "D001", "r1")],
    );
    let reviewer = enrolled(
        r_dir.path(),
        &reviewer_key,
        "D001",
        "r1",
        vec![roster_device(&assessor_key, "D007", "a1")],
    );
    submitted(&assessor, "PG20251201-D007-0001", at(10));
    submitted(&assessor, "PG20251201-D007-0002", at(11));
    let file = a_dir.path().join("package.json");
    assert_eq!(usb::export_package(&assessor, &file, at(20)).unwrap(), (2, 0));
    reviewer.login("r1", super::sync_outbox::PASSWORD, at(21)).unwrap();
    Setup { dirs: (a_dir, r_dir), assessor, assessor_key, reviewer, file }
}

/// What the reviewer machine holds: (replica records in the queue, outbox items).
fn held(store: &Store) -> (usize, usize) {
    (store.queue(&QueueFilter::default()).unwrap().len(), store.outbox_count().unwrap())
}

/// The package file's signed package and its opened body.
fn read(file: &std::path::Path) -> (SignedPackage, Package) {
    let signed = SignedPackage::read(&std::fs::read(file).unwrap()).unwrap();
    let package = signed.open().unwrap();
    (signed, package)
}

#[test]
fn a_package_round_trips_into_the_reviewers_queue_once() {
    let s = setup();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&s.file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // The items stay in the assessor's outbox until a sync confirms them.
    assert_eq!(s.assessor.outbox_count().unwrap(), 2);
    let bytes = std::fs::read(&s.file).unwrap();
    let summary = usb::import_package(&s.reviewer, s.reviewer_dir(), &bytes, at(22)).unwrap();
    assert_eq!((summary.imported, summary.already, summary.relayed), (2, 0, 2));
    assert_eq!(held(&s.reviewer), (2, 2));
    let queue = s.reviewer.queue(&QueueFilter::default()).unwrap();
    assert!(queue.iter().all(|row| row.number.contains("-D007-")));
    // The replica is read-only.
    let id = queue[0].id;
    assert!(s.reviewer.replica_envelope(id).unwrap().is_some());
    let record = s.reviewer.load(id).unwrap().unwrap().record;
    let error = s.reviewer.save(&record, Status::Completed, Some(0), at(23)).unwrap_err();
    assert!(matches!(error, elder_assess::store::StoreError::Replica { .. }), "{error:?}");
    // Imported again: nothing new.
    let summary = usb::import_package(&s.reviewer, s.reviewer_dir(), &bytes, at(24)).unwrap();
    assert_eq!((summary.imported, summary.already, summary.relayed), (0, 2, 0));
    assert_eq!(held(&s.reviewer), (2, 2));
    assert!(s.reviewer.verify_audit().unwrap().is_intact());
}

#[test]
fn a_reviewers_decision_on_a_replica_is_queued_for_the_server() {
    let s = setup();
    usb::import_package(&s.reviewer, s.reviewer_dir(), &std::fs::read(&s.file).unwrap(), at(22))
        .unwrap();
    let id = s.reviewer.queue(&QueueFilter::default()).unwrap()[0].id;
    let r1 = s.reviewer.current_actor().unwrap();
    let status = s
        .reviewer
        .transition(id, elder_assess::review::Action::Approve, &r1, None, at(23))
        .unwrap();
    // Pending until the server's event comes back.
    assert_eq!(status, Status::Submitted);
    let pending = s.reviewer.pending_decision(id).unwrap().unwrap();
    let decision: elder_assess::sync::protocol::Decision = serde_json::from_str(&pending).unwrap();
    assert_eq!(decision.reviewer, "r1");
    assert_eq!(decision.verdict, elder_assess::sync::protocol::Verdict::Approve);
    assert_eq!(s.reviewer.outbox_count().unwrap(), 3);
    // A second decision while one waits is refused.
    let error = s
        .reviewer
        .transition(id, elder_assess::review::Action::Approve, &r1, None, at(24))
        .unwrap_err();
    assert!(matches!(error, elder_assess::store::StoreError::SyncPending { .. }), "{error:?}");
}

/// Imports `bytes` expecting a refusal; nothing may have been imported.
fn refused(s: &Setup, bytes: &[u8]) -> SyncError {
    let error = usb::import_package(&s.reviewer, s.reviewer_dir(), bytes, at(30)).unwrap_err();
    assert_eq!(held(&s.reviewer), (0, 0), "nothing imported from a refused package: {error}");
    error
}

#[test]
fn a_tampered_byte_is_refused() {
    let s = setup();
    let text = std::fs::read_to_string(&s.file).unwrap();
    // One digit of an assessment number changed inside the signed body.
    let tampered = text.replacen("PG20251201-D007-0001", "PG20251201-D007-0009", 1);
    assert!(tampered != text, "the number is in the file");
    let error = refused(&s, tampered.as_bytes());
    assert!(matches!(error, SyncError::PackageDamaged { what: "摘要" }), "{error}");
    assert!(error.to_string().contains("已被改动"), "{error}");
}

#[test]
fn a_truncated_file_is_refused() {
    let s = setup();
    let bytes = std::fs::read(&s.file).unwrap();
    let error = refused(&s, &bytes[..bytes.len() / 2]);
    assert!(matches!(error, SyncError::Format { .. }), "{error}");
    assert!(error.to_string().contains("被截断"), "{error}");
}

#[test]
fn a_changed_envelope_resealed_by_another_key_is_refused_by_name() {
    let s = setup();
    let (_, mut package) = read(&s.file);
    let stranger = DeviceKey::generate();
    let mut body = package.envelopes[0].open().unwrap();
    body.outcome.total = 0;
    body.device = stranger.id().unwrap();
    package.envelopes[0] = SignedEnvelope::seal(&body, stranger.signing_key()).unwrap();
    // The package itself re-sealed with the assessor device's key.
    let bytes = SignedPackage::seal(&package, &s.assessor_key).unwrap().to_bytes().unwrap();
    // The full entrance check (`intake`) refuses the envelope: its device is not enrolled.
    let error = refused(&s, &bytes);
    assert!(matches!(error, SyncError::UnknownDevice { .. }), "{error}");
    assert!(error.to_string().contains(body.id.as_str()), "names the envelope: {error}");
    // Re-sealed whole by the stranger: the package's device is unknown.
    package.device = stranger.id().unwrap();
    let bytes = SignedPackage::seal(&package, &stranger).unwrap().to_bytes().unwrap();
    assert!(matches!(refused(&s, &bytes), SyncError::UnenrolledDevice { .. }));
}

#[test]
fn a_replay_with_changes_is_refused_by_name() {
    let s = setup();
    usb::import_package(&s.reviewer, s.reviewer_dir(), &std::fs::read(&s.file).unwrap(), at(22))
        .unwrap();
    let before = held(&s.reviewer);
    let (_, mut package) = read(&s.file);
    let mut body = package.envelopes[1].open().unwrap();
    body.record.health.other = "改过".to_owned();
    package.envelopes[1] = SignedEnvelope::seal(&body, s.assessor_key.signing_key()).unwrap();
    let bytes = SignedPackage::seal(&package, &s.assessor_key).unwrap().to_bytes().unwrap();
    let error = usb::import_package(&s.reviewer, s.reviewer_dir(), &bytes, at(30)).unwrap_err();
    assert!(matches!(&error, SyncError::Replayed { id } if id == body.id.as_str()), "{error}");
    assert_eq!(held(&s.reviewer), before, "nothing imported");
}

#[test]
fn a_foreign_county_package_is_refused() {
    let s = setup();
    let (_, mut package) = read(&s.file);
    package.county = "沧源佤族自治县".to_owned();
    let bytes = SignedPackage::seal(&package, &s.assessor_key).unwrap().to_bytes().unwrap();
    let error = refused(&s, &bytes);
    assert!(matches!(error, SyncError::PackageForeignCounty { .. }), "{error}");
    assert!(error.to_string().contains("其他县"), "{error}");
}

#[test]
fn two_devices_assessing_one_id_number_are_one_elder_on_the_reviewers_machine() {
    let s = setup();
    // A second assessor device, enrolled too, assesses the same elder.
    let other_dir = TempDir::new("pkg-other");
    let other_key = DeviceKey::generate();
    let other = enrolled(other_dir.path(), &other_key, "D009", "a2", Vec::new());
    submitted(&other, "PG20251202-D009-0001", at(12));
    let other_file = other_dir.path().join("package.json");
    usb::export_package(&other, &other_file, at(20)).unwrap();
    // The reviewer's roster lists both devices.
    let mut state = s.reviewer.sync_state().unwrap().unwrap().county_state;
    state.devices.push(roster_device(&other_key, "D009", "a2"));
    s.reviewer.apply_pull_page(&[], &[], Some((&state, 0)), at(21)).unwrap();
    for file in [&s.file, &other_file] {
        usb::import_package(&s.reviewer, s.reviewer_dir(), &std::fs::read(file).unwrap(), at(22))
            .unwrap();
    }
    let queue = s.reviewer.queue(&QueueFilter::default()).unwrap();
    assert_eq!(queue.len(), 3);
    let id_number = s.reviewer.load(queue[0].id).unwrap().unwrap().record.subject.id_number;
    let history = s.reviewer.history(id_number.as_str()).unwrap();
    let mut numbers: Vec<&str> = history.iter().map(|row| row.number.as_str()).collect();
    numbers.sort_unstable();
    assert_eq!(
        numbers,
        ["PG20251201-D007-0001", "PG20251201-D007-0002", "PG20251202-D009-0001"],
        "both devices' records are the same elder's history"
    );
}

#[test]
fn pulled_envelopes_become_replicas_once_and_a_conflict_is_marked() {
    use elder_assess::sync::protocol::{Event, EventKind};
    let s = setup();
    let items = s.assessor.outbox_items().unwrap();
    let envelope: SignedEnvelope = serde_json::from_str(&items[0].body).unwrap();
    // The same id with other content (a second body the server kept beside the first).
    let mut body = envelope.open().unwrap();
    body.record.health.other = "另一份".to_owned();
    let conflicting = SignedEnvelope::seal(&body, s.assessor_key.signing_key()).unwrap();
    let event = |cursor, envelope: &SignedEnvelope, conflict| Event {
        cursor,
        kind: EventKind::Envelope { envelope: envelope.clone(), received_at: at(40), conflict },
    };
    let events = [event(1, &envelope, false), event(2, &conflicting, true)];
    let state = s.reviewer.sync_state().unwrap().unwrap();
    let mut rejected = Vec::new();
    let county = DeviceCounty::load(s.reviewer_dir(), &state.county_state).unwrap();
    let ctx = county.context(&state.county, &state.county_state, at(41));
    let (replicas, decisions) = run::page_items(&events, &ctx, &mut rejected).unwrap();
    assert!(rejected.is_empty(), "{rejected:?}");
    assert_eq!((replicas.len(), decisions.len()), (2, 0));
    for _ in 0..2 {
        s.reviewer
            .apply_pull_page(&replicas, &decisions, Some((&state.county_state, 2)), at(41))
            .unwrap();
    }
    assert_eq!(held(&s.reviewer), (1, 0), "one replica record; nothing to relay");
    let conflicts = s.reviewer.replica_conflicts().unwrap();
    assert_eq!(conflicts, vec![(envelope.id.to_string(), "PG20251201-D007-0001".to_owned())]);
    // An envelope from a device the roster does not list is not kept.
    let stranger = DeviceKey::generate();
    let mut body = envelope.open().unwrap();
    body.device = stranger.id().unwrap();
    let foreign = SignedEnvelope::seal(&body, stranger.signing_key()).unwrap();
    let (replicas, _) = run::page_items(&[event(3, &foreign, false)], &ctx, &mut rejected).unwrap();
    assert!(replicas.is_empty());
    assert_eq!(rejected.len(), 1);
    assert!(s.reviewer.verify_audit().unwrap().is_intact());
}

/// The enrolled device itself sends an envelope whose signed report was changed after
/// signing (one byte): every signature in the package holds, but the bureau machine
/// checks the report through the county trust and refuses the package, naming the
/// envelope (the device-side checks before the entrance check let it in).
#[test]
fn a_report_changed_after_signing_is_refused_by_name_even_from_an_enrolled_device() {
    use base64::Engine as _;
    let s = setup();
    let (_, mut package) = read(&s.file);
    let mut body = package.envelopes[0].open().unwrap();
    let engine = base64::engine::general_purpose::STANDARD;
    let mut pdf = engine.decode(&body.report_pdf).unwrap();
    let middle = pdf.len() / 3;
    pdf[middle] ^= 0x01;
    body.report_pdf = engine.encode(&pdf);
    package.envelopes[0] = SignedEnvelope::seal(&body, s.assessor_key.signing_key()).unwrap();
    let bytes = SignedPackage::seal(&package, &s.assessor_key).unwrap().to_bytes().unwrap();
    let error = refused(&s, &bytes);
    assert!(matches!(error, SyncError::Report { .. }), "{error}");
    assert!(error.to_string().contains(body.id.as_str()), "names the envelope: {error}");
    assert_eq!(held(&s.reviewer), (0, 0), "nothing imported");
}

/// The reviewer returns a county record; the assessors correct it and resubmit it as a
/// new envelope under the same assessment number. On the reviewer's machine the record
/// comes back into the queue with the corrected content (before, the second envelope
/// was kept aside because the number was known, and the queue never showed it again).
#[test]
fn a_returned_county_record_resubmitted_comes_back_into_the_reviewers_queue() {
    use elder_assess::store::DecisionIn;
    use elder_assess::sync::EnvelopeId;
    use elder_assess::sync::protocol::{Event, EventKind};
    let s = setup();
    let items = s.assessor.outbox_items().unwrap();
    let first: SignedEnvelope = serde_json::from_str(&items[0].body).unwrap();
    let mut body = first.open().unwrap();
    let number = body.record.info.number.clone();
    body.id = EnvelopeId::random();
    body.record.health.other = "复核后补充".to_owned();
    let resubmitted = SignedEnvelope::seal(&body, s.assessor_key.signing_key()).unwrap();
    let state = s.reviewer.sync_state().unwrap().unwrap();
    let county = DeviceCounty::load(s.reviewer_dir(), &state.county_state).unwrap();
    let ctx = county.context(&state.county, &state.county_state, at(41));
    let page = |events: &[Event]| {
        let mut rejected = Vec::new();
        let items = run::page_items(events, &ctx, &mut rejected).unwrap();
        assert!(rejected.is_empty(), "{rejected:?}");
        items
    };
    let event = |cursor, envelope: &SignedEnvelope| Event {
        cursor,
        kind: EventKind::Envelope {
            envelope: envelope.clone(),
            received_at: at(40),
            conflict: false,
        },
    };
    let (replicas, _) = page(&[event(1, &first)]);
    s.reviewer.apply_pull_page(&replicas, &[], Some((&state.county_state, 1)), at(41)).unwrap();
    let returned = DecisionIn {
        decision_id: EnvelopeId::random().to_string(),
        number: number.clone(),
        reviewer: "r1".to_owned(),
        returned: Some("B.2 请复核".to_owned()),
        applied_at: at(42),
        kept: None,
    };
    s.reviewer.apply_pull_page(&[], &[returned], Some((&state.county_state, 2)), at(42)).unwrap();
    let id = s.reviewer.find_by_number(&number).unwrap().unwrap();
    assert_eq!(s.reviewer.load(id).unwrap().unwrap().status, Status::Returned);

    let (replicas, _) = page(&[event(3, &resubmitted)]);
    s.reviewer.apply_pull_page(&replicas, &[], Some((&state.county_state, 3)), at(43)).unwrap();
    let stored = s.reviewer.load(id).unwrap().unwrap();
    assert_eq!(stored.status, Status::Submitted, "back in the queue");
    assert_eq!(stored.record.health.other, "复核后补充", "with the corrected content");
    assert_eq!(s.reviewer.replica_envelope(id).unwrap().as_deref(), Some(body.id.as_str()));
}
