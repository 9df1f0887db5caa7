//! The official report (老年人能力评估报告, Annex C) and the resident page
//! (给老人和家属的说明).

use super::layout::{Ink, Layout, MARGIN_X, PlacedBox, count};
use super::model::{ReportModel, pad_scale};
use crate::record::FieldCode;

const BODY: f32 = 10.5;
const SMALL: f32 = 9.0;

/// Lays out the official report. Returns where the two assessors' signature boxes are.
///
/// An assessor whose `assessor_strokes_in_content` entry is set has the strokes drawn on
/// the page; otherwise the box stays empty for a signature widget whose appearance carries
/// them.
pub(super) fn official(
    layout: &mut Layout,
    model: &ReportModel,
    assessor_strokes_in_content: [bool; 2],
) -> [PlacedBox; 2] {
    layout.centered("老年人能力评估报告", 20.0, Ink::Black);
    layout.centered(&format!("（依据 {} 附录 C）", model.standard), SMALL, Ink::Grey);
    layout.gap(6.0);
    header(layout, model);
    results(layout, model);
    items(layout, model);
    warnings(layout, model);
    if let Some(entitlements) = &model.entitlements {
        decisions(layout, entitlements);
    }
    signatures(layout, model, assessor_strokes_in_content)
}

/// Label–value pairs, two per row.
fn pairs(layout: &mut Layout, pairs: &[(&str, String)]) {
    let half = Layout::content_width() / 2.0;
    for chunk in pairs.chunks(2) {
        let lines: Vec<Vec<String>> = chunk
            .iter()
            .map(|(label, value)| layout.wrap(&format!("{label}：{value}"), BODY, half - 10.0))
            .collect();
        let height = count(lines.iter().map(Vec::len).max().unwrap_or(1)) * BODY * 1.45;
        layout.ensure(height);
        let top = layout.y();
        for (column, cell) in lines.iter().enumerate() {
            for (i, line) in cell.iter().enumerate() {
                let x = MARGIN_X + count(column) * half;
                layout.text_at(x, top - count(i) * BODY * 1.45, line, BODY, Ink::Black);
            }
        }
        layout.gap(height);
    }
}

fn header(layout: &mut Layout, model: &ReportModel) {
    layout.heading("评估信息", 13.0);
    layout.paragraph(
        MARGIN_X,
        Layout::content_width(),
        &format!("评估机构：{}", model.agency),
        BODY,
        Ink::Black,
    );
    // The fields' titles are the forms' (Annex A).
    let title = |code: FieldCode| code.form_title().unwrap_or_default();
    pairs(
        layout,
        &[
            (title(FieldCode::NUMBER), model.number.clone()),
            (title(FieldCode::REFERENCE_DATE), model.reference_date.to_string()),
            (title(FieldCode::REASON), model.reason.clone()),
            (title(FieldCode::TOWNSHIP), dash_if_empty(&model.township)),
            ("评估地点", if model.place.is_empty() { "—".to_owned() } else { model.place.clone() }),
            ("报告生成时间", model.created.clone()),
        ],
    );
    layout.heading("评估对象基本信息", 13.0);
    pairs(
        layout,
        &[
            (title(FieldCode::NAME), model.name.clone()),
            (title(FieldCode::SEX), model.sex.clone()),
            ("年龄", model.age.map_or_else(|| "—".to_owned(), |a| format!("{a} 周岁"))),
            (title(FieldCode::ID_NUMBER), model.id_number.clone()),
        ],
    );
}

/// The text, or `—` when it is empty.
fn dash_if_empty(text: &str) -> String {
    if text.is_empty() { "—".to_owned() } else { text.to_owned() }
}

