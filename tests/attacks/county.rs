//! A county certificate authority for the attack suite, and its assessors' keys: the
//! root and the certificates are built here with the same X.509 library, so a test can
//! also make what the real CA refuses to (an expired certificate, another county's root,
//! a forger's root with the county's name).

use std::path::Path;
use std::str::FromStr as _;
use std::time::SystemTime;

use chrono::{DateTime, TimeDelta, Utc};
use der::asn1::BitString;
use der::{DecodePem as _, Encode as _, EncodePem as _};
use p256::ecdsa::signature::Signer as _;
use p256::ecdsa::{DerSignature, SigningKey};
use rand_core::OsRng;
use spki::AlgorithmIdentifierOwned;
use x509_cert::Certificate;
use x509_cert::builder::{Builder as _, CertificateBuilder, Profile};
use x509_cert::crl::{CertificateList, RevokedCert, TbsCertList};
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::time::{Time, Validity};

use elder_assess::sign::{KdfCost, Signer, create_account_key, load_account_signer};

/// Every test key's passphrase (each key still has its own file and salt).
pub const PASSPHRASE: &str = "测试口令-仅供测试-2026";

pub fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text).unwrap().to_utc()
}

fn time(t: DateTime<Utc>) -> Time {
    Time::try_from(SystemTime::from(t)).unwrap()
}

/// A county root: its key and self-signed CA certificate.
pub struct County {
    key: SigningKey,
    pub root: Certificate,
    next_serial: std::cell::Cell<u8>,
}

impl County {
    /// A root named after `agency`, valid 2026–2046.
    pub fn new(agency: &str) -> Self {
        let key = SigningKey::random(&mut OsRng);
        let subject =
            Name::from_str(&format!("CN={agency}老年人能力评估根证书,O={agency},C=CN")).unwrap();
        let validity = Validity {
            not_before: time(at("2026-01-01T00:00:00Z")),
            not_after: time(at("2046-01-01T00:00:00Z")),
        };
        let root = self_signed(Profile::Root, subject, validity, &key);
        Self { key, root, next_serial: std::cell::Cell::new(0x20) }
    }

    pub fn root_pem(&self) -> String {
        self.root.to_pem(der::pem::LineEnding::LF).unwrap()
    }

    /// An account key in `dir` for `login`/`name`, with a certificate from this county
    /// valid `from..until`, installed over the practice certificate; returns its signer.
    pub fn assessor(&self, dir: &Path, login: &str, name: &str, from: &str, until: &str) -> Signer {
        let info =
            create_account_key(dir, login, name, PASSPHRASE, at(from), KdfCost::TestOnly).unwrap();
        let practice =
            Certificate::from_pem(std::fs::read_to_string(&info.cert_path).unwrap().as_bytes())
                .unwrap();
        let serial = self.next_serial.get();
        self.next_serial.set(serial + 1);
        let subject = Name::from_str(&format!(
            "CN={name},UID={login},serialNumber=PG-{serial:03},O={},C=CN",
            self.agency()
        ))
        .unwrap();
        let validity = Validity { not_before: time(at(from)), not_after: time(at(until)) };
        let profile = Profile::Leaf {
            issuer: self.root.tbs_certificate.subject.clone(),
            enable_key_agreement: false,
            enable_key_encipherment: false,
        };
        let cert = CertificateBuilder::new(
            profile,
            SerialNumber::new(&[serial]).unwrap(),
            validity,
            subject,
            practice.tbs_certificate.subject_public_key_info.clone(),
            &self.key,
        )
        .unwrap()
        .build::<DerSignature>()
        .unwrap();
        std::fs::write(&info.cert_path, cert.to_pem(der::pem::LineEnding::LF).unwrap()).unwrap();
        load_account_signer(dir, login, PASSPHRASE).unwrap()
    }

    /// A time-stamp authority certificate from this county (the library's own builder,
    /// EKU timeStamping critical) for a new key, valid 2026–2031: (certificate followed by
    /// the root, key), both PEM, as `TimestampAuthority::from_pem` takes them.
    pub fn tsa_pem(&self, name: &str) -> (String, String) {
        use p256::pkcs8::EncodePrivateKey as _;
        let key = SigningKey::random(&mut OsRng);
        let public = spki::SubjectPublicKeyInfoOwned::from_key(*key.verifying_key()).unwrap();
        let cert = elder_assess::sign::ca_tsa::tsa_certificate(
            &self.root,
            &self.key,
            name,
            public,
            at("2026-01-01T00:00:00Z"),
            at("2031-01-01T00:00:00Z"),
        )
        .unwrap();
        let mut pem = cert.to_pem(der::pem::LineEnding::LF).unwrap();
        pem.push_str(&self.root_pem());
        (pem, key.to_pkcs8_pem(der::pem::LineEnding::LF).unwrap().to_string())
    }

