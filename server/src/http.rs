//! HTTPS: the axum router over [`Server`], rustls (ring) with the certificate issued by
//! the county root. Handlers only move bytes: signed requests are checked on the exact
//! body bytes, then parsed strictly and handed to [`Server`]'s functions.

use std::net::SocketAddr;
use std::path::Path;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::Utc;
use elder_assess::sync::protocol::{
    DEVICE_HEADER, EnrolRequest, ErrorResponse, PullRequest, PushRequest, SIGNATURE_HEADER,
};
use serde::Serialize;

use crate::ServerError;
use crate::service::{DeviceRow, Server};

/// The largest request body (a push of report PDFs, ~200 KB each).
pub const MAX_BODY_BYTES: usize = 64 * 1024 * 1024;

impl IntoResponse for ServerError {
    fn into_response(self) -> Response {
        let status = match &self {
            Self::Unauthenticated(_) => StatusCode::UNAUTHORIZED,
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            _ => StatusCode::SERVICE_UNAVAILABLE,
        };
        let body = ErrorResponse { code: self.code().to_owned(), message: self.to_string() };
        (status, axum::Json(body)).into_response()
    }
}

fn json<T: Serialize>(value: &T) -> Response {
    axum::Json(value).into_response()
}

fn parse<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, ServerError> {
    serde_json::from_slice(bytes).map_err(|e| {
        ServerError::BadRequest(elder_assess::sync::SyncError::format("同步请求", &e).to_string())
    })
}

async fn signed(
    server: &Server,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<DeviceRow, ServerError> {
    let header =
        |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    server.authenticate(&header(DEVICE_HEADER), &header(SIGNATURE_HEADER), body).await
}

async fn enrol(State(server): State<Server>, body: Bytes) -> Result<Response, ServerError> {
    let request: EnrolRequest = parse(&body)?;
    Ok(json(&server.enrol(&request, Utc::now()).await?))
}

async fn push(
    State(server): State<Server>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ServerError> {
    let device = signed(&server, &headers, &body).await?;
    let request: PushRequest = parse(&body)?;
    Ok(json(&server.push(&device, &request, Utc::now()).await?))
}

async fn pull(
    State(server): State<Server>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ServerError> {
    let device = signed(&server, &headers, &body).await?;
    let request: PullRequest = parse(&body)?;
    Ok(json(&server.pull(&device, &request, Utc::now()).await?))
}

async fn health(State(server): State<Server>) -> Result<&'static str, ServerError> {
    let client = server.pool.get().await?;
    client.query_one("SELECT 1", &[]).await?;
    Ok("ok")
}

/// The API's routes.
pub fn router(server: Server) -> Router {
    use elder_assess::sync::protocol::API_PREFIX;
    Router::new()
        .route(&format!("{API_PREFIX}/enrol"), post(enrol))
        .route(&format!("{API_PREFIX}/push"), post(push))
        .route(&format!("{API_PREFIX}/pull"), post(pull))
        .route(&format!("{API_PREFIX}/health"), get(health))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(server)
}

/// Serves `server` over HTTPS on `listen` with the PEM certificate chain and key.
pub async fn serve_tls(
    server: Server,
    listen: SocketAddr,
    cert: &Path,
    key: &Path,
) -> Result<(), ServerError> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let file = |what: &'static str, path: &Path, reason: String| ServerError::File {
        what,
        path: path.display().to_string(),
        reason,
    };
    let config = axum_server::tls_rustls::RustlsConfig::from_pem_file(cert, key)
        .await
        .map_err(|e| file("TLS 证书或私钥", cert, e.to_string()))?;
    eprintln!("elder-assess-server 正在监听 https://{listen}");
    axum_server::bind_rustls(listen, config)
        .serve(router(server).into_make_service())
        .await
        .map_err(|e| ServerError::File {
            what: "监听地址",
            path: listen.to_string(),
            reason: e.to_string(),
        })
}
