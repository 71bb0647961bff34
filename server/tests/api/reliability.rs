//! No payment lost or applied twice through crashes and outages; reconciliation for webhooks
//! that never come; the server's own defences (headers, overload, timeouts, shutdown); and no
//! secret in the logs.

use crate::support::fake_stripe::{Behaviour, FakeStripe};
use crate::support::*;
use std::collections::HashSet;
use std::time::Duration;

fn log_path(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("booking_logs_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(format!("{name}.log"))
}

/// The event for booking number `i` of a stream: paid, failed or refunded in turn.
fn stream_event(i: usize, booking: i64) -> (serde_json::Value, &'static str) {
    use server::simulated::events::{event, payment_intent, refunded_charge};
    match i % 3 {
        0 => (paid_event(&format!("evt_stream_{i}"), booking), "paid"),
        1 => (
            event(
                &format!("evt_stream_{i}"),
                "payment_intent.payment_failed",
                now_secs(),
                payment_intent(
                    &format!("pi_s{i}"),
                    Some(booking),
                    4500,
                    "usd",
                    Some("Declined"),
                ),
            ),
            "failed",
        ),
        _ => (
            event(
                &format!("evt_stream_{i}"),
                "charge.refunded",
                now_secs(),
                refunded_charge(
                    &format!("ch_s{i}"),
                    &format!("pi_s{i}"),
                    Some(booking),
                    4500,
                    4500,
                    "usd",
                ),
            ),
            "refunded",
        ),
    }
}

async fn stream_bookings(db: &app::db::Db, n: usize) -> Vec<i64> {
    let session = seed_session(db, 10_000).await;
    let mut ids = Vec::new();
    for i in 0..n {
        ids.push(
            create_booking(db, &new_booking(session, &format!("Stream {i}")))
                .await
                .unwrap()
                .id,
        );
    }
    ids
}

async fn kill_9_mid_stream_then_redeliver(backend: Backend) {
    const N: usize = 120;
    let database = TestDatabase::create(backend).await;
    let db = database.connect().await;
    let bookings = stream_bookings(&db, N).await;
    let vars = [
        ("DATABASE_URL", database.url.as_str()),
        ("STRIPE_WEBHOOK_SECRET", WEBHOOK_SECRET),
        ("PAYMENT_MODE", "simulated"),
        ("RUST_LOG", "warn"),
    ];
    let log = log_path(&format!("kill9_{}", backend.name()));
    let mut server = ServerProcess::start(&vars, log.clone()).await;
    let client = reqwest::Client::new();

    let mut answered = HashSet::new();
    let mut in_flight = tokio::task::JoinSet::new();
    for (i, booking) in bookings.iter().enumerate() {
        if i == N / 2 {
            // Mid-stream, with deliveries in flight.
            server.kill_9();
        }
        while in_flight.len() >= 8 {
            if let Some(Ok((i, Ok(200)))) = in_flight.join_next().await {
                answered.insert(i);
            }
        }
        let (event, _) = stream_event(i, *booking);
        let client = client.clone();
        let address = server.address.clone();
        in_flight.spawn(async move { (i, deliver_to(&client, &address, &event).await) });
    }
    while let Some(result) = in_flight.join_next().await {
        if let Ok((i, Ok(200))) = result {
            answered.insert(i);
        }
    }
    assert!(
        answered.len() >= N / 2 - 8 && answered.len() < N,
        "{} answered",
        answered.len()
    );

    // Every delivery answered 200 is durable, whatever was in flight at the kill.
    for i in &answered {
        let (_, want) = stream_event(*i, bookings[*i]);
        assert_eq!(
            statuses(&db, bookings[*i]).await.0,
            want,
            "answered delivery {i}"
        );
    }

    // Restart; Stripe redelivers what was not answered 200 (and, harmlessly, some that were).
    let restarted = ServerProcess::start(&vars, log).await;
    for (i, booking) in bookings.iter().enumerate() {
        if !answered.contains(&i) || i % 5 == 0 {
            let (event, _) = stream_event(i, *booking);
            assert_eq!(
                deliver_to(&client, &restarted.address, &event).await,
                Ok(200),
                "redelivery {i}"
            );
        }
    }
    for (i, booking) in bookings.iter().enumerate() {
        let (_, want) = stream_event(i, *booking);
        assert_eq!(statuses(&db, *booking).await.0, want, "booking {i}");
    }
    assert_eq!(
        count(&db, "stripe_events").await,
        N as i64,
        "one ledger row per event"
    );
    let logs = payment_logs(&db).await;
    assert_eq!(
        logs.len(),
        N / 3 * 2,
        "one log row per failure and per refund, no duplicates"
    );
}

async fn a_webhook_never_delivered_is_reconciled_once(backend: Backend) {
    let fake = FakeStripe::start().await;
    let vars: Vec<(&str, String)> = vec![
        ("PAYMENT_MODE", "stripe".into()),
        ("STRIPE_SECRET_KEY", "sk_test_reconcile_suite_key".into()),
        ("STRIPE_API_BASE", fake.base_url.clone()),
    ];
    let overrides: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let app = TestApp::spawn_with(backend, &overrides).await;
    let session = seed_session(&app.db, 10).await;
    let answer = app
        .server_fn("book", &as_pairs(&booking_form(session, "Never Hooked")))
        .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    let booking = app::db::bookings::by_id(&app.db, 1).await.unwrap().unwrap();
    let session_id = booking.stripe_checkout_session_id.clone().unwrap();
    // The parent paid; Stripe's webhook never arrives.
    fake.set_session(&session_id, "complete", "paid");

    let reconcile = || {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_server"));
        command
            .args(["reconcile", "--older-than", "0"])
            .env_clear()
            .env("DATABASE_URL", &app.database.url)
            .env("RUST_LOG", "warn");
        for (k, v) in &vars {
            command.env(k, v);
        }
        command.env("STRIPE_WEBHOOK_SECRET", WEBHOOK_SECRET);
        let out = command.output().expect("run server reconcile");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    assert_eq!(
        reconcile().trim(),
        "reconciled: 1 checked, 1 applied, 0 failed"
    );
    assert_eq!(statuses(&app.db, booking.id).await.0, "paid");
    let (id, source, outcome): (String, String, String) =
        sqlx::query_as("SELECT id, source, outcome FROM stripe_events")
            .fetch_one(app.db.reader())
            .await
            .unwrap();
    assert_eq!(id, format!("reconcile_{session_id}_paid"));
    assert_eq!(
        (source.as_str(), outcome.as_str()),
        ("reconcile", "unpaid -> paid")
    );
    assert_eq!(
        reconcile().trim(),
        "reconciled: 0 checked, 0 applied, 0 failed"
    );

    // The webhook turns up after all: 200, and nothing changes.
    let mut late = paid_event("evt_late_after_reconcile", booking.id);
    late["data"]["object"]["id"] = serde_json::Value::String(session_id.clone());
    let response = app.deliver(&late).await;
    assert_eq!(response.status(), 200);
    let after = app::db::bookings::by_id(&app.db, booking.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(after.payment_status, domain::PaymentStatus::Paid);
    assert_eq!(
        after.paid_at,
        app::db::bookings::by_id(&app.db, booking.id)
            .await
            .unwrap()
            .unwrap()
            .paid_at
    );
    let issues = payment_logs(&app.db)
        .await
        .into_iter()
        .filter(|l| l.level != "info")
        .count();
    assert_eq!(issues, 0, "being told again is not an issue");
    assert_eq!(count(&app.db, "stripe_events").await, 2);
}

async fn the_periodic_task_and_the_success_page_reconcile_too(backend: Backend) {
    let fake = FakeStripe::start().await;
    let base = fake.base_url.clone();
    let app = TestApp::spawn_with(
        backend,
        &[
            ("PAYMENT_MODE", "stripe"),
            ("STRIPE_SECRET_KEY", "sk_test_reconcile_suite_key"),
            ("STRIPE_API_BASE", &base),
            ("RECONCILE_INTERVAL_SECS", "1"),
            ("RECONCILE_AFTER_SECS", "0"),
        ],
    )
    .await;
    let session = seed_session(&app.db, 10).await;
    for parent in ["Periodic", "Page Check"] {
        app.server_fn("book", &as_pairs(&booking_form(session, parent)))
            .await;
    }
    let periodic = app::db::bookings::by_id(&app.db, 1).await.unwrap().unwrap();
    fake.set_session(
        periodic.stripe_checkout_session_id.as_deref().unwrap(),
        "complete",
        "paid",
    );
    let mut waited = 0;
    while statuses(&app.db, periodic.id).await.0 != "paid" && waited < 50 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        waited += 1;
    }
    assert_eq!(statuses(&app.db, periodic.id).await.0, "paid");

    // The success page's own check: applied once, then throttled.
    let page = app::db::bookings::by_id(&app.db, 2).await.unwrap().unwrap();
    sqlx::query("UPDATE bookings SET reconciled_at = NULL WHERE id = $1")
        .bind(page.id)
        .execute(app.db.writer())
        .await
        .unwrap();
    let open = app
        .server_fn("bookings/check", &[("reference", &page.reference)])
        .await;
    assert_eq!(open.body, "false", "the session is still open");
    fake.set_session(
        page.stripe_checkout_session_id.as_deref().unwrap(),
        "complete",
        "paid",
    );
    let throttled = app
        .server_fn("bookings/check", &[("reference", &page.reference)])
        .await;
    assert_eq!(throttled.body, "false", "asked less than 10 s ago");
    sqlx::query("UPDATE bookings SET reconciled_at = 0 WHERE id = $1")
        .bind(page.id)
        .execute(app.db.writer())
        .await
        .unwrap();
    let checked = app
        .server_fn("bookings/check", &[("reference", &page.reference)])
        .await;
    assert_eq!(checked.body, "true");
    assert_eq!(statuses(&app.db, page.id).await.0, "paid");
}

on_both_databases!(
    kill_9_mid_stream_then_redeliver,
    a_webhook_never_delivered_is_reconciled_once,
    the_periodic_task_and_the_success_page_reconcile_too,
);

/// PostgreSQL stopped and started while deliveries arrive: 503s while it is down, no restart
/// of our server, every event applied in the end (Stripe-like retries).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_down_and_up_during_a_stream() {
    const N: usize = 60;
    let cluster = std::sync::Arc::new(PgCluster::start());
    let database = cluster.database().await;
    let app = std::sync::Arc::new(TestApp::spawn_on(database, &[]).await);
    let bookings = stream_bookings(&app.db, N).await;
    let unavailable = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut tasks = tokio::task::JoinSet::new();
    for (i, booking) in bookings.iter().enumerate() {
        if i == N / 3 {
            cluster.pause();
            let cluster = cluster.clone();
            // Down for longer than the pool waits for a connection (3 s).
            tokio::spawn(async move {
                tokio::time::sleep(Duration::from_secs(6)).await;
                cluster.resume();
            });
        }
        let app = app.clone();
        let unavailable = unavailable.clone();
        let (event, _) = stream_event(i, *booking);
        tasks.spawn(async move {
            // Stripe retries until it gets a 2xx.
            for _ in 0..100 {
                match app.deliver(&event).await.status().as_u16() {
                    200 => return,
                    503 => {
                        unavailable.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    }
                    other => panic!("delivery {i}: {other}"),
                }
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            panic!("delivery {i} never landed");
        });
        tokio::time::sleep(Duration::from_millis(30)).await;
    }
    while let Some(result) = tasks.join_next().await {
        result.expect("a delivery task");
    }
    assert!(
        unavailable.load(std::sync::atomic::Ordering::Relaxed) > 0,
        "some 503s while down"
    );
    for (i, booking) in bookings.iter().enumerate() {
        let (_, want) = stream_event(i, *booking);
        assert_eq!(statuses(&app.db, *booking).await.0, want, "booking {i}");
    }
    assert_eq!(count(&app.db, "stripe_events").await, N as i64);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn pages_carry_the_security_headers() {
    let app = TestApp::spawn_with(
        Backend::Sqlite,
        &[("PUBLIC_BASE_URL", "https://book.example.com")],
    )
    .await;
    let page = app.client.get(app.url("/")).send().await.unwrap();
    let headers = page.headers().clone();
    let html = page.text().await.unwrap();
    let csp = headers["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .expect("a nonce in the CSP")
        .to_owned();
    assert!(
        html.contains(&format!("nonce=\"{nonce}\"")),
        "the page's scripts carry the nonce"
    );
    for part in [
        "'wasm-unsafe-eval'",
        "frame-ancestors 'none'",
        "object-src 'none'",
        "form-action 'self' https://checkout.stripe.com",
    ] {
        assert!(csp.contains(part), "{part} in {csp}");
    }
    assert!(!csp.contains("unsafe-inline"));
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["referrer-policy"], "same-origin");
    assert_eq!(headers["x-frame-options"], "DENY");
    assert!(headers["strict-transport-security"]
        .to_str()
        .unwrap()
        .starts_with("max-age="));
    assert_eq!(headers["x-request-id"].len(), 16);
    // A second page gets a fresh nonce.
    let again = app.client.get(app.url("/")).send().await.unwrap();
    assert!(!again.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .contains(&nonce));
    // Non-page answers get a closed default policy.
    let health = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert!(health.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .starts_with("default-src 'none'"));
    // Metrics are not public without a token.
    assert_eq!(
        app.client
            .get(app.url("/metrics"))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn metrics_count_deliveries_for_the_token_holder() {
    let app = TestApp::spawn_with(
        Backend::Sqlite,
        &[("METRICS_TOKEN", "metrics-token-for-tests")],
    )
    .await;
    let booking = seed_booking(&app.db).await;
    app.deliver(&paid_event("evt_metrics", booking)).await;
    app.deliver(&paid_event("evt_metrics", booking)).await;
    app.post_webhook("{}", Some("t=1,v1=00")).await;
    let refused = app
        .client
        .get(app.url("/metrics"))
        .header("authorization", "Bearer wrong")
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 404);
    let text = app
        .client
        .get(app.url("/metrics"))
        .header("authorization", "Bearer metrics-token-for-tests")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        text.contains(
            "webhook_deliveries_total{type=\"checkout.session.completed\",outcome=\"applied\"} 1"
        ),
        "{text}"
    );
    assert!(text.contains(
        "webhook_deliveries_total{type=\"checkout.session.completed\",outcome=\"duplicate\"} 1"
    ));
    assert!(
        text.contains("webhook_deliveries_total{type=\"unverified\",outcome=\"bad_signature\"} 1")
    );
    assert!(text.contains("webhook_duration_seconds_count 3"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn overload_and_slow_requests_get_503_with_retry_after() {
    let fake = FakeStripe::start().await;
    fake.behave(Behaviour::Hang(Duration::from_secs(3)));
    let base = fake.base_url.clone();
    let app = std::sync::Arc::new(
        TestApp::spawn_with(
            Backend::Sqlite,
            &[
                ("PAYMENT_MODE", "stripe"),
                ("STRIPE_SECRET_KEY", "sk_test_overload_suite"),
                ("STRIPE_API_BASE", &base),
                ("STRIPE_TIMEOUT_MS", "10000"),
                ("MAX_IN_FLIGHT_REQUESTS", "2"),
                ("REQUEST_TIMEOUT_SECS", "1"),
            ],
        )
        .await,
    );
    let session = seed_session(&app.db, 10).await;
    let mut slow = Vec::new();
    for n in 0..2 {
        let app = app.clone();
        slow.push(tokio::spawn(async move {
            app.server_fn(
                "book",
                &as_pairs(&booking_form(session, &format!("Slow {n}"))),
            )
            .await
        }));
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let shed = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(shed.status(), 503, "two requests in flight is the limit");
    assert_eq!(shed.headers()["retry-after"], "1");
    for task in slow {
        let answer = task.await.unwrap();
        assert_eq!(
            answer.status, 503,
            "cut off at the 1 s request timeout: {}",
            answer.body
        );
        assert!(answer.body.contains("took too long"));
    }
    assert_eq!(
        app.client
            .get(app.url("/healthz"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_client_trickling_its_headers_is_cut_off() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = TestApp::spawn(Backend::Sqlite).await;
    let address = app.address.trim_start_matches("http://").to_owned();
    let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();
    stream
        .write_all(b"GET / HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    let started = std::time::Instant::now();
    let mut buf = [0u8; 1024];
    let read = tokio::time::timeout(Duration::from_secs(20), stream.read(&mut buf)).await;
    let elapsed = started.elapsed();
    assert!(read.is_ok(), "the server closed the connection");
    assert!(
        elapsed >= Duration::from_secs(9) && elapsed < Duration::from_secs(15),
        "{elapsed:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sigterm_finishes_in_flight_requests_then_exits() {
    let fake = FakeStripe::start().await;
    fake.behave(Behaviour::Hang(Duration::from_millis(1500)));
    let database = TestDatabase::create(Backend::Sqlite).await;
    let db = database.connect().await;
    let session = seed_session(&db, 10).await;
    let mut server = ServerProcess::start(
        &[
            ("DATABASE_URL", &database.url),
            ("PAYMENT_MODE", "stripe"),
            ("STRIPE_SECRET_KEY", "sk_test_shutdown_suite"),
            ("STRIPE_WEBHOOK_SECRET", WEBHOOK_SECRET),
            ("STRIPE_API_BASE", &fake.base_url),
            ("RUST_LOG", "info"),
        ],
        log_path("sigterm"),
    )
    .await;
    let client = reqwest::Client::new();
    let address = server.address.clone();
    let form = booking_form(session, "Mid Shutdown");
    let in_flight = tokio::spawn(async move {
        client
            .post(format!("{address}/api/book"))
            .header("accept", "application/json")
            .header("origin", &address)
            .form(&form)
            .send()
            .await
            .map(|r| r.status().as_u16())
    });
    tokio::time::sleep(Duration::from_millis(400)).await;
    let status = server.terminate();
    assert!(status.success(), "exit status {status:?}: {}", server.log());
    assert_eq!(in_flight.await.unwrap().expect("answered before exit"), 200);
    assert!(server.log().contains("stopped"));
    assert_eq!(count(&db, "bookings").await, 1);
}

/// A whole run through the real binary at debug level, JSON logs: neither the webhook secret,
/// the Stripe key nor the admin password appears in them.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn logs_never_contain_secrets() {
    let stripe_key = "sk_test_SECRETKEYMUSTNOTLEAK0001";
    let webhook_secret = "whsec_SECRETMUSTNOTLEAK0002";
    let admin_password = "ADMINPASSWORDMUSTNOTLEAK0003";
    let fake = FakeStripe::start().await;
    let database = TestDatabase::create(Backend::Sqlite).await;
    let db = database.connect().await;
    let session = seed_session(&db, 10).await;
    let log = log_path("secrets");
    let _ = std::fs::remove_file(&log);
    let mut server = ServerProcess::start(
        &[
            ("DATABASE_URL", &database.url),
            ("PAYMENT_MODE", "stripe"),
            ("STRIPE_SECRET_KEY", stripe_key),
            ("STRIPE_WEBHOOK_SECRET", webhook_secret),
            ("STRIPE_API_BASE", &fake.base_url),
            ("ADMIN_EMAIL", "coach@example.com"),
            ("ADMIN_PASSWORD", admin_password),
            ("RUST_LOG", "debug"),
            ("LOG_FORMAT", "json"),
        ],
        log.clone(),
    )
    .await;
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    let address = server.address.clone();
    let post = |path: &str, form: Vec<(String, String)>| {
        client
            .post(format!("{address}{path}"))
            .header("accept", "application/json")
            .header("origin", &address)
            .form(&form)
            .send()
    };
    let pairs = |p: &[(&str, &str)]| {
        p.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect::<Vec<_>>()
    };
    post(
        "/api/admin/login",
        pairs(&[
            ("email", "coach@example.com"),
            ("password", "wrong-password-1"),
        ]),
    )
    .await
    .unwrap();
    post(
        "/api/admin/login",
        pairs(&[("email", "coach@example.com"), ("password", admin_password)]),
    )
    .await
    .unwrap();
    post("/api/book", booking_form(session, "Log Reader"))
        .await
        .unwrap();
    let body = paid_event("evt_log", 1).to_string();
    for signature in [
        domain::stripe_signature::header_value(webhook_secret, now_secs(), body.as_bytes()),
        domain::stripe_signature::header_value(
            "whsec_wrong_secret_1234",
            now_secs(),
            body.as_bytes(),
        ),
    ] {
        client
            .post(format!("{address}/api/stripe/webhook"))
            .header("stripe-signature", signature)
            .body(body.clone())
            .send()
            .await
            .unwrap();
    }
    assert_eq!(statuses(&db, 1).await.0, "paid");
    server.terminate();
    let text = server.log();
    assert!(text.lines().count() > 10, "a real log: {text}");
    assert!(
        text.lines()
            .all(|l| serde_json::from_str::<serde_json::Value>(l).is_ok()),
        "JSON lines"
    );
    assert!(text.contains("evt_log"), "event ids are logged");
    for secret in [
        stripe_key,
        webhook_secret,
        admin_password,
        "SECRETKEYMUSTNOTLEAK",
        "SECRETMUSTNOTLEAK",
        "PASSWORDMUSTNOTLEAK",
    ] {
        assert!(!text.contains(secret), "{secret} leaked into the logs");
    }
    assert!(
        fake.requests()[0].headers["authorization"].contains(stripe_key),
        "the key was used"
    );
}
