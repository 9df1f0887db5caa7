//! Binding the open record's assessor signatures to accounts (issue 10): what the
//! signature screen's pickers start from, and the store call behind 确认评估员1/2 (with
//! another account's password, a check on a job: see [`super::store_loan`]).

use crate::review::Actor;
use crate::store::{AssessorSlot, StoreError};

use super::super::wizard::assessors::AssessorBinding;
use super::AppState;
use super::notice::Notice;
use super::screen::Screen;
use super::store_loan::LoanTask;

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
    /// that account's password unless it is the signed-in one: that check runs on a job).
    pub(super) fn bind_assessor(&mut self, slot: AssessorSlot, ctx: &egui::Context) {
        let Screen::Editor(editor) = &mut self.screen else { return };
        let index = usize::from(slot == AssessorSlot::Second);
        let Some(login) = editor.binding.picked[index].clone() else { return };
        let password = std::mem::take(&mut editor.binding.passwords[index]);
        if password.is_empty() {
            // The signed-in account binds itself: no password to check, nothing slow.
            let result = self.store.bind_assessor(editor.id, slot, &login, None, self.clock.now());
            return self.assessor_bound(slot, result);
        }
        let task = LoanTask::Bind { id: editor.id, slot, login, password };
        self.lend_store(ctx, &format!("正在确认评估员{}…", index + 1), task);
    }

    /// What binding assessor signature `slot` gave.
    pub(super) fn assessor_bound(&mut self, slot: AssessorSlot, result: Result<Actor, StoreError>) {
        let Screen::Editor(editor) = &mut self.screen else { return };
        let index = usize::from(slot == AssessorSlot::Second);
        match result {
            Ok(bound) => {
                editor.binding.bound[index] = Some(bound.account);
                let signature = if index == 0 {
                    &mut editor.record.signatures.assessor1
                } else {
                    &mut editor.record.signatures.assessor2
                };
                signature.name = bound.display_name;
            }
            Err(err) => self.notice = Some(Notice::error(format!("无法确认评估员：{err}"))),
        }
    }
}
