//! The parent's side through HTTP on both databases: the booking server function's validation,
//! capacity under concurrency, private booking pages, and simulated payments end to end.

use crate::support::*;

async fn every_validation_rule_is_named_back(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let session = seed_session(&app.db, 10).await;
    let long_notes = "n".repeat(1001);
    let cases: Vec<(&str, &str, &str, &str)> = vec![
        // (field changed, new value, field named, message part)
        ("session", "", "session", "Choose a session."),
        ("session", "abc", "session", "Choose a session."),
        (
            "parent_name",
            " ",
            "parent_name",
            "Enter the parent's name.",
        ),
        (
            "parent_email",
            "",
            "parent_email",
            "Enter an email address.",
        ),
        (
            "parent_email",
            "pat@nowhere",
            "parent_email",
            "like name@example.com",
        ),
        ("parent_phone", "123", "parent_phone", "7 to 15 digits"),
        (
            "athlete_name",
            "",
            "athlete_name",
            "Enter the athlete's name.",
        ),
        ("athlete_age", "", "athlete_age", "Enter the athlete's age."),
        ("athlete_age", "ten", "athlete_age", "whole number"),
        ("athlete_age", "150", "athlete_age", "between 3 and 99"),
        ("notes", &long_notes, "notes", "1000 characters or fewer"),
        ("consent", "", "consent", "Please confirm"),
    ];
    for (field, value, named, message) in cases {
        let mut form = booking_form(session, "Pat Parent");
        if field == "consent" {
            form.retain(|(k, _)| k != "consent");
        } else {
            for (k, v) in form.iter_mut() {
                if k == field {
                    *v = value.to_owned();
                }
            }
        }
        let answer = app.server_fn("book", &as_pairs(&form)).await;
        assert_eq!(answer.status, 422, "{field}: {}", answer.body);
        let body = answer.json();
        let invalid = &body["Invalid"];
        let errors = invalid["errors"].as_object().expect("field errors");
        assert_eq!(
            errors.keys().collect::<Vec<_>>(),
            vec![named],
            "{field}: {body}"
        );
        assert!(
            errors[named].as_str().unwrap().contains(message),
            "{field}: {body}"
        );
        // What was typed comes back, to be shown again.
        let typed = |name: &str| form.iter().find(|(k, _)| k == name).unwrap().1.clone();
        assert_eq!(invalid["values"]["parent_name"], typed("parent_name"));
        assert_eq!(invalid["values"]["athlete_age"], typed("athlete_age"));
        // Nothing typed is cut, however long.
        assert_eq!(invalid["values"]["notes"], typed("notes"));
    }
    assert_eq!(
        count(&app.db, "bookings").await,
        0,
        "no invalid form made a booking"
    );
}

async fn a_valid_booking_is_unpaid_pending_and_goes_to_checkout(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let session = seed_session(&app.db, 10).await;
    let answer = app
        .server_fn("book", &as_pairs(&booking_form(session, "Pat Parent")))
        .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    let redirect = answer.redirect.expect("sent to the checkout");
    assert!(
        redirect.contains("/checkout/simulated/cs_sim_"),
        "{redirect}"
    );
    let (id, payment, attendance, amount, currency, session_id): (i64, String, String, i64, String, Option<String>) =
        sqlx::query_as(
            "SELECT id, payment_status, attendance_status, amount, currency, stripe_checkout_session_id FROM bookings",
        )
        .fetch_one(app.db.reader())
        .await
        .unwrap();
    assert_eq!(
        (payment.as_str(), attendance.as_str()),
        ("unpaid", "pending")
    );
    assert_eq!(
        (amount, currency.as_str()),
        (4500, "USD"),
        "price from the session"
    );
    assert!(redirect.ends_with(session_id.as_deref().unwrap()));
    let _ = id;
}

async fn twenty_concurrent_bookings_for_five_places(backend: Backend) {
    let app = std::sync::Arc::new(TestApp::spawn(backend).await);
    let session = seed_session(&app.db, 5).await;
    let mut tasks = Vec::new();
    for n in 0..20 {
        let app = app.clone();
        tasks.push(tokio::spawn(async move {
            let form = booking_form(session, &format!("Parent {n}"));
            app.server_fn("book", &as_pairs(&form)).await
        }));
    }
    let mut booked = 0;
    let mut full = 0;
    for task in tasks {
        let answer = task.await.unwrap();
        if answer.status == 200 {
            booked += 1;
        } else {
            let body = answer.json();
            assert_eq!(
                body["Invalid"]["errors"]["session"],
                "That session is now full. Please choose another one.",
                "{}",
                answer.body
            );
            full += 1;
        }
    }
    assert_eq!((booked, full), (5, 15));
    assert_eq!(count(&app.db, "bookings").await, 5);
    let left = app::db::sessions::get(&app.db, session)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(left.places_left(), 0);
}

