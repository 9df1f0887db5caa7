//! Data-driven cases: every `tests/cases/*.json` holds an input in the `score` JSON
//! contract and the expected domain scores, total, levels, rule ids and warning codes.
//! The expectations were computed by hand from the standard's bands, not by this engine.

use std::path::Path;

use elder_assess::assessment::json::{ScoreInput, ScoreOutput};
use elder_assess::assessment::score;
use serde_json::Value;

use super::common::gbt;

#[test]
fn every_case_file_scores_as_expected() {
    let scale = gbt();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases");
    let mut files: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    assert!(files.len() >= 5, "expected the case files to be present");
    for file in files {
        let name = file.display().to_string();
        let case: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
        let input = ScoreInput::from_json(&case["input"].to_string()).unwrap();
        let (answers, facts) = input.to_answers(&scale).unwrap();
        let outcome = score(&scale, &answers, &facts).unwrap();
        let output = serde_json::to_value(ScoreOutput::from(&outcome)).unwrap();
        let expect = &case["expect"];
        for key in ["domain_scores", "total", "preliminary_level", "final_level"] {
            assert_eq!(output[key], expect[key], "{name}: {key}");
        }
        let ids: Vec<&Value> =
            output["adjustments"].as_array().unwrap().iter().map(|a| &a["id"]).collect();
        let expected_ids: Vec<&Value> = expect["adjustments"].as_array().unwrap().iter().collect();
        assert_eq!(ids, expected_ids, "{name}: adjustments");
        let codes: Vec<&Value> =
            output["warnings"].as_array().unwrap().iter().map(|w| &w["code"]).collect();
        let expected_codes: Vec<&Value> = expect["warnings"].as_array().unwrap().iter().collect();
        assert_eq!(codes, expected_codes, "{name}: warnings");
        let level = output["final_level"].as_u64().unwrap();
        assert_eq!(
            output["level_name"],
            Value::from(scale.levels()[usize::try_from(level).unwrap()].name.clone())
        );
    }
}