/// A table row: cells `(x, width, text)`, wrapped; draws a thin rule under the row.
pub(super) fn row(layout: &mut Layout, cells: &[(f32, f32, &str)], size: f32, ink: Ink) {
    let wrapped: Vec<Vec<String>> =
        cells.iter().map(|(_, w, t)| layout.wrap(t, size, *w - 6.0)).collect();
    let lines = wrapped.iter().map(Vec::len).max().unwrap_or(1);
    let height = count(lines) * size * 1.4 + 6.0;
    layout.ensure(height);
    let top = layout.y() - 3.0;
    for ((x, _, _), cell) in cells.iter().zip(&wrapped) {
        for (i, line) in cell.iter().enumerate() {
            layout.text_at(*x, top - count(i) * size * 1.4, line, size, ink);
        }
    }
    layout.gap(height);
    let y = layout.y();
    let right = MARGIN_X + Layout::content_width();
    layout.line(vec![(MARGIN_X, y), (right, y)], 0.3, Ink::Light);
}

fn results(layout: &mut Layout, model: &ReportModel) {
    layout.heading("C.1 一级指标分级", 13.0);
    let x = MARGIN_X;
    row(
        layout,
        &[(x, 160.0, "一级指标"), (x + 160.0, 120.0, "得分"), (x + 280.0, 120.0, "满分")],
        BODY,
        Ink::Grey,
    );
    for (i, d) in model.domains.iter().enumerate() {
        let name = format!("C.1.{} {}", i + 1, d.name);
        row(
            layout,
            &[
                (x, 160.0, &name),
                (x + 160.0, 120.0, &d.score.to_string()),
                (x + 280.0, 120.0, &d.max.to_string()),
            ],
            BODY,
            Ink::Black,
        );
    }
    layout.heading("C.2 初步等级得分", 13.0);
    layout.paragraph(
        x,
        Layout::content_width(),
        &format!("{} 分（满分 {}）", model.total, model.max_total),
        BODY,
        Ink::Black,
    );
    layout.heading("C.3 老年人能力初步等级", 13.0);
    layout.paragraph(
        x,
        Layout::content_width(),
        &format!("{}（{} 级）", model.preliminary.1, model.preliminary.0),
        BODY,
        Ink::Black,
    );
    layout.heading("C.4 能力等级变更依据", 13.0);
    lead(layout, &model.grounds_lead);
    if model.adjustments.is_empty() {
        layout.paragraph(x, Layout::content_width(), "无", BODY, Ink::Black);
    }
    for a in &model.adjustments {
        layout.paragraph(
            x,
            Layout::content_width(),
            &format!("√ {} {}", a.clause, a.text),
            BODY,
            Ink::Black,
        );
        layout.paragraph(
            x + 16.0,
            Layout::content_width() - 16.0,
            &format!("依据：{}", a.trigger),
            SMALL,
            Ink::Grey,
        );
    }
    for remark in &model.grounds_remarks {
        layout.paragraph(x, Layout::content_width(), &format!("说明：{remark}"), SMALL, Ink::Grey);
    }
    layout.heading("C.5 老年人能力最终等级", 13.0);
    lead(layout, &model.final_lead);
    let text = format!("{}（{} 级）", model.final_level.1, model.final_level.0);
    let size = 16.0;
    layout.ensure(size * 2.4);
    let top = layout.y();
    let width = layout.width(&text, size) + 24.0;
    layout.rect(x, top - size * 2.0, width, size * 2.0, Some(Ink::Light), Some((Ink::Accent, 1.0)));
    layout.text_at(x + 12.0, top - size * 0.5, &text, size, Ink::Accent);
    layout.gap(size * 2.4);
}

/// A lead text from the scale (C.4, C.5), under its heading; nothing when the scale has none.
fn lead(layout: &mut Layout, text: &str) {
    if !text.is_empty() {
        layout.paragraph(MARGIN_X, Layout::content_width(), text, SMALL, Ink::Grey);
    }
}

