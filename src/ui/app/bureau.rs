//! Handlers for the bureau's work: signing in on the sign-in screen, opening a record for
//! review, approving or returning it, and managing accounts (the password work runs on a
//! job, see [`super::store_loan`]).

use crate::review::Actor;
use crate::store::{StoreError, StoredAssessment};

use super::super::accounts::{AccountsAction, AccountsState};
use super::super::review::{LoginForm, QueueState, ReviewDecision, ReviewView};
use super::super::trust::{TrustAction, TrustOutcome};
use super::AppState;
use super::notice::Notice;
use super::screen::Screen;
use super::store_loan::LoanTask;

impl AppState {
    /// 登录 on the sign-in screen: the password check (Argon2id) runs on a job.
    pub(super) fn login(&mut self, ctx: &egui::Context) {
        let Screen::Login(form) = &mut self.screen else { return };
        let task = LoanTask::Login { login: form.login.clone(), password: form.password.clone() };
        self.lend_store(ctx, "正在登录…", task);
    }

    /// What the sign-in check answered.
    pub(super) fn logged_in(&mut self, result: Result<Actor, StoreError>) {
        let Screen::Login(form) = &mut self.screen else { return };
        match result {
            Ok(_) => {
                // A new session starts without the previous one's unlocked keys.
                self.session_keys.clear();
                self.screen = Screen::home();
                self.reopen_last();
            }
            Err(err) => {
                form.password.clear();
                form.message = Some(err.to_string());
            }
        }
    }

    pub(super) fn open_review(&mut self, id: i64) {
        match self.store.load(id) {
            Ok(Some(stored)) => self.review(stored),
            Ok(None) => self.notice = Some(Notice::error("该评估已不存在")),
            Err(err) => self.fail("无法打开评估", &err),
        }
    }

    /// Shows `stored` for review, beside the same elder's previous assessment, with its
    /// last return and the changes since when it was returned before.
    pub(super) fn review(&mut self, mut stored: StoredAssessment) {
        // Bound assessors are shown with their accounts' registered names.
        if let Ok(record) = self.store.signed_record(stored.id) {
            stored.record.signatures = record.signatures;
        }
        let looked_up = self
            .store
            .previous_of(stored.id)
            .and_then(|previous| Ok((previous, self.store.changes_since_return(stored.id)?)))
            .and_then(|found| Ok((found, self.store.conflict_versions(stored.id)?)));
        match looked_up {
            Ok(((previous, resubmission), versions)) => {
                self.refresh_sync_marks();
                let number = &stored.record.info.number;
                let hold = super::super::sync_view::SyncHold::of(
                    self.sync_marks.as_ref(),
                    stored.id,
                    number,
                );
                self.screen = Screen::Review(Box::new(ReviewView {
                    hold,
                    stored,
                    previous,
                    resubmission,
                    reason: String::new(),
                    message: None,
                    versions,
                }));
            }
            Err(err) => self.fail("无法打开评估", &err),
        }
    }

    /// Approve or return the record under review.
    pub(super) fn decide(&mut self, decision: ReviewDecision) {
        let Screen::Review(view) = &mut self.screen else { return };
        let action = match decision {
            ReviewDecision::Back => {
                self.screen = Screen::Queue(QueueState::default());
                return;
            }
            ReviewDecision::History => {
                let id = view.stored.id;
                self.history(id);
                return;
            }
            ReviewDecision::OpenRecord => {
                let id = view.stored.id;
                self.open(id);
                return;
            }
            ReviewDecision::Keep(hash) => {
                self.keep_version(&hash);
                return;
            }
            ReviewDecision::Approve => crate::review::Action::Approve,
            ReviewDecision::Return(reason) => crate::review::Action::Return { reason },
        };
        let Some(actor) = self.store.current_actor() else {
            self.session_keys.clear();
            self.screen = Screen::Login(LoginForm::default());
            return;
        };
        match self.store.transition(view.stored.id, action, &actor, None, self.clock.now()) {
            // A county record's decision is queued for the server; the status is the server's.
            Ok(_) if view.hold.is_some() => {
                let number = &view.stored.record.info.number;
                let text = format!("{number}：审核决定已记录，将在下次同步时上传到县级服务器");
                self.notice = Some(Notice::success(text));
                self.screen = Screen::Queue(QueueState::default());
            }
            Ok(status) => {
                let text = format!("{}：{}", view.stored.record.info.number, status.label());
                self.notice = Some(Notice::success(text));
                self.screen = Screen::Queue(QueueState::default());
            }
            Err(err) => view.message = Some(err.to_string()),
        }
    }

