//! 导出 PDF…: where to save, and which assessors sign with their keys. Once the machine
//! has accounts, each slot shows who must sign it (the registered name and account): the
//! signed-in assessor signs their slot with their own key (its passphrase asked once per
//! session, see `app::session_keys`), and the other assessor signs theirs after signing
//! in here (评估员N本人登录签名: their account password and key passphrase). Without
//! accounts, a practice key is chosen by the assessor's name. The export itself
//! runs as a job (see `app::exports`); meanwhile the window shows what it is doing, and
//! closing it (取消) cancels what has not been written yet. The window starts in the
//! folder of the last export (remembered in the preferences), closes once the file is
//! written, and is never larger than the app's window (its contents scroll instead).

use std::path::{Path, PathBuf};

use egui::{RichText, Ui};
use zeroize::Zeroizing;

use crate::record::AssessmentRecord;
use crate::sign::KeyInfo;

use super::super::jobs::progress_ui;
use super::super::widgets::status_line;
use super::save_dialog::{SaveChoice, SaveDialog, documents_dir};

/// One assessor's signing choice.
#[derive(Clone)]
pub enum SignChoice {
    /// No cryptographic signature.
    None,
    /// A practice key by name (no accounts on this machine), with its passphrase.
    Key {
        /// The key's name.
        name: String,
        /// Its passphrase, wiped when dropped.
        passphrase: Zeroizing<String>,
    },
    /// The account's own key.
    Account {
        /// The account bound to the slot.
        login: String,
        /// The key's passphrase (empty: the session has the key unlocked).
        passphrase: Zeroizing<String>,
        /// The account's password, for an assessor other than the signed-in one (empty
        /// once this session has their key).
        password: Option<Zeroizing<String>>,
    },
}

/// What the export window asks the app to do.
pub struct ExportOrder {
    /// Where to write the PDF.
    pub path: PathBuf,
    /// Assessor 1's and assessor 2's choices.
    pub signers: [SignChoice; 2],
}

/// Who must sign one slot, once accounts exist.
#[derive(Clone)]
#[expect(clippy::struct_excessive_bools, reason = "four independent facts about one slot")]
pub struct AccountSlot {
    /// The account bound to the slot, if any.
    pub login: Option<String>,
    /// Whether it is the signed-in account.
    pub mine: bool,
    /// Whether this session has that account's key unlocked.
    pub unlocked: bool,
    /// Whether that account has a key on this machine.
    pub has_key: bool,
    /// Whether that key's certificate is a practice one (not issued by the county).
    pub practice: bool,
    sign: bool,
    password: Zeroizing<String>,
    passphrase: Zeroizing<String>,
}

impl AccountSlot {
    /// A slot bound to `login` (if any); `mine` if it is the signed-in account.
    pub fn new(login: Option<String>, mine: bool, unlocked: bool, has_key: bool) -> Self {
        let sign = mine && (unlocked || has_key);
        let empty = || Zeroizing::new(String::new());
        let (password, passphrase) = (empty(), empty());
        Self { login, mine, unlocked, has_key, practice: false, sign, password, passphrase }
    }

    fn choice(&self) -> SignChoice {
        match &self.login {
            Some(login) if self.sign => SignChoice::Account {
                login: login.clone(),
                passphrase: if self.unlocked {
                    Zeroizing::new(String::new())
                } else {
                    self.passphrase.clone()
                },
                password: (!self.mine && !self.unlocked).then(|| self.password.clone()),
            },
            _ => SignChoice::None,
        }
    }
}

/// Who signs: practice keys by name, or the slots' accounts.
enum Signers {
    Keys { keys: Vec<KeyInfo>, choices: [SignChoice; 2] },
    Accounts([AccountSlot; 2]),
}

/// The export window's state.
pub struct ExportDialog {
    save: SaveDialog,
    signers: Signers,
    /// The result of the last attempt: `Ok(message)` or `Err(message)`.
    pub status: Option<Result<String, String>>,
}

