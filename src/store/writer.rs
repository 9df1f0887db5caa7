//! The store writer: a thread that owns a second, writing connection and saves the record
//! being typed, so that no frame of the app ever waits for the disk or a database lock.
//!
//! The app hands every changed version to [`StoreWriter::edit`] (a clone under a mutex;
//! only the newest pending version is kept) and goes on drawing. The thread:
//!
//! - writes the newest version to the autosave journal ([`Store::write_autosave`]) at
//!   most [`JOURNAL_DELAY`] after the oldest change not yet on disk, and at once after
//!   [`StoreWriter::flush`] (the end of a pen stroke): `kill -9` loses at most the last
//!   half second of typing;
//! - ends the burst — one audited save ([`Store::commit_autosave`], scored once) — when an
//!   edit touches none of the burst's fields (the previous version is saved first, so each
//!   field's row runs from the value before its burst to the value after), after
//!   [`BURST_IDLE`] without edits, on [`StoreWriter::commit`] (leaving a section,
//!   完成评估, opening another record) and on [`StoreWriter::shutdown`] (closing the app);
//! - keeps the version in memory and retries while another program holds the database
//!   lock ([`WriterStatus::busy_since`], shown as a notice) or a write fails
//!   ([`WriterStatus::error`]).
//!
//! A signature's strokes and time stamp count as one field (`signatures.<role>`), so a
//! drawing is one burst and one `sign` row (see `audit_save.rs`).

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use rusqlite::Connection;

use super::{DbKey, Scored, Status, Store, StoreError, audit};
use crate::record::AssessmentRecord;
use crate::review::Actor;
use crate::scale::Scale;

/// At most this long after a change, the change is in the journal on disk.
pub const JOURNAL_DELAY: Duration = Duration::from_millis(250);

/// A burst of edits ends after this long without an edit.
pub const BURST_IDLE: Duration = Duration::from_secs(2);

/// How long a write waits for another program's lock before the writer reports it busy
/// and tries again.
const BUSY_TIMEOUT: Duration = Duration::from_millis(100);

/// Pause before a failed write is tried again.
const RETRY: Duration = Duration::from_millis(250);

/// How long [`StoreWriter::shutdown`] keeps trying while the database stays locked.
const SHUTDOWN_PATIENCE: Duration = Duration::from_secs(3);

/// Called by the writer thread when its status changed, and on each retry while the
/// database lock is held (see [`StoreWriter::spawn_with_waker`]).
pub type Waker = Box<dyn Fn() + Send>;

/// What the writer has done, for the app's status line and notices.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WriterStatus {
    /// Every [`StoreWriter::commit`] ticket up to this one is done.
    pub committed: u64,
    /// The edit time of the newest version on disk (journal or record).
    pub last_written: Option<DateTime<Utc>>,
    /// The row id of the record last saved.
    pub record_id: Option<i64>,
    /// Why the last write failed (cleared by the next success); the version is kept.
    pub error: Option<String>,
    /// Since when another program has held the database lock, while it does.
    pub busy_since: Option<Instant>,
    /// Whether the newest version is not on disk yet.
    pub unwritten: bool,
    /// Whether the newest version is not saved with its audit rows yet.
    pub uncommitted: bool,
}

/// One version handed over by the app.
struct Edit {
    record: AssessmentRecord,
    status: Status,
    actor: Option<Actor>,
    now: DateTime<Utc>,
}

#[derive(Default)]
struct Inbox {
    edit: Option<Edit>,
    /// A meta key and value to write (the app's place in the open record).
    meta: Option<(String, String)>,
    flush: bool,
    ticket: u64,
    shutdown: bool,
    status: WriterStatus,
}

struct Shared {
    inbox: Mutex<Inbox>,
    wake: Condvar,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Inbox> {
        // A panic on the writer thread must not take the app's frames down with it.
        self.inbox.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// What the thread needs to open its own connection.
struct Opening {
    path: PathBuf,
    dir: Option<PathBuf>,
    key: Option<DbKey>,
}

/// The handle the app keeps; see the module docs.
pub struct StoreWriter {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for StoreWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoreWriter").finish_non_exhaustive()
    }
}

impl StoreWriter {
    /// Starts the writer thread on the database `store` has open (its own connection,
    /// opened on the thread). An in-memory store has no file to share:
    /// [`StoreError::NoFile`].
    pub fn spawn(store: &Store, scale: Scale) -> Result<Self, StoreError> {
        Self::spawn_with_waker(store, scale, None)
    }

