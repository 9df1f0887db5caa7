//! What changed between two revisions of a signed PDF, other than signing.
//!
//! A signature covers the file up to the end of its own revision; a later incremental
//! update can change anything, and a validator that only checks byte ranges would call
//! the earlier signature intact. So between every signed revision and the next (and the
//! end of the file), the object graphs are compared, as pyHanko's difference analysis
//! does. Signing may only
//!
//! - add a signature field (merged with its widget, `/FT /Sig`), its signature dictionary
//!   and the objects of its appearance;
//! - append that widget to the form's `/Fields` (and set `/SigFlags`) and to its page's
//!   `/Annots`;
//! - likewise add a document time-stamp (`/Type /DocTimeStamp`, see
//!   [`super::timestamp`]) in a new field, which must be invisible (zero-size `/Rect`,
//!   no appearance): a new visible field is a change, whatever it holds.
//!
//! Everything else (page content, the catalog's other entries, deleted objects, a page
//! added, removed or reordered, an earlier signature field removed or changed) is a
//! change, described in words for the report.

use std::collections::{BTreeSet, HashMap, HashSet};

use lopdf::{Dictionary, Document, Object, ObjectId};

/// At most this many changes are described; a count says how many more there were.
const MAX_DESCRIBED: usize = 4;

/// The changes from `old` to `new` that signing does not explain, in words, most
/// telling first; empty when `new` only adds signatures.
pub fn unexplained_changes(old: &Document, new: &Document) -> Vec<String> {
    let mut found = Found::default();
    let root = |doc: &Document| doc.trailer.get(b"Root").and_then(Object::as_reference).ok();
    let (old_root, new_root) = (root(old), root(new));
    if old_root != new_root {
        found.add(0, "文档目录被替换".to_owned());
    }
    let info = |doc: &Document| doc.trailer.get(b"Info").and_then(Object::as_reference).ok();
    if info(old) != info(new) {
        found.add(1, "文档信息被替换".to_owned());
    }
    let old_pages: Vec<ObjectId> = old.get_pages().into_values().collect();
    let new_pages: Vec<ObjectId> = new.get_pages().into_values().collect();
    if old_pages != new_pages {
        found.add(2, "页面被增加、删除或重排".to_owned());
    }

    let widgets = new_signature_widgets(old, new);
    let allowed_new = objects_of_widgets(new, &widgets);
    // A signature field the signed report did not have: its widget could be placed and
    // drawn anywhere, over the report's content. Reports sign fields made before the first
    // signature (pyHanko, too, refuses new visible fields after a certification).
    // A document time-stamp's field is new too, but invisible: it draws nothing.
    let new_fields = widgets.iter().filter(|id| !old.objects.contains_key(id));
    for id in new_fields.filter(|id| !is_doc_timestamp_field(new, **id)) {
        let name = new
            .get_dictionary(*id)
            .ok()
            .and_then(|d| d.get(b"T").ok())
            .and_then(|t| lopdf::decode_text_string(t).ok())
            .unwrap_or_default();
        found.add(5, format!("新增了签名域“{name}”"));
    }
    let roles = Roles::of(old, old_root, &old_pages);

    let ids: BTreeSet<ObjectId> = old
        .objects
        .iter()
        .chain(new.objects.iter())
        .filter(|(_, object)| !is_file_structure(object))
        .map(|(id, _)| *id)
        .collect();
    for id in ids {
        match (old.objects.get(&id), new.objects.get(&id)) {
            (Some(a), Some(b)) if same(a, b) => {}
            (None, Some(_)) if allowed_new.contains(&id) => {}
            (None, Some(_)) => found.add(5, format!("新增了对象 {} {}", id.0, id.1)),
            (Some(_), None) => found.add(4, format!("删除了对象 {} {}", id.0, id.1)),
            (Some(a), Some(b)) => {
                if let Some(what) = roles.changed(id, a, b, old, new, &widgets) {
                    found.add(3, what);
                }
            }
            (None, None) => {}
        }
    }
    found.finish()
}

/// Changes collected with a rank (lower first), described once each.
#[derive(Default)]
struct Found(Vec<(u8, String)>);

impl Found {
    fn add(&mut self, rank: u8, what: String) {
        if !self.0.iter().any(|(_, w)| *w == what) {
            self.0.push((rank, what));
        }
    }

    fn finish(mut self) -> Vec<String> {
        self.0.sort_by_key(|(rank, _)| *rank);
        let total = self.0.len();
        let mut out: Vec<String> = self.0.into_iter().take(MAX_DESCRIBED).map(|(_, w)| w).collect();
        if total > MAX_DESCRIBED {
            out.push(format!("另有 {} 处改动", total - MAX_DESCRIBED));
        }
        out
    }
}

