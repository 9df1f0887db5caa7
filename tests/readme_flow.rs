//! The README's county-trust flow, run as written: the shell block under "县级证书：签名可信
//! — the whole flow" (it starts with `# county-trust-flow`) is taken from README.md and run
//! with bash on a fresh data directory, with the debug binary as `EA`. It creates the
//! accounts, the county root, both assessors' keys and county certificates, signs the
//! example report by both, verifies it (exit 0) and revokes a certificate (verify exit 1).

use std::process::Command;

/// The shell block that starts with `marker` in README.md.
fn readme_block(marker: &str) -> String {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let start = readme.find(marker).unwrap_or_else(|| panic!("README has no block {marker}"));
    let end = start + readme[start..].find("```").expect("the block's end");
    readme[start..end].to_owned()
}

#[test]
fn the_readme_county_trust_flow_runs_as_written() {
    let script = format!("set -euo pipefail\n{}", readme_block("# county-trust-flow"));
    let out = Command::new("bash")
        .arg("-c")
        .arg(&script)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("EA", env!("CARGO_BIN_EXE_elder-assess"))
        .env_remove("ELDER_ASSESS_PASSPHRASE")
        .env_remove("ELDER_ASSESS_PASSWORD")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "the flow failed:\n{stdout}\n{stderr}");
    assert!(stdout.contains("结论：报告签名完整可信"), "{stdout}");
    assert!(
        stdout.contains("评估员证书 YN-PG-2026-017")
            && stdout.contains("评估员证书 YN-PG-2026-018"),
        "{stdout}"
    );
    assert!(stdout.contains("证书：不可信：证书已于") && stdout.contains("被吊销"), "{stdout}");
    assert!(stderr.contains("签名验证未通过"), "{stderr}");
}
