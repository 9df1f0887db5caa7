//! Issue #10, point 2's access half and the file-mode half of point 5: read-only commands
//! open the database read-only (no write, no lock, no migration), messages name the real
//! cause, and the data, backups, keys, exports and temporary files are private.
//!
//! - **Read-only directory**: root ignores permission bits, so when the tests run as root
//!   (CI does) the data directory is given to uid 65534 and the CLI runs as that user
//!   (`CommandExt::uid`); otherwise the directory is simply made 0500.
//! - **Lock held by another process**: another connection holds `BEGIN IMMEDIATE` with a
//!   pending write, as the app does while saving.

use std::path::Path;
use std::time::{Duration, Instant};

use elder_assess::store::{DB_FILE_NAME, Status, Store};

use super::common::TempDir;
#[cfg(unix)]
use super::store_safety::mode;
use super::store_safety::{bin, daily_name, day, empty_import, record, run, stderr, store_dir};

#[cfg(target_os = "linux")]
#[test]
fn read_only_commands_work_in_a_read_only_data_directory() {
    use std::os::unix::fs::{MetadataExt as _, PermissionsExt as _};
    use std::os::unix::process::CommandExt as _;
    const NOBODY: u32 = 65_534;

    let (dir, data) = store_dir("read-only-dir", 1);
    let import = empty_import(&dir);
    let as_root = std::fs::metadata("/proc/self").unwrap().uid() == 0;
    if as_root {
        // Root ignores permission bits: the directory goes to another user, who runs it.
        for path in [data.clone(), data.join(DB_FILE_NAME), data.join("backups")] {
            std::os::unix::fs::chown(&path, Some(NOBODY), Some(NOBODY)).unwrap();
        }
    }
    std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o500)).unwrap();
    let cli = |args: &[&str]| {
        let mut command = bin();
        command.arg("--data-dir").arg(&data).args(args);
        if as_root {
            command.uid(NOBODY).gid(NOBODY);
        }
        command.output().unwrap()
    };
    for args in [
        &["stats", "--by", "township"][..],
        &["review", "queue"],
        &["review", "due"],
        &["outcome", "PG20251128-0001"],
        &["audit", "verify"],
    ] {
        let out = cli(args);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        assert!(!stderr(&out).contains("readonly"), "{args:?}: {}", stderr(&out));
    }
    let write = cli(&["import", import.to_str().unwrap()]);
    assert!(!write.status.success());
    assert!(stderr(&write).contains("只读"), "{}", stderr(&write));
    assert!(!stderr(&write).contains("readonly database"), "{}", stderr(&write));
    std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o700)).unwrap();
}

#[test]
fn read_only_commands_do_not_wait_for_another_writer() {
    let (dir, data) = store_dir("locked", 1);
    drop(Store::open(&data).unwrap()); // today's backup: the writing command below makes none
    let import = empty_import(&dir);
    let writer = rusqlite::Connection::open(data.join(DB_FILE_NAME)).unwrap();
    writer
        .execute_batch("BEGIN IMMEDIATE; INSERT INTO meta (key, value) VALUES ('held', 'yes');")
        .unwrap();

    for args in [
        &["stats", "--by", "township"][..],
        &["review", "queue"],
        &["outcome", "PG20251128-0001"],
        &["audit", "verify"],
    ] {
        let started = Instant::now();
        let out = run(&data, args);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        assert!(
            started.elapsed() < Duration::from_secs(3),
            "{args:?} waited {:?}",
            started.elapsed()
        );
    }
    let out = run(&data, &["import", import.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("另一个程序正在写入数据库"), "{}", stderr(&out));
    writer.execute_batch("ROLLBACK;").unwrap();
}

#[cfg(unix)]
#[test]
fn data_backups_keys_and_exports_are_private() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = TempDir::new("modes");
    let data = dir.path().join("data");
    let db = data.join(DB_FILE_NAME);
    let wal = data.join(format!("{DB_FILE_NAME}-wal"));
    let shm = data.join(format!("{DB_FILE_NAME}-shm"));
    {
        let store = Store::open_at(&data, day(0)).unwrap();
        store.save(&record(1), Status::Completed, Some(1), day(0)).unwrap();
        for path in [&db, &wal, &shm] {
            assert_eq!(mode(path), 0o600, "{}", path.display());
        }
        assert_eq!(mode(&data), 0o700);
    }
    drop(Store::open_at(&data, day(1)).unwrap());
    let backup = data.join("backups").join(daily_name(1));
    assert_eq!(mode(&data.join("backups")), 0o700);
    assert_eq!(mode(&backup), 0o600);

    // Files left 0644 in 0755 directories by an older version are tightened on open.
    let loosen = |path: &Path, bits| {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(bits)).unwrap();
    };
    std::fs::create_dir_all(data.join("keys")).unwrap();
    for folder in [&data, &data.join("backups"), &data.join("keys")] {
        loosen(folder, 0o755);
    }
    loosen(&db, 0o644);
    loosen(&backup, 0o644);
    drop(Store::open_at(&data, day(1)).unwrap());
    for folder in [&data, &data.join("backups"), &data.join("keys")] {
        assert_eq!(mode(folder), 0o700, "{}", folder.display());
    }
    assert_eq!(mode(&db), 0o600);
    assert_eq!(mode(&backup), 0o600);
    // A read-only open (`review queue`, `audit verify`, …) tightens them too: removing
    // permission bits needs no write access to the files.
    loosen(&data, 0o755);
    loosen(&db, 0o644);
    drop(Store::open_read_only(&data).unwrap());
    assert_eq!(mode(&data), 0o700);
    assert_eq!(mode(&db), 0o600);

    // An export is 0600, and a stale temporary file of a crashed export is cleared.
    let out_dir = dir.path().join("out");
    std::fs::create_dir_all(&out_dir).unwrap();
    let stale = out_dir.join(".full.csv.0123456789abcdef.tmp");
    std::fs::write(&stale, "岩温香,11010519491231002X").unwrap();
    let old = std::time::SystemTime::now() - Duration::from_hours(1);
    std::fs::File::options().write(true).open(&stale).unwrap().set_modified(old).unwrap();
    let csv = out_dir.join("export.csv");
    let out = run(&data, &["export", "--out", csv.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(mode(&csv), 0o600);
    assert!(!stale.exists(), "temp-file leftovers are removed by the next export there");
    let names: Vec<_> =
        std::fs::read_dir(&out_dir).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(names, ["export.csv"]);
}

#[test]
fn a_read_only_command_does_not_migrate_an_older_database() {
    let (_dir, data) = store_dir("needs-upgrade", 1);
    let db = data.join(DB_FILE_NAME);
    let older = elder_assess::store::SCHEMA_VERSION - 1;
    rusqlite::Connection::open(&db).unwrap().pragma_update(None, "user_version", older).unwrap();
    let bytes = std::fs::read(&db).unwrap();
    let out = run(&data, &["stats", "--by", "township"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("数据库需要升级"), "{}", stderr(&out));
    assert_eq!(std::fs::read(&db).unwrap(), bytes, "not migrated");
}
