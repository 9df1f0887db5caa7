//! A save-file dialog drawn with egui: folders to walk through and a file name.
//!
//! Native dialogs need a desktop portal or GTK, which an assessor's offline laptop or a
//! kiosk session may not have; this one works everywhere, with large touch targets and the
//! app's own font.

use std::path::{Path, PathBuf};

use egui::{RichText, Ui};

use super::super::theme;

/// The dialog's state: the folder shown and the file name typed.
#[derive(Debug, Clone)]
pub struct SaveDialog {
    /// The folder the file goes into.
    pub dir: PathBuf,
    /// The file name.
    pub file_name: String,
    /// Sub-folders of `dir`, sorted; refreshed when `dir` changes.
    folders: Vec<String>,
    listed: Option<PathBuf>,
}

/// What the user did this frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SaveChoice {
    /// Still choosing.
    Open,
    /// Save to this path.
    Save(PathBuf),
    /// Closed without saving.
    Cancel,
}

impl SaveDialog {
    /// A dialog starting in `dir` with `file_name` filled in.
    pub fn new(dir: PathBuf, file_name: String) -> Self {
        Self { dir, file_name, folders: Vec::new(), listed: None }
    }

    /// The full path chosen so far.
    pub fn path(&self) -> PathBuf {
        self.dir.join(self.file_name.trim())
    }

    fn refresh(&mut self) {
        if self.listed.as_deref() == Some(self.dir.as_path()) {
            return;
        }
        self.folders = std::fs::read_dir(&self.dir)
            .map(|entries| {
                let mut names: Vec<String> = entries
                    .filter_map(Result::ok)
                    .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .filter(|n| !n.starts_with('.'))
                    .collect();
                names.sort();
                names
            })
            .unwrap_or_default();
        self.listed = Some(self.dir.clone());
    }

    /// Shows the dialog's contents (inside a window or panel the caller provides). While
    /// `busy` (the last 保存 is still being carried out) 保存 is disabled; 取消 stays.
    pub fn ui(&mut self, ui: &mut Ui, busy: bool) -> SaveChoice {
        self.refresh();
        let mut choice = SaveChoice::Open;
        ui.horizontal_wrapped(|ui| {
            ui.label("保存到");
            ui.label(RichText::new(self.dir.display().to_string()).strong());
        });
        ui.horizontal(|ui| {
            let up = self.dir.parent().map(Path::to_path_buf);
            if ui.add_enabled(up.is_some(), egui::Button::new("↑ 上一级文件夹")).clicked()
                && let Some(up) = up
            {
                self.dir = up;
            }
            if let Some(home) = home_dir()
                && ui.button("主文件夹").clicked()
            {
                self.dir = home;
            }
        });
        egui::ScrollArea::vertical().max_height(220.0).id_salt("folders").show(ui, |ui| {
            let mut enter = None;
            for name in &self.folders {
                if ui
                    .add(
                        egui::Button::new(format!("▸ {name}"))
                            .min_size(egui::vec2(ui.available_width(), 36.0)),
                    )
                    .clicked()
                {
                    enter = Some(name.clone());
                }
            }
            if self.folders.is_empty() {
                ui.label(RichText::new("（没有子文件夹）").small());
            }
            if let Some(name) = enter {
                self.dir = self.dir.join(name);
            }
        });
        ui.horizontal(|ui| {
            let label = ui.label("文件名");
            ui.add(egui::TextEdit::singleline(&mut self.file_name).desired_width(360.0))
                .labelled_by(label.id);
        });
        let name_ok = !self.file_name.trim().is_empty() && !self.file_name.contains(['/', '\\']);
        if !name_ok {
            ui.label(RichText::new("请填写文件名（不能包含 / 或 \\）").color(theme::ERROR));
        } else if self.path().exists() {
            ui.label(RichText::new("同名文件已存在，保存将覆盖它").color(theme::WARNING));
        }
        ui.horizontal(|ui| {
            let size = egui::vec2(120.0, theme::TARGET_HEIGHT);
            if ui.add_enabled(name_ok && !busy, egui::Button::new("保存").min_size(size)).clicked()
            {
                choice = SaveChoice::Save(self.path());
            }
            if ui.add(egui::Button::new("取消").min_size(size)).clicked() {
                choice = SaveChoice::Cancel;
            }
        });
        choice
    }
}

/// Where save dialogs start: `~/Documents` if there is one, else the home folder, else
/// the current folder.
pub fn documents_dir() -> PathBuf {
    home_dir().map_or_else(
        || PathBuf::from("."),
        |home| if home.join("Documents").is_dir() { home.join("Documents") } else { home },
    )
}

/// The user's home folder, from the environment.
pub fn home_dir() -> Option<PathBuf> {
    std::env::var_os("HOME").or_else(|| std::env::var_os("USERPROFILE")).map(PathBuf::from)
}