fn items(layout: &mut Layout, model: &ReportModel) {
    layout.heading("各项评分（附录 B）", 13.0);
    let x = MARGIN_X;
    let cw = Layout::content_width();
    row(
        layout,
        &[
            (x, 48.0, "编号"),
            (x + 48.0, 96.0, "项目"),
            (x + 144.0, 44.0, "得分"),
            (x + 188.0, cw - 188.0, "所选选项"),
        ],
        SMALL,
        Ink::Grey,
    );
    for item in &model.items {
        let score = format!("{}/{}", item.score, item.max);
        row(
            layout,
            &[
                (x, 48.0, &item.id),
                (x + 48.0, 96.0, &item.name),
                (x + 144.0, 44.0, &score),
                (x + 188.0, cw - 188.0, &item.option),
            ],
            SMALL,
            Ink::Black,
        );
    }
}

fn warnings(layout: &mut Layout, model: &ReportModel) {
    layout.heading("一致性检查", 13.0);
    if model.warnings.is_empty() {
        layout.paragraph(
            MARGIN_X,
            Layout::content_width(),
            "未发现需要核对的问题",
            BODY,
            Ink::Black,
        );
    }
    for (code, message) in &model.warnings {
        layout.paragraph(
            MARGIN_X,
            Layout::content_width(),
            &format!("{code} {message}"),
            BODY,
            Ink::Black,
        );
    }
}

/// Every service of the county list with its decision and reason.
fn decisions(layout: &mut Layout, e: &super::model::EntitlementSummary) {
    layout.heading(&format!("附：{}判定", e.policy_name), 13.0);
    let x = MARGIN_X;
    let cw = Layout::content_width();
    row(
        layout,
        &[
            (x, 24.0, "序号"),
            (x + 24.0, 100.0, "服务项目"),
            (x + 124.0, 56.0, "判定"),
            (x + 180.0, 56.0, "标准"),
            (x + 236.0, cw - 236.0, "理由"),
        ],
        SMALL,
        Ink::Grey,
    );
    for [no, name, status, amount, reason] in &e.decisions {
        row(
            layout,
            &[
                (x, 24.0, no),
                (x + 24.0, 100.0, name),
                (x + 124.0, 56.0, status),
                (x + 180.0, 56.0, amount),
                (x + 236.0, cw - 236.0, reason),
            ],
            SMALL,
            Ink::Black,
        );
    }
    layout.paragraph(
        x,
        cw,
        &format!("{}（具体以各牵头部门审核为准）", e.monthly_total_text),
        BODY,
        Ink::Black,
    );
}

/// Height of a signature box, points.
const SIGN_BOX_HEIGHT: f32 = 48.0;

fn signatures(
    layout: &mut Layout,
    model: &ReportModel,
    assessor_strokes_in_content: [bool; 2],
) -> [PlacedBox; 2] {
    // Keep the heading with the whole block.
    layout.ensure(13.0 * 2.0 + 48.0 + SIGN_BOX_HEIGHT + BODY * 5.0);
    layout.heading("签名", 13.0);
    layout.ensure(SIGN_BOX_HEIGHT + BODY * 5.0);
    let gap = 12.0;
    let width = (Layout::content_width() - 2.0 * gap) / 3.0;
    let top = layout.y();
    let page = layout.page_index();
    let mut boxes = [PlacedBox { page, rect: [0.0; 4] }; 2];
    for (i, signature) in model.signatures.iter().enumerate() {
        let x = MARGIN_X + count(i) * (width + gap);
        layout.text_at(x, top, &format!("{}签名", signature.role), BODY, Ink::Grey);
        let box_top = top - BODY * 1.6;
        let rect = [x, box_top - SIGN_BOX_HEIGHT, width, SIGN_BOX_HEIGHT];
        layout.rect(rect[0], rect[1], rect[2], rect[3], None, Some((Ink::Light, 0.6)));
        let is_assessor = i < 2;
        if !is_assessor || assessor_strokes_in_content[i] {
            layout.strokes(&signature.strokes, pad_scale(), rect);
        }
        if is_assessor {
            boxes[i] =
                PlacedBox { page, rect: [rect[0], rect[1], rect[0] + rect[2], rect[1] + rect[3]] };
        }
        let below = box_top - SIGN_BOX_HEIGHT - 4.0;
        layout.text_at(x, below, &format!("姓名：{}", signature.name), BODY, Ink::Black);
        let date = signature
            .date
            .map_or_else(|| "____年__月__日".to_owned(), |d| d.format("%Y年%m月%d日").to_string());
        layout.text_at(x, below - BODY * 1.5, &format!("日期：{date}"), BODY, Ink::Black);
    }
    layout.gap(BODY * 1.6 + SIGN_BOX_HEIGHT + 4.0 + BODY * 3.2);
    boxes
}

