//! The same elder twice: when a draft's ID number (A.2.8) is complete and valid, the
//! elder's other assessments are looked up on a `same-elder` job, through a read-only
//! connection of its own ([`crate::store::Store::read_only_opener`]), so that no frame
//! waits for the disk; the wizard shows what was found ([`SameElder`]). 删除草稿 waits
//! for the store writer to save what it holds of the draft, then deletes it through the
//! store (confirmed in the wizard, audited and refused for others' drafts by the store).

use crate::store::{Status, StoreError, Summary};

use super::super::jobs::Job;
use super::super::wizard::SameElder;
use super::AppState;
use super::notice::Notice;
use super::screen::Screen;

/// A lookup running for an ID number of an open record.
pub(super) struct Lookup {
    /// The open record's row id.
    record: i64,
    /// The normalised ID number looked up.
    id_number: String,
    job: Job<Result<Vec<Summary>, StoreError>>,
}

/// 删除草稿 waiting for the writer's save of the draft.
pub(super) struct PendingDelete {
    ticket: u64,
    id: i64,
    number: String,
}

impl AppState {
    /// Takes a finished lookup into the editor, and starts one when the draft's ID
    /// number is valid and was not looked up yet.
    pub(super) fn check_same_elder(&mut self, ctx: &egui::Context) {
        let typed = match &self.screen {
            Screen::Editor(editor) if matches!(editor.status, Status::Draft | Status::Returned) => {
                editor.record.subject.id_number().map(|number| number.as_str().to_owned())
            }
            _ => None,
        };
        let finished = self.lookup.as_mut().and_then(|lookup| lookup.job.poll());
        if let Some(result) = finished
            && let Some(lookup) = self.lookup.take()
            && let Screen::Editor(editor) = &mut self.screen
            && typed.as_deref() == Some(lookup.id_number.as_str())
            && editor.id == lookup.record
        {
            // A failed lookup shows nothing: the warning is a help, not a check.
            let rows = result.ok().and_then(Result::ok).unwrap_or_default();
            let rows = rows.into_iter().filter(|row| row.id != editor.id).collect();
            editor.same_elder = Some(SameElder { id_number: lookup.id_number, rows });
        }
        let Screen::Editor(editor) = &mut self.screen else { return };
        let Some(id_number) = typed else {
            editor.same_elder = None;
            return;
        };
        let known = editor.same_elder.as_ref().is_some_and(|found| found.id_number == id_number);
        let running = self
            .lookup
            .as_ref()
            .is_some_and(|lookup| lookup.id_number == id_number && lookup.record == editor.id);
        if known || running {
            return;
        }
        editor.same_elder = None;
        let Ok(open) = self.store.read_only_opener() else { return };
        let (number, id) = (id_number.clone(), editor.id);
        let work = move |_: &super::super::jobs::CancelFlag| {
            let store = open()?;
            // A 复评 or a correction is meant to have earlier assessments: nothing to warn of.
            if store.load(id)?.is_some_and(|stored| stored.supersedes.is_some()) {
                return Ok(Vec::new());
            }
            store.history(&number)
        };
        if let Ok(job) = Job::spawn(ctx, "same-elder", "正在查找该老人的其他评估…", work)
        {
            self.lookup = Some(Lookup { record: id, id_number, job });
        }
    }

    /// 删除草稿 (confirmed in the wizard): back to the list; the draft is deleted once
    /// the writer has saved what it holds of it, so that no later save brings it back.
    pub(super) fn delete_open_draft(&mut self) {
        let Screen::Editor(editor) = &self.screen else { return };
        let (id, number) = (editor.id, editor.record.info.number.clone());
        let ticket = self.writer.as_ref().map(crate::store::StoreWriter::commit);
        self.go_home();
        match ticket {
            Some(ticket) => self.pending_delete = Some(PendingDelete { ticket, id, number }),
            None => self.delete_draft_now(id, &number),
        }
    }

    /// Deletes the draft waiting for the writer, once its save is done.
    pub(super) fn poll_pending_delete(&mut self) {
        let (Some(pending), Some(writer)) = (&self.pending_delete, &self.writer) else { return };
        if !writer.is_committed(pending.ticket) {
            return;
        }
        if let Some(pending) = self.pending_delete.take() {
            self.delete_draft_now(pending.id, &pending.number);
        }
    }

    fn delete_draft_now(&mut self, id: i64, number: &str) {
        match self.store.delete_draft_at(id, self.clock.now()) {
            Ok(()) => self.notice = Some(Notice::success(format!("已删除草稿 {number}"))),
            Err(err) => self.fail("无法删除草稿", &err),
        }
        if let Screen::Home { rows, .. } = &mut self.screen {
            *rows = None;
        }
    }
}
