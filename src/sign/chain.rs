//! Whether a signer's certificate is one the county vouches for: issued by an installed
//! county root, valid (with its root) at the claimed signing time, not revoked by an
//! installed CRL of that root, and meant for signing.
//!
//! The county's chain has two links, root → assessor, so no path building is needed: the
//! issuer is found among the installed roots by name and checked by signature. Only
//! ECDSA P-256 with SHA-256 is accepted ([`super::x509`]). A revoked certificate is
//! untrusted whatever time its signature claims: without a timestamp, the claimed time
//! is the signer's word, and a revoked key could claim any earlier time.
//! (`super::verdict` lifts that for a signature covered by a trusted document time-stamp
//! made before the revocation.) A time-stamp authority's certificate is checked the same
//! way at the token's `genTime` by [`check_timestamping`], which also requires the
//! critical, sole extended key usage id-kp-timeStamping.

use chrono::{DateTime, Utc};
use const_oid::db::rfc5280::ID_KP_TIME_STAMPING;
use der::Decode as _;
use x509_cert::Certificate;
use x509_cert::crl::CertificateList;
use x509_cert::ext::pkix::{BasicConstraints, ExtendedKeyUsage, KeyUsage};

use super::x509::{SERIAL_NUMBER, UID, subject_text, verify_crl_issued_by, verify_issued_by};

/// What a trusted certificate says about its holder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issued {
    /// The issuing county root's subject, e.g. `CN=…根证书,O=耿马傣族佤族自治县,C=CN`.
    pub root: String,
    /// The account (login) the certificate names.
    pub account: Option<String>,
    /// The assessor certificate number (评估员证书编号).
    pub number: Option<String>,
}

/// Why a certificate is not trusted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Untrusted {
    /// Self-issued (a practice key, or a forger's own key).
    SelfIssued,
    /// Issued by a root that is not installed on this machine (another county's, or none).
    UnknownIssuer,
    /// The signature claims no signing time.
    NoSigningTime,
    /// The certificate was not yet valid at the claimed signing time.
    NotYetValid,
    /// The certificate had expired at the claimed signing time.
    Expired,
    /// The county root was not valid at the claimed signing time.
    RootNotValid,
    /// An installed CRL of the issuing root lists the certificate.
    Revoked {
        /// The revocation date the CRL gives.
        at: DateTime<Utc>,
    },
    /// The certificate does not allow signing (no digitalSignature / nonRepudiation key
    /// usage), or is a CA certificate.
    NotForSigning,
    /// A time-stamp's certificate does not have the timeStamping extended key usage (or
    /// may not sign, or is a CA certificate).
    NotForTimestamping,
}

impl Untrusted {
    /// A stable code for `verify --json`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::SelfIssued => "self_issued",
            Self::UnknownIssuer => "unknown_issuer",
            Self::NoSigningTime => "no_signing_time",
            Self::NotYetValid => "not_yet_valid",
            Self::Expired => "expired",
            Self::RootNotValid => "root_not_valid",
            Self::Revoked { .. } => "revoked",
            Self::NotForSigning => "not_for_signing",
            Self::NotForTimestamping => "not_for_timestamping",
        }
    }

    /// The reason, in words for the user.
    pub fn message(&self) -> String {
        match self {
            Self::SelfIssued => {
                "证书是自签的（练习证书或他人自制的证书），不是县级证书机构签发的".to_owned()
            }
            Self::UnknownIssuer => {
                "证书不是本机已安装的县级根证书签发的（其他机构的证书，或本机未安装根证书）"
                    .to_owned()
            }
            Self::NoSigningTime => "签名没有声明签名时间，无法判断证书当时是否有效".to_owned(),
            Self::NotYetValid => "签名时间早于证书生效时间".to_owned(),
            Self::Expired => "签名时证书已过期".to_owned(),
            Self::RootNotValid => "签名时县级根证书不在有效期内".to_owned(),
            Self::Revoked { at } => format!(
                "证书已于 {} 被吊销",
                at.with_timezone(&crate::clock::CHINA_OFFSET).format("%Y-%m-%d")
            ),
            Self::NotForSigning => "证书不允许用于签名（密钥用途不符）".to_owned(),
            Self::NotForTimestamping => {
                "证书不是时间戳服务证书（没有 timeStamping 扩展密钥用途）".to_owned()
            }
        }
    }
}

