//! [`ExportRow`]: one assessment as plain values, the input of every export and of the
//! statistics. The store (or a test) fills it; nothing here reads a database.
//!
//! Also the age bands of the bureau's statistics ([`AgeBand`]). Level and domain names
//! come from the scale ([`ExportRow::level_name`]).

use std::fmt;

use chrono::NaiveDate;

use crate::record::codes::Sex;
use crate::record::{IdNumber, age_on, mask_id};
use crate::scale::Scale;

/// One assessment, flattened for export and statistics.
///
/// `Debug` hides the name and masks the ID number, like [`crate::record`] does.
#[derive(Clone, PartialEq, Eq)]
pub struct ExportRow {
    /// A.1.1 评估编号.
    pub number: String,
    /// The lifecycle state as shown to people (`草稿`, `已提交`, `已通过`, …).
    pub status: String,
    /// Whether the record is approved (已通过): only these are counted by
    /// [`crate::tables::stats`].
    pub approved: bool,
    /// 乡镇 (township) of the elder, as the store keeps it.
    pub township: String,
    /// A.1.2 评估基准日期.
    pub reference_date: NaiveDate,
    /// A.2.1 姓名. Only written by a [`crate::tables::Privacy::Full`] export.
    pub name: String,
    /// A.2.8 公民身份号码 as stored (full). Masked unless the export is full.
    pub id_number: String,
    /// A.2.2 性别.
    pub sex: Option<Sex>,
    /// A.2.3 出生日期.
    pub birth_date: Option<NaiveDate>,
    /// Final level code `0..=4`, if scored.
    pub final_level: Option<u8>,
    /// Total score, if scored.
    pub total: Option<u16>,
    /// Domain scores in scale order (titled by the scale's domain names); empty if not
    /// scored.
    pub domain_scores: Vec<u16>,
    /// 评估员1 and 评估员2.
    pub assessors: [String; 2],
    /// 审核员 who approved or returned the record.
    pub reviewer: Option<String>,
    /// Number of consistency warnings of the outcome.
    pub warnings: u32,
}

impl ExportRow {
    /// The birth date: [`ExportRow::birth_date`], else the one in a valid ID number.
    pub fn effective_birth_date(&self) -> Option<NaiveDate> {
        self.birth_date.or_else(|| IdNumber::parse(&self.id_number).ok().map(|id| id.birth_date()))
    }

    /// The sex: [`ExportRow::sex`], else the one in a valid ID number.
    pub fn effective_sex(&self) -> Option<Sex> {
        self.sex.or_else(|| IdNumber::parse(&self.id_number).ok().map(|id| id.sex()))
    }

    /// Age in full years (周岁) on the reference date, from
    /// [`ExportRow::effective_birth_date`].
    pub fn age(&self) -> Option<u32> {
        self.effective_birth_date().map(|birth| age_on(birth, self.reference_date))
    }

    /// The statistics age band on the reference date.
    pub fn age_band(&self) -> AgeBand {
        AgeBand::of(self.age())
    }

    /// The scale's full name of the final level, if there is a valid one.
    pub fn level_name<'a>(&self, scale: &'a Scale) -> Option<&'a str> {
        let level = scale.levels().get(usize::from(self.final_level?))?;
        Some(level.name.as_str())
    }
}

impl fmt::Debug for ExportRow {
    /// Like a derived `Debug`, with the name hidden and the ID number masked.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ExportRow")
            .field("number", &self.number)
            .field("status", &self.status)
            .field("approved", &self.approved)
            .field("township", &self.township)
            .field("reference_date", &self.reference_date)
            .field("name", &if self.name.is_empty() { "" } else { "（已隐去）" })
            .field("id_number", &mask_id(&self.id_number))
            .field("sex", &self.sex)
            .field("birth_date", &self.birth_date.map(|_| "（已隐去）"))
            .field("final_level", &self.final_level)
            .field("total", &self.total)
            .field("domain_scores", &self.domain_scores)
            .field("assessors", &self.assessors)
            .field("reviewer", &self.reviewer)
            .field("warnings", &self.warnings)
            .finish()
    }
}

/// Age band of the bureau's statistics (issue #6: 60–69, 70–79, 80–89, 90+), plus the
/// two bands for data that fit none. Declared in age order, so `Ord` sorts by age.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AgeBand {
    /// Under 60 (not yet an older adult; recorded, but a notice in validation).
    Under60,
    /// 60–69.
    From60To69,
    /// 70–79.
    From70To79,
    /// 80–89.
    From80To89,
    /// 90 and over.
    From90,
    /// No birth date and no valid ID number.
    Unknown,
}

