//! What the server tests build: a county root with two assessors' certificates, a signed
//! report (the example assessment, exported by the library's pipeline), a server over a
//! real database, enrolled devices and sealed envelopes.

use std::path::Path;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use chrono::Utc;
use elder_assess::record::AssessmentRecord;
use elder_assess::sign::Signer;
use elder_assess::sync::protocol::{
    Decision, EnrolRequest, PullRequest, PushRequest, PushResponse, Verdict,
};
use elder_assess::sync::{
    DeviceId, ENVELOPE_FORMAT, EnvelopeBody, EnvelopeId, EnvelopeParties, OutcomeSummary,
    SignedEnvelope,
};
use elder_assess_server::Server;
use elder_assess_server::service::DeviceRow;
use p256::ecdsa::signature::Signer as _;
use p256::ecdsa::{DerSignature, SigningKey};
use p256::pkcs8::EncodePublicKey as _;

use crate::county::County;

pub const PASSWORD: &str = "password-for-tests-1";
pub const COUNTY: &str = "耿马傣族佤族自治县";
/// When [`Fixture::revoke_liming`]'s CRL revokes 李明 (after the report was signed).
pub const REVOKED_ON: &str = "2026-11-25T00:00:00Z";

pub use crate::county::at;

/// The county's root, its PEM in a trust directory, and one signed report.
pub struct Fixture {
    pub dir: tempfile::TempDir,
    /// A CRL revoking 李明's certificate on [`REVOKED_ON`], for [`Fixture::revoke_liming`].
    liming_revoked: String,
    pub record: AssessmentRecord,
    pub pdf: Vec<u8>,
    /// A time-stamp authority of this county: (certificate chain, key), PEM.
    pub tsa: (String, String),
}

impl Fixture {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let county = County::new(COUNTY);
        std::fs::create_dir_all(dir.path().join("trust")).unwrap();
        std::fs::write(dir.path().join("trust/root.pem"), county.root_pem()).unwrap();
        let (from, until) = ("2026-06-01T00:00:00Z", "2029-06-01T00:00:00Z");
        let liming = county.assessor(&dir.path().join("liming"), "liming", "李明", from, until);
        let yangfang =
            county.assessor(&dir.path().join("yangfang"), "yangfang", "杨芳", from, until);
        let mut record = example();
        record.signatures.assessor1.name = "李明".to_owned();
        record.signatures.assessor2.name = "杨芳".to_owned();
        let pdf = signed_report(&record, [&liming, &yangfang]);
        let crl = county.crl_revoking(&liming, REVOKED_ON);
        let liming_revoked = elder_assess::sign::crl::crl_to_pem(&crl).unwrap();
        let tsa = county.tsa_pem("耿马县时间戳服务");
        Self { dir, liming_revoked, record, pdf, tsa }
    }

    /// Writes a CRL of the root revoking 李明's certificate on [`REVOKED_ON`] into the
    /// trust directory: envelopes whose report he signed are refused from then on.
    pub fn revoke_liming(&self) {
        std::fs::write(self.trust_dir().join("county.crl.pem"), &self.liming_revoked).unwrap();
    }

    pub fn trust_dir(&self) -> std::path::PathBuf {
        self.dir.path().join("trust")
    }

    /// A server over `url` for this county.
    pub async fn server(&self, url: &str) -> Server {
        self.server_stamping(url, false).await
    }

    /// A server over `url` for this county, time-stamping each report with [`Self::tsa`]
    /// when `stamping`.
    pub async fn server_stamping(&self, url: &str, stamping: bool) -> Server {
        let policy = elder_assess::policy::bundled(elder_assess::policy::DEFAULT_POLICY_ID)
            .unwrap()
            .unwrap();
        let mut county =
            elder_assess_server::county::CountyConfig::load(&policy, &self.trust_dir()).unwrap();
        if stamping {
            let tsa = elder_assess::sign::TimestampAuthority::from_pem(&self.tsa.0, &self.tsa.1);
            county.tsa = Some(std::sync::Arc::new(tsa.unwrap()));
        }
        elder_assess_server::open(url, county).await.unwrap()
    }

    /// An envelope of `record` made on `device` (a copy of the example when `None`).
    pub fn envelope(
        &self,
        device: &Device,
        number: &str,
        supersedes: Option<&EnvelopeId>,
    ) -> SignedEnvelope {
        let mut record = self.record.clone();
        record.info.number = number.to_owned();
        self.envelope_of(device, record, supersedes, |_| {})
    }

    pub fn envelope_of(
        &self,
        device: &Device,
        record: AssessmentRecord,
        supersedes: Option<&EnvelopeId>,
        change: impl FnOnce(&mut EnvelopeBody),
    ) -> SignedEnvelope {
        let scale =
            elder_assess::scale::bundled(elder_assess::scale::DEFAULT_SCALE_ID).unwrap().unwrap();
        let outcome =
            elder_assess::assessment::score(&scale, &record.answers(&scale), &record.facts(&scale))
                .unwrap();
        let mut body = EnvelopeBody {
            format: ENVELOPE_FORMAT,
            id: EnvelopeId::random(),
            county: COUNTY.to_owned(),
            device: device.id.clone(),
            supersedes: supersedes.cloned(),
            scale: scale.id().to_owned(),
            policy_version: "gengma-2023".to_owned(),
            record,
            outcome: OutcomeSummary {
                domain_scores: outcome.domain_scores.clone(),
                total: outcome.total,
                preliminary_level: outcome.preliminary_level,
                final_level: outcome.final_level,
            },
            parties: EnvelopeParties {
                assessor_accounts: ["liming".to_owned(), "yangfang".to_owned()],
                duty_accounts: vec!["liming".to_owned(), "yangfang".to_owned()],
            },
            report_pdf: BASE64.encode(&self.pdf),
            audit: Vec::new(),
            audit_head: "0:0".to_owned(),
            created_at: Utc::now(),
        };
        change(&mut body);
        SignedEnvelope::seal(&body, &device.key).unwrap()
    }
}

