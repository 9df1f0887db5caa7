//! County facts about an elder that decide entitlements ([`crate::policy`]): an extension
//! of the assessment, clearly outside GB/T 42195 (the county plan's 服务对象 criteria).
//!
//! Every fact is optional: `None` means "not recorded", which makes the services that need
//! it `needs_info` rather than guessing.

use serde::{Deserialize, Serialize};

/// 特困供养 (support for persons in extreme poverty).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Tekun {
    /// 无.
    None,
    /// 分散供养 (at home).
    Dispersed,
    /// 集中供养 (in an institution).
    Centralized,
}

impl Tekun {
    /// Every option, in form order.
    pub const ALL: &[Self] = &[Self::None, Self::Dispersed, Self::Centralized];

    /// Wording on the form.
    pub const fn label(self) -> &'static str {
        match self {
            Self::None => "无",
            Self::Dispersed => "分散供养",
            Self::Centralized => "集中供养",
        }
    }
}

/// 计划生育特别扶助对象.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FamilyPlanning {
    /// 无.
    None,
    /// 独生子女死亡.
    ChildDied,
    /// 独生子女伤残.
    ChildDisabled,
}

impl FamilyPlanning {
    /// Every option, in form order.
    pub const ALL: &[Self] = &[Self::None, Self::ChildDied, Self::ChildDisabled];

    /// Wording on the form.
    pub const fn label(self) -> &'static str {
        match self {
            Self::None => "无",
            Self::ChildDied => "独生子女死亡",
            Self::ChildDisabled => "独生子女伤残",
        }
    }
}

/// Basic pension insurance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Pension {
    /// 无.
    None,
    /// 职工基本养老保险.
    Employee,
    /// 城乡居民基本养老保险.
    Resident,
}

impl Pension {
    /// Every option, in form order.
    pub const ALL: &[Self] = &[Self::None, Self::Employee, Self::Resident];

    /// Wording on the form.
    pub const fn label(self) -> &'static str {
        match self {
            Self::None => "无",
            Self::Employee => "职工基本养老保险",
            Self::Resident => "城乡居民基本养老保险",
        }
    }
}

/// Which 优抚对象 an elder is: the groups the county plan names (list item 18 and the
/// admission tie-break of section 三（七）), or another 优抚对象. JSON uses `snake_case`;
/// the county file may also write the variant names (`MartyrSurvivor`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum YoufuGroup {
    /// 烈士遗属.
    #[serde(alias = "MartyrSurvivor")]
    MartyrSurvivor,
    /// 因公牺牲军人家属（遗属）.
    #[serde(alias = "DutyDeathFamily")]
    DutyDeathFamily,
    /// 病故军人遗属.
    #[serde(alias = "IllnessDeathSurvivor")]
    IllnessDeathSurvivor,
    /// 残疾军人.
    #[serde(alias = "DisabledVeteran")]
    DisabledVeteran,
    /// 复员军人.
    #[serde(alias = "Demobilized")]
    Demobilized,
    /// 退伍军人.
    #[serde(alias = "Veteran")]
    Veteran,
    /// 现役军人家属.
    #[serde(alias = "ActiveDutyFamily")]
    ActiveDutyFamily,
    /// 其他优抚对象.
    #[serde(alias = "Other")]
    Other,
}

impl YoufuGroup {
    /// Every option, in form order.
    pub const ALL: &[Self] = &[
        Self::MartyrSurvivor,
        Self::DutyDeathFamily,
        Self::IllnessDeathSurvivor,
        Self::DisabledVeteran,
        Self::Demobilized,
        Self::Veteran,
        Self::ActiveDutyFamily,
        Self::Other,
    ];

    /// Wording of the plan.
    pub const fn label(self) -> &'static str {
        match self {
            Self::MartyrSurvivor => "烈士遗属",
            Self::DutyDeathFamily => "因公牺牲军人家属",
            Self::IllnessDeathSurvivor => "病故军人遗属",
            Self::DisabledVeteran => "残疾军人",
            Self::Demobilized => "复员军人",
            Self::Veteran => "退伍军人",
            Self::ActiveDutyFamily => "现役军人家属",
            Self::Other => "其他优抚对象",
        }
    }
}

/// The county facts of one elder. `None` = not recorded.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CountyFacts {
    /// 本县户籍.
    pub local_hukou: Option<bool>,
    /// 特困供养.
    pub tekun: Option<Tekun>,
    /// For 特困 elders: wishes to be supported in an institution.
    pub tekun_wants_institution: Option<bool>,
    /// 低保对象.
    pub dibao: Option<bool>,
    /// 计划生育特别扶助对象.
    pub family_planning: Option<FamilyPlanning>,
    /// 残疾等级: 0 = none, 1–4 = 一级–四级.
    pub disability_grade: Option<u8>,
    /// 优抚对象 (military families, survivors, disabled or retired servicemen).
    pub youfu: Option<bool>,
    /// For 优抚对象: which group (the plan names some of them).
    pub youfu_group: Option<YoufuGroup>,
    /// 无法定赡养人、扶养人，或者法定赡养人、扶养人无赡养、扶养能力 (list item 18).
    pub no_able_supporter: Option<bool>,
    /// 享受国家定期抚恤补助待遇 (list item 18).
    pub state_youfu_allowance: Option<bool>,
    /// 要长期照护 (needs long-term care; list item 21).
    pub needs_long_term_care: Option<bool>,
    /// 经济困难.
    pub economic_hardship: Option<bool>,
    /// 独居.
    pub living_alone: Option<bool>,
    /// 空巢.
    pub empty_nest: Option<bool>,
    /// 留守.
    pub left_behind: Option<bool>,
    /// Basic pension insurance.
    pub pension: Option<Pension>,
    /// Draws the pension (已领取养老金: has reached the age at which it is paid).
    pub pension_drawing: Option<bool>,
    /// Holds a 老年人优待证.
    pub preferential_card: Option<bool>,
    /// 生活无着的流浪乞讨人员.
    pub homeless: Option<bool>,
}

/// `一级` … `四级` for disability grades 1–4.
pub fn disability_grade_text(grade: u8) -> &'static str {
    match grade {
        1 => "一级",
        2 => "二级",
        3 => "三级",
        4 => "四级",
        _ => "无",
    }
}
