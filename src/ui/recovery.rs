//! The screen shown instead of the app when the database cannot be opened: what is wrong,
//! in words, and — for a damaged file — every backup that opens and passes the check
//! ([`Store::usable_backups`]), newest first, with its date and number of records, for the
//! user to choose from. The damaged file is never changed: [`Store::open_backup`] moves it
//! aside. Checking the backups and opening the chosen one run on [`Job`]s.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use egui::{RichText, Ui};

use crate::clock::{CHINA_OFFSET, Clock};
use crate::scale::Scale;
use crate::store::{BackupInfo, DbKey, Store, StoreError};

use super::app::{AppState, Prefs};
use super::jobs::{Job, take_finished};
use super::theme;
use super::unlock::{Unlock, Unlocked};

/// The recovery screen's state.
pub struct Recovery {
    dir: PathBuf,
    /// Why the database could not be opened.
    message: String,
    /// The backups that pass the check, newest first (only for a damaged file); `None`
    /// until they have been checked.
    backups: Option<Vec<BackupInfo>>,
    /// Checking the backups.
    listing: Option<Job<Vec<BackupInfo>>>,
    /// Opening the chosen backup.
    opening: Option<Job<Result<Store, StoreError>>>,
    /// The index in `backups` the user chose (the newest at first).
    chosen: usize,
    /// The last failure of opening the backup.
    failure: Option<String>,
    /// For an encrypted store: the account that signed in and the key it unsealed,
    /// which open the backups.
    unlocked: Option<(String, DbKey)>,
}

impl Recovery {
    /// The screen for `error`, raised by opening the store in `dir`. For a damaged file,
    /// every backup is checked once, on a job started by the first frame.
    pub fn new(dir: &Path, error: &StoreError) -> Self {
        Self::new_unlocked(dir, error, None)
    }

    /// [`Recovery::new`] for an encrypted store, after `login` unsealed `key`.
    pub fn new_unlocked(dir: &Path, error: &StoreError, unlocked: Option<(String, DbKey)>) -> Self {
        let backups = match error {
            StoreError::Corrupt { .. } => None,
            _ => Some(Vec::new()),
        };
        Self {
            dir: dir.to_path_buf(),
            message: error.to_string(),
            backups,
            listing: None,
            opening: None,
            chosen: 0,
            failure: None,
            unlocked,
        }
    }

    /// Whether backups are being checked or one is being opened.
    pub fn is_busy(&self) -> bool {
        self.backups.is_none() || self.listing.is_some() || self.opening.is_some()
    }

    /// Shows the screen. Returns the store once the user chose a backup and it opened.
    pub fn ui(&mut self, ui: &mut Ui, now: DateTime<Utc>) -> Option<Store> {
        self.poll_listing(ui.ctx());
        let opened = self.poll_opening();
        egui::CentralPanel::default().show(ui, |ui| {
            ui.add_space(24.0);
            ui.heading("无法打开评估数据库");
            ui.label(RichText::new(&self.message).color(theme::ERROR));
            ui.label(format!("数据目录：{}", self.dir.display()));
            ui.add_space(12.0);
            if let Some(job) = &self.listing {
                job.progress_ui(ui);
            } else if self.backups.as_ref().is_none_or(Vec::is_empty) {
                ui.label(
                    "没有可用的备份。请关闭本程序，联系技术支持；数据库文件保持原样，未被改动。",
                );
            } else {
                self.offer_ui(ui, now);
            }
            if let Some(failure) = &self.failure {
                ui.label(RichText::new(failure).color(theme::ERROR));
            }
        });
        opened
    }

    /// Starts checking the backups (first frame), or takes the checked list.
    fn poll_listing(&mut self, ctx: &egui::Context) {
        if self.backups.is_some() {
            return;
        }
        if self.listing.is_none() {
            let dir = self.dir.clone();
            let key = self.unlocked.as_ref().map(|(_, key)| key.clone());
            match Job::spawn(ctx, "backup-check", "正在检查备份…", move |_| {
                Store::usable_backups(&dir, key.as_ref())
            }) {
                Ok(job) => self.listing = Some(job),
                Err(err) => {
                    self.failure = Some(err.to_string());
                    self.backups = Some(Vec::new());
                }
            }
            return;
        }
        match take_finished(&mut self.listing) {
            Some(Ok(backups)) => self.backups = Some(backups),
            Some(Err(err)) => {
                self.failure = Some(err.to_string());
                self.backups = Some(Vec::new());
            }
            None => {}
        }
    }

