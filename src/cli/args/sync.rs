//! The arguments of the sync commands: `enrol`, `sync`, `package export|import`.

use std::path::PathBuf;

use super::bureau::{OptionalSignIn, SignIn};

/// `elder-assess enrol`.
#[derive(Debug, clap::Args)]
pub struct EnrolArgs {
    /// The county server (`https://host:port`); its certificate must be issued by a
    /// county root installed with `trust add`.
    #[arg(long, value_name = "URL")]
    pub server: String,
    /// The county account enrolling this device, and its password.
    #[command(flatten)]
    pub sign_in: SignIn,
}

/// `elder-assess sync`.
#[derive(Debug, clap::Args)]
pub struct SyncArgs {
    /// Another server URL to use from now on (default: the one saved at enrolment).
    #[arg(long, value_name = "URL")]
    pub server: Option<String>,
    /// The account signed in (opens the encrypted store).
    #[command(flatten)]
    pub sign_in: OptionalSignIn,
}

/// `elder-assess package`.
#[derive(Debug, clap::Subcommand)]
pub enum PackageCommand {
    /// Write the outbox (envelopes and decisions) as one signed package for a USB stick.
    /// The items stay in the outbox until a sync confirms them.
    Export {
        /// Where to write it.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// The account signed in.
        #[command(flatten)]
        sign_in: OptionalSignIn,
    },
    /// Verify a package from a USB stick and import it (bureau or reviewer machine):
    /// nothing is imported from a refused package; its envelopes are relayed to the
    /// server at the next sync.
    Import {
        /// The package file.
        file: PathBuf,
        /// The account signed in.
        #[command(flatten)]
        sign_in: OptionalSignIn,
    },
}
