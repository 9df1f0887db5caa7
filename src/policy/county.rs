//! The county facts of a county file that are not services: the county's name, its
//! townships (in the order of their statistical codes: the rows of the bureau's
//! statistics and the choices of the township filters) and the interval between routine
//! assessments. Read from the file's `county: County(...)` and validated here: a name,
//! at least one township, no empty or repeated township, an interval of
//! [`MIN_REASSESSMENT_MONTHS`]–[`MAX_REASSESSMENT_MONTHS`] months.

use crate::datafile::ron_text::Locator;

use super::error::PolicyProblem;
use super::raw::RawCounty;

/// The shortest interval between routine assessments a county file may set, in months.
pub const MIN_REASSESSMENT_MONTHS: u32 = 1;

/// The longest interval between routine assessments a county file may set, in months.
pub const MAX_REASSESSMENT_MONTHS: u32 = 120;

/// A county, as its file describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct County {
    /// Full name, e.g. `耿马傣族佤族自治县`.
    pub name: String,
    /// Townships in the order of their statistical codes; non-empty, no repeats.
    pub townships: Vec<String>,
    /// Months from an assessment's reference date until the next routine one is due.
    pub reassessment_months: u32,
}

/// Validates the county section, adding each problem with where it is.
pub(super) fn validate(raw: RawCounty, problems: &mut Vec<(PolicyProblem, Locator)>) -> County {
    if raw.name.trim().is_empty() {
        problems.push((PolicyProblem::EmptyCountyName, Locator::Key("county")));
    }
    let list = Locator::Key("townships");
    if raw.townships.is_empty() {
        problems.push((PolicyProblem::NoTownships, list.clone()));
    }
    for (index, township) in raw.townships.iter().enumerate() {
        let position = index + 1;
        if township.trim().is_empty() {
            problems.push((PolicyProblem::EmptyTownship { position }, list.clone()));
        } else if let Some(first) = raw.townships[..index].iter().position(|t| t == township) {
            // The repeat: the next occurrence after the first one in the list.
            let first_at = Locator::after(&list, township);
            problems.push((
                PolicyProblem::DuplicateTownship { position, first: first + 1 },
                Locator::after(&first_at, township),
            ));
        }
    }
    let months = raw.reassessment_months;
    if !(MIN_REASSESSMENT_MONTHS..=MAX_REASSESSMENT_MONTHS).contains(&months) {
        problems.push((
            PolicyProblem::ReassessmentMonths { months },
            Locator::Key("reassessment_months"),
        ));
    }
    County { name: raw.name, townships: raw.townships, reassessment_months: months }
}

#[cfg(test)]
mod tests {
    use super::super::{PolicyError, from_ron_str};

    /// The bundled list with its county section replaced by `county`.
    fn with_county(county: &str) -> String {
        let source = include_str!("../../assets/policies/gengma-2023.ron");
        let start = source.find("    county: County(").unwrap();
        let end = start + source[start..].find("    ),\n").unwrap() + "    ),\n".len();
        format!("{}{county}\n{}", &source[..start], &source[end..])
    }

    fn errors(source: &str) -> Vec<String> {
        match from_ron_str(source, "county.ron") {
            Err(PolicyError::File(err)) if !err.problems().is_empty() => {
                err.to_string().lines().map(str::to_owned).collect()
            }
            other => panic!("{other:?}"),
        }
    }

    /// `line:column` of the `nth` (0-based) occurrence of `needle` in `source`.
    fn at(source: &str, needle: &str, nth: usize) -> String {
        let offset = source.match_indices(needle).nth(nth).unwrap().0;
        let before = &source[..offset];
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().unwrap().chars().count() + 1;
        format!("{line}:{column}")
    }

    #[test]
    fn the_bundled_county_has_its_twelve_townships_and_a_yearly_interval() {
        let policy = super::super::bundled(super::super::DEFAULT_POLICY_ID).unwrap().unwrap();
        let county = policy.county();
        assert_eq!(county.name, "耿马傣族佤族自治县");
        assert_eq!(county.townships.len(), 12);
        assert_eq!(county.townships[0], "耿马镇");
        assert_eq!(county.townships[11], "孟定农场");
        assert_eq!(county.reassessment_months, 12);
    }

    #[test]
    fn a_repeated_township_is_located_at_the_repeat() {
        let source = with_county(
            "    county: County(name: \"县\", townships: [\"甲乡\", \"乙乡\", \"甲乡\"], reassessment_months: 12),",
        );
        let expected = format!(
            "county.ron:{}: 第 3 个乡镇与第 1 个重复：乡镇名称必须互不相同",
            at(&source, "\"甲乡\"", 1)
        );
        assert_eq!(errors(&source), [expected]);
    }

    #[test]
    fn an_empty_county_and_an_interval_out_of_range_are_refused() {
        let source =
            with_county("    county: County(name: \" \", townships: [], reassessment_months: 0),");
        assert_eq!(
            errors(&source),
            [
                format!(
                    "county.ron:{}: `county` 的 `name` 为空：请填写县的名称",
                    at(&source, "county:", 0)
                ),
                format!(
                    "county.ron:{}: `townships` 为空：至少需要一个乡镇",
                    at(&source, "townships:", 0)
                ),
                format!(
                    "county.ron:{}: 复评间隔 0 个月无效：应为 1–120 个月",
                    at(&source, "reassessment_months:", 0)
                ),
            ]
        );
        let source = with_county(
            "    county: County(name: \"县\", townships: [\"甲乡\", \"\"], reassessment_months: 121),",
        );
        let problems: Vec<String> = errors(&source);
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems[0].ends_with("第 2 个乡镇的名称为空：请填写或删除它"), "{problems:?}");
        assert!(problems[1].ends_with("复评间隔 121 个月无效：应为 1–120 个月"), "{problems:?}");
        let fine = with_county(
            "    county: County(name: \"县\", townships: [\"甲乡\"], reassessment_months: 120),",
        );
        assert_eq!(from_ron_str(&fine, "county.ron").unwrap().county().reassessment_months, 120);
    }
}
