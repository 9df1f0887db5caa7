//! Local accounts: roles, argon2 password hashes, lockout after failed logins.
//!
//! Passwords are hashed with Argon2id and the `argon2` crate's default parameters, and
//! stored as PHC strings (`$argon2id$v=19$m=19456,t=2,p=1$…`), so a hash carries its own
//! parameters and verifies even if the defaults change later. Passwords are never stored,
//! logged or written to the audit trail.
//!
//! [`MAX_FAILED_LOGINS`] wrong passwords in a row lock the account for [`LOCKOUT`]; a
//! successful login resets the count. An unknown login and a wrong password give the same
//! error, [`StoreError::BadCredentials`], and take about as long (a dummy hash is
//! verified), so the message never tells which.

use std::cell::OnceCell;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};

use super::audit::{self, Entry};
use super::{Store, StoreError, parse_timestamp, timestamp};
use crate::review::{Actor, Role};

/// Failed logins in a row that lock an account.
pub const MAX_FAILED_LOGINS: u32 = 5;

/// How long a locked account stays locked.
pub const LOCKOUT: chrono::TimeDelta = chrono::TimeDelta::minutes(15);

/// Shortest accepted password, in characters.
pub const MIN_PASSWORD_CHARS: usize = 8;

/// The audit `actor` of a failed login with an unknown login name: the typed text is not
/// recorded, since people sometimes type their password into the login field.
const UNKNOWN_LOGIN: &str = "(未知账号)";

/// How expensive new password hashes are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PasswordCost {
    /// Argon2id with the `argon2` crate's default parameters. Always use this for real
    /// accounts.
    #[default]
    Standard,
    /// Argon2id with 8 KiB of memory and one pass: for tests only (unoptimised builds
    /// take about a second per standard hash). See [`Store::with_password_cost`].
    TestOnlyLight,
}

impl PasswordCost {
    fn hasher(self) -> Argon2<'static> {
        match self {
            Self::Standard => Argon2::default(),
            Self::TestOnlyLight => Params::new(8, 1, 1, None).map_or_else(
                |_| Argon2::default(),
                |params| Argon2::new(Algorithm::Argon2id, Version::V0x13, params),
            ),
        }
    }
}

/// Hashes `password` with a fresh random salt, as a PHC string (also the county server's).
pub fn hash_password(cost: PasswordCost, password: &str) -> Result<String, StoreError> {
    let salt = SaltString::generate(&mut OsRng);
    cost.hasher()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|_| StoreError::PasswordHash)
}

/// Whether `password` matches the PHC string `hash` (with the parameters it names).
pub fn verify_password(hash: &str, password: &str) -> bool {
    PasswordHash::new(hash)
        .is_ok_and(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
}

fn check_new_password(password: &str) -> Result<(), StoreError> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(StoreError::PasswordTooShort { min: MIN_PASSWORD_CHARS });
    }
    Ok(())
}

/// A login name as stored: trimmed.
fn normalise_login(login: &str) -> &str {
    login.trim()
}

/// A dummy hash of the store's cost, verified for unknown logins so they take as long
/// as a wrong password.
pub(super) fn dummy_hash(cell: &OnceCell<String>, cost: PasswordCost) -> &str {
    cell.get_or_init(|| hash_password(cost, "elder-assess-dummy-password").unwrap_or_default())
}

/// One local account as an admin sees it (no password hash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// 账号 (login name).
    pub login: String,
    /// 姓名 as shown and recorded.
    pub display_name: String,
    /// 角色.
    pub role: Role,
    /// Locked after failed logins until then (only while that is in the future).
    pub locked_until: Option<DateTime<Utc>>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
}

impl Store {
    /// Uses `cost` for new password hashes. [`PasswordCost::Standard`] is the default;
    /// [`PasswordCost::TestOnlyLight`] exists so that tests stay fast, and must never be
    /// used for real accounts.
    #[must_use]
    pub fn with_password_cost(mut self, cost: PasswordCost) -> Self {
        self.password_cost = cost;
        self
    }

