//! After the payment, through a real SMTP server (maildev, started here on free ports): the
//! mails of each change arrive once, with a working link and a calendar entry that parses;
//! they survive an SMTP outage and a `kill -9` between the commit and the send, and two
//! instances never send one twice. Parents cancel (before the cut-off only), admins cancel and
//! refund, a whole session is cancelled and refunded, and attendance keeps its history.

use crate::support::maildev::{MailDev, ReceivedEmail};
use crate::support::*;
use std::time::Duration;

const FROM: &str = "Riverside Coaching <bookings@example.com>";

async fn mailing_app(backend: Backend, mail: &MailDev, more: &[(&str, &str)]) -> TestApp {
    let url = mail.smtp_url();
    let mut vars = vec![
        ("SMTP_URL", url.as_str()),
        ("MAIL_FROM", FROM),
        ("BUSINESS_NAME", "Riverside Coaching"),
        ("SIMULATED_DELAY_MS", "300"),
    ];
    vars.extend_from_slice(more);
    TestApp::spawn_with(backend, &vars).await
}

fn with_subject<'a>(mails: &'a [ReceivedEmail], start: &str) -> Vec<&'a ReceivedEmail> {
    mails
        .iter()
        .filter(|m| m.subject.starts_with(start))
        .collect()
}

/// The mails that arrive within a moment after `n` have (so that a duplicate would show).
async fn settle(mail: &MailDev, n: usize) -> Vec<ReceivedEmail> {
    mail.wait_for(n, Duration::from_secs(20)).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    mail.emails().await
}

async fn a_booking_and_its_payment_each_send_one_mail(backend: Backend) {
    let mail = MailDev::start().await;
    let app = mailing_app(backend, &mail, &[]).await;
    let session = seed_session(&app.db, 10).await;
    let (_, reference, checkout) = book_online(&app, session, "Pat Parent").await;
    press_simulated(&app, &checkout, "pay").await;
    let mails = settle(&mail, 2).await;
    assert_eq!(mails.len(), 2, "{mails:#?}");

    let confirmation = with_subject(&mails, "Your booking: Sprint technique")[0];
    assert_eq!(confirmation.to, ["pat.parent@example.com"]);
    assert_eq!(confirmation.from, ["bookings@example.com"]);
    let link = format!("{}/bookings/{reference}", app.address);
    assert!(confirmation.text.contains(&link), "{}", confirmation.text);
    assert!(confirmation.html.contains(&format!("href=\"{link}\"")));
    let (status, page) = app.get_page(&format!("/bookings/{reference}")).await;
    assert_eq!(status, 200);
    assert!(
        page.contains("Sprint technique"),
        "the mailed link opens the booking"
    );
    let ics = String::from_utf8(
        confirmation
            .attachment("session.ics")
            .unwrap()
            .content
            .clone(),
    )
    .unwrap();
    let starts: i64 = sqlx::query_scalar("SELECT starts_at FROM training_sessions WHERE id = $1")
        .bind(session)
        .fetch_one(app.db.reader())
        .await
        .unwrap();
    let start = chrono::DateTime::from_timestamp_millis(starts).unwrap();
    let end = start + chrono::Duration::minutes(60);
    for line in [
        "BEGIN:VCALENDAR".to_owned(),
        "BEGIN:VEVENT".to_owned(),
        format!("DTSTART:{}", start.format("%Y%m%dT%H%M%SZ")),
        format!("DTEND:{}", end.format("%Y%m%dT%H%M%SZ")),
        "LOCATION:Track 2".to_owned(),
        "END:VCALENDAR".to_owned(),
    ] {
        assert!(ics.lines().any(|l| l.trim_end() == line), "{line} in {ics}");
    }

    let receipt = with_subject(&mails, "Booking confirmed")[0];
    assert!(
        receipt.text.contains("Amount paid: $45.00"),
        "{}",
        receipt.text
    );
    assert!(receipt.text.contains("Paid on: "));
    let payment: String =
        sqlx::query_scalar("SELECT stripe_payment_intent_id FROM bookings WHERE reference = $1")
            .bind(&reference)
            .fetch_one(app.db.reader())
            .await
            .unwrap();
    // The receipt names the booking's reference, not Stripe's id of the payment.
    assert!(receipt.text.contains(&format!("Reference: {reference}")));
    assert!(!receipt.text.contains(&payment), "{}", receipt.text);
    assert_eq!(count(&app.db, "outbox").await, 2);
}