impl ExportDialog {
    /// Opens in `last_dir` (the folder of the last export, if it still exists) with a file
    /// name from the assessment number and, for each assessor, the key that carries their
    /// name (if any). Without accounts only.
    pub fn new(record: &AssessmentRecord, keys: Vec<KeyInfo>, last_dir: Option<&Path>) -> Self {
        let names = [&record.signatures.assessor1.name, &record.signatures.assessor2.name];
        let choices = names.map(|name| match keys.iter().find(|k| k.name.trim() == name.trim()) {
            Some(key) => SignChoice::Key {
                name: key.name.clone(),
                passphrase: Zeroizing::new(String::new()),
            },
            None => SignChoice::None,
        });
        Self::with(record, Signers::Keys { keys, choices }, last_dir)
    }

    /// Opens for a machine with accounts: `slots` say who must sign each slot.
    pub fn for_accounts(
        record: &AssessmentRecord,
        slots: [AccountSlot; 2],
        last_dir: Option<&Path>,
    ) -> Self {
        Self::with(record, Signers::Accounts(slots), last_dir)
    }

    fn with(record: &AssessmentRecord, signers: Signers, last_dir: Option<&Path>) -> Self {
        let dir = last_dir.filter(|dir| dir.is_dir()).map_or_else(documents_dir, Path::to_path_buf);
        let file_name = format!("{}-老年人能力评估报告.pdf", record.info.number);
        Self { save: SaveDialog::new(dir, file_name), signers, status: None }
    }

    /// What the key files say about each slot's account (read on a job when the window
    /// opens): whether it has a key here, and whether that key has only a practice
    /// certificate.
    pub fn set_account_keys(&mut self, keys: [(bool, bool); 2]) {
        if let Signers::Accounts(slots) = &mut self.signers {
            for (slot, (has_key, practice)) in slots.iter_mut().zip(keys) {
                slot.has_key = has_key;
                slot.practice = practice;
                slot.sign = slot.mine && (slot.unlocked || has_key);
            }
        }
    }

    /// Marks the accounts whose keys this session now holds (after an export).
    pub fn mark_unlocked(&mut self, unlocked: impl Fn(&str) -> bool) {
        if let Signers::Accounts(slots) = &mut self.signers {
            for slot in slots {
                slot.unlocked = slot.login.as_deref().is_some_and(&unlocked);
                if slot.unlocked {
                    slot.password = Zeroizing::new(String::new());
                    slot.passphrase = Zeroizing::new(String::new());
                }
            }
        }
    }

    /// The save-file part (its folder and file name).
    pub fn save_dialog_mut(&mut self) -> &mut SaveDialog {
        &mut self.save
    }

    /// The folder the file is (being) saved in.
    pub fn dir(&self) -> &Path {
        &self.save.dir
    }

    /// Shows the window. Returns an order when 保存 is pressed, and `false` in the second
    /// value when the window should close. `busy` says what the running export is doing.
    pub fn ui(
        &mut self,
        ctx: &egui::Context,
        record: &AssessmentRecord,
        busy: Option<&str>,
    ) -> (Option<ExportOrder>, bool) {
        let mut order = None;
        let mut keep_open = true;
        let screen = ctx.content_rect().shrink(8.0);
        egui::Window::new("导出 PDF")
            .collapsible(false)
            .resizable([true, false])
            .default_width(640.0_f32.min(screen.width() - 16.0))
            .max_width(screen.width() - 16.0)
            .max_height(screen.height() - 16.0)
            .constrain_to(screen)
            .show(ctx, |ui| {
                // Its own height: a scroll area takes the window's last height otherwise,
                // and the window would never grow to its contents.
                let height = (screen.height() - 72.0).max(80.0);
                egui::ScrollArea::vertical().max_height(height).min_scrolled_height(height).show(
                    ui,
                    |ui| {
                        self.signers_ui(ui, record);
                        ui.separator();
                        match self.save.ui(ui, busy.is_some()) {
                            SaveChoice::Open => {}
                            SaveChoice::Cancel => keep_open = false,
                            SaveChoice::Save(path) => {
                                self.status = None;
                                order = Some(ExportOrder { path, signers: self.choices() });
                            }
                        }
                        match busy {
                            Some(what) => progress_ui(ui, what),
                            None => status_line(ui, self.status.as_ref()),
                        }
                    },
                );
            });
        (order, keep_open)
    }