/// Cross-reference and object streams: how a revision is stored, not what it says
/// (their contents are what the loaded objects are).
fn is_file_structure(object: &Object) -> bool {
    object.as_stream().is_ok_and(|stream| {
        matches!(stream.dict.get(b"Type").and_then(Object::as_name), Ok(b"XRef" | b"ObjStm"))
    })
}

/// Objects compare by value; a stream by its dictionary and bytes (not where it was read).
fn same(a: &Object, b: &Object) -> bool {
    match (a, b) {
        (Object::Stream(a), Object::Stream(b)) => a.dict == b.dict && a.content == b.content,
        _ => a == b,
    }
}

/// Whether `object` is a signature field merged with its widget.
fn is_signature_widget(object: &Object) -> bool {
    object.as_dict().is_ok_and(|dict| {
        dict.get(b"Subtype").and_then(Object::as_name).ok() == Some(b"Widget")
            && dict.get(b"FT").and_then(Object::as_name).ok() == Some(b"Sig")
    })
}

/// Whether the signature field `id` of `new` holds a document time-stamp
/// (`/V` a `/Type /DocTimeStamp` dictionary) and is invisible: a zero-size `/Rect` and
/// no appearance.
fn is_doc_timestamp_field(new: &Document, id: ObjectId) -> bool {
    let Ok(widget) = new.get_dictionary(id) else { return false };
    let value = widget
        .get(b"V")
        .ok()
        .and_then(|v| new.dereference(v).ok())
        .and_then(|(_, v)| v.as_dict().ok());
    let rect: Option<Vec<f32>> = widget
        .get(b"Rect")
        .and_then(Object::as_array)
        .ok()
        .and_then(|r| r.iter().map(|v| v.as_float().ok()).collect());
    let invisible = matches!(rect.as_deref(), Some([x1, y1, x2, y2])
        if (x2 - x1).abs() < f32::EPSILON && (y2 - y1).abs() < f32::EPSILON);
    invisible && !widget.has(b"AP") && value.is_some_and(|v| v.has_type(b"DocTimeStamp"))
}

/// Signature fields (merged with their widget) that `new` adds, or that were empty in
/// `old` and are signed (have a `/V`) in `new`.
fn new_signature_widgets(old: &Document, new: &Document) -> HashSet<ObjectId> {
    let signed = |object: &Object| object.as_dict().is_ok_and(|d| d.has(b"V"));
    new.objects
        .iter()
        .filter(|(_, object)| is_signature_widget(object))
        .filter(|(id, object)| match old.objects.get(id) {
            None => true,
            Some(before) => is_signature_widget(before) && !signed(before) && signed(object),
        })
        .map(|(id, _)| *id)
        .collect()
}

/// The new widgets and every object reachable from them (their signature dictionary,
/// appearance streams and what those use), without following `/P` back to the page.
fn objects_of_widgets(new: &Document, widgets: &HashSet<ObjectId>) -> HashSet<ObjectId> {
    let mut seen: HashSet<ObjectId> = widgets.clone();
    let mut todo: Vec<ObjectId> = widgets.iter().copied().collect();
    while let Some(id) = todo.pop() {
        let Some(object) = new.objects.get(&id) else { continue };
        let mut refs = Vec::new();
        references(object, &mut refs, 0);
        for r in refs {
            if seen.insert(r) {
                todo.push(r);
            }
        }
    }
    seen
}

/// The references inside `object`, skipping the widget's `/P` and `/Parent` links.
fn references(object: &Object, out: &mut Vec<ObjectId>, depth: usize) {
    if depth > 32 {
        return;
    }
    let dict_refs = |dict: &Dictionary, out: &mut Vec<ObjectId>| {
        for (key, value) in dict {
            if key != b"P" && key != b"Parent" {
                references(value, out, depth + 1);
            }
        }
    };
    match object {
        Object::Reference(id) => out.push(*id),
        Object::Array(items) => items.iter().for_each(|item| references(item, out, depth + 1)),
        Object::Dictionary(dict) => dict_refs(dict, out),
        Object::Stream(stream) => dict_refs(&stream.dict, out),
        _ => {}
    }
}

/// What the objects of the old revision are, for the changes signing may make to them.
struct Roles {
    catalog: Option<ObjectId>,
    acroform: Option<ObjectId>,
    fields: Option<ObjectId>,
    pages: HashMap<ObjectId, usize>,
    annots: HashSet<ObjectId>,
    contents: HashMap<ObjectId, usize>,
}

