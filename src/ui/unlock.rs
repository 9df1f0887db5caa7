//! The sign-in screen shown before an encrypted database is opened: the database key is
//! sealed for each account (see `store::keyring`), so nothing — not even the list of
//! assessments — can be read until someone signs in. Signing out of an encrypted store
//! drops it (and its key) and comes back here.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use egui::Ui;

use crate::store::{DbKey, PasswordCost, Store, StoreError};

use super::review::{LoginForm, login_ui};

/// The screen's state.
pub struct Unlock {
    dir: PathBuf,
    form: LoginForm,
    /// The cost the keyring was written with ([`PasswordCost::Standard`] outside tests).
    cost: PasswordCost,
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
        Self { dir: dir.to_path_buf(), form: LoginForm::default(), cost: PasswordCost::Standard }
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

    /// Shows the form; returns what signing in gave once 登录 is pressed and the
    /// password unseals the key (a wrong password stays on this screen with its message).
    pub fn ui(&mut self, ui: &mut Ui, now: DateTime<Utc>) -> Option<Unlocked> {
        let mut result = None;
        egui::CentralPanel::default().show(ui, |ui| {
            if !login_ui(ui, &mut self.form) {
                return;
            }
            let login = self.form.login.trim().to_owned();
            let key = match Store::unlock(&self.dir, &login, &self.form.password, now, self.cost) {
                Ok(key) => key,
                Err(error) => {
                    self.form.password.clear();
                    self.form.message = Some(error.to_string());
                    return;
                }
            };
            match Store::open_unlocked(&self.dir, &login, key.clone(), now, self.cost) {
                Ok(store) => result = Some(Unlocked::Store(Box::new(store))),
                Err(StoreError::BadCredentials) => {
                    self.form.password.clear();
                    self.form.message = Some(StoreError::BadCredentials.to_string());
                }
                Err(error) => result = Some(Unlocked::Failed { error, login, key }),
            }
        });
        result
    }
}
