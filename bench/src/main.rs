//! Benchmark tools, driven by `bench/run.sh`:
//!   bench seed URL N            N bookings (and their sessions) straight into the database
//!   bench webhooks BASE SECRET M C FIRST_ID
//!                               M distinct signed deliveries at concurrency C, pre-signed
//!   bench ceiling URL M C FIRST_ID
//!                               the same ledger insert + conditional update, straight into the DB
//!   bench pages BASE EMAIL PASSWORD ROUNDS
//!                               admin bookings page server time for several filters
//!   bench csv BASE EMAIL PASSWORD PID
//!                               export every booking as CSV; time and the server's peak RSS
//!   bench analyze URL           refresh the planner's statistics, as autovacuum would
//! Every figure is printed as one `key value` line for the script to collect.

use std::time::{Duration, Instant};

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * (sorted.len() as f64 - 1.0)).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64() * 1000.0)
}

fn arg(args: &[String], i: usize, name: &str) -> String {
    args.get(i)
        .cloned()
        .unwrap_or_else(|| panic!("missing argument {name}"))
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("seed") => seed(&arg(&args, 1, "URL"), arg(&args, 2, "N").parse().unwrap()).await,
        Some("webhooks") => {
            webhooks(
                &arg(&args, 1, "BASE"),
                &arg(&args, 2, "SECRET"),
                arg(&args, 3, "M").parse().unwrap(),
                arg(&args, 4, "C").parse().unwrap(),
                arg(&args, 5, "FIRST_ID").parse().unwrap(),
            )
            .await
        }
        Some("ceiling") => {
            ceiling(
                &arg(&args, 1, "URL"),
                arg(&args, 2, "M").parse().unwrap(),
                arg(&args, 3, "C").parse().unwrap(),
                arg(&args, 4, "FIRST_ID").parse().unwrap(),
            )
            .await
        }
        Some("pages") => {
            pages(
                &arg(&args, 1, "BASE"),
                &arg(&args, 2, "EMAIL"),
                &arg(&args, 3, "PASSWORD"),
                arg(&args, 4, "ROUNDS").parse().unwrap(),
            )
            .await
        }
        Some("analyze") => settle(&connect(&arg(&args, 1, "URL")).await).await,
        Some("csv") => {
            csv(
                &arg(&args, 1, "BASE"),
                &arg(&args, 2, "EMAIL"),
                &arg(&args, 3, "PASSWORD"),
                arg(&args, 4, "PID").parse().unwrap(),
            )
            .await
        }
        _ => {
            eprintln!("usage: bench seed|webhooks|ceiling|pages|csv ...");
            std::process::exit(2);
        }
    }
}

async fn connect(url: &str) -> app::db::Db {
    let db = app::db::Db::connect(
        url,
        &app::db::DbOptions {
            max_connections: 64,
            ..Default::default()
        },
    )
    .await
    .expect("connect");
    db.migrate().await.expect("migrate");
    db
}