    /// Whether any account exists (the app asks for a first admin when not).
    pub fn has_accounts(&self) -> Result<bool, StoreError> {
        Ok(self
            .conn
            .prepare_cached("SELECT EXISTS (SELECT 1 FROM accounts)")?
            .query_row([], |row| row.get(0))?)
    }

    /// Creates the first account, an admin, while there is no account at all (otherwise
    /// [`StoreError::Forbidden`]). Returns the new admin.
    pub fn create_first_admin(
        &self,
        login: &str,
        display_name: &str,
        password: &str,
        now: DateTime<Utc>,
    ) -> Result<Actor, StoreError> {
        let tx = self.immediate()?;
        self.refuse_if_enrolled()?;
        if self.has_accounts()? {
            return Err(StoreError::Forbidden);
        }
        let actor = self.insert_account(login, display_name, Role::Admin, password, now, None)?;
        tx.commit()?;
        Ok(actor)
    }

    /// Creates an account. Only an admin may (`admin` must be an existing admin account:
    /// [`StoreError::Forbidden`] otherwise). Logins are unique
    /// ([`StoreError::AccountExists`]); passwords have at least [`MIN_PASSWORD_CHARS`]
    /// characters.
    pub fn create_account(
        &self,
        admin: &Actor,
        login: &str,
        display_name: &str,
        role: Role,
        password: &str,
        now: DateTime<Utc>,
    ) -> Result<Actor, StoreError> {
        let tx = self.immediate()?;
        self.refuse_if_enrolled()?;
        let admin = self.require_admin(admin)?;
        let actor =
            self.insert_account(login, display_name, role, password, now, Some(&admin.account))?;
        self.seal_for(&actor.account, password)?;
        tx.commit()?;
        Ok(actor)
    }

    /// Sets a new password for `login` and unlocks it. Only an admin may.
    pub fn reset_password(
        &self,
        admin: &Actor,
        login: &str,
        new_password: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        check_new_password(new_password)?;
        let login = normalise_login(login);
        let tx = self.immediate()?;
        self.refuse_if_enrolled()?;
        let admin = self.require_admin(admin)?;
        let hash = hash_password(self.password_cost, new_password)?;
        let changed = self
            .conn
            .prepare_cached(
                "UPDATE accounts SET password_hash = ?2, failed_logins = 0, locked_until = NULL
                 WHERE login = ?1",
            )?
            .execute(params![login, hash])?;
        if changed == 0 {
            return Err(StoreError::UnknownAccount);
        }
        let at = timestamp(now);
        audit::append(
            &self.conn,
            &Entry {
                at: &at,
                actor: &admin.account,
                action: "reset_password",
                field: Some("account"),
                new: Some(login),
                ..Entry::default()
            },
        )?;
        self.seal_for(login, new_password)?;
        tx.commit()?;
        Ok(())
    }

    /// Signs in: checks the password and, on success, makes the account the store's
    /// current actor (see [`Store::current_actor`]) and returns it.
    ///
    /// Errors: [`StoreError::BadCredentials`] for an unknown login or a wrong password
    /// (the same message either way); [`StoreError::Locked`] while the account is locked,
    /// including on the [`MAX_FAILED_LOGINS`]th failure in a row, which locks it for
    /// [`LOCKOUT`]. Every failure is written to the audit trail (never the password).
    pub fn login(
        &self,
        login: &str,
        password: &str,
        now: DateTime<Utc>,
    ) -> Result<Actor, StoreError> {
        let actor = self.check_credentials(login, password, now, "login")?;
        *self.session.borrow_mut() = Some(actor.clone());
        Ok(actor)
    }

