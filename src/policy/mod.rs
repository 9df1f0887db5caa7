//! Entitlements: a county's basic elderly-care service list as data, evaluated for one
//! elder.
//!
//! - [`raw`]: the file format (`assets/policies/*.ron`), validated into a [`Policy`].
//! - [`County`]: the county's name, townships and re-assessment interval, from the same
//!   file; [`Readings`]: its readings of what the plan leaves open (失能 levels, 高龄,
//!   重残, 经济困难, the priority's age, preferred groups and order), also from the file.
//! - [`CountyFacts`] (defined with the record): the county facts (户籍, 特困, 低保, …) — an
//!   extension of the assessment, outside GB/T 42195.
//! - [`evaluate`]: one [`Decision`] per service: eligible, not eligible, or needs
//!   information (naming what to record), with the reason and the monthly amount.
//! - [`json`]: the `elder-assess entitlements` contract.
//! - [`priority`]: the order of admission to public institutions (plan section 三（七）).
//!
//! Pure: no GUI, database or PDF code, no clock (the reference date is passed in).

mod atoms;
mod cash;
mod county;
mod error;
mod eval;
pub mod json;
mod priority;
pub mod raw;
mod readings;
mod validate;

use std::path::Path;

pub use crate::record::county::{CountyFacts, FamilyPlanning, Pension, Tekun, YoufuGroup};
pub use cash::{CashTotal, Excluded, cash_total, monthly_cash_total};
pub use county::{County, MAX_REASSESSMENT_MONTHS, MIN_REASSESSMENT_MONTHS};
pub use error::{EntitlementInputError, PolicyError, PolicyProblem};
pub use eval::{Decision, Status, Subject, evaluate};
pub use priority::{Priority, Standing, admission_order, order_rule_text, priority};
pub use raw::{Amount, Condition, Kind, Scope};
pub use readings::{Hardship, OrderKey, Readings};

/// The id of the list used when none is named.
pub const DEFAULT_POLICY_ID: &str = "gengma-2023";

/// Service lists compiled into the binary: (file name, contents).
const BUNDLED: &[(&str, &str)] =
    &[("assets/policies/gengma-2023.ron", include_str!("../../assets/policies/gengma-2023.ron"))];

/// A validated service list.
#[derive(Debug, Clone)]
pub struct Policy {
    /// Identifier.
    pub id: String,
    /// Title.
    pub name: String,
    /// Source document.
    pub source: String,
    /// Date of the document.
    pub effective: String,
    county: County,
    readings: Readings,
    services: Vec<Service>,
}

impl Policy {
    /// The county: its name, townships and re-assessment interval.
    pub fn county(&self) -> &County {
        &self.county
    }

    /// The county's readings of what the plan leaves open.
    pub fn readings(&self) -> &Readings {
        &self.readings
    }

    /// The services, in number order.
    pub fn services(&self) -> &[Service] {
        &self.services
    }
}

/// One service of the list.
#[derive(Debug, Clone)]
pub struct Service {
    /// 序号.
    pub no: u16,
    /// 服务项目.
    pub name: String,
    /// 服务类型.
    pub kind: Kind,
    /// 普惠 or 保障.
    pub scope: Scope,
    /// 牵头责任部门.
    pub department: String,
    /// Content–target pairs with their conditions.
    pub tiers: Vec<Tier>,
}

/// A content–target pair.
#[derive(Debug, Clone)]
pub struct Tier {
    /// 服务内容及标准.
    pub content: String,
    /// 服务对象.
    pub target: String,
    /// When an elder belongs to the target.
    pub when: Condition,
    /// Monthly cash amount, if any.
    pub amount: Option<Amount>,
}

/// File names of the bundled lists.
pub fn bundled_files() -> impl Iterator<Item = &'static str> {
    BUNDLED.iter().map(|(file, _)| *file)
}

/// Loads every bundled list.
pub fn load_bundled() -> Result<Vec<Policy>, PolicyError> {
    BUNDLED.iter().map(|(file, source)| from_ron_str(source, file)).collect()
}

/// The bundled list with this id.
pub fn bundled(id: &str) -> Result<Option<Policy>, PolicyError> {
    Ok(load_bundled()?.into_iter().find(|p| p.id == id))
}

/// Reads and validates a list from disk (a county's own file).
pub fn load_file(path: &Path) -> Result<Policy, PolicyError> {
    Ok(crate::datafile::ron_text::load_file(path, validate::validate)?)
}

/// Parses and validates list source text; `file` names it in errors.
pub fn from_ron_str(source: &str, file: &str) -> Result<Policy, PolicyError> {
    Ok(crate::datafile::ron_text::load(source, file, validate::validate)?)
}
