//! Annex A forms: A.1 评估信息, A.2 基本信息, A.3 信息提供者及联系人, A.4 疾病诊断和用药情况,
//! A.5 健康相关问题. Fields carry the standard's codes and wording; `*` marks the fields
//! required before the assessment can be completed.

use egui::{RichText, Ui};

use super::super::form;
use super::super::table::table;

use crate::record::codes::{
    Diagnosis, EthnicGroup, MEDICATION_COLUMNS, Presence, risk_event_answer,
};
use chrono::NaiveDate;

use crate::record::{
    Diagnoses, FieldCode, FieldSection, Medication, RISK_EVENT_MAX, RiskEvents, Subject, age_on,
};
use crate::scale::{FactKind, Scale};

use super::super::choice::{Kind, option_list};
use super::super::widgets::{date_field, multi_choice, number_field, single_choice, text_field};
use super::{Buffers, Editor, theme};

/// One Annex A field as a form row (label beside or above its answers, see
/// [`form::row`]): `A.2.1 姓名`, the title from the record's field list.
pub(super) fn annex_row<R>(
    ui: &mut Ui,
    code: &str,
    required: bool,
    add: impl FnOnce(&mut Ui, &egui::Response) -> R,
) -> R {
    let title = code.parse::<FieldCode>().ok().and_then(|c| c.form_title()).unwrap_or_default();
    form::row(ui, code, title, required, add)
}

/// `A.2 评估对象基本信息表` as the screen's heading.
pub(super) fn form_heading(ui: &mut Ui, form: u8) {
    let section = FieldSection::A(form);
    ui.heading(format!("{section} {}", section.title().unwrap_or_default()));
}

/// The C.4 grounds fed by field `code` (`C.4 ① 处于昏迷状态者…`), from the scale, as
/// small text under the field.
pub(super) fn grounds_hint(ui: &mut Ui, scale: &Scale, code: &str) {
    let rules = scale.change_rules();
    let mut shown: Vec<&str> = Vec::new();
    for (index, _) in scale.facts().iter().enumerate().filter(|(_, f)| f.source() == code) {
        for (clause, text) in rules.grounds_using_fact(index) {
            if !shown.contains(&clause) {
                shown.push(clause);
                ui.label(RichText::new(format!("{clause} {text}")).small());
            }
        }
    }
}

/// A.1 评估信息表, with the 乡镇 chosen from the county's `townships`.
pub(super) fn info_ui(ui: &mut Ui, editor: &mut Editor, townships: &[String]) {
    form_heading(ui, 1);
    let info = &mut editor.record.info;
    annex_row(ui, "A.1.1", true, |ui, label| {
        ui.add(egui::Label::new(&info.number)).labelled_by(label.id);
    });
    annex_row(ui, "A.1.2", true, |ui, label| {
        let mut date = Some(info.reference_date);
        date_field(ui, label, &mut editor.buffers.reference_date, &mut date);
        if let Some(date) = date {
            info.reference_date = date;
        }
    });
    annex_row(ui, "A.1.3", true, |ui, _| {
        single_choice(ui, &mut info.reason);
        if info.reason == Some(crate::record::codes::AssessmentReason::Other) {
            form::labelled_row(ui, "其他原因", true, |ui, label| {
                text_field(ui, label, &mut info.reason_other);
            });
        }
    });
    form::row(ui, "", "乡镇", true, |ui, label| {
        super::township::township_choice(ui, label, &mut info.township, townships);
    });
    // 评估地点 belongs to the report's signature block (Annex C), not to A.1; it is
    // asked here because it is known when the visit starts.
    form::labelled_row(ui, "评估地点", false, |ui, label| {
        text_field(ui, label, &mut info.place);
    });
}

