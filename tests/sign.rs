//! PDF signatures: assessor keys, two sequential signatures, verification, tampering.
//!
//! The input PDF is built here with lopdf (one A4 page with text), so these tests do not
//! depend on the report module. When `pdfsig` (poppler-utils) or `pyhanko` is installed,
//! the signed file is also checked with them; when not, that part is skipped with a note.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use chrono::{DateTime, Utc};
use elder_assess::sign::{
    self, FieldPlacement, KdfCost, SignError, SignatureRequest, Signer, add_signature_fields,
    create_key_with_cost, list_keys, load_signer, sign_pdf, verify_pdf,
};
use lopdf::{Dictionary, Document, Object, Stream};

const PASS1: &str = "zhangsan-口令-2026";
const PASS2: &str = "lisi passphrase 2026";
const TEXT: &[u8] = b"Elder ability assessment report: final level 2";

pub(super) struct TempDir(PathBuf);

impl TempDir {
    pub(super) fn new(tag: &str) -> Self {
        let path = std::env::temp_dir().join(format!(
            "elder-assess-sign-{tag}-{}-{:?}",
            std::process::id(),
            std::thread::current().id()
        ));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).unwrap();
        Self(path)
    }

    pub(super) fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text).unwrap().to_utc()
}

/// A one-page A4 document with a line of text, as a PDF writer would make it.
pub(super) fn sample_pdf() -> Vec<u8> {
    let mut doc = Document::with_version("1.7");
    let pages_id = doc.new_object_id();
    let font_id = doc.add_object(Dictionary::from_iter([
        ("Type", Object::Name(b"Font".to_vec())),
        ("Subtype", Object::Name(b"Type1".to_vec())),
        ("BaseFont", Object::Name(b"Helvetica".to_vec())),
    ]));
    let resources = Dictionary::from_iter([(
        "Font",
        Object::Dictionary(Dictionary::from_iter([("F1", Object::Reference(font_id))])),
    )]);
    let mut content = b"BT /F1 14 Tf 72 770 Td (".to_vec();
    content.extend_from_slice(TEXT);
    content.extend_from_slice(b") Tj ET\n");
    let content_id = doc.add_object(Stream::new(Dictionary::new(), content));
    let page = doc.add_object(Dictionary::from_iter([
        ("Type", Object::Name(b"Page".to_vec())),
        ("Parent", Object::Reference(pages_id)),
        ("Contents", Object::Reference(content_id)),
        ("Resources", Object::Dictionary(resources)),
        ("MediaBox", Object::Array(vec![0.into(), 0.into(), 595.into(), 842.into()])),
    ]));
    doc.objects.insert(
        pages_id,
        Object::Dictionary(Dictionary::from_iter([
            ("Type", Object::Name(b"Pages".to_vec())),
            ("Kids", Object::Array(vec![Object::Reference(page)])),
            ("Count", Object::Integer(1)),
        ])),
    );
    let catalog_id = doc.add_object(Dictionary::from_iter([
        ("Type", Object::Name(b"Catalog".to_vec())),
        ("Pages", Object::Reference(pages_id)),
    ]));
    doc.trailer.set("Root", Object::Reference(catalog_id));
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    out
}

pub(super) fn request(field: &str, name: &str, x: f32, time: &str) -> SignatureRequest {
    SignatureRequest {
        field_name: field.to_owned(),
        page_index: 0,
        rect_pt: [x, 80.0, x + 160.0, 120.0],
        strokes: vec![
            vec![[500, 8000], [2000, 2000], [3500, 7000], [5000, 3000]],
            vec![[6000, 5000], [9500, 5200]],
        ],
        signer_name: name.to_owned(),
        reason: "老年人能力评估报告 评估员签名".to_owned(),
        location: "耿马傣族佤族自治县".to_owned(),
        signing_time: at(time),
        certify: field == "评估员1",
        extra_certificates: Vec::new(),
    }
}

/// Two assessors' keys, their signers, and the document signed by both.
pub(super) struct Signed {
    pub dir: TempDir,
    /// The sample with the two empty signature fields.
    pub unsigned: Vec<u8>,
    pub once: Vec<u8>,
    pub twice: Vec<u8>,
}

