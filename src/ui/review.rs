//! Bureau screens: sign-in, the review queue with filters, one submitted record with the
//! same elder's previous assessment side by side (and, for a resubmission, the last
//! return and what changed since), approve or return with a reason (both confirmed), and
//! the due list.

use chrono::NaiveDate;
use egui::{Grid, RichText, Ui};
use zeroize::Zeroizing;

use crate::assessment::score;
use crate::record::AssessmentRecord;
use crate::scale::Scale;
use crate::store::{DUE_SOON_DAYS, DueRow, QueueFilter, QueueRow, StoredAssessment};

use super::confirm::confirm_button;
use super::table::table;
use super::theme;
use super::widgets::{LIST_LIMIT, level_short, row_button};

/// The sign-in form.
#[derive(Default)]
pub struct LoginForm {
    /// 账号.
    pub login: String,
    /// 密码, wiped when dropped.
    pub password: Zeroizing<String>,
    /// The last failure, in words.
    pub message: Option<String>,
    /// Whether the 账号 field was given the focus (once, when the form first shows).
    pub focused: bool,
}

/// Shows the sign-in form; returns true when 登录 is pressed (or Enter in the password).
pub fn login_ui(ui: &mut Ui, form: &mut LoginForm) -> bool {
    let mut submit = false;
    ui.add_space(40.0);
    ui.vertical_centered(|ui| {
        ui.heading("账号登录");
        ui.label("本机已设置账号，请登录后使用");
        ui.add_space(12.0);
        // The form is centred as a block (a grid is laid out from the left edge).
        ui.horizontal(|ui| {
            ui.add_space(((ui.available_width() - 330.0) / 2.0).max(0.0));
            Grid::new("login").num_columns(2).spacing([12.0, 12.0]).show(ui, |ui| {
                let label = ui.label("账号");
                let login = ui
                    .add(egui::TextEdit::singleline(&mut form.login).desired_width(240.0))
                    .labelled_by(label.id);
                if !form.focused {
                    form.focused = true;
                    login.request_focus();
                }
                ui.end_row();
                let label = ui.label("密码");
                let response = ui
                    .add(
                        egui::TextEdit::singleline(&mut *form.password)
                            .password(true)
                            .desired_width(240.0),
                    )
                    .labelled_by(label.id);
                if response.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter)) {
                    submit = true;
                }
                ui.end_row();
            });
        });
        if ui
            .add(egui::Button::new("登录").min_size(egui::vec2(160.0, theme::TARGET_HEIGHT)))
            .clicked()
        {
            submit = true;
        }
        if let Some(message) = &form.message {
            ui.label(RichText::new(message).color(theme::ERROR));
        }
    });
    submit
}

/// The queue's filter form, as typed.
#[derive(Default)]
pub struct QueueState {
    /// 乡镇; empty = all.
    pub township: String,
    /// 评估员; empty = all.
    pub assessor: String,
    /// From date text.
    pub from: String,
    /// To date text.
    pub to: String,
    /// Final level; `None` = all.
    pub level: Option<u8>,
    /// Only records with warnings.
    pub with_warnings: bool,
    /// The rows of the last query (`None`: query again).
    pub rows: Option<Vec<QueueRow>>,
    /// Elders overdue and due soon for their routine assessment, counted once when the
    /// queue opens.
    pub due: Option<(usize, usize)>,
}

impl QueueState {
    /// The store filter for the form (unparsable dates are ignored).
    pub fn filter(&self) -> QueueFilter {
        let date = |text: &str| NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").ok();
        QueueFilter {
            township: Some(self.township.trim().to_owned()).filter(|t| !t.is_empty()),
            assessor: Some(self.assessor.trim().to_owned()).filter(|t| !t.is_empty()),
            from: date(&self.from),
            to: date(&self.to),
            final_level: self.level,
            with_warnings: self.with_warnings,
        }
    }
}

