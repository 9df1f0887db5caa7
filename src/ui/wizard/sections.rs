//! The wizard's navigation: ← 返回列表, the record's number, the running total and grade,
//! and the sections with their completion. A side panel while the window is wide enough
//! for it and a form; a bar across the top with the sections in a drop-down list once it
//! is not (a small window or large text), so the form keeps the width it needs.

use egui::{RichText, Ui};

use crate::assessment::Progress;
use crate::record::FieldSection;
use crate::scale::Scale;
use crate::store::Status;

use super::super::theme;
use super::{Editor, Section, WizardCommand, county_recorded, level_range_text};

/// The narrowest form the side panel leaves room for (points).
const MIN_FORM_WIDTH: f32 = 520.0;

/// One section in the navigation: where it goes, its title, whether it is complete.
struct Entry {
    section: Section,
    title: String,
    done: bool,
}

impl Entry {
    fn text(&self) -> RichText {
        let mark = if self.done { "● " } else { "○ " };
        let text = RichText::new(format!("{mark}{}", self.title));
        if self.done { text.color(theme::OK) } else { text }
    }
}

impl Editor {
    /// The navigation, as a side panel or a top bar by the window's width.
    pub(super) fn sections_ui(
        &mut self,
        ui: &mut Ui,
        scale: &Scale,
        progress: &Progress,
    ) -> Option<WizardCommand> {
        let entries = self.entries(scale, progress);
        if ui.available_width() >= theme::SIDE_PANEL_WIDTH + MIN_FORM_WIDTH {
            egui::Panel::left("sections")
                .resizable(false)
                .exact_size(theme::SIDE_PANEL_WIDTH)
                .show(ui, |ui| self.side_panel_ui(ui, scale, progress, &entries))
                .inner
        } else {
            egui::Panel::top("sections-bar")
                .show(ui, |ui| self.top_bar_ui(ui, scale, progress, &entries))
                .inner
        }
    }

    fn entries(&self, scale: &Scale, progress: &Progress) -> Vec<Entry> {
        let issues = self.record.validate(scale);
        let missing_in = |section: FieldSection| {
            issues.iter().filter(|i| i.blocking && i.field.section() == section).count()
        };
        let entry = |section, title: &str, done| Entry { section, title: title.to_owned(), done };
        let mut entries = vec![
            entry(Section::Info, "A.1 评估信息", missing_in(FieldSection::A(1)) == 0),
            entry(Section::Subject, "A.2 基本信息", missing_in(FieldSection::A(2)) == 0),
            entry(Section::Informant, "A.3 信息提供者", missing_in(FieldSection::A(3)) == 0),
            entry(Section::Diagnoses, "A.4 疾病与用药", missing_in(FieldSection::A(4)) == 0),
            entry(Section::Health, "A.5 健康问题", missing_in(FieldSection::A(5)) == 0),
            entry(Section::County, "县级补充信息", county_recorded(&self.record)),
        ];
        for (d, domain) in scale.domains().iter().enumerate() {
            let answered = progress.answered[d];
            let total = domain.item_range().len();
            entries.push(Entry {
                section: Section::Domain(d),
                title: format!("{} {} {answered}/{total}", domain.id(), domain.name()),
                done: answered == total,
            });
        }
        entries.push(entry(Section::Result, "C 评估结果", progress.complete));
        entries.push(entry(Section::Signatures, "签名", missing_in(FieldSection::Signatures) == 0));
        entries
    }

    fn side_panel_ui(
        &mut self,
        ui: &mut Ui,
        scale: &Scale,
        progress: &Progress,
        entries: &[Entry],
    ) -> Option<WizardCommand> {
        ui.add_space(8.0);
        let command =
            back_button(ui, "← 返回列表", 200.0).or_else(|| self.delete_draft_button(ui, 200.0));
        ui.label(RichText::new(format!("评估编号 {}", self.record.info.number)).small());
        ui.label(
            RichText::new(format!("总分 {} / {}", progress.total, scale.max_total())).heading(),
        );
        ui.label(RichText::new(level_range_text(scale, progress)).strong().color(theme::ACCENT));
        ui.separator();
        egui::ScrollArea::vertical().auto_shrink([false, false]).show(ui, |ui| {
            for entry in entries {
                let button = egui::Button::selectable(self.section == entry.section, entry.text())
                    .min_size(egui::vec2(ui.available_width(), 40.0));
                if ui.add(button).clicked() {
                    self.go_to(scale, entry.section);
                }
            }
        });
        command
    }

    fn top_bar_ui(
        &mut self,
        ui: &mut Ui,
        scale: &Scale,
        progress: &Progress,
        entries: &[Entry],
    ) -> Option<WizardCommand> {
        let mut command = None;
        ui.horizontal_wrapped(|ui| {
            // Short texts and one row where it fits: the form keeps the height.
            command = back_button(ui, "← 列表", 0.0);
            let current = entries.iter().find(|e| e.section == self.section);
            let selected = current.map_or_else(|| RichText::new("部分"), Entry::text);
            let list = egui::ComboBox::from_id_salt("sections-list")
                .selected_text(selected)
                .height(f32::INFINITY)
                .show_ui(ui, |ui| {
                    for entry in entries {
                        if ui
                            .selectable_label(self.section == entry.section, entry.text())
                            .clicked()
                        {
                            self.go_to(scale, entry.section);
                        }
                    }
                });
            list.response
                .widget_info(|| egui::WidgetInfo::labeled(egui::Role::ComboBox, true, "评估部分"));
            let total = format!("总分 {} / {}", progress.total, scale.max_total());
            ui.add(egui::Label::new(total).extend());
            command = command.or_else(|| self.delete_draft_button(ui, 0.0));
        });
        // The grade range is left to C 评估结果 here: the form keeps the height.
        command
    }
}

impl Editor {
    /// 删除草稿 (a draft only), with its confirmation, at least `width` wide.
    fn delete_draft_button(&self, ui: &mut Ui, width: f32) -> Option<WizardCommand> {
        (self.status == Status::Draft
            && super::super::confirm::confirm_button(
                ui,
                true,
                "删除草稿",
                "删除后无法恢复，确认删除本草稿？",
                egui::vec2(width, theme::TARGET_HEIGHT),
            ))
        .then_some(WizardCommand::DeleteDraft)
    }
}

/// ← 返回列表 (or a shorter `text`), at least `width` wide.
fn back_button(ui: &mut Ui, text: &str, width: f32) -> Option<WizardCommand> {
    let button = egui::Button::new(text).min_size(egui::vec2(width, theme::TARGET_HEIGHT));
    ui.add(button).clicked().then_some(WizardCommand::GoHome)
}
