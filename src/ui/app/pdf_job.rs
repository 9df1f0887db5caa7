//! The PDF export's job: unlock the keys the session does not hold yet (each account's own
//! key, or a practice key without accounts), render the report, write its slots and sign
//! it. Runs on the `pdf-export` thread; the keys it unlocked go back to the frame for the
//! session's cache (`super::session_keys`).

use std::path::PathBuf;
use std::sync::Arc;

use crate::record::AssessmentRecord;
use crate::scale::Scale;
use crate::sign::Signer;

use super::super::dialogs::export_pdf::{ExportOrder, SignChoice};
use super::super::jobs::CancelFlag;

/// The message of a preparation stopped because its window closed (never shown).
pub(super) const CANCELLED: &str = "已取消";

/// A rendered and signed report, not written yet.
pub(super) struct PreparedPdf {
    pub(super) record_id: i64,
    pub(super) path: PathBuf,
    pub(super) bytes: Vec<u8>,
    pub(super) pages: usize,
    pub(super) signatures: usize,
    /// The account keys unlocked for this export, for the session's cache.
    pub(super) unlocked: Vec<Arc<Signer>>,
}

/// What the PDF job is given.
pub(super) struct PdfInput {
    pub(super) dir: PathBuf,
    pub(super) scale: Scale,
    pub(super) record: AssessmentRecord,
    pub(super) record_id: i64,
    pub(super) order: ExportOrder,
    pub(super) now: chrono::DateTime<chrono::Utc>,
    /// The accounts bound to the slots, once the machine has accounts.
    pub(super) accounts: Option<[Option<String>; 2]>,
    /// The session's unlocked keys for the slots' accounts.
    pub(super) cached: [Option<Arc<Signer>>; 2],
}

/// A key for one export: unlocked now (`true`), or the session's.
type Held = (Arc<Signer>, bool);

/// Unlocks the keys the session does not hold, renders the report and signs it (on the
/// PDF job).
pub(super) fn prepare_pdf(input: &PdfInput, cancel: &CancelFlag) -> Result<PreparedPdf, String> {
    let mut held: [Option<Held>; 2] = [None, None];
    for (i, choice) in input.order.signers.iter().enumerate() {
        if cancel.is_cancelled() {
            return Err(CANCELLED.to_owned());
        }
        let role = i + 1;
        held[i] = match (choice, &input.cached[i]) {
            (SignChoice::None, _) => None,
            (SignChoice::Key { name, passphrase }, _) => Some((
                Arc::new(
                    crate::sign::load_signer(&input.dir, name, passphrase)
                        .map_err(|err| format!("评估员{role}：{err}"))?,
                ),
                true,
            )),
            (SignChoice::Account { .. }, Some(signer)) => Some((Arc::clone(signer), false)),
            (SignChoice::Account { login, passphrase, .. }, None) => Some((
                Arc::new(
                    crate::sign::load_account_signer(&input.dir, login, passphrase)
                        .map_err(|err| format!("评估员{role}（账号 {login}）：{err}"))?,
                ),
                true,
            )),
        };
    }
    if cancel.is_cancelled() {
        return Err(CANCELLED.to_owned());
    }
    let options = crate::report::ReportOptions::new(input.now);
    let [first, second] = &held;
    let request = crate::output::signed_report::ExportRequest {
        record: &input.record,
        scale: &input.scale,
        options: &options,
        resident_page: true,
        signers: [first.as_ref().map(|h| &*h.0), second.as_ref().map(|h| &*h.0)],
        accounts: input.accounts.clone(),
    };
    let exported =
        crate::output::signed_report::export_report(&request).map_err(|err| err.to_string())?;
    let unlocked = held
        .into_iter()
        .filter_map(|held| match held {
            Some((signer, true)) if signer.account().is_some() => Some(signer),
            _ => None,
        })
        .collect();
    Ok(PreparedPdf {
        record_id: input.record_id,
        path: input.order.path.clone(),
        bytes: exported.bytes,
        pages: exported.pages,
        signatures: exported.signatures,
        unlocked,
    })
}
