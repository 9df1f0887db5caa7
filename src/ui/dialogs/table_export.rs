//! 导出表格…: the records (de-identified unless a full export is chosen explicitly, with
//! its purpose, for the audit trail) or the statistics table shown, as CSV or XLSX. The
//! export runs as a job (see `app::exports`); the window shows what it is doing, and
//! closing it (取消) stops the export before the file is written.

use std::path::PathBuf;

use chrono::NaiveDate;
use egui::{RichText, Ui};

use crate::output::table_files::TableFormat;
use crate::tables::{Privacy, StatsTable};

use super::super::jobs::progress_ui;
use super::super::theme;
use super::super::widgets::status_line;
use super::save_dialog::{SaveChoice, SaveDialog, documents_dir};

/// What the window exports.
pub enum TableContent {
    /// The stored assessments.
    Records,
    /// The statistics table on screen.
    Stats(StatsTable),
}

/// What the window asks the app to write.
pub struct TableExportOrder {
    /// The file (its extension matches the chosen format).
    pub path: PathBuf,
    /// De-identified or full (records only).
    pub privacy: Privacy,
    /// Only approved assessments (records only).
    pub approved_only: bool,
    /// Why a full export is made (non-empty for a full export).
    pub purpose: String,
}

/// The window's state.
pub struct TableExportDialog {
    /// What is exported.
    pub content: TableContent,
    format: TableFormat,
    privacy: Privacy,
    approved_only: bool,
    purpose: String,
    /// Whether the signed-in account may make a full export.
    allow_full: bool,
    today: NaiveDate,
    save: SaveDialog,
    /// The result of the last attempt: `Ok(message)` or `Err(message)`.
    pub status: Option<Result<String, String>>,
}

impl TableExportDialog {
    /// Opens de-identified, as CSV, in the documents folder.
    pub fn new(content: TableContent, allow_full: bool, today: NaiveDate) -> Self {
        let dir = documents_dir();
        let mut dialog = Self {
            content,
            format: TableFormat::Csv,
            privacy: Privacy::DeIdentified,
            approved_only: false,
            purpose: String::new(),
            allow_full,
            today,
            save: SaveDialog::new(dir, String::new()),
            status: None,
        };
        dialog.save.file_name = dialog.file_name();
        dialog
    }

    /// The save-file part (its folder and file name).
    pub fn save_dialog_mut(&mut self) -> &mut SaveDialog {
        &mut self.save
    }

    /// The suggested file name for the current choices.
    fn file_name(&self) -> String {
        let what = match (&self.content, self.privacy) {
            (TableContent::Stats(_), _) => "评估统计",
            (TableContent::Records, Privacy::DeIdentified) => "评估记录-去标识",
            (TableContent::Records, Privacy::Full) => "评估记录-完整",
        };
        format!("{what}-{}.{}", self.today, self.format.extension())
    }

    /// Shows the window. Returns an order when 保存 is pressed with valid choices, and
    /// `false` in the second value when the window should close. `busy` says what the
    /// running export is doing.
    pub fn ui(
        &mut self,
        ctx: &egui::Context,
        busy: Option<&str>,
    ) -> (Option<TableExportOrder>, bool) {
        let mut order = None;
        let mut keep_open = true;
        let title = match self.content {
            TableContent::Records => "导出评估记录",
            TableContent::Stats(_) => "导出统计表",
        };
        // Within the app window at every size, its contents scrolling (as 导出 PDF).
        let screen = ctx.content_rect().shrink(8.0);
        egui::Window::new(title)
            .collapsible(false)
            .resizable([true, false])
            .default_width(640.0_f32.min(screen.width() - 16.0))
            .max_width(screen.width() - 16.0)
            .max_height(screen.height() - 16.0)
            .constrain_to(screen)
            .show(ctx, |ui| {
                // Its own height: a scroll area takes the window's last height otherwise,
                // and the window would never grow to its contents.
                let height = (screen.height() - 72.0).max(80.0);
                let area = egui::ScrollArea::vertical().max_height(height);
                area.min_scrolled_height(height).show(ui, |ui| {
                    let before = (self.format, self.privacy);
                    self.choices_ui(ui);
                    if before != (self.format, self.privacy) {
                        self.save.file_name = self.file_name();
                    }
                    ui.separator();
                    match self.save.ui(ui, busy.is_some()) {
                        SaveChoice::Open => {}
                        SaveChoice::Cancel => keep_open = false,
                        SaveChoice::Save(path) => order = self.order(path),
                    }
                    match busy {
                        Some(what) => progress_ui(ui, what),
                        None => status_line(ui, self.status.as_ref()),
                    }
                });
            });
        (order, keep_open)
    }

    /// The order for `path`, or `None` with the reason in `status`.
    fn order(&mut self, path: PathBuf) -> Option<TableExportOrder> {
        self.status = None;
        if TableFormat::of(&path).is_err() {
            self.status = Some(Err("文件名应以 .csv 或 .xlsx 结尾".to_owned()));
            return None;
        }
        let purpose = self.purpose.trim().to_owned();
        if self.privacy == Privacy::Full && purpose.is_empty() {
            self.status =
                Some(Err("完整导出含姓名和身份证号：请填写用途，它将记入审计记录".to_owned()));
            return None;
        }
        Some(TableExportOrder {
            path,
            privacy: self.privacy,
            approved_only: self.approved_only,
            purpose,
        })
    }

    fn choices_ui(&mut self, ui: &mut Ui) {
        ui.horizontal_wrapped(|ui| {
            ui.label("格式");
            ui.radio_value(&mut self.format, TableFormat::Csv, "CSV（UTF-8，Excel 可直接打开）");
            ui.radio_value(&mut self.format, TableFormat::Xlsx, "Excel 工作簿（.xlsx）");
        });
        if let TableContent::Stats(table) = &self.content {
            ui.label(format!(
                "按{}统计，{} 至 {}；统计表不含个人信息",
                table.by.label(),
                table.period.0,
                table.period.1
            ));
            return;
        }
        ui.horizontal_wrapped(|ui| {
            ui.label("范围");
            ui.radio_value(&mut self.approved_only, false, "全部评估");
            ui.radio_value(&mut self.approved_only, true, "仅已通过的评估");
        });
        ui.label(RichText::new("个人信息").strong());
        ui.radio_value(
            &mut self.privacy,
            Privacy::DeIdentified,
            "去标识化（默认）：不含姓名和出生日期，身份证号遮盖",
        );
        ui.add_enabled_ui(self.allow_full, |ui| {
            ui.radio_value(&mut self.privacy, Privacy::Full, "完整：含姓名、身份证号和出生日期");
        });
        if !self.allow_full {
            ui.label(RichText::new("完整导出仅限审核员和管理员").small());
        }
        if self.privacy == Privacy::Full {
            ui.label(
                RichText::new("完整导出将以您的账号记入审计记录，请妥善保管导出的文件")
                    .color(theme::WARNING),
            );
            ui.horizontal_wrapped(|ui| {
                let label = ui.label("用途");
                ui.add(
                    egui::TextEdit::singleline(&mut self.purpose)
                        .hint_text("例如：民政局抽查")
                        .desired_width(crate::ui::form::field_width(ui, 360.0)),
                )
                .labelled_by(label.id);
            });
        }
    }
}
