//! The review lifecycle through the store: the state rules re-checked by the store
//! (reviewer ≠ assessor, frozen approved records, roles from the accounts table), accounts
//! (argon2, lockout), the audit hash chain (edited, deleted and re-hashed rows found), linked
//! records, history, the review queue and due dates, and `elder-assess audit verify`.
//!
//! Raw `rusqlite` is used only to tamper with a database file behind the store's back.

use std::path::Path;
use std::process::Command;

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use elder_assess::record::AssessmentRecord;
use elder_assess::review::{Action, Actor, ReviewError, Role};
use elder_assess::store::{
    AuditProblem, LOCKOUT, MAX_FAILED_LOGINS, PasswordCost, QueueFilter, Status, Store, StoreError,
};

use super::common::TempDir;

const SAMPLE_ID: &str = "11010519491231002X";
const OTHER_ID: &str = "530926194001011233";
const THIRD_ID: &str = "530926194502030037";
pub(super) const PASSWORD: &str = "correct horse battery";

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// A fixed instant plus `secs` seconds.
fn at(secs: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(1_764_316_800 + secs, 0).unwrap()
}

/// A record every item of which is answered (so it scores), signed by 评估员甲 and 评估员乙.
fn record(number: &str, id: &str, township: &str, reference: NaiveDate) -> AssessmentRecord {
    let scale = super::common::gbt();
    let mut record = AssessmentRecord::new(number.to_owned(), reference);
    record.subject.name = "张三".to_owned();
    *record.subject.id_number.text_mut() = id.to_owned();
    record.info.township = township.to_owned();
    record.signatures.assessor1.name = "评估员甲".to_owned();
    record.signatures.assessor2.name = " 评估员乙 ".to_owned();
    for item in scale.items() {
        record.answers.insert(item.id().to_owned(), item.max());
    }
    super::common::complete_annex_a(&mut record);
    record
}

/// The answers of `tests/cases/05-falls-and-inconsistency.json`, which fire warning W002.
fn with_warning(mut record: AssessmentRecord) -> AssessmentRecord {
    let case: serde_json::Value =
        serde_json::from_str(include_str!("cases/05-falls-and-inconsistency.json")).unwrap();
    for (code, score) in case["input"]["items"].as_object().unwrap() {
        record.answers.insert(code.clone(), u8::try_from(score.as_u64().unwrap()).unwrap());
    }
    record
}

/// The accounts of most tests.
pub(super) struct People {
    pub(super) admin: Actor,
    pub(super) a1: Actor,
    pub(super) a2: Actor,
    pub(super) reviewer: Actor,
}

/// A store with light password hashing (tests only) and four accounts; nobody signed in.
/// The password of each is [`PASSWORD`].
pub(super) fn people(store: &Store) -> People {
    let admin = store.create_first_admin("admin", "管理员戊", PASSWORD, at(0)).unwrap();
    let make = |login: &str, name: &str, role| {
        store.create_account(&admin, login, name, role, PASSWORD, at(1)).unwrap()
    };
    let a1 = make("a1", "评估员甲", Role::Assessor);
    let a2 = make("a2", "评估员乙", Role::Assessor);
    let reviewer = make("r1", "审核员丙", Role::Reviewer);
    People { admin, a1, a2, reviewer }
}

fn memory() -> Store {
    Store::open_in_memory().unwrap().with_password_cost(PasswordCost::TestOnlyLight)
}

fn raw(path: &Path) -> rusqlite::Connection {
    rusqlite::Connection::open(path).unwrap()
}

/// Saves `record` as completed and submits it as assessor 1; returns the row id.
fn submitted(store: &Store, p: &People, record: &AssessmentRecord, now: i64) -> i64 {
    store.login(&p.a1.account, PASSWORD, at(now)).unwrap();
    let id = store.save(record, Status::Completed, Some(0), at(now)).unwrap();
    super::common::bind_assessors(store, id, ["a1", "a2"], PASSWORD, at(now));
    assert_eq!(
        store.transition(id, Action::Submit, &p.a1, None, at(now)).unwrap(),
        Status::Submitted
    );
    id
}

fn ret(reason: &str) -> Action {
    Action::Return { reason: reason.to_owned() }
}

#[test]
fn status_labels_cover_the_lifecycle() {
    let labels: Vec<&str> = Status::ALL.iter().map(|s| s.label()).collect();
    assert_eq!(labels, ["草稿", "已完成", "已提交", "已通过", "已退回"]);
}

