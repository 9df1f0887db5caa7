//! Exports (issue #6, point 7) read back the way a spreadsheet or a script would: CSV
//! through the `csv` crate, XLSX through `calamine`; statistics (point 6) against a table
//! written out by hand; JSON-lines import.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use chrono::NaiveDate;
use elder_assess::record::codes::Sex;
use elder_assess::record::{AssessmentRecord, ImportError, parse_jsonl};
use elder_assess::tables::{
    self, BOM, Dimension, ExportRow, Privacy, StatsTable, stats, stats_multi, to_csv, to_xlsx,
    unwrap_text_formula,
};

const FULL_ID: &str = "530926194305120420";
const MASKED_ID: &str = "530926********0420";
const NAME: &str = "岩温香";

/// The bundled county file's townships.
fn townships() -> Vec<String> {
    elder_assess::policy::bundled("gengma-2023").unwrap().unwrap().county().townships.clone()
}

/// The bundled scale's full level names.
fn level_names() -> Vec<String> {
    super::common::gbt().levels().iter().map(|level| level.name.clone()).collect()
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// An approved row with the given essentials; everything else plain.
fn row(
    number: &str,
    township: &str,
    reference: NaiveDate,
    birth: Option<NaiveDate>,
    sex: Option<Sex>,
    level: Option<u8>,
) -> ExportRow {
    ExportRow {
        number: number.to_owned(),
        status: "已通过".to_owned(),
        approved: true,
        township: township.to_owned(),
        reference_date: reference,
        name: format!("老人{number}"),
        id_number: String::new(),
        sex,
        birth_date: birth,
        final_level: level,
        total: level.map(|l| 90 - u16::from(l) * 20),
        domain_scores: vec![20, 14, 18, 10],
        assessors: ["评估员甲".to_owned(), "评估员乙".to_owned()],
        reviewer: Some("审核员丙".to_owned()),
        warnings: 0,
    }
}

/// The elder of `tests/data/example-assessment.json`, scored.
fn sample() -> ExportRow {
    ExportRow {
        name: NAME.to_owned(),
        id_number: FULL_ID.to_owned(),
        total: Some(47),
        domain_scores: vec![12, 8, 17, 10],
        warnings: 1,
        ..row(
            "PG20261120-0003",
            "耿马镇",
            date(2026, 11, 20),
            Some(date(1943, 5, 12)),
            Some(Sex::Female),
            Some(2),
        )
    }
}

/// Parses CSV bytes (after checking the BOM) into the header and the records.
fn read_csv(bytes: &[u8]) -> (Vec<String>, Vec<Vec<String>>) {
    assert!(bytes.starts_with(BOM), "CSV must start with the UTF-8 BOM");
    let mut reader = csv::ReaderBuilder::new().from_reader(&bytes[BOM.len()..]);
    let headers = reader.headers().unwrap().iter().map(str::to_owned).collect();
    let records =
        reader.records().map(|r| r.unwrap().iter().map(str::to_owned).collect()).collect();
    (headers, records)
}

fn column(headers: &[String], title: &str) -> usize {
    headers
        .iter()
        .position(|h| h == title)
        .unwrap_or_else(|| panic!("no column {title}: {headers:?}"))
}

const DEIDENTIFIED_HEADERS: [&str; 17] = [
    "评估编号",
    "状态",
    "乡镇",
    "评估基准日期",
    "公民身份号码（脱敏）",
    "性别",
    "年龄段",
    "总分",
    "自理能力",
    "基础运动能力",
    "精神状态",
    "感知觉与社会参与",
    "能力等级",
    "评估员1",
    "评估员2",
    "审核员",
    "提示数",
];

#[test]
fn csv_is_deidentified_by_default() {
    assert_eq!(Privacy::default(), Privacy::DeIdentified);
    let bytes = to_csv(&[sample()], Privacy::default(), &super::common::gbt()).bytes;
    let text = std::str::from_utf8(&bytes).unwrap();
    assert!(!text.contains(NAME), "no name in a de-identified export");
    assert!(!text.contains(FULL_ID) && !text.contains("1943"), "no full ID, no birth date");
    assert!(text.ends_with("\r\n"), "CRLF records");

    let (headers, records) = read_csv(&bytes);
    assert_eq!(headers, DEIDENTIFIED_HEADERS);
    assert_eq!(records.len(), 1);
    let expected = [
        "PG20261120-0003",
        "已通过",
        "耿马镇",
        "2026-11-20",
        MASKED_ID,
        "女",
        "80–89",
        "47",
        "12",
        "8",
        "17",
        "10",
        "能力中度受损（中度失能）",
        "评估员甲",
        "评估员乙",
        "审核员丙",
        "1",
    ];
    assert_eq!(records[0], expected);
}

#[test]
fn full_csv_reads_back_exactly() {
    let mut with_x = sample();
    with_x.id_number = "53092619430512042X".to_owned();
    with_x.number = "00012".to_owned(); // leading zeros Excel would drop
    with_x.final_level = Some(4);
    with_x.reviewer = None;
    let rows = [sample(), with_x];
    let bytes = to_csv(&rows, Privacy::Full, &super::common::gbt()).bytes;
    let text = std::str::from_utf8(&bytes).unwrap();
    // The all-digit ID is an Excel text formula in the file itself.
    assert!(text.contains(r#""=""530926194305120420""""#), "{text}");

    let (headers, records) = read_csv(&bytes);
    assert_eq!(
        headers,
        [
            "评估编号",
            "状态",
            "乡镇",
            "评估基准日期",
            "姓名",
            "公民身份号码",
            "性别",
            "出生日期",
            "年龄",
            "年龄段",
            "总分",
            "自理能力",
            "基础运动能力",
            "精神状态",
            "感知觉与社会参与",
            "能力等级",
            "评估员1",
            "评估员2",
            "审核员",
            "提示数",
        ]
    );
    let unwrapped: Vec<Vec<&str>> =
        records.iter().map(|r| r.iter().map(|c| unwrap_text_formula(c)).collect()).collect();
    let first = [
        "PG20261120-0003",
        "已通过",
        "耿马镇",
        "2026-11-20",
        NAME,
        FULL_ID,
        "女",
        "1943-05-12",
        "83",
        "80–89",
        "47",
        "12",
        "8",
        "17",
        "10",
        "能力中度受损（中度失能）",
        "评估员甲",
        "评估员乙",
        "审核员丙",
        "1",
    ];
    assert_eq!(unwrapped[0], first);
    let second = [
        "00012",
        "已通过",
        "耿马镇",
        "2026-11-20",
        NAME,
        "53092619430512042X",
        "女",
        "1943-05-12",
        "83",
        "80–89",
        "47",
        "12",
        "8",
        "17",
        "10",
        "能力完全丧失（完全失能）",
        "评估员甲",
        "评估员乙",
        "",
        "1",
    ];
    assert_eq!(unwrapped[1], second);
    // Raw cells: only all-digit identifiers are wrapped.
    let id = column(&headers, "公民身份号码");
    assert_eq!(records[0][id], format!("=\"{FULL_ID}\""));
    assert_eq!(records[1][id], "53092619430512042X");
    assert_eq!(records[1][0], "=\"00012\"");
}

#[test]
fn csv_neutralises_formula_injection() {
    let mut evil = sample();
    evil.township = "=HYPERLINK(\"http://x\",\"点我\")".to_owned();
    evil.name = "+1+cmd|' /C calc'!A0".to_owned();
    evil.assessors = ["@SUM(A1:A9)".to_owned(), "-2+3".to_owned()];
    evil.reviewer = Some("\t=1".to_owned());
    evil.number = "=1+1".to_owned();
    evil.id_number = "=cmd|' /C calc'!A0".to_owned();
    for privacy in [Privacy::DeIdentified, Privacy::Full] {
        let (headers, records) =
            read_csv(&to_csv(&[evil.clone()], privacy, &super::common::gbt()).bytes);
        for (title, cell) in headers.iter().zip(&records[0]) {
            let dangerous = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
            assert!(!dangerous, "{privacy:?} {title}: {cell:?} would run as a formula");
        }
        assert_eq!(records[0][column(&headers, "乡镇")], format!("'{}", evil.township));
        assert_eq!(records[0][column(&headers, "评估员1")], "'@SUM(A1:A9)");
        assert_eq!(records[0][column(&headers, "评估员2")], "'-2+3");
        assert_eq!(records[0][0], "'=1+1");
        if privacy == Privacy::Full {
            assert_eq!(records[0][column(&headers, "姓名")], format!("'{}", evil.name));
        }
    }
    // Leading/trailing spaces are trimmed, so a tab is the only way to hide `=`; the
    // reviewer's was trimmed to `=1` and guarded.
    let (headers, records) = read_csv(&to_csv(&[evil], Privacy::Full, &super::common::gbt()).bytes);
    assert_eq!(records[0][column(&headers, "审核员")], "'=1");
}

/// The sheet `name` of an XLSX file.
fn read_xlsx(bytes: Vec<u8>, name: &str) -> calamine::Range<Data> {
    let mut workbook: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes)).unwrap();
    workbook.worksheet_range(name).unwrap()
}

fn cell(range: &calamine::Range<Data>, row: usize, col: usize) -> Data {
    range.get((row, col)).cloned().unwrap_or(Data::Empty)
}

#[test]
fn xlsx_reads_back_with_ids_as_text() {
    let mut rows = vec![sample(); 3];
    rows[1].number = "00012".to_owned();
    rows[2].id_number = "53092619430512042X".to_owned();
    rows[2].total = None;

    let full =
        read_xlsx(to_xlsx(&rows, Privacy::Full, &super::common::gbt()).unwrap().bytes, "评估记录");
    assert_eq!(full.height(), 4, "header + 3 rows");
    let headers: Vec<String> =
        full.rows().next().unwrap().iter().map(ToString::to_string).collect();
    assert_eq!(headers[4..6], ["姓名", "公民身份号码"]);
    assert_eq!(headers.len(), 20);
    assert_eq!(cell(&full, 1, 5), Data::String(FULL_ID.to_owned()));
    assert_eq!(cell(&full, 3, 5), Data::String("53092619430512042X".to_owned()));
    assert_eq!(cell(&full, 2, 0), Data::String("00012".to_owned()));
    assert_eq!(cell(&full, 1, 4), Data::String(NAME.to_owned()));
    let (y, m, d, ..) = match cell(&full, 1, 3) {
        Data::DateTime(d) => d.to_ymd_hms_milli(),
        other => panic!("reference date should be a date: {other:?}"),
    };
    assert_eq!((y, m, d), (2026, 11, 20));
    let (y, m, d, ..) = match cell(&full, 1, 7) {
        Data::DateTime(d) => d.to_ymd_hms_milli(),
        other => panic!("birth date should be a date: {other:?}"),
    };
    assert_eq!((y, m, d), (1943, 5, 12));
    assert_eq!(cell(&full, 1, 10), Data::Float(47.0));
    assert_eq!(cell(&full, 3, 10), Data::Empty);
    assert_eq!(cell(&full, 1, 15), Data::String("能力中度受损（中度失能）".to_owned()));

    let plain = read_xlsx(
        to_xlsx(&rows, Privacy::DeIdentified, &super::common::gbt()).unwrap().bytes,
        "评估记录",
    );
    assert_eq!(plain.height(), 4);
    let headers: Vec<String> =
        plain.rows().next().unwrap().iter().map(ToString::to_string).collect();
    assert_eq!(headers, DEIDENTIFIED_HEADERS);
    assert_eq!(cell(&plain, 1, 4), Data::String(MASKED_ID.to_owned()));
    for r in plain.rows() {
        for c in r {
            let text = c.to_string();
            assert!(!text.contains(NAME) && !text.contains(FULL_ID), "{text}");
        }
    }

    // No rows: still a header and a valid file.
    let empty = read_xlsx(
        to_xlsx(&[], Privacy::DeIdentified, &super::common::gbt()).unwrap().bytes,
        "评估记录",
    );
    assert_eq!(empty.height(), 1);
}

/// Twelve hand-made rows: nine counted, one approved without a level, three outside
/// (not approved, before and after the period).
fn stats_rows() -> Vec<ExportRow> {
    let (male, female) = (Some(Sex::Male), Some(Sex::Female));
    let mut rows = vec![
        row("1", "耿马镇", date(2026, 3, 1), Some(date(1950, 1, 1)), male, Some(0)), // 76
        row("2", "耿马镇", date(2026, 4, 10), Some(date(1940, 6, 1)), female, Some(2)), // 85
        row("3", "孟定镇", date(2026, 1, 1), Some(date(1960, 1, 1)), female, Some(1)), // 66, first day
        row("4", " 孟定镇 ", date(2026, 6, 30), Some(date(1930, 5, 5)), male, Some(4)), // 96, last day
        row("5", "勐撒镇", date(2026, 2, 15), Some(date(1946, 2, 15)), None, Some(3)), // 80 that day
        row("6", "勐永镇", date(2026, 5, 1), Some(date(1970, 1, 1)), female, Some(0)), // 56
        row("7", "耿马镇", date(2026, 5, 20), Some(date(1950, 1, 1)), male, Some(1)), // not approved
        row("8", "耿马镇", date(2025, 12, 31), Some(date(1950, 1, 1)), male, Some(1)), // before
        row("9", "孟定镇", date(2026, 7, 1), Some(date(1950, 1, 1)), male, Some(1)),  // after
        // Birth date and sex from the ID number (1943-05-12, 女): 82.
        row("10", "孟定", date(2026, 3, 3), None, None, Some(2)),
        row("11", "", date(2026, 3, 4), Some(date(1955, 1, 1)), male, Some(1)), // 71
        row("12", "耿马镇", date(2026, 3, 5), Some(date(1952, 1, 1)), male, None), // no level
        row("13", "贺派乡", date(2026, 6, 1), None, male, Some(3)),             // age unknown
    ];
    rows[6].approved = false;
    rows[6].status = "已提交".to_owned();
    rows[9].id_number = FULL_ID.to_owned();
    rows
}

fn period() -> (NaiveDate, NaiveDate) {
    (date(2026, 1, 1), date(2026, 6, 30))
}

fn as_table(table: &StatsTable) -> Vec<(&str, [u32; 5])> {
    table.rows.iter().map(|(label, counts)| (label.as_str(), *counts)).collect()
}

#[test]
fn statistics_by_township() {
    let (from, to) = period();
    let table =
        stats(&stats_rows(), Dimension::Township, (from, to), &super::common::gbt(), &townships());
    assert_eq!(table.by, Dimension::Township);
    assert_eq!(table.period, (from, to));
    assert_eq!(table.columns, level_names());
    let expected: Vec<(&str, [u32; 5])> = vec![
        ("耿马镇", [1, 0, 1, 0, 0]),
        ("勐永镇", [1, 0, 0, 0, 0]),
        ("勐撒镇", [0, 0, 0, 1, 0]),
        ("孟定镇", [0, 1, 0, 0, 1]),
        ("大兴乡", [0; 5]),
        ("芒洪拉祜族布朗族乡", [0; 5]),
        ("四排山乡", [0; 5]),
        ("贺派乡", [0, 0, 0, 1, 0]),
        ("勐简乡", [0; 5]),
        ("华侨管理区", [0; 5]),
        ("勐撒农场", [0; 5]),
        ("孟定农场", [0; 5]),
        ("孟定", [0, 0, 1, 0, 0]),
        ("未填写", [0, 1, 0, 0, 0]),
    ];
    assert_eq!(as_table(&table), expected);
    assert_eq!(table.totals, [2, 2, 2, 2, 1]);
    assert_eq!(table.skipped, 1);
    let names: Vec<&str> = table.rows.iter().take(12).map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, townships());
}