    /// [`StoreWriter::spawn`], calling `waker` when the status changes and while the lock
    /// is held (the app passes its repaint request, so that a notice or the status line
    /// changes without an input event).
    pub fn spawn_with_waker(
        store: &Store,
        scale: Scale,
        waker: Option<Waker>,
    ) -> Result<Self, StoreError> {
        if store.dir.is_none() {
            return Err(StoreError::NoFile);
        }
        let opening =
            Opening { path: store.path.clone(), dir: store.dir.clone(), key: store.key.clone() };
        let shared = Arc::new(Shared { inbox: Mutex::new(Inbox::default()), wake: Condvar::new() });
        let thread_shared = Arc::clone(&shared);
        let thread = std::thread::Builder::new()
            .name("store-writer".to_owned())
            .spawn(move || Worker::run(&thread_shared, &opening, scale, waker.as_deref()))
            .map_err(|source| StoreError::Io { path: store.path.clone(), source })?;
        Ok(Self { shared, thread: Some(thread) })
    }

    /// Hands over the newest version of the open record (replacing any version not yet
    /// taken), typed by `actor` at `now`.
    pub fn edit(
        &self,
        record: &AssessmentRecord,
        status: Status,
        actor: Option<Actor>,
        now: DateTime<Utc>,
    ) {
        let mut inbox = self.shared.lock();
        inbox.edit = Some(Edit { record: record.clone(), status, actor, now });
        inbox.status.unwritten = true;
        inbox.status.uncommitted = true;
        drop(inbox);
        self.shared.wake.notify_one();
    }

    /// Remembers meta `key` = `value` (where in the record the app is, see
    /// [`Store::last_place_key`]); written on the writer's thread, the newest value only.
    /// A failed write is not retried: the place is a convenience, not the record.
    pub fn remember(&self, key: String, value: String) {
        self.shared.lock().meta = Some((key, value));
        self.shared.wake.notify_one();
    }

    /// Writes the newest version to the journal now (the end of a pen stroke).
    pub fn flush(&self) {
        self.shared.lock().flush = true;
        self.shared.wake.notify_one();
    }

    /// Ends the burst now; returns the ticket that [`StoreWriter::is_committed`] checks.
    pub fn commit(&self) -> u64 {
        let mut inbox = self.shared.lock();
        inbox.ticket += 1;
        let ticket = inbox.ticket;
        drop(inbox);
        self.shared.wake.notify_one();
        ticket
    }

    /// Whether the commit with `ticket` (and every earlier one) is done.
    pub fn is_committed(&self, ticket: u64) -> bool {
        self.shared.lock().status.committed >= ticket
    }

    /// What the writer has done so far.
    pub fn status(&self) -> WriterStatus {
        self.shared.lock().status.clone()
    }

    /// Ends the burst, stops the thread and waits for it (closing the app). Gives up
    /// after a few seconds of a held lock; the journal keeps what reached it.
    pub fn shutdown(mut self) -> WriterStatus {
        self.stop();
        self.status()
    }

