//! 导出 PDF… and 导出表格… as background jobs. Each export goes through the same stages:
//!
//! 0. For a PDF signed by an assessor other than the signed-in one (评估员N本人登录签名),
//!    their account password is checked first, with the store lent to a job
//!    (`store_loan`), as binding an assessor does.
//! 1. **Prepare** on a job: for the PDF, unlock the keys this session does not hold yet
//!    (scrypt; each account's own key, checked against the account bound to its slot),
//!    render the report and sign it; for a records table, encode the rows as CSV or XLSX.
//! 2. **Record** in the frame: the steps that need the app's store connection and are one
//!    short query each — the report's audit row (the keys just unlocked go into the
//!    session's cache, [`super::session_keys`]), or a full export's audit row. The audit
//!    row is written before the file, as before; nothing is written if this fails.
//! 3. **Write** on a job: the atomic write (temp file, fsync, rename).
//!
//! The records to print or export are read from the store when 保存 is pressed (one
//! query; the store connection cannot go to another thread). Closing the window drops the
//! running job: a preparation is cancelled and nothing is written; a write already started
//! finishes.

use std::path::{Path, PathBuf};

use crate::output::table_files::{TableExportError, TableFormat};
use crate::scale::Scale;
use crate::tables::Privacy;

use super::super::dialogs::export_pdf::{AccountSlot, ExportDialog, ExportOrder, SignChoice};
use super::super::dialogs::table_export::{TableContent, TableExportDialog, TableExportOrder};
use super::super::jobs::{CancelFlag, Job};
use super::AppState;
use super::notice::Notice;
use super::pdf_job::{CANCELLED, PdfInput, PreparedPdf, prepare_pdf};
use super::screen::Screen;
use super::store_loan::LoanTask;

/// Where an export is.
enum Stage<P> {
    /// Preparing the file's bytes on a job.
    Preparing(Job<Result<P, String>>),
    /// Writing the file on a job; the message says what was written.
    Writing(Job<Result<String, String>>),
}

impl<P> Stage<P> {
    fn what(&self) -> &str {
        match self {
            Self::Preparing(job) => job.what(),
            Self::Writing(job) => job.what(),
        }
    }
}

/// The 导出 PDF… window and its running export.
pub(super) struct PdfExport {
    pub(super) dialog: ExportDialog,
    stage: Option<Stage<PreparedPdf>>,
    /// An order whose co-signer was confirmed, to start in the next poll.
    confirmed: Option<ExportOrder>,
    /// Reading the slots' key files (has a key, practice certificate only).
    keys: Option<Job<[(bool, bool); 2]>>,
}

impl PdfExport {
    pub(super) fn is_busy(&self) -> bool {
        self.stage.is_some() || self.confirmed.is_some() || self.keys.is_some()
    }
}

/// The 导出表格… window and its running export.
pub(super) struct TableExport {
    pub(super) dialog: TableExportDialog,
    stage: Option<Stage<EncodedTable>>,
}

impl TableExport {
    pub(super) fn is_busy(&self) -> bool {
        self.stage.is_some()
    }
}

/// An encoded records table, not written yet.
struct EncodedTable {
    order: TableExportOrder,
    rows: usize,
    encoded: crate::tables::Encoded,
}

/// What the windows asked for this frame.
#[derive(Default)]
pub(super) struct Orders {
    pdf: Option<ExportOrder>,
    table: Option<TableExportOrder>,
}

