//! Every item, option, note and explanation the blank form, the report and the wizard
//! show comes from the scale file (Annex B, C.4/C.5) or the record's code lists (Annex A):
//! each one appears, and the item sections hold nothing else. Also the corrected Annex A
//! screens: A.2.14's answers and 其他 row, A.5's notes, BMI and A.5.6 headings, 评估地点.

use chrono::{TimeZone as _, Utc};
use egui_kittest::kittest::Queryable as _;
use elder_assess::record::codes::{Diagnosis, MALNUTRITION_NOTE, Pain, RISK_EVENT_ANSWERS};
use elder_assess::report::{self, RenderOptions, ReportModel, ReportOptions};
use elder_assess::scale::Scale;

use super::common::gbt;
use super::report::{example, squeezed};
use super::ui::{app, data_dir, new_assessment, open_section};

/// Annex B as the form prints it: headings, definitions, notes (注), explanations (说明)
/// and options, squeezed, longest first (so no text is removed from inside a longer one).
fn form_texts(scale: &Scale) -> Vec<String> {
    let mut texts = Vec::new();
    for domain in scale.domains() {
        texts.push(format!("{} {}（满分 {}）", domain.id(), domain.name(), domain.max()));
        texts.push(format!("{} 总计得分", domain.id()));
        for item in scale.domain_items(domain) {
            texts.push(format!("{} {}", item.id(), item.name()));
            if !item.definition().is_empty() {
                texts.push(format!("定义：{}", item.definition()));
            }
            texts.extend(item.notes().iter().map(|n| format!("注：{n}")));
            texts.extend(item.remarks().iter().map(|r| format!("说明：{r}")));
            texts.extend(item.options().iter().map(|o| format!("{} 分　{}", o.score, o.text)));
        }
    }
    longest_first(&texts)
}

fn longest_first(texts: &[String]) -> Vec<String> {
    let mut texts: Vec<String> = texts.iter().map(|t| squeezed(t)).collect();
    texts.sort_by_key(|t| std::cmp::Reverse(t.chars().count()));
    texts
}

/// `section` minus every text and page footer; what is left is not the scale's.
fn leftover(mut section: String, texts: &[String], pages: usize) -> String {
    for text in texts {
        section = section.replace(text.as_str(), "");
    }
    for page in 1..=pages {
        section = section.replace(&format!("第{page}页共{pages}页"), "");
    }
    section.replace("GB/T42195-2022", "")
}

/// `pdftotext -raw` of `pdf` (text in content order, so a wrapped line's end stays with
/// its start), or `None` when poppler-utils is not installed.
fn pdftotext(pdf: &[u8]) -> Option<String> {
    let dir = std::env::temp_dir().join(format!("elder-assess-wording-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join(format!("{}.pdf", pdf.len()));
    std::fs::write(&file, pdf).unwrap();
    let run = std::process::Command::new("pdftotext").arg("-raw").arg(&file).arg("-").output();
    let Ok(output) = run else {
        assert!(
            std::env::var_os("ELDER_ASSESS_REQUIRE_VALIDATORS").is_none(),
            "pdftotext is required here (apt-get install poppler-utils)"
        );
        return None;
    };
    assert!(output.status.success(), "pdftotext failed");
    Some(String::from_utf8(output.stdout).unwrap())
}

fn between<'a>(text: &'a str, start: &str, end: &str) -> &'a str {
    let from = text.find(start).unwrap_or_else(|| panic!("no {start}"));
    let to = from + text[from..].find(end).unwrap_or_else(|| panic!("no {end}"));
    &text[from..to]
}

#[test]
fn blank_form_prints_annex_b_from_the_scale_and_nothing_else() {
    let scale = gbt();
    let pdf = report::blank_form_pdf(&scale).unwrap();
    let Some(text) = pdftotext(&pdf) else {
        eprintln!("pdftotext not installed: text checks skipped");
        return;
    };
    let pages = text.matches('\u{c}').count();
    let all = squeezed(&text);
    let first = &scale.domains()[0];
    let start = squeezed(&format!("{} {}（满分 {}）", first.id(), first.name(), first.max()));
    let section = between(&all, &start, "老年人能力评估报告");
    let texts = form_texts(&scale);
    for t in &texts {
        assert!(section.contains(t.as_str()), "the form lacks the scale's {t}");
    }
    assert_eq!(leftover(section.to_owned(), &texts, pages), "", "Annex B text not from the scale");
}

