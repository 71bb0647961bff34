//! The admin's side through HTTP on both databases: every admin entry refused without a
//! session, login and its rate limit, sessions that survive a restart, the Origin check,
//! attendance beside the webhook, filters, the CSV export and live updates.

use crate::support::*;
use std::time::Duration;

/// Every admin server function, with arguments that would succeed for an admin.
const ADMIN_FUNCTIONS: [(&str, &[(&str, &str)]); 12] = [
    ("admin/context", &[]),
    ("admin/bookings", &[("query", "")]),
    (
        "admin/attendance",
        &[("booking_id", "1"), ("status", "completed")],
    ),
    ("admin/booking", &[("id", "1")]),
    ("admin/issues", &[("resolved", "false"), ("page", "1")]),
    ("admin/issues/resolve", &[("key", "1")]),
    ("admin/sessions", &[]),
    ("admin/session", &[("id", "1")]),
    (
        "admin/sessions/save",
        &[
            ("id", ""),
            ("title", "X"),
            ("date", "2030-01-01"),
            ("time", "10:00"),
            ("duration", "60"),
            ("location", "Y"),
            ("capacity", "5"),
            ("price", "10"),
            ("currency", "USD"),
        ],
    ),
    ("admin/sessions/cancel", &[("id", "1")]),
    (
        "admin/bookings/manual",
        &[
            ("session", "1"),
            ("parent_name", "A"),
            ("parent_email", "a@b.co"),
            ("athlete_name", "B"),
            ("athlete_age", "10"),
            ("settled", "outside"),
        ],
    ),
    ("admin/logout", &[]),
];

const ADMIN_PAGES: [&str; 8] = [
    "/admin",
    "/admin/issues",
    "/admin/sessions",
    "/admin/sessions/new",
    "/admin/sessions/1",
    "/admin/bookings/new",
    "/admin/bookings/1",
    "/admin/bookings.csv",
];

