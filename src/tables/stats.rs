//! 统计: counts of approved assessments by final level × a dimension (township, age band,
//! sex), for a period — issue #6, point 6 — as plain tables for the GUI, the CLI and the
//! exports ([`super::stats_to_csv`], [`super::stats_to_xlsx`]).
//!
//! What is counted: rows with [`ExportRow::approved`] whose reference date lies in
//! `[from, to]` (both days included), each once, in the column of its final level. An
//! approved row in the period without a valid level (`None` or above 4) cannot be placed
//! and is counted in `skipped` instead, so nothing disappears silently.
//!
//! Groups, in order:
//! - township: the county file's townships in its order (the official code order),
//!   always listed (zero rows included); then any other name found, in Unicode code-point order
//!   (names are compared exactly after trimming; `孟定` is not `孟定镇`); an empty
//!   township is `未填写`, last;
//! - age band: `60–69`, `70–79`, `80–89`, `90+` always; `60岁以下` first and `未知` last
//!   when some row falls in them (age from the birth date, else from the ID number);
//! - sex: `男`, `女` always; `未知` when some row has none (sex from the record, else from
//!   the ID number).
//!
//! [`stats_multi`] groups by several dimensions at once (`--by township,sex`): the rows
//! are every combination of each dimension's groups, in the order above, the first
//! dimension varying slowest. The level is always the column dimension, so `level` in a
//! `--by` list ([`Dimension::parse_list`]) adds nothing.

use std::collections::HashMap;
use std::fmt;

use chrono::NaiveDate;

use super::error::TableError;
use super::row::{AgeBand, ExportRow};
use crate::record::codes::Sex;
use crate::scale::Scale;

/// Group label of a row without a township.
pub const NO_TOWNSHIP: &str = "未填写";

/// Group label of a row without a sex (and no valid ID number).
const UNKNOWN_SEX: &str = "未知";

/// Number of level columns: the five levels of GB/T 42195-2022 Annex C, titled by the
/// scale's level names (`等级n` for a level the scale does not name).
pub(super) const LEVELS: usize = 5;

/// The titles of the count columns: the scale's full level names.
fn level_columns(scale: &Scale) -> Vec<String> {
    (0..LEVELS)
        .map(|code| match scale.levels().get(code) {
            Some(level) => level.name.clone(),
            None => format!("等级{code}"),
        })
        .collect()
}

/// What the rows of a statistics table are grouped by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dimension {
    /// 乡镇.
    Township,
    /// 年龄段 on the reference date.
    AgeBand,
    /// 性别.
    Sex,
}

impl Dimension {
    /// Every dimension.
    pub const ALL: [Self; 3] = [Self::Township, Self::AgeBand, Self::Sex];

    /// The column title: 乡镇, 年龄段, 性别.
    pub const fn label(self) -> &'static str {
        match self {
            Self::Township => "乡镇",
            Self::AgeBand => "年龄段",
            Self::Sex => "性别",
        }
    }

    /// One dimension by name: `township`, `age_band` (or `age`), `sex`, or the Chinese
    /// label. Case and surrounding spaces are ignored.
    pub fn parse(name: &str) -> Result<Self, TableError> {
        match name.trim().to_ascii_lowercase().as_str() {
            "township" | "乡镇" => Ok(Self::Township),
            "age_band" | "age-band" | "age" | "年龄段" => Ok(Self::AgeBand),
            "sex" | "性别" => Ok(Self::Sex),
            _ => Err(TableError::UnknownDimension(name.trim().to_owned())),
        }
    }

    /// A `--by` list such as `township,level` or `township,sex`: comma-separated names
    /// of [`Dimension::parse`], plus `level` (能力等级), which is accepted and dropped
    /// because levels are always the columns. Repeats are dropped too.
    pub fn parse_list(list: &str) -> Result<Vec<Self>, TableError> {
        let mut out = Vec::new();
        for name in list.split([',', '，']).map(str::trim).filter(|n| !n.is_empty()) {
            if matches!(name.to_ascii_lowercase().as_str(), "level" | "能力等级" | "等级") {
                continue;
            }
            let dimension = Self::parse(name)?;
            if !out.contains(&dimension) {
                out.push(dimension);
            }
        }
        Ok(out)
    }
}