#[test]
fn statistics_by_age_band_and_sex() {
    let (from, to) = period();
    let rows = stats_rows();
    let by_age = stats(&rows, Dimension::AgeBand, (from, to), &super::common::gbt(), &townships());
    let expected: Vec<(&str, [u32; 5])> = vec![
        ("60岁以下", [1, 0, 0, 0, 0]),
        ("60–69", [0, 1, 0, 0, 0]),
        ("70–79", [1, 1, 0, 0, 0]),
        ("80–89", [0, 0, 2, 1, 0]),
        ("90+", [0, 0, 0, 0, 1]),
        ("未知", [0, 0, 0, 1, 0]),
    ];
    assert_eq!(as_table(&by_age), expected);
    assert_eq!(by_age.totals, [2, 2, 2, 2, 1]);

    let by_sex = stats(&rows, Dimension::Sex, (from, to), &super::common::gbt(), &townships());
    let expected: Vec<(&str, [u32; 5])> =
        vec![("男", [1, 1, 0, 1, 1]), ("女", [1, 1, 2, 0, 0]), ("未知", [0, 0, 0, 1, 0])];
    assert_eq!(as_table(&by_sex), expected);

    // Without the extra rows only the standard groups are listed.
    let standard: Vec<ExportRow> = rows.into_iter().filter(|r| r.number == "1").collect();
    let by_age =
        stats(&standard, Dimension::AgeBand, (from, to), &super::common::gbt(), &townships());
    let labels: Vec<&str> = by_age.rows.iter().map(|(l, _)| l.as_str()).collect();
    assert_eq!(labels, ["60–69", "70–79", "80–89", "90+"]);
    let by_sex = stats(&standard, Dimension::Sex, (from, to), &super::common::gbt(), &townships());
    assert_eq!(as_table(&by_sex), [("男", [1, 0, 0, 0, 0]), ("女", [0; 5])]);
    // An empty period counts nothing.
    let none = stats(&standard, Dimension::Sex, (to, from), &super::common::gbt(), &townships());
    assert_eq!(none.totals, [0; 5]);
}

