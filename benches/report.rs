//! Report export: `cargo bench --bench report`.
//!
//! Target (issue #4): building and doubly signing the example report takes at most 50 ms
//! (median) in a release build. Key loading (scrypt) is done once, outside the timing: an
//! assessor unlocks the key once per export, not per page.
#![expect(clippy::unwrap_used, reason = "benchmark setup fails loudly")]

use chrono::{TimeZone as _, Utc};
use elder_assess::output::signed_report::{ExportRequest, export_report};
use elder_assess::record::AssessmentRecord;
use elder_assess::report::ReportOptions;
use elder_assess::scale;
use elder_assess::sign::{KdfCost, Signer, create_key_with_cost, load_signer};

fn main() {
    divan::main();
}

fn example() -> AssessmentRecord {
    let text = include_str!("../tests/data/example-assessment.json");
    serde_json::from_str(text).unwrap()
}

fn signers() -> [Signer; 2] {
    let dir = std::env::temp_dir().join(format!("elder-assess-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let now = Utc.with_ymd_and_hms(2026, 11, 20, 4, 0, 0).unwrap();
    let names = ["李明（示例）", "杨芳（示例）"];
    for name in names {
        create_key_with_cost(&dir, name, "bench-passphrase", now, KdfCost::TestOnly).unwrap();
    }
    names.map(|name| load_signer(&dir, name, "bench-passphrase").unwrap())
}

/// Render the official report with the resident page and sign it twice.
#[divan::bench(sample_count = 50)]
fn build_and_sign_twice(bencher: divan::Bencher) {
    let scale = scale::bundled(scale::DEFAULT_SCALE_ID).unwrap().unwrap();
    let record = example();
    let signers = signers();
    let options = ReportOptions::new(Utc.with_ymd_and_hms(2026, 11, 20, 4, 0, 0).unwrap());
    bencher.bench_local(|| {
        let request = ExportRequest {
            record: &record,
            scale: &scale,
            options: &options,
            resident_page: true,
            signers: [Some(&signers[0]), Some(&signers[1])],
            accounts: None,
        };
        let exported = export_report(&request).unwrap();
        assert!(exported.bytes.len() <= 300_000);
        exported.bytes.len()
    });
}

/// Render only (no signatures).
#[divan::bench(sample_count = 50)]
fn build_unsigned(bencher: divan::Bencher) {
    let scale = scale::bundled(scale::DEFAULT_SCALE_ID).unwrap().unwrap();
    let record = example();
    let options = ReportOptions::new(Utc.with_ymd_and_hms(2026, 11, 20, 4, 0, 0).unwrap());
    bencher.bench_local(|| {
        let request = ExportRequest {
            record: &record,
            scale: &scale,
            options: &options,
            resident_page: true,
            signers: [None, None],
            accounts: None,
        };
        export_report(&request).unwrap().bytes.len()
    });
}

/// Verify a doubly signed report (what the county server's entrance check does for every
/// envelope): parse, both signatures' digests and CMS, the revisions between them.
#[divan::bench(sample_count = 50)]
fn verify_doubly_signed(bencher: divan::Bencher) {
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
    bencher.bench_local(|| {
        let anchors = elder_assess::sign::verdict::Anchors { roots: &[], crls: &[] };
        elder_assess::sign::verdict::verify_report(&pdf, anchors).unwrap().signatures.len()
    });
}
