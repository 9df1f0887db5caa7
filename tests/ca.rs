//! Issue 14, the county certificate authority: the root, requests and issued assessor
//! certificates, revocation and CRLs, the trust store, and installing a county
//! certificate for an account's key.

use chrono::{DateTime, TimeDelta, Utc};
use der::{Decode as _, DecodePem as _, Encode as _};
use elder_assess::sign::ca::{self, Issue, RevokeTarget};
use elder_assess::sign::crl::{crl_from_pem, crl_number, serial_hex};
use elder_assess::sign::request::{create_request, read_request};
use elder_assess::sign::trust::{TrustEntry, TrustStore, install};
use elder_assess::sign::x509::{
    SERIAL_NUMBER, UID, subject_text, verify_crl_issued_by, verify_issued_by,
};
use elder_assess::sign::{
    KdfCost, SignError, account_key, create_account_key, install_certificate, load_account_signer,
};
use x509_cert::Certificate;
use x509_cert::ext::pkix::{BasicConstraints, KeyUsage, KeyUsages};

use super::common::TempDir;

const ROOT_PASS: &str = "县级根证书的口令口令口令";
const KEY_PASS: &str = "评估员密钥的口令口令口令";
const AGENCY: &str = "耿马傣族佤族自治县";

fn at(day: i64) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-12-01T09:00:00+08:00").unwrap().to_utc()
        + TimeDelta::days(day)
}

fn root_of(dir: &std::path::Path) -> Certificate {
    ca::create_root(dir, AGENCY, ROOT_PASS, at(0), KdfCost::TestOnly).unwrap();
    ca::root_certificate(dir).unwrap()
}

/// An account key for `login` and its request.
fn request_for(dir: &std::path::Path, login: &str, name: &str) -> String {
    create_account_key(dir, login, name, KEY_PASS, at(0), KdfCost::TestOnly).unwrap();
    create_request(&load_account_signer(dir, login, KEY_PASS).unwrap()).unwrap()
}

fn issue_for(login: &'static str, name: &'static str) -> Issue<'static> {
    Issue { login, name, number: "YN-PG-2026-017", not_before: at(0), not_after: at(1095) }
}

fn issue_pem(
    dir: &std::path::Path,
    login: &'static str,
    name: &'static str,
) -> (Certificate, String) {
    let request = read_request(request_for(dir, login, name).as_bytes()).unwrap();
    let cert = ca::issue(dir, ROOT_PASS, &request, &issue_for(login, name), at(0)).unwrap();
    let pem = der::EncodePem::to_pem(&cert, der::pem::LineEnding::LF).unwrap();
    (cert, pem)
}

