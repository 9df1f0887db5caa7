//! Issue #10, points 1 and 2: backups that are backups, damage found before anything is
//! written (`store_access.rs` has the read-only commands and the file modes).
//!
//! Fault injection, and what is real here:
//! - **Full disk**: the CLI runs under `sh` with `ulimit -f` (`RLIMIT_FSIZE`) and SIGXFSZ
//!   ignored, so a write past the limit fails (EFBIG) in the middle of `VACUUM INTO`, as
//!   on a full disk (ENOSPC). Any user can lower its own limit, root or not, and no mount
//!   is needed. `SQLite` reports EFBIG as an I/O error rather than `SQLITE_FULL`; the
//!   wording for `SQLITE_FULL` is checked by a unit test in `store::backup`.
//! - **`kill -9` during a backup**: the CLI is killed (SIGKILL) once the backup's
//!   temporary file has bytes in it.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use elder_assess::record::AssessmentRecord;
use elder_assess::store::{DB_FILE_NAME, Status, Store, StoreError};

use super::common::TempDir;

pub(super) fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_elder-assess"))
}

pub(super) fn run(data: &Path, args: &[&str]) -> Output {
    bin().arg("--data-dir").arg(data).args(args).output().unwrap()
}

pub(super) fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// 2025-11-29 00:00 China Standard Time plus `n` days.
pub(super) fn day(n: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(1_764_345_600 + n * 86_400, 0).unwrap()
}

/// The complete example assessment (it scores) numbered `PG20251128-{n:04}`.
pub(super) fn record(n: u32) -> AssessmentRecord {
    let mut record: AssessmentRecord =
        serde_json::from_str(include_str!("data/example-assessment.json")).unwrap();
    record.info.number = format!("PG20251128-{n:04}");
    record
}

/// A store in `dir` with record 0 saved on day 0, then one open (making that day's
/// backup) and one more record on each of days 1..=`days`: the day-n backup holds n
/// records. Closed on return, so the WAL is checkpointed and gone.
pub(super) fn store_with_backups(dir: &Path, days: u32) {
    let store = Store::open_at(dir, day(0)).unwrap();
    store.save(&record(0), Status::Completed, Some(1), day(0)).unwrap();
    drop(store);
    for n in 1..=days {
        let store = Store::open_at(dir, day(i64::from(n))).unwrap();
        assert_eq!(store.backup_problem(), None);
        store.save(&record(n), Status::Completed, Some(1), day(i64::from(n))).unwrap();
    }
}

/// [`store_with_backups`] in `TempDir/data`.
pub(super) fn store_dir(name: &str, days: u32) -> (TempDir, PathBuf) {
    let dir = TempDir::new(name);
    let data = dir.path().join("data");
    store_with_backups(&data, days);
    (dir, data)
}

/// The name of the day-`n` daily backup.
pub(super) fn daily_name(n: i64) -> String {
    day(n)
        .with_timezone(&elder_assess::clock::CHINA_OFFSET)
        .format("elder-assess-%Y%m%d-%H%M%S-daily.sqlite3")
        .to_string()
}

/// Every entry in `dir/backups`, temporary files included, sorted.
fn backup_dir_entries(dir: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir.join("backups")) else {
        return Vec::new();
    };
    let mut names: Vec<String> =
        entries.map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    names
}

/// Adds a table of `megabytes` MB of random bytes through a raw connection, so that a
/// backup takes long enough to be interrupted.
fn pad(dir: &Path, megabytes: u32) {
    let raw = rusqlite::Connection::open(dir.join(DB_FILE_NAME)).unwrap();
    raw.execute_batch("CREATE TABLE padding (bytes BLOB NOT NULL);").unwrap();
    for _ in 0..megabytes {
        raw.execute("INSERT INTO padding VALUES (randomblob(1000000))", []).unwrap();
    }
}

