//! Handlers for one elder's records: create, open (editor or review), the last-open
//! record, 完成评估 and 改为草稿, 提交审核, the history (with its returns) and 发起复评.

use crate::record::AssessmentRecord;
use crate::store::{Status, StoreError, StoredAssessment};

use super::super::history::HistoryView;
use super::super::wizard::{Editor, Section};
use super::AppState;
use super::notice::Notice;
use super::screen::Screen;

impl AppState {
    /// Shows `what: err` as an error notice.
    pub(super) fn fail(&mut self, what: &str, err: &StoreError) {
        self.notice = Some(Notice::error(format!("{what}：{err}")));
    }

    pub(super) fn reopen_last(&mut self) {
        match self.store.last_open() {
            Ok(Some(id)) => self.open(id),
            Ok(None) => {}
            Err(err) => self.fail("无法读取上次打开的评估", &err),
        }
    }

    pub(super) fn create(&mut self) {
        let today = self.clock.today();
        let number = match self.store.next_number(today) {
            Ok(number) => number,
            Err(err) => return self.fail("无法生成评估编号", &err),
        };
        let mut record = AssessmentRecord::new(number, today);
        // The signed-in assessor is usually assessor 1 (the name can still be changed).
        if let Some(actor) = self.store.current_actor().filter(|actor| actor.role.can_assess()) {
            record.signatures.assessor1.name = actor.display_name;
        }
        match self.store.save(&record, Status::Draft, None, self.clock.now()) {
            Ok(id) => self.open(id),
            Err(err) => self.fail("无法新建评估", &err),
        }
    }

    pub(super) fn open(&mut self, id: i64) {
        match self.store.load(id) {
            Ok(Some(stored)) => self.edit(stored),
            Ok(None) => {
                let _ = self.store.set_last_open(None);
            }
            Err(err) => self.fail("无法打开评估", &err),
        }
    }

    /// Shows `stored` in the editor (read-only unless a draft) and remembers it as open.
    pub(super) fn edit(&mut self, stored: StoredAssessment) {
        let id = stored.id;
        let returned = stored.review_reason.filter(|_| stored.status == Status::Returned);
        let mut editor = Editor::new(id, stored.status, stored.record, self.clock.now());
        // Resume where the assessor was in this record (section and item).
        if let Ok(Some(place)) = self.store.last_place(id) {
            let mut parts = place.split(' ');
            let section = parts.next().and_then(|code| Section::from_code(code, &self.scale));
            let item = parts.next().and_then(|item| item.parse::<usize>().ok());
            if let Some(section) = section {
                editor.go_to(&self.scale, section);
                let fits = |item: &usize| match section {
                    Section::Domain(d) => self.scale.domains()[d].item_range().contains(item),
                    _ => *item < self.scale.items().len(),
                };
                if let Some(item) = item.filter(fits) {
                    editor.item = item;
                }
            }
        }
        editor.returned_reason = returned;
        self.refresh_sync_marks();
        let number = editor.record.info.number.clone();
        editor.sync_hold =
            super::super::sync_view::SyncHold::of(self.sync_marks.as_ref(), id, &number);
        editor.can_submit = self.store.current_actor().is_some_and(|actor| actor.role.can_assess());
        editor.binding = self.assessor_binding(id);
        self.screen = Screen::Editor(Box::new(editor));
        if let Err(err) = self.store.set_last_open(Some(id)) {
            self.fail("无法记录打开的评估", &err);
        }
    }

    pub(super) fn go_home(&mut self) {
        self.screen = Screen::home();
        if let Err(err) = self.store.set_last_open(None) {
            self.fail("无法更新打开的评估", &err);
        }
    }

    /// 完成评估: refused, with every problem listed, while the record is incomplete.
    pub(super) fn complete(&mut self) {
        let Screen::Editor(editor) = &mut self.screen else { return };
        let issues: Vec<_> =
            editor.record.validate(&self.scale).into_iter().filter(|i| i.blocking).collect();
        if !issues.is_empty() {
            editor.issues = issues;
            return;
        }
        editor.issues.clear();
        self.save_completed();
    }

    /// 改为草稿以修改.
    pub(super) fn reopen(&mut self) {
        self.save_reopened();
    }

    /// 提交审核 for a completed record.
    pub(super) fn submit(&mut self) {
        let Screen::Editor(editor) = &mut self.screen else { return };
        let Some(actor) = self.store.current_actor() else {
            self.notice = Some(Notice::error("提交审核需要先登录"));
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
            Err(err) => self.fail("无法提交审核", &err),
        }
    }

    /// 历史评估 of the elder of record `id`.
    pub(super) fn history(&mut self, id: i64) {
        let found =
            self.store.history_of(id).and_then(|rows| Ok((rows, self.store.returns_of(id)?)));
        match found {
            Ok((rows, returns)) => {
                self.screen = Screen::History(HistoryView { rows, from: id, returns });
            }
            Err(err) => self.fail("无法读取历史评估", &err),
        }
    }

    /// Opens record `id` from the history: for review when it is submitted and the
    /// signed-in account reviews, otherwise in the editor (read-only unless a draft).
    pub(super) fn open_any(&mut self, id: i64) {
        let reviews = self.store.current_actor().is_some_and(|actor| actor.role.can_review());
        match self.store.load(id) {
            Ok(Some(stored)) if reviews && stored.status == Status::Submitted => {
                self.review(stored);
            }
            Ok(Some(stored)) => self.edit(stored),
            Ok(None) => self.notice = Some(Notice::error("该评估已不存在")),
            Err(err) => self.fail("无法打开评估", &err),
        }
    }

    /// 发起复评: a new draft linked to approved record `of`, with Annex A copied.
    pub(super) fn reassess(&mut self, of: i64) {
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
}
