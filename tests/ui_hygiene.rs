//! Issue 13, points 5, 7 and 8 through `egui_kittest` and the store: a shared machine
//! (signing out closes the record and its notices, the next account starts on its own
//! list, the sign-in field has the focus, 评估员1姓名 from the account), confirmations
//! before 提交审核 / 通过 / 退回 / 删除草稿, notices that differ by level, the same elder
//! twice (earlier assessments shown, 发起复评 offered), deleting one's own drafts, and the
//! review of a resubmission (the last return reason, every changed field, returns in the
//! history).

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use elder_assess::review::Action;
use elder_assess::store::{Status, Store, StoreError};
use elder_assess::ui::{AppState, Level};

use super::common::{TempDir, gbt};
use super::ui::{shown_containing, wait_for_jobs};
use super::ui_bureau::{
    ELDER_A, PASSWORD, People, app, approve, click, date, now, record, sign_in, store_with_people,
    submit, type_into,
};

/// Signs in as `login` and opens a new assessment.
fn new_draft(harness: &mut Harness<'static, AppState>, login: &str) {
    sign_in(harness, login, PASSWORD);
    click(harness, "＋ 新建评估");
    assert!(harness.state().editor().is_some(), "新建评估 opens the wizard");
}

/// The app over `store`, signed in as reviewer r1, reviewing record `number`.
fn review_as_r1(store: Store, number: &str) -> Harness<'static, AppState> {
    let mut harness = app(store);
    sign_in(&mut harness, "r1", PASSWORD);
    click(&mut harness, "审核队列");
    click(&mut harness, &format!("审核 {number}"));
    harness
}

/// Whether the widget labelled `label` has the keyboard focus.
fn focused(harness: &Harness<'static, AppState>, label: &str) -> bool {
    harness.query_all_by_label(label).any(|node| node.is_focused())
}

#[test]
fn signing_out_closes_the_record_and_notices_and_the_next_account_starts_on_its_list() {
    let dir = TempDir::new("ui-signout");
    let (store, _people) = store_with_people(&dir);
    store.logout();
    let mut harness = app(store);
    assert!(focused(&harness, "账号"), "the sign-in field has the focus");
    new_draft(&mut harness, "a1");
    // 评估员1姓名 comes from the signed-in account.
    assert_eq!(harness.state().editor().unwrap().record.signatures.assessor1.name, "评估员甲");
    // A notice of a1's: deleting a first draft.
    click(&mut harness, "删除草稿");
    click(&mut harness, "确认删除草稿");
    assert!(harness.state().notice().is_some());
    click(&mut harness, "＋ 新建评估");
    harness.state_mut().editor_mut().unwrap().record.subject.name = "岩温香".to_owned();
    harness.run();

    click(&mut harness, "退出登录");
    assert!(harness.state().editor().is_none(), "the record is closed");
    assert!(harness.state().notice().is_none(), "the notices are gone");
    assert!(focused(&harness, "账号"), "the sign-in field has the focus again");
    // The record was saved, as a1, before the next account came.
    let rows = harness.state().store().list("").unwrap();
    assert!(rows.iter().any(|row| row.subject_name == "岩温香"), "{rows:?}");

    sign_in(&mut harness, "a2", PASSWORD);
    assert!(harness.state().editor().is_none(), "a2 does not land in a1's record");
    assert!(harness.state().notice().is_none());
    assert!(harness.query_by_label("＋ 新建评估").is_some(), "a2 is on the list");
    click(&mut harness, "退出登录");
    // a1 comes back to where a1 was.
    sign_in(&mut harness, "a1", PASSWORD);
    let editor = harness.state().editor().expect("a1's own record reopens");
    assert_eq!(editor.record.subject.name, "岩温香");
    assert_eq!(
        harness.state().store().list("").unwrap().len(),
        1,
        "the deleted draft stays deleted"
    );
}

