//! Annex C: domain scores with maxima (C.1), total (C.2), preliminary level (C.3), change
//! grounds with the fact that triggered each (C.4), final level (C.5), and the numbered
//! consistency warnings. Everything here comes from the engine.

use egui::{RichText, Ui};

use crate::assessment::{Progress, score};
use crate::policy::Policy;
use crate::scale::{Scale, Severity};

use super::super::form::labelled_row;
use super::{Editor, WizardCommand, level_range_text, theme};

pub(super) fn result_ui(
    ui: &mut Ui,
    editor: &mut Editor,
    scale: &Scale,
    policy: Option<&Policy>,
    progress: &Progress,
) -> Option<WizardCommand> {
    ui.heading("C 老年人能力评估结果");
    let answers = editor.record.answers(scale);
    let facts = editor.record.facts(scale);
    if let Ok(outcome) = score(scale, &answers, &facts) {
        for (i, (domain, got)) in scale.domains().iter().zip(&outcome.domain_scores).enumerate() {
            let title = format!("C.1.{} {}", i + 1, domain.name());
            labelled_row(ui, &title, false, |ui, _| ui.label(format!("{got} / {}", domain.max())));
        }
        labelled_row(ui, "C.2 初步等级得分", false, |ui, _| {
            ui.label(RichText::new(format!("{} / {}", outcome.total, scale.max_total())).strong())
        });
        labelled_row(ui, "C.3 老年人能力初步等级", false, |ui, _| {
            ui.label(outcome.preliminary_level_name())
        });
        let pending = editor.record.unanswered_change_inputs();
        labelled_row(ui, "C.4 能力等级变更依据", false, |ui, _| {
            if !pending.is_empty() {
                let fields: Vec<String> = pending.iter().map(ToString::to_string).collect();
                let text = format!("待定：{} 尚未作答，变更依据未能确定", fields.join("、"));
                ui.label(RichText::new(text).color(theme::WARNING));
            } else if outcome.adjustments.is_empty() {
                ui.label("无");
            }
            for ground in outcome.grounds() {
                ui.label(format!("{} {}", ground.clause, ground.text));
                ui.label(RichText::new(format!("依据：{}", ground.trigger)).small());
            }
        });
        labelled_row(ui, "C.5 老年人能力最终等级", false, |ui, _| {
            ui.label(
                RichText::new(format!("{}（{} 级）", outcome.level_name(), outcome.final_level))
                    .size(theme::HEADING + 4.0)
                    .strong()
                    .color(theme::ACCENT),
            );
            if !pending.is_empty() {
                ui.label(RichText::new("待定（见 C.4）").color(theme::WARNING));
            }
        });
        ui.add_space(8.0);
        if outcome.warnings.is_empty() {
            ui.label(RichText::new("一致性检查：未发现问题").color(theme::OK));
        } else {
            ui.label(RichText::new("一致性检查（不影响评分，请核对）").strong());
            for warning in &outcome.warnings {
                let color = match warning.severity() {
                    Severity::Warning => theme::WARNING,
                    Severity::Info => ui.visuals().text_color(),
                };
                ui.label(
                    RichText::new(format!("{} {}", warning.code(), warning.message())).color(color),
                );
            }
        }
    } else {
        let answered: usize = progress.answered.iter().sum();
        ui.label(format!(
            "已完成 {answered} / {} 项，当前合计 {} 分",
            scale.items().len(),
            progress.total
        ));
        ui.label(RichText::new(level_range_text(scale, progress)).color(theme::ACCENT));
    }
    ui.add_space(16.0);
    let command = completion_ui(ui, editor, scale);
    if let Some(policy) = policy {
        super::county::entitlements_ui(ui, &editor.record, scale, policy);
    }
    command
}

/// 完成评估 and, after a refused attempt, the list of problems with links to each field.
pub(super) fn completion_ui(
    ui: &mut Ui,
    editor: &mut Editor,
    scale: &Scale,
) -> Option<WizardCommand> {
    let mut command = None;
    if ui
        .add(
            egui::Button::new(RichText::new("完成评估").strong())
                .min_size(egui::vec2(200.0, theme::TARGET_HEIGHT)),
        )
        .clicked()
    {
        command = Some(WizardCommand::Complete);
    }
    if !editor.issues.is_empty() {
        // The list is checked again each time it is shown: a problem fixed since 完成评估
        // was pressed goes away, one made since appears.
        editor.issues =
            editor.record.validate(scale).into_iter().filter(|issue| issue.blocking).collect();
    }
    if !editor.issues.is_empty() {
        ui.label(
            RichText::new(format!("还有 {} 处需要完成或修正：", editor.issues.len()))
                .color(theme::ERROR),
        );
        let mut jump = None;
        for issue in &editor.issues {
            if ui.link(issue.to_string()).clicked() {
                jump = Some(issue.field.clone());
            }
        }
        if let Some(field) = jump {
            editor.jump_to(scale, &field);
        }
    }
    command
}