impl fmt::Display for Dimension {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// Counts by level × one dimension (see the module docs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatsTable {
    /// The row dimension.
    pub by: Dimension,
    /// The period, both days included.
    pub period: (NaiveDate, NaiveDate),
    /// The five level names, in level order: the titles of the count columns.
    pub columns: Vec<String>,
    /// One row per group, in the module's order: label and count per level.
    pub rows: Vec<(String, [u32; LEVELS])>,
    /// Column sums.
    pub totals: [u32; LEVELS],
    /// Approved rows in the period that have no valid level and were not counted.
    pub skipped: u32,
}

/// Counts by level × several dimensions (see the module docs and [`stats_multi`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MultiStatsTable {
    /// The row dimensions, outermost first (repeats removed).
    pub by: Vec<Dimension>,
    /// The period, both days included.
    pub period: (NaiveDate, NaiveDate),
    /// The five level names, in level order.
    pub columns: Vec<String>,
    /// One row per combination: one label per dimension, and the counts per level.
    pub rows: Vec<(Vec<String>, [u32; LEVELS])>,
    /// Column sums.
    pub totals: [u32; LEVELS],
    /// Approved rows in the period that have no valid level and were not counted.
    pub skipped: u32,
}

impl From<StatsTable> for MultiStatsTable {
    fn from(table: StatsTable) -> Self {
        Self {
            by: vec![table.by],
            period: table.period,
            columns: table.columns,
            rows: table.rows.into_iter().map(|(label, counts)| (vec![label], counts)).collect(),
            totals: table.totals,
            skipped: table.skipped,
        }
    }
}

/// Counts approved rows with a reference date in `[from, to]` by final level × `by`;
/// the columns are titled by the `scale`'s level names, the township rows are the
/// county's `townships` first (see the module docs).
pub fn stats(
    rows: &[ExportRow],
    by: Dimension,
    (from, to): (NaiveDate, NaiveDate),
    scale: &Scale,
    townships: &[String],
) -> StatsTable {
    let multi = stats_multi(rows, &[by], (from, to), scale, townships);
    StatsTable {
        by,
        period: multi.period,
        columns: multi.columns,
        rows: multi
            .rows
            .into_iter()
            .map(|(mut labels, counts)| (labels.pop().unwrap_or_default(), counts))
            .collect(),
        totals: multi.totals,
        skipped: multi.skipped,
    }
}

