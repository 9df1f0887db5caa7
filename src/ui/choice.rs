//! Option lists that are one Tab stop each: a single choice (radio buttons) or a multiple
//! choice (check boxes) takes the keyboard focus once, the arrow keys move inside it and
//! Space ticks. Each option is still its own radio button or check box for the mouse, the
//! touch screen and screen readers; only one of them — the chosen one, or the first — is
//! in the Tab order.
//!
//! Keys while the list has the focus: ← → ↑ ↓ move (a single choice chooses as it moves,
//! like every radio group), Space or Enter chooses or ticks the option under the cursor,
//! and a digit 1–9 chooses (and moves on) or ticks the option of that number.

use egui::{Id, Key, Modifiers, Rect, Response, Sense, Ui, Vec2, WidgetInfo, WidgetText};

/// Whether the list is a single or a multiple choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Radio buttons.
    Single,
    /// Check boxes.
    Multiple,
}

/// How long after a first digit a second one makes a two-digit option number (in lists of
/// ten options or more: 1 then 8 is option 18).
const SECOND_DIGIT: f64 = 1.0;

/// Shows `options` (each with whether it is chosen) in a wrapping row. Returns the options
/// the user clicked or chose with the keyboard this frame, in order: each to choose
/// (single; the last one counts) or to tick or untick (multiple). Space and Enter on the
/// focused option click it (egui does that).
pub fn option_list(ui: &mut Ui, kind: Kind, options: &[(String, bool)]) -> Vec<usize> {
    let id = ui.next_auto_id().with("option-list");
    let count = options.len();
    if count == 0 {
        return Vec::new();
    }
    let chosen = options.iter().position(|(_, on)| *on);
    let cursor = ui
        .data(|data| data.get_temp::<usize>(id))
        .filter(|c| *c < count)
        .or(chosen.filter(|_| kind == Kind::Single))
        .unwrap_or(0);
    let mut picked = Vec::new();
    let mut moved_to = None;
    ui.horizontal_wrapped(|ui| {
        for (index, (text, on)) in options.iter().enumerate() {
            let option_id = id.with(index);
            let response = option_ui(ui, option_id, kind, text, *on, index == cursor);
            if index == cursor {
                super::form::field_focus(ui, &response);
                if kind == Kind::Single && response.has_focus() {
                    // Enter chooses (egui clicks the focused option) and moves on.
                    super::form::enter_moves_on(ui, &response);
                }
            }
            if response.clicked() {
                picked.push(index);
                moved_to = Some(index);
            }
            if index == cursor
                && response.has_focus()
                && let Some(step) = arrow_step(ui, option_id)
            {
                let next = (cursor + count).saturating_add_signed(step) % count;
                moved_to = Some(next);
                if kind == Kind::Single {
                    picked.push(next);
                }
            }
            // The form numbers its options 1, 2, 3…: a digit chooses (and, for a single
            // choice, moves on to the next field) or ticks that option.
            if index == cursor
                && response.has_focus()
                && let Some(typed) = digit(ui)
                && let Some(number) = numbered(ui, id, count, typed, &mut picked, kind)
            {
                picked.push(number);
                moved_to = Some(number);
                if kind == Kind::Single && count < 10 {
                    super::form::move_on(ui);
                }
            }
        }
    });
    if let Some(next) = moved_to {
        ui.data_mut(|data| data.insert_temp(id, next));
        if next != cursor && ui.memory(|m| m.has_focus(id.with(cursor))) {
            ui.memory_mut(|m| m.request_focus(id.with(next)));
        }
    }
    picked
}

/// The option (0-based) that digit `typed` names: in a list of ten or more, a digit
/// typed within [`SECOND_DIGIT`] of the one before makes a two-digit number with it when
/// that is an option, and the first digit's option is taken back (pushed to `picked`
/// again for a multiple choice, which unticks it).
fn numbered(
    ui: &Ui,
    id: Id,
    count: usize,
    typed: usize,
    picked: &mut Vec<usize>,
    kind: Kind,
) -> Option<usize> {
    let key = id.with("first-digit");
    let now = ui.input(|input| input.time);
    let first = ui.data_mut(|data| data.remove_temp::<(usize, f64)>(key));
    if count >= 10
        && let Some((first, _)) = first.filter(|(_, at)| now - at <= SECOND_DIGIT)
        && (1..=count).contains(&(first * 10 + typed))
    {
        if kind == Kind::Multiple && first >= 1 {
            picked.push(first - 1);
        }
        return Some(first * 10 + typed - 1);
    }
    if count >= 10 {
        ui.data_mut(|data| data.insert_temp(key, (typed, now)));
    }
    (1..=count).contains(&typed).then(|| typed - 1)
}

