//! The blank paper form (Annex A–C with tick boxes), for when a laptop fails in the field.

use crate::record::codes::{
    AssessmentReason, Denture, Diagnosis, Education, EthnicGroup, IncomeSource, JointMotionStatus,
    LivingArrangement, MaritalStatus, MedicalPayment, Pain, Presence, PressureInjury, Relationship,
    Sex, SpecialCare, SwallowingSign, ToothLoss, Wound,
};
use crate::scale::Scale;

use super::layout::{Ink, Layout, MARGIN_X, PAGE_WIDTH, count};

const SIZE: f32 = 10.0;
const BOX: f32 = 8.0;

/// Lays out the whole blank form.
pub(super) fn blank(layout: &mut Layout, scale: &Scale) {
    layout.centered("老年人能力评估表（纸质备用）", 18.0, Ink::Black);
    layout.centered(&format!("{}《{}》附录 A–C", scale.standard(), scale.name()), SIZE, Ink::Grey);
    annex_a(layout);
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

fn labels<T: Copy>(all: &[T], label: impl Fn(T) -> &'static str) -> Vec<String> {
    all.iter().map(|&v| label(v).to_owned()).collect()
}

fn annex_a(layout: &mut Layout) {
    layout.heading("A.1 评估信息表", 13.0);
    blank_line(layout, "A.1.1 评估编号");
    blank_line(layout, "A.1.2 评估基准日期（年 月 日）");
    choices(layout, "A.1.3 评估原因", &labels(AssessmentReason::ALL, AssessmentReason::label));
    blank_line(layout, "乡镇");
    blank_line(layout, "评估地点");

    layout.heading("A.2 评估对象基本信息表", 13.0);
    blank_line(layout, "A.2.1 姓名");
    choices(layout, "A.2.2 性别", &labels(Sex::ALL, Sex::label));
    blank_line(layout, "A.2.3 出生日期（年 月 日）");
    blank_line(layout, "A.2.4 身高（cm）");
    blank_line(layout, "A.2.5 体重（kg）");
    let mut ethnic = labels(EthnicGroup::ALL, EthnicGroup::label);
    if let Some(last) = ethnic.last_mut() {
        last.push_str(" ____族");
    }
    choices(layout, "A.2.6 民族", &ethnic);
    choices(layout, "A.2.7 宗教信仰", &["无".to_owned(), "有 ________".to_owned()]);
    blank_line(layout, "A.2.8 公民身份号码");
    choices(layout, "A.2.9 文化程度", &labels(Education::ALL, Education::label));
    choices(
        layout,
        "A.2.10 居住情况（多选）",
        &labels(LivingArrangement::ALL, LivingArrangement::label),
    );
    choices(layout, "A.2.11 婚姻状况", &labels(MaritalStatus::ALL, MaritalStatus::label));
    choices(
        layout,
        "A.2.12 医疗费用支付方式（多选）",
        &labels(MedicalPayment::ALL, MedicalPayment::label),
    );
    choices(layout, "A.2.13 经济来源（多选）", &labels(IncomeSource::ALL, IncomeSource::label));
    layout.paragraph(
        MARGIN_X,
        Layout::content_width(),
        "A.2.14 近30天内照护风险事件",
        SIZE,
        Ink::Black,
    );
    let counts: Vec<String> = ["无", "发生过1次", "发生过2次", "发生过3次及以上"]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    for title in [
        "A.2.14.1 跌倒",
        "A.2.14.2 走失",
        "A.2.14.3 噎食",
        "A.2.14.4 自杀、自伤",
        "A.2.14.5 其他 ______",
    ] {
        choices(layout, title, &counts);
    }

    layout.heading("A.3 信息提供者及联系人信息表", 13.0);
    blank_line(layout, "A.3.1 信息提供者的姓名");
    choices(
        layout,
        "A.3.2 信息提供者与老年人的关系",
        &labels(Relationship::ALL, Relationship::label),
    );
    blank_line(layout, "A.3.3 联系人姓名");
    blank_line(layout, "A.3.4 联系人电话");

    layout.heading("A.4 疾病诊断和用药情况", 13.0);
    let diagnoses: Vec<String> = Diagnosis::ALL.iter().map(ToString::to_string).collect();
    choices(layout, "A.4.1 疾病诊断（可多选）", &diagnoses);
    layout.paragraph(
        MARGIN_X,
        Layout::content_width(),
        "A.4.2 用药情况（目前长期服药情况）",
        SIZE,
        Ink::Black,
    );
    medication_table(layout);

    health(layout);
}

/// A.5 健康相关问题.
fn health(layout: &mut Layout) {
    layout.heading("A.5 健康相关问题", 13.0);
    choices(layout, "A.5.1 压力性损伤", &labels(PressureInjury::ALL, PressureInjury::label));
    let mut joints = labels(JointMotionStatus::ALL, JointMotionStatus::label);
    for joint in &mut joints {
        if joint.starts_with('是') {
            joint.push_str("，部位 ______");
        }
    }
    choices(layout, "A.5.2 关节活动度", &joints);
    choices(layout, "A.5.3 伤口情况（可多选）", &labels(Wound::ALL, Wound::label));
    choices(layout, "A.5.4 特殊护理情况（可多选）", &labels(SpecialCare::ALL, SpecialCare::label));
    choices(layout, "A.5.5 疼痛感", &labels(Pain::ALL, Pain::label));
    let teeth: Vec<String> = ToothLoss::ALL
        .iter()
        .map(|t| {
            t.heading().map_or_else(|| t.label().to_owned(), |h| format!("{h}：{}", t.label()))
        })
        .collect();
    choices(layout, "A.5.6 牙齿缺失情况（可多选）", &teeth);
    choices(layout, "A.5.7 义齿佩戴情况（可多选）", &labels(Denture::ALL, Denture::label));
    choices(
        layout,
        "A.5.8 吞咽困难的情形和症状（可多选）",
        &labels(SwallowingSign::ALL, SwallowingSign::label),
    );
    let presence = labels(Presence::ALL, Presence::label);
    choices(layout, "A.5.9 营养不良：体质指数（BMI）低于正常值", &presence);
    choices(layout, "A.5.10 清理呼吸道无效", &presence);
    choices(layout, "A.5.11 昏迷", &presence);
    blank_line(layout, "A.5.12 其他（请补充）");
}

fn medication_table(layout: &mut Layout) {
    let x = MARGIN_X;
    let w = Layout::content_width() / 4.0;
    super::official::row(
        layout,
        &[
            (x, w, "药物名称"),
            (x + w, w, "服药方法"),
            (x + 2.0 * w, w, "用药剂量"),
            (x + 3.0 * w, w, "用药频率"),
        ],
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
            for note in item.notes() {
                layout.paragraph(
                    MARGIN_X + 12.0,
                    Layout::content_width() - 12.0,
                    &format!("注：{note}"),
                    SIZE - 1.0,
                    Ink::Grey,
                );
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
    layout.heading("C.4 能力等级变更依据", 13.0);
    for rule in &scale.change_rules().rules {
        choices(layout, "", &[format!("{} {}", rule.clause, rule.text)]);
    }
    layout.heading("C.5 老年人能力最终等级", 13.0);
    choices(layout, "", &levels);
    layout.heading("签名", 13.0);
    blank_line(layout, "评估地点");
    blank_line(layout, "评估员签名 ____________、____________    日期 ____年__月__日");
    blank_line(layout, "信息提供者签名 ____________    日期 ____年__月__日");
}
