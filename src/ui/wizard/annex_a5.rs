//! Annex A form A.5 健康相关问题: every field with the standard's title, code list and
//! note (A.5.5 how pain is judged; A.5.9 the BMI formula, with the BMI computed from
//! A.2.4 and A.2.5), A.5.6's options under their headings 牙列缺损 / 牙列缺失, and the
//! C.4 ground that A.5.11 feeds, all taken from the record's code lists and the scale.

use std::collections::BTreeSet;

use egui::{RichText, Ui};

use crate::record::codes::{JointMotionStatus, MALNUTRITION_NOTE, Pain, ToothLoss};
use crate::scale::Scale;

use super::super::form;
use super::super::widgets::{checkboxes, multi_choice, single_choice, text_field};
use super::annex_a::{annex_row, form_heading, grounds_hint};
use super::{Editor, theme};

/// A.5 健康相关问题.
pub(super) fn health_ui(ui: &mut Ui, editor: &mut Editor, scale: &Scale) {
    form_heading(ui, 5);
    let bmi = editor.record.subject.bmi();
    let health = &mut editor.record.health;
    annex_row(ui, "A.5.1", false, |ui, _| single_choice(ui, &mut health.pressure_injury));
    annex_row(ui, "A.5.2", false, |ui, _| {
        single_choice(ui, &mut health.joint_motion.status);
        if health.joint_motion.status == Some(JointMotionStatus::Affected) {
            form::labelled_row(ui, "部位", false, |ui, label| {
                text_field(ui, label, &mut health.joint_motion.site);
            });
        }
    });
    annex_row(ui, "A.5.3", false, |ui, _| multi_choice(ui, &mut health.wounds));
    annex_row(ui, "A.5.4", false, |ui, _| multi_choice(ui, &mut health.special_care));
    annex_row(ui, "A.5.5", false, |ui, _| {
        single_choice(ui, &mut health.pain);
        note(ui, Pain::NOTE);
    });
    annex_row(ui, "A.5.6", false, |ui, _| teeth_ui(ui, &mut health.teeth));
    annex_row(ui, "A.5.7", false, |ui, _| multi_choice(ui, &mut health.dentures));
    annex_row(ui, "A.5.8", false, |ui, _| multi_choice(ui, &mut health.swallowing));
    annex_row(ui, "A.5.9", false, |ui, _| {
        single_choice(ui, &mut health.malnutrition);
        note(ui, MALNUTRITION_NOTE);
        ui.label(RichText::new(bmi_line(bmi)).small());
    });
    annex_row(ui, "A.5.10", false, |ui, _| single_choice(ui, &mut health.airway_clearance));
    annex_row(ui, "A.5.11", true, |ui, _| {
        single_choice(ui, &mut health.coma);
        grounds_hint(ui, scale, "A.5.11");
    });
    annex_row(ui, "A.5.12", false, |ui, label| {
        text_field(ui, label, &mut health.other);
    });
}

/// The standard's note (注) under a field.
fn note(ui: &mut Ui, text: &str) {
    ui.label(RichText::new(format!("注：{text}")).small().color(theme::WARNING));
}

/// The BMI from A.2.4 and A.2.5, or what is missing for it.
fn bmi_line(bmi: Option<f64>) -> String {
    match bmi {
        Some(bmi) => format!("按 A.2.4 身高、A.2.5 体重计算：BMI = {bmi:.1}"),
        None => "填写 A.2.4 身高和 A.2.5 体重后显示 BMI".to_owned(),
    }
}

/// A.5.6: the options without a heading, then each heading with its sub-options.
fn teeth_ui(ui: &mut Ui, teeth: &mut BTreeSet<ToothLoss>) {
    ui.vertical(|ui| {
        let mut heading = None;
        let mut row: Vec<ToothLoss> = Vec::new();
        let mut rows: Vec<(Option<&'static str>, Vec<ToothLoss>)> = Vec::new();
        for &option in ToothLoss::ALL {
            if option.heading() != heading && !row.is_empty() {
                rows.push((heading, std::mem::take(&mut row)));
            }
            heading = option.heading();
            row.push(option);
        }
        rows.push((heading, row));
        for (heading, options) in rows {
            if let Some(heading) = heading {
                ui.label(RichText::new(format!("{heading}：")).strong());
            }
            checkboxes(ui, &options, teeth);
        }
    });
}
