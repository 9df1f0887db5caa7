//! 县级补充信息: the county facts for entitlements, clearly marked as county data outside
//! GB/T 42195, and the entitlements panel shown after the grade.

use egui::{RichText, Ui};

use crate::policy::{
    Decision, Policy, Status, Subject, cash_total, evaluate, order_rule_text, priority,
};
use crate::record::AssessmentRecord;
use crate::record::county::{
    CountyFacts, FamilyPlanning, Pension, Tekun, YoufuGroup, disability_grade_text,
};
use crate::scale::Scale;

use super::super::form::labelled_row;
use super::{Editor, theme};

/// Radio buttons for an optional value: 未填 first, then each option.
fn choice<T: Copy + PartialEq>(
    ui: &mut Ui,
    id: &str,
    value: &mut Option<T>,
    options: &[(T, &str)],
) {
    ui.horizontal_wrapped(|ui| {
        ui.push_id(id, |ui| {
            if ui.radio(value.is_none(), "未填").clicked() {
                *value = None;
            }
            for (option, label) in options {
                if ui.radio(*value == Some(*option), *label).clicked() {
                    *value = Some(*option);
                }
            }
        });
    });
}

fn yes_no(ui: &mut Ui, id: &str, value: &mut Option<bool>) {
    choice(ui, id, value, &[(true, "是"), (false, "否")]);
}

/// The county facts form.
pub(super) fn county_ui(ui: &mut Ui, editor: &mut Editor, policy: Option<&Policy>) {
    ui.heading("县级补充信息");
    let list = policy.map_or("本县基本养老服务清单", |p| p.name.as_str());
    ui.label(
        RichText::new(format!("本页为{list}所需的本县数据，不属于 GB/T 42195-2022 评估内容；未填的项目会使相关服务显示为“需补充信息”。"))
            .color(theme::WARNING),
    );
    let f: &mut CountyFacts = &mut editor.record.county;
    labelled_row(ui, "本县户籍", false, |ui, _| {
        yes_no(ui, "hukou", &mut f.local_hukou);
    });
    labelled_row(ui, "特困供养", false, |ui, _| {
        let options: Vec<(Tekun, &str)> = Tekun::ALL.iter().map(|t| (*t, t.label())).collect();
        choice(ui, "tekun", &mut f.tekun, &options);
    });
    if matches!(f.tekun, Some(Tekun::Dispersed | Tekun::Centralized)) {
        labelled_row(ui, "愿意入住养老机构集中供养", false, |ui, _| {
            yes_no(ui, "institution", &mut f.tekun_wants_institution);
        });
    }
    labelled_row(ui, "低保对象", false, |ui, _| {
        yes_no(ui, "dibao", &mut f.dibao);
    });
    labelled_row(ui, "计划生育特别扶助对象", false, |ui, _| {
        let options: Vec<(FamilyPlanning, &str)> =
            FamilyPlanning::ALL.iter().map(|t| (*t, t.label())).collect();
        choice(ui, "family-planning", &mut f.family_planning, &options);
    });
    labelled_row(ui, "残疾等级", false, |ui, _| {
        let options: Vec<(u8, &str)> = (0..=4).map(|g| (g, disability_grade_text(g))).collect();
        choice(ui, "disability", &mut f.disability_grade, &options);
    });
    if matches!(f.disability_grade, Some(1 | 2)) {
        labelled_row(ui, "需要长期照护", false, |ui, _| {
            yes_no(ui, "long-term-care", &mut f.needs_long_term_care);
        });
    }
    labelled_row(ui, "优抚对象", false, |ui, _| {
        yes_no(ui, "youfu", &mut f.youfu);
    });
    if f.youfu == Some(true) {
        labelled_row(ui, "优抚对象类别", false, |ui, _| {
            let options: Vec<(YoufuGroup, &str)> =
                YoufuGroup::ALL.iter().map(|g| (*g, g.label())).collect();
            choice(ui, "youfu-group", &mut f.youfu_group, &options);
        });
        labelled_row(
            ui,
            "无法定赡养人、扶养人，或其无赡养、扶养能力",
            false,
            |ui, _| {
                yes_no(ui, "no-supporter", &mut f.no_able_supporter);
            },
        );
        labelled_row(ui, "享受国家定期抚恤补助待遇", false, |ui, _| {
            yes_no(ui, "state-allowance", &mut f.state_youfu_allowance);
        });
    }
    labelled_row(ui, "经济困难", false, |ui, _| {
        yes_no(ui, "hardship", &mut f.economic_hardship);
    });
    labelled_row(ui, "独居", false, |ui, _| {
        yes_no(ui, "alone", &mut f.living_alone);
    });
    labelled_row(ui, "空巢", false, |ui, _| {
        yes_no(ui, "empty-nest", &mut f.empty_nest);
    });
    labelled_row(ui, "留守", false, |ui, _| {
        yes_no(ui, "left-behind", &mut f.left_behind);
    });
    labelled_row(ui, "基本养老保险", false, |ui, _| {
        let options: Vec<(Pension, &str)> = Pension::ALL.iter().map(|t| (*t, t.label())).collect();
        choice(ui, "pension", &mut f.pension, &options);
    });
    if matches!(f.pension, Some(Pension::Employee | Pension::Resident)) {
        labelled_row(ui, "已领取养老金", false, |ui, _| {
            yes_no(ui, "drawing", &mut f.pension_drawing);
        });
    }
    labelled_row(ui, "持有老年人优待证", false, |ui, _| {
        yes_no(ui, "card", &mut f.preferential_card);
    });
    labelled_row(ui, "生活无着的流浪乞讨人员", false, |ui, _| {
        yes_no(ui, "homeless", &mut f.homeless);
    });
}

