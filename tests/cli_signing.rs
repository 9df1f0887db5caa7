//! Issue 14, point 3 from the command line: each assessor signs their own slot with their
//! own account key (`report NUMBER --as A --sign [--cosign-as B]`, `sign REPORT.pdf --as
//! B`), and the refusals: another account for a slot, another account's key, a slot that
//! is already signed, assessor 2 before assessor 1.

use std::path::Path;

use chrono::{DateTime, Utc};
use elder_assess::sign::{KdfCost, create_account_key, read_slots, verify_pdf};
use lopdf::Document;

use super::common::TempDir;
use super::duties::{run, stderr, stdout, stored_record};
use super::review::PASSWORD;

fn at() -> DateTime<Utc> {
    DateTime::from_timestamp(1_764_316_800, 0).unwrap()
}

/// Gives account `login` (registered name `name`) a key with `passphrase`, unless it has
/// one already.
pub(super) fn account_key(dir: &Path, login: &str, name: &str, passphrase: &str) {
    if elder_assess::sign::account_key(dir, login).unwrap().is_none() {
        create_account_key(dir, login, name, passphrase, at(), KdfCost::TestOnly).unwrap();
    }
}

/// A store with record `number` bound to a1 and a2, both with keys; returns the password
/// file and the two passphrase files.
fn setup(dir: &TempDir, number: &str) -> [String; 3] {
    stored_record(dir, number);
    let file = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path.display().to_string()
    };
    account_key(dir.path(), "a1", "评估员甲", "passphrase of a1");
    account_key(dir.path(), "a2", "评估员乙", "passphrase of a2");
    [file("pw", PASSWORD), file("p1", "passphrase of a1"), file("p2", "passphrase of a2")]
}

/// The accounts (`UID`) of each signature's certificate, in order.
fn signer_accounts(pdf: &[u8]) -> Vec<String> {
    let checks = verify_pdf(pdf).unwrap();
    assert!(checks.iter().all(elder_assess::sign::SignatureCheck::is_intact), "{checks:?}");
    checks.iter().map(|check| check.signer.clone()).collect()
}

#[test]
fn both_assessors_sign_their_own_slots_in_one_run_with_their_own_keys() {
    let dir = TempDir::new("cli-cosign");
    let [pw, p1, p2] = setup(&dir, "S-1");
    let out = dir.path().join("both.pdf");
    let args = [
        "report",
        "S-1",
        "--out",
        out.to_str().unwrap(),
        "--as",
        "a1",
        "--sign",
        "--passphrase-file",
        &p1,
        "--cosign-as",
        "a2",
        "--cosign-password-file",
        &pw,
        "--cosign-passphrase-file",
        &p2,
    ];
    let output = run(dir.path(), &args, Path::new(&pw));
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stdout(&output).contains("2 个数字签名"), "{}", stdout(&output));
    let bytes = std::fs::read(&out).unwrap();
    assert_eq!(signer_accounts(&bytes), ["评估员甲", "评估员乙"]);
    // The slots name the two accounts, in the base revision.
    let slots = read_slots(&Document::load_mem(&bytes).unwrap());
    let accounts: Vec<_> = slots.iter().map(|s| s.account.as_deref()).collect();
    assert_eq!(accounts, [Some("a1"), Some("a2")]);

    // A wrong co-signer password: refused, nothing written.
    let bad = dir.path().join("bad-pw");
    std::fs::write(&bad, "not the password").unwrap();
    let out2 = dir.path().join("bad.pdf");
    let mut args2 = args;
    args2[3] = out2.to_str().unwrap();
    args2[11] = bad.to_str().unwrap();
    let output = run(dir.path(), &args2, Path::new(&pw));
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(!out2.exists());
}

#[test]
fn assessor_2_adds_their_signature_later_and_a_signed_slot_cannot_be_signed_again() {
    let dir = TempDir::new("cli-sign-later");
    let [pw, p1, p2] = setup(&dir, "S-2");
    let out = dir.path().join("first.pdf");
    let args = [
        "report",
        "S-2",
        "--out",
        out.to_str().unwrap(),
        "--as",
        "a1",
        "--sign",
        "--passphrase-file",
        &p1,
    ];
    let output = run(dir.path(), &args, Path::new(&pw));
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stdout(&output).contains("1 个数字签名"), "{}", stdout(&output));

    // a1's own passphrase does not open a2's key, and a1 cannot sign a2's slot.
    let signed = dir.path().join("both.pdf");
    let sign = |login: &str, passphrase: &str, to: &Path| {
        let args = [
            "sign",
            out.to_str().unwrap(),
            "--out",
            to.to_str().unwrap(),
            "--as",
            login,
            "--passphrase-file",
            passphrase,
        ];
        run(dir.path(), &args, Path::new(&pw))
    };
    let output = sign("a2", &p1, &signed);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(stderr(&output).contains("口令不正确"), "{}", stderr(&output));
    let output = sign("a1", &p1, &signed);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(stderr(&output).contains("评估员2须由账号 a2 本人签名"), "{}", stderr(&output));
    assert!(!signed.exists());

    let output = sign("a2", &p2, &signed);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stdout(&output).contains("评估员2") && stdout(&output).contains("2 个数字签名"));
    assert_eq!(signer_accounts(&std::fs::read(&signed).unwrap()), ["评估员甲", "评估员乙"]);

    // Slot 2 is signed: no third signature, whoever asks.
    let again = dir.path().join("again.pdf");
    let args = [
        "sign",
        signed.to_str().unwrap(),
        "--out",
        again.to_str().unwrap(),
        "--as",
        "a2",
        "--passphrase-file",
        &p2,
    ];
    let output = run(dir.path(), &args, Path::new(&pw));
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(stderr(&output).contains("都已完成"), "{}", stderr(&output));
    assert!(!again.exists());
}

#[test]
fn another_accounts_key_and_assessor_2_first_are_refused() {
    let dir = TempDir::new("cli-sign-refusals");
    let [pw, p1, p2] = setup(&dir, "S-3");
    let out = dir.path().join("r.pdf");
    // Assessor 2 cannot sign before assessor 1.
    let args = [
        "report",
        "S-3",
        "--out",
        out.to_str().unwrap(),
        "--as",
        "a2",
        "--sign",
        "--passphrase-file",
        &p2,
    ];
    let output = run(dir.path(), &args, Path::new(&pw));
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(stderr(&output).contains("评估员2须在评估员1签名之后签名"), "{}", stderr(&output));
    // a1's key files put under a2's name: the certificate names a1, so it is refused.
    let (key1, cert1) =
        elder_assess::sign::account_keys::account_key_paths(dir.path(), "a1").unwrap();
    let (key2, cert2) =
        elder_assess::sign::account_keys::account_key_paths(dir.path(), "a2").unwrap();
    std::fs::copy(key1, key2).unwrap();
    std::fs::copy(cert1, cert2).unwrap();
    let args = [
        "report",
        "S-3",
        "--out",
        out.to_str().unwrap(),
        "--as",
        "a1",
        "--sign",
        "--passphrase-file",
        &p1,
        "--cosign-as",
        "a2",
        "--cosign-password-file",
        &pw,
        "--cosign-passphrase-file",
        &p1,
    ];
    let output = run(dir.path(), &args, Path::new(&pw));
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(stderr(&output).contains("不是账号 a2 的证书"), "{}", stderr(&output));
    assert!(!out.exists());
}
