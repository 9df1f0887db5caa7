//! PDF reports: the official report with the resident page, and the blank form.
//! Built from the shipped example assessment; checked through the model, the PDF's
//! structure, and (where poppler-utils is installed) the extracted text.

use std::path::Path;
use std::process::Command;

use chrono::{TimeZone as _, Utc};
use elder_assess::record::AssessmentRecord;
use elder_assess::report::{self, RenderOptions, ReportModel, ReportOptions};

use super::common::gbt;

pub fn example() -> AssessmentRecord {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/example-assessment.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

pub fn model() -> ReportModel {
    let options = ReportOptions::new(Utc.with_ymd_and_hms(2026, 11, 20, 4, 0, 0).unwrap());
    ReportModel::new(&example(), &gbt(), &options).unwrap()
}

/// `pdftotext -layout` of `pdf`, or `None` when poppler-utils is not installed.
pub fn pdftotext(pdf: &[u8]) -> Option<String> {
    let dir = std::env::temp_dir().join(format!("elder-assess-pdftotext-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join(format!("{}.pdf", pdf.len()));
    std::fs::write(&file, pdf).unwrap();
    let output = Command::new("pdftotext").arg(&file).arg("-").output().ok()?;
    assert!(output.status.success(), "pdftotext failed");
    Some(String::from_utf8(output.stdout).unwrap())
}

/// Text without white space: pdftotext drops or adds spaces between CJK and digits.
pub fn squeezed(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

#[test]
fn example_assessment_is_complete_and_scores_as_documented() {
    let record = example();
    let scale = gbt();
    assert_eq!(record.validate(&scale), [], "the example fills in all of Annex A–C");
    let model = model();
    assert_eq!(model.total, 56);
    assert_eq!(model.preliminary, (2, "能力中度受损（中度失能）".to_owned()));
    assert_eq!(model.final_level, (3, "能力重度受损（重度失能）".to_owned()));
    let clauses: Vec<&str> = model.adjustments.iter().map(|a| a.clause.as_str()).collect();
    assert_eq!(clauses, ["C.4 ②", "C.4 ③"]);
    assert_eq!(model.items.len(), 26);
    assert_eq!(model.id_masked, "530926********0420");
    assert_eq!(model.next_due.unwrap().to_string(), "2027-11-20");
    assert!(model.signatures.iter().all(|s| !s.strokes.is_empty() && s.date.is_some()));
}

#[test]
fn report_pdf_has_the_official_report_and_the_resident_page() {
    let rendered = report::report_pdf(&model(), RenderOptions::default()).unwrap();
    let pdf = &rendered.bytes;
    assert!(pdf.starts_with(b"%PDF"));
    assert!(rendered.pages >= 3, "{} pages", rendered.pages);
    assert!(rendered.missing_glyphs.is_empty(), "{:?}", rendered.missing_glyphs);
    assert!(pdf.len() < 200_000, "font subset keeps the file small: {} bytes", pdf.len());
    assert!(pdf.windows(9).any(|w| w == b"FontFile2"), "the font is embedded");
    // The assessors' boxes are on the signature page, inside the page, side by side.
    let [one, two] = rendered.signature_boxes;
    assert_eq!(one.page, two.page);
    assert!(one.rect[2] < two.rect[0] && one.rect[1] > 50.0);
    let Some(text) = pdftotext(pdf) else {
        eprintln!("pdftotext not installed: text checks skipped");
        return;
    };
    let first_footer = format!("第 1 页 共 {} 页", rendered.pages);
    let last_footer = format!("第 {0} 页 共 {0} 页", rendered.pages);
    for expected in [
        "老年人能力评估报告",
        "PG20261120-0003",
        "C.4 ② 确诊为痴呆（F00～F03）",
        "能力重度受损（重度失能）（3 级）",
        "530926194305120420",
        "给老人和家属的说明",
        "530926********0420",
        "下次常规评估：2027年11月20日前",
        &first_footer,
        &last_footer,
        "附：耿马自治县基本养老服务清单判定",
        "您可能享受的服务",
        "3. 高龄津贴（每月不低于50元）",
        "每月现金补贴合计约 100 元",
        "李明（示例）",
    ] {
        assert!(
            squeezed(&text).contains(&squeezed(expected)),
            "missing from the report text: {expected}"
        );
    }
    // The resident page (the last pages) shows the ID number masked only.
    let resident = &text[text.find("给老人和家属的说明").unwrap()..];
    assert!(!resident.contains("530926194305120420"));
}

#[test]
fn report_without_resident_page_and_with_strokes_left_to_the_signatures() {
    let options = RenderOptions { assessor_strokes_in_content: [false; 2], resident_page: false };
    let without = report::report_pdf(&model(), options).unwrap();
    let with = report::report_pdf(
        &model(),
        RenderOptions { resident_page: false, ..RenderOptions::default() },
    )
    .unwrap();
    assert_eq!(without.pages, with.pages, "same pages, minus nothing but strokes");
    let full = report::report_pdf(&model(), RenderOptions::default()).unwrap();
    assert!(full.pages > without.pages, "the resident page adds pages");
    assert!(
        without.bytes.len() < with.bytes.len(),
        "assessor strokes left out of the page content"
    );
}

#[test]
fn an_incomplete_assessment_has_no_report() {
    let mut record = example();
    record.answers.remove("B.2.3");
    let options = ReportOptions::new(Utc.with_ymd_and_hms(2026, 11, 20, 4, 0, 0).unwrap());
    let err = ReportModel::new(&record, &gbt(), &options).unwrap_err().to_string();
    assert!(err.contains("B.2.3"), "{err}");
}

#[test]
fn blank_form_has_every_item_and_tick_boxes() {
    let pdf = report::blank_form_pdf(&gbt()).unwrap();
    assert!(pdf.starts_with(b"%PDF"));
    let Some(text) = pdftotext(&pdf) else {
        eprintln!("pdftotext not installed: text checks skipped");
        return;
    };
    for item in gbt().items() {
        assert!(
            squeezed(&text).contains(&squeezed(&format!("{} {}", item.id(), item.name()))),
            "{}",
            item.id()
        );
    }
    for expected in [
        "A.2.8 公民身份号码",
        "A.4.1 疾病诊断（可多选）",
        "痴呆 F00～F03",
        "C.5 老年人能力最终等级",
        "信息提供者签名",
    ] {
        assert!(
            squeezed(&text).contains(&squeezed(expected)),
            "missing from the blank form: {expected}"
        );
    }
}

/// Whether `tool` can run. When `ELDER_ASSESS_REQUIRE_VALIDATORS` is set (CI sets it), a
/// missing tool fails the test instead of skipping its part.
pub(super) fn have(tool: &str) -> bool {
    let found = Command::new(tool).arg("-v").output().is_ok();
    if !found {
        assert!(
            std::env::var_os("ELDER_ASSESS_REQUIRE_VALIDATORS").is_none(),
            "{tool} is required here (apt-get install poppler-utils)"
        );
        eprintln!("note: {tool} not installed; its checks are skipped");
    }
    found
}

/// `pdfsig -nocert` on `pdf`.
fn pdfsig(pdf: &Path) -> String {
    let out = Command::new("pdfsig").arg("-nocert").arg(pdf).output().unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The example's two assessors.
pub const ASSESSORS: [&str; 2] = ["李明（示例）", "杨芳（示例）"];

/// The example report exported with both assessors' signatures, their keys (and
/// certificates) made in `dir`.
pub fn doubly_signed_report(dir: &Path) -> elder_assess::output::signed_report::Exported {
    use elder_assess::output::signed_report::{ExportRequest, export_report};
    use elder_assess::sign::{KdfCost, create_key_with_cost, load_signer};

    let now = Utc.with_ymd_and_hms(2026, 11, 20, 4, 0, 0).unwrap();
    for name in ASSESSORS {
        create_key_with_cost(dir, name, "示例口令-仅供测试用", now, KdfCost::TestOnly).unwrap();
    }
    let signers = ASSESSORS.map(|name| load_signer(dir, name, "示例口令-仅供测试用").unwrap());
    let record = example();
    let scale = gbt();
    let options = ReportOptions::new(now);
    let request = ExportRequest {
        record: &record,
        scale: &scale,
        options: &options,
        resident_page: true,
        signers: [Some(&signers[0]), Some(&signers[1])],
        accounts: None,
    };
    export_report(&request).unwrap()
}

#[test]
fn doubly_signed_report_validates_and_one_flipped_byte_is_caught() {
    use elder_assess::sign::verify_pdf;

    let dir =
        std::env::temp_dir().join(format!("elder-assess-signed-report-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let names = ASSESSORS;
    let scale = gbt();
    let exported = doubly_signed_report(&dir);
    assert_eq!(exported.signatures, 2);
    assert!(exported.bytes.len() <= 300_000, "{} bytes", exported.bytes.len());
    let checks = verify_pdf(&exported.bytes).unwrap();
    assert_eq!(checks.iter().map(|c| c.signer.as_str()).collect::<Vec<_>>(), names);
    assert!(checks.iter().all(elder_assess::sign::SignatureCheck::is_intact), "{checks:?}");

    let pdf = dir.join("signed.pdf");
    std::fs::write(&pdf, &exported.bytes).unwrap();
    // Flip one byte inside the first signed range (the page content of revision 1).
    let mut tampered = exported.bytes.clone();
    let range = checks[0].byte_range.unwrap();
    tampered[range[1] / 2] ^= 0x01;
    let bad = dir.join("tampered.pdf");
    std::fs::write(&bad, &tampered).unwrap();
    let verify =
        Command::new(env!("CARGO_BIN_EXE_elder-assess")).arg("verify").arg(&bad).output().unwrap();
    assert_ne!(verify.status.code(), Some(0), "verify must fail on a flipped byte");
    // Intact, but practice keys are never trusted: exit 1, and only for that reason (the
    // trusted path, with county certificates, is `attacks` and `cli_ca`).
    let good =
        Command::new(env!("CARGO_BIN_EXE_elder-assess")).arg("verify").arg(&pdf).output().unwrap();
    let stdout = String::from_utf8_lossy(&good.stdout);
    assert_eq!(good.status.code(), Some(1), "{stdout}");
    assert_eq!(stdout.matches("证书：不可信：证书是自签的").count(), 2, "{stdout}");
    assert!(!stdout.contains("摘要不符") && !stdout.contains("之后被修改"), "{stdout}");

    if have("pdfsig") {
        let text = pdfsig(&pdf);
        assert_eq!(text.matches("Signature is Valid.").count(), 2, "{text}");
        assert!(text.contains("李明（示例）") && text.contains("杨芳（示例）"), "{text}");
        let text = pdfsig(&bad);
        assert!(text.contains("Digest Mismatch"), "{text}");
        assert!(!text.contains("Signature is Valid."), "{text}");
    }
    if have("pdftotext") {
        let text = squeezed(&pdftotext(&exported.bytes).unwrap());
        assert!(text.contains(&squeezed("能力重度受损（重度失能）")));
        for item in scale.items() {
            assert!(text.contains(&squeezed(item.name())), "{} missing", item.name());
        }
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_report_and_the_blank_form_carry_the_township() {
    let model = model();
    assert_eq!(model.township, "耿马镇");
    let rendered = report::report_pdf(&model, RenderOptions::default()).unwrap();
    let blank = report::blank_form_pdf(&gbt()).unwrap();
    let (Some(text), Some(blank)) = (pdftotext(&rendered.bytes), pdftotext(&blank)) else {
        eprintln!("pdftotext not installed: text checks skipped");
        return;
    };
    assert!(squeezed(&text).contains("乡镇：耿马镇") || squeezed(&text).contains("乡镇耿马镇"));
    assert!(squeezed(&blank).contains("乡镇"), "the paper form asks for it");
}
