//! The engine layers stay pure: `src/scale`, `src/assessment`, `src/record`, `src/policy`,
//! `src/review.rs`, `src/tables` and `src/datafile` never mention the GUI, database or PDF
//! crates, threads or the network, nor the crate's own modules that use
//! them.

use std::path::{Path, PathBuf};

const PURE: &[&str] = &[
    "src/scale",
    "src/assessment",
    "src/record",
    "src/policy",
    "src/review.rs",
    "src/tables",
    "src/datafile",
];
const FORBIDDEN: &[&str] = &[
    "egui",
    "eframe",
    "rusqlite",
    "printpdf",
    "lopdf",
    "crate::store",
    "crate::ui",
    "crate::report",
    "crate::sign",
    "crate::output",
    "crate::cli",
    "std::net",
    "std::thread",
];

fn rust_files(path: &Path, out: &mut Vec<PathBuf>) {
    if path.is_dir() {
        for entry in std::fs::read_dir(path).unwrap() {
            rust_files(&entry.unwrap().path(), out);
        }
    } else if path.extension().is_some_and(|e| e == "rs") {
        out.push(path.to_owned());
    }
}

#[test]
fn engine_modules_import_no_gui_database_or_pdf_crate() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in PURE {
        let path = root.join(dir);
        if path.exists() {
            rust_files(&path, &mut files);
        }
    }
    assert!(files.len() >= 5, "the pure modules should exist: {files:?}");
    let mut offences = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            for name in FORBIDDEN {
                let used = code.contains(&format!("{name}::"))
                    || code.contains(&format!("use {name}"))
                    || code.contains(&format!("extern crate {name}"));
                if used {
                    offences.push(format!("{}:{}: {name}", file.display(), n + 1));
                }
            }
        }
    }
    assert!(
        offences.is_empty(),
        "engine code imports a GUI/DB/PDF crate:\n{}",
        offences.join("\n")
    );
}

/// Every `.rs` file under `src/` outside `allowed` that mentions `name` as a path.
fn mentions_outside(name: &str, allowed: &[&str]) -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    rust_files(&root.join("src"), &mut files);
    files
        .into_iter()
        .filter(|file| {
            let relative = file.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/");
            !allowed.iter().any(|a| relative.starts_with(a))
        })
        .filter(|file| {
            let text = std::fs::read_to_string(file).unwrap();
            text.lines().any(|line| {
                let code = line.split("//").next().unwrap_or("");
                code.contains(&format!("{name}::")) || code.contains(&format!("use {name}"))
            })
        })
        .map(|file| file.display().to_string())
        .collect()
}

#[test]
fn each_outside_crate_has_one_home() {
    assert_eq!(mentions_outside("rusqlite", &["src/store/"]), Vec::<String>::new());
    assert_eq!(mentions_outside("egui", &["src/ui/"]), Vec::<String>::new());
    assert_eq!(mentions_outside("eframe", &["src/ui/"]), Vec::<String>::new());
    assert_eq!(mentions_outside("printpdf", &["src/report/"]), Vec::<String>::new());
    assert_eq!(mentions_outside("lopdf", &["src/sign/"]), Vec::<String>::new());
    // Issue 15: the network client is one file; the sync orchestration reaches the
    // database only through the store's API.
    assert_eq!(mentions_outside("ureq", &["src/sync/client.rs"]), Vec::<String>::new());
}

/// Lower layers never name the layers built on them: the record (and its JSON-lines
/// import) knows nothing of the tables made from records, and `datafile` reads text for
/// the scale and policy modules without knowing either.
#[test]
fn records_and_data_files_do_not_reach_up() {
    let within = |dir: &str, name: &str| {
        let others: Vec<String> = mentions_outside(name, &[])
            .into_iter()
            .filter(|file| file.replace('\\', "/").contains(&format!("/{dir}/")))
            .collect();
        others
    };
    assert_eq!(within("src/record", "crate::tables"), Vec::<String>::new());
    for upper in ["crate::scale", "crate::policy", "crate::assessment", "crate::record"] {
        assert_eq!(within("src/datafile", upper), Vec::<String>::new(), "{upper}");
    }
}

/// The county server is a face of the same library without the desktop app: its normal
/// dependency tree (what `cargo build -p elder-assess-server` links) holds no GUI crate.
#[test]
fn the_server_never_links_the_gui() {
    let output = std::process::Command::new(env!("CARGO"))
        .args([
            "tree",
            "--offline",
            "-p",
            "elder-assess-server",
            "-e",
            "normal",
            "--prefix",
            "none",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let tree = String::from_utf8(output.stdout).unwrap();
    assert!(tree.contains("elder-assess v"), "the server links the library: {tree}");
    let gui: Vec<&str> = tree
        .lines()
        .filter(|line| ["egui", "eframe", "winit", "glow "].iter().any(|c| line.starts_with(c)))
        .collect();
    assert_eq!(gui, Vec::<&str>::new());
    // And the library's GUI module is behind the `gui` feature that the server leaves off.
    let lib =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/lib.rs")).unwrap();
    assert!(lib.contains("#[cfg(feature = \"gui\")]\npub mod ui;"));
}