async fn cancelled_and_started_sessions_take_no_bookings(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let cancelled = seed_session(&app.db, 5).await;
    app::db::sessions::cancel(&app.db, cancelled).await.unwrap();
    let answer = app
        .server_fn("book", &as_pairs(&booking_form(cancelled, "Pat")))
        .await;
    assert_eq!(
        answer.json()["Invalid"]["errors"]["session"],
        "That session is no longer available. Please choose another one."
    );

    let started = seed_session(&app.db, 5).await;
    sqlx::query("UPDATE training_sessions SET starts_at = 1000 WHERE id = $1")
        .bind(started)
        .execute(app.db.writer())
        .await
        .unwrap();
    let answer = app
        .server_fn("book", &as_pairs(&booking_form(started, "Pat")))
        .await;
    assert_eq!(
        answer.json()["Invalid"]["errors"]["session"],
        "That session has already started. Please choose another one."
    );
    assert_eq!(count(&app.db, "bookings").await, 0);
}

async fn a_booking_page_shows_that_booking_only(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let session = seed_session(&app.db, 10).await;
    let mine = create_booking(&app.db, &new_booking(session, "Pat Mine"))
        .await
        .unwrap();
    let theirs = create_booking(&app.db, &new_booking(session, "Sam Theirs"))
        .await
        .unwrap();
    assert_eq!(mine.reference.len(), 20);
    assert!(mine.reference.chars().all(|c| c.is_ascii_alphanumeric()));
    assert_ne!(mine.reference, theirs.reference);

    let html = app
        .get_page(&format!("/bookings/{}", mine.reference))
        .await
        .1;
    assert!(html.contains("Pat Mine"));
    assert!(!html.contains("Sam Theirs"));
    assert!(html.contains("Awaiting payment"));

    // Guessing: an id or a made-up reference finds nothing.
    for guess in [mine.id.to_string(), "aaaaaaaaaaaaaaaaaaaa".to_owned()] {
        let html = app.get_page(&format!("/bookings/{guess}")).await.1;
        assert!(html.contains("Booking not found"), "{guess}");
        assert!(!html.contains("Pat Mine"));
    }
    // The public list shows sessions, never bookings.
    let landing = app.get_page("/").await.1;
    assert!(!landing.contains("Pat Mine") && !landing.contains("Sam Theirs"));
}

async fn simulated_pay_decline_and_delayed_go_through_the_webhook(backend: Backend) {
    let app = TestApp::spawn_with(backend, &[("SIMULATED_DELAY_MS", "300")]).await;
    let session = seed_session(&app.db, 10).await;
    let mut references = Vec::new();
    for outcome in ["pay", "decline", "delayed"] {
        let answer = app
            .server_fn("book", &as_pairs(&booking_form(session, outcome)))
            .await;
        let checkout = answer.redirect.unwrap();
        let session_id = checkout.rsplit('/').next().unwrap().to_owned();
        let response = app
            .client
            .post(app.url(&format!("/api/simulated/checkout/{session_id}/{outcome}")))
            .header("origin", &app.address)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 303, "{outcome}");
        let location = response.headers()["location"].to_str().unwrap().to_owned();
        let booking = app::db::bookings::by_checkout_session(&app.db, &session_id)
            .await
            .unwrap()
            .unwrap();
        references.push((outcome, booking.id, location, booking.reference));
    }
    let (_, paid, location, reference) = &references[0];
    assert_eq!(statuses(&app.db, *paid).await.0, "paid");
    assert!(location.starts_with(&format!("/bookings/{reference}/paid")));
    let (_, declined, location, reference) = &references[1];
    assert_eq!(statuses(&app.db, *declined).await.0, "failed");
    assert_eq!(location, &format!("/bookings/{reference}"));
    let page = app.get_page(location).await.1;
    assert!(
        page.contains("Your card was declined."),
        "the failure is shown"
    );
    assert!(page.contains("Try paying again"));
    let (_, delayed, _, _) = &references[2];
    assert_eq!(
        statuses(&app.db, *delayed).await.0,
        "unpaid",
        "awaiting the bank"
    );
    let mut waited = 0;
    while statuses(&app.db, *delayed).await.0 != "paid" && waited < 50 {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        waited += 1;
    }
    assert_eq!(statuses(&app.db, *delayed).await.0, "paid");
    // Every change went through the ledger, signed, as Stripe's events would.
    let types: Vec<String> =
        sqlx::query_scalar("SELECT event_type FROM stripe_events ORDER BY received_at, id")
            .fetch_all(app.db.reader())
            .await
            .unwrap();
    assert_eq!(types.len(), 4, "{types:?}");
    assert!(types.contains(&"checkout.session.async_payment_succeeded".to_owned()));
}

on_both_databases!(
    every_validation_rule_is_named_back,
    a_valid_booking_is_unpaid_pending_and_goes_to_checkout,
    twenty_concurrent_bookings_for_five_places,
    cancelled_and_started_sessions_take_no_bookings,
    a_booking_page_shows_that_booking_only,
    simulated_pay_decline_and_delayed_go_through_the_webhook,
);