/// The decisions after the grade: eligible services with amounts, those that need
/// information, the monthly cash total and the admission priority.
pub(super) fn entitlements_ui(
    ui: &mut Ui,
    record: &AssessmentRecord,
    scale: &Scale,
    policy: &Policy,
) {
    let subject = Subject::from_record(record, scale);
    let decisions = evaluate(policy, &subject);
    ui.add_space(12.0);
    ui.label(RichText::new(format!("可享受的基本养老服务（{}）", policy.name)).heading());
    let eligible: Vec<&Decision> =
        decisions.iter().filter(|d| d.status == Status::Eligible).collect();
    let needs: Vec<&Decision> =
        decisions.iter().filter(|d| d.status == Status::NeedsInfo).collect();
    let total = cash_total(&decisions).text();
    ui.label(format!(
        "可享受 {} 项，需补充信息 {} 项，不符合 {} 项；{total}",
        eligible.len(),
        needs.len(),
        decisions.len() - eligible.len() - needs.len()
    ));
    for d in &eligible {
        let amount = d.amount_per_month.map_or_else(
            || {
                if d.amount_unstated {
                    "（按当地标准发放）".to_owned()
                } else {
                    String::new()
                }
            },
            |a| format!("（每月{}{a} 元）", if d.amount_is_minimum { "不低于 " } else { "" }),
        );
        ui.label(RichText::new(format!("{}. {}{amount}", d.no, d.name)).color(theme::OK));
        ui.label(RichText::new(&d.reason).small());
    }
    for d in &needs {
        ui.label(
            RichText::new(format!("{}. {}：需补充 {}", d.no, d.name, d.missing.join("、")))
                .color(theme::WARNING),
        );
    }
    egui::CollapsingHeader::new(format!("全部 {} 项服务的判定与理由", decisions.len())).show(
        ui,
        |ui| {
            for d in &decisions {
                let color = match d.status {
                    Status::Eligible => theme::OK,
                    Status::NeedsInfo => theme::WARNING,
                    Status::NotEligible => ui.visuals().weak_text_color(),
                };
                ui.label(
                    RichText::new(format!("{}. {}：{}", d.no, d.name, d.status.label()))
                        .color(color),
                );
                ui.label(RichText::new(&d.reason).small());
            }
        },
    );
    let place = priority(policy.readings(), &subject);
    ui.label(RichText::new(place.text()).strong());
    ui.label(RichText::new(order_rule_text(policy.readings())).small());
}