#[test]
fn submitting_needs_a_confirmation() {
    let dir = TempDir::new("ui-confirm-submit");
    let (store, _people) = store_with_people(&dir);
    store.login("a1", PASSWORD, now()).unwrap();
    let completed = record("PG20261128-0100", "岩温香", ELDER_A, "孟定镇", date(2026, 11, 28), 4);
    let id = store.save(&completed, Status::Completed, Some(0), now()).unwrap();
    super::common::bind_assessors(&store, id, ["a1", "a2"], PASSWORD, now());
    store.set_last_open(Some(id)).unwrap();
    let mut harness = app(store);
    click(&mut harness, "提交审核");
    assert_eq!(harness.state().editor().unwrap().status, Status::Completed, "not yet");
    assert!(shown_containing(&harness, "确认提交审核？"));
    click(&mut harness, "取消");
    assert!(!shown_containing(&harness, "确认提交审核？"));
    assert_eq!(harness.state().editor().unwrap().status, Status::Completed);
    click(&mut harness, "提交审核");
    click(&mut harness, "确认提交审核");
    assert_eq!(harness.state().editor().unwrap().status, Status::Submitted);
}

#[test]
fn approving_and_returning_need_a_confirmation_and_notices_differ_by_level() {
    let dir = TempDir::new("ui-confirm-review");
    let (store, people) = store_with_people(&dir);
    let first = submit(
        &store,
        &people,
        &record("PG20261120-0001", "岩温香", ELDER_A, "孟定镇", date(2026, 11, 20), 4),
    );
    let mut harness = review_as_r1(store, "PG20261120-0001");
    click(&mut harness, "通过");
    let status = |harness: &Harness<'static, AppState>| {
        harness.state().store().load(first).unwrap().unwrap().status
    };
    assert_eq!(status(&harness), Status::Submitted, "通过 alone decides nothing");
    // The return reason takes several lines.
    type_into(&mut harness, "退回原因", "B.1.1 与照护情况不符");
    harness.key_press(egui::Key::Enter);
    harness.get_by_label("退回原因").type_text("A.2.8 请核对");
    harness.run();
    click(&mut harness, "退回");
    assert_eq!(status(&harness), Status::Submitted, "退回 alone decides nothing");
    click(&mut harness, "确认退回");
    assert_eq!(status(&harness), Status::Returned);
    let stored = harness.state().store().load(first).unwrap().unwrap();
    assert_eq!(stored.review_reason.as_deref(), Some("B.1.1 与照护情况不符\nA.2.8 请核对"));
    // A success starts with its own word, in its own colour.
    let notice = harness.state().notice().unwrap();
    assert_eq!(notice.level, Level::Success);
    assert!(shown_containing(&harness, "完成：PG20261120-0001：已退回"));
    let prefixes = [Level::Info, Level::Success, Level::Warning, Level::Error].map(Level::prefix);
    for (i, prefix) in prefixes.iter().enumerate() {
        assert!(!prefixes[i + 1..].contains(prefix), "{prefix} is one level's only");
    }
}

