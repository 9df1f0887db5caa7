//! The signature format (issue 14): PAdES baseline B-B CMS (signing-certificate-v2, no
//! signingTime), certification by assessor 1 (DocMDP P=2), a field lock on every
//! signature field, `/Contents` sized to the CMS, extra certificates in the CMS, and the
//! report writer's hygiene (no PDF/X claim, a tagged subset font). With pdfinfo,
//! pdffonts, pyHanko and `scripts/pades-level.py` when installed (required when
//! `ELDER_ASSESS_REQUIRE_VALIDATORS` is set).

use std::path::Path;
use std::process::Command;

use cms::content_info::ContentInfo;
use cms::signed_data::SignedData;
use const_oid::db::rfc5911::{ID_AA_SIGNING_CERTIFICATE_V_2, ID_SIGNING_TIME};
use der::{Encode as _, Reader as _, SliceReader};
use elder_assess::report::{self, RenderOptions};
use elder_assess::sign::{SignError, sign_pdf, verify_pdf};
use lopdf::{Dictionary, Document, Object};
use sha2::{Digest as _, Sha256};

use super::report::have;
use super::sign::{TempDir, keys_and_signers, request, sample_pdf, signed};

/// The signature field named `field` and its signature dictionary.
fn field_and_signature<'a>(doc: &'a Document, field: &str) -> (&'a Dictionary, &'a Dictionary) {
    let acroform = doc.catalog().unwrap().get(b"AcroForm").unwrap();
    let fields = doc.dereference(acroform).unwrap().1.as_dict().unwrap().get(b"Fields").unwrap();
    for entry in doc.dereference(fields).unwrap().1.as_array().unwrap() {
        let dict = doc.get_dictionary(entry.as_reference().unwrap()).unwrap();
        if lopdf::decode_text_string(dict.get(b"T").unwrap()).unwrap() == field {
            let sig = doc.get_dictionary(dict.get(b"V").unwrap().as_reference().unwrap());
            return (dict, sig.unwrap());
        }
    }
    panic!("no field {field}");
}

/// `/Contents` as bytes (CMS DER and zero padding).
fn contents(sig: &Dictionary) -> Vec<u8> {
    sig.get(b"Contents").unwrap().as_str().unwrap().to_vec()
}

/// The `SignedData` in `/Contents` and the length of its DER.
fn signed_data(contents: &[u8]) -> (SignedData, usize) {
    let mut reader = SliceReader::new(contents).unwrap();
    let info: ContentInfo = der::Decode::decode(&mut reader).unwrap();
    let len = u32::from(reader.position()) as usize;
    (info.content.decode_as().unwrap(), len)
}

fn name(object: &Object) -> &str {
    std::str::from_utf8(object.as_name().unwrap()).unwrap()
}

#[test]
fn cms_has_signing_certificate_v2_of_the_signer_and_no_signing_time() {
    let s = signed("format-ess");
    let doc = Document::load_mem(&s.twice).unwrap();
    let (s1, s2) = (
        elder_assess::sign::load_signer(s.dir.path(), "张三", "zhangsan-口令-2026").unwrap(),
        elder_assess::sign::load_signer(s.dir.path(), "李四", "lisi passphrase 2026").unwrap(),
    );
    for (field, signer) in [("评估员1", &s1), ("评估员2", &s2)] {
        let (_, sig) = field_and_signature(&doc, field);
        assert_eq!(name(sig.get(b"SubFilter").unwrap()), "ETSI.CAdES.detached");
        assert!(sig.has(b"M"), "the claimed time is in /M");
        let (data, _) = signed_data(&contents(sig));
        let info = data.signer_infos.0.iter().next().unwrap();
        let attrs = info.signed_attrs.as_ref().unwrap();
        assert!(attrs.iter().all(|a| a.oid != ID_SIGNING_TIME), "no signingTime in PAdES");
        let ess = attrs.iter().find(|a| a.oid == ID_AA_SIGNING_CERTIFICATE_V_2).unwrap();
        let value = ess.values.iter().next().unwrap().to_der().unwrap();
        // SEQ { SEQ { SEQ { OCTET STRING sha256(cert) } } }: SHA-256 by default, no
        // issuerSerial.
        let mut expected = vec![0x30, 0x26, 0x30, 0x24, 0x30, 0x22, 0x04, 0x20];
        expected.extend_from_slice(&Sha256::digest(signer.certificate().to_der().unwrap()));
        assert_eq!(value, expected, "{field}");
    }
}

