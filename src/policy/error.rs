//! Errors from loading service lists and from entitlement input.

use crate::datafile::DataFileError;

/// A service list that could not be loaded: unreadable, not valid RON for the format, or
/// breaking its rules (every problem, in file order, as `file:line:column: …`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    /// The file could not be read, did not parse, or broke rules of the format.
    #[error(transparent)]
    File(#[from] DataFileError<PolicyProblem>),
}

/// One broken rule of the service-list format.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyProblem {
    /// Two services share a number.
    #[error("服务序号 {no} 重复：每个服务的 no 必须唯一")]
    DuplicateNumber {
        /// The number.
        no: u16,
    },
    /// Numbers are not ascending.
    #[error("服务序号 {no} 排在 {after} 之后：请按序号从小到大排列")]
    OutOfOrder {
        /// The number.
        no: u16,
        /// The number before it.
        after: u16,
    },
    /// A required text is empty.
    #[error("服务 {no} 的 `{field}` 为空：请填写")]
    Empty {
        /// Service number.
        no: u16,
        /// Field name.
        field: &'static str,
    },
    /// A service without tiers.
    #[error("服务 {no} 没有 tiers：至少需要一组服务内容和服务对象")]
    NoTier {
        /// Service number.
        no: u16,
    },
    /// An empty `All([])` or `Any([])`.
    #[error("服务 {no} 的条件中有空的 All/Any：请填写条件或删除它")]
    EmptyGroup {
        /// Service number.
        no: u16,
    },
    /// A range whose ends are out of order or out of bounds.
    #[error("服务 {no} 的 {what}({from}, {to}) 范围无效")]
    BadRange {
        /// Service number.
        no: u16,
        /// The condition.
        what: &'static str,
        /// Lower end.
        from: u32,
        /// Upper end.
        to: u32,
    },
    /// No services at all.
    #[error("services 为空：至少需要一个服务")]
    NoServices,
    /// The list's `id` is empty.
    #[error("`id` 为空：请填写服务清单的标识，如 \"gengma-2023\"")]
    EmptyId,
    /// A service numbered 0.
    #[error("服务序号 0 无效：no 从 1 开始")]
    NumberZero,
    /// An amount above the bound.
    #[error("服务 {no} 的金额 {yuan} 元/月超过上限 {max} 元/月：请核对金额", max = super::validate::MAX_AMOUNT)]
    AmountTooLarge {
        /// Service number.
        no: u16,
        /// The amount in the file.
        yuan: u32,
    },
    /// An age above the bound in a condition.
    #[error("服务 {no} 的条件中年龄 {age} 超过上限 {max} 周岁", max = super::validate::MAX_CONDITION_AGE)]
    AgeTooLarge {
        /// Service number.
        no: u16,
        /// The age in the file.
        age: u32,
    },
    /// The county's name is empty.
    #[error("`county` 的 `name` 为空：请填写县的名称")]
    EmptyCountyName,
    /// No townships.
    #[error("`townships` 为空：至少需要一个乡镇")]
    NoTownships,
    /// An empty township name.
    #[error("第 {position} 个乡镇的名称为空：请填写或删除它")]
    EmptyTownship {
        /// 1-based position in the list.
        position: usize,
    },
    /// A township listed twice.
    #[error("第 {position} 个乡镇与第 {first} 个重复：乡镇名称必须互不相同")]
    DuplicateTownship {
        /// 1-based position of the repeat.
        position: usize,
        /// 1-based position of the first occurrence.
        first: usize,
    },
    /// A re-assessment interval out of bounds.
    #[error(
        "复评间隔 {months} 个月无效：应为 {min}–{max} 个月",
        min = super::county::MIN_REASSESSMENT_MONTHS,
        max = super::county::MAX_REASSESSMENT_MONTHS
    )]
    ReassessmentMonths {
        /// The interval in the file.
        months: u32,
    },
    /// A reading of the county file out of bounds or repeated.
    #[error("`readings` 的 `{key}` 无效：{what}")]
    BadReading {
        /// The setting.
        key: &'static str,
        /// What is wrong.
        what: &'static str,
    },
    /// Every service's largest amount together exceeds the bound.
    #[error("各项服务的最高金额合计超过 {max} 元/月：请核对金额", max = super::validate::MAX_MONTHLY_TOTAL)]
    TotalTooLarge,
}

/// Entitlement input that cannot be evaluated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EntitlementInputError {
    /// A field has an impossible value.
    #[error("`{field}`：{message}")]
    Invalid {
        /// The field.
        field: &'static str,
        /// What is wrong.
        message: String,
    },
}
