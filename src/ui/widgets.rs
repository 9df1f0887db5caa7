//! Form widgets shared by the wizard screens: labelled fields, single and multiple choice
//! from the Annex A code lists, date and number fields typed as text.

use std::borrow::Cow;
use std::collections::BTreeSet;

use chrono::NaiveDate;
use egui::{RichText, Ui};

use crate::record::codes::{
    AssessmentReason, Denture, Diagnosis, Education, EthnicGroup, IncomeSource, JointMotionStatus,
    LivingArrangement, MaritalStatus, MedicalPayment, Pain, Presence, PressureInjury, Relationship,
    Sex, SpecialCare, SwallowingSign, ToothLoss, Wound,
};

use crate::scale::Scale;

use super::choice::{Kind, option_list};
use super::theme;

/// A code list the UI can offer: every option in form order, each with its wording.
pub trait Choice: Copy + Ord + 'static {
    /// Every option, in form order.
    fn all() -> &'static [Self];
    /// The standard's wording (for diagnoses, with the ICD-10 range).
    fn text(self) -> Cow<'static, str>;
    /// Whether this is the list's 「无」, which excludes the other options.
    fn is_none_option(self) -> bool;
}

macro_rules! impl_choice {
    ($($t:ty),+ $(,)?) => {
        $(impl Choice for $t {
            fn all() -> &'static [Self] {
                <$t>::ALL
            }
            fn text(self) -> Cow<'static, str> {
                Cow::Borrowed(self.label())
            }
            fn is_none_option(self) -> bool {
                <$t>::is_none_option(self)
            }
        })+
    };
}

impl_choice!(
    AssessmentReason,
    Sex,
    EthnicGroup,
    Presence,
    Education,
    LivingArrangement,
    MaritalStatus,
    MedicalPayment,
    IncomeSource,
    Relationship,
    PressureInjury,
    JointMotionStatus,
    Wound,
    SpecialCare,
    Pain,
    ToothLoss,
    Denture,
    SwallowingSign,
);

impl Choice for Diagnosis {
    fn all() -> &'static [Self] {
        Self::ALL
    }

    /// `痴呆 F00～F03`: the form prints each diagnosis with its ICD-10 range.
    fn text(self) -> Cow<'static, str> {
        Cow::Owned(self.to_string())
    }

    fn is_none_option(self) -> bool {
        false
    }
}

/// A one-line text field named by `label` (for screen readers and tests).
pub fn text_field(ui: &mut Ui, label: &egui::Response, value: &mut String) -> egui::Response {
    let width = super::form::field_width(ui, 320.0);
    let response =
        ui.add(egui::TextEdit::singleline(value).desired_width(width)).labelled_by(label.id);
    super::form::field_focus(ui, &response);
    super::form::enter_moves_on(ui, &response);
    response
}

/// Radio buttons for a single choice, one Tab stop; `None` = not answered.
pub fn single_choice<T: Choice>(ui: &mut Ui, value: &mut Option<T>) -> bool {
    let options: Vec<(String, bool)> =
        T::all().iter().map(|&o| (o.text().into_owned(), *value == Some(o))).collect();
    match option_list(ui, Kind::Single, &options).last().and_then(|i| T::all().get(*i)) {
        Some(&option) => {
            *value = Some(option);
            true
        }
        None => false,
    }
}

/// Check boxes for a multiple choice, one Tab stop; 「无」 excludes the other options.
pub fn multi_choice<T: Choice>(ui: &mut Ui, values: &mut BTreeSet<T>) {
    checkboxes(ui, T::all(), values);
}

/// Check boxes for `options` (all of a list, or the part under one heading), one Tab
/// stop; 「无」 excludes the other options of the whole list.
pub fn checkboxes<T: Choice>(ui: &mut Ui, options: &[T], values: &mut BTreeSet<T>) {
    let shown: Vec<(String, bool)> =
        options.iter().map(|o| (o.text().into_owned(), values.contains(o))).collect();
    for option in option_list(ui, Kind::Multiple, &shown).into_iter().filter_map(|i| options.get(i))
    {
        crate::record::exclusive::tick(values, *option, T::is_none_option);
    }
}

