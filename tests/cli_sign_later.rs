//! Issue 15, `sign REPORT.pdf` adding the second signature later: the completed report is
//! kept as the record's signed report (what its sync envelope carries), as `report
//! NUMBER --sign --cosign-as` keeps it, but only when it is that record's sound and
//! newest report: one rendered before the record changed, or older than the one kept,
//! is not kept, and the command says why.

use std::path::Path;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use chrono::Utc;
use elder_assess::store::{Status, Store};
use elder_assess::sync::device::DeviceKey;

use super::cli_correction::{cli, ok, package_envelopes};
use super::common::{TempDir, bind_assessors};
use super::sync_outbox::{PASSWORD, county_account_keys, enrolled, example};

const NUMBER: &str = "PG20251201-D007-0001";

/// An enrolled device in `dir` holding record [`NUMBER`], completed and confirmed by a1
/// and a2, and both accounts' keys; the store (a1 signed in) and the record's row id.
fn device(dir: &TempDir) -> (Store, i64) {
    let store = enrolled(dir.path(), &DeviceKey::generate(), "D007", "a1", Vec::new());
    store.login("a1", PASSWORD, Utc::now()).unwrap();
    let id = store.save(&example(NUMBER), Status::Completed, Some(0), Utc::now()).unwrap();
    bind_assessors(&store, id, ["a1", "a2"], PASSWORD, Utc::now());
    county_account_keys(dir.path());
    (store, id)
}

/// `report NUMBER` signed by a1 only, to `file`.
fn signed_by_a1(d: &Path, file: &Path) {
    let out = ok(d, &["report", NUMBER, "--out", file.to_str().unwrap(), "--as", "a1", "--sign"]);
    assert!(out.contains("1 个数字签名"), "{out}");
}

/// `sign FILE --as a2 --out OUT`: (stdout, stderr).
fn a2_signs(d: &Path, file: &Path, out: &Path) -> (String, String) {
    let args = ["sign", file.to_str().unwrap(), "--as", "a2", "--out", out.to_str().unwrap()];
    let output = cli(d, &args);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
    (text(&output.stdout), text(&output.stderr))
}

/// The reports the device's next package carries.
fn exported_reports(d: &Path) -> Vec<Vec<u8>> {
    let package = d.join("package.json");
    ok(d, &["package", "export", "--out", package.to_str().unwrap(), "--as", "a1"]);
    package_envelopes(&package)
        .iter()
        .map(|e| BASE64.decode(e.open().unwrap().report_pdf).unwrap())
        .collect()
}

#[test]
fn a_report_completed_by_sign_later_is_kept_and_goes_out_with_the_record() {
    let dir = TempDir::new("cli-sign-later");
    let (store, _) = device(&dir);
    drop(store);
    let d = dir.path();
    let (one, two) = (d.join("one.pdf"), d.join("two.pdf"));
    signed_by_a1(d, &one);
    let (out, err) = a2_signs(d, &one, &two);
    assert!(out.contains("共 2 个数字签名"), "{out}");
    assert!(out.contains(&format!("已保存为评估 {NUMBER} 的签名报告")), "{out}{err}");
    ok(d, &["review", "submit", NUMBER, "--as", "a1"]);
    assert_eq!(exported_reports(d), vec![std::fs::read(&two).unwrap()]);
}

#[test]
fn a_report_older_than_the_record_or_the_kept_one_is_not_kept() {
    let dir = TempDir::new("cli-sign-later-stale");
    let (store, id) = device(&dir);
    let d = dir.path();
    let (old, newer) = (d.join("old.pdf"), d.join("newer.pdf"));
    signed_by_a1(d, &old);
    std::thread::sleep(Duration::from_millis(1100));
    signed_by_a1(d, &newer);
    // The newer report completed and kept first; the older one then does not replace it.
    let (out, _) = a2_signs(d, &newer, &d.join("newer-2.pdf"));
    assert!(out.contains("已保存为评估"), "{out}");
    let (out, err) = a2_signs(d, &old, &d.join("old-2.pdf"));
    assert!(!out.contains("已保存为评估"), "{out}");
    assert!(err.contains("更新的签名报告，未覆盖"), "{err}");
    assert_eq!(store.report_pdf(id).unwrap(), Some(std::fs::read(d.join("newer-2.pdf")).unwrap()));

    // The record changes after a report is rendered: that report is not kept.
    let stale = d.join("stale.pdf");
    signed_by_a1(d, &stale);
    std::thread::sleep(Duration::from_millis(1100));
    let mut record = store.load(id).unwrap().unwrap().record;
    record.health.other = "复核后补充".to_owned();
    store.save(&record, Status::Draft, None, Utc::now()).unwrap();
    store.save(&record, Status::Completed, Some(0), Utc::now()).unwrap();
    assert_eq!(store.report_pdf(id).unwrap(), None, "the change dropped the kept report");
    let (out, err) = a2_signs(d, &stale, &d.join("stale-2.pdf"));
    assert!(!out.contains("已保存为评估"), "{out}");
    assert!(err.contains("在报告生成后又有修改"), "{err}");
    assert_eq!(store.report_pdf(id).unwrap(), None);
    assert!(!err.contains(&record.subject.name), "no name: {err}");
}
