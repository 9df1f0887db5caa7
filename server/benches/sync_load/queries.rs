//! The query run: synthetic rows by SQL (as `scripts/server-scale.sql`, with the county's
//! townships and the server's own partitions), `stats` rebuilt from the rows, then the
//! server's own `statistics` and `queue` timed.

use std::time::{Duration, Instant};

use chrono::{Datelike as _, TimeZone as _, Utc};
use elder_assess_server::Server;
use elder_assess_server::bureau::QueueQuery;

fn summary(name: &str, target_ms: f64, mut times: Vec<Duration>) {
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let median = times.get(times.len() / 2).copied().unwrap_or_default();
    let max = times.last().copied().unwrap_or_default();
    let verdict = if ms(max) <= target_ms { "within" } else { "OVER" };
    println!(
        "{name}: median {:.2} ms, max {:.2} ms over {} runs (target <= {target_ms} ms: {verdict})",
        ms(median),
        ms(max),
        times.len()
    );
}

async fn timed<T, F: AsyncFn() -> T>(runs: usize, f: F) -> (Vec<Duration>, T) {
    let mut last = f().await; // warm-up, not counted
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let t = Instant::now();
        last = f().await;
        times.push(t.elapsed());
    }
    (times, last)
}

/// Loads `rows` synthetic assessments and times the bureau's queries `runs` times each.
pub async fn run(server: &Server, rows: usize, runs: usize) {
    println!("== queries: {rows} synthetic rows added ==");
    let client = server.pool.get().await.unwrap();
    let year = Utc::now().year();
    let townships = server.county.townships.clone();
    let n = i64::try_from(rows).unwrap_or(i64::MAX);
    let t = Instant::now();
    // The server made this year ±2's partitions; the rows fall in this year and the last.
    client
        .execute(
            "INSERT INTO envelopes (county, year, id, hash, received_at, device, number, township, final_level, sex,
                 birth_year, reference_date, status, person_hash, counted, parties, envelope)
             SELECT $1, $2::integer - (g % 2)::integer, md5(g::text), md5((g * 7)::text), timestamptz '2025-01-01' + g * interval '30 seconds',
                 'dev' || (g % 50), 'PG-' || g, ($3::text[])[1 + g % cardinality($3::text[])], (g % 5)::smallint,
                 CASE WHEN g % 2 = 0 THEN '男' ELSE '女' END, 1930 + g % 30, make_date(($2::integer - (g % 2)::integer)::integer, 1, 1) + (g % 360)::integer,
                 CASE WHEN g % 10 = 0 THEN 'submitted' ELSE 'approved' END, md5((g % 900000)::text), true, '{}'::jsonb, '{}'::jsonb
             FROM generate_series(1, $4::bigint) g",
            &[&server.county.name, &year, &townships, &n],
        )
        .await
        .unwrap();
    client.batch_execute("TRUNCATE stats").await.unwrap();
    client
        .batch_execute(
            "INSERT INTO stats (county, year, township, final_level, assessed, approved)
             SELECT county, year, township, final_level, count(*) FILTER (WHERE counted),
                    count(*) FILTER (WHERE counted AND status = 'approved')
             FROM envelopes GROUP BY 1, 2, 3, 4;
             ANALYZE",
        )
        .await
        .unwrap();
    let total: i64 = client.query_one("SELECT count(*) FROM envelopes", &[]).await.unwrap().get(0);
    println!("loaded in {:.1} s; envelopes now {total} rows", t.elapsed().as_secs_f64());
    drop(client);

    let (times, cells) = timed(runs, async || server.statistics(None).await.unwrap()).await;
    let counted: i64 = cells.iter().map(|c| c.assessed).sum();
    println!(
        "statistics by township x level: {} cells, {counted} assessments counted",
        cells.len()
    );
    summary("Server::statistics(all years)", 1000.0, times);
    let (times, _) = timed(runs, async || server.statistics(Some(year)).await.unwrap()).await;
    summary("Server::statistics(this year)", 1000.0, times);
    let client = server.pool.get().await.unwrap();
    let scan =
        "SELECT township, final_level, count(*) FROM envelopes WHERE county = $1 GROUP BY 1, 2";
    let (times, _) =
        timed(runs, async || client.query(scan, &[&server.county.name]).await.unwrap()).await;
    summary(
        "for comparison, the same counted by scanning the rows (not the server's path)",
        1000.0,
        times,
    );
    drop(client);

    let first = QueueQuery { township: None, level: None, after: None, limit: 50 };
    let (times, page) = timed(runs, async || server.queue(&first).await.unwrap()).await;
    println!("review queue: first page {} rows", page.len());
    summary("Server::queue(first page of 50)", 50.0, times);
    let middle = Utc.with_ymd_and_hms(2025, 6, 1, 0, 0, 0).unwrap();
    let deep = QueueQuery { after: Some((middle, String::new())), ..first.clone() };
    let (times, _) = timed(runs, async || server.queue(&deep).await.unwrap()).await;
    summary("Server::queue(keyset page after 2025-06-01)", 50.0, times);
    let filtered = QueueQuery { township: townships.get(3).cloned(), level: Some(2), ..first };
    let (times, _) = timed(runs, async || server.queue(&filtered).await.unwrap()).await;
    summary("Server::queue(one township, level 2)", 50.0, times);
}
