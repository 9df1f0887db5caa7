//! Duties bound to accounts (issue 10): the approving account did none of the record's
//! duties (admins included), the two assessors are two different accounts whose
//! registered names are printed, names compare without invisible characters, full
//! exports only by reviewers and admins with a purpose, `report NUMBER` signed in and
//! audited, and `keys new` signed in and bound to the account.

use std::path::Path;
use std::process::{Command, Output};

use chrono::{DateTime, Utc};
use elder_assess::output::table_files::{RecordsExport, TableExportError, export_records};
use elder_assess::record::AssessmentRecord;
use elder_assess::review::{Action, ReviewError, Role};
use elder_assess::store::{AssessorSlot, PasswordCost, Status, Store, StoreError};
use elder_assess::tables::Privacy;

use super::common::{TempDir, bind_assessors, gbt};
use super::review::{PASSWORD, people};

fn at(secs: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(1_764_316_800 + secs, 0).unwrap()
}

/// The example assessment (complete but for the signatures), numbered `number`.
fn example(number: &str) -> AssessmentRecord {
    let mut record: AssessmentRecord =
        serde_json::from_str(include_str!("data/example-assessment.json")).unwrap();
    number.clone_into(&mut record.info.number);
    record
}

fn store_in(dir: &TempDir) -> Store {
    Store::open(dir.path()).unwrap().with_password_cost(PasswordCost::TestOnlyLight)
}

#[test]
fn self_approval_by_an_admin_is_refused() {
    let dir = TempDir::new("duties-admin");
    let store = store_in(&dir);
    let p = people(&store);
    // The admin imports a record naming two other assessors, confirms them with their
    // passwords, submits it and tries to approve it.
    store.login("admin", PASSWORD, at(2)).unwrap();
    store.import_records(&[example("D-1")], &gbt(), at(3)).unwrap();
    let id = store.find_by_number("D-1").unwrap().unwrap();
    store.bind_assessor(id, AssessorSlot::First, "a1", Some(PASSWORD), at(4)).unwrap();
    store.bind_assessor(id, AssessorSlot::Second, "a2", Some(PASSWORD), at(4)).unwrap();
    store.transition(id, Action::Submit, &p.admin, None, at(5)).unwrap();
    let error = store.transition(id, Action::Approve, &p.admin, None, at(6)).unwrap_err();
    assert!(matches!(error, StoreError::Review(ReviewError::OwnAssessment)), "{error:?}");
    assert_eq!(store.load(id).unwrap().unwrap().status, Status::Submitted);
    // A second admin who did nothing on it may approve.
    let other =
        store.create_account(&p.admin, "admin2", "管理员己", Role::Admin, PASSWORD, at(7)).unwrap();
    assert_eq!(
        store.transition(id, Action::Approve, &other, None, at(8)).unwrap(),
        Status::Approved
    );

    // An admin who once edited a record (created by a1) may not approve it either; one
    // who saved it unchanged did no duty.
    store.login("a1", PASSWORD, at(9)).unwrap();
    let mut record = example("D-2");
    let id = store.save(&record, Status::Draft, None, at(9)).unwrap();
    store.login("admin", PASSWORD, at(9)).unwrap();
    store.save(&record, Status::Draft, None, at(9)).unwrap();
    store.login("admin2", PASSWORD, at(9)).unwrap();
    record.informant.name = "王五（示例）".to_owned();
    store.save(&record, Status::Completed, Some(0), at(9)).unwrap();
    store.login("a1", PASSWORD, at(10)).unwrap();
    bind_assessors(&store, id, ["a1", "a2"], PASSWORD, at(10));
    store.transition(id, Action::Submit, &p.a1, None, at(11)).unwrap();
    let error = store.transition(id, Action::Approve, &other, None, at(12)).unwrap_err();
    assert!(matches!(error, StoreError::Review(ReviewError::OwnAssessment)), "{error:?}");
    assert_eq!(
        store.transition(id, Action::Approve, &p.admin, None, at(13)).unwrap(),
        Status::Approved
    );
    assert!(store.verify_audit().unwrap().is_intact());
}

