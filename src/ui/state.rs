//! The whole app as a state struct with one `ui` function, so that `egui_kittest` can drive
//! exactly what the window shows. Side effects (store, clock) happen here, after the
//! screens have said what they want.

mod assessors;

use egui::{RichText, Ui};

use crate::assessment::score;
use crate::clock::Clock;
use crate::record::AssessmentRecord;
use crate::scale::Scale;
use crate::store::{Status, Store, StoreError, StoredAssessment, Summary};

use super::accounts::{AccountsAction, AccountsState};
use super::history::{HistoryAction, HistoryView};
use super::home::HomeAction;
use super::review::{LoginForm, QueueState, ReviewDecision, ReviewView};
use super::table_export::{TableContent, TableExportDialog, TableExportOrder};
use super::theme;
use super::wizard::export::{ExportDialog, ExportOrder};
use super::wizard::{Editor, WizardCommand};

/// User preferences, remembered between runs.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Prefs {
    /// Text size factor (egui zoom), 1.0 = default.
    pub zoom: f32,
    /// Dark theme.
    pub dark: bool,
    /// Months after an approved assessment until the next routine one is due.
    pub due_months: u32,
}

impl Default for Prefs {
    fn default() -> Self {
        // The county file's interval; the bundled file is tested to load, and if it did not,
        // the shortest interval lists every elder rather than hiding anyone.
        let due_months = crate::policy::bundled(crate::policy::DEFAULT_POLICY_ID)
            .ok()
            .flatten()
            .map_or(crate::policy::MIN_REASSESSMENT_MONTHS, |p| p.county().reassessment_months);
        Self { zoom: 1.0, dark: false, due_months }
    }
}

/// Smallest and largest text size factors offered.
pub const ZOOM_RANGE: (f32, f32) = (0.75, 2.5);

/// The text sizes A− and A＋ step through (100 % among them, so it is always reachable).
pub const ZOOM_STEPS: [f32; 10] = [0.75, 0.9, 1.0, 1.1, 1.25, 1.5, 1.75, 2.0, 2.25, 2.5];

/// The next step of [`ZOOM_STEPS`] above (`up`) or below `zoom`, staying at the ends.
pub fn zoom_step(zoom: f32, up: bool) -> f32 {
    const EPS: f32 = 0.01;
    if up {
        ZOOM_STEPS.iter().copied().find(|&step| step > zoom + EPS).unwrap_or(ZOOM_RANGE.1)
    } else {
        ZOOM_STEPS.iter().rev().copied().find(|&step| step < zoom - EPS).unwrap_or(ZOOM_RANGE.0)
    }
}

/// What the user asked for this frame, applied after the screen is drawn.
enum Request {
    Home(HomeAction),
    Login,
    OpenReview(i64),
    /// Open for review if submitted and the account reviews, else in the editor.
    OpenAny(i64),
    History(i64),
    Reassess(i64),
    Decide(ReviewDecision),
    Wizard(WizardCommand),
    ExportStats(crate::tables::StatsTable),
    Accounts(AccountsAction),
}

/// Which screen is shown.
enum Screen {
    Login(LoginForm),
    Home { query: String, rows: Option<(Vec<Summary>, usize)> },
    Queue(QueueState),
    Due(Option<Vec<crate::store::DueRow>>),
    Review(Box<ReviewView>),
    Stats(super::stats::StatsState),
    History(HistoryView),
    Accounts(Box<AccountsState>),
    Editor(Box<Editor>),
}

impl Screen {
    fn home() -> Self {
        Self::Home { query: String::new(), rows: None }
    }
}

/// Everything the app shows and keeps while running.
pub struct AppState {
    scale: Scale,
    /// The county service list, for the entitlements panel (`None` if it failed to load).
    policy: Option<crate::policy::Policy>,
    store: Store,
    clock: Box<dyn Clock>,
    screen: Screen,
    /// The last error to show, until dismissed or the problem goes away.
    error: Option<String>,
    /// When the open assessment was last saved, for the status line.
    last_saved: Option<chrono::DateTime<chrono::Utc>>,
    /// The zoom last applied to the egui context; a different zoom there means egui's
    /// own keyboard shortcuts changed it.
    applied_zoom: f32,
    /// The 导出 PDF… window, while open.
    export: Option<ExportDialog>,
    /// The 导出表格… window, while open.
    table_export: Option<TableExportDialog>,
    /// Preferences applied to the egui context each frame.
    pub prefs: Prefs,
}

