//! The blank paper form (Annex A–C with tick boxes), for when a laptop fails in the field.

use crate::record::codes::{
    AssessmentReason, Denture, Diagnosis, Education, EthnicGroup, IncomeSource, JointMotionStatus,
    LivingArrangement, MALNUTRITION_NOTE, MEDICATION_COLUMNS, MaritalStatus, MedicalPayment, Pain,
    Presence, PressureInjury, RISK_EVENT_ANSWERS, Relationship, Sex, SpecialCare, SwallowingSign,
    ToothLoss, Wound,
};
use crate::record::{Diagnoses, FieldCode, FieldSection, RiskEvents};
use crate::scale::Scale;

use super::layout::{Ink, Layout, MARGIN_X, PAGE_WIDTH, count};

const SIZE: f32 = 10.0;
const BOX: f32 = 8.0;

/// Lays out the whole blank form.
pub(super) fn blank(layout: &mut Layout, scale: &Scale) {
    layout.centered("老年人能力评估表（纸质备用）", 18.0, Ink::Black);
    layout.centered(&format!("{}《{}》附录 A–C", scale.standard(), scale.name()), SIZE, Ink::Grey);
    annex_a(layout, scale);
    annex_b(layout, scale);
    annex_c(layout, scale);
}

/// `label ________` on its own line.
fn blank_line(layout: &mut Layout, label: &str) {
    layout.ensure(SIZE * 2.0);
    let top = layout.y();
    layout.text_at(MARGIN_X, top, label, SIZE, Ink::Black);
    let x = MARGIN_X + layout.width(label, SIZE) + 6.0;
    let y = top - SIZE * 1.1;
    layout.line(vec![(x, y), (x + 220.0_f32.min(PAGE_WIDTH - MARGIN_X - x), y)], 0.5, Ink::Grey);
    layout.gap(SIZE * 2.0);
}

/// A field title followed by tick-box options flowing across lines.
fn choices(layout: &mut Layout, title: &str, options: &[String]) {
    layout.ensure(SIZE * 2.0);
    let right = PAGE_WIDTH - MARGIN_X;
    let indent = MARGIN_X + 12.0;
    let leading = SIZE * 1.8;
    let mut top = layout.y();
    layout.text_at(MARGIN_X, top, title, SIZE, Ink::Black);
    let mut x = MARGIN_X + layout.width(title, SIZE) + 10.0;
    for option in options {
        let width = BOX + 4.0 + layout.width(option, SIZE) + 12.0;
        if x + width > right && x > indent {
            layout.gap(leading);
            layout.ensure(leading);
            top = layout.y();
            x = indent;
        }
        // Very long options wrap under their box.
        let lines = layout.wrap(option, SIZE, right - x - BOX - 4.0);
        layout.tick_box(x, top - 1.5, BOX);
        for (i, line) in lines.iter().enumerate() {
            layout.text_at(x + BOX + 4.0, top - count(i) * SIZE * 1.4, line, SIZE, Ink::Black);
        }
        if lines.len() > 1 {
            layout.gap(SIZE * 1.4 * count(lines.len() - 1));
            top = layout.y();
            x = right;
        } else {
            x += width;
        }
    }
    layout.gap(leading);
}

/// `A.2.1 姓名`: the code with the standard's title from the record's field list.
fn field(code: &str) -> String {
    let title = code.parse::<FieldCode>().ok().and_then(|c| c.form_title()).unwrap_or_default();
    format!("{code} {title}")
}

/// `A.2 评估对象基本信息表`, the title from the record's field list.
fn form_heading(layout: &mut Layout, form: u8) {
    let section = FieldSection::A(form);
    layout.heading(&format!("{section} {}", section.title().unwrap_or_default()), 13.0);
}

/// A note (注) or an explanation (说明) under a field, small and grey.
fn note(layout: &mut Layout, prefix: &str, text: &str) {
    layout.paragraph(
        MARGIN_X + 12.0,
        Layout::content_width() - 12.0,
        &format!("{prefix}：{text}"),
        SIZE - 1.0,
        Ink::Grey,
    );
}

fn labels<T: Copy>(all: &[T], label: impl Fn(T) -> &'static str) -> Vec<String> {
    all.iter().map(|&v| label(v).to_owned()).collect()
}

