//! The county server's per-envelope entrance cost, piece by piece: `cargo bench --bench
//! intake`. One envelope carries the example record and its doubly signed report (~125 KB);
//! a push request carries 20 of them. Where the server's ~11 ms of CPU per envelope
//! (`cargo bench -p elder-assess-server --bench sync_load`) goes.
#![expect(clippy::unwrap_used, reason = "benchmark setup fails loudly")]

use base64::Engine as _;
use chrono::{TimeZone as _, Utc};
use elder_assess::output::signed_report::{ExportRequest, export_report};
use elder_assess::record::AssessmentRecord;
use elder_assess::report::ReportOptions;
use elder_assess::scale;
use elder_assess::sign::verdict::{Anchors, verify_report};
use elder_assess::sign::{KdfCost, Signer, create_key_with_cost, load_signer};
use elder_assess::sync::protocol::PushRequest;
use elder_assess::sync::{
    DeviceId, ENVELOPE_FORMAT, EnvelopeBody, EnvelopeId, EnvelopeParties, OutcomeSummary,
    SignedEnvelope,
};
use p256::ecdsa::SigningKey;
use p256::pkcs8::EncodePublicKey as _;

fn main() {
    divan::main();
}

fn example() -> AssessmentRecord {
    serde_json::from_str(include_str!("../tests/data/example-assessment.json")).unwrap()
}

fn signers() -> [Signer; 2] {
    let dir = std::env::temp_dir().join(format!("elder-assess-intake-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let now = Utc.with_ymd_and_hms(2026, 11, 20, 4, 0, 0).unwrap();
    let names = ["李明（示例）", "杨芳（示例）"];
    for name in names {
        create_key_with_cost(&dir, name, "bench-passphrase", now, KdfCost::TestOnly).unwrap();
    }
    names.map(|name| load_signer(&dir, name, "bench-passphrase").unwrap())
}

struct Fixture {
    pdf: Vec<u8>,
    envelope: SignedEnvelope,
    push_body: String,
}

fn fixture() -> Fixture {
    let scale = scale::bundled(scale::DEFAULT_SCALE_ID).unwrap().unwrap();
    let record = example();
    let signers = signers();
    let options = ReportOptions::new(Utc.with_ymd_and_hms(2026, 11, 20, 4, 0, 0).unwrap());
    let request = ExportRequest {
        record: &record,
        scale: &scale,
        options: &options,
        resident_page: true,
        signers: [Some(&signers[0]), Some(&signers[1])],
        accounts: None,
    };
    let pdf = export_report(&request).unwrap().bytes;
    let key = SigningKey::random(&mut rand_core::OsRng);
    let spki = key.verifying_key().to_public_key_der().unwrap();
    let outcome =
        elder_assess::assessment::score(&scale, &record.answers(&scale), &record.facts(&scale))
            .unwrap();
    let body = EnvelopeBody {
        format: ENVELOPE_FORMAT,
        id: EnvelopeId::random(),
        county: "耿马傣族佤族自治县".to_owned(),
        device: DeviceId::of_public_key(spki.as_bytes()),
        supersedes: None,
        scale: scale.id().to_owned(),
        policy_version: "gengma-2023".to_owned(),
        outcome: OutcomeSummary {
            domain_scores: outcome.domain_scores.clone(),
            total: outcome.total,
            preliminary_level: outcome.preliminary_level,
            final_level: outcome.final_level,
        },
        record,
        parties: EnvelopeParties {
            assessor_accounts: ["a1".to_owned(), "a2".to_owned()],
            duty_accounts: vec!["a1".to_owned()],
        },
        report_pdf: base64::engine::general_purpose::STANDARD.encode(&pdf),
        audit: Vec::new(),
        audit_head: "0:0".to_owned(),
        created_at: Utc::now(),
    };
    let envelope = SignedEnvelope::seal(&body, &key).unwrap();
    let push = PushRequest {
        nonce: "n".to_owned(),
        device_time: Utc::now(),
        audit_head: "0:0".to_owned(),
        envelopes: vec![envelope.clone(); 20],
        decisions: Vec::new(),
    };
    Fixture { pdf, envelope, push_body: serde_json::to_string(&push).unwrap() }
}

/// Parse one push request of 20 envelopes (divide by 20 for one envelope).
#[divan::bench(sample_count = 30)]
fn parse_push_of_20(bencher: divan::Bencher) {
    let f = fixture();
    bencher
        .bench_local(|| serde_json::from_str::<PushRequest>(&f.push_body).unwrap().envelopes.len());
}

/// Open one envelope: content hash, device signature, strict parse of the body.
#[divan::bench(sample_count = 50)]
fn open_envelope(bencher: divan::Bencher) {
    let f = fixture();
    bencher.bench_local(|| f.envelope.open().unwrap().audit.len());
}

/// Decode the report and verify it (both signatures, the revisions between them).
#[divan::bench(sample_count = 50)]
fn decode_and_verify_report(bencher: divan::Bencher) {
    let f = fixture();
    let b64 = base64::engine::general_purpose::STANDARD.encode(&f.pdf);
    bencher.bench_local(|| {
        let pdf = base64::engine::general_purpose::STANDARD.decode(&b64).unwrap();
        verify_report(&pdf, Anchors { roots: &[], crls: &[] }).unwrap().signatures.len()
    });
}
