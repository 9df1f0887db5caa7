use elder_assess::assessment::{Answers, Facts, Outcome, score};
use elder_assess::record::AssessmentRecord;
use elder_assess::scale::{self, Scale};

/// The bundled GB/T 42195-2022 scale.
pub fn gbt() -> Scale {
    scale::bundled(scale::DEFAULT_SCALE_ID).unwrap().unwrap()
}

/// The townships of the bundled county file.
pub fn townships() -> Vec<String> {
    let policy = elder_assess::policy::bundled(elder_assess::policy::DEFAULT_POLICY_ID);
    policy.unwrap().unwrap().county().townships.clone()
}

/// Every item at its best option: total 90.
pub fn all_max(scale: &Scale) -> Answers {
    let mut answers = Answers::new(scale);
    for (i, item) in scale.items().iter().enumerate() {
        answers.set(i, Some(item.max()));
    }
    answers
}

/// Answers whose total is exactly `total`, lowering items in scale order from all-max.
pub fn with_total(scale: &Scale, total: u16) -> Answers {
    let mut answers = all_max(scale);
    let mut missing = scale.max_total() - total;
    for (i, item) in scale.items().iter().enumerate() {
        let take = missing.min(u16::from(item.max()));
        answers.set(i, Some(item.max() - u8::try_from(take).unwrap()));
        missing -= take;
    }
    assert_eq!(missing, 0);
    answers
}

/// Fills the Annex A fields that a report, a submission and an approval require and that
/// a lifecycle test does not care about (issue #10: submit and approve validate the
/// record): A.1.3, 乡镇 (耿马镇) and A.2.1 when blank, A.2.2 and A.2.3 from the ID number (A.2.8 itself
/// is left to the test), A.2.14 (无), A.3.1, A.3.2, A.4.1 (以上均无) and A.5.11. Fields
/// already set are kept.
pub fn complete_annex_a(record: &mut AssessmentRecord) {
    use elder_assess::record::codes::{AssessmentReason, Presence, Relationship};
    record.info.reason.get_or_insert(AssessmentReason::First);
    if record.info.township.trim().is_empty() {
        record.info.township = "耿马镇".to_owned();
    }
    if record.subject.name.trim().is_empty() {
        record.subject.name = "测试老人（示例）".to_owned();
    }
    if let Some(id) = record.subject.id_number() {
        record.subject.sex.get_or_insert(id.sex());
        record.subject.birth_date.get_or_insert(id.birth_date());
    }
    if record.informant.name.trim().is_empty() {
        record.informant.name = "家属（示例）".to_owned();
    }
    record.informant.relationship.get_or_insert(Relationship::Child);
    record.health.coma.get_or_insert(Presence::Absent);
    answer_risk_events_and_diagnoses(record);
}

/// Answers what issue #13 made required and a test does not care about: each
/// unanswered A.2.14 count as 无 (0), and an unanswered A.4.1 as 「以上均无」. Answers
/// already given are kept.
pub fn answer_risk_events_and_diagnoses(record: &mut AssessmentRecord) {
    for part in elder_assess::record::RISK_EVENT_PARTS {
        record.subject.risk_events.count_mut(part).get_or_insert(0);
    }
    if !record.diagnoses.is_answered() {
        record.diagnoses.none_of_the_above = true;
    }
}

/// Scores with no context facts set.
pub fn score_plain<'s>(scale: &'s Scale, answers: &Answers) -> Outcome<'s> {
    score(scale, answers, &Facts::new(scale)).unwrap()
}

/// Binds record `id`'s assessor 1 to the signed-in account `first` and assessor 2 to the
/// account `second`, present with its `password`: once accounts exist, a record is
/// submitted only with both assessors bound to two different accounts.
pub fn bind_assessors(
    store: &elder_assess::store::Store,
    id: i64,
    [first, second]: [&str; 2],
    password: &str,
    now: chrono::DateTime<chrono::Utc>,
) {
    use elder_assess::store::AssessorSlot;
    store.bind_assessor(id, AssessorSlot::First, first, None, now).unwrap();
    store.bind_assessor(id, AssessorSlot::Second, second, Some(password), now).unwrap();
}

/// A directory under the system temp dir, removed on drop.
pub struct TempDir(std::path::PathBuf);

impl TempDir {
    /// A fresh, unique directory whose name contains `name`.
    pub fn new(name: &str) -> Self {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let unique = COUNTER.fetch_add(1, Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!(
            "elder-assess-{name}-{}-{unique}-{}",
            std::process::id(),
            chrono::Utc::now().timestamp_nanos_opt().unwrap_or_default()
        ));
        std::fs::create_dir_all(&path).unwrap();
        Self(path)
    }

    /// The directory.
    pub fn path(&self) -> &std::path::Path {
        &self.0
    }

    /// The database file a store opened here uses.
    pub fn db(&self) -> std::path::PathBuf {
        self.0.join(elder_assess::store::DB_FILE_NAME)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
