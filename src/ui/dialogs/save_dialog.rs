//! A save-file dialog drawn with egui: a folder to type or walk through, and a file name
//! (or a whole typed path).
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
    /// The file name, or a whole path (absolute, `~/…`, or relative to `dir`).
    pub file_name: String,
    /// The folder as shown and typed in the 文件夹 field.
    dir_text: String,
    /// The typed folder does not exist.
    dir_error: bool,
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
        let dir_text = dir.display().to_string();
        Self { dir, file_name, dir_text, dir_error: false, folders: Vec::new(), listed: None }
    }

    /// The full path chosen so far: the file name typed, in `dir` unless it is a path
    /// itself.
    pub fn path(&self) -> PathBuf {
        self.dir.join(expand_home(self.file_name.trim()))
    }

    /// The path to save to, or why it cannot be saved to (in Chinese).
    fn target(&self) -> Result<PathBuf, String> {
        let typed = self.file_name.trim();
        if typed.is_empty() {
            return Err("请填写文件名".to_owned());
        }
        if typed.ends_with(['/', '\\']) {
            return Err("路径末尾应为文件名".to_owned());
        }
        let path = self.path();
        match path.parent() {
            Some(parent) if parent.is_dir() => Ok(path),
            _ => Err("文件名中的文件夹不存在".to_owned()),
        }
    }

    fn refresh(&mut self) {
        if self.listed.as_deref() == Some(self.dir.as_path()) {
            return;
        }
        self.dir_text = self.dir.display().to_string();
        self.dir_error = false;
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

    /// Goes to the folder typed in the 文件夹 field, if it is one.
    fn go_to_typed(&mut self) {
        let typed = expand_home(self.dir_text.trim());
        if typed.is_dir() {
            self.dir = typed;
        } else {
            self.dir_error = true;
        }
    }

    /// Shows the dialog's contents (inside a window or panel the caller provides). While
    /// `busy` (the last 保存 is still being carried out) 保存 is disabled; 取消 stays.
    /// Every row fits the width it is given; the folder list is at most a quarter of the
    /// window's height.
    pub fn ui(&mut self, ui: &mut Ui, busy: bool) -> SaveChoice {
        self.refresh();
        let mut choice = SaveChoice::Open;
        let field_width = ui.available_width().min(560.0);
        let label = ui.label("保存到文件夹（可直接输入路径，按回车前往）");
        let folder = ui.add(path_edit(&mut self.dir_text, field_width).id_salt("save-dir"));
        let folder = folder.labelled_by(label.id);
        if folder.changed() {
            self.dir_error = false;
        }
        if folder.has_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter)) {
            self.go_to_typed();
        }
        if self.dir_error {
            ui.label(RichText::new("没有这个文件夹").color(theme::ERROR));
        }
        ui.horizontal_wrapped(|ui| {
            let up = self.dir.parent().map(Path::to_path_buf);
            if ui.add_enabled(up.is_some(), egui::Button::new("上一级文件夹")).clicked()
                && let Some(up) = up
            {
                self.dir = up;
            }
            if let Some(home) = home_dir()
                && ui.button("主文件夹").clicked()
            {
                self.dir = home;
            }
            if ui.button("前往输入的文件夹").clicked() {
                self.go_to_typed();
            }
        });
        let list_height = (ui.ctx().content_rect().height() * 0.25).clamp(60.0, 220.0);
        egui::ScrollArea::vertical().max_height(list_height).id_salt("folders").show(ui, |ui| {
            let mut enter = None;
            for name in &self.folders {
                // Text only: the bundled font has no folder icon.
                let button = egui::Button::new(format!("{name} /"))
                    .wrap_mode(egui::TextWrapMode::Truncate)
                    .min_size(egui::vec2(ui.available_width(), 36.0));
                if ui.add(button).on_hover_text(name).clicked() {
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
        let label = ui.label("文件名（或完整路径）");
        ui.add(path_edit(&mut self.file_name, field_width).id_salt("save-file-name"))
            .labelled_by(label.id);
        let target = self.target();
        match &target {
            Err(message) => {
                ui.label(RichText::new(message).color(theme::ERROR));
            }
            Ok(path) if path.exists() => {
                ui.label(RichText::new("同名文件已存在，保存将覆盖它").color(theme::WARNING));
            }
            Ok(_) => {}
        }
        ui.horizontal_wrapped(|ui| {
            let size = egui::vec2(120.0, theme::TARGET_HEIGHT);
            let ready = target.is_ok() && !busy;
            if ui.add_enabled(ready, egui::Button::new("保存").min_size(size)).clicked()
                && let Ok(path) = target
            {
                // A typed path: the dialog now shows where the file goes.
                if let Some(parent) = path.parent() {
                    self.dir = parent.to_path_buf();
                }
                choice = SaveChoice::Save(path);
            }
            if ui.add(egui::Button::new("取消").min_size(size)).clicked() {
                choice = SaveChoice::Cancel;
            }
        });
        choice
    }
}

/// `~` or `~/…` with the home folder in front; any other text as a path.
fn expand_home(text: &str) -> PathBuf {
    match (text.strip_prefix('~'), home_dir()) {
        (Some(rest), Some(home)) if rest.is_empty() || rest.starts_with(['/', '\\']) => {
            home.join(rest.trim_start_matches(['/', '\\']))
        }
        _ => PathBuf::from(text),
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

/// A path field that wraps instead of hiding the end of a long path in a narrow window;
/// Enter does not add a line (it goes to the typed folder).
fn path_edit(text: &mut String, width: f32) -> egui::TextEdit<'_> {
    egui::TextEdit::multiline(text).desired_rows(1).desired_width(width).return_key(None)
}