async fn a_failed_payment_mails_a_way_to_try_again(backend: Backend) {
    let mail = MailDev::start().await;
    let app = mailing_app(backend, &mail, &[]).await;
    let session = seed_session(&app.db, 10).await;
    let (_, reference, checkout) = book_online(&app, session, "Sam Declined").await;
    press_simulated(&app, &checkout, "decline").await;
    let mails = settle(&mail, 2).await;
    let failed = with_subject(&mails, "Payment failed")[0];
    assert!(
        failed.text.contains("Your card was declined."),
        "{}",
        failed.text
    );
    assert!(failed.text.contains(&format!(
        "Try paying again: {}/bookings/{reference}",
        app.address
    )));
}

async fn an_smtp_outage_delays_the_mail_and_sends_it_once(backend: Backend) {
    let mut mail = MailDev::start().await;
    let port = mail.smtp_port();
    let app = mailing_app(backend, &mail, &[]).await;
    mail.stop();
    let session = seed_session(&app.db, 10).await;
    let (_, _, checkout) = book_online(&app, session, "Outage Parent").await;
    press_simulated(&app, &checkout, "pay").await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let waiting: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM outbox WHERE status = 'pending' AND attempts >= 1",
    )
    .fetch_one(app.db.reader())
    .await
    .unwrap();
    assert_eq!(waiting, 2, "both mails tried and waiting for the server");
    let mail = MailDev::start_on(port).await;
    let mails = mail.wait_for(2, Duration::from_secs(30)).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let mails_after = mail.emails().await;
    assert_eq!(mails_after.len(), 2, "{mails:#?}");
    assert_eq!(with_subject(&mails_after, "Booking confirmed").len(), 1);
    let sent: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE status = 'sent'")
        .fetch_one(app.db.reader())
        .await
        .unwrap();
    assert_eq!(sent, 2);
}

async fn a_crash_between_commit_and_send_sends_after_restart_once(backend: Backend) {
    let database = TestDatabase::create(backend).await;
    let port = free_port();
    let url = format!("smtp://127.0.0.1:{port}");
    let log = std::env::temp_dir().join(format!(
        "booking_crash_mail_{}_{}.log",
        std::process::id(),
        backend.name()
    ));
    let vars = [
        ("DATABASE_URL", database.url.as_str()),
        ("PAYMENT_MODE", "simulated"),
        ("STRIPE_WEBHOOK_SECRET", WEBHOOK_SECRET),
        ("SMTP_URL", url.as_str()),
        ("MAIL_FROM", FROM),
    ];
    let mut first = ServerProcess::start(&vars, log.clone()).await;
    let db = database.connect().await;
    let session = seed_session(&db, 10).await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let answer = client
        .post(format!("{}/api/book", first.address))
        .header("accept", "application/json")
        .header("origin", &first.address)
        .form(&as_pairs(&booking_form(session, "Crash Parent")))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    // Committed with its mail; nothing can be sent (no SMTP server yet). The process dies.
    first.kill_9();
    assert_eq!(count(&db, "outbox").await, 1);
    let mail = MailDev::start_on(port).await;
    let _second = ServerProcess::start(&vars, log.clone()).await;
    let mails = settle(&mail, 1).await;
    assert_eq!(mails.len(), 1, "{mails:#?}");
    assert!(mails[0].subject.starts_with("Your booking"));
    let _ = std::fs::remove_file(&log);
}

