//! Issue 15's server benchmark: `cargo bench -p elder-assess-server --bench sync_load`.
//!
//! 1. Push: a throw-away `PostgreSQL` (`tests/pg.rs`), the release `elder-assess-server
//!    serve` over HTTPS with a certificate issued by a county root, `BENCH_DEVICES` (50)
//!    enrolled devices, each pushing its share of `BENCH_ENVELOPES` (100,000) envelopes in
//!    batches of `BENCH_BATCH` (20, the client's `PUSH_BATCH`) as signed requests from its
//!    own thread, through the real push path (`check_envelope` verifies each report PDF).
//!    Every request body is built, sealed and signed before the clock starts (kept in
//!    memory without the report's base64, which is put back as each is sent).
//!    `BENCH_STAMP` (1): the server time-stamps each report (`--tsa-cert`), as a county
//!    server does; 0 leaves that out. Reported: envelopes/s, per-request and per-envelope
//!    latency p50/p99, the server's and `PostgreSQL`'s CPU, the rows after (all accepted,
//!    no duplicates) and the disk used.
//! 2. Queries: `BENCH_ROWS` (1,000,000) synthetic rows inserted by SQL (as
//!    `scripts/server-scale.sql`, with the county's townships), `stats` rebuilt from the
//!    rows, then `Server::statistics` and `Server::queue` timed `BENCH_RUNS` (20) times each.
//!
//! Reused: one signed report PDF (the example assessment signed by the fixture's two
//! assessors), in every envelope; each envelope has its own id and record (number,
//! township). Intake accepts that: it checks the PDF's signatures, not that it renders the
//! record. `BENCH_ENVELOPES=0` runs only the queries; `BENCH_ROWS=0` only the push.
#![expect(clippy::unwrap_used, reason = "benchmark setup fails loudly")]
#![expect(clippy::assigning_clones, reason = "the test support files, linted as tests elsewhere")]

#[path = "../../../tests/attacks/county.rs"]
#[expect(dead_code, reason = "the attack suite's stranger files are not used here")]
mod county;
mod load;
#[path = "../../tests/pg.rs"]
#[expect(dead_code, reason = "restart is for the fault tests")]
mod pg;
mod queries;
#[path = "../../tests/support.rs"]
#[expect(dead_code, reason = "pull and decisions are for the fault tests")]
mod support;

/// An environment variable as a number, or `default`.
fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.trim().replace('_', "").parse().ok()).unwrap_or(default)
}

fn main() {
    let devices = env_number("BENCH_DEVICES", 50).max(1);
    let envelopes = env_number("BENCH_ENVELOPES", 100_000);
    let batch = env_number("BENCH_BATCH", 20).max(1);
    let rows = env_number("BENCH_ROWS", 1_000_000);
    let runs = env_number("BENCH_RUNS", 20).max(1);
    let stamping = env_number("BENCH_STAMP", 1) != 0;
    let Some(pg) = pg::Postgres::start() else { return };
    let fixture = support::Fixture::new();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let server = runtime.block_on(async {
        let server = fixture.server(&pg.url()).await;
        support::accounts(&server).await;
        server
    });
    if envelopes > 0 {
        load::run(
            &pg,
            &fixture,
            &runtime,
            &server,
            &load::Plan { devices, envelopes, batch, stamping },
        );
    }
    if rows > 0 {
        runtime.block_on(queries::run(&server, rows, runs));
    }
}
