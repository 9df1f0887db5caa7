//! Validation at every entrance (issue #10, point 4): `import`, submit and approve run the
//! record's validation; `score` and `entitlements` refuse impossible ages, trailing data
//! and treat a BOM alike; 100,000 unknown keys are checked in linear time; policy files
//! have bounded amounts and ages; key files have bounded scrypt parameters; an over-long
//! export cell is cut and named instead of failing the export.
//!
//! Raw `rusqlite` is used only to change a stored record behind the store's back.

use std::fmt::Write as _;
use std::io::Write as _;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use elder_assess::record::AssessmentRecord;
use elder_assess::review::{Action, Actor, Role};
use elder_assess::store::{PasswordCost, Status, Store, StoreError};
use serde_json::{Value, json};

use super::common::TempDir;

/// The ID number and names of `tests/data/example-assessment.json`.
const EXAMPLE_ID: &str = "530926194305120420";
const EXAMPLE_NAME: &str = "岩温香";
const PASSWORD: &str = "correct horse battery";

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_elder-assess"))
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Runs the binary with `args` and `input` on stdin.
fn run_stdin(args: &[&str], input: &[u8]) -> Output {
    let mut child = bin()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input).unwrap();
    child.wait_with_output().unwrap()
}

/// Exit 2, nothing on stdout, and stderr naming every one of `named`.
fn assert_refused(output: &Output, named: &[&str]) {
    let err = stderr(output);
    assert_eq!(output.status.code(), Some(2), "stderr: {err}");
    assert!(output.stdout.is_empty(), "nothing on stdout on error");
    for name in named {
        assert!(err.contains(name), "stderr should name {name}: {err}");
    }
}

fn example() -> Value {
    serde_json::from_str(include_str!("data/example-assessment.json")).unwrap()
}

fn example_record() -> AssessmentRecord {
    serde_json::from_value(example()).unwrap()
}

fn at(secs: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(1_764_316_800 + secs, 0).unwrap()
}

fn all_max_score_input() -> Value {
    let scale = super::common::gbt();
    let items: serde_json::Map<String, Value> =
        scale.items().iter().map(|i| (i.id().to_owned(), json!(i.max()))).collect();
    json!({"items": items, "coma": false, "dementia": false, "mental_disorder": false,
           "risk_events_30d": {}})
}

// ---------------------------------------------------------------------------------------
// import, submit, approve

/// Each kind of invalid record, as (what is changed, the field the error must name).
fn invalid_lines() -> Vec<(&'static str, String, &'static str)> {
    let line = |edit: &dyn Fn(&mut Value)| {
        let mut record = example();
        record["info"]["number"] = json!("PG-BAD");
        edit(&mut record);
        record.to_string()
    };
    let good = example().to_string();
    let duplicate_answer = good.replacen("\"answers\":{", "\"answers\":{\"B.1.1\":0,", 1);
    assert_ne!(duplicate_answer, good);
    vec![
        (
            "wrong check digit",
            line(&|r| r["subject"]["id_number"] = json!("530926194305120421")),
            "A.2.8",
        ),
        (
            "birth date after the reference date",
            line(&|r| {
                r["subject"]["birth_date"] = json!("2027-01-01");
                r["subject"]["id_number"] = json!("");
            }),
            "A.2.3",
        ),
        ("age 130", line(&|r| r["info"]["reference_date"] = json!("2073-06-01")), "A.2.3"),
        (
            "ID number's birth date after the reference date",
            line(&|r| {
                r["subject"]["birth_date"] = Value::Null;
                r["info"]["reference_date"] = json!("1943-01-01");
            }),
            "A.2.8",
        ),
        ("score out of range", line(&|r| r["answers"]["B.1.1"] = json!(9)), "B.1.1"),
        ("unknown item code", line(&|r| r["answers"]["B.9.9"] = json!(1)), "B.9.9"),
        ("unknown field", line(&|r| r["subject"]["nickname"] = json!("阿香")), "subject.nickname"),
        ("unknown top-level field", line(&|r| r["extra"] = json!(1)), "extra"),
        ("duplicate answer key", duplicate_answer, "answers.B.1.1"),
        (
            "无 and another wound",
            line(&|r| r["health"]["wounds"] = json!(["none", "abrasion"])),
            "A.5.3",
        ),
    ]
}

