//! elder-assess (老年人能力评估): GB/T 42195-2022 older-adult ability assessment.
//!
//! The crate is one library with two faces, a command-line interface and (later) a
//! desktop GUI. Layers, from the bottom:
//!
//! - [`scale`]: instrument definitions loaded from RON and validated (pure).
//! - [`assessment`]: the scoring engine over a validated scale (pure).
//! - [`cli`]: the `elder-assess` subcommands, which only parse, call and print.
//!
//! See `ARCHITECTURE.md` for the data flow and the rules between layers.

pub mod assessment;
pub mod cli;
pub mod scale;