/// Checks `cert` against the installed `roots` and `crls` at the claimed time `at`.
pub fn check(
    cert: &Certificate,
    roots: &[Certificate],
    crls: &[CertificateList],
    at: Option<DateTime<Utc>>,
) -> Result<Issued, Untrusted> {
    check_for(cert, roots, crls, at, Purpose::Signing)
}

/// Checks a time-stamp authority's `cert` like [`check`], at the token's `genTime`, and
/// that it is meant for time-stamping (RFC 3161 §2.3: the extended key usage
/// id-kp-timeStamping, the only one, critical).
pub fn check_timestamping(
    cert: &Certificate,
    roots: &[Certificate],
    crls: &[CertificateList],
    at: DateTime<Utc>,
) -> Result<Issued, Untrusted> {
    check_for(cert, roots, crls, Some(at), Purpose::Timestamping)
}

/// What a certificate is checked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Purpose {
    Signing,
    Timestamping,
}

fn check_for(
    cert: &Certificate,
    roots: &[Certificate],
    crls: &[CertificateList],
    at: Option<DateTime<Utc>>,
    purpose: Purpose,
) -> Result<Issued, Untrusted> {
    let tbs = &cert.tbs_certificate;
    let Some(root) = issuer(cert, roots) else {
        return Err(if tbs.issuer == tbs.subject {
            Untrusted::SelfIssued
        } else {
            Untrusted::UnknownIssuer
        });
    };
    if !may_sign(cert) {
        return Err(Untrusted::NotForSigning);
    }
    if purpose == Purpose::Timestamping && !is_timestamping(cert) {
        return Err(Untrusted::NotForTimestamping);
    }
    let at = at.ok_or(Untrusted::NoSigningTime)?;
    let (from, until) = validity(cert);
    if at < from {
        return Err(Untrusted::NotYetValid);
    }
    if at > until {
        return Err(Untrusted::Expired);
    }
    let (root_from, root_until) = validity(root);
    if at < root_from || at > root_until {
        return Err(Untrusted::RootNotValid);
    }
    if let Some(at) = revoked_at(cert, root, crls) {
        return Err(Untrusted::Revoked { at });
    }
    Ok(Issued {
        root: root.tbs_certificate.subject.to_string(),
        account: subject_text(&tbs.subject, UID),
        number: subject_text(&tbs.subject, SERIAL_NUMBER),
    })
}

/// The installed root (a CA) that issued `cert`, by name and signature.
pub fn issuer<'a>(cert: &Certificate, roots: &'a [Certificate]) -> Option<&'a Certificate> {
    roots.iter().find(|root| is_ca(root) && verify_issued_by(cert, root))
}

/// The earliest revocation date of `cert` on the CRLs of `root` among `crls`.
pub fn revoked_at(
    cert: &Certificate,
    root: &Certificate,
    crls: &[CertificateList],
) -> Option<DateTime<Utc>> {
    crls.iter()
        .filter(|crl| verify_crl_issued_by(crl, root))
        .flat_map(|crl| crl.tbs_cert_list.revoked_certificates.iter().flatten())
        .filter(|entry| entry.serial_number == cert.tbs_certificate.serial_number)
        .map(|entry| DateTime::<Utc>::from(entry.revocation_date.to_system_time()))
        .min()
}

/// The certificate's validity period.
fn validity(cert: &Certificate) -> (DateTime<Utc>, DateTime<Utc>) {
    let validity = &cert.tbs_certificate.validity;
    (validity.not_before.to_system_time().into(), validity.not_after.to_system_time().into())
}

/// The extension `T` of `cert`, if present and readable.
fn extension<T: for<'a> der::Decode<'a> + const_oid::AssociatedOid>(
    cert: &Certificate,
) -> Option<T> {
    cert.tbs_certificate
        .extensions
        .iter()
        .flatten()
        .find(|ext| ext.extn_id == T::OID)
        .and_then(|ext| T::from_der(ext.extn_value.as_bytes()).ok())
}

