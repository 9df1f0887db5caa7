//! Small file helpers shared by the CLI, the app and the store: atomic writes through
//! private temporary files, and owner-only permissions for personal data.
//!
//! # Temporary files
//!
//! A temporary file is created next to its target as `.{target name}.{16 hex}.tmp`, the
//! 16 hex digits from the operating system's random generator, with `create_new` (so an
//! existing file or symlink under that name is never opened or followed) and, on Unix,
//! mode 0600. It is removed if anything fails before the rename. A crash between writing
//! and renaming can still leave one behind (private, 0600); the next atomic write into
//! the same directory removes every file of that pattern older than [`STALE_AFTER`]
//! (younger ones may belong to a write in progress in another process).
//!
//! # Permissions
//!
//! On Unix, [`create_private_dir_all`] makes directories 0700 and [`make_private`]
//! tightens an existing file to 0600 or a directory to 0700. On other platforms both
//! only create or do nothing: the per-user data directory is already private there.

use std::fs::File;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rand_core::RngCore as _;

/// A temporary file older than this is a leftover from a crash.
pub const STALE_AFTER: Duration = Duration::from_mins(10);

/// The end of every temporary file name.
const TEMP_SUFFIX: &str = ".tmp";

/// Writes `bytes` to `path` through a private temporary file in the same directory
/// (fsynced, then renamed), so a failed write never leaves a half-written file under the
/// final name, and the final file is 0600 on Unix. Stale temporary files of an earlier
/// crash in that directory are removed first.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = parent_dir(path);
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    remove_stale_temps(dir);
    let (mut file, temp) = create_temp(dir, &name)?;
    let result = file
        .write_all(bytes)
        .and_then(|()| file.sync_all())
        .and_then(|()| std::fs::rename(&temp, path))
        .map(|()| sync_dir(dir));
    if result.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    result
}

/// The directory `path` is in (`.` for a bare file name).
pub fn parent_dir(path: &Path) -> &Path {
    path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."))
}

/// Creates a new, empty temporary file for `name` in `dir` (see the module docs).
pub fn create_temp(dir: &Path, name: &str) -> std::io::Result<(File, PathBuf)> {
    loop {
        let temp = dir.join(temp_name(name));
        let mut options = std::fs::OpenOptions::new();
        options.read(true).write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt as _;
            options.mode(0o600);
        }
        match options.open(&temp) {
            Ok(file) => return Ok((file, temp)),
            // 2^64 names: a collision means someone planted this one; pick another.
            Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(error) => return Err(error),
        }
    }
}

/// `.{name}.{16 random hex digits}.tmp`.
fn temp_name(name: &str) -> String {
    let random = rand_core::OsRng.next_u64();
    format!(".{name}.{random:016x}{TEMP_SUFFIX}")
}

/// What `SQLite` may add to a database file's name (a temporary backup copy's journal).
pub const SQLITE_SIDE_FILES: [&str; 3] = ["-journal", "-wal", "-shm"];