#[test]
fn an_assessor_deletes_only_their_own_drafts_confirmed_and_audited() {
    let dir = TempDir::new("drafts-delete");
    let (store, _people) = store_with_people(&dir);
    store.login("a1", PASSWORD, now()).unwrap();
    let mine = record("PG20261128-0001", "岩温香", ELDER_A, "孟定镇", date(2026, 11, 28), 4);
    let mine = store.save(&mine, Status::Draft, None, now()).unwrap();
    let done = record("PG20261128-0002", "岩温香", ELDER_A, "孟定镇", date(2026, 11, 28), 4);
    let done = store.save(&done, Status::Completed, Some(0), now()).unwrap();
    // Another account's draft is refused, and so is a completed record.
    store.login("a2", PASSWORD, now()).unwrap();
    let err = store.delete_draft_at(mine, now()).unwrap_err();
    assert!(matches!(err, StoreError::NotOwnDraft { .. }), "{err:?}");
    store.login("a1", PASSWORD, now()).unwrap();
    assert!(matches!(store.delete_draft_at(done, now()), Err(StoreError::Completed { .. })));
    assert!(store.load(mine).unwrap().is_some());

    // In the app: 删除草稿 asks first; 确认 deletes it, audited as a1.
    store.set_last_open(Some(mine)).unwrap();
    let mut harness = app(store);
    click(&mut harness, "删除草稿");
    assert!(harness.state().editor().is_some(), "删除草稿 alone deletes nothing");
    click(&mut harness, "确认删除草稿");
    assert!(harness.state().editor().is_none());
    assert!(shown_containing(&harness, "完成：已删除草稿 PG20261128-0001"));
    let store = harness.state().store();
    assert!(store.load(mine).unwrap().is_none());
    assert!(store.verify_audit().unwrap().is_intact());
    let audit = audit_rows(store);
    assert!(
        audit.iter().any(|(actor, record, action)| actor == "a1"
            && *record == Some(mine)
            && action == "delete_draft"),
        "{audit:?}"
    );
}

#[test]
fn an_id_number_with_assessments_shows_them_and_offers_a_reassessment() {
    let dir = TempDir::new("ui-same-elder");
    let (store, people) = store_with_people(&dir);
    let approved = approve(
        &store,
        &people,
        &record("PG20250601-0001", "岩温香", ELDER_A, "孟定镇", date(2025, 6, 1), 4),
    );
    store.logout();
    let mut harness = app(store);
    new_draft(&mut harness, "a1");
    *harness.state_mut().editor_mut().unwrap().record.subject.id_number.text_mut() =
        ELDER_A.to_owned();
    harness.run();
    wait_for_jobs(&mut harness);
    assert!(shown_containing(&harness, "身份证号 110105********002X 已有 1 次评估"));
    assert!(shown_containing(
        &harness,
        "PG20250601-0001　110105********002X　评估日期 2025-06-01　已通过"
    ));
    assert!(!shown_containing(&harness, ELDER_A), "the number is shown masked");
    click(&mut harness, "发起复评（基于 PG20250601-0001）");
    let id = harness.state().editor().unwrap().id;
    let linked = harness.state().store().load(id).unwrap().unwrap();
    assert_eq!(linked.supersedes, Some(approved), "the 复评 links the approved record");
    // The 复评 is meant to have an earlier assessment: no warning on it.
    wait_for_jobs(&mut harness);
    assert_eq!(harness.state().editor().unwrap().record.subject.id_number.as_str(), ELDER_A);
    assert!(!shown_containing(&harness, "已有 1 次评估"));
}

#[test]
fn the_review_of_a_resubmission_shows_the_last_reason_and_every_changed_field() {
    let dir = TempDir::new("ui-resubmission");
    let (store, people) = store_with_people(&dir);
    let mut first = record("PG20261120-0001", "岩温香", ELDER_A, "孟定镇", date(2026, 11, 20), 0);
    let id = submit(&store, &people, &first);
    let reason = "B.1.1 进食评分与照护情况不符".to_owned();
    store
        .transition(id, Action::Return { reason: reason.clone() }, &people.r1, None, now())
        .unwrap();
    resubmit(&store, &people, &mut first, id);

    let mut harness = review_as_r1(store, "PG20261120-0001");
    assert!(shown_containing(&harness, "重新提交：上次于 2026-11-28 10:00 被 审核员丙 退回"));
    assert!(shown_containing(&harness, &format!("上次退回原因：{reason}")));
    assert!(shown_containing(&harness, "退回后修改的字段（2 项）"));
    // An Annex A field and an Annex B item, with the forms' codes and titles.
    let max = format!("{} 分", gbt().items()[0].max());
    for text in ["A.3.1", "信息提供者的姓名", "家属（示例）", "岩罕", "B.1.1", "进食", "0 分", &max]
    {
        assert!(shown_containing(&harness, text), "{text}");
    }
    // The history lists the return with its reason.
    click(&mut harness, "该老人的全部评估");
    assert!(shown_containing(&harness, "退回记录（1 次）"));
    assert!(shown_containing(&harness, &format!("退回：{reason}")));
}