    fn stop(&mut self) {
        self.shared.lock().shutdown = true;
        self.shared.wake.notify_one();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for StoreWriter {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The thread's side.
struct Worker {
    store: Store,
    scale: Scale,
    /// The newest version seen.
    current: Option<Edit>,
    /// The version last saved with its audit rows (the diff base of the burst).
    base: Option<AssessmentRecord>,
    /// The fields edited in this burst.
    burst: BTreeSet<String>,
    /// When the oldest change not in the journal was handed over.
    unwritten_since: Option<Instant>,
    /// When the newest edit was handed over, while the burst is open.
    last_edit: Option<Instant>,
    /// Tickets done.
    done: u64,
    retry_at: Option<Instant>,
    /// The row id of the record last saved.
    record_id: Option<i64>,
}

impl Worker {
    fn run(shared: &Shared, opening: &Opening, scale: Scale, waker: Option<&(dyn Fn() + Send)>) {
        let wake = || {
            if let Some(waker) = waker {
                waker();
            }
        };
        let store = match open_second(opening) {
            Ok(store) => store,
            Err(err) => {
                shared.lock().status.error = Some(format!("无法打开数据库：{err}"));
                wake();
                return;
            }
        };
        let mut worker = Self {
            store,
            scale,
            current: None,
            base: None,
            burst: BTreeSet::new(),
            unwritten_since: None,
            last_edit: None,
            done: 0,
            retry_at: None,
            record_id: None,
        };
        let mut shutdown_at: Option<Instant> = None;
        loop {
            let mut inbox = shared.lock();
            loop {
                // While a failed write waits for its retry, only news wakes the thread.
                let asked = inbox.ticket > worker.done || inbox.shutdown;
                if inbox.edit.is_some()
                    || inbox.meta.is_some()
                    || inbox.flush
                    || (asked && worker.retry_at.is_none())
                {
                    break;
                }
                match worker.deadline() {
                    Some(at) if at <= Instant::now() => break,
                    Some(at) => {
                        let wait = at.saturating_duration_since(Instant::now());
                        inbox = shared
                            .wake
                            .wait_timeout(inbox, wait)
                            .unwrap_or_else(PoisonError::into_inner)
                            .0;
                    }
                    None => inbox = shared.wake.wait(inbox).unwrap_or_else(PoisonError::into_inner),
                }
            }
            let edit = inbox.edit.take();
            let meta = inbox.meta.take();
            let flush = std::mem::take(&mut inbox.flush);
            let ticket = inbox.ticket;
            let shutdown = inbox.shutdown;
            drop(inbox);

            if let Some((key, value)) = meta {
                let _ = worker.store.set_meta(&key, &value);
            }
            let now = Instant::now();
            let mut outcome = Ok(());
            if let Some(edit) = edit {
                outcome = worker.absorb(edit, now);
            }
            let retry_due = worker.retry_at.is_none_or(|at| at <= now);
            // The journal first: a commit that keeps failing (a refused status, say) must
            // not keep the newest version off the disk.
            let journal_due = worker
                .unwritten_since
                .is_some_and(|since| flush || now.duration_since(since) >= JOURNAL_DELAY);
            if outcome.is_ok() && retry_due && journal_due {
                outcome = worker.journal();
            }
            let idle = worker.last_edit.is_some_and(|at| now.duration_since(at) >= BURST_IDLE);
            if outcome.is_ok() && retry_due && (ticket > worker.done || shutdown || idle) {
                outcome = worker.commit();
                if outcome.is_ok() {
                    worker.done = ticket;
                }
            }
            worker.retry_at = outcome.as_ref().err().map(|_| now + RETRY);
            let (finished, changed) = worker.report(shared, outcome, now);
            if changed {
                wake();
            }
            if shutdown {
                let started = *shutdown_at.get_or_insert(now);
                if finished || now.duration_since(started) >= SHUTDOWN_PATIENCE {
                    return;
                }
            }
        }
    }

    /// When the thread must wake up without news: to journal, to end an idle burst, or
    /// to retry.
    fn deadline(&self) -> Option<Instant> {
        let journal = self.unwritten_since.map(|since| since + JOURNAL_DELAY);
        let idle = self.last_edit.map(|at| at + BURST_IDLE);
        let soonest = [journal, idle].into_iter().flatten().min();
        match (soonest, self.retry_at) {
            (Some(at), Some(retry)) => Some(at.max(retry)),
            (at, None) => at,
            (None, retry) => retry,
        }
    }

    /// Takes a new version: a change that touches none of the burst's fields (or another
    /// record, status or account) first saves the previous version, which ends its burst.
    /// A change that touches a burst field continues it, with what it changed alongside
    /// (the last digit of an ID number fills in the sex and birth date in the same frame).
    fn absorb(&mut self, edit: Edit, now: Instant) -> Result<(), StoreError> {
        let same = self.current.as_ref().is_none_or(|current| {
            current.record.info.number == edit.record.info.number
                && current.actor == edit.actor
                && current.status == edit.status
        });
        let mut result = Ok(());
        if !same {
            result = self.commit();
            if self
                .current
                .as_ref()
                .is_some_and(|c| c.record.info.number != edit.record.info.number)
            {
                self.base = None;
            }
        }
        if self.current.is_none() && self.base.is_none() {
            self.base = self.store.committed_record(&edit.record.info.number).ok().flatten();
        }
        let previous = self.current.as_ref().map(|c| &c.record).or(self.base.as_ref());
        let changed = previous.map_or_else(BTreeSet::new, |p| changed_fields(p, &edit.record));
        if previous.is_some_and(|p| *p == edit.record) && same {
            // Nothing new (the same version handed over again).
            if let Some(current) = &mut self.current {
                current.now = edit.now;
            }
            return result;
        }
        if result.is_ok() && !self.burst.is_empty() && changed.is_disjoint(&self.burst) {
            result = self.commit();
        }
        self.burst.extend(changed);
        self.current = Some(edit);
        self.unwritten_since.get_or_insert(now);
        self.last_edit = Some(now);
        result
    }

    /// Saves the newest version with its audit rows, if it is not saved yet.
    fn commit(&mut self) -> Result<(), StoreError> {
        let Some(current) = &self.current else { return Ok(()) };
        if self.last_edit.is_none() {
            return Ok(());
        }
        self.store.session.borrow_mut().clone_from(&current.actor);
        let scored = Scored::of(&self.scale, &current.record);
        let id =
            self.store.commit_autosave(&current.record, current.status, scored, current.now)?;
        self.record_id = Some(id);
        self.base = Some(current.record.clone());
        self.burst.clear();
        self.unwritten_since = None;
        self.last_edit = None;
        Ok(())
    }

    /// Writes the newest version to the journal.
    fn journal(&mut self) -> Result<(), StoreError> {
        let Some(current) = &self.current else { return Ok(()) };
        self.store.session.borrow_mut().clone_from(&current.actor);
        self.store.write_autosave(&current.record, current.status, current.now)?;
        self.unwritten_since = None;
        Ok(())
    }

    /// Publishes the status; returns whether nothing is left to write, and whether the
    /// app should look again (the status changed, or the lock is still held).
    fn report(
        &self,
        shared: &Shared,
        outcome: Result<(), StoreError>,
        now: Instant,
    ) -> (bool, bool) {
        let mut inbox = shared.lock();
        let pending_edit = inbox.edit.is_some();
        let before = inbox.status.clone();
        let busy = matches!(outcome, Err(StoreError::Busy));
        let status = &mut inbox.status;
        status.committed = self.done;
        status.record_id = self.record_id.or(status.record_id);
        match outcome {
            Ok(()) => {
                status.error = None;
                status.busy_since = None;
                if self.unwritten_since.is_none() {
                    status.last_written = self.current.as_ref().map(|c| c.now);
                }
            }
            Err(StoreError::Busy) => {
                status.busy_since.get_or_insert(now);
            }
            Err(err) => status.error = Some(err.to_string()),
        }
        if !pending_edit {
            status.unwritten = self.unwritten_since.is_some();
            status.uncommitted = self.last_edit.is_some();
        }
        let finished = !pending_edit && self.last_edit.is_none() && self.unwritten_since.is_none();
        (finished, busy || *status != before)
    }
}

/// The fields that differ between two versions, a signature's strokes and time stamp
/// counted as one field `signatures.<role>`.
fn changed_fields(old: &AssessmentRecord, new: &AssessmentRecord) -> BTreeSet<String> {
    let (Ok(old), Ok(new)) = (serde_json::to_value(old), serde_json::to_value(new)) else {
        return BTreeSet::new();
    };
    audit::changed_fields(&old, &new)
        .into_iter()
        .map(|(path, _, _)| match path.strip_prefix("signatures.") {
            Some(rest) => match rest.split_once('.') {
                Some((role, "strokes" | "signed_at")) => format!("signatures.{role}"),
                _ => path,
            },
            None => path,
        })
        .collect()
}

/// A second connection to an open store's file: same key, same pragmas, a short busy
/// timeout (the writer reports a held lock instead of waiting in it), no migration (the
/// first connection did that).
fn open_second(opening: &Opening) -> Result<Store, StoreError> {
    super::open::sqlite_ready();
    let conn = Connection::open(&opening.path)?;
    if let Some(key) = &opening.key {
        super::encryption::apply_key(&conn, key)?;
    }
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    let mut store = Store::with_conn(conn, opening.path.clone(), opening.dir.clone());
    store.key.clone_from(&opening.key);
    Ok(store)
}