/// A.2 评估对象基本信息表.
pub(super) fn subject_ui(ui: &mut Ui, editor: &mut Editor, scale: &Scale) {
    form_heading(ui, 2);
    let reference = editor.record.info.reference_date;
    let subject = &mut editor.record.subject;
    let buffers = &mut editor.buffers;
    annex_row(ui, "A.2.1", true, |ui, label| {
        text_field(ui, label, &mut subject.name);
    });
    id_number_row(ui, subject, buffers, reference);
    annex_row(ui, "A.2.2", true, |ui, _| single_choice(ui, &mut subject.sex));
    annex_row(ui, "A.2.3", true, |ui, label| {
        date_field(ui, label, &mut buffers.birth_date, &mut subject.birth_date);
        if let Some(birth) = subject.birth_date.filter(|b| *b < reference) {
            ui.label(format!("评估时 {} 周岁", age_on(birth, reference)));
        }
    });
    annex_row(ui, "A.2.4", false, |ui, label| {
        number_field(ui, label, &mut buffers.height, &mut subject.height_cm, "cm", false);
    });
    annex_row(ui, "A.2.5", false, |ui, label| {
        number_field(ui, label, &mut buffers.weight, &mut subject.weight_tenth_kg, "kg", true);
    });
    annex_row(ui, "A.2.6", false, |ui, _| {
        single_choice(ui, &mut subject.ethnicity.group);
        if subject.ethnicity.group == Some(EthnicGroup::Minority) {
            form::labelled_row(ui, "族别", false, |ui, label| {
                text_field(ui, label, &mut subject.ethnicity.minority);
            });
        }
    });
    annex_row(ui, "A.2.7", false, |ui, _| {
        single_choice(ui, &mut subject.religion.belief);
        if subject.religion.belief == Some(Presence::Present) {
            form::labelled_row(ui, "宗教", false, |ui, label| {
                text_field(ui, label, &mut subject.religion.name);
            });
        }
    });
    annex_row(ui, "A.2.9", false, |ui, _| single_choice(ui, &mut subject.education));
    annex_row(ui, "A.2.10", false, |ui, _| multi_choice(ui, &mut subject.living));
    annex_row(ui, "A.2.11", false, |ui, _| single_choice(ui, &mut subject.marital));
    annex_row(ui, "A.2.12", false, |ui, _| multi_choice(ui, &mut subject.payment));
    annex_row(ui, "A.2.13", false, |ui, _| multi_choice(ui, &mut subject.income));

    risk_events_ui(ui, scale, &mut subject.risk_events);
}

/// A.3 信息提供者及联系人信息表.
pub(super) fn informant_ui(ui: &mut Ui, editor: &mut Editor) {
    form_heading(ui, 3);
    let informant = &mut editor.record.informant;
    annex_row(ui, "A.3.1", true, |ui, label| {
        text_field(ui, label, &mut informant.name);
    });
    annex_row(ui, "A.3.2", true, |ui, _| single_choice(ui, &mut informant.relationship));
    annex_row(ui, "A.3.3", false, |ui, label| {
        text_field(ui, label, &mut informant.contact_name);
    });
    annex_row(ui, "A.3.4", false, |ui, label| {
        text_field(ui, label, &mut informant.contact_phone);
    });
}

