//! Issue 15, the device's HTTP side against a small fake county server (plain HTTP on
//! 127.0.0.1, allowed only by the test-only client constructor): enrolment (the roster
//! becomes the device's accounts, the store is encrypted, sign-in works offline, another
//! roster account gets its keyring entry at its first sign-in), and a sync (signed push,
//! accepted and refused items, a pulled decision, the clock warning, a server that is
//! down losing nothing).

use std::collections::HashMap;
use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use elder_assess::store::{PasswordCost, Status, Store, StoreError};
use elder_assess::sync::client::Client;
use elder_assess::sync::device::DeviceKey;
use elder_assess::sync::protocol::{
    Decision, EnrolRequest, EnrolResponse, Event, EventKind, ItemOutcome, ItemResult, PullRequest,
    PullResponse, PushRequest, PushResponse, Verdict,
};
use elder_assess::sync::run;
use elder_assess::sync::{DeviceId, EnvelopeId, SyncError};

use super::common::TempDir;
use super::sync_outbox::{COUNTY, PASSWORD, at, county_state, enrolled, roster_device, submitted};

pub(super) type Handler =
    dyn Fn(&str, &HashMap<String, String>, &[u8]) -> (u16, String) + Send + Sync;

/// A fake server on 127.0.0.1 answering with `handler`; returns its URL.
pub(super) fn serve(handler: Arc<Handler>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            let path = line.split_whitespace().nth(1).unwrap_or_default().to_owned();
            let mut headers = HashMap::new();
            loop {
                let mut header = String::new();
                reader.read_line(&mut header).unwrap();
                let header = header.trim_end();
                if header.is_empty() {
                    break;
                }
                if let Some((name, value)) = header.split_once(':') {
                    headers.insert(name.trim().to_ascii_lowercase(), value.trim().to_owned());
                }
            }
            let length: usize = headers.get("content-length").map_or(0, |v| v.parse().unwrap());
            let mut body = vec![0; length];
            reader.read_exact(&mut body).unwrap();
            let (status, answer) = handler(&path, &headers, &body);
            let reply = format!(
                "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{answer}",
                answer.len()
            );
            let _ = stream.write_all(reply.as_bytes());
        }
    });
    url
}

/// A fake county server answering enrolments of `a1` (with [`PASSWORD`]).
fn enrolling_server() -> String {
    serve(Arc::new(|path: &str, _: &HashMap<String, String>, body: &[u8]| {
        assert_eq!(path, "/api/v1/enrol");
        let request: EnrolRequest = serde_json::from_slice(body).unwrap();
        if request.password != PASSWORD {
            return (401, r#"{"code":"unauthenticated","message":"账号或密码错误"}"#.to_owned());
        }
        let spki = BASE64.decode(&request.device_key).unwrap();
        let device = DeviceId::of_public_key(&spki);
        let mut state = county_state(Vec::new());
        state.devices.push(elder_assess::sync::protocol::RosterDevice {
            id: device.clone(),
            key: request.device_key.clone(),
            code: "D007".to_owned(),
            enrolled_by: request.login.clone(),
            revoked: false,
        });
        let answer = EnrolResponse {
            device,
            device_code: "D007".to_owned(),
            county: COUNTY.to_owned(),
            county_state: state,
            server_time: at(0),
        };
        (200, serde_json::to_string(&answer).unwrap())
    }))
}

/// `elder-assess --data-dir <dir> <args>` with `password` in the environment and plain
/// HTTP allowed (test-only).
fn cli(dir: &std::path::Path, args: &[&str], password: &str) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_elder-assess"))
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .env("ELDER_ASSESS_PASSWORD", password)
        .env(elder_assess::sync::client::ALLOW_HTTP_ENV, "1")
        .output()
        .unwrap()
}

