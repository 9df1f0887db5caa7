//! How sync shows on the screens: the 同步 button with the outbox count and the running
//! sync's step, the refused items and conflicts on the home screen, and the words for a
//! record's sync state ([`SyncHold`]) in the wizard, the review screen and the lists.

use egui::{RichText, Ui};

use crate::store::SyncMarks;

use super::theme;

/// Shown for a local record waiting in the outbox.
pub const FROZEN: &str = "等待同步（已冻结）";
/// Shown for a copy of another device's record.
pub const REPLICA: &str = "县级记录";
/// Shown for a county record whose review decision waits in the outbox.
pub const DECISION_PENDING: &str = "审核决定待同步";
/// Shown for a number received twice with different content.
pub const CONFLICT: &str = "冲突：同一编号有两份不同内容，待复核";

/// A conflict, short, for a list cell.
const CONFLICT_SHORT: &str = "冲突待复核";

/// Why a record cannot be changed here because of sync.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncHold {
    /// Waiting in the outbox: the store refuses changes until the server has it.
    Frozen,
    /// A county record (a copy of another device's envelope).
    Replica {
        /// A review decision on it waits in the outbox.
        decision_pending: bool,
        /// Its number was received with two different contents.
        conflict: bool,
    },
}

impl SyncHold {
    /// The hold of record `id` numbered `number`, if any.
    #[must_use]
    pub fn of(marks: Option<&SyncMarks>, id: i64, number: &str) -> Option<Self> {
        let marks = marks?;
        if marks.replicas.contains(&id) {
            return Some(Self::Replica {
                decision_pending: marks.decision_pending.contains(&id),
                conflict: marks.conflicts.contains(number),
            });
        }
        marks.frozen.contains(&id).then_some(Self::Frozen)
    }

    /// The words shown, one a part; `short` for a list cell.
    #[must_use]
    pub fn parts(self, short: bool) -> Vec<&'static str> {
        match self {
            Self::Frozen => vec![FROZEN],
            Self::Replica { decision_pending, conflict } => {
                let mut parts = vec![REPLICA];
                if decision_pending {
                    parts.push(DECISION_PENDING);
                }
                if conflict {
                    parts.push(if short { CONFLICT_SHORT } else { CONFLICT });
                }
                parts
            }
        }
    }

    /// The words shown, joined.
    #[must_use]
    pub fn text(self) -> String {
        self.parts(false).join(" · ")
    }

    /// Whether a review decision may be given here now.
    #[must_use]
    pub fn allows_decision(self) -> bool {
        matches!(self, Self::Replica { decision_pending: false, conflict: false })
    }
}

/// A list cell: the status, with the record's sync state under it (one line a part, so
/// the column stays narrow).
pub fn status_cell(
    ui: &mut Ui,
    status: RichText,
    marks: Option<&SyncMarks>,
    id: i64,
    number: &str,
) -> egui::Response {
    let Some(hold) = SyncHold::of(marks, id, number) else {
        return ui.label(status);
    };
    // Unwrapped: the table measures each cell's natural width.
    ui.vertical(|ui| {
        ui.add(egui::Label::new(status).extend());
        for part in hold.parts(true) {
            ui.add(egui::Label::new(RichText::new(part).small().color(theme::WARNING)).extend());
        }
    })
    .response
}

/// The hold's line in a header (wizard, review).
pub fn hold_ui(ui: &mut Ui, hold: SyncHold) {
    let explain = match hold {
        SyncHold::Frozen => "：已交给县级服务器同步，上传完成前不能修改",
        SyncHold::Replica { decision_pending: true, .. } => "：审核决定已记录，将在下次同步时上传",
        SyncHold::Replica { conflict: true, .. } => "：请核对各版本，选定以哪一版本为准后再审核",
        SyncHold::Replica { .. } => "：其他设备的评估，只能审核，不能修改",
    };
    ui.label(RichText::new(format!("{}{explain}", hold.text())).color(theme::WARNING).strong());
}

/// The 同步 button with the outbox count, disabled while a sync runs. Returns whether it
/// was clicked.
pub fn sync_button_ui(ui: &mut Ui, marks: &SyncMarks, running: Option<&str>) -> bool {
    let label = if marks.outbox > 0 {
        format!("同步（待上传 {}）", marks.outbox)
    } else {
        "同步".to_owned()
    };
    let button = egui::Button::new(RichText::new(label).strong())
        .min_size(egui::vec2(160.0, theme::TARGET_HEIGHT));
    ui.add_enabled(running.is_none(), button)
        .on_hover_text("上传待同步的评估和审核决定，接收审核结果和县内评估")
        .on_disabled_hover_text("正在同步…")
        .clicked()
}

/// Under the home screen's buttons: the running sync's step with a spinner, the items the
/// server refused and the conflicts received.
pub fn status_ui(ui: &mut Ui, marks: &SyncMarks, running: Option<&str>) {
    if let Some(what) = running {
        super::jobs::progress_ui(ui, what);
    }
    for item in &marks.refused {
        let number = item.number.as_deref().unwrap_or("（本机已无此评估）");
        let text =
            format!("被县级服务器拒收：{number}：{}（请修改、重新签名后再提交）", item.reason);
        wrapped(ui, RichText::new(text).color(theme::ERROR));
    }
    for number in &marks.conflicts {
        wrapped(ui, RichText::new(format!("{CONFLICT}：{number}")).color(theme::WARNING));
    }
}

/// A label wrapped at the visible width (the row above may be wider than the window).
fn wrapped(ui: &mut Ui, text: RichText) {
    let visible = (ui.clip_rect().right() - ui.cursor().left()).max(200.0);
    ui.allocate_ui(egui::vec2(visible, 0.0), |ui| {
        ui.label(text);
    });
}
