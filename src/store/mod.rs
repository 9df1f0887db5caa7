//! The embedded assessment store: one `SQLite` file per assessor's machine.
//!
//! This is the only module that touches `rusqlite` (see `ARCHITECTURE.md`). It keeps each
//! [`AssessmentRecord`] as JSON, next to denormalised columns (name, ID number, township,
//! sex, birth date, assessors, reference date, final level, number of warnings, review
//! state) used to list, search, queue and count without parsing every record.
//!
//! - [`Store::open`] / [`Store::open_in_memory`] (`open.rs`): check the file for damage,
//!   set the pragmas and migrate (`schema`: versioned steps tracked with
//!   `PRAGMA user_version`), with checked backups before a migration and once a day
//!   (`backup`, `backup_check`); [`Store::open_read_only`] for the commands that only
//!   read; [`Store::usable_backups`] and [`Store::open_backup`] after damage.
//! - [`Store::save`] / [`Store::load`] / [`Store::list`] / [`Store::delete_draft`]: the
//!   records, keyed by their assessment number (A.1.1).
//! - The review lifecycle ([`crate::review`]): [`Store::transition`] (submit, approve,
//!   return, …), [`Store::new_linked_record`] (复评 / correction of an approved record),
//!   [`Store::queue`], [`Store::history`], [`Store::previous_of`], [`Store::due`].
//! - Accounts: [`Store::create_first_admin`], [`Store::create_account`],
//!   [`Store::reset_password`], [`Store::login`] (argon2, lockout).
//! - The audit trail: every change is appended to a hash chain, checked by
//!   [`Store::verify_audit`].
//! - [`Store::set_last_open`] / [`Store::last_open`]: which assessment the GUI had open,
//!   so the next start can reopen an interrupted one.
//! - [`Store::next_number`]: a fresh assessment number such as `PG20261128-0001`.
//!
//! The store does not read the clock: every timestamp is passed in by the caller. The one
//! exception is [`Store::open`], which reads the system clock to date its backup copies
//! ([`Store::open_at`] takes the time instead).
//!
//! # Lifecycle rules, re-checked here
//!
//! Every status change goes through [`crate::review::transition`] inside the store, whoever
//! calls it: [`Store::save`] accepts only 草稿 and 已完成 (edit, complete, reopen) and
//! refuses any save of an approved record; [`Store::transition`] takes the actor's role
//! and name from the `accounts` table, not from the caller. Triggers in the database
//! refuse to change or delete an approved row even through another connection.
//!
//! # Attribution
//!
//! Saves, new linked records and deletions are attributed to the account signed in with
//! [`Store::login`]. While no account exists at all (a machine set up before accounts),
//! they are attributed to [`UNATTRIBUTED`] with the assessor's rights; once one exists,
//! they need a signed-in account ([`StoreError::NotSignedIn`]).
//!
//! # Durability
//!
//! The GUI saves the open assessment about once a second, and promises that killing the
//! program at any moment loses at most that last second. The file is therefore opened in
//! WAL mode with `synchronous=FULL`; see [`Store::open`] for why FULL and not NORMAL.

mod accounts;
mod audit;
mod audit_content;
mod audit_save;
mod autosave;
mod backup;
mod backup_check;
mod bulk;
mod checks;
mod corrections;
mod duties;
mod encryption;
mod error;
mod keyring;
mod lifecycle;
mod open;
mod returns;
mod schema;
mod sync_conflicts;
mod sync_marks;
mod sync_outbox;
mod sync_replica;
mod sync_state;
mod writer;

use std::cell::{OnceCell, RefCell};
use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use rusqlite::{Connection, OptionalExtension, Transaction, TransactionBehavior, params};

pub use crate::record::mask_id;

use crate::record::AssessmentRecord;
use crate::review::{self, Action, Actor, Role};
use crate::scale::Scale;

pub use accounts::{
    Account, LOCKOUT, MAX_FAILED_LOGINS, MIN_PASSWORD_CHARS, PasswordCost, hash_password,
    verify_password,
};
pub use audit::{AuditProblem, AuditReport, GENESIS_HASH, row_hash as audit_row_hash};
pub use backup::{BACKUP_DIR, BackupInfo, DAILY_KEEP, latest_backup, list_backups, usable_backups};
pub use duties::{AssessorSlot, FULL_EXPORT_ACTION, REPORT_ACTION};
pub use error::{JsonError, StoreError};
pub use keyring::{DbKey, KEYRING_FILE_NAME, KeyringError, has_keyring};
pub use lifecycle::{DUE_SOON_DAYS, DueRow, QueueFilter, QueueRow};
pub use returns::{FieldChange, ReturnEvent};
pub use schema::SCHEMA_VERSION;
pub use sync_conflicts::{ConflictVersion, KeptVersion, state_label as sync_conflict_state_label};
pub use sync_marks::SyncMarks;
pub use sync_outbox::{OutboxItem, OutboxKind, ReadyRecord, RefusedItem};
pub use sync_replica::{DecisionIn, ReplicaIn};
pub use sync_state::SyncState;
pub use writer::{BURST_IDLE, JOURNAL_DELAY, StoreWriter, Waker, WriterStatus};