#[test]
fn import_refuses_each_invalid_record_kind_by_line_and_field_and_stores_nothing() {
    let dir = TempDir::new("entrances-import");
    let data = dir.path().join("data");
    let good = example().to_string();
    for (kind, bad, field) in invalid_lines() {
        let file = dir.path().join("in.jsonl");
        // Line 1 is good, line 2 blank, line 3 bad.
        std::fs::write(&file, format!("{good}\n\n{bad}\n")).unwrap();
        let out = bin()
            .arg("--data-dir")
            .arg(&data)
            .args(["import", file.to_str().unwrap()])
            .output()
            .unwrap();
        assert_refused(&out, &["第 3 行", field]);
        let err = stderr(&out);
        assert!(!err.contains(EXAMPLE_NAME) && !err.contains("5309261943"), "{kind}: {err}");
        assert!(!err.contains("阿香"), "{kind}: {err}");
        let store = Store::open(&data).unwrap();
        let rows = store.export_rows(&super::common::gbt(), false).unwrap();
        assert!(rows.is_empty(), "{kind}: nothing stored, not even the good line");
    }
}

#[test]
fn import_stores_a_valid_record_and_an_unfinished_draft() {
    let dir = TempDir::new("entrances-import-ok");
    let scale = super::common::gbt();
    let store = Store::open_in_memory().unwrap();
    let mut draft =
        AssessmentRecord::new("PG-DRAFT".to_owned(), example_record().info.reference_date);
    draft.subject.name = "草稿".to_owned();
    let records = [example_record(), draft];
    assert_eq!(store.import_records(&records, &scale, at(0)).unwrap(), 2);
    let rows = store.export_rows(&scale, false).unwrap();
    let statuses: Vec<(&str, &str)> =
        rows.iter().map(|r| (r.number.as_str(), r.status.as_str())).collect();
    assert_eq!(
        statuses,
        [("PG-DRAFT", Status::Draft.label()), ("PG20261120-0003", Status::Completed.label())]
    );

    // The store checks too, whoever calls it: an invalid record is refused as a whole.
    let mut bad = example_record();
    bad.info.number = "PG-BAD".to_owned();
    *bad.subject.id_number.text_mut() = "530926194305120421".to_owned();
    let mut fine = example_record();
    fine.info.number = "PG-FINE".to_owned();
    let err = store.import_records(&[fine, bad], &scale, at(1)).unwrap_err();
    assert!(
        matches!(&err, StoreError::InvalidRecord { number, .. } if number == "PG-BAD"),
        "{err}"
    );
    assert!(err.to_string().contains("A.2.8") && !err.to_string().contains(EXAMPLE_ID), "{err}");
    assert_eq!(store.export_rows(&scale, false).unwrap().len(), 2, "nothing more stored");
    drop(dir);
}

/// A store with an assessor and a reviewer; returns them.
fn bureau(store: &Store) -> (Actor, Actor) {
    let admin = store.create_first_admin("admin", "管理员戊", PASSWORD, at(0)).unwrap();
    let assessor = store
        .create_account(&admin, "a1", "李明（示例）", Role::Assessor, PASSWORD, at(1))
        .unwrap();
    store.create_account(&admin, "a2", "杨芳（示例）", Role::Assessor, PASSWORD, at(1)).unwrap();
    let reviewer =
        store.create_account(&admin, "r1", "审核员丙", Role::Reviewer, PASSWORD, at(1)).unwrap();
    (assessor, reviewer)
}

