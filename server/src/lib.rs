//! The county server of elder-assess (`elder-assess-server`): receives the signed
//! envelopes of the assessors' devices over HTTPS, keeps the county's records, decisions
//! and its own hash-chained audit trail in `PostgreSQL`, and hands each device what is new
//! for it. Instances are stateless: every fact lives in the database.
//!
//! It links the `elder-assess` library without the desktop app and calls its pure
//! modules (`review::transition`, `sync` envelopes) for every rule it enforces.