/// A root that may issue certificates: CA=true and keyCertSign.
fn is_ca(root: &Certificate) -> bool {
    extension::<BasicConstraints>(root).is_some_and(|bc| bc.ca)
        && extension::<KeyUsage>(root).is_some_and(|ku| ku.key_cert_sign())
}

/// An end-entity certificate whose key may sign documents.
fn may_sign(cert: &Certificate) -> bool {
    let ca = extension::<BasicConstraints>(cert).is_some_and(|bc| bc.ca);
    let usage = extension::<KeyUsage>(cert)
        .is_some_and(|ku| ku.digital_signature() || ku.non_repudiation());
    !ca && usage
}

/// RFC 3161 §2.3: the certificate's only extended key usage is id-kp-timeStamping, and
/// the extension is critical.
pub fn is_timestamping(cert: &Certificate) -> bool {
    cert.tbs_certificate
        .extensions
        .iter()
        .flatten()
        .find(|ext| ext.extn_id == <ExtendedKeyUsage as const_oid::AssociatedOid>::OID)
        .is_some_and(|ext| {
            ext.critical
                && ExtendedKeyUsage::from_der(ext.extn_value.as_bytes())
                    .is_ok_and(|eku| eku.0 == [ID_KP_TIME_STAMPING])
        })
}

#[cfg(test)]
mod tests {
    use std::str::FromStr as _;
    use std::time::SystemTime;

