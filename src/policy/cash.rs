//! The monthly cash total of an elder's decisions, and the amounts it could not include:
//! eligible services whose amount the list states without a figure (特困 support at
//! 不低于当地城市最低生活保障标准的1.3倍, 省级指导标准, 当地规定标准) and paying services
//! that still need information. A total is never called complete while it leaves
//! something out.

use serde::Serialize;

use super::eval::{Decision, Status};

/// A paying service the total leaves out, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Excluded {
    /// 序号.
    pub no: u16,
    /// 服务项目.
    pub name: String,
    /// Why it is not in the total, in words.
    pub why: &'static str,
}

/// Why an eligible service's cash is not in the total.
pub const UNSTATED: &str = "清单未列明金额，按当地标准发放";

/// Why a paying service that needs information is not in the total.
pub const NEEDS_INFO: &str = "需补充信息后确定";

/// The monthly total and what it leaves out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CashTotal {
    /// Sum of the stated monthly amounts of the eligible services (minimums for 不低于).
    pub yuan: u32,
    /// The paying services not in the sum, in number order.
    pub excluded: Vec<Excluded>,
}

impl CashTotal {
    /// `每月现金合计 X 元` and, when something is left out, `（未计入：…）`.
    pub fn text(&self) -> String {
        if self.excluded.is_empty() {
            return format!("每月现金合计 {} 元", self.yuan);
        }
        let left: Vec<String> =
            self.excluded.iter().map(|e| format!("{}. {}（{}）", e.no, e.name, e.why)).collect();
        format!("每月现金合计至少 {} 元（未计入：{}）", self.yuan, left.join("；"))
    }
}

/// The total of `decisions` with the amounts it leaves out.
pub fn cash_total(decisions: &[Decision]) -> CashTotal {
    let excluded = decisions
        .iter()
        .filter_map(|d| {
            let why = match d.status {
                Status::Eligible if d.amount_unstated => UNSTATED,
                Status::NeedsInfo if d.pays_cash => NEEDS_INFO,
                _ => return None,
            };
            Some(Excluded { no: d.no, name: d.name.clone(), why })
        })
        .collect();
    CashTotal { yuan: monthly_cash_total(decisions), excluded }
}

/// Sum of the stated monthly amounts of the eligible services, with checked arithmetic (a
/// validated list cannot exceed `MAX_MONTHLY_TOTAL`, far below `u32::MAX`). What it
/// leaves out is in [`cash_total`].
pub fn monthly_cash_total(decisions: &[Decision]) -> u32 {
    // A validated list keeps the total far below `u32::MAX`; checked all the same.
    decisions
        .iter()
        .filter(|d| d.status == Status::Eligible)
        .filter_map(|d| d.amount_per_month)
        .try_fold(0u32, u32::checked_add)
        .unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decision(status: Status, amount: Option<u32>, unstated: bool) -> Decision {
        Decision {
            no: 1,
            name: "服务".to_owned(),
            status,
            amount_per_month: amount,
            amount_is_minimum: false,
            amount_unstated: unstated,
            pays_cash: amount.is_some() || unstated,
            reason: String::new(),
            missing: Vec::new(),
            kind: "",
            scope: "",
            department: String::new(),
            content: String::new(),
        }
    }

    #[test]
    fn the_monthly_total_cannot_overflow() {
        let eligible = |amount| decision(Status::Eligible, Some(amount), false);
        assert_eq!(monthly_cash_total(&[eligible(50), eligible(590)]), 640);
        assert_eq!(monthly_cash_total(&[eligible(u32::MAX), eligible(1)]), u32::MAX);
    }

    #[test]
    fn the_total_names_what_it_leaves_out() {
        let total = cash_total(&[
            decision(Status::Eligible, Some(50), false),
            decision(Status::Eligible, None, true),
        ]);
        assert_eq!(total.yuan, 50);
        assert_eq!(total.excluded.len(), 1);
        assert_eq!(
            total.text(),
            "每月现金合计至少 50 元（未计入：1. 服务（清单未列明金额，按当地标准发放））"
        );
        let complete = cash_total(&[decision(Status::Eligible, Some(50), false)]);
        assert_eq!(complete.text(), "每月现金合计 50 元");
    }
}
