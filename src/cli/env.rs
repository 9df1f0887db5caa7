//! What every command runs in, built once by [`super::run`]: the data directory
//! (`--data-dir`, else the per-user default), the clock, standard output, and opening
//! the store there ([`super::store_open`]).

use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, Utc};

use crate::clock::Clock;
use crate::store::Store;

use super::error::CliError;
use super::output::Out;
use super::store_open::{self, Access, Credentials};

/// The environment of one command.
pub struct Env {
    /// `--data-dir`, if given.
    data_dir: Option<PathBuf>,
    /// The clock ("now" for audit rows and sign-in, "today" for periods and due dates).
    clock: Box<dyn Clock>,
    /// Standard output.
    pub out: Out,
}

impl Env {
    /// The environment for `--data-dir` (if given) and `clock`, writing to stdout.
    pub fn new(data_dir: Option<PathBuf>, clock: Box<dyn Clock>) -> Self {
        Self { data_dir, clock, out: Out::stdout() }
    }

    /// The data directory: `--data-dir`, else the per-user default.
    pub fn data_dir(&self) -> Result<PathBuf, CliError> {
        data_dir(self.data_dir.as_deref())
    }

    /// The current instant.
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// Today in China Standard Time.
    pub fn today(&self) -> NaiveDate {
        self.clock.today()
    }

    /// Opens the store in the data directory for `access`, signing in as `who` if it is
    /// encrypted ([`store_open::open_as`]).
    pub fn open_store(&self, access: Access, who: &Credentials) -> Result<Store, CliError> {
        store_open::open_as(&self.data_dir()?, access, who, self.now())
    }
}

/// The data directory: `given`, else the per-user default.
pub fn data_dir(given: Option<&Path>) -> Result<PathBuf, CliError> {
    given.map(Path::to_path_buf).or_else(crate::store::default_data_dir).ok_or(CliError::NoDataDir)
}
