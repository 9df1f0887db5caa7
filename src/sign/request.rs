//! Certificate requests (PKCS#10) for accounts' keys: what an assessor sends to the
//! county's certificate authority (`keys request`), and the checks the authority makes
//! before it issues anything (`ca issue`).
//!
//! A request names the account as its practice certificate does (`C=CN, CN=<registered
//! name>, UID=<login>`) and is signed by the account's key, so it proves possession of
//! that key. [`read_request`] accepts only a request whose own signature verifies
//! (ECDSA P-256 with SHA-256): a request edited after signing is refused.

use const_oid::db::rfc4519::COMMON_NAME;
use der::pem::LineEnding;
use der::{DecodePem as _, Encode as _, EncodePem as _};
use p256::ecdsa::DerSignature;
use x509_cert::builder::{Builder as _, RequestBuilder};
use x509_cert::request::CertReq;

use super::SignError;
use super::keys::{Signer, practice_subject};
use super::x509::{UID, subject_text, verify_with_spki};

/// A request that [`read_request`] checked: its signature verifies, and it names a
/// registered name and a login.
#[derive(Debug, Clone)]
pub struct Request {
    /// The PKCS#10 request.
    pub request: CertReq,
    /// Its subject's `CN` (the registered name).
    pub name: String,
    /// Its subject's `UID` (the login).
    pub login: String,
}

/// The PEM (`CERTIFICATE REQUEST`) of a request for `signer`'s key, which must be an
/// account's key: subject `C=CN, CN=<name>, UID=<login>`.
pub fn create_request(signer: &Signer) -> Result<String, SignError> {
    let login = signer.account().ok_or_else(|| {
        SignError::BadRequest("这把密钥不属于任何账号，请用 keys new --as 账号 创建".to_owned())
    })?;
    let subject = practice_subject(signer.name(), Some(login))?;
    let request = RequestBuilder::new(subject, signer.signing_key())
        .map_err(SignError::crypto)?
        .build::<DerSignature>()
        .map_err(SignError::crypto)?;
    request.to_pem(LineEnding::LF).map_err(SignError::crypto)
}

/// Parses a PEM request and checks its own signature and its subject.
pub fn read_request(pem: &[u8]) -> Result<Request, SignError> {
    let request = CertReq::from_pem(pem)
        .map_err(|err| SignError::BadRequest(format!("不是 PEM 格式的证书申请（{err}）")))?;
    let info = request.info.to_der().map_err(SignError::crypto)?;
    if !verify_with_spki(&request.info.public_key, &request.algorithm, &info, &request.signature) {
        return Err(SignError::BadRequest(
            "申请的签名验证不通过（文件被改动过，或不是 P-256 密钥的申请）".to_owned(),
        ));
    }
    let subject = &request.info.subject;
    let name = subject_text(subject, COMMON_NAME)
        .ok_or_else(|| SignError::BadRequest("申请没有姓名（CN）".to_owned()))?;
    let login = subject_text(subject, UID)
        .ok_or_else(|| SignError::BadRequest("申请没有账号（UID）".to_owned()))?;
    Ok(Request { request, name, login })
}
