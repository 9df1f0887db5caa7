//! A reader that goes away (`elder-assess stats | head -1`) is no crash: the commands
//! write through one locked stdout, a closed pipe ends the output quietly, and the exit
//! code stays the command's own (`println!` panicked with exit 101 on `EPIPE`).

use std::io::{BufRead as _, BufReader};
use std::path::Path;
use std::process::{Command, Output, Stdio};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_elder-assess"))
}

/// Runs the binary with `args` and a stdout whose reader is closed before the first
/// write (so every write meets `EPIPE`, with no race).
fn run_with_stdout_closed(args: &[&str]) -> Output {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    bin().args(args).stdout(writer).stderr(Stdio::piped()).output().unwrap()
}

fn assert_no_panic(out: &Output) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_ne!(out.status.code(), Some(101), "exit 101 is a panic: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(!stderr.contains("Broken pipe") && !stderr.contains("无法写出结果"), "{stderr}");
}

#[test]
fn a_closed_stdout_ends_the_output_quietly() {
    let scales = run_with_stdout_closed(&["scales"]);
    assert_no_panic(&scales);
    assert_eq!(scales.status.code(), Some(0));
    assert!(scales.stderr.is_empty(), "{}", String::from_utf8_lossy(&scales.stderr));

    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/example-assessment.json");
    let score = run_with_stdout_closed(&["score", example.to_str().unwrap()]);
    assert_no_panic(&score);
}

#[test]
fn a_closed_stdout_keeps_a_checks_finding() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let good = root.join("scales/gbt42195-2022.ron");
    let bad = root.join("tests/invalid_scales/band-gap.ron");
    let out =
        run_with_stdout_closed(&["check-scale", good.to_str().unwrap(), bad.to_str().unwrap()]);
    assert_no_panic(&out);
    assert_eq!(out.status.code(), Some(1), "the bad file is still a finding");
    assert!(String::from_utf8_lossy(&out.stderr).contains("band-gap.ron"));
}

#[test]
fn stats_piped_into_head_does_not_panic() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let mut child = bin()
        .arg("--data-dir")
        .arg(&data)
        .args(["stats", "--by", "township,level"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // `| head -1`: read one line, then go away.
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut first).unwrap();
    assert!(first.starts_with("已通过的评估"), "{first}");
    let out = child.wait_with_output().unwrap();
    assert_no_panic(&out);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));

    let closed = run_with_stdout_closed(&["--data-dir", data.to_str().unwrap(), "stats"]);
    assert_no_panic(&closed);
    assert_eq!(closed.status.code(), Some(0));
}

#[test]
fn stats_writes_its_out_file_even_when_nobody_reads_stdout() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let csv = dir.path().join("stats.csv");
    let out = run_with_stdout_closed(&[
        "--data-dir",
        data.to_str().unwrap(),
        "stats",
        "--out",
        csv.to_str().unwrap(),
    ]);
    assert_no_panic(&out);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let text = std::fs::read_to_string(&csv).unwrap();
    assert!(text.contains("合计"), "{text}");
}