pub(super) fn keys_and_signers(dir: &Path) -> (Signer, Signer) {
    let now = at("2026-11-28T01:00:00Z");
    create_key_with_cost(dir, "张三", PASS1, now, KdfCost::TestOnly).unwrap();
    create_key_with_cost(dir, "李四", PASS2, now, KdfCost::TestOnly).unwrap();
    (load_signer(dir, "张三", PASS1).unwrap(), load_signer(dir, "李四", PASS2).unwrap())
}

/// The sample with empty signature fields 评估员1 and 评估员2 (as a report has them).
pub(super) fn sample_with_fields() -> Vec<u8> {
    let fields = [("评估员1", 60.0), ("评估员2", 320.0)].map(|(name, x)| FieldPlacement {
        field_name: name.to_owned(),
        page_index: 0,
        rect_pt: [x, 80.0, x + 160.0, 120.0],
    });
    add_signature_fields(&sample_pdf(), &fields).unwrap()
}

/// The sample with both fields, signed by 张三 (certifying) and then 李四.
pub(super) fn signed(tag: &str) -> Signed {
    let dir = TempDir::new(tag);
    let (s1, s2) = keys_and_signers(dir.path());
    let unsigned = sample_with_fields();
    let once = sign_pdf(&unsigned, &s1, &request("评估员1", "张三", 60.0, "2026-11-28T02:00:00Z"))
        .unwrap();
    let twice =
        sign_pdf(&once, &s2, &request("评估员2", "李四", 320.0, "2026-11-28T02:05:00Z")).unwrap();
    Signed { dir, unsigned, once, twice }
}

fn offset_of(haystack: &[u8], needle: &[u8]) -> usize {
    haystack.windows(needle.len()).position(|w| w == needle).unwrap()
}

#[test]
fn keys_are_created_encrypted_listed_and_protected_by_the_passphrase() {
    let dir = TempDir::new("keys");
    let now = at("2026-11-28T01:00:00Z");
    let info = create_key_with_cost(dir.path(), "张三", PASS1, now, KdfCost::TestOnly).unwrap();
    assert_eq!(info.name, "张三");
    assert_eq!(info.subject, "CN=张三,C=CN");
    assert_eq!(info.not_before, now);
    assert_eq!(info.not_after, at("2031-11-28T01:00:00Z"));
    assert!(info.cert_path.is_file());
    create_key_with_cost(dir.path(), "Li Si", PASS2, now, KdfCost::TestOnly).unwrap();

    let pem = std::fs::read_to_string(&info.key_path).unwrap();
    assert!(pem.starts_with("-----BEGIN ENCRYPTED PRIVATE KEY-----\n"), "{pem}");
    assert!(!pem.contains("BEGIN PRIVATE KEY") && !pem.contains("BEGIN EC PRIVATE KEY"));
    let keys_dir = dir.path().join("keys");
    for entry in std::fs::read_dir(&keys_dir).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        assert!(!text.contains("BEGIN PRIVATE KEY"), "an unencrypted key is on disk");
    }

    let names: Vec<String> = list_keys(dir.path()).unwrap().into_iter().map(|k| k.name).collect();
    assert_eq!(names, ["Li Si", "张三"]);

    let again = create_key_with_cost(dir.path(), "张三", PASS1, now, KdfCost::TestOnly);
    assert!(matches!(again, Err(SignError::KeyExists { .. })), "{again:?}");

    let wrong = load_signer(dir.path(), "张三", "not the passphrase").unwrap_err();
    assert!(matches!(wrong, SignError::WrongPassphrase), "{wrong:?}");
    assert_eq!(wrong.to_string(), "口令不正确");

    let missing = load_signer(dir.path(), "王五", PASS1).unwrap_err();
    assert!(matches!(missing, SignError::NoKey { .. }), "{missing:?}");
    assert!(missing.to_string().contains("elder-assess keys new --name 王五"), "{missing}");

    let short = create_key_with_cost(dir.path(), "王五", "short", now, KdfCost::TestOnly);
    assert!(matches!(short, Err(SignError::WeakPassphrase { .. })), "{short:?}");

    let signer = load_signer(dir.path(), " 张三 ", PASS1).unwrap();
    assert_eq!(signer.name(), "张三");
    assert!(!format!("{signer:?}").contains("key:"), "Debug must not show the key");
}

