//! The county server against a real `PostgreSQL`: one binary, modules per concern.

// The attack suite's county authority (root, assessors' certificates, CRLs), shared.
#[cfg(test)]
mod conflicts; // A reviewer resolves a conflict; supersession and the approved count.
#[cfg(test)]
#[path = "../../tests/attacks/county.rs"]
#[expect(dead_code, reason = "the attack suite's stranger files are not used here")]
mod county;
#[cfg(test)]
mod faults; // Issue 15's faults, each a test.
#[cfg(test)]
mod kill; // The server process killed mid-upload, over HTTPS.
#[cfg(test)]
mod package; // A USB package imported at the server.
#[cfg(test)]
mod pg; // A throw-away PostgreSQL cluster per test.
#[cfg(test)]
mod readme_flow; // The README's county-server flow, as written.
#[cfg(test)]
mod schema; // Migrations: concurrent starts, a newer schema.
#[cfg(test)]
mod storage; // Envelopes stored as their parts, pulled back byte for byte.
#[cfg(test)]
mod support; // County root, signed report, devices, envelopes.
