//! The conditions on the county facts alone (户籍, 特困 and the chosen arrangement, 低保,
//! 计划生育, 残疾等级, 优抚 and its group, supporters, 抚恤补助, long-term care, 经济困难,
//! pension, living situation), three-valued as in [`super::eval`].

use super::eval::{Truth, flag};
use super::raw::{Condition, FamilyPlanningIs, PensionIs, TekunIs, YoufuGroupIs};
use super::readings::{Hardship, Readings};
use crate::record::county::{CountyFacts, FamilyPlanning, Pension, Tekun, disability_grade_text};

/// Conditions on the county facts alone, under the county's readings `r`.
pub(super) fn county_truth(condition: &Condition, f: &CountyFacts, r: &Readings) -> Truth {
    match condition {
        Condition::LocalHukou => flag(f.local_hukou, "是否本县户籍", "本县户籍", "非本县户籍"),
        Condition::Tekun(which) => match f.tekun {
            None => Truth::Unknown(vec!["特困供养情况"]),
            Some(Tekun::None) => Truth::False(vec!["非特困供养人员".to_owned()]),
            Some(t) => {
                let ok = match which {
                    TekunIs::Any => true,
                    TekunIs::Dispersed => t == Tekun::Dispersed,
                    TekunIs::Centralized => t == Tekun::Centralized,
                };
                let text = format!("特困{}", t.label());
                if ok { Truth::True(vec![text]) } else { Truth::False(vec![text]) }
            }
        },
        Condition::TekunWantsInstitution => flag(
            f.tekun_wants_institution,
            "是否有集中供养意愿",
            "有集中供养意愿",
            "无集中供养意愿",
        ),
        Condition::TekunChoice(which) => tekun_choice(*which, f),
        Condition::Dibao => flag(f.dibao, "是否低保对象", "低保对象", "非低保对象"),
        Condition::FamilyPlanning(which) => match f.family_planning {
            None => Truth::Unknown(vec!["计划生育特别扶助对象情况"]),
            Some(FamilyPlanning::None) => Truth::False(vec!["非计划生育特别扶助对象".to_owned()]),
            Some(fp) => {
                let ok = match which {
                    FamilyPlanningIs::Any => true,
                    FamilyPlanningIs::ChildDied => fp == FamilyPlanning::ChildDied,
                    FamilyPlanningIs::ChildDisabled => fp == FamilyPlanning::ChildDisabled,
                };
                let text = format!("计划生育特别扶助对象（{}）", fp.label());
                if ok { Truth::True(vec![text]) } else { Truth::False(vec![text]) }
            }
        },
        Condition::DisabilityGrade(from, to) => match f.disability_grade {
            None => Truth::Unknown(vec!["残疾等级"]),
            Some(0) => Truth::False(vec!["无残疾等级".to_owned()]),
            Some(g) if (*from..=*to).contains(&g) => {
                Truth::True(vec![format!("残疾等级{}", disability_grade_text(g))])
            }
            Some(g) => Truth::False(vec![format!("残疾等级{}", disability_grade_text(g))]),
        },
        Condition::Youfu => flag(f.youfu, "是否优抚对象", "优抚对象", "非优抚对象"),
        Condition::YoufuGroup(groups) => youfu_group(groups, f),
        Condition::NoAbleSupporter => flag(
            f.no_able_supporter,
            "是否无法定赡养人、扶养人或其无赡养、扶养能力",
            "无法定赡养人、扶养人或其无赡养、扶养能力",
            "有具备赡养、扶养能力的法定赡养人、扶养人",
        ),
        Condition::StateYoufuAllowance => flag(
            f.state_youfu_allowance,
            "是否享受国家定期抚恤补助待遇",
            "享受国家定期抚恤补助待遇",
            "未享受国家定期抚恤补助待遇",
        ),
        Condition::NeedsLongTermCare => {
            flag(f.needs_long_term_care, "是否需要长期照护", "需要长期照护", "不需要长期照护")
        }
        Condition::SevereDisability => match f.disability_grade {
            None => Truth::Unknown(vec!["残疾等级"]),
            Some(g) if r.is_severe_grade(g) => {
                Truth::True(vec![format!("重度残疾（残疾等级{}）", disability_grade_text(g))])
            }
            Some(0) => Truth::False(vec!["无残疾等级".to_owned()]),
            Some(g) => {
                Truth::False(vec![format!("残疾等级{}，非重度残疾", disability_grade_text(g))])
            }
        },
        Condition::PensionDrawing => flag(
            f.pension_drawing,
            "是否已领取养老金",
            "已领取养老金（达到待遇享受年龄）",
            "未领取养老金",
        ),
        Condition::EconomicHardship => {
            flag(f.economic_hardship, "是否经济困难", "经济困难", "非经济困难")
        }
        Condition::Pension(which) => pension(*which, f),
        Condition::LivingAlone => flag(f.living_alone, "是否独居", "独居", "非独居"),
        Condition::EmptyNest => flag(f.empty_nest, "是否空巢", "空巢", "非空巢"),
        Condition::LeftBehind => flag(f.left_behind, "是否留守", "留守", "非留守"),
        // Age, level, dementia and groups are decided by `truth`.
        _ => Truth::Unknown(Vec::new()),
    }
}

