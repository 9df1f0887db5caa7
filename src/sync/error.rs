//! [`SyncError`]: what can be wrong with an envelope, a package or a sync exchange.
//!
//! Messages name the envelope (its id) and the reason, never a person's name, ID number
//! or diagnosis.

use thiserror::Error;

/// An envelope, decision, package or protocol message that cannot be accepted, or a sync
/// exchange that failed.
#[derive(Debug, Error)]
pub enum SyncError {
    /// Not a well-formed envelope id (32 lower-case hexadecimal characters).
    #[error("信封编号无效：应为 32 位小写十六进制字符")]
    BadId,
    /// Not a well-formed device id.
    #[error("设备编号无效：应为 32 位小写十六进制字符")]
    BadDevice,
    /// The JSON does not match the format (unknown field, wrong type, …).
    #[error("{what}格式无效：{detail}")]
    Format {
        /// What was being read (信封, 同步请求, …).
        what: &'static str,
        /// serde's message with the field path (never a value).
        detail: String,
    },
    /// A format version this program does not know.
    #[error("{what}版本 {found} 不受支持（本程序支持版本 {supported}）")]
    Version {
        /// What was being read.
        what: &'static str,
        /// The version found.
        found: u32,
        /// The version this program writes and reads.
        supported: u32,
    },
    /// The content hash does not match the body.
    #[error("信封 {id} 的内容摘要不符：内容已被改动或不完整")]
    Hash {
        /// The envelope (as claimed by the damaged file).
        id: String,
    },
    /// The device signature does not verify.
    #[error("信封 {id} 的设备签名无效")]
    Signature {
        /// The envelope.
        id: String,
    },
    /// The public key is not a P-256 key.
    #[error("设备公钥无效")]
    BadKey,
    /// The envelope's record fails the entrance checks.
    #[error("信封 {id} 的评估记录无效：{detail}")]
    Record {
        /// The envelope.
        id: String,
        /// What is wrong (field codes, never values).
        detail: String,
    },
    /// The envelope belongs to another county.
    #[error("信封 {id} 属于其他县（{county}），不能导入本县")]
    ForeignCounty {
        /// The envelope.
        id: String,
        /// The county it names.
        county: String,
    },
    /// Signing with the device key failed.
    #[error("设备签名失败")]
    Sign,
    // The refusals of `intake::check_envelope`, each naming the envelope.
    /// The signing device is not enrolled in the county.
    #[error("信封 {id} 来自未登记的设备")]
    UnknownDevice {
        /// The envelope.
        id: String,
    },
    /// The signing device was withdrawn.
    #[error("信封 {id} 来自已停用的设备")]
    RevokedDevice {
        /// The envelope.
        id: String,
    },
    /// The envelope's key is not the one the device enrolled with.
    #[error("信封 {id} 的设备公钥与登记的不一致")]
    DeviceKey {
        /// The envelope.
        id: String,
    },
    /// The record was scored with a scale other than the one in force.
    #[error("信封 {id} 使用的量表版本 {found} 不是本县现行的 {expected}，请更新程序后重新评分")]
    ScaleVersion {
        /// The envelope.
        id: String,
        /// The scale it names.
        found: String,
        /// The scale in force.
        expected: String,
    },
    /// The outcome in the envelope is not what the scale computes from its record.
    #[error("信封 {id} 的评估结果与按量表重新计算的结果不一致")]
    Outcome {
        /// The envelope.
        id: String,
    },
    /// The assessor or duty accounts are not the county's.
    #[error("信封 {id} 的评估员账号无效：{detail}")]
    Parties {
        /// The envelope.
        id: String,
        /// What is wrong (logins only).
        detail: String,
    },
    /// The signed report does not verify through the county trust.
    #[error("信封 {id} 的签名报告无效：{detail}")]
    Report {
        /// The envelope.
        id: String,
        /// What is wrong.
        detail: String,
    },
    /// A row of the device's audit trail does not hash to its recorded hash, or the rows
    /// are not chained.
    #[error("信封 {id} 的设备审计记录第 {seq} 条摘要不符")]
    Audit {
        /// The envelope.
        id: String,
        /// The row.
        seq: i64,
    },
    /// The device cannot check envelopes: its scale, county file or trust is unusable.
    #[error("本机无法检查收到的评估：{what}")]
    DeviceSetup {
        /// What is missing.
        what: String,
    },
    /// The server URL is not `https://`.
    #[error("服务器地址必须以 https:// 开头")]
    NotHttps,
    /// No county root is installed to check the server's certificate.
    #[error("本机没有安装县级根证书，无法验证服务器（先运行 elder-assess trust add 根证书.pem）")]
    NoCountyRoot,
    /// The server could not be reached or the exchange broke off (nothing was lost).
    #[error("无法与县级服务器通信：{detail}；数据仍在本机，稍后可重试")]
    Network {
        /// What failed (its kind, never a body).
        detail: String,
    },
    /// The server answered with an error.
    #[error("县级服务器拒绝了请求（HTTP {status}）：{message}")]
    Server {
        /// The HTTP status.
        status: u16,
        /// The server's message.
        message: String,
    },
    /// The device's store failed during a sync or a package import.
    #[error("{0}")]
    Store(#[from] crate::store::StoreError),
    /// The device is not enrolled.
    #[error("本机尚未登记到县级服务器（先运行 elder-assess enrol）")]
    NotEnrolled,
    /// A package whose own hash or signature does not verify.
    #[error("U盘数据包的{what}无效：内容已被改动或不完整")]
    PackageDamaged {
        /// 摘要 or 签名.
        what: &'static str,
    },
    /// A package (or an envelope) from a device the roster does not list, or withdrew,
    /// or with another key.
    #[error("{what}来自未登记、已撤销或密钥不符的设备 {device}")]
    UnenrolledDevice {
        /// 数据包 or 信封 <id>.
        what: String,
        /// The device id.
        device: String,
    },
    /// A package from another county.
    #[error("U盘数据包属于其他县（{county}），不能导入本县")]
    PackageForeignCounty {
        /// The county it names.
        county: String,
    },
    /// An envelope in the package conflicts with the one already imported under its id.
    #[error("信封 {id} 与已导入的同一编号信封内容不同（重放且被改动），数据包未导入")]
    Replayed {
        /// The envelope.
        id: String,
    },
    /// A file could not be read or written.
    #[error("无法读写文件 {path}：{reason}")]
    File {
        /// The file.
        path: std::path::PathBuf,
        /// The OS's reason.
        reason: String,
    },
}

impl SyncError {
    /// A [`SyncError::Format`] from a `serde_json` error: its category and position
    /// only, never its message, which can quote a value (an ID number, a name).
    pub fn format(what: &'static str, err: &serde_json::Error) -> Self {
        let kind = match err.classify() {
            serde_json::error::Category::Io => "读取失败",
            serde_json::error::Category::Syntax => "不是有效的 JSON",
            serde_json::error::Category::Data => "字段缺失、多余或类型不符",
            serde_json::error::Category::Eof => "内容不完整（被截断）",
        };
        Self::Format {
            what,
            detail: format!("{kind}（第 {} 行第 {} 列）", err.line(), err.column()),
        }
    }
}
