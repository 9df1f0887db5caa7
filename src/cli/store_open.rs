//! How the commands open the store: commands that only read (`stats`, `review queue`,
//! `review due`, `outcome`, a de-identified `export`, `audit verify`, `report NUMBER`)
//! open it read-only ([`Store::open_read_only`]: no write, no lock, no migration, so they
//! work in a read-only data directory and while another process writes); the others open
//! it for writing ([`Store::open`]), and a failed daily backup is reported on stderr.
//!
//! Either way a damaged file is refused before anything is written, and the message names
//! the real cause ([`StoreError`]'s words: damaged, read-only, locked, disk full, needs
//! upgrading) and the newest good backup.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::store::{Store, StoreError};

use super::usage_error;

/// Whether a command writes to the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Access {
    /// Only reads: opened read-only.
    Read,
    /// Writes (or signs in, which counts failed logins).
    Write,
}

/// The data directory: `--data-dir`, else the per-user default.
pub(super) fn data_dir(data_dir: Option<&Path>) -> Result<PathBuf, String> {
    data_dir
        .map(Path::to_path_buf)
        .or_else(crate::store::default_data_dir)
        .ok_or_else(|| "找不到用户数据目录，请用 --data-dir 指定".to_owned())
}

/// Opens the store in `dir` for `access`. A failed daily backup is printed on stderr
/// (the command goes on).
pub(super) fn open(dir: &Path, access: Access) -> Result<Store, StoreError> {
    match access {
        Access::Read => Store::open_read_only(dir),
        Access::Write => {
            let store = Store::open(dir)?;
            if let Some(problem) = store.backup_problem() {
                eprintln!("elder-assess: 警告：今天的自动备份未完成：{problem}");
            }
            Ok(store)
        }
    }
}

/// The message for a store that did not open.
pub(super) fn open_error(dir: &Path, error: &StoreError) -> String {
    format!("无法打开数据目录 {}：{error}", dir.display())
}

/// Opens the store in the data directory for `access` and runs `f`.
pub(super) fn with_store(
    data_dir_arg: Option<&Path>,
    access: Access,
    f: impl FnOnce(&Store) -> ExitCode,
) -> ExitCode {
    let dir = match data_dir(data_dir_arg) {
        Ok(dir) => dir,
        Err(message) => return usage_error(&message),
    };
    match open(&dir, access) {
        Ok(store) => f(&store),
        Err(err) => usage_error(&open_error(&dir, &err)),
    }
}
