//! The embedded `SQLite` store with 100,000 assessments: `cargo bench --bench store`.
//!
//! Targets (issue #6), on a file store (WAL, `synchronous=FULL`, as the app opens it):
//!
//! - the filtered review queue ([`Store::queue`]) in at most 20 ms;
//! - statistics ([`Store::stats_rows`] then [`stats`], by township and by age band) in at
//!   most 100 ms;
//! - bulk import ([`Store::import_records`]) of at least 5,000 records/s.
//!
//! Also measured, without a target: the whole queue (20,000 submitted), the home list's
//! first page ([`Store::list_page`]), the due list ([`Store::due`]), and opening the store
//! ([`Store::open_at`], [`Store::open_read_only`]), which runs `PRAGMA quick_check` on
//! every open (`quick_check_100k` measures that pragma alone).
//!
//! # The 100,000-record store
//!
//! Built once per process in a directory under the system temp dir (removed at the start
//! if present, and at the end): 100,000 synthetic records from a fixed-seed generator —
//! all twelve townships, reference dates over 2025–2026, ages 55–104, valid ID numbers,
//! names, sex, birth dates, all 26 Annex B items answered so that every record scores
//! (levels 0–4 all occur), two assessors' names — imported with
//! [`Store::import_records`] in batches of 10,000, as the bureau would.
//!
//! Import leaves every record 已完成. The status mix (20 % 已提交, 70 % 已通过, 5 %
//! 已完成, 5 % 草稿, by row id) is then set with one `UPDATE` through a raw `rusqlite`
//! connection, together with `submitted_at`, `reviewed_at` and `reviewer`, instead of
//! some 165,000 calls to [`Store::transition`] (submit, approve, reopen: one transaction,
//! one audit row and one fsync each). That is fair for what is measured: the queue and the statistics read only the
//! `assessments` columns this `UPDATE` writes (`status`, `submitted_at`, …) next to the
//! ones import filled (`township`, `reference_date`, `final_level`, …), through the same
//! indexes; the audit rows that real transitions would add live in another table that
//! neither query reads.
//!
//! The store is then opened once more, at the fixed time every benchmark opens it at, so
//! the daily backup copy that the day's first open makes is taken during setup, not in a
//! benchmark. Set `STORE_BENCH_SETUP_TIME=1` to have the setup's duration (generation,
//! import, `UPDATE`, backup) written to stderr; otherwise only divan prints.
//!
//! Records carry the assessors' names but no drawn signature strokes, which would make
//! every record's JSON, and so the import, several times bigger.
#![expect(clippy::unwrap_used, reason = "benchmark setup fails loudly")]

use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use chrono::{DateTime, Days, NaiveDate, Utc};
use elder_assess::record::codes::{AssessmentReason, Relationship, Sex};
use elder_assess::record::{AssessmentRecord, IdNumberInput, Signature, Signatures};
use elder_assess::scale::{self, Scale};
use elder_assess::store::{QueueFilter, Store};
use elder_assess::tables::{Dimension, stats};

/// Records in the big store.
const RECORDS: usize = 100_000;

/// Records per import call while building the big store.
const BATCH: usize = 10_000;

/// Records imported per iteration of the import benchmark.
const IMPORT: usize = 10_000;

/// Assessors' names, paired into two different names per record.
const ASSESSORS: [&str; 6] =
    ["评估员甲", "评估员乙", "评估员丙", "评估员丁", "评估员戊", "评估员己"];

const SURNAMES: [&str; 14] =
    ["李", "王", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "岩", "玉", "罕", "俸"];

const GIVEN_NAMES: [&str; 10] =
    ["秀英", "桂兰", "建华", "国富", "德明", "玉珍", "文光", "志强", "凤英", "正清"];

/// Severities drawn uniformly from this list: 30 % 0 (every item at its best), 25 % 1,
/// 20 % 2, 15 % 3, 10 % 4.
const SEVERITY: [u8; 20] = [0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 4, 4];

/// The big store's directory, once it is built.
static BIG_STORE: OnceLock<PathBuf> = OnceLock::new();

fn main() {
    divan::main();
    if let Some(dir) = BIG_STORE.get() {
        let _ = std::fs::remove_dir_all(dir);
    }
}

