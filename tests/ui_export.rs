//! 导出 PDF… and the signature pad (issue 13, point 9): typed paths, the last folder
//! remembered, the window inside the app's window at 800×600 and 200 % text, no missing
//! glyphs, closed after saving; a pen-up always ends the stroke, also when the next move
//! or pen-down arrives in the same frame, and the signed PDF draws the same strokes.

use egui::{Event, Modifiers, PointerButton, Pos2};
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT as _, Queryable as _};
use elder_assess::record::signature::SCALE;
use elder_assess::sign::{SignatureRequest, sign_pdf};
use elder_assess::ui::AppState;
use lopdf::Document;

use super::ui::{
    app, completed_with_key, data_dir, export_window, new_assessment, open_section,
    shown_containing, wait_for_jobs,
};

const REPORT: &str = "PG20261128-0001-老年人能力评估报告.pdf";

fn button(pos: Pos2, pressed: bool) -> Event {
    Event::PointerButton {
        pos,
        button: PointerButton::Primary,
        pressed,
        modifiers: Modifiers::NONE,
    }
}

/// A point of the pad named `pad` at fractions of its size, and the same in pad units.
fn pad_points(
    harness: &Harness<'static, AppState>,
    pad: &str,
) -> impl Fn(f32, f32) -> Pos2 + use<> {
    let rect = harness.get_by_label(pad).rect();
    move |x, y| Pos2::new(rect.min.x + x * rect.width(), rect.min.y + y * rect.height())
}

fn unit(x: f32, y: f32) -> [u16; 2] {
    let scale = f32::from(SCALE);
    #[expect(clippy::cast_possible_truncation, clippy::cast_sign_loss, reason = "in 0..=SCALE")]
    let to = |v: f32| (v * scale).round() as u16;
    [to(x), to(y)]
}

fn near(a: [u16; 2], b: [u16; 2]) -> bool {
    a[0].abs_diff(b[0]) <= 20 && a[1].abs_diff(b[1]) <= 20
}

/// Runs one frame with all of `events` in it (`Harness::event` gives each its own frame).
fn frame_with(harness: &mut Harness<'static, AppState>, events: Vec<Event>) {
    harness.input_mut().events.extend(events);
    harness.step();
    harness.run();
}

/// Draws two strokes on `pad`: the first ends at A (0.3, 0.5); the pen goes up there and
/// down again at B (0.6, 0.2) for the second. With `one_frame`, pen-up at A, the move to B,
/// pen-down at B and the next move all arrive in one frame; without, pen-up at A and the
/// move to B share a frame and the pen-down comes in the next.
fn two_strokes(harness: &mut Harness<'static, AppState>, pad: &str, one_frame: bool) {
    let at = pad_points(harness, pad);
    frame_with(harness, vec![Event::PointerMoved(at(0.1, 0.5)), button(at(0.1, 0.5), true)]);
    for step in 1u8..=4 {
        frame_with(harness, vec![Event::PointerMoved(at(0.1 + 0.05 * f32::from(step), 0.5))]);
    }
    let up = vec![button(at(0.3, 0.5), false), Event::PointerMoved(at(0.6, 0.2))];
    let down = vec![button(at(0.6, 0.2), true), Event::PointerMoved(at(0.7, 0.3))];
    if one_frame {
        frame_with(harness, [up, down].concat());
    } else {
        frame_with(harness, up);
        frame_with(harness, down);
    }
    frame_with(harness, vec![Event::PointerMoved(at(0.8, 0.4))]);
    frame_with(harness, vec![button(at(0.8, 0.4), false)]);
}

