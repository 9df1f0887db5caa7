//! Every save of the open record, in one place, through the store writer
//! ([`crate::store::StoreWriter`]): no frame writes to the database or waits for it.
//!
//! After each frame in which the record changed, [`AppState::autosave`] hands a copy to
//! the writer thread and goes on. The writer puts it in the autosave journal within a
//! quarter of a second (at once when a pen stroke ends) and saves it with its audit rows
//! when the burst of edits ends: another field, a short idle, leaving a section or the
//! record, 完成评估 / 改为草稿, closing the app ([`AppState::shutdown`]). The status line
//! shows when the newest version reached the disk; a held database lock or a failed
//! write shows a notice while the record stays in memory, and typing goes on.
//!
//! 完成评估 and 改为草稿 change the editor's status once the writer has saved the record
//! ([`AppState::poll_pending_save`]); until then the record is shown as being saved.

use std::time::Duration;

use crate::store::{Status, StoreWriter};

use super::AppState;
use super::notice::Notice;
use super::screen::Screen;

/// How an autosave failure's notice starts (it goes away with the next good save).
const AUTOSAVE_FAILED: &str = "自动保存失败";

/// The notice while another program holds the database lock.
const LOCK_HELD: &str = "数据库正被另一个程序占用：输入的内容暂存在内存中，占用解除后自动保存";

/// A held lock is shown once it has lasted this long (a short wait is normal).
const LOCK_NOTICE_AFTER: Duration = Duration::from_millis(300);

/// A status change asked for (完成评估, 改为草稿), applied once the writer saved it.
#[derive(Debug)]
pub(super) struct PendingSave {
    ticket: u64,
    id: i64,
    status: Status,
    failure: &'static str,
}

impl AppState {
    /// Hands the open record to the store writer whenever it differs from what was handed
    /// over last; ends the burst when the section or the record changes; flushes at the
    /// end of a pen stroke. Never touches the database in the frame.
    pub(super) fn autosave(&mut self, ctx: &egui::Context) {
        if self.loan.is_some() {
            // The store (and its signed-in account) is lent to a password check.
            return;
        }
        self.start_writer(ctx);
        let Some(writer) = &self.writer else { return };
        let actor = self.store.current_actor();
        if let Screen::Editor(editor) = &mut self.screen {
            if editor.record != editor.saved {
                // Editing a returned record makes it a draft again.
                if editor.status == Status::Returned {
                    editor.status = Status::Draft;
                }
                writer.edit(&editor.record, editor.status, actor, self.clock.now());
                editor.saved = editor.record.clone();
            }
            if ctx.input(|input| input.pointer.any_released()) {
                writer.flush();
            }
            let here = (editor.id, editor.section);
            if self.burst_place.is_some_and(|place| place != here) {
                writer.commit();
            }
            self.burst_place = Some(here);
            // Where the assessor is, so that a restart (even after kill -9) resumes there.
            let place = (editor.id, editor.section, editor.item);
            if self.remembered_place != Some(place) {
                let value = format!("{} {} {}", editor.id, editor.section.code(), editor.item);
                writer.remember(self.store.last_place_key(), value);
                self.remembered_place = Some(place);
            }
        } else if self.burst_place.take().is_some() {
            // Left the record: its burst ends, and the lists show it once it is saved.
            self.refresh_after = Some(writer.commit());
        }
        self.poll_pending_save();
        self.show_writer_status();
    }

    /// Starts the writer on the first frame (it needs the context to ask for repaints).
    fn start_writer(&mut self, ctx: &egui::Context) {
        if self.writer.is_some() || self.writer_failed {
            return;
        }
        let ctx = ctx.clone();
        let waker: crate::store::Waker = Box::new(move || ctx.request_repaint());
        match StoreWriter::spawn_with_waker(&self.store, self.scale.clone(), Some(waker)) {
            Ok(writer) => self.writer = Some(writer),
            Err(err) => {
                self.writer_failed = true;
                self.notice = Some(Notice::error(format!("{AUTOSAVE_FAILED}：{err}")));
            }
        }
    }

