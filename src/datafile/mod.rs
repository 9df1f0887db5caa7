//! Reading data files and data given on the command line, with errors that say where.
//!
//! - [`ron_text`]: RON data files (scales, service lists) with `IMPLICIT_SOME`, fix-it
//!   messages for ron's errors, and `Locator`s that turn validation problems into
//!   `line:column`.
//! - [`json_text`]: JSON given to the command line: exactly one value, errors with field
//!   paths; `strip_bom`, the one byte-order-mark rule.

pub mod json_text;
pub mod ron_text;