/// The review queue, filtered by the county's `townships` and the scale's levels.
/// Returns the row id to review, if one was chosen.
pub fn queue_ui(
    ui: &mut Ui,
    state: &mut QueueState,
    scale: &Scale,
    townships: &[String],
    marks: Option<&crate::store::SyncMarks>,
) -> Option<i64> {
    if let Some((overdue, soon)) = state.due
        && overdue + soon > 0
    {
        let text = format!(
            "复评到期：{overdue} 位老人已逾期，{soon} 位 {DUE_SOON_DAYS} 天内到期（见“复评到期”）"
        );
        ui.label(RichText::new(text).color(if overdue > 0 {
            theme::ERROR
        } else {
            theme::WARNING
        }));
    }
    if filters_ui(ui, state, scale, townships) {
        state.rows = None;
    }
    let rows = state.rows.as_deref().unwrap_or_default();
    if rows.is_empty() {
        ui.label("没有待审核的评估");
        return None;
    }
    ui.label(if rows.len() > LIST_LIMIT {
        format!("共 {} 条待审核，显示最早提交的 {LIST_LIMIT} 条；可用筛选缩小范围", rows.len())
    } else {
        format!("共 {} 条待审核，按提交时间排列", rows.len())
    });
    let rows = &rows[..rows.len().min(LIST_LIMIT)];
    let mut open = None;
    egui::ScrollArea::vertical().auto_shrink([false, false]).show(ui, |ui| {
        let headers = ["评估编号", "乡镇", "姓名", "身份证号", "评估日期", "最终等级", "提示", ""];
        table(ui, "queue", &headers, rows.len(), |ui, index, column| {
            let row = &rows[index];
            match column {
                0 => ui.label(&row.number),
                1 => ui.label(&row.township),
                2 => ui.label(&row.subject_name),
                3 => ui.label(&row.id_masked),
                4 => ui.label(row.reference_date.to_string()),
                5 => ui.label(level_short(scale, row.final_level)),
                6 => {
                    let warnings = RichText::new(row.warnings.to_string());
                    let warnings =
                        if row.warnings > 0 { warnings.color(theme::WARNING) } else { warnings };
                    super::sync_view::status_cell(ui, warnings, marks, row.id, &row.number)
                }
                _ => {
                    let button = row_button(ui, "审核", &row.number);
                    if button.clicked() {
                        open = Some(row.id);
                    }
                    button
                }
            };
        });
    });
    open
}

/// The filter form; true when a filter changed.
fn filters_ui(ui: &mut Ui, state: &mut QueueState, scale: &Scale, townships: &[String]) -> bool {
    let mut changed = false;
    ui.horizontal_wrapped(|ui| {
        let township_label = ui.label("乡镇");
        egui::ComboBox::from_id_salt("queue-township")
            .selected_text(if state.township.is_empty() {
                "全部"
            } else {
                state.township.as_str()
            })
            .show_ui(ui, |ui| {
                changed |=
                    ui.selectable_value(&mut state.township, String::new(), "全部").changed();
                for township in townships {
                    changed |= ui
                        .selectable_value(&mut state.township, township.clone(), township)
                        .changed();
                }
            })
            .response
            .labelled_by(township_label.id);
        let label = ui.label("评估员");
        changed |= ui
            .add(egui::TextEdit::singleline(&mut state.assessor).desired_width(120.0))
            .labelled_by(label.id)
            .changed();
        let label = ui.label("从");
        changed |= ui
            .add(
                egui::TextEdit::singleline(&mut state.from)
                    .hint_text("2026-01-01")
                    .desired_width(150.0),
            )
            .labelled_by(label.id)
            .changed();
        let label = ui.label("到");
        changed |= ui
            .add(
                egui::TextEdit::singleline(&mut state.to)
                    .hint_text("2026-12-31")
                    .desired_width(150.0),
            )
            .labelled_by(label.id)
            .changed();
        let level_label = ui.label("等级");
        egui::ComboBox::from_id_salt("queue-level")
            .selected_text(state.level.map_or("全部", |l| level_short(scale, Some(l))))
            .show_ui(ui, |ui| {
                changed |= ui.selectable_value(&mut state.level, None, "全部").changed();
                for (code, level) in (0u8..).zip(scale.levels()) {
                    let name = level.short.as_str();
                    changed |= ui.selectable_value(&mut state.level, Some(code), name).changed();
                }
            })
            .response
            .labelled_by(level_label.id);
        changed |= ui.checkbox(&mut state.with_warnings, "仅有一致性提示的").changed();
    });
    changed
}

/// The height kept under the item table for the decision (通过, the return reason's three
/// lines, 退回, a message).
const ACTIONS_HEIGHT: f32 = 150.0;

/// One submitted record under review.
pub struct ReviewView {
    /// The record.
    pub stored: StoredAssessment,
    /// The same elder's previous approved assessment, if any.
    pub previous: Option<StoredAssessment>,
    /// For a record returned before: its last return and every field changed since.
    pub resubmission: Option<(crate::store::ReturnEvent, Vec<crate::store::FieldChange>)>,
    /// The return reason being typed.
    pub reason: String,
    /// The last failure, in words.
    pub message: Option<String>,
    /// A county record's sync state (a decision waiting to go, a conflict), if any.
    pub hold: Option<super::sync_view::SyncHold>,
    /// A county record's conflicting versions (empty without an open conflict).
    pub versions: Vec<crate::store::ConflictVersion>,
}

