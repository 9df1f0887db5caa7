//! Annex A of the example record (`tests/data/example-assessment.json`) filled in by
//! keyboard alone, from the first field of A.1 to the county section: no click, and the
//! keys other than the typed text counted per field.

use egui::Key;
use egui_kittest::Harness;
use elder_assess::record::codes::{
    AssessmentReason, Denture, Diagnosis, JointMotionStatus, Pain, Relationship, SwallowingSign,
    ToothLoss,
};
use elder_assess::record::{AssessmentRecord, Medication};
use elder_assess::ui::AppState;
use elder_assess::ui::wizard::Section;

use super::ui::{app, data_dir, new_assessment};

/// The keyboard, counting the keys that are not typed text.
struct Keyboard {
    harness: Harness<'static, AppState>,
    keys: usize,
    fields: usize,
}

impl Keyboard {
    fn key(&mut self, key: Key) {
        self.harness.key_press(key);
        self.harness.run();
        self.keys += 1;
    }

    /// Option `number` (1-based) of the focused list, by its digits typed as a quick hand
    /// does: one frame (a quarter second of the harness's clock) between two digits, not
    /// `run` — that runs as many frames as the background store writer asks for, and each
    /// advances the clock, so the second digit could fall outside the two-digit window.
    fn option(&mut self, number: usize) {
        let digits: Vec<char> = number.to_string().chars().collect();
        for (i, digit) in digits.iter().enumerate() {
            self.harness.key_press(Key::from_name(&digit.to_string()).unwrap());
            if i + 1 < digits.len() {
                self.harness.step();
            } else {
                self.harness.run();
            }
            self.keys += 1;
        }
    }

    /// A pause longer than the two-digit window of a long list (1 s; the harness's clock
    /// advances a quarter second a frame).
    fn pause(&mut self) {
        self.harness.run_steps(8);
    }

    fn text(&mut self, text: &str) {
        self.harness.event(egui::Event::Text(text.to_owned()));
        self.harness.run();
    }

    fn field(&mut self) {
        self.fields += 1;
    }

    fn record(&self) -> &AssessmentRecord {
        &self.harness.state().editor().unwrap().record
    }

    fn section(&self) -> Section {
        self.harness.state().editor().unwrap().section
    }
}

fn number_of<T: PartialEq>(all: &[T], value: &T) -> usize {
    all.iter().position(|v| v == value).unwrap() + 1
}

fn example() -> AssessmentRecord {
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/example-assessment.json"),
    )
    .unwrap();
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    let record = value.get("record").cloned().unwrap_or(value);
    serde_json::from_value(record).unwrap()
}

#[test]
fn annex_a_is_filled_by_keyboard_alone_in_at_most_two_keys_per_field() {
    let dir = data_dir("keyboard-fill");
    let mut harness = app(&dir);
    new_assessment(&mut harness);
    let mut k = Keyboard { harness, keys: 0, fields: 0 };
    let example = example();

    fill_a1(&mut k, &example);
    fill_a2(&mut k, &example);
    fill_a3(&mut k, &example);
    fill_a4(&mut k, &example);
    fill_a5(&mut k, &example);
    check(&k, &example);
}

fn fill_a1(k: &mut Keyboard, example: &AssessmentRecord) {
    // A.1: the reference date has the focus (today's date stays).
    k.field();
    k.key(Key::Tab);
    k.field();
    k.option(number_of(AssessmentReason::ALL, &AssessmentReason::First));
    k.field();
    k.key(Key::ArrowDown); // 耿马镇, the first township
    k.key(Key::Tab);
    k.field();
    k.text(&example.info.place);
    k.key(Key::Enter);
    assert_eq!(k.section(), Section::Subject, "Enter in A.1's last field");
}

fn fill_a2(k: &mut Keyboard, example: &AssessmentRecord) {
    let subject = &example.subject;
    for text in [subject.name.as_str(), subject.id_number.as_str()] {
        k.field();
        k.text(text);
        k.key(Key::Enter);
    }
    // 性别 and 出生日期 came from the ID number.
    k.field();
    k.key(Key::Tab);
    k.field();
    k.key(Key::Tab);
    k.field();
    k.text(&subject.height_cm.unwrap().to_string());
    k.key(Key::Enter);
    k.field();
    let weight = subject.weight_tenth_kg.unwrap();
    k.text(&format!("{}.{}", weight / 10, weight % 10));
    k.key(Key::Enter);
    k.field();
    k.option(2); // 少数民族
    k.field();
    k.text(&subject.ethnicity.minority);
    k.key(Key::Enter);
    k.field();
    k.option(2); // 有
    k.field();
    k.text(&subject.religion.name);
    k.key(Key::Enter);
    k.field();
    k.option(1); // 文盲
    k.field();
    k.option(2); // 与配偶居住
    k.key(Key::Tab);
    k.field();
    k.option(2); // 已婚
    k.field();
    k.option(2); // 城乡居民基本医疗保险
    k.option(8); // 大病保险
    k.key(Key::Tab);
    k.field();
    k.option(2); // 子女补贴
    k.option(4); // 国家普惠型补贴
    k.key(Key::Tab);
    // A.2.14: 跌倒 发生过1次, 走失 无, 噎食 发生过1次, 自杀 无, 其他 无, then its blank.
    for count in [1, 0, 1, 0, 0] {
        k.field();
        k.option(count + 1);
    }
    k.key(Key::Enter);
    assert_eq!(k.section(), Section::Informant, "Enter in A.2's last field");
}