#[test]
fn submit_and_approve_refuse_a_record_that_fails_validation() {
    let dir = TempDir::new("entrances-lifecycle");
    let store = Store::open(dir.path()).unwrap().with_password_cost(PasswordCost::TestOnlyLight);
    let (assessor, reviewer) = bureau(&store);
    store.login(&assessor.account, PASSWORD, at(2)).unwrap();

    // Saved behind the checks (a completed record with a wrong check digit).
    let mut bad = example_record();
    bad.info.number = "PG-BAD".to_owned();
    *bad.subject.id_number.text_mut() = "530926194305120421".to_owned();
    let id = store.save(&bad, Status::Completed, Some(2), at(3)).unwrap();
    super::common::bind_assessors(&store, id, ["a1", "a2"], PASSWORD, at(3));
    let err = store.transition(id, Action::Submit, &assessor, None, at(4)).unwrap_err();
    assert!(matches!(err, StoreError::InvalidRecord { .. }), "{err:?}");
    assert!(err.to_string().contains("A.2.8") && !err.to_string().contains("5309261943"), "{err}");
    assert_eq!(store.load(id).unwrap().unwrap().status, Status::Completed, "unchanged");

    // A valid record is submitted, then its stored birth date is changed behind the store:
    // the approval re-runs the validation and refuses it.
    let good = example_record();
    let id = store.save(&good, Status::Completed, Some(2), at(5)).unwrap();
    super::common::bind_assessors(&store, id, ["a1", "a2"], PASSWORD, at(5));
    assert_eq!(
        store.transition(id, Action::Submit, &assessor, None, at(6)).unwrap(),
        Status::Submitted
    );
    let conn = rusqlite::Connection::open(dir.db()).unwrap();
    let mut tampered = good.clone();
    tampered.subject.birth_date = chrono::NaiveDate::from_ymd_opt(1890, 1, 1);
    conn.execute(
        "UPDATE assessments SET record_json = ?1 WHERE id = ?2",
        rusqlite::params![serde_json::to_string(&tampered).unwrap(), id],
    )
    .unwrap();
    drop(conn);
    store.login(&reviewer.account, PASSWORD, at(7)).unwrap();
    let err = store.transition(id, Action::Approve, &reviewer, None, at(8)).unwrap_err();
    assert!(matches!(err, StoreError::InvalidRecord { .. }), "{err:?}");
    assert!(err.to_string().contains("A.2.3"), "{err}");
    assert_eq!(store.load(id).unwrap().unwrap().status, Status::Submitted, "not approved");
}

// ---------------------------------------------------------------------------------------
// score and entitlements

#[test]
fn entitlements_refuse_impossible_ages() {
    for birth in ["1700-01-01", "-0100-01-01", "2027-01-01", "2026-11-28", "1905-11-28"] {
        let input =
            json!({"reference_date": "2026-11-28", "birth_date": birth, "local_hukou": true});
        let out = run_stdin(&["entitlements", "-"], input.to_string().as_bytes());
        assert_refused(&out, &["birth_date"]);
    }
    // 120 is the oldest plausible age.
    let input =
        json!({"reference_date": "2026-11-28", "birth_date": "1906-11-28", "local_hukou": true});
    let out = run_stdin(&["entitlements", "-"], input.to_string().as_bytes());
    assert!(out.status.success(), "{}", stderr(&out));
    let out: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(out["age"], 120);
}

#[test]
fn trailing_data_after_the_json_object_exits_2() {
    let score = all_max_score_input().to_string();
    let facts = json!({"reference_date": "2026-11-28"}).to_string();
    for (command, input) in [("score", &score), ("entitlements", &facts)] {
        for tail in [" garbage", "\n{}", " ,"] {
            let out = run_stdin(&[command, "-"], format!("{input}{tail}").as_bytes());
            assert_refused(&out, &["多余内容"]);
        }
        let out = run_stdin(&[command, "-"], format!("{input}\n\n").as_bytes());
        assert!(out.status.success(), "{command}: trailing white space is fine: {}", stderr(&out));
    }
}