/// What the reviewer decided.
pub enum ReviewDecision {
    /// Back to the queue without deciding.
    Back,
    /// 通过.
    Approve,
    /// 退回, with the reason.
    Return(String),
    /// Show every assessment of the elder.
    History,
    /// Open the whole record (Annex A, items, signatures) read-only.
    OpenRecord,
    /// 以此版本为准: the version with this content hash stands (the reason typed).
    Keep(String),
}

/// Current and previous scores of every item, the levels, and the warnings; approve or
/// return.
pub fn review_ui(ui: &mut Ui, view: &mut ReviewView, scale: &Scale) -> Option<ReviewDecision> {
    let mut decision = None;
    ui.horizontal_wrapped(|ui| {
        if ui.button("← 返回审核队列").clicked() {
            decision = Some(ReviewDecision::Back);
        }
        if ui.button("该老人的全部评估").clicked() {
            decision = Some(ReviewDecision::History);
        }
        if ui.button("查看完整记录（只读）").clicked() {
            decision = Some(ReviewDecision::OpenRecord);
        }
    });
    let record = &view.stored.record;
    // Everything but the decision scrolls, so that the decision stays at the bottom of
    // the window whatever the table's length.
    let height = (ui.available_height() - ACTIONS_HEIGHT).max(theme::TARGET_HEIGHT * 2.0);
    egui::ScrollArea::vertical().auto_shrink([false, false]).max_height(height).show(ui, |ui| {
        ui.heading(format!("审核 {}", record.info.number));
        if let Some(hold) = view.hold {
            super::sync_view::hold_ui(ui, hold);
        }
        let pending = matches!(
            view.hold,
            Some(super::sync_view::SyncHold::Replica { decision_pending: true, .. })
        );
        if !view.versions.is_empty() && !pending {
            let typed = (&mut view.reason, view.message.as_deref());
            if let Some(hash) = super::conflict::conflict_ui(ui, scale, &view.versions, typed) {
                decision = Some(ReviewDecision::Keep(hash));
            }
        }
        ui.label(format!(
            "{}　{}　评估日期 {}　评估员 {}、{}",
            record.info.township,
            record.subject.name,
            record.info.reference_date,
            record.signatures.assessor1.name,
            record.signatures.assessor2.name
        ));
        let outcome = |r: &AssessmentRecord| score(scale, &r.answers(scale), &r.facts(scale)).ok();
        let now_outcome = outcome(record);
        let before = view.previous.as_ref().map(|p| (&p.record, outcome(&p.record)));
        let previous_outcome = before.as_ref().and_then(|(_, o)| o.as_ref());
        // The result first: this time, last time, and whether the level changed.
        let level = |o: Option<&crate::assessment::Outcome<'_>>| {
            o.map_or("—".to_owned(), |o| format!("{}（{} 分）", o.level_name(), o.total))
        };
        ui.horizontal_wrapped(|ui| {
            ui.label(
                RichText::new(format!("最终等级：本次 {}", level(now_outcome.as_ref()))).strong(),
            );
            if let Some((previous, _)) = &before {
                let date = previous.info.reference_date;
                ui.label(format!("上次（{date}）{}", level(previous_outcome)));
            }
            if let (Some(a), Some(b)) = (&now_outcome, previous_outcome)
                && a.final_level != b.final_level
            {
                ui.label(RichText::new("等级变化").color(theme::ERROR).strong());
            }
        });
        if let Some(o) = &now_outcome {
            for w in &o.warnings {
                ui.label(
                    RichText::new(format!("{} {}", w.code(), w.message())).color(theme::WARNING),
                );
            }
        }
        if let Some((event, changes)) = &view.resubmission {
            super::resubmission::resubmission_ui(ui, scale, event, changes);
        }
        compare_ui(ui, scale, record, before.as_ref().map(|(r, _)| *r));
    });
    // The decision, in the `ACTIONS_HEIGHT` left under the scrolling part.
    ui.separator();
    {
        ui.add_space(6.0);
        if let Some(hold) = view.hold.filter(|hold| !hold.allows_decision()) {
            // The decision is given (or must wait for the county): no buttons.
            ui.label(RichText::new(hold.text()).color(theme::WARNING).strong());
            return decision;
        }
        ui.horizontal_wrapped(|ui| {
            let size = egui::vec2(140.0, theme::TARGET_HEIGHT);
            if confirm_button(ui, true, "通过", "通过后不能再修改，确认通过？", size)
            {
                decision = Some(ReviewDecision::Approve);
            }
            let label = ui.label("退回原因");
            ui.add(
                egui::TextEdit::multiline(&mut view.reason)
                    .desired_rows(3)
                    .desired_width(super::form::field_width(ui, 360.0)),
            )
            .labelled_by(label.id);
            let enabled = !view.reason.trim().is_empty();
            if confirm_button(ui, enabled, "退回", "确认退回给评估员？", size) {
                decision = Some(ReviewDecision::Return(view.reason.trim().to_owned()));
            }
        });
        if let Some(message) = &view.message {
            ui.label(RichText::new(message).color(theme::ERROR));
        }
    }
    decision
}

