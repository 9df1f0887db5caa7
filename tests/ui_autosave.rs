//! The app's autosave through the store writer, driven with `egui_kittest` (issue #11,
//! points 2 and 3): a signature drawn over 500 drag frames is at most 3 audit rows and
//! under 2 KB, and typing goes on while another program holds the database lock.

use std::path::Path;
use std::time::{Duration, Instant};

use egui::Pos2;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use elder_assess::store::DB_FILE_NAME;
use elder_assess::ui::AppState;

use super::ui::{app, data_dir, new_assessment, open_section, shown_containing};

/// Every audit row's number and the bytes of its old and new values.
fn audit_rows(dir: &Path) -> Vec<(i64, String, usize)> {
    let conn = rusqlite::Connection::open(dir.join(DB_FILE_NAME)).unwrap();
    let mut statement = conn
        .prepare(
            "SELECT seq, action || ' ' || coalesce(field, ''),
                    length(coalesce(old_value, '')) + length(coalesce(new_value, ''))
             FROM audit ORDER BY seq",
        )
        .unwrap();
    statement
        .query_map([], |row| {
            Ok((row.get(0)?, row.get(1)?, usize::try_from(row.get::<_, i64>(2)?).unwrap()))
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

fn settle(harness: &mut Harness<'static, AppState>) {
    assert!(harness.state_mut().wait_for_saves(Duration::from_secs(20)), "the writer never saved");
    harness.run();
}

#[test]
fn a_signature_of_500_drag_frames_is_at_most_three_audit_rows_under_2_kb() {
    let dir = data_dir("sign500");
    let mut harness = app(&dir);
    new_assessment(&mut harness);
    open_section(&mut harness, "签名");
    settle(&mut harness);
    let before = audit_rows(&dir).last().map_or(0, |row| row.0);

    let rect = harness.get_by_label("评估员1签名板").rect();
    let at = |t: f32| {
        let x = rect.min.x + (0.05 + 0.9 * t) * rect.width();
        let y = rect.min.y + (0.5 + 0.3 * (t * 40.0).sin()) * rect.height();
        Pos2::new(x, y)
    };
    harness.hover_at(at(0.0));
    harness.drag_at(at(0.0));
    harness.step();
    for frame in 1..=500_u16 {
        harness.hover_at(at(f32::from(frame) / 500.0));
        harness.step();
    }
    harness.drop_at(at(1.0));
    harness.step();
    open_section(&mut harness, "C 评估结果");
    settle(&mut harness);

    let strokes = &harness.state().editor().unwrap().record.signatures.assessor1.strokes;
    assert_eq!(strokes.len(), 1);
    assert!(strokes[0].len() >= 400, "{} points drawn", strokes[0].len());
    let new: Vec<_> = audit_rows(&dir).into_iter().filter(|row| row.0 > before).collect();
    assert!(new.len() <= 3, "{} audit rows for one signature: {new:?}", new.len());
    let bytes: usize = new.iter().map(|row| row.2).sum();
    assert!(bytes < 2_048, "{bytes} bytes of audit values for one signature: {new:?}");
    assert!(new.iter().any(|row| row.1 == "sign signatures.assessor1"), "{new:?}");
}

#[test]
fn typing_goes_on_while_another_program_holds_the_database_lock() {
    let dir = data_dir("lock-held");
    let mut harness = app(&dir);
    new_assessment(&mut harness);
    open_section(&mut harness, "A.2 基本信息");
    settle(&mut harness);
    let number = harness.state().editor().unwrap().record.info.number.clone();

    let other = rusqlite::Connection::open(dir.join(DB_FILE_NAME)).unwrap();
    other.execute_batch("BEGIN IMMEDIATE").unwrap();
    harness.get_by_label("A.2.1 姓名").click();
    harness.run();
    for c in ["李", "奶", "奶", "王"] {
        let started = Instant::now();
        harness.get_by_label("A.2.1 姓名").type_text(c);
        harness.step();
        harness.step();
        // Not a speed target: before the store writer, each of these frames waited out
        // the 5 s busy timeout.
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "a frame waited {:?}",
            started.elapsed()
        );
        std::thread::sleep(Duration::from_millis(150));
    }
    let deadline = Instant::now() + Duration::from_secs(20);
    while !shown_containing(&harness, "数据库正被另一个程序占用") {
        assert!(Instant::now() < deadline, "no notice about the held lock");
        std::thread::sleep(Duration::from_millis(20));
        harness.step();
    }
    assert_eq!(harness.state().editor().unwrap().record.subject.name, "李奶奶王");

    other.execute_batch("COMMIT").unwrap();
    settle(&mut harness);
    let saved = harness.state().store().committed_record(&number).unwrap().unwrap();
    assert_eq!(saved.subject.name, "李奶奶王");
    for _ in 0..10 {
        harness.step();
    }
    assert!(
        !shown_containing(&harness, "数据库正被另一个程序占用"),
        "the notice stays after the lock"
    );
}
