//! The review lifecycle of an assessment (审核流程), as a pure state machine.
//!
//! | from | action | to | who |
//! | --- | --- | --- | --- |
//! | 草稿 Draft | Edit | 草稿 Draft | assessor, admin |
//! | 草稿 Draft, 已完成 Completed | Complete | 已完成 Completed | assessor, admin |
//! | 已完成 Completed | Reopen | 草稿 Draft | assessor, admin |
//! | 已完成 Completed | Submit | 已提交 Submitted | assessor, admin |
//! | 已提交 Submitted | Approve | 已通过 Approved (final) | reviewer, admin; not an assessor of the record |
//! | 已提交 Submitted | Return (reason) | 已退回 Returned | reviewer, admin |
//! | 已退回 Returned | Edit | 草稿 Draft | assessor, admin |
//!
//! - Assessors (评估员) edit, complete, reopen and submit their records.
//! - Only a reviewer (审核员) or an admin (管理员) approves or returns a submitted record.
//!   The approving account must have done none of the record's duties: it did not
//!   create, import, edit or submit it and is neither assessor's account ([`Parties`],
//!   logins compared); nor may its name be an assessor's name, compared after
//!   [`normalise_name`] (whitespace and invisible format characters such as U+200B
//!   removed, full-width ASCII folded), which is all that can be compared for records
//!   written before accounts existed.
//! - Once accounts exist, a record is submitted only with its two assessor signatures
//!   bound to two different accounts.
//! - Returning needs a non-empty reason.
//! - An approved record is final: every action on it is refused with
//!   "已通过的评估不能修改，请新建复评". A correction or a re-assessment (复评) is a new
//!   record linked to the one it replaces (see `Store::new_linked_record`).
//!
//! **How "returned" is modelled.** [`ReviewStatus::Returned`] is a status of its own, so
//! the assessors' list shows 已退回 and the reviewer's reason next to it. The only action
//! it allows is [`Action::Edit`] (by an assessor or admin), which makes it a
//! [`ReviewStatus::Draft`] again; the store keeps the reason (`review_reason`) until the
//! next review.
//!
//! Admins may do everything an assessor or a reviewer may (and are bound by the same
//! reviewer ≠ assessor rule when approving). Reviewers may not edit, complete, reopen or
//! submit.
//!
//! This module is pure: no database, GUI or PDF crate, no clock. The store
//! (`crate::store`) calls [`transition`] again before every status change, whoever called
//! it. Messages are Chinese and never name anybody.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Where an assessment is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewStatus {
    /// 草稿: being filled in (also a returned record once the assessors edit it).
    Draft,
    /// 已完成: finished and scored by the assessors.
    Completed,
    /// 已提交: waiting in the review queue.
    Submitted,
    /// 已通过: approved; final, never changes again.
    Approved,
    /// 已退回: returned by the reviewer with a reason; back to the assessors.
    Returned,
}

impl ReviewStatus {
    /// Every status, in lifecycle order.
    pub const ALL: [Self; 5] =
        [Self::Draft, Self::Completed, Self::Submitted, Self::Approved, Self::Returned];

    /// The Chinese label: 草稿 / 已完成 / 已提交 / 已通过 / 已退回.
    pub fn label(self) -> &'static str {
        match self {
            Self::Draft => "草稿",
            Self::Completed => "已完成",
            Self::Submitted => "已提交",
            Self::Approved => "已通过",
            Self::Returned => "已退回",
        }
    }

    /// The stable code, as serialised: `draft`, `completed`, `submitted`, `approved`,
    /// `returned`.
    pub fn code(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Completed => "completed",
            Self::Submitted => "submitted",
            Self::Approved => "approved",
            Self::Returned => "returned",
        }
    }

    /// The status with this [`code`](Self::code).
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|status| status.code() == code)
    }

    /// Whether the assessors may still change the record's content (草稿 only).
    pub fn is_editable(self) -> bool {
        self == Self::Draft
    }
}

impl fmt::Display for ReviewStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// What an account may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 评估员: fills in, completes and submits assessments.
    Assessor,
    /// 审核员: approves or returns submitted assessments.
    Reviewer,
    /// 管理员: manages accounts; may also do what assessors and reviewers do.
    Admin,
}

