//! Annex A forms: A.1 评估信息, A.2 基本信息, A.3 信息提供者及联系人, A.4 疾病诊断和用药情况,
//! A.5 健康相关问题. Fields carry the standard's codes and wording; `*` marks the fields
//! required before the assessment can be completed.

use egui::{Grid, RichText, Ui};

use crate::record::codes::{EthnicGroup, JointMotionStatus, Presence};
use chrono::NaiveDate;

use crate::record::{Medication, RISK_EVENT_MAX, RiskEvents, Subject, age_on};

use super::super::widgets::{
    date_field, field_label, multi_choice, number_field, single_choice, text_field,
};
use super::{Buffers, Editor, theme};

fn form_grid(ui: &mut Ui, id: &str, add: impl FnOnce(&mut Ui)) {
    Grid::new(id).num_columns(3).spacing([8.0, 14.0]).striped(false).show(ui, add);
}

/// A.1 评估信息表, with the 乡镇 chosen from the county's `townships`.
pub(super) fn info_ui(ui: &mut Ui, editor: &mut Editor, townships: &[String]) {
    ui.heading("A.1 评估信息表");
    let info = &mut editor.record.info;
    form_grid(ui, "a1", |ui| {
        let label = field_label(ui, "A.1.1", "评估编号", true);
        ui.add(egui::Label::new(&info.number)).labelled_by(label.id);
        ui.end_row();

        let label = field_label(ui, "A.1.2", "评估基准日期", true);
        let mut date = Some(info.reference_date);
        date_field(ui, &label, &mut editor.buffers.reference_date, &mut date);
        if let Some(date) = date {
            info.reference_date = date;
        }
        ui.end_row();

        field_label(ui, "A.1.3", "评估原因", true);
        ui.vertical(|ui| {
            single_choice(ui, &mut info.reason);
            if info.reason == Some(crate::record::codes::AssessmentReason::Other) {
                ui.horizontal(|ui| {
                    let label = ui.label("其他原因");
                    text_field(ui, &label, &mut info.reason_other);
                });
            }
        });
        ui.end_row();

        let label = field_label(ui, "", "乡镇", true);
        super::township::township_choice(ui, &label, &mut info.township, townships);
        ui.end_row();

        let label = field_label(ui, "C", "评估地点", false);
        text_field(ui, &label, &mut info.place);
        ui.end_row();
    });
}

/// A.2 评估对象基本信息表.
pub(super) fn subject_ui(ui: &mut Ui, editor: &mut Editor) {
    ui.heading("A.2 评估对象基本信息表");
    let reference = editor.record.info.reference_date;
    let subject = &mut editor.record.subject;
    let buffers = &mut editor.buffers;
    form_grid(ui, "a2", |ui| {
        let label = field_label(ui, "A.2.1", "姓名", true);
        text_field(ui, &label, &mut subject.name);
        ui.end_row();

        id_number_row(ui, subject, buffers, reference);

        field_label(ui, "A.2.2", "性别", true);
        single_choice(ui, &mut subject.sex);
        ui.end_row();

        let label = field_label(ui, "A.2.3", "出生日期", true);
        ui.vertical(|ui| {
            date_field(ui, &label, &mut buffers.birth_date, &mut subject.birth_date);
            if let Some(birth) = subject.birth_date.filter(|b| *b < reference) {
                ui.label(format!("评估时 {} 周岁", age_on(birth, reference)));
            }
        });
        ui.end_row();

        let label = field_label(ui, "A.2.4", "身高", false);
        number_field(ui, &label, &mut buffers.height, &mut subject.height_cm, "cm", false);
        ui.end_row();

        let label = field_label(ui, "A.2.5", "体重", false);
        number_field(ui, &label, &mut buffers.weight, &mut subject.weight_tenth_kg, "kg", true);
        ui.end_row();

        field_label(ui, "A.2.6", "民族", false);
        ui.horizontal(|ui| {
            single_choice(ui, &mut subject.ethnicity.group);
            if subject.ethnicity.group == Some(EthnicGroup::Minority) {
                let label = ui.label("族别");
                text_field(ui, &label, &mut subject.ethnicity.minority);
            }
        });
        ui.end_row();

        field_label(ui, "A.2.7", "宗教信仰", false);
        ui.horizontal(|ui| {
            single_choice(ui, &mut subject.religion.belief);
            if subject.religion.belief == Some(Presence::Present) {
                let label = ui.label("宗教");
                text_field(ui, &label, &mut subject.religion.name);
            }
        });
        ui.end_row();

        field_label(ui, "A.2.9", "文化程度", false);
        single_choice(ui, &mut subject.education);
        ui.end_row();

        field_label(ui, "A.2.10", "居住情况（多选）", false);
        multi_choice(ui, &mut subject.living);
        ui.end_row();

        field_label(ui, "A.2.11", "婚姻状况", false);
        single_choice(ui, &mut subject.marital);
        ui.end_row();

        field_label(ui, "A.2.12", "医疗费用支付方式（多选）", false);
        multi_choice(ui, &mut subject.payment);
        ui.end_row();

        field_label(ui, "A.2.13", "经济来源（多选）", false);
        multi_choice(ui, &mut subject.income);
        ui.end_row();
    });

    risk_events_ui(ui, &mut subject.risk_events);
}