impl AgeBand {
    /// Every band, in age order (`Unknown` last).
    pub const ALL: [Self; 6] = [
        Self::Under60,
        Self::From60To69,
        Self::From70To79,
        Self::From80To89,
        Self::From90,
        Self::Unknown,
    ];

    /// The band of an age in full years.
    pub fn of(age: Option<u32>) -> Self {
        match age {
            None => Self::Unknown,
            Some(0..60) => Self::Under60,
            Some(60..70) => Self::From60To69,
            Some(70..80) => Self::From70To79,
            Some(80..90) => Self::From80To89,
            Some(_) => Self::From90,
        }
    }

    /// The label: `60–69` (with an en dash, which no spreadsheet reads as a date),
    /// `70–79`, `80–89`, `90+`, `60岁以下`, `未知`.
    pub const fn label(self) -> &'static str {
        match self {
            Self::Under60 => "60岁以下",
            Self::From60To69 => "60–69",
            Self::From70To79 => "70–79",
            Self::From80To89 => "80–89",
            Self::From90 => "90+",
            Self::Unknown => "未知",
        }
    }

    /// Whether the band is one of the four of the issue, always listed in statistics;
    /// the other two appear only when some row falls in them.
    pub const fn is_standard(self) -> bool {
        !matches!(self, Self::Under60 | Self::Unknown)
    }
}

impl fmt::Display for AgeBand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn level_names_match_the_bundled_scale() {
        // The standard's wording (Annex C levels, Annex B domains), now read from the scale.
        const LEVEL_NAMES: [&str; 5] = [
            "能力完好",
            "能力轻度受损（轻度失能）",
            "能力中度受损（中度失能）",
            "能力重度受损（重度失能）",
            "能力完全丧失（完全失能）",
        ];
        const DOMAIN_NAMES: [&str; 4] =
            ["自理能力", "基础运动能力", "精神状态", "感知觉与社会参与"];
        let scale = crate::scale::bundled(crate::scale::DEFAULT_SCALE_ID).unwrap().unwrap();
        let names: Vec<&str> = scale.levels().iter().map(|level| level.name.as_str()).collect();
        assert_eq!(names, LEVEL_NAMES);
        let domains: Vec<&str> = scale.domains().iter().map(crate::scale::Domain::name).collect();
        assert_eq!(domains, DOMAIN_NAMES);
        let short: Vec<&str> = scale.levels().iter().map(|level| level.short.as_str()).collect();
        assert_eq!(short, ["能力完好", "轻度失能", "中度失能", "重度失能", "完全失能"]);
    }

    #[test]
    fn age_bands_at_the_boundaries() {
        assert_eq!(AgeBand::of(None), AgeBand::Unknown);
        assert_eq!(AgeBand::of(Some(59)), AgeBand::Under60);
        assert_eq!(AgeBand::of(Some(60)), AgeBand::From60To69);
        assert_eq!(AgeBand::of(Some(69)), AgeBand::From60To69);
        assert_eq!(AgeBand::of(Some(70)), AgeBand::From70To79);
        assert_eq!(AgeBand::of(Some(89)), AgeBand::From80To89);
        assert_eq!(AgeBand::of(Some(90)), AgeBand::From90);
        assert_eq!(AgeBand::of(Some(104)).label(), "90+");
    }

    #[test]
    fn age_falls_back_to_the_id_number_and_debug_hides_personal_data() {
        let date = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        let row = ExportRow {
            number: "1".to_owned(),
            status: "已通过".to_owned(),
            approved: true,
            township: "耿马镇".to_owned(),
            reference_date: date(2026, 5, 11),
            name: "张三".to_owned(),
            id_number: "530926194305120420".to_owned(),
            sex: None,
            birth_date: None,
            final_level: Some(2),
            total: Some(50),
            domain_scores: vec![],
            assessors: [String::new(), String::new()],
            reviewer: None,
            warnings: 0,
        };
        assert_eq!(row.age(), Some(82));
        assert_eq!(row.age_band(), AgeBand::From80To89);
        assert_eq!(row.effective_sex(), Some(Sex::Female));
        let shown = format!("{row:?}");
        assert!(!shown.contains("张三") && !shown.contains("530926194305120420"), "{shown}");
        assert!(shown.contains("530926********0420"));
        let scale = crate::scale::bundled(crate::scale::DEFAULT_SCALE_ID).unwrap().unwrap();
        assert_eq!(row.level_name(&scale), Some("能力中度受损（中度失能）"));
        let unknown = ExportRow { final_level: Some(5), ..row };
        assert_eq!(unknown.level_name(&scale), None);
    }
}
