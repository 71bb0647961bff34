//! Abuse resistance: admin logins that a stranger can neither brute-force nor use to lock an
//! admin out, admin sessions that end when they should, parents' endpoints a script cannot
//! use to fill sessions, connections that cannot be held open for nothing, and private pages
//! that are neither cached nor logged in full.

use crate::support::fake_stripe::{Behaviour, FakeStripe};
use crate::support::*;
use std::io::{Read, Write};
use std::time::{Duration, Instant};

/// A client of its own (cookies included), as if from `forwarded_for` behind the proxy.
fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_store(true)
        .build()
        .unwrap()
}

async fn login_as(
    app: &TestApp,
    client: &reqwest::Client,
    forwarded_for: Option<&str>,
    email: &str,
    password: &str,
) -> reqwest::Response {
    let mut request = client
        .post(app.url("/api/admin/login"))
        .header("accept", "application/json")
        .header("origin", &app.address)
        .form(&[("email", email), ("password", password), ("next", "/admin")]);
    if let Some(address) = forwarded_for {
        request = request.header("x-forwarded-for", address);
    }
    request.send().await.unwrap()
}

async fn admin_app(backend: Backend, vars: &[(&str, &str)]) -> TestApp {
    let app = TestApp::spawn_with(backend, vars).await;
    app::services::admins::upsert_admin(&app.db, ADMIN_EMAIL, ADMIN_PASSWORD)
        .await
        .unwrap();
    app
}

async fn a_stranger_guessing_never_delays_the_admin_elsewhere(backend: Backend) {
    let app = admin_app(backend, &[("TRUSTED_PROXIES", "127.0.0.1")]).await;
    let attacker = client();
    let mut refused = 0;
    for _ in 0..8 {
        let status = login_as(
            &app,
            &attacker,
            Some("203.0.113.66"),
            ADMIN_EMAIL,
            "guess-1234",
        )
        .await
        .status();
        assert!(status == 401 || status == 429, "{status}");
        refused += usize::from(status == 429);
    }
    assert!(
        refused >= 4,
        "past three tries the attacker waits ({refused} refused)"
    );
    // The admin, behind the same proxy but from their own address, logs in at once.
    let admin = client();
    let ok = login_as(
        &app,
        &admin,
        Some("198.51.100.10"),
        ADMIN_EMAIL,
        ADMIN_PASSWORD,
    )
    .await;
    assert_eq!(ok.status(), 200, "{}", ok.text().await.unwrap());

    // Without trusted proxies the header is the client's own word and changes nothing: every
    // "address" is the one socket, and its failures add up.
    let direct = admin_app(backend, &[]).await;
    let forger = client();
    for n in 0..3 {
        let status = login_as(
            &direct,
            &forger,
            Some(&format!("192.0.2.{n}")),
            ADMIN_EMAIL,
            "guess-1234",
        )
        .await
        .status();
        assert_eq!(status, 401);
    }
    let fourth = login_as(
        &direct,
        &forger,
        Some("192.0.2.99"),
        ADMIN_EMAIL,
        ADMIN_PASSWORD,
    )
    .await;
    assert_eq!(fourth.status(), 429);
}

async fn parallel_guesses_cannot_all_pass_the_count(backend: Backend) {
    let app = std::sync::Arc::new(admin_app(backend, &[]).await);
    let guesses = (0..12).map(|n| {
        let app = app.clone();
        tokio::spawn(async move {
            login_as(
                &app,
                &client(),
                None,
                ADMIN_EMAIL,
                &format!("guess-{n:04}-x"),
            )
            .await
            .status()
            .as_u16()
        })
    });
    let statuses: Vec<u16> = futures_util::future::join_all(guesses)
        .await
        .into_iter()
        .map(|joined| joined.unwrap())
        .collect();
    let checked = statuses.iter().filter(|s| **s == 401).count();
    assert!(
        checked <= 3 + 2,
        "at most the free tries (and the few that raced their records) are checked: {statuses:?}"
    );
    assert!(
        statuses.iter().all(|s| matches!(s, 401 | 429)),
        "{statuses:?}"
    );
}

async fn unknown_and_known_emails_are_refused_alike(backend: Backend) {
    let app = admin_app(backend, &[]).await;
    let unknown = login_as(&app, &client(), None, "nobody@example.com", "whatever-123").await;
    assert_eq!(unknown.status().as_u16(), 401);
    let body = unknown.text().await.unwrap();
    let known = login_as(&app, &client(), None, ADMIN_EMAIL, "whatever-123").await;
    assert_eq!(known.status().as_u16(), 401);
    assert_eq!(body, known.text().await.unwrap());
}

