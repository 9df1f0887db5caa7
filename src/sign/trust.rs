//! The trust store of a machine: the county roots it trusts and their latest CRLs, under
//! `<data dir>/trust/` (`roots/<fingerprint>.crt.pem`, `crls/<root fingerprint>.crl.pem`).
//!
//! [`install`] (`trust add FILE`) accepts a root certificate only if it is self-signed,
//! a CA (basicConstraints CA=true) with keyCertSign, and valid at the injected time; a CRL
//! only if an installed root signed it, and it replaces that root's installed CRL only if
//! it is newer (a higher CRL number, or a later thisUpdate). Files are written atomically.
//! [`TrustStore::load`] reads everything back; the verifier does chain validation itself.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use der::pem::LineEnding;
use der::{DecodePem as _, EncodePem as _};
use x509_cert::Certificate;
use x509_cert::crl::CertificateList;
use x509_cert::ext::pkix::{BasicConstraints, KeyUsage, KeyUsages};

use super::SignError;
use super::crl::{crl_from_pem, crl_number, crl_to_pem};
use super::keys::certificate_fingerprint;
use super::x509::{verify_crl_issued_by, verify_issued_by};

/// The installed county roots and CRLs, sorted by file name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustStore {
    /// Installed county roots.
    pub roots: Vec<Certificate>,
    /// Installed CRLs, each signed by one of the roots when it was installed.
    pub crls: Vec<CertificateList>,
}

/// One installed file, as `trust add` and `trust list` describe it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TrustEntry {
    /// A county root.
    Root {
        /// Its subject.
        subject: String,
        /// SHA-256 of its DER, lower-case hex.
        fingerprint: String,
        /// End of validity.
        not_after: DateTime<Utc>,
    },
    /// A CRL.
    Crl {
        /// The issuing root's subject.
        issuer: String,
        /// Its CRL number.
        number: Option<u64>,
        /// thisUpdate.
        this_update: DateTime<Utc>,
        /// nextUpdate.
        next_update: Option<DateTime<Utc>>,
        /// How many certificates it lists.
        revoked: usize,
    },
}

fn roots_dir(dir: &Path) -> PathBuf {
    dir.join("trust").join("roots")
}

fn crls_dir(dir: &Path) -> PathBuf {
    dir.join("trust").join("crls")
}

fn utc(time: &x509_cert::time::Time) -> DateTime<Utc> {
    time.to_system_time().into()
}

impl TrustStore {
    /// What is installed under `dir` (empty when nothing is). A damaged file is an error.
    pub fn load(dir: &Path) -> Result<Self, SignError> {
        let mut store = Self::default();
        for path in files(&roots_dir(dir), ".crt.pem")? {
            let text = std::fs::read(&path).map_err(|err| SignError::io(&path, err))?;
            let root = Certificate::from_pem(&text).map_err(|err| SignError::BadKeyFile {
                path: path.clone(),
                reason: format!("证书无法解析：{err}"),
            })?;
            store.roots.push(root);
        }
        for path in files(&crls_dir(dir), ".crl.pem")? {
            let text = std::fs::read(&path).map_err(|err| SignError::io(&path, err))?;
            let crl = crl_from_pem(&text).ok_or_else(|| SignError::BadKeyFile {
                path: path.clone(),
                reason: "吊销列表无法解析".to_owned(),
            })?;
            store.crls.push(crl);
        }
        Ok(store)
    }

    /// Every installed root, then every CRL.
    pub fn list(&self) -> Vec<TrustEntry> {
        let roots = self.roots.iter().filter_map(|root| root_entry(root).ok());
        roots.chain(self.crls.iter().map(crl_entry)).collect()
    }

    /// The installed root that issued `cert` (by name and signature), if any.
    pub fn issuer_of(&self, cert: &Certificate) -> Option<&Certificate> {
        super::chain::issuer(cert, &self.roots)
    }

    /// Whether an installed CRL of `cert`'s issuing root lists it.
    pub fn is_revoked(&self, cert: &Certificate) -> bool {
        self.issuer_of(cert)
            .is_some_and(|root| super::chain::revoked_at(cert, root, &self.crls).is_some())
    }
}

fn files(dir: &Path, suffix: &str) -> Result<Vec<PathBuf>, SignError> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(err) => return Err(SignError::io(dir, err)),
    };
    let mut paths = Vec::new();
    for entry in entries {
        let path = entry.map_err(|err| SignError::io(dir, err))?.path();
        if path.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.ends_with(suffix)) {
            paths.push(path);
        }
    }
    paths.sort();
    Ok(paths)
}

fn root_entry(root: &Certificate) -> Result<TrustEntry, SignError> {
    let tbs = &root.tbs_certificate;
    Ok(TrustEntry::Root {
        subject: tbs.subject.to_string(),
        fingerprint: certificate_fingerprint(root)?,
        not_after: utc(&tbs.validity.not_after),
    })
}

