//! The whole app as a state struct with one `ui` function, so that `egui_kittest` can drive
//! exactly what the window shows. A frame draws first (top bar, tabs, the screen, the
//! windows), then applies what the screen asked for ([`command::Command`], in one place),
//! then does the after-frame work (finished background jobs, the autosave).
//!
//! - [`screen`]: the screens and the bureau's [`screen::Tab`]s; [`command`]: what screens
//!   ask for and the one `apply`; [`top_bar`] (退出登录 closes the record, its notice
//!   and windows), [`notice`] (the message line: its level's word, colour and band),
//!   [`prefs`] (text size and theme).
//! - Handlers by area: [`records`] (create, open, complete, submit, 复评),
//!   [`bureau`] (sign-in, review decisions, accounts), [`exports`] (导出 PDF… and
//!   导出表格… as background jobs), [`assessors`] (binding the assessor signatures),
//!   [`store_loan`] (the password work that needs the store, on a job), [`same_elder`]
//!   (the ID number's other assessments looked up on a job; 删除草稿 after the writer's
//!   save).
//! - [`autosave`]: every save of the open record, in one place.

mod assessors;
mod autosave;
mod bureau;
mod command;
mod exports;
mod notice;
mod pdf_job;
mod prefs;
mod records;
mod same_elder;
mod screen;
mod session_keys;
mod store_loan;
mod sync_job;
mod top_bar;

use egui::Ui;

use crate::clock::Clock;
use crate::scale::Scale;
use crate::store::Store;

use super::dialogs::export_pdf::ExportDialog;
use super::dialogs::table_export::TableExportDialog;
use super::review::LoginForm;
use super::wizard::Editor;

pub use notice::{Level, Notice};
pub use prefs::{Prefs, ZOOM_RANGE, ZOOM_STEPS, zoom_step};
pub use sync_job::{SyncRunner, summary_text};

use screen::Screen;

/// Everything the app shows and keeps while running.
pub struct AppState {
    scale: Scale,
    /// The county service list, for the entitlements panel (`None` if it failed to load).
    policy: Option<crate::policy::Policy>,
    /// The store. While [`AppState::loan`] runs, a placeholder in memory stands here and
    /// nothing is read from or written to it (see [`store_loan`]).
    store: Store,
    clock: Box<dyn Clock>,
    screen: Screen,
    /// The message shown under the top bar, until dismissed or replaced.
    notice: Option<Notice>,
    /// When the open assessment was last saved, for the status line.
    last_saved: Option<chrono::DateTime<chrono::Utc>>,
    /// The zoom last applied to the egui context; a different zoom there means egui's
    /// own keyboard shortcuts changed it.
    applied_zoom: f32,
    /// The 导出 PDF… window and its running export, while open.
    export: Option<exports::PdfExport>,
    /// The 导出表格… window and its running export, while open.
    table_export: Option<exports::TableExport>,
    /// Password work running on a job with the store (sign-in, assessor 2, accounts).
    loan: Option<store_loan::Loan>,
    /// The store-writer thread that saves the open record (started on the first frame).
    writer: Option<crate::store::StoreWriter>,
    /// Whether the writer could not be started (shown once).
    writer_failed: bool,
    /// The record and section being edited: leaving either ends the burst of edits.
    burst_place: Option<(i64, super::wizard::Section)>,
    /// The writer's ticket after leaving a record; the list reloads once it is saved.
    refresh_after: Option<u64>,
    /// The place in the open record last handed to the writer (record, section, item).
    remembered_place: Option<(i64, super::wizard::Section, usize)>,
    /// 完成评估 / 改为草稿 waiting for the writer.
    pending_save: Option<autosave::PendingSave>,
    /// The lookup of the same elder's other assessments, while it runs.
    lookup: Option<same_elder::Lookup>,
    /// 删除草稿 waiting for the writer.
    pending_delete: Option<same_elder::PendingDelete>,
    /// The signed-in session's unlocked signing keys; dropped at sign-out.
    session_keys: session_keys::SessionKeys,
    /// 同步 running on its job.
    sync: Option<sync_job::SyncRun>,
    /// The records' sync marks on an enrolled device, read when a list loads.
    sync_marks: Option<crate::store::SyncMarks>,
    /// What runs a sync on the job (see [`AppState::set_sync_runner`]).
    sync_runner: SyncRunner,
    /// Preferences applied to the egui context each frame.
    pub prefs: Prefs,
}