/// What each level means for daily life, in plain words for the family. These are the
/// app's explanations, not text of the standard.
const LEVEL_MEANINGS: [&str; 5] = [
    "吃饭、穿衣、洗澡、如厕、行走等日常生活都能自己完成，精神状态和视力、听力等情况良好。",
    "大部分日常生活能自己完成，少数活动（如洗澡、上下楼梯、外出）需要少量帮助或提醒。",
    "一部分日常生活需要别人帮助，如穿衣、洗澡、如厕、行走时需要有人协助。",
    "大部分日常生活需要别人帮助，需要较多的照护。",
    "日常生活基本需要别人全面照护。",
];

/// What each domain covers, in plain words.
const DOMAIN_MEANINGS: [&str; 4] = [
    "吃饭、穿衣、洗澡、大小便、如厕",
    "翻身起坐、从床到椅子、走路、上下楼梯",
    "记得时间地点和人、记忆、理解和表达、情绪与行为、意识",
    "看、听、处理日常事务、外出、与人交往",
];

/// The resident page: large type, plain words.
pub(super) fn resident(layout: &mut Layout, model: &ReportModel) {
    const BIG: f32 = 14.0;
    let cw = Layout::content_width();
    layout.centered("给老人和家属的说明", 20.0, Ink::Black);
    layout.paragraph(
        MARGIN_X,
        cw,
        &format!(
            "{}（公民身份号码 {}），{}进行了老年人能力评估（评估编号 {}）。",
            model.name,
            model.id_masked,
            model.reference_date.format("%Y年%m月%d日"),
            model.number
        ),
        BIG,
        Ink::Black,
    );
    layout.gap(4.0);
    layout.paragraph(MARGIN_X, cw, "评估结果：", BIG, Ink::Black);
    let level = usize::from(model.final_level.0);
    layout.paragraph(MARGIN_X + 20.0, cw - 20.0, &model.final_level.1, 20.0, Ink::Accent);
    if let Some(meaning) = LEVEL_MEANINGS.get(level) {
        layout.paragraph(
            MARGIN_X + 20.0,
            cw - 20.0,
            &format!("这表示：{meaning}"),
            BIG,
            Ink::Black,
        );
    }
    if !model.adjustments.is_empty() {
        layout.paragraph(
            MARGIN_X + 20.0,
            cw - 20.0,
            &format!("按总分为“{}”；因下列情况，按国家标准调整为上面的结果：", model.preliminary.1),
            BIG,
            Ink::Black,
        );
        for a in &model.adjustments {
            layout.paragraph(
                MARGIN_X + 36.0,
                cw - 36.0,
                &format!("· {}", a.trigger),
                BIG,
                Ink::Black,
            );
        }
    }
    layout.gap(8.0);
    layout.paragraph(MARGIN_X, cw, "各方面得分（分数越高，能力越好）：", BIG, Ink::Black);
    for (i, d) in model.domains.iter().enumerate() {
        bar(layout, &d.name, d.score, d.max, DOMAIN_MEANINGS.get(i).copied().unwrap_or(""));
    }
    bar(layout, "总分", model.total, model.max_total, "");
    layout.gap(8.0);
    if let Some(due) = model.next_due {
        layout.paragraph(
            MARGIN_X,
            cw,
            &format!(
                "下次常规评估：{}前。身体或精神状况有明显变化时，可以随时申请即时评估。",
                due.format("%Y年%m月%d日")
            ),
            BIG,
            Ink::Black,
        );
    }
    let contact =
        if model.contact.is_empty() { String::new() } else { format!("（{}）", model.contact) };
    layout.paragraph(
        MARGIN_X,
        cw,
        &format!(
            "如果对评估结果有疑问，可以向{}{}申请复评，说明“对评估结果有疑问”，并带上本说明和身份证。",
            model.agency, contact
        ),
        BIG,
        Ink::Black,
    );
    if let Some(entitlements) = &model.entitlements {
        layout.gap(4.0);
        entitlements_section(layout, entitlements);
    }
}

