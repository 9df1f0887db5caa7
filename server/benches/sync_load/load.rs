//! The push run: the release server over HTTPS, enrolled devices, pre-built signed push
//! bodies, one thread per device, then the figures and the rows' check.

use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use elder_assess::sync::protocol::{DEVICE_HEADER, ItemOutcome, PushResponse, SIGNATURE_HEADER};
use elder_assess_server::Server;
use p256::ecdsa::DerSignature;
use p256::ecdsa::signature::Signer as _;

use crate::pg::Postgres;
use crate::support::{self, Fixture, count, enrol, push_request};

/// How many devices push how many envelopes in batches of how many.
pub struct Plan {
    pub devices: usize,
    pub envelopes: usize,
    pub batch: usize,
    /// Whether the server time-stamps each report (`serve --tsa-cert/--tsa-key`).
    pub stamping: bool,
}

/// One signed push request, kept small until it is sent: its body's bytes with the
/// report's base64 cut out wherever it occurs (the same report in every envelope), so
/// 100,000 envelopes fit in memory; [`Request::body`] puts it back, byte for byte.
struct Request {
    /// The body's pieces between the report's occurrences.
    pieces: Vec<Vec<u8>>,
    signature: String,
    envelopes: usize,
}

impl Request {
    /// `body` (every occurrence of `report` cut out) and its device signature.
    fn new(body: &[u8], report: &[u8], signature: String, envelopes: usize) -> Self {
        let text = std::str::from_utf8(body).unwrap();
        let report = std::str::from_utf8(report).unwrap();
        let pieces = text.split(report).map(|piece| piece.as_bytes().to_vec()).collect();
        Self { pieces, signature, envelopes }
    }

    /// The body as signed.
    fn body(&self, report: &[u8]) -> Vec<u8> {
        let len = self.pieces.iter().map(Vec::len).sum::<usize>() + report.len() * self.envelopes;
        let mut out = Vec::with_capacity(len);
        for (n, piece) in self.pieces.iter().enumerate() {
            if n > 0 {
                out.extend_from_slice(report);
            }
            out.extend_from_slice(piece);
        }
        out
    }

    fn len(&self, report: &[u8]) -> usize {
        self.pieces.iter().map(Vec::len).sum::<usize>() + report.len() * (self.pieces.len() - 1)
    }
}

