//! The README's county-server flow, run as written: the shell block that starts with
//! `# county-server-flow` is taken from README.md and run with bash, with the debug
//! binaries as `EA` and `EAS` and free ports. It starts a `PostgreSQL` and the county server,
//! enrols two laptops that assess the same elder offline, sign with county certificates,
//! submit and sync; a reviewer on a third machine receives both, approves one and returns
//! the other; the laptops receive the decisions; the server's stored report verifies with
//! its time-stamp.

use std::path::PathBuf;
use std::process::Command;

use super::pg;

/// The shell block that starts with `marker` in README.md.
fn readme_block(marker: &str) -> String {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md")).unwrap();
    let start = readme.find(marker).unwrap_or_else(|| panic!("README has no block {marker}"));
    let end = start + readme[start..].find("```").expect("the block's end");
    readme[start..end].to_owned()
}

/// The `elder-assess` binary beside this package's (`cargo test --workspace` builds it).
fn elder_assess() -> PathBuf {
    let server = PathBuf::from(env!("CARGO_BIN_EXE_elder-assess-server"));
    server.with_file_name(format!("elder-assess{}", std::env::consts::EXE_SUFFIX))
}

#[test]
fn the_readme_county_server_flow_runs_as_written() {
    if pg::bin_dir().is_none() {
        assert!(
            std::env::var("ELDER_ASSESS_REQUIRE_POSTGRES").as_deref() != Ok("1"),
            "PostgreSQL (initdb, pg_ctl) is required but not installed"
        );
        eprintln!("note: PostgreSQL is not installed; skipping the README's county-server flow");
        return;
    }
    let ea = elder_assess();
    assert!(ea.exists(), "{} is missing: build it first (cargo build --workspace)", ea.display());
    let script = format!("set -euo pipefail\n{}", readme_block("# county-server-flow"));
    let out = Command::new("bash")
        .arg("-c")
        .arg(&script)
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
        .env("EA", &ea)
        .env("EAS", env!("CARGO_BIN_EXE_elder-assess-server"))
        .env("PGPORT", pg::free_port().to_string())
        .env("PORT", pg::free_port().to_string())
        .env_remove("ELDER_ASSESS_PASSWORD")
        .env_remove("ELDER_ASSESS_PASSPHRASE")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "the flow failed:\n{stdout}\n{stderr}");
    // Each laptop uploaded its assessment once; the reviewer received both and sent two
    // decisions; each laptop received its own.
    assert_eq!(stdout.matches("同步完成：上传 1，").count(), 2, "{stdout}");
    assert!(stdout.contains("收到县级记录 2"), "{stdout}");
    assert!(
        stdout.contains("同步完成：上传 2，服务器已有 0，冲突 0，被拒 0，收到审核结果 2"),
        "{stdout}"
    );
    assert_eq!(stdout.matches("收到审核结果 1，").count(), 2, "{stdout}");
    // Two devices, one elder: both in the queue with the same masked ID number.
    assert!(stdout.contains("PG20261120-D001-0003\t耿马镇\t530926********0420"), "{stdout}");
    assert!(stdout.contains("PG20261120-D002-0003\t耿马镇\t530926********0420"), "{stdout}");
    assert!(stdout.contains("有县级时间戳服务的可信时间戳（PAdES B-T）"), "{stdout}");
    assert!(stdout.contains("耿马镇\t0\t0\t0\t1\t0\t1"), "{stdout}");
}
