//! [`FieldCode`]: the code of one field of the assessment forms, such as `A.1.1`
//! (Annex A, 评估编号), `A.2.14.1` (跌倒), `B.1.1` (an Annex B item) or `签名.2` (the
//! signature block), as a value rather than a string.
//!
//! A code knows its [`FieldSection`] (A.1–A.5, the B domain, the signature block) and its
//! title: the standard's wording for Annex A fields ([`ANNEX_A`]), the scale's item name
//! for Annex B items. `Display` prints the code; `FromStr` reads it back, refusing codes
//! the forms do not have with a Chinese message. The order is the forms' order:
//! Annex A by number (`A.2.9` < `A.2.10` < `A.2.14.1`; 乡镇 after A.1.3), then Annex B, then the signatures.

use std::fmt;
use std::str::FromStr;

use serde::{Serialize, Serializer};

use crate::scale::Scale;

/// One field of the assessment forms.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FieldCode(Code);

/// The variants in form order (`Ord`, by [`Code::sort_key`], relies on it).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Code {
    /// Annex A: form, field, part (`0` for none); always an entry of [`ANNEX_A`].
    A([u8; 3]),
    /// 乡镇: the county's township of the elder, asked with A.1 (not a field of the
    /// standard, so it has no number; it sorts after A.1's fields).
    Township,
    /// Annex B: domain and item number, both at least 1 (the scale may not have it).
    B([u8; 2]),
    /// An answer key that is no item code at all, kept as written so that the issue
    /// can name it.
    Unknown(Box<str>),
    /// The signature block: 1 评估员1, 2 评估员2, 3 信息提供者.
    Signature(u8),
}

impl Code {
    /// Form order: Annex A by number with 乡镇 after A.1's fields, Annex B, answer keys
    /// that are no code, the signatures.
    fn sort_key(&self) -> (u8, [u8; 3], &str) {
        match self {
            Self::A(code) => (0, *code, ""),
            Self::Township => (0, [1, u8::MAX, 0], ""),
            Self::B([domain, item]) => (1, [*domain, *item, 0], ""),
            Self::Unknown(text) => (2, [0; 3], text),
            Self::Signature(slot) => (3, [*slot, 0, 0], ""),
        }
    }
}

impl PartialOrd for Code {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Code {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.sort_key().cmp(&other.sort_key())
    }
}

/// Which part of the forms a [`FieldCode`] belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FieldSection {
    /// Annex A form `A.1`–`A.5`.
    A(u8),
    /// The Annex B domain `B.n` (a code the scale may not have).
    B(u8),
    /// Not an item code (an answer key as written).
    Unknown,
    /// The signature block.
    Signatures,
}

impl FieldSection {
    /// The standard's title of an Annex A form (`A.2` → `评估对象基本信息表`); `None` for
    /// the others (Annex B domains are named by the scale).
    pub fn title(self) -> Option<&'static str> {
        let index = match self {
            Self::A(form) => usize::from(form.checked_sub(1)?),
            _ => return None,
        };
        FORM_TITLES.get(index).copied()
    }
}

impl fmt::Display for FieldSection {
    /// `A.2`, `B.1`, `签名`; an unknown code's section prints as `—`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::A(form) => write!(f, "A.{form}"),
            Self::B(domain) => write!(f, "B.{domain}"),
            Self::Unknown => f.write_str("—"),
            Self::Signatures => f.write_str("签名"),
        }
    }
}

/// The titles of the forms A.1–A.5 (GB/T 42195-2022 Annex A).
const FORM_TITLES: [&str; 5] = [
    "评估信息表",
    "评估对象基本信息表",
    "信息提供者及联系人信息表",
    "疾病诊断和用药情况",
    "健康相关问题",
];