#[test]
fn passphrase_file_is_read_without_its_newline() {
    let dir = TempDir::new("pass");
    let file = dir.path().join("pw");
    std::fs::write(&file, "口令 with spaces\r\n").unwrap();
    let pass = elder_assess::cli::passphrase_from(Some(&file), "ELDER_ASSESS_TEST_UNSET_VARIABLE")
        .unwrap();
    assert_eq!(pass.as_str(), "口令 with spaces");
}

#[test]
fn two_sequential_signatures_verify_with_names_and_times() {
    let s = signed("two");
    assert!(s.twice.starts_with(&s.once) && s.once.starts_with(&s.unsigned), "append only");

    let once = verify_pdf(&s.once).unwrap();
    assert_eq!(once.len(), 1);
    assert!(once[0].is_intact() && once[0].covers_whole_file, "{once:?}");

    let checks = verify_pdf(&s.twice).unwrap();
    assert_eq!(checks.len(), 2, "{checks:?}");
    let (c1, c2) = (&checks[0], &checks[1]);
    assert_eq!((c1.field.as_str(), c1.signer.as_str()), ("评估员1", "张三"));
    assert_eq!((c2.field.as_str(), c2.signer.as_str()), ("评估员2", "李四"));
    assert_eq!(c1.signed_at, Some(at("2026-11-28T02:00:00Z")));
    assert_eq!(c2.signed_at, Some(at("2026-11-28T02:05:00Z")));
    assert!(c1.digest_ok && c1.signature_ok && c1.is_intact(), "{c1:?}");
    assert!(c2.digest_ok && c2.signature_ok && c2.is_intact(), "{c2:?}");
    assert!(!c1.covers_whole_file && !c1.modified_after, "{c1:?}");
    assert!(c2.covers_whole_file && !c2.modified_after, "{c2:?}");
}

#[test]
fn strokes_are_in_the_widget_appearance_and_the_page_content_is_untouched() {
    let s = signed("appearance");
    let doc = Document::load_mem(&s.twice).unwrap();
    let original = Document::load_mem(&s.unsigned).unwrap();
    let page_id = doc.get_pages()[&1];
    let page = doc.get_dictionary(page_id).unwrap();
    assert_eq!(
        page.get(b"Contents").unwrap(),
        original.get_dictionary(page_id).unwrap().get(b"Contents").unwrap(),
        "the page content stream must not change"
    );
    let annots = page.get(b"Annots").unwrap().as_array().unwrap();
    assert_eq!(annots.len(), 2);
    let fields = doc.catalog().unwrap().get(b"AcroForm").unwrap().as_dict().unwrap();
    assert_eq!(fields.get(b"Fields").unwrap().as_array().unwrap().len(), 2);
    assert_eq!(fields.get(b"SigFlags").unwrap().as_i64().unwrap(), 3);
    for annot in annots {
        let widget = doc.get_dictionary(annot.as_reference().unwrap()).unwrap();
        let rect = widget.get(b"Rect").unwrap().as_array().unwrap();
        let width = rect[2].as_float().unwrap() - rect[0].as_float().unwrap();
        let ap = widget.get(b"AP").unwrap().as_dict().unwrap();
        let stream = doc.get_object(ap.get(b"N").unwrap().as_reference().unwrap()).unwrap();
        let stream = stream.as_stream().unwrap();
        let bbox = stream.dict.get(b"BBox").unwrap().as_array().unwrap();
        assert!((bbox[2].as_float().unwrap() - width).abs() < 0.01);
        let ops = String::from_utf8(stream.content.clone()).unwrap();
        assert!(ops.contains("1 J 1 j"), "{ops}");
        assert_eq!(ops.matches(" m\n").count(), 2, "{ops}");
        assert_eq!(ops.matches("\nS\n").count(), 2, "{ops}");
    }
}

