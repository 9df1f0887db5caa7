//! Design tokens: text sizes, spacing, colours. Every size and colour the UI uses is here.
//!
//! Sizes are in egui points at zoom 1.0: body text 20 pt (≥ 18 px), buttons and answer
//! options at least 48 pt high (≥ 44 px touch targets).

use egui::{Color32, FontFamily, FontId, TextStyle, vec2};

/// Body and button text size.
pub const BODY: f32 = 20.0;
/// Heading size.
pub const HEADING: f32 = 26.0;
/// Small text (hints, captions).
pub const SMALL: f32 = 16.0;
/// Minimum height of an answer option or a main button.
pub const TARGET_HEIGHT: f32 = 48.0;
/// Width of the section side panel.
pub const SIDE_PANEL_WIDTH: f32 = 300.0;

/// Accent for the selected answer and the current item.
pub const ACCENT: Color32 = Color32::from_rgb(0x1f, 0x6f, 0xc5);
/// Errors and blocking problems.
pub const ERROR: Color32 = Color32::from_rgb(0xc0, 0x30, 0x30);
/// Warnings (consistency checks).
pub const WARNING: Color32 = Color32::from_rgb(0xb0, 0x6a, 0x00);
/// Things that are done.
pub const OK: Color32 = Color32::from_rgb(0x2e, 0x7d, 0x32);
/// Signature pad background (white in both themes, like paper).
pub const PAPER: Color32 = Color32::WHITE;
/// Signature ink.
pub const INK: Color32 = Color32::BLACK;
/// Hint text on the signature pad.
pub const PAPER_HINT: Color32 = Color32::from_gray(150);

/// Applies the app's text sizes and spacing to both themes.
pub fn apply(ctx: &egui::Context) {
    ctx.all_styles_mut(|style| {
        style.text_styles = [
            (TextStyle::Heading, FontId::new(HEADING, FontFamily::Proportional)),
            (TextStyle::Body, FontId::new(BODY, FontFamily::Proportional)),
            (TextStyle::Button, FontId::new(BODY, FontFamily::Proportional)),
            (TextStyle::Monospace, FontId::new(BODY, FontFamily::Monospace)),
            (TextStyle::Small, FontId::new(SMALL, FontFamily::Proportional)),
        ]
        .into();
        style.spacing.interact_size = vec2(48.0, 36.0);
        style.spacing.item_spacing = vec2(12.0, 10.0);
        style.spacing.button_padding = vec2(12.0, 6.0);
        style.spacing.icon_width = 22.0;
        style.spacing.icon_width_inner = 12.0;
        // Scroll bars that take their own space and are always visible: floating ones
        // cover the last column and are hard to find for unsteady hands.
        style.spacing.scroll = egui::style::ScrollStyle::solid();
        style.spacing.scroll.bar_width = 14.0;
    });
}