#[test]
fn blank_form_prints_each_c4_ground_once_with_the_lead_texts_and_annex_a_notes() {
    let scale = gbt();
    let pdf = report::blank_form_pdf(&scale).unwrap();
    let Some(text) = pdftotext(&pdf) else {
        eprintln!("pdftotext not installed: text checks skipped");
        return;
    };
    let all = squeezed(&text);
    let rules = scale.change_rules();
    let c4 = between(&all, "C.4能力等级变更依据", "C.5");
    for (clause, wording) in rules.grounds() {
        assert_eq!(c4.matches(&squeezed(clause)).count(), 1, "{clause} is one box: {c4}");
        assert!(all.contains(&squeezed(&format!("{clause} {wording}"))), "{clause}");
    }
    for lead in [&rules.lead, &rules.final_lead] {
        assert!(all.contains(&squeezed(lead)), "lead text missing: {lead}");
    }
    for remark in &rules.remarks {
        assert!(all.contains(&squeezed(&format!("说明：{remark}"))), "{remark}");
    }
    for note in [Pain::NOTE, MALNUTRITION_NOTE] {
        assert!(all.contains(&squeezed(&format!("注：{note}"))), "{note}");
    }
    let events = between(&all, "A.2.14近30天内照护风险事件", "A.3");
    assert_eq!(events.matches(RISK_EVENT_ANSWERS[3]).count(), 5, "{events}");
    // 评估地点 is in the signature block only, not an A.1 field.
    assert_eq!(all.matches("评估地点").count(), 1);
}

fn report_model(record: &elder_assess::record::AssessmentRecord) -> ReportModel {
    let options = ReportOptions::new(Utc.with_ymd_and_hms(2026, 11, 20, 4, 0, 0).unwrap());
    ReportModel::new(record, &gbt(), &options).unwrap()
}

#[test]
fn report_with_both_c4_2_diagnoses_prints_the_ground_once_and_grades_as_before() {
    let mut record = example();
    let before = report_model(&record);
    record.diagnoses.conditions.insert(Diagnosis::Dementia);
    record.diagnoses.conditions.insert(Diagnosis::OtherMentalDisorder);
    let model = report_model(&record);
    assert_eq!(model.final_level, before.final_level, "one ground, one step, as before");
    let clauses: Vec<&str> = model.adjustments.iter().map(|a| a.clause.as_str()).collect();
    assert_eq!(clauses, ["C.4 ②", "C.4 ③"]);
    let two = &model.adjustments[0];
    assert!(two.trigger.contains("F00～F03") && two.trigger.contains("F04～F99"), "{two:?}");
    let rendered = report::report_pdf(&model, RenderOptions::default()).unwrap();
    let Some(text) = pdftotext(&rendered.bytes) else {
        eprintln!("pdftotext not installed: text checks skipped");
        return;
    };
    let all = squeezed(&text);
    let official = &all[..all.find("给老人和家属的说明").unwrap()];
    assert_eq!(official.matches("C.4②").count(), 1, "C.4 ② printed once");
    let scale = gbt();
    let rules = scale.change_rules();
    let ground = rules.grounds()[1];
    assert!(official.contains(&squeezed(&format!("√ {} {}", ground.0, ground.1))));
    for lead in [&rules.lead, &rules.final_lead] {
        assert!(official.contains(&squeezed(lead)), "lead text missing: {lead}");
    }
    for remark in &rules.remarks {
        assert!(official.contains(&squeezed(&format!("说明：{remark}"))), "{remark}");
    }
}

#[test]
fn report_prints_each_items_chosen_option_from_the_scale_and_nothing_else() {
    let scale = gbt();
    let model = report_model(&example());
    let rendered = report::report_pdf(&model, RenderOptions::default()).unwrap();
    let Some(text) = pdftotext(&rendered.bytes) else {
        eprintln!("pdftotext not installed: text checks skipped");
        return;
    };
    let all = squeezed(&text);
    let section = between(&all, "各项评分（附录B）", "一致性检查");
    let mut texts = vec!["各项评分（附录 B）".to_owned(), "编号项目得分所选选项".to_owned()];
    for item in scale.items() {
        let score = example().answers[item.id()];
        let option = item.option(score).unwrap();
        assert!(section.contains(&squeezed(&option.text)), "{}: option text", item.id());
        texts.extend([item.id().to_owned(), item.name().to_owned(), option.text.clone()]);
        texts.push(format!("{score}/{}", item.max()));
    }
    // The running page header names the assessment.
    texts.push(format!("评估编号{}", model.number));
    let texts = longest_first(&texts);
    assert_eq!(leftover(section.to_owned(), &texts, rendered.pages), "", "not from the scale");
}

/// Whether some node's label or value is exactly `text`.
fn on_screen(
    harness: &egui_kittest::Harness<'static, elder_assess::ui::AppState>,
    text: &str,
) -> bool {
    harness
        .query_all_by(|n| n.label().as_deref() == Some(text) || n.value().as_deref() == Some(text))
        .next()
        .is_some()
}

