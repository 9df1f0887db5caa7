//! The form and catalog side of a signature update: the signature field in
//! `/AcroForm /Fields` and the page's `/Annots`, its field lock (FieldMDP), the
//! certification entries (DocMDP), and the catalog's PAdES extension declaration.
//!
//! What each signature writes, as pyHanko 0.38 writes it (`sign/signers/cms_embedder.py`):
//!
//! - the field: `/Lock << /Type /SigFieldLock /Action /Include /Fields [(own name)] >>`;
//! - the signature dictionary: `/Reference [ … << /Type /SigRef /TransformMethod /FieldMDP
//!   /Data <catalog> /TransformParams << /Type /TransformParams /Action /Include /Fields
//!   [(own name)] /V /1.2 >> >> ]`, preceded for a certifying signature by the DocMDP
//!   reference `<< /Type /SigRef /TransformMethod /DocMDP /TransformParams << /Type
//!   /TransformParams /P 2 /V /1.2 >> >>`;
//! - the catalog: `/Perms << /DocMDP <signature dictionary> >>` when certifying, and (once,
//!   when missing) `/Version /1.7` and `/Extensions << /ESIC << /Type /DeveloperExtensions
//!   /BaseVersion /1.7 /ExtensionLevel 1 >> >>`, the ETSI extension that declares PAdES
//!   structures in a PDF 1.7 file (pyHanko's `_ensure_esic_ext`). pyHanko's difference
//!   analysis accepts all of these as part of signing.

use lopdf::{Dictionary, Document, IncrementalDocument, Object, ObjectId};

use super::SignError;

/// The DocMDP permission of a certifying signature: form filling and signing allowed.
pub const DOCMDP_PERMISSION: i64 = 2;

fn name(text: &str) -> Object {
    Object::Name(text.as_bytes().to_vec())
}

/// The signature's objects that fill a field.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Filled {
    /// The signature dictionary (`/V`).
    pub signature: ObjectId,
    /// The normal appearance (`/AP /N`).
    pub appearance: ObjectId,
}

/// A merged signature field and widget, locking itself once signed; `/V` and `/AP`
/// when `filled`. Flags Print + Locked.
pub(crate) fn widget(
    field: &str,
    page_id: ObjectId,
    rect: [f32; 4],
    filled: Option<Filled>,
) -> Dictionary {
    let mut widget = Dictionary::from_iter([
        ("Type", name("Annot")),
        ("Subtype", name("Widget")),
        ("FT", name("Sig")),
        ("T", lopdf::text_string(field)),
        ("P", Object::Reference(page_id)),
        ("F", Object::Integer(132)),
        ("Rect", Object::Array(rect.iter().map(|&v| v.into()).collect())),
        ("Lock", Object::Dictionary(field_lock(field))),
    ]);
    if let Some(filled) = filled {
        set_value(&mut widget, filled);
    }
    widget
}

fn set_value(widget: &mut Dictionary, filled: Filled) {
    widget.set("V", Object::Reference(filled.signature));
    widget.set("AP", Dictionary::from_iter([("N", Object::Reference(filled.appearance))]));
}

/// An empty signature field made by `add_signature_fields`: a root-level merged field
/// and widget without `/V`, on a page, with a usable rectangle.
#[derive(Debug, Clone, Copy)]
pub(crate) struct EmptyField {
    pub id: ObjectId,
    pub page_id: ObjectId,
    pub rect: [f32; 4],
}

/// The empty signature field named `field`; `None` when there is no field of that name;
/// [`SignError::BadField`] when the name is taken by a signed field, another kind of
/// field, or a field this signer cannot fill in place.
pub(crate) fn empty_signature_field(
    doc: &Document,
    field: &str,
) -> Result<Option<EmptyField>, SignError> {
    if !super::verify::field_names(doc).iter().any(|f| f == field) {
        return Ok(None);
    }
    let taken =
        || SignError::BadField { field: field.to_owned(), reason: "文档中已有同名的域" };
    let top_level = acroform(doc)
        .and_then(|a| a.get(b"Fields").ok())
        .and_then(|f| doc.dereference(f).ok())
        .and_then(|(_, f)| f.as_array().ok())
        .into_iter()
        .flatten()
        .filter_map(|f| f.as_reference().ok());
    for id in top_level {
        let Ok(dict) = doc.get_dictionary(id) else { continue };
        if dict.get(b"T").ok().and_then(|t| lopdf::decode_text_string(t).ok()).as_deref()
            != Some(field)
        {
            continue;
        }
        let is_sig = dict.get(b"FT").and_then(Object::as_name).is_ok_and(|t| t == b"Sig");
        let page_id = dict.get(b"P").and_then(Object::as_reference).ok();
        let rect: Option<Vec<f32>> = dict
            .get(b"Rect")
            .and_then(Object::as_array)
            .ok()
            .and_then(|r| r.iter().map(|v| v.as_float().ok()).collect());
        let rect = rect.and_then(|r| <[f32; 4]>::try_from(r).ok());
        let usable = rect.is_some_and(|[x1, y1, x2, y2]| x2 - x1 > 1.0 && y2 - y1 > 1.0);
        return match (is_sig && !dict.has(b"V") && !dict.has(b"Kids") && usable, page_id, rect) {
            (true, Some(page_id), Some(rect)) => Ok(Some(EmptyField { id, page_id, rect })),
            _ => Err(taken()),
        };
    }
    Err(taken())
}

