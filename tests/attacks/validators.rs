//! pdfsig (poppler, with an NSS database that trusts only the county root) and pyHanko
//! (with the county root as its only trust anchor), run on a file and summarised in a few
//! words for the verdict table. CI installs both (`.ci/run`); elsewhere a missing tool is
//! reported as such, unless `ELDER_ASSESS_REQUIRE_VALIDATORS` is set.

use std::path::{Path, PathBuf};
use std::process::Command;

fn have(tool: &str) -> bool {
    let found = Command::new("sh").arg("-c").arg(format!("command -v {tool}")).output();
    let found = found.is_ok_and(|o| o.status.success());
    assert!(
        found || std::env::var_os("ELDER_ASSESS_REQUIRE_VALIDATORS").is_none(),
        "{tool} is required (ELDER_ASSESS_REQUIRE_VALIDATORS is set)"
    );
    found
}

/// A directory with the county root as a PEM file and an NSS database trusting it.
pub struct Anchor {
    pub root_pem: PathBuf,
    nss: Option<PathBuf>,
}

impl Anchor {
    pub fn new(dir: &Path, root_pem: &str) -> Self {
        std::fs::create_dir_all(dir).unwrap();
        let root = dir.join("county-root.pem");
        std::fs::write(&root, root_pem).unwrap();
        let nss = have("certutil").then(|| {
            let db = dir.join("nss");
            std::fs::create_dir_all(&db).unwrap();
            let db_arg = format!("sql:{}", db.display());
            let run = |args: &[&str]| {
                let out = Command::new("certutil").args(args).output().unwrap();
                assert!(
                    out.status.success(),
                    "certutil {args:?}: {}",
                    String::from_utf8_lossy(&out.stderr)
                );
            };
            run(&["-N", "-d", &db_arg, "--empty-password"]);
            let root_arg = root.display().to_string();
            run(&["-A", "-d", &db_arg, "-n", "county-root", "-t", "CT,C,C", "-i", &root_arg]);
            db
        });
        Self { root_pem: root, nss }
    }

    /// pdfsig's per-signature findings, e.g. `1 Valid+Trusted; 2 Valid+Trusted, total`,
    /// or `None` if pdfsig (or certutil) is not installed.
    pub fn pdfsig(&self, pdf: &Path) -> Option<String> {
        let nss = self.nss.as_ref()?;
        if !have("pdfsig") {
            return None;
        }
        let out = Command::new("pdfsig")
            .arg("-nssdir")
            .arg(format!("sql:{}", nss.display()))
            // Not `-no-ocsp`: with it, poppler 22.12 reports "Unknown issue with Certificate"
            // for a valid chain. The certificates name no OCSP responder, so nothing is fetched.
            .arg(pdf)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        if text.trim().is_empty() {
            return Some(format!("error: {}", String::from_utf8_lossy(&out.stderr).trim()));
        }
        let mut parts = Vec::new();
        for block in text.split("Signature #").skip(1) {
            let n = block.split(':').next().unwrap_or("?").trim().to_owned();
            let value = |key: &str| {
                block
                    .lines()
                    .find_map(|l| l.trim().strip_prefix(key))
                    .map(|v| v.trim().trim_end_matches('.').to_owned())
            };
            let validity = value("- Signature Validation:").unwrap_or_default();
            let cert = value("- Certificate Validation:").unwrap_or_default();
            let total = if block.contains("Total document signed") { ", whole file" } else { "" };
            parts.push(format!("{n}: {validity} / {cert}{total}"));
        }
        if parts.is_empty() {
            parts.push(text.lines().next().unwrap_or_default().to_owned());
        }
        Some(parts.join("; "))
    }

    /// pyHanko's validation: its exit status and each signature's summary line (e.g.
    /// `INTACT:TRUSTED,UNTOUCHED`), or `None` if pyHanko is not installed.
    pub fn pyhanko(&self, pdf: &Path) -> Option<(bool, String)> {
        if !have("pyhanko") {
            return None;
        }
        let out = Command::new("pyhanko")
            .args(["sign", "validate", "--no-revocation-check", "--trust"])
            .arg(&self.root_pem)
            .arg("--trust-replace")
            .arg(pdf)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
        let summary = if lines.is_empty() {
            let err = String::from_utf8_lossy(&out.stderr);
            err.lines().rfind(|l| !l.trim().is_empty()).unwrap_or_default().trim().to_owned()
        } else {
            lines
                .iter()
                .map(|l| l.split(':').skip(1).collect::<Vec<_>>().join(":"))
                .collect::<Vec<_>>()
                .join("; ")
        };
        Some((out.status.success(), summary))
    }

    /// pyHanko's pretty-printed report (for the difference analysis wording).
    pub fn pyhanko_pretty(&self, pdf: &Path) -> Option<String> {
        if !have("pyhanko") {
            return None;
        }
        let out = Command::new("pyhanko")
            .args(["sign", "validate", "--pretty-print", "--no-revocation-check", "--trust"])
            .arg(&self.root_pem)
            .arg("--trust-replace")
            .arg(pdf)
            .output()
            .unwrap();
        Some(String::from_utf8_lossy(&out.stdout).into_owned())
    }
}

/// Signs `input` into `output` with pyHanko as a stranger would (a new visible field on
/// page 1 named `Stranger`), with an unencrypted PEM key and certificate; `false` if
/// pyHanko is not installed.
pub fn pyhanko_sign(input: &Path, output: &Path, key: &Path, cert: &Path) -> bool {
    if !have("pyhanko") {
        return false;
    }
    let out = Command::new("pyhanko")
        .args([
            "sign",
            "addsig",
            "--field",
            "1/200,200,360,240/Stranger",
            "pemder",
            "--no-pass",
            "--key",
        ])
        .arg(key)
        .arg("--cert")
        .arg(cert)
        .arg(input)
        .arg(output)
        .output()
        .unwrap();
    assert!(out.status.success(), "pyhanko addsig: {}", String::from_utf8_lossy(&out.stderr));
    true
}
