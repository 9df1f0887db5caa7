//! The `elder-assess` binary, run as a user would.

use std::io::Write as _;
use std::process::{Command, Output, Stdio};

use serde_json::{Value, json};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_elder-assess"))
}

/// Runs `elder-assess score -` with `input` on stdin.
fn score_stdin(input: &str) -> Output {
    let mut child = bin()
        .args(["score", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

fn all_max_input() -> Value {
    let scale = super::common::gbt();
    let items: serde_json::Map<String, Value> =
        scale.items().iter().map(|i| (i.id().to_owned(), json!(i.max()))).collect();
    json!({
        "scale": "gbt42195-2022",
        "items": items,
        "coma": false, "dementia": false, "mental_disorder": false,
        "risk_events_30d": {"fall": 0, "wandering": 0, "choking": 0, "suicide_self_harm": 0, "other": 0}
    })
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

fn assert_rejected(output: &Output, named: &[&str]) {
    assert_eq!(output.status.code(), Some(2), "stderr: {}", stderr(output));
    assert!(output.stdout.is_empty(), "nothing on stdout on error");
    let err = stderr(output);
    for name in named {
        assert!(err.contains(name), "stderr should name {name}: {err}");
    }
}

#[test]
fn all_maximum_answers_score_90_level_0() {
    let dir = std::env::temp_dir().join(format!("elder-assess-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("all-max.json");
    std::fs::write(&file, all_max_input().to_string()).unwrap();
    let output = bin().arg("score").arg(&file).output().unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(output.stderr.is_empty());
    let out: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(out["scale"], "gbt42195-2022");
    assert_eq!(out["total"], 90);
    assert_eq!(out["domain_scores"], json!({"B.1": 32, "B.2": 15, "B.3": 28, "B.4": 15}));
    assert_eq!(out["preliminary_level"], 0);
    assert_eq!(out["final_level"], 0);
    assert_eq!(out["level_name"], "能力完好");
    assert_eq!(out["adjustments"], json!([]));
    assert_eq!(out["warnings"], json!([]));
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn scale_field_may_be_omitted_and_coma_gives_level_4() {
    let mut input = all_max_input();
    input.as_object_mut().unwrap().remove("scale");
    input["coma"] = json!(true);
    let output = score_stdin(&input.to_string());
    assert!(output.status.success(), "{}", stderr(&output));
    let out: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(out["final_level"], 4);
    assert_eq!(out["level_name"], "能力完全丧失（完全失能）");
    assert_eq!(out["adjustments"][0]["id"], "coma");
    assert_eq!(out["adjustments"][0]["trigger"], "A.5.11 昏迷：有");
    // Coma recorded while 意识水平 is 2: W001.
    assert_eq!(out["warnings"][0]["code"], "W001");
}

#[test]
fn out_of_range_score_is_rejected_naming_the_item() {
    let mut input = all_max_input();
    input["items"]["B.2.4"] = json!(4);
    assert_rejected(&score_stdin(&input.to_string()), &["B.2.4", "0–3"]);
}

#[test]
fn missing_item_is_rejected_naming_the_item() {
    let mut input = all_max_input();
    input["items"].as_object_mut().unwrap().remove("B.3.7");
    assert_rejected(&score_stdin(&input.to_string()), &["B.3.7", "未作答"]);
}

#[test]
fn unknown_item_code_is_rejected_naming_the_code() {
    let mut input = all_max_input();
    input["items"]["B.5.1"] = json!(1);
    assert_rejected(&score_stdin(&input.to_string()), &["B.5.1"]);
}

#[test]
fn every_bad_item_is_named_at_once() {
    let mut input = all_max_input();
    input["items"]["B.2.4"] = json!(9);
    input["items"]["B.4.1"] = json!(-1);
    input["items"].as_object_mut().unwrap().remove("B.1.1");
    input["items"]["X.1"] = json!(0);
    assert_rejected(&score_stdin(&input.to_string()), &["B.2.4", "B.4.1", "B.1.1", "X.1"]);
}

#[test]
fn malformed_json_is_rejected_with_its_position() {
    let output = score_stdin("{\"items\": {\"B.1.1\": 4,,}}");
    assert_rejected(&output, &["第 1 行", "列"]);
}

#[test]
fn wrong_type_and_unknown_field_are_named() {
    let mut input = all_max_input();
    input["items"]["B.1.2"] = json!("3");
    assert_rejected(&score_stdin(&input.to_string()), &["items.B.1.2"]);
    let mut input = all_max_input();
    input["comma"] = json!(false);
    assert_rejected(&score_stdin(&input.to_string()), &["comma"]);
    let mut input = all_max_input();
    input["risk_events_30d"]["falls"] = json!(1);
    assert_rejected(&score_stdin(&input.to_string()), &["risk_events_30d.falls"]);
    let mut input = all_max_input();
    input["risk_events_30d"]["fall"] = json!(5);
    assert_rejected(&score_stdin(&input.to_string()), &["risk_events_30d.fall", "0–3"]);
}

#[test]
fn missing_flag_is_an_error_not_a_silent_no() {
    let mut input = all_max_input();
    input.as_object_mut().unwrap().remove("dementia");
    assert_rejected(&score_stdin(&input.to_string()), &["dementia"]);
}

#[test]
fn unknown_scale_is_rejected() {
    let mut input = all_max_input();
    input["scale"] = json!("mzt039-2013");
    assert_rejected(&score_stdin(&input.to_string()), &["mzt039-2013", "gbt42195-2022"]);
}

#[test]
fn unreadable_file_exits_2() {
    let output = bin().args(["score", "/nonexistent/answers.json"]).output().unwrap();
    assert_rejected(&output, &["/nonexistent/answers.json"]);
}

#[test]
fn check_scale_accepts_the_bundled_scale() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/scales/gbt42195-2022.ron");
    let output = bin().args(["check-scale", path]).output().unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(String::from_utf8(output.stdout).unwrap().contains("26 个条目"));
}

#[test]
fn check_scale_reports_a_misspelt_field_with_file_line_and_column() {
    let good = concat!(env!("CARGO_MANIFEST_DIR"), "/scales/gbt42195-2022.ron");
    let bad = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/invalid_scales/misspelt-field.ron");
    let output = bin().args(["check-scale", good, bad]).output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    let err = stderr(&output);
    assert!(err.contains(&format!("{bad}:14:35:")), "{err}");
    assert!(err.contains("`nmae`"), "{err}");
}

#[test]
fn scales_lists_the_bundled_scale() {
    let output = bin().arg("scales").output().unwrap();
    assert!(output.status.success());
    let out = String::from_utf8(output.stdout).unwrap();
    assert!(out.starts_with("gbt42195-2022\tGB/T 42195-2022《老年人能力评估规范》"), "{out}");
}

#[test]
fn outcome_prints_a_stored_assessments_result_as_json() {
    use chrono::{NaiveDate, TimeZone as _, Utc};
    use elder_assess::record::AssessmentRecord;
    use elder_assess::record::codes::Presence;
    use elder_assess::store::{Status, Store};

    let dir = std::env::temp_dir().join(format!("elder-assess-cli-outcome-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let scale = super::common::gbt();
    let store = Store::open(&dir).unwrap();
    let mut record = AssessmentRecord::new(
        "PG20261128-0007".to_owned(),
        NaiveDate::from_ymd_opt(2026, 11, 28).unwrap(),
    );
    for item in scale.items() {
        record.answers.insert(item.id().to_owned(), item.max());
    }
    record.health.coma = Some(Presence::Absent);
    record.subject.risk_events.fall = Some(2);
    let now = Utc.with_ymd_and_hms(2026, 11, 28, 2, 0, 0).unwrap();
    store.save(&record, Status::Completed, Some(1), now).unwrap();
    drop(store);

    let output =
        bin().arg("--data-dir").arg(&dir).args(["outcome", "PG20261128-0007"]).output().unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let out: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(out["number"], "PG20261128-0007");
    assert_eq!(out["status"], "completed");
    assert_eq!(out["total"], 90);
    assert_eq!(out["final_level"], 1, "two falls raise the level once");
    assert_eq!(out["adjustments"][0]["id"], "risk_events");

    let missing =
        bin().arg("--data-dir").arg(&dir).args(["outcome", "PG00000000-0000"]).output().unwrap();
    assert_rejected(&missing, &["PG00000000-0000"]);
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn import_export_and_audit_from_the_command_line() {
    let dir = std::env::temp_dir().join(format!("elder-assess-cli-bureau-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let example: Value =
        serde_json::from_str(include_str!("data/example-assessment.json")).unwrap();
    let mut lines = String::new();
    for (i, township) in ["耿马镇", "孟定镇"].iter().enumerate() {
        let mut record = example.clone();
        record["info"]["number"] = json!(format!("PG20261120-09{i:02}"));
        record["info"]["township"] = json!(township);
        lines.push_str(&record.to_string());
        lines.push('\n');
    }
    let jsonl = dir.join("in.jsonl");
    std::fs::write(&jsonl, &lines).unwrap();
    let data = dir.join("data");
    let run = |args: &[&str]| bin().arg("--data-dir").arg(&data).args(args).output().unwrap();
    let out = run(&["import", jsonl.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    // Importing the same numbers again is refused as a whole.
    assert_rejected(&run(&["import", jsonl.to_str().unwrap()]), &["PG20261120-0900"]);

    let csv = dir.join("out.csv");
    let out = run(&["export", "--out", csv.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = std::fs::read_to_string(&csv).unwrap();
    assert!(text.starts_with('\u{feff}'), "UTF-8 with BOM");
    assert!(
        text.contains("530926********0420") && !text.contains("岩温香"),
        "de-identified by default"
    );
    assert!(text.contains("孟定镇"));

    let audit_rows = |out: &Output| String::from_utf8(out.stdout.clone()).unwrap();
    let before = audit_rows(&run(&["audit", "verify"]));
    let full = dir.join("full.csv");
    let out =
        run(&["export", "--full", "--purpose", "民政局抽查", "--out", full.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = std::fs::read_to_string(&full).unwrap();
    assert!(text.contains("岩温香（示例）") && text.contains("530926194305120420"));
    let after = audit_rows(&run(&["audit", "verify"]));
    assert_ne!(before, after, "the full export is recorded in the audit trail");
    let store = elder_assess::store::Store::open(&data).unwrap();
    let conn = rusqlite::Connection::open(store.path()).unwrap();
    let (detail, reason): (String, Option<String>) = conn
        .query_row("SELECT new_value, reason FROM audit WHERE action = 'export_full'", [], |row| {
            Ok((row.get(0)?, row.get(1)?))
        })
        .unwrap();
    assert!(detail.starts_with("2 条，") && detail.ends_with("full.csv"), "{detail}");
    assert_eq!(reason.as_deref(), Some("民政局抽查"));
    drop((conn, store));
    // A purpose without --full is refused; so is a file that is not CSV or XLSX.
    assert_rejected(&run(&["export", "--purpose", "x", "--out", "a.csv"]), &["--full"]);
    assert_rejected(&run(&["export", "--out", "a.xls"]), &["a.xls", ".csv 或 .xlsx"]);

    let out =
        run(&["stats", "--by", "township,level", "--from", "2026-01-01", "--to", "2026-12-31"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(String::from_utf8(out.stdout).unwrap().contains("孟定镇"));
    assert_rejected(&run(&["stats", "--by", "colour"]), &["--by"]);
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn score_reads_a_null_risk_count_as_unanswered_adding_nothing() {
    let mut input = all_max_input();
    input["risk_events_30d"] = json!({"fall": 2, "wandering": null, "choking": null});
    let output = score_stdin(&input.to_string());
    assert!(output.status.success(), "{}", stderr(&output));
    let out: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(out["adjustments"][0]["id"], "risk_events", "two answered falls raise the level");
    input["risk_events_30d"] = json!({"fall": 1, "choking": null});
    let out: Value = serde_json::from_slice(&score_stdin(&input.to_string()).stdout).unwrap();
    assert_eq!(out["adjustments"], json!([]), "an unanswered kind adds nothing");
    input["risk_events_30d"] = json!({"falls": null});
    assert_rejected(&score_stdin(&input.to_string()), &["risk_events_30d.falls"]);
}
