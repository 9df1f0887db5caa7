//! The screen shown instead of the app when the database cannot be opened: what is wrong,
//! in words, and — for a damaged file with a backup — an offer to continue from the latest
//! backup. The damaged file is never changed: [`Store::open_backup`] moves it aside.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use egui::{RichText, Ui};

use crate::clock::Clock;
use crate::scale::Scale;
use crate::store::{Store, StoreError};

use super::state::{AppState, Prefs};
use super::theme;
use super::unlock::{Unlock, Unlocked};

/// The recovery screen's state.
pub struct Recovery {
    dir: PathBuf,
    /// Why the database could not be opened.
    message: String,
    /// The newest backup, when the file is damaged and a backup exists.
    backup: Option<PathBuf>,
    /// The last failure of opening the backup.
    failure: Option<String>,
}

impl Recovery {
    /// The screen for `error`, raised by opening the store in `dir`.
    pub fn new(dir: &Path, error: &StoreError) -> Self {
        let backup = match error {
            StoreError::Corrupt { latest_backup, .. } => latest_backup.clone(),
            _ => None,
        };
        Self { dir: dir.to_path_buf(), message: error.to_string(), backup, failure: None }
    }

    /// Shows the screen. Returns the store once the user chose to open the backup and it
    /// opened.
    pub fn ui(&mut self, ui: &mut Ui, now: DateTime<Utc>) -> Option<Store> {
        let mut opened = None;
        egui::CentralPanel::default().show(ui, |ui| {
            ui.add_space(24.0);
            ui.heading("无法打开评估数据库");
            ui.label(RichText::new(&self.message).color(theme::ERROR));
            ui.label(format!("数据目录：{}", self.dir.display()));
            ui.add_space(12.0);
            match &self.backup {
                Some(backup) => {
                    opened = self.offer_ui(ui, &backup.clone(), now);
                }
                None => {
                    ui.label("没有可用的备份。请关闭本程序，联系技术支持；数据库文件保持原样，未被改动。");
                }
            }
            if let Some(failure) = &self.failure {
                ui.label(RichText::new(failure).color(theme::ERROR));
            }
        });
        opened
    }

    fn offer_ui(&mut self, ui: &mut Ui, backup: &Path, now: DateTime<Utc>) -> Option<Store> {
        let name = backup.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        ui.label(format!("最近的备份：{name}"));
        ui.label(
            "打开备份后，损坏的数据库文件会改名保留在数据目录中（不会被删除或覆盖），\
             备份之后的修改需要重新录入。",
        );
        let button = egui::Button::new(RichText::new("打开最近的备份").strong())
            .min_size(egui::vec2(220.0, theme::TARGET_HEIGHT));
        if !ui.add(button).clicked() {
            return None;
        }
        match Store::open_backup(&self.dir, backup, now) {
            Ok(store) => Some(store),
            Err(err) => {
                self.failure = Some(format!("无法打开备份：{err}"));
                None
            }
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
        match self {
            Self::App(state) => {
                state.ui(ui);
                if state.signed_out_of_encrypted() {
                    let dir = state.data_dir();
                    let prefs = state.prefs;
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
                    Some(Unlocked::Failed(err)) => {
                        let dir = unlock.dir().to_path_buf();
                        *self = Self::opened(&dir, Err(err), pending.take());
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

    /// The app, once the database is open.
    pub fn app(&self) -> Option<&AppState> {
        match self {
            Self::App(state) => Some(state),
            Self::Recovery { .. } | Self::Locked { .. } | Self::Switching => None,
        }
    }

    /// The preferences in use.
    pub fn prefs(&self) -> Prefs {
        match self {
            Self::App(state) => state.prefs,
            Self::Recovery { pending, .. } | Self::Locked { pending, .. } => {
                pending.as_ref().map_or_else(Prefs::default, |p| p.2)
            }
            Self::Switching => Prefs::default(),
        }
    }
}