async fn a_new_password_ends_the_other_sessions(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.login_admin().await;
    assert_eq!(app.server_fn("admin/context", &[]).await.status, 200);
    app::services::admins::upsert_admin(&app.db, ADMIN_EMAIL, "a-brand-new-password")
        .await
        .unwrap();
    assert_eq!(app.server_fn("admin/context", &[]).await.status, 401);
}

async fn an_unused_session_ends(backend: Backend) {
    let app = TestApp::spawn_with(backend, &[("ADMIN_IDLE_MINUTES", "30")]).await;
    app.login_admin().await;
    assert_eq!(app.server_fn("admin/context", &[]).await.status, 200);
    // Thirty-one minutes without a request.
    let long_ago = chrono::Utc::now().timestamp_millis() - 31 * 60 * 1000;
    sqlx::query("UPDATE admin_logins SET last_seen_at = $1")
        .bind(long_ago)
        .execute(app.db.writer())
        .await
        .unwrap();
    assert_eq!(app.server_fn("admin/context", &[]).await.status, 401);
}

async fn a_live_stream_ends_with_its_session(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.login_admin().await;
    let mut stream = app
        .client
        .get(app.url("/api/admin/live"))
        .send()
        .await
        .unwrap();
    assert_eq!(stream.status(), 200);
    // The admin's password is changed elsewhere: every session of theirs ends.
    app::services::admins::upsert_admin(&app.db, ADMIN_EMAIL, "changed-elsewhere-1")
        .await
        .unwrap();
    let started = Instant::now();
    let ended = tokio::time::timeout(Duration::from_secs(12), async {
        while stream.chunk().await.ok().flatten().is_some() {}
    })
    .await;
    assert!(ended.is_ok(), "the stream is still open");
    assert!(started.elapsed() < Duration::from_secs(12));
}

fn form_with_email(session: i64, parent: &str, email: &str) -> Vec<(String, String)> {
    let mut form = booking_form(session, parent);
    for (key, value) in &mut form {
        if key == "parent_email" {
            *value = email.to_owned();
        }
    }
    form
}

async fn a_script_cannot_fill_a_session(backend: Backend) {
    let app = TestApp::spawn_with(
        backend,
        &[
            ("MAX_UNPAID_HOLDS_PER_EMAIL", "3"),
            ("MAX_UNPAID_SESSION_SHARE_PERCENT", "25"),
            ("BOOKING_REQUESTS_PER_EMAIL_PER_HOUR", "1000"),
        ],
    )
    .await;
    let small = seed_session(&app.db, 4).await;
    let big = seed_session(&app.db, 40).await;
    // A script names another child each time (one child twice is refused on its own).
    let children = std::cell::Cell::new(0);
    let book = |session: i64, email: &'static str| {
        let app = &app;
        children.set(children.get() + 1);
        let mut form = form_with_email(session, "Script Kiddie", email);
        for (key, value) in &mut form {
            if key == "athlete_name" {
                *value = format!("Kid {}", children.get());
            }
        }
        async move { app.server_fn("book", &as_pairs(&form)).await }
    };
    // A quarter of a 4-place session: one unpaid place per email.
    assert_eq!(book(small, "bot@example.com").await.status, 200);
    let second = book(small, "bot@example.com").await;
    assert_eq!(second.status, 429, "{}", second.body);
    let errors = &second.json()["Invalid"];
    assert!(errors["errors"]["parent_email"]
        .as_str()
        .unwrap()
        .contains("in this session"));
    assert_eq!(
        errors["values"]["parent_name"], "Script Kiddie",
        "what was typed is kept"
    );

    // Three unpaid places per email across sessions.
    assert_eq!(book(big, "bot@example.com").await.status, 200);
    assert_eq!(book(big, "bot@example.com").await.status, 200);
    let fourth = book(big, "bot@example.com").await;
    assert_eq!(fourth.status, 429, "{}", fourth.body);
    assert!(fourth.body.contains("already holds 3 unpaid bookings"));
    // Another family still books.
    assert_eq!(book(small, "family@example.com").await.status, 200);
    assert_eq!(count(&app.db, "bookings").await, 4);
}