/// Like [`stats`], grouped by every combination of `dims` (repeats ignored; no
/// dimension at all gives one row with an empty label list, the totals).
pub fn stats_multi(
    rows: &[ExportRow],
    dims: &[Dimension],
    (from, to): (NaiveDate, NaiveDate),
    scale: &Scale,
    townships: &[String],
) -> MultiStatsTable {
    let mut by: Vec<Dimension> = Vec::with_capacity(Dimension::ALL.len());
    for &dim in dims {
        if !by.contains(&dim) {
            by.push(dim);
        }
    }

    // Provisional keys: townships numbered as first seen (the county's first), age bands
    // and sexes by their fixed index.
    let mut township_keys: HashMap<&str, u32> = HashMap::new();
    let mut names: Vec<&str> = Vec::with_capacity(townships.len() + 4);
    for name in townships {
        intern(&mut township_keys, &mut names, name);
    }
    let mut counts: HashMap<[u32; 3], [u32; LEVELS]> = HashMap::new();
    let mut skipped = 0;
    for row in rows {
        if !row.approved || row.reference_date < from || row.reference_date > to {
            continue;
        }
        let Some(level) = row.final_level.map(usize::from).filter(|&l| l < LEVELS) else {
            skipped += 1;
            continue;
        };
        let mut key = [0u32; 3];
        for (slot, dim) in key.iter_mut().zip(&by) {
            *slot = match dim {
                Dimension::Township => {
                    let name = row.township.trim();
                    intern(
                        &mut township_keys,
                        &mut names,
                        if name.is_empty() { NO_TOWNSHIP } else { name },
                    )
                }
                Dimension::AgeBand => age_index(row.age_band()),
                Dimension::Sex => sex_index(row.effective_sex()),
            };
        }
        counts.entry(key).or_insert([0; LEVELS])[level] += 1;
    }

    // Each dimension's groups in display order: (provisional key, label).
    let groups: Vec<Vec<(u32, String)>> = by
        .iter()
        .enumerate()
        .map(|(position, dim)| {
            let seen = |key: u32| counts.keys().any(|k| k[position] == key);
            match dim {
                Dimension::Township => township_groups(&names, townships.len(), seen),
                Dimension::AgeBand => AgeBand::ALL
                    .iter()
                    .filter(|band| band.is_standard() || seen(age_index(**band)))
                    .map(|band| (age_index(*band), band.label().to_owned()))
                    .collect(),
                Dimension::Sex => [Some(Sex::Male), Some(Sex::Female), None]
                    .into_iter()
                    .filter(|sex| sex.is_some() || seen(sex_index(None)))
                    .map(|sex| (sex_index(sex), sex.map_or(UNKNOWN_SEX, Sex::label).to_owned()))
                    .collect(),
            }
        })
        .collect();

    let mut table_rows = Vec::new();
    let mut totals = [0; LEVELS];
    let mut odometer = vec![0usize; groups.len()];
    if groups.iter().all(|g| !g.is_empty()) {
        loop {
            let mut key = [0u32; 3];
            let mut labels = Vec::with_capacity(groups.len());
            for ((slot, group), &i) in key.iter_mut().zip(&groups).zip(&odometer) {
                *slot = group[i].0;
                labels.push(group[i].1.clone());
            }
            let row_counts = counts.get(&key).copied().unwrap_or([0; LEVELS]);
            for (total, n) in totals.iter_mut().zip(row_counts) {
                *total += n;
            }
            table_rows.push((labels, row_counts));
            if !advance(&mut odometer, &groups) {
                break;
            }
        }
    }

    MultiStatsTable {
        by,
        period: (from, to),
        columns: level_columns(scale),
        rows: table_rows,
        totals,
        skipped,
    }
}

/// Moves the odometer to the next combination (last dimension fastest); `false` after
/// the last one.
fn advance(odometer: &mut [usize], groups: &[Vec<(u32, String)>]) -> bool {
    for (digit, group) in odometer.iter_mut().zip(groups).rev() {
        *digit += 1;
        if *digit < group.len() {
            return true;
        }
        *digit = 0;
    }
    false
}

/// The key of `name`, numbering it if new.
fn intern<'a>(keys: &mut HashMap<&'a str, u32>, names: &mut Vec<&'a str>, name: &'a str) -> u32 {
    *keys.entry(name).or_insert_with(|| {
        names.push(name);
        u32::try_from(names.len() - 1).unwrap_or(u32::MAX)
    })
}

/// The county's `listed` townships (the first names), then the other names found
/// (code-point order), `未填写` last.
fn township_groups(
    names: &[&str],
    listed: usize,
    seen: impl Fn(u32) -> bool,
) -> Vec<(u32, String)> {
    let key = |index: usize| u32::try_from(index).unwrap_or(u32::MAX);
    let mut out: Vec<(u32, String)> = names
        .iter()
        .take(listed)
        .enumerate()
        .map(|(i, name)| (key(i), (*name).to_owned()))
        .collect();
    let mut others: Vec<(u32, &str)> = names
        .iter()
        .enumerate()
        .skip(listed)
        .map(|(i, name)| (key(i), *name))
        .filter(|&(k, _)| seen(k))
        .collect();
    others.sort_by_key(|&(_, name)| (name == NO_TOWNSHIP, name));
    out.extend(others.into_iter().map(|(k, name)| (k, name.to_owned())));
    out
}