#[test]
fn statistics_by_township_and_sex() {
    let (from, to) = period();
    let dims = Dimension::parse_list("township,sex,level").unwrap();
    let table = stats_multi(&stats_rows(), &dims, (from, to), &super::common::gbt(), &townships());
    assert_eq!(table.by, [Dimension::Township, Dimension::Sex]);
    assert_eq!(table.rows.len(), 14 * 3);
    let get = |t: &str, s: &str| {
        table.rows.iter().find(|(l, _)| l[0] == t && l[1] == s).map(|(_, c)| *c).unwrap()
    };
    assert_eq!(get("耿马镇", "男"), [1, 0, 0, 0, 0]);
    assert_eq!(get("耿马镇", "女"), [0, 0, 1, 0, 0]);
    assert_eq!(get("勐撒镇", "未知"), [0, 0, 0, 1, 0]);
    assert_eq!(get("孟定", "女"), [0, 0, 1, 0, 0]);
    assert_eq!(table.rows[0].0, ["耿马镇", "男"]);
    assert_eq!(table.rows[2].0, ["耿马镇", "未知"]);
    assert_eq!(table.rows[3].0, ["勐永镇", "男"]);
    assert_eq!(table.totals, [2, 2, 2, 2, 1]);
}

#[test]
fn statistics_export_to_csv_and_xlsx() {
    let (from, to) = period();
    let table =
        stats(&stats_rows(), Dimension::Sex, (from, to), &super::common::gbt(), &townships());

    let (headers, records) = read_csv(&tables::stats_to_csv(&table));
    let mut expected_headers = vec!["性别"];
    let names = level_names();
    expected_headers.extend(names.iter().map(String::as_str));
    expected_headers.push("合计");
    assert_eq!(headers, expected_headers);
    assert_eq!(
        records,
        [
            ["男", "1", "1", "0", "1", "1", "4"],
            ["女", "1", "1", "2", "0", "0", "4"],
            ["未知", "0", "0", "0", "1", "0", "1"],
            ["合计", "2", "2", "2", "2", "1", "9"],
        ]
    );

    let sheet = read_xlsx(tables::stats_to_xlsx(&table).unwrap(), "统计");
    let title = cell(&sheet, 0, 0).to_string();
    assert!(title.contains("按性别") && title.contains("2026-01-01 至 2026-06-30"), "{title}");
    let header: Vec<String> = (0..7).map(|c| cell(&sheet, 1, c).to_string()).collect();
    assert_eq!(header, expected_headers);
    assert_eq!(cell(&sheet, 2, 0), Data::String("男".to_owned()));
    assert_eq!(cell(&sheet, 3, 3), Data::Float(2.0));
    assert_eq!(cell(&sheet, 5, 0), Data::String("合计".to_owned()));
    assert_eq!(cell(&sheet, 5, 6), Data::Float(9.0));
    assert!(cell(&sheet, 7, 0).to_string().contains("另有 1 份"));
}

