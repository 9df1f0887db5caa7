//! The one message line under the top bar: a [`Notice`] with a [`Level`], until dismissed
//! or replaced. Each level looks different, also for eyes that do not tell colours
//! apart: its own word before the text (提示 / 完成 / 注意 / 错误), its colour from `theme`
//! (a success is green, never in the error's red) and a tinted band behind it.

use egui::{RichText, Ui};

use super::super::theme;

/// How a notice is meant: its colour and whether [`super::AppState::error`] reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// Something to know.
    Info,
    /// Something done (a decision recorded, a file written).
    Success,
    /// Something to look at that did not stop the work (a failed daily backup).
    Warning,
    /// Something that failed.
    Error,
}

impl Level {
    /// The colour the text is drawn in.
    pub fn colour(self, ui: &Ui) -> egui::Color32 {
        match self {
            Self::Info => ui.visuals().text_color(),
            Self::Success => theme::OK,
            Self::Warning => theme::WARNING,
            Self::Error => theme::ERROR,
        }
    }

    /// The word the notice starts with.
    pub fn prefix(self) -> &'static str {
        match self {
            Self::Info => "提示：",
            Self::Success => "完成：",
            Self::Warning => "注意：",
            Self::Error => "错误：",
        }
    }

    /// The band behind the text: the level's colour, faint.
    fn fill(self, ui: &Ui) -> egui::Color32 {
        match self {
            Self::Info => ui.visuals().faint_bg_color,
            other => other.colour(ui).gamma_multiply(0.15),
        }
    }
}

/// A message for the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// How it is meant.
    pub level: Level,
    /// What it says.
    pub text: String,
}

impl Notice {
    /// A notice of `level`.
    pub fn new(level: Level, text: impl Into<String>) -> Self {
        Self { level, text: text.into() }
    }

    /// An error.
    pub fn error(text: impl Into<String>) -> Self {
        Self::new(Level::Error, text)
    }

    /// A success.
    pub fn success(text: impl Into<String>) -> Self {
        Self::new(Level::Success, text)
    }

    /// A warning.
    pub fn warning(text: impl Into<String>) -> Self {
        Self::new(Level::Warning, text)
    }

    /// Shows the notice with a 知道了 button; returns whether it was dismissed.
    pub fn ui(&self, ui: &mut Ui) -> bool {
        let mut dismiss = false;
        egui::Frame::new()
            .fill(self.level.fill(ui))
            .inner_margin(egui::Margin::symmetric(8, 4))
            .show(ui, |ui| {
                ui.horizontal_wrapped(|ui| {
                    let colour = self.level.colour(ui);
                    let text = format!("{}{}", self.level.prefix(), self.text);
                    ui.label(RichText::new(text).color(colour).strong());
                    dismiss = ui.button("知道了").clicked();
                });
            });
        dismiss
    }
}
