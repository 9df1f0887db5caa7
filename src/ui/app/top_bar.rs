//! The top bar: the title, text size and theme, who is signed in (退出登录), when the
//! record was last saved, a running password check, and the notice line.

use egui::{RichText, Ui};

use super::super::review::LoginForm;
use super::super::theme;
use super::AppState;
use super::prefs::zoom_step;
use super::screen::Screen;

impl AppState {
    pub(super) fn top_bar_ui(&mut self, ui: &mut Ui) {
        let mut logout = false;
        egui::Panel::top("top").show(ui, |ui| {
            // In a narrow window the standard's number and the 字号 caption give way to
            // the controls.
            let wide = ui.available_width() >= 700.0;
            ui.horizontal_wrapped(|ui| {
                let title = RichText::new("老年人能力评估").strong();
                ui.label(if wide { title.heading() } else { title });
                if wide {
                    ui.label(RichText::new(self.scale.standard()).small());
                    ui.separator();
                    ui.label("字号");
                }
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
                let theme_text = match (self.prefs.dark, wide) {
                    (true, true) => "浅色主题",
                    (false, true) => "深色主题",
                    (true, false) => "浅色",
                    (false, false) => "深色",
                };
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
                    // One piece: it moves to the next line rather than breaking.
                    let text = RichText::new(format!("已自动保存 {}", local.format("%H:%M:%S")));
                    ui.add(egui::Label::new(text.small().color(theme::OK)).extend());
                }
            });
            // The sign-in form shows its own progress under its button.
            if let Some(job) = &self.loan
                && !matches!(self.screen, Screen::Login(_))
            {
                job.progress_ui(ui);
            }
            if let Some(notice) = &self.notice
                && notice.ui(ui)
            {
                self.notice = None;
            }
        });
        if logout {
            self.logout();
        }
    }

    /// Signs out: the open record is handed to the store writer as the account that
    /// typed it and its burst ends (the lists wait for that save), the windows close,
    /// the notice goes, and the sign-in screen (or, for an encrypted store, the sign-in
    /// before it opens) comes back. The next account starts on its own list: the record
    /// last open is remembered per account (see [`crate::store::Store::last_open`]).
    pub(super) fn logout(&mut self) {
        if let (Screen::Editor(editor), Some(writer)) = (&mut self.screen, &self.writer) {
            if editor.record != editor.saved {
                let actor = self.store.current_actor();
                writer.edit(&editor.record, editor.status, actor, self.clock.now());
                editor.saved = editor.record.clone();
            }
            self.refresh_after = Some(writer.commit());
            self.burst_place = None;
        }
        self.store.logout();
        // The unlocked keys go with the session (each wipes its private key on drop).
        self.session_keys.clear();
        self.export = None;
        self.table_export = None;
        self.notice = None;
        self.screen = Screen::Login(LoginForm::default());
    }
}