#[test]
fn the_root_is_a_ca_with_a_private_key_and_is_never_overwritten() {
    let dir = TempDir::new("ca-root");
    let root = root_of(dir.path());
    let tbs = &root.tbs_certificate;
    assert_eq!(tbs.subject.to_string(), format!("CN={AGENCY}老年人能力评估根证书,O={AGENCY},C=CN"));
    assert_eq!(tbs.issuer, tbs.subject);
    assert!(verify_issued_by(&root, &root));
    let (_, bc) = tbs.get::<BasicConstraints>().unwrap().unwrap();
    assert!(bc.ca);
    let (_, ku) = tbs.get::<KeyUsage>().unwrap().unwrap();
    assert!(ku.0.contains(KeyUsages::KeyCertSign) && ku.0.contains(KeyUsages::CRLSign));
    let until: DateTime<Utc> = tbs.validity.not_after.to_system_time().into();
    assert_eq!(until.format("%Y").to_string(), "2046");
    let paths = ca::ca_paths(dir.path());
    let key = std::fs::read_to_string(&paths.key).unwrap();
    assert!(key.starts_with("-----BEGIN ENCRYPTED PRIVATE KEY-----"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&paths.key).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let again = ca::create_root(dir.path(), "另一个县", ROOT_PASS, at(1), KdfCost::TestOnly);
    assert!(matches!(again, Err(SignError::RootExists { .. })), "{again:?}");
    assert_eq!(std::fs::read_to_string(&paths.key).unwrap(), key);
}

#[test]
fn a_request_is_issued_as_an_assessor_certificate_of_the_root() {
    let dir = TempDir::new("ca-issue");
    let root = root_of(dir.path());
    let request = read_request(request_for(dir.path(), "liming", "李明").as_bytes()).unwrap();
    assert_eq!((request.login.as_str(), request.name.as_str()), ("liming", "李明"));
    let cert =
        ca::issue(dir.path(), ROOT_PASS, &request, &issue_for("liming", "李明"), at(0)).unwrap();
    let tbs = &cert.tbs_certificate;
    assert_eq!(tbs.issuer, root.tbs_certificate.subject);
    assert!(verify_issued_by(&cert, &root));
    assert_eq!(
        tbs.subject.to_string(),
        format!("SERIALNUMBER=YN-PG-2026-017,UID=liming,CN=李明,O={AGENCY},C=CN")
    );
    assert_eq!(subject_text(&tbs.subject, UID).as_deref(), Some("liming"));
    assert_eq!(subject_text(&tbs.subject, SERIAL_NUMBER).as_deref(), Some("YN-PG-2026-017"));
    assert_eq!(tbs.subject_public_key_info, request.request.info.public_key);
    let serial = tbs.serial_number.as_bytes();
    assert_eq!(serial.len(), 16);
    assert!(serial[0] & 0x80 == 0 && serial[0] != 0);
    let from: DateTime<Utc> = tbs.validity.not_before.to_system_time().into();
    let until: DateTime<Utc> = tbs.validity.not_after.to_system_time().into();
    assert_eq!((from, until), (at(0), at(1095)));
    let (_, bc) = tbs.get::<BasicConstraints>().unwrap().unwrap();
    assert!(!bc.ca);
    let (_, ku) = tbs.get::<KeyUsage>().unwrap().unwrap();
    assert!(ku.0.contains(KeyUsages::DigitalSignature) && ku.0.contains(KeyUsages::NonRepudiation));
    assert!(!ku.0.contains(KeyUsages::KeyCertSign));

    let issued = elder_assess::sign::ca_registry::issued(dir.path()).unwrap();
    assert_eq!(issued.len(), 1);
    assert_eq!(issued[0].serial, serial_hex(&tbs.serial_number));
    assert_eq!((issued[0].login.as_str(), issued[0].number.as_str()), ("liming", "YN-PG-2026-017"));
    assert_eq!(issued[0].revoked_at, None);
    // A second issue keeps the first entry.
    let request = read_request(request_for(dir.path(), "yangfang", "杨芳").as_bytes()).unwrap();
    ca::issue(dir.path(), ROOT_PASS, &request, &issue_for("yangfang", "杨芳"), at(1)).unwrap();
    let issued = elder_assess::sign::ca_registry::issued(dir.path()).unwrap();
    let logins: Vec<_> = issued.iter().map(|e| e.login.as_str()).collect();
    assert_eq!(logins, ["liming", "yangfang"]);
    // The wrong root passphrase issues nothing.
    let wrong =
        ca::issue(dir.path(), "wrong passphrase", &request, &issue_for("yangfang", "杨芳"), at(1));
    assert!(matches!(wrong, Err(SignError::WrongPassphrase)), "{wrong:?}");
}

#[test]
fn a_request_for_another_login_or_name_is_refused() {
    let dir = TempDir::new("ca-mismatch");
    root_of(dir.path());
    let request = read_request(request_for(dir.path(), "liming", "李明").as_bytes()).unwrap();
    for issue in [issue_for("yangfang", "李明"), issue_for("liming", "杨芳")] {
        let err = ca::issue(dir.path(), ROOT_PASS, &request, &issue, at(0)).unwrap_err();
        assert!(matches!(err, SignError::BadIssue(_)), "{err:?}");
        let text = err.to_string();
        assert!(text.contains("不一致"), "{text}");
        assert!(!text.contains("杨芳") && !text.contains("李明"), "names in errors: {text}");
    }
    let bad_number = Issue { number: "编号一", ..issue_for("liming", "李明") };
    assert!(matches!(
        ca::issue(dir.path(), ROOT_PASS, &request, &bad_number, at(0)),
        Err(SignError::BadIssue(_))
    ));
    assert!(elder_assess::sign::ca_registry::issued(dir.path()).unwrap().is_empty());
}

#[test]
fn a_tampered_request_is_refused() {
    let dir = TempDir::new("ca-tampered");
    let pem = request_for(dir.path(), "liming", "李明");
    let mut request = x509_cert::request::CertReq::from_pem(pem.as_bytes()).unwrap();
    // Another login in the subject, the signature left as it was.
    let other =
        create_account_key(dir.path(), "zhangsan", "李明", KEY_PASS, at(0), KdfCost::TestOnly);
    other.unwrap();
    let forged =
        create_request(&load_account_signer(dir.path(), "zhangsan", KEY_PASS).unwrap()).unwrap();
    let forged = x509_cert::request::CertReq::from_pem(forged.as_bytes()).unwrap();
    request.info.subject = forged.info.subject;
    let tampered = der::EncodePem::to_pem(&request, der::pem::LineEnding::LF).unwrap();
    let err = read_request(tampered.as_bytes()).unwrap_err();
    assert!(matches!(err, SignError::BadRequest(_)), "{err:?}");
    assert!(err.to_string().contains("签名验证不通过"), "{err}");
    // A flipped byte in the signature.
    let mut der = x509_cert::request::CertReq::from_pem(pem.as_bytes()).unwrap().to_der().unwrap();
    let last = der.len() - 3;
    der[last] ^= 1;
    if let Ok(flipped) = x509_cert::request::CertReq::from_der(&der) {
        let flipped = der::EncodePem::to_pem(&flipped, der::pem::LineEnding::LF).unwrap();
        assert!(matches!(read_request(flipped.as_bytes()), Err(SignError::BadRequest(_))));
    }
    assert!(matches!(read_request(b"not a request"), Err(SignError::BadRequest(_))));
}

#[test]
fn a_revocation_writes_a_crl_signed_by_the_root_listing_the_serial() {
    let dir = TempDir::new("ca-revoke");
    let root = root_of(dir.path());
    let (cert, _) = issue_pem(dir.path(), "liming", "李明");
    let serial = serial_hex(&cert.tbs_certificate.serial_number);
    let revoked =
        ca::revoke(dir.path(), ROOT_PASS, RevokeTarget::Certificate(&cert), at(10)).unwrap();
    assert_eq!(
        (revoked.serial.as_str(), revoked.crl_number, revoked.revoked),
        (serial.as_str(), 1, 1)
    );
    let crl = crl_from_pem(revoked.crl_pem.as_bytes()).unwrap();
    assert!(verify_crl_issued_by(&crl, &root));
    let tbs = &crl.tbs_cert_list;
    let this: DateTime<Utc> = tbs.this_update.to_system_time().into();
    let next: DateTime<Utc> = tbs.next_update.as_ref().unwrap().to_system_time().into();
    assert_eq!((this, next), (at(10), at(40)));
    let listed = tbs.revoked_certificates.as_ref().unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].serial_number, cert.tbs_certificate.serial_number);
    assert_eq!(std::fs::read_to_string(ca::ca_paths(dir.path()).crl).unwrap(), revoked.crl_pem);
    // By serial (upper case, with colons): the same list, a higher number.
    let colons = serial
        .to_uppercase()
        .as_bytes()
        .chunks(2)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect::<Vec<_>>()
        .join(":");
    let again = ca::revoke(dir.path(), ROOT_PASS, RevokeTarget::Serial(&colons), at(11)).unwrap();
    let crl2 = crl_from_pem(again.crl_pem.as_bytes()).unwrap();
    assert_eq!((crl_number(&crl), crl_number(&crl2)), (Some(1), Some(2)));
    let entries = elder_assess::sign::ca_registry::issued(dir.path()).unwrap();
    assert_eq!(entries[0].revoked_at, Some(at(10)));
    let unknown = ca::revoke(dir.path(), ROOT_PASS, RevokeTarget::Serial("0badc0de"), at(12));
    assert!(matches!(unknown, Err(SignError::UnknownSerial(_))), "{unknown:?}");
}

