//! Issue 12 in the app: the county facts the plan needs (优抚对象类别, supporters,
//! 国家定期抚恤补助, 要长期照护) are asked where they apply. (The panel's total and priority
//! texts are checked in `ui::county_facts_are_marked_as_county_data_and_entitlements_show_after_the_grade`.)

use elder_assess::ui::wizard::Section;

use super::ui::{app, data_dir, new_assessment, open_section, shown_containing};

#[test]
fn the_plans_new_facts_are_asked_where_they_apply() {
    let dir = data_dir("county-new-facts");
    let mut harness = app(&dir);
    new_assessment(&mut harness);
    open_section(&mut harness, "县级补充信息");
    assert_eq!(harness.state().editor().unwrap().section, Section::County);
    assert!(!shown_containing(&harness, "优抚对象类别"));
    assert!(!shown_containing(&harness, "需要长期照护"));
    {
        let record = &mut harness.state_mut().editor_mut().unwrap().record;
        record.county.youfu = Some(true);
        record.county.disability_grade = Some(1);
    }
    harness.run();
    for label in [
        "优抚对象类别",
        "享受国家定期抚恤补助待遇",
        "无法定赡养人、扶养人，或其无赡养、扶养能力",
        "需要长期照护",
    ] {
        assert!(shown_containing(&harness, label), "{label}");
    }
}