#[test]
fn the_cli_enrols_and_refuses_sync_commands_on_a_device_not_enrolled() {
    let fresh = TempDir::new("sync-cli-fresh");
    let out = fresh.path().join("outbox.json");
    let out_arg = out.to_str().unwrap();
    for args in
        [&["sync"][..], &["package", "export", "--out", out_arg], &["package", "import", out_arg]]
    {
        let output = cli(fresh.path(), args, PASSWORD);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(output.stdout.is_empty());
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("尚未登记") || stderr.contains("无法读"), "{args:?}: {stderr}");
    }
    assert!(!out.exists());

    let dir = TempDir::new("sync-cli-enrol");
    let url = enrolling_server();
    let output = cli(dir.path(), &["enrol", "--server", &url, "--as", "a1"], PASSWORD);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("设备编号 D007") && stdout.contains("-D007-0001"), "{stdout}");
    // Once enrolled, accounts are the county's.
    let again = cli(dir.path(), &["enrol", "--server", &url, "--as", "a1"], PASSWORD);
    assert_eq!(again.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&again.stderr);
    assert!(stderr.contains("不能") && stderr.contains("登记"), "{stderr}");
    // An empty outbox exports as an empty package, written 0600.
    let output = cli(dir.path(), &["package", "export", "--out", out_arg, "--as", "a1"], PASSWORD);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(String::from_utf8_lossy(&output.stdout).contains("0 份评估"));
}

#[test]
fn enrolment_makes_the_roster_the_devices_accounts_and_sign_in_works_offline() {
    let dir = TempDir::new("sync-enrol");
    let url = enrolling_server();
    // Plain HTTP only through the test-only constructor.
    assert!(matches!(Client::new(&url, &[]), Err(SyncError::NotHttps)));
    let client = Client::new_allowing_http_for_tests(&url, &[]).unwrap();
    let error = run::enrol(
        dir.path(),
        &client,
        &url,
        "a1",
        "wrong password",
        at(0),
        PasswordCost::TestOnlyLight,
    )
    .unwrap_err();
    assert!(matches!(error, SyncError::Server { status: 401, .. }), "{error}");
    let (store, state) =
        run::enrol(dir.path(), &client, &url, "a1", PASSWORD, at(0), PasswordCost::TestOnlyLight)
            .unwrap();
    assert!(store.is_encrypted());
    assert_eq!(state.device_code, "D007");
    assert_eq!(store.current_actor().unwrap().account, "a1");
    drop(store);

    // Offline (the server is never asked again): a1 opens the store with its password.
    let open = |login: &str| {
        Store::open_signed_in(dir.path(), login, PASSWORD, at(1), PasswordCost::TestOnlyLight)
    };
    let store = open("a1").unwrap();
    assert_eq!(
        store.next_number(chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()).unwrap(),
        "PG20261201-D007-0001"
    );
    // a2 has no keyring entry yet: it signs in once while the store is unlocked (as
    // co-signer, or here by login), its password checked against the roster's hash.
    drop(store);
    assert!(open("a2").is_err());
    let store = open("a1").unwrap();
    assert!(matches!(store.login("a2", "wrong password", at(2)), Err(StoreError::BadCredentials)));
    store.login("a2", PASSWORD, at(2)).unwrap();
    drop(store);
    assert_eq!(open("a2").unwrap().current_actor().unwrap().account, "a2");
}

/// Checks a signed request's headers against `key`'s public key.
fn signed_by(headers: &HashMap<String, String>, body: &[u8], key: &str) -> bool {
    use p256::ecdsa::signature::Verifier as _;
    use p256::pkcs8::DecodePublicKey as _;
    let spki = BASE64.decode(key).unwrap();
    let verifying = p256::ecdsa::VerifyingKey::from_public_key_der(&spki).unwrap();
    let Some(signature) = headers.get("elder-signature") else { return false };
    let der = BASE64.decode(signature).unwrap();
    let signature = p256::ecdsa::DerSignature::try_from(der.as_slice()).unwrap();
    headers.get("elder-device").map(String::as_str) == Some(DeviceId::of_public_key(&spki).as_str())
        && verifying.verify(body, &signature).is_ok()
}

