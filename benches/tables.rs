//! Export and statistics throughput: `cargo bench --bench exports`.
//!
//! Target (issue #6): statistics over 100,000 records in at most 100 ms. The CSV and
//! XLSX exports of the same 100,000 rows are measured for the closing note.
#![expect(clippy::unwrap_used, reason = "benchmark setup fails loudly")]

use chrono::{Days, NaiveDate};
use elder_assess::record::codes::Sex;
use elder_assess::scale::Scale;
use elder_assess::tables::{Dimension, ExportRow, Privacy, stats, stats_multi, to_csv, to_xlsx};

/// Synthetic records per benchmark.
const ROWS: usize = 100_000;

fn main() {
    divan::main();
}

/// The bundled county file's townships.
fn townships() -> Vec<String> {
    elder_assess::policy::bundled("gengma-2023").unwrap().unwrap().county().townships.clone()
}

/// The bundled GB/T 42195-2022 scale.
fn gbt() -> Scale {
    elder_assess::scale::bundled(elder_assess::scale::DEFAULT_SCALE_ID).unwrap().unwrap()
}

/// `ROWS` varied rows from a fixed-seed generator: all townships plus a few unknown
/// names, ages 55–104, about 1 in 50 without a birth date (age from the ID number),
/// 80 % approved, reference dates over 2025–2026.
fn rows() -> Vec<ExportRow> {
    let mut state: u64 = 0x5EED_1234_ABCD_0006;
    let mut next = move || {
        // xorshift64*: deterministic and dependency-free.
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        state.wrapping_mul(0x2545_F491_4F6C_DD1D)
    };
    let start = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
    let townships = townships();
    (0..ROWS)
        .map(|i| {
            let roll = next();
            let reference = start + Days::new(roll % 730);
            let age_days = 365 * (55 + (roll >> 10) % 50) + (roll >> 20) % 365;
            let birth = reference - Days::new(age_days);
            let township = match (roll >> 30) % 14 {
                12 => "孟定".to_owned(),
                13 => String::new(),
                n => townships[usize::try_from(n).unwrap()].clone(),
            };
            let level = u8::try_from((roll >> 34) % 5).unwrap();
            let no_birth_date = (roll >> 40) % 50 == 0;
            ExportRow {
                number: format!("PG{}-{i:05}", reference.format("%Y%m%d")),
                status: "已通过".to_owned(),
                approved: (roll >> 44) % 5 != 0,
                township,
                reference_date: reference,
                name: format!("老人{i}"),
                id_number: format!("530926{}{:03}0", birth.format("%Y%m%d"), i % 1000),
                sex: if (roll >> 48) % 2 == 0 { Some(Sex::Male) } else { Some(Sex::Female) },
                birth_date: if no_birth_date { None } else { Some(birth) },
                final_level: Some(level),
                total: Some(90 - u16::from(level) * 18),
                domain_scores: vec![20, 14, 18, 10],
                assessors: ["评估员甲".to_owned(), "评估员乙".to_owned()],
                reviewer: Some("审核员丙".to_owned()),
                warnings: u32::try_from((roll >> 52) % 3).unwrap(),
            }
        })
        .collect()
}

fn period() -> (NaiveDate, NaiveDate) {
    (NaiveDate::from_ymd_opt(2025, 1, 1).unwrap(), NaiveDate::from_ymd_opt(2025, 12, 31).unwrap())
}

/// Statistics by township over 100,000 rows (target ≤ 100 ms).
#[divan::bench]
fn stats_by_township_100k(bencher: divan::Bencher) {
    let rows = rows();
    let (from, to) = period();
    let (scale, townships) = (gbt(), townships());
    bencher.counter(divan::counter::ItemsCount::new(ROWS)).bench_local(|| {
        stats(divan::black_box(&rows), Dimension::Township, (from, to), &scale, &townships)
    });
}

/// Statistics by age band over 100,000 rows: computes every age (≤ 100 ms).
#[divan::bench]
fn stats_by_age_band_100k(bencher: divan::Bencher) {
    let rows = rows();
    let (from, to) = period();
    let (scale, townships) = (gbt(), townships());
    bencher.counter(divan::counter::ItemsCount::new(ROWS)).bench_local(|| {
        stats(divan::black_box(&rows), Dimension::AgeBand, (from, to), &scale, &townships)
    });
}

/// Statistics by township × age band × sex over 100,000 rows.
#[divan::bench]
fn stats_by_all_three_100k(bencher: divan::Bencher) {
    let rows = rows();
    let (from, to) = period();
    let (scale, townships) = (gbt(), townships());
    bencher.counter(divan::counter::ItemsCount::new(ROWS)).bench_local(|| {
        stats_multi(divan::black_box(&rows), &Dimension::ALL, (from, to), &scale, &townships)
    });
}

/// De-identified CSV of 100,000 rows.
#[divan::bench(sample_count = 20)]
fn csv_100k(bencher: divan::Bencher) {
    let (rows, scale) = (rows(), gbt());
    bencher
        .counter(divan::counter::ItemsCount::new(ROWS))
        .bench_local(|| to_csv(divan::black_box(&rows), Privacy::DeIdentified, &scale));
}

/// Full XLSX of 100,000 rows (for the closing note; no target).
#[divan::bench(sample_count = 3)]
fn xlsx_100k(bencher: divan::Bencher) {
    let (rows, scale) = (rows(), gbt());
    bencher
        .counter(divan::counter::ItemsCount::new(ROWS))
        .bench_local(|| to_xlsx(divan::black_box(&rows), Privacy::Full, &scale).unwrap().bytes);
}
