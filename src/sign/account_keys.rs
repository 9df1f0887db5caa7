//! Accounts' signing keys: one key per account login, made and unlocked by that account.
//!
//! Once accounts exist, a key belongs to an account, not to a display name: its files are
//! `<data dir>/keys/acct-<hex of the login>.key.pem` and `.crt.pem`, and its certificate
//! names the account (`UID=<login>`) beside the registered name (`CN`). Until the county's
//! certificate authority issues a certificate for the key, the certificate is a
//! self-issued practice one: it signs, but a report signed with it never verifies as
//! trusted.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use super::SignError;
use super::keys::{
    KdfCost, KeyInfo, NewPair, Signer, check_name, create_pair, key_info, load_pair,
    practice_subject, read_certificate, slug,
};
use super::trust::TrustStore;

/// The key and certificate files of account `login` under `dir` (whether or not they
/// exist).
pub fn account_key_paths(dir: &Path, login: &str) -> Result<(PathBuf, PathBuf), SignError> {
    let login = check_name(login)?;
    let slug = slug(login);
    let keys = dir.join("keys");
    Ok((keys.join(format!("acct-{slug}.key.pem")), keys.join(format!("acct-{slug}.crt.pem"))))
}

/// `<data dir>/keys/acct-<hex of the login>.csr.pem`: where `keys new` and
/// `keys request` write the account's certificate request.
pub fn account_request_path(dir: &Path, login: &str) -> Result<PathBuf, SignError> {
    let login = check_name(login)?;
    Ok(dir.join("keys").join(format!("acct-{}.csr.pem", slug(login))))
}

/// Creates account `login`'s key, with a practice certificate naming `display_name` and
/// the login. Refuses ([`SignError::KeyExists`]) if the account already has one.
pub fn create_account_key(
    dir: &Path,
    login: &str,
    display_name: &str,
    passphrase: &str,
    now: DateTime<Utc>,
    cost: KdfCost,
) -> Result<KeyInfo, SignError> {
    let login = check_name(login)?;
    let display_name = check_name(display_name)?;
    let (key_path, cert_path) = account_key_paths(dir, login)?;
    let subject = practice_subject(display_name, Some(login))?;
    create_pair(NewPair { dir, key_path, cert_path, subject, name: login }, passphrase, now, cost)
}

/// Account `login`'s key, if it has one.
pub fn account_key(dir: &Path, login: &str) -> Result<Option<KeyInfo>, SignError> {
    let (key_path, cert_path) = account_key_paths(dir, login)?;
    if !key_path.is_file() || !cert_path.is_file() {
        return Ok(None);
    }
    let certificate = read_certificate(&cert_path)?;
    key_info(&certificate, cert_path, key_path).map(Some)
}

/// Unlocks account `login`'s key with `passphrase`. The signer's name is its
/// certificate's `CN`, and [`Signer::account`] is the login (checked against the
/// certificate, so a key file copied from another account is refused).
pub fn load_account_signer(dir: &Path, login: &str, passphrase: &str) -> Result<Signer, SignError> {
    let login = check_name(login)?;
    let (key_path, cert_path) = account_key_paths(dir, login)?;
    let signer = load_pair(&key_path, &cert_path, passphrase, || SignError::NoAccountKey {
        account: login.to_owned(),
    })?;
    if signer.account() != Some(login) {
        return Err(SignError::BadKeyFile {
            path: cert_path,
            reason: format!("证书不是账号 {login} 的证书"),
        });
    }
    Ok(signer)
}

/// `acct-….practice.crt.pem`: where [`install_certificate`] keeps the practice
/// certificate it replaced.
fn practice_path(cert_path: &Path) -> PathBuf {
    let name = cert_path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
    let stem = name.strip_suffix(".crt.pem").unwrap_or(name);
    cert_path.with_file_name(format!("{stem}.practice.crt.pem"))
}

