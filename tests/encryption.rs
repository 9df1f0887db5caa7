//! Encryption at rest: once accounts exist, the database, its WAL and its backups hold no
//! name or ID number in the clear; the store opens only after sign-in; every account
//! opens it with its own password; a password reset re-seals the key.

use chrono::{DateTime, NaiveDate, Utc};
use elder_assess::record::AssessmentRecord;
use elder_assess::review::Role;
use elder_assess::store::{
    BACKUP_DIR, DB_FILE_NAME, KEYRING_FILE_NAME, PasswordCost, Status, Store, StoreError,
};

use super::common::TempDir;

const NAME: &str = "加密测试老人";
const ID: &str = "11010519491231002X";
const ADMIN_PASSWORD: &str = "管理员的长密码-0001";
const A1_PASSWORD: &str = "评估员的长密码-0002";

fn at(secs: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(1_764_316_800 + secs, 0).unwrap()
}

fn record(number: &str) -> AssessmentRecord {
    let mut record =
        AssessmentRecord::new(number.to_owned(), NaiveDate::from_ymd_opt(2026, 11, 28).unwrap());
    record.subject.name = NAME.to_owned();
    *record.subject.id_number.text_mut() = ID.to_owned();
    record
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    let needle = needle.as_bytes();
    haystack.windows(needle.len()).any(|window| window == needle)
}

/// Every file under `dir` (recursively) with its bytes.
fn files(dir: &std::path::Path) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(files(&path));
        } else {
            out.push((path.clone(), std::fs::read(&path).unwrap()));
        }
    }
    out
}

/// A plain store with one record and a daily backup, then the first admin and
/// encryption: returns the encrypted store, signed in as the admin.
fn encrypted_store(dir: &TempDir) -> Store {
    let store =
        Store::open_at(dir.path(), at(0)).unwrap().with_password_cost(PasswordCost::TestOnlyLight);
    store.save(&record("PG20261128-0001"), Status::Draft, None, at(1)).unwrap();
    drop(store);
    // The next day's open makes a (plain) daily backup with the record in it.
    let store = Store::open_at(dir.path(), at(86_400))
        .unwrap()
        .with_password_cost(PasswordCost::TestOnlyLight);
    let plain_backups: Vec<_> = files(&dir.path().join(BACKUP_DIR));
    assert!(
        plain_backups.iter().any(|(_, bytes)| contains(bytes, NAME)),
        "the test needs a plain backup holding the name first"
    );
    store.create_first_admin("admin", "管理员", ADMIN_PASSWORD, at(86_401)).unwrap();
    store.encrypt_at_rest("admin", ADMIN_PASSWORD, at(86_402)).unwrap()
}

#[test]
fn encrypted_bytes_contain_no_name_or_id_number() {
    let dir = TempDir::new("encrypted-bytes");
    let store = encrypted_store(&dir);
    assert!(store.is_encrypted());
    // A save after encryption goes through the (encrypted) WAL.
    store.save(&record("PG20261128-0002"), Status::Draft, None, at(86_500)).unwrap();
    assert!(dir.path().join(format!("{DB_FILE_NAME}-wal")).exists());
    let all = files(dir.path());
    assert!(all.iter().any(|(path, _)| path.ends_with(KEYRING_FILE_NAME)));
    assert!(all.iter().any(|(path, _)| path.starts_with(dir.path().join(BACKUP_DIR))));
    for (path, bytes) in &all {
        assert!(!contains(bytes, NAME), "{} holds the name in the clear", path.display());
        assert!(!contains(bytes, ID), "{} holds the ID number in the clear", path.display());
        assert!(!contains(bytes, "SQLite format 3"), "{} is a plain database", path.display());
    }
    drop(store);
    // The next day's backup is encrypted too.
    let store = Store::open_signed_in(
        dir.path(),
        "admin",
        ADMIN_PASSWORD,
        at(2 * 86_400),
        PasswordCost::TestOnlyLight,
    )
    .unwrap();
    drop(store);
    for (path, bytes) in files(dir.path()) {
        assert!(!contains(&bytes, NAME), "{} holds the name in the clear", path.display());
    }
}

#[test]
fn an_encrypted_store_opens_only_after_sign_in() {
    let dir = TempDir::new("encrypted-open");
    drop(encrypted_store(&dir));
    assert!(matches!(Store::open_at(dir.path(), at(90_000)), Err(StoreError::SignInRequired)));
    assert!(matches!(
        Store::open_signed_in(
            dir.path(),
            "admin",
            "wrong password!",
            at(90_000),
            PasswordCost::TestOnlyLight
        ),
        Err(StoreError::BadCredentials)
    ));
    // A plain SQLite connection cannot read it either.
    let raw = rusqlite::Connection::open(dir.path().join(DB_FILE_NAME)).unwrap();
    assert!(
        raw.query_row("SELECT count(*) FROM sqlite_master", [], |row| row.get::<_, i64>(0))
            .is_err()
    );
    let store = Store::open_signed_in(
        dir.path(),
        "admin",
        ADMIN_PASSWORD,
        at(90_001),
        PasswordCost::TestOnlyLight,
    )
    .unwrap();
    assert_eq!(store.current_actor().unwrap().account, "admin");
    let id = store.find_by_number("PG20261128-0001").unwrap().unwrap();
    assert_eq!(store.load(id).unwrap().unwrap().record.subject.name, NAME);
    assert!(store.verify_audit().unwrap().is_intact());
}