impl AppState {
    pub(super) fn open_export(&mut self, ctx: &egui::Context) {
        let Screen::Editor(editor) = &self.screen else { return };
        let dir = self.data_dir();
        if self.store.has_accounts().unwrap_or(false) {
            let bound = match self.store.assessor_accounts_of(editor.id) {
                Ok(bound) => bound,
                Err(err) => {
                    self.notice = Some(Notice::error(format!("无法读取评估员账号：{err}")));
                    [None, None]
                }
            };
            let me = self.store.current_actor().map(|actor| actor.account);
            // The key files are read on a job; until then a slot is taken to have a key.
            let logins = bound.clone();
            let read_keys = move |_: &CancelFlag| {
                logins.map(|login| {
                    let key = login
                        .as_deref()
                        .and_then(|l| crate::sign::account_key(&dir, l).ok().flatten());
                    (key.is_some(), key.as_ref().is_some_and(|k| k.issuer.is_none()))
                })
            };
            let keys = Job::spawn(ctx, "pdf-keys", "正在读取评估员密钥…", read_keys).ok();
            let slots = bound.map(|login| {
                let mine = login.is_some() && login == me;
                let unlocked = login.as_deref().is_some_and(|l| self.session_keys.has(l));
                AccountSlot::new(login, mine, unlocked, true)
            });
            let dialog =
                ExportDialog::for_accounts(&editor.record, slots, self.prefs.export_dir.as_deref());
            self.export = Some(PdfExport { dialog, stage: None, confirmed: None, keys });
            return;
        }
        let keys = match crate::sign::list_keys(&dir) {
            Ok(keys) => keys,
            Err(err) => {
                self.notice = Some(Notice::error(format!("无法读取评估员密钥：{err}")));
                Vec::new()
            }
        };
        let dialog = ExportDialog::new(&editor.record, keys, self.prefs.export_dir.as_deref());
        self.export = Some(PdfExport { dialog, stage: None, confirmed: None, keys: None });
    }

    /// The session's key derivations so far (a test hook, see [`super::session_keys`]).
    pub fn key_derivations(&self) -> usize {
        self.session_keys.derivations()
    }

    /// The other assessor's password was checked: the export goes on (next poll), or the
    /// window says why not (nothing is lost: the window keeps what was typed).
    pub(super) fn cosigner_confirmed(
        &mut self,
        result: Result<crate::review::Actor, crate::store::StoreError>,
        order: ExportOrder,
    ) {
        let Some(export) = &mut self.export else { return };
        match result {
            Ok(_) => export.confirmed = Some(order),
            Err(err) => export.dialog.status = Some(Err(format!("另一位评估员登录失败：{err}"))),
        }
    }

    /// Starts the PDF export of `order`, whose co-signer (if any) has been confirmed.
    fn start_confirmed_pdf(&mut self, ctx: &egui::Context, order: ExportOrder) {
        let stage = self.start_pdf(ctx, order);
        if let Some(export) = &mut self.export {
            match stage {
                Ok(stage) => export.stage = Some(stage),
                Err(message) => export.dialog.status = Some(Err(message)),
            }
        }
    }

    pub(super) fn open_table_export(&mut self, content: TableContent) {
        let allow_full = self.may_export_full();
        let dialog = TableExportDialog::new(content, allow_full, self.clock.today());
        self.table_export = Some(TableExport { dialog, stage: None });
    }

    /// Whether the signed-in account may export names and ID numbers: reviewers and
    /// admins, or anyone on a machine without accounts.
    fn may_export_full(&self) -> bool {
        match self.store.current_actor() {
            Some(actor) => actor.role.can_review(),
            None => !self.store.has_accounts().unwrap_or(true),
        }
    }

    /// Draws the open windows (with their jobs' progress); returns what they asked for.
    /// A closed window drops its job.
    pub(super) fn dialogs_ui(&mut self, ctx: &egui::Context) -> Orders {
        let mut orders = Orders::default();
        if let (Some(export), Screen::Editor(editor)) = (&mut self.export, &self.screen) {
            let checking = (self.loan.is_some() || export.confirmed.is_some())
                .then_some("正在核对另一位评估员的登录密码…");
            let busy = export.stage.as_ref().map(Stage::what).or(checking);
            let (order, keep_open) = export.dialog.ui(ctx, &editor.record, busy);
            orders.pdf = order;
            if !keep_open {
                self.export = None;
            }
        } else {
            self.export = None;
        }
        if let Some(export) = &mut self.table_export {
            let busy = export.stage.as_ref().map(Stage::what);
            let (order, keep_open) = export.dialog.ui(ctx, busy);
            orders.table = order;
            if !keep_open {
                self.table_export = None;
            }
        }
        orders
    }

