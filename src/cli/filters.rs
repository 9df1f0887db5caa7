//! Turning the command line's filters into the store's and the tables' terms, in one
//! place: `review queue`'s filters ([`queue_filter`]) and `stats`'s grouping and period
//! ([`stats_grouping`], [`stats_period`]).

use chrono::{Datelike as _, NaiveDate};

use crate::store::QueueFilter;
use crate::tables::Dimension;

use super::args::bureau::QueueArgs;
use super::error::CliError;

/// `review queue`'s filters as a store query; refuses `--from` after `--to`.
pub fn queue_filter(args: &QueueArgs) -> Result<QueueFilter, CliError> {
    let filter = QueueFilter {
        township: args.township.clone(),
        assessor: args.assessor.clone(),
        from: args.from,
        to: args.to,
        final_level: args.level,
        with_warnings: args.with_warnings,
    };
    if filter.from.zip(filter.to).is_some_and(|(from, to)| from > to) {
        return Err(CliError::FromAfterTo);
    }
    Ok(filter)
}

/// `stats --by`: the groupings, e.g. `township,level`.
pub fn stats_grouping(by: &str) -> Result<Vec<Dimension>, CliError> {
    Dimension::parse_list(by).map_err(CliError::Grouping)
}

/// `stats --from/--to`: by default from 1 January of this year to today; refuses
/// `--from` after `--to`.
pub fn stats_period(
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    today: NaiveDate,
) -> Result<(NaiveDate, NaiveDate), CliError> {
    let from = from.unwrap_or_else(|| today.with_ordinal(1).unwrap_or(today));
    let to = to.unwrap_or(today);
    if from > to {
        return Err(CliError::FromAfterTo);
    }
    Ok((from, to))
}