    /// [`Store::login`] without changing who is signed in: the password check, lockout
    /// and audit rows, with `success_action` as the successful row's action (`login`,
    /// or `confirm_assessor` when a second assessor confirms their presence).
    pub(super) fn check_credentials(
        &self,
        login: &str,
        password: &str,
        now: DateTime<Utc>,
        success_action: &str,
    ) -> Result<Actor, StoreError> {
        let login = normalise_login(login);
        let at = timestamp(now);
        let tx = self.immediate()?;
        let row = self
            .conn
            .prepare_cached(
                "SELECT display_name, role, password_hash, failed_logins, locked_until
                 FROM accounts WHERE login = ?1",
            )?
            .query_row([login], |row| {
                Ok((
                    row.get::<_, String>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, String>(2)?,
                    row.get::<_, i64>(3)?,
                    row.get::<_, Option<String>>(4)?,
                ))
            })
            .optional()?;
        let Some((display_name, role, hash, failed, locked_until)) = row else {
            let _ = verify_password(dummy_hash(&self.dummy_hash, self.password_cost), password);
            audit::append(
                &self.conn,
                &Entry {
                    at: &at,
                    actor: UNKNOWN_LOGIN,
                    action: "login_failed",
                    ..Entry::default()
                },
            )?;
            tx.commit()?;
            return Err(StoreError::BadCredentials);
        };
        if let Some(until) = locked_until {
            let until = parse_timestamp(0, "locked_until", &until)?;
            if until > now {
                audit::append(
                    &self.conn,
                    &Entry { at: &at, actor: login, action: "login_locked", ..Entry::default() },
                )?;
                tx.commit()?;
                return Err(StoreError::Locked { until });
            }
        }
        if verify_password(&hash, password) {
            let role =
                Role::from_code(&role).ok_or(StoreError::BadValue { id: 0, column: "role" })?;
            self.conn
                .prepare_cached(
                    "UPDATE accounts SET failed_logins = 0, locked_until = NULL WHERE login = ?1",
                )?
                .execute([login])?;
            audit::append(
                &self.conn,
                &Entry { at: &at, actor: login, action: success_action, ..Entry::default() },
            )?;
            tx.commit()?;
            if self.is_enrolled()? {
                // A roster account's first sign-in on this device: its own keyring entry.
                self.seal_if_missing(login, password)?;
            }
            return Ok(Actor { account: login.to_owned(), display_name, role });
        }
        let failed = failed.saturating_add(1);
        audit::append(
            &self.conn,
            &Entry {
                at: &at,
                actor: login,
                action: "login_failed",
                new: Some(&failed.to_string()),
                ..Entry::default()
            },
        )?;
        if failed >= i64::from(MAX_FAILED_LOGINS) {
            let until = now + LOCKOUT;
            let until_text = timestamp(until);
            self.conn
                .prepare_cached(
                    "UPDATE accounts SET failed_logins = 0, locked_until = ?2 WHERE login = ?1",
                )?
                .execute(params![login, until_text])?;
            audit::append(
                &self.conn,
                &Entry {
                    at: &at,
                    actor: login,
                    action: "account_locked",
                    new: Some(&until_text),
                    ..Entry::default()
                },
            )?;
            tx.commit()?;
            return Err(StoreError::Locked { until });
        }
        self.conn
            .prepare_cached("UPDATE accounts SET failed_logins = ?2 WHERE login = ?1")?
            .execute(params![login, failed])?;
        tx.commit()?;
        Err(StoreError::BadCredentials)
    }

    /// Signs the current actor out.
    pub fn logout(&self) {
        *self.session.borrow_mut() = None;
    }

    /// The account signed in with [`Store::login`], if any. Saves and new records are
    /// attributed to it.
    pub fn current_actor(&self) -> Option<Actor> {
        self.session.borrow().clone()
    }

