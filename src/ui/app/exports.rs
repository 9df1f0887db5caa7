//! 导出 PDF… and 导出表格… as background jobs. Each export goes through the same stages:
//!
//! 1. **Prepare** on a job: for the PDF, unlock the assessors' keys (scrypt), render the
//!    report and sign it; for a records table, encode the rows as CSV or XLSX.
//! 2. **Record** in the frame: the steps that need the app's store connection and are one
//!    short query each — the signing keys checked against the bound assessors and the
//!    report's audit row, or a full export's audit row. The audit row is written before
//!    the file, as before; nothing is written if this fails.
//! 3. **Write** on a job: the atomic write (temp file, fsync, rename).
//!
//! The records to print or export are read from the store when 保存 is pressed (one
//! query; the store connection cannot go to another thread). Closing the window drops the
//! running job: a preparation is cancelled and nothing is written; a write already started
//! finishes.

use std::path::{Path, PathBuf};

use crate::output::table_files::{TableExportError, TableFormat};
use crate::record::AssessmentRecord;
use crate::scale::Scale;
use crate::tables::Privacy;

use super::super::dialogs::export_pdf::{ExportDialog, ExportOrder};
use super::super::dialogs::table_export::{TableContent, TableExportDialog, TableExportOrder};
use super::super::jobs::{CancelFlag, Job};
use super::AppState;
use super::notice::Notice;
use super::screen::Screen;

/// The message of a preparation stopped because its window closed (never shown).
const CANCELLED: &str = "已取消";

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
}

impl PdfExport {
    pub(super) fn is_busy(&self) -> bool {
        self.stage.is_some()
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

/// A rendered and signed report, not written yet.
struct PreparedPdf {
    record_id: i64,
    path: PathBuf,
    bytes: Vec<u8>,
    pages: usize,
    signatures: usize,
    /// The signing keys' certificate fingerprints, checked against the bound assessors.
    fingerprints: [Option<String>; 2],
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
    pub(super) fn open_export(&mut self) {
        let Screen::Editor(editor) = &self.screen else { return };
        let keys = match crate::sign::list_keys(&self.data_dir()) {
            Ok(keys) => keys,
            Err(err) => {
                self.notice = Some(Notice::error(format!("无法读取评估员密钥：{err}")));
                Vec::new()
            }
        };
        let dialog = ExportDialog::new(&editor.record, keys, self.prefs.export_dir.as_deref());
        self.export = Some(PdfExport { dialog, stage: None });
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
            let busy = export.stage.as_ref().map(Stage::what);
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
            let stage = self.start_pdf(ctx, order);
            if let Some(export) = &mut self.export {
                match stage {
                    Ok(stage) => export.stage = Some(stage),
                    Err(message) => export.dialog.status = Some(Err(message)),
                }
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
        if self.loan.is_some() {
            return;
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
        let dir = self.data_dir();
        let scale = self.scale.clone();
        let now = self.clock.now();
        let job = Job::spawn(
            ctx,
            "pdf-export",
            "正在导出 PDF：解锁密钥、生成报告并签名…",
            move |cancel| {
                prepare_pdf(&PdfInput { dir, scale, record, record_id, order, now }, cancel)
            },
        )
        .map_err(|err| err.to_string())?;
        Ok(Stage::Preparing(job))
    }

    /// Stage 2 of 导出 PDF…: the keys must be the bound assessors' own, and the report is in
    /// the audit trail before the file is written (issue 10); then the write job.
    fn record_pdf(
        &mut self,
        ctx: &egui::Context,
        prepared: PreparedPdf,
    ) -> Result<Stage<PreparedPdf>, Result<String, String>> {
        let PreparedPdf { record_id, path, bytes, pages, signatures, fingerprints } = prepared;
        self.store
            .check_signing_keys(record_id, fingerprints.each_ref().map(Option::as_deref))
            .map_err(|err| Err(err.to_string()))?;
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

/// What the PDF job is given.
struct PdfInput {
    dir: PathBuf,
    scale: Scale,
    record: AssessmentRecord,
    record_id: i64,
    order: ExportOrder,
    now: chrono::DateTime<chrono::Utc>,
}

/// Unlocks the chosen keys, renders the report and signs it (on the PDF job).
fn prepare_pdf(input: &PdfInput, cancel: &CancelFlag) -> Result<PreparedPdf, String> {
    let mut signers = Vec::new();
    for (i, choice) in input.order.signers.iter().enumerate() {
        if cancel.is_cancelled() {
            return Err(CANCELLED.to_owned());
        }
        let signer = match &choice.key {
            Some(name) => Some(
                crate::sign::load_signer(&input.dir, name, &choice.passphrase)
                    .map_err(|err| format!("评估员{}：{err}", i + 1))?,
            ),
            None => None,
        };
        signers.push(signer);
    }
    let mut fingerprints = [None, None];
    for (slot, signer) in fingerprints.iter_mut().zip(&signers) {
        if let Some(signer) = signer {
            *slot = Some(
                crate::sign::certificate_fingerprint(signer.certificate())
                    .map_err(|err| err.to_string())?,
            );
        }
    }
    if cancel.is_cancelled() {
        return Err(CANCELLED.to_owned());
    }
    let options = crate::report::ReportOptions::new(input.now);
    let request = crate::output::signed_report::ExportRequest {
        record: &input.record,
        scale: &input.scale,
        options: &options,
        resident_page: true,
        signers: [
            signers.first().and_then(Option::as_ref),
            signers.get(1).and_then(Option::as_ref),
        ],
    };
    let exported =
        crate::output::signed_report::export_report(&request).map_err(|err| err.to_string())?;
    Ok(PreparedPdf {
        record_id: input.record_id,
        path: input.order.path.clone(),
        bytes: exported.bytes,
        pages: exported.pages,
        signatures: exported.signatures,
        fingerprints,
    })
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