#[test]
fn wizard_shows_every_item_option_note_and_explanation_from_the_scale_and_nothing_else() {
    let dir = data_dir("wording");
    let mut harness = app(&dir);
    new_assessment(&mut harness);
    let scale = gbt();
    for domain in scale.domains() {
        open_section(&mut harness, &format!("{} {}", domain.id(), domain.name()));
        for index in domain.item_range() {
            harness.state_mut().editor_mut().unwrap().item = index;
            harness.run();
            let item = &scale.items()[index];
            let mut expected: Vec<String> =
                item.options().iter().map(|o| format!("{} 分　{}", o.score, o.text)).collect();
            expected.extend(item.notes().iter().map(|n| format!("注：{n}")));
            expected.extend(item.remarks().iter().map(|r| format!("说明：{r}")));
            if !item.definition().is_empty() {
                expected.push(format!("定义：{}", item.definition()));
            }
            for text in &expected {
                assert!(on_screen(&harness, text), "{}: not on screen: {text}", item.id());
            }
            // Any option, note, explanation or definition on screen is this item's.
            let texts = std::cell::RefCell::new(Vec::new());
            let none = harness
                .query_all_by(|n| {
                    texts.borrow_mut().extend(n.label().or_else(|| n.value()));
                    false
                })
                .count();
            assert_eq!(none, 0);
            let stray: Vec<String> = texts
                .into_inner()
                .into_iter()
                .filter(|t| {
                    ["注：", "说明：", "定义："].iter().any(|p| t.starts_with(p))
                        || t.split_once(" 分　").is_some_and(|(s, _)| s.parse::<u8>().is_ok())
                })
                .filter(|t| !expected.contains(t))
                .collect();
            assert!(stray.is_empty(), "{}: shown but not the scale's: {stray:?}", item.id());
        }
    }
}

#[test]
fn wizard_annex_a_shows_the_standards_answers_notes_headings_and_the_bmi() {
    let dir = data_dir("annex-a-wording");
    let mut harness = app(&dir);
    new_assessment(&mut harness);
    let scale = gbt();
    // A.1: 评估地点 has no stray "C" code.
    assert!(on_screen(&harness, "评估地点"), "评估地点 labelled plainly");
    assert!(!on_screen(&harness, "C 评估地点"));

    open_section(&mut harness, "A.2 基本信息");
    for answer in &RISK_EVENT_ANSWERS[1..] {
        let radios = harness.query_all_by_label(answer).count();
        assert_eq!(radios, 5, "{answer} for each of the five kinds");
    }
    assert!(!on_screen(&harness, "1次") && !on_screen(&harness, "3次及以上"));
    assert!(!on_screen(&harness, "A.2.14.5 其他事件"), "one A.2.14.5 row");
    harness.get_by_label("A.2.14.5 其他").scroll_to_me();
    harness.run();
    harness.get_by_label("A.2.14.5 其他").click();
    harness.run();
    harness.get_by_label("A.2.14.5 其他").type_text("烫伤");
    harness.run();
    assert_eq!(harness.state().editor().unwrap().record.subject.risk_events.other_text, "烫伤");
    let c4_3 = scale.change_rules().grounds()[2];
    assert!(on_screen(&harness, &format!("{} {}", c4_3.0, c4_3.1)), "A.2.14 feeds C.4 ③");

    open_section(&mut harness, "A.4 疾病与用药");
    let c4_2 = scale.change_rules().grounds()[1];
    let hint = format!("{} {}", c4_2.0, c4_2.1);
    assert!(on_screen(&harness, &hint), "A.4.1 feeds C.4 ②, one sentence");

    {
        let subject = &mut harness.state_mut().editor_mut().unwrap().record.subject;
        subject.height_cm = Some(160);
        subject.weight_tenth_kg = Some(565);
    }
    open_section(&mut harness, "A.5 健康问题");
    for note in [Pain::NOTE, MALNUTRITION_NOTE] {
        assert!(on_screen(&harness, &format!("注：{note}")), "{note}");
    }
    assert!(on_screen(&harness, "按 A.2.4 身高、A.2.5 体重计算：BMI = 22.1"), "56.5 kg / 1.6 m²");
    for heading in ["牙列缺损：", "牙列缺失："] {
        assert!(on_screen(&harness, heading), "A.5.6 heading {heading}");
    }
    let c4_1 = scale.change_rules().grounds()[0];
    assert!(on_screen(&harness, &format!("{} {}", c4_1.0, c4_1.1)), "A.5.11 feeds C.4 ①");
}