/// The audit `actor` (and account) of changes made while no account exists.
pub const UNATTRIBUTED: &str = "(未登录)";

/// The scale whose consistency checks fill the `warnings` column.
const WARNINGS_SCALE: &str = "gbt42195-2022";

/// The database file name inside the data directory.
pub const DB_FILE_NAME: &str = "elder-assess.sqlite3";

/// The `meta` key holding [`Store::last_open`].
const META_LAST_OPEN: &str = "last_open";
/// Meta key (per account) of where in the open record the GUI was: `id section item`.
const META_LAST_PLACE: &str = "last_place";

/// Prefix of the numbers made by [`Store::next_number`].
const NUMBER_PREFIX: &str = "PG";

/// The per-user, non-roaming data directory (`%LOCALAPPDATA%\gengma\elder-assess\data` on
/// Windows, `~/.local/share/elder-assess` on Linux), or `None` if the platform gives no
/// home directory.
pub fn default_data_dir() -> Option<PathBuf> {
    directories::ProjectDirs::from("cn", "gengma", "elder-assess")
        .map(|dirs| dirs.data_local_dir().to_owned())
}

/// Where an assessment is in its life: 草稿 / 已完成 / 已提交 / 已通过 / 已退回. The same
/// type as [`crate::review::ReviewStatus`]; stored in the `status` column as its
/// [`code`](Status::code).
pub use crate::review::ReviewStatus as Status;

/// One assessment as loaded by [`Store::load`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAssessment {
    /// Row id.
    pub id: i64,
    /// Where it is in the review lifecycle.
    pub status: Status,
    /// The record itself.
    pub record: AssessmentRecord,
    /// The final ability level, once scored.
    pub final_level: Option<u8>,
    /// When the row was first saved.
    pub created_at: DateTime<Utc>,
    /// When the row was last saved.
    pub updated_at: DateTime<Utc>,
    /// Consistency warnings of the scored record (0 when it does not score).
    pub warnings: u32,
    /// When it was last submitted for review.
    pub submitted_at: Option<DateTime<Utc>>,
    /// When it was last approved or returned.
    pub reviewed_at: Option<DateTime<Utc>>,
    /// The display name of the reviewer who last approved or returned it.
    pub reviewer: Option<String>,
    /// The reason given with the last return (or a note given with the approval); kept
    /// after the assessors edit a returned record, until the next review.
    pub review_reason: Option<String>,
    /// The approved record this one corrects or re-assesses (复评), if any.
    pub supersedes: Option<i64>,
}

/// One line of the assessment list, from [`Store::list`] and [`Store::history`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    /// Row id, for [`Store::load`].
    pub id: i64,
    /// A.1.1 评估编号.
    pub number: String,
    /// Where it is in the review lifecycle.
    pub status: Status,
    /// A.2.1 姓名 (trimmed).
    pub subject_name: String,
    /// A.2.8 as typed, first 6 and last 4 characters shown, the rest `*` (all `*` when 10
    /// characters or fewer); empty when no number was typed. See [`mask_id`].
    pub id_masked: String,
    /// A.1.2 评估基准日期.
    pub reference_date: NaiveDate,
    /// The final ability level, once scored.
    pub final_level: Option<u8>,
    /// When the row was last saved.
    pub updated_at: DateTime<Utc>,
    /// 乡镇 (trimmed).
    pub township: String,
    /// The first assessor's name (trimmed).
    pub assessor1: String,
    /// The second assessor's name (trimmed).
    pub assessor2: String,
    /// Consistency warnings of the scored record.
    pub warnings: u32,
    /// The approved record this one corrects or re-assesses, if any.
    pub supersedes: Option<i64>,
    /// The last return reason (shown next to 已退回), if any.
    pub review_reason: Option<String>,
}

/// The columns [`summary_from_row`] reads, in order.
const SUMMARY_COLUMNS: &str = "id, number, status, subject_name, id_number, reference_date,
    final_level, updated_at, township, assessor1, assessor2, warnings, supersedes,
    review_reason";

/// A [`Summary`] from a row selected with [`SUMMARY_COLUMNS`].
/// Every row of a query selecting [`SUMMARY_COLUMNS`], as summaries.
fn summaries_from(mut rows: rusqlite::Rows<'_>) -> Result<Vec<Summary>, StoreError> {
    let mut summaries = Vec::new();
    while let Some(row) = rows.next()? {
        summaries.push(summary_from_row(row)?);
    }
    Ok(summaries)
}

