//! `elder-assess-server package import FILE`: a USB package (written by `elder-assess
//! package export` on a laptop without network) received at the county server. The
//! package's hash and its device's signature (by the key the county enrolled), its county,
//! then no envelope already received with other content (a replay with changes refuses
//! the whole package, naming the envelope); then its envelopes and decisions go through
//! [`Server::push`], exactly as if the device had synced: every envelope through the full
//! entrance check, idempotent (a package imported twice stores nothing twice).

use elder_assess::sync::package::SignedPackage;
use elder_assess::sync::protocol::{PushRequest, PushResponse};

use crate::{Server, ServerError};

/// Imports the package in `bytes` at `now`; the push's answer says what became of each item.
pub async fn import_package(
    server: &Server,
    bytes: &[u8],
    now: chrono::DateTime<chrono::Utc>,
) -> Result<PushResponse, ServerError> {
    let refused = |m: String| ServerError::BadRequest(m);
    let signed = SignedPackage::read(bytes).map_err(|e| refused(e.to_string()))?;
    let package = signed.open().map_err(|e| refused(e.to_string()))?;
    if package.county.trim() != server.county.name.trim() {
        return Err(refused(format!("U盘数据包属于其他县（{}），不能导入本县", package.county)));
    }
    let device = server
        .authenticate(package.device.as_str(), &signed.signature, signed.body.as_bytes())
        .await
        .map_err(|e| refused(format!("U盘数据包的设备无效：{e}")))?;
    let client = server.pool.get().await?;
    for envelope in &package.envelopes {
        let other = client
            .query_opt(
                "SELECT 1 FROM envelope_keys WHERE id = $1 AND hash <> $2 LIMIT 1",
                &[&envelope.id.as_str(), &envelope.hash],
            )
            .await?;
        if other.is_some() {
            return Err(refused(format!(
                "信封 {} 与服务器已收到的同一编号信封内容不同（重放且被改动），数据包未导入",
                envelope.id
            )));
        }
    }
    drop(client);
    let request = PushRequest {
        nonce: format!("package-{}", signed.hash),
        device_time: package.created_at,
        audit_head: package.audit_head,
        envelopes: package.envelopes,
        decisions: package.decisions,
    };
    server.push(&device, &request, now).await
}
