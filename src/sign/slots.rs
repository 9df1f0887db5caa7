//! The slot binding: which person must sign which signature field of a report.
//!
//! Before any signature, the unsigned report's catalog gets
//! `/ElderAssess << /Type /ElderAssessReport /Slots [ << /Field (评估员1) /Name … /Account … >> … ] >>`:
//! for each signature field, the name printed in that slot and the account (login) bound
//! to that assessor, omitted when the record has none (a report from a JSON file). Being
//! in the base revision, the binding is covered by every signature. A verifier reads it
//! back ([`read_slots`]) to check each signer against its slot, and `sign_next` reads it
//! to know which account may add the next signature.
//!
//! Each slot may also say where its signature box is (`/Page`, 0-based, and `/Rect`, in
//! PDF points), so that a signature can be added later without the record
//! ([`read_slot_places`]).

use lopdf::{Dictionary, Document, Object, decode_text_string, text_string};

use super::SignError;

/// One signature slot of a report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slot {
    /// The signature field, `评估员1` or `评估员2`.
    pub field: String,
    /// The name printed in that slot.
    pub name: String,
    /// The account bound to that assessor, if the record has one.
    pub account: Option<String>,
}

/// Where a slot's signature box is.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SlotPlace {
    /// The page, counted from 0.
    pub page: usize,
    /// `[x1, y1, x2, y2]` in PDF points, origin bottom left.
    pub rect: [f32; 4],
}

/// The catalog key of the binding.
const KEY: &[u8] = b"ElderAssess";

/// Writes `slots` into the catalog of the unsigned `pdf`. Refuses a PDF that already has
/// a signature ([`SignError::Unsupported`]): the binding belongs to the base revision.
pub fn add_slots(pdf: &[u8], slots: &[Slot]) -> Result<Vec<u8>, SignError> {
    add_slots_at(pdf, slots, &[])
}

/// [`add_slots`], with where each slot's signature box is (`places[i]` for `slots[i]`;
/// missing places are left out).
pub fn add_slots_at(
    pdf: &[u8],
    slots: &[Slot],
    places: &[SlotPlace],
) -> Result<Vec<u8>, SignError> {
    let mut doc = Document::load_mem(pdf).map_err(|err| SignError::NotPdf(err.to_string()))?;
    if doc.is_encrypted() {
        return Err(SignError::Unsupported("PDF 已加密".to_owned()));
    }
    if has_signature(&doc) {
        return Err(SignError::Unsupported("报告已有签名，不能再写入签名人信息".to_owned()));
    }
    let entries = slots
        .iter()
        .enumerate()
        .map(|(i, slot)| {
            let mut entry = Dictionary::new();
            entry.set("Field", text_string(&slot.field));
            entry.set("Name", text_string(&slot.name));
            if let Some(account) = &slot.account {
                entry.set("Account", text_string(account));
            }
            if let Some(place) = places.get(i) {
                entry.set("Page", i64::try_from(place.page).unwrap_or(i64::MAX));
                entry.set("Rect", Object::Array(place.rect.iter().map(|&v| v.into()).collect()));
            }
            Object::Dictionary(entry)
        })
        .collect();
    let mut binding = Dictionary::new();
    binding.set("Type", Object::Name(b"ElderAssessReport".to_vec()));
    binding.set("Slots", Object::Array(entries));
    doc.catalog_mut()
        .map_err(|_| SignError::NotPdf("缺少文档目录（/Root）".to_owned()))?
        .set(KEY, Object::Dictionary(binding));
    let mut out = Vec::with_capacity(pdf.len() + 512);
    doc.save_to(&mut out).map_err(|err| SignError::Crypto(err.to_string()))?;
    Ok(out)
}

/// The slots written by [`add_slots`], in order; empty when the document has none.
/// Entries without a readable `/Field` are skipped.
pub fn read_slots(doc: &Document) -> Vec<Slot> {
    slot_dicts(doc)
        .into_iter()
        .filter_map(|entry| {
            let text = |key: &[u8]| entry.get(key).ok().and_then(|o| decode_text_string(o).ok());
            Some(Slot {
                field: text(b"Field")?,
                name: text(b"Name").unwrap_or_default(),
                account: text(b"Account"),
            })
        })
        .collect()
}

/// Where each slot of [`read_slots`] has its box, if written ([`add_slots_at`]).
pub fn read_slot_places(doc: &Document) -> Vec<Option<SlotPlace>> {
    slot_dicts(doc)
        .into_iter()
        .filter(|entry| entry.get(b"Field").ok().and_then(|o| decode_text_string(o).ok()).is_some())
        .map(|entry| {
            let page = usize::try_from(entry.get(b"Page").ok()?.as_i64().ok()?).ok()?;
            let rect = entry.get(b"Rect").ok()?.as_array().ok()?;
            let mut out = [0.0_f32; 4];
            if rect.len() != 4 {
                return None;
            }
            for (slot, value) in out.iter_mut().zip(rect) {
                *slot = value.as_float().ok()?;
            }
            Some(SlotPlace { page, rect: out })
        })
        .collect()
}

