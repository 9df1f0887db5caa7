//! The errors of key handling, signing and verification, with messages for people.

use std::path::PathBuf;

/// Everything that can go wrong with keys, passphrases and PDF signatures.
///
/// The `Display` text is the Chinese message shown to the assessor.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SignError {
    /// No key file for this name in the data directory.
    #[error("没有找到“{name}”的密钥，请先运行 elder-assess keys new --name {name}")]
    NoKey {
        /// The signer's name as asked for.
        name: String,
    },
    /// The account has no signing key on this machine.
    #[error("账号 {account} 在本机还没有签名密钥，请先运行 elder-assess keys new --as {account}")]
    NoAccountKey {
        /// The account's login.
        account: String,
    },
    /// A key (or its certificate) of this name already exists; it is never overwritten.
    #[error("“{name}”的密钥已存在（{}），不会覆盖", path.display())]
    KeyExists {
        /// The signer's name.
        name: String,
        /// The existing file.
        path: PathBuf,
    },
    /// The passphrase does not decrypt the key.
    #[error("口令不正确")]
    WrongPassphrase,
    /// A new key's passphrase is too short.
    #[error("口令太短：至少需要 {min} 个字符")]
    WeakPassphrase {
        /// The minimum number of characters.
        min: usize,
    },
    /// The signer's name cannot be used.
    #[error("签名人姓名“{name}”无效：{reason}")]
    BadName {
        /// The name as given.
        name: String,
        /// Why it was refused.
        reason: &'static str,
    },
    /// A file could not be read or written.
    #[error("无法读写 {}：{source}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// A key or certificate file exists but is damaged or of the wrong kind.
    #[error("密钥文件 {} 无效：{reason}", path.display())]
    BadKeyFile {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// The bytes are not a PDF that can be read.
    #[error("不是可读取的 PDF 文件：{0}")]
    NotPdf(String),
    /// The PDF has no page with this number.
    #[error("PDF 共 {count} 页，没有第 {page} 页")]
    NoPage {
        /// The requested page, counted from 1.
        page: usize,
        /// The number of pages.
        count: usize,
    },
    /// The signature field name cannot be used.
    #[error("签名域名称“{field}”无效：{reason}")]
    BadField {
        /// The field name.
        field: String,
        /// Why it was refused.
        reason: &'static str,
    },
    /// The PDF is readable but its structure does not allow adding a signature.
    #[error("无法在此 PDF 上签名：{0}")]
    Unsupported(String),
    /// The CMS signature is larger than the space reserved for it in the PDF.
    #[error("签名数据有 {size} 字节，超出 PDF 中预留的 {room} 字节")]
    SignatureTooLarge {
        /// The DER size of the CMS `SignedData`.
        size: usize,
        /// The reserved space.
        room: usize,
    },
    /// The county root already exists in this data directory; it is never overwritten.
    #[error("县级根证书已存在（{}），不会覆盖", path.display())]
    RootExists {
        /// The existing file.
        path: PathBuf,
    },
    /// This data directory has no county root (no `ca init` here).
    #[error("本机没有县级根证书（{}）：请先运行 elder-assess ca init", path.display())]
    NoRoot {
        /// The root certificate's expected file.
        path: PathBuf,
    },
    /// A certificate request (PKCS#10) is damaged, forged or not for this account.
    #[error("证书申请无效：{0}")]
    BadRequest(String),
    /// The certificate to issue cannot be issued as asked.
    #[error("无法签发证书：{0}")]
    BadIssue(String),
    /// No certificate with this serial number was issued by this county root.
    #[error("本机根证书没有签发过序列号为 {0} 的证书")]
    UnknownSerial(String),
    /// A root certificate or CRL offered to the trust store is refused.
    #[error("无法安装信任文件：{0}")]
    BadTrustFile(String),
    /// A county certificate cannot be installed for this account's key.
    #[error("证书不能安装到账号 {account} 的密钥：{reason}")]
    CertificateMismatch {
        /// The account's login.
        account: String,
        /// Why it was refused.
        reason: String,
    },
    /// A time-stamp authority's certificate or key cannot be used (no timeStamping key
    /// purpose, a key that is not the certificate's, unreadable PEM).
    #[error("时间戳服务证书或密钥不可用：{0}")]
    BadTimestampAuthority(String),
    /// A cryptographic or encoding step failed (should not happen with valid input).
    #[error("密码运算失败：{0}")]
    Crypto(String),
}

impl SignError {
    /// An I/O error on `path`.
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Self::Io { path: path.into(), source }
    }

    /// A cryptographic or encoding failure, from any displayable error.
    pub(crate) fn crypto(err: impl std::fmt::Display) -> Self {
        Self::Crypto(err.to_string())
    }
}