fn example_line() -> String {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/example-assessment.json"
    ))
    .unwrap();
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    serde_json::to_string(&value).unwrap()
}

#[test]
fn jsonl_import() {
    let scale = super::common::gbt();
    let townships = super::common::townships();
    let line = example_line();
    assert!(!line.contains('\n'));
    let expected: AssessmentRecord = serde_json::from_str(&line).unwrap();
    let records = parse_jsonl(&format!("{line}\n\n{line}\r\n"), &scale, &townships).unwrap();
    assert_eq!(records, [expected.clone(), expected]);
    assert!(parse_jsonl("", &scale, &townships).unwrap().is_empty());

    let err = parse_jsonl(&format!("{line}\n{{\"info\": oops}}\n{line}"), &scale, &townships)
        .unwrap_err();
    assert!(matches!(err, ImportError::Syntax { line: 2, .. }), "{err:?}");
    assert!(err.to_string().starts_with("第 2 行"), "{err}");

    // A bad value: the line and the field, never the value (here the ID number).
    let bad = line.replacen("\"sex\":\"female\"", &format!("\"sex\":\"{FULL_ID}\""), 1);
    assert_ne!(bad, line);
    let err = parse_jsonl(&format!("{line}\n{bad}"), &scale, &townships).unwrap_err();
    let text = err.to_string();
    assert!(text.starts_with("第 2 行") && text.contains("subject.sex"), "{text}");
    assert!(!text.contains(FULL_ID) && !text.contains("岩温香"), "{text}");
}