/// The digit key pressed (0–9), taken from the input.
fn digit(ui: &Ui) -> Option<usize> {
    ui.input_mut(|input| DIGIT_KEYS.iter().position(|key| input.consume_key(Modifiers::NONE, *key)))
}

/// The digit keys 0–9, in order (also the wizard's Annex B score keys).
pub const DIGIT_KEYS: [Key; 10] = [
    Key::Num0,
    Key::Num1,
    Key::Num2,
    Key::Num3,
    Key::Num4,
    Key::Num5,
    Key::Num6,
    Key::Num7,
    Key::Num8,
    Key::Num9,
];

/// The arrow key pressed for the focused option (−1 back, +1 on), taken from egui, which
/// would otherwise move the focus to the nearest widget in that direction.
pub fn arrow_step(ui: &Ui, option_id: Id) -> Option<isize> {
    let filter =
        egui::EventFilter { horizontal_arrows: true, vertical_arrows: true, ..Default::default() };
    ui.memory_mut(|m| m.set_focus_lock_filter(option_id, filter));
    ui.input_mut(|input| {
        if input.consume_key(Modifiers::NONE, Key::ArrowRight)
            || input.consume_key(Modifiers::NONE, Key::ArrowDown)
        {
            Some(1)
        } else if input.consume_key(Modifiers::NONE, Key::ArrowLeft)
            || input.consume_key(Modifiers::NONE, Key::ArrowUp)
        {
            Some(-1)
        } else {
            None
        }
    })
}

/// One radio button or check box; only the `tab_stop` one takes the keyboard focus.
fn option_ui(ui: &mut Ui, id: Id, kind: Kind, text: &str, on: bool, tab_stop: bool) -> Response {
    let spacing = ui.spacing();
    let icon = spacing.icon_width;
    let gap = spacing.icon_spacing;
    let padding = spacing.button_padding.x;
    let height = spacing.interact_size.y;
    let wrap_width = (ui.available_width() - icon - gap - padding).max(40.0);
    let galley = WidgetText::from(text).into_galley(
        ui,
        Some(egui::TextWrapMode::Wrap),
        wrap_width,
        egui::TextStyle::Button,
    );
    let size = Vec2::new(icon + gap + galley.size().x + padding, galley.size().y.max(height));
    let (rect, _) = ui.allocate_exact_size(size, Sense::hover());
    let sense = if tab_stop { Sense::click() } else { Sense::CLICK };
    let response = ui.interact(rect, id, sense);
    let role = match kind {
        Kind::Single => egui::Role::RadioButton,
        Kind::Multiple => egui::Role::CheckBox,
    };
    let enabled = ui.is_enabled();
    response.widget_info(|| WidgetInfo::selected(role, enabled, on, text));
    if ui.is_rect_visible(rect) {
        let visuals = ui.style().interact(&response);
        let icon_rect = Rect::from_center_size(
            egui::pos2(rect.left() + icon / 2.0, rect.center().y),
            Vec2::splat(icon),
        );
        let painter = ui.painter();
        match kind {
            Kind::Single => {
                painter.circle(
                    icon_rect.center(),
                    icon / 2.0 + visuals.expansion,
                    visuals.bg_fill,
                    visuals.bg_stroke,
                );
                if on {
                    painter.circle_filled(icon_rect.center(), icon / 4.0, visuals.fg_stroke.color);
                }
            }
            Kind::Multiple => {
                painter.rect(
                    icon_rect.expand(visuals.expansion),
                    3.0,
                    visuals.bg_fill,
                    visuals.bg_stroke,
                    egui::StrokeKind::Inside,
                );
                if on {
                    let r = icon_rect.shrink(icon / 5.0);
                    let tick = vec![
                        egui::pos2(r.left(), r.center().y),
                        egui::pos2(r.center().x - r.width() / 8.0, r.bottom()),
                        egui::pos2(r.right(), r.top()),
                    ];
                    painter.add(egui::Shape::line(tick, visuals.fg_stroke));
                }
            }
        }
        let text_pos = egui::pos2(icon_rect.right() + gap, rect.center().y - galley.size().y / 2.0);
        painter.galley(text_pos, galley, visuals.text_color());
        if response.has_focus() {
            let stroke = ui.visuals().selection.stroke;
            painter.rect_stroke(rect.expand(2.0), 4.0, stroke, egui::StrokeKind::Outside);
        }
    }
    response
}
