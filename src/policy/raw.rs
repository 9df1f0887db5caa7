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
}

impl Amount {
    /// The amount in yuan (the minimum for `AtLeast`).
    pub const fn yuan(self) -> u32 {
        match self {
            Self::Exactly(y) | Self::AtLeast(y) => y,
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
    /// 低保对象.
    Dibao,
    /// 计划生育特别扶助对象 of this category.
    FamilyPlanning(FamilyPlanningIs),
    /// 残疾等级 within `[from, to]` (1 = 一级 … 4 = 四级).
    DisabilityGrade(u8, u8),
    /// 优抚对象.
    Youfu,
    /// 经济困难.
    EconomicHardship,
    /// Insured under this pension.
    Pension(PensionIs),
    /// 独居.
    LivingAlone,
    /// 空巢.
    EmptyNest,
    /// 留守.
    LeftBehind,
    /// 失能: final level 1–4 (能力完好 is not 失能).
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