/// The bundled county file's townships.
fn townships() -> Vec<String> {
    elder_assess::policy::bundled("gengma-2023").unwrap().unwrap().county().townships.clone()
}

/// The bundled GB/T 42195-2022 scale.
fn gbt() -> Scale {
    scale::bundled(scale::DEFAULT_SCALE_ID).unwrap().unwrap()
}

/// The fixed "now" of every save and open (it also dates the store's backup copies).
fn now() -> DateTime<Utc> {
    DateTime::from_timestamp(1_782_806_400, 0).unwrap() // 2026-06-30T08:00:00Z
}

/// A fixed-seed xorshift64* generator: deterministic and dependency-free.
fn generator(seed: u64) -> impl FnMut() -> u64 {
    let mut state = seed;
    move || {
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        state.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
}

/// `n % len` as an index.
fn pick(n: u64, len: usize) -> usize {
    usize::try_from(n % u64::try_from(len).unwrap()).unwrap()
}

/// A valid 18-character ID number: county code 530926 (耿马), the birth date, a sequence
/// whose last digit is odd for men and even for women, and the MOD 11-2 check character.
fn id_number(birth: NaiveDate, sequence: u64, sex: Sex) -> String {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const CHECK: &[u8; 11] = b"10X98765432";
    let parity = u64::from(sex == Sex::Male);
    let sequence = (sequence % 50) * 2 + parity;
    let body = format!("530926{}{:03}", birth.format("%Y%m%d"), sequence);
    let sum: u32 = body.bytes().zip(WEIGHTS).map(|(digit, w)| u32::from(digit - b'0') * w).sum();
    let check = char::from(CHECK[usize::try_from(sum % 11).unwrap()]);
    format!("{body}{check}")
}

/// `count` scoring records numbered from `first`, from the generator seeded with `seed`.
///
/// Each record draws a severity 0–4 ([`SEVERITY`]) and answers every item near the
/// matching place in its option list (best first), ±1 option, so the final levels spread
/// over 0–4.
fn records(scale: &Scale, seed: u64, first: usize, count: usize) -> Vec<AssessmentRecord> {
    let mut next = generator(seed);
    let start = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
    let townships = townships();
    (first..first + count)
        .map(|i| {
            let roll = next();
            let reference = start + Days::new(roll % 730);
            let mut record = AssessmentRecord::new(
                format!("PG{}-{i:06}", reference.format("%Y%m%d")),
                reference,
            );
            record.info.reason = Some(if (roll >> 10).is_multiple_of(4) {
                AssessmentReason::First
            } else {
                AssessmentReason::Routine
            });
            let township = &townships[pick(roll >> 12, townships.len())];
            township.clone_into(&mut record.info.township);
            record.info.place = format!("{township}家中");

            let age_days = 365 * (55 + (roll >> 16) % 50) + (roll >> 24) % 365;
            let birth = reference - Days::new(age_days);
            let sex = if (roll >> 33).is_multiple_of(2) { Sex::Male } else { Sex::Female };
            let subject = &mut record.subject;
            subject.name = format!(
                "{}{}",
                SURNAMES[pick(roll >> 34, SURNAMES.len())],
                GIVEN_NAMES[pick(roll >> 38, GIVEN_NAMES.len())]
            );
            subject.sex = Some(sex);
            subject.birth_date = Some(birth);
            subject.id_number = IdNumberInput::new(id_number(birth, roll >> 42, sex));
            record.informant.name =
                format!("{}{}", SURNAMES[pick(roll >> 48, SURNAMES.len())], "家属");
            record.informant.relationship = Some(Relationship::Child);

            let severity = SEVERITY[pick(roll >> 52, SEVERITY.len())];
            for item in scale.items() {
                let options = item.options();
                let last = options.len() - 1;
                let centre = usize::from(severity) * last / 4;
                let jitter = next() % 4; // 0: one better, 3: one worse, else as is
                let index = match jitter {
                    0 => centre.saturating_sub(1),
                    3 => (centre + 1).min(last),
                    _ => centre,
                };
                // The healthiest elders answer every item at its best.
                let index = if severity == 0 { 0 } else { index };
                record.answers.insert(item.id().to_owned(), options[index].score);
            }

            let first_assessor = pick(roll >> 56, ASSESSORS.len());
            let second_assessor =
                (first_assessor + 1 + pick(roll >> 59, ASSESSORS.len() - 1)) % ASSESSORS.len();
            let signed_by =
                |name: &str| Signature { name: name.to_owned(), ..Signature::default() };
            record.signatures = Signatures {
                assessor1: signed_by(ASSESSORS[first_assessor]),
                assessor2: signed_by(ASSESSORS[second_assessor]),
                informant: signed_by(&record.informant.name),
            };
            record
        })
        .collect()
}

/// The status mix, by row id: 20 % submitted, 70 % approved, 5 % completed, 5 % draft,
/// with the review columns a real submission and approval would fill.
const STATUS_MIX: &str = "
    UPDATE assessments SET
        status = CASE
            WHEN id % 20 < 4 THEN 'submitted'
            WHEN id % 20 < 18 THEN 'approved'
            WHEN id % 20 = 18 THEN 'completed'
            ELSE 'draft' END,
        submitted_at = CASE WHEN id % 20 < 18
            THEN printf('%sT%02d:%02d:%02d.000000000Z', reference_date,
                        8 + id % 10, id / 10 % 60, id / 600 % 60) END,
        reviewed_at = CASE WHEN id % 20 BETWEEN 4 AND 17
            THEN printf('%sT18:%02d:00.000000000Z', reference_date, id % 60) END,
        reviewer = CASE WHEN id % 20 BETWEEN 4 AND 17 THEN '审核员庚' END";

/// Builds the big store in `dir` (see the module docs).
fn build_big_store(dir: &Path) {
    let _ = std::fs::remove_dir_all(dir);
    let started = Instant::now();
    let scale = gbt();
    {
        let store = Store::open_at(dir, now()).unwrap();
        for first in (0..RECORDS).step_by(BATCH) {
            let batch =
                records(&scale, 0x5EED_0006_0000 + u64::try_from(first).unwrap(), first, BATCH);
            assert_eq!(store.import_records(&batch, &scale, now()).unwrap(), BATCH);
        }
    }
    let raw = rusqlite::Connection::open(dir.join(elder_assess::store::DB_FILE_NAME)).unwrap();
    let updated = raw.execute(STATUS_MIX, []).unwrap();
    assert_eq!(updated, RECORDS);
    raw.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);").unwrap();
    drop(raw);
    // The day's first open with content makes the daily backup: here, not in a benchmark.
    drop(Store::open_at(dir, now()).unwrap());
    if std::env::var_os("STORE_BENCH_SETUP_TIME").is_some() {
        eprintln!("store bench: 100k setup took {:.1?}", started.elapsed());
    }
}