    /// The chosen backup's store, once it opened.
    fn poll_opening(&mut self) -> Option<Store> {
        match take_finished(&mut self.opening)? {
            Ok(Ok(store)) => Some(store),
            Ok(Err(err)) => {
                self.failure = Some(format!("无法打开备份：{err}"));
                None
            }
            Err(err) => {
                self.failure = Some(format!("无法打开备份：{err}"));
                None
            }
        }
    }

    fn offer_ui(&mut self, ui: &mut Ui, now: DateTime<Utc>) {
        let name = |backup: &BackupInfo| {
            backup.path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
        };
        let backups = self.backups.as_deref().unwrap_or_default();
        if let Some(newest) = backups.first() {
            ui.label(format!("最近的备份：{}", name(newest)));
        }
        ui.label(
            "打开备份后，损坏的数据库文件会改名保留在数据目录中（不会被删除或覆盖），\
             备份之后的修改需要重新录入。",
        );
        ui.add_space(8.0);
        ui.label("可用的备份（从新到旧，均已通过完整性检查）：");
        for (i, backup) in backups.iter().enumerate() {
            let when = backup.taken_at.map_or_else(
                || "时间未知".to_owned(),
                |t| t.with_timezone(&CHINA_OFFSET).format("%Y-%m-%d %H:%M:%S").to_string(),
            );
            let text = format!("{when}　{} 条评估　{}", backup.records, name(backup));
            ui.radio_value(&mut self.chosen, i, text);
        }
        ui.add_space(8.0);
        let label =
            if self.chosen == 0 { "打开最近的备份" } else { "打开所选的备份" };
        if let Some(job) = &self.opening {
            job.progress_ui(ui);
            return;
        }
        let button = egui::Button::new(RichText::new(label).strong())
            .min_size(egui::vec2(220.0, theme::TARGET_HEIGHT));
        if !ui.add(button).clicked() {
            return;
        }
        let Some(backup) = backups.get(self.chosen).map(|b| b.path.clone()) else { return };
        let dir = self.dir.clone();
        let unlocked = self.unlocked.clone();
        let job =
            Job::spawn(ui.ctx(), "backup-open", "正在打开备份…", move |_| match unlocked {
                Some((login, key)) => Store::open_backup_unlocked(
                    &dir,
                    &backup,
                    &login,
                    key,
                    now,
                    crate::store::PasswordCost::Standard,
                ),
                None => Store::open_backup(&dir, &backup, now, None),
            });
        match job {
            Ok(job) => {
                self.failure = None;
                self.opening = Some(job);
            }
            Err(err) => self.failure = Some(format!("无法打开备份：{err}")),
        }
    }
}

/// What the app is built from once the database opens: the scale, the clock and the
/// preferences.
type Pending = (Scale, Box<dyn Clock>, Prefs);

/// The app, or the sign-in or recovery screen until the database opens.
pub enum Root {
    /// The database is encrypted: sign in to open it.
    Locked {
        /// The sign-in screen.
        unlock: Box<Unlock>,
        /// What the app needs once the store is open (`None` only while switching).
        pending: Option<Box<Pending>>,
    },
    /// The database could not be opened.
    Recovery {
        /// The screen.
        recovery: Box<Recovery>,
        /// What the app needs once the backup is open (`None` only while switching).
        pending: Option<Box<Pending>>,
    },
    /// The app.
    App(Box<AppState>),
    /// Only while moving from one state to another inside [`Root::ui`].
    Switching,
}

impl Root {
    /// Opens the store in `dir`: the app, the sign-in screen for an encrypted store, or
    /// the recovery screen if opening fails.
    pub fn open(dir: &Path, scale: Scale, clock: Box<dyn Clock>, prefs: Prefs) -> Self {
        Self::open_with_cost(dir, scale, clock, prefs, crate::store::PasswordCost::Standard)
    }

    /// [`Root::open`], opening an encrypted store's keyring at `cost` (tests use light
    /// keyrings).
    pub fn open_with_cost(
        dir: &Path,
        scale: Scale,
        clock: Box<dyn Clock>,
        prefs: Prefs,
        cost: crate::store::PasswordCost,
    ) -> Self {
        let pending = Some(Box::new((scale, clock, prefs)));
        if crate::store::has_keyring(dir) {
            let unlock = Box::new(Unlock::new(dir).with_password_cost(cost));
            return Self::Locked { unlock, pending };
        }
        let now = pending.as_ref().map_or_else(Utc::now, |p| p.1.now());
        Self::opened(dir, Store::open_at(dir, now), pending)
    }

