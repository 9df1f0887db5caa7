//! 历史评估: every assessment of one elder (records are linked by ID number), newest
//! first, each one click from opening, with level changes marked and every 退回 with its
//! reason; 发起复评 from the latest approved assessment.

use egui::{Grid, RichText, Ui};

use crate::scale::Scale;
use crate::store::{Status, Summary};

use super::table::table;
use super::theme;
use super::widgets::{level_short, row_button};

/// One elder's assessments.
pub struct HistoryView {
    /// Newest first, as [`crate::store::Store::history_of`] returns them.
    pub rows: Vec<Summary>,
    /// The record the history was opened from (marked in the list).
    pub from: i64,
    /// Every 退回 of these records with its reason, newest first.
    pub returns: Vec<crate::store::ReturnEvent>,
}

/// What the user asked for on the history screen.
pub enum HistoryAction {
    /// Open this record.
    Open(i64),
    /// Start a 复评: a new draft linked to this approved record.
    Reassess(i64),
    /// Back to the list of assessments.
    Back,
}

/// Shows the history. `can_reassess`: whether the signed-in account may start a 复评.
pub fn history_ui(
    ui: &mut Ui,
    view: &HistoryView,
    can_reassess: bool,
    scale: &Scale,
    marks: Option<&crate::store::SyncMarks>,
) -> Option<HistoryAction> {
    let mut action = None;
    if ui.button("← 返回列表").clicked() {
        action = Some(HistoryAction::Back);
    }
    let Some(newest) = view.rows.first() else {
        ui.label("没有找到评估");
        return action;
    };
    let name =
        if newest.subject_name.is_empty() { "（未填姓名）" } else { &newest.subject_name };
    let id = if newest.id_masked.is_empty() { "无身份证号" } else { &newest.id_masked };
    ui.heading(format!("历史评估：{name}（{id}）"));
    ui.label(format!("共 {} 次评估，按评估日期从新到旧排列", view.rows.len()));
    // A 复评 starts from the newest record only when it is approved: otherwise a newer
    // assessment is already under way.
    if newest.status == Status::Approved && can_reassess {
        let button = egui::Button::new(
            RichText::new(format!("发起复评（基于 {}）", newest.number)).strong(),
        )
        .min_size(egui::vec2(0.0, theme::TARGET_HEIGHT));
        if ui.add(button).clicked() {
            action = Some(HistoryAction::Reassess(newest.id));
        }
    }
    ui.add_space(8.0);
    egui::ScrollArea::vertical().auto_shrink([false, false]).show(ui, |ui| {
        returns_ui(ui, &view.returns);
        let headers = ["评估日期", "评估编号", "状态", "乡镇", "最终等级", "与上次相比", ""];
        table(ui, "history", &headers, view.rows.len(), |ui, i, column| {
            let row = &view.rows[i];
            match column {
                0 => {
                    let date = RichText::new(row.reference_date.to_string());
                    ui.label(if row.id == view.from {
                        date.strong().color(theme::ACCENT)
                    } else {
                        date
                    });
                }
                1 => {
                    ui.label(&row.number);
                }
                2 => {
                    let status = RichText::new(row.status.label());
                    let _ = super::sync_view::status_cell(ui, status, marks, row.id, &row.number);
                }
                3 => {
                    ui.label(&row.township);
                }
                4 => {
                    ui.label(level_short(scale, row.final_level));
                }
                5 => change_ui(ui, row, view.rows.get(i + 1..).unwrap_or_default(), scale),
                _ => {
                    if row_button(ui, "打开", &row.number).clicked() {
                        action = Some(HistoryAction::Open(row.id));
                    }
                }
            }
        });
    });
    action
}

/// The level change against the previous scored assessment in `older` (newest first).
fn change_ui(ui: &mut Ui, row: &Summary, older: &[Summary], scale: &Scale) {
    let level_short = |level| level_short(scale, level);
    let previous = older.iter().find_map(|r| r.final_level);
    match (row.final_level, previous) {
        (Some(now), Some(then)) if now > then => {
            let text = format!("加重：{} → {}", level_short(Some(then)), level_short(Some(now)));
            ui.label(RichText::new(text).color(theme::ERROR).strong());
        }
        (Some(now), Some(then)) if now < then => {
            let text = format!("减轻：{} → {}", level_short(Some(then)), level_short(Some(now)));
            ui.label(RichText::new(text).color(theme::OK).strong());
        }
        (Some(_), Some(_)) => {
            ui.label("等级未变");
        }
        _ => {
            ui.label("—");
        }
    }
}

/// 退回记录: every return of the elder's records, with when, by whom and why.
fn returns_ui(ui: &mut Ui, returns: &[crate::store::ReturnEvent]) {
    if returns.is_empty() {
        return;
    }
    ui.label(RichText::new(format!("退回记录（{} 次）", returns.len())).strong());
    Grid::new("history-returns").num_columns(4).striped(true).spacing([20.0, 8.0]).show(ui, |ui| {
        for title in ["退回时间", "评估编号", "审核员", "退回原因"] {
            ui.label(RichText::new(title).strong());
        }
        ui.end_row();
        for event in returns {
            let local = event.at.with_timezone(&crate::clock::CHINA_OFFSET);
            ui.label(local.format("%Y-%m-%d %H:%M").to_string());
            ui.label(&event.number);
            ui.label(&event.reviewer);
            ui.label(RichText::new(format!("退回：{}", event.reason)).color(theme::WARNING));
            ui.end_row();
        }
    });
    ui.add_space(12.0);
}
