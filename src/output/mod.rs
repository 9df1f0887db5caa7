//! Where work meets the file system: the jobs that take a record or the store through
//! an encoder to a file on disk. Shared by the app (run on its jobs threads) and the CLI.
//!
//! - [`signed_report`]: render the report and sign it for assessor 1 and 2 in order.
//! - [`sign_next`]: add the next assessor's signature to a report signed earlier.
//! - [`table_files`]: records and statistics from the store to CSV/XLSX files; a full
//!   export is written only after its `export_full` audit row.
//! - [`atomic`]: atomic file writes (random-named `create_new` 0600 temp file + fsync +
//!   rename), private directories and files.

pub mod atomic;
pub mod sign_next;
pub mod signed_report;
pub mod table_files;