/// N bookings over 50 sessions, in multi-row inserts, with a mix of statuses and names so the
/// filters have something to find.
async fn seed(url: &str, n: i64) {
    let db = connect(url).await;
    let now = chrono::Utc::now().timestamp_millis();
    let mut tx = db.writer().begin().await.unwrap();
    for s in 0..50i64 {
        sqlx::query(
            "INSERT INTO training_sessions (title, starts_at, duration_minutes, location, capacity,
                price_amount, currency, created_at, updated_at)
             VALUES ($1, $2, 60, 'Bench Track', 10000, 4500, 'USD', $3, $3)",
        )
        .bind(format!("Bench session {s}"))
        .bind(now + (s + 1) * 86_400_000)
        .bind(now)
        .execute(&mut *tx)
        .await
        .unwrap();
    }
    let statuses = [
        "pending",
        "confirmed",
        "completed",
        "cancelled",
        "no-show",
        "pending",
    ];
    let first_names = [
        "Pat", "Sam", "Lee", "Ana", "Tom", "Kim", "Max", "Zoe", "Ben", "Ivy",
    ];
    const ROWS: i64 = 500;
    let mut id = 0i64;
    while id < n {
        let batch = ROWS.min(n - id);
        let mut sql = String::from(
            "INSERT INTO bookings (reference, training_session_id, parent_name, parent_email,
               athlete_name, athlete_age, consent_at, attendance_status, amount, currency,
               held_until, search_text, created_at, updated_at, session_starts_at) VALUES ",
        );
        for row in 0..batch {
            let i = id + row;
            if row > 0 {
                sql.push(',');
            }
            let parent = format!("{} Family{i}", first_names[(i % 10) as usize]);
            let email = format!("family{i}@example.com");
            let athlete = format!("Athlete{i}");
            sql.push_str(&format!(
                "('bench{i:015}', {}, '{parent}', '{email}', '{athlete}', {}, {now}, '{}', 4500, 'USD', 0, '{}', {}, {}, {})",
                i % 50 + 1,
                8 + i % 10,
                statuses[(i % 6) as usize],
                format!("{parent} {athlete} {email}").to_lowercase(),
                now - (n - i) * 1000,
                now - (n - i) * 1000,
                now + (i % 50 + 1) * 86_400_000,
            ));
        }
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .execute(&mut *tx)
            .await
            .unwrap();
        id += batch;
    }
    tx.commit().await.unwrap();
    // A database in service has its rows vacuumed: done here, before the clock, so that
    // autovacuum does not pass over a million fresh rows during the deliveries, its CPU
    // counted as theirs.
    settle(&db).await;
    // The seed is set-up, not the measured work: flush it to the data files now, rather than
    // have PostgreSQL checkpoint its WAL (or SQLite fold its WAL back) during the deliveries.
    let flush = match db.backend() {
        app::db::Backend::Postgres => "CHECKPOINT",
        app::db::Backend::Sqlite => "PRAGMA wal_checkpoint(TRUNCATE)",
    };
    sqlx::query(flush).execute(db.writer()).await.unwrap();
    println!("seeded {n}");
}

/// What autovacuum would have done by now: the planner's statistics refreshed and, on
/// PostgreSQL, the rows vacuumed (hint bits set, visibility map written, the trigram index's
/// pending list merged).
async fn settle(db: &app::db::Db) {
    let statement = match db.backend() {
        app::db::Backend::Postgres => "VACUUM ANALYZE",
        app::db::Backend::Sqlite => "ANALYZE",
    };
    sqlx::query(statement).execute(db.writer()).await.unwrap();
}

fn latency_report(prefix: &str, mut latencies: Vec<Duration>, elapsed: Duration) {
    latencies.sort();
    println!("{prefix}_requests {}", latencies.len());
    println!(
        "{prefix}_throughput {:.0}",
        latencies.len() as f64 / elapsed.as_secs_f64()
    );
    println!("{prefix}_p50_ms {}", ms(percentile(&latencies, 50.0)));
    println!("{prefix}_p99_ms {}", ms(percentile(&latencies, 99.0)));
}

/// Whether the seed made booking `id` cancelled (every sixth, from the fourth): a payment that
/// lands on it is returned with a refund, a rare path that is not the one measured.
fn seeded_cancelled(id: i64) -> bool {
    (id - 1) % 6 == 3
}

