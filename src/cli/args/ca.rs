//! The arguments of the county certificate authority (`ca …`), the trust store
//! (`trust …`) and the account-key commands that talk to them (`keys request`,
//! `keys install`).

use std::path::PathBuf;

use clap::Subcommand;

use super::{OptionalSignIn, SignIn};

/// `elder-assess ca …`: the county root on the bureau's machine (`<data dir>/ca/`).
#[derive(Debug, Subcommand)]
pub enum CaCommand {
    /// Create the county root (encrypted key and self-signed certificate).
    Init(CaInitArgs),
    /// Export the county root certificate, for `trust add` on every machine.
    Cert {
        /// Where to write the certificate (PEM).
        #[arg(long, value_name = "FILE.pem")]
        out: PathBuf,
    },
    /// Issue an assessor certificate from an account's request (`keys new`).
    Issue(CaIssueArgs),
    /// Issue the county's time-stamp authority certificate (a new key, EKU timeStamping).
    IssueTsa(super::CaIssueTsaArgs),
    /// Revoke an issued certificate and write a fresh CRL.
    Revoke(CaRevokeArgs),
    /// Issue the county server's TLS certificate (and a fresh key).
    IssueServer(CaIssueServerArgs),
    /// List the issued certificates.
    List {
        /// Who asks (an admin, once accounts exist).
        #[command(flatten)]
        sign_in: OptionalSignIn,
    },
}

/// `elder-assess ca init`.
#[derive(Debug, clap::Args)]
pub struct CaInitArgs {
    /// The agency the root names (default: the bundled county's name).
    #[arg(long, value_name = "NAME")]
    pub agency: Option<String>,
    /// Read the root key's new passphrase from this file (else `ELDER_ASSESS_PASSPHRASE`,
    /// else the terminal, twice).
    #[arg(long, value_name = "FILE")]
    pub passphrase_file: Option<PathBuf>,
    /// Who creates it (an admin, once accounts exist).
    #[command(flatten)]
    pub sign_in: OptionalSignIn,
}

/// `elder-assess ca issue`.
#[derive(Debug, clap::Args)]
pub struct CaIssueArgs {
    /// The assessor's certificate request (PEM, from `keys new` or `keys request`).
    #[arg(value_name = "REQUEST.csr")]
    pub request: PathBuf,
    /// The account's login (must be the request's).
    #[arg(long)]
    pub login: String,
    /// The registered name (must be the request's).
    #[arg(long)]
    pub name: String,
    /// The assessor certificate number (评估员证书编号).
    #[arg(long)]
    pub number: String,
    /// Valid for this many days from now.
    #[arg(long, default_value_t = 1095, conflicts_with = "until")]
    pub days: u32,
    /// Valid until the end of this day (China time) instead.
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub until: Option<chrono::NaiveDate>,
    /// Where to write the certificate (PEM).
    #[arg(long, value_name = "CERT.pem")]
    pub out: PathBuf,
    /// Read the root key's passphrase from this file (else `ELDER_ASSESS_PASSPHRASE`,
    /// else the terminal).
    #[arg(long, value_name = "FILE")]
    pub passphrase_file: Option<PathBuf>,
    /// Who issues (an admin, once accounts exist).
    #[command(flatten)]
    pub sign_in: OptionalSignIn,
}

/// `elder-assess ca issue-server`.
#[derive(Debug, clap::Args)]
pub struct CaIssueServerArgs {
    /// A DNS name or IP address the server is reached at (repeat for more).
    #[arg(long = "host", value_name = "NAME_OR_IP", required = true)]
    pub hosts: Vec<String>,
    /// Where to write the certificate (PEM).
    #[arg(long, value_name = "CERT.pem")]
    pub out_cert: PathBuf,
    /// Where to write the private key (PKCS#8 PEM, unencrypted, 0600).
    #[arg(long, value_name = "KEY.pem")]
    pub out_key: PathBuf,
    /// Valid for this many days from now.
    #[arg(long, default_value_t = 825)]
    pub days: u32,
    /// Read the root key's passphrase from this file (else `ELDER_ASSESS_PASSPHRASE`,
    /// else the terminal).
    #[arg(long, value_name = "FILE")]
    pub passphrase_file: Option<PathBuf>,
    /// Who issues (an admin, once accounts exist).
    #[command(flatten)]
    pub sign_in: OptionalSignIn,
}

/// `elder-assess ca revoke`.
#[derive(Debug, clap::Args)]
pub struct CaRevokeArgs {
    /// The certificate's serial number (hex, as `ca list` prints it) or its PEM file.
    #[arg(value_name = "SERIAL_HEX|CERT.pem")]
    pub target: String,
    /// Where to write the new CRL (PEM), for `trust add` on every machine.
    #[arg(long, value_name = "CRL.pem")]
    pub out: PathBuf,
    /// Read the root key's passphrase from this file (else `ELDER_ASSESS_PASSPHRASE`,
    /// else the terminal).
    #[arg(long, value_name = "FILE")]
    pub passphrase_file: Option<PathBuf>,
    /// Who revokes (an admin, once accounts exist).
    #[command(flatten)]
    pub sign_in: OptionalSignIn,
}

/// `elder-assess trust …`: the county roots and CRLs this machine trusts.
#[derive(Debug, Subcommand)]
pub enum TrustCommand {
    /// Install a county root certificate or a CRL (PEM).
    Add {
        /// The file (`ca cert` or `ca revoke` output).
        #[arg(value_name = "FILE.pem")]
        file: PathBuf,
        /// Who installs (an admin, once accounts exist).
        #[command(flatten)]
        sign_in: OptionalSignIn,
    },
    /// List the installed roots and CRLs.
    List,
}

/// `elder-assess keys request`.
#[derive(Debug, clap::Args)]
pub struct KeysRequestArgs {
    /// Where to write the request (default: beside the key, `keys/acct-….csr.pem`).
    #[arg(long, value_name = "FILE.csr")]
    pub out: Option<PathBuf>,
    /// Read the key's passphrase from this file (else `ELDER_ASSESS_PASSPHRASE`, else the
    /// terminal).
    #[arg(long, value_name = "FILE")]
    pub passphrase_file: Option<PathBuf>,
    /// The account whose key it is.
    #[command(flatten)]
    pub sign_in: SignIn,
}

/// `elder-assess keys install`.
#[derive(Debug, clap::Args)]
pub struct KeysInstallArgs {
    /// The county-issued certificate (PEM, from `ca issue`).
    #[arg(value_name = "CERT.pem")]
    pub file: PathBuf,
    /// The account whose key it is.
    #[command(flatten)]
    pub sign_in: SignIn,
}