async fn a_parent_cancels_before_the_cut_off_and_is_refunded(backend: Backend) {
    let mail = MailDev::start().await;
    let app = mailing_app(backend, &mail, &[]).await;
    // Three days ahead: well before the 24-hour cut-off.
    let session = app::services::sessions::create(
        &app.db,
        &domain::session_form::NewTrainingSession {
            title: "Sprint technique".into(),
            starts_at: (chrono::Utc::now() + chrono::Duration::days(3)).timestamp_millis(),
            duration_minutes: 60,
            location: "Track 2".into(),
            capacity: 2,
            price_amount: 4500,
            currency: "USD".into(),
        },
    )
    .await
    .unwrap();
    let (id, reference, checkout) = book_online(&app, session, "Cancel Parent").await;
    press_simulated(&app, &checkout, "pay").await;
    assert_eq!(statuses(&app.db, id).await.0, "paid");

    let page = app.get_page(&format!("/bookings/{reference}")).await.1;
    assert!(
        page.contains(&format!("/bookings/{reference}/cancel")),
        "a way to cancel"
    );
    let confirm = app
        .get_page(&format!("/bookings/{reference}/cancel"))
        .await
        .1;
    assert!(
        confirm.contains("Yes, cancel my booking"),
        "a confirmation step"
    );
    assert!(confirm.contains("refunded in full"));

    let answer = app
        .server_fn("bookings/cancel", &[("reference", &reference)])
        .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(
        statuses(&app.db, id).await,
        ("paid".into(), "cancelled".into())
    );
    // The place is free at once.
    let free = app::db::sessions::get(&app.db, session)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(free.places_taken, 0);
    // The refund was asked of the (simulated) provider; its webhook makes the booking refunded.
    let refunded = async {
        loop {
            if statuses(&app.db, id).await.0 == "refunded" {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    };
    tokio::time::timeout(Duration::from_secs(10), refunded)
        .await
        .expect("refunded by the webhook");
    let (who, from): (String, String) = sqlx::query_as(
        "SELECT changed_by, from_status FROM attendance_changes WHERE booking_id = $1",
    )
    .bind(id)
    .fetch_one(app.db.reader())
    .await
    .unwrap();
    assert_eq!((who.as_str(), from.as_str()), ("parent", "pending"));
    let mails = settle(&mail, 4).await;
    assert_eq!(
        mails.len(),
        4,
        "booked, paid, cancelled, refunded: {mails:#?}"
    );
    let cancelled = with_subject(&mails, "Booking cancelled")[0];
    assert!(cancelled
        .text
        .contains("A full refund of $45.00 has been asked for"));
    // Its calendar entry withdraws the one the confirmation added: same uid, a newer sequence.
    let entry = |mail: &ReceivedEmail| {
        String::from_utf8(
            mail.attachment("session.ics")
                .expect("a calendar entry")
                .content
                .clone(),
        )
        .unwrap()
    };
    let added = entry(with_subject(&mails, "Your booking")[0]);
    let withdrawn = entry(cancelled);
    let uid = |ics: &str| {
        ics.lines()
            .find(|l| l.starts_with("UID:"))
            .map(str::to_owned)
    };
    assert_eq!(uid(&added), uid(&withdrawn));
    assert!(withdrawn.contains("METHOD:CANCEL") && withdrawn.contains("STATUS:CANCELLED"));
    assert!(withdrawn.contains("SEQUENCE:1") && added.contains("SEQUENCE:0"));
    assert_eq!(with_subject(&mails, "Refund completed: $45.00").len(), 1);
    // A second cancellation changes nothing.
    let again = app
        .server_fn("bookings/cancel", &[("reference", &reference)])
        .await;
    assert_eq!(again.status, 409, "{}", again.body);
    assert_eq!(count(&app.db, "refunds").await, 1);
}

async fn after_the_cut_off_the_page_says_whom_to_write_to(backend: Backend) {
    let app = TestApp::spawn_with(
        backend,
        &[
            ("CANCELLATION_CUTOFF_HOURS", "48"),
            ("CONTACT_EMAIL", "coach@example.com"),
        ],
    )
    .await;
    // The suite's sessions start tomorrow: inside a 48-hour cut-off.
    let booking = seed_booking(&app.db).await;
    let reference: String = sqlx::query_scalar("SELECT reference FROM bookings WHERE id = $1")
        .bind(booking)
        .fetch_one(app.db.reader())
        .await
        .unwrap();
    let page = app.get_page(&format!("/bookings/{reference}")).await.1;
    assert!(!page.contains(&format!("/bookings/{reference}/cancel\"")));
    assert!(page.contains("up to 48 hours before the session"), "{page}");
    assert!(page.contains("coach@example.com"));
    let refused = app
        .server_fn("bookings/cancel", &[("reference", &reference)])
        .await;
    assert_eq!(refused.status, 409);
    assert!(refused.body.contains("48 hours"), "{}", refused.body);
    assert_eq!(statuses(&app.db, booking).await.1, "pending");
}

async fn admins_refund_part_or_all_and_only_stripe_says_refunded(backend: Backend) {
    let fake = crate::support::fake_stripe::FakeStripe::start().await;
    let app = TestApp::spawn_with(
        backend,
        &[
            ("PAYMENT_MODE", "stripe"),
            ("STRIPE_SECRET_KEY", "sk_test_refund_suite_key"),
            ("STRIPE_API_BASE", &fake.base_url),
        ],
    )
    .await;
    app.login_admin().await;
    let booking = seed_booking(&app.db).await;
    app.deliver(&paid_event("evt_refund_paid", booking)).await;
    fake.register_payment("pi_evt_refund_paid", 4500, "usd");

    let partial = app
        .server_fn(
            "admin/bookings/refund",
            &[
                ("id", &booking.to_string()),
                ("amount", "10"),
                ("reason", "requested_by_customer"),
            ],
        )
        .await;
    assert_eq!(partial.status, 200, "{}", partial.body);
    let refunds = fake.refunds();
    assert_eq!(refunds.len(), 1);
    assert_eq!(refunds[0].amount, 1000);
    assert_eq!(
        refunds[0].metadata.get("bookingId"),
        Some(&booking.to_string())
    );
    assert_eq!(
        statuses(&app.db, booking).await.0,
        "paid",
        "not before Stripe's webhook"
    );

    let too_much = app
        .server_fn(
            "admin/bookings/refund",
            &[
                ("id", &booking.to_string()),
                ("amount", "40"),
                ("reason", "requested_by_customer"),
            ],
        )
        .await;
    assert_eq!(too_much.status, 422, "{}", too_much.body);
    assert!(
        too_much.body.contains("at most $35.00"),
        "{}",
        too_much.body
    );

    // Stripe's webhook: a partial refund keeps `paid` and shows the amount.
    let partly = server::simulated::events::refunded_charge(
        "ch_r1",
        "pi_evt_refund_paid",
        Some(booking),
        4500,
        1000,
        "usd",
    );
    app.deliver(&server::simulated::events::event(
        "evt_partly",
        "charge.refunded",
        now_secs(),
        partly,
    ))
    .await;
    let after = app::db::bookings::by_id(&app.db, booking)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (after.payment_status.as_str(), after.amount_refunded),
        ("paid", 1000)
    );

    // The rest, then a refund that fails later (refund.failed) shows on the issues.
    let rest = app
        .server_fn(
            "admin/bookings/refund",
            &[
                ("id", &booking.to_string()),
                ("amount", ""),
                ("reason", "duplicate"),
            ],
        )
        .await;
    assert_eq!(rest.status, 200, "{}", rest.body);
    let second = fake.refunds().pop().unwrap();
    assert_eq!(second.amount, 3500);
    let failed = serde_json::json!({"id": second.id, "object": "refund", "status": "failed",
        "failure_reason": "expired_or_canceled_card", "payment_intent": "pi_evt_refund_paid",
        "amount": 3500, "currency": "usd", "metadata": {"bookingId": booking.to_string()}});
    app.deliver(&server::simulated::events::event(
        "evt_refund_failed",
        "refund.failed",
        now_secs(),
        failed,
    ))
    .await;
    let statuses_of_refunds: Vec<String> =
        sqlx::query_scalar("SELECT status FROM refunds WHERE booking_id = $1 ORDER BY id")
            .bind(booking)
            .fetch_all(app.db.reader())
            .await
            .unwrap();
    assert_eq!(statuses_of_refunds, ["succeeded", "failed"]);
    let issues = app
        .server_fn("admin/issues", &[("resolved", "false"), ("page", "1")])
        .await;
    assert!(
        issues
            .body
            .contains("refund failed: expired_or_canceled_card"),
        "{}",
        issues.body
    );
    assert_eq!(statuses(&app.db, booking).await.0, "paid");
}

async fn a_refund_webhook_may_overtake_the_api_answer(backend: Backend) {
    let fake = crate::support::fake_stripe::FakeStripe::start().await;
    let app = std::sync::Arc::new(
        TestApp::spawn_with(
            backend,
            &[
                ("PAYMENT_MODE", "stripe"),
                ("STRIPE_SECRET_KEY", "sk_test_refund_suite_key"),
                ("STRIPE_API_BASE", &fake.base_url),
            ],
        )
        .await,
    );
    app.login_admin().await;
    let booking = seed_booking(&app.db).await;
    app.deliver(&paid_event("evt_overtaken", booking)).await;
    fake.register_payment("pi_evt_overtaken", 4500, "usd");
    fake.refund_behave(crate::support::fake_stripe::RefundBehaviour::Hang(
        Duration::from_millis(1500),
    ));
    let asking = {
        let app = app.clone();
        tokio::spawn(async move {
            app.server_fn(
                "admin/bookings/cancel",
                &[("id", &booking.to_string()), ("refund", "on")],
            )
            .await
            .status
        })
    };
    tokio::time::sleep(Duration::from_millis(500)).await;
    // Stripe's webhook lands while the API call is still on its way.
    let charge = server::simulated::events::refunded_charge(
        "ch_fast",
        "pi_evt_overtaken",
        Some(booking),
        4500,
        4500,
        "usd",
    );
    app.deliver(&server::simulated::events::event(
        "evt_fast",
        "charge.refunded",
        now_secs(),
        charge,
    ))
    .await;
    assert_eq!(
        statuses(&app.db, booking).await,
        ("refunded".into(), "cancelled".into())
    );
    assert_eq!(asking.await.unwrap(), 200);
    let (status, stripe_id): (String, Option<String>) =
        sqlx::query_as("SELECT status, stripe_refund_id FROM refunds WHERE booking_id = $1")
            .bind(booking)
            .fetch_one(app.db.reader())
            .await
            .unwrap();
    assert!(stripe_id.is_some());
    assert_ne!(status, "requested");
    assert_eq!(statuses(&app.db, booking).await.0, "refunded", "final");
}

async fn cancelling_a_session_cancels_and_refunds_each_booking_once(backend: Backend) {
    let mail = MailDev::start().await;
    let app = mailing_app(backend, &mail, &[]).await;
    app.login_admin().await;
    let session = seed_session(&app.db, 10).await;
    let (paid_a, _, checkout_a) = book_online(&app, session, "Paid Anna").await;
    press_simulated(&app, &checkout_a, "pay").await;
    let (paid_b, _, checkout_b) = book_online(&app, session, "Paid Ben").await;
    press_simulated(&app, &checkout_b, "pay").await;
    let (unpaid, _, _) = book_online(&app, session, "Unpaid Una").await;

    let summary = app
        .server_fn(
            "admin/sessions/cancel-summary",
            &[("id", &session.to_string())],
        )
        .await;
    assert_eq!(summary.status, 200, "{}", summary.body);
    let summary = summary.json();
    assert_eq!(
        (summary["bookings"].as_i64(), summary["refunds"].as_i64()),
        (Some(3), Some(2))
    );
    assert_eq!(summary["refund_total"], 9000);

    let done = app
        .server_fn("admin/sessions/cancel", &[("id", &session.to_string())])
        .await;
    assert_eq!(done.status, 200, "{}", done.body);
    // Again, as after an interruption: nothing twice.
    let again = app
        .server_fn("admin/sessions/cancel", &[("id", &session.to_string())])
        .await;
    assert_eq!(again.status, 200, "{}", again.body);
    for id in [paid_a, paid_b, unpaid] {
        assert_eq!(statuses(&app.db, id).await.1, "cancelled");
    }
    assert_eq!(count(&app.db, "refunds").await, 2);
    let cancelled: Option<i64> =
        sqlx::query_scalar("SELECT cancelled_at FROM training_sessions WHERE id = $1")
            .bind(session)
            .fetch_one(app.db.reader())
            .await
            .unwrap();
    assert!(cancelled.is_some());
    // Three bookings, two receipts, three "session cancelled", two refunds.
    let mails = settle(&mail, 10).await;
    assert_eq!(
        with_subject(&mails, "Session cancelled").len(),
        3,
        "{mails:#?}"
    );
    assert_eq!(with_subject(&mails, "Refund completed").len(), 2);
    assert_eq!(mails.len(), 10);
}

async fn attendance_changes_are_kept_with_who_made_them(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.login_admin().await;
    let booking = seed_booking(&app.db).await;
    for status in ["confirmed", "no-show", "completed"] {
        let answer = app
            .server_fn(
                "admin/attendance",
                &[("booking_id", &booking.to_string()), ("status", status)],
            )
            .await;
        assert_eq!(answer.status, 200, "{}", answer.body);
    }
    let history: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT from_status, to_status, changed_by FROM attendance_changes
         WHERE booking_id = $1 ORDER BY id",
    )
    .bind(booking)
    .fetch_all(app.db.reader())
    .await
    .unwrap();
    let by = format!("admin:{ADMIN_EMAIL}");
    assert_eq!(
        history,
        [
            ("pending".into(), "confirmed".into(), by.clone()),
            ("confirmed".into(), "no-show".into(), by.clone()),
            ("no-show".into(), "completed".into(), by),
        ]
    );
    let detail = app
        .server_fn("admin/booking", &[("id", &booking.to_string())])
        .await;
    assert!(
        detail
            .body
            .contains(&format!("Attendance: Present (by {ADMIN_EMAIL})")),
        "{}",
        detail.body
    );
    assert_eq!(
        statuses(&app.db, booking).await.0,
        "unpaid",
        "payment untouched"
    );
}

