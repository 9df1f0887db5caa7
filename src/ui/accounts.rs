//! 账号管理 (admins only): the local accounts with their role and whether they are locked,
//! a form to add one, a password reset that also unlocks, and the county certificates this
//! machine trusts ([`super::trust`]). The store checks that the
//! signed-in account is an admin; passwords are wiped from memory when the form is cleared.

use egui::{RichText, Ui};
use zeroize::Zeroizing;

use crate::review::Role;
use crate::store::{Account, MIN_PASSWORD_CHARS};

use super::form::{field_width, labelled_row};
use super::theme;

/// The screen's state.
#[derive(Default)]
pub struct AccountsState {
    /// The accounts (`None`: load again).
    pub rows: Option<Vec<Account>>,
    /// 新账号: login, name, role, password typed twice.
    pub login: String,
    /// 姓名 as signed on assessments.
    pub name: String,
    /// 角色; `None` until chosen.
    pub role: Option<Role>,
    /// 密码.
    pub password: Zeroizing<String>,
    /// 确认密码.
    pub password_again: Zeroizing<String>,
    /// The account whose password is being reset.
    pub reset: Option<String>,
    /// The new password for `reset`, typed twice.
    pub reset_password: Zeroizing<String>,
    /// 确认新密码.
    pub reset_password_again: Zeroizing<String>,
    /// The result of the last action.
    pub message: Option<Result<String, String>>,
    /// 县级证书: what this machine trusts, and installing more.
    pub trust: super::trust::TrustState,
}

/// What the admin asked for.
pub enum AccountsAction {
    /// Create the account in the form.
    Create,
    /// Set the new password of `reset`.
    Reset,
    /// Read or install trusted certificates.
    Trust(super::trust::TrustAction),
}

/// Shows the accounts and the forms.
pub fn accounts_ui(ui: &mut Ui, state: &mut AccountsState) -> Option<AccountsAction> {
    let mut action = None;
    ui.heading("账号管理");
    super::widgets::status_line(ui, state.message.as_ref());
    list_ui(ui, state);
    ui.separator();
    if let Some(login) = state.reset.clone() {
        if reset_ui(ui, state, &login) {
            action = Some(AccountsAction::Reset);
        }
        ui.separator();
    }
    if create_ui(ui, state) {
        action = Some(AccountsAction::Create);
    }
    ui.separator();
    if let Some(trust) = super::trust::trust_ui(ui, &mut state.trust) {
        action = Some(AccountsAction::Trust(trust));
    }
    action
}

fn list_ui(ui: &mut Ui, state: &mut AccountsState) {
    let rows = state.rows.as_deref().unwrap_or_default();
    let mut reset = None;
    let headers = ["账号", "姓名", "角色", "状态", ""];
    super::table::table(ui, "accounts", &headers, rows.len(), |ui, row, column| {
        let account = &rows[row];
        match column {
            0 => {
                ui.label(&account.login);
            }
            1 => {
                ui.label(&account.display_name);
            }
            2 => {
                ui.label(account.role.label());
            }
            3 => match account.locked_until {
                Some(until) => {
                    let local = until.with_timezone(&crate::clock::CHINA_OFFSET);
                    let text = format!("已锁定至 {}", local.format("%H:%M"));
                    ui.label(RichText::new(text).color(theme::ERROR));
                }
                None => {
                    ui.label("正常");
                }
            },
            _ => {
                if ui.button(format!("重置密码 {}", account.login)).clicked() {
                    reset = Some(account.login.clone());
                }
            }
        }
    });
    if let Some(login) = reset {
        state.reset = Some(login);
        state.reset_password = Zeroizing::default();
        state.reset_password_again = Zeroizing::default();
        state.message = None;
    }
}

/// A password field labelled `label`.
fn password_field(ui: &mut Ui, label: &str, password: &mut Zeroizing<String>) {
    labelled_row(ui, label, false, |ui, label| {
        let width = field_width(ui, 240.0);
        ui.add(egui::TextEdit::singleline(&mut **password).password(true).desired_width(width))
            .labelled_by(label.id);
    });
}

/// A one-line text field labelled `label`.
fn text_row(ui: &mut Ui, label: &str, value: &mut String) {
    labelled_row(ui, label, false, |ui, label| {
        let width = field_width(ui, 240.0);
        ui.add(egui::TextEdit::singleline(value).desired_width(width)).labelled_by(label.id);
    });
}

/// What is wrong with a new password typed twice, if anything.
fn password_problem(password: &str, again: &str) -> Option<String> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        Some(format!("密码至少 {MIN_PASSWORD_CHARS} 个字符"))
    } else if password != again {
        Some("两次输入的密码不一致".to_owned())
    } else {
        None
    }
}

/// The reset form; true when 确认重置 is pressed with a valid password.
fn reset_ui(ui: &mut Ui, state: &mut AccountsState, login: &str) -> bool {
    ui.label(RichText::new(format!("重置账号 {login} 的密码（同时解除锁定）")).strong());
    password_field(ui, "新密码", &mut state.reset_password);
    password_field(ui, "确认新密码", &mut state.reset_password_again);
    let problem = password_problem(&state.reset_password, &state.reset_password_again);
    let mut submit = false;
    ui.horizontal_wrapped(|ui| {
        let size = egui::vec2(140.0, theme::TARGET_HEIGHT);
        submit = ui
            .add_enabled(problem.is_none(), egui::Button::new("确认重置").min_size(size))
            .clicked();
        if ui.add(egui::Button::new("取消重置").min_size(size)).clicked() {
            state.reset = None;
            state.reset_password = Zeroizing::default();
            state.reset_password_again = Zeroizing::default();
        }
    });
    if let Some(problem) = problem.filter(|_| !state.reset_password.is_empty()) {
        ui.label(RichText::new(problem).color(theme::WARNING));
    }
    submit
}

/// The new-account form; true when 添加账号 is pressed with everything filled in.
fn create_ui(ui: &mut Ui, state: &mut AccountsState) -> bool {
    ui.label(RichText::new("新建账号").strong());
    text_row(ui, "新账号", &mut state.login);
    text_row(ui, "使用人姓名", &mut state.name);
    labelled_row(ui, "角色", false, |ui, _| {
        ui.horizontal_wrapped(|ui| {
            for role in Role::ALL {
                ui.radio_value(&mut state.role, Some(role), role.label());
            }
        });
    });
    password_field(ui, "密码", &mut state.password);
    password_field(ui, "确认密码", &mut state.password_again);
    let problem = if state.login.trim().is_empty() || state.name.trim().is_empty() {
        Some("请填写账号和姓名".to_owned())
    } else if state.role.is_none() {
        Some("请选择角色".to_owned())
    } else {
        password_problem(&state.password, &state.password_again)
    };
    let button = egui::Button::new(RichText::new("添加账号").strong())
        .min_size(egui::vec2(160.0, theme::TARGET_HEIGHT));
    let submit = ui.add_enabled(problem.is_none(), button).clicked();
    if let Some(problem) = problem {
        ui.label(RichText::new(problem).small());
    }
    submit
}
