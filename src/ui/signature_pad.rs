//! A signature pad: draw with a mouse, finger or pen; strokes are stored normalised.

use egui::{Pos2, Rect, Sense, Shape, Stroke, Vec2, emath::RectTransform, pos2};

use crate::record::{Signature, signature::SCALE};

use super::theme;

/// Per-pad state that is not part of the record: whether a stroke is in progress.
#[derive(Debug, Clone, Copy, Default)]
pub struct PadState {
    drawing: bool,
}

/// Shows a pad for `signature`. Returns `true` when a stroke was finished this frame.
///
/// `label` is the pad's accessible name, e.g. `评估员1签名板`.
pub fn signature_pad(
    ui: &mut egui::Ui,
    label: &str,
    signature: &mut Signature,
    state: &mut PadState,
    size: Vec2,
) -> bool {
    let (response, painter) = ui.allocate_painter(size, Sense::drag());
    let name = label.to_owned();
    response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Canvas, true, name.clone()));
    let unit = Rect::from_min_size(Pos2::ZERO, Vec2::splat(f32::from(SCALE)));
    let to_screen = RectTransform::from_to(unit, response.rect);
    let from_screen = to_screen.inverse();
    painter.rect_filled(response.rect, 6.0, theme::PAPER);
    let mut finished = false;
    if let Some(pointer) = response.interact_pointer_pos() {
        let p = from_screen * pointer;
        let point = [to_unit(p.x), to_unit(p.y)];
        if !state.drawing {
            signature.strokes.push(Vec::new());
            state.drawing = true;
        }
        if let Some(stroke) = signature.strokes.last_mut()
            && stroke.last() != Some(&point)
        {
            stroke.push(point);
        }
    } else if state.drawing {
        state.drawing = false;
        // A tap without movement is not a stroke.
        if signature.strokes.last().is_some_and(|s| s.len() < 2) {
            signature.strokes.pop();
        } else {
            finished = true;
        }
    }
    if signature.strokes.is_empty() {
        painter.text(
            response.rect.center(),
            egui::Align2::CENTER_CENTER,
            "请在此处签名",
            egui::FontId::proportional(theme::BODY),
            theme::PAPER_HINT,
        );
    }
    for stroke in signature.strokes.iter().filter(|s| s.len() >= 2) {
        let points =
            stroke.iter().map(|[x, y]| to_screen * pos2(f32::from(*x), f32::from(*y))).collect();
        painter.add(Shape::line(points, Stroke::new(2.5, theme::INK)));
    }
    finished
}

/// A pad coordinate (0..=SCALE as f32, possibly outside when dragged off the pad) as an
/// integer clamped to the pad.
fn to_unit(v: f32) -> u16 {
    let clamped = v.clamp(0.0, f32::from(SCALE)).round();
    // In range after the clamp, so the conversion is exact.
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "clamped to 0..=SCALE"
    )]
    let unit = clamped as u16;
    unit
}