    /// 以此版本为准 on the conflicting county record under review: queued for the server.
    fn keep_version(&mut self, hash: &str) {
        let Some(actor) = self.store.current_actor() else {
            self.session_keys.clear();
            self.screen = Screen::Login(LoginForm::default());
            return;
        };
        let Screen::Review(view) = &mut self.screen else { return };
        let typed = (hash, view.reason.as_str());
        match self.store.queue_keep(view.stored.id, typed, &actor, self.clock.now()) {
            Ok(kept) => {
                let number = &view.stored.record.info.number;
                let short = kept.short_hash();
                let text =
                    format!("{number}：已选定以版本 {short} 为准，将在下次同步时上传到县级服务器");
                self.notice = Some(Notice::success(text));
                self.screen = Screen::Queue(QueueState::default());
            }
            Err(err) => view.message = Some(err.to_string()),
        }
    }

    /// Creates an account or resets a password, as the signed-in admin (hashing the
    /// password on a job).
    pub(super) fn manage_accounts(&mut self, action: &AccountsAction, ctx: &egui::Context) {
        if let AccountsAction::Trust(trust) = action {
            self.trust_job(trust, ctx);
            return;
        }
        let Screen::Accounts(form) = &mut self.screen else { return };
        let Some(admin) = self.store.current_actor() else { return };
        let (what, task) = match action {
            AccountsAction::Trust(_) => return,
            AccountsAction::Create => {
                let Some(role) = form.role else { return };
                let task = LoanTask::CreateAccount {
                    admin,
                    login: form.login.clone(),
                    name: form.name.clone(),
                    role,
                    password: form.password.clone(),
                };
                ("正在创建账号…", task)
            }
            AccountsAction::Reset => {
                let Some(login) = form.reset.clone() else { return };
                let password = form.reset_password.clone();
                ("正在重置密码…", LoanTask::ResetPassword { admin, login, password })
            }
        };
        self.lend_store(ctx, what, task);
    }

    /// Reads what this machine trusts, or installs a root or CRL from a file, on a job.
    /// Only for a signed-in admin.
    fn trust_job(&mut self, action: &TrustAction, ctx: &egui::Context) {
        let admin =
            self.store.current_actor().is_some_and(|a| a.role == crate::review::Role::Admin);
        let dir = self.data_dir();
        let now = self.clock.now();
        let Screen::Accounts(form) = &mut self.screen else { return };
        if !admin {
            form.trust.message = Some(Err("只有管理员可以安装县级证书".to_owned()));
            return;
        }
        let (what, file) = match action {
            TrustAction::Load => ("正在读取本机信任的证书…", None),
            TrustAction::Install(path) => ("正在安装证书文件…", Some(path.clone())),
        };
        let work = move |_: &super::super::jobs::CancelFlag| -> TrustOutcome {
            let message = match file {
                None => None,
                Some(path) => {
                    let bytes = std::fs::read(&path)
                        .map_err(|err| format!("无法读取 {}：{err}", path.display()))?;
                    let entry = crate::sign::trust::install(&dir, &bytes, now)
                        .map_err(|e| e.to_string())?;
                    Some(format!("已安装 {}", super::super::trust::entry_line(&entry)))
                }
            };
            let store = crate::sign::trust::TrustStore::load(&dir).map_err(|e| e.to_string())?;
            Ok((message, store.list()))
        };
        match super::super::jobs::Job::spawn(ctx, "trust", what, work) {
            Ok(job) => form.trust.job = Some(job),
            Err(err) => form.trust.message = Some(Err(err.to_string())),
        }
    }

    /// What 创建账号 or 重置密码 gave.
    pub(super) fn accounts_changed(&mut self, result: Result<String, StoreError>) {
        let Screen::Accounts(form) = &mut self.screen else { return };
        match result {
            Ok(message) => {
                // A fresh form (passwords wiped), the list read again.
                **form = AccountsState { message: Some(Ok(message)), ..AccountsState::default() };
            }
            Err(err) => form.message = Some(Err(err.to_string())),
        }
    }
}
