//! The bundled CJK font, embedded so that no machine shows missing glyphs.

use std::sync::Arc;

/// Noto Sans SC Regular (SIL OFL 1.1, see `assets/fonts/`). The same font as the report.
pub const NOTO_SANS_SC: &[u8] = include_bytes!("../../assets/fonts/NotoSansSC-Regular.ttf");

/// Installs Noto Sans SC as the first font of both families; egui's own fonts stay as
/// fallbacks for its icons.
pub fn install(ctx: &egui::Context) {
    let mut fonts = egui::FontDefinitions::default();
    fonts
        .font_data
        .insert("noto-sans-sc".to_owned(), Arc::new(egui::FontData::from_static(NOTO_SANS_SC)));
    for family in [egui::FontFamily::Proportional, egui::FontFamily::Monospace] {
        fonts.families.entry(family).or_default().insert(0, "noto-sans-sc".to_owned());
    }
    ctx.set_fonts(fonts);
}
