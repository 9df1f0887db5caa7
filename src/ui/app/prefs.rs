//! Preferences remembered between runs (text size, theme, the re-assessment interval, the
//! folder the last PDF was exported to) and
//! the text-size steps of A− and A＋, applied to the egui context at the start of a frame.

use super::AppState;

/// User preferences, remembered between runs.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Prefs {
    /// Text size factor (egui zoom), 1.0 = default.
    pub zoom: f32,
    /// Dark theme.
    pub dark: bool,
    /// Months after an approved assessment until the next routine one is due.
    pub due_months: u32,
    /// The folder the last report was exported to: where 导出 PDF… starts next time.
    pub export_dir: Option<std::path::PathBuf>,
}

impl Default for Prefs {
    fn default() -> Self {
        // The county file's interval, read once (defaults are made at every preference save
        // while signed out); the bundled file is tested to load, and if it did not, the
        // shortest interval lists every elder rather than hiding anyone.
        static COUNTY_MONTHS: std::sync::OnceLock<u32> = std::sync::OnceLock::new();
        let due_months = *COUNTY_MONTHS.get_or_init(|| {
            crate::policy::bundled(crate::policy::DEFAULT_POLICY_ID)
                .ok()
                .flatten()
                .map_or(crate::policy::MIN_REASSESSMENT_MONTHS, |p| p.county().reassessment_months)
        });
        Self { zoom: 1.0, dark: false, due_months, export_dir: None }
    }
}

/// Smallest and largest text size factors offered.
pub const ZOOM_RANGE: (f32, f32) = (0.75, 2.5);

/// The text sizes A− and A＋ step through (100 % among them, so it is always reachable).
pub const ZOOM_STEPS: [f32; 10] = [0.75, 0.9, 1.0, 1.1, 1.25, 1.5, 1.75, 2.0, 2.25, 2.5];

/// The next step of [`ZOOM_STEPS`] above (`up`) or below `zoom`, staying at the ends.
pub fn zoom_step(zoom: f32, up: bool) -> f32 {
    const EPS: f32 = 0.01;
    if up {
        ZOOM_STEPS.iter().copied().find(|&step| step > zoom + EPS).unwrap_or(ZOOM_RANGE.1)
    } else {
        ZOOM_STEPS.iter().rev().copied().find(|&step| step < zoom - EPS).unwrap_or(ZOOM_RANGE.0)
    }
}

impl AppState {
    /// Applies the text size and theme to the egui context, taking over a zoom that
    /// egui's own shortcuts changed.
    pub(super) fn apply_prefs(&mut self, ctx: &egui::Context) {
        let current = ctx.zoom_factor();
        // Ctrl+= / Ctrl+- / Ctrl+0 are handled by egui before this frame's UI runs.
        if (current - self.applied_zoom).abs() > f32::EPSILON {
            self.prefs.zoom = current;
        }
        let zoom = self.prefs.zoom.clamp(ZOOM_RANGE.0, ZOOM_RANGE.1);
        self.prefs.zoom = zoom;
        if (current - zoom).abs() > f32::EPSILON {
            ctx.set_zoom_factor(zoom);
        }
        self.applied_zoom = zoom;
        let theme = if self.prefs.dark { egui::Theme::Dark } else { egui::Theme::Light };
        if ctx.theme() != theme {
            ctx.set_theme(theme);
        }
    }
}