impl AppState {
    /// A new app over `store`; reopens the assessment that was open when the app last
    /// stopped, if it is still a draft.
    pub fn new(scale: Scale, store: Store, clock: Box<dyn Clock>) -> Self {
        let policy_result = crate::policy::bundled(crate::policy::DEFAULT_POLICY_ID);
        let (policy, policy_error) = match policy_result {
            Ok(policy) => (policy, None),
            Err(err) => (None, Some(Notice::error(format!("服务清单无法读取：{err}")))),
        };
        let mut state = Self {
            scale,
            policy,
            store,
            clock,
            screen: Screen::home(),
            notice: None,
            last_saved: None,
            applied_zoom: 1.0,
            export: None,
            table_export: None,
            loan: None,
            writer: None,
            writer_failed: false,
            burst_place: None,
            refresh_after: None,
            remembered_place: None,
            pending_save: None,
            lookup: None,
            pending_delete: None,
            session_keys: session_keys::SessionKeys::default(),
            sync: None,
            sync_marks: None,
            sync_runner: crate::sync::run::sync_data_dir,
            prefs: Prefs::default(),
        };
        let backup_problem = state
            .store
            .backup_problem()
            .map(|problem| Notice::warning(format!("今天的自动备份未完成：{problem}")));
        state.notice = policy_error.or(backup_problem);
        if state.needs_login() {
            state.screen = Screen::Login(LoginForm::default());
        } else {
            state.reopen_last();
        }
        state
    }

    /// The scale and the clock, when the app is closed down to its sign-in screen.
    pub fn into_parts(mut self) -> (Scale, Box<dyn Clock>) {
        self.shutdown();
        (self.scale, self.clock)
    }

    /// Whether the store is encrypted and nobody is signed in any more: the root then
    /// drops the store (and its key) and asks for a sign-in before opening it again.
    pub fn signed_out_of_encrypted(&self) -> bool {
        self.loan.is_none() && self.store.is_encrypted() && self.store.current_actor().is_none()
    }

    /// Whether accounts exist and nobody is signed in.
    fn needs_login(&self) -> bool {
        self.store.has_accounts().unwrap_or(false) && self.store.current_actor().is_none()
    }

    /// The open editor, if any (for tests and the window title).
    pub fn editor(&self) -> Option<&Editor> {
        match &self.screen {
            Screen::Editor(editor) => Some(editor),
            _ => None,
        }
    }

    /// The open editor, mutably.
    pub fn editor_mut(&mut self) -> Option<&mut Editor> {
        match &mut self.screen {
            Screen::Editor(editor) => Some(editor),
            _ => None,
        }
    }

    /// Replaces what runs 同步 on its job (tests reach a plain-HTTP fake server through
    /// it); the app uses [`crate::sync::run::sync_data_dir`].
    pub fn set_sync_runner(&mut self, runner: SyncRunner) {
        self.sync_runner = runner;
    }

    /// The scale in use.
    pub fn scale(&self) -> &Scale {
        &self.scale
    }

    /// The 导出 PDF… window, while open (tests use it to choose the target folder).
    pub fn export_dialog_mut(&mut self) -> Option<&mut ExportDialog> {
        self.export.as_mut().map(|export| &mut export.dialog)
    }

    /// The 导出表格… window, while open (tests use it to choose the target folder).
    pub fn table_export_dialog_mut(&mut self) -> Option<&mut TableExportDialog> {
        self.table_export.as_mut().map(|export| &mut export.dialog)
    }

    /// Gives the store back (the app is closing, or a test restarts it), after the
    /// writer has saved the open record.
    pub fn into_store(mut self) -> Store {
        self.shutdown();
        self.store
    }

    /// The store in use.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The notice shown, if any.
    pub fn notice(&self) -> Option<&Notice> {
        self.notice.as_ref()
    }

    /// The problem shown (a notice of level warning or error), if any.
    pub fn error(&self) -> Option<&str> {
        self.notice.as_ref().filter(|n| n.level >= Level::Warning).map(|n| n.text.as_str())
    }

    /// Whether background work is running (an export, a password check, a save the list
    /// waits for): tests step the harness until it is done.
    pub fn is_busy(&self) -> bool {
        self.loan.is_some()
            || self.is_saving()
            || self.lookup.is_some()
            || self.pending_delete.is_some()
            || self.refresh_after.is_some()
            || self.sync.is_some()
            || self.export.as_ref().is_some_and(exports::PdfExport::is_busy)
            || self.table_export.as_ref().is_some_and(exports::TableExport::is_busy)
            || matches!(&self.screen, Screen::Accounts(accounts) if accounts.trust.is_busy())
    }

    /// The data directory (keys live under it).
    pub fn data_dir(&self) -> std::path::PathBuf {
        self.store.path().parent().map(std::path::Path::to_path_buf).unwrap_or_default()
    }

    /// Draws one frame, then applies what the user asked for, then does the after-frame
    /// work: finished jobs are taken in and the open record is saved.
    pub fn ui(&mut self, ui: &mut Ui) {
        self.apply_prefs(ui.ctx());
        self.top_bar_ui(ui);
        if !matches!(self.screen, Screen::Login(_) | Screen::Editor(_)) {
            self.tabs_ui(ui);
        }
        let command = self.screen_ui(ui);
        let orders = self.dialogs_ui(ui.ctx());
        if let Some(command) = command {
            self.apply(command, ui.ctx());
        }
        self.start_exports(ui.ctx(), orders);
        self.after_frame(ui.ctx());
    }

    /// The work after a frame: jobs that finished, then the autosave.
    fn after_frame(&mut self, ctx: &egui::Context) {
        self.poll_loan();
        self.poll_sync();
        self.poll_exports(ctx);
        self.check_same_elder(ctx);
        self.autosave(ctx);
        self.poll_pending_delete();
    }
}
