//! Issue 15, point 7: trusted time. The genuine report (two county-signed assessors, see
//! `attacks`) time-stamped by the county's RFC 3161 authority is PAdES B-T: `verify_report`
//! finds one trusted time-stamp covering both signatures, pdfsig and pyHanko accept it,
//! and a changed file, a foreign or unfit authority, or a token over other bytes is
//! caught, each with its code.

use elder_assess::sign::verdict::{Anchors, ReportVerdict, verify_report};
use elder_assess::sign::{
    SignError, TimestampAuthority, add_document_timestamp, document_timestamps,
};

use super::attacks::county::{County, at};
use super::attacks::{codes, genuine, tamper, validators};

/// When the county server time-stamps the report (after both signatures, 02:00 and 02:10).
const STAMPED_AT: &str = "2026-12-01T02:30:00Z";

fn tsa(county: &County) -> TimestampAuthority {
    let (cert, key) = county.tsa_pem("耿马傣族佤族自治县评估时间戳服务");
    TimestampAuthority::from_pem(&cert, &key).unwrap()
}

fn verdict(pdf: &[u8], county: &County) -> ReportVerdict {
    verify_report(pdf, Anchors { roots: std::slice::from_ref(&county.root), crls: &[] }).unwrap()
}

#[test]
fn a_time_stamped_report_verifies_with_one_trusted_time_stamp_over_both_signatures() {
    let g = genuine("ts-genuine");
    let stamped = add_document_timestamp(&g.twice, &tsa(&g.county), 42, at(STAMPED_AT)).unwrap();
    assert!(stamped.starts_with(&g.twice), "an incremental update keeps the signed bytes");
    let v = verdict(&stamped, &g.county);
    assert!(v.is_valid(), "{:?}", codes(&v));
    assert_eq!(v.signatures.len(), 2, "the time-stamp is not a signature");
    assert_eq!(v.timestamps.len(), 1);
    let ts = &v.timestamps[0];
    assert_eq!(ts.timestamp.gen_time, Some(at(STAMPED_AT)));
    assert_eq!(ts.timestamp.serial, Some(42));
    assert_eq!(ts.timestamp.field, "时间戳1");
    assert_eq!(ts.timestamp.covers_whole_file_up_to, stamped.len());
    assert_eq!(ts.covers, [1, 2]);
    assert!(ts.trust.as_ref().is_ok_and(|issued| issued.root.contains("耿马")), "{:?}", ts.trust);
    let found = document_timestamps(&stamped).unwrap();
    assert_eq!(found.len(), 1);
    assert!(found[0].imprint_ok && found[0].signature_ok && found[0].eku_ok);
    assert_eq!(found[0].tsa_name.as_deref(), Some("耿马傣族佤族自治县评估时间戳服务"));
    // A second time-stamp (e.g. a later renewal) takes the next field name and also holds.
    let again =
        add_document_timestamp(&stamped, &tsa(&g.county), 43, at("2027-01-01T00:00:00Z")).unwrap();
    let v2 = verdict(&again, &g.county);
    assert!(v2.is_valid(), "{:?}", codes(&v2));
    let fields: Vec<_> = v2.timestamps.iter().map(|t| t.timestamp.field.as_str()).collect();
    assert_eq!(fields, ["时间戳1", "时间戳2"]);
    // The unstamped report has none, and stays valid (B-B).
    assert!(verdict(&g.twice, &g.county).timestamps.is_empty());
}

#[test]
fn a_byte_flipped_after_time_stamping_is_caught_by_the_signatures_and_the_time_stamp() {
    let g = genuine("ts-flip");
    let stamped = add_document_timestamp(&g.twice, &tsa(&g.county), 7, at(STAMPED_AT)).unwrap();
    let flipped = tamper::flip(&stamped, tamper::digit_in_stream_after(&stamped, 0));
    let v = verdict(&flipped, &g.county);
    assert!(!v.is_valid());
    let codes = codes(&v);
    assert!(codes.contains(&"ts1:timestamp_imprint".to_owned()), "{codes:?}");
    assert!(codes.contains(&"1:digest_mismatch".to_owned()), "{codes:?}");
    // Appending to the file after the time-stamp is a change after signature 2.
    let painted = tamper::paint_over(&stamped);
    let codes_painted = self::codes(&verdict(&painted, &g.county));
    assert_eq!(codes_painted, ["2:modified_after"], "{codes_painted:?}");
}