fn annex_a(layout: &mut Layout, scale: &Scale) {
    form_heading(layout, 1);
    blank_line(layout, &field("A.1.1"));
    blank_line(layout, &format!("{}（年 月 日）", field("A.1.2")));
    choices(layout, &field("A.1.3"), &labels(AssessmentReason::ALL, AssessmentReason::label));
    blank_line(layout, "乡镇");

    form_heading(layout, 2);
    blank_line(layout, &field("A.2.1"));
    choices(layout, &field("A.2.2"), &labels(Sex::ALL, Sex::label));
    blank_line(layout, &format!("{}（年 月 日）", field("A.2.3")));
    blank_line(layout, &format!("{}（cm）", field("A.2.4")));
    blank_line(layout, &format!("{}（kg）", field("A.2.5")));
    let mut ethnic = labels(EthnicGroup::ALL, EthnicGroup::label);
    if let Some(last) = ethnic.last_mut() {
        last.push_str(" ____族");
    }
    choices(layout, &field("A.2.6"), &ethnic);
    let mut belief = labels(Presence::ALL, Presence::label);
    if let Some(last) = belief.last_mut() {
        last.push_str(" ________");
    }
    choices(layout, &field("A.2.7"), &belief);
    blank_line(layout, &field("A.2.8"));
    choices(layout, &field("A.2.9"), &labels(Education::ALL, Education::label));
    choices(layout, &field("A.2.10"), &labels(LivingArrangement::ALL, LivingArrangement::label));
    choices(layout, &field("A.2.11"), &labels(MaritalStatus::ALL, MaritalStatus::label));
    choices(layout, &field("A.2.12"), &labels(MedicalPayment::ALL, MedicalPayment::label));
    choices(layout, &field("A.2.13"), &labels(IncomeSource::ALL, IncomeSource::label));
    layout.paragraph(MARGIN_X, Layout::content_width(), &field("A.2.14"), SIZE, Ink::Black);
    let counts: Vec<String> = RISK_EVENT_ANSWERS.iter().map(|s| (*s).to_owned()).collect();
    for (code, part, _) in RiskEvents::default().parts() {
        let label = risk_part_label(scale, part).unwrap_or_default();
        let blank = if part == "other" { " ______" } else { "" };
        choices(layout, &format!("{code} {label}{blank}"), &counts);
    }

    form_heading(layout, 3);
    blank_line(layout, &field("A.3.1"));
    choices(layout, &field("A.3.2"), &labels(Relationship::ALL, Relationship::label));
    blank_line(layout, &field("A.3.3"));
    blank_line(layout, &field("A.3.4"));

    form_heading(layout, 4);
    // The tool's 「以上均无」 ends the list, as in the wizard (see `record::Diagnoses`).
    let mut diagnoses: Vec<String> = Diagnosis::ALL.iter().map(ToString::to_string).collect();
    diagnoses.push(Diagnoses::NONE_OF_THE_ABOVE.to_owned());
    choices(layout, &field("A.4.1"), &diagnoses);
    layout.paragraph(MARGIN_X, Layout::content_width(), &field("A.4.2"), SIZE, Ink::Black);
    medication_table(layout);

    health(layout);
}

/// A.5 健康相关问题.
fn health(layout: &mut Layout) {
    form_heading(layout, 5);
    choices(layout, &field("A.5.1"), &labels(PressureInjury::ALL, PressureInjury::label));
    let mut joints = labels(JointMotionStatus::ALL, JointMotionStatus::label);
    for joint in &mut joints {
        if joint.starts_with('是') {
            joint.push_str("，部位 ______");
        }
    }
    choices(layout, &field("A.5.2"), &joints);
    choices(layout, &field("A.5.3"), &labels(Wound::ALL, Wound::label));
    choices(layout, &field("A.5.4"), &labels(SpecialCare::ALL, SpecialCare::label));
    choices(layout, &field("A.5.5"), &labels(Pain::ALL, Pain::label));
    note(layout, "注", Pain::NOTE);
    let teeth: Vec<String> = ToothLoss::ALL
        .iter()
        .map(|t| {
            t.heading().map_or_else(|| t.label().to_owned(), |h| format!("{h}：{}", t.label()))
        })
        .collect();
    choices(layout, &field("A.5.6"), &teeth);
    choices(layout, &field("A.5.7"), &labels(Denture::ALL, Denture::label));
    choices(layout, &field("A.5.8"), &labels(SwallowingSign::ALL, SwallowingSign::label));
    let presence = labels(Presence::ALL, Presence::label);
    choices(layout, &field("A.5.9"), &presence);
    note(layout, "注", MALNUTRITION_NOTE);
    choices(layout, &field("A.5.10"), &presence);
    choices(layout, &field("A.5.11"), &presence);
    blank_line(layout, &field("A.5.12"));
}