/// A store in `TempDir/data` with backups of days 1 and 2, the second one taken after
/// adding `megabytes` MB of padding; also returns the names in `backups/`.
fn padded_store(name: &str, megabytes: u32) -> (TempDir, PathBuf, Vec<String>) {
    let (dir, data) = store_dir(name, 1);
    pad(&data, megabytes);
    drop(Store::open_at(&data, day(2)).unwrap());
    let good = backup_dir_entries(&data);
    (dir, data, good)
}

/// An empty JSON-lines file: `import` of it opens the store for writing and imports 0.
pub(super) fn empty_import(dir: &TempDir) -> PathBuf {
    let path = dir.path().join("empty.jsonl");
    std::fs::write(&path, "").unwrap();
    path
}

#[cfg(target_os = "linux")]
#[test]
fn a_backup_on_a_full_disk_leaves_no_file_and_keeps_the_good_ones() {
    let (dir, data, good) = padded_store("full-disk", 4);
    assert_eq!(good.len(), 2);
    let import = empty_import(&dir);

    // Today's (the real clock's) backup is due; files may not grow past 512 KB (dash
    // counts 512-byte blocks) or 1 MB (bash: 1 KB blocks).
    let limited = Command::new("/bin/sh")
        .args(["-c", r#"trap "" XFSZ; ulimit -f 1024; exec "$0" "$@""#])
        .arg(env!("CARGO_BIN_EXE_elder-assess"))
        .arg("--data-dir")
        .arg(&data)
        .arg("import")
        .arg(&import)
        .output()
        .unwrap();
    assert!(limited.status.success(), "the command still runs: {}", stderr(&limited));
    assert!(stderr(&limited).contains("今天的自动备份未完成"), "{}", stderr(&limited));
    assert_eq!(backup_dir_entries(&data), good, "no partial file, no temp, nothing rotated out");

    // The failed copy did not count as today's backup: the next open makes one.
    let next = run(&data, &["import", import.to_str().unwrap()]);
    assert!(next.status.success(), "{}", stderr(&next));
    assert!(!stderr(&next).contains("备份"), "{}", stderr(&next));
    let after = backup_dir_entries(&data);
    assert_eq!(after.len(), 3, "{after:?}");
    assert_eq!(Store::usable_backups(&data, None).len(), 3);
}

#[cfg(unix)]
#[test]
fn kill_9_during_a_backup_leaves_no_file_under_a_final_name() {
    let (dir, data, good) = padded_store("kill-backup", 64);
    let import = empty_import(&dir);

    let mut child = bin()
        .arg("--data-dir")
        .arg(&data)
        .arg("import")
        .arg(&import)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_mins(1);
    let temp = loop {
        let found = backup_dir_entries(&data).into_iter().find(|name| {
            name.starts_with(".elder-assess-")
                && Path::new(name).extension().is_some_and(|e| e == "tmp")
                && std::fs::metadata(data.join("backups").join(name)).is_ok_and(|m| m.len() > 0)
        });
        if let Some(name) = found {
            break data.join("backups").join(name);
        }
        assert!(
            child.try_wait().unwrap().is_none() && Instant::now() < deadline,
            "the backup finished before it could be interrupted"
        );
        std::thread::sleep(Duration::from_millis(1));
    };
    child.kill().unwrap(); // SIGKILL
    assert!(!child.wait().unwrap().success());

    // Only the temporary file (and its rollback journal) is new; it is private and never
    // listed or offered.
    let temp_name = temp.file_name().unwrap().to_string_lossy().into_owned();
    let new: Vec<String> =
        backup_dir_entries(&data).into_iter().filter(|name| !good.contains(name)).collect();
    assert!(!new.is_empty() && new.iter().all(|name| name.starts_with(&temp_name)), "{new:?}");
    for name in &new {
        assert_eq!(mode(&data.join("backups").join(name)), 0o600, "{name}");
    }
    assert_eq!(elder_assess::store::list_backups(&data).len(), good.len());
    assert_eq!(Store::usable_backups(&data, None).len(), good.len());

    // The next open backs up again, and a later backup removes the stale leftover.
    let store = Store::open_at(&data, day(3)).unwrap();
    assert_eq!(store.backup_problem(), None);
    drop(store);
    assert_eq!(Store::usable_backups(&data, None).len(), good.len() + 1);
    let old = std::time::SystemTime::now() - Duration::from_hours(1);
    for name in &new {
        let path = data.join("backups").join(name);
        std::fs::File::options().write(true).open(path).unwrap().set_modified(old).unwrap();
    }
    drop(Store::open_at(&data, day(4)).unwrap());
    let left: Vec<String> =
        backup_dir_entries(&data).into_iter().filter(|name| name.starts_with('.')).collect();
    assert!(left.is_empty(), "stale temporary files are removed by the next backup: {left:?}");
}

/// Flips the b-tree header and cell pointers of the first table page holding `needle`.
pub(super) fn flip_page_holding(db: &Path, needle: &[u8]) -> Vec<u8> {
    let mut bytes = std::fs::read(db).unwrap();
    let page_size = usize::from(u16::from_be_bytes([bytes[16], bytes[17]]));
    let at = bytes.windows(needle.len()).position(|w| w == needle).expect("needle in the file");
    let page = at / page_size;
    assert!(page > 0, "not the schema page");
    let start = page * page_size;
    for byte in &mut bytes[start + 1..start + 24] {
        *byte ^= 0xA5;
    }
    std::fs::write(db, &bytes).unwrap();
    bytes
}

#[test]
fn flipped_page_bytes_fail_every_command_and_import_writes_nothing() {
    let (dir, data) = store_dir("flipped", 2);
    let db = data.join(DB_FILE_NAME);
    let bytes = flip_page_holding(&db, b"PG20251128-0001");
    let backups = backup_dir_entries(&data);

    for args in [
        &["stats", "--by", "township"][..],
        &["review", "queue"],
        &["review", "due"],
        &["outcome", "PG20251128-0001"],
        &["export", "--out", dir.path().join("x.csv").to_str().unwrap()],
    ] {
        let out = run(&data, args);
        assert!(!out.status.success(), "{args:?} must fail");
        assert!(stderr(&out).contains("已损坏"), "{args:?}: {}", stderr(&out));
        assert!(
            stderr(&out).contains(&daily_name(2)),
            "names the newest good backup: {}",
            stderr(&out)
        );
    }
    let verify = run(&data, &["audit", "verify"]);
    assert_eq!(verify.status.code(), Some(1), "{}", stderr(&verify));
    assert!(!String::from_utf8_lossy(&verify.stdout).contains("哈希链完整"));

    let line = serde_json::to_string(&record(99)).unwrap();
    let jsonl = dir.path().join("one.jsonl");
    std::fs::write(&jsonl, line + "\n").unwrap();
    let import = run(&data, &["import", jsonl.to_str().unwrap()]);
    assert!(!import.status.success());
    assert_eq!(std::fs::read(&db).unwrap(), bytes, "import wrote nothing");
    assert!(!data.join(format!("{DB_FILE_NAME}-wal")).exists());
    assert_eq!(backup_dir_entries(&data), backups, "the damaged file was not backed up");
    assert!(!dir.path().join("x.csv").exists());
}

#[test]
fn audit_verify_runs_the_full_integrity_check() {
    // A changed indexed value: the row and its index entry disagree. `quick_check` (run
    // on every open) does not compare indexes; `integrity_check` does.
    let (_dir, data) = store_dir("index-mismatch", 1);
    let db = data.join(DB_FILE_NAME);
    let mut bytes = std::fs::read(&db).unwrap();
    let page_size = usize::from(u16::from_be_bytes([bytes[16], bytes[17]]));
    let needle = b"PG20251128-0001";
    let mut changed = 0;
    for at in 0..bytes.len() - needle.len() {
        // Only in table leaf pages (type 13), not in the index on `number`.
        if &bytes[at..at + needle.len()] == needle && bytes[at / page_size * page_size] == 13 {
            bytes[at + needle.len() - 1] = b'X';
            changed += 1;
        }
    }
    assert!(changed > 0);
    std::fs::write(&db, &bytes).unwrap();
    let verify = run(&data, &["audit", "verify"]);
    assert_eq!(verify.status.code(), Some(1), "{}", stderr(&verify));
    assert!(stderr(&verify).contains("完整性检查未通过"), "{}", stderr(&verify));
}

#[test]
fn a_zero_byte_or_cut_off_database_next_to_backups_is_damaged_not_new() {
    for cut in [0_u64, 4096] {
        let dir = TempDir::new("zero-byte");
        let data = dir.path().join("data");
        store_with_backups(&data, 2);
        let db = data.join(DB_FILE_NAME);
        std::fs::File::options().write(true).open(&db).unwrap().set_len(cut).unwrap();
        let backups = backup_dir_entries(&data);

        match Store::open_at(&data, day(5)).unwrap_err() {
            StoreError::Corrupt { latest_backup, .. } => assert_eq!(
                latest_backup.unwrap().file_name().unwrap().to_string_lossy(),
                daily_name(2)
            ),
            other => panic!("{cut}: expected Corrupt, got {other:?}"),
        }
        let verify = run(&data, &["audit", "verify"]);
        assert_eq!(verify.status.code(), Some(1), "{cut}: {}", stderr(&verify));
        assert!(!String::from_utf8_lossy(&verify.stdout).contains("共 0 条"));
        assert!(!run(&data, &["stats", "--by", "township"]).status.success());
        assert_eq!(std::fs::metadata(&db).unwrap().len(), cut, "left as it was");
        assert_eq!(backup_dir_entries(&data), backups, "no backup of the damaged file");
    }
    // Without backups, a 0-byte file is a new database.
    let dir = TempDir::new("zero-byte-new");
    std::fs::write(dir.db(), b"").unwrap();
    assert!(Store::open_at(dir.path(), day(0)).unwrap().list("").unwrap().is_empty());
}

#[test]
fn recovery_offers_every_good_backup_newest_first_and_keeps_the_damaged_file() {
    let (_dir, data) = store_dir("usable", 3);
    let backups = data.join("backups");
    // A 0-byte file and garbage under newer final names, and a temporary file.
    std::fs::write(backups.join(daily_name(9)), b"").unwrap();
    std::fs::write(backups.join(daily_name(8)), b"SQLite format 3\0 and then nothing".repeat(300))
        .unwrap();
    std::fs::write(backups.join(".elder-assess-x.sqlite3.0123456789abcdef.tmp"), b"").unwrap();

    let usable = Store::usable_backups(&data, None);
    let names: Vec<String> =
        usable.iter().map(|b| b.path.file_name().unwrap().to_string_lossy().into_owned()).collect();
    assert_eq!(names, [daily_name(3), daily_name(2), daily_name(1)]);
    assert_eq!(usable.iter().map(|b| b.records).collect::<Vec<_>>(), [3, 2, 1]);
    assert_eq!(usable[0].taken_at, Some(day(3)));

    // The damaged database names the newest good backup, not the 0-byte one.
    let db = data.join(DB_FILE_NAME);
    let damaged = flip_page_holding(&db, b"PG20251128-0001");
    let error = Store::open_at(&data, day(10)).unwrap_err();
    assert!(error.to_string().contains(&daily_name(3)), "{error}");
    let out = run(&data, &["stats", "--by", "township"]);
    assert!(stderr(&out).contains(&daily_name(3)), "{}", stderr(&out));

    // The user picks an older one; the damaged file is kept aside, byte for byte.
    let store = Store::open_backup(&data, &usable[2].path, day(10), None).unwrap();
    assert_eq!(store.list("").unwrap().len(), 1);
    let aside: Vec<PathBuf> = std::fs::read_dir(&data)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.to_string_lossy().contains(".damaged-") && p.to_string_lossy().ends_with(".sqlite3")
        })
        .collect();
    assert_eq!(aside.len(), 1, "{aside:?}");
    assert_eq!(std::fs::read(&aside[0]).unwrap(), damaged);
}

#[cfg(unix)]
pub(super) fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}
