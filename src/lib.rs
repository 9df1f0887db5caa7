//! elder-assess (老年人能力评估): GB/T 42195-2022 older-adult ability assessment.
//!
//! The crate is one library with two faces, a desktop GUI and a command-line interface. Layers, from the bottom:
//!
//! - [`scale`]: instrument definitions loaded from RON and validated (pure).
//! - [`assessment`]: the scoring engine over a validated scale (pure).
//! - [`record`]: one assessment's Annex A forms, Annex B answers and signatures, and their
//!   JSON-lines import (pure).
//! - [`clock`]: the injected clock.
//! - [`review`]: the review lifecycle (草稿 → 已完成 → 已提交 → 已通过/已退回), roles (pure).
//! - [`store`]: the embedded database (the only module that uses `rusqlite`).
//! - [`ui`]: the egui desktop app (the only module that uses egui).
//! - [`tables`]: CSV/XLSX tables and statistics over plain rows (pure).
//! - [`output`]: the jobs that meet the store, the encoders and the file system: the
//!   signed report, table files (the full export audited first), atomic writes.
//! - [`datafile`]: reading RON and JSON data files with located errors ([`datafile::Located`]).
//! - [`cli`]: the `elder-assess` subcommands, which only parse, call and print.
//!
//! See `ARCHITECTURE.md` for the data flow and the rules between layers.

pub mod assessment;
pub mod cli;
pub mod clock;
pub mod datafile;
pub mod output;
pub mod policy;
pub mod record;
pub mod report;
pub mod review;
pub mod scale;
pub mod sign;
pub mod store;
pub mod sync;
pub mod tables;
#[cfg(feature = "gui")]
pub mod ui;