/// Fills an empty signature field in place (`/V`, `/AP`), setting the form's
/// `/SigFlags` if they are not set yet.
pub(crate) fn fill_field(
    inc: &mut IncrementalDocument,
    root_id: ObjectId,
    field_id: ObjectId,
    filled: Filled,
) -> Result<(), SignError> {
    let broken = || SignError::Unsupported("签名域结构无效".to_owned());
    inc.opt_clone_object_to_new_document(field_id).map_err(|_| broken())?;
    set_value(inc.new_document.get_dictionary_mut(field_id).map_err(|_| broken())?, filled);
    let prev = inc.get_prev_documents();
    let flags = acroform(prev)
        .and_then(|a| a.get(b"SigFlags").ok())
        .and_then(|f| f.as_i64().ok())
        .unwrap_or(0);
    if flags & 3 != 3 {
        add_field(inc, root_id, None)?;
    }
    Ok(())
}

/// The document's interactive form dictionary (direct or referenced), if any.
pub(crate) fn acroform(doc: &Document) -> Option<&Dictionary> {
    let acroform = doc.catalog().ok()?.get(b"AcroForm").ok()?;
    doc.dereference(acroform).ok()?.1.as_dict().ok()
}

/// Whether the document already carries a signature (a signature dictionary with a byte
/// range, or a certification entry in the catalog).
pub(crate) fn has_signature(doc: &Document) -> bool {
    let certified = doc
        .catalog()
        .ok()
        .and_then(|c| c.get(b"Perms").ok())
        .and_then(|p| doc.dereference(p).ok())
        .and_then(|(_, p)| p.as_dict().ok())
        .is_some_and(|p| p.has(b"DocMDP"));
    certified
        || doc.objects.values().any(|object| {
            matches!(object, Object::Dictionary(dict) if dict.has_type(b"Sig") && dict.has(b"ByteRange"))
        })
}

/// The field lock of a signature field that locks itself once signed.
pub(crate) fn field_lock(field: &str) -> Dictionary {
    Dictionary::from_iter([
        ("Type", name("SigFieldLock")),
        ("Action", name("Include")),
        ("Fields", Object::Array(vec![lopdf::text_string(field)])),
    ])
}

/// The signature dictionary's `/Reference` array: DocMDP P=2 when `certify`, then the
/// FieldMDP entry matching [`field_lock`].
pub(crate) fn references(certify: bool, field: &str, root_id: ObjectId) -> Object {
    let mut references = Vec::new();
    if certify {
        references.push(Object::Dictionary(Dictionary::from_iter([
            ("Type", name("SigRef")),
            ("TransformMethod", name("DocMDP")),
            (
                "TransformParams",
                Object::Dictionary(Dictionary::from_iter([
                    ("Type", name("TransformParams")),
                    ("P", Object::Integer(DOCMDP_PERMISSION)),
                    ("V", name("1.2")),
                ])),
            ),
        ])));
    }
    let mut params = field_lock(field);
    params.set("Type", name("TransformParams"));
    params.set("V", name("1.2"));
    references.push(Object::Dictionary(Dictionary::from_iter([
        ("Type", name("SigRef")),
        ("TransformMethod", name("FieldMDP")),
        ("Data", Object::Reference(root_id)),
        ("TransformParams", Object::Dictionary(params)),
    ])));
    Object::Array(references)
}

/// Records the certification in the (already cloned) catalog and declares the PAdES
/// extension if it is not declared yet.
pub(crate) fn mark_catalog(
    inc: &mut IncrementalDocument,
    root_id: ObjectId,
    certification: Option<ObjectId>,
) -> Result<(), SignError> {
    let broken = || SignError::Unsupported("文档目录结构无效".to_owned());
    inc.opt_clone_object_to_new_document(root_id).map_err(|_| broken())?;
    let catalog = inc.new_document.get_dictionary_mut(root_id).map_err(|_| broken())?;
    if let Some(signature_id) = certification {
        // `has_signature` refused a document with `/Perms /DocMDP`; other permissions
        // (e.g. `/UR3`) are kept when `/Perms` is a direct dictionary.
        let mut perms = match catalog.get(b"Perms") {
            Ok(Object::Dictionary(perms)) => perms.clone(),
            _ => Dictionary::new(),
        };
        perms.set("DocMDP", Object::Reference(signature_id));
        catalog.set("Perms", perms);
    }
    if !catalog.has(b"Extensions") {
        catalog.set("Version", name("1.7"));
        catalog.set(
            "Extensions",
            Dictionary::from_iter([(
                "ESIC",
                Object::Dictionary(Dictionary::from_iter([
                    ("Type", name("DeveloperExtensions")),
                    ("BaseVersion", name("1.7")),
                    ("ExtensionLevel", Object::Integer(1)),
                ])),
            )]),
        );
    }
    Ok(())
}