/// Every Annex A field the record holds, in form order, with the standard's wording.
pub const ANNEX_A: [([u8; 3], &str); 40] = [
    ([1, 1, 0], "评估编号"),
    ([1, 2, 0], "评估基准日期"),
    ([1, 3, 0], "评估原因"),
    ([2, 1, 0], "姓名"),
    ([2, 2, 0], "性别"),
    ([2, 3, 0], "出生日期"),
    ([2, 4, 0], "身高"),
    ([2, 5, 0], "体重"),
    ([2, 6, 0], "民族"),
    ([2, 7, 0], "宗教信仰"),
    ([2, 8, 0], "公民身份号码"),
    ([2, 9, 0], "文化程度"),
    ([2, 10, 0], "居住情况（多选）"),
    ([2, 11, 0], "婚姻状况"),
    ([2, 12, 0], "医疗费用支付方式（多选）"),
    ([2, 13, 0], "经济来源（多选）"),
    ([2, 14, 0], "近30天内照护风险事件"),
    ([2, 14, 1], "跌倒"),
    ([2, 14, 2], "走失"),
    ([2, 14, 3], "噎食"),
    ([2, 14, 4], "自杀、自伤"),
    ([2, 14, 5], "其他"),
    ([3, 1, 0], "信息提供者的姓名"),
    ([3, 2, 0], "信息提供者与老年人的关系"),
    ([3, 3, 0], "联系人姓名"),
    ([3, 4, 0], "联系人电话"),
    ([4, 1, 0], "疾病诊断（可多选）"),
    ([4, 2, 0], "用药情况（目前长期服药情况）"),
    ([5, 1, 0], "压力性损伤"),
    ([5, 2, 0], "关节活动度"),
    ([5, 3, 0], "伤口情况（可多选）"),
    ([5, 4, 0], "特殊护理情况（可多选）"),
    ([5, 5, 0], "疼痛感"),
    ([5, 6, 0], "牙齿缺失情况（可多选）"),
    ([5, 7, 0], "义齿佩戴情况（可多选）"),
    ([5, 8, 0], "吞咽困难的情形和症状（可多选）"),
    ([5, 9, 0], "营养不良：体质指数（BMI）低于正常值"),
    ([5, 10, 0], "清理呼吸道无效"),
    ([5, 11, 0], "昏迷"),
    ([5, 12, 0], "其他（请补充）"),
];

/// The code and title of the township field.
const TOWNSHIP_TITLE: &str = "乡镇";

/// The titles of the signature block, by slot.
const SIGNATURE_TITLES: [&str; 3] = ["评估员1", "评估员2", "信息提供者"];

impl FieldCode {
    /// A.1.1 评估编号.
    pub const NUMBER: Self = Self::a(1, 1);
    /// A.1.2 评估基准日期.
    pub const REFERENCE_DATE: Self = Self::a(1, 2);
    /// A.1.3 评估原因.
    pub const REASON: Self = Self::a(1, 3);
    /// 乡镇, asked with A.1 (see [`crate::record::AssessmentInfo::township`]).
    pub const TOWNSHIP: Self = Self(Code::Township);
    /// A.2.1 姓名.
    pub const NAME: Self = Self::a(2, 1);
    /// A.2.2 性别.
    pub const SEX: Self = Self::a(2, 2);
    /// A.2.3 出生日期.
    pub const BIRTH_DATE: Self = Self::a(2, 3);
    /// A.2.8 公民身份号码.
    pub const ID_NUMBER: Self = Self::a(2, 8);
    /// A.2.14.1–A.2.14.5 跌倒, 走失, 噎食, 自杀、自伤, 其他.
    pub const RISK_EVENTS: [Self; 5] = [
        Self(Code::A([2, 14, 1])),
        Self(Code::A([2, 14, 2])),
        Self(Code::A([2, 14, 3])),
        Self(Code::A([2, 14, 4])),
        Self(Code::A([2, 14, 5])),
    ];
    /// A.3.1 信息提供者的姓名.
    pub const INFORMANT_NAME: Self = Self::a(3, 1);
    /// A.3.2 信息提供者与老年人的关系.
    pub const INFORMANT_RELATIONSHIP: Self = Self::a(3, 2);
    /// A.4.1 疾病诊断.
    pub const DIAGNOSES: Self = Self::a(4, 1);
    /// A.5.11 昏迷.
    pub const COMA: Self = Self::a(5, 11);
    /// A.5.3 伤口情况.
    pub const WOUNDS: Self = Self::a(5, 3);
    /// A.5.4 特殊护理情况.
    pub const SPECIAL_CARE: Self = Self::a(5, 4);
    /// A.5.6 牙齿缺失情况.
    pub const TEETH: Self = Self::a(5, 6);
    /// A.5.7 义齿佩戴情况.
    pub const DENTURES: Self = Self::a(5, 7);
    /// A.5.8 吞咽困难的情形和症状.
    pub const SWALLOWING: Self = Self::a(5, 8);
    /// The signature block: 评估员1, 评估员2, 信息提供者.
    pub const SIGNATURES: [Self; 3] =
        [Self(Code::Signature(1)), Self(Code::Signature(2)), Self(Code::Signature(3))];

    /// An Annex A field without a part; only for entries of [`ANNEX_A`].
    const fn a(form: u8, field: u8) -> Self {
        Self(Code::A([form, field, 0]))
    }

    /// The code of an Annex B answer key: `B.1.1` if it is one, else the key as written
    /// (an issue about a key the scale does not know must still name it).
    pub fn of_answer(key: &str) -> Self {
        match key.parse::<Self>() {
            Ok(code) if matches!(code.0, Code::B(_)) && code == *key => code,
            _ => Self(Code::Unknown(key.into())),
        }
    }