#[test]
fn submit_return_edit_resubmit_approve() {
    let store = memory();
    let p = people(&store);
    let rec = record("R-1", SAMPLE_ID, "耿马镇", date(2026, 11, 28));
    let id = submitted(&store, &p, &rec, 10);
    let loaded = store.load(id).unwrap().unwrap();
    assert_eq!(loaded.status, Status::Submitted);
    assert_eq!(loaded.submitted_at, Some(at(10)));

    // Submitted: the assessors cannot change it.
    let error = store.save(&rec, Status::Draft, Some(0), at(11)).unwrap_err();
    assert!(
        matches!(
            error,
            StoreError::Review(ReviewError::NotAllowed { from: Status::Submitted, .. })
        ),
        "{error:?}"
    );
    // Only a reviewer returns, and only with a reason.
    let error = store.transition(id, ret("缺签名"), &p.a2, None, at(12)).unwrap_err();
    assert!(matches!(error, StoreError::Review(ReviewError::Forbidden { .. })), "{error:?}");
    let error = store.transition(id, ret("  "), &p.reviewer, None, at(12)).unwrap_err();
    assert!(matches!(error, StoreError::Review(ReviewError::MissingReason)), "{error:?}");
    assert_eq!(error.to_string(), "退回评估必须填写退回原因");
    // The reason may come with the action or as the separate argument.
    let status =
        store.transition(id, ret(""), &p.reviewer, Some("B.2.2 与 B.3.7 矛盾"), at(13)).unwrap();
    assert_eq!(status, Status::Returned);
    let loaded = store.load(id).unwrap().unwrap();
    assert_eq!(loaded.review_reason.as_deref(), Some("B.2.2 与 B.3.7 矛盾"));
    assert_eq!(loaded.reviewer.as_deref(), Some("审核员丙"));
    assert_eq!(loaded.reviewed_at, Some(at(13)));
    assert_eq!(store.list("").unwrap()[0].review_reason.as_deref(), Some("B.2.2 与 B.3.7 矛盾"));

    // Returned → only back to draft by editing; the reason is kept.
    let error = store.save(&rec, Status::Completed, Some(0), at(14)).unwrap_err();
    assert!(matches!(error, StoreError::Review(ReviewError::NotAllowed { .. })), "{error:?}");
    let mut fixed = rec.clone();
    fixed.answers.insert("B.2.2".to_owned(), 3);
    store.save(&fixed, Status::Draft, Some(0), at(15)).unwrap();
    let loaded = store.load(id).unwrap().unwrap();
    assert_eq!(loaded.status, Status::Draft);
    assert_eq!(loaded.review_reason.as_deref(), Some("B.2.2 与 B.3.7 矛盾"));
    store.save(&fixed, Status::Completed, Some(0), at(16)).unwrap();
    assert_eq!(
        store.transition(id, Action::Submit, &p.a2, None, at(17)).unwrap(),
        Status::Submitted
    );
    assert_eq!(
        store.transition(id, Action::Approve, &p.reviewer, None, at(18)).unwrap(),
        Status::Approved
    );
    let loaded = store.load(id).unwrap().unwrap();
    assert_eq!((loaded.status, loaded.reviewed_at), (Status::Approved, Some(at(18))));
    assert_eq!(loaded.record, fixed);
}

#[test]
fn approved_records_are_frozen_in_the_store() {
    let dir = TempDir::new("frozen");
    let store = Store::open(dir.path()).unwrap().with_password_cost(PasswordCost::TestOnlyLight);
    let p = people(&store);
    let rec = record("F-1", SAMPLE_ID, "耿马镇", date(2026, 11, 28));
    let id = submitted(&store, &p, &rec, 10);
    store.transition(id, Action::Approve, &p.reviewer, None, at(11)).unwrap();
    let before = store.load(id).unwrap().unwrap();

    // Whatever the caller asks, with whatever role: refused, the record unchanged.
    let mut changed = rec.clone();
    changed.subject.name = "李四".to_owned();
    for status in Status::ALL {
        let error = store.save(&changed, status, Some(1), at(12)).unwrap_err();
        assert!(matches!(error, StoreError::Review(ReviewError::Frozen)), "{status:?}: {error:?}");
        assert_eq!(error.to_string(), "已通过的评估不能修改，请新建复评");
        assert!(!error.to_string().contains("李四"));
    }
    for who in [&p.a1, &p.reviewer, &p.admin] {
        for action in [Action::Edit, Action::Reopen, Action::Approve, ret("再看看")] {
            let error = store.transition(id, action, who, None, at(13)).unwrap_err();
            assert!(matches!(error, StoreError::Review(ReviewError::Frozen)), "{error:?}");
        }
    }
    let error = store.delete_draft(id).unwrap_err();
    assert!(matches!(error, StoreError::Review(ReviewError::Frozen)), "{error:?}");
    assert_eq!(store.load(id).unwrap().unwrap(), before);

    // Even another program writing to the file cannot change or delete the row.
    drop(store);
    let conn = raw(&dir.db());
    let error =
        conn.execute("UPDATE assessments SET final_level = 4 WHERE id = ?1", [id]).unwrap_err();
    assert!(error.to_string().contains("frozen"), "{error}");
    assert!(conn.execute("DELETE FROM assessments WHERE id = ?1", [id]).is_err());
}

#[test]
fn save_cannot_set_a_review_status() {
    let store = memory();
    let p = people(&store);
    store.login("a1", PASSWORD, at(2)).unwrap();
    let rec = record("S-1", SAMPLE_ID, "", date(2026, 11, 28));
    for status in [Status::Submitted, Status::Approved, Status::Returned] {
        let error = store.save(&rec, status, Some(0), at(3)).unwrap_err();
        assert!(matches!(error, StoreError::StatusNotSavable { .. }), "{error:?}");
    }
    assert!(store.list("").unwrap().is_empty());
    let id = store.save(&rec, Status::Completed, Some(0), at(4)).unwrap();
    for status in [Status::Submitted, Status::Approved, Status::Returned] {
        assert!(store.save(&rec, status, Some(0), at(5)).is_err());
        assert_eq!(store.load(id).unwrap().unwrap().status, Status::Completed);
    }
    // A draft cannot be submitted or approved directly.
    store.save(&rec, Status::Draft, Some(0), at(6)).unwrap();
    let error = store.transition(id, Action::Submit, &p.a1, None, at(7)).unwrap_err();
    assert!(matches!(error, StoreError::Review(ReviewError::NotAllowed { .. })), "{error:?}");
    let error = store.transition(id, Action::Approve, &p.reviewer, None, at(7)).unwrap_err();
    assert!(matches!(error, StoreError::Review(ReviewError::NotAllowed { .. })), "{error:?}");
}