#[test]
fn the_trust_store_takes_roots_and_their_newer_crls_only() {
    let bureau = TempDir::new("ca-trust-bureau");
    let machine = TempDir::new("ca-trust-machine");
    root_of(bureau.path());
    let root_pem = std::fs::read(ca::ca_paths(bureau.path()).cert).unwrap();
    assert_eq!(TrustStore::load(machine.path()).unwrap(), TrustStore::default());

    // A CRL before its root is installed: refused.
    let (cert, cert_pem) = issue_pem(bureau.path(), "liming", "李明");
    let first =
        ca::revoke(bureau.path(), ROOT_PASS, RevokeTarget::Certificate(&cert), at(5)).unwrap();
    let err = install(machine.path(), first.crl_pem.as_bytes(), at(5)).unwrap_err();
    assert!(
        matches!(err, SignError::BadTrustFile(_)) && err.to_string().contains("根证书"),
        "{err}"
    );

    let entry = install(machine.path(), &root_pem, at(5)).unwrap();
    assert!(matches!(entry, TrustEntry::Root { .. }), "{entry:?}");
    let entry = install(machine.path(), first.crl_pem.as_bytes(), at(5)).unwrap();
    assert!(matches!(entry, TrustEntry::Crl { number: Some(1), revoked: 1, .. }), "{entry:?}");
    let store = TrustStore::load(machine.path()).unwrap();
    assert_eq!((store.roots.len(), store.crls.len()), (1, 1));
    assert!(store.issuer_of(&cert).is_some() && store.is_revoked(&cert));
    assert_eq!(store.list().len(), 2);

    // A newer CRL replaces it; the older one then does not come back.
    let second =
        ca::revoke(bureau.path(), ROOT_PASS, RevokeTarget::Certificate(&cert), at(6)).unwrap();
    install(machine.path(), second.crl_pem.as_bytes(), at(6)).unwrap();
    let err = install(machine.path(), first.crl_pem.as_bytes(), at(6)).unwrap_err();
    assert!(matches!(err, SignError::BadTrustFile(_)), "{err:?}");
    let store = TrustStore::load(machine.path()).unwrap();
    assert_eq!(store.crls.len(), 1);
    assert_eq!(crl_number(&store.crls[0]), Some(2));

    // A leaf (an assessor certificate) is no root; neither is a practice certificate.
    let err = install(machine.path(), cert_pem.as_bytes(), at(6)).unwrap_err();
    assert!(matches!(err, SignError::BadTrustFile(_)), "{err:?}");
    let practice = account_key(bureau.path(), "liming").unwrap().unwrap();
    // (install_certificate replaced nothing on the bureau's machine: this is the practice one.)
    let err =
        install(machine.path(), &std::fs::read(practice.cert_path).unwrap(), at(6)).unwrap_err();
    assert!(matches!(err, SignError::BadTrustFile(_)), "{err:?}");
    // A root outside its validity.
    let other = TempDir::new("ca-trust-late");
    let err = install(other.path(), &root_pem, at(365 * 21)).unwrap_err();
    assert!(err.to_string().contains("有效期"), "{err}");
    assert!(matches!(install(other.path(), b"junk", at(1)), Err(SignError::BadTrustFile(_))));

    // A CRL of another county's root: refused.
    let elsewhere = TempDir::new("ca-trust-elsewhere");
    ca::create_root(elsewhere.path(), "另一个县", ROOT_PASS, at(0), KdfCost::TestOnly).unwrap();
    let (foreign, _) = issue_pem(elsewhere.path(), "liming", "李明");
    let foreign_crl =
        ca::revoke(elsewhere.path(), ROOT_PASS, RevokeTarget::Certificate(&foreign), at(5))
            .unwrap();
    let err = install(machine.path(), foreign_crl.crl_pem.as_bytes(), at(5)).unwrap_err();
    assert!(matches!(err, SignError::BadTrustFile(_)), "{err:?}");
}