    /// The part of the forms the field belongs to.
    pub fn section(&self) -> FieldSection {
        match &self.0 {
            Code::A([form, ..]) => FieldSection::A(*form),
            Code::Township => FieldSection::A(1),
            Code::B([domain, _]) => FieldSection::B(*domain),
            Code::Unknown(_) => FieldSection::Unknown,
            Code::Signature(_) => FieldSection::Signatures,
        }
    }

    /// `true` for the signature block (`签名.1`–`签名.3`).
    pub fn is_signature(&self) -> bool {
        matches!(self.0, Code::Signature(_))
    }

    /// The title: the standard's wording for Annex A and the signature block, the
    /// scale's item name for Annex B; `None` for an item the scale does not have.
    pub fn title<'a>(&self, scale: &'a Scale) -> Option<&'a str> {
        match &self.0 {
            Code::A(code) => annex_a_title(*code),
            Code::Township => Some(TOWNSHIP_TITLE),
            Code::B(_) => {
                let index = scale.item_index(&self.to_string())?;
                scale.items().get(index).map(crate::scale::Item::name)
            }
            Code::Unknown(_) => None,
            Code::Signature(slot) => SIGNATURE_TITLES.get(usize::from(*slot) - 1).copied(),
        }
    }

    /// The title of an Annex A field or a signature (no scale needed); `None` for
    /// Annex B items.
    pub fn form_title(&self) -> Option<&'static str> {
        match &self.0 {
            Code::A(code) => annex_a_title(*code),
            Code::Township => Some(TOWNSHIP_TITLE),
            Code::Signature(slot) => SIGNATURE_TITLES.get(usize::from(*slot) - 1).copied(),
            Code::B(_) | Code::Unknown(_) => None,
        }
    }

    /// Every Annex A code, in form order.
    pub fn annex_a() -> impl Iterator<Item = Self> {
        ANNEX_A.iter().map(|(code, _)| Self(Code::A(*code)))
    }
}

fn annex_a_title(code: [u8; 3]) -> Option<&'static str> {
    ANNEX_A.iter().find(|(c, _)| *c == code).map(|(_, title)| *title)
}

impl fmt::Display for FieldCode {
    /// The code as printed on the forms: `A.2.14.1`, `B.1.1`, `签名.2`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Code::A([form, field, 0]) => write!(f, "A.{form}.{field}"),
            Code::A([form, field, part]) => write!(f, "A.{form}.{field}.{part}"),
            Code::Township => f.write_str(TOWNSHIP_TITLE),
            Code::B([domain, item]) => write!(f, "B.{domain}.{item}"),
            Code::Unknown(text) => f.write_str(text),
            Code::Signature(slot) => write!(f, "签名.{slot}"),
        }
    }
}

impl Serialize for FieldCode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl PartialEq<str> for FieldCode {
    /// `true` when `other` is exactly the code as printed.
    fn eq(&self, other: &str) -> bool {
        match &self.0 {
            Code::Unknown(text) => **text == *other,
            _ => other.trim() == other && other.parse::<Self>().is_ok_and(|code| code == *self),
        }
    }
}

impl PartialEq<&str> for FieldCode {
    fn eq(&self, other: &&str) -> bool {
        *self == **other
    }
}

/// Why a text is not a [`FieldCode`]. Its message quotes the code (never a field value).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("“{0}”不是评估表的字段代码（例如 A.2.8、B.1.1、签名.1）")]
pub struct FieldCodeError(String);

impl FromStr for FieldCode {
    type Err = FieldCodeError;

    /// `A.1.1`, `A.2.14.1` (entries of [`ANNEX_A`]), `乡镇`, `B.1.1` (any domain and item
    /// from 1), `签名.1`–`签名.3`; surrounding blanks are ignored.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let err = || FieldCodeError(text.chars().take(40).collect());
        if text.trim() == TOWNSHIP_TITLE {
            return Ok(Self::TOWNSHIP);
        }
        let mut parts = text.trim().split('.');
        let head = parts.next().ok_or_else(err)?;
        let numbers: Vec<u8> = parts
            .map(|part| {
                part.parse::<u8>().ok().filter(|&n| n >= 1 && part.starts_with(|c: char| c != '0'))
            })
            .collect::<Option<_>>()
            .ok_or_else(err)?;
        let code = match (head, numbers.as_slice()) {
            ("A", &[form, field]) => Code::A([form, field, 0]),
            ("A", &[form, field, part]) => Code::A([form, field, part]),
            ("B", &[domain, item]) => Code::B([domain, item]),
            ("签名", &[slot]) if slot <= 3 => Code::Signature(slot),
            _ => return Err(err()),
        };
        if let Code::A(code) = code
            && annex_a_title(code).is_none()
        {
            return Err(err());
        }
        Ok(Self(code))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scale() -> Scale {
        crate::scale::bundled(crate::scale::DEFAULT_SCALE_ID).unwrap().unwrap()
    }

