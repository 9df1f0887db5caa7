//! Every `tests/invalid_scales/*.ron` starts with `// Error: line:column: message` lines:
//! loading the file must fail with exactly those errors, in that order, each prefixed by
//! the file name.

use std::path::Path;

use elder_assess::scale;

#[test]
fn each_invalid_scale_gives_its_documented_errors() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/invalid_scales");
    let mut files: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    assert!(files.len() >= 10, "expected the invalid scale files to be present");
    for file in files {
        let name = format!("tests/invalid_scales/{}", file.file_name().unwrap().to_string_lossy());
        let source = std::fs::read_to_string(&file).unwrap();
        let expected: Vec<String> = source
            .lines()
            .map_while(|line| line.strip_prefix("// Error: "))
            .map(|message| format!("{name}:{message}"))
            .collect();
        assert!(!expected.is_empty(), "{name} documents no expected error");
        let err = scale::from_ron_str(&source, &name).expect_err(&name).to_string();
        let actual: Vec<&str> = err.lines().collect();
        assert_eq!(actual, expected, "{name}");
    }
}

/// The same file with its error comments, minus the one mistake, is valid: so each file
/// tests exactly the mistake it names.
#[test]
fn the_base_of_the_invalid_scales_is_valid() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/invalid_scales");
    let source = std::fs::read_to_string(dir.join("misspelt-field.ron")).unwrap();
    let fixed = source.replace("nmae:", "name:");
    scale::from_ron_str(&fixed, "fixed.ron").unwrap();
}
