//! Form rows that hold at every window and text size: the field's label in a column
//! beside its answers while the pane is wide, above them once it is narrow; the answers
//! wrap inside their own row, so a row is always as tall as what it shows and nothing is
//! wider than the pane.
//!
//! egui's `Grid` sizes a row from the previous frame, and wrapped option lists inside it
//! were drawn over the next row's options; a row here is laid out in one pass.

use egui::{Align, Id, Key, Layout, Response, RichText, Ui, vec2};

use super::theme;

/// Below this pane width (points) a row puts its label above its answers.
pub const NARROW: f32 = 620.0;

/// Space between two rows.
const ROW_GAP: f32 = 14.0;

/// The label column's width in a pane `width` points wide; `None` when the pane is
/// narrow and labels go above their answers.
#[must_use]
pub fn label_width(width: f32) -> Option<f32> {
    (width >= NARROW).then(|| (width * 0.3).clamp(160.0, 280.0))
}

/// One form row: `code title` (with a red `*` when `required`), then what `add` shows,
/// given the label's response so that fields can be named by it.
pub fn row<R>(
    ui: &mut Ui,
    code: &str,
    title: &str,
    required: bool,
    add: impl FnOnce(&mut Ui, &Response) -> R,
) -> R {
    let text = if code.is_empty() { title.to_owned() } else { format!("{code} {title}") };
    labelled_row(ui, &text, required, add)
}

/// [`row`] with a label that is not an Annex A field (`其他原因`, `族别`).
pub fn labelled_row<R>(
    ui: &mut Ui,
    text: &str,
    required: bool,
    add: impl FnOnce(&mut Ui, &Response) -> R,
) -> R {
    let width = ui.available_width();
    let inner = match label_width(width) {
        Some(label_width) => {
            ui.horizontal_top(|ui| {
                let label = column(ui, label_width, |ui| label_ui(ui, text, required));
                let answers = ui.available_width().max(0.0);
                column(ui, answers, |ui| add(ui, &label))
            })
            .inner
        }
        None => {
            ui.vertical(|ui| {
                ui.set_max_width(width);
                let label = label_ui(ui, text, required);
                add(ui, &label)
            })
            .inner
        }
    };
    ui.add_space(ROW_GAP);
    inner
}

/// A top-down column exactly `width` points wide.
fn column<R>(ui: &mut Ui, width: f32, add: impl FnOnce(&mut Ui) -> R) -> R {
    ui.allocate_ui_with_layout(vec2(width, 0.0), Layout::top_down(Align::Min), |ui| {
        ui.set_width(width);
        add(ui)
    })
    .inner
}

/// The label, wrapped to its column, with the required mark after it.
fn label_ui(ui: &mut Ui, text: &str, required: bool) -> Response {
    ui.horizontal_wrapped(|ui| {
        let label = ui.add(egui::Label::new(text).wrap());
        if required {
            ui.label(RichText::new("*").color(theme::ERROR));
        }
        label
    })
    .inner
}

/// The width a fixed-size field may take: `wanted`, or all that is left when less is.
#[must_use]
pub fn field_width(ui: &Ui, wanted: f32) -> f32 {
    wanted.min(ui.available_width()).max(40.0)
}

/// Asks that the next field drawn take the keyboard focus (a section just opened).
const FOCUS_FIRST: &str = "form-focus-first";
/// Enter was pressed in a field: the next field drawn takes the focus, or, when none
/// follows, the section's 下一部分 ([`take_enter_next`]).
const ENTER_NEXT: &str = "form-enter-next";

/// A section opened: its first field takes the keyboard focus.
pub fn focus_first_field(ctx: &egui::Context) {
    ctx.data_mut(|data| data.insert_temp(Id::unique(FOCUS_FIRST), true));
}

/// Every field calls this with its response (a text field, a date, a number, the Tab
/// stop of an option list, a drop-down): it takes the focus when it is the first field
/// of a section just opened or follows the field where Enter was pressed, and it is
/// scrolled into view when it gains the focus (by Tab, Enter or a click).
pub fn field_focus(ui: &Ui, response: &Response) {
    if ui.is_sizing_pass() || !ui.is_enabled() {
        return;
    }
    let take = |key: &str| ui.data_mut(|data| data.remove_temp::<bool>(Id::unique(key)));
    let first = take(FOCUS_FIRST).unwrap_or(false);
    let after_enter = take(ENTER_NEXT).unwrap_or(false);
    if first || after_enter {
        response.request_focus();
    }
    if response.gained_focus() {
        response.scroll_to_me(None);
    }
}

/// Enter in the field of `response` moves on to the next field (a single-line text field
/// gives its focus up on Enter; an option list takes Enter as choosing).
pub fn enter_moves_on(ui: &Ui, response: &Response) {
    let enter = ui.input(|input| input.key_pressed(Key::Enter));
    // Only the field that had the focus before this Enter: the field that takes the focus
    // because of it must not pass the same Enter on.
    let held = response.lost_focus() || (response.has_focus() && !response.gained_focus());
    if enter && held {
        move_on(ui);
    }
}

/// Moves the focus on to the next field (or the next section), as Enter does.
pub fn move_on(ui: &Ui) {
    ui.data_mut(|data| data.insert_temp(Id::unique(ENTER_NEXT), true));
}

/// Drops the requests no field took this frame (a section without fields, Enter in the
/// last field of a section without 下一部分).
pub fn clear_focus_requests(ctx: &egui::Context) {
    ctx.data_mut(|data| {
        data.remove_temp::<bool>(Id::unique(FOCUS_FIRST));
        data.remove_temp::<bool>(Id::unique(ENTER_NEXT));
    });
}

/// Whether Enter was pressed in the section's last field (no field took it): the
/// section's 下一部分 then goes on. Takes the request.
pub fn take_enter_next(ui: &Ui) -> bool {
    ui.data_mut(|data| data.remove_temp::<bool>(Id::unique(ENTER_NEXT))).unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_go_above_the_answers_in_a_narrow_pane() {
        assert_eq!(label_width(400.0), None);
        assert_eq!(label_width(NARROW - 1.0), None);
        assert_eq!(label_width(NARROW), Some(186.0));
        assert_eq!(label_width(2000.0), Some(280.0));
    }
}
