//! TLS server certificates issued by the county root (`ca issue-server`), for the county
//! server's HTTPS: devices trust only the county root, so the server's certificate must
//! chain to it.
//!
//! Subject `C=CN, O=<root's O>, CN=<first host>`; `Profile::Leaf` (digitalSignature,
//! CA=false, SKI, AKI), `subjectAltName` with a `dNSName` or `iPAddress` per host,
//! `extKeyUsage` serverAuth; a fresh P-256 key returned as unencrypted PKCS#8 PEM (the
//! server reads it at start; the caller writes it 0600). Recorded in `ca/issued.json` with
//! login `tls-server` and the hosts as the name.

use std::net::IpAddr;
use std::path::Path;

use chrono::{DateTime, Utc};
use const_oid::db::rfc4519::{COMMON_NAME, COUNTRY_NAME, ORGANIZATION_NAME};
use const_oid::db::rfc5280::ID_KP_SERVER_AUTH;
use der::EncodePem as _;
use der::asn1::{Ia5String, OctetString};
use der::pem::LineEnding;
use p256::ecdsa::DerSignature;
use p256::pkcs8::EncodePrivateKey as _;
use spki::SubjectPublicKeyInfoOwned;
use x509_cert::builder::{Builder as _, CertificateBuilder, Profile};
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::{ExtendedKeyUsage, SubjectAltName};

use super::SignError;
use super::ca::unlock_root;
use super::ca_registry::{self, IssuedCertificate};
use super::crl::serial_hex;
use super::keys::{random_serial, validity};
use super::x509::{name_of, subject_text};

/// The registry's login of a TLS server certificate.
pub const SERVER_LOGIN: &str = "tls-server";

/// A server certificate and its key, both PEM.
#[derive(Debug, Clone)]
pub struct ServerCertificate {
    /// The certificate.
    pub cert_pem: String,
    /// The private key, PKCS#8, unencrypted.
    pub key_pem: zeroize::Zeroizing<String>,
    /// Its serial, lower-case hex.
    pub serial: String,
}

fn general_name(host: &str) -> Result<GeneralName, SignError> {
    let bad = || SignError::BadIssue(format!("主机名 {host} 无效"));
    if let Ok(ip) = host.parse::<IpAddr>() {
        let bytes = match ip {
            IpAddr::V4(v4) => v4.octets().to_vec(),
            IpAddr::V6(v6) => v6.octets().to_vec(),
        };
        return Ok(GeneralName::IpAddress(OctetString::new(bytes).map_err(|_| bad())?));
    }
    let valid = !host.is_empty()
        && host.len() <= 253
        && host.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.');
    if !valid {
        return Err(bad());
    }
    Ok(GeneralName::DnsName(Ia5String::new(host).map_err(|_| bad())?))
}