    /// The app over `opened`, or the recovery screen for its error.
    fn opened(
        dir: &Path,
        opened: Result<Store, StoreError>,
        pending: Option<Box<Pending>>,
    ) -> Self {
        match (opened, pending) {
            (Ok(store), Some(pending)) => {
                let (scale, clock, prefs) = *pending;
                let mut state = AppState::new(scale, store, clock);
                state.prefs = prefs;
                Self::App(Box::new(state))
            }
            (Err(err), pending) => {
                Self::Recovery { recovery: Box::new(Recovery::new(dir, &err)), pending }
            }
            (Ok(_), None) => Self::Recovery {
                recovery: Box::new(Recovery::new(dir, &StoreError::SignInRequired)),
                pending: None,
            },
        }
    }

    /// Draws one frame of whichever is shown.
    pub fn ui(&mut self, ui: &mut Ui) {
        if !matches!(self, Self::App(_)) {
            // The sign-in and recovery screens look like the app the user chose.
            let prefs = self.prefs();
            let theme = if prefs.dark { egui::Theme::Dark } else { egui::Theme::Light };
            if ui.ctx().theme() != theme {
                ui.ctx().set_theme(theme);
            }
        }
        match self {
            Self::App(state) => {
                state.ui(ui);
                if state.signed_out_of_encrypted() {
                    let dir = state.data_dir();
                    let prefs = state.prefs.clone();
                    if let Self::App(state) = std::mem::replace(self, Self::Switching) {
                        let (scale, clock) = state.into_parts();
                        *self = Self::Locked {
                            unlock: Box::new(Unlock::new(&dir)),
                            pending: Some(Box::new((scale, clock, prefs))),
                        };
                    }
                }
            }
            Self::Switching => {}
            Self::Locked { unlock, pending } => {
                let now = pending.as_ref().map_or_else(Utc::now, |p| p.1.now());
                match unlock.ui(ui, now) {
                    Some(Unlocked::Store(store)) => {
                        let dir = unlock.dir().to_path_buf();
                        *self = Self::opened(&dir, Ok(*store), pending.take());
                    }
                    Some(Unlocked::Failed { error, login, key }) => {
                        let dir = unlock.dir().to_path_buf();
                        let recovery = Recovery::new_unlocked(&dir, &error, Some((login, key)));
                        *self = Self::Recovery {
                            recovery: Box::new(recovery),
                            pending: pending.take(),
                        };
                    }
                    None => {}
                }
            }
            Self::Recovery { recovery, pending } => {
                let now = pending.as_ref().map_or_else(Utc::now, |p| p.1.now());
                if let Some(store) = recovery.ui(ui, now)
                    && let Some(pending) = pending.take()
                {
                    let (scale, clock, prefs) = *pending;
                    let mut state = AppState::new(scale, store, clock);
                    state.prefs = prefs;
                    *self = Self::App(Box::new(state));
                }
            }
        }
    }

    /// Whether background work runs (signing in, checking or opening backups, an export):
    /// tests step the harness until it is done.
    pub fn is_busy(&self) -> bool {
        match self {
            Self::App(state) => state.is_busy(),
            Self::Locked { unlock, .. } => unlock.is_busy(),
            Self::Recovery { recovery, .. } => recovery.is_busy(),
            Self::Switching => false,
        }
    }

    /// The app, once the database is open.
    pub fn app(&self) -> Option<&AppState> {
        match self {
            Self::App(state) => Some(state),
            Self::Recovery { .. } | Self::Locked { .. } | Self::Switching => None,
        }
    }

    /// Saves the open record and stops the store writer (the window is closing).
    pub fn shutdown(&mut self) {
        if let Self::App(state) = self {
            state.shutdown();
        }
    }

    /// The preferences in use.
    pub fn prefs(&self) -> Prefs {
        match self {
            Self::App(state) => state.prefs.clone(),
            Self::Recovery { pending, .. } | Self::Locked { pending, .. } => {
                pending.as_ref().map_or_else(Prefs::default, |p| p.2.clone())
            }
            Self::Switching => Prefs::default(),
        }
    }
}