#[test]
fn each_account_unseals_with_its_own_password_and_a_reset_reseals() {
    let dir = TempDir::new("encrypted-accounts");
    let store = encrypted_store(&dir);
    let admin = store.current_actor().unwrap();
    store
        .create_account(&admin, "a1", "评估员一", Role::Assessor, A1_PASSWORD, at(86_500))
        .unwrap();
    drop(store);
    let store = Store::open_signed_in(
        dir.path(),
        "a1",
        A1_PASSWORD,
        at(86_600),
        PasswordCost::TestOnlyLight,
    )
    .unwrap();
    assert_eq!(store.current_actor().unwrap().role, Role::Assessor);
    drop(store);
    let store = Store::open_signed_in(
        dir.path(),
        "admin",
        ADMIN_PASSWORD,
        at(86_700),
        PasswordCost::TestOnlyLight,
    )
    .unwrap();
    let admin = store.current_actor().unwrap();
    store.reset_password(&admin, "a1", "新的评估员密码-0003", at(86_701)).unwrap();
    drop(store);
    assert!(matches!(
        Store::open_signed_in(
            dir.path(),
            "a1",
            A1_PASSWORD,
            at(86_800),
            PasswordCost::TestOnlyLight
        ),
        Err(StoreError::BadCredentials)
    ));
    Store::open_signed_in(
        dir.path(),
        "a1",
        "新的评估员密码-0003",
        at(86_801),
        PasswordCost::TestOnlyLight,
    )
    .unwrap();
}

#[test]
fn repeated_wrong_passwords_lock_before_the_database_is_read() {
    let dir = TempDir::new("encrypted-lockout");
    drop(encrypted_store(&dir));
    let mut last = None;
    for i in 0..elder_assess::store::MAX_FAILED_LOGINS {
        last = Some(Store::open_signed_in(
            dir.path(),
            "admin",
            "wrong password!",
            at(90_000 + i64::from(i)),
            PasswordCost::TestOnlyLight,
        ));
    }
    assert!(matches!(last, Some(Err(StoreError::Locked { .. }))));
    assert!(matches!(
        Store::open_signed_in(
            dir.path(),
            "admin",
            ADMIN_PASSWORD,
            at(90_100),
            PasswordCost::TestOnlyLight
        ),
        Err(StoreError::Locked { .. })
    ));
}

#[cfg(unix)]
#[test]
fn keyring_is_private() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = TempDir::new("encrypted-modes");
    drop(encrypted_store(&dir));
    let mode = std::fs::metadata(dir.path().join(KEYRING_FILE_NAME)).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600, "keyring mode {mode:o}");
}

mod app {
    use egui_kittest::Harness;
    use egui_kittest::kittest::Queryable as _;
    use elder_assess::clock::FixedClock;
    use elder_assess::store::{PasswordCost, Store};
    use elder_assess::ui::recovery::Root;

    use super::super::common::{TempDir, gbt};
    use super::{ADMIN_PASSWORD, at, encrypted_store};

    fn shown(harness: &Harness<'_, Root>, part: &str) -> bool {
        harness.query_all_by(|node| node.value().is_some_and(|v| v.contains(part))).next().is_some()
    }

    fn type_into(harness: &mut Harness<'_, Root>, label: &str, text: &str) {
        harness.get_by_label(label).click();
        harness.run();
        harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
        harness.get_by_label(label).type_text(text);
        harness.run();
    }