/// Installs a county-issued certificate (PEM) for account `login`'s key: its public key
/// must be that key's, its `UID` the login, and it must be issued by a root in `trust`,
/// valid at `now` and not on an installed CRL. It replaces the practice certificate,
/// which is kept as `acct-….practice.crt.pem`.
pub fn install_certificate(
    dir: &Path,
    login: &str,
    cert_pem: &[u8],
    trust: &TrustStore,
    now: DateTime<Utc>,
) -> Result<KeyInfo, SignError> {
    use der::DecodePem as _;
    let login = check_name(login)?;
    let refuse = |reason: &str| SignError::CertificateMismatch {
        account: login.to_owned(),
        reason: reason.to_owned(),
    };
    let (key_path, cert_path) = account_key_paths(dir, login)?;
    if !key_path.is_file() || !cert_path.is_file() {
        return Err(SignError::NoAccountKey { account: login.to_owned() });
    }
    let certificate =
        x509_cert::Certificate::from_pem(cert_pem).map_err(|_| refuse("不是 PEM 格式的证书"))?;
    let current = read_certificate(&cert_path)?;
    let tbs = &certificate.tbs_certificate;
    if tbs.subject_public_key_info != current.tbs_certificate.subject_public_key_info {
        return Err(refuse("证书的公钥不是这个账号的密钥（是为另一把密钥签发的）"));
    }
    if super::x509::subject_text(&tbs.subject, super::x509::UID).as_deref() != Some(login) {
        return Err(refuse("证书中的账号（UID）不是这个账号"));
    }
    if trust.issuer_of(&certificate).is_none() {
        return Err(refuse("证书不是本机已安装的县级根证书签发的（请先用 trust add 安装根证书）"));
    }
    let not_before: DateTime<Utc> = tbs.validity.not_before.to_system_time().into();
    let not_after: DateTime<Utc> = tbs.validity.not_after.to_system_time().into();
    if now < not_before || now > not_after {
        return Err(refuse("证书不在有效期内"));
    }
    if trust.is_revoked(&certificate) {
        return Err(refuse("证书已被吊销"));
    }
    let practice = practice_path(&cert_path);
    let current_self_issued = current.tbs_certificate.issuer == current.tbs_certificate.subject;
    let atomic = crate::output::atomic::write_atomically;
    if current_self_issued && !practice.exists() {
        let bytes = std::fs::read(&cert_path).map_err(|err| SignError::io(&cert_path, err))?;
        atomic(&practice, &bytes).map_err(|err| SignError::io(&practice, err))?;
    }
    let pem = der::EncodePem::to_pem(&certificate, der::pem::LineEnding::LF)
        .map_err(SignError::crypto)?;
    atomic(&cert_path, pem.as_bytes()).map_err(|err| SignError::io(&cert_path, err))?;
    key_info(&certificate, cert_path, key_path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-12-01T09:00:00+08:00").unwrap().to_utc()
    }

    #[test]
    fn an_account_key_names_the_account_and_unlocks_only_as_that_account() {
        let dir = tempfile::tempdir().unwrap();
        let info = create_account_key(
            dir.path(),
            "liming",
            "李明",
            "口令口令口令口令口令",
            at(),
            KdfCost::TestOnly,
        )
        .unwrap();
        assert_eq!(info.name, "李明");
        assert_eq!(info.account.as_deref(), Some("liming"));
        assert_eq!(account_key(dir.path(), "liming").unwrap(), Some(info));
        assert_eq!(account_key(dir.path(), "yangfang").unwrap(), None);

        let signer = load_account_signer(dir.path(), "liming", "口令口令口令口令口令").unwrap();
        assert_eq!((signer.name(), signer.account()), ("李明", Some("liming")));
        assert!(matches!(
            load_account_signer(dir.path(), "liming", "wrong passphrase"),
            Err(SignError::WrongPassphrase)
        ));
        assert!(matches!(
            load_account_signer(dir.path(), "yangfang", "口令口令口令口令口令"),
            Err(SignError::NoAccountKey { .. })
        ));

        // Another account's files under this login's name are refused.
        let (key, cert) = account_key_paths(dir.path(), "liming").unwrap();
        let (key2, cert2) = account_key_paths(dir.path(), "yangfang").unwrap();
        std::fs::copy(key, key2).unwrap();
        std::fs::copy(cert, cert2).unwrap();
        assert!(matches!(
            load_account_signer(dir.path(), "yangfang", "口令口令口令口令口令"),
            Err(SignError::BadKeyFile { .. })
        ));
    }
}
