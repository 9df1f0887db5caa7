//! Adding the next signature to a report signed earlier: 评估员2 signs after 评估员1, on
//! the same machine or later on their own.
//!
//! The report says who must sign which field (the slot binding written before the first
//! signature, [`crate::sign::slots`]) and where each box is, so no record is needed: the
//! next unsigned slot is found, the signer's account is checked against it, and the
//! signature is appended as an incremental update (the earlier signatures stay valid).
//! No file access and no clock: the caller passes the time and writes the bytes.

use chrono::{DateTime, Utc};

use super::signed_report::{Binding, ExportError, FIELD_NAMES, check_slot_signer, slot_signature};
use crate::sign::Signer;
use crate::sign::slots::{SlotState, slot_state};

/// A report with one more signature.
#[derive(Debug, Clone)]
pub struct NextSigned {
    /// The PDF with the new signature.
    pub bytes: Vec<u8>,
    /// The field signed now, `评估员1` or `评估员2`.
    pub field: String,
    /// How many signatures it carries now.
    pub signatures: usize,
}

/// Signs the next unsigned slot of `pdf` with `signer`, drawn with `strokes` (empty: the
/// handwriting is already printed in the page, as for a slot not signed at export).
///
/// Refused: a PDF without slots ([`ExportError::NoSlots`]), a report whose slots are all
/// signed ([`ExportError::AllSigned`]), a signer whose slot comes after an unsigned one
/// ([`ExportError::NotYourTurn`]), and a signer who is not the next slot's account
/// ([`ExportError::WrongAccount`]; by name for a report without accounts).
pub fn sign_next(
    pdf: &[u8],
    signer: &Signer,
    strokes: Vec<Vec<[u16; 2]>>,
    now: DateTime<Utc>,
) -> Result<NextSigned, ExportError> {
    let SlotState { slots, places, signed: done, location } = slot_state(pdf)?;
    if slots.is_empty() {
        return Err(ExportError::NoSlots);
    }
    let Some(index) = slots.iter().position(|slot| !done.contains(&slot.field)) else {
        return Err(ExportError::AllSigned(done.len()));
    };
    let next = &slots[index];
    let has_accounts = slots.iter().any(|slot| slot.account.is_some());
    // The signer's own slot comes later: the earlier one is signed first.
    let later = slots[index + 1..]
        .iter()
        .any(|slot| slot.account.is_some() && slot.account.as_deref() == signer.account());
    if later {
        return Err(ExportError::NotYourTurn {
            role: next.field.clone(),
            account: next.account.clone().unwrap_or_default(),
        });
    }
    let binding = match (&next.account, has_accounts) {
        (Some(account), _) => Binding::Account(account),
        (None, true) => Binding::Unbound,
        (None, false) => Binding::NoAccounts,
    };
    check_slot_signer(signer, &next.field, &next.name, binding)?;
    let field_index =
        FIELD_NAMES.iter().position(|f| *f == next.field).ok_or(ExportError::NoSlots)?;
    let place = places.get(index).copied().flatten().ok_or(ExportError::NoSlots)?;
    let bytes = slot_signature(pdf, signer, field_index, place, strokes, location, now)?;
    Ok(NextSigned { bytes, field: next.field.clone(), signatures: done.len() + 1 })
}