/// The big store, built on first use.
fn big_store() -> Store {
    let dir = BIG_STORE.get_or_init(|| {
        let dir =
            std::env::temp_dir().join(format!("elder-assess-bench-store-{}", std::process::id()));
        build_big_store(&dir);
        dir
    });
    Store::open_at(dir, now()).unwrap()
}

/// Opening the 100,000-record store for writing as the app and writing commands do (after
/// the day's backup exists): header, schema version and `PRAGMA quick_check` before the
/// first write (issue #10).
#[divan::bench(sample_count = 10, sample_size = 1)]
fn open_100k(bencher: divan::Bencher) {
    drop(big_store());
    let dir = BIG_STORE.get().unwrap();
    bencher.bench_local(|| Store::open_at(dir, now()).unwrap());
}

/// Opening it read-only, as `stats`, `review queue`, `outcome` and `export` do.
#[divan::bench(sample_count = 10, sample_size = 1)]
fn open_read_only_100k(bencher: divan::Bencher) {
    drop(big_store());
    let dir = BIG_STORE.get().unwrap();
    bencher.bench_local(|| Store::open_read_only(dir).unwrap());
}

/// `PRAGMA quick_check` alone on the 100,000-record file, through a raw connection.
#[divan::bench(sample_count = 10, sample_size = 1)]
fn quick_check_100k(bencher: divan::Bencher) {
    drop(big_store());
    let path = BIG_STORE.get().unwrap().join(elder_assess::store::DB_FILE_NAME);
    let raw = rusqlite::Connection::open(path).unwrap();
    bencher.bench_local(|| {
        let ok: String = raw.query_row("PRAGMA quick_check", [], |row| row.get(0)).unwrap();
        assert_eq!(ok, "ok");
    });
}