/// Issues a TLS server certificate for `hosts` (DNS names or IP addresses) with the root
/// in `dir` unlocked by `passphrase`, valid `not_before..not_after`, and records it.
pub fn issue_server(
    dir: &Path,
    passphrase: &str,
    hosts: &[String],
    not_before: DateTime<Utc>,
    not_after: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<ServerCertificate, SignError> {
    let hosts: Vec<&str> = hosts.iter().map(|h| h.trim()).filter(|h| !h.is_empty()).collect();
    let Some(first) = hosts.first() else {
        return Err(SignError::BadIssue("至少要给出一个 --host".to_owned()));
    };
    let names = hosts.iter().map(|h| general_name(h)).collect::<Result<Vec<_>, _>>()?;
    if not_after <= not_before {
        return Err(SignError::BadIssue("有效期的结束早于开始".to_owned()));
    }
    let (root, root_key) = unlock_root(dir, passphrase)?;
    let root_until: DateTime<Utc> = root.tbs_certificate.validity.not_after.to_system_time().into();
    if not_after > root_until {
        return Err(SignError::BadIssue("有效期超过了县级根证书的有效期".to_owned()));
    }
    let organisation = subject_text(&root.tbs_certificate.subject, ORGANIZATION_NAME)
        .ok_or_else(|| SignError::Crypto("根证书没有机构名称（O）".to_owned()))?;
    let subject =
        name_of(&[(COUNTRY_NAME, "CN"), (ORGANIZATION_NAME, &organisation), (COMMON_NAME, first)])?;
    let secret = p256::SecretKey::random(&mut rand_core::OsRng);
    let public =
        SubjectPublicKeyInfoOwned::from_key(secret.public_key()).map_err(SignError::crypto)?;
    let profile = Profile::Leaf {
        issuer: root.tbs_certificate.subject.clone(),
        enable_key_agreement: false,
        enable_key_encipherment: false,
    };
    let serial = random_serial()?;
    let mut builder = CertificateBuilder::new(
        profile,
        serial.clone(),
        validity(not_before, not_after)?,
        subject,
        public,
        &root_key,
    )
    .map_err(SignError::crypto)?;
    builder.add_extension(&SubjectAltName(names)).map_err(SignError::crypto)?;
    builder.add_extension(&ExtendedKeyUsage(vec![ID_KP_SERVER_AUTH])).map_err(SignError::crypto)?;
    let certificate = builder.build::<DerSignature>().map_err(SignError::crypto)?;
    let cert_pem = certificate.to_pem(LineEnding::LF).map_err(SignError::crypto)?;
    let key_pem = secret.to_pkcs8_pem(LineEnding::LF).map_err(SignError::crypto)?;

    let _lock = ca_registry::lock(dir)?;
    let mut registry = ca_registry::load(dir)?;
    let serial = serial_hex(&serial);
    registry.certificates.push(IssuedCertificate {
        serial: serial.clone(),
        login: SERVER_LOGIN.to_owned(),
        name: hosts.join(" "),
        number: "TLS".to_owned(),
        not_before,
        not_after,
        issued_at: now,
        revoked_at: None,
    });
    ca_registry::save(dir, &registry)?;
    Ok(ServerCertificate {
        cert_pem,
        key_pem: zeroize::Zeroizing::new(key_pem.to_string()),
        serial,
    })
}

#[cfg(test)]
mod tests {
    use der::{Decode as _, DecodePem as _};
    use x509_cert::Certificate;

    use super::*;
    use crate::sign::KdfCost;
    use crate::sign::ca::{create_root, root_certificate};

    const PASSPHRASE: &str = "root-passphrase-for-tests";

    #[test]
    fn a_server_certificate_names_its_hosts_serves_tls_and_chains_to_the_county_root() {
        let dir = tempfile::tempdir().unwrap();
        let now = Utc::now();
        create_root(dir.path(), "耿马傣族佤族自治县", PASSPHRASE, now, KdfCost::TestOnly).unwrap();
        let hosts = ["county.example".to_owned(), "127.0.0.1".to_owned()];
        let until = now + chrono::TimeDelta::days(30);
        let issued = issue_server(dir.path(), PASSPHRASE, &hosts, now, until, now).unwrap();
        let cert = Certificate::from_pem(issued.cert_pem.as_bytes()).unwrap();
        let root = root_certificate(dir.path()).unwrap();
        assert!(crate::sign::x509::verify_issued_by(&cert, &root));
        let extensions = cert.tbs_certificate.extensions.unwrap_or_default();
        let san =
            extensions.iter().find(|e| e.extn_id == const_oid::db::rfc5280::ID_CE_SUBJECT_ALT_NAME);
        let san = SubjectAltName::from_der(san.unwrap().extn_value.as_bytes()).unwrap();
        assert_eq!(san.0.len(), 2);
        assert!(
            matches!(&san.0[0], GeneralName::DnsName(name) if name.as_str() == "county.example")
        );
        assert!(matches!(&san.0[1], GeneralName::IpAddress(ip) if ip.as_bytes() == [127, 0, 0, 1]));
        let eku =
            extensions.iter().find(|e| e.extn_id == const_oid::db::rfc5280::ID_CE_EXT_KEY_USAGE);
        let eku = ExtendedKeyUsage::from_der(eku.unwrap().extn_value.as_bytes()).unwrap();
        assert_eq!(eku.0, [ID_KP_SERVER_AUTH]);
        assert!(issued.key_pem.contains("BEGIN PRIVATE KEY"));
        let registry = ca_registry::issued(dir.path()).unwrap();
        assert!(registry.iter().any(|c| c.login == SERVER_LOGIN && c.serial == issued.serial));
        // A host that is neither a DNS name nor an address is refused.
        let bad = ["bad host!".to_owned()];
        assert!(issue_server(dir.path(), PASSPHRASE, &bad, now, until, now).is_err());
    }
}