/// A date typed as `YYYY-MM-DD`. The text lives in `buffer`; `value` follows it when it
/// parses (blank = `None`). Shows the problem next to the field while it does not.
pub fn date_field(
    ui: &mut Ui,
    label: &egui::Response,
    buffer: &mut String,
    value: &mut Option<NaiveDate>,
) {
    ui.horizontal(|ui| {
        let response = ui
            .add(
                egui::TextEdit::singleline(buffer)
                    .hint_text("例如 1945-03-02")
                    .desired_width(200.0),
            )
            .labelled_by(label.id);
        super::form::field_focus(ui, &response);
        super::form::enter_moves_on(ui, &response);
        let text = buffer.trim();
        let parsed = NaiveDate::parse_from_str(text, "%Y-%m-%d");
        if response.changed() {
            *value = if text.is_empty() { None } else { parsed.ok() };
        }
        if !text.is_empty() && parsed.is_err() {
            ui.label(RichText::new("日期格式应为 年-月-日，如 1945-03-02").color(theme::ERROR));
        }
    });
}

/// A whole number typed as text, `None` when blank. `tenths` reads one decimal
/// (`62.5` → 625).
pub fn number_field(
    ui: &mut Ui,
    label: &egui::Response,
    buffer: &mut String,
    value: &mut Option<u16>,
    unit: &str,
    tenths: bool,
) {
    ui.horizontal(|ui| {
        let response =
            ui.add(egui::TextEdit::singleline(buffer).desired_width(120.0)).labelled_by(label.id);
        super::form::field_focus(ui, &response);
        super::form::enter_moves_on(ui, &response);
        ui.label(unit);
        let parsed = parse_number(buffer.trim(), tenths);
        if response.changed() {
            *value = parsed.unwrap_or(None);
        }
        if parsed.is_err() {
            ui.label(RichText::new("请输入数字").color(theme::ERROR));
        }
    });
}

/// `Ok(None)` for blank, `Ok(Some(n))` for a number, `Err(())` otherwise.
fn parse_number(text: &str, tenths: bool) -> Result<Option<u16>, ()> {
    if text.is_empty() {
        return Ok(None);
    }
    if !tenths {
        return text.parse::<u16>().map(Some).map_err(|_| ());
    }
    let (whole, fraction) = text.split_once('.').unwrap_or((text, "0"));
    if fraction.len() != 1 {
        return Err(());
    }
    let whole: u16 = whole.parse().map_err(|_| ())?;
    let fraction: u16 = fraction.parse().map_err(|_| ())?;
    whole.checked_mul(10).and_then(|w| w.checked_add(fraction)).map(Some).ok_or(())
}

/// Formats tenths as a decimal (`625` → `62.5`).
pub fn tenths_text(value: u16) -> String {
    format!("{}.{}", value / 10, value % 10)
}

/// The result of a dialog's last action: green when it worked, red when it did not.
pub(super) fn status_line(ui: &mut Ui, status: Option<&Result<String, String>>) {
    match status {
        Some(Ok(message)) => {
            ui.label(RichText::new(message).color(theme::OK));
        }
        Some(Err(message)) => {
            ui.label(RichText::new(message).color(theme::ERROR));
        }
        None => {}
    }
}

/// A list row's button: it shows the short `text` (the row's number is in its own column),
/// and its accessible name — what screen readers say and tests look for — is
/// `"{text} {row}"`, so every row's button has a name of its own.
pub(super) fn row_button(ui: &mut Ui, text: &str, row: &str) -> egui::Response {
    let response = ui.add(egui::Button::new(text).min_size(egui::vec2(64.0, 40.0)));
    let name = format!("{text} {row}");
    let enabled = ui.is_enabled();
    response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Button, enabled, &name));
    response
}

/// Rows a list screen shows at most; the rest are reached with its search or filters
/// (egui lays out every row it is given, every frame).
pub(super) const LIST_LIMIT: usize = 200;

/// A level's short name from the scale file, `—` when not scored (or not a level of the
/// scale).
pub(super) fn level_short(scale: &Scale, level: Option<u8>) -> &str {
    level.and_then(|l| scale.levels().get(usize::from(l))).map_or("—", |l| l.short.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_parse_with_and_without_tenths() {
        assert_eq!(parse_number("", false), Ok(None));
        assert_eq!(parse_number("165", false), Ok(Some(165)));
        assert_eq!(parse_number("62.5", true), Ok(Some(625)));
        assert_eq!(parse_number("62", true), Ok(Some(620)));
        assert_eq!(parse_number("62.55", true), Err(()));
        assert_eq!(parse_number("abc", false), Err(()));
        assert_eq!(tenths_text(625), "62.5");
    }
}