#[test]
fn the_two_assessors_are_two_different_confirmed_accounts() {
    let store = Store::open_in_memory().unwrap().with_password_cost(PasswordCost::TestOnlyLight);
    let p = people(&store);
    store.login("a1", PASSWORD, at(2)).unwrap();
    let mut record = example("D-3");
    record.signatures.assessor1.name = "随便写的名字".to_owned();
    let id = store.save(&record, Status::Completed, Some(0), at(3)).unwrap();
    // Not bound: no submission.
    let error = store.transition(id, Action::Submit, &p.a1, None, at(4)).unwrap_err();
    assert!(matches!(error, StoreError::Review(ReviewError::UnboundAssessor)), "{error:?}");
    // The same account for both signatures is refused.
    store.bind_assessor(id, AssessorSlot::First, "a1", None, at(5)).unwrap();
    let error = store.bind_assessor(id, AssessorSlot::Second, "a1", None, at(5)).unwrap_err();
    assert!(matches!(error, StoreError::Review(ReviewError::SameAssessor)), "{error:?}");
    // Another account needs its own password; a wrong one binds nothing.
    let error = store.bind_assessor(id, AssessorSlot::Second, "a2", Some("wrong password"), at(6));
    assert!(matches!(error, Err(StoreError::BadCredentials)), "{error:?}");
    let error = store.bind_assessor(id, AssessorSlot::Second, "a2", None, at(6));
    assert!(matches!(error, Err(StoreError::BadCredentials)), "{error:?}");
    // A reviewer cannot be an assessor.
    let error = store.bind_assessor(id, AssessorSlot::Second, "r1", Some(PASSWORD), at(6));
    assert!(matches!(error, Err(StoreError::Review(ReviewError::Forbidden { .. }))), "{error:?}");
    assert_eq!(store.assessor_accounts_of(id).unwrap(), [Some("a1".to_owned()), None]);
    store.bind_assessor(id, AssessorSlot::Second, "a2", Some(PASSWORD), at(7)).unwrap();
    assert_eq!(
        store.transition(id, Action::Submit, &p.a1, None, at(8)).unwrap(),
        Status::Submitted
    );
    // The names listed and printed are the accounts' registered names, not the typed one.
    let printed = store.signed_record(id).unwrap();
    assert_eq!(printed.signatures.assessor1.name, "评估员甲");
    assert_eq!(printed.signatures.assessor2.name, "评估员乙");
    let row = &store.queue(&elder_assess::store::QueueFilter::default()).unwrap()[0];
    assert_eq!(row.assessors, ["评估员甲".to_owned(), "评估员乙".to_owned()]);
    // Confirmed assessors are fixed once submitted.
    let error = store.bind_assessor(id, AssessorSlot::First, "a1", None, at(9)).unwrap_err();
    assert!(matches!(error, StoreError::NotDraft { .. }), "{error:?}");
}

#[test]
fn a_zero_width_space_does_not_make_the_reviewer_someone_else() {
    let store = Store::open_in_memory().unwrap().with_password_cost(PasswordCost::TestOnlyLight);
    let admin = store.create_first_admin("admin", "管理员戊", PASSWORD, at(0)).unwrap();
    let make = |login: &str, name: &str, role| {
        store.create_account(&admin, login, name, role, PASSWORD, at(1)).unwrap()
    };
    let li = make("li", "李明（示例）", Role::Assessor);
    make("wang", "王芳（示例）", Role::Assessor);
    // Another account, but the same person's name with a zero-width space (and a
    // half-width bracket, and a byte-order mark).
    let disguised = make("li2", "李明\u{200b}(示例)\u{feff}", Role::Reviewer);
    store.login("li", PASSWORD, at(2)).unwrap();
    let mut record = example("D-4");
    record.signatures.assessor1.name = "李明（示例）".to_owned();
    record.signatures.assessor2.name = "王芳（示例）".to_owned();
    let id = store.save(&record, Status::Completed, Some(0), at(3)).unwrap();
    bind_assessors(&store, id, ["li", "wang"], PASSWORD, at(3));
    store.transition(id, Action::Submit, &li, None, at(4)).unwrap();
    let error = store.transition(id, Action::Approve, &disguised, None, at(5)).unwrap_err();
    assert!(matches!(error, StoreError::Review(ReviewError::OwnAssessment)), "{error:?}");
    assert_eq!(
        elder_assess::review::normalise_name("李明\u{200b}（示例） "),
        elder_assess::review::normalise_name("李明(示例)")
    );
}

