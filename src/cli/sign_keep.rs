//! `sign REPORT.pdf` keeping the report it completes, as `report NUMBER --sign
//! --cosign-as` and the app's export do: once both signatures are on, the PDF becomes the
//! signed report a record's sync envelope carries (the store's `reports`), but only when
//! it is that record's report and holds: both signatures valid through the county trust
//! installed here, the number its document information names is a record of this data
//! directory, its two signers are that record's two confirmed assessor accounts, it was
//! rendered after the record's content last changed, and no newer report of the record
//! is kept already (never replaced silently: the reason is printed instead).

use std::path::Path;

use chrono::{DateTime, Utc};

use crate::sign::report_info::report_info;
use crate::sign::trust::TrustStore;
use crate::sign::verdict::{Anchors, verify_report};
use crate::store::Store;

use super::error::CliError;

/// Whether a completed report was kept for its record.
pub(super) enum Kept {
    /// Kept for the record with this number.
    Stored(String),
    /// Not kept, and why (no personal data).
    NotKept(String),
}

/// Keeps `pdf`, a report whose slots are all signed, for its record in `store` if it is
/// that record's sound and newest report.
pub(super) fn keep_completed_report(
    store: &Store,
    dir: &Path,
    pdf: &[u8],
    now: DateTime<Utc>,
) -> Result<Kept, CliError> {
    let not = |reason: String| Ok(Kept::NotKept(reason));
    let Ok(trust) = TrustStore::load(dir) else {
        return not("本机的县级证书无法读取".to_owned());
    };
    let anchors = Anchors { roots: &trust.roots, crls: &trust.crls };
    let Ok(verdict) = verify_report(pdf, anchors) else {
        return not("报告无法读取".to_owned());
    };
    if !verdict.is_valid() {
        return not(format!("签名未通过验证（{}）", verdict.first_problem()));
    }
    let Ok(info) = report_info(pdf) else {
        return not("报告无法读取".to_owned());
    };
    let Some(number) = info.number else {
        return not("报告没有写明评估编号".to_owned());
    };
    let Some(id) = store.find_by_number(&number).map_err(CliError::RecordReport)? else {
        return not(format!("本机没有评估 {number}"));
    };
    let bound = store.assessor_accounts_of(id).map_err(CliError::RecordReport)?;
    let signers: Vec<Option<&str>> =
        verdict.signatures.iter().map(|s| s.account.as_deref()).collect();
    let expected: Vec<Option<&str>> = bound.iter().map(Option::as_deref).collect();
    if expected.contains(&None) || signers != expected {
        return not(format!("两个签名不是评估 {number} 确认的两名评估员账号所签"));
    }
    let first_signed = verdict.signatures.first().and_then(|s| s.check.signed_at);
    let Some(created) = info.created.or(first_signed) else {
        return not("报告没有生成时间".to_owned());
    };
    let changed = store.content_changed_at(id).map_err(CliError::RecordReport)?;
    if changed.is_some_and(|changed| changed.timestamp() > created.timestamp()) {
        return not(format!("评估 {number} 在报告生成后又有修改，请重新生成并签名报告"));
    }
    if let Some(kept) = store.report_pdf(id).map_err(CliError::RecordReport)? {
        let kept_created = report_info(&kept).ok().and_then(|info| info.created);
        if kept_created.is_some_and(|kept| kept.timestamp() > created.timestamp()) {
            return not(format!("本机已保存评估 {number} 更新的签名报告，未覆盖"));
        }
    }
    store.store_report(id, pdf, now).map_err(CliError::RecordReport)?;
    Ok(Kept::Stored(number))
}
