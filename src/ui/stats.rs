//! 统计: approved assessments by final level and township, age band or sex, for a period,
//! as a stacked bar chart and a table.

use chrono::NaiveDate;
use egui::{Color32, RichText, Ui};
use egui_plot::{Bar, BarChart, Plot};

use crate::tables::{Dimension, StatsTable};

/// Level colours, best to worst (design tokens for the chart only).
const LEVEL_COLOURS: [Color32; 5] = [
    Color32::from_rgb(0x2e, 0x7d, 0x32),
    Color32::from_rgb(0x7c, 0xb3, 0x42),
    Color32::from_rgb(0xf9, 0xa8, 0x25),
    Color32::from_rgb(0xef, 0x6c, 0x00),
    Color32::from_rgb(0xc6, 0x28, 0x28),
];

/// The statistics screen's state.
pub struct StatsState {
    /// First day, as typed.
    pub from: String,
    /// Last day, as typed.
    pub to: String,
    /// Grouping.
    pub by: Dimension,
    /// The last table (`None`: compute again).
    pub table: Option<StatsTable>,
}

impl StatsState {
    /// This year so far.
    pub fn new(today: NaiveDate) -> Self {
        let first = NaiveDate::from_yo_opt(chrono::Datelike::year(&today), 1).unwrap_or(today);
        Self {
            from: first.to_string(),
            to: today.to_string(),
            by: Dimension::Township,
            table: None,
        }
    }

    /// The period, when both dates parse and are in order.
    pub fn period(&self) -> Option<(NaiveDate, NaiveDate)> {
        let from = NaiveDate::parse_from_str(self.from.trim(), "%Y-%m-%d").ok()?;
        let to = NaiveDate::parse_from_str(self.to.trim(), "%Y-%m-%d").ok()?;
        (from <= to).then_some((from, to))
    }
}

/// Shows the form, chart and table. Returns true when 导出统计表… is pressed.
pub fn stats_ui(ui: &mut Ui, state: &mut StatsState, scale: &crate::scale::Scale) -> bool {
    let mut changed = false;
    ui.horizontal_wrapped(|ui| {
        let label = ui.label("从");
        changed |= ui
            .add(egui::TextEdit::singleline(&mut state.from).desired_width(150.0))
            .labelled_by(label.id)
            .changed();
        let label = ui.label("到");
        changed |= ui
            .add(egui::TextEdit::singleline(&mut state.to).desired_width(150.0))
            .labelled_by(label.id)
            .changed();
        ui.label("按");
        for dimension in [Dimension::Township, Dimension::AgeBand, Dimension::Sex] {
            changed |= ui.radio_value(&mut state.by, dimension, dimension.label()).changed();
        }
    });
    if changed {
        state.table = None;
    }
    if state.period().is_none() {
        ui.label(
            RichText::new("请填写有效的起止日期（年-月-日），起始日期不晚于结束日期")
                .color(super::theme::ERROR),
        );
        return false;
    }
    let Some(table) = &state.table else { return false };
    let total: u32 = table.totals.iter().sum();
    let mut export = false;
    ui.horizontal_wrapped(|ui| {
        ui.label(format!("已通过的评估 {} 至 {}：共 {total} 人", table.period.0, table.period.1));
        export = ui.button("导出统计表…").clicked();
    });
    egui::ScrollArea::vertical().auto_shrink([false, false]).show(ui, |ui| {
        legend_ui(ui, table);
        chart_ui(ui, table);
        ui.add_space(8.0);
        table_ui(ui, table, scale);
    });
    export
}

/// The levels' colours in level order (the plot's own legend sorts by name and covers
/// bars).
fn legend_ui(ui: &mut Ui, table: &StatsTable) {
    ui.horizontal_wrapped(|ui| {
        for (level, name) in table.columns.iter().enumerate() {
            let (rect, _) = ui.allocate_exact_size(egui::vec2(18.0, 18.0), egui::Sense::hover());
            ui.painter().rect_filled(rect, 3.0, LEVEL_COLOURS[level % LEVEL_COLOURS.len()]);
            ui.label(RichText::new(name).small());
            ui.add_space(8.0);
        }
    });
}