/// M distinct `checkout.session.completed` deliveries (the bookings from FIRST_ID on that can be
/// paid), each signed before the clock starts, posted by C workers over keep-alive connections.
async fn webhooks(base: &str, secret: &str, m: usize, c: usize, first_id: i64) {
    let now = chrono::Utc::now().timestamp();
    let bookings: Vec<i64> = (first_id..)
        .filter(|id| !seeded_cancelled(*id))
        .take(m)
        .collect();
    let requests: Vec<(String, String)> = (0..m)
        .map(|i| {
            let booking = bookings[i];
            let body = server::simulated::events::event(
                &format!("evt_bench_{now}_{i}"),
                "checkout.session.completed",
                now,
                server::simulated::events::checkout_session(
                    &server::simulated::events::SessionState {
                        session_id: &format!("cs_bench_{now}_{i}"),
                        booking_id: booking,
                        amount: 4500,
                        currency: "usd",
                        status: "complete",
                        payment_status: "paid",
                        payment_intent: Some(&format!("pi_bench_{now}_{i}")),
                        url: None,
                        created: now,
                        expires_at: now + 1800,
                    },
                ),
            )
            .to_string();
            let header = domain::stripe_signature::header_value(secret, now, body.as_bytes());
            (body, header)
        })
        .collect();
    let requests = std::sync::Arc::new(requests);
    let next = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(c)
        .build()
        .unwrap();
    let url = format!("{base}/api/stripe/webhook");
    let started = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..c {
        let (requests, next, client, url) =
            (requests.clone(), next.clone(), client.clone(), url.clone());
        workers.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut failures = 0usize;
            loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some((body, header)) = requests.get(i) else {
                    break;
                };
                let t = Instant::now();
                let ok = client
                    .post(&url)
                    .header("content-type", "application/json")
                    .header("stripe-signature", header)
                    .body(body.clone())
                    .send()
                    .await
                    .map(|r| r.status().as_u16() == 200)
                    .unwrap_or(false);
                latencies.push(t.elapsed());
                if !ok {
                    failures += 1;
                }
            }
            (latencies, failures)
        }));
    }
    let mut latencies = Vec::new();
    let mut failures = 0;
    for worker in workers {
        let (l, f) = worker.await.unwrap();
        latencies.extend(l);
        failures += f;
    }
    let elapsed = started.elapsed();
    println!("webhook_failures {failures}");
    latency_report("webhook", latencies, elapsed);
}

/// The webhook's database work without the webhook: the same ledger insert and conditional
/// update in one transaction (SQLite: one writer; PostgreSQL: C connections).
async fn ceiling(url: &str, m: usize, c: usize, first_id: i64) {
    let db = connect(url).await;
    let writers = if db.backend() == app::db::Backend::Sqlite {
        1
    } else {
        c
    };
    let next = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let tag = chrono::Utc::now().timestamp_millis();
    let started = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..writers {
        let (db, next) = (db.clone(), next.clone());
        workers.push(tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if i >= m {
                    break;
                }
                let booking = first_id + i as i64;
                let now = chrono::Utc::now().timestamp_millis();
                let mut tx = db.writer().begin().await.unwrap();
                sqlx::query(
                    "INSERT INTO stripe_events (id, event_type, source, booking_id, outcome, summary, received_at)
                     VALUES ($1, 'checkout.session.completed', 'webhook', NULL, 'received', '{}', $2)
                     ON CONFLICT (id) DO NOTHING",
                )
                .bind(format!("ceiling_{tag}_{i}"))
                .bind(now)
                .execute(&mut *tx)
                .await
                .unwrap();
                sqlx::query(
                    "UPDATE bookings SET payment_status = 'paid', updated_at = $1, paid_at = $1
                     WHERE id = $2 AND payment_status = 'unpaid'",
                )
                .bind(now)
                .bind(booking)
                .execute(&mut *tx)
                .await
                .unwrap();
                tx.commit().await.unwrap();
            }
        }));
    }
    for worker in workers {
        worker.await.unwrap();
    }
    let elapsed = started.elapsed();
    println!("ceiling_writers {writers}");
    println!("ceiling_throughput {:.0}", m as f64 / elapsed.as_secs_f64());
}

async fn logged_in(base: &str, email: &str, password: &str) -> reqwest::Client {
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    let status = client
        .post(format!("{base}/api/admin/login"))
        .header("accept", "application/json")
        .header("origin", base)
        .form(&[("email", email), ("password", password), ("next", "/admin")])
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, 200, "admin login");
    client
}