#[test]
fn pen_up_ends_the_stroke_even_with_the_next_move_in_the_same_frame_and_the_pdf_draws_two() {
    let dir = data_dir("pen-up");
    let mut harness = app(&dir);
    new_assessment(&mut harness);
    open_section(&mut harness, "签名");
    two_strokes(&mut harness, "评估员1签名板", false);
    two_strokes(&mut harness, "评估员2签名板", true);
    let signatures = harness.state().editor().unwrap().record.signatures.clone();
    for signature in [&signatures.assessor1, &signatures.assessor2] {
        let strokes = &signature.strokes;
        assert_eq!(strokes.len(), 2, "{strokes:?}");
        assert!(near(*strokes[0].last().unwrap(), unit(0.3, 0.5)), "{strokes:?}");
        assert!(near(strokes[1][0], unit(0.6, 0.2)), "{strokes:?}");
        assert!(near(*strokes[1].last().unwrap(), unit(0.8, 0.4)), "{strokes:?}");
        // No segment leaves A for B or C: the strokes are not joined.
        for stroke in strokes {
            for pair in stroke.windows(2) {
                assert!(
                    !(near(pair[0], unit(0.3, 0.5)) && pair[1][1] < unit(0.0, 0.45)[1]),
                    "a stray line from the pen-up: {strokes:?}"
                );
            }
            assert!(stroke.iter().all(|p| p[1] <= unit(0.0, 0.5)[1] + 20), "{stroke:?}");
        }
        assert!(signature.signed_at.is_some());
    }

    // Signed into a PDF, the appearance draws the same two strokes, point for point.
    let keys = super::common::TempDir::new("pen-up-keys");
    let (signer, _) = super::sign::keys_and_signers(keys.path());
    let strokes = signatures.assessor1.strokes.clone();
    let request = SignatureRequest {
        field_name: "评估员1".to_owned(),
        page_index: 0,
        rect_pt: [60.0, 80.0, 220.0, 120.0],
        strokes: strokes.clone(),
        signer_name: "张三".to_owned(),
        reason: "老年人能力评估报告 评估员签名".to_owned(),
        location: "耿马傣族佤族自治县".to_owned(),
        signing_time: chrono::Utc::now(),
        certify: true,
        extra_certificates: Vec::new(),
    };
    let pdf = sign_pdf(&super::sign::sample_pdf(), &signer, &request).unwrap();
    let ops = appearance_ops(&pdf);
    assert_eq!(ops.matches(" m\n").count(), 2, "{ops}");
    assert_eq!(ops.matches("\nS\n").count(), 2, "{ops}");
    let lines: usize = strokes.iter().map(|s| s.len() - 1).sum();
    assert_eq!(ops.matches(" l\n").count(), lines, "{ops}");
}

/// The content of the first signature widget's appearance stream.
fn appearance_ops(pdf: &[u8]) -> String {
    let doc = Document::load_mem(pdf).unwrap();
    let page = doc.get_dictionary(doc.get_pages()[&1]).unwrap();
    let annots = page.get(b"Annots").unwrap().as_array().unwrap();
    let widget = doc.get_dictionary(annots[0].as_reference().unwrap()).unwrap();
    let ap = widget.get(b"AP").unwrap().as_dict().unwrap();
    let stream = doc.get_object(ap.get(b"N").unwrap().as_reference().unwrap()).unwrap();
    String::from_utf8(stream.as_stream().unwrap().content.clone()).unwrap()
}

/// Replaces the text of the field labelled `label` with `text`.
fn type_into(harness: &mut Harness<'static, AppState>, label: &str, text: &str) {
    harness.get_by_label(label).click();
    harness.run();
    harness.key_press_modifiers(Modifiers::COMMAND, egui::Key::A);
    harness.get_by_label(label).type_text(text);
    harness.run();
}

fn save(harness: &mut Harness<'static, AppState>) {
    harness.get_by_label("保存").click();
    harness.step();
    wait_for_jobs(harness);
}

