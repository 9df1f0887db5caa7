//! XLSX exports with `rust_xlsxwriter`: records ([`to_xlsx`]) and statistics
//! ([`stats_to_xlsx`], [`multi_stats_to_xlsx`]).
//!
//! The record sheet has the same columns as the CSV export (see [`super::to_csv`]), a
//! bold frozen header row with an autofilter, and column widths from the content (CJK
//! characters counted double). Identifiers (the ID number, the assessment number) are
//! string cells in a text-formatted (`@`) column, with Excel's "number stored as text"
//! warning switched off for them, so an 18-digit number keeps every digit and shows no
//! green triangle. Dates are real dates formatted `yyyy-mm-dd`; scores are numbers.
//!
//! Every text is a string cell, never a formula, so the CSV formula-injection guard is
//! not needed (and not applied: it would change the data).
//!
//! An XLSX file cannot be encrypted with `rust_xlsxwriter`, which is one more reason the
//! default export is de-identified.

use rust_xlsxwriter::{ColNum, Format, FormatAlign, IgnoreError, RowNum, Workbook, Worksheet};

use super::Privacy;
use super::columns::{self, Cell, Encoded, NUMBER_COLUMN};
use super::error::TableError;
use super::row::ExportRow;
use super::stats::{LEVELS, MultiStatsTable, StatsTable};
use crate::scale::Scale;

/// Widest column, in character units.
const MAX_WIDTH: usize = 40;
/// Narrowest column, in character units.
const MIN_WIDTH: usize = 6;
/// Excel's date format for every date cell.
const DATE_FORMAT: &str = "yyyy-mm-dd";

/// The records as an XLSX workbook with one sheet, 评估记录 (see the module docs).
///
/// Privacy as for [`super::to_csv`].
/// A text over Excel's cell limit is cut and listed in [`Encoded::cut`] rather than
/// failing the workbook (see [`columns::MAX_CELL_LEN`]).
pub fn to_xlsx(rows: &[ExportRow], privacy: Privacy, scale: &Scale) -> Result<Encoded, TableError> {
    let domains = columns::domain_count(rows, scale);
    let headers = columns::headers(privacy, domains, scale);
    let id_column = columns::id_column(privacy);
    let bold = Format::new().set_bold();
    let text = Format::new().set_num_format("@");
    let date = Format::new().set_num_format(DATE_FORMAT).set_align(FormatAlign::Left);

    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("评估记录")?;
    let mut widths: Vec<usize> = headers.iter().map(|h| columns::display_width(h)).collect();
    for (col, header) in headers.iter().enumerate() {
        sheet.write_string_with_format(0, col_num(col)?, header.as_ref(), &bold)?;
    }
    for column in [NUMBER_COLUMN, id_column] {
        sheet.set_column_format(col_num(column)?, &text)?;
    }

    let mut cells = Vec::with_capacity(headers.len());
    let mut cut = Vec::new();
    for (index, row) in rows.iter().enumerate() {
        let r = row_num(index + 1)?;
        columns::cells(row, privacy, (domains, scale), &mut cells);
        columns::fit(&mut cells, index + 1, &headers, &mut cut);
        for (col, cell) in cells.iter().enumerate() {
            let c = col_num(col)?;
            let width = match cell {
                Cell::Text(value) => {
                    sheet.write_string(r, c, value.as_ref())?;
                    columns::display_width(value)
                }
                Cell::Code(value) => {
                    sheet.write_string_with_format(r, c, value.as_ref(), &text)?;
                    columns::display_width(value)
                }
                Cell::Number(n) => {
                    sheet.write_number(r, c, f64::from(*n))?;
                    digits(*n)
                }
                Cell::Date(day) => {
                    sheet.write_date_with_format(r, c, day, &date)?;
                    DATE_FORMAT.len()
                }
                Cell::Empty => 0,
            };
            if let Some(w) = widths.get_mut(col) {
                *w = (*w).max(width);
            }
        }
    }

    let last_row = row_num(rows.len())?;
    let last_col = col_num(headers.len() - 1)?;
    if !rows.is_empty() {
        for column in [NUMBER_COLUMN, id_column] {
            let c = col_num(column)?;
            sheet.ignore_error_range(1, c, last_row, c, IgnoreError::NumberStoredAsText)?;
        }
    }
    sheet.set_freeze_panes(1, 0)?;
    sheet.autofilter(0, 0, last_row, last_col)?;
    set_widths(sheet, &widths)?;
    Ok(Encoded { bytes: workbook.save_to_buffer()?, cut })
}

