//! The audit trail covers content (issue 10): a record changed, added or deleted behind
//! the store, the tail of the chain removed, and the whole chain recomputed are all
//! found by `audit verify`, naming the first record or entry that differs.
//!
//! Raw `rusqlite` is used only to tamper with the file behind the store's back, as an
//! attacker with write access to it would.

use std::path::Path;
use std::process::Command;

use chrono::Utc;
use elder_assess::review::{Action, Role};
use elder_assess::store::{AuditProblem, PasswordCost, Status, Store};

use super::common::{TempDir, bind_assessors, gbt};
use super::review::sha256_hex;

const PASSWORD: &str = "correct horse battery";
const NUMBER: &str = "C-1";

/// A record every item of which is answered, numbered `number`.
fn record(number: &str) -> elder_assess::record::AssessmentRecord {
    let mut record = elder_assess::record::AssessmentRecord::new(
        number.to_owned(),
        chrono::NaiveDate::from_ymd_opt(2026, 11, 28).unwrap(),
    );
    record.subject.name = "张三".to_owned();
    *record.subject.id_number.text_mut() = "11010519491231002X".to_owned();
    super::common::complete_annex_a(&mut record);
    for item in gbt().items() {
        record.answers.insert(item.id().to_owned(), item.max());
    }
    record
}

/// A data directory with accounts and one approved record, opened twice so that the
/// second open made today's backup (of this very chain).
fn approved_setup(name: &str) -> TempDir {
    let dir = TempDir::new(name);
    {
        let store =
            Store::open(dir.path()).unwrap().with_password_cost(PasswordCost::TestOnlyLight);
        let admin = store.create_first_admin("admin", "管理员戊", PASSWORD, Utc::now()).unwrap();
        let make = |login: &str, name: &str, role| {
            store.create_account(&admin, login, name, role, PASSWORD, Utc::now()).unwrap()
        };
        let a1 = make("a1", "评估员甲", Role::Assessor);
        make("a2", "评估员乙", Role::Assessor);
        let r1 = make("r1", "审核员丙", Role::Reviewer);
        store.login("a1", PASSWORD, Utc::now()).unwrap();
        let id = store.save(&record(NUMBER), Status::Completed, Some(0), Utc::now()).unwrap();
        bind_assessors(&store, id, ["a1", "a2"], PASSWORD, Utc::now());
        store.transition(id, Action::Submit, &a1, None, Utc::now()).unwrap();
        store.transition(id, Action::Approve, &r1, None, Utc::now()).unwrap();
        store.save(&record("C-2"), Status::Draft, None, Utc::now()).unwrap();
    }
    let store = Store::open(dir.path()).unwrap();
    assert!(store.backup_problem().is_none());
    let report = store.verify_audit().unwrap();
    assert!(report.is_intact(), "{report:?}");
    assert!(report.backup.is_some(), "today's backup is compared");
    dir
}

fn raw(path: &Path) -> rusqlite::Connection {
    rusqlite::Connection::open(path).unwrap()
}

fn problem(dir: &TempDir) -> Option<AuditProblem> {
    Store::open(dir.path()).unwrap().verify_audit().unwrap().problem
}

/// `elder-assess audit verify` on `dir`: exit code and stderr.
fn cli_verify(dir: &TempDir) -> (Option<i32>, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_elder-assess"))
        .arg("--data-dir")
        .arg(dir.path())
        .args(["audit", "verify"])
        .output()
        .unwrap();
    (output.status.code(), String::from_utf8_lossy(&output.stderr).into_owned())
}

#[test]
fn an_approved_records_scores_changed_behind_the_store_are_found() {
    let dir = approved_setup("content-changed");
    let conn = raw(&dir.db());
    // The trigger stops the obvious edit...
    assert!(
        conn.execute("UPDATE assessments SET final_level = 4 WHERE number = ?1", [NUMBER]).is_err()
    );
    // ...so drop it, change the scores, and put it back.
    conn.execute_batch(
        "DROP TRIGGER assessments_approved_no_update;
         UPDATE assessments SET final_level = 4,
             record_json = json_set(record_json, '$.answers.\"B.1.1\"', 0)
         WHERE number = 'C-1';
         CREATE TRIGGER assessments_approved_no_update BEFORE UPDATE ON assessments
             WHEN OLD.status = 'approved'
             BEGIN SELECT RAISE(ABORT, 'approved assessments are frozen'); END;",
    )
    .unwrap();
    drop(conn);
    assert!(
        matches!(problem(&dir), Some(AuditProblem::ContentChanged { ref number, .. }) if number == NUMBER),
        "{:?}",
        problem(&dir)
    );
    let (code, stderr) = cli_verify(&dir);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("评估 C-1 的内容"), "{stderr}");
    assert!(!stderr.contains("张三"), "{stderr}");
}

/// Bytes flipped inside a record's stored text (the page structure intact, so
/// `quick_check` passes): `audit verify` names the record and exits 1, in Chinese.
#[test]
fn bytes_flipped_inside_a_records_text_are_found_by_audit_verify() {
    let dir = approved_setup("content-flipped");
    let conn = raw(&dir.db());
    conn.execute_batch(
        "UPDATE assessments SET record_json =
             CAST(substr(CAST(record_json AS BLOB), 1, 20) || x'ff' || x'fe' AS TEXT)
         WHERE number = 'C-2'",
    )
    .unwrap();
    drop(conn);
    assert!(
        matches!(problem(&dir), Some(AuditProblem::ContentChanged { ref number, .. }) if number == "C-2"),
        "{:?}",
        problem(&dir)
    );
    let (code, stderr) = cli_verify(&dir);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("C-2") && !stderr.contains("utf-8"), "{stderr}");
}

