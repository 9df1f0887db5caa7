//! Annex A code lists (A.1–A.5), as enums in form order.
//!
//! Every list has `ALL` (form order) and `label()` (the standard's wording; where the
//! public transcriptions differ, `docs/standard-readings.md` gives the variants and the
//! reason for the one chosen). The A.2.14 answers, the A.4.2 columns and the A.5.5/A.5.9
//! notes are here too, so the wizard and the paper form never copy them. Variants are declared in form order, so the derived
//! `Ord` sorts a multi-select `BTreeSet` as the form lists it. Serde uses `snake_case`
//! English names, which stay stable if a label's wording is corrected.
//!
//! Lists with a written detail (`少数民族 ___族`, `有 ___`, `部位 ___`) are small structs
//! holding the choice and the text side by side, so that the text survives when the
//! assessor clicks another option and back.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Declares a code list: a fieldless enum with `ALL`, `label()` and `Display`, and
/// optionally the Annex A field code and title it belongs to.
macro_rules! code_list {
    (
        $(#[$meta:meta])*
        pub enum $name:ident $(for $field:literal $title:literal $(note $note:literal)?)? {
            $($(#[$vmeta:meta])* $variant:ident => $label:literal,)+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $(
                #[doc = concat!("「", $label, "」")]
                $(#[$vmeta])*
                $variant,
            )+
        }

        impl $name {
            /// Every option, in form order.
            pub const ALL: &[Self] = &[$(Self::$variant),+];

            $(
                /// The Annex A field this list belongs to.
                pub const FIELD: &'static str = $field;
                /// The field's title on the form.
                pub const TITLE: &'static str = $title;
                $(
                    /// The field's note (注), verbatim.
                    pub const NOTE: &'static str = $note;
                )?
            )?

            /// The standard's wording of this option.
            pub const fn label(self) -> &'static str {
                match self {
                    $(Self::$variant => $label,)+
                }
            }

            /// Whether this is the list's 「无」 option (variant `None`), which excludes
            /// every other option of a multiple choice.
            pub fn is_none_option(self) -> bool {
                match self {
                    $(Self::$variant => stringify!($variant) == "None",)+
                }
            }
        }

        impl fmt::Display for $name {
            /// The label.
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.label())
            }
        }
    };
}

/// A.2.14 answers for each kind of event, by count `0..=3`, as the form words them
/// (3 stands for 3 次及以上).
pub const RISK_EVENT_ANSWERS: [&str; 4] = ["无", "发生过1次", "发生过2次", "发生过3次及以上"];

/// A.2.14 answer for `count` (counts above 3 read as 3 次及以上).
pub fn risk_event_answer(count: u8) -> &'static str {
    RISK_EVENT_ANSWERS[usize::from(count).min(RISK_EVENT_ANSWERS.len() - 1)]
}

/// A.4.2 用药情况: the table's columns, as the form heads them.
pub const MEDICATION_COLUMNS: [&str; 4] = ["药物名称", "服药方法", "用药剂量", "用药频率"];

/// A.5.9 营养不良 (answered with [`Presence`]): its note (注), verbatim.
pub const MALNUTRITION_NOTE: &str = "BMI=体重(kg)/[身高(m)]²";

code_list! {
    /// A.1.3 评估原因 (reason for the assessment), single choice.
    pub enum AssessmentReason for "A.1.3" "评估原因" {
        First => "首次评估",
        Routine => "常规评估",
        Immediate => "即时评估",
        /// Wording per source S2; the 2013 form says "因评估结果有疑问进行的复评".
        Disputed => "因对评估结果有疑问进行的复评",
        /// The reason is written in `AssessmentInfo::reason_other`.
        Other => "其他",
    }
}

code_list! {
    /// A.2.2 性别 (sex).
    pub enum Sex for "A.2.2" "性别" {
        Male => "男",
        Female => "女",
    }
}

code_list! {
    /// A.2.6 民族 (ethnicity) as on the 2022 form: Han or a minority named in writing.
    pub enum EthnicGroup for "A.2.6" "民族" {
        Han => "汉族",
        /// The group is written in [`Ethnicity::minority`].
        Minority => "少数民族",
    }
}