    #[test]
    fn every_code_of_the_forms_and_the_scale_round_trips() {
        let scale = scale();
        let mut texts: Vec<String> = FieldCode::annex_a().map(|code| code.to_string()).collect();
        texts.extend(scale.items().iter().map(|item| item.id().to_owned()));
        texts.extend(FieldCode::SIGNATURES.iter().map(ToString::to_string));
        assert_eq!(texts.len(), ANNEX_A.len() + scale.items().len() + 3);
        for text in &texts {
            let code: FieldCode = text.parse().unwrap();
            assert_eq!(code.to_string(), *text);
            assert!(code.title(&scale).is_some(), "{text} has no title");
        }
        for code in FieldCode::RISK_EVENTS.iter().chain([&FieldCode::NUMBER, &FieldCode::COMA]) {
            assert_eq!(code.to_string().parse::<FieldCode>().unwrap(), *code);
        }
    }

    #[test]
    fn codes_know_their_section_and_title() {
        let scale = scale();
        assert_eq!(FieldCode::ID_NUMBER.section(), FieldSection::A(2));
        assert_eq!(FieldCode::ID_NUMBER.title(&scale), Some("公民身份号码"));
        assert_eq!(FieldCode::ID_NUMBER.section().title(), Some("评估对象基本信息表"));
        assert_eq!(FieldCode::ID_NUMBER.section().to_string(), "A.2");
        let item: FieldCode = "B.1.1".parse().unwrap();
        assert_eq!(item.section(), FieldSection::B(1));
        assert_eq!(item.title(&scale), Some("进食"));
        assert_eq!(item.section().title(), None);
        assert_eq!(FieldCode::RISK_EVENTS[0].title(&scale), Some("跌倒"));
        assert_eq!(FieldCode::SIGNATURES[1].section(), FieldSection::Signatures);
        assert_eq!(FieldCode::SIGNATURES[1].title(&scale), Some("评估员2"));
        assert_eq!(FieldCode::SIGNATURES[1].form_title(), Some("评估员2"));
        assert!(FieldCode::SIGNATURES[2].is_signature() && !FieldCode::COMA.is_signature());
        assert_eq!("乡镇".parse::<FieldCode>().unwrap(), FieldCode::TOWNSHIP);
        assert_eq!(FieldCode::TOWNSHIP.section(), FieldSection::A(1));
        assert_eq!(FieldCode::TOWNSHIP.form_title(), Some("乡镇"));
        let unknown: FieldCode = "B.9.9".parse().unwrap();
        assert_eq!(unknown.title(&scale), None);
    }

    #[test]
    fn bad_codes_are_refused_in_chinese() {
        for bad in [
            "", "A", "A.1", "A.9.9", "A.1.1.1", "A.01.1", "A.1.x", "B.0.1", "B.1", "C.1.1",
            "签名.4", "A..1", "A.2.8 ",
        ] {
            let trimmed_ok = bad == "A.2.8 ";
            assert_eq!(bad.parse::<FieldCode>().is_ok(), trimmed_ok, "{bad:?}");
        }
        let err = "X.1".parse::<FieldCode>().unwrap_err();
        assert_eq!(err.to_string(), "“X.1”不是评估表的字段代码（例如 A.2.8、B.1.1、签名.1）");
    }

    #[test]
    fn answer_keys_that_are_no_code_are_kept_as_written() {
        let code = FieldCode::of_answer("foo");
        assert_eq!(code.to_string(), "foo");
        assert_eq!(code.section(), FieldSection::Unknown);
        assert_eq!(FieldCode::of_answer("B.2.3").section(), FieldSection::B(2));
        // Written differently from the code it would parse as: kept as written.
        assert_eq!(FieldCode::of_answer("B.1.1 ").to_string(), "B.1.1 ");
    }

    #[test]
    fn codes_sort_in_form_order() {
        let mut codes: Vec<FieldCode> = [
            "签名.1", "B.1.1", "A.2.10", "A.2.9", "A.2.14.5", "A.2.14.1", "A.2.14", "乡镇", "A.1.3",
        ]
        .iter()
        .map(|text| text.parse().unwrap())
        .collect();
        codes.push(FieldCode::of_answer("zz"));
        codes.sort();
        let texts: Vec<String> = codes.iter().map(ToString::to_string).collect();
        assert_eq!(
            texts,
            [
                "A.1.3", "乡镇", "A.2.9", "A.2.10", "A.2.14", "A.2.14.1", "A.2.14.5", "B.1.1",
                "zz", "签名.1"
            ]
        );
    }
}