    /// Starts the exports the windows asked for.
    pub(super) fn start_exports(&mut self, ctx: &egui::Context, orders: Orders) {
        if let Some(order) = orders.pdf {
            // The other assessor signs in first: their password, on a job with the store.
            let cosigner = order.signers.iter().find_map(|choice| match choice {
                SignChoice::Account { login, password: Some(password), .. } => {
                    Some((login.clone(), password.clone()))
                }
                _ => None,
            });
            match cosigner {
                Some((login, password)) => {
                    let what = format!("正在核对账号 {login} 的登录密码…");
                    self.lend_store(ctx, &what, LoanTask::Cosign { login, password, order });
                }
                None => self.start_confirmed_pdf(ctx, order),
            }
        }
        if let Some(order) = orders.table {
            let stage = self.start_table(ctx, order);
            if let Some(export) = &mut self.table_export {
                match stage {
                    Ok(stage) => export.stage = Some(stage),
                    Err(message) => export.dialog.status = Some(Err(message)),
                }
            }
        }
    }

    /// Moves finished jobs to their next stage, or shows their result. Waits while a
    /// password check has the store (stage 2 needs it).
    pub(super) fn poll_exports(&mut self, ctx: &egui::Context) {
        if let Some(export) = &mut self.export
            && let Some(job) = &mut export.keys
            && let Some(result) = job.poll()
        {
            export.keys = None;
            if let Ok(keys) = result {
                export.dialog.set_account_keys(keys);
            }
        }
        if self.loan.is_some() {
            return;
        }
        if let Some(order) = self.export.as_mut().and_then(|e| e.confirmed.take()) {
            self.start_confirmed_pdf(ctx, order);
        }
        if let Some(polled) =
            self.export.as_mut().and_then(|e| e.stage.as_mut()).and_then(poll_stage)
        {
            let next = match polled {
                Polled::Prepared(prepared) => self.record_pdf(ctx, prepared),
                Polled::Done(result) => Err(result),
            };
            if let Some(export) = &mut self.export {
                settle(&mut export.stage, &mut export.dialog.status, next);
                // Written: the window closes, the app says so, the folder is remembered.
                if let Some(Ok(message)) = &export.dialog.status {
                    self.notice = Some(Notice::success(message.clone()));
                    self.prefs.export_dir = Some(export.dialog.dir().to_path_buf());
                    self.export = None;
                }
            }
            // The window grows to the new status line (or goes) in the next frame.
            ctx.request_repaint();
        }
        if let Some(polled) =
            self.table_export.as_mut().and_then(|e| e.stage.as_mut()).and_then(poll_stage)
        {
            let next = match polled {
                Polled::Prepared(encoded) => self.record_table(ctx, encoded),
                Polled::Done(result) => Err(result),
            };
            if let Some(export) = &mut self.table_export {
                settle(&mut export.stage, &mut export.dialog.status, next);
            }
            ctx.request_repaint();
        }
    }