/// Adds the widget (if any) to the catalog's `/AcroForm /Fields`, creating what is
/// missing, and sets `/SigFlags` 3 (signatures exist, append only).
pub(crate) fn add_field(
    inc: &mut IncrementalDocument,
    root_id: ObjectId,
    widget_id: Option<ObjectId>,
) -> Result<(), SignError> {
    let broken = |what: &str| SignError::Unsupported(format!("{what}结构无效"));
    inc.opt_clone_object_to_new_document(root_id).map_err(|_| broken("文档目录"))?;
    let acroform_ref = match inc.new_document.get_dictionary(root_id) {
        Ok(catalog) => match catalog.get(b"AcroForm") {
            Ok(Object::Reference(id)) => Some(*id),
            _ => None,
        },
        Err(_) => return Err(broken("文档目录")),
    };
    let fields_ref = {
        let acroform = match acroform_ref {
            Some(id) => {
                inc.opt_clone_object_to_new_document(id).map_err(|_| broken("表单"))?;
                inc.new_document.get_dictionary(id).ok()
            }
            None => inc
                .new_document
                .get_dictionary(root_id)
                .ok()
                .and_then(|c| c.get(b"AcroForm").ok())
                .and_then(|a| a.as_dict().ok()),
        };
        acroform.and_then(|a| a.get(b"Fields").ok()).and_then(|f| f.as_reference().ok())
    };
    if let (Some(id), Some(widget_id)) = (fields_ref, widget_id) {
        inc.opt_clone_object_to_new_document(id).map_err(|_| broken("表单域列表"))?;
        inc.new_document
            .get_object_mut(id)
            .and_then(Object::as_array_mut)
            .map_err(|_| broken("表单域列表"))?
            .push(Object::Reference(widget_id));
    }
    let acroform = if let Some(id) = acroform_ref {
        inc.new_document.get_dictionary_mut(id).map_err(|_| broken("表单"))?
    } else {
        let catalog =
            inc.new_document.get_dictionary_mut(root_id).map_err(|_| broken("文档目录"))?;
        if !matches!(catalog.get(b"AcroForm"), Ok(Object::Dictionary(_))) {
            catalog.set("AcroForm", Dictionary::new());
        }
        catalog.get_mut(b"AcroForm").and_then(Object::as_dict_mut).map_err(|_| broken("表单"))?
    };
    if let (None, Some(widget_id)) = (fields_ref, widget_id) {
        match acroform.get_mut(b"Fields").and_then(Object::as_array_mut) {
            Ok(fields) => fields.push(Object::Reference(widget_id)),
            Err(_) => acroform.set("Fields", vec![Object::Reference(widget_id)]),
        }
    }
    // SignaturesExist | AppendOnly.
    let flags = acroform.get(b"SigFlags").and_then(Object::as_i64).unwrap_or(0);
    acroform.set("SigFlags", flags | 3);
    Ok(())
}

/// Adds the widget to the page's `/Annots` (a direct array, a referenced array, or none).
pub(crate) fn add_annotation(
    inc: &mut IncrementalDocument,
    page_id: ObjectId,
    widget_id: ObjectId,
) -> Result<(), SignError> {
    let broken = || SignError::Unsupported("页面结构无效".to_owned());
    inc.opt_clone_object_to_new_document(page_id).map_err(|_| broken())?;
    let annots_ref = inc
        .new_document
        .get_dictionary(page_id)
        .map_err(|_| broken())?
        .get(b"Annots")
        .and_then(Object::as_reference)
        .ok();
    if let Some(id) = annots_ref {
        inc.opt_clone_object_to_new_document(id).map_err(|_| broken())?;
        inc.new_document
            .get_object_mut(id)
            .and_then(Object::as_array_mut)
            .map_err(|_| broken())?
            .push(Object::Reference(widget_id));
        return Ok(());
    }
    let page = inc.new_document.get_dictionary_mut(page_id).map_err(|_| broken())?;
    match page.get_mut(b"Annots").and_then(Object::as_array_mut) {
        Ok(annots) => annots.push(Object::Reference(widget_id)),
        Err(_) => page.set("Annots", vec![Object::Reference(widget_id)]),
    }
    Ok(())
}