fn crl_entry(crl: &CertificateList) -> TrustEntry {
    let tbs = &crl.tbs_cert_list;
    TrustEntry::Crl {
        issuer: tbs.issuer.to_string(),
        number: crl_number(crl),
        this_update: utc(&tbs.this_update),
        next_update: tbs.next_update.as_ref().map(utc),
        revoked: tbs.revoked_certificates.as_ref().map_or(0, Vec::len),
    }
}

/// Installs a county root certificate or a CRL (PEM) into `<dir>/trust/`; see the module
/// documentation for what is accepted. Installing the same file again is no error.
pub fn install(dir: &Path, bytes: &[u8], now: DateTime<Utc>) -> Result<TrustEntry, SignError> {
    let refuse = |reason: &str| SignError::BadTrustFile(reason.to_owned());
    let label = std::str::from_utf8(bytes)
        .ok()
        .and_then(|text| der::pem::decode_label(text.trim_start().as_bytes()).ok())
        .ok_or_else(|| refuse("不是 PEM 格式的证书或吊销列表"))?;
    match label {
        "CERTIFICATE" => {
            let root = Certificate::from_pem(bytes)
                .map_err(|err| SignError::BadTrustFile(format!("证书无法解析（{err}）")))?;
            install_root(dir, &root, now)
        }
        super::crl::CRL_PEM_LABEL => {
            let crl = crl_from_pem(bytes).ok_or_else(|| refuse("吊销列表无法解析"))?;
            install_crl(dir, &crl)
        }
        _ => Err(refuse("既不是证书（CERTIFICATE）也不是吊销列表（X509 CRL）")),
    }
}

/// Why `cert` cannot be a county root, if it cannot.
fn root_problem(cert: &Certificate, now: DateTime<Utc>) -> Option<&'static str> {
    let tbs = &cert.tbs_certificate;
    if tbs.issuer != tbs.subject || !verify_issued_by(cert, cert) {
        return Some("不是自签名的根证书（可能是评估员证书）");
    }
    let ca = matches!(tbs.get::<BasicConstraints>(), Ok(Some((_, bc))) if bc.ca);
    if !ca {
        return Some("不是 CA 证书（basicConstraints 没有 CA=true）");
    }
    let signs =
        matches!(tbs.get::<KeyUsage>(), Ok(Some((_, ku))) if ku.0.contains(KeyUsages::KeyCertSign));
    if !signs {
        return Some("密钥用途不含签发证书（keyCertSign）");
    }
    if now < utc(&tbs.validity.not_before) || now > utc(&tbs.validity.not_after) {
        return Some("根证书不在有效期内");
    }
    None
}

fn install_root(
    dir: &Path,
    root: &Certificate,
    now: DateTime<Utc>,
) -> Result<TrustEntry, SignError> {
    if let Some(reason) = root_problem(root, now) {
        return Err(SignError::BadTrustFile(reason.to_owned()));
    }
    let fingerprint = certificate_fingerprint(root)?;
    let path = roots_dir(dir).join(format!("{fingerprint}.crt.pem"));
    let pem = root.to_pem(LineEnding::LF).map_err(SignError::crypto)?;
    write(&path, pem.as_bytes())?;
    root_entry(root)
}

fn install_crl(dir: &Path, crl: &CertificateList) -> Result<TrustEntry, SignError> {
    let store = TrustStore::load(dir)?;
    let root =
        store.roots.iter().find(|root| verify_crl_issued_by(crl, root)).ok_or_else(|| {
            SignError::BadTrustFile(
                "吊销列表不是本机已安装的县级根证书签发的（请先用 trust add 安装其根证书）"
                    .to_owned(),
            )
        })?;
    let path = crls_dir(dir).join(format!("{}.crl.pem", certificate_fingerprint(root)?));
    if path.is_file() {
        let text = std::fs::read(&path).map_err(|err| SignError::io(&path, err))?;
        if let Some(old) = crl_from_pem(&text) {
            if old == *crl {
                return Ok(crl_entry(crl));
            }
            if !is_newer(crl, &old) {
                return Err(SignError::BadTrustFile(
                    "本机已安装同一根证书更新的吊销列表，未替换".to_owned(),
                ));
            }
        }
    }
    write(&path, crl_to_pem(crl)?.as_bytes())?;
    Ok(crl_entry(crl))
}

/// Whether `new` supersedes `old` (both from one root).
fn is_newer(new: &CertificateList, old: &CertificateList) -> bool {
    match (crl_number(new), crl_number(old)) {
        (Some(n), Some(o)) if n != o => n > o,
        _ => utc(&new.tbs_cert_list.this_update) > utc(&old.tbs_cert_list.this_update),
    }
}

fn write(path: &Path, bytes: &[u8]) -> Result<(), SignError> {
    let parent = crate::output::atomic::parent_dir(path);
    crate::output::atomic::create_private_dir_all(parent)
        .map_err(|err| SignError::io(parent, err))?;
    crate::output::atomic::write_atomically(path, bytes).map_err(|err| SignError::io(path, err))
}
