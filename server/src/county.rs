//! What one server knows of its county, read at start: the policy (county name,
//! townships, version), the scale in force, and the trust (roots and CRLs) from the
//! `--trust` directory, both parsed (for [`elder_assess::sync::intake`]) and as PEM texts
//! (for the devices' [`CountyState`](elder_assess::sync::protocol::CountyState)).

use std::sync::Arc;

use elder_assess::sign::TimestampAuthority;
use std::path::Path;

use elder_assess::policy::Policy;
use elder_assess::scale::Scale;
use elder_assess::sign::trust::TrustStore;
use elder_assess::sync::protocol::TrustBundle;

use crate::ServerError;

/// The county's fixed facts for this server process.
#[derive(Clone)]
pub struct CountyConfig {
    /// The county's name (as in the county file).
    pub name: String,
    /// Its townships.
    pub townships: Vec<String>,
    /// The county policy version in force (`id` + effective date).
    pub policy_version: String,
    /// The scale in force.
    pub scale: Scale,
    /// The roots and CRLs, parsed.
    pub trust: TrustStore,
    /// The same, as PEM.
    pub bundle: TrustBundle,
    /// The key that turns an ID number into the indexed "same elder" hash.
    pub person_key: Vec<u8>,
    /// The time-stamp authority that stamps each accepted report (`serve --tsa-cert`).
    pub tsa: Option<Arc<TimestampAuthority>>,
}

impl std::fmt::Debug for CountyConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the person key.
        f.debug_struct("CountyConfig")
            .field("name", &self.name)
            .field("policy_version", &self.policy_version)
            .field("tsa", &self.tsa.is_some())
            .finish_non_exhaustive()
    }
}

impl CountyConfig {
    /// From a policy, the bundled scale and the trust directory `trust` (PEM files:
    /// certificates `*.crt.pem`/`*.pem` with `CERTIFICATE`, CRLs with `X509 CRL`).
    pub fn load(policy: &Policy, trust: &Path) -> Result<Self, ServerError> {
        let scale = elder_assess::scale::bundled(elder_assess::scale::DEFAULT_SCALE_ID)
            .ok()
            .flatten()
            .ok_or_else(|| file_error("量表", "内置", "内置量表无法读取".to_owned()))?;
        let (store, bundle) = read_trust(trust)?;
        Ok(Self {
            name: policy.county().name.clone(),
            townships: policy.county().townships.clone(),
            policy_version: format!("{}@{}", policy.id, policy.effective),
            scale,
            trust: store,
            bundle,
            person_key: Vec::new(),
            tsa: None,
        })
    }

    /// The scale as devices are told it (`id`; [`elder_assess::sync::intake`] compares it).
    pub fn scale_code(&self) -> String {
        self.scale.id().to_owned()
    }
}

/// The time-stamp authority from its certificate and key files.
pub fn load_tsa(cert: &Path, key: &Path) -> Result<TimestampAuthority, ServerError> {
    let read = |path: &Path, what: &'static str| {
        std::fs::read_to_string(path)
            .map_err(|e| file_error(what, &path.display().to_string(), e.to_string()))
    };
    let (cert_pem, key_pem) = (read(cert, "时间戳服务证书")?, read(key, "时间戳服务私钥")?);
    TimestampAuthority::from_pem(&cert_pem, &key_pem)
        .map_err(|e| file_error("时间戳服务证书", &cert.display().to_string(), e.to_string()))
}

fn file_error(what: &'static str, path: &str, reason: String) -> ServerError {
    ServerError::File { what, path: path.to_owned(), reason }
}

/// The PEM files in `dir`, sorted by name: certificates and CRLs.
pub fn read_trust(dir: &Path) -> Result<(TrustStore, TrustBundle), ServerError> {
    use der::DecodePem as _;
    let shown = dir.display().to_string();
    let entries =
        std::fs::read_dir(dir).map_err(|e| file_error("信任目录", &shown, e.to_string()))?;
    let mut paths: Vec<_> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
    paths.sort();
    let mut store = TrustStore::default();
    let mut bundle = TrustBundle::default();
    for path in paths.iter().filter(|p| p.extension().is_some_and(|e| e == "pem")) {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path)
            .map_err(|e| file_error("信任文件", &shown, e.to_string()))?;
        if text.contains("BEGIN X509 CRL") {
            let crl = elder_assess::sign::crl::crl_from_pem(text.as_bytes())
                .ok_or_else(|| file_error("吊销列表", &shown, "无法解析".to_owned()))?;
            store.crls.push(crl);
            bundle.crls.push(text);
        } else if text.contains("BEGIN CERTIFICATE") {
            let cert = x509_cert::Certificate::from_pem(text.as_bytes())
                .map_err(|e| file_error("根证书", &shown, e.to_string()))?;
            store.roots.push(cert);
            bundle.roots.push(text);
        }
    }
    if store.roots.is_empty() {
        return Err(file_error(
            "信任目录",
            &dir.display().to_string(),
            "没有县级根证书（*.pem）".to_owned(),
        ));
    }
    Ok((store, bundle))
}