code_list! {
    /// A yes/no answer: A.2.7 宗教信仰, A.5.9 营养不良, A.5.10 清理呼吸道无效, A.5.11 昏迷.
    pub enum Presence {
        Absent => "无",
        Present => "有",
    }
}

code_list! {
    /// A.2.9 文化程度 (education).
    pub enum Education for "A.2.9" "文化程度" {
        Illiterate => "文盲",
        Primary => "小学",
        JuniorSecondary => "初中",
        SeniorSecondary => "高中/技校/中专",
        College => "大学专科及以上",
        Unknown => "不详",
    }
}

code_list! {
    /// A.2.10 居住情况 (living arrangement), multi-select.
    pub enum LivingArrangement for "A.2.10" "居住情况" {
        Alone => "独居",
        WithSpouse => "与配偶居住",
        WithChildren => "与子女居住",
        WithParents => "与父母居住",
        WithSiblings => "与兄弟姐妹居住",
        WithOtherRelatives => "与其他亲属居住",
        WithNonRelatives => "与非亲属关系的人居住",
        CareHome => "养老机构",
    }
}

code_list! {
    /// A.2.11 婚姻状况 (marital status).
    pub enum MaritalStatus for "A.2.11" "婚姻状况" {
        Unmarried => "未婚",
        Married => "已婚",
        Widowed => "丧偶",
        Divorced => "离婚",
        /// Some sources shorten it to "未说明".
        Unstated => "未说明的婚姻状况",
    }
}

code_list! {
    /// A.2.12 医疗费用支付方式 (payment of medical costs), multi-select.
    pub enum MedicalPayment for "A.2.12" "医疗费用支付方式" {
        UrbanEmployeeInsurance => "城镇职工基本医疗保险",
        ResidentInsurance => "城乡居民基本医疗保险",
        SelfPaid => "自费",
        CivilServantSubsidy => "公务员补助",
        SupplementaryInsurance => "企业补充保险",
        PublicMedicalCare => "公费医疗及医疗照顾对象",
        MedicalAssistance => "医疗救助",
        SeriousIllnessInsurance => "大病保险",
    }
}

code_list! {
    /// A.2.13 经济来源 (income sources), multi-select.
    pub enum IncomeSource for "A.2.13" "经济来源" {
        Pension => "退休金/养老金",
        ChildrenSupport => "子女补贴",
        RelativesSupport => "亲友资助",
        StateSubsidy => "国家普惠型补贴",
        Savings => "个人储蓄",
        OtherSubsidy => "其他补贴",
    }
}

code_list! {
    /// A.3.2 信息提供者与老年人的关系 (informant's relationship to the older adult).
    pub enum Relationship for "A.3.2" "信息提供者与老年人的关系" {
        OneSelf => "本人",
        Spouse => "配偶",
        Child => "子女",
        OtherRelative => "其他亲属",
        PaidCarer => "雇佣照顾者",
        CommitteeStaff => "村（居）民委员会工作人员",
        Other => "其他",
    }
}

code_list! {
    /// A.5.1 压力性损伤 (pressure injury), single choice, with the full stage texts.
    pub enum PressureInjury for "A.5.1" "压力性损伤" {
        None => "无",
        Stage1 => "Ⅰ期：皮肤完好，出现指压不会变白的红印",
        Stage2 => "Ⅱ期：皮肤真皮层损失、暴露，出现水疱",
        Stage3 => "Ⅲ期：全层皮肤缺失，可见脂肪、肉芽组织以及边缘内卷",
        Stage4 => "Ⅳ期：全层皮肤、组织缺失，可见肌腱、肌肉、腱膜，以及边缘内卷，伴随隧道、潜行",
        Unstageable => "不可分期：全身皮肤、组织被腐肉、焦痂掩盖，无法确认组织缺失程度，去除腐肉、焦痂才可判断损伤程度",
    }
}

code_list! {
    /// A.5.2 关节活动度 (joint range of motion).
    pub enum JointMotionStatus for "A.5.2" "关节活动度" {
        Unaffected => "无，没有影响日常生活功能",
        /// The form continues "，部位___"; the site is [`JointMotion::site`].
        Affected => "是，影响日常生活功能",
        CannotJudge => "无法判断",
    }
}

