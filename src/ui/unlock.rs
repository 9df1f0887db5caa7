//! The sign-in screen shown before an encrypted database is opened: the database key is
//! sealed for each account (see `store::keyring`), so nothing — not even the list of
//! assessments — can be read until someone signs in. Signing out of an encrypted store
//! drops it (and its key) and comes back here. The key derivation (Argon2id) and the
//! checked open run on a [`Job`], never inside a frame.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use egui::Ui;

use crate::store::{DbKey, PasswordCost, Store, StoreError};

use super::jobs::{Job, take_finished};
use super::review::{LoginForm, login_ui};

/// The screen's state.
pub struct Unlock {
    dir: PathBuf,
    form: LoginForm,
    /// The cost the keyring was written with ([`PasswordCost::Standard`] outside tests).
    cost: PasswordCost,
    /// The sign-in running on its own thread (key derivation and the checked open take
    /// too long for a frame), if one is.
    pending: Option<Job<Attempt>>,
    /// Scroll the refusal below the button into view on the next frame.
    reveal: bool,
}

/// What the sign-in thread found.
enum Attempt {
    /// The password did not unseal the key (or the account is locked): stay here.
    Refused(String),
    /// The key was unsealed.
    Done(Unlocked),
}

/// What signing in gave.
pub enum Unlocked {
    /// The store, open and signed in.
    Store(Box<Store>),
    /// The database could not be opened after the key was unsealed (damage, …): the
    /// recovery screen takes over, with the key to open the backups.
    Failed {
        /// Why it could not be opened.
        error: StoreError,
        /// The account that signed in.
        login: String,
        /// The key it unsealed.
        key: DbKey,
    },
}

impl Unlock {
    /// The screen for the encrypted data directory `dir`.
    pub fn new(dir: &Path) -> Self {
        Self {
            dir: dir.to_path_buf(),
            form: LoginForm::default(),
            cost: PasswordCost::Standard,
            pending: None,
            reveal: false,
        }
    }

    /// Uses `cost` to open the keyring (tests make light keyrings).
    #[must_use]
    pub fn with_password_cost(mut self, cost: PasswordCost) -> Self {
        self.cost = cost;
        self
    }

    /// The data directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Whether a sign-in is running.
    pub fn is_busy(&self) -> bool {
        self.pending.is_some()
    }

    /// Shows the form; returns what signing in gave once 登录 was pressed and the
    /// password unsealed the key (a wrong password stays on this screen with its message).
    /// The key derivation and the checked open run on a thread of their own; the form
    /// shows a spinner meanwhile.
    pub fn ui(&mut self, ui: &mut Ui, now: DateTime<Utc>) -> Option<Unlocked> {
        let mut result = self.poll();
        egui::CentralPanel::default().show(ui, |ui| {
            // Scrolls at large text sizes on small windows; what appears below the button
            // (progress, a refusal) is scrolled into view.
            egui::ScrollArea::vertical().auto_shrink(false).show(ui, |ui| {
                let submitted = login_ui(ui, &mut self.form);
                if let Some(job) = &self.pending {
                    ui.vertical_centered(|ui| {
                        ui.horizontal(|ui| {
                            ui.add_space(((ui.available_width() - 160.0) / 2.0).max(0.0));
                            job.progress_ui(ui);
                        });
                    });
                    ui.scroll_to_cursor(Some(egui::Align::BOTTOM));
                } else if submitted && result.is_none() {
                    self.start(ui.ctx(), now);
                    ui.ctx().request_repaint();
                }
                if std::mem::take(&mut self.reveal) {
                    ui.scroll_to_cursor(Some(egui::Align::BOTTOM));
                }
            });
        });
        if result.is_none() {
            result = self.poll();
        }
        result
    }

    /// Starts the sign-in thread for the form's login and password.
    fn start(&mut self, ctx: &egui::Context, now: DateTime<Utc>) {
        let dir = self.dir.clone();
        let login = self.form.login.trim().to_owned();
        let password = self.form.password.clone();
        let cost = self.cost;
        let spawned = Job::spawn(ctx, "sign-in", "正在登录并检查数据库…", move |_| {
            attempt(&dir, login, &password, now, cost)
        });
        match spawned {
            Ok(job) => self.pending = Some(job),
            Err(err) => self.form.message = Some(format!("无法开始登录：{err}")),
        }
    }

    /// The sign-in thread's answer, once it has one.
    fn poll(&mut self) -> Option<Unlocked> {
        let answer = match take_finished(&mut self.pending)? {
            Ok(answer) => answer,
            Err(_) => Attempt::Refused("登录中断，请重试".to_owned()),
        };
        match answer {
            Attempt::Done(unlocked) => Some(unlocked),
            Attempt::Refused(message) => {
                self.form.password.clear();
                self.form.message = Some(message);
                self.reveal = true;
                None
            }
        }
    }
}

/// Unseals the key and opens the store (on the sign-in thread).
fn attempt(
    dir: &Path,
    login: String,
    password: &str,
    now: DateTime<Utc>,
    cost: PasswordCost,
) -> Attempt {
    let key = match Store::unlock(dir, &login, password, now, cost) {
        Ok(key) => key,
        Err(error) => return Attempt::Refused(error.to_string()),
    };
    match Store::open_unlocked(dir, &login, key.clone(), now, cost) {
        Ok(store) => Attempt::Done(Unlocked::Store(Box::new(store))),
        Err(StoreError::BadCredentials) => Attempt::Refused(StoreError::BadCredentials.to_string()),
        Err(error) => Attempt::Done(Unlocked::Failed { error, login, key }),
    }
}
