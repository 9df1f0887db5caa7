//! Reading data files and data given on the command line, with errors that say where.
//!
//! - [`located`]: [`Located`], the one located-error type (file if known, 1-based line and
//!   column, what is wrong and what to change), and [`DataFileError`], why a data file did
//!   not load, which [`crate::scale::ScaleError`] and [`crate::policy::PolicyError`] wrap.
//! - `ron_text`: RON data files (scales, service lists) with `IMPLICIT_SOME`, fix-it
//!   messages for ron's errors, and `Locator`s that turn validation problems into
//!   `line:column`.
//! - `json_text`: JSON given to the command line: exactly one value, errors with field
//!   paths; `strip_bom`, the one byte-order-mark rule.
//!
//! Pure: it reads a file only when asked to load one by path.

pub(crate) mod json_text;
pub mod located;
pub(crate) mod ron_text;

pub use located::{DataFileError, Located, Position};
