//! 同步: the whole sync with the county server on a `sync` job
//! ([`crate::sync::run::sync_data_dir`], which opens its own store connection with the
//! database key the app's store holds), so that no frame waits for the network, a store
//! open or a key. The job's steps reach the UI thread through a shared slot and
//! `request_repaint`; at the end a notice gives the summary and the lists reload. The
//! records' sync marks ([`crate::store::SyncMarks`]: the outbox count, frozen records,
//! the county's records, pending decisions, conflicts) are read once per list load.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use chrono::{DateTime, Utc};

use crate::store::DbKey;
use crate::sync::SyncError;
use crate::sync::run::{SyncProgress, SyncSummary};

use super::super::jobs::Job;
use super::AppState;
use super::notice::Notice;
use super::screen::Screen;

/// What runs a sync for the job: [`crate::sync::run::sync_data_dir`] in the app; tests
/// pass one that reaches their plain-HTTP fake server.
pub type SyncRunner = fn(
    &Path,
    Option<DbKey>,
    &str,
    &dyn Fn() -> DateTime<Utc>,
    &mut dyn FnMut(SyncProgress),
) -> Result<SyncSummary, SyncError>;

/// A sync running on its job, with its last step.
pub(super) struct SyncRun {
    job: Job<Result<SyncSummary, SyncError>>,
    step: Arc<Mutex<Option<SyncProgress>>>,
}

impl SyncRun {
    /// What the sync is doing, in words.
    pub(super) fn what(&self) -> String {
        let step = self.step.lock().unwrap_or_else(PoisonError::into_inner).clone();
        match step {
            None => "正在连接县级服务器…".to_owned(),
            Some(SyncProgress::Queued(n)) => format!("已准备 {n} 份新评估，正在上传…"),
            Some(SyncProgress::Pushed { done, total }) => format!("正在上传 {done}/{total}"),
            Some(SyncProgress::Pulled(n)) => format!("正在接收审核结果和县内评估：已收到 {n} 条"),
        }
    }
}

/// The summary of a finished sync, in words (without the clock warning).
pub fn summary_text(summary: &SyncSummary) -> String {
    let refused: Vec<String> = summary
        .refused
        .iter()
        .map(|(_, number, reason)| {
            format!("{}：{reason}", number.as_deref().unwrap_or("（本机已无此评估）"))
        })
        .collect();
    let refused =
        if refused.is_empty() { String::new() } else { format!("（{}）", refused.join("；")) };
    let mut parts = vec![format!(
        "上传 {} 份，服务器已有 {} 份，冲突 {} 份，被拒收 {} 份{refused}，收到审核结果 {} 条，收到县内评估 {} 份",
        summary.uploaded,
        summary.duplicates,
        summary.conflicts,
        summary.refused.len(),
        summary.decisions,
        summary.envelopes
    )];
    if !summary.rejected.is_empty() {
        let rejected = summary.rejected.join("；");
        parts.push(format!("未接收 {} 项：{rejected}", summary.rejected.len()));
    }
    if summary.outbox_left > 0 {
        parts.push(format!("仍待上传 {} 项", summary.outbox_left));
    }
    parts.join("；")
}

/// The notice for a finished sync.
fn summary_notice(summary: &SyncSummary) -> Notice {
    let text = summary_text(summary);
    match &summary.clock_warning {
        Some(clock) => Notice::warning(format!("{clock}（以服务器时间为准）。同步完成：{text}")),
        None if !summary.refused.is_empty() || !summary.rejected.is_empty() => {
            Notice::warning(format!("同步完成：{text}"))
        }
        None => Notice::success(format!("同步完成：{text}")),
    }
}

impl AppState {
    /// The sync marks of the records, read when a list loads (`None` before, or when the
    /// store is not enrolled).
    pub(super) fn refresh_sync_marks(&mut self) {
        let enrolled = self.store.is_enrolled().unwrap_or(false);
        self.sync_marks = if enrolled { self.store.sync_marks().ok() } else { None };
    }

    /// Starts 同步 on a job (once; not while the store is lent to a password check).
    pub(super) fn start_sync(&mut self, ctx: &egui::Context) {
        if self.sync.is_some() || self.loan.is_some() {
            return;
        }
        let Some(actor) = self.store.current_actor() else { return };
        let dir: PathBuf = self.data_dir();
        let key = self.store.key().cloned();
        // The job's clock follows the app's (injected) clock from now on.
        let offset = self.clock.now() - Utc::now();
        let runner = self.sync_runner;
        let step = Arc::new(Mutex::new(None));
        let shared = Arc::clone(&step);
        let repaint = ctx.clone();
        let work = move |_: &super::super::jobs::CancelFlag| {
            let now = move || Utc::now() + offset;
            let mut progress = |next: SyncProgress| {
                *shared.lock().unwrap_or_else(PoisonError::into_inner) = Some(next);
                repaint.request_repaint();
            };
            runner(&dir, key, &actor.account, &now, &mut progress)
        };
        match Job::spawn(ctx, "sync", "正在同步…", work) {
            Ok(job) => self.sync = Some(SyncRun { job, step }),
            Err(err) => self.notice = Some(Notice::error(err.to_string())),
        }
    }

    /// Takes a finished sync in: the notice, then every list reloads.
    pub(super) fn poll_sync(&mut self) {
        let Some(result) = self.sync.as_mut().and_then(|run| run.job.poll()) else { return };
        self.sync = None;
        self.notice = Some(match result {
            Ok(Ok(summary)) => summary_notice(&summary),
            Ok(Err(err)) => Notice::error(format!("同步未完成：{err}")),
            Err(err) => Notice::error(format!("同步未完成：{err}；数据仍在本机，稍后可重试")),
        });
        self.reload_lists();
    }

    /// Every list and the open record's marks are read again (after a sync).
    fn reload_lists(&mut self) {
        self.refresh_sync_marks();
        match &mut self.screen {
            Screen::Home { rows, .. } => *rows = None,
            Screen::Queue(queue) => {
                queue.rows = None;
                queue.due = None;
            }
            Screen::Due(rows) => *rows = None,
            Screen::History(view) => {
                let from = view.from;
                self.history(from);
            }
            Screen::Review(view) => {
                let id = view.stored.id;
                self.open_review(id);
            }
            // A record open read-only is opened again, so that a pulled decision shows;
            // a draft being typed is never touched by a sync.
            Screen::Editor(editor) if !editor.is_editable() => {
                let id = editor.id;
                self.open(id);
            }
            Screen::Stats(stats) => stats.table = None,
            Screen::Accounts(accounts) => accounts.rows = None,
            Screen::Editor(_) | Screen::Login(_) => {}
        }
    }
}
