//! The two assessors' accounts on the signature screen (once the machine has accounts).
//!
//! Each assessor signature is bound to an account picked from the accounts that may
//! assess (评估员1账号 / 评估员2账号). The signed-in account confirms itself; the other
//! assessor, who is at the visit too, types their own password (评估员2密码), checked by
//! the store like a sign-in, lockout included ([`crate::store::Store::bind_assessor`]).
//! The name shown and printed is then the account's registered name, and a record is
//! submitted only with both signatures bound to two different accounts.

use std::fmt;

use egui::{RichText, Ui};
use zeroize::Zeroizing;

use crate::store::AssessorSlot;

use super::super::theme;
use super::WizardCommand;

/// The accounts to pick from and what is bound, for the signature screen.
#[derive(Clone, Default)]
pub struct AssessorBinding {
    /// `(login, registered name)` of every account that may assess; empty while the
    /// machine has no accounts (then the names are typed, as before).
    pub accounts: Vec<(String, String)>,
    /// The signed-in account's login.
    pub signed_in: Option<String>,
    /// The account picked for assessor 1 and 2.
    pub picked: [Option<String>; 2],
    /// The picked account's password, when it is not the signed-in account.
    pub passwords: [Zeroizing<String>; 2],
    /// The account each signature is bound to in the store.
    pub bound: [Option<String>; 2],
}

impl fmt::Debug for AssessorBinding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AssessorBinding")
            .field("accounts", &self.accounts.len())
            .field("signed_in", &self.signed_in)
            .field("picked", &self.picked)
            .field("bound", &self.bound)
            .finish_non_exhaustive()
    }
}

impl AssessorBinding {
    /// Whether the names come from accounts (the machine has accounts).
    pub fn active(&self) -> bool {
        !self.accounts.is_empty()
    }

    /// The registered name of `login`, if it is one of the accounts.
    pub fn name_of(&self, login: &str) -> Option<&str> {
        self.accounts.iter().find(|(l, _)| l == login).map(|(_, name)| name.as_str())
    }
}

/// The slot of row `index` (0: assessor 1).
pub(super) fn slot(index: usize) -> AssessorSlot {
    if index == 0 { AssessorSlot::First } else { AssessorSlot::Second }
}

/// The account row of assessor `index` (0 or 1): picker, password when needed, the
/// confirm button and what is bound.
pub(super) fn account_row(
    ui: &mut Ui,
    binding: &mut AssessorBinding,
    index: usize,
    role: &str,
) -> Option<WizardCommand> {
    let mut command = None;
    ui.horizontal_wrapped(|ui| {
        let label = ui.label(RichText::new(format!("{role}账号")).strong());
        let picked_text = binding.picked[index]
            .as_deref()
            .map_or_else(|| "请选择".to_owned(), |login| account_text(binding, login));
        let accounts = binding.accounts.clone();
        egui::ComboBox::from_id_salt(("assessor-account", index))
            .selected_text(picked_text)
            .show_ui(ui, |ui| {
                for (login, _) in &accounts {
                    let text = account_text(binding, login);
                    ui.selectable_value(&mut binding.picked[index], Some(login.clone()), text);
                }
            })
            .response
            .labelled_by(label.id);
        let needs_password = binding.picked[index].is_some()
            && binding.picked[index] != binding.signed_in
            && binding.picked[index] != binding.bound[index];
        if needs_password {
            let label = ui.label(format!("{role}密码"));
            ui.add(
                egui::TextEdit::singleline(&mut *binding.passwords[index])
                    .password(true)
                    .desired_width(180.0),
            )
            .labelled_by(label.id);
        }
        let can_confirm = binding.picked[index].is_some()
            && binding.picked[index] != binding.bound[index]
            && (!needs_password || !binding.passwords[index].is_empty());
        if ui
            .add_enabled(
                can_confirm,
                egui::Button::new(format!("确认{role}"))
                    .min_size(egui::vec2(0.0, theme::TARGET_HEIGHT)),
            )
            .clicked()
        {
            command = Some(WizardCommand::BindAssessor(slot(index)));
        }
        match &binding.bound[index] {
            Some(login) => ui.label(
                RichText::new(format!("已确认：{}", account_text(binding, login))).color(theme::OK),
            ),
            None => ui.label(RichText::new("未确认").color(theme::WARNING)),
        };
    });
    command
}

fn account_text(binding: &AssessorBinding, login: &str) -> String {
    match binding.name_of(login) {
        Some(name) => format!("{name}（{login}）"),
        None => login.to_owned(),
    }
}