#[test]
fn an_assessor_cannot_make_a_full_export() {
    let dir = TempDir::new("duties-export");
    let store = store_in(&dir);
    people(&store);
    store.login("a1", PASSWORD, at(2)).unwrap();
    store.save(&example("D-5"), Status::Completed, Some(0), at(3)).unwrap();
    let out = dir.path().join("full.csv");
    let request = RecordsExport {
        path: &out,
        privacy: Privacy::Full,
        approved_only: false,
        purpose: Some("民政局抽查"),
    };
    let error = export_records(&store, &gbt(), &request, at(4)).unwrap_err();
    assert!(
        matches!(error, TableExportError::Audit(StoreError::Review(ReviewError::Forbidden { .. }))),
        "{error:?}"
    );
    assert!(!out.exists());
    // The store itself refuses, whoever calls it.
    let error = store.record_full_export("1 条", Some("抽查"), at(5)).unwrap_err();
    assert!(matches!(error, StoreError::Review(ReviewError::Forbidden { .. })), "{error:?}");
    // The command line too.
    drop(store);
    let pw = dir.path().join("pw");
    std::fs::write(&pw, PASSWORD).unwrap();
    let full = ["export", "--full", "--purpose", "抽查", "--out"];
    let output =
        run(dir.path(), &[&full[..], &[out.to_str().unwrap(), "--as", "a1"]].concat(), &pw);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(stderr(&output).contains("评估员无权"), "{}", stderr(&output));
    assert!(!out.exists());
    let output =
        run(dir.path(), &[&full[..], &[out.to_str().unwrap(), "--as", "r1"]].concat(), &pw);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(out.exists());
}

#[test]
fn a_full_export_needs_a_purpose() {
    let dir = TempDir::new("duties-purpose");
    let store = Store::open(dir.path()).unwrap();
    store.save(&example("D-6"), Status::Draft, None, at(1)).unwrap();
    let error = store.record_full_export("1 条", Some("  "), at(2)).unwrap_err();
    assert!(matches!(error, StoreError::PurposeRequired), "{error:?}");
    drop(store);
    let out = dir.path().join("full.csv");
    let none = Path::new("/nonexistent");
    for args in [&["--purpose", " "][..], &[]] {
        let args = [&["export", "--full", "--out", out.to_str().unwrap()][..], args].concat();
        let output = run(dir.path(), &args, none);
        assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
        assert!(stderr(&output).contains("--purpose"), "{}", stderr(&output));
        assert!(!out.exists());
    }
}

/// `elder-assess --data-dir <dir> <args>` with `password_file`'s content as the password.
pub(super) fn run(dir: &Path, args: &[&str], password_file: &Path) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_elder-assess"));
    command.arg("--data-dir").arg(dir).args(args);
    if args.contains(&"--as") {
        command.arg("--password-file").arg(password_file);
    }
    command.env_remove("ELDER_ASSESS_PASSWORD").output().unwrap()
}

pub(super) fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

pub(super) fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// A store in `dir` with the accounts and record `number` completed by a1 and bound to
/// a1 and a2; returns the record's row id.
pub(super) fn stored_record(dir: &TempDir, number: &str) -> i64 {
    let store = store_in(dir);
    people(&store);
    store.login("a1", PASSWORD, at(2)).unwrap();
    let id = store.save(&example(number), Status::Completed, Some(0), at(3)).unwrap();
    bind_assessors(&store, id, ["a1", "a2"], PASSWORD, at(3));
    id
}

