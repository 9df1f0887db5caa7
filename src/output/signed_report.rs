//! Report export: render the report, write the slot binding (who must sign which field,
//! [`crate::sign::slots`]) into it, then let each assessor who has a key sign it, in
//! order, each in an incremental update whose appearance carries their handwriting. Once
//! accounts exist, a key signs a slot only if its certificate names the account bound to
//! that assessor ([`Signer::account`]); [`super::sign_next`] adds the next signature to a
//! report signed earlier.
//!
//! No file access and no clock: the caller passes the creation time (in
//! [`ReportOptions`]) and writes the bytes.

use crate::record::AssessmentRecord;
use crate::record::signature::Signature;
use crate::report::{self, RenderOptions, ReportError, ReportModel, ReportOptions};
use crate::scale::Scale;
use crate::sign::slots::{Slot, SlotPlace, add_slots_at};
use crate::sign::{
    FieldPlacement, SignError, SignatureRequest, Signer, add_signature_fields, sign_pdf,
};

/// A report to export.
pub struct ExportRequest<'a> {
    /// The finished assessment.
    pub record: &'a AssessmentRecord,
    /// Its scale.
    pub scale: &'a Scale,
    /// Agency, contact, re-assessment interval, creation time.
    pub options: &'a ReportOptions,
    /// Append the resident page.
    pub resident_page: bool,
    /// Assessor 1's and assessor 2's signing keys, if they sign. Assessor 2 signs only
    /// after assessor 1 (here or later, [`super::sign_next`]).
    pub signers: [Option<&'a Signer>; 2],
    /// The accounts bound to assessor 1 and 2 (`Store::assessor_accounts_of`) once the
    /// machine has accounts; `None` without accounts (e.g. a report from a JSON file),
    /// where a key signs for the assessor whose name it carries.
    pub accounts: Option<[Option<String>; 2]>,
}

/// An exported report.
#[derive(Debug, Clone)]
pub struct Exported {
    /// The PDF, signed as requested.
    pub bytes: Vec<u8>,
    /// Pages.
    pub pages: usize,
    /// How many cryptographic signatures it carries.
    pub signatures: usize,
    /// Characters the font lacks (printed blank).
    pub missing_glyphs: Vec<char>,
}

