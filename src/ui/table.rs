//! Tables that fit their pane: columns side by side while they fit, one card per row
//! (each value under its column's name) once the pane is narrower than the columns need.
//!
//! Lists are read on small laptops and tablets with large text: a table wider than the
//! window hides its last columns (and the row's buttons) off the right edge. The width
//! the columns need is measured in an invisible sizing pass whenever it is not known to
//! fit, and remembered from the last frame drawn as columns.

use egui::{Grid, RichText, Ui, UiBuilder};

/// Draws `rows` rows of `headers.len()` columns; `cell(ui, row, column)` draws one value.
/// `cell` may be called twice in a frame (the sizing pass draws nothing and takes no
/// clicks). Headers that are empty (a column of buttons) are left out of the cards.
pub fn table(
    ui: &mut Ui,
    id_salt: &str,
    headers: &[&str],
    rows: usize,
    mut cell: impl FnMut(&mut Ui, usize, usize),
) {
    let id = ui.make_persistent_id(("table", id_salt));
    let available = ui.available_width();
    let mut needed = ui.data(|data| data.get_temp::<f32>(id));
    if needed.is_none_or(|needed| needed > available) {
        // A child that is not placed in `ui`: measuring takes no room.
        let mut sizing = ui.new_child(UiBuilder::new().sizing_pass().invisible());
        needed = Some(columns(&mut sizing, id.with("sizing"), headers, rows, &mut cell).width());
    }
    let fits = needed.is_some_and(|needed| needed <= available);
    if fits {
        let width = columns(ui, id, headers, rows, &mut cell).width();
        ui.data_mut(|data| data.insert_temp(id, width));
    } else {
        if let Some(needed) = needed {
            ui.data_mut(|data| data.insert_temp(id, needed));
        }
        cards(ui, headers, rows, &mut cell);
    }
}

/// The rows as a striped grid; returns the grid's rectangle.
fn columns(
    ui: &mut Ui,
    id: egui::Id,
    headers: &[&str],
    rows: usize,
    cell: &mut impl FnMut(&mut Ui, usize, usize),
) -> egui::Rect {
    Grid::new(id)
        .num_columns(headers.len())
        .striped(true)
        .spacing([16.0, 10.0])
        .show(ui, |ui| {
            for header in headers {
                ui.label(RichText::new(*header).strong());
            }
            ui.end_row();
            for row in 0..rows {
                for column in 0..headers.len() {
                    cell(ui, row, column);
                }
                ui.end_row();
            }
        })
        .response
        .rect
}

/// One framed card per row, each value on its own line after its column's name (a
/// column without a name — the row's buttons — shares one wrapping line).
fn cards(ui: &mut Ui, headers: &[&str], rows: usize, cell: &mut impl FnMut(&mut Ui, usize, usize)) {
    for row in 0..rows {
        egui::Frame::group(ui.style()).show(ui, |ui| {
            ui.set_width(ui.available_width());
            let unnamed: Vec<usize> =
                (0..headers.len()).filter(|c| headers[*c].is_empty()).collect();
            for (column, header) in headers.iter().enumerate().filter(|(_, h)| !h.is_empty()) {
                ui.horizontal_wrapped(|ui| {
                    ui.label(RichText::new(format!("{header}：")).weak());
                    cell(ui, row, column);
                });
            }
            if !unnamed.is_empty() {
                ui.horizontal_wrapped(|ui| {
                    for &column in &unnamed {
                        cell(ui, row, column);
                    }
                });
            }
        });
    }
}
