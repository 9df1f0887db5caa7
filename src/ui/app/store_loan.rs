//! The password work that needs the app's own store connection: signing in on the sign-in
//! screen ([`crate::store::Store::login`]), confirming assessor 2 with their password
//! ([`crate::store::Store::bind_assessor`]), confirming the other assessor who signs their
//! slot of a report in the export window ([`crate::store::Store::confirm_cosigner`]) and an admin's 创建账号 / 重置密码 (a new
//! Argon2id hash). Each hashes or verifies inside a store transaction (lockout counting,
//! the audit rows and the keyring in the same commit), so it cannot run on owned data or a
//! second handle: the store is lent to a job for it and comes back with the answer.
//!
//! While the store is lent, a placeholder in memory stands in its place and nothing uses
//! it: [`super::AppState::apply`] ignores commands, the autosave waits (the record stays
//! changed in memory), finished exports wait, and the screens show the check's progress.
//! The store reaches the job only after the thread started (a failed start keeps it here
//! and runs the check in the frame), and a check that fails unexpectedly still returns it.

use std::panic::AssertUnwindSafe;

use zeroize::Zeroizing;

use crate::review::{Actor, Role};
use crate::store::{AssessorSlot, Store, StoreError};

use super::super::dialogs::export_pdf::ExportOrder;
use super::super::jobs::{Job, take_finished};
use super::AppState;
use super::notice::Notice;

/// A check running with the store; it gives the store back with the answer.
pub(super) type Loan = Job<Option<(Store, LoanAnswer)>>;

/// What to check with the store.
pub(super) enum LoanTask {
    /// Sign in on the sign-in screen.
    Login { login: String, password: Zeroizing<String> },
    /// Bind assessor signature `slot` of record `id` to `login` (password unless it is the
    /// signed-in account).
    Bind { id: i64, slot: AssessorSlot, login: String, password: Zeroizing<String> },
    /// Create an account, as `admin`.
    CreateAccount {
        admin: Actor,
        login: String,
        name: String,
        role: Role,
        password: Zeroizing<String>,
    },
    /// Set `login`'s new password (which unlocks it), as `admin`.
    ResetPassword { admin: Actor, login: String, password: Zeroizing<String> },
    /// Confirm the other assessor, present to sign their slot of the report `order`.
    Cosign { login: String, password: Zeroizing<String>, order: ExportOrder },
}

/// What the check answered.
pub(super) enum LoanAnswer {
    Login(Result<Actor, StoreError>),
    Bind {
        slot: AssessorSlot,
        result: Result<Actor, StoreError>,
    },
    /// The co-signer's password check, with the export to start once confirmed.
    Cosign {
        result: Result<Actor, StoreError>,
        order: ExportOrder,
    },
    /// What 创建账号 or 重置密码 did, in words.
    Accounts(Result<String, StoreError>),
    /// The check failed unexpectedly (the store came back all the same).
    Failed,
}

impl LoanTask {
    /// Runs the check against `store`.
    fn run(self, store: &Store, now: chrono::DateTime<chrono::Utc>) -> LoanAnswer {
        match self {
            Self::Login { login, password } => {
                LoanAnswer::Login(store.login(&login, &password, now))
            }
            Self::Bind { id, slot, login, password } => {
                let password = Some(password.as_str()).filter(|p| !p.is_empty());
                let result = store.bind_assessor(id, slot, &login, password, now);
                LoanAnswer::Bind { slot, result }
            }
            Self::CreateAccount { admin, login, name, role, password } => LoanAnswer::Accounts(
                store.create_account(&admin, &login, &name, role, &password, now).map(|created| {
                    format!("已创建账号 {}（{}）", created.account, created.role.label())
                }),
            ),
            Self::Cosign { login, password, order } => {
                LoanAnswer::Cosign { result: store.confirm_cosigner(&login, &password, now), order }
            }
            Self::ResetPassword { admin, login, password } => LoanAnswer::Accounts(
                store
                    .reset_password(&admin, &login, &password, now)
                    .map(|()| format!("已重置账号 {login} 的密码，账号已解锁")),
            ),
        }
    }
}

impl AppState {
    /// Runs `task` on a job with the store; `what` is shown meanwhile.
    pub(super) fn lend_store(&mut self, ctx: &egui::Context, what: &str, task: LoanTask) {
        if self.loan.is_some() {
            return;
        }
        let now = self.clock.now();
        let (send, receive) = std::sync::mpsc::channel::<(Store, LoanTask)>();
        let spawned = Job::spawn(ctx, "password-check", what, move |_| {
            let (store, task) = receive.recv().ok()?;
            let answer = std::panic::catch_unwind(AssertUnwindSafe(|| task.run(&store, now)))
                .unwrap_or(LoanAnswer::Failed);
            Some((store, answer))
        });
        let placeholder = Store::open_in_memory();
        let (Ok(job), Ok(placeholder)) = (spawned, placeholder) else {
            // No thread (or no placeholder): check in this frame, as before.
            let answer = task.run(&self.store, now);
            return self.answered(answer);
        };
        let store = std::mem::replace(&mut self.store, placeholder);
        match send.send((store, task)) {
            Ok(()) => self.loan = Some(job),
            Err(std::sync::mpsc::SendError((store, task))) => {
                self.store = store;
                let answer = task.run(&self.store, now);
                self.answered(answer);
            }
        }
    }

    /// Takes the store back once the check answered, and applies the answer.
    pub(super) fn poll_loan(&mut self) {
        match take_finished(&mut self.loan) {
            None => {}
            Some(Ok(Some((store, answer)))) => {
                self.store = store;
                self.answered(answer);
            }
            // The thread ended before it was given the store (which then came back at
            // once), or ended without giving it back: neither happens without a panic
            // outside the check.
            Some(Ok(None) | Err(_)) => {
                self.notice = Some(Notice::error(
                    "密码检查意外中断：请关闭并重新打开程序，已保存的内容不受影响",
                ));
            }
        }
    }

    fn answered(&mut self, answer: LoanAnswer) {
        match answer {
            LoanAnswer::Login(result) => self.logged_in(result),
            LoanAnswer::Bind { slot, result } => self.assessor_bound(slot, result),
            LoanAnswer::Accounts(result) => self.accounts_changed(result),
            LoanAnswer::Cosign { result, order } => self.cosigner_confirmed(result, order),
            LoanAnswer::Failed => {
                self.notice = Some(Notice::error("密码检查意外中断，请重试"));
            }
        }
    }
}
