//! Every screen at every supported window and text size: windows of 800×600, 1280×800
//! and 1920×1080 at 100 %, 150 % and 200 % text. A screen fails when two interactive
//! widgets overlap, a widget reaches past the window's right edge, or a text is cut (a
//! label past the edge, a field narrower than its text). Also: every string the UI can
//! show is covered by the installed fonts.
//!
//! The window is simulated as egui sees it: a screen of `window / zoom` points with the
//! app's zoom set to `zoom`, so the layout gets the same room as in the real window.

use egui::accesskit::Role;
use egui::{Rect, pos2};
use egui_kittest::Harness;
use egui_kittest::kittest::NodeT as _;
use elder_assess::ui::AppState;

/// The supported window sizes, in physical pixels.
pub(super) const WINDOWS: [(f32, f32); 3] = [(800.0, 600.0), (1280.0, 800.0), (1920.0, 1080.0)];
/// The supported text sizes.
pub(super) const ZOOMS: [f32; 3] = [1.0, 1.5, 2.0];

/// How much two rectangles may touch (rounding) before they count as overlapping.
const SLACK: f32 = 0.5;

/// One widget as the accessibility tree shows it.
struct Widget {
    role: Role,
    name: String,
    rect: Rect,
    /// The nearest enclosing panel or window (widgets of two panels never compare).
    container: usize,
    /// The right edge of the text runs inside it (a text field's text).
    text_right: Option<f32>,
}

fn is_interactive(role: Role) -> bool {
    matches!(
        role,
        Role::Button
            | Role::CheckBox
            | Role::RadioButton
            | Role::TextInput
            | Role::MultilineTextInput
            | Role::PasswordInput
            | Role::ComboBox
            | Role::Slider
            | Role::SpinButton
            | Role::Link
            | Role::Tab
            | Role::MenuItem
    )
}

fn rect_of(node: &egui_kittest::Node<'_>, ppp: f32) -> Option<Rect> {
    let b = node.accesskit_node().bounding_box()?;
    #[expect(clippy::cast_possible_truncation, reason = "screen coordinates fit in f32")]
    let rect = Rect::from_min_max(
        pos2(b.x0 as f32 / ppp, b.y0 as f32 / ppp),
        pos2(b.x1 as f32 / ppp, b.y1 as f32 / ppp),
    );
    Some(rect)
}

fn collect(
    node: &egui_kittest::Node<'_>,
    container: usize,
    next: &mut usize,
    ppp: f32,
    out: &mut Vec<Widget>,
) {
    for child in node.children() {
        let ak = child.accesskit_node();
        let role = ak.role();
        let container = if matches!(role, Role::Pane | Role::Window | Role::Dialog) {
            *next += 1;
            *next
        } else {
            container
        };
        if let Some(rect) = rect_of(&child, ppp) {
            let text_right = child
                .children()
                .filter(|c| c.accesskit_node().role() == Role::TextRun)
                .filter_map(|c| rect_of(&c, ppp))
                .map(|r| r.max.x)
                .reduce(f32::max);
            let name = ak.label().or_else(|| ak.value()).unwrap_or_default();
            out.push(Widget { role, name, rect, container, text_right });
        }
        collect(&child, container, next, ppp, out);
    }
}

/// What is wrong with the layout shown now in a window `width` points wide (empty when
/// nothing is).
pub(super) fn layout_problems<S>(harness: &Harness<'_, S>, width: f32) -> Vec<String> {
    let ppp = harness.ctx.pixels_per_point();
    let mut widgets = Vec::new();
    let mut next = 0;
    collect(&harness.root(), 0, &mut next, ppp, &mut widgets);
    let mut problems = Vec::new();
    for w in &widgets {
        if w.rect.width() <= 0.0 || w.rect.height() <= 0.0 {
            continue;
        }
        let text = matches!(w.role, Role::Label | Role::TextRun);
        if (is_interactive(w.role) || text) && w.rect.max.x > width + SLACK {
            problems.push(format!(
                "{:?} “{}” reaches past the right edge ({:.0} > {:.0})",
                w.role, w.name, w.rect.max.x, width
            ));
        }
        if let Some(right) = w.text_right.filter(|_| is_interactive(w.role))
            && right > w.rect.max.x + SLACK
        {
            problems.push(format!(
                "{:?} “{}” cuts its text ({right:.0} > {:.0})",
                w.role, w.name, w.rect.max.x
            ));
        }
    }
    let interactive: Vec<&Widget> = widgets
        .iter()
        .filter(|w| is_interactive(w.role) && w.rect.width() > 0.0 && w.rect.height() > 0.0)
        .collect();
    for (i, a) in interactive.iter().enumerate() {
        for b in &interactive[i + 1..] {
            if a.container != b.container {
                continue;
            }
            let overlap = a.rect.shrink(SLACK).intersect(b.rect.shrink(SLACK));
            if overlap.is_positive() {
                problems.push(format!(
                    "{:?} “{}” overlaps {:?} “{}” at ({:.0}, {:.0})",
                    a.role, a.name, b.role, b.name, overlap.min.x, overlap.min.y
                ));
            }
        }
    }
    problems
}