code_list! {
    /// A.5.3 伤口情况 (wounds), multi-select.
    pub enum Wound for "A.5.3" "伤口情况" {
        None => "无",
        Abrasion => "擦伤",
        Burn => "烧烫伤",
        Surgical => "术后伤口",
        DiabeticFootUlcer => "糖尿病足溃疡",
        VascularUlcer => "血管性溃疡",
        Other => "其他伤口",
    }
}

code_list! {
    /// A.5.4 特殊护理情况 (special care), multi-select.
    pub enum SpecialCare for "A.5.4" "特殊护理情况" {
        None => "无",
        GastricTube => "胃管",
        UrinaryCatheter => "尿管",
        Tracheostomy => "气管切开",
        Stoma => "胃/肠/膀胱造瘘",
        NonInvasiveVentilator => "无创呼吸机",
        Dialysis => "透析",
        Other => "其他",
    }
}

code_list! {
    /// A.5.5 疼痛感 (pain), with its note.
    pub enum Pain for "A.5.5" "疼痛感" note "通过表情反应和询问来判断" {
        /// Source S1 has "无疼痛感".
        None => "无疼痛",
        Mild => "轻度疼痛",
        Moderate => "中度疼痛（尚可忍受的程度）",
        Severe => "重度疼痛（无法忍受的程度）",
        Unknown => "不知道或无法判断",
    }
}

code_list! {
    /// A.5.6 牙齿缺失情况 (missing teeth), multi-select.
    ///
    /// The form has two options with sub-options (牙列缺损 ○…, 牙列缺失 ○…); each
    /// sub-option is a variant here and [`ToothLoss::heading`] gives its option.
    pub enum ToothLoss for "A.5.6" "牙齿缺失情况" {
        /// Source S1 has "无缺失".
        None => "无缺损",
        CrownDefect => "牙体缺损（如龋齿、楔状缺损）",
        /// Under 牙列缺损.
        NonOpposing => "非对位牙缺失",
        /// Under 牙列缺损.
        OneSideOpposing => "单侧对位牙缺失",
        /// Under 牙列缺损.
        BothSidesOpposing => "双侧对位牙缺失",
        /// Under 牙列缺失.
        Upper => "上颌牙缺失",
        /// Under 牙列缺失.
        Lower => "下颌牙缺失",
        /// Under 牙列缺失.
        Full => "全口牙缺失",
    }
}

impl ToothLoss {
    /// The option a sub-option sits under (`牙列缺损`, `牙列缺失`); `None` for the
    /// top-level options.
    pub const fn heading(self) -> Option<&'static str> {
        match self {
            Self::None | Self::CrownDefect => None,
            Self::NonOpposing | Self::OneSideOpposing | Self::BothSidesOpposing => Some("牙列缺损"),
            Self::Upper | Self::Lower | Self::Full => Some("牙列缺失"),
        }
    }
}

code_list! {
    /// A.5.7 义齿佩戴情况 (dentures), multi-select.
    pub enum Denture for "A.5.7" "义齿佩戴情况" {
        None => "无义齿",
        Fixed => "固定义齿",
        RemovablePartial => "可摘局部义齿",
        RemovableFull => "可摘全/半口义齿",
    }
}

code_list! {
    /// A.5.8 吞咽困难的情形和症状 (signs of dysphagia), multi-select.
    pub enum SwallowingSign for "A.5.8" "吞咽困难的情形和症状" {
        None => "无",
        Complains => "抱怨吞咽困难或吞咽时会疼痛",
        Coughs => "吃东西或喝水时出现咳嗽或呛咳",
        FoodRetained => "用餐后嘴中仍含着食物或留有残余食物",
        FoodLeaks => "当喝或吃流质或固体的食物时，食物会从嘴角边流失",
        Drooling => "有流口水的情况",
    }
}

