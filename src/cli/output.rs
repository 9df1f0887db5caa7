//! Standard output for the commands: one locked handle, and a closed pipe is not an
//! error.
//!
//! `println!` panics when stdout is gone (`elder-assess stats | head -1`: the reader
//! exits, the next write gets `EPIPE`). [`Out`] writes through the locked handle instead;
//! once a write finds the pipe closed it prints nothing more and says nothing, and the
//! command runs to its end, so its files, its audit rows and its exit code (a check's
//! finding, exit 1) stay what they would have been. Any other write failure is
//! [`CliError::Stdout`].

use std::fmt::Display;
use std::io::{ErrorKind, StdoutLock, Write as _};

use super::error::CliError;

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