async fn a_client_or_an_email_booking_too_often_waits(backend: Backend) {
    let app = TestApp::spawn_with(
        backend,
        &[
            ("BOOKING_REQUESTS_PER_CLIENT_PER_HOUR", "3"),
            ("BOOKING_REQUESTS_PER_EMAIL_PER_HOUR", "1000"),
        ],
    )
    .await;
    let session = seed_session(&app.db, 100).await;
    for n in 0..3 {
        let form = form_with_email(session, "Busy Parent", &format!("p{n}@example.com"));
        assert_eq!(app.server_fn("book", &as_pairs(&form)).await.status, 200);
    }
    let response = app
        .client
        .post(app.url("/api/book"))
        .header("accept", "application/json")
        .header("origin", &app.address)
        .form(&as_pairs(&form_with_email(
            session,
            "Busy Parent",
            "p9@example.com",
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 429);
    let wait: i64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(wait > 0 && wait <= 3600, "{wait}");
    let body: serde_json::Value = response.json().await.unwrap();
    assert!(body["Invalid"]["form"]
        .as_str()
        .unwrap()
        .starts_with("Too many attempts"));
    assert_eq!(body["Invalid"]["values"]["parent_email"], "p9@example.com");

    // Paying counts against the client too.
    let reference: String = sqlx::query_scalar("SELECT reference FROM bookings LIMIT 1")
        .fetch_one(app.db.reader())
        .await
        .unwrap();
    let pay = app
        .server_fn("bookings/pay", &[("reference", &reference)])
        .await;
    assert_eq!(pay.status, 429, "{}", pay.body);
    assert!(pay.body.contains("Too many payment attempts"));
}

/// Whether the server closes a TCP connection to `address` within `within`.
fn closed_within(mut stream: std::net::TcpStream, within: Duration) -> bool {
    stream.set_read_timeout(Some(within)).unwrap();
    let mut buffer = [0u8; 64];
    loop {
        match stream.read(&mut buffer) {
            Ok(0) => return true,
            Ok(_) => continue,
            Err(error) => {
                return !matches!(
                    error.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                )
            }
        }
    }
}

async fn connections_that_send_nothing_are_closed_and_capped(backend: Backend) {
    let app = TestApp::spawn_with(backend, &[("MAX_CONNECTIONS_PER_CLIENT", "3")]).await;
    let address = app.address.trim_start_matches("http://").to_owned();
    tokio::task::spawn_blocking(move || {
        let connect = || std::net::TcpStream::connect(&address).unwrap();
        // Three silent connections are held open for a while...
        let silent: Vec<_> = (0..3).map(|_| connect()).collect();
        std::thread::sleep(Duration::from_millis(300));
        // ... and a fourth from the same client is closed at once.
        assert!(
            closed_within(connect(), Duration::from_secs(2)),
            "past the cap"
        );
        // Sending nothing (or only HTTP/2's preface) gets a connection closed.
        let mut preface = connect_after(&silent, &address);
        preface
            .write_all(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")
            .unwrap();
        for stream in silent {
            assert!(
                closed_within(stream, Duration::from_secs(15)),
                "a silent connection"
            );
        }
        assert!(
            closed_within(preface, Duration::from_secs(15)),
            "the preface alone"
        );
    })
    .await
    .unwrap();
}

/// A new connection, once one of `held` has been given up to make room under the cap.
fn connect_after(held: &[std::net::TcpStream], address: &str) -> std::net::TcpStream {
    held[0].shutdown(std::net::Shutdown::Both).unwrap();
    std::thread::sleep(Duration::from_millis(300));
    std::net::TcpStream::connect(address).unwrap()
}

async fn the_webhook_keeps_its_own_budget(backend: Backend) {
    let fake = FakeStripe::start().await;
    let app = std::sync::Arc::new(
        TestApp::spawn_with(
            backend,
            &[
                ("PAYMENT_MODE", "stripe"),
                ("STRIPE_SECRET_KEY", "sk_test_budget_suite_key"),
                ("STRIPE_API_BASE", &fake.base_url),
                ("STRIPE_TIMEOUT_MS", "10000"),
                ("MAX_IN_FLIGHT_REQUESTS", "1"),
            ],
        )
        .await,
    );
    let session = seed_session(&app.db, 10).await;
    let booking = seed_booking(&app.db).await;
    fake.behave(Behaviour::Hang(Duration::from_secs(3)));
    // A public request holds the only public place while Stripe hangs.
    let slow = {
        let app = app.clone();
        tokio::spawn(async move {
            app.server_fn("book", &as_pairs(&booking_form(session, "Slow Parent")))
                .await
                .status
        })
    };
    tokio::time::sleep(Duration::from_millis(500)).await;
    let (public, _) = app.get_page("/").await;
    assert_eq!(public, 503, "the public budget is spent");
    let delivered = app.deliver(&paid_event("evt_budget", booking)).await;
    assert_eq!(
        delivered.status(),
        200,
        "Stripe's deliveries have their own"
    );
    assert_eq!(statuses(&app.db, booking).await.0, "paid");
    assert_eq!(slow.await.unwrap(), 200);
}

async fn private_pages_are_not_cached_and_ids_and_references_stay_plain(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let booking = seed_booking(&app.db).await;
    let reference: String = sqlx::query_scalar("SELECT reference FROM bookings WHERE id = $1")
        .bind(booking)
        .fetch_one(app.db.reader())
        .await
        .unwrap();
    let page = app
        .client
        .get(app.url(&format!("/bookings/{reference}")))
        .header("x-request-id", "<script>alert(1)</script>")
        .send()
        .await
        .unwrap();
    assert_eq!(page.headers()["cache-control"], "no-store");
    let id = page.headers()["x-request-id"].to_str().unwrap().to_owned();
    assert!(!id.contains('<') && !id.is_empty(), "{id}");
    let kept = app
        .client
        .get(app.url("/"))
        .header("x-request-id", "trace-abc.123")
        .send()
        .await
        .unwrap();
    assert_eq!(kept.headers()["x-request-id"], "trace-abc.123");
    assert!(kept
        .headers()
        .get("cache-control")
        .is_none_or(|v| v != "no-store"));
    for path in ["/admin/login", "/admin"] {
        let response = app.client.get(app.url(path)).send().await.unwrap();
        assert_eq!(response.headers()["cache-control"], "no-store", "{path}");
    }
    // A waitlist place's page is as private as a booking's.
    let place = app
        .client
        .get(app.url("/waitlist/k3j4h5g6f7d8s9a0q1w2"))
        .send()
        .await
        .unwrap();
    assert_eq!(place.headers()["cache-control"], "no-store");
    let join = app
        .client
        .get(app.url("/waitlist/join"))
        .send()
        .await
        .unwrap();
    assert_ne!(join.headers()["cache-control"], "no-store");
}

async fn references_do_not_reach_the_log(backend: Backend) {
    let database = TestDatabase::create(backend).await;
    let log = std::env::temp_dir().join(format!(
        "booking_abuse_{}_{}.log",
        std::process::id(),
        backend.name()
    ));
    let _ = std::fs::remove_file(&log);
    let server = ServerProcess::start(
        &[
            ("DATABASE_URL", &database.url),
            ("PAYMENT_MODE", "simulated"),
            ("STRIPE_WEBHOOK_SECRET", WEBHOOK_SECRET),
            // Request lines are logged at debug level, with their path.
            ("RUST_LOG", "info,tower_http=debug"),
        ],
        log.clone(),
    )
    .await;
    let db = database.connect().await;
    let booking = seed_booking(&db).await;
    let reference: String = sqlx::query_scalar("SELECT reference FROM bookings WHERE id = $1")
        .bind(booking)
        .fetch_one(db.reader())
        .await
        .unwrap();
    let page = reqwest::get(format!("{}/bookings/{reference}/paid", server.address))
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let token = "k3j4h5g6f7d8s9a0q1w2";
    reqwest::get(format!("{}/waitlist/{token}", server.address))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let written = server.log();
    assert!(written.contains("/waitlist/k3j4…"), "{written}");
    assert!(!written.contains(token), "a waitlist token is in the log");
    assert!(
        written.contains(&format!("/bookings/{}…/paid", &reference[..4])),
        "{written}"
    );
    assert!(
        !written.contains(&reference),
        "the full reference is in the log"
    );
    let _ = std::fs::remove_file(&log);
}

on_both_databases!(
    a_stranger_guessing_never_delays_the_admin_elsewhere,
    parallel_guesses_cannot_all_pass_the_count,
    unknown_and_known_emails_are_refused_alike,
    a_new_password_ends_the_other_sessions,
    an_unused_session_ends,
    a_live_stream_ends_with_its_session,
    a_script_cannot_fill_a_session,
    a_client_or_an_email_booking_too_often_waits,
    connections_that_send_nothing_are_closed_and_capped,
    the_webhook_keeps_its_own_budget,
    private_pages_are_not_cached_and_ids_and_references_stay_plain,
    references_do_not_reach_the_log,
);