    /// Stage 1 of 导出 PDF…: reads the record to print, then unlocks, renders and signs on
    /// a job.
    fn start_pdf(
        &mut self,
        ctx: &egui::Context,
        order: ExportOrder,
    ) -> Result<Stage<PreparedPdf>, String> {
        let Screen::Editor(editor) = &self.screen else {
            return Err("没有打开的评估".to_owned());
        };
        let record_id = editor.id;
        // The record with the bound assessors' registered names, read in this frame: one
        // query on the app's store connection, which cannot go to another thread.
        let record = self.store.signed_record(record_id).map_err(|err| err.to_string())?;
        let accounts = if self.store.has_accounts().map_err(|err| err.to_string())? {
            Some(self.store.assessor_accounts_of(record_id).map_err(|err| err.to_string())?)
        } else {
            None
        };
        let cached = order.signers.each_ref().map(|choice| match choice {
            SignChoice::Account { login, .. } => self.session_keys.get(login),
            _ => None,
        });
        let dir = self.data_dir();
        let scale = self.scale.clone();
        let now = self.clock.now();
        let job = Job::spawn(
            ctx,
            "pdf-export",
            "正在导出 PDF：解锁密钥、生成报告并签名…",
            move |cancel| {
                let input =
                    PdfInput { dir, scale, record, record_id, order, now, accounts, cached };
                prepare_pdf(&input, cancel)
            },
        )
        .map_err(|err| err.to_string())?;
        Ok(Stage::Preparing(job))
    }

    /// Stage 2 of 导出 PDF…: the keys just unlocked join the session's cache, and the report
    /// is in the audit trail before the file is written (issue 10); then the write job.
    fn record_pdf(
        &mut self,
        ctx: &egui::Context,
        prepared: PreparedPdf,
    ) -> Result<Stage<PreparedPdf>, Result<String, String>> {
        let PreparedPdf { record_id, path, bytes, pages, signatures, unlocked } = prepared;
        for signer in unlocked {
            self.session_keys.insert(signer);
        }
        let keys = &self.session_keys;
        if let Some(export) = &mut self.export {
            export.dialog.mark_unlocked(|login| keys.has(login));
        }
        let detail = path.display().to_string();
        self.store
            .log_event(
                crate::store::REPORT_ACTION,
                Some(record_id),
                Some(&detail),
                None,
                self.clock.now(),
            )
            .map_err(|err| Err(format!("无法记录报告导出（未导出）：{err}")))?;
        if signatures >= 2 {
            // The fully signed report is what the record's sync envelope carries.
            self.store
                .store_report(record_id, &bytes, self.clock.now())
                .map_err(|err| Err(format!("无法保存已签名的报告（未导出）：{err}")))?;
        }
        let message = format!("已导出 {detail}（{pages} 页，{signatures} 个数字签名）");
        let failed =
            |path: &Path, err: std::io::Error| format!("无法写入 {}：{err}", path.display());
        spawn_write(ctx, path, bytes, message, failed).map(Stage::Writing).map_err(Err)
    }

    /// Stage 1 of 导出表格…: the statistics table is encoded and written on one job; the
    /// records are read in this frame and encoded on a job.
    fn start_table(
        &mut self,
        ctx: &egui::Context,
        order: TableExportOrder,
    ) -> Result<Stage<EncodedTable>, String> {
        let Some(export) = &self.table_export else {
            return Err("导出窗口已关闭".to_owned());
        };
        let path = order.path.clone();
        match &export.dialog.content {
            TableContent::Stats(table) => {
                let table = table.clone();
                let job = Job::spawn(ctx, "table-export", "正在导出统计表…", move |_| {
                    crate::output::table_files::export_stats(&table, &path)
                        .map(|()| format!("已导出统计表 {}", path.display()))
                        .map_err(|err| err.to_string())
                })
                .map_err(|err| err.to_string())?;
                Ok(Stage::Writing(job))
            }
            TableContent::Records => {
                if order.privacy == Privacy::Full && !self.may_export_full() {
                    return Err("完整导出仅限审核员和管理员".to_owned());
                }
                let format = TableFormat::of(&path).map_err(|err| err.to_string())?;
                // The rows are read in this frame: the app's store connection cannot go to
                // another thread. Scoring, encoding and writing them do not wait here.
                let rows = self
                    .store
                    .export_rows(&self.scale, order.approved_only)
                    .map_err(|err| TableExportError::Read(err).to_string())?;
                let scale = self.scale.clone();
                let job =
                    Job::spawn(ctx, "table-export", "正在导出评估记录…", move |cancel| {
                        encode_table(order, format, &rows, &scale, cancel)
                    })
                    .map_err(|err| err.to_string())?;
                Ok(Stage::Preparing(job))
            }
        }
    }

