//! TEMPORARY stub (the session branch brings the real module): the assessor slots a
//! report names in its catalog, `/ElderAssess /Slots`.

use lopdf::{Document, Object};

/// One signature slot of a report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slot {
    /// The signature field, e.g. `评估员1`.
    pub field: String,
    /// The name printed in the slot.
    pub name: String,
    /// The bound account's login.
    pub account: Option<String>,
}

/// The slots of `doc`, in order.
pub fn read_slots(doc: &Document) -> Vec<Slot> {
    let text = |d: &lopdf::Dictionary, k: &[u8]| {
        d.get(k).ok().and_then(|o| lopdf::decode_text_string(o).ok())
    };
    doc.catalog()
        .ok()
        .and_then(|c| c.get(b"ElderAssess").ok())
        .and_then(|o| doc.dereference(o).ok())
        .and_then(|(_, o)| o.as_dict().ok())
        .and_then(|d| d.get(b"Slots").ok())
        .and_then(|o| o.as_array().ok())
        .into_iter()
        .flatten()
        .filter_map(|o| match o {
            Object::Dictionary(d) => Some(Slot {
                field: text(d, b"Field")?,
                name: text(d, b"Name")?,
                account: text(d, b"Account"),
            }),
            _ => None,
        })
        .collect()
}
