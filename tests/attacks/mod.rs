//! The attack suite: a genuine report signed by two assessors with county-issued
//! certificates, and every forgery the county-trust issue lists, each with the verdict
//! and reason `verify` must give. pdfsig and pyHanko are run on the same files, with the
//! county root as their only trust anchor; their findings are printed as a table (run
//! with `--nocapture`) for comparison, and on the genuine report they must agree that both
//! signatures are valid and trusted.

pub mod county;
pub mod tamper;
pub mod validators;

use std::path::{Path, PathBuf};

use elder_assess::sign::verdict::{Anchors, ReportVerdict, verify_report};
use elder_assess::sign::{SignatureRequest, Signer, create_key_with_cost, load_signer, sign_pdf};
use x509_cert::Certificate;
use x509_cert::crl::CertificateList;

use county::{County, PASSPHRASE, at};

/// Signing times: assessor 1, assessor 2, a forger's later signature.
const T1: &str = "2026-12-01T02:00:00Z";
const T2: &str = "2026-12-01T02:10:00Z";
const T3: &str = "2026-12-02T08:00:00Z";

/// A scratch directory removed on drop.
pub struct Scratch(pub PathBuf);

impl Scratch {
    fn new(tag: &str) -> Self {
        let path = std::env::temp_dir().join(format!(
            "elder-assess-attacks-{tag}-{}-{:?}",
            std::process::id(),
            std::thread::current().id()
        ));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).unwrap();
        Self(path)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The genuine report and what made it.
pub struct Genuine {
    pub dir: Scratch,
    pub county: County,
    pub liming: Signer,
    pub yangfang: Signer,
    pub unsigned: Vec<u8>,
    pub once: Vec<u8>,
    pub twice: Vec<u8>,
}

fn request(field: &str, signer: &Signer, x: f32, time: &str, certify: bool) -> SignatureRequest {
    SignatureRequest {
        certify,
        extra_certificates: Vec::new(),
        field_name: field.to_owned(),
        page_index: 0,
        rect_pt: [x, 80.0, x + 160.0, 120.0],
        strokes: vec![vec![[500, 8000], [2000, 2000], [3500, 7000], [5000, 3000]]],
        signer_name: signer.name().to_owned(),
        reason: format!("老年人能力评估报告 {field} 签名"),
        location: "耿马傣族佤族自治县".to_owned(),
        signing_time: at(time),
    }
}

fn sign1(pdf: &[u8], signer: &Signer, time: &str) -> Vec<u8> {
    sign_pdf(pdf, signer, &request("评估员1", signer, 60.0, time, true)).unwrap()
}

fn sign2(pdf: &[u8], signer: &Signer, time: &str) -> Vec<u8> {
    sign_pdf(pdf, signer, &request("评估员2", signer, 320.0, time, false)).unwrap()
}

/// The genuine report: the example assessment, exported by the app's pipeline with
/// assessor 1 (李明, liming) and assessor 2 (杨芳, yangfang) bound to the record and
/// signing with their county certificates. `unsigned` and `once` are the file as it was
/// before signature 1 and after it (prefixes of `twice`).
pub fn genuine(tag: &str) -> Genuine {
    use elder_assess::output::signed_report::{ExportRequest, export_report};

    let dir = Scratch::new(tag);
    let county = County::new("耿马傣族佤族自治县");
    let from = "2026-06-01T00:00:00Z";
    let until = "2029-06-01T00:00:00Z";
    let liming = county.assessor(&dir.0.join("liming"), "liming", "李明", from, until);
    let yangfang = county.assessor(&dir.0.join("yangfang"), "yangfang", "杨芳", from, until);
    let mut record = super::report::example();
    record.signatures.assessor1.name = "李明".to_owned();
    record.signatures.assessor2.name = "杨芳".to_owned();
    let scale = super::common::gbt();
    let options = elder_assess::report::ReportOptions::new(at(T1));
    let request = ExportRequest {
        record: &record,
        scale: &scale,
        options: &options,
        resident_page: true,
        signers: [Some(&liming), Some(&yangfang)],
        accounts: Some([Some("liming".to_owned()), Some("yangfang".to_owned())]),
    };
    let twice = export_report(&request).unwrap().bytes;
    let checks = elder_assess::sign::verify_pdf(&twice).unwrap();
    let once = twice[..checks[0].end()].to_vec();
    // The revision before signature 1 ends with the last `%%EOF` before its update.
    let gap = checks[0].byte_range.unwrap()[1];
    let eof = twice[..gap].windows(5).rposition(|w| w == b"%%EOF").unwrap() + 5;
    let eol = twice[eof..].iter().take_while(|b| matches!(b, b'\r' | b'\n')).count();
    let unsigned = twice[..eof + eol].to_vec();
    Genuine { dir, county, liming, yangfang, unsigned, once, twice }
}

/// A practice (self-issued) key for `name`, as anyone can make with the tool.
fn practice(dir: &Path, name: &str) -> Signer {
    create_key_with_cost(
        dir,
        name,
        PASSPHRASE,
        at("2026-11-30T00:00:00Z"),
        elder_assess::sign::KdfCost::TestOnly,
    )
    .unwrap();
    load_signer(dir, name, PASSPHRASE).unwrap()
}

fn verdict(pdf: &[u8], roots: &[Certificate], crls: &[CertificateList]) -> ReportVerdict {
    verify_report(pdf, Anchors { roots, crls }).unwrap()
}

/// The verdict's codes: `N:code` per signature, `tsN:code` per document time-stamp,
/// `report:code` for the report.
pub fn codes(verdict: &ReportVerdict) -> Vec<String> {
    let mut out: Vec<String> = verdict
        .signatures
        .iter()
        .enumerate()
        .flat_map(|(n, s)| s.failures.iter().map(move |f| format!("{}:{}", n + 1, f.code)))
        .collect();
    out.extend(
        verdict
            .timestamps
            .iter()
            .enumerate()
            .flat_map(|(n, t)| t.failures.iter().map(move |f| format!("ts{}:{}", n + 1, f.code))),
    );
    out.extend(verdict.problems.iter().map(|p| format!("report:{}", p.code)));
    out
}

#[test]
fn the_genuine_report_verifies_as_complete_and_trusted() {
    let g = genuine("genuine");
    let v = verdict(&g.twice, std::slice::from_ref(&g.county.root), &[]);
    assert!(v.is_valid(), "{:#?}", v.signatures.iter().map(|s| &s.failures).collect::<Vec<_>>());
    assert_eq!(v.signatures.len(), 2);
    let accounts: Vec<_> = v.signatures.iter().map(|s| s.account.clone().unwrap()).collect();
    assert_eq!(accounts, ["liming", "yangfang"]);
    // Without the county root installed, the same file is not trusted.
    let untrusted = verdict(&g.twice, &[], &[]);
    assert_eq!(codes(&untrusted), ["1:untrusted:unknown_issuer", "2:untrusted:unknown_issuer"]);
    let _ = (&g.liming, &g.yangfang, &g.dir, &g.unsigned);
}

/// One forgery: its name for the table, the file, what this machine trusts, and the
/// codes `verify` must report (all of them, exactly, sorted as [`codes`] gives them).
struct Attack {
    name: &'static str,
    pdf: Vec<u8>,
    crls: Vec<CertificateList>,
    roots: Option<Vec<Certificate>>,
    expect: Result<Vec<&'static str>, &'static str>,
}

impl Attack {
    fn new(name: &'static str, pdf: Vec<u8>, expect: &[&'static str]) -> Self {
        Self { name, pdf, crls: Vec::new(), roots: None, expect: Ok(expect.to_vec()) }
    }
}

