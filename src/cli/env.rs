//! What every command runs in, built once by [`super::run`]: the data directory
//! (`--data-dir`, else the per-user default), the clock, standard output ([`Out`]), and
//! opening the store there ([`super::store_open`]).
//!
//! Standard output is one locked handle, and a closed pipe is not an error: `println!`
//! panics when stdout is gone (`elder-assess stats | head -1`: the reader exits, the next
//! write gets `EPIPE`). Once a write finds the pipe closed, [`Out`] prints nothing more
//! and says nothing, and the command runs to its end, so its files, its audit rows and
//! its exit code (a check's finding, exit 1) stay what they would have been. Any other
//! write failure is [`CliError::Stdout`].

use std::fmt::Display;
use std::io::{ErrorKind, StdoutLock, Write as _};
use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, Utc};

use crate::clock::Clock;
use crate::store::Store;

use super::error::CliError;
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

/// The commands' standard output.
pub struct Out {
    /// The locked handle.
    lock: StdoutLock<'static>,
    /// A write found the pipe closed: nobody reads any more.
    closed: bool,
}

impl Out {
    /// Locks standard output for the command.
    pub fn stdout() -> Self {
        Self { lock: std::io::stdout().lock(), closed: false }
    }

    /// Writes one line.
    pub fn line(&mut self, line: impl Display) -> Result<(), CliError> {
        if self.closed {
            return Ok(());
        }
        let written = writeln!(self.lock, "{line}");
        self.check(written)
    }

    /// Writes `value` as pretty JSON and a newline.
    pub fn json(&mut self, value: &impl serde::Serialize) -> Result<(), CliError> {
        if self.closed {
            return Ok(());
        }
        let written = serde_json::to_writer_pretty(&mut self.lock, value)
            .map_err(std::io::Error::from)
            .and_then(|()| writeln!(self.lock));
        self.check(written)
    }

    /// Flushes what is buffered (at the end of a command).
    pub fn flush(&mut self) -> Result<(), CliError> {
        if self.closed {
            return Ok(());
        }
        let flushed = self.lock.flush();
        self.check(flushed)
    }

    fn check(&mut self, written: std::io::Result<()>) -> Result<(), CliError> {
        match written {
            Ok(()) => Ok(()),
            Err(err) if err.kind() == ErrorKind::BrokenPipe => {
                self.closed = true;
                Ok(())
            }
            Err(err) => Err(CliError::Stdout(err)),
        }
    }
}