async fn find_my_booking_mails_the_links_and_says_the_same_either_way(backend: Backend) {
    let mail = MailDev::start().await;
    let app = mailing_app(backend, &mail, &[]).await;
    let session = seed_session(&app.db, 10).await;
    let (_, reference, _) = book_online(&app, session, "Lost Link").await;
    mail.wait_for(1, Duration::from_secs(20)).await;

    let known = app
        .server_fn("bookings/find", &[("email", "Lost.Link@example.com")])
        .await;
    let unknown = app
        .server_fn("bookings/find", &[("email", "nobody@example.com")])
        .await;
    assert_eq!((known.status, unknown.status), (200, 200));
    assert_eq!(known.body, unknown.body, "the same answer");
    let mails = settle(&mail, 2).await;
    assert_eq!(
        mails.len(),
        2,
        "one for the booking, one for the lookup: {mails:#?}"
    );
    let lookup = with_subject(&mails, "Your bookings with Riverside Coaching")[0];
    assert_eq!(lookup.to, ["lost.link@example.com"]);
    assert!(lookup.text.contains(&format!("/bookings/{reference}")));

    let bad = app
        .server_fn("bookings/find", &[("email", "not-an-email")])
        .await;
    assert_eq!(bad.status, 422);
    // Limited per email (and client): the fourth ask within the hour waits.
    let limited =
        TestApp::spawn_with(backend, &[("BOOKING_REQUESTS_PER_EMAIL_PER_HOUR", "3")]).await;
    for _ in 0..3 {
        let ok = limited
            .server_fn("bookings/find", &[("email", "x@example.com")])
            .await;
        assert_eq!(ok.status, 200);
    }
    let waits = limited
        .server_fn("bookings/find", &[("email", "x@example.com")])
        .await;
    assert_eq!(waits.status, 429);
}