/// Forgeries by keys: same-name keys, a forger's root, another county's root.
fn forged_signers(g: &Genuine) -> Vec<Attack> {
    let dir = &g.dir.0;
    let from = "2026-06-01T00:00:00Z";
    let until = "2029-06-01T00:00:00Z";
    let forged = tamper::paint_over(&g.unsigned);

    // A forger's keys named 李明 and 杨芳 (and their accounts), self-issued.
    let fake1 = practice(&dir.join("forger-practice"), "李明");
    let fake2 = practice(&dir.join("forger-practice2"), "杨芳");
    let forger_practice = sign2(&sign1(&forged, &fake1, T1), &fake2, T2);
    // The same, with a root the forger made and named after the county.
    let fake_county = County::new("耿马傣族佤族自治县");
    let f1 = fake_county.assessor(&dir.join("forger-root"), "liming", "李明", from, until);
    let f2 = fake_county.assessor(&dir.join("forger-root2"), "yangfang", "杨芳", from, until);
    let forger_root = sign2(&sign1(&forged, &f1, T1), &f2, T2);
    // Another county's genuine certificates.
    let other = County::new("沧源佤族自治县");
    let o1 = other.assessor(&dir.join("other"), "liming", "李明", from, until);
    let o2 = other.assessor(&dir.join("other2"), "yangfang", "杨芳", from, until);
    let other_county = sign2(&sign1(&g.unsigned, &o1, T1), &o2, T2);

    vec![
        Attack::new(
            "forger's same-name practice keys",
            forger_practice,
            &[
                "1:untrusted:self_issued",
                "1:wrong_signer",
                "2:untrusted:self_issued",
                "2:wrong_signer",
            ],
        ),
        Attack::new(
            "forger's own root named like the county",
            forger_root,
            &["1:untrusted:unknown_issuer", "2:untrusted:unknown_issuer"],
        ),
        Attack::new(
            "another county's root",
            other_county,
            &["1:untrusted:unknown_issuer", "2:untrusted:unknown_issuer"],
        ),
    ]
}