#[test]
fn a_time_stamp_does_not_hide_a_change_made_before_it() {
    let g = genuine("ts-launder");
    // A forger paints over the signed report, then has it time-stamped.
    let painted = tamper::paint_over(&g.twice);
    let stamped = add_document_timestamp(&painted, &tsa(&g.county), 8, at(STAMPED_AT)).unwrap();
    let v = verdict(&stamped, &g.county);
    assert_eq!(codes(&v), ["2:modified_after"]);
    assert!(v.signatures[1].failures[0].message.contains("页"), "{:?}", v.signatures[1].failures);
}

#[test]
fn a_time_stamp_by_another_countys_authority_is_untrusted() {
    let g = genuine("ts-foreign");
    let other = County::new("沧源佤族自治县");
    let stamped = add_document_timestamp(&g.twice, &tsa(&other), 9, at(STAMPED_AT)).unwrap();
    let v = verdict(&stamped, &g.county);
    assert_eq!(codes(&v), ["ts1:timestamp_untrusted:unknown_issuer"]);
    assert!(v.timestamps[0].failures[0].message.contains("不可信"));
    // Trusting the other county's root as well makes it trusted.
    let both = [g.county.root.clone(), other.root.clone()];
    let trusted = verify_report(&stamped, Anchors { roots: &both, crls: &[] }).unwrap();
    assert!(trusted.is_valid(), "{:?}", codes(&trusted));
}

#[test]
fn a_token_whose_imprint_is_not_the_files_digest_is_a_finding() {
    let g = genuine("ts-imprint");
    let authority = tsa(&g.county);
    let stamped = add_document_timestamp(&g.twice, &authority, 10, at(STAMPED_AT)).unwrap();
    // The authority's genuine token, but over other bytes, put in the field's /Contents.
    let range = document_timestamps(&stamped).unwrap()[0].byte_range.unwrap();
    let token = authority.token(&[0x55; 32], 10, at(STAMPED_AT)).unwrap();
    let mut swapped = stamped.clone();
    let hex: String = token.iter().fold(String::new(), |mut hex, b| {
        use std::fmt::Write as _;
        write!(hex, "{b:02X}").unwrap();
        hex
    });
    let room = range[2] - range[1] - 2;
    assert!(hex.len() <= room);
    let padded = format!("{hex:0<room$}");
    swapped[range[1] + 1..range[2] - 1].copy_from_slice(padded.as_bytes());
    let v = verdict(&swapped, &g.county);
    assert_eq!(codes(&v), ["ts1:timestamp_imprint"]);
    let found = &document_timestamps(&swapped).unwrap()[0];
    assert!(found.signature_ok && !found.imprint_ok);
    // A token that is no token at all: its signature does not hold either.
    let mut garbage = stamped.clone();
    let at_byte = range[1] + 200;
    garbage[at_byte] = if garbage[at_byte] == b'A' { b'B' } else { b'A' };
    let garbage_codes = codes(&verdict(&garbage, &g.county));
    assert!(garbage_codes.contains(&"ts1:timestamp_signature".to_owned()), "{garbage_codes:?}");
}

#[test]
fn a_certificate_without_the_time_stamping_key_purpose_is_refused_as_an_authority() {
    let county = County::new("耿马傣族佤族自治县");
    let (cert, key) = county.plain_leaf_pem("不是时间戳服务");
    let err = TimestampAuthority::from_pem(&cert, &key).unwrap_err();
    assert!(matches!(err, SignError::BadTimestampAuthority(_)), "{err:?}");
    assert!(err.to_string().contains("timeStamping"), "{err}");
    // The right certificate with someone else's key is refused too.
    let (tsa_cert, _) = county.tsa_pem("时间戳服务");
    let err = TimestampAuthority::from_pem(&tsa_cert, &key).unwrap_err();
    assert!(err.to_string().contains("不匹配"), "{err}");
}

#[test]
fn a_signature_revoked_after_its_time_stamp_stays_trusted_one_revoked_before_does_not() {
    let g = genuine("ts-revoked");
    let stamped = add_document_timestamp(&g.twice, &tsa(&g.county), 11, at(STAMPED_AT)).unwrap();
    let check = |pdf: &[u8], on: &str| {
        let crl = g.county.crl_revoking(&g.liming, on);
        let roots = std::slice::from_ref(&g.county.root);
        codes(&verify_report(pdf, Anchors { roots, crls: &[crl] }).unwrap())
    };
    // Revoked days after the county time-stamped it: the signature was made before.
    assert_eq!(check(&stamped, "2026-12-05T00:00:00Z"), Vec::<String>::new());
    // Without the time-stamp, the claimed time is the signer's word: untrusted.
    assert_eq!(check(&g.twice, "2026-12-05T00:00:00Z"), ["1:untrusted:revoked"]);
    // Revoked before the time-stamp: nothing proves the signature came first.
    assert_eq!(check(&stamped, "2026-12-01T02:20:00Z"), ["1:untrusted:revoked"]);
}