#[test]
fn tampering_is_detected() {
    let s = signed("tamper");

    // A byte of the page text: inside both signed ranges.
    let mut changed = s.twice.clone();
    let text_at = offset_of(&changed, TEXT) + 6;
    changed[text_at] ^= 0x01;
    let checks = verify_pdf(&changed).unwrap();
    assert!(checks.iter().all(|c| !c.digest_ok && !c.is_intact()), "{checks:?}");

    // A digit of signature 2's appearance: only in the second revision.
    let mut changed = s.twice.clone();
    let rev2 = s.once.len();
    let at_digit = rev2 + offset_of(&changed[rev2..], b" m\n") - 1;
    assert!(changed[at_digit].is_ascii_digit());
    changed[at_digit] ^= 0x01;
    let checks = verify_pdf(&changed).unwrap();
    assert!(checks[0].is_intact(), "{checks:?}");
    assert!(!checks[1].digest_ok && !checks[1].is_intact(), "{checks:?}");

    // Anything appended after the last signature.
    let mut appended = s.twice.clone();
    appended.extend_from_slice(b"\n% appended after signing\n");
    let checks = verify_pdf(&appended).unwrap();
    assert!(checks.iter().all(|c| c.digest_ok && c.signature_ok), "{checks:?}");
    assert!(checks[1].modified_after && !checks[1].is_intact(), "{checks:?}");
    assert!(checks[0].modified_after, "{checks:?}");
}

#[test]
fn bad_requests_are_refused() {
    let s = signed("refuse");
    let signer = load_signer(s.dir.path(), "李四", PASS2).unwrap();
    let again =
        sign_pdf(&s.twice, &signer, &request("评估员1", "李四", 60.0, "2026-11-28T03:00:00Z"));
    assert!(matches!(again, Err(SignError::BadField { .. })), "{again:?}");
    let mut far = request("评估员3", "李四", 60.0, "2026-11-28T03:00:00Z");
    far.page_index = 4;
    let far = sign_pdf(&s.twice, &signer, &far);
    assert!(matches!(far, Err(SignError::NoPage { page: 5, count: 1 })), "{far:?}");
    let not_pdf = sign_pdf(b"hello", &signer, &request("x", "李四", 60.0, "2026-11-28T03:00:00Z"));
    assert!(matches!(not_pdf, Err(SignError::NotPdf(_))), "{not_pdf:?}");
    assert!(matches!(verify_pdf(b"hello"), Err(SignError::NotPdf(_))));
    assert!(verify_pdf(&s.unsigned).unwrap().is_empty());
}

fn elder_assess() -> Command {
    Command::new(env!("CARGO_BIN_EXE_elder-assess"))
}

