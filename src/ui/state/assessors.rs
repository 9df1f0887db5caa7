//! Binding the open record's assessor signatures to accounts (issue 10): what the
//! signature screen's pickers start from, and the store call behind 确认评估员1/2.

use crate::store::AssessorSlot;

use super::super::wizard::assessors::AssessorBinding;
use super::{AppState, Screen};

impl AppState {
    /// The accounts to bind the assessor signatures of record `id` to (none while the
    /// machine has no accounts): assessor 1 defaults to the signed-in account.
    pub(super) fn assessor_binding(&self, id: i64) -> AssessorBinding {
        let accounts = match self.store.has_accounts() {
            Ok(true) => self.store.assessor_accounts().unwrap_or_default(),
            _ => return AssessorBinding::default(),
        };
        let signed_in = self.store.current_actor().map(|actor| actor.account);
        let bound = self.store.assessor_accounts_of(id).unwrap_or_default();
        let mine = signed_in.clone().filter(|login| accounts.iter().any(|(l, _)| l == login));
        let picked = [bound[0].clone().or(mine), bound[1].clone()];
        AssessorBinding { accounts, signed_in, picked, bound, ..AssessorBinding::default() }
    }

    /// Binds an assessor signature of the open record to the account picked for it (with
    /// that account's password unless it is the signed-in one).
    pub(super) fn bind_assessor(&mut self, slot: AssessorSlot) {
        let Screen::Editor(editor) = &mut self.screen else { return };
        let index = usize::from(slot == AssessorSlot::Second);
        let Some(login) = editor.binding.picked[index].clone() else { return };
        let password = std::mem::take(&mut editor.binding.passwords[index]);
        let password = Some(password.as_str()).filter(|p| !p.is_empty());
        match self.store.bind_assessor(editor.id, slot, &login, password, self.clock.now()) {
            Ok(bound) => {
                editor.binding.bound[index] = Some(bound.account);
                let signature = if index == 0 {
                    &mut editor.record.signatures.assessor1
                } else {
                    &mut editor.record.signatures.assessor2
                };
                signature.name = bound.display_name;
            }
            Err(err) => self.error = Some(format!("无法确认评估员：{err}")),
        }
    }
}