/// A.4.1 疾病诊断 (diagnoses), multi-select, with the ICD-10 ranges of the form.
///
/// Variants are in form order. [`Diagnosis::Dementia`] and
/// [`Diagnosis::OtherMentalDisorder`] feed the C.4 ② rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Diagnosis {
    /// 高血压病 I10～I15.
    Hypertension,
    /// 冠心病 I25.
    CoronaryHeartDisease,
    /// 糖尿病 E10～E14.
    Diabetes,
    /// 肺炎 J12～J18.
    Pneumonia,
    /// 慢性阻塞性肺疾病 J44.
    Copd,
    /// 脑出血 I60～I62.
    CerebralHaemorrhage,
    /// 脑梗塞 I63.
    CerebralInfarction,
    /// 尿路感染（30天内）.
    UrinaryTractInfection,
    /// 帕金森综合征 G20～G22.
    Parkinsonism,
    /// 慢性肾衰竭 N18～N19.
    ChronicKidneyFailure,
    /// 肝硬化 K74.
    LiverCirrhosis,
    /// 消化性溃疡 K20～K31 (the range every transcription gives).
    PepticUlcer,
    /// 肿瘤 C00～D48.
    Neoplasm,
    /// 截肢（6个月内）.
    Amputation,
    /// 骨折（3个月内）M84.
    Fracture,
    /// 癫痫 G40.
    Epilepsy,
    /// 甲状腺功能减退症 E01～E03.
    Hypothyroidism,
    /// 白内障 H25～H26.
    Cataract,
    /// 青光眼 H40～H42.
    Glaucoma,
    /// 骨质疏松症 M80～M82.
    Osteoporosis,
    /// 痴呆 F00～F03.
    Dementia,
    /// 其他精神和行为障碍 F04～F99.
    OtherMentalDisorder,
    /// 其他; the diagnosis is written in `Diagnoses::other`.
    Other,
}

impl Diagnosis {
    /// The Annex A field this list belongs to.
    pub const FIELD: &'static str = "A.4.1";
    /// The field's title on the form.
    pub const TITLE: &'static str = "疾病诊断";

    /// Every option, in form order.
    pub const ALL: &[Self] = &[
        Self::Hypertension,
        Self::CoronaryHeartDisease,
        Self::Diabetes,
        Self::Pneumonia,
        Self::Copd,
        Self::CerebralHaemorrhage,
        Self::CerebralInfarction,
        Self::UrinaryTractInfection,
        Self::Parkinsonism,
        Self::ChronicKidneyFailure,
        Self::LiverCirrhosis,
        Self::PepticUlcer,
        Self::Neoplasm,
        Self::Amputation,
        Self::Fracture,
        Self::Epilepsy,
        Self::Hypothyroidism,
        Self::Cataract,
        Self::Glaucoma,
        Self::Osteoporosis,
        Self::Dementia,
        Self::OtherMentalDisorder,
        Self::Other,
    ];

    /// The standard's wording of the diagnosis, without the ICD-10 range.
    pub const fn label(self) -> &'static str {
        self.entry().0
    }

    /// The ICD-10 range printed on the form (`I10～I15`), if it has one.
    pub const fn icd10(self) -> Option<&'static str> {
        self.entry().1
    }

    const fn entry(self) -> (&'static str, Option<&'static str>) {
        match self {
            Self::Hypertension => ("高血压病", Some("I10～I15")),
            Self::CoronaryHeartDisease => ("冠心病", Some("I25")),
            Self::Diabetes => ("糖尿病", Some("E10～E14")),
            Self::Pneumonia => ("肺炎", Some("J12～J18")),
            Self::Copd => ("慢性阻塞性肺疾病", Some("J44")),
            Self::CerebralHaemorrhage => ("脑出血", Some("I60～I62")),
            Self::CerebralInfarction => ("脑梗塞", Some("I63")),
            Self::UrinaryTractInfection => ("尿路感染（30天内）", None),
            Self::Parkinsonism => ("帕金森综合征", Some("G20～G22")),
            Self::ChronicKidneyFailure => ("慢性肾衰竭", Some("N18～N19")),
            Self::LiverCirrhosis => ("肝硬化", Some("K74")),
            Self::PepticUlcer => ("消化性溃疡", Some("K20～K31")),
            Self::Neoplasm => ("肿瘤", Some("C00～D48")),
            Self::Amputation => ("截肢（6个月内）", None),
            Self::Fracture => ("骨折（3个月内）", Some("M84")),
            Self::Epilepsy => ("癫痫", Some("G40")),
            Self::Hypothyroidism => ("甲状腺功能减退症", Some("E01～E03")),
            Self::Cataract => ("白内障", Some("H25～H26")),
            Self::Glaucoma => ("青光眼", Some("H40～H42")),
            Self::Osteoporosis => ("骨质疏松症", Some("M80～M82")),
            Self::Dementia => ("痴呆", Some("F00～F03")),
            Self::OtherMentalDisorder => ("其他精神和行为障碍", Some("F04～F99")),
            Self::Other => ("其他", None),
        }
    }
}