/// The single-dimension statistics as an XLSX workbook (see [`multi_stats_to_xlsx`]).
pub fn stats_to_xlsx(table: &StatsTable) -> Result<Vec<u8>, TableError> {
    multi_stats_to_xlsx(&MultiStatsTable::from(table.clone()))
}

/// The statistics as an XLSX workbook with one sheet, 统计: a title row with the period,
/// a header row (the dimensions, the five levels, 合计), one row per group, a bold 合计
/// row, and a note when approved records without a level were left out.
pub fn multi_stats_to_xlsx(table: &MultiStatsTable) -> Result<Vec<u8>, TableError> {
    let bold = Format::new().set_bold();
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("统计")?;

    let headers = super::stats::header_titles(&table.by, &table.columns);
    let mut widths: Vec<usize> = headers.iter().map(|h| columns::display_width(h)).collect();
    sheet.write_string_with_format(0, 0, super::stats::title(&table.by, table.period), &bold)?;
    for (col, header) in headers.iter().enumerate() {
        sheet.write_string_with_format(1, col_num(col)?, header.as_str(), &bold)?;
    }
    let groups = table.by.len().max(1);
    let mut r: RowNum = 2;
    for (labels, counts) in &table.rows {
        for (col, label) in labels.iter().enumerate() {
            sheet.write_string(r, col_num(col)?, label)?;
            widths[col] = widths[col].max(columns::display_width(label));
        }
        write_counts(sheet, r, groups, counts, None)?;
        r += 1;
    }
    sheet.write_string_with_format(r, 0, "合计", &bold)?;
    write_counts(sheet, r, groups, &table.totals, Some(&bold))?;
    if table.skipped > 0 {
        let note = format!("另有 {} 份已通过的评估没有有效的能力等级，未计入。", table.skipped);
        sheet.write_string(r + 2, 0, note)?;
    }
    sheet.set_freeze_panes(2, col_num(groups)?)?;
    set_widths(sheet, &widths)?;
    Ok(workbook.save_to_buffer()?)
}

/// Writes the five counts and their sum from column `first`.
fn write_counts(
    sheet: &mut Worksheet,
    r: RowNum,
    first: usize,
    counts: &[u32; LEVELS],
    format: Option<&Format>,
) -> Result<(), TableError> {
    let sum: u32 = counts.iter().sum();
    for (offset, n) in counts.iter().chain([&sum]).enumerate() {
        let c = col_num(first + offset)?;
        match format {
            Some(format) => sheet.write_number_with_format(r, c, f64::from(*n), format)?,
            None => sheet.write_number(r, c, f64::from(*n))?,
        };
    }
    Ok(())
}

/// Sets each column's width from the widest content, with padding and limits.
fn set_widths(sheet: &mut Worksheet, widths: &[usize]) -> Result<(), TableError> {
    for (col, width) in widths.iter().enumerate() {
        let width = (width + 2).clamp(MIN_WIDTH, MAX_WIDTH);
        // Clamped to MAX_WIDTH, so the conversion cannot fail.
        sheet.set_column_width(col_num(col)?, u32::try_from(width).unwrap_or(40))?;
    }
    Ok(())
}

/// Number of decimal digits of `n`.
fn digits(n: u32) -> usize {
    n.checked_ilog10().map_or(1, |log| log as usize + 1)
}

/// A row index in Excel's range, else Excel's own row-limit error.
fn row_num(index: usize) -> Result<RowNum, TableError> {
    RowNum::try_from(index).map_err(|_| rust_xlsxwriter::XlsxError::RowColumnLimitError.into())
}

/// A column index in Excel's range, else Excel's own column-limit error.
fn col_num(index: usize) -> Result<ColNum, TableError> {
    ColNum::try_from(index).map_err(|_| rust_xlsxwriter::XlsxError::RowColumnLimitError.into())
}