fn fill_a3(k: &mut Keyboard, example: &AssessmentRecord) {
    let informant = &example.informant;
    k.field();
    k.text(&informant.name);
    k.key(Key::Enter);
    k.field();
    k.option(number_of(Relationship::ALL, &Relationship::Child));
    for text in [&informant.contact_name, &informant.contact_phone] {
        k.field();
        k.text(text);
        k.key(Key::Enter);
    }
    assert_eq!(k.section(), Section::Diagnoses, "Enter in A.3's last field");
}

fn fill_a4(k: &mut Keyboard, example: &AssessmentRecord) {
    // A.4: three diagnoses by their numbers (18 = two digits), 其他诊断 left blank, then
    // two medications through ＋ 添加药物.
    k.field();
    for (i, diagnosis) in
        [Diagnosis::Hypertension, Diagnosis::Cataract, Diagnosis::Dementia].iter().enumerate()
    {
        if i > 0 {
            k.pause();
        }
        k.option(number_of(Diagnosis::ALL, diagnosis));
    }
    k.key(Key::Tab);
    k.field();
    k.key(Key::Tab); // to ＋ 添加药物
    for (row, medication) in example.diagnoses.medications.iter().enumerate() {
        if row > 0 {
            k.key(Key::Tab); // 删除第1行
            k.key(Key::Tab); // ＋ 添加药物
        }
        k.key(Key::Space);
        let Medication { name, route, dose, frequency } = medication;
        for (column, text) in [name, route, dose, frequency].into_iter().enumerate() {
            k.field();
            k.text(text);
            if column < 3 || row == 1 {
                k.key(Key::Enter);
            }
        }
    }
    assert_eq!(k.section(), Section::Health, "Enter in A.4's last field");
}

fn fill_a5(k: &mut Keyboard, example: &AssessmentRecord) {
    let health = &example.health;
    k.field();
    k.option(1); // 压力性损伤 无
    k.field();
    k.option(number_of(JointMotionStatus::ALL, &JointMotionStatus::Affected));
    k.field();
    k.text(&health.joint_motion.site);
    k.key(Key::Enter);
    for _ in 0..2 {
        // 伤口情况 无, 特殊护理情况 无.
        k.field();
        k.option(1);
        k.key(Key::Tab);
    }
    k.field();
    k.option(number_of(Pain::ALL, &Pain::Mild));
    // A.5.6: three lists (no heading, 牙列缺损, 牙列缺失); 非对位牙缺失 is the first of
    // the second.
    k.field();
    k.key(Key::Tab);
    let lost: Vec<ToothLoss> =
        ToothLoss::ALL.iter().copied().filter(|t| t.heading() == Some("牙列缺损")).collect();
    k.option(number_of(&lost, &ToothLoss::NonOpposing));
    k.key(Key::Tab);
    k.key(Key::Tab);
    k.field();
    k.option(number_of(Denture::ALL, &Denture::RemovablePartial));
    k.key(Key::Tab);
    k.field();
    k.option(number_of(SwallowingSign::ALL, &SwallowingSign::Coughs));
    k.key(Key::Tab);
    for _ in 0..3 {
        // 营养不良 无, 清理呼吸道无效 无, 昏迷 无.
        k.field();
        k.option(1);
    }
    k.field();
    k.key(Key::Enter);
    assert_eq!(k.section(), Section::County, "Enter in A.5's last field");
}

fn check(k: &Keyboard, example: &AssessmentRecord) {
    // What was typed is the example's Annex A.
    let record = k.record().clone();
    let mut expected = example.clone();
    expected.info.number.clone_from(&record.info.number);
    expected.info.reference_date = record.info.reference_date;
    assert_eq!(record.info, expected.info);
    assert_eq!(record.subject, expected.subject);
    assert_eq!(record.informant, expected.informant);
    assert_eq!(record.diagnoses, expected.diagnoses);
    assert_eq!(record.health, expected.health);

    let hundredths = k.keys * 100 / k.fields;
    println!(
        "keyboard fill: {} keys for {} fields = {}.{:02} per field",
        k.keys,
        k.fields,
        hundredths / 100,
        hundredths % 100
    );
    assert!(k.keys <= 2 * k.fields, "{} keys for {} fields", k.keys, k.fields);
}