/// A.4 疾病诊断和用药情况.
pub(super) fn diagnoses_ui(ui: &mut Ui, editor: &mut Editor, scale: &Scale) {
    form_heading(ui, 4);
    let diagnoses = &mut editor.record.diagnoses;
    let label = FieldCode::DIAGNOSES;
    ui.horizontal_wrapped(|ui| {
        let title = label.form_title().unwrap_or_default();
        ui.label(RichText::new(format!("{label} {title}")).strong());
        ui.label(RichText::new("*").color(theme::ERROR));
    });
    grounds_hint(ui, scale, &label.to_string());
    diagnosis_choice(ui, diagnoses);
    form::labelled_row(ui, "其他诊断", false, |ui, label| {
        text_field(ui, label, &mut diagnoses.other);
    });
    ui.add_space(12.0);
    let code = "A.4.2";
    let title = code.parse::<FieldCode>().ok().and_then(|c| c.form_title()).unwrap_or_default();
    ui.label(RichText::new(format!("{code} {title}")).strong());
    let mut remove = None;
    let mut headers: Vec<&str> = MEDICATION_COLUMNS.to_vec();
    headers.push("");
    let medications = &mut diagnoses.medications;
    table(ui, "a42", &headers, medications.len(), |ui, row, column| {
        let Some(medication) = medications.get_mut(row) else { return };
        let Medication { name, route, dose, frequency } = medication;
        let fields = MEDICATION_COLUMNS.into_iter().zip([name, route, dose, frequency]);
        match fields.enumerate().find(|(i, _)| *i == column) {
            Some((_, (title, value))) => {
                // Drug names are the longest values (a grid cell's own width is last
                // frame's, so the width is fixed, not taken from the cell).
                let width = if column == 0 { 240.0 } else { 150.0 };
                let edit = egui::TextEdit::singleline(value)
                    .desired_width(width)
                    .min_size(egui::vec2(width, 0.0))
                    .id_salt(("medication", row, title));
                let response = ui.add(edit);
                response.widget_info(|| {
                    let name = format!("第{}行{title}", row + 1);
                    egui::WidgetInfo::labeled(egui::Role::TextInput, true, name)
                });
                // A row just added: its first field takes what is typed next.
                if column == 0 && !ui.is_sizing_pass() {
                    let key = egui::Id::unique(NEW_MEDICATION);
                    if ui.data(|d| d.get_temp::<usize>(key)) == Some(row) {
                        ui.data_mut(|d| d.remove_temp::<usize>(key));
                        response.request_focus();
                    }
                }
                form::field_focus(ui, &response);
                form::enter_moves_on(ui, &response);
            }
            None => {
                if ui.button(format!("删除第{}行", row + 1)).clicked() {
                    remove = Some(row);
                }
            }
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
        let row = diagnoses.medications.len() - 1;
        ui.data_mut(|d| d.insert_temp(egui::Id::unique(NEW_MEDICATION), row));
    }
}

/// Memory key of the medication row just added (its first field takes the focus).
const NEW_MEDICATION: &str = "a42-new-row";

/// A.2.8 with live validation; a valid number fills in an empty sex and birth date.
fn id_number_row(ui: &mut Ui, subject: &mut Subject, buffers: &mut Buffers, reference: NaiveDate) {
    annex_row(ui, "A.2.8", true, |ui, label| {
        let response = text_field(ui, label, subject.id_number.text_mut());
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
}

/// A.4.1 as one list of check boxes (one Tab stop): the standard's diagnoses and then
/// the tool's 「以上均无」, which excludes them (see [`Diagnoses::tick`]).
fn diagnosis_choice(ui: &mut Ui, diagnoses: &mut Diagnoses) {
    let mut shown: Vec<(String, bool)> =
        Diagnosis::ALL.iter().map(|d| (d.to_string(), diagnoses.conditions.contains(d))).collect();
    shown.push((Diagnoses::NONE_OF_THE_ABOVE.to_owned(), diagnoses.none_of_the_above));
    for index in option_list(ui, Kind::Multiple, &shown) {
        match Diagnosis::ALL.get(index) {
            Some(&ticked) => diagnoses.tick(ticked),
            None => diagnoses.tick_none_of_the_above(),
        }
    }
}

/// A.2.14 counts, 0 to 3 (3 = 3 次及以上), worded as the form words them; the kinds are
/// labelled by the scale's A.2.14 fact, and 其他 has its blank on its own row.
fn risk_events_ui(ui: &mut Ui, scale: &Scale, events: &mut RiskEvents) {
    ui.add_space(12.0);
    let code = "A.2.14";
    let title = code.parse::<FieldCode>().ok().and_then(|c| c.form_title()).unwrap_or_default();
    ui.label(RichText::new(format!("{code} {title}")).strong());
    grounds_hint(ui, scale, code);
    let labels: Vec<(String, String)> = scale
        .facts()
        .iter()
        .filter(|fact| fact.source() == code)
        .flat_map(|fact| match fact.kind() {
            FactKind::Counts { parts, .. } => {
                parts.iter().map(|p| (p.id.clone(), p.label.clone())).collect()
            }
            FactKind::Flag => Vec::new(),
        })
        .collect();
    for (field, part, count) in events.parts() {
        let title = labels.iter().find(|(id, _)| id == part).map_or("", |(_, l)| l.as_str());
        // Unanswered (`None`) until an option is chosen: nothing is preselected.
        let mut chosen = None;
        form::row(ui, &field.to_string(), title, true, |ui, label| {
            let options: Vec<(String, bool)> = (0..=RISK_EVENT_MAX)
                .map(|n| (risk_event_answer(n).to_owned(), count == Some(n)))
                .collect();
            chosen =
                option_list(ui, Kind::Single, &options).last().and_then(|n| u8::try_from(*n).ok());
            if part == "other" {
                text_field(ui, label, &mut events.other_text);
            }
        });
        if let Some(n) = chosen {
            *events.count_mut(part) = Some(n);
        }
    }
}
