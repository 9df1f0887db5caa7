//! The assessment wizard: Annex A forms, the 26 Annex B items, the Annex C result and the
//! signatures, one section per screen, with a side panel listing the sections, their
//! completion and the running grade.
//!
//! The wizard only edits an [`AssessmentRecord`]; every number it shows comes from the
//! engine ([`crate::assessment::score`] / [`crate::assessment::progress`]).

mod annex_a;
mod annex_a5;
pub mod assessors;
mod county;
mod items;
mod result;
mod same_elder;
mod sections;
mod sign;
mod township;

use chrono::{DateTime, Utc};
use egui::{RichText, Ui};

use crate::assessment::{Progress, progress};
use crate::policy::Policy;
use crate::record::{AssessmentRecord, FieldCode, FieldIssue, FieldSection};
use crate::scale::Scale;
use crate::store::Status;

pub use same_elder::SameElder;

use super::signature_pad::PadState;
use super::theme;

/// A screen of the wizard, in the standard's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    /// A.1 评估信息.
    Info,
    /// A.2 基本信息.
    Subject,
    /// A.3 信息提供者及联系人.
    Informant,
    /// A.4 疾病诊断和用药情况.
    Diagnoses,
    /// A.5 健康相关问题.
    Health,
    /// 县级补充信息 (county facts; not part of GB/T 42195).
    County,
    /// One Annex B domain (index into [`Scale::domains`]).
    Domain(usize),
    /// C 评估结果.
    Result,
    /// 签名.
    Signatures,
}

impl Section {
    /// The section's name in the remembered place (`subject`, `domain.2`, …).
    #[must_use]
    pub fn code(self) -> String {
        match self {
            Self::Info => "info".to_owned(),
            Self::Subject => "subject".to_owned(),
            Self::Informant => "informant".to_owned(),
            Self::Diagnoses => "diagnoses".to_owned(),
            Self::Health => "health".to_owned(),
            Self::County => "county".to_owned(),
            Self::Domain(d) => format!("domain.{d}"),
            Self::Result => "result".to_owned(),
            Self::Signatures => "signatures".to_owned(),
        }
    }

    /// The section named `code` ([`Section::code`]), if `scale` has it.
    #[must_use]
    pub fn from_code(code: &str, scale: &Scale) -> Option<Self> {
        Some(match code {
            "info" => Self::Info,
            "subject" => Self::Subject,
            "informant" => Self::Informant,
            "diagnoses" => Self::Diagnoses,
            "health" => Self::Health,
            "county" => Self::County,
            "result" => Self::Result,
            "signatures" => Self::Signatures,
            _ => {
                let d: usize = code.strip_prefix("domain.")?.parse().ok()?;
                (d < scale.domains().len()).then_some(Self::Domain(d))?
            }
        })
    }

    /// The section holding a [`FieldIssue`]'s field, and the item index for Annex B codes.
    pub fn of_field(scale: &Scale, field: &FieldCode) -> (Self, Option<usize>) {
        if let FieldSection::B(_) = field.section()
            && let Some(index) = scale.item_index(&field.to_string())
        {
            return (Self::Domain(scale.items()[index].domain_index()), Some(index));
        }
        let section = match field.section() {
            FieldSection::A(1) => Self::Info,
            FieldSection::A(2) => Self::Subject,
            FieldSection::A(3) => Self::Informant,
            FieldSection::A(4) => Self::Diagnoses,
            FieldSection::A(5) => Self::Health,
            FieldSection::Signatures => Self::Signatures,
            _ => Self::Result,
        };
        (section, None)
    }
}

/// What the wizard asks the app to do after the frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use]
pub enum WizardCommand {
    /// Back to the list of assessments.
    GoHome,
    /// Mark the assessment completed (the app re-checks and saves).
    Complete,
    /// Turn a completed assessment back into a draft for editing.
    Reopen,
    /// Open the 导出 PDF… window.
    OpenExport,
    /// 提交审核: send a completed record to the bureau.
    Submit,
    /// Show every assessment of the elder.
    History,
    /// Bind this assessor signature to the account picked for it.
    BindAssessor(crate::store::AssessorSlot),
    /// Open another record of the same elder (a draft found for the ID number).
    OpenOther(i64),
    /// 发起复评 from this approved record of the same elder.
    Reassess(i64),
    /// 删除草稿: delete the open draft (confirmed).
    DeleteDraft,
}