#[test]
fn the_approving_reviewer_is_not_an_assessor() {
    let store = memory();
    let p = people(&store);
    // A reviewer account whose name is one of the record's assessors (padded), and an
    // admin who assessed it.
    let same =
        store.create_account(&p.admin, "r2", " 评估员乙", Role::Reviewer, PASSWORD, at(2)).unwrap();
    let rec = record("O-1", SAMPLE_ID, "", date(2026, 11, 28));
    let id = submitted(&store, &p, &rec, 10);
    let error = store.transition(id, Action::Approve, &same, None, at(11)).unwrap_err();
    assert!(matches!(error, StoreError::Review(ReviewError::OwnAssessment)), "{error:?}");
    assert!(!error.to_string().contains("评估员乙"), "{error}");
    let admin_assessor =
        store.create_account(&p.admin, "boss", "评估员甲", Role::Admin, PASSWORD, at(2)).unwrap();
    let error = store.transition(id, Action::Approve, &admin_assessor, None, at(11)).unwrap_err();
    assert!(matches!(error, StoreError::Review(ReviewError::OwnAssessment)), "{error:?}");
    assert_eq!(store.load(id).unwrap().unwrap().status, Status::Submitted);
    // Another admin may approve.
    assert_eq!(
        store.transition(id, Action::Approve, &p.admin, None, at(12)).unwrap(),
        Status::Approved
    );
}

#[test]
fn the_store_takes_roles_and_names_from_the_accounts_table() {
    let store = memory();
    let p = people(&store);
    let rec = record("T-1", SAMPLE_ID, "", date(2026, 11, 28));
    let id = submitted(&store, &p, &rec, 10);
    // An assessor claiming to be a reviewer with another name.
    let forged = Actor {
        account: "a1".to_owned(),
        display_name: "审核员丙".to_owned(),
        role: Role::Reviewer,
    };
    let error = store.transition(id, Action::Approve, &forged, None, at(11)).unwrap_err();
    assert!(
        matches!(error, StoreError::Review(ReviewError::Forbidden { role: Role::Assessor, .. })),
        "{error:?}"
    );
    // A reviewer claiming another name, to dodge reviewer ≠ assessor: its stored name is used.
    let r2 =
        store.create_account(&p.admin, "r2", "评估员甲", Role::Reviewer, PASSWORD, at(2)).unwrap();
    let disguised = Actor { display_name: "别人".to_owned(), ..r2 };
    let error = store.transition(id, Action::Approve, &disguised, None, at(11)).unwrap_err();
    assert!(matches!(error, StoreError::Review(ReviewError::OwnAssessment)), "{error:?}");
    // An account that does not exist.
    let ghost =
        Actor { account: "ghost".to_owned(), display_name: "鬼".to_owned(), role: Role::Admin };
    let error = store.transition(id, Action::Approve, &ghost, None, at(11)).unwrap_err();
    assert!(matches!(error, StoreError::UnknownAccount), "{error:?}");
    assert_eq!(store.load(id).unwrap().unwrap().status, Status::Submitted);
    // Reviewers cannot edit records.
    store.login("r1", PASSWORD, at(12)).unwrap();
    let error =
        store.save(&record("T-2", SAMPLE_ID, "", date(2026, 11, 28)), Status::Draft, None, at(12));
    assert!(matches!(error, Err(StoreError::Review(ReviewError::Forbidden { .. }))), "{error:?}");
}

#[test]
fn saves_are_attributed_and_need_a_login_once_accounts_exist() {
    let store = memory();
    // Before any account: attributed to UNATTRIBUTED.
    let early =
        store.save(&record("A-0", "", "", date(2026, 1, 1)), Status::Draft, None, at(0)).unwrap();
    let p = people(&store);
    let error = store
        .save(&record("A-1", "", "", date(2026, 1, 1)), Status::Draft, None, at(5))
        .unwrap_err();
    assert!(matches!(error, StoreError::NotSignedIn), "{error:?}");
    assert_eq!(error.to_string(), "请先登录");
    assert_eq!(store.login(" a2 ", PASSWORD, at(6)).unwrap(), p.a2);
    assert_eq!(store.current_actor(), Some(p.a2.clone()));
    store.save(&record("A-1", "", "", date(2026, 1, 1)), Status::Draft, None, at(7)).unwrap();
    store.logout();
    assert_eq!(store.current_actor(), None);
    assert!(matches!(store.delete_draft(early), Err(StoreError::NotSignedIn)));
    assert!(store.verify_audit().unwrap().is_intact());
}