/// Every character of the text on screen that the installed fonts cannot draw.
pub(super) fn missing_glyphs<S>(harness: &Harness<'_, S>) -> Vec<(char, String)> {
    let mut missing = Vec::new();
    let font = egui::FontId::proportional(20.0);
    for node in harness.root().children_recursive() {
        let ak = node.accesskit_node();
        for text in [ak.label(), ak.value()].into_iter().flatten() {
            for c in text.chars().filter(|c| !c.is_whitespace()) {
                if !harness.ctx.fonts_mut(|f| f.has_glyph(&font, c)) {
                    missing.push((c, text.clone()));
                }
            }
        }
    }
    missing
}

/// Shows the current screen at every supported size and returns the problems found, each
/// prefixed with the screen, the window and the text size; `zoom` sets the text size.
/// Leaves the harness at 1280×1000 and 100 %.
pub(super) fn sweep_with<S>(
    harness: &mut Harness<'static, S>,
    screen: &str,
    zoom: impl Fn(&mut Harness<'static, S>, f32),
) -> Vec<String> {
    let mut problems = Vec::new();
    for (width, height) in WINDOWS {
        for factor in ZOOMS {
            // The text size first: egui scales the screen for the frame that applies a new
            // zoom, and the harness gives the screen size only in the frame after
            // `set_size`, so a size set before the zoom would be lost.
            zoom(harness, factor);
            harness.run();
            harness.set_size(egui::vec2(width / factor, height / factor));
            harness.run();
            // A second run: layouts that depend on the previous frame settle.
            harness.run();
            let at = format!("{screen} @ {width}×{height} {:.0}%", factor * 100.0);
            problems.extend(
                layout_problems(harness, width / factor).into_iter().map(|p| format!("{at}: {p}")),
            );
            problems.extend(
                missing_glyphs(harness)
                    .into_iter()
                    .map(|(c, text)| format!("{at}: no glyph for {c:?} in “{text}”")),
            );
        }
    }
    zoom(harness, 1.0);
    harness.set_size(egui::vec2(1280.0, 1000.0));
    harness.run();
    problems
}

/// [`sweep_with`] for the app.
pub(super) fn sweep(harness: &mut Harness<'static, AppState>, screen: &str) -> Vec<String> {
    sweep_with(harness, screen, |harness, zoom| harness.state_mut().prefs.zoom = zoom)
}

/// Every non-ASCII character in the sources (outside their unit tests) and the bundled
/// data files: a superset of every string the UI can show (code comments are in English).
fn characters_the_ui_can_show() -> std::collections::BTreeMap<char, String> {
    fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs" || e == "ron") {
                out.push(path);
            }
        }
    }
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in ["src", "scales", "assets/policies"] {
        walk(&root.join(dir), &mut files);
    }
    let mut chars = std::collections::BTreeMap::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        // Unit tests (at the end of a file) are not shown.
        let text = text.split("#[cfg(test)]").next().unwrap_or_default();
        for c in text.chars().filter(|c| !c.is_ascii() && !c.is_whitespace()) {
            chars.entry(c).or_insert_with(|| file.display().to_string());
        }
    }
    chars
}

#[test]
fn every_character_the_ui_can_show_has_a_glyph() {
    let mut harness =
        Harness::builder().with_context_setup(elder_assess::ui::setup_context).build_ui(|ui| {
            ui.label("字");
        });
    harness.run();
    let chars = characters_the_ui_can_show();
    assert!(chars.len() > 1000, "the sources hold the UI's Chinese text: {}", chars.len());
    let font = egui::FontId::proportional(20.0);
    let missing: Vec<String> = chars
        .iter()
        .filter(|(c, _)| !harness.ctx.fonts_mut(|f| f.has_glyph(&font, **c)))
        .map(|(c, file)| format!("{c:?} (U+{:04X}) in {file}", u32::from(*c)))
        .collect();
    assert!(missing.is_empty(), "no glyph for:\n{}", missing.join("\n"));
}
