//! Issue 14 from the command line: the README's county-certificate flow through the real
//! binary on a fresh data directory — `ca init`, `ca cert`, `trust add`, `keys new`,
//! `ca issue`, `keys install`, `ca revoke`, `trust add` of the CRL — and its refusals.

use std::path::Path;
use std::process::{Command, Output};

use super::common::TempDir;

fn run(data: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_elder-assess"))
        .arg("--data-dir")
        .arg(data)
        .args(args)
        .env_remove("ELDER_ASSESS_PASSWORD")
        .env_remove("ELDER_ASSESS_NEW_PASSWORD")
        .env_remove("ELDER_ASSESS_PASSPHRASE")
        .output()
        .unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Runs and expects success; returns stdout.
fn ok(data: &Path, args: &[&str]) -> String {
    let output = run(data, args);
    assert!(output.status.success(), "{args:?}: {}{}", stdout(&output), stderr(&output));
    stdout(&output)
}

/// Runs and expects exit 2; returns stderr.
fn refused(data: &Path, args: &[&str]) -> String {
    let output = run(data, args);
    assert_eq!(output.status.code(), Some(2), "{args:?}: {}{}", stdout(&output), stderr(&output));
    stderr(&output)
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, format!("{text}\n")).unwrap();
    path.to_str().unwrap().to_owned()
}

#[test]
fn the_readme_county_certificate_flow_works_on_a_fresh_data_directory() {
    let tmp = TempDir::new("cli-ca-flow");
    let data = tmp.path().join("data");
    let files = tmp.path();
    let data = data.as_path();
    let pw = write(files, "pw", "a long account password");
    let root_pass = write(files, "root-pass", "the county root passphrase");
    let key_pass = write(files, "key-pass", "liming's key passphrase");
    let p = |name: &str| -> String { files.join(name).to_str().unwrap().to_owned() };
    let admin = ["--as", "admin", "--password-file", pw.as_str()];
    let liming = ["--as", "liming", "--password-file", pw.as_str()];
    let with = |args: &[&str], extra: &[&str]| -> Vec<String> {
        args.iter().chain(extra).map(|s| (*s).to_owned()).collect()
    };
    let ok_v = |args: Vec<String>| ok(data, &args.iter().map(String::as_str).collect::<Vec<_>>());
    let refused_v =
        |args: Vec<String>| refused(data, &args.iter().map(String::as_str).collect::<Vec<_>>());

    ok(
        data,
        &["accounts", "init", "--login", "admin", "--name", "管理员", "--new-password-file", &pw],
    );
    ok_v(with(
        &[
            "accounts",
            "add",
            "--login",
            "liming",
            "--name",
            "李明",
            "--role",
            "assessor",
            "--new-password-file",
            &pw,
        ],
        &admin,
    ));
    ok_v(with(
        &[
            "accounts",
            "add",
            "--login",
            "yangfang",
            "--name",
            "杨芳",
            "--role",
            "assessor",
            "--new-password-file",
            &pw,
        ],
        &admin,
    ));

    // The county root: an admin only, once accounts exist.
    let err = refused_v(with(&["ca", "init", "--passphrase-file", &root_pass], &liming));
    assert!(!err.is_empty());
    let out = ok_v(with(&["ca", "init", "--passphrase-file", &root_pass], &admin));
    assert!(out.contains("耿马傣族佤族自治县老年人能力评估根证书"), "{out}");
    assert!(out.contains("SHA-256 指纹："), "{out}");
    refused_v(with(&["ca", "init", "--passphrase-file", &root_pass], &admin));
    let root = p("root.pem");
    ok(data, &["ca", "cert", "--out", &root]);
    let out = ok_v(with(&["trust", "add", &root], &admin));
    assert!(out.contains("根证书"), "{out}");

    // The assessor's key and request, then the county's certificate.
    let out = ok_v(with(&["keys", "new", "--passphrase-file", &key_pass], &liming));
    let csr = out
        .lines()
        .find_map(|line| line.trim().strip_prefix("证书申请："))
        .unwrap_or_else(|| panic!("{out}"))
        .to_owned();
    assert!(Path::new(&csr).is_file() && csr.ends_with(".csr.pem"), "{csr}");
    assert!(ok(data, &["keys", "list"]).contains("练习证书"));
    let again = p("again.csr");
    ok_v(with(&["keys", "request", "--out", &again, "--passphrase-file", &key_pass], &liming));
    assert!(std::fs::read_to_string(&again).unwrap().contains("CERTIFICATE REQUEST"));

    let cert = p("liming.crt.pem");
    let issue = |login: &str, name: &str, out: &str| {
        with(
            &[
                "ca",
                "issue",
                &csr,
                "--login",
                login,
                "--name",
                name,
                "--number",
                "YN-PG-2026-017",
                "--out",
                out,
                "--passphrase-file",
                &root_pass,
            ],
            &admin,
        )
    };
    let err = refused_v(issue("yangfang", "李明", &p("wrong.pem")));
    assert!(err.contains("UID") && err.contains("不一致"), "{err}");
    let err = refused_v(issue("liming", "杨芳", &p("wrong.pem")));
    assert!(err.contains("不一致") && !err.contains("杨芳"), "{err}");
    let out = ok_v(issue("liming", "李明", &cert));
    assert!(out.contains("UID=liming") && out.contains("SERIALNUMBER=YN-PG-2026-017"), "{out}");
    let serial = out
        .lines()
        .find_map(|line| line.trim().strip_prefix("序列号："))
        .unwrap_or_else(|| panic!("{out}"))
        .to_owned();
    let listed = ok_v(with(&["ca", "list"], &admin));
    assert!(listed.contains(&serial) && listed.contains("有效"), "{listed}");
    assert!(!listed.contains("YN-PG-2026-017"), "{listed}");

    // Installed for its own account only.
    let err =
        refused_v(with(&["keys", "install", &cert], &["--as", "yangfang", "--password-file", &pw]));
    assert!(err.contains("yangfang"), "{err}");
    let out = ok_v(with(&["keys", "install", &cert], &liming));
    assert!(out.contains("县级证书") && out.contains("根证书"), "{out}");
    let keys = ok(data, &["keys", "list"]);
    assert!(keys.starts_with("李明\t") && keys.contains("县级证书"), "{keys}");
    assert!(!keys.contains("练习证书"), "{keys}");
    // The new certificate is bound to the account in the store (like the practice one).
    let key = elder_assess::sign::account_key(data, "liming").unwrap().unwrap();
    assert!(key.issuer.is_some());

    // Revocation: a CRL that the trust store takes.
    let crl = p("county.crl.pem");
    let out = ok_v(with(
        &["ca", "revoke", &serial, "--out", &crl, "--passphrase-file", &root_pass],
        &admin,
    ));
    assert!(out.contains(&serial), "{out}");
    let out = ok_v(with(&["trust", "add", &crl], &admin));
    assert!(out.contains("吊销列表") && out.contains("1 个已吊销证书"), "{out}");
    let trust = ok(data, &["trust", "list"]);
    assert_eq!(trust.lines().count(), 2, "{trust}");
    assert!(ok_v(with(&["ca", "list"], &admin)).contains("已吊销"));
    // A leaf certificate is no root.
    let err = refused_v(with(&["trust", "add", &cert], &admin));
    assert!(err.contains("根证书"), "{err}");
}
