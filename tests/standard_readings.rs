//! The instrument's wording: the disputed or corrected readings of GB/T 42195-2022 in a
//! table (each row citing its source, as `docs/standard-readings.md` names them) checked
//! against the loaded scale and the record's code lists; the C.4/C.5 texts; and the scale
//! file's own references.

use elder_assess::record::FieldCode;
use elder_assess::record::codes::{
    AssessmentReason, MALNUTRITION_NOTE, MaritalStatus, Pain, ToothLoss, risk_event_answer,
};
use elder_assess::scale::Scale;

use super::common::gbt;

/// Which text of an Annex B item a row is about.
#[derive(Debug, Clone, Copy)]
enum Part {
    Definition,
    Note,
    Option(u8),
}

/// One reading of Annex B: the item, the part, a fragment the text must contain, a
/// variant it must not contain (empty: none), and where the reading comes from.
struct Reading {
    item: &'static str,
    part: Part,
    reads: &'static str,
    not: &'static str,
    source: &'static str,
}

const B_READINGS: &[Reading] = &[
    Reading {
        item: "B.3.4",
        part: Part::Option(1),
        reads: "（不能回忆远期记忆，不记得自己老朋友）",
        not: "自己的老朋友",
        source: "S1 (wytyl13/real_time_vital_analyze test.py) and JS-A; JS-B has 的",
    },
    Reading {
        item: "B.3.4",
        part: Part::Option(1),
        reads: "出现重度的记忆紊乱",
        not: "",
        source: "JS-A, JS-B; S1 has 重度记忆紊乱",
    },
    Reading {
        item: "B.3.4",
        part: Part::Definition,
        reads: "短时、近期和远期记忆能力",
        not: "短期近期",
        source: "majority; S1 has 短期近期和远期",
    },
    Reading {
        item: "B.1.1",
        part: Part::Option(2),
        reads: "进食中需要少量接触式协助",
        not: "至少需要少量",
        source: "majority; S1 has 至少需要少量",
    },
    Reading {
        item: "B.1.8",
        part: Part::Option(4),
        reads: "独立完成，不需要协助",
        not: "他人协助",
        source: "S1, S3; S2 has 不需要他人协助",
    },
    Reading {
        item: "B.1.6",
        part: Part::Option(1),
        reads: "尚非完全失控",
        not: "尚未完全失禁",
        source: "S1, S2; S3 has 尚未完全失禁",
    },
    Reading {
        item: "B.1.7",
        part: Part::Option(3),
        reads: "有时出现（每周<1次）",
        not: "每天<1次）便秘",
        source: "S2, S3, S4; S1 has 每天<1次 (overlaps option 2)",
    },
    Reading {
        item: "B.2.3",
        part: Part::Note,
        reads: "包括他人辅助和使用辅具的步行",
        not: "",
        source: "S1; S3 paraphrases",
    },
    Reading {
        item: "B.2.3",
        part: Part::Option(3),
        reads: "能平地步行50m左右，存在摔倒风险",
        not: "跌倒",
        source: "majority; S1 has 行走 / 跌倒风险",
    },
    Reading {
        item: "B.3.1",
        part: Part::Option(4),
        reads: "时间观念（年、月）清楚",
        not: "年、月、日、时",
        source: "S1, S2, LTC 2021 C2; S3 has （年、月、日、时）",
    },
    Reading {
        item: "B.3.9",
        part: Part::Note,
        reads: "处于昏迷状态者，直接评定为重度失能",
        not: "",
        source: "S1, S3, S8 (shown verbatim; C.4 ① governs)",
    },
    Reading {
        item: "B.4.2",
        part: Part::Option(1),
        reads: "超过2米时听不清；正常交流有些困难，需在安静的环境",
        not: "两米",
        source: "majority; S1 has 两米 / 需要在",
    },
    Reading {
        item: "B.4.4",
        part: Part::Option(2),
        reads: "不会搭乘其他公共交通工具外出",
        not: "",
        source: "majority; S1 has 其他交通工具外出",
    },
    Reading {
        item: "B.4.5",
        part: Part::Option(3),
        reads: "初见面时",
        not: "初次见面",
        source: "majority; S1 has 初次见面时",
    },
    Reading {
        item: "B.4.5",
        part: Part::Option(2),
        reads: "不会主动待他人",
        not: "",
        source: "S1, S2; S3 has 待人",
    },
];

fn part_texts(scale: &Scale, reading: &Reading) -> Vec<String> {
    let index = scale.item_index(reading.item).unwrap_or_else(|| panic!("{}", reading.item));
    let item = &scale.items()[index];
    match reading.part {
        Part::Definition => vec![item.definition().to_owned()],
        Part::Note => item.notes().to_vec(),
        Part::Option(score) => vec![item.option(score).unwrap().text.clone()],
    }
}

#[test]
fn annex_b_wording_follows_the_documented_readings() {
    let scale = gbt();
    for reading in B_READINGS {
        let texts = part_texts(&scale, reading);
        let what = format!("{} {:?} (source: {})", reading.item, reading.part, reading.source);
        assert!(texts.iter().any(|t| t.contains(reading.reads)), "{what}: {texts:?}");
        if !reading.not.is_empty() {
            assert!(texts.iter().all(|t| !t.contains(reading.not)), "{what}: {texts:?}");
        }
    }
}