/// Text the assessor is typing that does not parse yet (dates, numbers).
#[derive(Debug, Clone, Default)]
pub(super) struct Buffers {
    pub reference_date: String,
    pub birth_date: String,
    pub height: String,
    pub weight: String,
}

/// One assessment open in the wizard.
#[derive(Debug, Clone)]
pub struct Editor {
    /// Row id in the store.
    pub id: i64,
    /// Draft or completed.
    pub status: Status,
    /// The record being edited.
    pub record: AssessmentRecord,
    /// The record as last saved; the app saves whenever the two differ.
    pub saved: AssessmentRecord,
    /// The screen shown.
    pub section: Section,
    /// The focused Annex B item (index into [`Scale::items`]).
    pub item: usize,
    /// Problems found by the last refused 完成评估, shown until fixed.
    pub issues: Vec<FieldIssue>,
    /// Why the reviewer returned it, for a returned record.
    pub returned_reason: Option<String>,
    /// Whether 提交审核 is offered (someone is signed in).
    pub can_submit: bool,
    /// The time of the current frame, from the app's clock (signatures are stamped with it).
    pub now: DateTime<Utc>,
    /// The assessors' accounts (once the machine has accounts).
    pub binding: assessors::AssessorBinding,
    /// The same elder's other assessments, once looked up for the ID number typed.
    pub same_elder: Option<SameElder>,
    /// Why sync keeps the record from changing here (frozen in the outbox, a county
    /// record), if it does.
    pub sync_hold: Option<super::sync_view::SyncHold>,
    pub(super) buffers: Buffers,
    pub(super) pads: [PadState; 3],
    /// The section drawn last frame: another one has just opened (scrolled to the top,
    /// its first field focused).
    shown: Option<Section>,
}

impl Editor {
    /// Opens `record` (saved as row `id`) at the first section.
    pub fn new(id: i64, status: Status, record: AssessmentRecord, now: DateTime<Utc>) -> Self {
        let buffers = Buffers {
            reference_date: record.info.reference_date.to_string(),
            birth_date: record.subject.birth_date.map(|d| d.to_string()).unwrap_or_default(),
            height: record.subject.height_cm.map(|h| h.to_string()).unwrap_or_default(),
            weight: record
                .subject
                .weight_tenth_kg
                .map(super::widgets::tenths_text)
                .unwrap_or_default(),
        };
        Self {
            id,
            status,
            saved: record.clone(),
            record,
            section: Section::Info,
            item: 0,
            issues: Vec::new(),
            returned_reason: None,
            can_submit: false,
            now,
            binding: assessors::AssessorBinding::default(),
            same_elder: None,
            sync_hold: None,
            buffers,
            pads: [PadState::default(); 3],
            shown: None,
        }
    }

    /// Whether the record is edited here: a draft (or a returned one) that sync does not
    /// hold.
    #[must_use]
    pub fn is_editable(&self) -> bool {
        matches!(self.status, Status::Draft | Status::Returned) && self.sync_hold.is_none()
    }

    /// The running total and possible levels.
    pub fn progress(&self, scale: &Scale) -> Progress {
        progress(scale, &self.record.answers(scale), &self.record.facts(scale))
    }

    /// Moves to the section holding `field` (and to its item for Annex B codes).
    pub fn jump_to(&mut self, scale: &Scale, field: &FieldCode) {
        let (section, item) = Section::of_field(scale, field);
        self.section = section;
        if let Some(item) = item {
            self.item = item;
        } else if let Section::Domain(d) = section {
            self.item = scale.domains()[d].item_range().start;
        }
    }

