//! Priority for admission to public institutions (公办养老机构), after section 三（七）
//! of the county plan:
//!
//! 1. 特困 elders who wish to be supported in an institution come first ("对有集中供养意愿的
//!    特困老年人全部实现集中供养").
//! 2. Then economically disadvantaged elders who are 失能, 失智, 重残 (disability grade 一级 or
//!    二级), 高龄 (80 and over), 计划生育特殊家庭 or 优抚对象.
//! 3. At equal conditions, military families and survivors (优抚对象) go first; within a
//!    group, a worse final level first, then the older first.
//!
//! Elders in neither group have no priority. Unknown facts never raise priority; the
//! reasons list what was found.

use std::cmp::Ordering;

use serde::Serialize;

use super::eval::Subject;
use crate::record::county::{FamilyPlanning, Tekun};

/// An elder's place in the admission queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Priority {
    /// 1 = 特困 wishing institutional support; 2 = economically disadvantaged with a listed
    /// condition.
    pub group: u8,
    /// Military family or survivor (preferred at equal conditions).
    pub youfu: bool,
    /// Final level (worse first within a group), if assessed.
    pub final_level: Option<u8>,
    /// Age (older first within a group), if known.
    pub age: Option<u32>,
    /// Why, in words.
    pub reasons: Vec<String>,
}

/// The elder's priority group, or `None` when neither group applies.
pub fn priority(subject: &Subject) -> Option<Priority> {
    let f = &subject.facts;
    let youfu = f.youfu == Some(true);
    let age = subject.age();
    let make =
        |group, reasons| Priority { group, youfu, final_level: subject.final_level, age, reasons };
    let tekun = matches!(f.tekun, Some(Tekun::Dispersed | Tekun::Centralized));
    if tekun && f.tekun_wants_institution == Some(true) {
        return Some(make(1, vec!["特困人员，有集中供养意愿".to_owned()]));
    }
    if f.economic_hardship != Some(true) && f.dibao != Some(true) {
        return None;
    }
    let mut reasons =
        vec![if f.economic_hardship == Some(true) { "经济困难" } else { "低保对象" }.to_owned()];
    let mut listed = false;
    let mut note = |holds: bool, text: String| {
        if holds {
            reasons.push(text);
            listed = true;
        }
    };
    note(subject.final_level.is_some_and(|l| l >= 1), "失能".to_owned());
    note(subject.dementia == Some(true), "失智".to_owned());
    note(f.disability_grade.is_some_and(|g| (1..=2).contains(&g)), "重度残疾".to_owned());
    note(age.is_some_and(|a| a >= 80), "高龄".to_owned());
    note(
        matches!(
            f.family_planning,
            Some(FamilyPlanning::ChildDied | FamilyPlanning::ChildDisabled)
        ),
        "计划生育特殊家庭".to_owned(),
    );
    note(youfu, "优抚对象".to_owned());
    listed.then(|| make(2, reasons))
}

/// Admission order: group, then 优抚对象 first, then worse final level, then older.
/// Unknown level or age sorts after known ones. Returns indices into `priorities`, in
/// order; elders with no priority are left out.
pub fn admission_order(priorities: &[Option<Priority>]) -> Vec<usize> {
    let mut order: Vec<usize> =
        (0..priorities.len()).filter(|&i| priorities[i].is_some()).collect();
    order.sort_by(|&a, &b| match (&priorities[a], &priorities[b]) {
        (Some(x), Some(y)) => compare(x, y).then(a.cmp(&b)),
        _ => Ordering::Equal,
    });
    order
}

fn compare(x: &Priority, y: &Priority) -> Ordering {
    // `Option` orders `None` before `Some`, so comparing y with x puts higher levels and
    // ages first and unknown ones last.
    x.group
        .cmp(&y.group)
        .then(y.youfu.cmp(&x.youfu))
        .then(y.final_level.cmp(&x.final_level))
        .then(y.age.cmp(&x.age))
}
