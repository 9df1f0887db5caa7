//! The desktop app (egui/eframe): the only module that imports egui.
//!
//! - [`app::AppState`] is the whole app as a state struct with one `ui` function, so
//!   tests drive exactly what the window shows.
//! - [`wizard`] holds the assessment screens, [`home`] the list, [`dialogs`] the windows.
//! - [`jobs`] runs slow work (keys, PDF, tables, sign-in, backups) off the UI thread.
//! - [`run`] opens the window: fonts, style, preferences, and a final save on close.

pub mod accounts;
pub mod app;
mod choice;
mod confirm;
mod conflict;
pub mod dialogs;
mod fonts;
mod form;
pub mod history;
mod home;
pub mod jobs;
pub mod probe;
pub mod recovery;
mod resubmission;
pub mod review;
mod signature_pad;
pub mod stats;
pub mod sync_view;
mod table;
mod theme;
pub mod trust;
pub mod unlock;
mod widgets;
pub mod wizard;

use std::path::Path;
use std::process::ExitCode;

pub use app::{AppState, Level, Notice, Prefs};
pub use fonts::install as install_fonts;

use crate::clock::SystemClock;
use crate::scale;

/// Sets fonts and text sizes on a new egui context (window or test harness).
pub fn setup_context(ctx: &egui::Context) {
    fonts::install(ctx);
    theme::apply(ctx);
    // Ctrl+Q must not close the window by accident; every change is saved anyway.
    ctx.options_mut(|options| options.quit_shortcuts.clear());
}

/// Environment variable for start-up measurements and smoke tests: when set to `N`, the
/// app prints the wall-clock time at which its first frame had been drawn and presented
/// (the start of the second pass: `first-frame-unix-ms=…`) on stderr, and closes itself
/// after `N` frames (at least 2).
pub const PROBE_ENV: &str = "ELDER_ASSESS_PROBE_FRAMES";

/// The eframe wrapper around [`AppState`] (or the recovery screen).
struct App {
    root: recovery::Root,
    /// Frames drawn so far, and the frame after which to close (see [`PROBE_ENV`]).
    frames: u64,
    close_after: Option<u64>,
    /// Frame durations, while [`probe::FRAME_TIMES_ENV`] is set, and when to close.
    frame_times: Option<(probe::FrameTimes, std::time::Instant)>,
}

impl eframe::App for App {
    fn ui(&mut self, ui: &mut egui::Ui, frame: &mut eframe::Frame) {
        if let Some((times, close_at)) = &mut self.frame_times {
            if let Some(seconds) = frame.info().cpu_usage {
                times.record(seconds);
            }
            if std::time::Instant::now() >= *close_at {
                ui.ctx().send_viewport_cmd(egui::ViewportCommand::Close);
            } else {
                ui.ctx().request_repaint_after(*close_at - std::time::Instant::now());
            }
        }
        self.root.ui(ui);
        self.frames += 1;
        if let Some(limit) = self.close_after {
            if self.frames == 2 {
                let since_epoch = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap_or_default();
                eprintln!("first-frame-unix-ms={}", since_epoch.as_millis());
            }
            if self.frames >= limit.max(2) {
                ui.ctx().send_viewport_cmd(egui::ViewportCommand::Close);
            }
            ui.ctx().request_repaint();
        }
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        eframe::set_value(storage, eframe::APP_KEY, &self.root.prefs());
    }

    /// Preferences only (assessments are saved every frame they change); often enough that
    /// a killed app keeps a text size chosen a few seconds earlier.
    /// The window is closing: the store writer saves the open record first.
    fn on_exit(&mut self, _gl: Option<&eframe::glow::Context>) {
        self.root.shutdown();
        if let Some((times, _)) = &self.frame_times {
            eprintln!("{}", times.summary());
        }
    }

    fn auto_save_interval(&self) -> std::time::Duration {
        std::time::Duration::from_secs(5)
    }
}

/// Opens the app window on the store in `data_dir`. Blocks until the window closes.
pub fn run(data_dir: &Path) -> ExitCode {
    let scale = match scale::bundled(scale::DEFAULT_SCALE_ID) {
        Ok(Some(scale)) => scale,
        Ok(None) => {
            eprintln!("elder-assess: 缺少内置量表 {}", scale::DEFAULT_SCALE_ID);
            return ExitCode::FAILURE;
        }
        Err(err) => {
            eprintln!("elder-assess: 内置量表无效：{err}");
            return ExitCode::FAILURE;
        }
    };
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("老年人能力评估")
            .with_inner_size([1280.0, 800.0])
            .with_min_inner_size([800.0, 560.0]),
        persistence_path: Some(data_dir.join("ui-prefs.ron")),
        ..Default::default()
    };
    let dir = data_dir.to_path_buf();
    let result = eframe::run_native(
        "elder-assess",
        options,
        Box::new(move |cc| {
            setup_context(&cc.egui_ctx);
            let prefs = cc
                .storage
                .and_then(|s| eframe::get_value::<Prefs>(s, eframe::APP_KEY))
                .unwrap_or_default();
            // A database that cannot be opened shows the recovery screen, never overwrites.
            let root = recovery::Root::open(&dir, scale, Box::new(SystemClock), prefs);
            let close_after = std::env::var(PROBE_ENV).ok().and_then(|n| n.parse().ok());
            let frame_times = std::env::var(probe::FRAME_TIMES_ENV)
                .ok()
                .and_then(|s| s.parse::<u64>().ok())
                .map(|secs| {
                    let close_at = std::time::Instant::now() + std::time::Duration::from_secs(secs);
                    (probe::FrameTimes::default(), close_at)
                });
            Ok(Box::new(App { root, frames: 0, close_after, frame_times }))
        }),
    );
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("elder-assess: 无法打开窗口：{err}");
            ExitCode::FAILURE
        }
    }
}