    /// Shows the side panel and the current section.
    pub fn ui(
        &mut self,
        ui: &mut Ui,
        scale: &Scale,
        policy: Option<&Policy>,
    ) -> Option<WizardCommand> {
        // Only drafts (including returned ones) are edited here; completed records can be
        // turned back into drafts, submitted and approved ones change only through review.
        // A record held by sync is read-only too: the store would refuse its changes.
        let readonly = !self.is_editable();
        // Keys first, so that no focused button also reacts to Enter.
        if !readonly {
            self.keyboard(ui, scale);
        }
        let progress = self.progress(scale);
        let command = self.sections_ui(ui, scale, &progress);
        let opened = self.shown != Some(self.section);
        self.shown = Some(self.section);
        if opened && !matches!(self.section, Section::Domain(_)) {
            super::form::focus_first_field(ui.ctx());
        }
        let content = egui::CentralPanel::default().show(ui, |ui| {
            let area = egui::ScrollArea::vertical().auto_shrink([false, false]);
            // A section opens at its top, not at the last one's scroll position.
            let area = if opened { area.vertical_scroll_offset(0.0) } else { area };
            area.show(ui, |ui| {
                if readonly {
                    if let Some(hold) = self.sync_hold {
                        super::sync_view::hold_ui(ui, hold);
                    }
                    let held = self.sync_hold.is_some();
                    ui.horizontal_wrapped(|ui| {
                        ui.label(
                            RichText::new(format!("本评估{}，内容只读", self.status.label()))
                                .color(theme::OK)
                                .strong(),
                        );
                        if ui
                            .add(
                                egui::Button::new(RichText::new("导出 PDF…").strong())
                                    .min_size(egui::vec2(0.0, theme::TARGET_HEIGHT)),
                            )
                            .clicked()
                        {
                            return Some(WizardCommand::OpenExport);
                        }
                        if self.status == Status::Completed
                            && self.can_submit
                            && !held
                            && super::confirm::confirm_button(
                                ui,
                                true,
                                "提交审核",
                                "提交后不能再修改，确认提交审核？",
                                egui::Vec2::ZERO,
                            )
                        {
                            return Some(WizardCommand::Submit);
                        }
                        if self.status == Status::Completed
                            && !held
                            && ui.button("改为草稿以修改").clicked()
                        {
                            return Some(WizardCommand::Reopen);
                        }
                        if ui.button("该老人的全部评估").clicked() {
                            return Some(WizardCommand::History);
                        }
                        None
                    })
                    .inner
                    .or_else(|| {
                        ui.add_enabled_ui(false, |ui| self.section_ui(ui, scale, policy, &progress))
                            .inner
                    })
                } else {
                    if let Some(reason) = &self.returned_reason {
                        ui.label(
                            RichText::new(format!("审核退回：{reason}"))
                                .color(theme::WARNING)
                                .strong(),
                        );
                    }
                    let found = self.same_elder.as_ref();
                    let same = found.and_then(|found| same_elder::same_elder_ui(ui, found));
                    let section = self.section_ui(ui, scale, policy, &progress);
                    same.or(section)
                }
            })
            .inner
        });
        super::form::clear_focus_requests(ui.ctx());
        command.or(content.inner)
    }

    fn section_ui(
        &mut self,
        ui: &mut Ui,
        scale: &Scale,
        policy: Option<&Policy>,
        progress: &Progress,
    ) -> Option<WizardCommand> {
        match self.section {
            Section::Info => {
                let townships = policy.map(|p| &p.county().townships[..]);
                annex_a::info_ui(ui, self, townships.unwrap_or_default());
            }
            Section::Subject => annex_a::subject_ui(ui, self, scale),
            Section::Informant => annex_a::informant_ui(ui, self),
            Section::Diagnoses => annex_a::diagnoses_ui(ui, self, scale),
            Section::Health => annex_a5::health_ui(ui, self, scale),
            Section::County => county::county_ui(ui, self, policy),
            Section::Domain(d) => items::domain_ui(ui, self, scale, d),
            Section::Result => return result::result_ui(ui, self, scale, policy, progress),
            Section::Signatures => return sign::signatures_ui(ui, self, scale),
        }
        self.next_section_button(ui, scale);
        None
    }

    /// 下一部分 at the bottom of the Annex A screens and after the last item of a domain.
    fn next_section_button(&mut self, ui: &mut Ui, scale: &Scale) {
        // Enter in the section's last field goes on to the next section.
        let enter = super::form::take_enter_next(ui);
        let Some(next) = self.next_section(scale) else { return };
        ui.add_space(16.0);
        if ui
            .add(egui::Button::new("下一部分 →").min_size(egui::vec2(160.0, theme::TARGET_HEIGHT)))
            .clicked()
            || enter
        {
            self.go_to(scale, next);
        }
    }