#[test]
fn the_first_signature_certifies_with_p2_and_perms_points_to_it() {
    let s = signed("format-docmdp");
    let doc = Document::load_mem(&s.twice).unwrap();
    let perms = doc.catalog().unwrap().get(b"Perms").unwrap().as_dict().unwrap();
    let docmdp = perms.get(b"DocMDP").unwrap().as_reference().unwrap();
    let (field1, _) = field_and_signature(&doc, "评估员1");
    assert_eq!(field1.get(b"V").unwrap().as_reference().unwrap(), docmdp);

    let methods = |field: &str| -> Vec<(String, Option<i64>)> {
        let (_, sig) = field_and_signature(&doc, field);
        sig.get(b"Reference")
            .unwrap()
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                let r = r.as_dict().unwrap();
                assert_eq!(name(r.get(b"Type").unwrap()), "SigRef");
                let params = r.get(b"TransformParams").unwrap().as_dict().unwrap();
                assert_eq!(name(params.get(b"V").unwrap()), "1.2");
                let p = params.get(b"P").ok().map(|p| p.as_i64().unwrap());
                (name(r.get(b"TransformMethod").unwrap()).to_owned(), p)
            })
            .collect()
    };
    assert_eq!(methods("评估员1"), [("DocMDP".to_owned(), Some(2)), ("FieldMDP".to_owned(), None)]);
    assert_eq!(methods("评估员2"), [("FieldMDP".to_owned(), None)]);
    // The PAdES extension is declared for the PDF 1.7 file.
    let catalog = doc.catalog().unwrap();
    let esic = catalog.get(b"Extensions").unwrap().as_dict().unwrap().get(b"ESIC").unwrap();
    assert_eq!(esic.as_dict().unwrap().get(b"ExtensionLevel").unwrap().as_i64().unwrap(), 1);
}

#[test]
fn certifying_a_signed_document_is_refused() {
    let s = signed("format-certify-late");
    let keys = TempDir::new("format-certify-late-keys");
    let (_, signer2) = keys_and_signers(keys.path());
    let mut late = request("评估员3", "李四", 200.0, "2026-11-28T03:00:00Z");
    late.certify = true;
    let refused = sign_pdf(&s.once, &signer2, &late);
    assert!(matches!(refused, Err(SignError::Unsupported(_))), "{refused:?}");
    let fields = [elder_assess::sign::FieldPlacement {
        field_name: "评估员3".to_owned(),
        page_index: 0,
        rect_pt: [200.0, 200.0, 300.0, 240.0],
    }];
    let refused = elder_assess::sign::add_signature_fields(&s.once, &fields);
    assert!(matches!(refused, Err(SignError::Unsupported(_))), "{refused:?}");
}

#[test]
fn every_signature_field_locks_itself() {
    let s = signed("format-lock");
    let doc = Document::load_mem(&s.twice).unwrap();
    for field in ["评估员1", "评估员2"] {
        let (dict, sig) = field_and_signature(&doc, field);
        let lock = dict.get(b"Lock").unwrap().as_dict().unwrap();
        assert_eq!(name(lock.get(b"Type").unwrap()), "SigFieldLock");
        assert_eq!(name(lock.get(b"Action").unwrap()), "Include");
        let locked: Vec<String> = lock
            .get(b"Fields")
            .unwrap()
            .as_array()
            .unwrap()
            .iter()
            .map(|f| lopdf::decode_text_string(f).unwrap())
            .collect();
        assert_eq!(locked, [field]);
        // The signature's FieldMDP reference names the same fields.
        let references = sig.get(b"Reference").unwrap().as_array().unwrap();
        let fieldmdp = references
            .iter()
            .map(|r| r.as_dict().unwrap())
            .find(|r| name(r.get(b"TransformMethod").unwrap()) == "FieldMDP")
            .unwrap();
        let params = fieldmdp.get(b"TransformParams").unwrap().as_dict().unwrap();
        assert_eq!(params.get(b"Fields").unwrap(), lock.get(b"Fields").unwrap());
        assert_eq!(
            fieldmdp.get(b"Data").unwrap().as_reference().unwrap(),
            doc.trailer.get(b"Root").unwrap().as_reference().unwrap()
        );
    }
}

#[test]
fn contents_is_sized_to_the_cms() {
    let s = signed("format-size");
    let doc = Document::load_mem(&s.twice).unwrap();
    for field in ["评估员1", "评估员2"] {
        let (_, sig) = field_and_signature(&doc, field);
        let contents = contents(sig);
        let (_, der_len) = signed_data(&contents);
        assert!(der_len <= contents.len(), "{field}");
        assert!(contents.len() <= der_len + 256, "{field}: {} for {der_len}", contents.len());
        assert!(contents[der_len..].iter().all(|&b| b == 0), "zero padding");
    }
    // Each signature adds a few kilobytes, not the 17 KB of an 8 KB placeholder.
    let per_signature = (s.twice.len() - s.unsigned.len()) / 2;
    assert!(per_signature < 5000, "{per_signature} bytes per signature");
}

#[test]
fn a_cms_with_extra_certificates_still_verifies() {
    let dir = TempDir::new("format-extra");
    let (s1, s2) = keys_and_signers(dir.path());
    let other = TempDir::new("format-extra-other");
    let (s3, _) = keys_and_signers(other.path());
    let mut req = request("评估员1", "张三", 60.0, "2026-11-28T02:00:00Z");
    req.extra_certificates = vec![s2.certificate().clone(), s3.certificate().clone()];
    let pdf = sign_pdf(&sample_pdf(), &s1, &req).unwrap();
    let checks = verify_pdf(&pdf).unwrap();
    assert_eq!(checks.len(), 1);
    assert!(checks[0].is_intact(), "{checks:?}");
    assert_eq!(checks[0].signer, "张三");

    let doc = Document::load_mem(&pdf).unwrap();
    let (_, sig) = field_and_signature(&doc, "评估员1");
    let (data, _) = signed_data(&contents(sig));
    assert_eq!(data.certificates.unwrap().0.len(), 3);
}

