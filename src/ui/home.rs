//! Home: the local assessments, newest first, with search and 新建评估.

use egui::{RichText, Ui};

use crate::scale::Scale;
use crate::store::{Status, Store, Summary, SyncMarks};

use super::table::table;
use super::theme;
use super::widgets::{LIST_LIMIT, row_button};

/// Shown on the home screen while the database is not encrypted (no accounts yet).
pub const UNENCRYPTED_NOTICE: &str = "注意：本机评估数据未加密，姓名、身份证号和诊断以明文保存在本机。\
     请管理员在命令行运行 elder-assess accounts init 创建第一个管理员账号：\
     之后数据库和备份都会加密保存，登录后才能打开。";

/// What the user asked for on the list.
pub(super) enum HomeAction {
    /// Open this assessment.
    Open(i64),
    /// Show every assessment of this record's elder.
    History(i64),
    /// Start a new assessment.
    Create,
    /// Open the 导出表格… window.
    ExportTable,
    /// 同步 with the county server.
    Sync,
}

/// What the home screen shows about sync on an enrolled device: the records' marks and
/// the running sync's step, if one runs.
pub(super) struct SyncShown<'a> {
    pub marks: &'a SyncMarks,
    pub running: Option<&'a str>,
}

/// Shows the list.
pub(super) fn home_ui(
    ui: &mut Ui,
    store: &Store,
    query: &mut String,
    rows: &mut Option<(Vec<Summary>, usize)>,
    error: &mut Option<String>,
    scale: &Scale,
    sync: Option<&SyncShown<'_>>,
) -> Option<HomeAction> {
    let mut action = None;
    ui.horizontal_wrapped(|ui| {
        if ui
            .add(
                egui::Button::new(RichText::new("＋ 新建评估").strong())
                    .min_size(egui::vec2(180.0, theme::TARGET_HEIGHT)),
            )
            .clicked()
        {
            action = Some(HomeAction::Create);
        }
        ui.add_space(24.0);
        let label = ui.label("搜索");
        let search = ui
            .add(
                egui::TextEdit::singleline(query)
                    .hint_text("姓名或身份证号")
                    .desired_width(super::form::field_width(ui, 280.0)),
            )
            .labelled_by(label.id);
        if search.changed() {
            *rows = None;
        }
        ui.add_space(24.0);
        if ui
            .add(egui::Button::new("导出表格…").min_size(egui::vec2(0.0, theme::TARGET_HEIGHT)))
            .on_hover_text("评估记录导出为 CSV 或 Excel，默认去标识化")
            .clicked()
        {
            action = Some(HomeAction::ExportTable);
        }
        if let Some(sync) = sync {
            ui.add_space(24.0);
            if super::sync_view::sync_button_ui(ui, sync.marks, sync.running) {
                action = Some(HomeAction::Sync);
            }
        }
    });
    ui.add_space(8.0);
    if let Some(sync) = sync {
        super::sync_view::status_ui(ui, sync.marks, sync.running);
    }
    if !store.is_encrypted() {
        // Wrapped at the visible width: the row above may be wider than the window.
        let visible = (ui.clip_rect().right() - ui.cursor().left()).max(200.0);
        ui.allocate_ui(egui::vec2(visible, 0.0), |ui| {
            ui.label(RichText::new(UNENCRYPTED_NOTICE).color(theme::WARNING));
        });
        ui.add_space(8.0);
    }
    if rows.is_none() {
        match store.list_page(query.trim(), LIST_LIMIT) {
            Ok(page) => *rows = Some(page),
            Err(err) => {
                *error = Some(format!("无法读取评估列表：{err}"));
                *rows = Some((Vec::new(), 0));
            }
        }
    }
    let (list, total) = rows.as_ref().map_or((&[][..], 0), |(list, total)| (&list[..], *total));
    if list.is_empty() {
        let text = if query.trim().is_empty() {
            "还没有评估。点击“新建评估”开始。"
        } else {
            "没有找到匹配的评估"
        };
        ui.label(text);
        return action;
    }
    if total > list.len() {
        ui.label(format!("共 {total} 条，显示最近修改的 {} 条；其他评估请用搜索查找", list.len()));
    }
    list_ui(ui, list, scale, sync.map(|sync| sync.marks)).or(action)
}

/// The rows with their 打开 and 历史 buttons (cards in a narrow window).
fn list_ui(
    ui: &mut Ui,
    list: &[Summary],
    scale: &Scale,
    marks: Option<&SyncMarks>,
) -> Option<HomeAction> {
    let mut action = None;
    let headers = ["状态", "姓名", "身份证号", "乡镇", "评估日期", "最终等级", "评估编号", "", ""];
    egui::ScrollArea::vertical().auto_shrink([false, false]).show(ui, |ui| {
        table(ui, "assessments", &headers, list.len(), |ui, index, column| {
            let row = &list[index];
            match column {
                0 => {
                    let status = RichText::new(row.status.label());
                    let status = if row.status == Status::Completed {
                        status.color(theme::OK)
                    } else {
                        status
                    };
                    let _ = super::sync_view::status_cell(ui, status, marks, row.id, &row.number);
                }
                1 => {
                    ui.label(if row.subject_name.is_empty() {
                        "（未填姓名）"
                    } else {
                        &row.subject_name
                    });
                }
                2 => {
                    ui.label(&row.id_masked);
                }
                3 => {
                    ui.label(if row.township.is_empty() { "—" } else { &row.township });
                }
                4 => {
                    ui.label(row.reference_date.to_string());
                }
                5 => {
                    ui.label(super::widgets::level_short(scale, row.final_level));
                }
                6 => {
                    ui.label(&row.number);
                }
                7 => {
                    if row_button(ui, "打开", &row.number).clicked() {
                        action = Some(HomeAction::Open(row.id));
                    }
                }
                _ => {
                    if row_button(ui, "历史", &row.number)
                        .on_hover_text("该老人的全部评估")
                        .clicked()
                    {
                        action = Some(HomeAction::History(row.id));
                    }
                }
            }
        });
    });
    action
}