    /// Like [`Self::tsa_pem`], but an ordinary signing certificate (no extended key usage).
    pub fn plain_leaf_pem(&self, name: &str) -> (String, String) {
        use p256::pkcs8::EncodePrivateKey as _;
        let key = SigningKey::random(&mut OsRng);
        let public = spki::SubjectPublicKeyInfoOwned::from_key(*key.verifying_key()).unwrap();
        let profile = Profile::Leaf {
            issuer: self.root.tbs_certificate.subject.clone(),
            enable_key_agreement: false,
            enable_key_encipherment: false,
        };
        let validity = Validity {
            not_before: time(at("2026-01-01T00:00:00Z")),
            not_after: time(at("2031-01-01T00:00:00Z")),
        };
        let subject = Name::from_str(&format!("CN={name},O={},C=CN", self.agency())).unwrap();
        let cert = CertificateBuilder::new(
            profile,
            SerialNumber::new(&[0x7f]).unwrap(),
            validity,
            subject,
            public,
            &self.key,
        )
        .unwrap()
        .build::<DerSignature>()
        .unwrap();
        let pem = cert.to_pem(der::pem::LineEnding::LF).unwrap();
        (pem, key.to_pkcs8_pem(der::pem::LineEnding::LF).unwrap().to_string())
    }

    fn agency(&self) -> String {
        elder_assess::sign::x509::subject_text(
            &self.root.tbs_certificate.subject,
            const_oid::db::rfc4519::ORGANIZATION_NAME,
        )
        .unwrap()
    }

    /// A CRL of this root revoking `signer`'s certificate on `on`.
    pub fn crl_revoking(&self, signer: &Signer, on: &str) -> CertificateList {
        let algorithm = AlgorithmIdentifierOwned {
            oid: const_oid::db::rfc5912::ECDSA_WITH_SHA_256,
            parameters: None,
        };
        let tbs = TbsCertList {
            version: x509_cert::Version::V2,
            signature: algorithm.clone(),
            issuer: self.root.tbs_certificate.subject.clone(),
            this_update: time(at(on)),
            next_update: Some(time(at(on) + TimeDelta::days(30))),
            revoked_certificates: Some(vec![RevokedCert {
                serial_number: signer.certificate().tbs_certificate.serial_number.clone(),
                revocation_date: time(at(on)),
                crl_entry_extensions: None,
            }]),
            crl_extensions: None,
        };
        let signature: DerSignature = self.key.sign(&tbs.to_der().unwrap());
        CertificateList {
            tbs_cert_list: tbs,
            signature_algorithm: algorithm,
            signature: BitString::from_bytes(signature.as_bytes()).unwrap(),
        }
    }
}

/// A stranger's unencrypted key and self-issued certificate (CN=张三) as PEM files in
/// `dir`, for signing with pyHanko.
pub fn stranger_pem_files(dir: &Path) -> (std::path::PathBuf, std::path::PathBuf) {
    use p256::pkcs8::EncodePrivateKey as _;
    std::fs::create_dir_all(dir).unwrap();
    let key = SigningKey::random(&mut OsRng);
    let subject = Name::from_str("CN=张三,C=CN").unwrap();
    let validity = Validity {
        not_before: time(at("2026-01-01T00:00:00Z")),
        not_after: time(at("2031-01-01T00:00:00Z")),
    };
    let profile = Profile::Leaf {
        issuer: subject.clone(),
        enable_key_agreement: false,
        enable_key_encipherment: false,
    };
    let cert = self_signed(profile, subject, validity, &key);
    let key_path = dir.join("stranger.key.pem");
    let cert_path = dir.join("stranger.crt.pem");
    std::fs::write(&key_path, key.to_pkcs8_pem(der::pem::LineEnding::LF).unwrap().as_bytes())
        .unwrap();
    std::fs::write(&cert_path, cert.to_pem(der::pem::LineEnding::LF).unwrap()).unwrap();
    (key_path, cert_path)
}

/// A certificate for `key`'s own public key, signed by `key` (serial 1).
fn self_signed(
    profile: Profile,
    subject: Name,
    validity: Validity,
    key: &SigningKey,
) -> Certificate {
    let public = spki::SubjectPublicKeyInfoOwned::from_key(*key.verifying_key()).unwrap();
    CertificateBuilder::new(
        profile,
        SerialNumber::new(&[1]).unwrap(),
        validity,
        subject,
        public,
        key,
    )
    .unwrap()
    .build::<DerSignature>()
    .unwrap()
}