fn run(tool: &str, args: &[&std::ffi::OsStr]) -> (bool, String) {
    let out = Command::new(tool).args(args).output().unwrap();
    let text =
        format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.success(), text)
}

#[test]
fn report_claims_no_pdfx_and_names_its_subset_font_with_a_tag() {
    let model = super::report::model();
    let render = RenderOptions { assessor_strokes_in_content: [true, true], resident_page: true };
    let pdf = report::report_pdf(&model, render).unwrap().bytes;
    assert!(!pdf.windows(4).any(|w| w == b"GTS_"), "no PDF/X key");
    let again = report::report_pdf(&model, render).unwrap().bytes;
    let doc = Document::load_mem(&pdf).unwrap();
    let font_names = |doc: &Document| -> Vec<String> {
        let mut names: Vec<String> = doc
            .objects
            .values()
            .filter_map(|o| o.as_dict().ok())
            .filter_map(|d| d.get(b"BaseFont").or_else(|_| d.get(b"FontName")).ok())
            .map(|n| name(n).to_owned())
            .collect();
        names.sort();
        names
    };
    let names = font_names(&doc);
    assert!(!names.is_empty());
    for font in &names {
        let (tag, rest) = font.split_once('+').unwrap();
        assert!(tag.len() == 6 && tag.bytes().all(|b| b.is_ascii_uppercase()), "{font}");
        assert_eq!(rest, "NotoSansSC-Regular");
    }
    assert_eq!(font_names(&Document::load_mem(&again).unwrap()), names, "deterministic");

    let dir = TempDir::new("format-hygiene");
    let file = dir.path().join("report.pdf");
    std::fs::write(&file, &pdf).unwrap();
    if have("pdfinfo") {
        let (ok, text) = run("pdfinfo", &[file.as_os_str()]);
        assert!(ok, "{text}");
        assert!(!text.contains("PDF/X") && !text.contains("PDF subtype"), "{text}");
        assert!(text.contains("CreationDate:    Fri Nov 20 04:00:00 2026 UTC"), "{text}");
    }
    if have("pdffonts") {
        let (ok, text) = run("pdffonts", &[file.as_os_str()]);
        assert!(ok, "{text}");
        let line = text.lines().find(|l| l.contains("NotoSansSC-Regular")).unwrap();
        assert!(line.contains("+NotoSansSC-Regular"), "{text}");
        // name, type (2 words), encoding, then emb sub uni.
        let columns: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(&columns[4..7], ["yes", "yes", "yes"], "{text}");
    }
}

/// A doubly signed report, as exported: pyHanko finds both signatures intact and trusted
/// (with the two self-issued certificates as anchors), with only signing and form
/// filling after signature 1, and `scripts/pades-level.py` reports PAdES B-B for both.
#[test]
fn pyhanko_accepts_a_doubly_signed_report_at_pades_b_b() {
    use elder_assess::sign::keys::key_paths;

    let dir = TempDir::new("format-pyhanko");
    let exported = super::report::doubly_signed_report(dir.path());
    let pdf = dir.path().join("signed.pdf");
    std::fs::write(&pdf, &exported.bytes).unwrap();
    let certs = super::report::ASSESSORS.map(|name| key_paths(dir.path(), name).unwrap().1);

    if have("pyhanko") {
        let mut args: Vec<&std::ffi::OsStr> =
            ["sign", "validate", "--no-revocation-check"].map(std::ffi::OsStr::new).to_vec();
        for cert in &certs {
            args.extend([std::ffi::OsStr::new("--trust"), cert.as_os_str()]);
        }
        args.extend([std::ffi::OsStr::new("--trust-replace"), pdf.as_os_str()]);
        let (ok, text) = run("pyhanko", &args);
        assert!(ok, "{text}");
        let lines: Vec<&str> = text.lines().filter(|l| l.contains(":INTACT:")).collect();
        assert_eq!(lines.len(), 2, "{text}");
        assert!(lines[0].starts_with("评估员1:"), "{text}");
        assert!(
            lines[0]
                .ends_with(":INTACT:TRUSTED,EXTENDED_WITH_FORM_FILLING,ACCEPTABLE_MODIFICATIONS"),
            "{text}"
        );
        assert!(lines[1].ends_with(":INTACT:TRUSTED,UNTOUCHED"), "{text}");

        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/pades-level.py");
        let mut args = vec![script.as_os_str(), pdf.as_os_str()];
        args.extend(certs.iter().map(|c| c.as_os_str()));
        let (ok, text) = run("python3", &args);
        assert!(ok, "{text}");
        assert_eq!(text.matches(": PAdES B-B, AdES basic validation PASSED").count(), 2, "{text}");
    }
}
