//! 重新提交的评估: on the review screen of a record that was returned before, the last
//! return (when, by whom, why) and every field changed since, Annex A and B alike, with
//! the forms' codes and titles and the values before → now (from the audit trail, see
//! [`crate::store::Store::changes_since_return`]). The ID number is shown masked.

use egui::{Grid, RichText, Ui};

use crate::record::field_path::{field_of_path, path_title};
use crate::scale::Scale;
use crate::store::{FieldChange, ReturnEvent};

use super::theme;
use super::widgets::Choice;

/// The last return and the changes since, above the item comparison.
pub fn resubmission_ui(ui: &mut Ui, scale: &Scale, event: &ReturnEvent, changes: &[FieldChange]) {
    let local = event.at.with_timezone(&crate::clock::CHINA_OFFSET);
    egui::Frame::new()
        .fill(theme::WARNING.gamma_multiply(0.12))
        .inner_margin(egui::Margin::same(8))
        .show(ui, |ui| {
            ui.label(
                RichText::new(format!(
                    "重新提交：上次于 {} 被 {} 退回",
                    local.format("%Y-%m-%d %H:%M"),
                    event.reviewer
                ))
                .color(theme::WARNING)
                .strong(),
            );
            ui.label(format!("上次退回原因：{}", event.reason));
            if changes.is_empty() {
                ui.label("退回后没有修改任何字段");
                return;
            }
            ui.label(RichText::new(format!("退回后修改的字段（{} 项）：", changes.len())).strong());
            let mut rows: Vec<(String, String, String, String)> =
                changes.iter().map(|change| row(scale, change)).collect();
            rows.sort_by_key(|row| order_key(&row.0));
            egui::ScrollArea::vertical().id_salt("resubmission").max_height(220.0).show(ui, |ui| {
                Grid::new("resubmission-changes").num_columns(4).striped(true).show(ui, |ui| {
                    for title in ["字段", "名称", "退回时", "现在"] {
                        ui.label(RichText::new(title).strong());
                    }
                    ui.end_row();
                    for (code, title, old, new) in rows {
                        ui.label(code);
                        ui.label(title);
                        ui.label(old);
                        ui.label(RichText::new(new).strong());
                        ui.end_row();
                    }
                });
            });
        });
}

/// Sorts Annex A by form and field number, then B, then the rest (as the forms run).
fn order_key(code: &str) -> (u8, Vec<u32>, String) {
    let group = match code.chars().next() {
        Some('A') => 0,
        Some('B') => 1,
        _ => 2,
    };
    let numbers = code.split('.').filter_map(|part| part.parse().ok()).collect();
    (group, numbers, code.to_owned())
}

/// Code, title, value then, value now.
fn row(scale: &Scale, change: &FieldChange) -> (String, String, String, String) {
    let path = change.path.as_str();
    let (code, title) = match field_of_path(path) {
        Some(code) => {
            let title = code.title(scale).unwrap_or_default().to_owned();
            (code.to_string(), title)
        }
        None => ("—".to_owned(), path_title(path).unwrap_or(path).to_owned()),
    };
    let value = |v: &Option<String>| value_text(path, v.as_deref());
    (code, title, value(&change.old), value(&change.new))
}

/// A stored JSON value in words: text without quotes, lists joined, a score with 分, a
/// signature as its strokes, the ID number masked; `—` for nothing.
fn value_text(path: &str, value: Option<&str>) -> String {
    let Some(value) = value.filter(|v| *v != "null") else {
        return if path.starts_with("signatures.") {
            "未签".to_owned()
        } else {
            "—".to_owned()
        };
    };
    let json: serde_json::Value = serde_json::from_str(value).unwrap_or(serde_json::Value::Null);
    if path.starts_with("subject.id_number") {
        return json.as_str().map_or_else(|| "—".to_owned(), crate::store::mask_id);
    }
    if let Some(text) = coded(path, &json) {
        return text;
    }
    if let Some(strokes) = json.get("strokes").and_then(serde_json::Value::as_u64) {
        return format!("已签（{strokes} 笔）");
    }
    match &json {
        serde_json::Value::String(text) if text.is_empty() => "（空）".to_owned(),
        serde_json::Value::String(text) => text.clone(),
        serde_json::Value::Number(number) if path.starts_with("answers.") => format!("{number} 分"),
        serde_json::Value::Array(items) if items.is_empty() => "（无）".to_owned(),
        serde_json::Value::Array(items) => items
            .iter()
            .map(|item| item.as_str().map_or_else(|| item.to_string(), str::to_owned))
            .collect::<Vec<_>>()
            .join("、"),
        serde_json::Value::Bool(true) => "是".to_owned(),
        serde_json::Value::Bool(false) => "否".to_owned(),
        serde_json::Value::Null => value.to_owned(),
        other => other.to_string(),
    }
}