    /// Stage 2 of a records export: a full export's audit row, then the write job.
    fn record_table(
        &mut self,
        ctx: &egui::Context,
        table: EncodedTable,
    ) -> Result<Stage<EncodedTable>, Result<String, String>> {
        let EncodedTable { order, rows, encoded } = table;
        let full = order.privacy == Privacy::Full;
        let path = order.path;
        if full {
            let detail = format!("{rows} 条，{}", path.display());
            self.store
                .record_full_export(&detail, Some(order.purpose.as_str()), self.clock.now())
                .map_err(|err| Err(TableExportError::Audit(err).to_string()))?;
        }
        let mode = if full { "完整，已记入审计记录" } else { "去标识化" };
        let cut = match encoded.cut.as_slice() {
            [] => String::new(),
            [first, ..] => format!("；{first}（共 {} 处截断）", encoded.cut.len()),
        };
        let message = format!("已导出 {rows} 条评估到 {}（{mode}）{cut}", path.display());
        let failed = |path: &Path, source: std::io::Error| {
            TableExportError::Write { path: path.to_path_buf(), source }.to_string()
        };
        spawn_write(ctx, path, encoded.bytes, message, failed).map(Stage::Writing).map_err(Err)
    }
}

/// A stage's finished job.
enum Polled<P> {
    Prepared(P),
    /// The export ended: what it wrote, or why nothing was written.
    Done(Result<String, String>),
}

fn poll_stage<P>(stage: &mut Stage<P>) -> Option<Polled<P>> {
    match stage {
        Stage::Preparing(job) => Some(match job.poll()? {
            Ok(Ok(prepared)) => Polled::Prepared(prepared),
            Ok(Err(message)) => Polled::Done(Err(message)),
            Err(err) => Polled::Done(Err(err.to_string())),
        }),
        Stage::Writing(job) => Some(Polled::Done(match job.poll()? {
            Ok(result) => result,
            Err(err) => Err(err.to_string()),
        })),
    }
}

/// Puts the next stage in place, or ends the export with its result in the window.
fn settle<P>(
    stage: &mut Option<Stage<P>>,
    status: &mut Option<Result<String, String>>,
    next: Result<Stage<P>, Result<String, String>>,
) {
    *stage = None;
    match next {
        Ok(next) => *stage = Some(next),
        // A preparation stopped because its window closed says nothing.
        Err(Err(message)) if message == CANCELLED => {}
        Err(result) => *status = Some(result),
    }
}

/// Writes `bytes` to `path` atomically on a job; `message` is the result once written.
fn spawn_write(
    ctx: &egui::Context,
    path: PathBuf,
    bytes: Vec<u8>,
    message: String,
    failed: fn(&Path, std::io::Error) -> String,
) -> Result<Job<Result<String, String>>, String> {
    Job::spawn(ctx, "export-write", "正在写入文件…", move |_| {
        crate::output::atomic::write_atomically(&path, &bytes)
            .map(|()| message)
            .map_err(|err| failed(&path, err))
    })
    .map_err(|err| err.to_string())
}

/// Encodes the records as the order's format (on the table job).
fn encode_table(
    order: TableExportOrder,
    format: TableFormat,
    rows: &[crate::tables::ExportRow],
    scale: &Scale,
    cancel: &CancelFlag,
) -> Result<EncodedTable, String> {
    if cancel.is_cancelled() {
        return Err(CANCELLED.to_owned());
    }
    let encoded = match format {
        TableFormat::Csv => crate::tables::to_csv(rows, order.privacy, scale),
        TableFormat::Xlsx => crate::tables::to_xlsx(rows, order.privacy, scale)
            .map_err(|err| TableExportError::Encode(err).to_string())?,
    };
    Ok(EncodedTable { order, rows: rows.len(), encoded })
}