/// One labelled bar: score against maximum.
fn bar(layout: &mut Layout, label: &str, score: u16, max: u16, meaning: &str) {
    const SIZE: f32 = 14.0;
    let height = if meaning.is_empty() { SIZE * 1.7 } else { SIZE * 2.65 };
    layout.ensure(height);
    let top = layout.y();
    layout.text_at(MARGIN_X, top, label, SIZE, Ink::Black);
    let x = MARGIN_X + 150.0;
    let full = 220.0;
    let filled = if max == 0 { 0.0 } else { full * f32::from(score) / f32::from(max) };
    layout.rect(x, top - SIZE, full, SIZE, Some(Ink::Light), None);
    layout.rect(x, top - SIZE, filled, SIZE, Some(Ink::Accent), None);
    layout.text_at(x + full + 10.0, top, &format!("{score} / {max}"), SIZE, Ink::Black);
    if !meaning.is_empty() {
        layout.text_at(
            MARGIN_X + 16.0,
            top - SIZE * 1.5,
            &format!("（{meaning}）"),
            12.0,
            Ink::Grey,
        );
    }
    layout.gap(height);
}

/// 您可能享受的服务: the eligible services with amounts, those that need information, the
/// monthly total and the admission priority.
fn entitlements_section(layout: &mut Layout, e: &super::model::EntitlementSummary) {
    const BIG: f32 = 14.0;
    let cw = Layout::content_width();
    layout.paragraph(MARGIN_X, cw, "您可能享受的服务（以各牵头部门审核为准）：", BIG, Ink::Black);
    let items: Vec<String> = e
        .eligible
        .iter()
        .map(|(name, amount)| {
            amount.as_ref().map_or_else(|| name.clone(), |a| format!("{name}（{a}）"))
        })
        .collect();
    layout.paragraph(MARGIN_X + 20.0, cw - 20.0, &items.join("；"), 14.0, Ink::Black);
    if e.monthly_total > 0 || e.monthly_total_partial {
        layout.paragraph(
            MARGIN_X + 20.0,
            cw - 20.0,
            &if e.monthly_total_partial {
                format!("{}。", e.monthly_total_text)
            } else {
                format!("每月现金补贴合计约 {} 元。", e.monthly_total)
            },
            BIG,
            Ink::Accent,
        );
    }
    if !e.needs_info.is_empty() {
        let needs: Vec<String> =
            e.needs_info.iter().map(|(name, what)| format!("{name}（需补充：{what}）")).collect();
        layout.paragraph(
            MARGIN_X + 20.0,
            cw - 20.0,
            &format!("还需补充信息后确定：{}", needs.join("；")),
            14.0,
            Ink::Grey,
        );
    }
    if let Some(priority) = &e.priority {
        layout.paragraph(MARGIN_X + 20.0, cw - 20.0, priority, 14.0, Ink::Black);
        layout.paragraph(MARGIN_X + 20.0, cw - 20.0, &e.priority_rule, 10.0, Ink::Grey);
    }
}