#[test]
fn five_failures_lock_the_account_for_fifteen_minutes() {
    let store = memory();
    let p = people(&store);
    let t0 = at(100);
    for n in 1..MAX_FAILED_LOGINS {
        let error = store.login("a1", "wrong password", t0).unwrap_err();
        assert!(matches!(error, StoreError::BadCredentials), "attempt {n}: {error:?}");
    }
    let error = store.login("a1", "wrong password", t0).unwrap_err();
    let until = t0 + LOCKOUT;
    assert!(matches!(error, StoreError::Locked { until: u } if u == until), "{error:?}");
    assert!(error.to_string().contains("已锁定"), "{error}");
    // Locked: even the right password is refused, until 15 minutes have passed.
    for now in [t0, t0 + TimeDelta::minutes(14), until - TimeDelta::seconds(1)] {
        let error = store.login("a1", PASSWORD, now).unwrap_err();
        assert!(matches!(error, StoreError::Locked { .. }), "{error:?}");
    }
    assert_eq!(store.current_actor(), None);
    assert_eq!(store.login("a1", PASSWORD, until).unwrap(), p.a1);
    // Other accounts were never locked.
    assert_eq!(store.login("a2", PASSWORD, t0).unwrap(), p.a2);

    // A success resets the count: 4 failures, a success, 4 failures: not locked.
    let t1 = at(5_000);
    for _ in 1..MAX_FAILED_LOGINS {
        assert!(matches!(store.login("r1", "nope nope", t1), Err(StoreError::BadCredentials)));
    }
    store.login("r1", PASSWORD, t1).unwrap();
    for _ in 1..MAX_FAILED_LOGINS {
        assert!(matches!(store.login("r1", "nope nope", t1), Err(StoreError::BadCredentials)));
    }
    assert_eq!(store.login("r1", PASSWORD, t1).unwrap(), p.reviewer);

    // An admin's reset unlocks at once.
    for _ in 0..MAX_FAILED_LOGINS {
        let _ = store.login("a2", "wrong password", t1);
    }
    assert!(matches!(store.login("a2", PASSWORD, t1), Err(StoreError::Locked { .. })));
    store.reset_password(&p.admin, "a2", "new password 2", t1).unwrap();
    assert_eq!(store.login("a2", "new password 2", t1).unwrap(), p.a2);
    assert!(matches!(store.login("a2", PASSWORD, t1), Err(StoreError::BadCredentials)));
}

#[test]
fn unknown_login_and_wrong_password_read_the_same() {
    let store = memory();
    people(&store);
    let unknown = store.login("nobody", PASSWORD, at(10)).unwrap_err();
    let wrong = store.login("a1", "wrong password", at(10)).unwrap_err();
    assert_eq!(unknown.to_string(), "账号或密码不正确");
    assert_eq!(unknown.to_string(), wrong.to_string());
    // Unknown logins never lock anything, and the typed name is not recorded.
    for _ in 0..10 {
        assert!(matches!(store.login("nobody", PASSWORD, at(11)), Err(StoreError::BadCredentials)));
    }
    assert!(store.verify_audit().unwrap().is_intact());
}

#[test]
fn accounts_are_managed_by_admins_only() {
    let store = memory();
    assert!(!store.has_accounts().unwrap());
    let error = store.create_first_admin("admin", "管理员", "short", at(0)).unwrap_err();
    assert!(matches!(error, StoreError::PasswordTooShort { min: 8 }), "{error:?}");
    let p = people(&store);
    assert!(store.has_accounts().unwrap());
    // The first-admin shortcut works once.
    let error = store.create_first_admin("admin2", "管理员二", PASSWORD, at(2)).unwrap_err();
    assert!(matches!(error, StoreError::Forbidden), "{error:?}");
    for who in [&p.a1, &p.reviewer] {
        let error =
            store.create_account(who, "x", "某人", Role::Admin, PASSWORD, at(2)).unwrap_err();
        assert!(matches!(error, StoreError::Forbidden), "{error:?}");
        let error = store.reset_password(who, "a2", "another password", at(2)).unwrap_err();
        assert!(matches!(error, StoreError::Forbidden), "{error:?}");
    }
    // A forged admin actor is checked against the table.
    let forged = Actor { role: Role::Admin, ..p.a1.clone() };
    assert!(matches!(
        store.create_account(&forged, "x", "某人", Role::Admin, PASSWORD, at(2)),
        Err(StoreError::Forbidden)
    ));
    let error =
        store.create_account(&p.admin, "a1", "重名", Role::Assessor, PASSWORD, at(2)).unwrap_err();
    assert!(matches!(error, StoreError::AccountExists), "{error:?}");
    let error =
        store.create_account(&p.admin, " ", "某人", Role::Assessor, PASSWORD, at(2)).unwrap_err();
    assert!(matches!(error, StoreError::AccountFieldsMissing), "{error:?}");
    let error =
        store.create_account(&p.admin, "n", "某人", Role::Assessor, "1234567", at(2)).unwrap_err();
    assert!(matches!(error, StoreError::PasswordTooShort { .. }), "{error:?}");
    // Eight characters (not bytes) are enough.
    store.create_account(&p.admin, "n", "某人", Role::Assessor, "密码密码密码密码", at(2)).unwrap();
    assert_eq!(store.login("n", "密码密码密码密码", at(3)).unwrap().role, Role::Assessor);
    let error = store.reset_password(&p.admin, "nobody", PASSWORD, at(2)).unwrap_err();
    assert!(matches!(error, StoreError::UnknownAccount), "{error:?}");
}