/// The standard's wording of a code-list answer (one choice or a list of them), for the
/// fields that hold one.
fn coded(path: &str, json: &serde_json::Value) -> Option<String> {
    use crate::record::codes::{
        AssessmentReason, Denture, Diagnosis, Education, EthnicGroup, IncomeSource,
        JointMotionStatus, LivingArrangement, MaritalStatus, MedicalPayment, Pain, Presence,
        PressureInjury, Relationship, Sex, SpecialCare, SwallowingSign, ToothLoss, Wound,
    };
    match path {
        "info.reason" => choice_text::<AssessmentReason>(json),
        "subject.sex" => choice_text::<Sex>(json),
        "subject.ethnicity.group" => choice_text::<EthnicGroup>(json),
        "subject.education" => choice_text::<Education>(json),
        "subject.living" => choice_text::<LivingArrangement>(json),
        "subject.marital" => choice_text::<MaritalStatus>(json),
        "subject.payment" => choice_text::<MedicalPayment>(json),
        "subject.income" => choice_text::<IncomeSource>(json),
        "informant.relationship" => choice_text::<Relationship>(json),
        "diagnoses.conditions" => choice_text::<Diagnosis>(json),
        "diagnoses.none_of_the_above" => json.as_bool().map(|ticked| {
            if ticked { crate::record::Diagnoses::NONE_OF_THE_ABOVE } else { "（未选）" }.to_owned()
        }),
        "subject.risk_events.fall"
        | "subject.risk_events.wandering"
        | "subject.risk_events.choking"
        | "subject.risk_events.suicide_self_harm"
        | "subject.risk_events.other" => json
            .as_u64()
            .and_then(|n| u8::try_from(n).ok())
            .map(|n| crate::record::codes::risk_event_answer(n).to_owned()),
        "health.pressure_injury" => choice_text::<PressureInjury>(json),
        "health.joint_motion.status" => choice_text::<JointMotionStatus>(json),
        "health.wounds" => choice_text::<Wound>(json),
        "health.special_care" => choice_text::<SpecialCare>(json),
        "health.pain" => choice_text::<Pain>(json),
        "health.teeth" => choice_text::<ToothLoss>(json),
        "health.dentures" => choice_text::<Denture>(json),
        "health.swallowing" => choice_text::<SwallowingSign>(json),
        "subject.religion.belief"
        | "health.malnutrition"
        | "health.airway_clearance"
        | "health.coma" => choice_text::<Presence>(json),
        _ => None,
    }
}

/// `json` read as one `T` or a list of them, in the standard's wording.
fn choice_text<T: Choice + serde::de::DeserializeOwned>(
    json: &serde_json::Value,
) -> Option<String> {
    let text = |value: &serde_json::Value| {
        serde_json::from_value::<T>(value.clone()).ok().map(|choice| choice.text().into_owned())
    };
    match json {
        serde_json::Value::Array(items) if items.is_empty() => Some("（无）".to_owned()),
        serde_json::Value::Array(items) => {
            items.iter().map(text).collect::<Option<Vec<_>>>().map(|texts| texts.join("、"))
        }
        other => text(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_read_as_words() {
        assert_eq!(value_text("answers.B.1.1", Some("3")), "3 分");
        assert_eq!(value_text("subject.name", Some("\"张三\"")), "张三");
        let living = value_text("subject.living", Some("[\"alone\",\"with_spouse\"]"));
        assert_eq!(living, "独居、与配偶居住");
        assert_eq!(value_text("health.coma", Some("\"absent\"")), "无");
        assert_eq!(value_text("signatures.assessor1", None), "未签");
        assert_eq!(
            value_text("signatures.assessor1", Some("{\"sha256\":\"ab\",\"strokes\":2}")),
            "已签（2 笔）"
        );
        assert_eq!(value_text("subject.height_cm", Some("null")), "—");
        assert_eq!(value_text("subject.risk_events.fall", Some("0")), "无");
        assert_eq!(value_text("subject.risk_events.fall", Some("2")), "发生过2次");
        assert_eq!(value_text("subject.risk_events.fall", Some("null")), "—");
        assert_eq!(value_text("diagnoses.none_of_the_above", Some("true")), "以上均无");
        assert!(!value_text("subject.id_number", Some("\"11010519491231002X\"")).contains("1949"));
    }
}
