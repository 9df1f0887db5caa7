//! The HTTPS client of the county server's API (`protocol.rs`), on `ureq` 3 with rustls.
//!
//! The only roots accepted are the county roots installed on the device (no web roots):
//! a server whose certificate the county did not issue is refused before anything is
//! sent. Plain `http://` is refused too, unless the client is made with
//! [`Client::new_allowing_http_for_tests`] (the CLI does so only when the test-only
//! environment variable [`ALLOW_HTTP_ENV`] is `1`), so tests can answer from a fake
//! server on 127.0.0.1.
//!
//! Push and pull bodies are signed by the device key (headers [`DEVICE_HEADER`] and
//! [`SIGNATURE_HEADER`]). Errors never quote a body.

use std::time::Duration;

use serde::Serialize;
use serde::de::DeserializeOwned;
use ureq::tls::{Certificate, RootCerts, TlsConfig};

use super::SyncError;
use super::device::DeviceKey;
use super::protocol::{
    API_PREFIX, DEVICE_HEADER, EnrolRequest, EnrolResponse, ErrorResponse, PullRequest,
    PullResponse, PushRequest, PushResponse, SIGNATURE_HEADER,
};

/// The test-only environment variable that lets the CLI talk plain HTTP (`1`).
pub const ALLOW_HTTP_ENV: &str = "ELDER_ASSESS_TEST_ALLOW_HTTP";

/// The largest answer read (a pull page carries reports).
const MAX_ANSWER_BYTES: u64 = 512 * 1024 * 1024;

/// A client of one county server.
pub struct Client {
    agent: ureq::Agent,
    base: String,
}

impl Client {
    /// A client of `url` (`https://host:port`) trusting only the county `roots` (DER).
    pub fn new(url: &str, roots: &[Vec<u8>]) -> Result<Self, SyncError> {
        Self::build(url, roots, false)
    }

    /// [`Client::new`] that also accepts `http://`: for tests against a fake server only.
    pub fn new_allowing_http_for_tests(url: &str, roots: &[Vec<u8>]) -> Result<Self, SyncError> {
        Self::build(url, roots, true)
    }

    fn build(url: &str, roots: &[Vec<u8>], allow_http: bool) -> Result<Self, SyncError> {
        let base = url.trim().trim_end_matches('/').to_owned();
        let https = base.starts_with("https://");
        if !(https || allow_http && base.starts_with("http://")) {
            return Err(SyncError::NotHttps);
        }
        if https && roots.is_empty() {
            return Err(SyncError::NoCountyRoot);
        }
        let certs: Vec<Certificate<'static>> =
            roots.iter().map(|der| Certificate::from_der(der).to_owned()).collect();
        let tls = TlsConfig::builder().root_certs(RootCerts::new_with_certs(&certs)).build();
        let config = ureq::Agent::config_builder()
            .tls_config(tls)
            .https_only(!allow_http)
            .http_status_as_error(false)
            .timeout_connect(Some(Duration::from_secs(20)))
            .timeout_global(Some(Duration::from_mins(5)))
            .build();
        Ok(Self { agent: config.into(), base })
    }

    /// `POST /api/v1/enrol`.
    pub fn enrol(&self, request: &EnrolRequest) -> Result<EnrolResponse, SyncError> {
        self.post("enrol", request, None)
    }

    /// `POST /api/v1/push`, signed.
    pub fn push(&self, key: &DeviceKey, request: &PushRequest) -> Result<PushResponse, SyncError> {
        self.post("push", request, Some(key))
    }

    /// `POST /api/v1/pull`, signed.
    pub fn pull(&self, key: &DeviceKey, request: &PullRequest) -> Result<PullResponse, SyncError> {
        self.post("pull", request, Some(key))
    }

    fn post<Q: Serialize, A: DeserializeOwned>(
        &self,
        path: &str,
        request: &Q,
        key: Option<&DeviceKey>,
    ) -> Result<A, SyncError> {
        let body =
            serde_json::to_vec(request).map_err(|err| SyncError::format("同步请求", &err))?;
        let url = format!("{}{API_PREFIX}/{path}", self.base);
        let mut call = self.agent.post(&url).header("content-type", "application/json");
        if let Some(key) = key {
            call = call
                .header(DEVICE_HEADER, key.id()?.as_str())
                .header(SIGNATURE_HEADER, &key.sign_request(&body));
        }
        let mut answer = call.send(&body[..]).map_err(|err| network(&err))?;
        let status = answer.status().as_u16();
        let bytes = answer
            .body_mut()
            .with_config()
            .limit(MAX_ANSWER_BYTES)
            .read_to_vec()
            .map_err(|err| network(&err))?;
        if status != 200 {
            let error = serde_json::from_slice::<ErrorResponse>(&bytes).ok();
            return Err(SyncError::Server {
                status,
                message: error.map_or_else(|| "（无说明）".to_owned(), |e| e.message),
            });
        }
        serde_json::from_slice(&bytes).map_err(|err| SyncError::format("服务器应答", &err))
    }
}

/// A transport error as a [`SyncError::Network`] (its kind, never a body).
fn network(err: &ureq::Error) -> SyncError {
    let detail = match err {
        ureq::Error::Io(io) => format!("网络错误（{}）", io.kind()),
        ureq::Error::Timeout(_) => "连接超时".to_owned(),
        ureq::Error::HostNotFound => "找不到服务器".to_owned(),
        ureq::Error::ConnectionFailed => "无法连接服务器".to_owned(),
        ureq::Error::Tls(_) | ureq::Error::Rustls(_) => {
            "TLS 握手失败：服务器证书不是本县根证书签发的".to_owned()
        }
        ureq::Error::RequireHttpsOnly(_) => "只允许 HTTPS 连接".to_owned(),
        other => format!("通信错误（{other}）"),
    };
    SyncError::Network { detail }
}