#[test]
fn import_refuses_a_record_without_a_township_or_with_one_not_in_the_county_list() {
    let scale = super::common::gbt();
    let townships = super::common::townships();
    let line = example_line();
    let without = line.replacen("\"township\":\"耿马镇\"", "\"township\":\"\"", 1);
    assert_ne!(without, line);
    let err = parse_jsonl(&format!("{line}\n{without}"), &scale, &townships).unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, ImportError::InvalidRecord { line: 2, .. }), "{err:?}");
    assert_eq!(text, "第 2 行：乡镇 未选择（请从本县乡镇列表中选择）");
    let unknown = line.replacen("\"township\":\"耿马镇\"", "\"township\":\"耿马华侨农场\"", 1);
    let err = parse_jsonl(&format!("{line}\n\n{unknown}"), &scale, &townships).unwrap_err();
    let text = err.to_string();
    assert!(text.starts_with("第 3 行：乡镇 不是本县乡镇列表中的乡镇"), "{text}");
    assert!(!text.contains("耿马华侨农场"), "the value is not quoted: {text}");
    for township in &townships {
        let other = line.replacen("耿马镇\"", &format!("{township}\""), 1);
        assert_eq!(parse_jsonl(&other, &scale, &townships).unwrap().len(), 1, "{township}");
    }
}
