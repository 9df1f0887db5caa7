//! 乡镇: the township of a record, asked with A.1 and chosen from the county file's list
//! ([`crate::policy::County::townships`]). [`AssessmentRecord::validate`] reports it when
//! it is not chosen (a missing field, so completion, submission and the report refuse the
//! record); [`AssessmentRecord::township_issue`] also checks it against the county's list,
//! for `import`, which takes neither a missing nor an unknown township.
//!
//! The messages never quote the value (it is free text in an imported line).

use super::{AssessmentRecord, FieldCode, FieldIssue, is_blank};

/// The message of a township not chosen.
pub(super) const MISSING: &str = "未选择（请从本县乡镇列表中选择）";

/// The message of a township not in the county's list.
const UNKNOWN: &str = "不是本县乡镇列表中的乡镇（名称须与县数据文件中的一致）";

impl AssessmentRecord {
    /// The problem with the record's township against the county's `townships`: not
    /// chosen, or not one of them (compared trimmed). `None` when it is one of them.
    pub fn township_issue(&self, townships: &[String]) -> Option<FieldIssue> {
        let township = self.info.township.trim();
        if is_blank(township) {
            Some(FieldIssue::missing(FieldCode::TOWNSHIP, MISSING))
        } else if townships.iter().any(|t| t.trim() == township) {
            None
        } else {
            Some(FieldIssue::new(FieldCode::TOWNSHIP, UNKNOWN))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_township_must_be_chosen_from_the_list() {
        let list = ["耿马镇".to_owned(), "孟定农场".to_owned()];
        let date = chrono::NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
        let mut record = AssessmentRecord::new("1".to_owned(), date);
        let issue = record.township_issue(&list).unwrap();
        assert!(issue.missing && issue.blocking);
        assert_eq!(issue.to_string(), "乡镇 未选择（请从本县乡镇列表中选择）");
        record.info.township = "别的乡".to_owned();
        let issue = record.township_issue(&list).unwrap();
        assert!(!issue.missing && !issue.to_string().contains("别的乡"));
        record.info.township = " 孟定农场".to_owned();
        assert_eq!(record.township_issue(&list), None);
    }
}