/// The condition a reading of 经济困难 stands for.
pub(super) fn hardship_condition(hardship: Hardship) -> Condition {
    match hardship {
        Hardship::Flag => Condition::EconomicHardship,
        Hardship::Dibao => Condition::Dibao,
        Hardship::Tekun => Condition::Tekun(TekunIs::Any),
    }
}

/// The arrangement a 特困 elder chooses (自愿选择): the recorded wish, else the current
/// arrangement standing for it.
fn tekun_choice(which: TekunIs, f: &CountyFacts) -> Truth {
    let current = match f.tekun {
        None => return Truth::Unknown(vec!["特困供养情况"]),
        Some(Tekun::None) => return Truth::False(vec!["非特困供养人员".to_owned()]),
        Some(t) => t,
    };
    let (chosen, why) = match f.tekun_wants_institution {
        Some(true) => (Tekun::Centralized, "有集中供养意愿".to_owned()),
        Some(false) => (Tekun::Dispersed, "无集中供养意愿（选择在家分散供养）".to_owned()),
        None => (current, format!("未记录供养意愿，按现{}", current.label())),
    };
    let ok = match which {
        TekunIs::Any => true,
        TekunIs::Dispersed => chosen == Tekun::Dispersed,
        TekunIs::Centralized => chosen == Tekun::Centralized,
    };
    if ok { Truth::True(vec![why]) } else { Truth::False(vec![why]) }
}

/// 优抚对象 of one of `groups`.
fn youfu_group(groups: &[YoufuGroupIs], f: &CountyFacts) -> Truth {
    match (f.youfu, f.youfu_group) {
        (None, _) => Truth::Unknown(vec!["是否优抚对象"]),
        (Some(false), _) => Truth::False(vec!["非优抚对象".to_owned()]),
        (Some(true), None) => Truth::Unknown(vec!["优抚对象类别"]),
        (Some(true), Some(group)) => {
            let text = format!("优抚对象（{}）", group.label());
            if groups.contains(&group) { Truth::True(vec![text]) } else { Truth::False(vec![text]) }
        }
    }
}

/// Insured under this pension.
fn pension(which: PensionIs, f: &CountyFacts) -> Truth {
    match f.pension {
        None => Truth::Unknown(vec!["养老保险参保情况"]),
        Some(p) => {
            let ok = matches!(
                (which, p),
                (PensionIs::Employee, Pension::Employee) | (PensionIs::Resident, Pension::Resident)
            );
            let text = if p == Pension::None {
                "未参加基本养老保险".to_owned()
            } else {
                format!("参加{}", p.label())
            };
            if ok { Truth::True(vec![text]) } else { Truth::False(vec![text]) }
        }
    }
}