impl AppState {
    /// A new app over `store`; reopens the assessment that was open when the app last
    /// stopped, if it is still a draft.
    pub fn new(scale: Scale, store: Store, clock: Box<dyn Clock>) -> Self {
        let (policy, policy_error) = match crate::policy::bundled(crate::policy::DEFAULT_POLICY_ID)
        {
            Ok(policy) => (policy, None),
            Err(err) => (None, Some(format!("服务清单无法读取：{err}"))),
        };
        let mut state = Self {
            scale,
            policy,
            store,
            clock,
            screen: Screen::home(),
            error: None,
            last_saved: None,
            applied_zoom: 1.0,
            export: None,
            table_export: None,
            prefs: Prefs::default(),
        };
        let backup_problem =
            state.store.backup_problem().map(|problem| format!("今天的自动备份未完成：{problem}"));
        state.error = policy_error.or(backup_problem);
        if state.needs_login() {
            state.screen = Screen::Login(LoginForm::default());
        } else {
            state.reopen_last();
        }
        state
    }

    /// The scale and the clock, when the app is closed down to its sign-in screen.
    pub fn into_parts(self) -> (Scale, Box<dyn Clock>) {
        (self.scale, self.clock)
    }

    /// Whether the store is encrypted and nobody is signed in any more: the root then
    /// drops the store (and its key) and asks for a sign-in before opening it again.
    pub fn signed_out_of_encrypted(&self) -> bool {
        self.store.is_encrypted() && self.store.current_actor().is_none()
    }

    /// Whether accounts exist and nobody is signed in.
    fn needs_login(&self) -> bool {
        self.store.has_accounts().unwrap_or(false) && self.store.current_actor().is_none()
    }