/// The period of the statistics: the whole of 2025–2026, so every approved record
/// (70,000) is read and counted.
fn period() -> (NaiveDate, NaiveDate) {
    (NaiveDate::from_ymd_opt(2025, 1, 1).unwrap(), NaiveDate::from_ymd_opt(2026, 12, 31).unwrap())
}

/// The review queue as a reviewer filters it: one township, one level, one half-year
/// (target ≤ 20 ms).
#[divan::bench]
fn queue_filtered_100k(bencher: divan::Bencher) {
    let store = big_store();
    let filter = QueueFilter {
        township: Some(townships()[0].clone()),
        final_level: Some(2),
        from: NaiveDate::from_ymd_opt(2026, 1, 1),
        to: NaiveDate::from_ymd_opt(2026, 6, 30),
        ..QueueFilter::default()
    };
    assert!(!store.queue(&filter).unwrap().is_empty());
    bencher.bench_local(|| store.queue(divan::black_box(&filter)).unwrap());
}

/// The whole review queue, no filter: all 20,000 submitted records.
#[divan::bench(sample_count = 30)]
fn queue_unfiltered_100k(bencher: divan::Bencher) {
    let store = big_store();
    let filter = QueueFilter::default();
    assert_eq!(store.queue(&filter).unwrap().len(), RECORDS / 5);
    bencher.bench_local(|| store.queue(divan::black_box(&filter)).unwrap());
}

/// Statistics by township: the approved rows from the store, then the table
/// (target ≤ 100 ms).
#[divan::bench(sample_count = 30)]
fn stats_by_township_100k(bencher: divan::Bencher) {
    let store = big_store();
    let (from, to) = period();
    let (scale, townships) = (gbt(), townships());
    bencher.bench_local(|| {
        let rows = store.stats_rows(divan::black_box(from), to).unwrap();
        stats(&rows, Dimension::Township, (from, to), &scale, &townships)
    });
}

/// Statistics by age band: the approved rows from the store, then the table, computing
/// every age (target ≤ 100 ms).
#[divan::bench(sample_count = 30)]
fn stats_by_age_band_100k(bencher: divan::Bencher) {
    let store = big_store();
    let (from, to) = period();
    let (scale, townships) = (gbt(), townships());
    bencher.bench_local(|| {
        let rows = store.stats_rows(divan::black_box(from), to).unwrap();
        stats(&rows, Dimension::AgeBand, (from, to), &scale, &townships)
    });
}

/// The home list's first page: the 200 most recently saved of 100,000 and the count.
#[divan::bench(sample_count = 30)]
fn home_page_100k(bencher: divan::Bencher) {
    let store = big_store();
    assert_eq!(store.list_page("", 200).unwrap().1, RECORDS);
    bencher.bench_local(|| store.list_page(divan::black_box(""), 200).unwrap());
}

/// The due list: each elder's latest approved assessment and its due date.
#[divan::bench(sample_count = 10)]
fn due_100k(bencher: divan::Bencher) {
    let store = big_store();
    let today = NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
    bencher.bench_local(|| store.due(divan::black_box(12), today).unwrap());
}

/// A fresh, empty store in its own directory, removed on drop.
struct FreshStore {
    store: Option<Store>,
    dir: PathBuf,
}

impl FreshStore {
    fn new() -> Self {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "elder-assess-bench-import-{}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        Self { store: Some(Store::open_at(&dir, now()).unwrap()), dir }
    }
}

impl Drop for FreshStore {
    fn drop(&mut self) {
        drop(self.store.take());
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Bulk import of 10,000 records into a fresh file store, in one transaction with one
/// audit row each (target ≥ 5,000 records/s).
#[divan::bench(sample_count = 10, sample_size = 1)]
fn import_10k(bencher: divan::Bencher) {
    let scale = gbt();
    let batch = records(&scale, 0x1A4B_0006, 0, IMPORT);
    bencher
        .counter(divan::counter::ItemsCount::new(IMPORT))
        .with_inputs(FreshStore::new)
        .bench_local_refs(|fresh| {
            let store = fresh.store.as_ref().unwrap();
            store.import_records(divan::black_box(&batch), &scale, now()).unwrap()
        });
}