/// pdfsig and pyHanko, with the county root as their only trust anchor, on the stamped
/// report. pdfsig (poppler 22.12) verifies both signatures as valid and trusted; it cannot
/// verify an `ETSI.RFC3161` document time-stamp ("Unable to validate this type of
/// signature") and lists it as not verified. pyHanko validates both signatures (the
/// time-stamp update is an acceptable LTA update), and `scripts/pades-level.py` finds the
/// document time-stamp intact, valid and trusted and both signatures PAdES B-T.
#[test]
fn pdfsig_and_pyhanko_accept_the_time_stamped_report() {
    let g = genuine("ts-validators");
    let stamped = add_document_timestamp(&g.twice, &tsa(&g.county), 12, at(STAMPED_AT)).unwrap();
    let path = g.dir.0.join("stamped.pdf");
    std::fs::write(&path, &stamped).unwrap();
    let anchor = validators::Anchor::new(&g.dir.0.join("anchor"), &g.county.root_pem());
    if std::env::var_os("KEEP_ATTACKS").is_some() {
        std::fs::copy(&path, "/tmp/ts-stamped.pdf").unwrap();
        std::fs::copy(&anchor.root_pem, "/tmp/ts-root.pem").unwrap();
    }
    if let Some(pdfsig) = anchor.pdfsig(&path) {
        eprintln!("pdfsig: {pdfsig}");
        let valid = "Signature is Valid / Certificate is Trusted";
        assert_eq!(pdfsig.matches(valid).count(), 2, "{pdfsig}");
        assert!(pdfsig.contains("3: Signature has not yet been verified"), "{pdfsig}");
        assert!(pdfsig.ends_with(", whole file"), "{pdfsig}");
    }
    let Some((ok, summary)) = anchor.pyhanko(&path) else { return };
    eprintln!("pyHanko: {summary}");
    assert!(ok, "{summary}");
    assert!(summary.contains("INTACT:TRUSTED,EXTENDED_WITH_FORM_FILLING,ACCEPTABLE_MODIFICATIONS"));
    assert!(summary.contains("INTACT:TRUSTED,EXTENDED_WITH_LTA_UPDATES,ACCEPTABLE_MODIFICATIONS"));
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/pades-level.py");
    let out =
        std::process::Command::new("python3").arg(script).arg(&path).arg(&anchor.root_pem).output();
    let out = out.unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    eprintln!("pades-level.py:\n{text}");
    assert!(out.status.success(), "{text}{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        text.contains(
            "时间戳1: document time-stamp, intact, valid, trusted, genTime 2026-12-01 02:30:00"
        ),
        "{text}"
    );
    assert_eq!(text.matches(": PAdES B-T, AdES basic validation PASSED").count(), 2, "{text}");
}