    fn reopen_last(&mut self) {
        match self.store.last_open() {
            Ok(Some(id)) => self.open(id),
            Ok(None) => {}
            Err(err) => self.fail("无法读取上次打开的评估", &err),
        }
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

    /// The scale in use.
    pub fn scale(&self) -> &Scale {
        &self.scale
    }

    /// The 导出 PDF… window, while open (tests use it to choose the target folder).
    pub fn export_dialog_mut(&mut self) -> Option<&mut ExportDialog> {
        self.export.as_mut()
    }

    /// Gives the store back (the app is closing, or a test restarts it).
    pub fn into_store(self) -> Store {
        self.store
    }

    /// The store in use.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The error shown, if any.
    pub fn error(&self) -> Option<&str> {
        self.error.as_deref()
    }

    /// Draws one frame and applies what the user asked for.
    pub fn ui(&mut self, ui: &mut Ui) {
        self.apply_prefs(ui.ctx());
        self.top_bar_ui(ui);
        if !matches!(self.screen, Screen::Login(_) | Screen::Editor(_)) {
            self.bureau_tabs_ui(ui);
        }
        let request = self.screen_ui(ui);
        if let Some(request) = request {
            self.apply(request);
        }
        self.export_ui(ui.ctx());
        self.table_export_ui(ui.ctx());
        self.autosave(ui.ctx());
    }

    /// Loads what the current screen shows, where it is not loaded yet.
    fn load_screen(&mut self) {
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
                            self.error = Some(format!("无法读取审核队列：{err}"));
                            queue.rows = Some(Vec::new());
                        }
                    }
                }
            }
            Screen::Due(rows) if rows.is_none() => {
                match self.store.due(self.prefs.due_months, self.clock.today()) {
                    Ok(due) => *rows = Some(due),
                    Err(err) => {
                        self.error = Some(format!("无法读取复评到期名单：{err}"));
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
                            let townships = townships.unwrap_or_default();
                            stats.table = Some(crate::tables::stats(
                                &rows,
                                stats.by,
                                (from, to),
                                &self.scale,
                                townships,
                            ));
                        }
                        Err(err) => self.error = Some(format!("无法统计：{err}")),
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
    fn screen_ui(&mut self, ui: &mut Ui) -> Option<Request> {
        self.load_screen();
        let mut request = None;
        match &mut self.screen {
            Screen::Login(form) => {
                egui::CentralPanel::default().show(ui, |ui| {
                    if super::review::login_ui(ui, form) {
                        request = Some(Request::Login);
                    }
                });
            }
            Screen::Home { query, rows } => {
                egui::CentralPanel::default().show(ui, |ui| {
                    request = super::home::home_ui(
                        ui,
                        &self.store,
                        query,
                        rows,
                        &mut self.error,
                        &self.scale,
                    )
                    .map(Request::Home);
                });
            }
            Screen::Queue(queue) => {
                egui::CentralPanel::default().show(ui, |ui| {
                    let townships = self.policy.as_ref().map(|p| &p.county().townships[..]);
                    request = super::review::queue_ui(
                        ui,
                        queue,
                        &self.scale,
                        townships.unwrap_or_default(),
                    )
                    .map(Request::OpenReview);
                });
            }
            Screen::Due(rows) => {
                let list = rows.as_deref().unwrap_or_default();
                let mut months = self.prefs.due_months;
                egui::CentralPanel::default().show(ui, |ui| {
                    request = super::review::due_ui(ui, list, &mut months).map(Request::History);
                });
                if months != self.prefs.due_months {
                    self.prefs.due_months = months;
                    *rows = None;
                }
            }
            Screen::Stats(stats) => {
                egui::CentralPanel::default().show(ui, |ui| {
                    if super::stats::stats_ui(ui, stats, &self.scale)
                        && let Some(table) = &stats.table
                    {
                        request = Some(Request::ExportStats(table.clone()));
                    }
                });
            }
            Screen::History(view) => {
                let can_reassess =
                    self.store.current_actor().is_none_or(|actor| actor.role.can_assess());
                egui::CentralPanel::default().show(ui, |ui| {
                    request = super::history::history_ui(ui, view, can_reassess, &self.scale).map(
                        |action| match action {
                            HistoryAction::Open(id) => Request::OpenAny(id),
                            HistoryAction::Reassess(id) => Request::Reassess(id),
                            HistoryAction::Back => Request::Wizard(WizardCommand::GoHome),
                        },
                    );
                });
            }
            Screen::Accounts(accounts) => {
                egui::CentralPanel::default().show(ui, |ui| {
                    egui::ScrollArea::vertical().auto_shrink([false, false]).show(ui, |ui| {
                        request = super::accounts::accounts_ui(ui, accounts).map(Request::Accounts);
                    });
                });
            }
            Screen::Review(view) => {
                egui::CentralPanel::default().show(ui, |ui| {
                    request = super::review::review_ui(ui, view, &self.scale).map(Request::Decide);
                });
            }
            Screen::Editor(editor) => {
                editor.now = self.clock.now();
                request = editor.ui(ui, &self.scale, self.policy.as_ref()).map(Request::Wizard);
            }
        }
        request
    }

    fn apply(&mut self, request: Request) {
        match request {
            Request::Home(HomeAction::Create) => self.create(),
            Request::Home(HomeAction::Open(id)) => self.open(id),
            Request::Home(HomeAction::History(id)) | Request::History(id) => self.history(id),
            Request::Home(HomeAction::ExportTable) => self.open_table_export(TableContent::Records),
            Request::ExportStats(table) => self.open_table_export(TableContent::Stats(table)),
            Request::OpenReview(id) => self.open_review(id),
            Request::OpenAny(id) => self.open_any(id),
            Request::Reassess(id) => self.reassess(id),
            Request::Login => self.login(),
            Request::Accounts(action) => self.manage_accounts(&action),
            Request::Decide(decision) => self.decide(decision),
            Request::Wizard(command) => match command {
                WizardCommand::GoHome => self.go_home(),
                WizardCommand::Complete => self.complete(),
                WizardCommand::Reopen => self.reopen(),
                WizardCommand::OpenExport => self.open_export(),
                WizardCommand::Submit => self.submit(),
                WizardCommand::BindAssessor(slot) => self.bind_assessor(slot),
                WizardCommand::History => {
                    if let Screen::Editor(editor) = &self.screen {
                        self.history(editor.id);
                    }
                }
            },
        }
    }

    fn apply_prefs(&mut self, ctx: &egui::Context) {
        let current = ctx.zoom_factor();
        // Ctrl+= / Ctrl+- / Ctrl+0 are handled by egui before this frame's UI runs.
        if (current - self.applied_zoom).abs() > f32::EPSILON {
            self.prefs.zoom = current;
        }
        let zoom = self.prefs.zoom.clamp(ZOOM_RANGE.0, ZOOM_RANGE.1);
        self.prefs.zoom = zoom;
        if (current - zoom).abs() > f32::EPSILON {
            ctx.set_zoom_factor(zoom);
        }
        self.applied_zoom = zoom;
        let theme = if self.prefs.dark { egui::Theme::Dark } else { egui::Theme::Light };
        if ctx.theme() != theme {
            ctx.set_theme(theme);
        }
    }

    fn top_bar_ui(&mut self, ui: &mut Ui) {
        let mut logout = false;
        egui::Panel::top("top").show(ui, |ui| {
            ui.horizontal_wrapped(|ui| {
                ui.label(RichText::new("老年人能力评估").heading().strong());
                ui.label(RichText::new(self.scale.standard()).small());
                ui.separator();
                ui.label("字号");
                if ui.button("A−").on_hover_text("缩小（Ctrl+-）").clicked() {
                    self.prefs.zoom = zoom_step(self.prefs.zoom, false);
                }
                let percent = format!("{:.0}%", self.prefs.zoom * 100.0);
                if ui.button(percent).on_hover_text("恢复 100%（Ctrl+0）").clicked() {
                    self.prefs.zoom = 1.0;
                }
                if ui.button("A＋").on_hover_text("放大（Ctrl+=）").clicked() {
                    self.prefs.zoom = zoom_step(self.prefs.zoom, true);
                }
                let theme_text = if self.prefs.dark { "浅色主题" } else { "深色主题" };
                if ui.button(theme_text).clicked() {
                    self.prefs.dark = !self.prefs.dark;
                }
                if let Some(actor) = self.store.current_actor() {
                    ui.separator();
                    ui.label(format!("{}（{}）", actor.display_name, actor.role.label()));
                    if ui.button("退出登录").clicked() {
                        logout = true;
                    }
                }
                if let Some(at) = self.last_saved {
                    let local = at.with_timezone(&crate::clock::CHINA_OFFSET);
                    ui.label(
                        RichText::new(format!("已自动保存 {}", local.format("%H:%M:%S")))
                            .small()
                            .color(theme::OK),
                    );
                }
            });
            if let Some(error) = &self.error {
                let mut dismiss = false;
                ui.horizontal_wrapped(|ui| {
                    ui.label(RichText::new(error).color(theme::ERROR));
                    dismiss = ui.button("知道了").clicked();
                });
                if dismiss {
                    self.error = None;
                }
            }
        });
        if logout {
            self.logout();
        }
    }

    /// Saves the open record whenever it differs from what was last saved. Called every
    /// frame, so every change reaches the database in the frame it was made.
    fn autosave(&mut self, ctx: &egui::Context) {
        let Screen::Editor(editor) = &mut self.screen else { return };
        if editor.record == editor.saved {
            return;
        }
        let final_level = final_level(&self.scale, &editor.record);
        let now = self.clock.now();
        // Editing a returned record makes it a draft again.
        let status = if editor.status == Status::Returned { Status::Draft } else { editor.status };
        match self.store.save(&editor.record, status, final_level, now) {
            Ok(_) => {
                editor.status = status;
                editor.saved = editor.record.clone();
                self.last_saved = Some(now);
                if self.error.as_deref().is_some_and(|e| e.starts_with("自动保存失败")) {
                    self.error = None;
                }
            }
            Err(err) => {
                // The record stays in memory; try again in a second.
                self.error = Some(format!("自动保存失败（内容仍在，将自动重试）：{err}"));
                ctx.request_repaint_after(std::time::Duration::from_secs(1));
            }
        }
    }

    fn fail(&mut self, what: &str, err: &StoreError) {
        self.error = Some(format!("{what}：{err}"));
    }

    fn create(&mut self) {
        let today = self.clock.today();
        let number = match self.store.next_number(today) {
            Ok(number) => number,
            Err(err) => return self.fail("无法生成评估编号", &err),
        };
        let record = AssessmentRecord::new(number, today);
        match self.store.save(&record, Status::Draft, None, self.clock.now()) {
            Ok(id) => self.open(id),
            Err(err) => self.fail("无法新建评估", &err),
        }
    }

    fn open(&mut self, id: i64) {
        match self.store.load(id) {
            Ok(Some(stored)) => self.edit(stored),
            Ok(None) => {
                let _ = self.store.set_last_open(None);
            }
            Err(err) => self.fail("无法打开评估", &err),
        }
    }

    /// Shows `stored` in the editor (read-only unless a draft) and remembers it as open.
    fn edit(&mut self, stored: StoredAssessment) {
        let id = stored.id;
        let returned = stored.review_reason.filter(|_| stored.status == Status::Returned);
        let mut editor = Editor::new(id, stored.status, stored.record, self.clock.now());
        editor.returned_reason = returned;
        editor.can_submit = self.store.current_actor().is_some_and(|actor| actor.role.can_assess());
        editor.binding = self.assessor_binding(id);
        self.screen = Screen::Editor(Box::new(editor));
        if let Err(err) = self.store.set_last_open(Some(id)) {
            self.fail("无法记录打开的评估", &err);
        }
    }

    fn go_home(&mut self) {
        self.screen = Screen::home();
        if let Err(err) = self.store.set_last_open(None) {
            self.fail("无法更新打开的评估", &err);
        }
    }

    /// 完成评估: refused, with every problem listed, while the record is incomplete.
    fn complete(&mut self) {
        let Screen::Editor(editor) = &mut self.screen else { return };
        let issues: Vec<_> =
            editor.record.validate(&self.scale).into_iter().filter(|i| i.blocking).collect();
        if !issues.is_empty() {
            editor.issues = issues;
            return;
        }
        editor.issues.clear();
        let final_level = final_level(&self.scale, &editor.record);
        match self.store.save(&editor.record, Status::Completed, final_level, self.clock.now()) {
            Ok(_) => {
                editor.status = Status::Completed;
                editor.saved = editor.record.clone();
            }
            Err(err) => self.error = Some(format!("无法完成评估：{err}")),
        }
    }

    /// 我的评估 / 审核队列 / 复评到期 for signed-in reviewers and admins.
    fn bureau_tabs_ui(&mut self, ui: &mut Ui) {
        let Some(actor) = self.store.current_actor() else { return };
        if !actor.role.can_review() {
            return;
        }
        egui::Panel::top("tabs").show(ui, |ui| {
            ui.horizontal(|ui| {
                let size = egui::vec2(140.0, 40.0);
                let here = |s: &Screen, tab: u8| match s {
                    Screen::Home { .. } => tab == 0,
                    Screen::Queue(_) | Screen::Review(_) => tab == 1,
                    Screen::Due(_) => tab == 2,
                    Screen::Stats(_) => tab == 3,
                    Screen::Accounts(_) => tab == 4,
                    Screen::History(_) | Screen::Login(_) | Screen::Editor(_) => false,
                };
                let tabs: &[(u8, &str)] = if actor.role == crate::review::Role::Admin {
                    &[
                        (0, "评估列表"),
                        (1, "审核队列"),
                        (2, "复评到期"),
                        (3, "统计"),
                        (4, "账号管理"),
                    ]
                } else {
                    &[(0, "评估列表"), (1, "审核队列"), (2, "复评到期"), (3, "统计")]
                };
                for &(tab, title) in tabs {
                    let button =
                        egui::Button::selectable(here(&self.screen, tab), title).min_size(size);
                    if ui.add(button).clicked() {
                        self.screen = match tab {
                            0 => Screen::home(),
                            1 => Screen::Queue(QueueState::default()),
                            2 => Screen::Due(None),
                            3 => Screen::Stats(super::stats::StatsState::new(self.clock.today())),
                            _ => Screen::Accounts(Box::default()),
                        };
                    }
                }
            });
        });
    }

    fn login(&mut self) {
        let Screen::Login(form) = &mut self.screen else { return };
        match self.store.login(&form.login, &form.password, self.clock.now()) {
            Ok(_) => {
                self.screen = Screen::home();
                self.reopen_last();
            }
            Err(err) => {
                form.password.clear();
                form.message = Some(err.to_string());
            }
        }
    }

    fn logout(&mut self) {
        self.store.logout();
        self.export = None;
        self.table_export = None;
        self.screen = Screen::Login(LoginForm::default());
    }

    fn open_review(&mut self, id: i64) {
        match self.store.load(id) {
            Ok(Some(stored)) => self.review(stored),
            Ok(None) => self.error = Some("该评估已不存在".to_owned()),
            Err(err) => self.fail("无法打开评估", &err),
        }
    }

    /// Shows `stored` for review, beside the same elder's previous assessment.
    fn review(&mut self, mut stored: StoredAssessment) {
        // Bound assessors are shown with their accounts' registered names.
        if let Ok(record) = self.store.signed_record(stored.id) {
            stored.record.signatures = record.signatures;
        }
        match self.store.previous_of(stored.id) {
            Ok(previous) => {
                self.screen = Screen::Review(Box::new(ReviewView {
                    stored,
                    previous,
                    reason: String::new(),
                    message: None,
                }));
            }
            Err(err) => self.fail("无法打开评估", &err),
        }
    }

    /// Approve or return the record under review.
    fn decide(&mut self, decision: ReviewDecision) {
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
            ReviewDecision::Approve => crate::review::Action::Approve,
            ReviewDecision::Return(reason) => crate::review::Action::Return { reason },
        };
        let Some(actor) = self.store.current_actor() else {
            self.screen = Screen::Login(LoginForm::default());
            return;
        };
        match self.store.transition(view.stored.id, action, &actor, None, self.clock.now()) {
            Ok(status) => {
                self.error =
                    Some(format!("{}：{}", view.stored.record.info.number, status.label()));
                self.screen = Screen::Queue(QueueState::default());
            }
            Err(err) => view.message = Some(err.to_string()),
        }
    }

    /// 提交审核 for a completed record.
    fn submit(&mut self) {
        let Screen::Editor(editor) = &mut self.screen else { return };
        let Some(actor) = self.store.current_actor() else {
            self.error = Some("提交审核需要先登录".to_owned());
            return;
        };
        match self.store.transition(
            editor.id,
            crate::review::Action::Submit,
            &actor,
            None,
            self.clock.now(),
        ) {
            Ok(status) => editor.status = status,
            Err(err) => self.error = Some(format!("无法提交审核：{err}")),
        }
    }

    /// Creates an account or resets a password, as the signed-in admin.
    fn manage_accounts(&mut self, action: &AccountsAction) {
        let Screen::Accounts(form) = &mut self.screen else { return };
        let Some(admin) = self.store.current_actor() else { return };
        let now = self.clock.now();
        let result = match action {
            AccountsAction::Create => {
                let Some(role) = form.role else { return };
                self.store
                    .create_account(&admin, &form.login, &form.name, role, &form.password, now)
                    .map(|created| {
                        format!("已创建账号 {}（{}）", created.account, created.role.label())
                    })
            }
            AccountsAction::Reset => {
                let Some(login) = form.reset.clone() else { return };
                self.store
                    .reset_password(&admin, &login, &form.reset_password, now)
                    .map(|()| format!("已重置账号 {login} 的密码，账号已解锁"))
            }
        };
        match result {
            Ok(message) => {
                // A fresh form (passwords wiped), the list read again.
                **form = AccountsState { message: Some(Ok(message)), ..AccountsState::default() };
            }
            Err(err) => form.message = Some(Err(err.to_string())),
        }
    }

    /// 历史评估 of the elder of record `id`.
    fn history(&mut self, id: i64) {
        match self.store.history_of(id) {
            Ok(rows) => self.screen = Screen::History(HistoryView { rows, from: id }),
            Err(err) => self.fail("无法读取历史评估", &err),
        }
    }

    /// Opens record `id` from the history: for review when it is submitted and the
    /// signed-in account reviews, otherwise in the editor (read-only unless a draft).
    fn open_any(&mut self, id: i64) {
        let reviews = self.store.current_actor().is_some_and(|actor| actor.role.can_review());
        match self.store.load(id) {
            Ok(Some(stored)) if reviews && stored.status == Status::Submitted => {
                self.review(stored);
            }
            Ok(Some(stored)) => self.edit(stored),
            Ok(None) => self.error = Some("该评估已不存在".to_owned()),
            Err(err) => self.fail("无法打开评估", &err),
        }
    }

    /// 发起复评: a new draft linked to approved record `of`, with Annex A copied.
    fn reassess(&mut self, of: i64) {
        let today = self.clock.today();
        let number = match self.store.next_number(today) {
            Ok(number) => number,
            Err(err) => return self.fail("无法生成评估编号", &err),
        };
        match self.store.new_linked_record(of, number, today, self.clock.now()) {
            Ok(id) => self.open(id),
            Err(err) => self.fail("无法发起复评", &err),
        }
    }

    /// Whether the signed-in account may export names and ID numbers: reviewers and
    /// admins, or anyone on a machine without accounts.
    fn may_export_full(&self) -> bool {
        match self.store.current_actor() {
            Some(actor) => actor.role.can_review(),
            None => !self.store.has_accounts().unwrap_or(true),
        }
    }

    fn open_table_export(&mut self, content: TableContent) {
        let allow_full = self.may_export_full();
        self.table_export = Some(TableExportDialog::new(content, allow_full, self.clock.today()));
    }

    /// The 导出表格… window, while open (tests use it to choose the target folder).
    pub fn table_export_dialog_mut(&mut self) -> Option<&mut TableExportDialog> {
        self.table_export.as_mut()
    }

    fn table_export_ui(&mut self, ctx: &egui::Context) {
        let Some(dialog) = &mut self.table_export else { return };
        let (order, keep_open) = dialog.ui(ctx);
        if !keep_open {
            self.table_export = None;
            return;
        }
        if let Some(order) = order {
            let result = self.run_table_export(&order);
            if let Some(dialog) = &mut self.table_export {
                dialog.status = Some(result);
            }
        }
    }

    /// Writes the table the window asked for. The message says what happened.
    fn run_table_export(&self, order: &TableExportOrder) -> Result<String, String> {
        let Some(dialog) = &self.table_export else {
            return Err("导出窗口已关闭".to_owned());
        };
        let path = order.path.display();
        match &dialog.content {
            TableContent::Stats(table) => {
                crate::output::table_files::export_stats(table, &order.path)
                    .map_err(|err| err.to_string())?;
                Ok(format!("已导出统计表 {path}"))
            }
            TableContent::Records => {
                let full = order.privacy == crate::tables::Privacy::Full;
                if full && !self.may_export_full() {
                    return Err("完整导出仅限审核员和管理员".to_owned());
                }
                let request = crate::output::table_files::RecordsExport {
                    path: &order.path,
                    privacy: order.privacy,
                    approved_only: order.approved_only,
                    purpose: Some(order.purpose.as_str()),
                };
                let written = crate::output::table_files::export_records(
                    &self.store,
                    &self.scale,
                    &request,
                    self.clock.now(),
                )
                .map_err(|err| err.to_string())?;
                let mode = if full { "完整，已记入审计记录" } else { "去标识化" };
                let count = written.rows;
                let cut = match written.cut.as_slice() {
                    [] => String::new(),
                    [first, ..] => format!("；{first}（共 {} 处截断）", written.cut.len()),
                };
                Ok(format!("已导出 {count} 条评估到 {path}（{mode}）{cut}"))
            }
        }
    }

    /// The data directory (keys live under it).
    pub fn data_dir(&self) -> std::path::PathBuf {
        self.store.path().parent().map(std::path::Path::to_path_buf).unwrap_or_default()
    }

    fn open_export(&mut self) {
        let Screen::Editor(editor) = &self.screen else { return };
        let keys = match crate::sign::list_keys(&self.data_dir()) {
            Ok(keys) => keys,
            Err(err) => {
                self.error = Some(format!("无法读取评估员密钥：{err}"));
                Vec::new()
            }
        };
        self.export = Some(ExportDialog::new(&editor.record, keys));
    }

    fn export_ui(&mut self, ctx: &egui::Context) {
        let (Some(dialog), Screen::Editor(editor)) = (&mut self.export, &self.screen) else {
            self.export = None;
            return;
        };
        let (order, keep_open) = dialog.ui(ctx, &editor.record);
        if !keep_open {
            self.export = None;
            return;
        }
        if let Some(order) = order {
            let result = self.run_export(&order);
            if let Some(dialog) = &mut self.export {
                dialog.status = Some(result);
            }
        }
    }

    /// Renders, signs and writes the report. The message says what happened.
    fn run_export(&self, order: &ExportOrder) -> Result<String, String> {
        let Screen::Editor(editor) = &self.screen else {
            return Err("没有打开的评估".to_owned());
        };
        let dir = self.data_dir();
        let mut signers = Vec::new();
        for (i, choice) in order.signers.iter().enumerate() {
            let signer = match &choice.key {
                Some(name) => Some(
                    crate::sign::load_signer(&dir, name, &choice.passphrase)
                        .map_err(|err| format!("评估员{}：{err}", i + 1))?,
                ),
                None => None,
            };
            signers.push(signer);
        }
        // The keys must be the bound assessors' own, the names printed are the accounts'
        // registered names, and the report is in the audit trail before the file is
        // written (issue 10).
        let mut fingerprints = [None, None];
        for (slot, signer) in fingerprints.iter_mut().zip(&signers) {
            if let Some(signer) = signer {
                *slot = Some(
                    crate::sign::certificate_fingerprint(signer.certificate())
                        .map_err(|err| err.to_string())?,
                );
            }
        }
        self.store
            .check_signing_keys(editor.id, fingerprints.each_ref().map(Option::as_deref))
            .map_err(|err| err.to_string())?;
        let record = self.store.signed_record(editor.id).map_err(|err| err.to_string())?;
        let now = self.clock.now();
        let options = crate::report::ReportOptions::new(now);
        let request = crate::output::signed_report::ExportRequest {
            record: &record,
            scale: &self.scale,
            options: &options,
            resident_page: true,
            signers: [
                signers.first().and_then(Option::as_ref),
                signers.get(1).and_then(Option::as_ref),
            ],
        };
        let exported =
            crate::output::signed_report::export_report(&request).map_err(|err| err.to_string())?;
        let detail = order.path.display().to_string();
        self.store
            .log_event(crate::store::REPORT_ACTION, Some(editor.id), Some(&detail), None, now)
            .map_err(|err| format!("无法记录报告导出（未导出）：{err}"))?;
        crate::output::atomic::write_atomically(&order.path, &exported.bytes)
            .map_err(|err| format!("无法写入 {}：{err}", order.path.display()))?;
        Ok(format!(
            "已导出 {}（{} 页，{} 个数字签名）",
            order.path.display(),
            exported.pages,
            exported.signatures
        ))
    }

    fn reopen(&mut self) {
        let Screen::Editor(editor) = &mut self.screen else { return };
        let final_level = final_level(&self.scale, &editor.record);
        match self.store.save(&editor.record, Status::Draft, final_level, self.clock.now()) {
            Ok(_) => editor.status = Status::Draft,
            Err(err) => self.error = Some(format!("无法改为草稿：{err}")),
        }
    }
}

/// The final level when the record can be scored.
fn final_level(scale: &Scale, record: &AssessmentRecord) -> Option<u8> {
    score(scale, &record.answers(scale), &record.facts(scale)).ok().map(|o| o.final_level)
}