#[test]
fn a_bom_is_accepted_by_score_entitlements_and_import_alike() {
    let with_bom = |text: &str| [b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat();
    let out = run_stdin(&["score", "-"], &with_bom(&all_max_score_input().to_string()));
    assert!(out.status.success(), "score: {}", stderr(&out));
    let facts = json!({"reference_date": "2026-11-28"}).to_string();
    let out = run_stdin(&["entitlements", "-"], &with_bom(&facts));
    assert!(out.status.success(), "entitlements: {}", stderr(&out));

    let dir = TempDir::new("entrances-bom");
    let file = dir.path().join("in.jsonl");
    std::fs::write(&file, with_bom(&format!("{}\r\n", example()))).unwrap();
    let out = bin()
        .arg("--data-dir")
        .arg(dir.path().join("data"))
        .args(["import", file.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(out.status.success(), "import: {}", stderr(&out));
}

#[test]
fn hundred_thousand_unknown_keys_are_checked_in_under_a_second() {
    let mut input = all_max_score_input();
    let items = input["items"].as_object_mut().unwrap();
    for i in 0..100_000 {
        items.insert(format!("X.{i}"), json!(0));
    }
    let text = input.to_string();
    let scale = super::common::gbt();
    let started = Instant::now();
    let parsed = elder_assess::assessment::json::ScoreInput::from_json(&text).unwrap();
    let err = parsed.to_answers(&scale).unwrap_err();
    let elapsed = started.elapsed();
    // A guard against quadratic checking (which takes minutes here), not a speed target:
    // on a loaded 2-core machine the linear check has taken over a second.
    assert!(elapsed < Duration::from_secs(10), "took {elapsed:?}");
    assert_eq!(err.issues().len(), 100_000);
    let message = err.to_string();
    assert!(message.contains("`X.0`") && message.contains("另有 99980 个问题未列出"), "{message}");
    assert!(message.lines().count() <= elder_assess::assessment::MAX_SHOWN_ISSUES + 1);

    // The command line shows the first issues and how many more there are.
    let out = run_stdin(&["score", "-"], text.as_bytes());
    assert_refused(&out, &["`X.0`", "另有 99980 个问题未列出"]);
    assert!(stderr(&out).lines().count() <= 21, "{}", stderr(&out).len());
}

#[test]
fn a_duplicate_key_among_many_is_still_found() {
    let mut text = all_max_score_input().to_string();
    let many = (0..50_000).fold(String::new(), |mut out, i| {
        let _ = write!(out, "\"X.{i}\":0,");
        out
    });
    text = text.replacen("\"items\":{", &format!("\"items\":{{{many}\"X.7\":1,"), 1);
    let err = elder_assess::assessment::json::ScoreInput::from_json(&text).unwrap_err().to_string();
    assert!(err.contains("X.7") && err.contains("重复"), "{err}");
}

// ---------------------------------------------------------------------------------------
// policy files

#[test]
fn check_policy_refuses_a_huge_amount_with_file_line_and_column() {
    let dir = TempDir::new("entrances-policy");
    let source = include_str!("../assets/policies/gengma-2023.ron");
    let huge = source.replacen("amount: AtLeast(500)", "amount: Exactly(4294967295)", 1);
    assert_ne!(huge, source);
    let file = dir.path().join("huge.ron");
    std::fs::write(&file, &huge).unwrap();
    let out = bin().arg("check-policy").arg(&file).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let line = huge.lines().position(|l| l.contains("4294967295")).unwrap() + 1;
    let text = huge.lines().nth(line - 1).unwrap();
    let column = text[..text.find("amount").unwrap()].chars().count() + 1;
    let err = stderr(&out);
    let expected =
        format!("{}:{line}:{column}: 服务 3 的金额 4294967295 元/月超过上限", file.display());
    assert!(err.contains(&expected), "{err}");
}

// ---------------------------------------------------------------------------------------
// key files

#[test]
fn a_key_file_with_crafted_scrypt_parameters_is_refused_before_derivation() {
    use der::EncodePem as _;
    use pkcs8::EncryptedPrivateKeyInfo;
    use pkcs8::pkcs5::{EncryptionScheme, pbes2};

    let dir = TempDir::new("entrances-keys");
    let passphrase = "zhangsan-口令-2026";
    let info = elder_assess::sign::create_key_with_cost(
        dir.path(),
        "张三",
        passphrase,
        at(0),
        elder_assess::sign::KdfCost::TestOnly,
    )
    .unwrap();
    let pem = std::fs::read_to_string(&info.key_path).unwrap();
    let (label, document) = pkcs8::SecretDocument::from_pem(&pem).unwrap();
    let original = EncryptedPrivateKeyInfo::try_from(document.as_bytes()).unwrap();
    // N = 2^36 with r = 8: scrypt would allocate 64 GiB and abort the process.
    let EncryptionScheme::Pbes2(mut params) = original.encryption_algorithm else { panic!() };
    let pbes2::Kdf::Scrypt(kdf) = &mut params.kdf else { panic!() };
    kdf.cost_parameter = 1 << 36;
    let crafted = EncryptedPrivateKeyInfo {
        encryption_algorithm: EncryptionScheme::Pbes2(params),
        encrypted_data: original.encrypted_data,
    };
    let crafted_pem = crafted.to_pem(der::pem::LineEnding::LF).unwrap();
    assert_eq!(label, "ENCRYPTED PRIVATE KEY");
    std::fs::write(&info.key_path, crafted_pem).unwrap();

    let started = Instant::now();
    let Err(err) = elder_assess::sign::load_signer(dir.path(), "张三", passphrase) else {
        panic!("a crafted key file must be refused");
    };
    assert!(started.elapsed() < Duration::from_secs(5));
    let message = err.to_string();
    assert!(message.contains("scrypt") && message.contains("2^36"), "{message}");
}

#[test]
fn a_new_key_passphrase_needs_ten_characters() {
    let dir = TempDir::new("entrances-passphrase");
    let make = |passphrase: &str| {
        elder_assess::sign::create_key_with_cost(
            dir.path(),
            "王五",
            passphrase,
            at(0),
            elder_assess::sign::KdfCost::TestOnly,
        )
    };
    let err = make("示例口令-仅供测试").unwrap_err();
    assert_eq!(err.to_string(), "口令太短：至少需要 10 个字符");
    assert!(make("示例口令-仅供测试用").is_ok());
}

// ---------------------------------------------------------------------------------------
// exports

#[test]
fn an_over_long_name_is_cut_and_named_and_the_export_succeeds() {
    use calamine::{Reader as _, Xlsx, open_workbook_from_rs};

    let dir = TempDir::new("entrances-export");
    let data = dir.path().join("data");
    let mut record = example_record();
    record.subject.name = "岩".repeat(40_000);
    let store = Store::open(&data).unwrap();
    store.import_records(&[record], &super::common::gbt(), at(0)).unwrap();
    drop(store);
    for file in ["full.xlsx", "full.csv"] {
        let out_file = dir.path().join(file);
        let out = bin()
            .arg("--data-dir")
            .arg(&data)
            .args(["export", "--full", "--purpose", "测试", "--out", out_file.to_str().unwrap()])
            .output()
            .unwrap();
        let err = stderr(&out);
        assert!(out.status.success(), "{file}: {err}");
        assert!(
            err.contains("第 1 条记录") && err.contains("姓名") && err.contains("截断"),
            "{err}"
        );
        assert!(!err.contains("岩岩"), "the cell's content is never printed");
        let bytes = std::fs::read(&out_file).unwrap();
        assert!(!bytes.is_empty());
    }
    // The XLSX cell holds Excel's maximum, ending in the marker.
    let rows = {
        let store = Store::open(&data).unwrap();
        store.export_rows(&super::common::gbt(), false).unwrap()
    };
    let encoded = elder_assess::tables::to_xlsx(
        &rows,
        elder_assess::tables::Privacy::Full,
        &super::common::gbt(),
    )
    .unwrap();
    assert_eq!(encoded.cut.len(), 1);
    assert_eq!((encoded.cut[0].row, encoded.cut[0].column.as_str()), (1, "姓名"));
    let mut workbook: Xlsx<_> = open_workbook_from_rs(std::io::Cursor::new(encoded.bytes)).unwrap();
    let sheet = workbook.worksheet_range("评估记录").unwrap();
    let name = sheet.get((1, 4)).unwrap().to_string();
    assert!(name.ends_with(elder_assess::tables::CUT_MARKER), "{}", name.len());
    assert_eq!(name.encode_utf16().count(), elder_assess::tables::MAX_CELL_LEN);
}