async fn everything_admin_is_refused_without_a_session(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let session = seed_session(&app.db, 10).await;
    create_booking(&app.db, &new_booking(session, "Zelda Unique"))
        .await
        .unwrap();
    let before = (
        count(&app.db, "bookings").await,
        count(&app.db, "training_sessions").await,
    );

    for (endpoint, args) in ADMIN_FUNCTIONS {
        let answer = app.server_fn(endpoint, args).await;
        assert_eq!(answer.status, 401, "{endpoint}: {}", answer.body);
        assert!(
            !answer.body.contains("Zelda"),
            "{endpoint} leaked booking data"
        );
        // In the shape of every server function's error, so the page can say it.
        assert_eq!(
            answer.json()["Message"],
            "Your admin session has ended: log in again to go on.",
            "{endpoint}"
        );
    }
    for page in ADMIN_PAGES {
        let response = app.client.get(app.url(page)).send().await.unwrap();
        assert_eq!(response.status(), 303, "{page}");
        let location = response.headers()["location"].to_str().unwrap().to_owned();
        assert!(
            location.starts_with("/admin/login?next="),
            "{page}: {location}"
        );
        assert!(!response.text().await.unwrap().contains("Zelda"));
    }
    let live = app
        .client
        .get(app.url("/api/admin/live"))
        .send()
        .await
        .unwrap();
    assert_eq!(live.status(), 401);
    // A forged cookie is no session.
    let forged = app
        .client
        .get(app.url("/admin"))
        .header(
            "cookie",
            "admin_session=0000000000000000000000000000000000000000000000000000000000000000",
        )
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 303);
    // Nothing was changed by any of them.
    assert_eq!(
        (
            count(&app.db, "bookings").await,
            count(&app.db, "training_sessions").await
        ),
        before
    );
    assert_eq!(statuses(&app.db, 1).await.1, "pending");
    // The login page itself is public.
    assert_eq!(
        app.client
            .get(app.url("/admin/login"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
}

async fn login_sets_a_safe_cookie_refuses_wrong_passwords_and_rate_limits(backend: Backend) {
    let app =
        TestApp::spawn_with(backend, &[("PUBLIC_BASE_URL", "https://book.example.com")]).await;
    app::services::admins::upsert_admin(&app.db, ADMIN_EMAIL, ADMIN_PASSWORD)
        .await
        .unwrap();
    let origin = [("origin", "https://book.example.com")];
    let post = |password: &'static str| {
        let request = app
            .client
            .post(app.url("/api/admin/login"))
            .header("accept", "application/json")
            .header(origin[0].0, origin[0].1)
            .form(&[
                ("email", ADMIN_EMAIL),
                ("password", password),
                ("next", "/admin"),
            ]);
        async move { request.send().await.unwrap() }
    };

    let ok = post(ADMIN_PASSWORD).await;
    assert_eq!(ok.status(), 200);
    let cookie = ok.headers()["set-cookie"].to_str().unwrap().to_owned();
    for part in [
        "admin_session=",
        "HttpOnly",
        "SameSite=Lax",
        "Secure",
        "Path=/",
    ] {
        assert!(cookie.contains(part), "{part} in {cookie}");
    }

    for attempt in 1..=3 {
        let wrong = post("wrong-password-123").await;
        assert_eq!(wrong.status(), 401, "attempt {attempt}");
        assert!(wrong
            .text()
            .await
            .unwrap()
            .contains("Wrong email or password."));
    }
    // Past the free tries even the right password must wait, and is refused unchecked.
    let limited = post(ADMIN_PASSWORD).await;
    assert_eq!(limited.status(), 429);
    assert!(limited.headers().get("retry-after").is_some());
    assert!(limited.headers().get("set-cookie").is_none());
    let text = limited.text().await.unwrap();
    assert!(text.contains("Too many failed attempts"), "{text}");
}

async fn sessions_are_server_side_and_survive_a_restart(backend: Backend) {
    let first = TestApp::spawn(backend).await;
    first.login_admin().await;
    let page = first.client.get(first.url("/admin")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let cookie: String = {
        // Read the cookie the client holds by asking the server what it sees.
        let answer = first.server_fn("admin/context", &[]).await;
        assert_eq!(answer.status, 200);
        assert_eq!(answer.json()["email"], ADMIN_EMAIL);
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM admin_logins")
            .fetch_one(first.db.reader())
            .await
            .unwrap()
            .to_string()
    };
    assert_eq!(cookie, "1", "one session row, stored in the database");

    // A second server on the same database (a restart) accepts the same cookie.
    let client = first.client.clone();
    let database = first.database.shared();
    let second = TestApp::spawn_on_with_client(database, &[], client).await;
    let answer = second.server_fn("admin/context", &[]).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    // Logging out ends the session everywhere.
    let out = second.server_fn("admin/logout", &[]).await;
    assert_eq!(out.status, 200);
    let after = second.server_fn("admin/context", &[]).await;
    assert_eq!(after.status, 401);
}

async fn cross_origin_mutations_are_refused_but_the_webhook_is_not(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.login_admin().await;
    let booking = seed_booking(&app.db).await;
    let forged = app
        .client
        .post(app.url("/api/admin/attendance"))
        .header("origin", "https://evil.example")
        .form(&[
            ("booking_id", booking.to_string().as_str()),
            ("status", "cancelled"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 403);
    let cross_site = app
        .client
        .post(app.url("/api/book"))
        .header("sec-fetch-site", "cross-site")
        .form(&[("session", "1")])
        .send()
        .await
        .unwrap();
    assert_eq!(cross_site.status(), 403);
    assert_eq!(statuses(&app.db, booking).await.1, "pending");
    // Same origin works.
    let answer = app
        .server_fn(
            "admin/attendance",
            &[
                ("booking_id", &booking.to_string()),
                ("status", "cancelled"),
            ],
        )
        .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(statuses(&app.db, booking).await.1, "cancelled");
    // The webhook carries no Origin and needs none.
    let paid = paid_event("evt_origin", booking);
    let response = app
        .client
        .post(app.url("/api/stripe/webhook"))
        .header("origin", "https://hooks.stripe.com")
        .header(
            "stripe-signature",
            sign(&paid.to_string(), WEBHOOK_SECRET, now_secs()),
        )
        .body(paid.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
}

async fn attendance_and_a_webhook_at_the_same_moment_both_land(backend: Backend) {
    let app = std::sync::Arc::new(TestApp::spawn(backend).await);
    app.login_admin().await;
    let session = seed_session(&app.db, 100).await;
    for round in 0..15 {
        let booking = create_booking(&app.db, &new_booking(session, &format!("Race {round}")))
            .await
            .unwrap()
            .id;
        let webhook = {
            let app = app.clone();
            tokio::spawn(async move {
                app.deliver(&paid_event(&format!("evt_race_{round}"), booking))
                    .await
                    .status()
            })
        };
        let attendance = {
            let app = app.clone();
            tokio::spawn(async move {
                app.server_fn(
                    "admin/attendance",
                    &[
                        ("booking_id", &booking.to_string()),
                        ("status", "completed"),
                    ],
                )
                .await
                .status
            })
        };
        assert_eq!(webhook.await.unwrap(), 200);
        assert_eq!(attendance.await.unwrap(), 200);
        assert_eq!(
            statuses(&app.db, booking).await,
            ("paid".to_owned(), "completed".to_owned()),
            "round {round}"
        );
    }
    // An unknown spelling is refused and changes nothing.
    let booking = seed_booking(&app.db).await;
    let bad = app
        .server_fn(
            "admin/attendance",
            &[("booking_id", &booking.to_string()), ("status", "no_show")],
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(
        bad.body.contains("unknown attendance status"),
        "{}",
        bad.body
    );
    assert_eq!(
        statuses(&app.db, booking).await,
        ("unpaid".to_owned(), "pending".to_owned())
    );
}

async fn filters_search_sort_pages_and_csv(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.login_admin().await;
    let a = seed_session(&app.db, 100).await;
    let b = seed_session(&app.db, 100).await;
    for n in 0..30 {
        let session = if n % 3 == 0 { b } else { a };
        let mut booking = new_booking(session, &format!("Parent {n:02}"));
        booking.athlete_name = if n == 7 {
            "Zed O'Neil".into()
        } else {
            format!("Athlete {n:02}")
        };
        let id = create_booking(&app.db, &booking).await.unwrap().id;
        if n % 2 == 0 {
            app.deliver(&paid_event(&format!("evt_f{n}"), id)).await;
        }
    }
    let page = |query: &'static str| {
        let app = &app;
        async move {
            let answer = app.server_fn("admin/bookings", &[("query", query)]).await;
            assert_eq!(answer.status, 200, "{query}: {}", answer.body);
            answer.json()
        }
    };
    let all = page("").await;
    assert_eq!(all["total"], 30);
    assert_eq!(all["pages"], 2);
    assert_eq!(all["rows"].as_array().unwrap().len(), 25);
    let second = page("page=2").await;
    assert_eq!(second["rows"].as_array().unwrap().len(), 5);
    let paid = page("payment=paid").await;
    assert_eq!(paid["total"], 15);
    assert!(paid["rows"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["payment_status"] == "paid"));
    let in_b = page(Box::leak(
        format!("session={b}&payment=unpaid").into_boxed_str(),
    ))
    .await;
    assert_eq!(in_b["total"], 5);
    let search = page("q=zed%20o'neil").await;
    assert_eq!(search["total"], 1);
    assert_eq!(search["rows"][0]["athlete_name"], "Zed O'Neil");
    let by_email = page("q=PARENT.07%40EXAMPLE").await;
    assert_eq!(by_email["total"], 1);
    let wildcard = page("q=%25").await;
    assert_eq!(
        wildcard["total"], 0,
        "a % typed is a character, not a wildcard"
    );
    let underscore = page("q=parent_07").await;
    assert_eq!(underscore["total"], 0, "nor is an _");
    let short = page("q=ZE").await;
    assert_eq!(short["total"], 1, "two letters are searched too");
    assert_eq!(short["rows"][0]["athlete_name"], "Zed O'Neil");
    let sorted = page("sort=parent&dir=asc").await;
    assert_eq!(sorted["rows"][0]["parent_name"], "Parent 00");
    let paid_by_parent = page("payment=paid&attendance=pending&sort=parent&dir=desc").await;
    assert_eq!(paid_by_parent["total"], 15);
    assert_eq!(paid_by_parent["rows"][0]["parent_name"], "Parent 28");
    assert_eq!(paid_by_parent["rows"][14]["parent_name"], "Parent 00");
    let sorted = page("sort=parent").await;
    assert_eq!(sorted["rows"][0]["parent_name"], "Parent 29");
    let none = page("from=2000-01-01&to=2000-01-02").await;
    assert_eq!(none["total"], 0);

    let csv = app
        .client
        .get(app.url("/admin/bookings.csv?payment=paid&sort=parent&dir=asc"))
        .send()
        .await
        .unwrap();
    assert_eq!(csv.status(), 200);
    assert_eq!(csv.headers()["content-type"], "text/csv; charset=utf-8");
    let text = csv.text().await.unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 16, "header + 15 paid");
    assert!(lines[0].starts_with("reference,parent_name,parent_email"));
    assert!(lines[1].contains("\"Parent 00\""));
    assert!(lines.iter().skip(1).all(|l| l.contains("\"paid\"")));
}

async fn past_ten_thousand_the_count_is_a_floor(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.login_admin().await;
    let session = seed_session(&app.db, 10_000).await;
    // 10,500 bookings in a few multi-row inserts.
    for chunk in 0..21 {
        let rows: Vec<String> = (0..500)
            .map(|i| {
                let n = chunk * 500 + i;
                format!("('bulk{n:08}', {session}, 'Bulk {n}', 'b{n}@example.com', 'A', 10, 4500, 'USD', 0, 'bulk {n}', {n}, {n}, 0)")
            })
            .collect();
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO bookings (reference, training_session_id, parent_name, parent_email,
               athlete_name, athlete_age, amount, currency, held_until, search_text, created_at,
               updated_at, session_starts_at) VALUES {}",
            rows.join(",")
        )))
        .execute(app.db.writer())
        .await
        .unwrap();
    }
    let answer = app.server_fn("admin/bookings", &[("query", "")]).await;
    let page = answer.json();
    assert_eq!(page["total"], 10_000);
    assert_eq!(page["more"], true);
    assert_eq!(page["pages"], 400);
    let deep = app
        .server_fn("admin/bookings", &[("query", "page=402")])
        .await
        .json();
    assert_eq!(
        deep["pages"], 403,
        "the page looked at, and the next, exist"
    );
    assert_eq!(deep["rows"].as_array().unwrap().len(), 25);
    let html = app.get_page("/admin").await.1;
    let shown = html
        .find("data-testid=\"bookings-total\"")
        .map(|i| html[i..].chars().take(120).collect::<String>())
        .unwrap_or_default();
    assert!(
        html.contains("10000+ bookings · page 1 of 400+"),
        "the floor is shown as such: {shown}"
    );
    let search = app
        .server_fn("admin/bookings", &[("query", "q=bulk%2010049")])
        .await
        .json();
    assert_eq!(
        (search["total"].as_i64(), search["more"].as_bool()),
        (Some(1), Some(false))
    );
    // A term most bookings contain: found by walking the list, not by sorting every match.
    let broad = app
        .server_fn("admin/bookings", &[("query", "q=BULK&sort=parent&dir=asc")])
        .await
        .json();
    assert_eq!(
        (broad["total"].as_i64(), broad["more"].as_bool()),
        (Some(1_000), Some(true)),
        "a search counts to 1,000"
    );
    assert_eq!(broad["pages"], 40);
    assert_eq!(broad["rows"][0]["parent_name"], "Bulk 0");
    // A status most bookings have, sorted by another column: the same order, walked.
    let unpaid = app
        .server_fn(
            "admin/bookings",
            &[(
                "query",
                "payment=unpaid&attendance=pending&sort=parent&dir=asc&page=2",
            )],
        )
        .await
        .json();
    assert_eq!(unpaid["total"], 10_000);
    assert_eq!(unpaid["rows"][0]["parent_name"], "Bulk 10019");
    assert_eq!(unpaid["rows"].as_array().unwrap().len(), 25);
    assert_eq!(broad["rows"][1]["parent_name"], "Bulk 1");
    assert_eq!(broad["rows"][2]["parent_name"], "Bulk 10");
}

async fn live_updates_reach_an_open_dashboard(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.login_admin().await;
    let booking = seed_booking(&app.db).await;
    let mut stream = app
        .client
        .get(app.url("/api/admin/live"))
        .send()
        .await
        .unwrap();
    assert_eq!(stream.status(), 200);
    assert_eq!(stream.headers()["content-type"], "text/event-stream");
    tokio::time::sleep(Duration::from_millis(200)).await;
    app.deliver(&paid_event("evt_live", booking)).await;
    let got = tokio::time::timeout(Duration::from_secs(1), async {
        let mut seen = String::new();
        while let Some(chunk) = stream.chunk().await.unwrap() {
            seen.push_str(&String::from_utf8_lossy(&chunk));
            if seen.contains(&format!("data: {booking}")) {
                return seen;
            }
        }
        seen
    })
    .await
    .expect("the change arrives within a second");
    assert!(got.contains("event: booking"), "{got}");
}

async fn sessions_are_created_edited_and_cancelled(backend: Backend) {
    let app = TestApp::spawn_with(backend, &[("BUSINESS_TIMEZONE", "Europe/London")]).await;
    app.login_admin().await;
    let bad = app
        .server_fn(
            "admin/sessions/save",
            &[
                ("title", ""),
                ("date", "31/12/2030"),
                ("time", "25:00"),
                ("duration", "0"),
                ("location", ""),
                ("capacity", "0"),
                ("price", "4.555"),
                ("currency", "US"),
            ],
        )
        .await;
    let errors = bad.json()["Invalid"]["errors"].clone();
    for field in [
        "title", "date", "duration", "location", "capacity", "price", "currency",
    ] {
        assert!(errors.get(field).is_some(), "{field}: {errors}");
    }
    let created = app
        .server_fn(
            "admin/sessions/save",
            &[
                ("title", "Hurdles"),
                ("date", "2030-07-04"),
                ("time", "10:30"),
                ("duration", "45"),
                ("location", "Track 3"),
                ("capacity", "6"),
                ("price", "12.5"),
                ("currency", "gbp"),
            ],
        )
        .await;
    assert_eq!(created.status, 200, "{}", created.body);
    let (id, starts_at, price, currency): (i64, i64, i64, String) =
        sqlx::query_as("SELECT id, starts_at, price_amount, currency FROM training_sessions WHERE title = 'Hurdles'")
            .fetch_one(app.db.reader())
            .await
            .unwrap();
    assert_eq!(starts_at, 1_909_387_800_000, "10:30 BST is 09:30 UTC");
    assert_eq!((price, currency.as_str()), (1250, "GBP"));
    let form = app
        .server_fn("admin/session", &[("id", &id.to_string())])
        .await;
    assert_eq!(form.json()["time"], "10:30");
    assert_eq!(form.json()["price"], "12.50");
    let edited = app
        .server_fn(
            "admin/sessions/save",
            &[
                ("id", &id.to_string()),
                ("title", "Hurdles II"),
                ("date", "2030-07-04"),
                ("time", "11:00"),
                ("duration", "45"),
                ("location", "Track 3"),
                ("capacity", "8"),
                ("price", "15"),
                ("currency", "GBP"),
            ],
        )
        .await;
    assert_eq!(edited.status, 200, "{}", edited.body);
    let session = app::db::sessions::get(&app.db, id).await.unwrap().unwrap();
    assert_eq!(
        (
            session.title.as_str(),
            session.capacity,
            session.price_amount
        ),
        ("Hurdles II", 8, 1500)
    );
    let cancelled = app
        .server_fn("admin/sessions/cancel", &[("id", &id.to_string())])
        .await;
    assert_eq!(cancelled.status, 200);
    assert!(app::db::sessions::get(&app.db, id)
        .await
        .unwrap()
        .unwrap()
        .cancelled_at
        .is_some());
    assert!(
        app::db::sessions::list(&app.db, app::db::sessions::Listing::Upcoming, 10)
            .await
            .unwrap()
            .iter()
            .all(|s| s.id != id)
    );
}

async fn manual_bookings_bypass_payment(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.login_admin().await;
    let session = seed_session(&app.db, 1).await;
    let answer = app
        .server_fn(
            "admin/bookings/manual",
            &[
                ("session", &session.to_string()),
                ("parent_name", "Walk In"),
                ("parent_email", "walk@example.com"),
                ("athlete_name", "Kim"),
                ("athlete_age", "14"),
            ],
        )
        .await;
    // How it was settled is asked: without it the form comes back, nothing booked.
    assert_eq!(answer.status, 422, "{}", answer.body);
    assert!(
        answer.body.contains("paid outside Stripe or is free"),
        "{}",
        answer.body
    );
    let answer = app
        .server_fn(
            "admin/bookings/manual",
            &[
                ("session", &session.to_string()),
                ("parent_name", "Walk In"),
                ("parent_email", "walk@example.com"),
                ("athlete_name", "Kim"),
                ("athlete_age", "14"),
                ("settled", "free"),
            ],
        )
        .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert!(answer.redirect.unwrap().starts_with("/admin/bookings/"));
    let settled: Option<String> = sqlx::query_scalar("SELECT manual_payment FROM bookings")
        .fetch_one(app.db.reader())
        .await
        .unwrap();
    assert_eq!(settled.as_deref(), Some("free"));
    let (payment, attendance, source): (String, String, String) =
        sqlx::query_as("SELECT payment_status, attendance_status, source FROM bookings")
            .fetch_one(app.db.reader())
            .await
            .unwrap();
    assert_eq!(
        (payment.as_str(), attendance.as_str(), source.as_str()),
        ("unpaid", "manual", "manual")
    );
    // It takes the only place.
    let full = app
        .server_fn("book", &as_pairs(&booking_form(session, "Late Parent")))
        .await;
    assert!(full.body.contains("now full"), "{}", full.body);
}

/// The `<option>` of a session in a page's session picker.
fn session_option(html: &str, session: i64) -> String {
    let start = html
        .find(&format!("<option value=\"{session}\""))
        .unwrap_or_else(|| panic!("no option for session {session}"));
    html[start..start + html[start..].find("</option>").unwrap()].to_owned()
}

async fn both_forms_pick_sessions_from_their_own_lists(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.login_admin().await;
    let full = seed_session(&app.db, 1).await;
    create_booking(&app.db, &new_booking(full, "Early Parent"))
        .await
        .unwrap();
    let open = seed_session(&app.db, 5).await;
    let cancelled = seed_session(&app.db, 5).await;
    app::db::sessions::cancel(&app.db, cancelled).await.unwrap();
    let page = |path: &'static str| {
        let app = &app;
        async move {
            let (status, html) = app.get_page(path).await;
            assert_eq!(status, 200, "{path}");
            html
        }
    };

    // The parent's form: a full session is shown as full and cannot be chosen.
    let book = page("/book").await;
    let option = session_option(&book, full);
    assert!(
        option.contains("disabled") && option.contains("– full"),
        "{option}"
    );
    let option = session_option(&book, open);
    assert!(
        !option.contains("disabled") && option.contains("(5 left)"),
        "{option}"
    );
    assert!(!book.contains(&format!("<option value=\"{cancelled}\"")));

    // The admin's manual booking: places taken out of capacity, cancelled sessions left out.
    let manual = page("/admin/bookings/new").await;
    assert!(session_option(&manual, full).contains("(1/1 taken)"));
    assert!(session_option(&manual, open).contains("(0/5 taken)"));
    assert!(!manual.contains(&format!("<option value=\"{cancelled}\"")));
}