/// Byte flips in each revision, and certificates expired or revoked.
fn flips_and_certificates(g: &Genuine) -> Vec<Attack> {
    let dir = &g.dir.0;
    let from = "2026-06-01T00:00:00Z";
    // Byte flips: the report's own content (both signatures cover it), signature 1's
    // revision, signature 2's revision.
    let base_end = g.unsigned.len();
    let once_end = g.once.len();
    let flip_base = tamper::flip(&g.twice, tamper::digit_in_stream_after(&g.twice, 0));
    let flip_rev1 = tamper::flip(&g.twice, tamper::digit_in_stream_after(&g.twice, base_end));
    let flip_rev2 = tamper::flip(&g.twice, tamper::digit_in_stream_after(&g.twice, once_end));
    // Certificates: expired at signing, revoked later.
    let expired =
        g.county.assessor(&dir.join("expired"), "yangfang", "杨芳", from, "2026-11-30T00:00:00Z");
    let expired_signed = sign2(&g.once, &expired, T2);
    let revocation = g.county.crl_revoking(&g.yangfang, "2026-12-01T06:00:00Z");

    let mut list = vec![
        Attack::new(
            "byte flip in the report's content",
            flip_base,
            &["1:digest_mismatch", "2:digest_mismatch"],
        ),
        Attack::new(
            "byte flip in signature 1's revision",
            flip_rev1,
            &["1:digest_mismatch", "2:digest_mismatch"],
        ),
        Attack::new("byte flip in signature 2's revision", flip_rev2, &["2:digest_mismatch"]),
        Attack::new("certificate expired at signing", expired_signed, &["2:untrusted:expired"]),
    ];
    let mut revoked = Attack::new("certificate revoked", g.twice.clone(), &["2:untrusted:revoked"]);
    revoked.crls = vec![revocation];
    list.push(revoked);
    list
}

/// Every attack of the issue, built from one genuine report.
fn attacks(g: &Genuine) -> Vec<Attack> {
    let dir = &g.dir.0;
    // A stranger signs the unsigned genuine report.
    let stranger = practice(&dir.join("stranger"), "张三");
    let stranger_signed =
        sign_pdf(&g.unsigned, &stranger, &request("Signature1", &stranger, 200.0, T3, false))
            .unwrap();
    // Content changed after signature 1, then signature 2 as usual.
    let changed_between = sign2(&tamper::paint_over(&g.once), &g.yangfang, T2);
    // A genuine report edited and signed a third time with a self-made key.
    let third = sign_pdf(
        &tamper::paint_over(&g.twice),
        &stranger,
        &request("评估员3", &stranger, 200.0, T3, false),
    )
    .unwrap();
    // Assessor 2 (trusted) replaces their empty field by a new one covering the page,
    // whose appearance could paint anything over the report.
    let mut over_page = request("评估员2", &g.yangfang, 0.0, T2, false);
    over_page.rect_pt = [0.0, 0.0, 595.0, 842.0];
    let replaced =
        sign_pdf(&tamper::drop_field(&g.once, "评估员2"), &g.yangfang, &over_page).unwrap();
    // Signature 2 dropped by an update.
    let dropped = tamper::drop_field(&g.twice, "评估员2");
    let mut list = forged_signers(g);
    list.extend([
        Attack::new(
            "a stranger signs the unsigned report",
            stranger_signed,
            &[
                "1:untrusted:self_issued",
                "1:not_a_slot",
                "1:not_certified",
                "report:missing_signature",
                "report:missing_signature",
            ],
        ),
        Attack::new(
            "content changed after signature 1, then signature 2",
            changed_between,
            &["1:modified_after"],
        ),
        Attack::new(
            "edited and signed a third time",
            third,
            &["2:modified_after", "3:untrusted:self_issued", "3:not_a_slot"],
        ),
        Attack::new(
            "signature 2 in a new field over the whole page",
            replaced,
            &["1:modified_after"],
        ),
        Attack::new("rollback to signature 1", g.once.clone(), &["report:missing_signature"]),
        Attack::new(
            "an update drops signature 2",
            dropped,
            &["2:modified_after", "2:not_a_slot", "report:missing_signature"],
        ),
    ]);
    list.extend(flips_and_certificates(g));
    // The same stranger with pyHanko, as the issue found it.
    let (key, cert) = county::stranger_pem_files(&dir.join("pyhanko-stranger"));
    let (input, output) = (dir.join("unsigned.pdf"), dir.join("stranger-pyhanko.pdf"));
    std::fs::write(&input, &g.unsigned).unwrap();
    if validators::pyhanko_sign(&input, &output, &key, &cert) {
        list.push(Attack::new(
            "a stranger signs the unsigned report with pyHanko",
            std::fs::read(&output).unwrap(),
            &[
                "1:untrusted:self_issued",
                "1:not_a_slot",
                "1:not_certified",
                "report:missing_signature",
                "report:missing_signature",
            ],
        ));
    }
    let mut truncated = Attack::new("truncated", g.twice[..g.twice.len() - 400].to_vec(), &[]);
    truncated.expect = Err("not a PDF");
    list.push(truncated);
    let mut no_root = Attack::new(
        "county root not installed",
        g.twice.clone(),
        &["1:untrusted:unknown_issuer", "2:untrusted:unknown_issuer"],
    );
    no_root.roots = Some(Vec::new());
    list.push(no_root);
    list
}

