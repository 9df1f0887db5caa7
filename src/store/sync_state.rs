//! The device's enrolment with the county server, kept in the store (`sync_state`, one
//! row): the server URL, the device id and code, the device key (PKCS#8, base64 — inside
//! the store, so encrypted at rest with it), the pull cursor and the county state last
//! received. Enrolment makes the county's roster this device's accounts; every pull
//! updates it. Also the signed reports of stored records (`reports`), which the
//! envelopes carry.
//!
//! Once enrolled, accounts are the county's: local account creation and password resets
//! are refused ([`StoreError::CountyManaged`]), and assessment numbers carry the device
//! code (`PG20261201-D007-0001`), unique county-wide.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};
use zeroize::Zeroizing;

use super::audit::{self, Entry};
use super::{Store, StoreError, timestamp};
use crate::sync::protocol::{CountyState, RosterAccount};

/// `locked_until` of an account the county has withdrawn (or that left the roster).
const WITHDRAWN_UNTIL: &str = "9999-12-31T00:00:00.000000000Z";

/// This device's enrolment, from [`Store::sync_state`].
#[derive(Debug, Clone)]
pub struct SyncState {
    /// The county server (`https://…`).
    pub server_url: String,
    /// The device id (hex of its key's SPKI hash).
    pub device_id: String,
    /// The device's short code, part of its assessment numbers.
    pub device_code: String,
    /// The county's name.
    pub county: String,
    /// The device key, PKCS#8 DER base64.
    pub device_key: Zeroizing<String>,
    /// The account that enrolled the device (its role decides what it pulls).
    pub enrolled_by: String,
    /// The last pull cursor.
    pub cursor: i64,
    /// The county state last received.
    pub county_state: CountyState,
}

impl Store {
    /// This device's enrolment, if it is enrolled.
    pub fn sync_state(&self) -> Result<Option<SyncState>, StoreError> {
        let row = self
            .conn
            .prepare_cached(
                "SELECT server_url, device_id, device_code, county, device_key, enrolled_by,
                        cursor, county_state FROM sync_state WHERE one = 1",
            )?
            .query_row([], |row| {
                Ok((
                    (row.get::<_, String>(0)?, row.get::<_, String>(1)?, row.get::<_, String>(2)?),
                    (row.get::<_, String>(3)?, row.get::<_, String>(4)?, row.get::<_, String>(5)?),
                    (row.get::<_, i64>(6)?, row.get::<_, String>(7)?),
                ))
            })
            .optional()?;
        let Some(((server_url, device_id, device_code), (county, key, by), (cursor, state))) = row
        else {
            return Ok(None);
        };
        let county_state = serde_json::from_str(&state)
            .map_err(|_| StoreError::BadValue { id: 0, column: "county_state" })?;
        Ok(Some(SyncState {
            server_url,
            device_id,
            device_code,
            county,
            device_key: Zeroizing::new(key),
            enrolled_by: by,
            cursor,
            county_state,
        }))
    }

    /// Whether this device is enrolled with a county server.
    pub fn is_enrolled(&self) -> Result<bool, StoreError> {
        Ok(self
            .conn
            .prepare_cached("SELECT EXISTS (SELECT 1 FROM sync_state)")?
            .query_row([], |row| row.get(0))?)
    }

    /// Refuses a local account change once the county manages the accounts.
    pub(super) fn refuse_if_enrolled(&self) -> Result<(), StoreError> {
        if self.is_enrolled()? { Err(StoreError::CountyManaged) } else { Ok(()) }
    }

