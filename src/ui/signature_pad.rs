//! A signature pad: draw with a mouse, finger or pen; strokes are stored normalised.
//!
//! The pad reads the frame's pointer events in order (press, moves, release), so a pen-up
//! always ends its stroke even when the next move or pen-down arrives in the same frame
//! (no stray line joins two strokes).

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
    // The frame's pointer events in order, not the frame's summary: a pen-up and the next
    // move or pen-down can arrive in one frame, and the summary would join the strokes.
    let events = ui.ctx().input(|i| i.events.clone());
    let on_pad = |pos: Pos2| {
        response.rect.contains(pos) && ui.ctx().layer_id_at(pos) == Some(response.layer_id)
    };
    let mut finished = false;
    for event in &events {
        match *event {
            egui::Event::PointerButton {
                pos,
                button: egui::PointerButton::Primary,
                pressed,
                ..
            } => {
                if pressed && !state.drawing && on_pad(pos) {
                    signature.strokes.push(Vec::new());
                    state.drawing = true;
                    add_point(signature, from_screen * pos);
                } else if !pressed && state.drawing {
                    add_point(signature, from_screen * pos);
                    finished |= end_stroke(signature, state);
                }
            }
            egui::Event::PointerMoved(pos) if state.drawing => {
                add_point(signature, from_screen * pos);
            }
            egui::Event::PointerGone | egui::Event::WindowFocused(false) if state.drawing => {
                finished |= end_stroke(signature, state);
            }
            _ => {}
        }
    }
    // A pen-up while the pad was not shown (another section, a scrolled-away pad).
    if state.drawing && !ui.ctx().input(|i| i.pointer.primary_down()) {
        finished |= end_stroke(signature, state);
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

/// Adds a point (pad units) to the stroke in progress, unless it repeats the last one.
fn add_point(signature: &mut Signature, p: Pos2) {
    let point = [to_unit(p.x), to_unit(p.y)];
    if let Some(stroke) = signature.strokes.last_mut()
        && stroke.last() != Some(&point)
    {
        stroke.push(point);
    }
}

/// Ends the stroke in progress; `true` when it is kept (a tap without movement is not a
/// stroke).
fn end_stroke(signature: &mut Signature, state: &mut PadState) -> bool {
    state.drawing = false;
    if signature.strokes.last().is_some_and(|s| s.len() < 2) {
        signature.strokes.pop();
        false
    } else {
        true
    }
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
