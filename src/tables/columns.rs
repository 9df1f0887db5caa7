//! The column layout of a record export, shared by [`super::csv`] and [`super::xlsx`] so
//! that both files have the same columns in the same order.
//!
//! De-identified (default): 评估编号, 状态, 乡镇, 评估基准日期, 公民身份号码（脱敏）, 性别,
//! 年龄段, 总分, the domain scores, 能力等级, 评估员1, 评估员2, 审核员, 提示数.
//! Full adds 姓名 after 评估基准日期, shows the whole ID number, and adds 出生日期 and 年龄
//! after 性别.
//!
//! A text longer than Excel's limit of [`MAX_CELL_LEN`] UTF-16 units per cell is cut to
//! fit, ending in [`CUT_MARKER`], in both formats (a spreadsheet opening the CSV would cut
//! it anyway); each cut is reported as a [`CutCell`] (row and column, never the text), so
//! one over-long name never makes the export fail.

use std::borrow::Cow;

use chrono::NaiveDate;

use super::Privacy;
use super::row::ExportRow;
use crate::record::FieldCode;
use crate::record::mask_id;
use crate::scale::Scale;

/// One cell of a record export, before a file format writes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Cell<'a> {
    /// Free text from the data (a name, a township): guarded against formula injection
    /// in CSV.
    Text(Cow<'a, str>),
    /// An identifier (ID number, assessment number): must stay text in a spreadsheet,
    /// even when it is all digits.
    Code(Cow<'a, str>),
    /// A whole number.
    Number(u32),
    /// A calendar date.
    Date(NaiveDate),
    /// Nothing.
    Empty,
}

/// Excel's limit on one cell's text, in UTF-16 code units.
pub const MAX_CELL_LEN: usize = 32_767;

/// The end of a text cut to [`MAX_CELL_LEN`].
pub const CUT_MARKER: &str = "…[已截断]";

/// A cell whose text was cut to fit: where it is, never what it says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CutCell {
    /// 1-based record row (the header row not counted).
    pub row: usize,
    /// The column's header title.
    pub column: String,
}

impl std::fmt::Display for CutCell {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "第 {} 条记录的“{}”超过 {MAX_CELL_LEN} 个字符，已截断并以“{CUT_MARKER}”结尾",
            self.row, self.column
        )
    }
}

/// The bytes of an export, and the cells that were cut to fit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Encoded {
    /// The file's content.
    pub bytes: Vec<u8>,
    /// Every cut cell, in row and column order.
    pub cut: Vec<CutCell>,
}