impl fmt::Display for Diagnosis {
    /// Label and ICD-10 range as on the form: `痴呆 F00～F03`, `尿路感染（30天内）`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.icd10() {
            Some(range) => write!(f, "{} {range}", self.label()),
            None => f.write_str(self.label()),
        }
    }
}

/// A.2.6 民族: the choice and, for 少数民族, the group as written (`彝`, `彝族`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Ethnicity {
    /// 汉族 or 少数民族; `None` = not answered.
    pub group: Option<EthnicGroup>,
    /// The minority group; kept but meaningless when `group` is not `Minority`.
    pub minority: String,
}

/// A.2.7 宗教信仰: 无 / 有 and, for 有, the religion as written.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Religion {
    /// 无 or 有; `None` = not answered.
    pub belief: Option<Presence>,
    /// The religion; kept but meaningless when `belief` is not `Present`.
    pub name: String,
}

/// A.5.2 关节活动度: the choice and, when affected, the site (部位).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct JointMotion {
    /// The choice; `None` = not answered.
    pub status: Option<JointMotionStatus>,
    /// 部位; kept but meaningless when `status` is not `Affected`.
    pub site: String,
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    use super::*;

    fn labels<T: Copy>(all: &[T], label: impl Fn(T) -> &'static str) -> Vec<&'static str> {
        all.iter().map(|&v| label(v)).collect()
    }

    #[test]
    fn lists_have_the_standard_option_counts() {
        assert_eq!(AssessmentReason::ALL.len(), 5);
        assert_eq!(Sex::ALL.len(), 2);
        assert_eq!(Education::ALL.len(), 6);
        assert_eq!(LivingArrangement::ALL.len(), 8);
        assert_eq!(MaritalStatus::ALL.len(), 5);
        assert_eq!(MedicalPayment::ALL.len(), 8);
        assert_eq!(IncomeSource::ALL.len(), 6);
        assert_eq!(Relationship::ALL.len(), 7);
        assert_eq!(Diagnosis::ALL.len(), 23);
        assert_eq!(PressureInjury::ALL.len(), 6);
        assert_eq!(JointMotionStatus::ALL.len(), 3);
        assert_eq!(Wound::ALL.len(), 7);
        assert_eq!(SpecialCare::ALL.len(), 8);
        assert_eq!(Pain::ALL.len(), 5);
        assert_eq!(ToothLoss::ALL.len(), 8);
        assert_eq!(Denture::ALL.len(), 4);
        assert_eq!(SwallowingSign::ALL.len(), 6);
    }

    #[test]
    fn labels_follow_the_form() {
        assert_eq!(
            labels(AssessmentReason::ALL, AssessmentReason::label),
            ["首次评估", "常规评估", "即时评估", "因对评估结果有疑问进行的复评", "其他"]
        );
        assert_eq!(
            labels(MaritalStatus::ALL, MaritalStatus::label),
            ["未婚", "已婚", "丧偶", "离婚", "未说明的婚姻状况"]
        );
        assert_eq!(Relationship::CommitteeStaff.label(), "村（居）民委员会工作人员");
        assert_eq!(Sex::Female.to_string(), "女");
        assert_eq!(Education::FIELD, "A.2.9");
        assert_eq!(Education::TITLE, "文化程度");
        assert!(PressureInjury::Stage4.label().ends_with("伴随隧道、潜行"));
    }

    #[test]
    fn every_list_has_distinct_labels() {
        fn distinct<T: Copy>(all: &[T], label: impl Fn(T) -> &'static str) -> bool {
            let set: BTreeSet<_> = all.iter().map(|&v| label(v)).collect();
            set.len() == all.len()
        }
        assert!(distinct(Diagnosis::ALL, Diagnosis::label));
        assert!(distinct(LivingArrangement::ALL, LivingArrangement::label));
        assert!(distinct(MedicalPayment::ALL, MedicalPayment::label));
        assert!(distinct(ToothLoss::ALL, ToothLoss::label));
        assert!(distinct(SwallowingSign::ALL, SwallowingSign::label));
    }

    #[test]
    fn diagnoses_carry_icd10_ranges() {
        assert_eq!(Diagnosis::ALL.first(), Some(&Diagnosis::Hypertension));
        assert_eq!(Diagnosis::Dementia.label(), "痴呆");
        assert_eq!(Diagnosis::Dementia.icd10(), Some("F00～F03"));
        assert_eq!(Diagnosis::OtherMentalDisorder.to_string(), "其他精神和行为障碍 F04～F99");
        assert_eq!(Diagnosis::Fracture.to_string(), "骨折（3个月内） M84");
        assert_eq!(Diagnosis::Amputation.icd10(), None);
        assert_eq!(Diagnosis::PepticUlcer.icd10(), Some("K20～K31"));
        assert_eq!(Diagnosis::ALL.last(), Some(&Diagnosis::Other));
        let without_range: Vec<_> =
            Diagnosis::ALL.iter().filter(|d| d.icd10().is_none()).map(|d| d.label()).collect();
        assert_eq!(without_range, ["尿路感染（30天内）", "截肢（6个月内）", "其他"]);
    }

    #[test]
    fn multi_selects_sort_in_form_order() {
        let set: BTreeSet<_> =
            [LivingArrangement::CareHome, LivingArrangement::Alone, LivingArrangement::WithSpouse]
                .into_iter()
                .collect();
        assert_eq!(
            set.into_iter().collect::<Vec<_>>(),
            [LivingArrangement::Alone, LivingArrangement::WithSpouse, LivingArrangement::CareHome]
        );
        for window in Diagnosis::ALL.windows(2) {
            assert!(window[0] < window[1]);
        }
    }

    #[test]
    fn tooth_sub_options_know_their_heading() {
        let grouped: BTreeMap<_, Vec<_>> =
            ToothLoss::ALL.iter().fold(BTreeMap::new(), |mut m, t| {
                m.entry(t.heading()).or_insert_with(Vec::new).push(t.label());
                m
            });
        assert_eq!(grouped[&None], ["无缺损", "牙体缺损（如龋齿、楔状缺损）"]);
        assert_eq!(
            grouped[&Some("牙列缺损")],
            ["非对位牙缺失", "单侧对位牙缺失", "双侧对位牙缺失"]
        );
        assert_eq!(grouped[&Some("牙列缺失")], ["上颌牙缺失", "下颌牙缺失", "全口牙缺失"]);
    }

    #[test]
    fn serde_uses_snake_case_names() {
        assert_eq!(serde_json::to_string(&Relationship::PaidCarer).unwrap(), "\"paid_carer\"");
        assert_eq!(
            serde_json::to_string(&Diagnosis::OtherMentalDisorder).unwrap(),
            "\"other_mental_disorder\""
        );
        assert_eq!(serde_json::from_str::<Sex>("\"female\"").unwrap(), Sex::Female);
        let ethnicity = Ethnicity { group: Some(EthnicGroup::Minority), minority: "彝族".into() };
        let json = serde_json::to_string(&ethnicity).unwrap();
        assert_eq!(json, r#"{"group":"minority","minority":"彝族"}"#);
        assert_eq!(serde_json::from_str::<Ethnicity>(&json).unwrap(), ethnicity);
        assert_eq!(serde_json::from_str::<Religion>("{}").unwrap(), Religion::default());
    }
}
