//! The edges of a booking's life where money or the server could be abused: a payment that
//! lands after its booking was cancelled is returned (never "your place is confirmed"), a
//! cancelled booking's open checkout is closed, a cancelled booking put back needs a free
//! place, a refund Stripe never answered is given up once its key is forgotten, and one client
//! cannot hold the server.

use crate::support::fake_stripe::FakeStripe;
use crate::support::*;
use std::time::{Duration, Instant};

/// A training session three days ahead (well before the 24-hour cut-off).
async fn session_in_three_days(db: &app::db::Db, capacity: i64) -> i64 {
    seed_session_in(db, capacity, 3).await
}

/// The app taking payments through the fake Stripe.
async fn stripe_app(backend: Backend, fake: &FakeStripe) -> TestApp {
    TestApp::spawn_with(
        backend,
        &[
            ("PAYMENT_MODE", "stripe"),
            ("STRIPE_SECRET_KEY", "sk_test_edges_suite_key"),
            ("STRIPE_API_BASE", &fake.base_url),
        ],
    )
    .await
}

/// Waits (up to `within`) until `done` says so.
async fn eventually<F, Fut>(within: Duration, what: &str, mut done: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let until = Instant::now() + within;
    while !done().await {
        assert!(Instant::now() < until, "not within {within:?}: {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The kinds of mail queued for a booking, in order.
async fn mail_kinds(db: &app::db::Db, booking: i64) -> Vec<String> {
    sqlx::query_scalar("SELECT kind FROM outbox WHERE booking_id = $1 ORDER BY id")
        .bind(booking)
        .fetch_all(db.reader())
        .await
        .unwrap()
}

async fn a_bank_payment_that_clears_after_the_cancellation_is_returned(backend: Backend) {
    // The bank debit clears 1.5 s after the checkout completes.
    let app = TestApp::spawn_with(backend, &[("SIMULATED_DELAY_MS", "1500")]).await;
    let session = session_in_three_days(&app.db, 5).await;
    let (id, reference, checkout) = book_online(&app, session, "Bank Parent").await;
    press_simulated(&app, &checkout, "delayed").await;
    assert_eq!(
        statuses(&app.db, id).await.0,
        "unpaid",
        "the debit is clearing"
    );
    // Nothing was paid yet, so nothing is refunded by the cancellation itself.
    let cancel = app
        .server_fn("bookings/cancel", &[("reference", &reference)])
        .await;
    assert_eq!(cancel.status, 200, "{}", cancel.body);
    assert_eq!(count(&app.db, "refunds").await, 0);

    // The debit clears: the money is returned in full, under its own key, and the booking's
    // two tags say what happened.
    eventually(
        Duration::from_secs(30),
        "refunded and cancelled",
        || async { statuses(&app.db, id).await == ("refunded".into(), "cancelled".into()) },
    )
    .await;
    let key: String =
        sqlx::query_scalar("SELECT idempotency_key FROM refunds WHERE booking_id = $1")
            .bind(id)
            .fetch_one(app.db.reader())
            .await
            .unwrap();
    assert_eq!(key, format!("refund-{reference}-late"));
    let kinds = mail_kinds(&app.db, id).await;
    assert!(
        kinds.contains(&"late_payment_returned".to_owned()),
        "{kinds:?}"
    );
    assert!(
        !kinds.contains(&"payment_received".to_owned()),
        "never 'your place is confirmed': {kinds:?}"
    );
    // The admin sees it among payment issues.
    let line = payment_logs(&app.db)
        .await
        .into_iter()
        .find(|l| {
            l.booking_id == Some(id)
                && l.message
                    .as_deref()
                    .is_some_and(|m| m.contains("arrived after the booking was cancelled"))
        })
        .expect("a payment-issues line");
    assert_eq!(line.level, "warning");
    // The place stayed free.
    let free = app::db::sessions::get(&app.db, session)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(free.places_taken, 0);
}

async fn cancelling_closes_the_open_checkout(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let session = session_in_three_days(&app.db, 5).await;
    let (id, reference, checkout) = book_online(&app, session, "Open Tab").await;
    let cancel = app
        .server_fn("bookings/cancel", &[("reference", &reference)])
        .await;
    assert_eq!(cancel.status, 200, "{}", cancel.body);
    // The tab left open can no longer pay.
    let pay = app
        .client
        .post(app.url(&format!("/api/simulated/checkout/{checkout}/pay")))
        .header("origin", &app.address)
        .send()
        .await
        .unwrap();
    assert_eq!(pay.status(), 303);
    let to = pay.headers()["location"].to_str().unwrap().to_owned();
    assert!(to.ends_with("problem=closed"), "{to}");
    // Its expiry comes back through the webhook, and the booking stays unpaid and cancelled.
    eventually(Duration::from_secs(10), "the checkout expired", || async {
        app::db::bookings::by_id(&app.db, id)
            .await
            .unwrap()
            .unwrap()
            .stripe_checkout_session_id
            .is_none()
    })
    .await;
    assert_eq!(
        statuses(&app.db, id).await,
        ("unpaid".into(), "cancelled".into())
    );
}

async fn with_stripe_a_late_payment_is_refunded_and_the_checkout_expired(backend: Backend) {
    let fake = FakeStripe::start().await;
    let app = stripe_app(backend, &fake).await;
    let session = session_in_three_days(&app.db, 5).await;
    let (id, reference, checkout) = book_online(&app, session, "Stripe Parent").await;
    assert_eq!(fake.session(&checkout).unwrap().status, "open");
    let cancel = app
        .server_fn("bookings/cancel", &[("reference", &reference)])
        .await;
    assert_eq!(cancel.status, 200, "{}", cancel.body);
    // Stripe was asked to expire the session, as its API says.
    let expire = format!("/v1/checkout/sessions/{checkout}/expire");
    assert!(
        fake.requests()
            .iter()
            .any(|r| r.method == "POST" && r.path == expire),
        "{:?}",
        fake.requests()
    );
    assert!(fake.rejections().is_empty(), "{:?}", fake.rejections());
    assert_eq!(fake.session(&checkout).unwrap().status, "expired");

    // A payment that got through anyway (Stripe completed it just before): returned in full.
    let intent = "pi_late_edges";
    fake.register_payment(intent, 4500, "usd");
    let late = server::simulated::events::event(
        "evt_late_edges",
        "checkout.session.completed",
        now_secs(),
        server::simulated::events::checkout_session(&server::simulated::events::SessionState {
            session_id: &checkout,
            booking_id: id,
            amount: 4500,
            currency: "usd",
            status: "complete",
            payment_status: "paid",
            payment_intent: Some(intent),
            url: None,
            created: now_secs(),
            expires_at: now_secs() + 1800,
        }),
    );
    assert_eq!(app.deliver(&late).await.status(), 200);
    assert_eq!(
        statuses(&app.db, id).await,
        ("paid".into(), "cancelled".into()),
        "Stripe's word on the money, people's on the place"
    );
    eventually(
        Duration::from_secs(15),
        "the refund asked of Stripe",
        || async { !fake.refunds().is_empty() },
    )
    .await;
    let refunds = fake.refunds();
    assert_eq!(refunds.len(), 1, "{refunds:?}");
    assert_eq!(refunds[0].amount, 4500);
    assert_eq!(refunds[0].payment_intent.as_deref(), Some(intent));
    let sent_key = fake
        .requests()
        .iter()
        .find(|r| r.path == "/v1/refunds")
        .and_then(|r| r.headers.get("idempotency-key").cloned());
    assert_eq!(sent_key, Some(format!("refund-{reference}-late")));
    let kinds = mail_kinds(&app.db, id).await;
    assert!(
        kinds.contains(&"late_payment_returned".to_owned()),
        "{kinds:?}"
    );
    assert!(!kinds.contains(&"payment_received".to_owned()), "{kinds:?}");
}

async fn a_cancelled_booking_put_back_needs_a_free_place(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.login_admin().await;
    let session = session_in_three_days(&app.db, 1).await;
    let (first, _, checkout) = book_online(&app, session, "First Family").await;
    press_simulated(&app, &checkout, "pay").await;
    // The admin cancels it without a refund (paid outside the app's reach, say).
    let cancel = app
        .server_fn("admin/bookings/cancel", &[("id", &first.to_string())])
        .await;
    assert_eq!(cancel.status, 200, "{}", cancel.body);
    // The place goes to another family.
    let (second, _, checkout) = book_online(&app, session, "Second Family").await;
    press_simulated(&app, &checkout, "pay").await;
    assert_eq!(statuses(&app.db, second).await.0, "paid");

    let put_back = app
        .server_fn(
            "admin/attendance",
            &[("booking_id", &first.to_string()), ("status", "confirmed")],
        )
        .await;
    assert_eq!(put_back.status, 409, "{}", put_back.body);
    assert!(
        put_back.body.contains("the session is full"),
        "{}",
        put_back.body
    );
    assert_eq!(statuses(&app.db, first).await.1, "cancelled");
    let taken = app::db::sessions::get(&app.db, session)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(taken.places_taken, 1, "never overbooked");

    // Once the place is free again, it can be put back.
    let cancel = app
        .server_fn("admin/bookings/cancel", &[("id", &second.to_string())])
        .await;
    assert_eq!(cancel.status, 200, "{}", cancel.body);
    let put_back = app
        .server_fn(
            "admin/attendance",
            &[("booking_id", &first.to_string()), ("status", "confirmed")],
        )
        .await;
    assert_eq!(put_back.status, 200, "{}", put_back.body);
    assert_eq!(statuses(&app.db, first).await.1, "confirmed");
}

async fn a_refund_unanswered_past_the_idempotency_window_is_given_up(backend: Backend) {
    let fake = FakeStripe::start().await;
    let app = stripe_app(backend, &fake).await;
    let booking = seed_booking(&app.db).await;
    app.deliver(&paid_event("evt_window_paid", booking)).await;
    fake.register_payment("pi_evt_window_paid", 4500, "usd");
    // Two requests nobody answered: one kept a day ago (its key forgotten by Stripe), one now.
    let day_ago = app::db::now_ms() - 24 * 60 * 60 * 1000;
    let paid = app::db::bookings::by_id(&app.db, booking)
        .await
        .unwrap()
        .unwrap();
    for (suffix, at, amount) in [("old", day_ago, 1000), ("new", app::db::now_ms(), 500)] {
        let mut tx = app.db.begin().await.unwrap();
        app::db::refunds::insert(
            &mut tx,
            app::db::refunds::NewRefund {
                booking_id: booking,
                idempotency_key: &format!("refund-{}-{suffix}", paid.reference),
                amount,
                currency: "USD",
                reason: "requested_by_customer",
                requested_by: "admin:coach@example.com",
            },
            at,
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
    }
    // The resumer sends the new one within seconds, and gives the old one up.
    eventually(Duration::from_secs(15), "both looked at", || async {
        let open: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM refunds WHERE status = 'requested'")
                .fetch_one(app.db.reader())
                .await
                .unwrap();
        open == 0
    })
    .await;
    let sent = fake.refunds();
    assert_eq!(
        sent.len(),
        1,
        "only the new request reached Stripe: {sent:?}"
    );
    assert_eq!(sent[0].amount, 500);
    let (status, why): (String, Option<String>) = sqlx::query_as(
        "SELECT status, failure_reason FROM refunds WHERE idempotency_key LIKE '%-old'",
    )
    .fetch_one(app.db.reader())
    .await
    .unwrap();
    assert_eq!(status, "failed");
    assert!(
        why.unwrap_or_default().contains("24-hour"),
        "the reason is kept"
    );
    assert!(
        payment_logs(&app.db)
            .await
            .iter()
            .any(|l| l.level == "error"
                && l.message
                    .as_deref()
                    .is_some_and(|m| m.contains("idempotency window"))),
        "shown in payment issues"
    );
}

/// A waitlist form for `session` in the name of `parent`, with `email` and `athlete`.
fn waitlist_form(session: i64, parent: &str, email: &str, athlete: &str) -> Vec<(String, String)> {
    let mut form = booking_form(session, parent);
    for (key, value) in &mut form {
        match key.as_str() {
            "parent_email" => *value = email.to_owned(),
            "athlete_name" => *value = athlete.to_owned(),
            _ => {}
        }
    }
    form
}

async fn a_waitlist_place_is_confirmed_from_its_address_before_it_is_offered(backend: Backend) {
    let mail = crate::support::maildev::MailDev::start().await;
    let url = mail.smtp_url();
    let app = TestApp::spawn_with(
        backend,
        &[
            ("SMTP_URL", url.as_str()),
            ("MAIL_FROM", "Riverside Coaching <bookings@example.com>"),
        ],
    )
    .await;
    app.login_admin().await;
    let session = session_in_three_days(&app.db, 1).await;
    let (holder, _, checkout) = book_online(&app, session, "Place Holder").await;
    press_simulated(&app, &checkout, "pay").await;

    // Someone puts a stranger's address on the waitlist, with words of their choosing.
    let stranger = waitlist_form(
        session,
        "Buy Cheap Watches",
        "victim@example.com",
        "Visit spam.example",
    );
    let joined = app.server_fn("waitlist/join", &as_pairs(&stranger)).await;
    assert_eq!(joined.status, 200, "{}", joined.body);
    assert_eq!(
        joined.redirect.as_deref(),
        Some("/waitlist/joined"),
        "the browser never learns the place's link"
    );
    // A real family joins after, and confirms from its mail.
    let family = waitlist_form(session, "Real Parent", "real@example.com", "Sam");
    assert_eq!(
        app.server_fn("waitlist/join", &as_pairs(&family))
            .await
            .status,
        200
    );
    // The holder's two (booked, paid), the stranger's address's one, the family's one.
    let mails = mail.wait_for(4, Duration::from_secs(20)).await;
    let to_victim: Vec<_> = mails
        .iter()
        .filter(|m| m.to == ["victim@example.com"])
        .collect();
    assert_eq!(to_victim.len(), 1, "{mails:#?}");
    for typed in ["Buy Cheap Watches", "Visit spam.example", "spam.example"] {
        assert!(!to_victim[0].text.contains(typed), "{}", to_victim[0].text);
        assert!(!to_victim[0].html.contains(typed));
        assert!(!to_victim[0].subject.contains(typed));
    }
    let to_family = mails
        .iter()
        .find(|m| m.to == ["real@example.com"])
        .expect("the family's mail");
    let link = to_family
        .text
        .lines()
        .find_map(|line| line.strip_prefix("Confirm the waitlist place: "))
        .expect("the confirming link")
        .to_owned();
    let token = link.rsplit('/').next().unwrap().to_owned();
    let page = app.get_page(&format!("/waitlist/{token}")).await.1;
    assert!(page.contains("Confirm your waitlist place"), "{page}");
    let confirmed = app
        .server_fn("waitlist/confirm", &[("token", token.as_str())])
        .await;
    assert_eq!(confirmed.status, 200, "{}", confirmed.body);
    let again = app
        .server_fn("waitlist/confirm", &[("token", token.as_str())])
        .await;
    assert_eq!(again.status, 409, "{}", again.body);

    // The place frees: it goes to the confirmed family, not to the earlier unconfirmed entry.
    let cancel = app
        .server_fn("admin/bookings/cancel", &[("id", &holder.to_string())])
        .await;
    assert_eq!(cancel.status, 200, "{}", cancel.body);
    eventually(Duration::from_secs(15), "the offer", || async {
        let offered: Vec<String> = sqlx::query_scalar(
            "SELECT parent_email FROM waitlist WHERE status = 'offered' ORDER BY id",
        )
        .fetch_all(app.db.reader())
        .await
        .unwrap();
        offered == ["real@example.com"]
    })
    .await;

    // An address collects only a few places awaiting its confirmation.
    for athlete in ["Two", "Three"] {
        let more = waitlist_form(session, "Buy Cheap Watches", "victim@example.com", athlete);
        assert_eq!(
            app.server_fn("waitlist/join", &as_pairs(&more))
                .await
                .status,
            200
        );
    }
    let fourth = waitlist_form(session, "Buy Cheap Watches", "victim@example.com", "Four");
    let refused = app.server_fn("waitlist/join", &as_pairs(&fourth)).await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(
        refused.body.contains("places to confirm"),
        "{}",
        refused.body
    );
}

async fn find_my_booking_mails_an_address_once_in_ten_minutes_and_works_alike_for_any(
    backend: Backend,
) {
    // Without a mail server the outbox keeps what each request wrote: the same for any address.
    let kept = TestApp::spawn(backend).await;
    let session = seed_session(&kept.db, 10).await;
    book_online(&kept, session, "Lost Link").await;
    let lookups = |db: app::db::Db, to: &'static str| async move {
        sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM outbox WHERE kind = 'booking_lookup' AND recipient = $1",
        )
        .bind(to)
        .fetch_one(db.reader())
        .await
        .unwrap()
    };
    for to in ["lost.link@example.com", "nobody@example.com"] {
        let asked = kept.server_fn("bookings/find", &[("email", to)]).await;
        assert_eq!(asked.status, 200);
    }
    assert_eq!(lookups(kept.db.clone(), "lost.link@example.com").await, 1);
    assert_eq!(
        lookups(kept.db.clone(), "nobody@example.com").await,
        1,
        "the same write for an address without bookings"
    );

    // Through a mail server: asked five times, one mail; an address without bookings, none.
    let mail = crate::support::maildev::MailDev::start().await;
    let url = mail.smtp_url();
    let app = TestApp::spawn_with(
        backend,
        &[
            ("SMTP_URL", url.as_str()),
            ("MAIL_FROM", "Riverside Coaching <bookings@example.com>"),
        ],
    )
    .await;
    let session = seed_session(&app.db, 10).await;
    let (_, reference, _) = book_online(&app, session, "Lost Link").await;
    for _ in 0..5 {
        let asked = app
            .server_fn("bookings/find", &[("email", "lost.link@example.com")])
            .await;
        assert_eq!(asked.status, 200);
        let stranger = app
            .server_fn("bookings/find", &[("email", "nobody@example.com")])
            .await;
        assert_eq!(stranger.status, 200);
        assert_eq!(asked.body, stranger.body);
    }
    mail.wait_for(2, Duration::from_secs(20)).await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    let mails = mail.emails().await;
    let lookup: Vec<_> = mails
        .iter()
        .filter(|m| m.subject.starts_with("Your bookings with"))
        .collect();
    assert_eq!(lookup.len(), 1, "{mails:#?}");
    assert!(lookup[0].text.contains(&format!("/bookings/{reference}")));
    assert!(
        mails.iter().all(|m| m.to != ["nobody@example.com"]),
        "{mails:#?}"
    );
    eventually(
        Duration::from_secs(10),
        "nothing left for nobody",
        || async { lookups(app.db.clone(), "nobody@example.com").await == 0 },
    )
    .await;
}

async fn junk_forms_with_a_familys_address_do_not_spend_its_allowance(backend: Backend) {
    let app = TestApp::spawn_with(
        backend,
        &[
            ("BOOKING_REQUESTS_PER_EMAIL_PER_HOUR", "3"),
            ("BOOKING_REQUESTS_PER_CLIENT_PER_HOUR", "1000"),
        ],
    )
    .await;
    let session = session_in_three_days(&app.db, 50).await;
    let mut junk = waitlist_form(session, "Family", "family@example.com", "Sam");
    junk.retain(|(key, _)| key != "consent");
    for _ in 0..10 {
        let refused = app.server_fn("book", &as_pairs(&junk)).await;
        assert_eq!(refused.status, 422, "{}", refused.body);
    }
    let real = waitlist_form(session, "Family", "family@example.com", "Sam");
    let booked = app.server_fn("book", &as_pairs(&real)).await;
    assert_eq!(
        booked.status, 200,
        "the family is not kept waiting: {}",
        booked.body
    );
}

async fn a_refused_form_without_javascript_comes_back_through_a_small_cookie(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let session = session_in_three_days(&app.db, 5).await;
    let mut form = waitlist_form(session, "Nora Notes", "nora@example.com", "Sam");
    // The longest notes there may be, in characters that take four bytes each.
    let notes = "🏃".repeat(1000);
    for (key, value) in &mut form {
        if key == "notes" {
            *value = notes.clone();
        }
    }
    form.retain(|(key, _)| key != "consent");
    let response = app
        .client
        .post(app.url("/api/book"))
        .header("accept", "text/html")
        .header("origin", &app.address)
        .header("referer", app.url(&format!("/book?session={session}")))
        .form(&as_pairs(&form))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    let to = response.headers()["location"].to_str().unwrap().to_owned();
    assert!(!to.contains("__err") && !to.contains("nora"), "{to}");
    let cookies: usize = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.len())
        .sum();
    assert!(cookies > 0 && cookies < 200, "{cookies} bytes of cookies");
    let page = app.client.get(app.url(&to)).send().await.unwrap();
    assert_eq!(page.status(), 422);
    let html = page.text().await.unwrap();
    assert!(html.contains(&notes), "what was typed comes back whole");
    assert!(html.contains("nora@example.com"));
    // Taken once: the next load is the clean form.
    let again = app.client.get(app.url(&to)).send().await.unwrap();
    assert_eq!(again.status(), 200);
}

on_both_databases!(
    a_waitlist_place_is_confirmed_from_its_address_before_it_is_offered,
    find_my_booking_mails_an_address_once_in_ten_minutes_and_works_alike_for_any,
    junk_forms_with_a_familys_address_do_not_spend_its_allowance,
    a_refused_form_without_javascript_comes_back_through_a_small_cookie,
    a_bank_payment_that_clears_after_the_cancellation_is_returned,
    cancelling_closes_the_open_checkout,
    with_stripe_a_late_payment_is_refunded_and_the_checkout_expired,
    a_cancelled_booking_put_back_needs_a_free_place,
    a_refund_unanswered_past_the_idempotency_window_is_given_up,
);

/// One client opens many requests that declare a body and never send it: it gets no more
/// than its own share of the server, its requests end at the body deadline, and another
/// client's page answers at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_client_cannot_hold_the_server() {
    bounded(async {
        let app = TestApp::spawn_with(
            Backend::Sqlite,
            &[
                // Fewer than the holder's requests: before each client had its own cap, the
                // holder took them all.
                ("MAX_IN_FLIGHT_REQUESTS", "64"),
                ("MAX_IN_FLIGHT_PER_CLIENT", "16"),
                ("REQUEST_BODY_TIMEOUT_SECS", "3"),
            ],
        )
        .await;
        // The holder speaks HTTP/2 without TLS (prior knowledge), many streams per connection.
        let holder = reqwest::Client::builder()
            .http2_prior_knowledge()
            .build()
            .unwrap();
        let started = Instant::now();
        let mut held = tokio::task::JoinSet::new();
        for _ in 0..100 {
            let holder = holder.clone();
            let url = app.url("/api/book");
            let origin = app.address.clone();
            held.spawn(async move {
                let never = futures_util::stream::pending::<Result<Vec<u8>, std::io::Error>>();
                holder
                    .post(url)
                    .header("origin", origin)
                    .header("content-type", "application/x-www-form-urlencoded")
                    .header("content-length", "100")
                    .body(reqwest::Body::wrap_stream(never))
                    .send()
                    .await
                    .map(|r| r.status().as_u16())
                    .unwrap_or(0)
            });
        }
        tokio::time::sleep(Duration::from_millis(800)).await;
        // Another client (another loopback address) while the holder holds all it may.
        let other = reqwest::Client::builder()
            .local_address("127.0.0.2".parse::<std::net::IpAddr>().unwrap())
            .build()
            .unwrap();
        let asked = Instant::now();
        let page = other.get(app.url("/")).send().await.unwrap();
        assert_eq!(page.status(), 200);
        assert!(
            asked.elapsed() < Duration::from_secs(1),
            "answered in {:?}",
            asked.elapsed()
        );
        // Every held request ends at the body deadline, not the request timeout.
        let mut answers = Vec::new();
        while let Some(answer) = held.join_next().await {
            answers.push(answer.unwrap());
        }
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "held for {:?}",
            started.elapsed()
        );
        assert!(
            answers.iter().all(|status| *status != 200),
            "no body ever came: {answers:?}"
        );
        assert!(
            answers.contains(&503),
            "past its share the holder is told to retry: {answers:?}"
        );
    })
    .await
}