#[test]
fn annex_a_wording_follows_the_documented_readings() {
    // (place, the text in the record's lists, the reading, its source)
    let rows: [(&str, &str, &str, &str); 12] = [
        (
            "A.1.3 option 4",
            AssessmentReason::Disputed.label(),
            "因对评估结果有疑问进行的复评",
            "S2",
        ),
        (
            "A.2.8 title",
            FieldCode::ID_NUMBER.form_title().unwrap(),
            "公民身份号码",
            "legal name; S3 公民身份证号码",
        ),
        (
            "A.2.11 option 5",
            MaritalStatus::Unstated.label(),
            "未说明的婚姻状况",
            "S3, MZ/T 039-2013",
        ),
        ("A.2.14 answer 0", risk_event_answer(0), "无", "S3, S4, S7"),
        ("A.2.14 answer 1", risk_event_answer(1), "发生过1次", "S3, S4, S7"),
        ("A.2.14 answer 2", risk_event_answer(2), "发生过2次", "S3, S4, S7"),
        ("A.2.14 answer 3", risk_event_answer(3), "发生过3次及以上", "S3, S4, S7"),
        ("A.5.5 option 1", Pain::None.label(), "无疼痛", "S3, S7; S1 无疼痛感"),
        ("A.5.5 note", Pain::NOTE, "通过表情反应和询问来判断", "S1, S3"),
        ("A.5.6 option 1", ToothLoss::None.label(), "无缺损", "S3, S7; S1 无缺失"),
        ("A.5.6 heading", ToothLoss::NonOpposing.heading().unwrap(), "牙列缺损", "S1, S3, S7"),
        ("A.5.9 note", MALNUTRITION_NOTE, "BMI=体重(kg)/[身高(m)]²", "S1, S3"),
    ];
    for (place, actual, reading, source) in rows {
        assert_eq!(actual, reading, "{place} (source: {source})");
    }
    assert_eq!(ToothLoss::Full.heading(), Some("牙列缺失"), "A.5.6 heading (S1, S3, S7)");
    assert_eq!(risk_event_answer(7), "发生过3次及以上", "counts above 3 read as 3 次及以上");
}

/// Source: S3, S5, S4 — C.4 ② is one sentence; S6's two ticks are not the standard's.
#[test]
fn c4_2_is_one_ground_with_the_verbatim_sentence() {
    let scale = gbt();
    let grounds = scale.change_rules().grounds();
    let clauses: Vec<&str> = grounds.iter().map(|(clause, _)| *clause).collect();
    assert_eq!(clauses, ["C.4 ①", "C.4 ②", "C.4 ③"]);
    assert_eq!(
        grounds[1].1,
        "确诊为痴呆（F00～F03）、精神科专科医生诊断的其他精神和行为障碍疾病（F04～F99），在原有能力级别上应提高一个级别"
    );
    // The engine still reads it through one rule per diagnosis, with that one wording.
    let rules: Vec<(&str, &str)> = scale
        .change_rules()
        .rules
        .iter()
        .filter(|r| r.clause == "C.4 ②")
        .map(|r| (r.id.as_str(), r.text.as_str()))
        .collect();
    assert_eq!(rules, [("dementia", grounds[1].1), ("mental_disorder", grounds[1].1)]);
}

/// Source: S3 (C.4 lead), S3 and S5 (C.5 lead).
#[test]
fn c4_and_c5_lead_texts_are_in_the_scale() {
    let scale = gbt();
    let rules = scale.change_rules();
    assert_eq!(
        rules.lead,
        "依据附录A中表A.5的A.5.11“昏迷”、表A.4的A.4.1“疾病诊断”和表A.2的A.2.14“近30天内照护风险事件”确定是否存在以下导致能力等级变更的项目"
    );
    assert_eq!(
        rules.final_lead,
        "综合C.3“老年人能力初步等级”和C.4“能力等级变更依据”的结果，判定老年人能力最终等级"
    );
}

/// B.3.9's note says 重度失能 while C.4 ① gives 完全丧失: the item carries the scale
/// file's explanation, shown beside the note.
#[test]
fn b39_note_comes_with_the_explanation_that_c4_1_governs() {
    let scale = gbt();
    let item = &scale.items()[scale.item_index("B.3.9").unwrap()];
    assert_eq!(item.notes(), ["处于昏迷状态者，直接评定为重度失能"]);
    assert!(
        item.remarks().iter().any(|r| r.contains("C.4 ①") && r.contains("能力完全丧失")),
        "{:?}",
        item.remarks()
    );
}

#[test]
fn the_scale_file_cites_only_this_repository() {
    let source = include_str!("../scales/gbt42195-2022.ron");
    assert!(!source.contains("shared/"), "the scale file cites a document outside the repository");
    assert!(!source.contains("../"), "the scale file cites a path outside the repository");
    assert!(source.contains("docs/standard-readings.md"), "the header points to the readings");
    let readings = include_str!("../docs/standard-readings.md");
    for place in ["B.3.4", "B.1.7", "B.3.9", "C.4 ②", "A.2.14", "A.5.9"] {
        assert!(readings.contains(place), "docs/standard-readings.md lacks {place}");
    }
    assert!(gbt().source().contains("docs/standard-readings.md"));
}