impl Role {
    /// Every role.
    pub const ALL: [Self; 3] = [Self::Assessor, Self::Reviewer, Self::Admin];

    /// The Chinese label: 评估员 / 审核员 / 管理员.
    pub fn label(self) -> &'static str {
        match self {
            Self::Assessor => "评估员",
            Self::Reviewer => "审核员",
            Self::Admin => "管理员",
        }
    }

    /// The stable code: `assessor`, `reviewer`, `admin`.
    pub fn code(self) -> &'static str {
        match self {
            Self::Assessor => "assessor",
            Self::Reviewer => "reviewer",
            Self::Admin => "admin",
        }
    }

    /// The role with this [`code`](Self::code).
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|role| role.code() == code)
    }

    /// Whether this role may edit, complete, reopen and submit.
    pub fn can_assess(self) -> bool {
        matches!(self, Self::Assessor | Self::Admin)
    }

    /// Whether this role may approve and return.
    pub fn can_review(self) -> bool {
        matches!(self, Self::Reviewer | Self::Admin)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// Who is acting: a signed-in account.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Actor {
    /// The login name.
    pub account: String,
    /// The person's name as signed on assessments (compared with the assessors' names).
    pub display_name: String,
    /// What the account may do.
    pub role: Role,
}

/// Something done to an assessment.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// 编辑: change a draft's content (a returned record becomes a draft again).
    Edit,
    /// 完成: the assessors finish the record (again, if already completed).
    Complete,
    /// 改为草稿: a completed record goes back to draft for corrections.
    Reopen,
    /// 提交审核: a completed record goes to the review queue.
    Submit,
    /// 审核通过.
    Approve,
    /// 退回, with the reviewer's reason (must not be blank).
    Return {
        /// Why the record goes back to the assessors.
        reason: String,
    },
}

impl Action {
    /// The Chinese label, as used in "不能{label}".
    pub fn label(&self) -> &'static str {
        match self {
            Self::Edit => "修改",
            Self::Complete => "完成",
            Self::Reopen => "改为草稿",
            Self::Submit => "提交审核",
            Self::Approve => "审核通过",
            Self::Return { .. } => "退回",
        }
    }

    /// The stable code (as written to the audit trail): `edit`, `complete`, `reopen`,
    /// `submit`, `approve`, `return`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Edit => "edit",
            Self::Complete => "complete",
            Self::Reopen => "reopen",
            Self::Submit => "submit",
            Self::Approve => "approve",
            Self::Return { .. } => "return",
        }
    }

    /// The return reason, trimmed, for [`Action::Return`].
    pub fn reason(&self) -> Option<&str> {
        match self {
            Self::Return { reason } => Some(reason.trim()),
            _ => None,
        }
    }

    /// Whether only reviewers (and admins) may take this action.
    pub fn is_review(&self) -> bool {
        matches!(self, Self::Approve | Self::Return { .. })
    }
}

/// Why [`transition`] refused an action.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReviewError {
    /// The record is approved: nothing may change it.
    #[error("已通过的评估不能修改，请新建复评")]
    Frozen,
    /// The action makes no sense in this status.
    #[error("{}的评估不能{}", from.label(), action)]
    NotAllowed {
        /// The current status.
        from: ReviewStatus,
        /// The refused action's label.
        action: &'static str,
    },
    /// The actor's role may not take this action.
    #[error("{}无权{}", role.label(), action)]
    Forbidden {
        /// The actor's role.
        role: Role,
        /// The refused action's label.
        action: &'static str,
    },
    /// The reviewer is one of the record's assessors, or created, imported, edited or
    /// submitted it.
    #[error(
        "审核人不能是本评估的评估员，也不能是创建、导入、修改或提交本评估的账号，请由其他审核员审核"
    )]
    OwnAssessment,
    /// Once accounts exist, both assessor signatures must be bound to accounts.
    #[error("两名评估员都须用各自的账号确认签名后才能提交审核")]
    UnboundAssessor,
    /// The two assessor signatures are bound to the same account.
    #[error("评估员1和评估员2不能是同一个账号")]
    SameAssessor,
    /// The record names no assessor, so reviewer ≠ assessor cannot be checked.
    #[error("评估记录缺少评估员姓名，无法审核")]
    NoAssessors,
    /// A return without a reason.
    #[error("退回评估必须填写退回原因")]
    MissingReason,
}

