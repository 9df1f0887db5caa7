//! The signature block: assessor 1, assessor 2 and the informant, each with a name and a
//! pad. The two assessors must be different people: once the machine has accounts, each
//! assessor signature is bound to an account ([`super::assessors`]) whose registered name
//! is shown instead of a typed one.

use egui::{RichText, Ui};

use crate::scale::Scale;

use super::super::signature_pad::signature_pad;
use super::super::widgets::text_field;
use super::result::completion_ui;
use super::{Editor, WizardCommand, assessors, theme};

pub(super) fn signatures_ui(
    ui: &mut Ui,
    editor: &mut Editor,
    scale: &Scale,
) -> Option<WizardCommand> {
    ui.heading("签名");
    ui.label(
        RichText::new("两名评估员和信息提供者分别在签名板上签名（鼠标、触屏或手写笔）").small(),
    );
    // The informant's name defaults to A.3.1.
    if editor.record.signatures.informant.name.is_empty() {
        editor.record.signatures.informant.name.clone_from(&editor.record.informant.name);
    }
    let now = editor.now;
    let binding = &mut editor.binding;
    let mut command = None;
    let signatures = &mut editor.record.signatures;
    let rows = [
        ("评估员1", &mut signatures.assessor1),
        ("评估员2", &mut signatures.assessor2),
        ("信息提供者", &mut signatures.informant),
    ];
    for (index, ((role, signature), pad)) in
        rows.into_iter().zip(editor.pads.iter_mut()).enumerate()
    {
        ui.add_space(8.0);
        let by_account = index < 2 && binding.active();
        if by_account {
            command = command.or(assessors::account_row(ui, binding, index, role));
        }
        ui.horizontal_wrapped(|ui| {
            let label = ui.label(RichText::new(format!("{role}姓名")).strong());
            if by_account {
                let name = if signature.name.trim().is_empty() {
                    "（确认账号后显示）"
                } else {
                    &signature.name
                };
                ui.label(name).labelled_by(label.id);
            } else {
                text_field(ui, &label, &mut signature.name);
            }
            if super::super::confirm::confirm_button(
                ui,
                true,
                &format!("清除{role}签名"),
                "清除后需重新签名，确认清除？",
                egui::vec2(0.0, theme::TARGET_HEIGHT),
            ) {
                signature.clear();
            }
            if let Some(at) = signature.signed_at {
                let local = at.with_timezone(&crate::clock::CHINA_OFFSET);
                ui.label(RichText::new(format!("签于 {}", local.format("%Y-%m-%d %H:%M"))).small());
            }
        });
        let size = egui::vec2(ui.available_width().min(640.0), 160.0);
        if signature_pad(ui, &format!("{role}签名板"), signature, pad, size) {
            signature.signed_at = Some(now);
        }
    }
    let (first, second) = (signatures.assessor1.name.trim(), signatures.assessor2.name.trim());
    if !first.is_empty() && first == second {
        ui.label(RichText::new("两名评估员应为不同的人").color(theme::ERROR));
    }
    ui.add_space(16.0);
    command.or_else(|| completion_ui(ui, editor, scale))
}
