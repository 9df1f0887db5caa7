//! Annex B: one item at a time, with its definition, notes (注), the scale file's
//! explanations of them (说明) and every option's wording and score as a large button.

use egui::{RichText, Ui};

use crate::scale::Scale;

use super::{Editor, theme};

/// The screen of domain `d`: item chips, then the focused item.
pub(super) fn domain_ui(ui: &mut Ui, editor: &mut Editor, scale: &Scale, d: usize) {
    let domain = &scale.domains()[d];
    if scale.items().get(editor.item).is_none_or(|i| i.domain_index() != d) {
        editor.item = domain.item_range().start;
    }
    ui.heading(format!("{} {}（满分 {}）", domain.id(), domain.name(), domain.max()));
    ui.horizontal_wrapped(|ui| {
        for index in domain.item_range() {
            let item = &scale.items()[index];
            let answered = editor.record.answers.get(item.id());
            let text = match answered {
                Some(score) => format!("{} {} · {score}分", item.id(), item.name()),
                None => format!("{} {}", item.id(), item.name()),
            };
            let text = if answered.is_some() {
                RichText::new(text).color(theme::OK)
            } else {
                RichText::new(text)
            };
            if ui.add(egui::Button::selectable(index == editor.item, text)).clicked() {
                editor.item = index;
            }
        }
    });
    ui.separator();

    let item = &scale.items()[editor.item];
    ui.label(RichText::new(format!("{} {}", item.id(), item.name())).heading().strong());
    if !item.definition().is_empty() {
        ui.label(format!("定义：{}", item.definition()));
    }
    for note in item.notes() {
        ui.label(RichText::new(format!("注：{note}")).color(theme::WARNING));
    }
    for remark in item.remarks() {
        ui.label(RichText::new(format!("说明：{remark}")).small());
    }
    ui.add_space(8.0);
    let current = editor.record.answers.get(item.id()).copied();
    let width = ui.available_width().min(900.0);
    for option in item.options() {
        let selected = current == Some(option.score);
        let text = RichText::new(format!("{} 分　{}", option.score, option.text));
        let text = if selected { text.strong() } else { text };
        let button = egui::Button::selectable(selected, text)
            .wrap()
            .min_size(egui::vec2(width, theme::TARGET_HEIGHT));
        if ui.add(button).clicked() {
            editor.record.answers.insert(item.id().to_owned(), option.score);
        }
    }
    ui.add_space(8.0);
    ui.label(RichText::new("按分值数字键选择；Enter 或 → 下一项，Shift+Enter 或 ← 上一项").small());
    ui.horizontal(|ui| {
        let size = egui::vec2(140.0, theme::TARGET_HEIGHT);
        if ui.add_enabled(editor.item > 0, egui::Button::new("← 上一项").min_size(size)).clicked()
        {
            editor.previous_item(scale);
        }
        if ui.add(egui::Button::new("下一项 →").min_size(size)).clicked() {
            editor.next_item(scale);
        }
    });
}
