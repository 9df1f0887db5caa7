//! Issue 15, correcting a returned record from the command line alone: the reviewer's
//! 退回 reaches the assessor's device on `sync`; `import --correct` replaces the record
//! (已退回 → 草稿 → 已完成, audited field by field, its old signed report dropped, so
//! nothing is sent with the old report); both assessors sign a new report
//! (`report NUMBER --sign --cosign-as`); `review submit`; `package export` carries a new
//! envelope with the corrected record and the new report, which the county's entrance
//! check accepts.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use elder_assess::store::{Status, Store};
use elder_assess::sync::device::DeviceKey;
use elder_assess::sync::package::SignedPackage;
use elder_assess::sync::protocol::{
    Decision, Event, EventKind, ItemOutcome, ItemResult, PullRequest, PullResponse, PushRequest,
    PushResponse, Verdict,
};
use elder_assess::sync::{EnvelopeId, SignedEnvelope};

use super::common::TempDir;
use super::sync_client::serve;
use super::sync_outbox::{
    PASSWORD, at, county_account_keys, county_state, enrolled, example, roster_device, submitted,
};

const NUMBER: &str = "PG20251201-D007-0001";

/// `elder-assess --data-dir <dir> <args>` with both assessors' passwords and key
/// passphrases in the environment and plain HTTP allowed (test-only).
pub(super) fn cli(dir: &Path, args: &[&str]) -> std::process::Output {
    let passphrase = super::attacks::county::PASSPHRASE;
    std::process::Command::new(env!("CARGO_BIN_EXE_elder-assess"))
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .env("ELDER_ASSESS_PASSWORD", PASSWORD)
        .env("ELDER_ASSESS_COSIGN_PASSWORD", PASSWORD)
        .env("ELDER_ASSESS_PASSPHRASE", passphrase)
        .env("ELDER_ASSESS_COSIGN_PASSPHRASE", passphrase)
        .env(elder_assess::sync::client::ALLOW_HTTP_ENV, "1")
        .output()
        .unwrap()
}

