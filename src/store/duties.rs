//! Duties bound to accounts: who created, imported, edited and submitted each record
//! (`record_accounts`), which accounts confirmed its two assessor signatures, the signing
//! keys made by each account, and the full exports only reviewers and admins may make.
//!
//! The separation-of-duties rule itself is pure ([`crate::review::transition`] with
//! [`Parties`]); this module gathers the parties from the database so that the store
//! re-checks it whoever calls.
//!
//! An assessor signature is bound to an account only by [`Store::bind_assessor`], which
//! records it in `record_accounts` (duty `assessor1` / `assessor2`): by the signed-in
//! account for itself, or for another account with that account's password, so that
//! the second assessor is present when the record is signed. The record's JSON keeps the
//! names as typed; what is listed and printed for a bound signature is the account's
//! registered name ([`Store::signed_record`], the `assessor1`/`assessor2` columns).

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};

use super::audit::{self, Entry};
use super::{Store, StoreError, audit_content, timestamp};
use crate::record::AssessmentRecord;
use crate::review::{Parties, ReviewError};

/// A duty recorded in `record_accounts`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Duty {
    /// Saved the record first.
    Create,
    /// Imported it.
    Import,
    /// Changed its content or status by saving.
    Edit,
    /// Submitted it for review.
    Submit,
}

impl Duty {
    /// The duty a save does: creating (or importing) a new record, or editing an
    /// existing one when its JSON or its status changes (`None`: nothing changed).
    pub(super) fn of_save(
        old_json: Option<&str>,
        json: &str,
        status_changes: bool,
        imported: bool,
    ) -> Option<Self> {
        match old_json {
            None if imported => Some(Self::Import),
            None => Some(Self::Create),
            Some(old) if old != json || status_changes => Some(Self::Edit),
            Some(_) => None,
        }
    }

    fn code(self) -> &'static str {
        match self {
            Self::Create => "create",
            Self::Import => "import",
            Self::Edit => "edit",
            Self::Submit => "submit",
        }
    }
}

/// Which assessor signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssessorSlot {
    /// 评估员1.
    First,
    /// 评估员2.
    Second,
}

impl AssessorSlot {
    fn duty(self) -> &'static str {
        match self {
            Self::First => "assessor1",
            Self::Second => "assessor2",
        }
    }
}

/// The assessor signatures' names in messages.
const ROLES: [&str; 2] = ["评估员1", "评估员2"];

/// The audit action of a full export, made only after [`Store::record_full_export`].
pub const FULL_EXPORT_ACTION: &str = "export_full";

/// The audit action of a report of a stored record, made only after its audit row.
pub const REPORT_ACTION: &str = "report";

impl Store {
    /// Records that `account` did `duty` on record `id` (inside the caller's transaction).
    pub(super) fn add_duty(&self, id: i64, duty: Duty, account: &str) -> Result<(), StoreError> {
        self.conn
            .prepare_cached(
                "INSERT OR IGNORE INTO record_accounts (record_id, duty, account)
                 VALUES (?1, ?2, ?3)",
            )?
            .execute(params![id, duty.code(), account])?;
        Ok(())
    }

