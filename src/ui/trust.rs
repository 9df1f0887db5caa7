//! 县级证书 on the accounts screen (admins only): what this machine trusts — the county
//! roots and revocation lists installed with `trust add` — and a field to install one
//! more from a file (the county root the bureau exported, or a new CRL). Reading the file
//! and installing it run on a job; the list is read on a job when the screen opens.

use std::path::PathBuf;

use egui::{RichText, Ui};

use crate::sign::trust::TrustEntry;

use super::form::{field_width, labelled_row};
use super::jobs::Job;
use super::theme;

/// What a trust job gives: a message (for an installation) and the list afterwards.
pub type TrustOutcome = Result<(Option<String>, Vec<TrustEntry>), String>;

/// The section's state.
#[derive(Default)]
pub struct TrustState {
    /// What is installed (`None`: not read yet).
    pub entries: Option<Vec<TrustEntry>>,
    /// The file to install, as typed.
    pub path: String,
    /// The running job, if any.
    pub job: Option<Job<TrustOutcome>>,
    /// The result of the last installation.
    pub message: Option<Result<String, String>>,
}

/// What the admin asked for.
pub enum TrustAction {
    /// Read what is installed.
    Load,
    /// Install the file.
    Install(PathBuf),
}

impl TrustState {
    /// A job is running.
    pub fn is_busy(&self) -> bool {
        self.job.is_some()
    }

    /// Takes a finished job's result.
    fn poll(&mut self) {
        let Some(job) = &mut self.job else { return };
        let Some(result) = job.poll() else { return };
        self.job = None;
        match result.map_err(|err| err.to_string()).and_then(|outcome| outcome) {
            Ok((message, entries)) => {
                if let Some(message) = message {
                    self.message = Some(Ok(message));
                    self.path.clear();
                }
                self.entries = Some(entries);
            }
            Err(err) => self.message = Some(Err(err)),
        }
    }
}

/// One line for an installed root or CRL.
pub fn entry_line(entry: &TrustEntry) -> String {
    let date = |t: chrono::DateTime<chrono::Utc>| {
        t.with_timezone(&crate::clock::CHINA_OFFSET).format("%Y-%m-%d").to_string()
    };
    match entry {
        TrustEntry::Root { subject, fingerprint, not_after } => {
            let short = fingerprint.get(..16).unwrap_or(fingerprint);
            format!("根证书：{subject}（有效期至 {}，SHA-256 {short}…）", date(*not_after))
        }
        TrustEntry::Crl { issuer, number, this_update, revoked, .. } => {
            let number = number.map_or_else(String::new, |n| format!("第 {n} 号，"));
            format!(
                "吊销列表：{issuer}（{number}{} 发布，{revoked} 个已吊销证书）",
                date(*this_update)
            )
        }
    }
}

/// Shows the section; returns what the admin asked for.
pub fn trust_ui(ui: &mut Ui, state: &mut TrustState) -> Option<TrustAction> {
    state.poll();
    let mut action = None;
    ui.label(RichText::new("县级证书（本机信任的根证书和吊销列表）").strong());
    match &state.entries {
        None if state.job.is_none() => action = Some(TrustAction::Load),
        None => {}
        Some(entries) if entries.is_empty() => {
            ui.label("本机还没有安装县级根证书：签名的报告在本机不会验证为可信。");
        }
        Some(entries) => {
            for entry in entries {
                ui.label(entry_line(entry));
            }
        }
    }
    labelled_row(ui, "证书或吊销列表文件", false, |ui, label| {
        let width = field_width(ui, 360.0);
        ui.add(egui::TextEdit::singleline(&mut state.path).desired_width(width))
            .labelled_by(label.id);
    });
    let ready = !state.path.trim().is_empty() && state.job.is_none();
    let button =
        egui::Button::new("安装证书文件").min_size(egui::vec2(160.0, theme::TARGET_HEIGHT));
    if ui.add_enabled(ready, button).clicked() {
        state.message = None;
        action = Some(TrustAction::Install(PathBuf::from(state.path.trim())));
    }
    if let Some(job) = &state.job {
        job.progress_ui(ui);
    }
    super::widgets::status_line(ui, state.message.as_ref());
    action
}
