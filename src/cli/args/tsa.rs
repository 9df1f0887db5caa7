//! The arguments of trusted time: `ca issue-tsa` (the county's time-stamp authority
//! certificate) and `timestamp` (a document time-stamp on a signed report, by hand; the
//! county server time-stamps received reports itself).

use std::path::PathBuf;

use super::OptionalSignIn;

/// `elder-assess ca issue-tsa`.
#[derive(Debug, clap::Args)]
pub struct CaIssueTsaArgs {
    /// The authority's name (the certificate's CN), e.g. `耿马县评估时间戳服务`.
    #[arg(long)]
    pub name: String,
    /// Where to write the certificate, followed by the county root (PEM).
    #[arg(long, value_name = "TSA.crt.pem")]
    pub out_cert: PathBuf,
    /// Where to write the new key (unencrypted PKCS#8 PEM, 0600); must not exist.
    #[arg(long, value_name = "TSA.key.pem")]
    pub out_key: PathBuf,
    /// Valid for this many days from now (at most the root's validity).
    #[arg(long, default_value_t = 1825)]
    pub days: u32,
    /// Read the root key's passphrase from this file (else `ELDER_ASSESS_PASSPHRASE`,
    /// else the terminal).
    #[arg(long, value_name = "FILE")]
    pub passphrase_file: Option<PathBuf>,
    /// Who issues (an admin, once accounts exist).
    #[command(flatten)]
    pub sign_in: OptionalSignIn,
}

/// `elder-assess timestamp`.
#[derive(Debug, clap::Args)]
pub struct TimestampArgs {
    /// The signed report.
    #[arg(value_name = "REPORT.pdf")]
    pub file: PathBuf,
    /// The time-stamp authority's certificate (PEM, from `ca issue-tsa`).
    #[arg(long, value_name = "TSA.crt.pem")]
    pub tsa_cert: PathBuf,
    /// The time-stamp authority's key (unencrypted PKCS#8 PEM, from `ca issue-tsa`).
    #[arg(long, value_name = "TSA.key.pem")]
    pub tsa_key: PathBuf,
    /// Where to write the time-stamped report.
    #[arg(long, value_name = "OUT.pdf")]
    pub out: PathBuf,
}