    /// The status line and notices from what the writer reports.
    fn show_writer_status(&mut self) {
        let Some(writer) = &self.writer else { return };
        let status = writer.status();
        if status.last_written.is_some() {
            self.last_saved = status.last_written;
        }
        let held = status.busy_since.is_some_and(|since| since.elapsed() >= LOCK_NOTICE_AFTER);
        let shown = self.notice.as_ref().map(|notice| notice.text.as_str());
        if let Some(err) = &status.error {
            if shown.is_none_or(|text| !text.starts_with(AUTOSAVE_FAILED)) {
                let text = format!("{AUTOSAVE_FAILED}（内容仍在，将自动重试）：{err}");
                self.notice = Some(Notice::error(text));
            }
        } else if held {
            if shown != Some(LOCK_HELD) {
                self.notice = Some(Notice::warning(LOCK_HELD));
            }
        } else if shown.is_some_and(|text| text == LOCK_HELD || text.starts_with(AUTOSAVE_FAILED)) {
            self.notice = None;
        }
        if self.refresh_after.is_some_and(|ticket| writer.is_committed(ticket)) {
            self.refresh_after = None;
            if let Screen::Home { rows, .. } = &mut self.screen {
                *rows = None;
            }
        }
    }

    /// Saves the open record as 已完成 (after 完成评估 found nothing missing).
    pub(super) fn save_completed(&mut self) {
        self.save_with_status(Status::Completed, "无法完成评估");
    }

    /// Saves the open record as a draft again (改为草稿以修改).
    pub(super) fn save_reopened(&mut self) {
        self.save_with_status(Status::Draft, "无法改为草稿");
    }

    fn save_with_status(&mut self, status: Status, failure: &'static str) {
        let Some(writer) = &self.writer else {
            self.notice = Some(Notice::error(format!("{failure}：自动保存未能启动")));
            return;
        };
        let Screen::Editor(editor) = &mut self.screen else { return };
        writer.edit(&editor.record, status, self.store.current_actor(), self.clock.now());
        editor.saved = editor.record.clone();
        let ticket = writer.commit();
        self.pending_save = Some(PendingSave { ticket, id: editor.id, status, failure });
    }

    /// Applies a status change once the writer has saved it; a failure shows its reason
    /// and leaves the status as it was.
    pub(super) fn poll_pending_save(&mut self) {
        let (Some(pending), Some(writer)) = (&self.pending_save, &self.writer) else { return };
        if writer.is_committed(pending.ticket) {
            if let Screen::Editor(editor) = &mut self.screen
                && editor.id == pending.id
            {
                editor.status = pending.status;
            }
            self.pending_save = None;
        } else if let Some(err) = writer.status().error {
            self.notice = Some(Notice::error(format!("{}：{err}", pending.failure)));
            self.pending_save = None;
        }
    }

    /// Whether a status change waits for the writer.
    pub(super) fn is_saving(&self) -> bool {
        self.pending_save.is_some()
    }

    /// Ends the burst and stops the writer, waiting for it (closing the app; a few
    /// seconds at most while another program holds the lock).
    pub fn shutdown(&mut self) {
        if let Some(writer) = self.writer.take() {
            writer.shutdown();
        }
    }

    /// Ends the burst and waits (bounded by `timeout`) until the writer has saved it:
    /// for tests and for work that reads the record back from the database. Returns
    /// whether it was saved.
    pub fn wait_for_saves(&mut self, timeout: Duration) -> bool {
        let Some(writer) = &self.writer else { return true };
        let ticket = writer.commit();
        let deadline = std::time::Instant::now() + timeout;
        while !writer.is_committed(ticket) {
            if std::time::Instant::now() >= deadline {
                return false;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        self.poll_pending_save();
        true
    }
}