fn verify_exit(path: &Path) -> (i32, String, String) {
    let out = elder_assess().arg("verify").arg(path).output().unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn cli_verify_exit_codes() {
    let s = signed("cli-verify");
    let dir = s.dir.path();
    let write = |name: &str, bytes: &[u8]| {
        let path = dir.join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    };
    // Intact, but signed with practice (self-issued) keys and without the report's slots:
    // never trusted (exit 1), and `verify` says why for each signature.
    let (code, stdout, _) = verify_exit(&write("good.pdf", &s.twice));
    assert_eq!(code, 1, "{stdout}");
    assert!(stdout.contains("评估员1") && stdout.contains("张三") && stdout.contains("李四"));
    assert!(stdout.contains("2026-11-28 10:00:00"), "China time: {stdout}");
    assert_eq!(stdout.matches("证书：不可信：证书是自签的").count(), 2, "{stdout}");
    assert!(stdout.contains("没有评估员签名栏的信息"), "{stdout}");
    assert!(!stdout.contains("摘要不符"), "{stdout}");

    let mut tampered = s.twice.clone();
    let text_at = offset_of(&tampered, TEXT) + 6;
    tampered[text_at] ^= 0x01;
    let (code, stdout, _) = verify_exit(&write("tampered.pdf", &tampered));
    assert_eq!(code, 1, "{stdout}");
    assert!(stdout.contains("摘要不符"), "{stdout}");

    let (code, _, stderr) = verify_exit(&write("unsigned.pdf", &s.unsigned));
    assert_eq!(code, 1);
    assert!(stderr.contains("文件没有数字签名"), "{stderr}");

    // Only the first signature: intact and covering the whole file, but still untrusted.
    let (code, stdout, _) = verify_exit(&write("once.pdf", &s.once));
    assert_eq!(code, 1, "{stdout}");
    assert!(!stdout.contains("之后被修改"), "{stdout}");

    let mut appended = s.twice.clone();
    appended.extend_from_slice(b"\n% appended\n");
    let (code, stdout, _) = verify_exit(&write("appended.pdf", &appended));
    assert_eq!(code, 1);
    assert!(stdout.contains("签名 2 之后文件末尾被追加了内容"), "{stdout}");

    assert_eq!(verify_exit(&write("text.pdf", b"not a pdf at all")).0, 2);
    assert_eq!(verify_exit(&dir.join("missing.pdf")).0, 2);
}

#[test]
fn cli_keys_new_and_list() {
    let dir = TempDir::new("cli-keys");
    let pass_file = dir.path().join("pw.txt");
    std::fs::write(&pass_file, format!("{PASS1}\n")).unwrap();
    // The real (standard-cost) key derivation: slow in an unoptimised build.
    let out = elder_assess()
        .arg("--data-dir")
        .arg(dir.path())
        .args(["keys", "new", "--name", "张三", "--passphrase-file"])
        .arg(&pass_file)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("CN=张三,C=CN"), "{stdout}");
    assert!(stdout.contains(".key.pem") && stdout.contains(".crt.pem"), "{stdout}");
    let signer = load_signer(dir.path(), "张三", PASS1).unwrap();
    assert_eq!(signer.name(), "张三");

    let out = elder_assess().arg("--data-dir").arg(dir.path()).args(["keys", "list"]).output();
    let out = out.unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("张三\t"));

    // No passphrase source and no terminal: a clear error, not a hang.
    let out = elder_assess()
        .arg("--data-dir")
        .arg(dir.path())
        .args(["keys", "new", "--name", "李四"])
        .env_remove(elder_assess::cli::PASSPHRASE_ENV)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--passphrase-file"));
}

/// `pdfsig` and pyHanko, when installed, accept both signatures.
#[test]
fn external_validators_accept_both_signatures() {
    let s = signed("external");
    let dir = s.dir.path();
    let pdf = dir.join("signed.pdf");
    std::fs::write(&pdf, &s.twice).unwrap();

    match Command::new("pdfsig").arg("-nocert").arg(&pdf).output() {
        Ok(out) => {
            let text = String::from_utf8_lossy(&out.stdout);
            assert_eq!(text.matches("Signature is Valid.").count(), 2, "{text}");
            assert!(text.contains("评估员1") && text.contains("李四"), "{text}");
        }
        Err(_) => eprintln!("note: pdfsig not installed; skipped (apt-get install poppler-utils)"),
    }

    let certs = [("张三", "c1.pem"), ("李四", "c2.pem")].map(|(name, file)| {
        let (_, cert) = sign::keys::key_paths(dir, name).unwrap();
        let path = dir.join(file);
        std::fs::copy(cert, &path).unwrap();
        path
    });
    let pyhanko = Command::new("pyhanko")
        .args(["sign", "validate", "--no-revocation-check", "--trust"])
        .arg(&certs[0])
        .arg("--trust")
        .arg(&certs[1])
        .arg("--trust-replace")
        .arg(&pdf)
        .output();
    match pyhanko {
        Ok(out) => {
            let text = String::from_utf8_lossy(&out.stdout);
            assert!(out.status.success(), "{text}{}", String::from_utf8_lossy(&out.stderr));
            assert_eq!(text.matches(":INTACT:").count(), 2, "{text}");
        }
        Err(_) => {
            eprintln!("note: pyhanko not installed; skipped (pip install pyhanko pyhanko-cli)");
        }
    }
}