fn summary_from_row(row: &rusqlite::Row<'_>) -> Result<Summary, StoreError> {
    let id: i64 = row.get(0)?;
    let status: String = row.get(2)?;
    let id_number: String = row.get(4)?;
    let date: String = row.get(5)?;
    let updated_at: String = row.get(7)?;
    Ok(Summary {
        id,
        number: row.get(1)?,
        status: parse_status(id, &status)?,
        subject_name: row.get(3)?,
        id_masked: mask_id(&id_number),
        reference_date: parse_date(id, "reference_date", &date)?,
        final_level: parse_level(id, row.get(6)?)?,
        updated_at: parse_timestamp(id, "updated_at", &updated_at)?,
        township: row.get(8)?,
        assessor1: row.get(9)?,
        assessor2: row.get(10)?,
        warnings: parse_count(id, row.get(11)?)?,
        supersedes: row.get(12)?,
        review_reason: row.get(13)?,
    })
}

/// How a save is written to the audit trail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum AuditMode {
    /// One row per changed field (interactive saves).
    PerField,
    /// One row with the digest of the imported record (bulk import).
    Imported,
}

/// What one scoring of a record gives a save: its final level (`None` while it does not
/// score) and the number of consistency warnings (0 then).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Scored {
    /// The final ability level.
    pub final_level: Option<u8>,
    /// The number of consistency warnings.
    pub warnings: u32,
}

impl Scored {
    /// Scores `record` once against `scale`.
    pub fn of(scale: &Scale, record: &AssessmentRecord) -> Self {
        crate::assessment::score(scale, &record.answers(scale), &record.facts(scale)).map_or(
            Self::default(),
            |outcome| Self {
                final_level: Some(outcome.final_level),
                warnings: u32::try_from(outcome.warnings.len()).unwrap_or(u32::MAX),
            },
        )
    }
}

/// Who saves, when, and how the save is audited.
#[derive(Clone, Copy)]
pub(crate) struct SaveContext<'a> {
    now: DateTime<Utc>,
    actor: &'a Actor,
    supersedes: Option<i64>,
    audit: AuditMode,
}

/// The assessment store: one `SQLite` connection.
#[derive(Debug)]
pub struct Store {
    conn: Connection,
    /// The database file (`:memory:` for [`Store::open_in_memory`]), for error messages.
    path: PathBuf,
    /// The data directory (`None` in memory): where `backups/` is.
    dir: Option<PathBuf>,
    /// The account signed in with [`Store::login`].
    session: RefCell<Option<Actor>>,
    /// How new password hashes are made.
    password_cost: PasswordCost,
    /// Verified for unknown logins, so that they take as long as a wrong password.
    dummy_hash: OnceCell<String>,
    /// The bundled scale, loaded on the first save, for the `warnings` column.
    scale: OnceCell<Option<Scale>>,
    /// Why today's daily backup failed, if it did (opening went on).
    backup_problem: Option<String>,
    /// The database key, when the file is encrypted (see `encryption`).
    key: Option<DbKey>,
    /// Why an autosave left by an interrupted run could not be saved at open, if so.
    autosave_problem: Option<String>,
}

impl Store {
    /// The database file (`:memory:` for an in-memory store).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Why the day's backup copy failed, if it did (the store works all the same; the GUI
    /// shows this as a warning).
    pub fn backup_problem(&self) -> Option<&str> {
        self.backup_problem.as_deref()
    }

    /// Why a version typed before the program was interrupted could not be saved when
    /// the store opened (it stays in the autosave journal; see `autosave.rs`).
    pub fn autosave_problem(&self) -> Option<&str> {
        self.autosave_problem.as_deref()
    }