/// Provisional key of an age band: its position in [`AgeBand::ALL`].
fn age_index(band: AgeBand) -> u32 {
    match band {
        AgeBand::Under60 => 0,
        AgeBand::From60To69 => 1,
        AgeBand::From70To79 => 2,
        AgeBand::From80To89 => 3,
        AgeBand::From90 => 4,
        AgeBand::Unknown => 5,
    }
}

/// Provisional key of a sex: 男 0, 女 1, 未知 2.
fn sex_index(sex: Option<Sex>) -> u32 {
    match sex {
        Some(Sex::Male) => 0,
        Some(Sex::Female) => 1,
        None => 2,
    }
}

/// Header titles of a statistics export: the dimensions (or `分组` with none), the level
/// names, 合计.
pub(super) fn header_titles(by: &[Dimension], columns: &[String]) -> Vec<String> {
    let mut out: Vec<String> = by.iter().map(|d| d.label().to_owned()).collect();
    if out.is_empty() {
        out.push("分组".to_owned());
    }
    out.extend(columns.iter().cloned());
    out.push("合计".to_owned());
    out
}

/// Title of a statistics sheet: `已通过评估按能力等级统计（按乡镇 × 性别），统计期间 … 至 …`.
pub(super) fn title(by: &[Dimension], (from, to): (NaiveDate, NaiveDate)) -> String {
    let dims: Vec<&str> = by.iter().map(|d| d.label()).collect();
    let by_text =
        if dims.is_empty() { String::new() } else { format!("（按{}）", dims.join(" × ")) };
    format!("已通过评估按能力等级统计{by_text}，统计期间 {from} 至 {to}（含首尾两日）")
}

/// The statistics as CSV (BOM, CRLF): a header row (the dimension, the five level names,
/// 合计), one row per group, then a 合计 row. The period is not in the file (a CSV has
/// one table); name the file after it. Group labels get the formula-injection guard.
pub fn stats_to_csv(table: &StatsTable) -> Vec<u8> {
    multi_stats_to_csv(&MultiStatsTable::from(table.clone()))
}

/// [`stats_to_csv`] for a [`MultiStatsTable`]: one label column per dimension.
pub fn multi_stats_to_csv(table: &MultiStatsTable) -> Vec<u8> {
    let headers = header_titles(&table.by, &table.columns);
    let groups = table.by.len().max(1);
    let mut writer = super::csv::writer(64 * (table.rows.len() + 2));
    let mut result = writer.write_record(&headers);
    let mut record: Vec<String> = Vec::with_capacity(headers.len());
    let totals_row = (vec!["合计".to_owned()], table.totals);
    for (labels, counts) in table.rows.iter().chain([&totals_row]) {
        record.clear();
        record.extend(labels.iter().map(|label| super::csv::guard(label).into_owned()));
        record.resize(groups, String::new());
        record.extend(counts.iter().map(u32::to_string));
        record.push(counts.iter().sum::<u32>().to_string());
        result = result.and_then(|()| writer.write_record(&record));
    }
    super::csv::finish(writer, &result)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dimension_lists() {
        assert_eq!(Dimension::parse_list("township,level").unwrap(), [Dimension::Township]);
        assert_eq!(
            Dimension::parse_list(" sex , Township，age,sex").unwrap(),
            [Dimension::Sex, Dimension::Township, Dimension::AgeBand]
        );
        assert!(Dimension::parse_list("").unwrap().is_empty());
        let err = Dimension::parse_list("township,village").unwrap_err();
        assert!(err.to_string().contains("village"), "{err}");
    }

    #[test]
    fn odometer_visits_every_combination_in_order() {
        let groups = vec![
            vec![(0, "a".to_owned()), (1, "b".to_owned())],
            vec![(0, "x".to_owned()), (1, "y".to_owned()), (2, "z".to_owned())],
        ];
        let mut odometer = vec![0, 0];
        let mut seen = vec![odometer.clone()];
        while advance(&mut odometer, &groups) {
            seen.push(odometer.clone());
        }
        assert_eq!(seen.len(), 6);
        assert_eq!(seen[1], [0, 1]);
        assert_eq!(seen[3], [1, 0]);
    }
}
