//! Where a field of the record's JSON (`subject.name`, `answers.B.1.1`,
//! `signatures.assessor1`) sits on the forms: [`field_of_path`] gives its [`FieldCode`]
//! (and so its code and title), [`path_title`] a title for the few fields the forms do
//! not number (A.1 评估地点 and 乡镇, the county facts). Used to show what changed
//! between two versions of a record with the forms' codes rather than JSON names.

use super::FieldCode;

/// The JSON paths of the Annex A fields, by prefix, with their form codes. A path
/// belongs to the first entry it equals or continues with a `.`.
const PATHS: [(&str, &str); 39] = [
    ("info.number", "A.1.1"),
    ("info.reference_date", "A.1.2"),
    ("info.reason", "A.1.3"),
    ("info.reason_other", "A.1.3"),
    ("subject.name", "A.2.1"),
    ("subject.sex", "A.2.2"),
    ("subject.birth_date", "A.2.3"),
    ("subject.height_cm", "A.2.4"),
    ("subject.weight_tenth_kg", "A.2.5"),
    ("subject.ethnicity", "A.2.6"),
    ("subject.religion", "A.2.7"),
    ("subject.id_number", "A.2.8"),
    ("subject.education", "A.2.9"),
    ("subject.living", "A.2.10"),
    ("subject.marital", "A.2.11"),
    ("subject.payment", "A.2.12"),
    ("subject.income", "A.2.13"),
    ("subject.risk_events.fall", "A.2.14.1"),
    ("subject.risk_events.wandering", "A.2.14.2"),
    ("subject.risk_events.choking", "A.2.14.3"),
    ("subject.risk_events.suicide_self_harm", "A.2.14.4"),
    ("subject.risk_events", "A.2.14.5"),
    ("informant.name", "A.3.1"),
    ("informant.relationship", "A.3.2"),
    ("informant.contact_name", "A.3.3"),
    ("informant.contact_phone", "A.3.4"),
    ("diagnoses.medications", "A.4.2"),
    ("diagnoses", "A.4.1"),
    ("health.pressure_injury", "A.5.1"),
    ("health.joint_motion", "A.5.2"),
    ("health.wounds", "A.5.3"),
    ("health.special_care", "A.5.4"),
    ("health.pain", "A.5.5"),
    ("health.teeth", "A.5.6"),
    ("health.dentures", "A.5.7"),
    ("health.swallowing", "A.5.8"),
    ("health.malnutrition", "A.5.9"),
    ("health.airway_clearance", "A.5.10"),
    ("health.coma", "A.5.11"),
];

/// Whether `path` is `prefix` or continues it with a `.`.
fn under(path: &str, prefix: &str) -> bool {
    path.strip_prefix(prefix).is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
}

/// The form field holding the record field at JSON `path`, if the forms number it.
pub fn field_of_path(path: &str) -> Option<FieldCode> {
    if let Some(key) = path.strip_prefix("answers.") {
        return Some(FieldCode::of_answer(key));
    }
    if under(path, "health.other") {
        return "A.5.12".parse().ok();
    }
    let [assessor1, assessor2, informant] = FieldCode::SIGNATURES;
    for (role, code) in
        [("assessor1", assessor1), ("assessor2", assessor2), ("informant", informant)]
    {
        if under(path, &format!("signatures.{role}")) {
            return Some(code);
        }
    }
    PATHS.iter().find(|(prefix, _)| under(path, prefix)).and_then(|(_, code)| code.parse().ok())
}

/// A title for record fields the forms do not number; `None` for the others.
pub fn path_title(path: &str) -> Option<&'static str> {
    if under(path, "info.place") {
        Some("评估地点")
    } else if under(path, "info.township") {
        Some("乡镇")
    } else if under(path, "county") {
        Some("县级补充信息")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_map_to_the_forms_codes() {
        let code = |path| field_of_path(path).map(|code| code.to_string());
        assert_eq!(code("subject.name").as_deref(), Some("A.2.1"));
        assert_eq!(code("subject.ethnicity.minority").as_deref(), Some("A.2.6"));
        assert_eq!(code("subject.risk_events.fall").as_deref(), Some("A.2.14.1"));
        assert_eq!(code("subject.risk_events.other_text").as_deref(), Some("A.2.14.5"));
        assert_eq!(code("diagnoses.conditions").as_deref(), Some("A.4.1"));
        assert_eq!(code("diagnoses.medications").as_deref(), Some("A.4.2"));
        assert_eq!(code("health.other").as_deref(), Some("A.5.12"));
        assert_eq!(code("answers.B.2.1").as_deref(), Some("B.2.1"));
        assert_eq!(code("signatures.assessor2").as_deref(), Some("签名.2"));
        assert_eq!(code("info.township"), None);
        assert_eq!(path_title("info.township"), Some("乡镇"));
        assert_eq!(path_title("county.dibao"), Some("县级补充信息"));
    }
}