#[test]
fn an_unaudited_report_of_a_stored_record_is_refused() {
    let dir = TempDir::new("duties-report");
    let id = stored_record(&dir, "D-7");
    let pw = dir.path().join("pw");
    std::fs::write(&pw, PASSWORD).unwrap();
    let pdf = dir.path().join("report.pdf");
    let pdf_arg = pdf.to_str().unwrap();
    // Without sign-in: refused, no file.
    let output = run(dir.path(), &["report", "D-7", "--out", pdf_arg], &pw);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(stderr(&output).contains("--as"), "{}", stderr(&output));
    assert!(!pdf.exists());
    // Signed in: written, and audited with who, which record and which file.
    let output = run(dir.path(), &["report", "D-7", "--out", pdf_arg, "--as", "r1"], &pw);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(pdf.exists());
    let conn = rusqlite::Connection::open(dir.db()).unwrap();
    let (actor, record_id, file, when): (String, Option<i64>, String, String) = conn
        .query_row(
            "SELECT actor, record_id, new_value, at FROM audit WHERE action = 'report'",
            [],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)),
        )
        .unwrap();
    assert_eq!((actor.as_str(), record_id), ("r1", Some(id)));
    assert!(file.ends_with("report.pdf") && !when.is_empty(), "{file}");
    drop(conn);
    assert!(Store::open(dir.path()).unwrap().verify_audit().unwrap().is_intact());
    // A report of a file (not stored) is unchanged: no sign-in, no store.
    let file = dir.path().join("example.json");
    std::fs::write(&file, include_str!("data/example-assessment.json")).unwrap();
    let empty = TempDir::new("duties-report-file");
    let out = empty.path().join("file.pdf");
    let output =
        run(empty.path(), &["report", file.to_str().unwrap(), "--out", out.to_str().unwrap()], &pw);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(!empty.db().exists());
}

#[test]
fn keys_new_needs_sign_in_and_binds_the_key_to_the_account() {
    let dir = TempDir::new("duties-keys");
    stored_record(&dir, "D-8");
    let pw = dir.path().join("pw");
    std::fs::write(&pw, PASSWORD).unwrap();
    let passphrase = dir.path().join("passphrase");
    std::fs::write(&passphrase, "a long key passphrase").unwrap();
    let pass = passphrase.to_str().unwrap();
    let keys = |extra: &[&str]| {
        let args = [&["keys", "new", "--passphrase-file", pass][..], extra].concat();
        run(dir.path(), &args, &pw)
    };
    // Without sign-in: refused, no key.
    let output = keys(&["--name", "评估员甲"]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(stderr(&output).contains("--as"), "{}", stderr(&output));
    assert!(!dir.path().join("keys").exists());
    // Another person's name: refused.
    let output = keys(&["--name", "评估员乙", "--as", "a1"]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    // Signed in: named after the account and bound to it.
    let output = keys(&["--as", "a1"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stdout(&output).contains("CN=评估员甲") && stdout(&output).contains("a1"));
    let conn = rusqlite::Connection::open(dir.db()).unwrap();
    let (account, fingerprint): (String, String) = conn
        .query_row("SELECT account, fingerprint FROM signing_keys", [], |row| {
            Ok((row.get(0)?, row.get(1)?))
        })
        .unwrap();
    assert_eq!(account, "a1");
    let key = &elder_assess::sign::list_keys(dir.path()).unwrap()[0];
    assert_eq!(key.fingerprint, fingerprint);
    drop(conn);

    // `report --sign` checks the key's account: a1's key cannot sign as assessor 2.
    let store = Store::open(dir.path()).unwrap();
    let id = store.find_by_number("D-8").unwrap().unwrap();
    assert!(store.check_signing_keys(id, [Some(&fingerprint), None]).is_ok());
    let error = store.check_signing_keys(id, [None, Some(&fingerprint)]).unwrap_err();
    assert!(matches!(error, StoreError::SigningKeyNotBound { role: "评估员2" }), "{error:?}");
    let error = store.check_signing_keys(id, [Some("0".repeat(64).as_str()), None]).unwrap_err();
    assert!(matches!(error, StoreError::SigningKeyNotBound { role: "评估员1" }), "{error:?}");
    drop(store);
    // Issue 14: once accounts exist a stored record is signed by account (`--sign` with
    // `--as`), never by a key's display name: `--sign 评估员甲` is refused.
    let pdf = dir.path().join("signed.pdf");
    let report = ["report", "D-8", "--out", pdf.to_str().unwrap(), "--as", "a1"];
    let sign = ["--sign", "评估员甲", "--passphrase-file", pass];
    let output = run(dir.path(), &[&report[..], &sign[..]].concat(), &pw);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(stderr(&output).contains("--as 账号 --sign"), "{}", stderr(&output));
    assert!(!pdf.exists());
    super::cli_signing::account_key(dir.path(), "a1", "评估员甲", "a long key passphrase");
    let output =
        run(dir.path(), &[&report[..], &["--sign", "--passphrase-file", pass]].concat(), &pw);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stdout(&output).contains("1 个数字签名"), "{}", stdout(&output));
}