/// Every item's score this time and last time, with changes marked.
fn compare_ui(
    ui: &mut Ui,
    scale: &Scale,
    record: &AssessmentRecord,
    previous: Option<&AssessmentRecord>,
) {
    let previous_title = previous
        .map_or("上次评估".to_owned(), |r| format!("上次评估（{}）", r.info.reference_date));
    let headers = ["条目", "本次", previous_title.as_str(), "变化"];
    let items = scale.items();
    table(ui, "compare", &headers, items.len(), |ui, index, column| {
        let item = &items[index];
        let now = record.answers.get(item.id()).copied();
        let then = previous.and_then(|r| r.answers.get(item.id()).copied());
        // The chosen option's wording on hover.
        let wording = |s: Option<u8>| {
            s.and_then(|s| item.option(s)).map_or("未作答".to_owned(), |o| o.text.clone())
        };
        let score_text = |s: Option<u8>| s.map_or("—".to_owned(), |s| s.to_string());
        match column {
            0 => {
                ui.label(format!("{} {}", item.id(), item.name()));
            }
            1 => {
                ui.label(score_text(now)).on_hover_text(wording(now));
            }
            2 => {
                ui.label(score_text(then)).on_hover_text(wording(then));
            }
            _ => {
                if previous.is_some() && now != then {
                    ui.label(RichText::new("有变化").color(theme::WARNING).strong());
                } else {
                    ui.label("");
                }
            }
        }
    });
}

/// Shortest and longest interval between routine assessments offered, in months.
pub const DUE_MONTHS_RANGE: (u32, u32) = (1, 120);

/// The due list: elders whose next routine assessment is overdue or due soon, after the
/// interval `months` (which the user may change here). Returns the record whose elder's
/// history to show, if asked.
pub fn due_ui(ui: &mut Ui, rows: &[DueRow], months: &mut u32) -> Option<i64> {
    ui.horizontal_wrapped(|ui| {
        let label = ui.label("常规复评间隔");
        ui.add(
            egui::DragValue::new(months)
                .range(DUE_MONTHS_RANGE.0..=DUE_MONTHS_RANGE.1)
                .suffix(" 个月"),
        )
        .labelled_by(label.id);
        ui.label(
            RichText::new(format!(
                "（自上次通过的评估日期起算；{DUE_SOON_DAYS} 天内到期的也列出）"
            ))
            .small(),
        );
    });
    if rows.is_empty() {
        ui.label("没有逾期或即将到期的复评");
        return None;
    }
    if rows.len() > LIST_LIMIT {
        ui.label(format!("共 {} 位老人，显示应复评日期最早的 {LIST_LIMIT} 位", rows.len()));
    }
    let rows = &rows[..rows.len().min(LIST_LIMIT)];
    let mut history = None;
    let headers = ["姓名", "身份证号", "乡镇", "上次评估", "应复评日期", ""];
    table(ui, "due", &headers, rows.len(), |ui, index, column| {
        let row = &rows[index];
        match column {
            0 => {
                ui.label(&row.subject_name);
            }
            1 => {
                ui.label(&row.id_masked);
            }
            2 => {
                ui.label(&row.township);
            }
            3 => {
                ui.label(row.reference_date.to_string());
            }
            4 => {
                let text = RichText::new(format!(
                    "{}{}",
                    row.due_date,
                    if row.overdue { "（已逾期）" } else { "（即将到期）" }
                ));
                ui.label(text.color(if row.overdue { theme::ERROR } else { theme::WARNING }));
            }
            _ => {
                if row_button(ui, "历史", &row.number).clicked() {
                    history = Some(row.id);
                }
            }
        }
    });
    history
}
