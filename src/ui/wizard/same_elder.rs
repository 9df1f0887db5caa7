//! 同一老人已有评估: when the ID number typed into a draft already has assessments, a
//! band above the section lists them (masked ID number, number, date, status) with 打开
//! for the drafts and 发起复评 from the latest approved one. The app looks them up on a
//! job (`app/same_elder.rs`); this screen only shows what it found.

use egui::{RichText, Ui};

use crate::store::{Status, Summary};

use super::super::theme;
use super::WizardCommand;

/// The same elder's other assessments, found for the ID number typed.
#[derive(Debug, Clone, Default)]
pub struct SameElder {
    /// The ID number they were looked up for (normalised).
    pub id_number: String,
    /// The elder's other assessments, newest first (never the open record).
    pub rows: Vec<Summary>,
}

/// The band; nothing when the elder has no other assessment.
pub(super) fn same_elder_ui(ui: &mut Ui, found: &SameElder) -> Option<WizardCommand> {
    let first = found.rows.first()?;
    let mut command = None;
    let fill = theme::WARNING.gamma_multiply(0.12);
    egui::Frame::new().fill(fill).inner_margin(egui::Margin::same(8)).show(ui, |ui| {
        ui.label(
            RichText::new(format!(
                "注意：身份证号 {} 已有 {} 次评估，请勿重复建档",
                first.id_masked,
                found.rows.len()
            ))
            .color(theme::WARNING)
            .strong(),
        );
        let latest_approved = found.rows.iter().find(|row| row.status == Status::Approved);
        for row in &found.rows {
            ui.horizontal_wrapped(|ui| {
                ui.label(format!(
                    "{}　{}　评估日期 {}　{}",
                    row.number,
                    row.id_masked,
                    row.reference_date,
                    row.status.label()
                ));
                if matches!(row.status, Status::Draft | Status::Returned)
                    && ui.button(format!("打开草稿 {}", row.number)).clicked()
                {
                    command = Some(WizardCommand::OpenOther(row.id));
                }
                if latest_approved.is_some_and(|approved| approved.id == row.id)
                    && ui.button(format!("发起复评（基于 {}）", row.number)).clicked()
                {
                    command = Some(WizardCommand::Reassess(row.id));
                }
            });
        }
        ui.label(RichText::new("若本草稿是误建的，可在左侧“删除草稿”").small());
    });
    command
}
