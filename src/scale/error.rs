//! Errors from reading, parsing and validating scale files.
//!
//! Every error names the file and a 1-based `line:column` (see [`crate::datafile::Located`]),
//! and says what to change.
//! Messages are in Chinese, like the rest of the tool's user-facing text; ids, field
//! names and codes stay as written in the file.

use crate::datafile::DataFileError;

/// A scale file that could not be loaded: unreadable, not valid RON for the scale format,
/// or breaking its rules (every problem, in file order, as `file:line:column: …`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScaleError {
    /// The file could not be read, did not parse, or broke rules of the format.
    #[error(transparent)]
    File(#[from] DataFileError<Problem>),
}

/// One broken rule of the scale format. The message says what to change.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Problem {
    /// A required text is empty.
    #[error("{what} `{id}` 的 `{field}` 为空：请填写内容")]
    Empty {
        /// Kind of thing, e.g. "item".
        what: &'static str,
        /// Its id.
        id: String,
        /// Field name.
        field: &'static str,
    },
    /// An id is used twice.
    #[error("{what} id `{id}` 重复：id 必须唯一，请重命名其中一个")]
    DuplicateId {
        /// Kind of thing.
        what: &'static str,
        /// The id.
        id: String,
    },
    /// Two levels have the same short name.
    #[error("level {first} 和 level {second} 的 short 都是“{short}”：简称必须互不相同")]
    DuplicateShortName {
        /// The short name.
        short: String,
        /// The first level with it.
        first: u8,
        /// The level that repeats it.
        second: u8,
    },
    /// An item's id does not start with its domain's id.
    #[error(
        "item `{item}` 位于 domain `{domain}` 中，但 id 不以 `{domain}.` 开头：请改正 id 或移动该 item"
    )]
    ItemOutsideDomain {
        /// Item id.
        item: String,
        /// Domain id.
        domain: String,
    },
    /// An item's option scores do not cover its range exactly once.
    #[error(
        "item `{item}` 的选项分值为 [{found}]，应为 0 到最高分之间每隔 {step} 分各一个选项（每个分值恰好一次）：请补齐缺少的分值或删除重复的选项"
    )]
    OptionsDoNotCover {
        /// Item id.
        item: String,
        /// The scores found, comma-separated.
        found: String,
        /// Expected distance between scores.
        step: u8,
    },
    /// `step` is 0.
    #[error("item `{item}` 的 `step` 为 0：请设为 1 或更大")]
    ZeroStep {
        /// Item id.
        item: String,
    },
    /// The effective date is not a valid `YYYY-MM-DD` date.
    #[error("`effective` 为 `{value}`，不是有效的 YYYY-MM-DD 日期")]
    BadDate {
        /// The value as written.
        value: String,
    },
    /// Level codes are not `0, 1, 2, …` in order.
    #[error(
        "level 的 code 应按顺序为 0、1、2……，第 {position} 个 level 的 code 为 {code}：请按顺序编号"
    )]
    LevelOrder {
        /// 1-based position in the list.
        position: usize,
        /// The code found.
        code: u8,
    },
    /// Fewer than two levels.
    #[error("至少需要两个 level")]
    TooFewLevels,
    /// A reference to a level that does not exist.
    #[error("{context} 引用了不存在的 level {code}：可用的 level 为 0–{max}")]
    UnknownLevel {
        /// Where the reference is.
        context: String,
        /// The code referenced.
        code: u8,
        /// Highest defined code.
        max: u8,
    },
    /// A band has `min > max`.
    #[error("level {level} 的分数段 min {min} 大于 max {max}：请交换或改正")]
    BandReversed {
        /// Band level.
        level: u8,
        /// Min.
        min: u16,
        /// Max.
        max: u16,
    },
    /// The bands leave a total without a level.
    #[error("总分 {} 不在任何分数段内：分数段必须无间隙地覆盖 0–{max_total}", range_text(*.from, *.to))]
    BandGap {
        /// First uncovered total.
        from: u16,
        /// Last uncovered total.
        to: u16,
        /// Highest total.
        max_total: u16,
    },
    /// Two bands overlap.
    #[error("总分 {total} 同时属于 level {first} 和 level {second} 的分数段：分数段不能重叠")]
    BandOverlap {
        /// A total in both bands.
        total: u16,
        /// One level.
        first: u8,
        /// The other.
        second: u8,
    },
    /// A band reaches beyond the highest total.
    #[error("level {level} 的分数段上限 {max} 超过最高总分 {max_total}：请改为不超过 {max_total}")]
    BandBeyondMax {
        /// Band level.
        level: u8,
        /// Its max.
        max: u16,
        /// Highest total.
        max_total: u16,
    },
    /// A higher total would give a worse level.
    #[error(
        "总分 {higher} 得到 level {worse}，而更低的总分 {lower} 得到更好的 level {better}：总分越高，等级不能越差"
    )]
    BandsNotMonotone {
        /// The higher total.
        higher: u16,
        /// Its (worse) level.
        worse: u8,
        /// The lower total.
        lower: u16,
        /// Its (better) level.
        better: u8,
    },
    /// A condition names an item that does not exist.
    #[error("{context} 引用了不存在的 item `{item}`：请使用 domains 中定义的 item id")]
    UnknownItem {
        /// Where the reference is.
        context: String,
        /// The id referenced.
        item: String,
    },
    /// A condition names a fact that does not exist.
    #[error("{context} 引用了不存在的 fact `{fact}`：请先在 facts 中定义它")]
    UnknownFact {
        /// Where the reference is.
        context: String,
        /// The id referenced.
        fact: String,
    },
    /// A condition uses a fact of the wrong kind.
    #[error("{context} 中 `{fact}` 的类型不符：{expected}")]
    FactKindMismatch {
        /// Where the reference is.
        context: String,
        /// The fact id.
        fact: String,
        /// What the condition needs.
        expected: &'static str,
    },
    /// A condition compares an item with a score outside its range.
    #[error(
        "{context} 将 item `{item}` 与 {score} 分比较，但该 item 的分值为 {allowed}：请改用有效分值"
    )]
    ScoreOutOfRange {
        /// Where the reference is.
        context: String,
        /// Item id.
        item: String,
        /// The score written.
        score: u8,
        /// Allowed scores in words.
        allowed: String,
    },
    /// A counted fact with no parts or a zero maximum.
    #[error("fact `{fact}` 的计数至少需要一个 part，且 max 至少为 1")]
    EmptyCounts {
        /// The fact id.
        fact: String,
    },
    /// A check code is not `W` followed by three digits.
    #[error("check code `{code}` 格式不对：应为 W 加三位数字，如 W001")]
    BadCheckCode {
        /// The code.
        code: String,
    },
    /// A rationale spans more than one line.
    #[error("check `{code}` 的 rationale 应为一行")]
    MultiLineRationale {
        /// The check code.
        code: String,
    },
    /// A rule sets a level beyond `worst_level`.
    #[error("rule `{rule}` 设为 level {code}，超过 worst_level {worst}")]
    SetBeyondWorst {
        /// Rule id.
        rule: String,
        /// Level set.
        code: u8,
        /// Worst level allowed.
        worst: u8,
    },
}

fn range_text(from: u16, to: u16) -> String {
    if from == to { from.to_string() } else { format!("{from}–{to}") }
}
