//! Instrument definitions: RON scale files → validated [`Scale`] values.
//!
//! Loading happens in two stages, so that the engine only ever sees a scale whose
//! invariants hold:
//!
//! 1. [`raw`]: serde parses the RON text into `Raw*` structs that deny unknown fields.
//! 2. [`validate`](validate::validate): checks ids, option ranges, level bands and
//!    references, and resolves ids to indices.
//!
//! Both stages report errors with the file, `line:column` and what to change.
//! This module is pure: it knows nothing of the GUI, the database or the PDF writer.

mod error;
mod model;
pub mod raw;
mod validate;

use std::path::Path;

pub use error::{Problem, ScaleError};
pub use model::{
    Band, ChangeRules, Check, Condition, CountPart, Domain, Effect, Fact, FactKind, Grading, Item,
    Level, Rule, Scale, ScoreOption, Severity, Worsening,
};

/// The id of the scale used when an answer file names none.
pub const DEFAULT_SCALE_ID: &str = "gbt42195-2022";

/// Scale files compiled into the binary: (file name, contents).
const BUNDLED: &[(&str, &str)] =
    &[("scales/gbt42195-2022.ron", include_str!("../../scales/gbt42195-2022.ron"))];

/// File names of the bundled scales, as they are in the repository.
pub fn bundled_files() -> impl Iterator<Item = &'static str> {
    BUNDLED.iter().map(|(file, _)| *file)
}

/// Loads and validates every bundled scale, in file order.
pub fn load_bundled() -> Result<Vec<Scale>, ScaleError> {
    BUNDLED.iter().map(|(file, source)| from_ron_str(source, file)).collect()
}

/// Loads the bundled scale with this id.
///
/// Returns `Ok(None)` when no bundled scale has that id.
pub fn bundled(id: &str) -> Result<Option<Scale>, ScaleError> {
    Ok(load_bundled()?.into_iter().find(|scale| scale.id() == id))
}

/// Reads and validates a scale file from disk.
pub fn load_file(path: &Path) -> Result<Scale, ScaleError> {
    Ok(crate::datafile::ron_text::load_file(path, validate::validate)?)
}

/// Parses and validates scale source text; `file` is used in error messages only.
pub fn from_ron_str(source: &str, file: &str) -> Result<Scale, ScaleError> {
    Ok(crate::datafile::ron_text::load(source, file, validate::validate)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_scale_loads_with_the_standards_shape() {
        let scale = bundled(DEFAULT_SCALE_ID).unwrap().unwrap();
        assert_eq!(scale.items().len(), 26);
        assert_eq!(scale.max_total(), 90);
        let maxima: Vec<u16> = scale.domains().iter().map(Domain::max).collect();
        assert_eq!(maxima, [32, 15, 28, 15]);
        assert_eq!(scale.levels().len(), 5);
    }

    #[test]
    fn misspelt_field_names_the_field_and_position() {
        let source = include_str!("../../scales/gbt42195-2022.ron").replacen(
            "definition: \"卧床翻身",
            "defnition: \"卧床翻身",
            1,
        );
        let err = from_ron_str(&source, "x.ron").unwrap_err().to_string();
        assert!(err.starts_with("x.ron:"), "{err}");
        assert!(err.contains("`defnition`"), "{err}");
        let line = source.lines().position(|l| l.contains("defnition")).unwrap() + 1;
        assert!(err.starts_with(&format!("x.ron:{line}:")), "{err}");
    }
}