#[test]
fn a_typed_path_is_accepted_the_window_closes_and_the_next_export_starts_in_that_folder() {
    let dir = data_dir("export-typed");
    let mut harness = completed_with_key(&dir);
    export_window(&mut harness, &dir, "correct horse");
    let elsewhere = dir.join("typed").join("子文件夹");
    std::fs::create_dir_all(&elsewhere).unwrap();
    let typed = elsewhere.join("报告.pdf");
    type_into(&mut harness, "文件名（或完整路径）", &typed.display().to_string());
    assert!(!shown_containing(&harness, "不能包含"), "a path is not refused");
    save(&mut harness);
    let status = harness.state_mut().export_dialog_mut().map(|d| d.status.clone());
    assert!(typed.is_file(), "written where the typed path says: {status:?}");
    assert!(harness.state_mut().export_dialog_mut().is_none(), "closed after saving");
    assert!(shown_containing(&harness, "已导出"), "the app says it was written");

    // The next export starts in that folder (the preferences remember it).
    assert_eq!(harness.state().prefs.export_dir.as_deref(), Some(elsewhere.as_path()));
    harness.get_by_label("导出 PDF…").click();
    harness.run();
    let save_dir = harness.state_mut().export_dialog_mut().unwrap().save_dialog_mut().dir.clone();
    assert_eq!(save_dir, elsewhere);

    // A typed folder, then Enter: the dialog goes there and saves there.
    let other = dir.join("另一个");
    std::fs::create_dir_all(&other).unwrap();
    type_into(
        &mut harness,
        "保存到文件夹（可直接输入路径，按回车前往）",
        &other.display().to_string(),
    );
    harness.key_press(egui::Key::Enter);
    harness.run();
    let save_dir = harness.state_mut().export_dialog_mut().unwrap().save_dialog_mut().dir.clone();
    assert_eq!(save_dir, other);
    type_into(&mut harness, "文件名（或完整路径）", REPORT);
    harness.get_by_label("评估员1口令").click();
    harness.run();
    harness.get_by_label("评估员1口令").type_text("correct horse");
    harness.run();
    save(&mut harness);
    assert!(other.join(REPORT).is_file());
    // A folder that does not exist is said so, and nothing changes.
    harness.get_by_label("导出 PDF…").click();
    harness.run();
    type_into(&mut harness, "保存到文件夹（可直接输入路径，按回车前往）", "/没有/这个/文件夹");
    harness.key_press(egui::Key::Enter);
    harness.run();
    assert!(shown_containing(&harness, "没有这个文件夹"));
    let save_dir = harness.state_mut().export_dialog_mut().unwrap().save_dialog_mut().dir.clone();
    assert_eq!(save_dir, other);
}

/// Every text of the open window is drawn by the installed fonts (no ⊠).
fn assert_no_missing_glyphs(harness: &Harness<'static, AppState>) {
    let font = egui::FontId::proportional(20.0);
    let texts: Vec<String> = harness
        .query_all_by(|_| true)
        .filter_map(|node| node.accesskit_node().label().or(node.accesskit_node().value()))
        .collect();
    for text in texts {
        let covered = harness.ctx.fonts_mut(|fonts| fonts.has_glyphs(&font, &text));
        assert!(covered, "missing glyphs in {text:?}");
    }
}

#[test]
fn the_export_window_fits_800_by_600_at_200_percent_and_shows_no_missing_glyphs() {
    let dir = data_dir("export-small");
    let mut harness = completed_with_key(&dir);
    std::fs::create_dir_all(dir.join("exports").join("报告文件夹")).unwrap();
    // Opened at the default size, then the window shrinks to 800×600 and the text grows
    // to 200 % (the top bar's button may not be reachable at that size yet).
    export_window(&mut harness, &dir, "correct horse");
    harness.set_size(egui::vec2(800.0, 600.0));
    harness.state_mut().prefs.zoom = 2.0;
    harness.run();
    let screen = harness.ctx.content_rect();
    assert!(screen.width() < 401.0, "200 % of 800×600 is 400×300 points: {screen:?}");
    let window = harness
        .query_all_by_label("导出 PDF")
        .find(|node| node.accesskit_node().role() == egui::accesskit::Role::Window)
        .expect("the export window is shown")
        .rect();
    assert!(screen.contains_rect(window), "window {window:?} outside the screen {screen:?}");
    for label in ["保存", "取消", "文件名（或完整路径）"] {
        let rect = harness.get_by_label(label).rect();
        assert!(rect.right() <= screen.right() + 0.5, "{label} reaches past the window: {rect:?}");
    }
    assert!(
        harness.query_all_by_label("报告文件夹 /").next().is_some(),
        "the sub-folder is listed, as text"
    );
    assert_no_missing_glyphs(&harness);
}
