//! What a screen asks for in a frame, as one [`Command`] enum, and the one place where
//! commands are applied ([`AppState::apply`]), after the frame is drawn.

use super::super::accounts::AccountsAction;
use super::super::dialogs::table_export::TableContent;
use super::super::home::HomeAction;
use super::super::review::ReviewDecision;
use super::super::wizard::WizardCommand;
use super::AppState;
use super::screen::Screen;

/// What the user asked for this frame.
pub(super) enum Command {
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

impl AppState {
    /// Carries out `command`, and asks for the next frame to show what it changed (a
    /// screen, a window). Nothing is done while a password check has the store (the
    /// screens show its progress meanwhile).
    pub(super) fn apply(&mut self, command: Command, ctx: &egui::Context) {
        if self.loan.is_some() {
            return;
        }
        ctx.request_repaint();
        match command {
            Command::Home(HomeAction::Create) => self.create(),
            Command::Home(HomeAction::Open(id)) => self.open(id),
            Command::Home(HomeAction::History(id)) | Command::History(id) => self.history(id),
            Command::Home(HomeAction::ExportTable) => self.open_table_export(TableContent::Records),
            Command::Home(HomeAction::Sync) => self.start_sync(ctx),
            Command::ExportStats(table) => self.open_table_export(TableContent::Stats(table)),
            Command::OpenReview(id) => self.open_review(id),
            Command::OpenAny(id) => self.open_any(id),
            Command::Reassess(id) => self.reassess(id),
            Command::Login => self.login(ctx),
            Command::Accounts(action) => self.manage_accounts(&action, ctx),
            Command::Decide(decision) => self.decide(decision),
            Command::Wizard(command) => match command {
                WizardCommand::GoHome => self.go_home(),
                WizardCommand::Complete => self.complete(),
                WizardCommand::Reopen => self.reopen(),
                WizardCommand::OpenExport => self.open_export(ctx),
                WizardCommand::Submit => self.submit(),
                WizardCommand::BindAssessor(slot) => self.bind_assessor(slot, ctx),
                WizardCommand::OpenOther(id) => self.open(id),
                WizardCommand::Reassess(id) => self.reassess(id),
                WizardCommand::DeleteDraft => self.delete_open_draft(),
                WizardCommand::History => {
                    if let Screen::Editor(editor) = &self.screen {
                        self.history(editor.id);
                    }
                }
            },
        }
    }
}