/// The CLI by hand: `ca init`, `ca issue-tsa` (key 0600, recorded in `ca list`), `trust
/// add` of the roots, `timestamp`, then `verify` (text and `--json`) on the stamped
/// report: exit 0 with the time-stamp said; `verify` of a stamped report whose authority
/// is not installed exits 1.
#[test]
fn cli_issue_tsa_timestamp_and_verify() {
    use std::process::{Command, Output};
    let g = genuine("ts-cli");
    let data = g.dir.0.join("data");
    let run = |args: &[&str]| -> Output {
        Command::new(env!("CARGO_BIN_EXE_elder-assess"))
            .arg("--data-dir")
            .arg(&data)
            .args(args)
            .env_remove("ELDER_ASSESS_PASSWORD")
            .env_remove("ELDER_ASSESS_PASSPHRASE")
            .output()
            .unwrap()
    };
    let text = |out: &Output| {
        format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
    };
    let path = |name: &str| g.dir.0.join(name).to_str().unwrap().to_owned();
    std::fs::write(path("pass.txt"), "县级根证书口令-仅供测试-2026\n").unwrap();
    std::fs::write(path("report.pdf"), &g.twice).unwrap();
    std::fs::write(path("genuine-root.pem"), g.county.root_pem()).unwrap();
    let pass = path("pass.txt");
    let ok = |args: &[&str]| {
        let out = run(args);
        assert!(out.status.success(), "{args:?}: {}", text(&out));
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    ok(&["ca", "init", "--agency", "耿马县时间戳测试", "--passphrase-file", &pass]);
    let (cert, key) = (path("tsa.crt.pem"), path("tsa.key.pem"));
    let issued = ok(&[
        "ca",
        "issue-tsa",
        "--name",
        "耿马县评估时间戳服务",
        "--out-cert",
        &cert,
        "--out-key",
        &key,
        "--days",
        "365",
        "--passphrase-file",
        &pass,
    ]);
    assert!(issued.contains("已签发时间戳服务证书"), "{issued}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&key).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "the TSA key is private");
    }
    assert!(ok(&["ca", "list"]).contains("耿马县评估时间戳服务"));
    // The key is never overwritten.
    let again = run(&[
        "ca",
        "issue-tsa",
        "--name",
        "x",
        "--out-cert",
        &cert,
        "--out-key",
        &key,
        "--passphrase-file",
        &pass,
    ]);
    assert_eq!(again.status.code(), Some(2), "{}", text(&again));

    let stamped = path("stamped.pdf");
    ok(&[
        "timestamp",
        &path("report.pdf"),
        "--tsa-cert",
        &cert,
        "--tsa-key",
        &key,
        "--out",
        &stamped,
    ]);
    ok(&["trust", "add", &path("genuine-root.pem")]);
    // Only the assessors' root: the time-stamp's authority is not trusted yet.
    let untrusted = run(&["verify", &stamped]);
    assert_eq!(untrusted.status.code(), Some(1), "{}", text(&untrusted));
    assert!(text(&untrusted).contains("不可信"), "{}", text(&untrusted));
    ok(&["ca", "cert", "--out", &path("tsa-root.pem")]);
    ok(&["trust", "add", &path("tsa-root.pem")]);
    let said = ok(&["verify", &stamped]);
    assert!(said.contains("时间戳 1：时间戳1"), "{said}");
    assert!(said.contains("（北京时间），由 耿马县评估时间戳服务 签发，可信"), "{said}");
    assert!(said.contains("覆盖：签名 1、2"), "{said}");
    assert!(said.contains("PAdES B-T"), "{said}");
    let json: serde_json::Value =
        serde_json::from_str(&ok(&["verify", "--json", &stamped])).unwrap();
    assert_eq!(json["valid"], true);
    assert_eq!(json["timestamps"][0]["trusted"], true);
    assert_eq!(json["timestamps"][0]["covers"], serde_json::json!([1, 2]));
}

/// `timestamp` refuses an assessor-style certificate (no timeStamping purpose) as the
/// authority: exit 2, nothing written.
#[test]
fn cli_timestamp_refuses_a_certificate_without_the_time_stamping_purpose() {
    use std::process::Command;
    let g = genuine("ts-cli-refused");
    let path = |name: &str| g.dir.0.join(name).to_str().unwrap().to_owned();
    std::fs::write(path("report.pdf"), &g.twice).unwrap();
    let (plain_cert, plain_key) = g.county.plain_leaf_pem("不是时间戳服务");
    std::fs::write(path("plain.crt.pem"), plain_cert).unwrap();
    std::fs::write(path("plain.key.pem"), plain_key).unwrap();
    let refused = Command::new(env!("CARGO_BIN_EXE_elder-assess"))
        .arg("--data-dir")
        .arg(g.dir.0.join("data"))
        .args(["timestamp", &path("report.pdf"), "--tsa-cert", &path("plain.crt.pem")])
        .args(["--tsa-key", &path("plain.key.pem"), "--out", &path("nope.pdf")])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(refused.status.code(), Some(2), "{text}");
    assert!(text.contains("timeStamping"), "{text}");
    assert!(refused.stdout.is_empty());
    assert!(!g.dir.0.join("nope.pdf").exists());
}

/// The update as PDF 2.0 §12.8.5 and PAdES describe it: a signature field `时间戳1` in the
/// form and on page 1, invisible (`/Rect [0 0 0 0]`, no appearance), whose value is
/// `/Type /DocTimeStamp /Filter /Adobe.PPKLite /SubFilter /ETSI.RFC3161` with no claimed
/// time, and whose `/Contents` is the token plus a small zero padding.
#[test]
fn the_time_stamp_field_is_invisible_and_its_contents_sized_to_the_token() {
    use lopdf::{Document, Object};
    let g = genuine("ts-format");
    let stamped = add_document_timestamp(&g.twice, &tsa(&g.county), 13, at(STAMPED_AT)).unwrap();
    let doc = Document::load_mem(&stamped).unwrap();
    let catalog = doc.catalog().unwrap();
    let form = doc.dereference(catalog.get(b"AcroForm").unwrap()).unwrap().1.as_dict().unwrap();
    let fields = doc.dereference(form.get(b"Fields").unwrap()).unwrap().1.as_array().unwrap();
    let last = fields.last().unwrap().as_reference().unwrap();
    let field = doc.get_dictionary(last).unwrap();
    assert_eq!(lopdf::decode_text_string(field.get(b"T").unwrap()).unwrap(), "时间戳1");
    let rect: Vec<f32> = field
        .get(b"Rect")
        .unwrap()
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_float().unwrap())
        .collect();
    assert_eq!(rect, [0.0; 4]);
    assert!(!field.has(b"AP") && !field.has(b"Lock"));
    let page = doc.get_pages()[&1];
    let annots = doc.get_dictionary(page).unwrap().get(b"Annots").unwrap();
    let annots = doc.dereference(annots).unwrap().1.as_array().unwrap();
    assert!(annots.contains(&Object::Reference(last)));
    let value = doc.get_dictionary(field.get(b"V").unwrap().as_reference().unwrap()).unwrap();
    let name = |key: &[u8]| value.get(key).unwrap().as_name().unwrap().to_vec();
    assert_eq!(name(b"Type"), b"DocTimeStamp");
    assert_eq!(name(b"Filter"), b"Adobe.PPKLite");
    assert_eq!(name(b"SubFilter"), b"ETSI.RFC3161");
    assert!(!value.has(b"M"), "the time is the token's genTime, not a claim");
    let contents = value.get(b"Contents").unwrap().as_str().unwrap();
    let padding = contents.iter().rev().take_while(|&&b| b == 0).count();
    assert!(
        contents.len() < 2048 && padding <= 40,
        "{} bytes, {padding} of padding",
        contents.len()
    );
}