/// a1 changes A.3.1 and B.1.1 of returned record `id`, completes and submits it again.
fn resubmit(
    store: &Store,
    people: &People,
    record: &mut elder_assess::record::AssessmentRecord,
    id: i64,
) {
    store.login("a1", PASSWORD, now()).unwrap();
    record.informant.name = "岩罕".to_owned();
    let item = gbt().items()[0].clone();
    record.answers.insert(item.id().to_owned(), item.max());
    store.save(record, Status::Draft, None, now()).unwrap();
    store.save(record, Status::Completed, Some(0), now()).unwrap();
    store.transition(id, Action::Submit, &people.a1, None, now()).unwrap();
    store.logout();
}

/// Every audit row's actor, record and action, read behind the store (a plain file).
fn audit_rows(store: &Store) -> Vec<(String, Option<i64>, String)> {
    let conn = rusqlite::Connection::open(store.path()).unwrap();
    let mut statement =
        conn.prepare("SELECT actor, record_id, action FROM audit ORDER BY seq").unwrap();
    statement
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

#[test]
fn the_record_last_open_is_kept_per_account() {
    let dir = TempDir::new("last-open-per-account");
    let (store, _people) = store_with_people(&dir);
    store.login("a1", PASSWORD, now()).unwrap();
    let draft = record("PG20261128-0001", "岩温香", ELDER_A, "孟定镇", date(2026, 11, 28), 4);
    let id = store.save(&draft, Status::Draft, None, now()).unwrap();
    store.set_last_open(Some(id)).unwrap();
    store.login("a2", PASSWORD, now()).unwrap();
    assert_eq!(store.last_open().unwrap(), None, "a2 has no record open");
    store.login("a1", PASSWORD, now()).unwrap();
    assert_eq!(store.last_open().unwrap(), Some(id));
    // Deleting the draft forgets it for every account.
    store.delete_draft_at(id, now()).unwrap();
    assert_eq!(store.last_open().unwrap(), None);
}

#[test]
fn returns_and_the_changes_since_come_from_the_audit_trail() {
    let dir = TempDir::new("returns-audit");
    let (store, people) = store_with_people(&dir);
    let mut first = record("PG20261120-0001", "岩温香", ELDER_A, "孟定镇", date(2026, 11, 20), 0);
    let id = submit(&store, &people, &first);
    assert_eq!(store.changes_since_return(id).unwrap(), None, "never returned");
    store
        .transition(id, Action::Return { reason: "请核对".into() }, &people.r1, None, now())
        .unwrap();
    // A field changed and changed back is no change.
    store.login("a1", PASSWORD, now()).unwrap();
    first.subject.name = "临时".to_owned();
    store.save(&first, Status::Draft, None, now()).unwrap();
    first.subject.name = "岩温香".to_owned();
    store.save(&first, Status::Draft, None, now()).unwrap();
    store.logout();
    resubmit(&store, &people, &mut first, id);
    let (event, changes) = store.changes_since_return(id).unwrap().unwrap();
    assert_eq!((event.reason.as_str(), event.reviewer.as_str()), ("请核对", "审核员丙"));
    let paths: Vec<_> = changes.iter().map(|change| change.path.as_str()).collect();
    assert_eq!(paths, ["answers.B.1.1", "informant.name"]);
    assert_eq!(changes[0].old.as_deref(), Some("0"));
    let returns = store.returns_of(id).unwrap();
    assert_eq!(returns.len(), 1);
    assert_eq!(returns[0].number, "PG20261120-0001");
}