on_both_databases!(
    both_forms_pick_sessions_from_their_own_lists,
    everything_admin_is_refused_without_a_session,
    login_sets_a_safe_cookie_refuses_wrong_passwords_and_rate_limits,
    sessions_are_server_side_and_survive_a_restart,
    cross_origin_mutations_are_refused_but_the_webhook_is_not,
    attendance_and_a_webhook_at_the_same_moment_both_land,
    filters_search_sort_pages_and_csv,
    past_ten_thousand_the_count_is_a_floor,
    live_updates_reach_an_open_dashboard,
    sessions_are_created_edited_and_cancelled,
    manual_bookings_bypass_payment,
);

/// Two server instances on one PostgreSQL: a webhook delivered to one updates a dashboard open
/// on the other (LISTEN/NOTIFY).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_webhook_on_one_instance_updates_a_dashboard_on_the_other() {
    let first = TestApp::spawn(Backend::Postgres).await;
    let database = first.database.shared();
    let second = TestApp::spawn_on(database, &[]).await;
    second.login_admin().await;
    let booking = seed_booking(&first.db).await;
    let mut stream = second
        .client
        .get(second.url("/api/admin/live"))
        .send()
        .await
        .unwrap();
    assert_eq!(stream.status(), 200);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let delivered = first
        .deliver(&paid_event("evt_cross_instance", booking))
        .await;
    assert_eq!(delivered.status(), 200);
    let seen = tokio::time::timeout(Duration::from_secs(1), async {
        let mut seen = String::new();
        while let Some(chunk) = stream.chunk().await.unwrap() {
            seen.push_str(&String::from_utf8_lossy(&chunk));
            if seen.contains(&format!("data: {booking}")) {
                break;
            }
        }
        seen
    })
    .await
    .expect("the other instance hears of it within a second");
    assert!(seen.contains("event: booking"));
    let page = second.server_fn("admin/bookings", &[("query", "")]).await;
    assert_eq!(page.json()["rows"][0]["payment_status"], "paid");
}