/// Cuts every over-long text of `cells` (record row `row`, 1-based) to fit, noting each
/// in `cut`.
pub(super) fn fit(
    cells: &mut [Cell<'_>],
    row: usize,
    headers: &[Cow<'_, str>],
    cut: &mut Vec<CutCell>,
) {
    for (col, cell) in cells.iter_mut().enumerate() {
        let (Cell::Text(value) | Cell::Code(value)) = cell else { continue };
        if value.encode_utf16().count() <= MAX_CELL_LEN {
            continue;
        }
        let room = MAX_CELL_LEN - CUT_MARKER.encode_utf16().count();
        let mut used = 0;
        let end = value
            .char_indices()
            .find(|(_, c)| {
                used += c.len_utf16();
                used > room
            })
            .map_or(value.len(), |(at, _)| at);
        *value = Cow::Owned(format!("{}{CUT_MARKER}", &value[..end]));
        let column =
            headers.get(col).map_or_else(|| format!("第 {} 列", col + 1), ToString::to_string);
        cut.push(CutCell { row, column });
    }
}

/// The header titles for `privacy` with `domains` domain-score columns, titled by the
/// scale's domain names.
pub(super) fn headers(privacy: Privacy, domains: usize, scale: &Scale) -> Vec<Cow<'_, str>> {
    let full = privacy == Privacy::Full;
    let title = |code: FieldCode| Cow::Borrowed(code.form_title().unwrap_or_default());
    let mut out: Vec<Cow<'_, str>> = vec![title(FieldCode::NUMBER), "状态".into(), "乡镇".into()];
    out.push(title(FieldCode::REFERENCE_DATE));
    if full {
        out.push(title(FieldCode::NAME));
        out.push(title(FieldCode::ID_NUMBER));
    } else {
        out.push(format!("{}（脱敏）", title(FieldCode::ID_NUMBER)).into());
    }
    out.push(title(FieldCode::SEX));
    if full {
        out.push(title(FieldCode::BIRTH_DATE));
        out.push("年龄".into());
    }
    out.push("年龄段".into());
    out.push("总分".into());
    for index in 0..domains {
        out.push(match scale.domains().get(index) {
            Some(domain) => Cow::Borrowed(domain.name()),
            None => Cow::Owned(format!("维度{}", index + 1)),
        });
    }
    for title in ["能力等级", "评估员1", "评估员2", "审核员", "提示数"] {
        out.push(title.into());
    }
    out
}

/// Index of the ID-number column (the same for both privacy modes' layouts up to it).
pub(super) fn id_column(privacy: Privacy) -> usize {
    if privacy == Privacy::Full { 5 } else { 4 }
}

/// Index of the assessment-number column.
pub(super) const NUMBER_COLUMN: usize = 0;

/// Number of domain-score columns: the longest row's, and at least the scale's, so that
/// an export of unscored rows still has the usual header.
pub(super) fn domain_count(rows: &[ExportRow], scale: &Scale) -> usize {
    let longest = rows.iter().map(|row| row.domain_scores.len()).max().unwrap_or(0);
    longest.max(scale.domains().len())
}

/// Fills `out` with the cells of `row` (cleared first), matching [`headers`].
pub(super) fn cells<'a>(
    row: &'a ExportRow,
    privacy: Privacy,
    (domains, scale): (usize, &'a Scale),
    out: &mut Vec<Cell<'a>>,
) {
    let full = privacy == Privacy::Full;
    out.clear();
    out.push(Cell::Code(Cow::Borrowed(row.number.trim())));
    out.push(text(&row.status));
    out.push(text(&row.township));
    out.push(Cell::Date(row.reference_date));
    if full {
        out.push(text(&row.name));
        out.push(Cell::Code(Cow::Borrowed(row.id_number.trim())));
    } else {
        out.push(Cell::Code(Cow::Owned(mask_id(&row.id_number))));
    }
    out.push(row.sex.map_or(Cell::Empty, |sex| Cell::Text(Cow::Borrowed(sex.label()))));
    if full {
        out.push(row.birth_date.map_or(Cell::Empty, Cell::Date));
        out.push(row.age().map_or(Cell::Empty, Cell::Number));
    }
    out.push(Cell::Text(Cow::Borrowed(row.age_band().label())));
    out.push(row.total.map_or(Cell::Empty, |total| Cell::Number(u32::from(total))));
    for index in 0..domains {
        let score = row.domain_scores.get(index);
        out.push(score.map_or(Cell::Empty, |&score| Cell::Number(u32::from(score))));
    }
    out.push(row.level_name(scale).map_or(Cell::Empty, |name| Cell::Text(Cow::Borrowed(name))));
    out.push(text(&row.assessors[0]));
    out.push(text(&row.assessors[1]));
    out.push(row.reviewer.as_deref().map_or(Cell::Empty, text));
    out.push(Cell::Number(row.warnings));
}

/// A text cell, trimmed; empty text is [`Cell::Empty`].
fn text(value: &str) -> Cell<'_> {
    let value = value.trim();
    if value.is_empty() { Cell::Empty } else { Cell::Text(Cow::Borrowed(value)) }
}

/// Display width of `text` in spreadsheet character units: CJK and other wide
/// characters count two.
pub(super) fn display_width(text: &str) -> usize {
    text.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn over_long_texts_are_cut_to_excels_limit_and_named() {
        let headers: Vec<Cow<'static, str>> = vec!["评估编号".into(), "姓名".into()];
        let long = "岩".repeat(40_000);
        let exact = "a".repeat(MAX_CELL_LEN);
        let mut cells = vec![Cell::Code(Cow::Borrowed(exact.as_str())), Cell::Text(long.into())];
        let mut cut = Vec::new();
        fit(&mut cells, 3, &headers, &mut cut);
        assert_eq!(cut, [CutCell { row: 3, column: "姓名".to_owned() }]);
        assert!(!cut[0].to_string().contains('岩'), "{}", cut[0]);
        let Cell::Text(text) = &cells[1] else { panic!("{:?}", cells[1]) };
        assert!(text.ends_with(CUT_MARKER));
        assert_eq!(text.encode_utf16().count(), MAX_CELL_LEN);
        assert_eq!(cells[0], Cell::Code(Cow::Borrowed(exact.as_str())), "at the limit: kept");
        // Characters outside the BMP count two UTF-16 units and are never split.
        let mut cells = vec![Cell::Text("𠀀".repeat(20_000).into())];
        fit(&mut cells, 1, &headers, &mut cut);
        let Cell::Text(text) = &cells[0] else { panic!() };
        assert!(text.encode_utf16().count() <= MAX_CELL_LEN && text.ends_with(CUT_MARKER));
    }
}