async fn without_smtp_mails_are_kept_and_shown_to_the_admin(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.login_admin().await;
    let session = seed_session(&app.db, 10).await;
    book_online(&app, session, "Kept Mail").await;
    let page = app.server_fn("admin/emails", &[("page", "1")]).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let page = page.json();
    assert_eq!(page["kept"], true);
    assert_eq!(page["total"], 1);
    assert_eq!(page["rows"][0]["status"], "pending");
    assert_eq!(page["rows"][0]["recipient"], "kept.mail@example.com");
    let html = app.get_page("/admin/emails").await.1;
    assert!(html.contains("mails are kept here"), "{html}");
}

async fn a_failed_mail_can_be_sent_again(backend: Backend) {
    let mail = MailDev::start().await;
    let app = mailing_app(backend, &mail, &[]).await;
    app.login_admin().await;
    let session = seed_session(&app.db, 10).await;
    book_online(&app, session, "Given Up").await;
    mail.wait_for(1, Duration::from_secs(20)).await;
    sqlx::query("UPDATE outbox SET status = 'failed', last_error = 'gave up'")
        .execute(app.db.writer())
        .await
        .unwrap();
    let id: i64 = sqlx::query_scalar("SELECT id FROM outbox")
        .fetch_one(app.db.reader())
        .await
        .unwrap();
    let again = app
        .server_fn("admin/emails/resend", &[("id", &id.to_string())])
        .await;
    assert_eq!(again.status, 200, "{}", again.body);
    mail.wait_for(2, Duration::from_secs(20)).await;
    let twice = app
        .server_fn("admin/emails/resend", &[("id", &id.to_string())])
        .await;
    assert_ne!(twice.status, 200, "only a failed mail is sent again");
}