/// The token as RFC 3161 §2.4.2 and RFC 5652 lay it out: `SignedData` version 3 with
/// `eContentType` id-ct-TSTInfo and the `TSTInfo` encapsulated, the signed attributes
/// contentType (id-ct-TSTInfo), messageDigest and signing-certificate-v2 (no
/// signingTime), and the authority's certificate and the county root.
#[test]
fn a_token_is_a_version_3_signed_data_of_a_tst_info_with_ess_and_both_certificates() {
    use cms::content_info::{CmsVersion, ContentInfo};
    use cms::signed_data::SignedData;
    use const_oid::db::rfc5911::{
        ID_AA_SIGNING_CERTIFICATE_V_2, ID_CONTENT_TYPE, ID_MESSAGE_DIGEST, ID_SIGNED_DATA,
    };
    use der::Decode as _;
    let county = County::new("耿马傣族佤族自治县");
    let authority = tsa(&county);
    let token = authority.token(&[9; 32], 99, at(STAMPED_AT)).unwrap();
    let info = ContentInfo::from_der(&token).unwrap();
    assert_eq!(info.content_type, ID_SIGNED_DATA);
    let signed: SignedData = info.content.decode_as().unwrap();
    assert_eq!(signed.version, CmsVersion::V3);
    let tst_info = "1.2.840.113549.1.9.16.1.4".parse::<const_oid::ObjectIdentifier>().unwrap();
    assert_eq!(signed.encap_content_info.econtent_type, tst_info);
    assert!(signed.encap_content_info.econtent.is_some());
    assert_eq!(signed.certificates.as_ref().unwrap().0.len(), 2, "the authority and the root");
    let signer_info = signed.signer_infos.0.iter().next().unwrap();
    let attrs: Vec<_> = signer_info.signed_attrs.as_ref().unwrap().iter().map(|a| a.oid).collect();
    assert_eq!(attrs.len(), 3);
    for oid in [ID_CONTENT_TYPE, ID_MESSAGE_DIGEST, ID_AA_SIGNING_CERTIFICATE_V_2] {
        assert!(attrs.contains(&oid), "{oid}");
    }
    let content_type =
        signer_info.signed_attrs.as_ref().unwrap().iter().find(|a| a.oid == ID_CONTENT_TYPE);
    let value = content_type.unwrap().values.iter().next().unwrap();
    assert_eq!(value.decode_as::<const_oid::ObjectIdentifier>().unwrap(), tst_info);
}
