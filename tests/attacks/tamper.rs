//! The forger's tools: incremental updates and byte edits made to a signed report with
//! lopdf, as anyone with the file and a PDF library could.

use lopdf::{Document, IncrementalDocument, Object, ObjectId, Stream};

/// The page of the report's level (C.5) — the first page.
const PAGE: u32 = 1;

fn page_id(doc: &Document) -> ObjectId {
    *doc.get_pages().get(&PAGE).expect("page 1")
}

/// Appends an incremental update that paints over part of page 1 (a white box with a
/// black line where a forger would write 能力完好) by adding a content stream.
pub fn paint_over(pdf: &[u8]) -> Vec<u8> {
    let doc = Document::load_mem(pdf).expect("a PDF");
    let page = page_id(&doc);
    let mut inc = IncrementalDocument::create_from(pdf.to_vec(), doc);
    let ops = b"q 1 1 1 rg 60 480 420 60 re f 0 0 0 RG 2 w 80 510 m 440 510 l S Q\n".to_vec();
    let stream = inc.new_document.add_object(Stream::new(lopdf::Dictionary::new(), ops));
    inc.opt_clone_object_to_new_document(page).expect("clone page");
    let page_dict = inc.new_document.get_dictionary_mut(page).expect("page");
    let contents = match page_dict.get(b"Contents").cloned() {
        Ok(Object::Array(mut items)) => {
            items.push(Object::Reference(stream));
            items
        }
        Ok(other) => vec![other, Object::Reference(stream)],
        Err(_) => vec![Object::Reference(stream)],
    };
    page_dict.set("Contents", contents);
    save(inc)
}

/// Appends an incremental update that removes signature field `field` from the form and
/// its widget from the page (the signature dictionary stays in the file).
pub fn drop_field(pdf: &[u8], field: &str) -> Vec<u8> {
    let doc = Document::load_mem(pdf).expect("a PDF");
    let widget = doc
        .objects
        .iter()
        .find(|(_, o)| {
            o.as_dict()
                .ok()
                .and_then(|d| d.get(b"T").ok())
                .and_then(|t| lopdf::decode_text_string(t).ok())
                == Some(field.to_owned())
        })
        .map(|(id, _)| *id)
        .expect("the field");
    let root = doc.trailer.get(b"Root").and_then(Object::as_reference).expect("root");
    let page = page_of(&doc, widget);
    let mut inc = IncrementalDocument::create_from(pdf.to_vec(), doc);
    let remove = |items: &mut Vec<Object>| items.retain(|o| o.as_reference().ok() != Some(widget));
    // The form: a direct dictionary in the catalog, or a referenced one.
    inc.opt_clone_object_to_new_document(root).expect("clone catalog");
    let acroform =
        inc.new_document.get_dictionary(root).ok().and_then(|c| c.get(b"AcroForm").ok()).cloned();
    if let Some(Object::Reference(id)) = acroform {
        inc.opt_clone_object_to_new_document(id).expect("clone form");
        let form = inc.new_document.get_dictionary_mut(id).expect("form");
        if let Ok(Object::Array(fields)) = form.get_mut(b"Fields") {
            remove(fields);
        }
    } else {
        let catalog = inc.new_document.get_dictionary_mut(root).expect("catalog");
        if let Ok(Object::Dictionary(form)) = catalog.get_mut(b"AcroForm")
            && let Ok(Object::Array(fields)) = form.get_mut(b"Fields")
        {
            remove(fields);
        }
    }
    inc.opt_clone_object_to_new_document(page).expect("clone page");
    let page_dict = inc.new_document.get_dictionary_mut(page).expect("page");
    if let Ok(Object::Array(annots)) = page_dict.get_mut(b"Annots") {
        remove(annots);
    }
    save(inc)
}

/// The page whose `/Annots` lists `widget`.
fn page_of(doc: &Document, widget: ObjectId) -> ObjectId {
    doc.get_pages()
        .into_values()
        .find(|&page| {
            doc.get_dictionary(page)
                .ok()
                .and_then(|d| d.get(b"Annots").ok())
                .and_then(|a| doc.dereference(a).ok())
                .and_then(|(_, a)| a.as_array().ok())
                .is_some_and(|items| items.iter().any(|o| o.as_reference().ok() == Some(widget)))
        })
        .expect("the widget's page")
}

fn save(inc: IncrementalDocument) -> Vec<u8> {
    let mut out = Vec::new();
    let mut inc = inc;
    inc.save_to(&mut out).expect("save the update");
    out
}

/// The file with one byte changed at `offset` (a digit stays a digit, so the structure
/// still parses).
pub fn flip(pdf: &[u8], offset: usize) -> Vec<u8> {
    let mut out = pdf.to_vec();
    out[offset] = match out[offset] {
        b'0'..=b'8' => out[offset] + 1,
        b'9' => b'0',
        other => other ^ 0x01,
    };
    out
}

/// The offset of a digit inside the first content stream that starts after `from`
/// (inside revision `from..`), for a flip that leaves the file readable.
pub fn digit_in_stream_after(pdf: &[u8], from: usize) -> usize {
    let start = from + find(&pdf[from..], b"stream").expect("a stream after the offset") + 6;
    let end = start + find(&pdf[start..], b"endstream").expect("its end");
    (start..end).find(|&i| pdf[i].is_ascii_digit()).unwrap_or(start + 2)
}

/// The offset of the first `needle` in `haystack`.
pub fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}
