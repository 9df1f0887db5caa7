//! The screens the app shows, the bureau's tabs as a [`Tab`] enum, and drawing the current
//! screen: each screen's function returns what the user asked for as a [`Command`], which
//! the app applies after the frame is drawn.

use egui::Ui;

use crate::review::Role;
use crate::store::Summary;

use super::super::accounts::AccountsState;
use super::super::history::{HistoryAction, HistoryView};
use super::super::review::{LoginForm, QueueState, ReviewView};
use super::super::stats::StatsState;
use super::super::wizard::{Editor, WizardCommand};
use super::AppState;
use super::command::Command;
use super::notice::Notice;

/// Which screen is shown.
pub(super) enum Screen {
    Login(LoginForm),
    Home { query: String, rows: Option<(Vec<Summary>, usize)> },
    Queue(QueueState),
    Due(Option<Vec<crate::store::DueRow>>),
    Review(Box<ReviewView>),
    Stats(StatsState),
    History(HistoryView),
    Accounts(Box<AccountsState>),
    Editor(Box<Editor>),
}

impl Screen {
    pub(super) fn home() -> Self {
        Self::Home { query: String::new(), rows: None }
    }

    /// The tab this screen belongs to, if any.
    fn tab(&self) -> Option<Tab> {
        match self {
            Self::Home { .. } => Some(Tab::Records),
            Self::Queue(_) | Self::Review(_) => Some(Tab::Queue),
            Self::Due(_) => Some(Tab::Due),
            Self::Stats(_) => Some(Tab::Stats),
            Self::Accounts(_) => Some(Tab::Accounts),
            Self::History(_) | Self::Login(_) | Self::Editor(_) => None,
        }
    }
}

/// The tabs reviewers and admins switch between.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Tab {
    Records,
    Queue,
    Due,
    Stats,
    Accounts,
}

impl Tab {
    /// The tabs `role` sees, in order.
    fn for_role(role: Role) -> &'static [Self] {
        if role == Role::Admin {
            &[Self::Records, Self::Queue, Self::Due, Self::Stats, Self::Accounts]
        } else {
            &[Self::Records, Self::Queue, Self::Due, Self::Stats]
        }
    }

    fn title(self) -> &'static str {
        match self {
            Self::Records => "评估列表",
            Self::Queue => "审核队列",
            Self::Due => "复评到期",
            Self::Stats => "统计",
            Self::Accounts => "账号管理",
        }
    }

    /// The screen the tab opens on.
    fn screen(self, today: chrono::NaiveDate) -> Screen {
        match self {
            Self::Records => Screen::home(),
            Self::Queue => Screen::Queue(QueueState::default()),
            Self::Due => Screen::Due(None),
            Self::Stats => Screen::Stats(StatsState::new(today)),
            Self::Accounts => Screen::Accounts(Box::default()),
        }
    }
}

impl AppState {
    /// 评估列表 / 审核队列 / 复评到期 / 统计 (/ 账号管理) for signed-in reviewers and admins.
    pub(super) fn tabs_ui(&mut self, ui: &mut Ui) {
        let Some(actor) = self.store.current_actor() else { return };
        if !actor.role.can_review() {
            return;
        }
        egui::Panel::top("tabs").show(ui, |ui| {
            // Four tabs of 140 do not fit a narrow window: they wrap to a second line.
            ui.horizontal_wrapped(|ui| {
                let size = egui::vec2(140.0, 40.0);
                let here = self.screen.tab();
                for &tab in Tab::for_role(actor.role) {
                    let button =
                        egui::Button::selectable(here == Some(tab), tab.title()).min_size(size);
                    if ui.add(button).clicked() {
                        self.screen = tab.screen(self.clock.today());
                    }
                }
            });
        });
    }

    /// Loads what the current screen shows, where it is not loaded yet.
    fn load_screen(&mut self) {
        let list_loads = match &self.screen {
            Screen::Home { rows, .. } => rows.is_none(),
            Screen::Queue(queue) => queue.rows.is_none(),
            _ => false,
        };
        if list_loads {
            self.refresh_sync_marks();
        }
        match &mut self.screen {
            Screen::Queue(queue) => {
                if queue.due.is_none() {
                    let due = self.store.due(self.prefs.due_months, self.clock.today());
                    queue.due = Some(due.map_or((0, 0), |rows| {
                        let overdue = rows.iter().filter(|r| r.overdue).count();
                        (overdue, rows.iter().filter(|r| r.due_soon).count())
                    }));
                }
                if queue.rows.is_none() {
                    match self.store.queue(&queue.filter()) {
                        Ok(rows) => queue.rows = Some(rows),
                        Err(err) => {
                            self.notice = Some(Notice::error(format!("无法读取审核队列：{err}")));
                            queue.rows = Some(Vec::new());
                        }
                    }
                }
            }
            Screen::Due(rows) if rows.is_none() => {
                match self.store.due(self.prefs.due_months, self.clock.today()) {
                    Ok(due) => *rows = Some(due),
                    Err(err) => {
                        self.notice = Some(Notice::error(format!("无法读取复评到期名单：{err}")));
                        *rows = Some(Vec::new());
                    }
                }
            }
            Screen::Stats(stats) => {
                if stats.table.is_none()
                    && let Some((from, to)) = stats.period()
                {
                    match self.store.stats_rows(from, to) {
                        Ok(rows) => {
                            let townships = self.policy.as_ref().map(|p| &p.county().townships[..]);
                            stats.table = Some(crate::tables::stats(
                                &rows,
                                stats.by,
                                (from, to),
                                &self.scale,
                                townships.unwrap_or_default(),
                            ));
                        }
                        Err(err) => self.notice = Some(Notice::error(format!("无法统计：{err}"))),
                    }
                }
            }
            Screen::Accounts(accounts) if accounts.rows.is_none() => {
                let Some(actor) = self.store.current_actor() else { return };
                match self.store.accounts(&actor, self.clock.now()) {
                    Ok(rows) => accounts.rows = Some(rows),
                    Err(err) => {
                        accounts.message = Some(Err(format!("无法读取账号：{err}")));
                        accounts.rows = Some(Vec::new());
                    }
                }
            }
            _ => {}
        }
    }