    use der::Encode as _;
    use der::asn1::BitString;
    use p256::ecdsa::signature::Signer as _;
    use p256::ecdsa::{DerSignature, SigningKey};
    use rand_core::OsRng;
    use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};
    use x509_cert::builder::{Builder as _, CertificateBuilder, Profile};
    use x509_cert::crl::{RevokedCert, TbsCertList};
    use x509_cert::name::Name;
    use x509_cert::serial_number::SerialNumber;
    use x509_cert::time::{Time, Validity};

    use super::*;

    fn t(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).unwrap().to_utc()
    }

    fn time(at: DateTime<Utc>) -> Time {
        Time::try_from(SystemTime::from(at)).unwrap()
    }

    fn cert(
        profile: Profile,
        subject: &str,
        serial: u8,
        key: &SigningKey,
        subject_key: &SigningKey,
        from: &str,
        until: &str,
    ) -> Certificate {
        let validity = Validity { not_before: time(t(from)), not_after: time(t(until)) };
        let public = SubjectPublicKeyInfoOwned::from_key(*subject_key.verifying_key()).unwrap();
        CertificateBuilder::new(
            profile,
            SerialNumber::new(&[serial]).unwrap(),
            validity,
            Name::from_str(subject).unwrap(),
            public,
            key,
        )
        .unwrap()
        .build::<DerSignature>()
        .unwrap()
    }

    struct County {
        key: SigningKey,
        root: Certificate,
    }

    fn county(name: &str) -> County {
        let key = SigningKey::random(&mut OsRng);
        let subject = format!("CN={name} root,O={name},C=CN");
        let root = cert(
            Profile::Root,
            &subject,
            1,
            &key,
            &key,
            "2026-01-01T00:00:00Z",
            "2046-01-01T00:00:00Z",
        );
        County { key, root }
    }

    fn assessor(county: &County, serial: u8, until: &str) -> Certificate {
        let own = SigningKey::random(&mut OsRng);
        let issuer = county.root.tbs_certificate.subject.clone();
        let profile =
            Profile::Leaf { issuer, enable_key_agreement: false, enable_key_encipherment: false };
        let subject = "CN=李明,UID=liming,serialNumber=PG-001,O=Gengma,C=CN";
        cert(profile, subject, serial, &county.key, &own, "2026-06-01T00:00:00Z", until)
    }

    fn crl(county: &County, serials: &[u8], at: &str) -> CertificateList {
        let revoked = serials
            .iter()
            .map(|&s| RevokedCert {
                serial_number: SerialNumber::new(&[s]).unwrap(),
                revocation_date: time(t(at)),
                crl_entry_extensions: None,
            })
            .collect();
        let algorithm = AlgorithmIdentifierOwned {
            oid: const_oid::db::rfc5912::ECDSA_WITH_SHA_256,
            parameters: None,
        };
        let tbs = TbsCertList {
            version: x509_cert::Version::V2,
            signature: algorithm.clone(),
            issuer: county.root.tbs_certificate.subject.clone(),
            this_update: time(t(at)),
            next_update: Some(time(t(at) + chrono::TimeDelta::days(30))),
            revoked_certificates: Some(revoked),
            crl_extensions: None,
        };
        let signature: DerSignature = county.key.sign(&tbs.to_der().unwrap());
        CertificateList {
            tbs_cert_list: tbs,
            signature_algorithm: algorithm,
            signature: BitString::from_bytes(signature.as_bytes()).unwrap(),
        }
    }

    #[test]
    fn a_county_issued_certificate_is_trusted_with_its_account_and_number() {
        let gengma = county("Gengma");
        let leaf = assessor(&gengma, 7, "2029-06-01T00:00:00Z");
        let issued =
            check(&leaf, std::slice::from_ref(&gengma.root), &[], Some(t("2026-12-01T09:00:00Z")));
        let issued = issued.unwrap();
        assert_eq!(issued.account.as_deref(), Some("liming"));
        assert_eq!(issued.number.as_deref(), Some("PG-001"));
        assert!(issued.root.contains("Gengma root"), "{}", issued.root);
    }

    #[test]
    fn every_untrusted_case_has_its_reason() {
        let gengma = county("Gengma");
        let other = county("Other");
        let roots = [gengma.root.clone()];
        let now = Some(t("2026-12-01T09:00:00Z"));
        let leaf = assessor(&gengma, 7, "2029-06-01T00:00:00Z");

        assert_eq!(check(&leaf, &[], &[], now), Err(Untrusted::UnknownIssuer));
        let foreign = assessor(&other, 7, "2029-06-01T00:00:00Z");
        assert_eq!(check(&foreign, &roots, &[], now), Err(Untrusted::UnknownIssuer));
        // Same name, another key: the forger's root does not verify.
        let forged_root = county("Gengma");
        let forged = assessor(&forged_root, 7, "2029-06-01T00:00:00Z");
        assert_eq!(check(&forged, &roots, &[], now), Err(Untrusted::UnknownIssuer));
        assert_eq!(check(&gengma.root, &roots, &[], now), Err(Untrusted::NotForSigning));
        assert_eq!(
            check(&other.root, &roots, &[], now),
            Err(Untrusted::SelfIssued),
            "a self-signed certificate"
        );

        assert_eq!(check(&leaf, &roots, &[], None), Err(Untrusted::NoSigningTime));
        let before = Some(t("2026-05-01T00:00:00Z"));
        assert_eq!(check(&leaf, &roots, &[], before), Err(Untrusted::NotYetValid));
        let expired = assessor(&gengma, 8, "2026-11-01T00:00:00Z");
        assert_eq!(check(&expired, &roots, &[], now), Err(Untrusted::Expired));

        let revocation = crl(&gengma, &[7], "2026-11-30T00:00:00Z");
        let revoked = check(&leaf, &roots, std::slice::from_ref(&revocation), now);
        assert_eq!(revoked, Err(Untrusted::Revoked { at: t("2026-11-30T00:00:00Z") }));
        // A signature claiming an earlier time is no better: the claim is the signer's.
        let earlier = Some(t("2026-07-01T00:00:00Z"));
        assert!(matches!(
            check(&leaf, &roots, &[revocation], earlier),
            Err(Untrusted::Revoked { .. })
        ));
        // A CRL of another root, or one listing other serials, revokes nothing.
        assert!(check(&leaf, &roots, &[crl(&other, &[7], "2026-11-30T00:00:00Z")], now).is_ok());
        assert!(check(&leaf, &roots, &[crl(&gengma, &[9], "2026-11-30T00:00:00Z")], now).is_ok());
    }
}