    /// Every account (never a password hash), sorted by login, for an admin: role, name,
    /// and whether it is locked at `now`. [`StoreError::Forbidden`] for anyone else.
    pub fn accounts(&self, admin: &Actor, now: DateTime<Utc>) -> Result<Vec<Account>, StoreError> {
        self.require_admin(admin)?;
        let mut statement = self.conn.prepare_cached(
            "SELECT login, display_name, role, locked_until, created_at FROM accounts
             ORDER BY login",
        )?;
        let mut rows = statement.query([])?;
        let mut accounts = Vec::new();
        while let Some(row) = rows.next()? {
            let role: String = row.get(2)?;
            let role =
                Role::from_code(&role).ok_or(StoreError::BadValue { id: 0, column: "role" })?;
            let locked_until = row
                .get::<_, Option<String>>(3)?
                .map(|t| parse_timestamp(0, "locked_until", &t))
                .transpose()?
                .filter(|until| *until > now);
            accounts.push(Account {
                login: row.get(0)?,
                display_name: row.get(1)?,
                role,
                locked_until,
                created_at: parse_timestamp(0, "created_at", &row.get::<_, String>(4)?)?,
            });
        }
        Ok(accounts)
    }

    /// The account `actor` names, as stored (its role and display name come from the
    /// database, not from the caller): [`StoreError::UnknownAccount`] if there is none.
    pub(super) fn authenticate(&self, actor: &Actor) -> Result<Actor, StoreError> {
        let login = normalise_login(&actor.account);
        let row = self
            .conn
            .prepare_cached("SELECT display_name, role FROM accounts WHERE login = ?1")?
            .query_row([login], |row| Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?)))
            .optional()?;
        let Some((display_name, role)) = row else {
            return Err(StoreError::UnknownAccount);
        };
        let role = Role::from_code(&role).ok_or(StoreError::BadValue { id: 0, column: "role" })?;
        Ok(Actor { account: login.to_owned(), display_name, role })
    }

    fn require_admin(&self, admin: &Actor) -> Result<Actor, StoreError> {
        let admin = self.authenticate(admin).map_err(|error| match error {
            StoreError::UnknownAccount => StoreError::Forbidden,
            other => other,
        })?;
        if admin.role == Role::Admin { Ok(admin) } else { Err(StoreError::Forbidden) }
    }

    /// Inserts the account and its audit row; the caller holds the transaction.
    fn insert_account(
        &self,
        login: &str,
        display_name: &str,
        role: Role,
        password: &str,
        now: DateTime<Utc>,
        by: Option<&str>,
    ) -> Result<Actor, StoreError> {
        let login = normalise_login(login);
        let display_name = display_name.trim();
        if login.is_empty() || display_name.is_empty() {
            return Err(StoreError::AccountFieldsMissing);
        }
        check_new_password(password)?;
        let hash = hash_password(self.password_cost, password)?;
        let at = timestamp(now);
        let inserted = self
            .conn
            .prepare_cached(
                "INSERT INTO accounts (login, display_name, role, password_hash, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (login) DO NOTHING",
            )?
            .execute(params![login, display_name, role.code(), hash, at])?;
        if inserted == 0 {
            return Err(StoreError::AccountExists);
        }
        audit::append(
            &self.conn,
            &Entry {
                at: &at,
                actor: by.unwrap_or(login),
                action: "create_account",
                field: Some("account"),
                new: Some(&format!("{login} {}", role.code())),
                ..Entry::default()
            },
        )?;
        Ok(Actor { account: login.to_owned(), display_name: display_name.to_owned(), role })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standard_hashes_are_argon2id_with_default_params() {
        let hash = hash_password(PasswordCost::Standard, "correct horse").unwrap();
        assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{hash}");
        assert!(verify_password(&hash, "correct horse"));
        assert!(!verify_password(&hash, "correct horsE"));
        assert!(!verify_password("not a hash", "correct horse"));
        let light = hash_password(PasswordCost::TestOnlyLight, "correct horse").unwrap();
        assert!(light.starts_with("$argon2id$v=19$m=8,t=1,p=1$"), "{light}");
        assert!(verify_password(&light, "correct horse"));
    }
}
