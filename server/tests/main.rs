//! The county server against a real PostgreSQL: one binary, modules per concern.

mod faults;
mod pg;
mod support;
