//! Actions that need a second step: [`confirm_button`] draws the action's button; its
//! first click replaces it, in place, by the question, 确认… and 取消, and only 确认…
//! carries the action out. Used for 提交审核, 通过, 退回, 清除签名 and 删除草稿.
//!
//! Whether a question is showing is kept in egui's memory under the button's place, so
//! no screen needs a field for it; it goes away when the question is answered.

use egui::{RichText, Ui};

use super::theme;

/// The action's button `text` (enabled or not), or once clicked `question` with
/// `确认{text}` and 取消; true in the frame 确认 is clicked. `min_size` applies to the
/// action's button and to 确认.
pub fn confirm_button(
    ui: &mut Ui,
    enabled: bool,
    text: &str,
    question: &str,
    min_size: egui::Vec2,
) -> bool {
    let id = ui.make_persistent_id(("confirm", text));
    let asking = ui.data(|data| data.get_temp::<bool>(id)).unwrap_or(false);
    if !asking || !enabled {
        let button = egui::Button::new(RichText::new(text).strong()).min_size(min_size);
        if ui.add_enabled(enabled, button).clicked() {
            ui.data_mut(|data| data.insert_temp(id, true));
        }
        return false;
    }
    let mut confirmed = false;
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new(question).color(theme::WARNING).strong());
        let confirm =
            egui::Button::new(RichText::new(format!("确认{text}")).strong()).min_size(min_size);
        if ui.add(confirm).clicked() {
            confirmed = true;
            ui.data_mut(|data| data.remove::<bool>(id));
        }
        if ui.add(egui::Button::new("取消").min_size(egui::vec2(0.0, min_size.y))).clicked() {
            ui.data_mut(|data| data.remove::<bool>(id));
        }
    });
    confirmed
}