#[test]
fn every_attack_gets_its_verdict_and_reason() {
    let g = genuine("suite");
    let county_roots = vec![g.county.root.clone()];
    let mut failures = Vec::new();
    for attack in attacks(&g) {
        let roots = attack.roots.as_ref().unwrap_or(&county_roots);
        let result = verify_report(&attack.pdf, Anchors { roots, crls: &attack.crls });
        let got = match &result {
            Ok(v) => {
                let mut c = codes(v);
                c.sort();
                Ok(c)
            }
            Err(_) => Err("not a PDF"),
        };
        let want = attack.expect.clone().map(|mut w| {
            w.sort_unstable();
            w.into_iter().map(str::to_owned).collect::<Vec<_>>()
        });
        if got != want {
            failures.push(format!("{}: got {got:?}, want {want:?}", attack.name));
        }
        if let Ok(v) = &result {
            assert!(!v.is_valid(), "{} verified", attack.name);
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
    let _ = (&g.liming, &g.yangfang);
}

/// Signature 2 with extra certificates in its CMS (the county root, another county's
/// root, an unrelated certificate): still intact and trusted, not a false 摘要不符.
fn with_extra_certificates(g: &Genuine) -> Vec<u8> {
    let other = County::new("沧源佤族自治县");
    let mut request = request("评估员2", &g.yangfang, 320.0, T2, false);
    request.extra_certificates =
        vec![g.county.root.clone(), other.root.clone(), g.liming.certificate().clone()];
    sign_pdf(&g.once, &g.yangfang, &request).unwrap()
}

#[test]
fn extra_certificates_in_the_cms_still_verify() {
    let g = genuine("extra");
    let pdf = with_extra_certificates(&g);
    let v = verdict(&pdf, std::slice::from_ref(&g.county.root), &[]);
    assert!(v.is_valid(), "{:?}", codes(&v));
    assert_eq!(v.signatures[1].account.as_deref(), Some("yangfang"));
}

/// The verdict table of the closing note: each attack through `verify`, pdfsig and
/// pyHanko (with the county root as the only trust anchor). On the genuine report, both
/// validators must find both signatures valid and trusted, and pyHanko's difference
/// analysis only signing and form filling.
#[test]
fn verdict_table_with_pdfsig_and_pyhanko() {
    let g = genuine("table");
    let anchor = validators::Anchor::new(&g.dir.0.join("anchor"), &g.county.root_pem());
    let county_roots = vec![g.county.root.clone()];
    let genuine_attack = Attack::new("genuine report", g.twice.clone(), &[]);
    let extra =
        Attack::new("genuine, CMS with extra certificates", with_extra_certificates(&g), &[]);
    let mut rows =
        vec!["| file | verify | pdfsig | pyHanko |".to_owned(), "|---|---|---|---|".to_owned()];
    for attack in [genuine_attack, extra].into_iter().chain(attacks(&g)) {
        let path = g.dir.0.join("case.pdf");
        std::fs::write(&path, &attack.pdf).unwrap();
        let roots = attack.roots.as_ref().unwrap_or(&county_roots);
        let verify = match verify_report(&attack.pdf, Anchors { roots, crls: &attack.crls }) {
            Ok(v) if v.is_valid() => "valid".to_owned(),
            Ok(v) => codes(&v).join(", "),
            Err(_) => "not a readable PDF".to_owned(),
        };
        let pdfsig = anchor.pdfsig(&path).unwrap_or_else(|| "(not installed)".to_owned());
        let pyhanko = anchor.pyhanko(&path).map_or_else(
            || "(not installed)".to_owned(),
            |(ok, s)| format!("{}: {s}", if ok { "exit 0" } else { "fails" }),
        );
        if attack.name.starts_with("genuine") {
            assert_eq!(verify, "valid");
            if !pdfsig.starts_with('(') {
                assert_eq!(
                    pdfsig.matches("Signature is Valid / Certificate is Trusted").count(),
                    2,
                    "{pdfsig}"
                );
            }
            if let Some(pretty) = anchor.pyhanko_pretty(&path) {
                assert!(pyhanko.starts_with("exit 0"), "{pyhanko}\n{pretty}");
                assert_eq!(pretty.matches("The signature is judged VALID").count(), 2, "{pretty}");
                assert!(pretty.contains("signing and form filling"), "{pretty}");
            }
        }
        rows.push(format!("| {} | {verify} | {pdfsig} | {pyhanko} |", attack.name));
        if std::env::var_os("KEEP_ATTACKS").is_some() {
            std::fs::copy(&path, format!("/tmp/attack-{}.pdf", rows.len() - 2)).unwrap();
            std::fs::copy(&anchor.root_pem, "/tmp/attack-root.pem").unwrap();
        }
    }
    eprintln!("{}", rows.join("\n"));
}

/// `verify` through the binary, with the county root installed by `trust add` in a fresh
/// data directory: exit 0 and a JSON verdict for the genuine report, exit 1 with the
/// reasons for an altered one, exit 1 for the genuine one once the root is not installed.
#[test]
fn cli_verify_json_against_the_installed_root() {
    use std::process::Command;
    let g = genuine("cli");
    let data = g.dir.0.join("data");
    let run = |args: &[&std::ffi::OsStr]| {
        Command::new(env!("CARGO_BIN_EXE_elder-assess"))
            .arg("--data-dir")
            .arg(&data)
            .args(args)
            .output()
            .unwrap()
    };
    let file = |name: &str, bytes: &[u8]| {
        let path = g.dir.0.join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    };
    let genuine = file("genuine.pdf", &g.twice);
    let untrusted = run(&["verify".as_ref(), genuine.as_os_str()]);
    assert_eq!(untrusted.status.code(), Some(1), "no root installed yet");
    let root = file("root.pem", g.county.root_pem().as_bytes());
    let added = run(&["trust".as_ref(), "add".as_ref(), root.as_os_str()]);
    assert!(added.status.success(), "{}", String::from_utf8_lossy(&added.stderr));

    let out = run(&["verify".as_ref(), "--json".as_ref(), genuine.as_os_str()]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["valid"], true);
    let signatures = json["signatures"].as_array().unwrap();
    let accounts: Vec<&str> = signatures.iter().map(|s| s["account"].as_str().unwrap()).collect();
    assert_eq!(accounts, ["liming", "yangfang"]);
    assert!(
        signatures
            .iter()
            .all(|s| s["trusted"] == true && s["failures"].as_array().unwrap().is_empty())
    );

    let changed = file("changed.pdf", &sign2(&tamper::paint_over(&g.once), &g.yangfang, T2));
    let out = run(&["verify".as_ref(), "--json".as_ref(), changed.as_os_str()]);
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["valid"], false);
    assert_eq!(json["signatures"][0]["failures"][0]["code"], "modified_after");
    let text = run(&["verify".as_ref(), changed.as_os_str()]);
    let stdout = String::from_utf8_lossy(&text.stdout);
    assert!(stdout.contains("签名 1 之后被修改：第 1 页被改动"), "{stdout}");
    assert!(stdout.contains("结论：报告签名不可信"), "{stdout}");
}