/// The `/Slots` entries of the catalog's binding.
fn slot_dicts(doc: &Document) -> Vec<&Dictionary> {
    let Ok(catalog) = doc.catalog() else { return Vec::new() };
    let Some(binding) = catalog.get(KEY).ok().and_then(|o| resolve(doc, o).as_dict().ok()) else {
        return Vec::new();
    };
    let Some(slots) = binding.get(b"Slots").ok().and_then(|o| resolve(doc, o).as_array().ok())
    else {
        return Vec::new();
    };
    slots.iter().filter_map(|o| resolve(doc, o).as_dict().ok()).collect()
}

fn resolve<'a>(doc: &'a Document, object: &'a Object) -> &'a Object {
    match object {
        Object::Reference(id) => doc.get_object(*id).unwrap_or(object),
        _ => object,
    }
}

/// What a signed report says about its slots, for adding the next signature.
#[derive(Debug, Clone, PartialEq)]
pub struct SlotState {
    /// The slots, in order.
    pub slots: Vec<Slot>,
    /// Where each slot's box is, if written.
    pub places: Vec<Option<SlotPlace>>,
    /// The signature fields that carry a signature, sorted.
    pub signed: Vec<String>,
    /// The first signature's `/Location` (empty if none).
    pub location: String,
}

/// Reads [`SlotState`] from `pdf`.
pub fn slot_state(pdf: &[u8]) -> Result<SlotState, SignError> {
    let doc = Document::load_mem(pdf).map_err(|err| SignError::NotPdf(err.to_string()))?;
    Ok(SlotState {
        slots: read_slots(&doc),
        places: read_slot_places(&doc),
        signed: signed_fields(&doc),
        location: first_location(&doc),
    })
}

/// The names of the signature fields that carry a signature (`/FT /Sig` with `/V`).
pub fn signed_fields(doc: &Document) -> Vec<String> {
    let mut names: Vec<String> = doc
        .objects
        .values()
        .filter_map(|object| object.as_dict().ok())
        .filter(|dict| dict.get(b"FT").and_then(Object::as_name).is_ok_and(|n| n == b"Sig"))
        .filter(|dict| dict.get(b"V").is_ok())
        .filter_map(|dict| dict.get(b"T").ok().and_then(|t| decode_text_string(t).ok()))
        .collect();
    names.sort();
    names.dedup();
    names
}

/// The `/Location` of the first signature dictionary that has one (empty if none).
pub fn first_location(doc: &Document) -> String {
    doc.objects
        .values()
        .filter_map(|object| object.as_dict().ok())
        .filter(|dict| dict.get(b"Type").and_then(Object::as_name).is_ok_and(|n| n == b"Sig"))
        .find_map(|dict| dict.get(b"Location").ok().and_then(|t| decode_text_string(t).ok()))
        .unwrap_or_default()
}

/// Whether any object is a signature dictionary or a signature field.
pub(crate) fn has_signature(doc: &Document) -> bool {
    doc.objects.values().any(|object| {
        let dict = match object {
            Object::Dictionary(dict) => dict,
            Object::Stream(stream) => &stream.dict,
            _ => return false,
        };
        let is = |key: &[u8], name: &[u8]| {
            dict.get(key).and_then(Object::as_name).is_ok_and(|n| n == name)
        };
        is(b"FT", b"Sig") || is(b"Type", b"Sig")
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use lopdf::dictionary;

    fn sample() -> Vec<u8> {
        let mut doc = Document::with_version("1.7");
        let tree = doc.new_object_id();
        let leaf = doc.add_object(dictionary! {
            "Type" => "Page",
            "Parent" => tree,
            "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
        });
        doc.objects.insert(
            tree,
            Object::Dictionary(dictionary! {
                "Type" => "Pages", "Kids" => vec![leaf.into()], "Count" => 1,
            }),
        );
        let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => tree });
        doc.trailer.set("Root", catalog);
        let mut out = Vec::new();
        doc.save_to(&mut out).unwrap();
        out
    }

    fn slots() -> Vec<Slot> {
        vec![
            Slot {
                field: "评估员1".into(),
                name: "李明（示例）".into(),
                account: Some("liming".into()),
            },
            Slot { field: "评估员2".into(), name: "杨芳".into(), account: None },
        ]
    }

    #[test]
    fn slots_round_trip_with_names_accounts_and_places() {
        let place = SlotPlace { page: 1, rect: [60.0, 80.0, 220.0, 120.0] };
        let pdf = add_slots_at(&sample(), &slots(), &[place]).unwrap();
        let doc = Document::load_mem(&pdf).unwrap();
        assert_eq!(read_slots(&doc), slots());
        assert_eq!(read_slot_places(&doc), vec![Some(place), None]);
        let plain = Document::load_mem(&add_slots(&sample(), &slots()).unwrap()).unwrap();
        assert_eq!(read_slots(&plain), slots());
        assert_eq!(read_slot_places(&plain), vec![None, None]);
        assert!(read_slots(&Document::load_mem(&sample()).unwrap()).is_empty());
    }

    #[test]
    fn a_pdf_with_a_signature_is_refused() {
        let mut doc = Document::load_mem(&sample()).unwrap();
        doc.add_object(dictionary! { "Type" => "Sig", "Filter" => "Adobe.PPKLite" });
        let mut signed = Vec::new();
        doc.save_to(&mut signed).unwrap();
        let error = add_slots(&signed, &slots()).unwrap_err();
        assert!(matches!(error, SignError::Unsupported(_)), "{error:?}");
        assert!(matches!(add_slots(b"not a pdf", &slots()), Err(SignError::NotPdf(_))));
    }
}