/// `cli`, which must succeed; its stdout.
pub(super) fn ok(dir: &Path, args: &[&str]) -> String {
    let output = cli(dir, args);
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "{args:?}: {stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

/// A county server that accepts every envelope and, on the first pull, returns the
/// first one's record with a reason.
fn returning_county(device: &DeviceKey, pushed: Arc<Mutex<Vec<SignedEnvelope>>>) -> String {
    let state = county_state(vec![roster_device(device, "D007", "a1")]);
    serve(Arc::new(move |path: &str, _: &HashMap<String, String>, body: &[u8]| match path {
        "/api/v1/push" => {
            let request: PushRequest = serde_json::from_slice(body).unwrap();
            let envelopes = request
                .envelopes
                .iter()
                .map(|e| ItemResult {
                    id: e.id.clone(),
                    outcome: ItemOutcome::Accepted { received_at: at(50) },
                })
                .collect();
            pushed.lock().unwrap().extend(request.envelopes);
            let answer = PushResponse {
                envelopes,
                decisions: Vec::new(),
                server_time: at(50),
                clock_warning: None,
            };
            (200, serde_json::to_string(&answer).unwrap())
        }
        "/api/v1/pull" => {
            let request: PullRequest = serde_json::from_slice(body).unwrap();
            let events = if request.since == 0 {
                let envelope = pushed.lock().unwrap()[0].id.clone();
                vec![Event {
                    cursor: 1,
                    kind: EventKind::Decision {
                        decision: Decision {
                            id: EnvelopeId::random(),
                            envelope,
                            reviewer: "r1".to_owned(),
                            verdict: Verdict::Return { reason: "B.2 请复核".to_owned() },
                            decided_at: at(60),
                        },
                        number: NUMBER.to_owned(),
                        applied_at: at(61),
                    },
                }]
            } else {
                Vec::new()
            };
            let answer = PullResponse {
                more: false,
                cursor: 1,
                events,
                county_state: state.clone(),
                server_time: at(62),
                clock_warning: None,
            };
            (200, serde_json::to_string(&answer).unwrap())
        }
        _ => (404, r#"{"code":"not-found","message":"无此接口"}"#.to_owned()),
    }))
}

/// The envelopes of the package `file`.
pub(super) fn package_envelopes(file: &Path) -> Vec<SignedEnvelope> {
    let signed = SignedPackage::read(&std::fs::read(file).unwrap()).unwrap();
    signed.open().unwrap().envelopes
}

#[test]
fn a_returned_record_is_corrected_resigned_and_resubmitted_from_the_cli() {
    let dir = TempDir::new("cli-correct");
    let key = DeviceKey::generate();
    let store = enrolled(dir.path(), &key, "D007", "a1", Vec::new());
    let id = submitted(&store, NUMBER, at(10));
    drop(store);
    county_account_keys(dir.path());
    let d = dir.path();

    // The first envelope goes up; the reviewer's return comes back.
    let pushed = Arc::new(Mutex::new(Vec::new()));
    let url = returning_county(&key, Arc::clone(&pushed));
    let out = ok(d, &["sync", "--server", &url, "--as", "a1"]);
    assert!(out.contains("上传 1"), "{out}");
    assert!(out.contains("收到审核结果 1"), "{out}");
    let first = pushed.lock().unwrap()[0].clone();
    let out = ok(d, &["outcome", NUMBER, "--as", "a1"]);
    let shown: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(shown["status"], "returned", "{out}");
    assert_eq!(shown["return_reason"], "B.2 请复核", "the reviewer's reason: {out}");

    // Only a returned record can be corrected: a number that is not here is refused.
    let mut corrected = example(NUMBER);
    corrected.health.other = "复核后补充".to_owned();
    let file = d.join("corrected.jsonl");
    let mut stranger = example("PG20251201-D007-0099");
    stranger.health.other = "x".to_owned();
    let two = format!(
        "{}\n{}\n",
        serde_json::to_string(&corrected).unwrap(),
        serde_json::to_string(&stranger).unwrap()
    );
    std::fs::write(&file, two).unwrap();
    let refused = cli(d, &["import", "--correct", file.to_str().unwrap(), "--as", "a1"]);
    assert_eq!(refused.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("PG20251201-D007-0099"), "{stderr}");
    assert!(!stderr.contains(&corrected.subject.name), "no name: {stderr}");

    // The correction alone.
    std::fs::write(&file, format!("{}\n", serde_json::to_string(&corrected).unwrap())).unwrap();
    let out = ok(d, &["import", "--correct", file.to_str().unwrap(), "--as", "a1"]);
    assert!(out.contains("已更正 1 条退回的评估"), "{out}");
    assert!(out.contains("已完成"), "{out}");
    // Submitted again with the old signed report dropped: nothing goes out yet.
    let out = ok(d, &["review", "submit", NUMBER, "--as", "a1"]);
    assert!(out.contains("本机还没有该评估两名评估员签名的报告"), "{out}");
    let package = d.join("before.json");
    let out = ok(d, &["package", "export", "--out", package.to_str().unwrap(), "--as", "a1"]);
    assert!(out.contains("0 份评估"), "not with the report of the old content: {out}");
    assert!(package_envelopes(&package).is_empty());
    // A submitted record is not corrected again.
    let again = cli(d, &["import", "--correct", file.to_str().unwrap(), "--as", "a1"]);
    assert_eq!(again.status.code(), Some(2), "{}", String::from_utf8_lossy(&again.stderr));

    // Both assessors sign the new report; the next package carries a new envelope.
    let report = d.join("report.pdf");
    let out = ok(
        d,
        &[
            "report",
            NUMBER,
            "--out",
            report.to_str().unwrap(),
            "--as",
            "a1",
            "--sign",
            "--cosign-as",
            "a2",
        ],
    );
    assert!(out.contains("2 个数字签名"), "{out}");
    let package = d.join("after.json");
    let out = ok(d, &["package", "export", "--out", package.to_str().unwrap(), "--as", "a1"]);
    assert!(out.contains("1 份评估"), "{out}");
    let envelopes = package_envelopes(&package);
    assert_eq!(envelopes.len(), 1);
    let body = envelopes[0].open().unwrap();
    assert_ne!(body.id, first.id, "a new envelope");
    assert_eq!(body.record.info.number, NUMBER);
    assert_eq!(body.record.health.other, "复核后补充");
    assert_eq!(BASE64.decode(&body.report_pdf).unwrap(), std::fs::read(&report).unwrap());
    // The county's entrance check accepts it (the new report, the corrected record).
    let store = Store::open_at(d, at(200)).unwrap();
    let state = store.sync_state().unwrap().unwrap();
    let county = elder_assess::sync::intake::DeviceCounty::load(d, &state.county_state).unwrap();
    let ctx = county.context(&state.county, &state.county_state, chrono::Utc::now());
    elder_assess::sync::intake::check_envelope(&envelopes[0], &ctx).unwrap();
    // The edit is audited field by field since the return, and the trail holds.
    let (returned, changes) = store.changes_since_return(id).unwrap().unwrap();
    assert_eq!(returned.reason, "B.2 请复核");
    assert!(changes.iter().any(|c| c.path == "health.other"), "{changes:?}");
    assert_eq!(store.load(id).unwrap().unwrap().status, Status::Submitted);
    assert!(store.verify_audit().unwrap().is_intact());
    // Frozen while in the outbox.
    store.login("a1", PASSWORD, at(201)).unwrap();
    let frozen = store.save(&corrected, Status::Draft, None, at(201)).unwrap_err();
    assert!(matches!(frozen, elder_assess::store::StoreError::SyncPending { .. }), "{frozen:?}");
}
