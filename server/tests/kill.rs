//! The server's process killed (SIGKILL) in the middle of an upload over HTTPS, then the
//! upload retried against a restarted process: nothing lost, nothing duplicated.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use elder_assess::sync::protocol::{DEVICE_HEADER, ItemOutcome, PushResponse, SIGNATURE_HEADER};
use p256::ecdsa::DerSignature;
use p256::ecdsa::signature::Signer as _;

use crate::pg::Postgres;
use crate::support::{self, Fixture, count, enrol, push_request};

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
    let root_pem = support::server_tls(ca.path());
    let agent = support::agent(&root_pem);
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