#[test]
fn passwords_are_stored_as_argon2id_phc_strings_only() {
    let dir = TempDir::new("hashes");
    {
        // The standard cost, as in production, for one account.
        let store = Store::open(dir.path()).unwrap();
        store.create_first_admin("admin", "管理员", PASSWORD, at(0)).unwrap();
        assert_eq!(store.login("admin", PASSWORD, at(1)).unwrap().role, Role::Admin);
        let _ = store.login("admin", "a wrong one!", at(2));
    }
    let conn = raw(&dir.db());
    let hash: String =
        conn.query_row("SELECT password_hash FROM accounts", [], |row| row.get(0)).unwrap();
    assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{hash}");
    // No password anywhere in the file's tables.
    let dump: String = conn
        .query_row(
            "SELECT group_concat(coalesce(actor,'') || coalesce(field,'') || coalesce(old_value,'')
                 || coalesce(new_value,'') || coalesce(reason,''), '|') FROM audit",
            [],
            |row| row.get(0),
        )
        .unwrap();
    assert!(!dump.contains(PASSWORD) && !dump.contains("a wrong one!"), "{dump}");
}

/// The audit rows as `(actor, record_id, action, field, old, new, reason)`.
type Row =
    (String, Option<i64>, String, Option<String>, Option<String>, Option<String>, Option<String>);