fn example() -> AssessmentRecord {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/data/example-assessment.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn signed_report(record: &AssessmentRecord, signers: [&Signer; 2]) -> Vec<u8> {
    use elder_assess::output::signed_report::{ExportRequest, export_report};
    let scale =
        elder_assess::scale::bundled(elder_assess::scale::DEFAULT_SCALE_ID).unwrap().unwrap();
    let options = elder_assess::report::ReportOptions::new(at("2026-11-20T04:00:00Z"));
    let request = ExportRequest {
        record,
        scale: &scale,
        options: &options,
        resident_page: true,
        signers: [Some(signers[0]), Some(signers[1])],
        accounts: Some([Some("liming".to_owned()), Some("yangfang".to_owned())]),
    };
    export_report(&request).unwrap().bytes
}

/// The county's accounts: two assessors, two reviewers (one of them 李明's namesake is not).
pub async fn accounts(server: &Server) {
    let hash = elder_assess::store::hash_password(
        elder_assess::store::PasswordCost::TestOnlyLight,
        PASSWORD,
    )
    .unwrap();
    for (login, name, role) in [
        ("liming", "李明", "assessor"),
        ("yangfang", "杨芳", "assessor"),
        ("wanggang", "王刚", "reviewer"),
        ("zhaoli", "赵丽", "reviewer"),
    ] {
        elder_assess_server::admin::add_account_hashed(
            &server.pool,
            login,
            name,
            role,
            &hash,
            Utc::now(),
        )
        .await
        .unwrap();
    }
}

/// An enrolled device: its key and the row a signed request finds.
pub struct Device {
    pub key: SigningKey,
    pub id: DeviceId,
    pub row: DeviceRow,
}

/// Enrols a new device with `login`'s password.
pub async fn enrol(server: &Server, login: &str) -> Device {
    let key = SigningKey::random(&mut rand_core::OsRng);
    let spki = key.verifying_key().to_public_key_der().unwrap();
    let request = EnrolRequest {
        login: login.to_owned(),
        password: PASSWORD.to_owned(),
        device_key: BASE64.encode(spki.as_bytes()),
        device_name: format!("{login}-laptop"),
        device_time: Utc::now(),
    };
    let response = server.enrol(&request, Utc::now()).await.unwrap();
    let row = authenticate(server, &key, &response.device, b"{}").await.unwrap();
    Device { key, id: response.device, row }
}

/// A signed request's check, over `body`.
pub async fn authenticate(
    server: &Server,
    key: &SigningKey,
    device: &DeviceId,
    body: &[u8],
) -> Result<DeviceRow, elder_assess_server::ServerError> {
    let signature: DerSignature = key.sign(body);
    server.authenticate(device.as_str(), &BASE64.encode(signature.as_bytes()), body).await
}

pub fn push_request(envelopes: Vec<SignedEnvelope>, decisions: Vec<Decision>) -> PushRequest {
    PushRequest {
        nonce: EnvelopeId::random().to_string(),
        device_time: Utc::now(),
        audit_head: "7:abc".to_owned(),
        envelopes,
        decisions,
    }
}

/// Pushes through the signed-request check, as the HTTP handler does.
pub async fn push(server: &Server, device: &Device, request: &PushRequest) -> PushResponse {
    let bytes = serde_json::to_vec(request).unwrap();
    let row = authenticate(server, &device.key, &device.id, &bytes).await.unwrap();
    server.push(&row, request, Utc::now()).await.unwrap()
}

pub fn pull_request(since: i64) -> PullRequest {
    PullRequest {
        nonce: EnvelopeId::random().to_string(),
        device_time: Utc::now(),
        since,
        limit: 100,
    }
}

pub fn decision(envelope: &EnvelopeId, reviewer: &str, verdict: Verdict) -> Decision {
    Decision {
        id: EnvelopeId::random(),
        envelope: envelope.clone(),
        reviewer: reviewer.to_owned(),
        verdict,
        decided_at: Utc::now(),
    }
}

/// `SELECT count(*)` of `sql`'s rows.
pub async fn count(server: &Server, sql: &str) -> i64 {
    let client = server.pool.get().await.unwrap();
    client.query_one(&format!("SELECT count(*) FROM ({sql}) q"), &[]).await.unwrap().get(0)
}

/// Makes a county root in `ca` and issues the server's TLS certificate for 127.0.0.1 into
/// `ca/server.crt` and `ca/server.key`; returns the root's PEM.
pub fn server_tls(ca: &Path) -> Vec<u8> {
    const CA_PASSPHRASE: &str = "county-root-passphrase-for-tests";
    let now = Utc::now();
    elder_assess::sign::ca::create_root(
        ca,
        COUNTY,
        CA_PASSPHRASE,
        now,
        elder_assess::sign::KdfCost::TestOnly,
    )
    .unwrap();
    let hosts = ["127.0.0.1".to_owned()];
    let issued = elder_assess::sign::ca_server::issue_server(
        ca,
        CA_PASSPHRASE,
        &hosts,
        now - chrono::TimeDelta::minutes(5),
        now + chrono::TimeDelta::days(30),
        now,
    )
    .unwrap();
    std::fs::write(ca.join("server.crt"), &issued.cert_pem).unwrap();
    std::fs::write(ca.join("server.key"), issued.key_pem.as_bytes()).unwrap();
    std::fs::read(elder_assess::sign::ca::ca_paths(ca).cert).unwrap()
}

/// An HTTPS client that trusts only `root_pem`.
pub fn agent(root_pem: &[u8]) -> ureq::Agent {
    use ureq::tls::{Certificate, RootCerts, TlsConfig};
    let root = Certificate::from_pem(root_pem).unwrap();
    let tls = TlsConfig::builder()
        .root_certs(RootCerts::Specific(std::sync::Arc::new(vec![root])))
        .build();
    ureq::Agent::config_builder()
        .tls_config(tls)
        .http_status_as_error(false)
        .timeout_global(Some(std::time::Duration::from_mins(10)))
        .build()
        .new_agent()
}