/// The admin bookings list at 100,000 bookings: the server function behind the page, and the
/// whole server-rendered page, for each filter; then the pages that count every session's
/// places (the admin's sessions page, the parent's booking form), 2,000 bookings a session at
/// 100,000.
async fn pages(base: &str, email: &str, password: &str, rounds: usize) {
    let client = logged_in(base, email, password).await;
    let filters = [
        ("all", ""),
        ("payment", "payment=paid"),
        ("attendance", "attendance=no-show"),
        ("session", "session=7"),
        ("dates", "from=2026-01-01&to=2099-12-31"),
        ("search", "q=family4242"),
        ("search_common", "q=pat%20family"),
        ("sort_parent", "sort=parent&dir=asc"),
        ("deep_page", "page=2000"),
        ("combined", "payment=unpaid&attendance=pending&sort=session"),
    ];
    for (name, query) in filters {
        let list = format!("/admin?{query}");
        time_page(
            &client,
            base,
            name,
            "/api/admin/bookings",
            &[("query", query)],
            &list,
            rounds,
        )
        .await;
    }
    time_page(
        &client,
        base,
        "sessions",
        "/api/admin/sessions",
        &[],
        "/admin/sessions",
        rounds,
    )
    .await;
    time_page(
        &client,
        base,
        "book",
        "/api/sessions/upcoming",
        &[],
        "/book",
        rounds,
    )
    .await;
}

/// The p50 of a page's server function (`page_fn_NAME_p50_ms`) and of the whole page as the
/// server renders it (`page_html_NAME_p50_ms`), over `rounds` requests each.
async fn time_page(
    client: &reqwest::Client,
    base: &str,
    name: &str,
    function: &str,
    form: &[(&str, &str)],
    page: &str,
    rounds: usize,
) {
    let mut times = Vec::new();
    for _ in 0..rounds {
        let t = Instant::now();
        let response = client
            .post(format!("{base}{function}"))
            .header("accept", "application/json")
            .header("origin", base)
            .form(form)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{function}");
        response.bytes().await.unwrap();
        times.push(t.elapsed());
    }
    times.sort();
    println!("page_fn_{name}_p50_ms {}", ms(percentile(&times, 50.0)));
    let mut times = Vec::new();
    for _ in 0..rounds {
        let t = Instant::now();
        let response = client.get(format!("{base}{page}")).send().await.unwrap();
        assert_eq!(response.status(), 200, "{page}");
        response.bytes().await.unwrap();
        times.push(t.elapsed());
    }
    times.sort();
    println!("page_html_{name}_p50_ms {}", ms(percentile(&times, 50.0)));
}

fn rss_kb(pid: u32, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

/// Exports every booking as CSV, sampling the server's resident memory while it streams.
async fn csv(base: &str, email: &str, password: &str, pid: u32) {
    let client = logged_in(base, email, password).await;
    let before = rss_kb(pid, "VmRSS:");
    let peak = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(before));
    let sampling = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
    let sampler = {
        let (peak, sampling) = (peak.clone(), sampling.clone());
        tokio::spawn(async move {
            while sampling.load(std::sync::atomic::Ordering::Relaxed) {
                peak.fetch_max(rss_kb(pid, "VmRSS:"), std::sync::atomic::Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        })
    };
    let t = Instant::now();
    let response = client
        .get(format!("{base}/admin/bookings.csv"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let mut response = response;
    let (mut bytes, mut lines) = (0usize, 0usize);
    while let Some(chunk) = response.chunk().await.unwrap() {
        bytes += chunk.len();
        lines += chunk.iter().filter(|b| **b == b'\n').count();
    }
    let elapsed = t.elapsed();
    sampling.store(false, std::sync::atomic::Ordering::Relaxed);
    sampler.await.unwrap();
    println!("csv_rows {}", lines.saturating_sub(1));
    println!("csv_bytes {bytes}");
    println!("csv_seconds {:.2}", elapsed.as_secs_f64());
    println!("csv_rss_before_mb {:.1}", before as f64 / 1024.0);
    println!(
        "csv_rss_peak_mb {:.1}",
        peak.load(std::sync::atomic::Ordering::Relaxed) as f64 / 1024.0
    );
}
