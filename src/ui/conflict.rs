//! The review screen's conflict panel: a county record received under one envelope id
//! with different content lists its versions one under the other (hash prefix, device, receipt
//! time, total, level — never a person), a reason field and a 以此版本为准 button per
//! version, each asking 确认… / 取消 like the other decisions.

use egui::{RichText, Ui};

use crate::scale::Scale;
use crate::store::ConflictVersion;

use super::confirm::confirm_button;
use super::theme;

/// The versions and the reason; returns the hash of the version chosen in the frame
/// 确认以此版本为准 is clicked.
pub fn conflict_ui(
    ui: &mut Ui,
    scale: &Scale,
    versions: &[ConflictVersion],
    (reason, message): (&mut String, Option<&str>),
) -> Option<String> {
    let mut chosen = None;
    ui.add_space(6.0);
    ui.label(RichText::new("内容冲突：请核对各版本，选定以哪一版本为准").strong());
    let label = ui.label("理由");
    ui.add(
        egui::TextEdit::multiline(reason)
            .desired_rows(2)
            .desired_width(super::form::field_width(ui, 360.0)),
    )
    .labelled_by(label.id);
    let enabled = !reason.trim().is_empty();
    for version in versions {
        let level = scale.level(version.final_level).map_or("—", |l| l.name.as_str());
        let line = format!(
            "版本 {}　设备 {}　接收 {}　总分 {}　{level}",
            version.short_hash(),
            version.device.get(..8).unwrap_or(&version.device),
            version.received_at.get(..19).unwrap_or(&version.received_at),
            version.total,
        );
        ui.push_id(&version.hash, |ui| {
            ui.separator();
            ui.add(egui::Label::new(RichText::new(line).monospace()).wrap());
            let size = egui::vec2(140.0, theme::TARGET_HEIGHT);
            let question = format!("确认以版本 {} 为准？其他版本将被搁置", version.short_hash());
            if confirm_button(ui, enabled, "以此版本为准", &question, size) {
                chosen = Some(version.hash.clone());
            }
        });
    }
    if !enabled {
        ui.label(RichText::new("先填写理由，再选定版本").color(theme::WARNING));
    }
    if let Some(message) = message {
        ui.label(RichText::new(message).color(theme::ERROR));
    }
    chosen
}