    fn next_section(&self, scale: &Scale) -> Option<Section> {
        let domains = scale.domains().len();
        Some(match self.section {
            Section::Info => Section::Subject,
            Section::Subject => Section::Informant,
            Section::Informant => Section::Diagnoses,
            Section::Diagnoses => Section::Health,
            Section::Health => Section::County,
            Section::County if domains > 0 => Section::Domain(0),
            Section::Domain(d) if d + 1 < domains => Section::Domain(d + 1),
            Section::County | Section::Domain(_) => Section::Result,
            Section::Result => Section::Signatures,
            Section::Signatures => return None,
        })
    }

    /// Shows `section`; entering a domain focuses its first item.
    pub fn go_to(&mut self, scale: &Scale, section: Section) {
        if let Section::Domain(d) = section
            && scale.items().get(self.item).is_none_or(|i| i.domain_index() != d)
        {
            self.item = scale.domains()[d].item_range().start;
        }
        self.section = section;
    }

    /// Annex B keys: digits choose, Enter/→ next, Shift+Enter/← back. Ignored while a text
    /// field has focus.
    fn keyboard(&mut self, ui: &Ui, scale: &Scale) {
        let Section::Domain(_) = self.section else { return };
        if ui.ctx().egui_wants_keyboard_input() {
            return;
        }
        // A focused button (e.g. the section just clicked) would take Enter as a click.
        let focused = ui.ctx().memory(egui::Memory::focused);
        if let Some(id) = focused {
            ui.ctx().memory_mut(|memory| memory.surrender_focus(id));
        }
        let Some(item) = scale.items().get(self.item) else { return };
        let digits = super::choice::DIGIT_KEYS;
        let mut chosen = None;
        let mut step: i32 = 0;
        ui.input_mut(|input| {
            for (score, key) in (0u8..).zip(digits) {
                if input.consume_key(egui::Modifiers::NONE, key) && item.accepts(score) {
                    chosen = Some(score);
                }
            }
            if input.consume_key(egui::Modifiers::SHIFT, egui::Key::Enter)
                || input.consume_key(egui::Modifiers::NONE, egui::Key::ArrowLeft)
            {
                step = -1;
            } else if input.consume_key(egui::Modifiers::NONE, egui::Key::Enter)
                || input.consume_key(egui::Modifiers::NONE, egui::Key::ArrowRight)
            {
                step = 1;
            }
        });
        if let Some(score) = chosen {
            self.record.answers.insert(item.id().to_owned(), score);
        }
        match step {
            1 => self.next_item(scale),
            -1 => self.previous_item(scale),
            _ => {}
        }
    }

    /// The next item; after the last item of the last domain, the result screen.
    pub fn next_item(&mut self, scale: &Scale) {
        if self.item + 1 < scale.items().len() {
            self.item += 1;
            self.section = Section::Domain(scale.items()[self.item].domain_index());
        } else {
            self.section = Section::Result;
        }
    }

    /// The previous item; before the first, stays.
    pub fn previous_item(&mut self, scale: &Scale) {
        if self.item > 0 {
            self.item -= 1;
            self.section = Section::Domain(scale.items()[self.item].domain_index());
        }
    }
}

/// Whether the county facts that most services depend on are recorded.
fn county_recorded(record: &AssessmentRecord) -> bool {
    let f = &record.county;
    f.local_hukou.is_some()
        && f.tekun.is_some()
        && f.dibao.is_some()
        && f.economic_hardship.is_some()
}

/// `能力轻度受损（轻度失能）` when settled, else the range still possible.
pub fn level_range_text(scale: &Scale, progress: &Progress) -> String {
    let name = |code: u8| scale.level(code).map_or("", |l| l.name.as_str());
    let (best, worst) = progress.levels;
    if best == worst {
        let prefix = if progress.complete { "等级" } else { "等级（已确定）" };
        format!("{prefix}：{}", name(best))
    } else {
        format!("等级：待定（{} ～ {}）", name(best), name(worst))
    }
}