    /// Draws the current screen (loading what it shows first) and returns what the user
    /// asked for.
    pub(super) fn screen_ui(&mut self, ui: &mut Ui) -> Option<Command> {
        self.load_screen();
        let mut command = None;
        match &mut self.screen {
            Screen::Login(form) => {
                let busy = self.loan.as_ref().map(|job| job.what().to_owned());
                egui::CentralPanel::default().show(ui, |ui| {
                    if super::super::review::login_ui(ui, form) && busy.is_none() {
                        command = Some(Command::Login);
                    }
                    if let Some(what) = &busy {
                        super::super::jobs::progress_ui(ui, what);
                    }
                });
            }
            Screen::Home { .. } => command = self.home_screen_ui(ui),
            Screen::Queue(queue) => {
                egui::CentralPanel::default().show(ui, |ui| {
                    let townships = self.policy.as_ref().map(|p| &p.county().townships[..]);
                    command = super::super::review::queue_ui(
                        ui,
                        queue,
                        &self.scale,
                        townships.unwrap_or_default(),
                        self.sync_marks.as_ref(),
                    )
                    .map(Command::OpenReview);
                });
            }
            Screen::Due(rows) => {
                let list = rows.as_deref().unwrap_or_default();
                let mut months = self.prefs.due_months;
                egui::CentralPanel::default().show(ui, |ui| {
                    command =
                        super::super::review::due_ui(ui, list, &mut months).map(Command::History);
                });
                if months != self.prefs.due_months {
                    self.prefs.due_months = months;
                    *rows = None;
                }
            }
            Screen::Stats(stats) => {
                egui::CentralPanel::default().show(ui, |ui| {
                    if super::super::stats::stats_ui(ui, stats, &self.scale)
                        && let Some(table) = &stats.table
                    {
                        command = Some(Command::ExportStats(table.clone()));
                    }
                });
            }
            Screen::History(view) => {
                let can_reassess =
                    self.store.current_actor().is_none_or(|actor| actor.role.can_assess());
                egui::CentralPanel::default().show(ui, |ui| {
                    let marks = self.sync_marks.as_ref();
                    command = super::super::history::history_ui(
                        ui,
                        view,
                        can_reassess,
                        &self.scale,
                        marks,
                    )
                    .map(|action| match action {
                        HistoryAction::Open(id) => Command::OpenAny(id),
                        HistoryAction::Reassess(id) => Command::Reassess(id),
                        HistoryAction::Back => Command::Wizard(WizardCommand::GoHome),
                    });
                });
            }
            Screen::Accounts(accounts) => {
                egui::CentralPanel::default().show(ui, |ui| {
                    egui::ScrollArea::vertical().auto_shrink([false, false]).show(ui, |ui| {
                        command = super::super::accounts::accounts_ui(ui, accounts)
                            .map(Command::Accounts);
                    });
                });
            }
            Screen::Review(view) => {
                egui::CentralPanel::default().show(ui, |ui| {
                    command =
                        super::super::review::review_ui(ui, view, &self.scale).map(Command::Decide);
                });
            }
            Screen::Editor(editor) => {
                editor.now = self.clock.now();
                command = editor.ui(ui, &self.scale, self.policy.as_ref()).map(Command::Wizard);
            }
        }
        command
    }

    /// The home screen (the list, and 同步 on an enrolled device).
    fn home_screen_ui(&mut self, ui: &mut Ui) -> Option<Command> {
        let Screen::Home { query, rows } = &mut self.screen else { return None };
        let running = self.sync.as_ref().map(super::sync_job::SyncRun::what);
        let sync = self
            .sync_marks
            .as_ref()
            .map(|marks| super::super::home::SyncShown { marks, running: running.as_deref() });
        let mut error = None;
        let command = egui::CentralPanel::default()
            .show(ui, |ui| {
                super::super::home::home_ui(
                    ui,
                    &self.store,
                    query,
                    rows,
                    &mut error,
                    &self.scale,
                    sync.as_ref(),
                )
            })
            .inner
            .map(Command::Home);
        if let Some(error) = error {
            self.notice = Some(Notice::error(error));
        }
        command
    }
}
