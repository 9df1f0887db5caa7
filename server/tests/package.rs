//! A USB package imported at the county server (`package_import::import_package`): its
//! envelopes go through the push path once, however often the package is imported; a
//! tampered, truncated, foreign-county or replayed-with-changes package is refused with the
//! reason, nothing stored from it.

use chrono::Utc;
use elder_assess::sync::device::DeviceKey;
use elder_assess::sync::package::{PACKAGE_FORMAT, Package, SignedPackage};
use elder_assess::sync::protocol::ItemOutcome;
use elder_assess::sync::{SignedEnvelope, envelope::content_hash};
use elder_assess_server::package_import::import_package;

use crate::pg::Postgres;
use crate::support::{self, Device, Fixture, count, enrol};

fn package_of(device: &Device, county: &str, envelopes: Vec<SignedEnvelope>) -> Vec<u8> {
    let package = Package {
        format: PACKAGE_FORMAT,
        county: county.to_owned(),
        device: device.id.clone(),
        created_at: Utc::now(),
        envelopes,
        decisions: Vec::new(),
        audit_head: "7:abc".to_owned(),
    };
    let key = DeviceKey::from_signing_key(device.key.clone());
    SignedPackage::seal(&package, &key).unwrap().to_bytes().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_package_is_imported_once_and_every_damage_is_refused_with_nothing_stored() {
    let Some(pg) = Postgres::start() else { return };
    let fixture = Fixture::new();
    let server = fixture.server(&pg.url()).await;
    support::accounts(&server).await;
    let device = enrol(&server, "liming").await;
    let envelopes = vec![
        fixture.envelope(&device, "PG-0001", None),
        fixture.envelope(&device, "PG-0002", None),
    ];
    let bytes = package_of(&device, support::COUNTY, envelopes.clone());

    // Damaged copies first: nothing of them is stored.
    let mut tampered = bytes.clone();
    let middle = tampered.len() / 2;
    tampered[middle] ^= 0x01;
    let truncated = &bytes[..bytes.len() - 100];
    let foreign = package_of(&device, "另一个县", envelopes.clone());
    for (what, damaged) in
        [("tampered", &tampered[..]), ("truncated", truncated), ("foreign", &foreign)]
    {
        let err = import_package(&server, damaged, Utc::now()).await.unwrap_err();
        assert!(!err.to_string().is_empty(), "{what}");
        assert_eq!(count(&server, "SELECT * FROM envelopes").await, 0, "{what}: {err}");
    }

    // The package: both accepted; imported again: both already there, nothing twice.
    let first = import_package(&server, &bytes, Utc::now()).await.unwrap();
    assert!(first.envelopes.iter().all(|r| matches!(r.outcome, ItemOutcome::Accepted { .. })));
    let again = import_package(&server, &bytes, Utc::now()).await.unwrap();
    assert!(again.envelopes.iter().all(|r| matches!(r.outcome, ItemOutcome::Duplicate { .. })));
    assert_eq!(count(&server, "SELECT * FROM envelopes").await, 2);
    assert_eq!(count(&server, "SELECT * FROM events").await, 2);

    // A replay with changes: the first envelope's id with other content, re-sealed by the
    // device itself — the whole package is refused, naming the envelope.
    let mut body = envelopes[0].open().unwrap();
    body.record.health.other = "改过".to_owned();
    let changed = SignedEnvelope::seal(&body, &device.key).unwrap();
    assert_ne!(changed.hash, content_hash(envelopes[0].body.as_bytes()));
    let replay = package_of(&device, support::COUNTY, vec![changed, envelopes[1].clone()]);
    let err = import_package(&server, &replay, Utc::now()).await.unwrap_err();
    assert!(err.to_string().contains(body.id.as_str()), "{err}");
    assert_eq!(count(&server, "SELECT * FROM envelopes").await, 2);
}