/// Why an export failed. Messages name roles and keys, never the elder.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The report could not be rendered.
    #[error(transparent)]
    Report(#[from] ReportError),
    /// A signature could not be made.
    #[error(transparent)]
    Sign(#[from] SignError),
    /// A key does not belong to the assessor it would sign for.
    #[error("密钥“{key}”不是{role}“{assessor}”的密钥：请选择{role}本人的密钥")]
    WrongSigner {
        /// `评估员1` / `评估员2`.
        role: &'static str,
        /// The key's name.
        key: String,
        /// The assessor's name in the record.
        assessor: String,
    },
    /// A key of another account than the one bound to the slot.
    #[error("{role}须由账号 {account} 本人签名，此密钥属于{signer}")]
    WrongAccount {
        /// `评估员1` / `评估员2`.
        role: String,
        /// The account bound to the slot.
        account: String,
        /// Whose key it is: `账号 <login>`, or `未绑定账号的练习密钥`.
        signer: String,
    },
    /// The slot has no bound account, so no account's key may sign it.
    #[error("{role}尚未绑定账号：请先在评估记录中由{role}本人登录确认")]
    SlotUnbound {
        /// `评估员1` / `评估员2`.
        role: String,
    },
    /// Assessor 2 would sign before assessor 1.
    #[error("评估员2须在评估员1签名之后签名")]
    OutOfOrder,
    /// The PDF carries no slot binding (not a report exported by this program).
    #[error("此 PDF 中没有签名人信息（不是本程序导出的评估报告），不能追加签名")]
    NoSlots,
    /// Every slot is signed already.
    #[error("报告的全部 {0} 个签名都已完成，不能再追加签名")]
    AllSigned(usize),
    /// The signer's slot comes later: the earlier one must be signed first.
    #[error("{role}（账号 {account}）尚未签名：请先由其签名")]
    NotYourTurn {
        /// The slot to sign first.
        role: String,
        /// Its account.
        account: String,
    },
}

/// Who a signer is, as errors name it (never the elder).
pub(crate) fn whose(signer: &Signer) -> String {
    signer.account().map_or_else(|| "未绑定账号的练习密钥".to_owned(), |a| format!("账号 {a}"))
}

/// What a slot is bound to.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Binding<'a> {
    /// The machine (or report) has no accounts: the key's name must be the printed name.
    NoAccounts,
    /// Accounts exist but none is bound to this slot.
    Unbound,
    /// This account.
    Account(&'a str),
}

/// Whether `signer` may sign slot `role` (printed name `name`): by account once the
/// report has accounts, else by name.
pub(crate) fn check_slot_signer(
    signer: &Signer,
    role: &str,
    name: &str,
    binding: Binding<'_>,
) -> Result<(), ExportError> {
    match binding {
        Binding::Account(account) if signer.account() == Some(account) => Ok(()),
        Binding::Account(account) => Err(ExportError::WrongAccount {
            role: role.to_owned(),
            account: account.to_owned(),
            signer: whose(signer),
        }),
        Binding::Unbound => Err(ExportError::SlotUnbound { role: role.to_owned() }),
        Binding::NoAccounts if signer.name().trim() == name.trim() => Ok(()),
        Binding::NoAccounts => Err(ExportError::WrongSigner {
            role: if role == FIELD_NAMES[0] { FIELD_NAMES[0] } else { FIELD_NAMES[1] },
            key: signer.name().to_owned(),
            assessor: name.trim().to_owned(),
        }),
    }
}

/// The one place a report's signature request is made: slot `index` (0: 评估员1, which
/// certifies the report; 1: 评估员2) at `place`, drawn with `strokes`.
pub(crate) fn slot_signature(
    pdf: &[u8],
    signer: &Signer,
    index: usize,
    place: SlotPlace,
    strokes: Vec<Vec<[u16; 2]>>,
    location: String,
    signing_time: chrono::DateTime<chrono::Utc>,
) -> Result<Vec<u8>, SignError> {
    let field = FIELD_NAMES.get(index).copied().unwrap_or(FIELD_NAMES[1]);
    let request = SignatureRequest {
        field_name: field.to_owned(),
        page_index: place.page,
        rect_pt: place.rect,
        strokes,
        signer_name: signer.name().to_owned(),
        reason: format!("老年人能力评估报告 {field} 签名"),
        location,
        signing_time,
        // Assessor 1's signature certifies the report (DocMDP P=2).
        certify: index == 0,
        extra_certificates: Vec::new(),
    };
    sign_pdf(pdf, signer, &request)
}

/// Signature field names, in signing order.
pub const FIELD_NAMES: [&str; 2] = ["评估员1", "评估员2"];

/// Renders the report, writes its slots and signs it.
pub fn export_report(request: &ExportRequest<'_>) -> Result<Exported, ExportError> {
    let record = request.record;
    let assessors: [&Signature; 2] = [&record.signatures.assessor1, &record.signatures.assessor2];
    if request.signers[0].is_none() && request.signers[1].is_some() {
        return Err(ExportError::OutOfOrder);
    }
    for (i, signer) in request.signers.iter().enumerate() {
        if let Some(signer) = signer {
            let binding = match &request.accounts {
                None => Binding::NoAccounts,
                Some(accounts) => accounts[i].as_deref().map_or(Binding::Unbound, Binding::Account),
            };
            check_slot_signer(signer, FIELD_NAMES[i], &assessors[i].name, binding)?;
        }
    }
    let model = ReportModel::new(record, request.scale, request.options)?;
    let render = RenderOptions {
        assessor_strokes_in_content: request.signers.map(|s| s.is_none()),
        resident_page: request.resident_page,
    };
    let rendered = report::report_pdf(&model, render)?;
    let slots: Vec<Slot> = (0..2)
        .map(|i| Slot {
            field: FIELD_NAMES[i].to_owned(),
            name: assessors[i].name.trim().to_owned(),
            account: request.accounts.as_ref().and_then(|a| a[i].clone()),
        })
        .collect();
    let places: Vec<SlotPlace> = rendered
        .signature_boxes
        .iter()
        .take(2)
        .map(|placed| SlotPlace { page: placed.page, rect: placed.rect })
        .collect();
    let with_slots = add_slots_at(&rendered.bytes, &slots, &places)?;
    // Both slots' signature fields exist before anyone signs: after assessor 1's
    // certification a validator accepts filling a field, not creating a visible one.
    let placements: Vec<FieldPlacement> = FIELD_NAMES
        .iter()
        .zip(&places)
        .map(|(name, place)| FieldPlacement {
            field_name: (*name).to_owned(),
            page_index: place.page,
            rect_pt: place.rect,
        })
        .collect();
    let mut bytes = add_signature_fields(&with_slots, &placements)?;
    let mut signatures = 0;
    let location = if model.place.is_empty() { model.agency.clone() } else { model.place.clone() };
    for (i, signer) in request.signers.iter().enumerate() {
        let Some(signer) = signer else { continue };
        let place = places[i];
        let strokes = assessors[i].strokes.clone();
        let time = request.options.created;
        bytes = slot_signature(&bytes, signer, i, place, strokes, location.clone(), time)?;
        signatures += 1;
    }
    Ok(Exported {
        bytes,
        pages: rendered.pages,
        signatures,
        missing_glyphs: rendered.missing_glyphs,
    })
}
