//! CSV exports of records ([`to_csv`]) and of statistics (see [`super::stats_to_csv`]),
//! made for Excel on Chinese Windows and for any CSV reader.
//!
//! - **Encoding.** UTF-8 with a byte-order mark (`EF BB BF`): without it Excel opens the
//!   file as GBK and shows mojibake. Records end in CRLF (RFC 4180).
//! - **Identifiers stay text.** Excel turns an all-digit 18-digit ID number into
//!   `5.30926E+17` and keeps only 15 significant digits, so the last three are lost for
//!   good; it also drops leading zeros of an all-digit assessment number. Such a value is
//!   written as the formula `="530926194305120420"`, which Excel (and `LibreOffice`, WPS)
//!   shows as the text `530926194305120420`. A value with any non-digit (an ID ending in
//!   `X`, a masked `530926********0420`, `PG2026-0003`) is already text and is written
//!   as is. A leading tab was rejected: Excel keeps it as part of the cell, and a tab is
//!   itself one of the characters the formula-injection guard must neutralise. A CSV
//!   reader gets the plain value back with [`unwrap_text_formula`].
//! - **Formula injection.** Any other cell that starts with `=`, `+`, `-`, `@`, tab or
//!   carriage return gets a leading `'`, so a spreadsheet shows it as text instead of
//!   running it (OWASP "CSV injection"). Only the module's own `="digits"` cells start
//!   with `=`.
//! - Dates are `YYYY-MM-DD`; levels are their full names (`能力完好` …
//!   `能力完全丧失（完全失能）`).

use std::borrow::Cow;

use ::csv::{Terminator, Writer, WriterBuilder};

use super::Privacy;
use super::columns::{self, Cell, Encoded};
use super::row::ExportRow;
use crate::scale::Scale;

/// The UTF-8 byte-order mark that starts every CSV file written here.
pub const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Characters that make a spreadsheet treat a cell as a formula.
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// The records as CSV: BOM, a Chinese header row, one row per record (see the module
/// docs for how ID numbers and formula-like text are protected).
///
/// [`Privacy::DeIdentified`] leaves out the name and the birth date, masks the ID number
/// (first 6 and last 4 characters) and gives the age band; [`Privacy::Full`] adds the
/// name, the whole ID number, the birth date and the age.
///
/// A text over Excel's cell limit is cut and listed in [`Encoded::cut`] (see
/// [`columns::MAX_CELL_LEN`]).
pub fn to_csv(rows: &[ExportRow], privacy: Privacy, scale: &Scale) -> Encoded {
    let domains = columns::domain_count(rows, scale);
    let mut writer = writer(rows.len() * 160);
    let headers = columns::headers(privacy, domains, scale);
    let mut result = writer.write_record(headers.iter().map(|h| h.as_bytes()));
    let mut cells = Vec::with_capacity(headers.len());
    let mut cut = Vec::new();
    let mut scratch = String::new();
    for (index, row) in rows.iter().enumerate() {
        if result.is_err() {
            break;
        }
        columns::cells(row, privacy, (domains, scale), &mut cells);
        columns::fit(&mut cells, index + 1, &headers, &mut cut);
        for cell in &cells {
            scratch.clear();
            let field = format_cell(cell, &mut scratch);
            result = result.and_then(|()| writer.write_field(field.as_bytes()));
        }
        result = result.and_then(|()| writer.write_record(None::<&[u8]>));
    }
    Encoded { bytes: finish(writer, &result), cut }
}

/// A CSV writer over memory, the BOM already written, CRLF line ends.
pub(super) fn writer(capacity: usize) -> Writer<Vec<u8>> {
    let mut buffer = Vec::with_capacity(capacity + BOM.len());
    buffer.extend_from_slice(BOM);
    WriterBuilder::new().terminator(Terminator::CRLF).from_writer(buffer)
}

/// The bytes written so far.
///
/// Writing to a `Vec` cannot fail and every record has the same number of fields, so
/// `result` is always `Ok`; were it not, the output would stop at the failing record
/// (checked in debug builds).
pub(super) fn finish(writer: Writer<Vec<u8>>, result: &::csv::Result<()>) -> Vec<u8> {
    debug_assert!(result.is_ok(), "CSV to memory failed: {result:?}");
    match writer.into_inner() {
        Ok(bytes) => bytes,
        Err(err) => err.into_inner().get_ref().clone(),
    }
}

/// The text of one cell as written to the file; `scratch` holds formatted values.
fn format_cell<'a>(cell: &'a Cell<'_>, scratch: &'a mut String) -> Cow<'a, str> {
    use std::fmt::Write as _;
    // Writing to a String cannot fail, so the `write!` results are ignored.
    match cell {
        Cell::Text(text) => guard(text),
        Cell::Code(code) if is_all_digits(code) => {
            let _ = write!(scratch, "=\"{code}\"");
            Cow::Borrowed(scratch)
        }
        Cell::Code(code) => guard(code),
        Cell::Number(n) => {
            let _ = write!(scratch, "{n}");
            Cow::Borrowed(scratch)
        }
        Cell::Date(date) => {
            // `NaiveDate` displays as ISO 8601 `YYYY-MM-DD`.
            let _ = write!(scratch, "{date}");
            Cow::Borrowed(scratch)
        }
        Cell::Empty => Cow::Borrowed(""),
    }
}

/// `text`, or `'text` if a spreadsheet would read it as a formula.
pub fn guard(text: &str) -> Cow<'_, str> {
    if text.starts_with(FORMULA_STARTS) {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    }
}

/// Undoes the identifier protection of this module: `="530926194305120420"` gives
/// `530926194305120420`; any other cell is returned unchanged (a `'` guard stays, since
/// it cannot be told apart from a value that starts with `'`).
pub fn unwrap_text_formula(cell: &str) -> &str {
    cell.strip_prefix("=\"")
        .and_then(|rest| rest.strip_suffix('"'))
        .filter(|inner| is_all_digits(inner))
        .unwrap_or(cell)
}

/// Non-empty and only ASCII digits: the values Excel would turn into numbers.
fn is_all_digits(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guard_prefixes_formula_starts_only() {
        for bad in ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(guard(bad), format!("'{bad}"));
        }
        assert_eq!(guard("耿马镇"), "耿马镇");
        assert_eq!(guard("a=b"), "a=b");
    }

    #[test]
    fn text_formula_round_trip() {
        let mut scratch = String::new();
        let cell = Cell::Code("530926194305120420".into());
        let written = format_cell(&cell, &mut scratch).into_owned();
        assert_eq!(written, "=\"530926194305120420\"");
        assert_eq!(unwrap_text_formula(&written), "530926194305120420");
        assert_eq!(unwrap_text_formula("=\"HYPERLINK()\""), "=\"HYPERLINK()\"");
        let mut scratch = String::new();
        assert_eq!(
            format_cell(&Cell::Code("53092619430512042X".into()), &mut scratch),
            "53092619430512042X"
        );
    }
}