/// The status, tries and last error of the outbox row of `key`.
async fn outbox_row(db: &app::db::Db, key: &str) -> (String, i64, Option<String>) {
    sqlx::query_as("SELECT status, attempts, last_error FROM outbox WHERE dedupe_key = $1")
        .bind(key.to_owned())
        .fetch_one(db.reader())
        .await
        .unwrap()
}

async fn a_mail_that_cannot_be_written_fails_with_its_reason_and_the_others_go(backend: Backend) {
    let mail = MailDev::start().await;
    let app = mailing_app(backend, &mail, &[]).await;
    app.login_admin().await;
    let session = seed_session(&app.db, 10).await;
    let (booking, _, _) = book_online(&app, session, "Sound Mail").await;
    // Rows no use case writes: a move's mail without the facts of the move, and a
    // confirmation that names no booking.
    for (key, kind, booking_id) in [
        ("test:no-facts", "booking_moved", Some(booking)),
        ("test:no-booking", "booking_created", None),
    ] {
        sqlx::query(
            "INSERT INTO outbox (dedupe_key, kind, booking_id, recipient, payload, next_attempt_at, created_at)
             VALUES ($1, $2, $3, 'sound.mail@example.com', '{}', 0, 0)",
        )
        .bind(key)
        .bind(kind)
        .bind(booking_id)
        .execute(app.db.writer())
        .await
        .unwrap();
    }
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while outbox_row(&app.db, "test:no-facts").await.0 != "failed"
        || outbox_row(&app.db, "test:no-booking").await.0 != "failed"
    {
        assert!(tokio::time::Instant::now() < deadline, "both rows given up");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let (_, attempts, error) = outbox_row(&app.db, "test:no-facts").await;
    assert_eq!(attempts, 1, "given up at once");
    let error = error.unwrap();
    assert!(
        error.starts_with("the facts of this booking_moved mail do not read: a field is missing"),
        "{error}"
    );
    let (_, attempts, error) = outbox_row(&app.db, "test:no-booking").await;
    assert_eq!(attempts, 1, "given up at once");
    assert_eq!(
        error.as_deref(),
        Some("this booking_created mail names no booking")
    );
    // The booking's own mail went, and nothing else.
    let mails = settle(&mail, 1).await;
    assert_eq!(mails.len(), 1, "{mails:#?}");
    assert!(mails[0].subject.starts_with("Your booking: Sprint"));
    // The admin sees why.
    let page = app.server_fn("admin/emails", &[("page", "1")]).await.json();
    let reasons: Vec<&str> = page["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|row| row["last_error"].as_str())
        .collect();
    assert!(
        reasons.contains(&"this booking_created mail names no booking"),
        "{page}"
    );
}

on_both_databases!(
    a_booking_and_its_payment_each_send_one_mail,
    a_failed_payment_mails_a_way_to_try_again,
    an_smtp_outage_delays_the_mail_and_sends_it_once,
    a_crash_between_commit_and_send_sends_after_restart_once,
    a_parent_cancels_before_the_cut_off_and_is_refunded,
    after_the_cut_off_the_page_says_whom_to_write_to,
    admins_refund_part_or_all_and_only_stripe_says_refunded,
    a_refund_webhook_may_overtake_the_api_answer,
    cancelling_a_session_cancels_and_refunds_each_booking_once,
    attendance_changes_are_kept_with_who_made_them,
    find_my_booking_mails_the_links_and_says_the_same_either_way,
    without_smtp_mails_are_kept_and_shown_to_the_admin,
    a_failed_mail_can_be_sent_again,
    a_mail_that_cannot_be_written_fails_with_its_reason_and_the_others_go,
);

/// Two instances on one PostgreSQL database, one SMTP server: every mail arrives once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_instances_on_postgres_send_each_mail_once() {
    bounded(async {
        let mail = MailDev::start().await;
        let database = TestDatabase::create(Backend::Postgres).await;
        let url = mail.smtp_url();
        let vars = [("SMTP_URL", url.as_str()), ("MAIL_FROM", FROM)];
        let first = TestApp::spawn_on(database.shared(), &vars).await;
        let second = TestApp::spawn_on(database, &vars).await;
        let session = seed_session(&first.db, 100).await;
        for n in 0..12 {
            let app = if n % 2 == 0 { &first } else { &second };
            book_online(app, session, &format!("Twin {n}")).await;
        }
        let mails = settle(&mail, 12).await;
        assert_eq!(mails.len(), 12, "{mails:#?}");
        let mut recipients: Vec<String> = mails.iter().flat_map(|m| m.to.clone()).collect();
        recipients.sort();
        recipients.dedup();
        assert_eq!(recipients.len(), 12, "each family once");
    })
    .await
}