struct Instance(Child);

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The release server on a free port with a county-root-issued certificate; its base URL
/// and the root's PEM.
fn serve(
    pg: &Postgres,
    fixture: &Fixture,
    ca: &std::path::Path,
    stamping: bool,
) -> (Instance, String, Vec<u8>) {
    let root_pem = support::server_tls(ca);
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut command = Command::new(env!("CARGO_BIN_EXE_elder-assess-server"));
    command
        .args(["serve", "--database-url", &pg.url(), "--listen", &format!("127.0.0.1:{port}")])
        .arg("--tls-cert")
        .arg(ca.join("server.crt"))
        .arg("--tls-key")
        .arg(ca.join("server.key"))
        .arg("--trust")
        .arg(fixture.trust_dir());
    if stamping {
        std::fs::write(ca.join("tsa.crt"), &fixture.tsa.0).unwrap();
        std::fs::write(ca.join("tsa.key"), &fixture.tsa.1).unwrap();
        command.arg("--tsa-cert").arg(ca.join("tsa.crt")).arg("--tsa-key").arg(ca.join("tsa.key"));
    }
    #[expect(clippy::zombie_processes, reason = "`Instance`'s drop waits for it")]
    let child = command.stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
    let base = format!("https://127.0.0.1:{port}");
    let health = support::agent(&root_pem);
    for _ in 0..600 {
        if health.get(format!("{base}/api/v1/health")).call().is_ok_and(|r| r.status() == 200) {
            return (Instance(child), base, root_pem);
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("the server never became healthy");
}

/// Per device, its push requests: distinct envelope ids and numbers, townships in turn.
fn prebuild(
    runtime: &tokio::runtime::Runtime,
    server: &Server,
    fixture: &Fixture,
    plan: &Plan,
) -> Vec<(String, Vec<Request>)> {
    let townships = server.county.townships.clone();
    let report = BASE64.encode(&fixture.pdf);
    let mut out = Vec::with_capacity(plan.devices);
    let mut serial = 0_usize;
    for d in 0..plan.devices {
        let login = if d % 2 == 0 { "liming" } else { "yangfang" };
        let device = runtime.block_on(enrol(server, login));
        let share = plan.envelopes / plan.devices + usize::from(d < plan.envelopes % plan.devices);
        let mut requests = Vec::new();
        let mut left = share;
        while left > 0 {
            let n = left.min(plan.batch);
            left -= n;
            let envelopes = (0..n)
                .map(|_| {
                    serial += 1;
                    let mut record = fixture.record.clone();
                    record.info.number = format!("BENCH-{serial:07}");
                    if !townships.is_empty() {
                        record.info.township.clone_from(&townships[serial % townships.len()]);
                    }
                    fixture.envelope_of(&device, record, None, |_| {})
                })
                .collect();
            let body = serde_json::to_vec(&push_request(envelopes, vec![])).unwrap();
            let signature: DerSignature = device.key.sign(&body);
            let signature = BASE64.encode(signature.as_bytes());
            requests.push(Request::new(&body, report.as_bytes(), signature, n));
        }
        out.push((device.id.as_str().to_owned(), requests));
    }
    out
}

/// `p` percent of sorted `values`.
fn percentile(values: &[Duration], p: usize) -> Duration {
    if values.is_empty() {
        return Duration::ZERO;
    }
    let i = (values.len() * p).div_ceil(100).saturating_sub(1).min(values.len() - 1);
    values[i]
}

/// User + system CPU seconds of process `pid` (Linux `/proc`), if readable.
fn cpu_seconds(pid: u32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let after = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

/// CPU seconds of every running `postgres` process, by pid.
fn postgres_cpu() -> std::collections::BTreeMap<u32, f64> {
    let Ok(entries) = std::fs::read_dir("/proc") else { return std::collections::BTreeMap::new() };
    entries
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            std::fs::read_to_string(format!("/proc/{pid}/comm"))
                .is_ok_and(|comm| comm.trim() == "postgres")
        })
        .filter_map(|pid| Some((pid, cpu_seconds(pid)?)))
        .collect()
}

/// `PostgreSQL`'s CPU seconds since `before` (processes started since count from zero).
fn postgres_cpu_since(before: &std::collections::BTreeMap<u32, f64>) -> f64 {
    postgres_cpu().iter().map(|(pid, now)| now - before.get(pid).copied().unwrap_or(0.0)).sum()
}

/// The whole machine's busy and total jiffies (`/proc/stat`).
fn machine_jiffies() -> Option<(u64, u64)> {
    let stat = std::fs::read_to_string("/proc/stat").ok()?;
    let line = stat.lines().next()?;
    let v: Vec<u64> = line.split_whitespace().skip(1).filter_map(|x| x.parse().ok()).collect();
    let total: u64 = v.iter().sum();
    let idle = v.get(3).copied().unwrap_or(0) + v.get(4).copied().unwrap_or(0);
    Some((total - idle, total))
}

fn mb(bytes: usize) -> f64 {
    #[expect(clippy::cast_precision_loss, reason = "a figure for people")]
    let b = bytes as f64;
    b / 1_048_576.0
}

/// What the timed run saw.
struct Outcome {
    /// Each request's time and its envelopes.
    latencies: Vec<(Duration, usize)>,
    accepted: usize,
    elapsed: Duration,
    /// The server process's CPU seconds.
    cpu: Option<f64>,
    /// `PostgreSQL`'s processes' CPU seconds.
    postgres: f64,
    /// The whole machine's busy share.
    busy: Option<f64>,
}

/// Starts every device's thread at once and waits for them all.
fn push_all(
    work: Vec<(String, Vec<Request>)>,
    report: &Arc<Vec<u8>>,
    base: &str,
    root_pem: &[u8],
    pid: u32,
) -> Outcome {
    let barrier = Arc::new(Barrier::new(work.len() + 1));
    let handles: Vec<_> = work
        .into_iter()
        .map(|(device, requests)| {
            let barrier = Arc::clone(&barrier);
            let report = Arc::clone(report);
            let agent = support::agent(root_pem);
            let url = format!("{base}/api/v1/push");
            std::thread::spawn(move || {
                barrier.wait();
                let mut latencies = Vec::with_capacity(requests.len());
                let mut accepted = 0_usize;
                for request in &requests {
                    let t = Instant::now();
                    let body = request.body(&report);
                    let mut response = agent
                        .post(&url)
                        .header(DEVICE_HEADER, &device)
                        .header(SIGNATURE_HEADER, &request.signature)
                        .header("content-type", "application/json")
                        .send(&body[..])
                        .unwrap();
                    assert_eq!(response.status(), 200, "push refused");
                    let answer: PushResponse = response.body_mut().read_json().unwrap();
                    latencies.push((t.elapsed(), request.envelopes));
                    accepted += answer
                        .envelopes
                        .iter()
                        .filter(|r| matches!(r.outcome, ItemOutcome::Accepted { .. }))
                        .count();
                }
                (latencies, accepted)
            })
        })
        .collect();
    let cpu_before = cpu_seconds(pid);
    let postgres_before = postgres_cpu();
    let machine_before = machine_jiffies();
    barrier.wait();
    let clock = Instant::now();
    let mut latencies = Vec::new();
    let mut accepted = 0;
    for handle in handles {
        let (l, a) = handle.join().unwrap();
        latencies.extend(l);
        accepted += a;
    }
    let elapsed = clock.elapsed();
    let cpu = cpu_before.zip(cpu_seconds(pid)).map(|(a, b)| b - a);
    let postgres = postgres_cpu_since(&postgres_before);
    #[expect(clippy::cast_precision_loss, reason = "a figure for people")]
    let busy = machine_before
        .zip(machine_jiffies())
        .map(|((b0, t0), (b1, t1))| (b1 - b0) as f64 / (t1 - t0).max(1) as f64);
    Outcome { latencies, accepted, elapsed, cpu, postgres, busy }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn print_figures(plan: &Plan, outcome: &Outcome) {
    let mut per_request: Vec<Duration> = outcome.latencies.iter().map(|(d, _)| *d).collect();
    per_request.sort();
    let mut per_envelope: Vec<Duration> = outcome
        .latencies
        .iter()
        .map(|(d, n)| *d / u32::try_from((*n).max(1)).unwrap_or(1))
        .collect();
    per_envelope.sort();
    let secs = outcome.elapsed.as_secs_f64();
    let rate = f64::from(u32::try_from(outcome.accepted).unwrap_or(u32::MAX)) / secs;
    println!(
        "accepted {} of {} envelopes in {secs:.1} s: {rate:.0} envelopes/s (target >= 500/s)",
        outcome.accepted, plan.envelopes
    );
    println!(
        "per request ({} envelopes): p50 {:.0} ms, p99 {:.0} ms, max {:.0} ms",
        plan.batch,
        ms(percentile(&per_request, 50)),
        ms(percentile(&per_request, 99)),
        ms(per_request.last().copied().unwrap_or_default())
    );
    println!(
        "per envelope (request time / its envelopes): p50 {:.1} ms, p99 {:.1} ms",
        ms(percentile(&per_envelope, 50)),
        ms(percentile(&per_envelope, 99))
    );
    if let Some(cpu) = outcome.cpu {
        println!("server process CPU: {cpu:.1} s ({:.2} cores while pushing)", cpu / secs);
    }
    let per = |cpu: f64| cpu * 1e3 / f64::from(u32::try_from(outcome.accepted.max(1)).unwrap_or(1));
    if let Some(cpu) = outcome.cpu {
        println!(
            "CPU per envelope: server {:.2} ms, PostgreSQL {:.2} ms ({:.1} s, {:.2} cores)",
            per(cpu),
            per(outcome.postgres),
            outcome.postgres,
            outcome.postgres / secs
        );
    }
    if let Some(busy) = outcome.busy {
        println!(
            "whole machine busy: {:.0}% of its cores (bench clients, server, PostgreSQL and anything else running)",
            busy * 100.0
        );
    }
}

/// The rows after the run (all accepted, no duplicates) and the disk they take.
async fn check_rows(server: &Server, plan: &Plan) {
    let rows = count(server, "SELECT * FROM envelopes").await;
    let ids = count(server, "SELECT DISTINCT id FROM envelopes").await;
    let events = count(server, "SELECT * FROM events WHERE kind = 'envelope'").await;
    println!("rows in PostgreSQL: envelopes {rows}, distinct ids {ids}, envelope events {events}");
    let expected = i64::try_from(plan.envelopes).unwrap_or(i64::MAX);
    assert!(
        rows == expected && ids == expected && events == expected,
        "rows do not match the pushed envelopes"
    );
    let client = server.pool.get().await.unwrap();
    let database: String = client
        .query_one("SELECT pg_size_pretty(pg_database_size(current_database()))", &[])
        .await
        .unwrap()
        .get(0);
    let envelopes: String = client
        .query_one(
            "SELECT pg_size_pretty(sum(pg_total_relation_size(relid))::bigint) FROM pg_partition_tree('envelopes')",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    println!("disk: database {database}, envelopes with TOAST and indexes {envelopes}");
}

/// Refuses a plan whose envelopes (~135 KB each in `PostgreSQL`, the report once as bytes
/// with its TOAST and indexes) would not fit in the free disk of the temporary directory
/// the cluster lives in, with a margin.
fn disk_guard(plan: &Plan) {
    const PER_ENVELOPE: usize = 140 * 1024;
    let output = Command::new("df").arg("-Pk").arg(std::env::temp_dir()).output();
    let available = output.ok().and_then(|o| {
        let text = String::from_utf8(o.stdout).ok()?;
        let kb = text.lines().nth(1)?.split_whitespace().nth(3)?.parse::<usize>().ok()?;
        Some(kb * 1024)
    });
    let needed = plan.envelopes * PER_ENVELOPE;
    if let Some(available) = available {
        assert!(
            needed + (2 << 30) <= available,
            "{} envelopes need ~{:.0} MB of disk in PostgreSQL (and 2 GB to spare); only {:.0} MB \
             is free: lower BENCH_ENVELOPES",
            plan.envelopes,
            mb(needed),
            mb(available)
        );
    }
}

/// Runs the push benchmark and prints its figures.
pub fn run(
    pg: &Postgres,
    fixture: &Fixture,
    runtime: &tokio::runtime::Runtime,
    server: &Server,
    plan: &Plan,
) {
    println!(
        "== push: {} devices, {} envelopes, batches of {}, {} ==",
        plan.devices,
        plan.envelopes,
        plan.batch,
        if plan.stamping { "each report time-stamped by the server" } else { "no time-stamps" }
    );
    let started = Instant::now();
    disk_guard(plan);
    let work = prebuild(runtime, server, fixture, plan);
    let report = Arc::new(BASE64.encode(&fixture.pdf).into_bytes());
    let bytes: usize = work.iter().flat_map(|(_, r)| r.iter().map(|q| q.len(&report))).sum();
    let requests: usize = work.iter().map(|(_, r)| r.len()).sum();
    println!(
        "pre-built before the clock: {requests} signed push bodies, {:.0} MB when sent ({:.0} KB per envelope; \
         kept in memory without the report's base64, put back as each is sent; the same {} KB signed report PDF in every envelope, distinct envelope ids and record numbers) in {:.1} s",
        mb(bytes),
        mb(bytes) * 1024.0 / f64::from(u32::try_from(plan.envelopes).unwrap_or(u32::MAX)),
        fixture.pdf.len() / 1024,
        started.elapsed().as_secs_f64()
    );
    let ca = tempfile::tempdir().unwrap();
    let (instance, base, root_pem) = serve(pg, fixture, ca.path(), plan.stamping);
    let outcome = push_all(work, &report, &base, &root_pem, instance.0.id());
    drop(instance);
    print_figures(plan, &outcome);
    runtime.block_on(check_rows(server, plan));
}