impl Roles {
    fn of(old: &Document, catalog: Option<ObjectId>, pages: &[ObjectId]) -> Self {
        let get = |id: ObjectId| old.get_dictionary(id).ok();
        let reference = |dict: Option<&Dictionary>, key: &[u8]| {
            dict.and_then(|d| d.get(key).ok()).and_then(|o| o.as_reference().ok())
        };
        let catalog_dict = catalog.and_then(get);
        let acroform = reference(catalog_dict, b"AcroForm");
        let acroform_dict = acroform.and_then(get).or_else(|| {
            catalog_dict.and_then(|c| c.get(b"AcroForm").ok()).and_then(|a| a.as_dict().ok())
        });
        let fields = reference(acroform_dict, b"Fields");
        let mut roles = Self {
            catalog,
            acroform,
            fields,
            pages: HashMap::new(),
            annots: HashSet::new(),
            contents: HashMap::new(),
        };
        for (n, &page) in pages.iter().enumerate() {
            roles.pages.insert(page, n + 1);
            let dict = get(page);
            if let Some(annots) = reference(dict, b"Annots") {
                roles.annots.insert(annots);
            }
            match dict.and_then(|d| d.get(b"Contents").ok()) {
                Some(Object::Reference(id)) => {
                    roles.contents.insert(*id, n + 1);
                }
                Some(Object::Array(items)) => {
                    for id in items.iter().filter_map(|o| o.as_reference().ok()) {
                        roles.contents.insert(id, n + 1);
                    }
                }
                _ => {}
            }
        }
        roles
    }

    /// `None` if the change from `a` to `b` of object `id` is one signing makes.
    fn changed(
        &self,
        id: ObjectId,
        a: &Object,
        b: &Object,
        old: &Document,
        new: &Document,
        widgets: &HashSet<ObjectId>,
    ) -> Option<String> {
        let appended = |a: &Object, b: &Object| appended_widgets(a, b, old, new, widgets);
        if widgets.contains(&id) {
            // An empty signature field being signed: only its value and appearance change.
            let ok = matches!((a.as_dict(), b.as_dict()), (Ok(a), Ok(b)) if same_except(a, b, &[b"V", b"AP"]));
            return (!ok).then(|| "签名域被改动".to_owned());
        }
        if Some(id) == self.catalog {
            let ok = match (a.as_dict(), b.as_dict()) {
                (Ok(a), Ok(b)) => {
                    same_except(a, b, &[b"AcroForm"])
                        && acroform_ok(a.get(b"AcroForm").ok(), b.get(b"AcroForm").ok(), &appended)
                }
                _ => false,
            };
            return (!ok).then(|| "文档目录被改动".to_owned());
        }
        if Some(id) == self.acroform {
            return (!acroform_ok(Some(a), Some(b), &appended)).then(|| "表单被改动".to_owned());
        }
        if Some(id) == self.fields || self.annots.contains(&id) {
            return (!appended(a, b)).then(|| "签名域或注释列表被改动".to_owned());
        }
        if let Some(&page) = self.pages.get(&id) {
            let ok = match (a.as_dict(), b.as_dict()) {
                (Ok(a), Ok(b)) => {
                    same_except(a, b, &[b"Annots"])
                        && match (a.get(b"Annots").ok(), b.get(b"Annots").ok()) {
                            (Some(x), Some(y)) => appended(x, y),
                            (None, Some(y)) => appended(&Object::Array(Vec::new()), y),
                            (x, y) => x == y,
                        }
                }
                _ => false,
            };
            return (!ok).then(|| format!("第 {page} 页被改动"));
        }
        if let Some(&page) = self.contents.get(&id) {
            return Some(format!("第 {page} 页的内容被改动"));
        }
        let kind = a.as_dict().ok().and_then(|d| d.get(b"Type").and_then(Object::as_name).ok());
        Some(match kind {
            Some(b"Sig") => "已有的签名被改动".to_owned(),
            Some(b"Annot") => "已有的注释或签名域被改动".to_owned(),
            _ => format!("对象 {} {} 被改动", id.0, id.1),
        })
    }
}

/// Whether `a` and `b` have the same entries apart from `except`.
fn same_except(a: &Dictionary, b: &Dictionary, except: &[&[u8]]) -> bool {
    let keys: BTreeSet<&[u8]> = a
        .iter()
        .chain(b.iter())
        .map(|(k, _)| k.as_slice())
        .filter(|k| !except.contains(k))
        .collect();
    keys.into_iter().all(|key| a.get(key).ok() == b.get(key).ok())
}

