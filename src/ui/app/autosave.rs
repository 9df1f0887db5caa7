//! Every save of the open record, in one place: the save after each frame in which the
//! record changed ([`AppState::autosave`]), 完成评估's save and 改为草稿's save. They run
//! on the UI thread today; a store-writer thread can take them over behind these three
//! functions.

use crate::assessment::score;
use crate::record::AssessmentRecord;
use crate::scale::Scale;
use crate::store::{Status, StoreError};

use super::AppState;
use super::notice::Notice;
use super::screen::Screen;

/// How an autosave failure's notice starts (it goes away with the next good save).
const AUTOSAVE_FAILED: &str = "自动保存失败";

impl AppState {
    /// Saves the open record whenever it differs from what was last saved. Called after
    /// every frame, so every change reaches the database in the frame it was made. Waits
    /// (the record stays changed in memory) while a password check has the store.
    pub(super) fn autosave(&mut self, ctx: &egui::Context) {
        if self.loan.is_some() {
            return;
        }
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
                if self.notice.as_ref().is_some_and(|n| n.text.starts_with(AUTOSAVE_FAILED)) {
                    self.notice = None;
                }
            }
            Err(err) => {
                // The record stays in memory; try again in a second.
                self.notice = Some(Notice::error(format!(
                    "{AUTOSAVE_FAILED}（内容仍在，将自动重试）：{err}"
                )));
                ctx.request_repaint_after(std::time::Duration::from_secs(1));
            }
        }
    }

    /// Saves the open record as 已完成 (after 完成评估 found nothing missing).
    pub(super) fn save_completed(&mut self) -> Result<(), StoreError> {
        let Screen::Editor(editor) = &mut self.screen else { return Ok(()) };
        let final_level = final_level(&self.scale, &editor.record);
        self.store.save(&editor.record, Status::Completed, final_level, self.clock.now())?;
        editor.status = Status::Completed;
        editor.saved = editor.record.clone();
        Ok(())
    }

    /// Saves the open record as a draft again (改为草稿以修改).
    pub(super) fn save_reopened(&mut self) -> Result<(), StoreError> {
        let Screen::Editor(editor) = &mut self.screen else { return Ok(()) };
        let final_level = final_level(&self.scale, &editor.record);
        self.store.save(&editor.record, Status::Draft, final_level, self.clock.now())?;
        editor.status = Status::Draft;
        Ok(())
    }
}

/// The final level when the record can be scored.
fn final_level(scale: &Scale, record: &AssessmentRecord) -> Option<u8> {
    score(scale, &record.answers(scale), &record.facts(scale)).ok().map(|o| o.final_level)
}
