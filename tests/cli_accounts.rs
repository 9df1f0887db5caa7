//! Accounts and the review from the command line: `elder-assess accounts …` and
//! `elder-assess review …` on one data directory, with password files.
//!
//! The binary hashes passwords with the standard Argon2id cost (it has no test-only
//! switch), so every sign-in takes a moment: the test signs in as few times as it can.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use chrono::{NaiveDate, Utc};
use elder_assess::record::AssessmentRecord;
use elder_assess::store::{Status, Store};

const ID: &str = "11010519491231002X";
const MASKED: &str = "110105********002X";
const NAME: &str = "张三";

/// A directory under the system temp dir, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> Self {
        let path = std::env::temp_dir().join(format!(
            "elder-assess-cli-accounts-{name}-{}-{}",
            std::process::id(),
            Utc::now().timestamp_nanos_opt().unwrap_or_default()
        ));
        std::fs::create_dir_all(&path).unwrap();
        Self(path)
    }

    /// Writes `password` (with a trailing newline, as `echo` would) to a file.
    fn password(&self, name: &str, password: &str) -> PathBuf {
        let path = self.0.join(format!("{name}.pw"));
        std::fs::write(&path, format!("{password}\n")).unwrap();
        path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// `elder-assess --data-dir <data> <args>`, with no password in the environment and
/// standard input not a terminal.
fn run(data: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_elder-assess"))
        .arg("--data-dir")
        .arg(data)
        .args(args)
        .env_remove("ELDER_ASSESS_PASSWORD")
        .env_remove("ELDER_ASSESS_NEW_PASSWORD")
        .output()
        .unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

#[track_caller]
fn assert_ok(output: &Output, expected: &str) -> String {
    assert!(output.status.success(), "stderr: {}", stderr(output));
    let out = stdout(output);
    assert!(out.contains(expected), "stdout should contain {expected}: {out}");
    out
}

/// Exit 2, nothing on stdout, `expected` on stderr; returns stderr.
#[track_caller]
fn assert_refused(output: &Output, expected: &str) -> String {
    assert_eq!(output.status.code(), Some(2), "stderr: {}", stderr(output));
    assert!(output.stdout.is_empty(), "nothing on stdout: {}", stdout(output));
    let err = stderr(output);
    assert!(err.contains(expected), "stderr should contain {expected}: {err}");
    err
}

/// A scored record signed by 评估员甲 and 评估员乙.
fn record(number: &str, township: &str) -> AssessmentRecord {
    let scale = super::common::gbt();
    let reference = NaiveDate::from_ymd_opt(2025, 1, 15).unwrap();
    let mut record = AssessmentRecord::new(number.to_owned(), reference);
    record.subject.name = NAME.to_owned();
    *record.subject.id_number.text_mut() = ID.to_owned();
    record.info.township = township.to_owned();
    record.signatures.assessor1.name = "评估员甲".to_owned();
    record.signatures.assessor2.name = "评估员乙".to_owned();
    for item in scale.items() {
        record.answers.insert(item.id().to_owned(), item.max());
    }
    super::common::complete_annex_a(&mut record);
    record
}

/// The password files of the accounts, as command-line arguments.
struct Passwords {
    admin: String,
    reviewer: String,
    a1: String,
    a2: String,
    a2_reset: String,
    wrong: String,
}

impl Passwords {
    fn new(dir: &TempDir) -> Self {
        let file =
            |name: &str, password: &str| dir.password(name, password).to_str().unwrap().to_owned();
        Self {
            admin: file("admin", "admin password 1"),
            reviewer: file("r1", "reviewer password 1"),
            a1: file("a1", "assessor password 1"),
            a2: file("a2", "assessor password 2"),
            a2_reset: file("a2-reset", "assessor password 2, reset"),
            wrong: file("wrong", "not the password"),
        }
    }
}

/// `accounts init`, `add` and `reset`: an admin, reviewer r1, assessors a1 and a2 (a2's
/// password reset).
fn create_accounts(data: &Path, pw: &Passwords) {
    // The first admin, once.
    let init = ["accounts", "init", "--login", "admin", "--name", "管理员戊"];
    assert_ok(&run(data, &[&init[..], &["--new-password-file", &pw.admin]].concat()), "admin");
    let again = run(data, &[&init[..], &["--new-password-file", &pw.a1]].concat());
    assert_refused(&again, "已有账号");
    // The first admin turns encryption on: the database is no plain SQLite file any more,
    // and reading it needs a sign-in.
    let db = std::fs::read(data.join(elder_assess::store::DB_FILE_NAME)).unwrap();
    assert!(!db.starts_with(b"SQLite format 3"), "the database is encrypted");
    assert_refused(&run(data, &["review", "queue"]), "已加密");
    let queue = ["review", "queue", "--as", "admin", "--password-file", &pw.admin];
    assert_ok(&run(data, &queue), "");

    // Without a password source and without a terminal: refused, naming the sources.
    let add = ["accounts", "add", "--as", "admin"];
    let someone = ["--login", "x", "--name", "某人", "--role"];
    let no_password = run(data, &[&add[..], &someone, &["assessor"]].concat());
    let err = assert_refused(&no_password, "--password-file");
    assert!(err.contains("ELDER_ASSESS_PASSWORD"), "{err}");
    assert_refused(&run(data, &[&add[..], &someone, &["boss"]].concat()), "未知角色");

    for (login, name, role, file) in [
        ("r1", "审核员丙", "reviewer", &pw.reviewer),
        ("a1", "评估员甲", "assessor", &pw.a1),
        ("a2", "评估员乙", "assessor", &pw.a2),
    ] {
        let args = [
            &add[..],
            &["--password-file", &pw.admin, "--login", login, "--name", name, "--role", role],
            &["--new-password-file", file],
        ]
        .concat();
        let out = assert_ok(&run(data, &args), login);
        assert!(!out.contains(name), "{out}");
    }
    let reset = ["accounts", "reset", "--as", "admin", "--password-file", &pw.admin];
    let args = [&reset[..], &["--login", "a2", "--new-password-file", &pw.a2_reset]].concat();
    assert_ok(&run(data, &args), "已重置");

    // Admins list the accounts; nobody else may.
    let list = ["accounts", "list", "--as", "admin", "--password-file", &pw.admin];
    let out = assert_ok(&run(data, &list), "账号\t角色\t姓名\t状态");
    let lines: Vec<&str> = out.lines().skip(1).collect();
    assert_eq!(
        lines,
        [
            "a1\t评估员\t评估员甲\t正常",
            "a2\t评估员\t评估员乙\t正常",
            "admin\t管理员\t管理员戊\t正常",
            "r1\t审核员\t审核员丙\t正常",
        ]
    );
    assert!(!out.contains("argon2"), "{out}");
    let as_assessor = ["accounts", "list", "--as", "a1", "--password-file", &pw.a1];
    assert_refused(&run(data, &as_assessor), "只有管理员可以管理账号");
}

#[test]
fn accounts_and_review_from_the_command_line() {
    let dir = TempDir::new("review");
    let data = dir.0.join("data");
    let data = data.as_path();
    let pw = Passwords::new(&dir);
    create_accounts(data, &pw);

    // Two completed records, saved through the library as assessor a1.
    {
        let store = Store::open_signed_in(
            data,
            "a1",
            "assessor password 1",
            Utc::now(),
            elder_assess::store::PasswordCost::Standard,
        )
        .unwrap();
        for (number, township) in [("CLI-1", "耿马镇"), ("CLI-2", "孟定镇")] {
            store.save(&record(number, township), Status::Completed, Some(0), Utc::now()).unwrap();
        }
    }

    let review = |verb: &str, number: &str, login: &str, password: &str, extra: &[&str]| {
        let args =
            [&["review", verb, number, "--as", login, "--password-file", password][..], extra]
                .concat();
        run(data, &args)
    };
    // Each assessor confirms their own signature by signing in (issue 10).
    for number in ["CLI-1", "CLI-2"] {
        assert_ok(&review("sign", number, "a1", &pw.a1, &["--slot", "1"]), "评估员1已确认");
        assert_ok(&review("sign", number, "a2", &pw.a2_reset, &["--slot", "2"]), "评估员2已确认");
    }
    assert_ok(&review("submit", "CLI-1", "a1", &pw.a1, &[]), "CLI-1：已提交");
    assert_ok(&review("submit", "CLI-2", "a2", &pw.a2_reset, &[]), "CLI-2：已提交");

    // An assessor cannot approve; a return needs a reason.
    assert_refused(&review("approve", "CLI-1", "a1", &pw.a1, &[]), "评估员无权审核通过");
    let missing = review("return", "CLI-1", "r1", &pw.reviewer, &[]);
    assert_eq!(missing.status.code(), Some(2), "{}", stderr(&missing));
    assert!(stderr(&missing).contains("--reason"), "{}", stderr(&missing));
    assert_refused(
        &review("return", "CLI-1", "r1", &pw.reviewer, &["--reason", "  "]),
        "退回评估必须填写退回原因",
    );

    // The queue: both records, ID numbers masked, no names. The data is encrypted, so
    // reading it signs in too.
    let reader = ["--as", "r1", "--password-file", pw.reviewer.as_str()];
    let read = |args: &[&str]| run(data, &[args, &reader[..]].concat());
    let out = assert_ok(&read(&["review", "queue"]), "CLI-1");
    assert!(out.contains("CLI-2"), "{out}");
    for line in out.lines().skip(1) {
        assert!(line.contains(&format!("\t{MASKED}\t2025-01-15\t0\t")), "{line}");
    }
    assert!(!out.contains(ID) && !out.contains(NAME), "{out}");
    let out = assert_ok(&read(&["review", "queue", "--township", "孟定镇"]), "CLI-2");
    assert!(!out.contains("CLI-1"), "{out}");
    assert_ok(&read(&["review", "queue", "--level", "3"]), "没有待审核的评估");

    // Return one, approve the other, once.
    assert_ok(
        &review("return", "CLI-2", "r1", &pw.reviewer, &["--reason", "签名缺失"]),
        "CLI-2：已退回",
    );
    assert_ok(&review("approve", "CLI-1", "r1", &pw.reviewer, &[]), "CLI-1：已通过");
    assert_refused(&review("approve", "CLI-1", "r1", &pw.reviewer, &[]), "已通过的评估不能修改");
    assert_ok(&read(&["review", "queue"]), "没有待审核的评估");

    // A wrong password and an unknown login read the same.
    let wrong =
        assert_refused(&review("approve", "CLI-1", "r1", &pw.wrong, &[]), "账号或密码不正确");
    let unknown =
        assert_refused(&review("approve", "CLI-1", "nobody", &pw.wrong, &[]), "账号或密码不正确");
    assert_eq!(wrong, unknown);
    assert!(!wrong.contains("r1") && !unknown.contains("nobody"), "{wrong}");

    // The approved assessment of 2025-01-15 is overdue after 12 months.
    let out = assert_ok(&read(&["review", "due"]), "已逾期\t2026-01-15\tCLI-1");
    assert!(out.contains(MASKED) && !out.contains(ID) && !out.contains(NAME), "{out}");

    // Once accounts exist, import and a full export say who does them.
    let jsonl = dir.0.join("in.jsonl");
    let line = serde_json::to_string(&record("CLI-3", "勐永镇")).unwrap();
    std::fs::write(&jsonl, format!("{line}\n")).unwrap();
    let jsonl = jsonl.to_str().unwrap();
    assert_refused(&run(data, &["import", jsonl]), "已加密，请先登录（命令行请加 --as 账号）");
    assert_ok(
        &run(data, &["import", jsonl, "--as", "a1", "--password-file", &pw.a1]),
        "已导入 1 条",
    );
    let out = dir.0.join("full.csv");
    let out = out.to_str().unwrap();
    assert_refused(&run(data, &["export", "--full", "--out", out]), "--as");
    let full = ["export", "--full", "--purpose", "抽查", "--out", out, "--as", "r1"];
    assert_ok(&run(data, &[&full[..], &["--password-file", &pw.reviewer]].concat()), "完整");
    // A de-identified export needs a sign-in too once the data is encrypted.
    assert_refused(&run(data, &["export", "--out", out]), "已加密");
    assert_ok(&read(&["export", "--out", out]), "去标识化");

    assert_refused(&run(data, &["audit", "verify"]), "已加密");
    assert_ok(&read(&["audit", "verify"]), "哈希链完整");
}