/// A group's label under its bar: long township names shortened so that `egui_plot` does
/// not drop them for overlapping (`芒洪拉祜族布朗族乡` → `芒洪乡`, `耿马华侨农场` → `华侨农场`);
/// the table keeps the full names.
fn axis_label(group: &str) -> String {
    let chars: Vec<char> = group.chars().collect();
    if chars.len() <= 4 {
        return group.to_owned();
    }
    if group.ends_with("农场") {
        return chars[chars.len() - 4..].iter().collect();
    }
    match chars.last() {
        Some(&last @ ('乡' | '镇')) => chars[..2].iter().chain([&last]).collect(),
        _ => group.to_owned(),
    }
}

fn chart_ui(ui: &mut Ui, table: &StatsTable) {
    let mut charts: Vec<BarChart> = Vec::with_capacity(table.columns.len());
    for (level, name) in table.columns.iter().enumerate() {
        let colour = LEVEL_COLOURS[level % LEVEL_COLOURS.len()];
        let bars = table
            .rows
            .iter()
            .enumerate()
            .map(|(i, (group, counts))| {
                let x = f64::from(u32::try_from(i).unwrap_or(u32::MAX));
                Bar::new(x, f64::from(counts[level]))
                    .name(group)
                    .width(0.7)
                    .fill(colour)
                    .stroke(egui::Stroke::new(1.0, colour))
            })
            .collect();
        let chart = BarChart::new(name.clone(), bars).color(colour);
        let below: Vec<&BarChart> = charts.iter().collect();
        let chart = chart.stack_on(&below);
        charts.push(chart);
    }
    let labels: Vec<String> = table.rows.iter().map(|(group, _)| axis_label(group)).collect();
    Plot::new("stats-chart")
        .height(260.0)
        .allow_zoom(false)
        .allow_drag(false)
        .allow_scroll(false)
        .x_axis_formatter(move |mark, _| {
            let index = mark.value.round();
            if (mark.value - index).abs() > 1e-6 || index < 0.0 {
                return String::new();
            }
            labels
                .get(format!("{index:.0}").parse::<usize>().unwrap_or(usize::MAX))
                .cloned()
                .unwrap_or_default()
        })
        .show(ui, |plot| {
            for chart in charts {
                plot.bar_chart(chart);
            }
        });
}

fn table_ui(ui: &mut Ui, table: &StatsTable, scale: &crate::scale::Scale) {
    // Short level names keep the table within the window; the legend above has the
    // standard's full names.
    let mut headers: Vec<&str> = vec![table.by.label()];
    for (level, column) in table.columns.iter().enumerate() {
        headers.push(scale.levels().get(level).map_or(column.as_str(), |l| &l.short));
    }
    headers.push("合计");
    let columns = table.columns.len();
    // The last row is the totals.
    super::table::table(ui, "stats-table", &headers, table.rows.len() + 1, |ui, row, column| {
        let (group, counts) = match table.rows.get(row) {
            Some((group, counts)) => (group.as_str(), counts.as_slice()),
            None => ("合计", table.totals.as_slice()),
        };
        let text = match column {
            0 => group.to_owned(),
            c if c <= columns => counts.get(c - 1).copied().unwrap_or(0).to_string(),
            _ => counts.iter().sum::<u32>().to_string(),
        };
        if row == table.rows.len() {
            ui.label(RichText::new(text).strong());
        } else {
            ui.label(text);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::axis_label;

    #[test]
    fn long_group_names_are_shortened_under_the_bars() {
        assert_eq!(axis_label("芒洪拉祜族布朗族乡"), "芒洪乡");
        assert_eq!(axis_label("耿马华侨农场"), "华侨农场");
        assert_eq!(axis_label("四排山乡"), "四排山乡");
        assert_eq!(axis_label("勐撒农场"), "勐撒农场");
        assert_eq!(axis_label("70–79"), "70–79");
        assert_eq!(axis_label("未填写"), "未填写");
    }
}
