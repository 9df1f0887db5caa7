//! The county's readings of what its plan leaves open (the county file's
//! `readings: Readings(...)`): which levels count as 失能, the 高龄 age, which grades are
//! 重残, which facts make an elder 经济困难, and the admission priority's age, preferred
//! groups and order within a group. Each is a named setting so a county changes it without
//! code; validated here (levels 1–4, grades 1–4, ages up to
//! [`super::validate::MAX_CONDITION_AGE`], lists without repeats).

use serde::Deserialize;

use crate::datafile::ron_text::Locator;
use crate::record::county::YoufuGroup;

use super::error::PolicyProblem;

/// A fact that makes an elder economically difficult (经济困难).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum Hardship {
    /// The recorded 经济困难 flag.
    Flag,
    /// 低保对象.
    Dibao,
    /// 特困供养人员 (either arrangement).
    Tekun,
}

/// A key of the order within a priority group that the plan does not give.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum OrderKey {
    /// Worse final level first.
    WorseLevel,
    /// Older first.
    Older,
}

impl OrderKey {
    /// Wording.
    pub const fn label(self) -> &'static str {
        match self {
            Self::WorseLevel => "能力等级重者优先",
            Self::Older => "年龄大者优先",
        }
    }
}

/// The readings, one to one with the file.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename = "Readings", deny_unknown_fields)]
pub struct Readings {
    /// Final levels that count as 失能, `(from, to)` within 1–4.
    pub disabled_levels: (u8, u8),
    /// 高龄: this age (周岁) and over.
    pub advanced_age: u32,
    /// Disability grades that count as 重残 / 重度残疾, `(from, to)` within 1–4.
    pub severe_disability_grades: (u8, u8),
    /// Facts of which any one makes an elder 经济困难; at least one, no repeats.
    pub economic_difficulty: Vec<Hardship>,
    /// The admission priority is for elders of this age and over.
    pub priority_min_age: u32,
    /// 优抚 groups arranged first at equal conditions (同等条件下优先安排).
    pub preferred_youfu_groups: Vec<YoufuGroup>,
    /// 计划生育特殊家庭 elders arranged first at equal conditions (list item 15).
    pub preferred_family_planning: bool,
    /// The county's own order within a priority group (the plan gives none); may be empty.
    pub order_within_group: Vec<OrderKey>,
}

impl Readings {
    /// Whether `level` counts as 失能.
    pub fn is_disabled_level(&self, level: u8) -> bool {
        (self.disabled_levels.0..=self.disabled_levels.1).contains(&level)
    }

    /// Whether disability `grade` counts as 重残.
    pub fn is_severe_grade(&self, grade: u8) -> bool {
        grade >= 1
            && (self.severe_disability_grades.0..=self.severe_disability_grades.1).contains(&grade)
    }
}

/// Validates the readings, adding each problem with where it is.
pub(super) fn validate(readings: &Readings, problems: &mut Vec<(PolicyProblem, Locator)>) {
    for (key, (from, to)) in [
        ("disabled_levels", readings.disabled_levels),
        ("severe_disability_grades", readings.severe_disability_grades),
    ] {
        if from < 1 || from > to || to > 4 {
            problems.push((
                PolicyProblem::BadReading { key, what: "应为 1–4 之间的范围 (从, 到)" },
                Locator::Key(key),
            ));
        }
    }
    for (key, age) in
        [("advanced_age", readings.advanced_age), ("priority_min_age", readings.priority_min_age)]
    {
        if age > super::validate::MAX_CONDITION_AGE {
            problems.push((
                PolicyProblem::BadReading { key, what: "年龄超过 150 周岁" },
                Locator::Key(key),
            ));
        }
    }
    if readings.economic_difficulty.is_empty() {
        problems.push((
            PolicyProblem::BadReading { key: "economic_difficulty", what: "至少需要一项" },
            Locator::Key("economic_difficulty"),
        ));
    }
    let repeats = [
        ("economic_difficulty", has_repeat(&readings.economic_difficulty)),
        ("preferred_youfu_groups", has_repeat(&readings.preferred_youfu_groups)),
        ("order_within_group", has_repeat(&readings.order_within_group)),
    ];
    for (key, repeated) in repeats {
        if repeated {
            problems
                .push((PolicyProblem::BadReading { key, what: "有重复的项" }, Locator::Key(key)));
        }
    }
}

fn has_repeat<T: PartialEq>(items: &[T]) -> bool {
    items.iter().enumerate().any(|(i, item)| items[..i].contains(item))
}

#[cfg(test)]
mod tests {
    use super::super::{PolicyError, from_ron_str};

    fn with_readings(edit: (&str, &str)) -> String {
        include_str!("../../assets/policies/gengma-2023.ron").replacen(edit.0, edit.1, 1)
    }

    fn errors(source: &str) -> String {
        match from_ron_str(source, "county.ron") {
            Err(PolicyError::File(err)) => err.to_string(),
            Ok(_) => panic!("accepted"),
        }
    }

    #[test]
    fn the_bundled_readings_are_the_plans() {
        let policy = super::super::bundled(super::super::DEFAULT_POLICY_ID).unwrap().unwrap();
        let r = policy.readings();
        assert_eq!(r.disabled_levels, (1, 4));
        assert_eq!(r.advanced_age, 80);
        assert_eq!(r.severe_disability_grades, (1, 2));
        assert_eq!(r.priority_min_age, 60);
        assert!(r.preferred_family_planning);
    }

    #[test]
    fn readings_out_of_bounds_or_repeated_or_unknown_are_refused() {
        let bad = with_readings(("disabled_levels: (1, 4)", "disabled_levels: (0, 4)"));
        assert!(errors(&bad).contains("`disabled_levels`"), "{}", errors(&bad));
        let bad = with_readings(("advanced_age: 80", "advanced_age: 200"));
        assert!(errors(&bad).contains("`advanced_age`"), "{}", errors(&bad));
        let bad =
            with_readings(("economic_difficulty: [Flag,", "economic_difficulty: [Tekun, Flag,"));
        assert!(errors(&bad).contains("有重复的项"), "{}", errors(&bad));
        let bad = with_readings(("advanced_age:", "gaoling_age: 80, advanced_age:"));
        assert!(errors(&bad).contains("gaoling_age"), "{}", errors(&bad));
    }
}