/// Who did a record's duties, for the separation of duties in [`transition`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Parties {
    /// The assessors' names (assessor 1, assessor 2) as in the record's signatures.
    pub assessor_names: [String; 2],
    /// The accounts (logins) the two assessor signatures are bound to, when bound.
    pub assessor_accounts: [Option<String>; 2],
    /// The accounts that created, imported, edited or submitted the record.
    pub duty_accounts: Vec<String>,
    /// Whether the machine has accounts: then a submission needs both assessor accounts.
    pub accounts_exist: bool,
}

impl Parties {
    /// Parties known only by the assessors' names (a record from before accounts).
    pub fn named(first: &str, second: &str) -> Self {
        Self { assessor_names: [first.to_owned(), second.to_owned()], ..Self::default() }
    }

    /// Whether `account` did any duty on the record or is one of its assessors.
    fn involves(&self, account: &str) -> bool {
        let account = account.trim();
        self.duty_accounts.iter().any(|a| a.trim() == account)
            || self.assessor_accounts.iter().flatten().any(|a| a.trim() == account)
    }
}

/// A name as compared for "reviewer ≠ assessor": Unicode NFKC (compatibility ideographs
/// and other look-alike forms folded to the ordinary character), whitespace and invisible
/// format characters (zero-width space and joiners, bidirectional marks, soft hyphen,
/// BOM, …) removed, full-width ASCII forms (`（`, `Ａ`) folded to ASCII, ASCII lower-cased.
pub fn normalise_name(name: &str) -> String {
    use unicode_normalization::UnicodeNormalization as _;
    // NFKC first: compatibility ideographs (U+F9E1 李 → U+674E 李), full-width and other
    // look-alike forms become the ordinary character.
    name.nfkc()
        .filter(|&c| !c.is_whitespace() && !is_format_char(c))
        .map(|c| match u32::from(c) {
            // U+FF01..=U+FF5E are the full-width forms of U+0021..=U+007E.
            code @ 0xFF01..=0xFF5E => char::from_u32(code - 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// Unicode general category Cf (format) characters that occur in text, plus the
/// invisible fillers that render as nothing.
fn is_format_char(c: char) -> bool {
    matches!(
        u32::from(c),
        0x00AD
            | 0x034F
            | 0x061C
            | 0x115F..=0x1160
            | 0x17B4..=0x17B5
            | 0x180B..=0x180F
            | 0x200B..=0x200F
            | 0x202A..=0x202E
            | 0x2060..=0x206F
            | 0x3164
            | 0xFE00..=0xFE0F
            | 0xFEFF
            | 0xFFA0
            | 0xFFF0..=0xFFFB
            | 0x1D173..=0x1D17A
            | 0xE0000..=0xE0FFF
    )
}

/// The status after `actor` takes `action` on a record in status `current`.
///
/// `parties` are who did the record's duties: its assessors' names and accounts and the
/// accounts that created, imported, edited or submitted it. Blank names are ignored, and
/// an approval needs at least one.
///
/// Rules, checked in this order:
/// 1. [`ReviewStatus::Approved`] refuses everything ([`ReviewError::Frozen`]).
/// 2. The action must fit the status ([`ReviewError::NotAllowed`]):
///    Draft —Edit→ Draft, Draft —Complete→ Completed, Completed —Complete→ Completed,
///    Completed —Reopen→ Draft, Completed —Submit→ Submitted,
///    Submitted —Approve→ Approved, Submitted —Return→ Returned, Returned —Edit→ Draft.
/// 3. Approve and Return need a reviewer or admin; the others an assessor or admin
///    ([`ReviewError::Forbidden`]).
/// 4. Return needs a non-blank reason ([`ReviewError::MissingReason`]).
/// 5. Submit, once accounts exist: both assessor signatures are bound to accounts
///    ([`ReviewError::UnboundAssessor`]), two different ones ([`ReviewError::SameAssessor`]).
/// 6. Approve: the actor's account is none of the record's ([`Parties`]) and its display
///    name differs from every assessor name after [`normalise_name`]
///    ([`ReviewError::OwnAssessment`], [`ReviewError::NoAssessors`]).
#[expect(
    clippy::needless_pass_by_value,
    reason = "an action is taken, not lent: callers build it for this call"
)]
pub fn transition(
    current: ReviewStatus,
    action: Action,
    actor: &Actor,
    parties: &Parties,
) -> Result<ReviewStatus, ReviewError> {
    use ReviewStatus::{Approved, Completed, Draft, Returned, Submitted};
    if current == Approved {
        return Err(ReviewError::Frozen);
    }
    let next = match (current, &action) {
        (Draft | Returned, Action::Edit) | (Completed, Action::Reopen) => Draft,
        (Draft | Completed, Action::Complete) => Completed,
        (Completed, Action::Submit) => Submitted,
        (Submitted, Action::Approve) => Approved,
        (Submitted, Action::Return { .. }) => Returned,
        _ => return Err(ReviewError::NotAllowed { from: current, action: action.label() }),
    };
    let permitted =
        if action.is_review() { actor.role.can_review() } else { actor.role.can_assess() };
    if !permitted {
        return Err(ReviewError::Forbidden { role: actor.role, action: action.label() });
    }
    if action.reason().is_some_and(str::is_empty) {
        return Err(ReviewError::MissingReason);
    }
    if action == Action::Submit && parties.accounts_exist {
        let [Some(first), Some(second)] = &parties.assessor_accounts else {
            return Err(ReviewError::UnboundAssessor);
        };
        if first.trim() == second.trim() {
            return Err(ReviewError::SameAssessor);
        }
    }
    if action == Action::Approve {
        let names: Vec<String> = parties
            .assessor_names
            .iter()
            .map(|name| normalise_name(name))
            .filter(|name| !name.is_empty())
            .collect();
        if names.is_empty() {
            return Err(ReviewError::NoAssessors);
        }
        if parties.involves(&actor.account) || names.contains(&normalise_name(&actor.display_name))
        {
            return Err(ReviewError::OwnAssessment);
        }
    }
    Ok(next)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ReviewStatus::{Approved, Completed, Draft, Returned, Submitted};

    fn actor(name: &str, role: Role) -> Actor {
        Actor { account: format!("{name}-login"), display_name: name.to_owned(), role }
    }

    fn assessors() -> Parties {
        Parties::named("评估员甲", " 评估员乙 ")
    }

    fn ret(reason: &str) -> Action {
        Action::Return { reason: reason.to_owned() }
    }

    fn all_actions() -> Vec<Action> {
        vec![
            Action::Edit,
            Action::Complete,
            Action::Reopen,
            Action::Submit,
            Action::Approve,
            ret("照片不清楚"),
        ]
    }

    /// The allowed (status, action) → status pairs; everything else is refused.
    fn allowed(current: ReviewStatus, action: &Action) -> Option<ReviewStatus> {
        match (current, action) {
            (Draft | Returned, Action::Edit) | (Completed, Action::Reopen) => Some(Draft),
            (Draft | Completed, Action::Complete) => Some(Completed),
            (Completed, Action::Submit) => Some(Submitted),
            (Submitted, Action::Approve) => Some(Approved),
            (Submitted, Action::Return { .. }) => Some(Returned),
            _ => None,
        }
    }

    #[test]
    fn labels_and_codes() {
        let labels: Vec<_> = ReviewStatus::ALL.iter().map(|s| s.label()).collect();
        assert_eq!(labels, ["草稿", "已完成", "已提交", "已通过", "已退回"]);
        for status in ReviewStatus::ALL {
            assert_eq!(ReviewStatus::from_code(status.code()), Some(status));
            let json = serde_json::to_string(&status).unwrap();
            assert_eq!(json, format!("\"{}\"", status.code()));
        }
        assert_eq!(ReviewStatus::from_code("Draft"), None);
        let roles: Vec<_> = Role::ALL.iter().map(|r| r.label()).collect();
        assert_eq!(roles, ["评估员", "审核员", "管理员"]);
        for role in Role::ALL {
            assert_eq!(Role::from_code(role.code()), Some(role));
        }
        assert!(Draft.is_editable());
        assert!(!Returned.is_editable());
    }

    #[test]
    fn assessor_path_draft_to_submitted() {
        let a = actor("评估员甲", Role::Assessor);
        let names = assessors();
        assert_eq!(transition(Draft, Action::Edit, &a, &names), Ok(Draft));
        assert_eq!(transition(Draft, Action::Complete, &a, &names), Ok(Completed));
        assert_eq!(transition(Completed, Action::Complete, &a, &names), Ok(Completed));
        assert_eq!(transition(Completed, Action::Reopen, &a, &names), Ok(Draft));
        assert_eq!(transition(Completed, Action::Submit, &a, &names), Ok(Submitted));
        assert_eq!(transition(Returned, Action::Edit, &a, &names), Ok(Draft));
    }

    #[test]
    fn reviewer_approves_or_returns_a_submitted_record() {
        let r = actor("审核员丙", Role::Reviewer);
        let names = assessors();
        assert_eq!(transition(Submitted, Action::Approve, &r, &names), Ok(Approved));
        assert_eq!(transition(Submitted, ret("缺少签名"), &r, &names), Ok(Returned));
    }

    #[test]
    fn every_status_action_and_role_against_the_table() {
        let names = assessors();
        let people = [
            actor("评估员丁", Role::Assessor),
            actor("审核员丙", Role::Reviewer),
            actor("管理员戊", Role::Admin),
        ];
        for current in ReviewStatus::ALL {
            for action in all_actions() {
                for who in &people {
                    let got = transition(current, action.clone(), who, &names);
                    let role_ok = if action.is_review() {
                        who.role.can_review()
                    } else {
                        who.role.can_assess()
                    };
                    let expected = match allowed(current, &action) {
                        _ if current == Approved => Err(ReviewError::Frozen),
                        None => {
                            Err(ReviewError::NotAllowed { from: current, action: action.label() })
                        }
                        Some(_) if !role_ok => {
                            Err(ReviewError::Forbidden { role: who.role, action: action.label() })
                        }
                        Some(next) => Ok(next),
                    };
                    assert_eq!(got, expected, "{current:?} {action:?} by {:?}", who.role);
                }
            }
        }
    }

    #[test]
    fn approved_is_final() {
        for action in all_actions() {
            for role in Role::ALL {
                let error =
                    transition(Approved, action.clone(), &actor("某人", role), &assessors())
                        .unwrap_err();
                assert_eq!(error, ReviewError::Frozen);
                assert_eq!(error.to_string(), "已通过的评估不能修改，请新建复评");
            }
        }
    }

    #[test]
    fn reviewer_must_not_be_an_assessor() {
        let names = assessors();
        for name in ["评估员甲", "评估员乙", " 评估员乙"] {
            for role in [Role::Reviewer, Role::Admin] {
                let error =
                    transition(Submitted, Action::Approve, &actor(name, role), &names).unwrap_err();
                assert_eq!(error, ReviewError::OwnAssessment, "{name}");
                assert!(!error.to_string().contains(name.trim()));
            }
        }
        // Blank names are ignored; with none left, approval is refused.
        let blank = Parties::named("", "  ");
        let r = actor("审核员丙", Role::Reviewer);
        assert_eq!(
            transition(Submitted, Action::Approve, &r, &blank),
            Err(ReviewError::NoAssessors)
        );
        assert_eq!(
            transition(Submitted, Action::Approve, &r, &Parties::default()),
            Err(ReviewError::NoAssessors)
        );
        let one = Parties::named("评估员甲", "");
        assert_eq!(transition(Submitted, Action::Approve, &r, &one), Ok(Approved));
        // Returning is not restricted by the assessor names.
        let own = actor("评估员甲", Role::Admin);
        assert_eq!(transition(Submitted, ret("重做"), &own, &names), Ok(Returned));
    }

    #[test]
    fn the_approving_account_did_none_of_the_records_duties() {
        let parties = Parties {
            assessor_names: ["评估员甲".to_owned(), "评估员乙".to_owned()],
            assessor_accounts: [Some("a1".to_owned()), Some("a2".to_owned())],
            duty_accounts: vec!["boss".to_owned()],
            accounts_exist: true,
        };
        // The admin who imported it, and an assessor's own account under another name.
        for (login, name) in [("boss", "管理员戊"), ("a2", "别名")] {
            let who = Actor {
                account: login.to_owned(),
                display_name: name.to_owned(),
                role: Role::Admin,
            };
            assert_eq!(
                transition(Submitted, Action::Approve, &who, &parties),
                Err(ReviewError::OwnAssessment),
                "{login}"
            );
        }
        let other = actor("审核员丙", Role::Reviewer);
        assert_eq!(transition(Submitted, Action::Approve, &other, &parties), Ok(Approved));
    }

    #[test]
    fn submission_needs_two_different_assessor_accounts_once_accounts_exist() {
        let a = actor("评估员甲", Role::Assessor);
        let mut parties = Parties { accounts_exist: true, ..assessors() };
        assert_eq!(
            transition(Completed, Action::Submit, &a, &parties),
            Err(ReviewError::UnboundAssessor)
        );
        parties.assessor_accounts = [Some("a1".to_owned()), Some(" a1".to_owned())];
        assert_eq!(
            transition(Completed, Action::Submit, &a, &parties),
            Err(ReviewError::SameAssessor)
        );
        parties.assessor_accounts[1] = Some("a2".to_owned());
        assert_eq!(transition(Completed, Action::Submit, &a, &parties), Ok(Submitted));
        // Before accounts exist, names are all there is.
        assert_eq!(transition(Completed, Action::Submit, &a, &assessors()), Ok(Submitted));
    }

    #[test]
    fn names_compare_without_invisible_characters() {
        assert_eq!(normalise_name("李明\u{200b}（示例）"), normalise_name("李明（示例）"));
        assert_eq!(normalise_name(" 李\u{feff}明 (示例)\u{2060}"), "李明(示例)");
        assert_eq!(normalise_name("Ｌｉ Ｍｉｎｇ"), "liming");
        assert_ne!(normalise_name("李明"), normalise_name("李鸣"));
        let names = Parties::named("李明（示例）", "王芳");
        let disguised = actor("李明\u{200b}（示例）", Role::Reviewer);
        assert_eq!(
            transition(Submitted, Action::Approve, &disguised, &names),
            Err(ReviewError::OwnAssessment)
        );
    }

    #[test]
    fn names_compare_after_folding_compatibility_characters() {
        // U+F9E1 is a CJK compatibility ideograph drawn exactly like 李 (U+674E).
        assert_eq!(normalise_name("\u{f9e1}明（示例）"), normalise_name("李明（示例）"));
        assert_eq!(normalise_name("李明（示例）"), normalise_name("李明(示例)"));
        let names = Parties::named("李明（示例）", "王芳");
        let look_alike = actor("\u{f9e1}明（示例）", Role::Reviewer);
        assert_eq!(
            transition(Submitted, Action::Approve, &look_alike, &names),
            Err(ReviewError::OwnAssessment)
        );
    }

    #[test]
    fn returning_needs_a_reason() {
        let r = actor("审核员丙", Role::Reviewer);
        for reason in ["", "   ", "\n\t"] {
            assert_eq!(
                transition(Submitted, ret(reason), &r, &assessors()),
                Err(ReviewError::MissingReason)
            );
        }
        assert_eq!(ReviewError::MissingReason.to_string(), "退回评估必须填写退回原因");
    }

    #[test]
    fn refusals_read_well() {
        let a = actor("评估员甲", Role::Assessor);
        let r = actor("审核员丙", Role::Reviewer);
        let names = assessors();
        assert_eq!(
            transition(Draft, Action::Submit, &a, &names).unwrap_err().to_string(),
            "草稿的评估不能提交审核"
        );
        assert_eq!(
            transition(Submitted, Action::Edit, &a, &names).unwrap_err().to_string(),
            "已提交的评估不能修改"
        );
        assert_eq!(
            transition(Submitted, Action::Approve, &a, &names).unwrap_err().to_string(),
            "评估员无权审核通过"
        );
        assert_eq!(
            transition(Draft, Action::Edit, &r, &names).unwrap_err().to_string(),
            "审核员无权修改"
        );
        assert_eq!(
            transition(Returned, Action::Complete, &a, &names).unwrap_err().to_string(),
            "已退回的评估不能完成"
        );
    }
}