    /// A `BEGIN IMMEDIATE` transaction: the write lock is taken up front, so a read
    /// followed by a write cannot fail half-way because another process wrote meanwhile.
    fn immediate(&self) -> Result<Transaction<'_>, StoreError> {
        Ok(Transaction::new_unchecked(&self.conn, TransactionBehavior::Immediate)?)
    }

    /// Who saves: the signed-in account; while no account exists, [`UNATTRIBUTED`] with
    /// the assessor's rights.
    fn acting(&self) -> Result<Actor, StoreError> {
        if let Some(actor) = self.session.borrow().clone() {
            return Ok(actor);
        }
        if self.has_accounts()? {
            return Err(StoreError::NotSignedIn);
        }
        Ok(Actor {
            account: UNATTRIBUTED.to_owned(),
            display_name: String::new(),
            role: Role::Assessor,
        })
    }

    /// The number of consistency warnings of `record` against the bundled scale, or 0
    /// when it does not score (yet).
    pub(super) fn warnings_of(&self, record: &AssessmentRecord) -> u32 {
        self.bundled_scale().map_or(0, |scale| Scored::of(scale, record).warnings)
    }

    /// Inserts or updates the assessment with `record.info.number`, in one small
    /// transaction (cheap enough to call every second). `created_at` is set by the first
    /// save only; every save sets `updated_at` to `now`. Returns the row id.
    ///
    /// Saving does not check the record's content: drafts are saved half-typed. The
    /// caller chooses `status` and passes the `final_level` it computed. The status
    /// change is checked with [`crate::review::transition`] for the signed-in account:
    /// only 草稿 (edit; reopen a completed record) and 已完成 (complete) can be saved
    /// ([`StoreError::StatusNotSavable`] otherwise: submit, approve and return go through
    /// [`Store::transition`]), an approved record is never saved again, a submitted one
    /// not until it is returned ([`StoreError::Review`]).
    ///
    /// Also fills the denormalised columns (township, sex, birth date from A.2.3 or the ID
    /// number, the assessors' names, the number of consistency warnings) and writes one
    /// audit row per changed field (`subject.name`, `answers.B.1.1`, …) plus one for a
    /// status change.
    pub fn save(
        &self,
        record: &AssessmentRecord,
        status: Status,
        final_level: Option<u8>,
        now: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        let scored = Scored { final_level, warnings: self.warnings_of(record) };
        self.save_scored(record, status, scored, now)
    }

    /// [`Store::save`] with the record scored by the caller (once, see [`Scored::of`]), so
    /// that the final level and the number of warnings come from one outcome.
    pub fn save_scored(
        &self,
        record: &AssessmentRecord,
        status: Status,
        scored: Scored,
        now: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        let actor = self.acting()?;
        self.save_as(record, (status, scored), now, &actor, false)
    }

    /// One interactive save by `actor` in its own transaction; with `clear_journal`, the
    /// record's autosave journal row goes in the same transaction (see `autosave.rs`).
    fn save_as(
        &self,
        record: &AssessmentRecord,
        (status, scored): (Status, Scored),
        now: DateTime<Utc>,
        actor: &Actor,
        clear_journal: bool,
    ) -> Result<i64, StoreError> {
        let number = record.info.number.trim();
        if number.is_empty() {
            return Err(StoreError::MissingNumber);
        }
        let tx = self.immediate()?;
        let context = SaveContext { now, actor, supersedes: None, audit: AuditMode::PerField };
        let id = self.save_in_tx(record, status, scored, &context)?;
        if clear_journal {
            self.conn
                .prepare_cached("DELETE FROM autosave WHERE number = ?1")?
                .execute([number])?;
        }
        tx.commit()?;
        Ok(id)
    }

    /// [`Store::save`] inside the caller's transaction.
    fn save_in_tx(
        &self,
        record: &AssessmentRecord,
        status: Status,
        scored: Scored,
        context: &SaveContext<'_>,
    ) -> Result<i64, StoreError> {
        let Scored { final_level, warnings } = scored;
        let SaveContext { now, actor, supersedes, audit: audit_mode } = *context;
        let number = record.info.number.trim();
        if number.is_empty() {
            return Err(StoreError::MissingNumber);
        }
        let json = serde_json::to_string(record)
            .map_err(|e| StoreError::Json { number: number.to_owned(), source: e.into() })?;
        let existing: Option<(i64, String, String)> = self
            .conn
            .prepare_cached("SELECT id, status, record_json FROM assessments WHERE number = ?1")?
            .query_row([number], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
            .optional()?;
        let current = existing.as_ref().map(|(id, text, _)| parse_status(*id, text)).transpose()?;
        if let Some((id, _, _)) = &existing {
            self.check_not_frozen(*id)?;
        }
        let action = save_action(current, status)?;
        let assessors = self.listed_assessors(existing.as_ref().map(|e| e.0), record)?;
        let next = review::transition(
            current.unwrap_or(Status::Draft),
            action.clone(),
            actor,
            &review::Parties::named(&assessors[0], &assessors[1]),
        )?;
        debug_assert_eq!(next, status);

        let subject = &record.subject;
        let parsed_id = subject.id_number();
        let sex = subject.sex.or_else(|| parsed_id.as_ref().map(crate::record::IdNumber::sex));
        let sex = sex.map_or("", |sex| match sex {
            crate::record::codes::Sex::Male => "male",
            crate::record::codes::Sex::Female => "female",
        });
        let birth = subject
            .birth_date
            .or_else(|| parsed_id.as_ref().map(crate::record::IdNumber::birth_date));
        let at = timestamp(now);
        let id: i64 = self
            .conn
            .prepare_cached(
                "INSERT INTO assessments (number, status, record_json, subject_name, id_number,
                     reference_date, final_level, created_at, updated_at, township, sex,
                     birth_date, assessor1, assessor2, warnings, supersedes)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)
                 ON CONFLICT (number) DO UPDATE SET
                     status = excluded.status,
                     record_json = excluded.record_json,
                     subject_name = excluded.subject_name,
                     id_number = excluded.id_number,
                     reference_date = excluded.reference_date,
                     final_level = excluded.final_level,
                     updated_at = excluded.updated_at,
                     township = excluded.township,
                     sex = excluded.sex,
                     birth_date = excluded.birth_date,
                     assessor1 = excluded.assessor1,
                     assessor2 = excluded.assessor2,
                     warnings = excluded.warnings
                 RETURNING id",
            )?
            .query_row(
                params![
                    number,
                    status.code(),
                    json,
                    subject.name.trim(),
                    normalise_id(subject.id_number.as_str()),
                    format_date(record.info.reference_date),
                    final_level,
                    at,
                    record.info.township.trim(),
                    sex,
                    birth.map(format_date),
                    assessors[0],
                    assessors[1],
                    warnings,
                    supersedes,
                ],
                |row| row.get(0),
            )?;

        let old_json = existing.as_ref().map(|(_, _, json)| json.as_str());
        self.drop_stale_report(id, old_json, &json)?;
        let imported = audit_mode == AuditMode::Imported;
        if let Some(duty) =
            duties::Duty::of_save(old_json, &json, current != Some(status), imported)
        {
            self.add_duty(id, duty, &actor.account)?;
        }
        let change = SaveChange {
            old_json,
            from: current.unwrap_or(Status::Draft),
            to: status,
            action: &action,
        };
        let hash = audit_content::content_hash(&self.conn, id)?;
        match audit_mode {
            AuditMode::PerField => self.audit_save(id, record, &change, actor, &at, &hash)?,
            AuditMode::Imported => self.audit_import(id, &json, actor, &at, &hash)?,
        }
        Ok(id)
    }

    /// The assessment with row id `id`, or `None` if there is none.
    pub fn load(&self, id: i64) -> Result<Option<StoredAssessment>, StoreError> {
        let mut statement = self.conn.prepare_cached(
            "SELECT status, record_json, final_level, created_at, updated_at, warnings,
                    submitted_at, reviewed_at, reviewer, review_reason, supersedes
             FROM assessments WHERE id = ?1",
        )?;
        let row = statement
            .query_row([id], |row| {
                Ok((
                    (
                        row.get::<_, String>(0)?,
                        row.get::<_, String>(1)?,
                        row.get::<_, Option<i64>>(2)?,
                        row.get::<_, String>(3)?,
                        row.get::<_, String>(4)?,
                        row.get::<_, i64>(5)?,
                    ),
                    (
                        row.get::<_, Option<String>>(6)?,
                        row.get::<_, Option<String>>(7)?,
                        row.get::<_, Option<String>>(8)?,
                        row.get::<_, Option<String>>(9)?,
                        row.get::<_, Option<i64>>(10)?,
                    ),
                ))
            })
            .optional()?;
        let Some((
            (status, json, final_level, created_at, updated_at, warnings),
            (submitted_at, reviewed_at, reviewer, review_reason, supersedes),
        )) = row
        else {
            return Ok(None);
        };
        let record = serde_json::from_str(&json)
            .map_err(|e| StoreError::Json { number: format!("#{id}"), source: e.into() })?;
        let optional_time = |column, text: Option<String>| {
            text.map(|text| parse_timestamp(id, column, &text)).transpose()
        };
        Ok(Some(StoredAssessment {
            id,
            status: parse_status(id, &status)?,
            record,
            final_level: parse_level(id, final_level)?,
            created_at: parse_timestamp(id, "created_at", &created_at)?,
            updated_at: parse_timestamp(id, "updated_at", &updated_at)?,
            warnings: parse_count(id, warnings)?,
            submitted_at: optional_time("submitted_at", submitted_at)?,
            reviewed_at: optional_time("reviewed_at", reviewed_at)?,
            reviewer,
            review_reason,
            supersedes,
        }))
    }

    /// The row id of the assessment numbered `number` (A.1.1, trimmed), if any.
    pub fn find_by_number(&self, number: &str) -> Result<Option<i64>, StoreError> {
        let mut statement =
            self.conn.prepare_cached("SELECT id FROM assessments WHERE number = ?1")?;
        Ok(statement.query_row([number.trim()], |row| row.get::<_, i64>(0)).optional()?)
    }

    /// The assessments, most recently saved first (ties: newest row first).
    ///
    /// An empty (or blank) `query` lists everything; otherwise only assessments whose
    /// name or ID number contains `query` (trimmed; ASCII letters match either case).
    pub fn list(&self, query: &str) -> Result<Vec<Summary>, StoreError> {
        Ok(self.list_page(query, usize::MAX)?.0)
    }

    /// The first `limit` rows of [`Store::list`] and how many rows match in all, so that
    /// a screen never loads a whole county's assessments to show a page of them.
    pub fn list_page(
        &self,
        query: &str,
        limit: usize,
    ) -> Result<(Vec<Summary>, usize), StoreError> {
        const MATCHES: &str = "?1 = ''
                OR instr(lower(subject_name), lower(?1)) > 0
                OR instr(id_number, upper(?1)) > 0";
        let query = query.trim();
        let mut statement = self.conn.prepare_cached(&format!(
            "SELECT {SUMMARY_COLUMNS} FROM assessments WHERE {MATCHES}
             ORDER BY updated_at DESC, id DESC LIMIT ?2"
        ))?;
        // SQLite reads a negative LIMIT as "no limit".
        let sql_limit = i64::try_from(limit).unwrap_or(-1);
        let summaries = summaries_from(statement.query(params![query, sql_limit])?)?;
        let total = if summaries.len() < limit {
            summaries.len()
        } else {
            let count: i64 = self
                .conn
                .prepare_cached(&format!("SELECT count(*) FROM assessments WHERE {MATCHES}"))?
                .query_row([query], |row| row.get(0))?;
            usize::try_from(count).unwrap_or(usize::MAX)
        };
        Ok((summaries, total))
    }

    /// Checks the whole file with [`Store::integrity_check`] (a damaged database gives
    /// [`StoreError::Corrupt`]), then the whole audit trail (see [`AuditReport`]): the hash chain's links, then
    /// the head recorded in `meta`, then every record's content against the content hash
    /// of its last entry, then the head recorded in the newest readable backup.
    pub fn verify_audit(&self) -> Result<AuditReport, StoreError> {
        self.integrity_check()?;
        let mut report = audit::verify(&self.conn)?;
        if report.problem.is_none() {
            let verified =
                audit_content::verify(&self.conn, self.dir.as_deref(), self.key.as_ref())?;
            report.problem = verified.problem;
            report.backup = verified.backup;
        }
        Ok(report)
    }

    /// Appends an event that is not a record change to the audit trail, such as a full
    /// (not de-identified) export, attributed like [`Store::save`]. `action` is a short
    /// stable code (`export_full`); `detail` goes to `new_value`, `reason` to `reason`.
    /// Never pass a password.
    pub fn log_event(
        &self,
        action: &str,
        record_id: Option<i64>,
        detail: Option<&str>,
        reason: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let actor = self.acting()?;
        let tx = self.immediate()?;
        audit::append(
            &self.conn,
            &audit::Entry {
                at: &timestamp(now),
                actor: &actor.account,
                record_id,
                action,
                new: detail,
                reason,
                ..audit::Entry::default()
            },
        )?;
        tx.commit()?;
        Ok(())
    }

    /// The `meta` key of [`Store::last_open`]: one per signed-in account (so that the
    /// next user of a shared machine does not land in the previous user's record), the
    /// plain key when nobody is signed in.
    fn last_open_key(&self) -> String {
        match self.session.borrow().as_ref() {
            Some(actor) => format!("{META_LAST_OPEN}.{}", actor.account),
            None => META_LAST_OPEN.to_owned(),
        }
    }

    /// Remembers the assessment the GUI has open for the signed-in account (`None`: none).
    pub fn set_last_open(&self, id: Option<i64>) -> Result<(), StoreError> {
        let key = self.last_open_key();
        match id {
            Some(id) => self
                .conn
                .prepare_cached(
                    "INSERT INTO meta (key, value) VALUES (?1, ?2)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                )?
                .execute(params![key, id.to_string()])?,
            None => self.conn.prepare_cached("DELETE FROM meta WHERE key = ?1")?.execute([key])?,
        };
        Ok(())
    }

    /// The meta key under which the GUI's place in the open record is kept for the
    /// signed-in account (written by [`StoreWriter::remember`], read by
    /// [`Store::last_place`]).
    #[must_use]
    pub fn last_place_key(&self) -> String {
        match self.session.borrow().as_ref() {
            Some(actor) => format!("{META_LAST_PLACE}.{}", actor.account),
            None => META_LAST_PLACE.to_owned(),
        }
    }

    /// Where in record `id` the GUI was for the signed-in account (the text the app gave
    /// [`StoreWriter::remember`] after the id), if it was in that record.
    pub fn last_place(&self, id: i64) -> Result<Option<String>, StoreError> {
        let value: Option<String> = self
            .conn
            .prepare_cached("SELECT value FROM meta WHERE key = ?1")?
            .query_row([self.last_place_key()], |row| row.get(0))
            .optional()?;
        Ok(value.and_then(|text| {
            let (of, place) = text.split_once(' ')?;
            (of.parse() == Ok(id)).then(|| place.to_owned())
        }))
    }

    /// Sets meta `key` to `value` (the store writer's side of [`StoreWriter::remember`]).
    fn set_meta(&self, key: &str, value: &str) -> Result<(), StoreError> {
        self.conn
            .prepare_cached(
                "INSERT INTO meta (key, value) VALUES (?1, ?2)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            )?
            .execute(params![key, value])?;
        Ok(())
    }

    /// The assessment the GUI had open for the signed-in account when it last stopped,
    /// if any. The row may have
    /// been deleted since ([`Store::delete_draft`] clears it, but a hand-edited file may
    /// not): [`Store::load`] then gives `None`.
    pub fn last_open(&self) -> Result<Option<i64>, StoreError> {
        let value: Option<String> = self
            .conn
            .prepare_cached("SELECT value FROM meta WHERE key = ?1")?
            .query_row([self.last_open_key()], |row| row.get(0))
            .optional()?;
        value
            .map(|text| {
                text.parse().map_err(|_| StoreError::BadValue { id: 0, column: META_LAST_OPEN })
            })
            .transpose()
    }

    /// A fresh assessment number for `date`: `PG` + `YYYYMMDD` + `-` + a 4-digit sequence,
    /// one more than the highest sequence already stored for that date (so `-0001` on an
    /// empty day, and never a number in use, even after a draft was deleted).
    ///
    /// The number is not reserved: save a record with it before asking for the next one.
    pub fn next_number(&self, date: NaiveDate) -> Result<String, StoreError> {
        let prefix = match self.device_code()? {
            // Enrolled: the device code makes the number unique in the county.
            Some(code) => format!("{NUMBER_PREFIX}{}-{code}-", date.format("%Y%m%d")),
            None => format!("{NUMBER_PREFIX}{}-", date.format("%Y%m%d")),
        };
        let mut statement = self.conn.prepare_cached(
            "SELECT substr(number, length(?1) + 1) FROM assessments
             WHERE substr(number, 1, length(?1)) = ?1",
        )?;
        let suffixes = statement.query_map([&prefix], |row| row.get::<_, String>(0))?;
        let mut highest = 0_u64;
        for suffix in suffixes {
            let suffix = suffix?;
            if !suffix.is_empty() && suffix.bytes().all(|b| b.is_ascii_digit()) {
                highest = highest.max(suffix.parse().unwrap_or(u64::MAX - 1));
            }
        }
        Ok(format!("{prefix}{:04}", highest.saturating_add(1)))
    }

    /// Deletes a draft. Any other status is refused: [`StoreError::Completed`] for a
    /// completed one, [`StoreError::Review`] for an approved one, [`StoreError::NotDraft`]
    /// otherwise; an unknown id gives [`StoreError::NotFound`]. Clears
    /// [`Store::last_open`] if it pointed at this draft. Written to the audit trail, dated
    /// by the system clock ([`Store::delete_draft_at`] takes the time).
    pub fn delete_draft(&self, id: i64) -> Result<(), StoreError> {
        self.delete_draft_at(id, Utc::now())
    }

    /// [`Store::delete_draft`] at the time `now`.
    pub fn delete_draft_at(&self, id: i64, now: DateTime<Utc>) -> Result<(), StoreError> {
        let actor = self.acting()?;
        if !actor.role.can_assess() {
            return Err(review::ReviewError::Forbidden { role: actor.role, action: "删除" }.into());
        }
        let tx = self.immediate()?;
        let row: Option<(String, String)> = tx
            .prepare_cached("SELECT status, number FROM assessments WHERE id = ?1")?
            .query_row([id], |row| Ok((row.get(0)?, row.get(1)?)))
            .optional()?;
        let Some((status, number)) = row else {
            return Err(StoreError::NotFound { id });
        };
        let creators: Vec<String> = tx
            .prepare_cached(
                "SELECT account FROM record_accounts WHERE record_id = ?1 AND duty = 'create'",
            )?
            .query_map([id], |row| row.get(0))?
            .collect::<Result<_, _>>()?;
        match parse_status(id, &status)? {
            // A draft created by another account is theirs (a record with no creator on
            // file, made before duties were kept, may be deleted by any assessor).
            Status::Draft if !creators.is_empty() && !creators.contains(&actor.account) => {
                return Err(StoreError::NotOwnDraft { id });
            }
            Status::Draft => {}
            Status::Completed => return Err(StoreError::Completed { id }),
            Status::Approved => return Err(review::ReviewError::Frozen.into()),
            status => return Err(StoreError::NotDraft { id, status }),
        }
        tx.prepare_cached("DELETE FROM assessments WHERE id = ?1")?.execute([id])?;
        tx.prepare_cached("DELETE FROM record_accounts WHERE record_id = ?1")?.execute([id])?;
        tx.prepare_cached(
            "DELETE FROM meta WHERE (key = ?1 OR key LIKE ?1 || '.%') AND value = ?2",
        )?
        .execute(params![META_LAST_OPEN, id.to_string()])?;
        audit::append(
            &tx,
            &audit::Entry {
                at: &timestamp(now),
                actor: &actor.account,
                record_id: Some(id),
                action: "delete_draft",
                field: Some("info.number"),
                old: Some(&number),
                content_hash: Some(GENESIS_HASH),
                ..audit::Entry::default()
            },
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Runs `SQLite`'s full `PRAGMA integrity_check`; a damaged database gives
    /// [`StoreError::Corrupt`]. Slow on a big file: for a "check database" command, not
    /// for every start.
    pub fn integrity_check(&self) -> Result<(), StoreError> {
        let mut problems = Vec::new();
        self.conn.pragma_query(None, "integrity_check", |row| {
            problems.push(row.get::<_, String>(0)?);
            Ok(())
        })?;
        if problems == ["ok"] {
            return Ok(());
        }
        Err(StoreError::Corrupt {
            path: self.path.clone(),
            latest_backup: self
                .dir
                .as_deref()
                .and_then(|dir| latest_backup(dir, self.key.as_ref())),
        })
    }
}

/// What one save changes, for [`Store::audit_save`].
struct SaveChange<'a> {
    /// The stored JSON before the save (`None`: a new record).
    old_json: Option<&'a str>,
    /// The status before (草稿 for a new record).
    from: Status,
    /// The status saved.
    to: Status,
    /// The lifecycle action the save takes.
    action: &'a Action,
}

/// The action a save with `requested` status takes on a record in status `current`
/// (`None`: a new record): edit, complete or reopen. Approved records are frozen; any
/// other requested status is not a save.
fn save_action(current: Option<Status>, requested: Status) -> Result<Action, StoreError> {
    if current == Some(Status::Approved) {
        return Err(review::ReviewError::Frozen.into());
    }
    match requested {
        Status::Draft if current == Some(Status::Completed) => Ok(Action::Reopen),
        Status::Draft => Ok(Action::Edit),
        Status::Completed => Ok(Action::Complete),
        other => Err(StoreError::StatusNotSavable { status: other }),
    }
}

/// The ID number column: trimmed, ASCII upper case (`x` → `X`), so search is
/// case-insensitive for the check character.
fn normalise_id(text: &str) -> String {
    text.trim().to_ascii_uppercase()
}

/// Fixed-width RFC 3339 in UTC (`2026-11-28T08:30:00.000000000Z`): text order is time
/// order, which `list` relies on.
fn timestamp(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Nanos, true)
}

fn parse_timestamp(id: i64, column: &'static str, text: &str) -> Result<DateTime<Utc>, StoreError> {
    DateTime::parse_from_rfc3339(text)
        .map(|time| time.with_timezone(&Utc))
        .map_err(|_| StoreError::BadValue { id, column })
}

/// `YYYY-MM-DD`, the date columns' format.
fn format_date(date: NaiveDate) -> String {
    date.format("%Y-%m-%d").to_string()
}

fn parse_date(id: i64, column: &'static str, text: &str) -> Result<NaiveDate, StoreError> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| StoreError::BadValue { id, column })
}

fn parse_count(id: i64, count: i64) -> Result<u32, StoreError> {
    u32::try_from(count).map_err(|_| StoreError::BadValue { id, column: "warnings" })
}

fn parse_status(id: i64, text: &str) -> Result<Status, StoreError> {
    Status::from_code(text).ok_or(StoreError::BadValue { id, column: "status" })
}

fn parse_level(id: i64, level: Option<i64>) -> Result<Option<u8>, StoreError> {
    level
        .map(|level| {
            u8::try_from(level).map_err(|_| StoreError::BadValue { id, column: "final_level" })
        })
        .transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_any_text() {
        assert_eq!(mask_id(""), "");
        assert_eq!(mask_id("  "), "");
        assert_eq!(mask_id("11010519491231002X"), "110105********002X");
        assert_eq!(mask_id(" 1101051949 "), "**********");
        assert_eq!(mask_id("12345678901"), "123456*8901");
        assert_eq!(mask_id("一二三四五六七八九十甲乙"), "一二三四五六**九十甲乙");
    }

    #[test]
    fn timestamps_sort_as_text() {
        let early = DateTime::from_timestamp(1_700_000_000, 5).unwrap();
        let late = DateTime::from_timestamp(1_700_000_001, 0).unwrap();
        assert!(timestamp(early) < timestamp(late));
        assert_eq!(parse_timestamp(1, "t", &timestamp(early)).unwrap(), early);
    }

    #[test]
    fn file_pragmas_are_set() {
        let dir = std::env::temp_dir()
            .join(format!("elder-assess-store-unit-{}-pragmas", std::process::id()));
        let store = Store::open(&dir).unwrap();
        let pragma = |name: &str| -> String {
            store
                .conn
                .pragma_query_value(None, name, |row| row.get::<_, rusqlite::types::Value>(0))
                .map(|value| format!("{value:?}"))
                .unwrap()
        };
        assert_eq!(pragma("journal_mode"), r#"Text("wal")"#);
        assert_eq!(pragma("synchronous"), "Integer(2)", "FULL");
        assert_eq!(pragma("foreign_keys"), "Integer(1)");
        drop(store);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn schema_steps_apply_in_memory() {
        let store = Store::open_in_memory().unwrap();
        assert_eq!(schema::user_version(&store.conn).unwrap(), SCHEMA_VERSION);
        store.integrity_check().unwrap();
    }
}