/// Whether `file_name` is one of ours: `.{something}.{16 hex}.tmp`, or such a name with
/// one of [`SQLITE_SIDE_FILES`] appended.
pub fn is_temp_name(file_name: &str) -> bool {
    let file_name =
        SQLITE_SIDE_FILES.iter().find_map(|side| file_name.strip_suffix(side)).unwrap_or(file_name);
    let Some(rest) = file_name.strip_prefix('.').and_then(|r| r.strip_suffix(TEMP_SUFFIX)) else {
        return false;
    };
    let Some((stem, random)) = rest.rsplit_once('.') else {
        return false;
    };
    !stem.is_empty() && random.len() == 16 && random.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Removes the temporary files of our pattern in `dir` last modified more than
/// [`STALE_AFTER`] ago. Returns how many were removed; errors are ignored (a leftover is
/// private and harmless).
pub fn remove_stale_temps(dir: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    let mut removed = 0;
    for entry in entries.filter_map(Result::ok) {
        let is_ours = entry.file_name().to_str().is_some_and(is_temp_name);
        // `DirEntry::metadata` does not follow symlinks: only plain files are removed.
        let stale = entry.metadata().is_ok_and(|meta| {
            meta.is_file()
                && meta.modified().is_ok_and(|t| t.elapsed().is_ok_and(|age| age > STALE_AFTER))
        });
        if is_ours && stale && std::fs::remove_file(entry.path()).is_ok() {
            removed += 1;
        }
    }
    removed
}

/// Flushes `dir`'s entries (a rename into it) to disk. Best effort, and a no-op where a
/// directory cannot be opened as a file (Windows).
pub fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(handle) = File::open(dir) {
        let _ = handle.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

/// Creates `dir` and any missing parents; on Unix, the ones created are 0700 and `dir`
/// itself is tightened (see [`make_private`]) if it already existed — best effort: a
/// directory owned by another user is left as it is.
pub fn create_private_dir_all(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt as _;
        builder.mode(0o700);
    }
    builder.create(dir)?;
    let _ = make_private(dir);
    Ok(())
}

/// On Unix, removes group and other permissions (and a file's execute bit) from an
/// existing file (at most 0600) or directory (at most 0700); a missing path is fine.
/// Does nothing elsewhere.
pub fn make_private(path: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let meta = match std::fs::symlink_metadata(path) {
            Ok(meta) => meta,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(error) => return Err(error),
        };
        // A symlink is left alone: chmod would change whatever it points to.
        if meta.file_type().is_symlink() {
            return Ok(());
        }
        // Only bits are removed, never added: a 0500 directory stays read-only.
        let mode = meta.permissions().mode() & 0o777;
        let private = if meta.is_dir() { mode & 0o700 } else { mode & 0o600 };
        if private != mode {
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(private))?;
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("elder-assess-files-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn temp_names_are_random_and_recognised() {
        let a = temp_name("导出.csv");
        let b = temp_name("导出.csv");
        assert_ne!(a, b);
        assert!(is_temp_name(&a), "{a}");
        assert!(is_temp_name(&format!("{a}-journal")), "{a}");
        assert!(a.starts_with(".导出.csv."));
        assert_eq!(Path::new(&a).extension(), Some("tmp".as_ref()));
        for other in [
            "导出.csv",
            ".x.tmp",
            ".x.0123.tmp",
            "..0123456789abcdef.tmp",
            ".x.0123456789abcdeg.tmp",
        ] {
            assert!(!is_temp_name(other), "{other}");
        }
    }

    #[test]
    fn an_atomic_write_leaves_one_private_file_and_clears_stale_temps() {
        let dir = scratch("atomic");
        let stale = dir.join(".old.csv.0123456789abcdef.tmp");
        std::fs::write(&stale, b"names").unwrap();
        let old = std::time::SystemTime::now() - STALE_AFTER - Duration::from_mins(1);
        File::options().write(true).open(&stale).unwrap().set_modified(old).unwrap();
        let young = dir.join(".new.csv.fedcba9876543210.tmp");
        std::fs::write(&young, b"in progress").unwrap();

        let target = dir.join("out.csv");
        write_atomically(&target, b"a,b\n").unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"a,b\n");
        assert!(!stale.exists(), "a stale temp is removed");
        assert!(young.exists(), "a young temp may be another write in progress");
        let names: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names.len(), 2, "{names:?}");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(&target).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn a_failed_write_leaves_no_temp_and_a_symlink_is_never_followed() {
        let dir = scratch("failed");
        // The rename fails: the target is a non-empty directory.
        let target = dir.join("out.csv");
        std::fs::create_dir_all(target.join("inside")).unwrap();
        assert!(write_atomically(&target, b"x").is_err());
        let leftovers: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .filter(|e| e.as_ref().unwrap().file_name().to_string_lossy().ends_with(".tmp"))
            .collect();
        assert!(leftovers.is_empty());
        // A symlink planted under a temp-like name is not followed by `create_temp`.
        let victim = dir.join("victim");
        std::fs::write(&victim, b"keep").unwrap();
        let (_file, temp) = create_temp(&dir, "out.csv").unwrap();
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(&temp).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600, "a crash before the rename leaves only a private file");
        }
        std::fs::remove_file(&temp).unwrap();
        std::os::unix::fs::symlink(&victim, &temp).unwrap();
        assert!(std::fs::OpenOptions::new().write(true).create_new(true).open(&temp).is_err());
        assert_eq!(std::fs::read(&victim).unwrap(), b"keep");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn private_dirs_and_files_lose_group_and_other_bits() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = scratch("private");
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        let nested = dir.join("a/b");
        create_private_dir_all(&nested).unwrap();
        assert_eq!(mode(&dir.join("a")), 0o700);
        assert_eq!(mode(&nested), 0o700);
        std::fs::set_permissions(&nested, std::fs::Permissions::from_mode(0o755)).unwrap();
        create_private_dir_all(&nested).unwrap();
        assert_eq!(mode(&nested), 0o700, "an existing directory is tightened");
        let file = nested.join("f");
        std::fs::write(&file, b"x").unwrap();
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
        make_private(&file).unwrap();
        assert_eq!(mode(&file), 0o600);
        make_private(&dir.join("missing")).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
