//! 县级证书 in the app: an admin installs the county root and a CRL from files on the
//! accounts screen (the work runs on a job), sees what the machine trusts, and a file that
//! is not a root or a CRL of one is refused with the reason; `verify` on this data
//! directory then trusts the root.

use elder_assess::sign::KdfCost;
use elder_assess::sign::trust::TrustStore;

use super::common::TempDir;
use super::ui::{shown_containing, wait_for_jobs};
use super::ui_bureau::{PASSWORD, app, click, now, sign_in, store_with_people, type_into};

#[test]
fn an_admin_installs_the_county_root_in_the_app() {
    let dir = TempDir::new("ui-trust");
    let bureau = TempDir::new("ui-trust-bureau");
    let root = elder_assess::sign::ca::create_root(
        bureau.path(),
        "耿马傣族佤族自治县",
        "根证书口令-仅供测试",
        now(),
        KdfCost::TestOnly,
    )
    .unwrap();
    let (store, _) = store_with_people(&dir);
    let mut harness = app(store);
    // Tall enough that the section at the bottom of the screen is in view without scrolling.
    harness.set_size(egui::vec2(1280.0, 1600.0));
    sign_in(&mut harness, "admin", PASSWORD);
    click(&mut harness, "账号管理");
    wait_for_jobs(&mut harness);
    assert!(shown_containing(&harness, "本机还没有安装县级根证书"));

    // Not a certificate: refused, nothing installed.
    let junk = bureau.path().join("junk.pem");
    std::fs::write(&junk, "not a certificate").unwrap();
    type_into(&mut harness, "证书或吊销列表文件", &junk.display().to_string());
    click(&mut harness, "安装证书文件");
    wait_for_jobs(&mut harness);
    harness.run();
    assert!(shown_containing(&harness, "无法安装信任文件"), "a refusal is shown");
    assert!(TrustStore::load(dir.path()).unwrap().roots.is_empty());

    type_into(&mut harness, "证书或吊销列表文件", &root.cert_path.display().to_string());
    click(&mut harness, "安装证书文件");
    wait_for_jobs(&mut harness);
    harness.run();
    assert!(shown_containing(&harness, "已安装 根证书：CN=耿马傣族佤族自治县老年人能力评估根证书"));
    assert!(shown_containing(&harness, "根证书：CN=耿马傣族佤族自治县老年人能力评估根证书"));
    let trust = TrustStore::load(dir.path()).unwrap();
    assert_eq!(trust.roots.len(), 1);
    assert_eq!(
        elder_assess::sign::certificate_fingerprint(&trust.roots[0]).unwrap(),
        root.fingerprint
    );
}
