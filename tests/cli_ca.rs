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

/// A fresh data directory with an admin and two assessors, and the secret files.
struct Flow {
    tmp: TempDir,
    pw: String,
    root_pass: String,
    key_pass: String,
}

impl Flow {
    fn new() -> Self {
        let tmp = TempDir::new("cli-ca-flow");
        let pw = write(tmp.path(), "pw", "a long account password");
        let root_pass = write(tmp.path(), "root-pass", "the county root passphrase");
        let key_pass = write(tmp.path(), "key-pass", "liming's key passphrase");
        let flow = Self { tmp, pw, root_pass, key_pass };
        let pw = flow.pw.clone();
        ok(
            flow.data(),
            &[
                "accounts",
                "init",
                "--login",
                "admin",
                "--name",
                "管理员",
                "--new-password-file",
                &pw,
            ],
        );
        for (login, name) in [("liming", "李明"), ("yangfang", "杨芳")] {
            let add = ["accounts", "add", "--login", login, "--name", name, "--role", "assessor"];
            flow.admin_ok(&[&add[..], &["--new-password-file", &pw]].concat());
        }
        flow
    }

    fn data(&self) -> &Path {
        self.tmp.path()
    }

    /// A file beside the data (in the same temporary directory).
    fn file(&self, name: &str) -> String {
        self.tmp.path().join(name).to_str().unwrap().to_owned()
    }

    fn as_(&self, login: &str, args: &[&str]) -> Vec<String> {
        let mut all: Vec<String> = args.iter().map(|s| (*s).to_owned()).collect();
        all.extend(["--as", login, "--password-file", &self.pw].map(str::to_owned));
        all
    }

    fn ok_as(&self, login: &str, args: &[&str]) -> String {
        let args = self.as_(login, args);
        ok(self.data(), &args.iter().map(String::as_str).collect::<Vec<_>>())
    }

    fn refused_as(&self, login: &str, args: &[&str]) -> String {
        let args = self.as_(login, args);
        refused(self.data(), &args.iter().map(String::as_str).collect::<Vec<_>>())
    }

    fn admin_ok(&self, args: &[&str]) -> String {
        self.ok_as("admin", args)
    }

    fn issue(&self, csr: &str, login: &str, name: &str, out: &str) -> Vec<String> {
        let args =
            ["ca", "issue", csr, "--login", login, "--name", name, "--number", "YN-PG-2026-017"];
        let rest = ["--out", out, "--passphrase-file", &self.root_pass];
        self.as_("admin", &[&args[..], &rest[..]].concat())
    }
}

fn line_after(out: &str, prefix: &str) -> String {
    out.lines()
        .find_map(|line| line.trim().strip_prefix(prefix))
        .unwrap_or_else(|| panic!("no {prefix} in {out}"))
        .to_owned()
}

/// `ca init` (admin only, once), `ca cert`, `trust add` of the root.
fn county_root(flow: &Flow) {
    let init = ["ca", "init", "--passphrase-file", &flow.root_pass];
    flow.refused_as("liming", &init);
    let out = flow.admin_ok(&init);
    assert!(out.contains("耿马傣族佤族自治县老年人能力评估根证书"), "{out}");
    assert!(out.contains("SHA-256 指纹："), "{out}");
    flow.refused_as("admin", &init);
    let root = flow.file("root.pem");
    ok(flow.data(), &["ca", "cert", "--out", &root]);
    let out = flow.admin_ok(&["trust", "add", &root]);
    assert!(out.contains("根证书"), "{out}");
}

/// `keys new` (key and request), `keys request`, `ca issue` (refusals first), `ca list`;
/// returns the certificate file and its serial.
fn issued_certificate(flow: &Flow) -> (String, String) {
    let out = flow.ok_as("liming", &["keys", "new", "--passphrase-file", &flow.key_pass]);
    let csr = line_after(&out, "证书申请：");
    assert!(Path::new(&csr).is_file() && csr.ends_with(".csr.pem"), "{csr}");
    assert!(ok(flow.data(), &["keys", "list"]).contains("练习证书"));
    let again = flow.file("again.csr");
    flow.ok_as(
        "liming",
        &["keys", "request", "--out", &again, "--passphrase-file", &flow.key_pass],
    );
    assert!(std::fs::read_to_string(&again).unwrap().contains("CERTIFICATE REQUEST"));

    let run_issue = |login: &str, name: &str, out: &str| {
        let args = flow.issue(&csr, login, name, out);
        run(flow.data(), &args.iter().map(String::as_str).collect::<Vec<_>>())
    };
    let wrong = flow.file("wrong.pem");
    let output = run_issue("yangfang", "李明", &wrong);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("UID") && stderr(&output).contains("不一致"));
    let output = run_issue("liming", "杨芳", &wrong);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("不一致") && !stderr(&output).contains("杨芳"));
    let cert = flow.file("liming.crt.pem");
    let output = run_issue("liming", "李明", &cert);
    assert!(output.status.success(), "{}", stderr(&output));
    let out = stdout(&output);
    assert!(out.contains("UID=liming") && out.contains("SERIALNUMBER=YN-PG-2026-017"), "{out}");
    let serial = line_after(&out, "序列号：");
    let listed = flow.admin_ok(&["ca", "list"]);
    assert!(listed.contains(&serial) && listed.contains("有效"), "{listed}");
    assert!(!listed.contains("YN-PG-2026-017"), "{listed}");
    (cert, serial)
}

#[test]
fn the_readme_county_certificate_flow_works_on_a_fresh_data_directory() {
    let flow = Flow::new();
    county_root(&flow);
    let (cert, serial) = issued_certificate(&flow);

    // Installed for its own account only.
    let err = flow.refused_as("yangfang", &["keys", "install", &cert]);
    assert!(err.contains("yangfang"), "{err}");
    let out = flow.ok_as("liming", &["keys", "install", &cert]);
    assert!(out.contains("县级证书") && out.contains("根证书"), "{out}");
    let keys = ok(flow.data(), &["keys", "list"]);
    assert!(keys.starts_with("李明\t") && keys.contains("县级证书"), "{keys}");
    assert!(!keys.contains("练习证书"), "{keys}");
    let key = elder_assess::sign::account_key(flow.data(), "liming").unwrap().unwrap();
    assert!(key.issuer.is_some());

    // Revocation: a CRL that the trust store takes.
    let crl = flow.file("county.crl.pem");
    let out = flow.admin_ok(&[
        "ca",
        "revoke",
        &serial,
        "--out",
        &crl,
        "--passphrase-file",
        &flow.root_pass,
    ]);
    assert!(out.contains(&serial), "{out}");
    let out = flow.admin_ok(&["trust", "add", &crl]);
    assert!(out.contains("吊销列表") && out.contains("1 个已吊销证书"), "{out}");
    let trust = ok(flow.data(), &["trust", "list"]);
    assert_eq!(trust.lines().count(), 2, "{trust}");
    assert!(flow.admin_ok(&["ca", "list"]).contains("已吊销"));
    // A leaf certificate is no root.
    let err = flow.refused_as("admin", &["trust", "add", &cert]);
    assert!(err.contains("根证书"), "{err}");
}