fn medication_table(layout: &mut Layout) {
    let x = MARGIN_X;
    let w = Layout::content_width() / 4.0;
    let [name, route, dose, frequency] = MEDICATION_COLUMNS;
    super::official::row(
        layout,
        &[(x, w, name), (x + w, w, route), (x + 2.0 * w, w, dose), (x + 3.0 * w, w, frequency)],
        SIZE,
        Ink::Grey,
    );
    for _ in 0..4 {
        super::official::row(layout, &[(x, w, " ")], SIZE * 1.4, Ink::Black);
    }
}

fn annex_b(layout: &mut Layout, scale: &Scale) {
    for domain in scale.domains() {
        layout
            .heading(&format!("{} {}（满分 {}）", domain.id(), domain.name(), domain.max()), 13.0);
        for item in scale.domain_items(domain) {
            layout.ensure(SIZE * 6.0);
            layout.paragraph(
                MARGIN_X,
                Layout::content_width(),
                &format!("{} {}", item.id(), item.name()),
                SIZE + 1.0,
                Ink::Black,
            );
            if !item.definition().is_empty() {
                layout.paragraph(
                    MARGIN_X + 12.0,
                    Layout::content_width() - 12.0,
                    &format!("定义：{}", item.definition()),
                    SIZE - 1.0,
                    Ink::Grey,
                );
            }
            for text in item.notes() {
                note(layout, "注", text);
            }
            for text in item.remarks() {
                note(layout, "说明", text);
            }
            for option in item.options() {
                let text = format!("{} 分　{}", option.score, option.text);
                let lines = layout.wrap(&text, SIZE, Layout::content_width() - 12.0 - BOX - 6.0);
                layout.ensure(count(lines.len()) * SIZE * 1.4 + 2.0);
                let top = layout.y();
                layout.tick_box(MARGIN_X + 12.0, top - 1.5, BOX);
                for (i, line) in lines.iter().enumerate() {
                    layout.text_at(
                        MARGIN_X + 12.0 + BOX + 6.0,
                        top - count(i) * SIZE * 1.4,
                        line,
                        SIZE,
                        Ink::Black,
                    );
                }
                layout.gap(count(lines.len()) * SIZE * 1.4 + 2.0);
            }
            layout.gap(4.0);
        }
        blank_line(layout, &format!("{} 总计得分", domain.id()));
    }
}

fn annex_c(layout: &mut Layout, scale: &Scale) {
    layout.new_page();
    layout.centered("老年人能力评估报告", 18.0, Ink::Black);
    layout.heading("C.1 一级指标分级", 13.0);
    for (i, domain) in scale.domains().iter().enumerate() {
        blank_line(
            layout,
            &format!("C.1.{} {}（满分 {}）得分", i + 1, domain.name(), domain.max()),
        );
    }
    layout.heading("C.2 初步等级得分", 13.0);
    blank_line(layout, &format!("总分（满分 {}）", scale.max_total()));
    let levels: Vec<String> = scale.levels().iter().map(|l| l.name.clone()).collect();
    layout.heading("C.3 老年人能力初步等级", 13.0);
    choices(layout, "", &levels);
    let rules = scale.change_rules();
    layout.heading("C.4 能力等级变更依据", 13.0);
    lead(layout, &rules.lead);
    for (clause, text) in rules.grounds() {
        choices(layout, "", &[format!("{clause} {text}")]);
    }
    for text in &rules.remarks {
        note(layout, "说明", text);
    }
    layout.heading("C.5 老年人能力最终等级", 13.0);
    lead(layout, &rules.final_lead);
    choices(layout, "", &levels);
    layout.heading("签名", 13.0);
    blank_line(layout, "评估地点");
    blank_line(layout, "评估员签名 ____________、____________    日期 ____年__月__日");
    blank_line(layout, "信息提供者签名 ____________    日期 ____年__月__日");
}

/// A lead text from the scale (C.4, C.5) under its heading; nothing when it has none.
fn lead(layout: &mut Layout, text: &str) {
    if !text.is_empty() {
        layout.paragraph(MARGIN_X, Layout::content_width(), text, SIZE - 1.0, Ink::Grey);
    }
}

/// The scale's label of an A.2.14 part (`fall` → 跌倒).
fn risk_part_label<'s>(scale: &'s Scale, part: &str) -> Option<&'s str> {
    scale.facts().iter().find_map(|fact| match fact.kind() {
        crate::scale::FactKind::Counts { parts, .. } => {
            parts.iter().find(|p| p.id == part).map(|p| p.label.as_str())
        }
        crate::scale::FactKind::Flag => None,
    })
}