#[test]
fn a_county_certificate_installs_only_for_its_own_key_and_login() {
    let dir = TempDir::new("ca-install");
    root_of(dir.path());
    let root_pem = std::fs::read(ca::ca_paths(dir.path()).cert).unwrap();
    let (_, liming_pem) = issue_pem(dir.path(), "liming", "李明");
    let (_, yangfang_pem) = issue_pem(dir.path(), "yangfang", "杨芳");
    let before = account_key(dir.path(), "liming").unwrap().unwrap();

    // Without the root installed: refused.
    let empty = TrustStore::default();
    let err = install_certificate(dir.path(), "liming", liming_pem.as_bytes(), &empty, at(1))
        .unwrap_err();
    assert!(matches!(err, SignError::CertificateMismatch { .. }), "{err:?}");
    install(dir.path(), &root_pem, at(1)).unwrap();
    let trust = TrustStore::load(dir.path()).unwrap();
    // Another account's certificate (another key and another login): refused.
    let err = install_certificate(dir.path(), "liming", yangfang_pem.as_bytes(), &trust, at(1))
        .unwrap_err();
    assert!(err.to_string().contains("公钥"), "{err}");
    // The right key but a certificate naming another login: refused.
    let request = read_request(
        create_request(&load_account_signer(dir.path(), "liming", KEY_PASS).unwrap())
            .unwrap()
            .as_bytes(),
    )
    .unwrap();
    let mut wrong_login = request.clone();
    wrong_login.login = "yangfang".to_owned();
    let cert =
        ca::issue(dir.path(), ROOT_PASS, &wrong_login, &issue_for("yangfang", "李明"), at(1))
            .unwrap();
    let pem = der::EncodePem::to_pem(&cert, der::pem::LineEnding::LF).unwrap();
    let err = install_certificate(dir.path(), "liming", pem.as_bytes(), &trust, at(1)).unwrap_err();
    assert!(err.to_string().contains("UID"), "{err}");
    // Outside its validity: refused.
    let err = install_certificate(dir.path(), "liming", liming_pem.as_bytes(), &trust, at(2000))
        .unwrap_err();
    assert!(err.to_string().contains("有效期"), "{err}");
    assert_eq!(account_key(dir.path(), "liming").unwrap().unwrap(), before);

    // Its own: installed, the practice certificate kept, the key still unlocks.
    let key =
        install_certificate(dir.path(), "liming", liming_pem.as_bytes(), &trust, at(1)).unwrap();
    assert_eq!(key.account.as_deref(), Some("liming"));
    assert_eq!(key.issuer.as_deref(), Some(format!("{AGENCY}老年人能力评估根证书").as_str()));
    assert_ne!(key.fingerprint, before.fingerprint);
    let practice = before.cert_path.with_file_name(
        before
            .cert_path
            .file_name()
            .unwrap()
            .to_str()
            .unwrap()
            .replace(".crt.pem", ".practice.crt.pem"),
    );
    let kept = Certificate::from_pem(std::fs::read(practice).unwrap()).unwrap();
    assert_eq!(elder_assess::sign::certificate_fingerprint(&kept).unwrap(), before.fingerprint);
    let signer = load_account_signer(dir.path(), "liming", KEY_PASS).unwrap();
    assert_eq!(signer.account(), Some("liming"));
    assert_eq!(
        signer.certificate().tbs_certificate.issuer.to_string(),
        format!("CN={AGENCY}老年人能力评估根证书,O={AGENCY},C=CN")
    );
    assert_eq!(elder_assess::sign::list_keys(dir.path()).unwrap().len(), 2);
}

#[test]
fn sign_by_name_uses_an_account_key_only_when_exactly_one_names_that_person() {
    let dir = TempDir::new("ca-by-name");
    create_account_key(dir.path(), "liming", "李明", KEY_PASS, at(0), KdfCost::TestOnly).unwrap();
    let signer = elder_assess::sign::load_signer(dir.path(), "李明", KEY_PASS).unwrap();
    assert_eq!(signer.account(), Some("liming"));
    // A second account naming the same person: neither is picked by name.
    create_account_key(dir.path(), "liming2", "李明", KEY_PASS, at(0), KdfCost::TestOnly).unwrap();
    let err = elder_assess::sign::load_signer(dir.path(), "李明", KEY_PASS).unwrap_err();
    assert!(matches!(err, SignError::NoKey { .. }), "{err:?}");
}