/// A.3 信息提供者及联系人信息表.
pub(super) fn informant_ui(ui: &mut Ui, editor: &mut Editor) {
    ui.heading("A.3 信息提供者及联系人信息表");
    let informant = &mut editor.record.informant;
    form_grid(ui, "a3", |ui| {
        let label = field_label(ui, "A.3.1", "信息提供者的姓名", true);
        text_field(ui, &label, &mut informant.name);
        ui.end_row();
        field_label(ui, "A.3.2", "信息提供者与老年人的关系", true);
        single_choice(ui, &mut informant.relationship);
        ui.end_row();
        let label = field_label(ui, "A.3.3", "联系人姓名", false);
        text_field(ui, &label, &mut informant.contact_name);
        ui.end_row();
        let label = field_label(ui, "A.3.4", "联系人电话", false);
        text_field(ui, &label, &mut informant.contact_phone);
        ui.end_row();
    });
}

/// A.4 疾病诊断和用药情况.
pub(super) fn diagnoses_ui(ui: &mut Ui, editor: &mut Editor) {
    ui.heading("A.4 疾病诊断和用药情况");
    let diagnoses = &mut editor.record.diagnoses;
    ui.label(RichText::new("A.4.1 疾病诊断（可多选）").strong());
    ui.label(
        RichText::new("痴呆（F00～F03）或其他精神和行为障碍（F04～F99）使能力等级提高一级（C.4）")
            .small(),
    );
    multi_choice(ui, &mut diagnoses.conditions);
    ui.horizontal(|ui| {
        let label = ui.label("其他诊断");
        text_field(ui, &label, &mut diagnoses.other);
    });
    ui.add_space(12.0);
    ui.label(RichText::new("A.4.2 用药情况（目前长期服药情况）").strong());
    let mut remove = None;
    Grid::new("a42").num_columns(5).spacing([8.0, 8.0]).show(ui, |ui| {
        for title in ["药物名称", "服药方法", "用药剂量", "用药频率", ""] {
            ui.label(RichText::new(title).strong());
        }
        ui.end_row();
        for (row, medication) in diagnoses.medications.iter_mut().enumerate() {
            let Medication { name, route, dose, frequency } = medication;
            for (column, value) in [
                ("药物名称", name),
                ("服药方法", route),
                ("用药剂量", dose),
                ("用药频率", frequency),
            ] {
                ui.add(egui::TextEdit::singleline(value).desired_width(150.0).id_salt((
                    "medication",
                    row,
                    column,
                )))
                .widget_info(|| {
                    egui::WidgetInfo::labeled(
                        egui::Role::TextInput,
                        true,
                        format!("第{}行{column}", row + 1),
                    )
                });
            }
            if ui.button(format!("删除第{}行", row + 1)).clicked() {
                remove = Some(row);
            }
            ui.end_row();
        }
    });
    if let Some(row) = remove {
        diagnoses.medications.remove(row);
    }
    if ui
        .add(egui::Button::new("＋ 添加药物").min_size(egui::vec2(160.0, theme::TARGET_HEIGHT)))
        .clicked()
    {
        diagnoses.medications.push(Medication::default());
    }
}

