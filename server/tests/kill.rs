//! The server's process killed (SIGKILL) in the middle of an upload over HTTPS, then the
//! upload retried against a restarted process: nothing lost, nothing duplicated.

use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use chrono::{TimeDelta, Utc};
use elder_assess::sync::protocol::{DEVICE_HEADER, ItemOutcome, PushResponse, SIGNATURE_HEADER};
use p256::ecdsa::DerSignature;
use p256::ecdsa::signature::Signer as _;

use crate::pg::Postgres;
use crate::support::{self, Fixture, count, enrol, push_request};

const CA_PASSPHRASE: &str = "county-root-passphrase-for-tests";

struct Instance(Child);

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn serve(url: &str, port: u16, tls: &std::path::Path, trust: &std::path::Path) -> Instance {
    let child = Command::new(env!("CARGO_BIN_EXE_elder-assess-server"))
        .args(["serve", "--database-url", url, "--listen", &format!("127.0.0.1:{port}")])
        .arg("--tls-cert")
        .arg(tls.join("server.crt"))
        .arg("--tls-key")
        .arg(tls.join("server.key"))
        .arg("--trust")
        .arg(trust)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    Instance(child)
}

fn agent(root_pem: &[u8]) -> ureq::Agent {
    use ureq::tls::{Certificate, RootCerts, TlsConfig};
    let root = Certificate::from_pem(root_pem).unwrap();
    let tls = TlsConfig::builder().root_certs(RootCerts::Specific(Arc::new(vec![root]))).build();
    ureq::Agent::config_builder()
        .tls_config(tls)
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_mins(2)))
        .build()
        .new_agent()
}

fn wait_healthy(agent: &ureq::Agent, base: &str) {
    for _ in 0..300 {
        if agent.get(format!("{base}/api/v1/health")).call().is_ok_and(|r| r.status() == 200) {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("the server never became healthy");
}

#[test]
fn the_server_killed_in_the_middle_of_an_upload_loses_and_duplicates_nothing() {
    let Some(pg) = Postgres::start() else { return };
    let fixture = Fixture::new();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (device, bytes) = runtime.block_on(async {
        let server = fixture.server(&pg.url()).await;
        support::accounts(&server).await;
        let device = enrol(&server, "liming").await;
        let envelopes: Vec<_> =
            (0..60).map(|i| fixture.envelope(&device, &format!("PG-{i:04}"), None)).collect();
        let bytes = serde_json::to_vec(&push_request(envelopes, vec![])).unwrap();
        (device, bytes)
    });
    // The county's TLS certificate, from a county authority made by the library.
    let ca = tempfile::tempdir().unwrap();
    let now = Utc::now();
    elder_assess::sign::ca::create_root(
        ca.path(),
        support::COUNTY,
        CA_PASSPHRASE,
        now,
        elder_assess::sign::KdfCost::TestOnly,
    )
    .unwrap();
    let hosts = ["127.0.0.1".to_owned()];
    let issued = elder_assess::sign::ca_server::issue_server(
        ca.path(),
        CA_PASSPHRASE,
        &hosts,
        now - TimeDelta::minutes(5),
        now + TimeDelta::days(30),
        now,
    )
    .unwrap();
    std::fs::write(ca.path().join("server.crt"), &issued.cert_pem).unwrap();
    std::fs::write(ca.path().join("server.key"), issued.key_pem.as_bytes()).unwrap();
    let root_pem = std::fs::read(elder_assess::sign::ca::ca_paths(ca.path()).cert).unwrap();
    let agent = agent(&root_pem);
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let base = format!("https://127.0.0.1:{port}");
    let signature: DerSignature = device.key.sign(&bytes);
    let signature = BASE64.encode(signature.as_bytes());
    let upload_to = |agent: &ureq::Agent| {
        agent
            .post(format!("{base}/api/v1/push"))
            .header(DEVICE_HEADER, device.id.as_str())
            .header(SIGNATURE_HEADER, &signature)
            .header("content-type", "application/json")
            .send(&bytes[..])
    };

    let mut instance = serve(&pg.url(), port, ca.path(), &fixture.trust_dir());
    wait_healthy(&agent, &base);
    let killed = std::thread::scope(|scope| {
        let upload = scope.spawn(|| upload_to(&agent));
        std::thread::sleep(Duration::from_millis(700));
        instance.0.kill().unwrap();
        instance.0.wait().unwrap();
        upload.join().unwrap()
    });
    assert!(killed.is_err(), "the upload was cut by the kill, not answered");
    let stored = runtime.block_on(async {
        let server = fixture.server(&pg.url()).await;
        count(&server, "SELECT * FROM envelopes").await
    });
    assert!(stored == 0 || stored == 60, "a push is one transaction: {stored}");

    // The device retries the same bytes against a restarted server.
    let _again = serve(&pg.url(), port, ca.path(), &fixture.trust_dir());
    wait_healthy(&agent, &base);
    let mut response = upload_to(&agent).unwrap();
    assert_eq!(response.status(), 200);
    let answer: PushResponse = response.body_mut().read_json().unwrap();
    assert!(answer.envelopes.iter().all(|r| matches!(
        r.outcome,
        ItemOutcome::Accepted { .. } | ItemOutcome::Duplicate { .. }
    )));
    runtime.block_on(async {
        let server = fixture.server(&pg.url()).await;
        assert_eq!(count(&server, "SELECT * FROM envelopes").await, 60);
        assert_eq!(count(&server, "SELECT DISTINCT id FROM envelopes").await, 60);
        assert_eq!(count(&server, "SELECT * FROM events").await, 60);
    });
}