/// A fake county server for the device with public key `public`: pushes logged in `log`,
/// the first envelope accepted and the others refused; the first pull page approves the
/// first envelope's record.
pub(super) fn fake_county(public: String, log: Arc<Mutex<Vec<PushRequest>>>) -> Arc<Handler> {
    Arc::new(move |path: &str, headers: &HashMap<String, String>, body: &[u8]| {
        if !signed_by(headers, body, &public) {
            return (401, r#"{"code":"unauthenticated","message":"签名无效"}"#.to_owned());
        }
        match path {
            "/api/v1/push" => {
                let request: PushRequest = serde_json::from_slice(body).unwrap();
                let results = request
                    .envelopes
                    .iter()
                    .enumerate()
                    .map(|(n, envelope)| ItemResult {
                        id: envelope.id.clone(),
                        outcome: if n == 0 {
                            ItemOutcome::Accepted { received_at: at(50) }
                        } else {
                            ItemOutcome::Refused {
                                reason: "报告签名证书已吊销".to_owned()
                            }
                        },
                    })
                    .collect();
                log.lock().unwrap().push(request);
                let answer = PushResponse {
                    envelopes: results,
                    decisions: Vec::new(),
                    server_time: at(50),
                    clock_warning: Some("本机时钟与服务器相差超过一天".to_owned()),
                };
                (200, serde_json::to_string(&answer).unwrap())
            }
            "/api/v1/pull" => {
                let request: PullRequest = serde_json::from_slice(body).unwrap();
                let mut events = Vec::new();
                if request.since == 0 {
                    let envelope = log.lock().unwrap()[0].envelopes[0].id.clone();
                    events.push(Event {
                        cursor: 5,
                        kind: EventKind::Decision {
                            decision: Decision {
                                id: EnvelopeId::random(),
                                envelope,
                                reviewer: "r1".to_owned(),
                                verdict: Verdict::Approve,
                                decided_at: at(60),
                            },
                            number: "PG20251201-D007-0001".to_owned(),
                            applied_at: at(61),
                        },
                    });
                }
                let answer = PullResponse {
                    more: request.since == 0,
                    cursor: 5,
                    events,
                    county_state: county_state(vec![roster_device(
                        &DeviceKey::generate(),
                        "D009",
                        "a2",
                    )]),
                    server_time: at(62),
                    clock_warning: None,
                };
                (200, serde_json::to_string(&answer).unwrap())
            }
            _ => (404, r#"{"code":"not-found","message":"无此接口"}"#.to_owned()),
        }
    })
}

#[test]
fn a_sync_pushes_signed_applies_results_and_pulls_decisions() {
    let dir = TempDir::new("sync-http");
    let key = DeviceKey::generate();
    let store = enrolled(dir.path(), &key, "D007", "a1", Vec::new());
    let first = submitted(&store, "PG20251201-D007-0001", at(10));
    let second = submitted(&store, "PG20251201-D007-0002", at(11));
    let public = key.public_key().unwrap();
    let pushed = Arc::new(Mutex::new(Vec::<PushRequest>::new()));
    let log = Arc::clone(&pushed);
    let url = serve(fake_county(public, Arc::clone(&log)));
    let client = Client::new_allowing_http_for_tests(&url, &[]).unwrap();
    let mut steps = Vec::new();
    let summary =
        run::sync(&store, dir.path(), &client, &|| at(100), &mut |step| steps.push(step)).unwrap();
    assert_eq!(
        (summary.queued, summary.uploaded, summary.duplicates, summary.conflicts),
        (2, 1, 0, 0)
    );
    assert_eq!(summary.refused.len(), 1);
    assert_eq!(summary.refused[0].1.as_deref(), Some("PG20251201-D007-0002"));
    assert_eq!(summary.refused[0].2, "报告签名证书已吊销");
    assert_eq!(summary.decisions, 1);
    assert_eq!(summary.outbox_left, 0);
    assert_eq!(summary.clock_warning.as_deref(), Some("本机时钟与服务器相差超过一天"));
    assert!(!steps.is_empty());
    assert_eq!(store.load(first).unwrap().unwrap().status, Status::Approved);
    assert_eq!(store.load(first).unwrap().unwrap().reviewer.as_deref(), Some("审核员丙"));
    assert_eq!(store.load(second).unwrap().unwrap().status, Status::Completed);
    assert_eq!(store.sync_state().unwrap().unwrap().cursor, 5);
    // The request carried the device's audit head.
    assert_eq!(pushed.lock().unwrap().len(), 1);
    assert!(pushed.lock().unwrap()[0].audit_head.contains(':'));
    assert!(store.verify_audit().unwrap().is_intact());

    // The server down: a clear network error, the new item kept in the outbox.
    let down = {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", listener.local_addr().unwrap())
    };
    submitted(&store, "PG20251201-D007-0003", at(200));
    let client = Client::new_allowing_http_for_tests(&down, &[]).unwrap();
    let error = run::sync(&store, dir.path(), &client, &|| at(201), &mut |_| {}).unwrap_err();
    assert!(matches!(error, SyncError::Network { .. }), "{error}");
    assert!(error.to_string().contains("数据仍在本机"), "{error}");
    assert_eq!(store.outbox_count().unwrap(), 1);
}
