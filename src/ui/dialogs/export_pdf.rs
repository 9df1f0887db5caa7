//! 导出 PDF…: where to save, and which assessors sign with their keys. The export itself
//! runs as a job (see `app::exports`); meanwhile the window shows what it is doing, and
//! closing it (取消) cancels what has not been written yet. The window starts in the
//! folder of the last export (remembered in the preferences), closes once the file is
//! written, and is never larger than the app's window (its contents scroll instead).

use std::path::{Path, PathBuf};

use egui::{RichText, Ui};
use zeroize::Zeroizing;

use crate::record::AssessmentRecord;
use crate::sign::KeyInfo;

use super::super::jobs::progress_ui;
use super::super::widgets::status_line;
use super::save_dialog::{SaveChoice, SaveDialog, documents_dir};

/// One assessor's signing choice.
#[derive(Clone)]
pub struct SignChoice {
    /// The key to sign with (its name), or `None` for no cryptographic signature.
    pub key: Option<String>,
    /// The key's passphrase, wiped when dropped.
    pub passphrase: Zeroizing<String>,
}

/// What the export window asks the app to do.
pub struct ExportOrder {
    /// Where to write the PDF.
    pub path: PathBuf,
    /// Assessor 1's and assessor 2's choices.
    pub signers: [SignChoice; 2],
}

/// The export window's state.
pub struct ExportDialog {
    save: SaveDialog,
    keys: Vec<KeyInfo>,
    choices: [SignChoice; 2],
    /// The result of the last attempt: `Ok(message)` or `Err(message)`.
    pub status: Option<Result<String, String>>,
}

impl ExportDialog {
    /// Opens in `last_dir` (the folder of the last export, if it still exists) with a file
    /// name from the assessment number and, for each assessor, the key that carries their
    /// name (if any).
    pub fn new(record: &AssessmentRecord, keys: Vec<KeyInfo>, last_dir: Option<&Path>) -> Self {
        let dir = last_dir.filter(|dir| dir.is_dir()).map_or_else(documents_dir, Path::to_path_buf);
        let file_name = format!("{}-老年人能力评估报告.pdf", record.info.number);
        let names = [&record.signatures.assessor1.name, &record.signatures.assessor2.name];
        let choices = names.map(|name| SignChoice {
            key: keys.iter().find(|k| k.name.trim() == name.trim()).map(|k| k.name.clone()),
            passphrase: Zeroizing::new(String::new()),
        });
        Self { save: SaveDialog::new(dir, file_name), keys, choices, status: None }
    }

    /// The save-file part (its folder and file name).
    pub fn save_dialog_mut(&mut self) -> &mut SaveDialog {
        &mut self.save
    }

    /// The folder the file is (being) saved in.
    pub fn dir(&self) -> &Path {
        &self.save.dir
    }

    /// Shows the window. Returns an order when 保存 is pressed, and `false` in the second
    /// value when the window should close. `busy` says what the running export is doing.
    pub fn ui(
        &mut self,
        ctx: &egui::Context,
        record: &AssessmentRecord,
        busy: Option<&str>,
    ) -> (Option<ExportOrder>, bool) {
        let mut order = None;
        let mut keep_open = true;
        let screen = ctx.content_rect().shrink(8.0);
        egui::Window::new("导出 PDF")
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
                egui::ScrollArea::vertical().max_height(height).min_scrolled_height(height).show(
                    ui,
                    |ui| {
                        self.signers_ui(ui, record);
                        ui.separator();
                        match self.save.ui(ui, busy.is_some()) {
                            SaveChoice::Open => {}
                            SaveChoice::Cancel => keep_open = false,
                            SaveChoice::Save(path) => {
                                self.status = None;
                                order = Some(ExportOrder { path, signers: self.choices.clone() });
                            }
                        }
                        match busy {
                            Some(what) => progress_ui(ui, what),
                            None => status_line(ui, self.status.as_ref()),
                        }
                    },
                );
            });
        (order, keep_open)
    }

    fn signers_ui(&mut self, ui: &mut Ui, record: &AssessmentRecord) {
        ui.label(RichText::new("数字签名").strong());
        if self.keys.is_empty() {
            ui.label(
                RichText::new("本机还没有评估员密钥；报告将不带数字签名。创建密钥：elder-assess keys new --as 账号（本机未设账号时用 --name 姓名）")
                    .small(),
            );
        }
        let names = [&record.signatures.assessor1.name, &record.signatures.assessor2.name];
        for (i, (choice, name)) in self.choices.iter_mut().zip(names).enumerate() {
            let role = format!("评估员{}", i + 1);
            ui.horizontal_wrapped(|ui| {
                ui.label(format!("{role}（{}）", name.trim()));
                if ui.radio(choice.key.is_none(), format!("{role}不签名")).clicked() {
                    choice.key = None;
                }
                for key in &self.keys {
                    let selected = choice.key.as_deref() == Some(key.name.as_str());
                    if ui.radio(selected, format!("{role}用密钥“{}”", key.name)).clicked() {
                        choice.key = Some(key.name.clone());
                    }
                }
            });
            if choice.key.is_some() {
                ui.horizontal(|ui| {
                    let label = ui.label(format!("{role}口令"));
                    ui.add(
                        egui::TextEdit::singleline(&mut *choice.passphrase)
                            .password(true)
                            .desired_width(240.0),
                    )
                    .labelled_by(label.id);
                });
            }
        }
    }
}