    /// Clicks 登录 and runs frames until the sign-in thread has answered.
    fn sign_in(harness: &mut Harness<'_, Root>) {
        harness.get_by_label("登录").click();
        for _ in 0..1000 {
            harness.step();
            let busy = matches!(harness.state(), Root::Locked { unlock, .. } if unlock.is_busy());
            if !busy {
                harness.run_steps(4);
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        panic!("the sign-in thread did not answer");
    }

    fn root(dir: &TempDir) -> Harness<'static, Root> {
        let root = Root::open_with_cost(
            dir.path(),
            gbt(),
            Box::new(FixedClock(at(100_000))),
            elder_assess::ui::Prefs::default(),
            PasswordCost::TestOnlyLight,
        );
        let mut harness = Harness::builder()
            // The store writer asks for a frame when its status changes (the status line, a notice).
            .with_max_steps(64)
            .with_size(egui::vec2(1280.0, 900.0))
            .with_context_setup(elder_assess::ui::setup_context)
            .build_ui_state(|ui, root: &mut Root| root.ui(ui), root);
        harness.run();
        harness
    }

    #[test]
    fn a_plain_store_says_its_data_is_not_encrypted() {
        let dir = TempDir::new("ui-plain-notice");
        drop(Store::open_at(dir.path(), at(0)).unwrap());
        let harness = root(&dir);
        assert!(harness.state().app().is_some());
        assert!(shown(&harness, "本机评估数据未加密"));
        assert!(shown(&harness, "accounts init"));
    }

    #[test]
    fn an_encrypted_store_asks_for_sign_in_before_it_opens_and_again_after_sign_out() {
        let dir = TempDir::new("ui-unlock");
        drop(encrypted_store(&dir));
        let mut harness = root(&dir);
        assert!(harness.state().app().is_none(), "nothing opens before sign-in");
        assert!(shown(&harness, "账号登录"));

        type_into(&mut harness, "账号", "admin");
        type_into(&mut harness, "密码", "wrong password!");
        sign_in(&mut harness);
        assert!(harness.state().app().is_none());
        assert!(shown(&harness, "账号或密码不正确"));

        type_into(&mut harness, "密码", ADMIN_PASSWORD);
        sign_in(&mut harness);
        let app = harness.state().app().expect("the app runs once the key is unsealed");
        assert!(app.store().is_encrypted());
        assert!(app.store().find_by_number("PG20261128-0001").unwrap().is_some());
        assert!(!shown(&harness, "本机评估数据未加密"));

        harness.get_by_label("退出登录").click();
        harness.run();
        harness.run();
        assert!(harness.state().app().is_none(), "signing out drops the open store and its key");
        assert!(shown(&harness, "账号登录"));
    }
}

#[test]
fn a_damaged_encrypted_database_recovers_from_its_encrypted_backups_with_the_key() {
    let dir = TempDir::new("encrypted-recovery");
    drop(encrypted_store(&dir));
    // The next day's open makes an encrypted daily backup.
    drop(
        Store::open_signed_in(
            dir.path(),
            "admin",
            ADMIN_PASSWORD,
            at(2 * 86_400),
            PasswordCost::TestOnlyLight,
        )
        .unwrap(),
    );
    let db = dir.path().join(DB_FILE_NAME);
    let mut bytes = std::fs::read(&db).unwrap();
    for byte in &mut bytes[4096..4200] {
        *byte ^= 0x5a;
    }
    std::fs::write(&db, &bytes).unwrap();

    let key = Store::unlock(
        dir.path(),
        "admin",
        ADMIN_PASSWORD,
        at(2 * 86_500),
        PasswordCost::TestOnlyLight,
    )
    .unwrap();
    let error = Store::open_unlocked(
        dir.path(),
        "admin",
        key.clone(),
        at(2 * 86_500),
        PasswordCost::TestOnlyLight,
    )
    .unwrap_err();
    assert!(matches!(error, StoreError::Corrupt { latest_backup: Some(_), .. }), "{error}");
    assert!(Store::usable_backups(dir.path(), None).is_empty(), "without the key nothing opens");
    let backups = Store::usable_backups(dir.path(), Some(&key));
    assert!(!backups.is_empty());
    assert!(backups.iter().all(|backup| backup.records >= 1));
    let store = Store::open_backup_unlocked(
        dir.path(),
        &backups[0].path,
        "admin",
        key,
        at(2 * 86_600),
        PasswordCost::TestOnlyLight,
    )
    .unwrap();
    assert!(store.is_encrypted());
    assert!(store.find_by_number("PG20261128-0001").unwrap().is_some());
    assert_eq!(store.current_actor().unwrap().account, "admin");
}

/// The store writer opens its own connection with the database key: the journal and the
/// saved record are encrypted like everything else, and attributed to the signed-in account.
#[test]
fn the_store_writer_writes_the_encrypted_file_with_the_key() {
    let dir = TempDir::new("encrypted-writer");
    let store = encrypted_store(&dir);
    let writer = elder_assess::store::StoreWriter::spawn(&store, super::common::gbt()).unwrap();
    let mut edited = record("PG20261128-0001");
    edited.subject.name = format!("{NAME}改");
    writer.edit(&edited, Status::Draft, store.current_actor(), at(86_600));
    writer.flush();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while writer.status().unwritten {
        assert!(std::time::Instant::now() < deadline, "{:?}", writer.status());
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    assert!(writer.status().error.is_none(), "{:?}", writer.status());
    for (path, bytes) in files(dir.path()) {
        assert!(!contains(&bytes, NAME), "{} holds the name in the clear", path.display());
    }
    writer.shutdown();
    let saved = store.committed_record("PG20261128-0001").unwrap().unwrap();
    assert_eq!(saved.subject.name, format!("{NAME}改"));
    assert_eq!(store.autosave_count().unwrap(), 0);
}