    /// Records the enrolment (`state.cursor` is ignored: 0) and makes the county's roster
    /// this device's accounts, in one transaction. Refused on an enrolled device
    /// ([`StoreError::AlreadyEnrolled`]) and on one with local accounts
    /// ([`StoreError::LocalAccounts`]: enrol a new data directory).
    pub fn record_enrolment(
        &self,
        state: &SyncState,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let tx = self.immediate()?;
        if self.is_enrolled()? {
            return Err(StoreError::AlreadyEnrolled);
        }
        if self.has_accounts()? {
            return Err(StoreError::LocalAccounts);
        }
        let county_state = serde_json::to_string(&state.county_state)
            .map_err(|_| StoreError::BadValue { id: 0, column: "county_state" })?;
        let at = timestamp(now);
        self.conn
            .prepare_cached(
                "INSERT INTO sync_state (one, server_url, device_id, device_code, county,
                     device_key, enrolled_by, cursor, county_state, enrolled_at)
                 VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, 0, ?7, ?8)",
            )?
            .execute(params![
                state.server_url,
                state.device_id,
                state.device_code,
                state.county,
                state.device_key.as_str(),
                state.enrolled_by,
                county_state,
                at
            ])?;
        self.apply_roster(&state.county_state.accounts, &at)?;
        audit::append(
            &self.conn,
            &Entry {
                at: &at,
                actor: &state.enrolled_by,
                action: "enrol",
                field: Some("device"),
                new: Some(&format!("{} {}", state.device_code, state.device_id)),
                ..Entry::default()
            },
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Sets the server URL (`sync --server`).
    pub fn set_sync_server(&self, url: &str) -> Result<(), StoreError> {
        self.conn
            .prepare_cached("UPDATE sync_state SET server_url = ?1 WHERE one = 1")?
            .execute([url])?;
        Ok(())
    }

    /// Inside the caller's transaction: the county state received with a pull page, and
    /// the cursor after it.
    pub(super) fn apply_county_state(
        &self,
        state: &CountyState,
        cursor: i64,
        at: &str,
    ) -> Result<(), StoreError> {
        let text = serde_json::to_string(state)
            .map_err(|_| StoreError::BadValue { id: 0, column: "county_state" })?;
        self.conn
            .prepare_cached("UPDATE sync_state SET county_state = ?1, cursor = ?2 WHERE one = 1")?
            .execute(params![text, cursor])?;
        self.apply_roster(&state.accounts, at)
    }

    /// The roster becomes the accounts: new ones added, changed ones updated (name, role,
    /// password hash), withdrawn ones and ones no longer listed locked for good.
    fn apply_roster(&self, roster: &[RosterAccount], at: &str) -> Result<(), StoreError> {
        for account in roster {
            if crate::review::Role::from_code(&account.role).is_none() {
                return Err(StoreError::BadValue { id: 0, column: "role" });
            }
            let locked = (!account.active).then_some(WITHDRAWN_UNTIL);
            self.conn
                .prepare_cached(
                    "INSERT INTO accounts (login, display_name, role, password_hash,
                         locked_until, created_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                     ON CONFLICT (login) DO UPDATE SET
                         display_name = excluded.display_name,
                         role = excluded.role,
                         password_hash = excluded.password_hash,
                         locked_until = CASE
                             WHEN excluded.locked_until IS NOT NULL THEN excluded.locked_until
                             WHEN accounts.locked_until = ?7 THEN NULL
                             ELSE accounts.locked_until END",
                )?
                .execute(params![
                    account.login,
                    account.display_name,
                    account.role,
                    account.password_hash,
                    locked,
                    at,
                    WITHDRAWN_UNTIL
                ])?;
        }
        let listed: Vec<&str> = roster.iter().map(|account| account.login.as_str()).collect();
        let logins: Vec<String> = self
            .conn
            .prepare_cached("SELECT login FROM accounts")?
            .query_map([], |row| row.get(0))?
            .collect::<Result<_, _>>()?;
        for login in logins.iter().filter(|login| !listed.contains(&login.as_str())) {
            self.conn
                .prepare_cached("UPDATE accounts SET locked_until = ?2 WHERE login = ?1")?
                .execute(params![login, WITHDRAWN_UNTIL])?;
        }
        Ok(())
    }

    /// Gives `login` a keyring entry after its password was checked against the roster's
    /// hash, when the store is encrypted and it has none yet (a roster account signing in
    /// on this device for the first time, e.g. as co-signer, while the store is unlocked).
    pub(super) fn seal_if_missing(&self, login: &str, password: &str) -> Result<(), StoreError> {
        let (Some(_), Some(dir)) = (&self.key, &self.dir) else {
            return Ok(());
        };
        let has = super::keyring::Keyring::load(dir)?.is_some_and(|ring| ring.has_entry(login));
        if has { Ok(()) } else { self.seal_for(login, password) }
    }

    /// Keeps the fully signed report of record `id` (replacing an earlier one): the PDF an
    /// envelope of the record carries.
    pub fn store_report(&self, id: i64, pdf: &[u8], now: DateTime<Utc>) -> Result<(), StoreError> {
        let hash = audit::sha256_hex(pdf);
        self.conn
            .prepare_cached(
                "INSERT INTO reports (record_id, pdf, sha256, stored_at) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (record_id) DO UPDATE SET pdf = excluded.pdf,
                     sha256 = excluded.sha256, stored_at = excluded.stored_at",
            )?
            .execute(params![id, pdf, hash, timestamp(now)])?;
        Ok(())
    }

    /// Forgets record `id`'s kept signed report when a save changes its content from
    /// `old_json` to `json`: the report shows the old content, so the record is not sent
    /// until both assessors sign a new one.
    pub(super) fn drop_stale_report(
        &self,
        id: i64,
        old_json: Option<&str>,
        json: &str,
    ) -> Result<(), StoreError> {
        if old_json.is_some_and(|old| old != json) {
            self.conn.prepare_cached("DELETE FROM reports WHERE record_id = ?1")?.execute([id])?;
        }
        Ok(())
    }

    /// When record `id`'s content last changed (created, imported, a field edited, a
    /// handwritten signature made or cleared), by its audit rows; a report rendered
    /// before then shows older content.
    pub fn content_changed_at(&self, id: i64) -> Result<Option<DateTime<Utc>>, StoreError> {
        let at: Option<String> = self
            .conn
            .prepare_cached(
                "SELECT MAX(at) FROM audit WHERE record_id = ?1
                 AND action IN ('create', 'import', 'edit', 'sign', 'clear')",
            )?
            .query_row([id], |row| row.get(0))?;
        at.map(|text| super::parse_timestamp(id, "audit.at", &text)).transpose()
    }

    /// The signed report kept for record `id`, if any.
    pub fn report_pdf(&self, id: i64) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self
            .conn
            .prepare_cached("SELECT pdf FROM reports WHERE record_id = ?1")?
            .query_row([id], |row| row.get(0))
            .optional()?)
    }

    /// The device code of an enrolled device, for its assessment numbers.
    pub(super) fn device_code(&self) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .prepare_cached("SELECT device_code FROM sync_state WHERE one = 1")?
            .query_row([], |row| row.get(0))
            .optional()?)
    }
}