    /// Who did record `id`'s duties, for [`crate::review::transition`]: the names in
    /// `record`'s assessor signatures, the accounts bound as its assessors, and every
    /// account that created, imported, edited or submitted it.
    pub(super) fn parties(
        &self,
        id: i64,
        record: &AssessmentRecord,
    ) -> Result<Parties, StoreError> {
        let mut statement = self.conn.prepare_cached(
            "SELECT duty, account FROM record_accounts WHERE record_id = ?1 ORDER BY duty, account",
        )?;
        let rows: Vec<(String, String)> = statement
            .query_map([id], |row| Ok((row.get(0)?, row.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let assessor = |slot: AssessorSlot| {
            rows.iter().find(|(duty, _)| duty == slot.duty()).map(|(_, account)| account.clone())
        };
        Ok(Parties {
            assessor_names: self.listed_assessors(Some(id), record)?,
            assessor_accounts: [assessor(AssessorSlot::First), assessor(AssessorSlot::Second)],
            duty_accounts: rows
                .iter()
                .filter(|(duty, _)| !duty.starts_with("assessor"))
                .map(|(_, account)| account.clone())
                .collect(),
            accounts_exist: self.has_accounts()?,
        })
    }

    /// The registered names of record `id`'s bound assessors (assessor 1, 2).
    pub(super) fn bound_names(&self, id: i64) -> Result<[Option<String>; 2], StoreError> {
        let mut statement = self.conn.prepare_cached(
            "SELECT r.duty, a.display_name FROM record_accounts AS r
             JOIN accounts AS a ON a.login = r.account
             WHERE r.record_id = ?1 AND r.duty IN ('assessor1', 'assessor2')",
        )?;
        let mut rows = statement.query([id])?;
        let mut names = [None, None];
        while let Some(row) = rows.next()? {
            let duty: String = row.get(0)?;
            let slot = usize::from(duty == AssessorSlot::Second.duty());
            names[slot] = Some(row.get(1)?);
        }
        Ok(names)
    }

    /// The assessors' names as listed (the `assessor1`/`assessor2` columns) for `record`
    /// saved as row `id` (`None`: a new row): a bound assessor's is the account's
    /// registered name, any other the typed name, trimmed.
    pub(super) fn listed_assessors(
        &self,
        id: Option<i64>,
        record: &AssessmentRecord,
    ) -> Result<[String; 2], StoreError> {
        let bound = match id {
            Some(id) => self.bound_names(id)?,
            None => [None, None],
        };
        let [first, second] = bound;
        Ok([
            first.unwrap_or_else(|| record.signatures.assessor1.name.trim().to_owned()),
            second.unwrap_or_else(|| record.signatures.assessor2.name.trim().to_owned()),
        ])
    }

    /// Record `id` as its report prints it: each bound assessor signature carries its
    /// account's registered name, whatever name was typed. [`StoreError::NotFound`] for
    /// an unknown id.
    pub fn signed_record(&self, id: i64) -> Result<AssessmentRecord, StoreError> {
        let (_, mut record) = self.status_and_record(id)?;
        let [first, second] = self.bound_names(id)?;
        if let Some(name) = first {
            record.signatures.assessor1.name = name;
        }
        if let Some(name) = second {
            record.signatures.assessor2.name = name;
        }
        Ok(record)
    }

    /// Binds assessor signature `slot` of the editable record `id` to account `login`:
    /// the signed-in account binds itself without a password; any other account (the
    /// second assessor, present at the visit) with its own password, checked like a
    /// sign-in (lockout included). The signature's listed and printed name becomes the
    /// account's registered name. Refused for an account that may not assess, for the account
    /// already bound to the other signature ([`ReviewError::SameAssessor`]) and for a
    /// record that is not a draft or completed. Returns the bound account.
    pub fn bind_assessor(
        &self,
        id: i64,
        slot: AssessorSlot,
        login: &str,
        password: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<crate::review::Actor, StoreError> {
        let actor = self.current_actor().ok_or(StoreError::NotSignedIn)?;
        let actor = self.authenticate(&actor)?;
        let login = login.trim();
        let bound = if login == actor.account {
            actor.clone()
        } else {
            let password = password.ok_or(StoreError::BadCredentials)?;
            self.check_credentials(login, password, now, "confirm_assessor")?
        };
        for who in [&actor, &bound] {
            if !who.role.can_assess() {
                return Err(ReviewError::Forbidden {
                    role: who.role, action: "作为评估员签名"
                }
                .into());
            }
        }
        let tx = self.immediate()?;
        let (status, _) = self.status_and_record(id)?;
        if !matches!(status, super::Status::Draft | super::Status::Completed) {
            return Err(StoreError::NotDraft { id, status });
        }
        let other = match slot {
            AssessorSlot::First => AssessorSlot::Second,
            AssessorSlot::Second => AssessorSlot::First,
        };
        let taken: bool = self
            .conn
            .prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM record_accounts
                 WHERE record_id = ?1 AND duty = ?2 AND account = ?3)",
            )?
            .query_row(params![id, other.duty(), bound.account], |row| row.get(0))?;
        if taken {
            return Err(ReviewError::SameAssessor.into());
        }
        let at = timestamp(now);
        self.conn
            .prepare_cached("DELETE FROM record_accounts WHERE record_id = ?1 AND duty = ?2")?
            .execute(params![id, slot.duty()])?;
        self.conn
            .prepare_cached(
                "INSERT INTO record_accounts (record_id, duty, account) VALUES (?1, ?2, ?3)",
            )?
            .execute(params![id, slot.duty(), bound.account])?;
        // The listed name (queue, exports) is the account's registered name.
        self.conn
            .prepare_cached(&format!(
                "UPDATE assessments SET {} = ?2, updated_at = ?3 WHERE id = ?1",
                slot.duty()
            ))?
            .execute(params![id, bound.display_name, at])?;
        audit_content::append_change(
            &self.conn,
            &Entry {
                at: &at,
                actor: &actor.account,
                record_id: Some(id),
                action: "bind_assessor",
                field: Some(slot.duty()),
                new: Some(&bound.account),
                ..Entry::default()
            },
        )?;
        tx.commit()?;
        Ok(bound)
    }

    /// Checks that account `login`, another person than the one signed in, is present to
    /// sign their own slot of a report: their password, checked like a sign-in (lockout
    /// and audit rows included, `confirm_assessor` on success), without changing who is
    /// signed in. Refused for an account that may not assess. Returns the account.
    pub fn confirm_cosigner(
        &self,
        login: &str,
        password: &str,
        now: DateTime<Utc>,
    ) -> Result<crate::review::Actor, StoreError> {
        let who = self.check_credentials(login, password, now, "confirm_assessor")?;
        if !who.role.can_assess() {
            return Err(ReviewError::Forbidden { role: who.role, action: "作为评估员签名" }.into());
        }
        Ok(who)
    }

    /// The accounts that may sign as an assessor (assessors and admins), sorted by
    /// login, as `(login, registered name)`: for the app's 评估员 pickers. Anyone signed
    /// in may list them; no password hash is read.
    pub fn assessor_accounts(&self) -> Result<Vec<(String, String)>, StoreError> {
        let mut statement = self.conn.prepare_cached(
            "SELECT login, display_name FROM accounts WHERE role IN ('assessor', 'admin')
             ORDER BY login",
        )?;
        let rows = statement.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Records in the audit trail that the signed-in account makes a full (named)
    /// export, `detail` saying what and where: only a reviewer or an admin may once
    /// accounts exist ([`ReviewError::Forbidden`]), and only with a non-blank `purpose`
    /// ([`StoreError::PurposeRequired`]). Call before writing the file; write nothing if
    /// this fails.
    pub fn record_full_export(
        &self,
        detail: &str,
        purpose: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let purpose = purpose.map(str::trim).filter(|p| !p.is_empty());
        let Some(purpose) = purpose else { return Err(StoreError::PurposeRequired) };
        let actor = self.acting()?;
        if self.has_accounts()? && !self.authenticate(&actor)?.role.can_review() {
            return Err(ReviewError::Forbidden {
                role: actor.role,
                action: "导出含姓名和身份证号的完整数据",
            }
            .into());
        }
        self.log_event(FULL_EXPORT_ACTION, None, Some(detail), Some(purpose), now)
    }

    /// Binds the signing key with certificate `fingerprint` (SHA-256 of its DER) and
    /// name `key_name` to the signed-in account, in the audit trail too. Needs a
    /// signed-in account ([`StoreError::NotSignedIn`]).
    pub fn bind_signing_key(
        &self,
        fingerprint: &str,
        key_name: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let actor = self.current_actor().ok_or(StoreError::NotSignedIn)?;
        let at = timestamp(now);
        let tx = self.immediate()?;
        self.conn
            .prepare_cached(
                "INSERT INTO signing_keys (fingerprint, key_name, account, created_at)
                 VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (fingerprint) DO UPDATE SET account = excluded.account",
            )?
            .execute(params![fingerprint, key_name, actor.account, at])?;
        audit::append(
            &self.conn,
            &Entry {
                at: &at,
                actor: &actor.account,
                action: "keys_new",
                field: Some("signing_key"),
                new: Some(fingerprint),
                ..Entry::default()
            },
        )?;
        tx.commit()?;
        Ok(())
    }

    /// The account the signing key with certificate `fingerprint` is bound to, if any.
    pub fn signing_key_account(&self, fingerprint: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .prepare_cached("SELECT account FROM signing_keys WHERE fingerprint = ?1")?
            .query_row([fingerprint], |row| row.get(0))
            .optional()?)
    }

    /// Once accounts exist, each key that signs record `id`'s report (by its certificate
    /// fingerprint, `None`: that assessor does not sign) must be bound to the account
    /// bound to that assessor signature ([`StoreError::SigningKeyNotBound`]).
    pub fn check_signing_keys(
        &self,
        id: i64,
        fingerprints: [Option<&str>; 2],
    ) -> Result<(), StoreError> {
        if !self.has_accounts()? {
            return Ok(());
        }
        let accounts = self.assessor_accounts_of(id)?;
        for ((fingerprint, assessor), role) in fingerprints.into_iter().zip(accounts).zip(ROLES) {
            let Some(fingerprint) = fingerprint else { continue };
            let owner = self.signing_key_account(fingerprint)?;
            if assessor.is_none() || owner != assessor {
                return Err(StoreError::SigningKeyNotBound { role });
            }
        }
        Ok(())
    }

    /// The accounts bound to record `id`'s two assessor signatures (see the module docs);
    /// [`StoreError::NotFound`] for an unknown id.
    pub fn assessor_accounts_of(&self, id: i64) -> Result<[Option<String>; 2], StoreError> {
        let (_, record) = self.status_and_record(id)?;
        Ok(self.parties(id, &record)?.assessor_accounts)
    }
}
