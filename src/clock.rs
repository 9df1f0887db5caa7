//! The clock, injected: code that needs "now" or "today" takes a `&dyn Clock`, so tests
//! and reports are deterministic.

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};

/// China Standard Time (UTC+8), the only offset the app displays.
pub const CHINA_OFFSET: FixedOffset = match FixedOffset::east_opt(8 * 3600) {
    Some(offset) => offset,
    // Evaluated at compile time: 8 h is a valid offset, so this arm never compiles into
    // a run-time panic.
    None => panic!("UTC+8 is a valid offset"),
};

/// A source of the current time.
pub trait Clock {
    /// The current instant.
    fn now(&self) -> DateTime<Utc>;

    /// Today's date in China Standard Time.
    fn today(&self) -> NaiveDate {
        self.now().with_timezone(&CHINA_OFFSET).date_naive()
    }
}

/// The system clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock stopped at one instant, for tests and reproducible output.
#[derive(Debug, Clone, Copy)]
pub struct FixedClock(pub DateTime<Utc>);

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        self.0
    }
}