#[test]
fn a_record_added_or_deleted_behind_the_store_is_found() {
    let dir = approved_setup("content-added");
    let conn = raw(&dir.db());
    conn.execute(
        "INSERT INTO assessments (number, status, record_json, reference_date, created_at,
             updated_at)
         SELECT 'C-9', 'draft', record_json, reference_date, created_at, updated_at
         FROM assessments WHERE number = 'C-2'",
        [],
    )
    .unwrap();
    drop(conn);
    assert_eq!(problem(&dir), Some(AuditProblem::ContentUnrecorded { number: "C-9".to_owned() }));

    let dir = approved_setup("content-deleted");
    let conn = raw(&dir.db());
    conn.execute_batch(
        "DROP TRIGGER assessments_approved_no_delete;
         DELETE FROM assessments WHERE number = 'C-1';",
    )
    .unwrap();
    drop(conn);
    assert!(
        matches!(problem(&dir), Some(AuditProblem::RecordMissing { .. })),
        "{:?}",
        problem(&dir)
    );
}

#[test]
fn the_tail_of_the_chain_removed_is_found() {
    let dir = approved_setup("tail-removed");
    let conn = raw(&dir.db());
    let last: i64 = conn.query_row("SELECT max(seq) FROM audit", [], |r| r.get(0)).unwrap();
    // Delete the last rows and make `sqlite_sequence` agree, so that the chain itself
    // looks whole.
    conn.execute_batch("DROP TRIGGER audit_no_delete;").unwrap();
    conn.execute("DELETE FROM audit WHERE seq > ?1", [last - 3]).unwrap();
    conn.execute("UPDATE sqlite_sequence SET seq = ?1 WHERE name = 'audit'", [last - 3]).unwrap();
    drop(conn);
    assert_eq!(problem(&dir), Some(AuditProblem::HeadMismatch { recorded: last, last: last - 3 }));
    let (code, stderr) = cli_verify(&dir);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains(&format!("第 {last} 条")), "{stderr}");
}

/// Rewrites row `from` onwards with recomputed hashes (row `from`'s actor replaced),
/// and the head in `meta`: a consistent chain that is not the original.
fn recompute_chain(conn: &rusqlite::Connection, from: i64) {
    use rusqlite::types::Value;
    conn.execute_batch("DROP TRIGGER audit_no_update;").unwrap();
    conn.execute("UPDATE audit SET actor = 'someone else' WHERE seq = ?1", [from]).unwrap();
    let mut prev: String =
        conn.query_row("SELECT hash FROM audit WHERE seq = ?1", [from - 1], |r| r.get(0)).unwrap();
    let seqs: Vec<i64> = conn
        .prepare("SELECT seq FROM audit WHERE seq >= ?1 ORDER BY seq")
        .unwrap()
        .query_map([from], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    for seq in seqs {
        let (mut fields, content): (Vec<serde_json::Value>, Option<String>) = conn
            .query_row(
                "SELECT seq, at, actor, record_id, action, field, old_value, new_value, reason,
                        content_hash
                 FROM audit WHERE seq = ?1",
                [seq],
                |r| {
                    let fields = (0..9)
                        .map(|i| {
                            Ok(match r.get::<_, Value>(i)? {
                                Value::Integer(n) => serde_json::json!(n),
                                Value::Text(t) => serde_json::json!(t),
                                _ => serde_json::Value::Null,
                            })
                        })
                        .collect::<rusqlite::Result<_>>()?;
                    Ok((fields, r.get(9)?))
                },
            )
            .unwrap();
        fields.push(serde_json::json!(prev));
        if let Some(content) = content {
            fields.push(serde_json::json!(content));
        }
        let hash = sha256_hex(&serde_json::Value::Array(fields).to_string());
        conn.execute(
            "UPDATE audit SET prev_hash = ?2, hash = ?3 WHERE seq = ?1",
            rusqlite::params![seq, prev, hash],
        )
        .unwrap();
        prev = hash;
        conn.execute(
            "UPDATE meta SET value = ?1 WHERE key = 'audit_head'",
            [format!("{seq}:{prev}")],
        )
        .unwrap();
    }
}

#[test]
fn a_recomputed_chain_is_found_against_the_newest_backup() {
    let dir = approved_setup("chain-recomputed");
    let conn = raw(&dir.db());
    recompute_chain(&conn, 2);
    drop(conn);
    // The chain, the head in `meta` and the records agree with each other; only the
    // backup made before the rewrite tells.
    assert!(
        matches!(problem(&dir), Some(AuditProblem::BackupDiffers { .. })),
        "{:?}",
        problem(&dir)
    );
    let (code, stderr) = cli_verify(&dir);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("最新备份"), "{stderr}");
    // The next day's first open does not back up the rewritten chain (which would push
    // the evidence out of the rotation): it says why, and the finding stays.
    let backups = elder_assess::store::list_backups(dir.path());
    let next_day = Store::open_at(dir.path(), Utc::now() + chrono::TimeDelta::days(1)).unwrap();
    let why = next_day.backup_problem().unwrap_or_default().to_owned();
    drop(next_day);
    assert!(why.contains("审计记录与最新备份不一致"), "{why}");
    assert_eq!(elder_assess::store::list_backups(dir.path()), backups, "no backup of it");
    assert!(matches!(problem(&dir), Some(AuditProblem::BackupDiffers { .. })));
    // What a local attacker can still do (documented in README and `audit_content`):
    // rewrite every backup too. Here: remove them, so the next open backs up the
    // rewritten file, and nothing on this machine can tell any more.
    std::fs::remove_dir_all(dir.path().join(elder_assess::store::BACKUP_DIR)).unwrap();
    assert_eq!(problem(&dir), None);
}