/// Two instances on PostgreSQL, one mail server slower than a sender's hold on its batch:
/// each mail still arrives once (each try is held on its own, under the claim's token).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_slow_mail_server_gets_each_mail_once_from_two_instances() {
    bounded(async {
        let mail = crate::support::maildev::MailDev::start().await;
        let relay =
            crate::support::maildev::SlowRelay::start(mail.smtp_port(), Duration::from_millis(250))
                .await;
        let url = relay.smtp_url();
        let database = TestDatabase::create(Backend::Postgres).await;
        // A try is held for 6 s; a batch of a dozen mails at a second or more each outlasts it.
        let vars = [
            ("SMTP_URL", url.as_str()),
            ("MAIL_FROM", "Riverside Coaching <bookings@example.com>"),
            ("MAIL_SEND_TIMEOUT_SECS", "3"),
        ];
        let first = TestApp::spawn_on(database.shared(), &vars).await;
        let session = seed_session(&first.db, 100).await;
        for n in 0..12 {
            create_booking(&first.db, &new_booking(session, &format!("Slow {n}")))
                .await
                .unwrap();
        }
        // The second instance comes while the first is part-way through its batch.
        tokio::time::sleep(Duration::from_millis(500)).await;
        let _second = TestApp::spawn_on(database, &vars).await;
        let got = mail.wait_for(12, Duration::from_secs(60)).await;
        tokio::time::sleep(Duration::from_secs(5)).await;
        let got = if got.len() >= 12 {
            mail.emails().await
        } else {
            got
        };
        let mut recipients: Vec<String> = got.iter().flat_map(|m| m.to.clone()).collect();
        recipients.sort();
        let all = recipients.len();
        recipients.dedup();
        assert_eq!(
            (all, recipients.len()),
            (12, 12),
            "each mail once: {recipients:?}"
        );
    })
    .await
}
