//! Every file under `scales/` is bundled, loads and validates.

use std::path::Path;

use elder_assess::scale;

#[test]
fn every_shipped_scale_file_loads() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scales");
    let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "ron"))
        .map(|p| {
            scale::load_file(&p).unwrap_or_else(|e| panic!("{e}"));
            format!("scales/{}", p.file_name().unwrap().to_string_lossy())
        })
        .collect();
    on_disk.sort();
    let mut bundled: Vec<String> = scale::bundled_files().map(str::to_owned).collect();
    bundled.sort();
    assert_eq!(on_disk, bundled, "every file in scales/ must be bundled, and only those");
    assert!(!bundled.is_empty());
}

#[test]
fn gbt42195_has_the_standards_items_in_order() {
    let scale = super::common::gbt();
    let ids: Vec<&str> = scale.items().iter().map(scale::Item::id).collect();
    let expected: Vec<String> = [(1, 8), (2, 4), (3, 9), (4, 5)]
        .iter()
        .flat_map(|&(d, n)| (1..=n).map(move |i| format!("B.{d}.{i}")))
        .collect();
    assert_eq!(ids, expected);
    let names: Vec<&str> = scale.domains().iter().map(scale::Domain::name).collect();
    assert_eq!(names, ["自理能力", "基础运动能力", "精神状态", "感知觉与社会参与"]);
    let maxima: Vec<u8> = scale.items().iter().map(scale::Item::max).collect();
    assert_eq!(
        maxima,
        [4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 3, 4, 4, 4, 4, 4, 4, 1, 1, 2, 2, 2, 4, 3, 4]
    );
    let levels: Vec<&str> = scale.levels().iter().map(|l| l.name.as_str()).collect();
    assert_eq!(
        levels,
        [
            "能力完好",
            "能力轻度受损（轻度失能）",
            "能力中度受损（中度失能）",
            "能力重度受损（重度失能）",
            "能力完全丧失（完全失能）"
        ]
    );
    // B.1.7 option 3 follows the majority reading (每周<1次), see standard.md §10.4.
    let bowel = &scale.items()[scale.item_index("B.1.7").unwrap()];
    assert!(bowel.option(3).unwrap().text.contains("每周<1次"));
    assert!(scale.checks().len() >= 5);
}