    fn choices(&self) -> [SignChoice; 2] {
        match &self.signers {
            Signers::Keys { choices, .. } => choices.clone(),
            Signers::Accounts(slots) => [slots[0].choice(), slots[1].choice()],
        }
    }

    fn signers_ui(&mut self, ui: &mut Ui, record: &AssessmentRecord) {
        ui.label(RichText::new("数字签名").strong());
        let names = [&record.signatures.assessor1.name, &record.signatures.assessor2.name];
        match &mut self.signers {
            Signers::Keys { keys, choices } => keys_ui(ui, keys, choices, names),
            Signers::Accounts(slots) => {
                for (i, (slot, name)) in slots.iter_mut().zip(names).enumerate() {
                    account_slot_ui(ui, i + 1, slot, name.trim());
                }
            }
        }
    }
}

fn secret_field(ui: &mut Ui, label: &str, secret: &mut Zeroizing<String>) {
    ui.horizontal(|ui| {
        let label = ui.label(label);
        ui.add(egui::TextEdit::singleline(&mut **secret).password(true).desired_width(240.0))
            .labelled_by(label.id);
    });
}

fn account_slot_ui(ui: &mut Ui, n: usize, slot: &mut AccountSlot, name: &str) {
    let role = format!("评估员{n}");
    let Some(login) = slot.login.clone() else {
        ui.label(format!(
            "{role}（{name}）：未绑定账号，不能数字签名（请先在签名页由本人登录确认）"
        ));
        return;
    };
    let who = if slot.mine { "，本人" } else { "" };
    ui.label(format!("{role}：{name}（账号 {login}{who}）"));
    if !slot.has_key && !slot.unlocked {
        ui.label(
            RichText::new(format!("账号 {login} 在本机没有签名密钥；报告中{role}将不带数字签名"))
                .small(),
        );
        slot.sign = false;
        return;
    }
    if slot.practice {
        ui.label(
            RichText::new(format!(
                "账号 {login} 的密钥只有练习证书：签名的报告验证时不会被视为可信，请向县级管理员申请证书（elder-assess keys request）"
            ))
            .small()
            .color(super::super::theme::WARNING),
        );
    }
    let prompt =
        if slot.mine { format!("{role}签名") } else { format!("{role}本人登录签名") };
    ui.checkbox(&mut slot.sign, prompt);
    if !slot.sign {
        return;
    }
    if slot.unlocked {
        ui.label(RichText::new("已解锁密钥（本次登录内有效，退出登录即清除）").small());
        return;
    }
    if !slot.mine {
        secret_field(ui, &format!("{role}登录密码"), &mut slot.password);
    }
    secret_field(ui, &format!("{role}口令"), &mut slot.passphrase);
}

fn keys_ui(ui: &mut Ui, keys: &[KeyInfo], choices: &mut [SignChoice; 2], names: [&String; 2]) {
    if keys.is_empty() {
        ui.label(
            RichText::new("本机还没有评估员密钥；报告将不带数字签名。创建密钥：elder-assess keys new --as 账号（本机未设账号时用 --name 姓名）")
                .small(),
        );
    }
    for (i, (choice, name)) in choices.iter_mut().zip(names).enumerate() {
        let role = format!("评估员{}", i + 1);
        let chosen = match choice {
            SignChoice::Key { name, .. } => Some(name.clone()),
            _ => None,
        };
        ui.horizontal_wrapped(|ui| {
            ui.label(format!("{role}（{}）", name.trim()));
            if ui.radio(chosen.is_none(), format!("{role}不签名")).clicked() {
                *choice = SignChoice::None;
            }
            for key in keys {
                let selected = chosen.as_deref() == Some(key.name.as_str());
                if ui.radio(selected, format!("{role}用密钥“{}”", key.name)).clicked() && !selected
                {
                    *choice = SignChoice::Key {
                        name: key.name.clone(),
                        passphrase: Zeroizing::new(String::new()),
                    };
                }
            }
        });
        if let SignChoice::Key { passphrase, .. } = choice {
            secret_field(ui, &format!("{role}口令"), passphrase);
        }
    }
}