/// An `/AcroForm` (direct dictionary, or a reference checked as its own object) whose only
/// changes are `/Fields` grown by new signature widgets and `/SigFlags`.
fn acroform_ok(
    a: Option<&Object>,
    b: Option<&Object>,
    appended: &dyn Fn(&Object, &Object) -> bool,
) -> bool {
    match (a, b) {
        (Some(Object::Reference(x)), Some(Object::Reference(y))) => x == y,
        (a, Some(Object::Dictionary(b))) => {
            let empty = Dictionary::new();
            let a = match a {
                Some(Object::Dictionary(a)) => a,
                None => &empty,
                Some(_) => return false,
            };
            let no_fields = Object::Array(Vec::new());
            let old_fields = a.get(b"Fields").unwrap_or(&no_fields);
            same_except(a, b, &[b"Fields", b"SigFlags"])
                && b.get(b"Fields").is_ok_and(|new_fields| appended(old_fields, new_fields))
        }
        (None, None) => true,
        _ => false,
    }
}

/// `b` is the array `a` with new signature widgets appended (the same reference, if both
/// are one, is checked as its own object).
fn appended_widgets(
    a: &Object,
    b: &Object,
    old: &Document,
    new: &Document,
    widgets: &HashSet<ObjectId>,
) -> bool {
    if let (Object::Reference(x), Object::Reference(y)) = (a, b)
        && x == y
    {
        return true;
    }
    let resolve = |doc: &Document, o: &Object| -> Option<Vec<Object>> {
        match o {
            Object::Reference(id) => doc.get_object(*id).ok()?.as_array().ok().cloned(),
            Object::Array(items) => Some(items.clone()),
            _ => None,
        }
    };
    let (Some(a), Some(b)) = (resolve(old, a), resolve(new, b)) else { return false };
    b.len() >= a.len()
        && b[..a.len()] == a[..]
        && b[a.len()..].iter().all(|o| o.as_reference().is_ok_and(|id| widgets.contains(&id)))
}

#[cfg(test)]
mod tests {
    use lopdf::{Stream, dictionary};

    use super::*;

    /// A one-page document with an empty form.
    fn report() -> Document {
        let mut doc = Document::with_version("1.7");
        let content = Stream::new(dictionary! {}, b"BT ET".to_vec());
        doc.objects.insert((4, 0), Object::Stream(content));
        doc.objects.insert(
            (3, 0),
            Object::Dictionary(dictionary! {
                "Type" => "Page", "Parent" => (2, 0), "Contents" => (4, 0),
                "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
            }),
        );
        doc.objects.insert(
            (2, 0),
            Object::Dictionary(
                dictionary! { "Type" => "Pages", "Kids" => vec![(3, 0).into()], "Count" => 1 },
            ),
        );
        doc.objects.insert(
            (1, 0),
            Object::Dictionary(dictionary! {
                "Type" => "Catalog", "Pages" => (2, 0),
                "AcroForm" => dictionary! { "Fields" => Vec::<Object>::new() },
            }),
        );
        doc.trailer.set("Root", (1, 0));
        doc.max_id = 4;
        doc
    }

    /// `old` plus a document time-stamp field at `rect` in the form and on the page.
    fn with_timestamp(old: &Document, rect: [i64; 4]) -> Document {
        let mut new = old.clone();
        new.objects.insert(
            (5, 0),
            Object::Dictionary(
                dictionary! { "Type" => "DocTimeStamp", "SubFilter" => "ETSI.RFC3161" },
            ),
        );
        new.objects.insert(
            (6, 0),
            Object::Dictionary(dictionary! {
                "Type" => "Annot", "Subtype" => "Widget", "FT" => "Sig",
                "T" => lopdf::text_string("时间戳1"), "V" => (5, 0), "P" => (3, 0),
                "Rect" => rect.iter().map(|&v| Object::Integer(v)).collect::<Vec<_>>(),
            }),
        );
        let catalog = new.get_dictionary_mut((1, 0)).unwrap();
        catalog.set("AcroForm", dictionary! { "Fields" => vec![(6, 0).into()], "SigFlags" => 3 });
        new.get_dictionary_mut((3, 0)).unwrap().set("Annots", vec![Object::from((6, 0))]);
        new
    }

    #[test]
    fn an_invisible_document_time_stamp_field_is_no_change() {
        let old = report();
        assert_eq!(unexplained_changes(&old, &with_timestamp(&old, [0; 4])), Vec::<String>::new());
    }

    #[test]
    fn a_visible_time_stamp_field_or_another_change_in_its_update_is_a_change() {
        let old = report();
        let visible = with_timestamp(&old, [100, 100, 300, 200]);
        assert_eq!(unexplained_changes(&old, &visible), ["新增了签名域“时间戳1”"]);
        let mut painted = with_timestamp(&old, [0; 4]);
        let content = Stream::new(dictionary! {}, b"1 1 1 rg 0 0 100 100 re f".to_vec());
        painted.objects.insert((4, 0), Object::Stream(content));
        assert_eq!(unexplained_changes(&old, &painted), ["第 1 页的内容被改动"]);
    }
}
