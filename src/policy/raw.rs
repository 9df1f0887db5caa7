//! The service-list file format (`assets/policies/*.ron`): serde types, one to one with the
//! file, documented here for whoever writes a county's list. Validated into
//! [`super::Policy`] by [`super::validate`].

use serde::Deserialize;

/// A county's basic elderly-care service list.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename = "Policy", deny_unknown_fields)]
pub struct RawPolicy {
    /// Stable identifier, e.g. `"gengma-2023"`.
    pub id: String,
    /// Title, e.g. `"耿马自治县基本养老服务清单"`.
    pub name: String,
    /// The document it comes from.
    pub source: String,
    /// Date of the document, `YYYY-MM-DD`.
    pub effective: String,
    /// The county the list is for.
    pub county: RawCounty,
    /// The county's readings of what the plan leaves open.
    pub readings: super::readings::Readings,
    /// The services, in number order.
    pub services: Vec<RawService>,
}

/// The county: `County(name: "耿马傣族佤族自治县", townships: ["耿马镇", …],
/// reassessment_months: 12)`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename = "County", deny_unknown_fields)]
pub struct RawCounty {
    /// Full name, e.g. `"耿马傣族佤族自治县"`.
    pub name: String,
    /// Townships in the order of their statistical codes (the rows of the statistics);
    /// at least one, no repeats.
    pub townships: Vec<String>,
    /// Months from an assessment's reference date until the next routine one is due,
    /// 1–120.
    pub reassessment_months: u32,
}

/// One service (服务项目).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename = "Service", deny_unknown_fields)]
pub struct RawService {
    /// 序号, unique, ascending.
    pub no: u16,
    /// 服务项目.
    pub name: String,
    /// 服务类型.
    pub kind: Kind,
    /// 普惠 (for all older people) or 保障 (for elders in special circumstances).
    pub scope: Scope,
    /// 牵头责任部门.
    pub department: String,
    /// One or more 服务内容及标准 / 服务对象 pairs; the first tier whose condition holds
    /// decides the amount.
    pub tiers: Vec<RawTier>,
}

/// A content–target pair of a service, with the condition that implements the target.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename = "Tier", deny_unknown_fields)]
pub struct RawTier {
    /// 服务内容及标准, verbatim.
    pub content: String,
    /// 服务对象, verbatim.
    pub target: String,
    /// When an elder belongs to the target.
    pub when: Condition,
    /// Monthly cash amount, if the tier pays one.
    #[serde(default)]
    pub amount: Option<Amount>,
}

/// 服务类型.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum Kind {
    /// 物质帮助.
    Material,
    /// 照护服务.
    Care,
    /// 关爱服务.
    Caring,
}

impl Kind {
    /// Wording of the list.
    pub const fn label(self) -> &'static str {
        match self {
            Self::Material => "物质帮助",
            Self::Care => "照护服务",
            Self::Caring => "关爱服务",
        }
    }
}

/// 普惠 or 保障.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum Scope {
    /// 普惠服务 (items 1–14 of the Gengma list).
    Universal,
    /// 保障服务 (items 15–31).
    Protective,
}

impl Scope {
    /// Wording of the list.
    pub const fn label(self) -> &'static str {
        match self {
            Self::Universal => "普惠",
            Self::Protective => "保障",
        }
    }
}

/// A monthly cash amount in yuan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum Amount {
    /// Exactly this much.
    Exactly(u32),
    /// At least this much (不低于); the county may pay more.
    AtLeast(u32),
    /// Cash whose amount the list does not state as a figure (e.g. 不低于当地城市最低生活保障
    /// 标准的1.3倍, 省级指导标准, 当地规定标准): never in the monthly total, and named as left out.
    Unstated,
}

impl Amount {
    /// The amount in yuan (the minimum for `AtLeast`; 0 for `Unstated`).
    pub const fn yuan(self) -> u32 {
        match self {
            Self::Exactly(y) | Self::AtLeast(y) => y,
            Self::Unstated => 0,
        }
    }

    /// The stated amount in yuan, if the list gives a figure.
    pub const fn stated(self) -> Option<u32> {
        match self {
            Self::Exactly(y) | Self::AtLeast(y) => Some(y),
            Self::Unstated => None,
        }
    }
}

/// Which 特困 support a condition asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum TekunIs {
    /// Either way.
    Any,
    /// 分散供养.
    Dispersed,
    /// 集中供养.
    Centralized,
}

/// Which 计划生育特别扶助 category a condition asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum FamilyPlanningIs {
    /// Either category (计划生育特殊家庭).
    Any,
    /// 独生子女死亡.
    ChildDied,
    /// 独生子女伤残.
    ChildDisabled,
}

/// Which 优抚 groups a condition asks for (the plan's names).
pub use crate::record::county::YoufuGroup as YoufuGroupIs;

/// Which pension a condition asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum PensionIs {
    /// 职工基本养老保险.
    Employee,
    /// 城乡居民基本养老保险.
    Resident,
}

/// A condition on the elder's facts. Unknown facts make a condition unknown, unless the
/// rest decides it (`All` with a false part is false; `Any` with a true part is true).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub enum Condition {
    /// Age (周岁) on the reference date at least this.
    AgeAtLeast(u32),
    /// Age within `[from, to]`.
    AgeBetween(u32, u32),
    /// 本县户籍.
    LocalHukou,
    /// 特困供养 of this kind.
    Tekun(TekunIs),
    /// 特困 elder who wishes institutional support.
    TekunWantsInstitution,
    /// The 特困 arrangement the elder chooses (自愿选择): the recorded wish
    /// (`tekun_wants_institution`), or the current arrangement when no wish is recorded.
    TekunChoice(TekunIs),
    /// 低保对象.
    Dibao,
    /// 计划生育特别扶助对象 of this category.
    FamilyPlanning(FamilyPlanningIs),
    /// 残疾等级 within `[from, to]` (1 = 一级 … 4 = 四级).
    DisabilityGrade(u8, u8),
    /// 优抚对象.
    Youfu,
    /// 优抚对象 of one of these groups.
    YoufuGroup(Vec<YoufuGroupIs>),
    /// 无法定赡养人、扶养人，或者法定赡养人、扶养人无赡养、扶养能力.
    NoAbleSupporter,
    /// 享受国家定期抚恤补助待遇.
    StateYoufuAllowance,
    /// 要长期照护.
    NeedsLongTermCare,
    /// The recorded 经济困难 flag alone.
    EconomicHardship,
    /// 经济困难 as the county reads it (`readings.economic_difficulty`: the flag, 低保,
    /// 特困).
    EconomicDifficulty,
    /// 高龄 as the county reads it (`readings.advanced_age`).
    AdvancedAge,
    /// 重残 / 重度残疾 as the county reads it (`readings.severe_disability_grades`).
    SevereDisability,
    /// Insured under this pension.
    Pension(PensionIs),
    /// Draws the pension (已领取养老金).
    PensionDrawing,
    /// 独居.
    LivingAlone,
    /// 空巢.
    EmptyNest,
    /// 留守.
    LeftBehind,
    /// 失能: a final level in `readings.disabled_levels` (1–4 in Gengma; 能力完好 is not 失能).
    Disabled,
    /// 失智: diagnosed dementia.
    Dementia,
    /// 生活无着的流浪乞讨人员.
    Homeless,
    /// Every part holds.
    All(Vec<Condition>),
    /// At least one part holds.
    Any(Vec<Condition>),
}