fn audit_rows(path: &Path) -> Vec<Row> {
    let conn = raw(path);
    let mut statement = conn
        .prepare(
            "SELECT actor, record_id, action, field, old_value, new_value, reason FROM audit
             ORDER BY seq",
        )
        .unwrap();
    statement
        .query_map([], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

#[test]
fn every_change_is_in_the_audit_trail() {
    let dir = TempDir::new("trail");
    let store = Store::open(dir.path()).unwrap().with_password_cost(PasswordCost::TestOnlyLight);
    let p = people(&store);
    let _ = store.login("a1", "not the password", at(2));
    store.login("a1", PASSWORD, at(3)).unwrap();
    let mut rec = record("T-1", SAMPLE_ID, "耿马镇", date(2026, 11, 28));
    let id = store.save(&rec, Status::Draft, None, at(4)).unwrap();
    super::common::bind_assessors(&store, id, ["a1", "a2"], PASSWORD, at(4));
    let start = audit_rows(&dir.db()).len();
    rec.subject.name = "张三丰".to_owned();
    rec.answers.insert("B.1.1".to_owned(), 2);
    store.save(&rec, Status::Draft, None, at(5)).unwrap();
    store.save(&rec, Status::Draft, None, at(6)).unwrap(); // unchanged: no row
    store.save(&rec, Status::Completed, Some(1), at(7)).unwrap();
    store.transition(id, Action::Submit, &p.a1, None, at(8)).unwrap();
    store.transition(id, ret("照片模糊"), &p.reviewer, None, at(9)).unwrap();
    let rows = audit_rows(&dir.db());
    let new: Vec<_> = rows[start..]
        .iter()
        .map(|r| (r.2.as_str(), r.3.as_deref(), r.4.as_deref(), r.5.as_deref(), r.6.as_deref()))
        .collect();
    assert_eq!(
        new,
        [
            ("edit", Some("answers.B.1.1"), Some("4"), Some("2"), None),
            ("edit", Some("subject.name"), Some("\"张三\""), Some("\"张三丰\""), None),
            ("complete", Some("status"), Some("draft"), Some("completed"), None),
            ("submit", Some("status"), Some("completed"), Some("submitted"), None),
            ("return", Some("status"), Some("submitted"), Some("returned"), Some("照片模糊")),
        ]
    );
    assert!(rows[start..].iter().all(|r| r.1 == Some(id)));
    assert_eq!(rows[start..][..4].iter().map(|r| r.0.as_str()).collect::<Vec<_>>(), ["a1"; 4]);
    assert_eq!(rows.last().unwrap().0, "r1");
    // Creation, account management and logins are there too (never a password).
    let actions: Vec<&str> = rows[..start].iter().map(|r| r.2.as_str()).collect();
    assert_eq!(&actions[..4], ["create_account"; 4]);
    assert_eq!(&actions[4..7], ["login_failed", "login", "create"]);
    // Other events (a full export) go to the same chain.
    store.log_event("export_full", None, Some("records.xlsx"), Some("民政局抽查"), at(10)).unwrap();
    let last = audit_rows(&dir.db()).pop().unwrap();
    assert_eq!((last.0.as_str(), last.2.as_str()), ("a1", "export_full"));
    assert_eq!(last.6.as_deref(), Some("民政局抽查"));
    let report = store.verify_audit().unwrap();
    assert!(report.is_intact(), "{report:?}");
    assert_eq!(report.rows, u64::try_from(rows.len() + 1).unwrap());
}

/// A file with a few audit rows and the triggers dropped, as an attacker would leave it.
fn tampered_setup(name: &str) -> (TempDir, rusqlite::Connection, i64) {
    let dir = TempDir::new(name);
    let rows = {
        let store =
            Store::open(dir.path()).unwrap().with_password_cost(PasswordCost::TestOnlyLight);
        people(&store);
        store.login("a1", PASSWORD, at(2)).unwrap();
        let mut rec = record("X-1", SAMPLE_ID, "", date(2026, 11, 28));
        store.save(&rec, Status::Draft, None, at(3)).unwrap();
        rec.subject.name = "李四".to_owned();
        store.save(&rec, Status::Draft, None, at(4)).unwrap();
        let report = store.verify_audit().unwrap();
        assert!(report.is_intact());
        i64::try_from(report.rows).unwrap()
    };
    let conn = raw(&dir.db());
    // The triggers stop the obvious edits...
    assert!(conn.execute("UPDATE audit SET actor = 'x' WHERE seq = 3", []).is_err());
    assert!(conn.execute("DELETE FROM audit WHERE seq = 3", []).is_err());
    // ...so drop them.
    conn.execute_batch("DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete;").unwrap();
    (dir, conn, rows)
}

fn verify(dir: &TempDir) -> Option<AuditProblem> {
    Store::open(dir.path()).unwrap().verify_audit().unwrap().problem
}

#[test]
fn an_edited_audit_row_is_detected() {
    let (dir, conn, rows) = tampered_setup("edited");
    assert!(rows > 5);
    conn.execute("UPDATE audit SET new_value = '\"王五\"' WHERE seq = 4", []).unwrap();
    drop(conn);
    assert_eq!(verify(&dir), Some(AuditProblem::Edited { seq: 4 }));
}

#[test]
fn a_deleted_audit_row_is_detected() {
    let (dir, conn, _) = tampered_setup("deleted");
    conn.execute("DELETE FROM audit WHERE seq = 3", []).unwrap();
    drop(conn);
    assert_eq!(verify(&dir), Some(AuditProblem::Missing { seq: 3 }));
}

#[test]
fn deleting_the_last_rows_is_detected_even_after_new_rows() {
    let (dir, conn, rows) = tampered_setup("tail");
    conn.execute("DELETE FROM audit WHERE seq >= ?1", [rows - 1]).unwrap();
    drop(conn);
    assert_eq!(verify(&dir), Some(AuditProblem::Missing { seq: rows - 1 }));
    // The program goes on appending: the gap stays visible.
    let store = Store::open(dir.path()).unwrap();
    let _ = store.login("a1", "wrong password", at(50));
    assert_eq!(
        store.verify_audit().unwrap().problem,
        Some(AuditProblem::Missing { seq: rows - 1 })
    );
}

#[test]
fn a_rehashed_row_breaks_the_next_link() {
    let (dir, conn, _) = tampered_setup("rehash");
    // Replace row 2 with a consistent-looking row: a new hash that the next row does not
    // point to.
    conn.execute("UPDATE audit SET actor = 'x', hash = ?1 WHERE seq = 2", ["ab".repeat(32)])
        .unwrap();
    drop(conn);
    assert_eq!(verify(&dir), Some(AuditProblem::Edited { seq: 2 }));
    // With the real hash function, an attacker's recomputed hash still breaks the link.
    let (dir, conn, _) = tampered_setup("relink");
    // The row's columns as JSON values, in hashing order, with the actor replaced.
    let mut fields: Vec<serde_json::Value> = conn
        .query_row(
            "SELECT seq, at, actor, record_id, action, field, old_value, new_value, reason,
                    prev_hash
             FROM audit WHERE seq = 2",
            [],
            |r| {
                (0..10)
                    .map(|i| {
                        Ok(match r.get::<_, rusqlite::types::Value>(i)? {
                            rusqlite::types::Value::Integer(n) => serde_json::json!(n),
                            rusqlite::types::Value::Text(t) => serde_json::json!(t),
                            _ => serde_json::Value::Null,
                        })
                    })
                    .collect()
            },
        )
        .unwrap();
    fields[2] = serde_json::json!("someone else");
    let canonical = serde_json::Value::Array(fields).to_string();
    let hash = sha256_hex(&canonical);
    conn.execute("UPDATE audit SET actor = 'someone else', hash = ?1 WHERE seq = 2", [hash])
        .unwrap();
    drop(conn);
    assert_eq!(verify(&dir), Some(AuditProblem::Unlinked { seq: 3 }));
}

pub(super) fn sha256_hex(text: &str) -> String {
    use sha2::Digest as _;
    use std::fmt::Write as _;
    sha2::Sha256::digest(text.as_bytes()).iter().fold(String::new(), |mut hex, b| {
        let _ = write!(hex, "{b:02x}");
        hex
    })
}

#[test]
fn audit_verify_command() {
    let bin = || Command::new(env!("CARGO_BIN_EXE_elder-assess"));
    let (dir, conn, rows) = tampered_setup("cli");
    let output = bin().args(["audit", "verify", "--data-dir"]).arg(dir.path()).output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains(&format!("共 {rows} 条")), "{stdout}");
    conn.execute("DELETE FROM audit WHERE seq = 2", []).unwrap();
    drop(conn);
    let output =
        bin().args(["--data-dir"]).arg(dir.path()).args(["audit", "verify"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("缺少第 2 条"), "{stderr}");
    assert!(!stderr.contains("张三") && !stderr.contains(SAMPLE_ID), "{stderr}");
    // No database: usage error.
    let empty = TempDir::new("cli-empty");
    let output = bin().args(["audit", "verify", "--data-dir"]).arg(empty.path()).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(!empty.db().exists());
}

#[test]
fn a_linked_record_copies_annex_a_of_an_approved_one() {
    let store = memory();
    let p = people(&store);
    let mut rec = record("L-1", SAMPLE_ID, "孟定镇", date(2025, 11, 1));
    rec.informant.name = "李四".to_owned();
    rec.health.other = "高血压".to_owned();
    let first = submitted(&store, &p, &rec, 10);
    let error =
        store.new_linked_record(first, "L-2".to_owned(), date(2026, 11, 1), at(11)).unwrap_err();
    assert!(matches!(error, StoreError::NotApproved { id } if id == first), "{error:?}");
    store.transition(first, Action::Approve, &p.reviewer, None, at(12)).unwrap();
    let error =
        store.new_linked_record(first, "L-1".to_owned(), date(2026, 11, 1), at(13)).unwrap_err();
    assert!(matches!(error, StoreError::NumberTaken), "{error:?}");
    assert!(matches!(
        store.new_linked_record(999, "L-9".to_owned(), date(2026, 11, 1), at(13)),
        Err(StoreError::NotFound { id: 999 })
    ));
    let second =
        store.new_linked_record(first, " L-2 ".to_owned(), date(2026, 11, 1), at(13)).unwrap();
    let loaded = store.load(second).unwrap().unwrap();
    assert_eq!(loaded.status, Status::Draft);
    assert_eq!(loaded.supersedes, Some(first));
    assert_eq!(loaded.record.info.number, "L-2");
    assert_eq!(loaded.record.info.reference_date, date(2026, 11, 1));
    assert_eq!(loaded.record.info.township, "孟定镇");
    assert_eq!(loaded.record.subject, rec.subject);
    assert_eq!(loaded.record.informant, rec.informant);
    assert_eq!(loaded.record.health, rec.health);
    assert!(loaded.record.answers.is_empty());
    assert_eq!(loaded.record.signatures, elder_assess::record::Signatures::default());
    // The approved record is untouched.
    assert_eq!(store.load(first).unwrap().unwrap().record, rec);
    assert!(store.verify_audit().unwrap().is_intact());
}

#[test]
fn history_and_previous_assessment() {
    let store = memory();
    let p = people(&store);
    let approve = |number: &str, id: &str, day: NaiveDate, t: i64| {
        let row = submitted(&store, &p, &record(number, id, "耿马镇", day), t);
        store.transition(row, Action::Approve, &p.reviewer, None, at(t)).unwrap();
        row
    };
    let h1 = approve("H-1", SAMPLE_ID, date(2024, 3, 1), 10);
    let h2 = approve("H-2", &SAMPLE_ID.to_lowercase(), date(2025, 3, 1), 20);
    let other = approve("H-X", OTHER_ID, date(2025, 6, 1), 30);
    store.login("a1", PASSWORD, at(40)).unwrap();
    let draft = store
        .save(&record("H-3", SAMPLE_ID, "", date(2026, 3, 1)), Status::Draft, None, at(40))
        .unwrap();

    let history = store.history(&format!(" {} ", SAMPLE_ID.to_lowercase())).unwrap();
    assert_eq!(history.iter().map(|s| s.id).collect::<Vec<_>>(), [draft, h2, h1]);
    assert!(history.iter().all(|s| s.id_masked == "110105********002X"));
    assert!(!format!("{history:?}").contains(SAMPLE_ID));
    assert!(store.history("").unwrap().is_empty());
    // From any of the elder's records, the same history; a record without an ID number
    // has only itself.
    for row in [h1, h2, draft] {
        assert_eq!(store.history_of(row).unwrap(), history);
    }
    assert_eq!(store.history_of(other).unwrap().iter().map(|s| s.id).collect::<Vec<_>>(), [other]);
    let anonymous =
        store.save(&record("H-N", "", "", date(2026, 3, 2)), Status::Draft, None, at(41)).unwrap();
    assert_eq!(
        store.history_of(anonymous).unwrap().iter().map(|s| s.id).collect::<Vec<_>>(),
        [anonymous]
    );
    assert!(matches!(store.history_of(12345), Err(StoreError::NotFound { .. })));

    assert_eq!(store.previous_of(draft).unwrap().map(|s| s.id), Some(h2));
    assert_eq!(store.previous_of(h2).unwrap().map(|s| s.id), Some(h1));
    assert_eq!(store.previous_of(h1).unwrap(), None);
    assert_eq!(store.previous_of(other).unwrap(), None);
    assert!(matches!(store.previous_of(12345), Err(StoreError::NotFound { .. })));
}

#[test]
fn the_queue_filters_submitted_records() {
    let store = memory();
    let p = people(&store);
    let q1 = submitted(&store, &p, &record("Q-1", SAMPLE_ID, "耿马镇", date(2026, 1, 10)), 10);
    let q2 = submitted(
        &store,
        &p,
        &with_warning(record("Q-2", OTHER_ID, "孟定镇", date(2026, 2, 10))),
        11,
    );
    // Submitted records need a valid ID number (issue #10); a third elder's.
    let mut third = record("Q-3", THIRD_ID, "孟定镇", date(2026, 3, 10));
    third.signatures.assessor1.name = "评估员丁".to_owned();
    // Assessor 1 of Q-3 is the account of 评估员丁 (the queue lists bound assessors by
    // their accounts' names).
    let ding =
        store.create_account(&p.admin, "a4", "评估员丁", Role::Assessor, PASSWORD, at(1)).unwrap();
    store.login("a4", PASSWORD, at(12)).unwrap();
    let q3 = store.save(&third, Status::Completed, Some(0), at(12)).unwrap();
    super::common::bind_assessors(&store, q3, ["a4", "a2"], PASSWORD, at(12));
    store.transition(q3, Action::Submit, &ding, None, at(12)).unwrap();
    // Not in the queue: a draft and an approved record.
    store
        .save(&record("Q-4", "", "孟定镇", date(2026, 3, 10)), Status::Draft, None, at(13))
        .unwrap();
    let q5 = submitted(&store, &p, &record("Q-5", THIRD_ID, "孟定镇", date(2026, 3, 10)), 14);
    store.transition(q5, Action::Approve, &p.reviewer, None, at(15)).unwrap();

    let ids = |filter: QueueFilter| -> Vec<i64> {
        store.queue(&filter).unwrap().iter().map(|r| r.id).collect()
    };
    assert_eq!(ids(QueueFilter::default()), [q1, q2, q3]);
    assert_eq!(
        ids(QueueFilter { township: Some(" 孟定镇".to_owned()), ..QueueFilter::default() }),
        [q2, q3]
    );
    assert_eq!(
        ids(QueueFilter { assessor: Some("评估员丁".to_owned()), ..QueueFilter::default() }),
        [q3]
    );
    assert_eq!(
        ids(QueueFilter { assessor: Some("评估员乙".to_owned()), ..QueueFilter::default() }),
        [q1, q2, q3]
    );
    assert_eq!(
        ids(QueueFilter {
            from: Some(date(2026, 2, 1)),
            to: Some(date(2026, 2, 28)),
            ..QueueFilter::default()
        }),
        [q2]
    );
    assert_eq!(ids(QueueFilter { with_warnings: true, ..QueueFilter::default() }), [q2]);
    assert_eq!(ids(QueueFilter { final_level: Some(0), ..QueueFilter::default() }), [q1, q2, q3]);
    assert_eq!(
        ids(QueueFilter { final_level: Some(3), ..QueueFilter::default() }),
        Vec::<i64>::new()
    );
    assert_eq!(
        ids(QueueFilter {
            township: Some("孟定镇".to_owned()),
            assessor: Some("评估员甲".to_owned()),
            with_warnings: true,
            ..QueueFilter::default()
        }),
        [q2]
    );
    let row =
        &store.queue(&QueueFilter { with_warnings: true, ..QueueFilter::default() }).unwrap()[0];
    assert_eq!(row.id_masked, "530926********1233");
    assert_eq!(row.township, "孟定镇");
    assert_eq!(row.assessors, ["评估员甲".to_owned(), "评估员乙".to_owned()]);
    assert_eq!(row.warnings, 1);
    assert_eq!(row.sex, Some(elder_assess::record::codes::Sex::Male));
    assert_eq!(row.birth_date, Some(date(1940, 1, 1)));
    assert_eq!(row.submitted_at, Some(at(11)));
    assert!(!format!("{row:?}").contains(OTHER_ID));
}

#[test]
fn due_dates_of_each_elders_latest_approved_assessment() {
    let store = memory();
    let p = people(&store);
    let approve = |number: &str, id: &str, day: NaiveDate, t: i64| {
        let row = submitted(&store, &p, &record(number, id, "耿马镇", day), t);
        store.transition(row, Action::Approve, &p.reviewer, None, at(t)).unwrap();
        row
    };
    approve("D-1", SAMPLE_ID, date(2024, 12, 1), 10);
    let latest = approve("D-2", SAMPLE_ID, date(2025, 12, 20), 11);
    let old = approve("D-3", OTHER_ID, date(2025, 1, 31), 12);
    let third = "110105194001010018";
    let far = approve("D-4", third, date(2026, 6, 1), 13);
    // A newer draft does not count.
    store
        .save(&record("D-5", OTHER_ID, "", date(2026, 11, 1)), Status::Draft, None, at(14))
        .unwrap();

    let today = date(2026, 12, 1);
    let due = store.due(12, today).unwrap();
    let summary: Vec<_> = due.iter().map(|d| (d.id, d.due_date, d.overdue, d.due_soon)).collect();
    assert_eq!(
        summary,
        [(old, date(2026, 1, 31), true, false), (latest, date(2026, 12, 20), false, true),]
    );
    // Not due for months: not listed, until the interval is shorter.
    assert!(store.due(6, today).unwrap().iter().any(|d| d.id == far && d.due_soon));
    // Two approved assessments on the same day: the newer row is the latest.
    let same_day = approve("D-6", third, date(2026, 6, 1), 15);
    let due = store.due(6, today).unwrap();
    let third_rows: Vec<i64> =
        due.iter().filter(|d| d.id == far || d.id == same_day).map(|d| d.id).collect();
    assert_eq!(third_rows, [same_day]);
    assert_eq!(due[0].id_masked, "530926********1233");
    // A shorter interval; month ends are clamped.
    let due = store.due(1, date(2025, 3, 1)).unwrap();
    assert!(due.iter().any(|d| d.id == old && d.due_date == date(2025, 2, 28)));
}