/// A.5 健康相关问题.
pub(super) fn health_ui(ui: &mut Ui, editor: &mut Editor) {
    ui.heading("A.5 健康相关问题");
    let health = &mut editor.record.health;
    form_grid(ui, "a5", |ui| {
        field_label(ui, "A.5.1", "压力性损伤", false);
        ui.vertical(|ui| single_choice(ui, &mut health.pressure_injury));
        ui.end_row();
        field_label(ui, "A.5.2", "关节活动度", false);
        ui.vertical(|ui| {
            single_choice(ui, &mut health.joint_motion.status);
            if health.joint_motion.status == Some(JointMotionStatus::Affected) {
                ui.horizontal(|ui| {
                    let label = ui.label("部位");
                    text_field(ui, &label, &mut health.joint_motion.site);
                });
            }
        });
        ui.end_row();
        field_label(ui, "A.5.3", "伤口情况（可多选）", false);
        multi_choice(ui, &mut health.wounds);
        ui.end_row();
        field_label(ui, "A.5.4", "特殊护理情况（可多选）", false);
        multi_choice(ui, &mut health.special_care);
        ui.end_row();
        field_label(ui, "A.5.5", "疼痛感", false);
        single_choice(ui, &mut health.pain);
        ui.end_row();
        field_label(ui, "A.5.6", "牙齿缺失情况（可多选）", false);
        multi_choice(ui, &mut health.teeth);
        ui.end_row();
        field_label(ui, "A.5.7", "义齿佩戴情况（可多选）", false);
        multi_choice(ui, &mut health.dentures);
        ui.end_row();
        field_label(ui, "A.5.8", "吞咽困难的情形和症状（可多选）", false);
        multi_choice(ui, &mut health.swallowing);
        ui.end_row();
        field_label(ui, "A.5.9", "营养不良：体质指数（BMI）低于正常值", false);
        single_choice(ui, &mut health.malnutrition);
        ui.end_row();
        field_label(ui, "A.5.10", "清理呼吸道无效", false);
        single_choice(ui, &mut health.airway_clearance);
        ui.end_row();
        field_label(ui, "A.5.11", "昏迷", true);
        ui.vertical(|ui| {
            single_choice(ui, &mut health.coma);
            ui.label(RichText::new("昏迷者直接评定为能力完全丧失（完全失能）（C.4）").small());
        });
        ui.end_row();
        let label = field_label(ui, "A.5.12", "其他（请补充）", false);
        text_field(ui, &label, &mut health.other);
        ui.end_row();
    });
}

/// A.2.8 with live validation; a valid number fills in an empty sex and birth date.
fn id_number_row(ui: &mut Ui, subject: &mut Subject, buffers: &mut Buffers, reference: NaiveDate) {
    let label = field_label(ui, "A.2.8", "公民身份号码", true);
    ui.vertical(|ui| {
        let response = text_field(ui, &label, subject.id_number.text_mut());
        match subject.id_number.parse() {
            Ok(id) => {
                let sex = id.sex();
                let birth = id.birth_date();
                let age = age_on(birth, reference);
                ui.label(
                    RichText::new(format!(
                        "号码有效：{}，{birth} 出生，评估时 {age} 周岁",
                        sex.label()
                    ))
                    .color(theme::OK),
                );
                // Derive what is still empty; what was entered is cross-checked by
                // `AssessmentRecord::validate` and shown below.
                if response.changed() {
                    if subject.sex.is_none() {
                        subject.sex = Some(sex);
                    }
                    if subject.birth_date.is_none() {
                        subject.birth_date = Some(birth);
                        buffers.birth_date = birth.to_string();
                    }
                }
                if subject.sex.is_some_and(|s| s != sex) {
                    ui.label(RichText::new("性别与身份号码不符").color(theme::ERROR));
                }
                if subject.birth_date.is_some_and(|b| b != birth) {
                    ui.label(RichText::new("出生日期与身份号码不符").color(theme::ERROR));
                }
            }
            Err(err) if !subject.id_number.is_blank() => {
                ui.label(RichText::new(err.to_string()).color(theme::ERROR));
            }
            Err(_) => {}
        }
    });
    ui.end_row();
}

/// A.2.14 counts, 0 to 3 (3 = 3 次及以上).
fn risk_events_ui(ui: &mut Ui, events: &mut RiskEvents) {
    ui.add_space(12.0);
    ui.label(RichText::new("A.2.14 近30天内照护风险事件").strong());
    ui.label(RichText::new("合计 2 次及以上时，能力等级提高一级（C.4）").small());
    form_grid(ui, "a214", |ui| {
        let rows: [(&str, &str, &mut u8); 5] = [
            ("A.2.14.1", "跌倒", &mut events.fall),
            ("A.2.14.2", "走失", &mut events.wandering),
            ("A.2.14.3", "噎食", &mut events.choking),
            ("A.2.14.4", "自杀、自伤", &mut events.suicide_self_harm),
            ("A.2.14.5", "其他", &mut events.other),
        ];
        for (code, title, count) in rows {
            field_label(ui, code, title, false);
            ui.horizontal(|ui| {
                for n in 0..=RISK_EVENT_MAX {
                    let text = match n {
                        0 => "无".to_owned(),
                        RISK_EVENT_MAX => format!("{n}次及以上"),
                        _ => format!("{n}次"),
                    };
                    if ui.radio(*count == n, text).clicked() {
                        *count = n;
                    }
                }
            });
            ui.end_row();
        }
        let label = ui.label("A.2.14.5 其他事件");
        ui.label("");
        text_field(ui, &label, &mut events.other_text);
        ui.end_row();
    });
}
