//! 乡镇 in A.1: a drop-down of the county file's townships (not free text, so the queue's
//! filter and the statistics, which compare names, always match). A record whose township
//! is not in the list (written before the list changed) shows it, marked, until another
//! is chosen.

use egui::{RichText, Ui};

use super::theme;

/// The text shown while no township is chosen.
pub const NOT_CHOSEN: &str = "请选择乡镇";

/// The drop-down, named by `label`; returns `true` when the choice changed.
pub(super) fn township_choice(
    ui: &mut Ui,
    label: &egui::Response,
    township: &mut String,
    townships: &[String],
) -> bool {
    let current = township.trim().to_owned();
    let listed = townships.iter().any(|t| t.trim() == current);
    let selected = if current.is_empty() {
        RichText::new(NOT_CHOSEN).color(theme::WARNING)
    } else if listed {
        RichText::new(current.as_str())
    } else {
        RichText::new(format!("{current}（不在本县乡镇列表中）")).color(theme::ERROR)
    };
    let mut changed = false;
    ui.horizontal(|ui| {
        let list = egui::ComboBox::from_id_salt("a1-township")
            .selected_text(selected)
            .height(ui.ctx().content_rect().height() * 0.6)
            .show_ui(ui, |ui| {
                for name in townships {
                    changed |= ui.selectable_value(township, name.clone(), name).changed();
                }
            })
            .response
            .labelled_by(label.id);
        super::super::form::field_focus(ui, &list);
        // With the focus on the closed list, ↑ ↓ choose the previous or next township
        // (like a select box); Space opens the list.
        if list.has_focus() && !townships.is_empty() {
            // (← → as well: the list is one Tab stop like an option list.)
            if let Some(step) = super::super::choice::arrow_step(ui, list.id) {
                let at = townships.iter().position(|t| t.trim() == current);
                let next = match (at, step > 0) {
                    (None, _) => 0,
                    (Some(i), true) => (i + 1).min(townships.len() - 1),
                    (Some(i), false) => i.saturating_sub(1),
                };
                township.clone_from(&townships[next]);
                changed = true;
            }
        }
        if townships.is_empty() {
            ui.label(RichText::new("未载入县数据文件，无乡镇可选").color(theme::ERROR));
        }
    });
    changed
}
