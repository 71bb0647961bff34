//! Every word true for a parent and a coach: a booking settled outside Stripe (an admin's
//! entry, paid in cash or free) is settled on every page, tag and count, is never offered a
//! checkout, and the server refuses one for it.

use crate::support::*;

/// An admin's entry for `session`, settled `how` (`outside` or `free`); its id and reference.
async fn manual_booking(app: &TestApp, session: i64, how: &str) -> (i64, String) {
    let answer = app
        .server_fn(
            "admin/bookings/manual",
            &[
                ("session", &session.to_string()),
                ("parent_name", "Cash Parent"),
                ("parent_email", "cash@example.com"),
                ("athlete_name", "Casey"),
                ("athlete_age", "11"),
                ("settled", how),
            ],
        )
        .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    sqlx::query_as("SELECT id, reference FROM bookings WHERE parent_email = 'cash@example.com'")
        .fetch_one(app.db.reader())
        .await
        .unwrap()
}

async fn a_booking_settled_outside_stripe_is_settled_everywhere_and_never_paid_again(
    backend: Backend,
) {
    let app = TestApp::spawn(backend).await;
    app.login_admin().await;
    let session = seed_session(&app.db, 5).await;
    let (id, reference) = manual_booking(&app, session, "outside").await;
    // Stripe's word stays what it is: nothing was paid through it.
    assert_eq!(statuses(&app.db, id).await.0, "unpaid");

    // The parent's page says it is settled and offers no checkout.
    let (status, page) = app.get_page(&format!("/bookings/{reference}")).await;
    assert_eq!(status, 200);
    assert!(page.contains("Booking confirmed"), "{page}");
    assert!(page.contains("nothing to pay online"), "{page}");
    assert!(!page.contains("pay-button"), "no Pay now: {page}");
    assert!(!page.contains("Awaiting payment"), "{page}");
    assert!(
        page.contains("Paid outside Stripe"),
        "the tag says how: {page}"
    );

    // The server refuses a checkout for it, whatever the page shows.
    let pay = app
        .server_fn("bookings/pay", &[("reference", &reference)])
        .await;
    assert_eq!(pay.status, 409, "{}", pay.body);
    assert!(pay.body.contains("nothing to pay online"), "{}", pay.body);
    assert!(pay.redirect.is_none());
    let stored: Option<String> =
        sqlx::query_scalar("SELECT stripe_checkout_session_id FROM bookings WHERE id = $1")
            .bind(id)
            .fetch_one(app.db.reader())
            .await
            .unwrap();
    assert_eq!(stored, None, "no checkout was made");

    // The admin's list, roster and Today panel count it as paid, never as owed.
    let list = app
        .server_fn("admin/bookings", &[("query", "")])
        .await
        .json();
    let row = list["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == id)
        .unwrap()
        .clone();
    assert_eq!(row["settled"], "Paid outside Stripe");
    let roster = app
        .server_fn("admin/roster", &[("id", &session.to_string())])
        .await
        .json();
    assert_eq!(roster["counts"]["paid"], 1, "{roster}");
    assert_eq!(roster["counts"]["unpaid"], 0, "{roster}");
    let today = app.server_fn("admin/today", &[]).await.json();
    let day = today["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == session)
        .expect("tomorrow's session")
        .clone();
    assert_eq!(day["paid"], 1, "{day}");
    let (_, admin_page) = app.get_page(&format!("/admin/bookings/{id}")).await;
    assert!(
        admin_page.contains("data-payment-status=\"settled\""),
        "{admin_page}"
    );
    assert!(
        !admin_page.contains("data-payment-status=\"unpaid\""),
        "{admin_page}"
    );

    // A free booking reads the same way.
    let other = seed_session(&app.db, 5).await;
    sqlx::query("UPDATE bookings SET parent_email = 'old@example.com' WHERE id = $1")
        .bind(id)
        .execute(app.db.writer())
        .await
        .unwrap();
    let (_, free) = manual_booking(&app, other, "free").await;
    let (_, page) = app.get_page(&format!("/bookings/{free}")).await;
    assert!(
        page.contains("(free): there is nothing to pay online"),
        "{page}"
    );
    let pay = app.server_fn("bookings/pay", &[("reference", &free)]).await;
    assert_eq!(pay.status, 409, "{}", pay.body);
}

async fn a_refund_or_a_cancellation_says_what_happens_before_it_is_done(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.login_admin().await;
    let booking = seed_booking(&app.db).await;
    app.deliver(&paid_event("evt_preview_paid", booking)).await;
    let preview = |form: Vec<(&'static str, String)>| {
        let app = &app;
        async move {
            let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            app.server_fn("admin/bookings/preview", &pairs).await
        }
    };
    let id = booking.to_string();
    let part = preview(vec![
        ("id", id.clone()),
        ("action", "refund".into()),
        ("amount", "10".into()),
        ("reason", "duplicate".into()),
    ])
    .await;
    assert_eq!(part.status, 200, "{}", part.body);
    let part = part.json();
    assert_eq!(part["title"], "Refund $10.00?");
    let said = part["what"].to_string();
    assert!(said.contains("$10.00 of the $45.00 paid goes back to the card Pat Parent <pat.parent@example.com> paid with"), "{said}");
    assert!(
        said.contains("Reason given to Stripe: paid twice."),
        "{said}"
    );
    assert!(said.contains("the booking stays paid"), "{said}");
    assert_eq!(part["refused"], serde_json::Value::Null);
    // Looking is not doing: nothing was asked of the provider.
    assert_eq!(count(&app.db, "refunds").await, 0);

    let too_much = preview(vec![
        ("id", id.clone()),
        ("action", "refund".into()),
        ("amount", "50".into()),
        ("reason", "requested_by_customer".into()),
    ])
    .await
    .json();
    assert_eq!(too_much["refused"], "At most $45.00 can still be refunded.");

    let cancel = preview(vec![
        ("id", id.clone()),
        ("action", "cancel".into()),
        ("refund", "on".into()),
    ])
    .await
    .json();
    assert_eq!(cancel["confirm"], "Yes, cancel and refund $45.00");
    assert!(cancel["what"]
        .to_string()
        .contains("the place is free at once"));

    // Confirmed, each comes back to the booking's page, which says what was done.
    let refunded = app
        .server_fn(
            "admin/bookings/refund",
            &[("id", &id), ("amount", "10"), ("reason", "duplicate")],
        )
        .await;
    assert_eq!(refunded.status, 200, "{}", refunded.body);
    assert_eq!(
        refunded.redirect,
        Some(format!("/admin/bookings/{booking}?done=refund"))
    );
    let cancelled = app
        .server_fn("admin/bookings/cancel", &[("id", &id), ("refund", "on")])
        .await;
    assert_eq!(
        cancelled.redirect,
        Some(format!("/admin/bookings/{booking}?done=cancel"))
    );
    let (_, page) = app
        .get_page(&format!("/admin/bookings/{booking}?done=cancel"))
        .await;
    assert!(
        page.contains("Booking cancelled: the parent is mailed"),
        "{page}"
    );
}

async fn a_manual_booking_s_child_is_marked_at_the_track_like_any_other(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.login_admin().await;
    let session = seed_session(&app.db, 5).await;
    let online = create_booking(&app.db, &new_booking(session, "Online Parent"))
        .await
        .unwrap()
        .id;
    let (manual, _) = manual_booking(&app, session, "free").await;
    assert_eq!(statuses(&app.db, manual).await.1, "manual");
    let marked = app
        .server_fn(
            "admin/roster/complete",
            &[("session", &session.to_string())],
        )
        .await;
    assert_eq!(marked.status, 200, "{}", marked.body);
    for id in [online, manual] {
        assert_eq!(statuses(&app.db, id).await.1, "completed", "booking {id}");
    }
    // Its tag says what the button said; the stored value stays the specification's.
    let roster = app
        .server_fn("admin/roster", &[("id", &session.to_string())])
        .await
        .json();
    assert_eq!(roster["counts"]["present"], 2, "{roster}");
    let (_, page) = app
        .get_page(&format!("/admin/sessions/{session}/roster"))
        .await;
    assert!(page.contains(">Present<"), "{page}");
    assert!(!page.contains(">Completed<"), "{page}");

    // After a session, a manual booking's child still unmarked is attendance to mark.
    let past = app::services::sessions::create(
        &app.db,
        &domain::session_form::NewTrainingSession {
            title: "Yesterday's hurdles".into(),
            starts_at: (chrono::Utc::now() - chrono::Duration::days(1)).timestamp_millis(),
            duration_minutes: 60,
            location: "Track 2".into(),
            capacity: 5,
            price_amount: 4500,
            currency: "USD".into(),
        },
    )
    .await
    .unwrap();
    sqlx::query("UPDATE bookings SET parent_email = 'earlier@example.com'")
        .execute(app.db.writer())
        .await
        .unwrap();
    let (late, _) = manual_booking(&app, past, "outside").await;
    let today = app.server_fn("admin/today", &[]).await.json();
    assert!(
        today["unmarked"]
            .as_array()
            .unwrap()
            .iter()
            .any(|u| u["booking_id"] == late),
        "{today}"
    );
}

async fn the_booking_page_shows_its_deadlines(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let session = seed_session_in(&app.db, 5, 3).await;
    let (id, reference, _) = book_online(&app, session, "Dee Deadline").await;
    let (starts_at, held_until): (i64, i64) =
        sqlx::query_as("SELECT session_starts_at, held_until FROM bookings WHERE id = $1")
            .bind(id)
            .fetch_one(app.db.reader())
            .await
            .unwrap();
    let tz = chrono_tz::UTC;
    let (_, page) = app.get_page(&format!("/bookings/{reference}")).await;
    // Until when the place is held, and until when it can be changed or cancelled online.
    let held = domain::schedule::when(held_until, tz);
    assert!(
        page.contains(&format!("place is held until {held}: pay by then")),
        "{held} in {page}"
    );
    let cutoff = domain::schedule::when(starts_at - 24 * 3_600_000, tz);
    assert!(
        page.contains(&format!(
            "You can change or cancel this booking online until {cutoff}."
        )),
        "{cutoff} in {page}"
    );
    // The hold runs out: the page says so, and offers to pay while places are left.
    sqlx::query("UPDATE bookings SET held_until = $1 WHERE id = $2")
        .bind(app::db::now_ms() - 60_000)
        .bind(id)
        .execute(app.db.writer())
        .await
        .unwrap();
    let (_, page) = app.get_page(&format!("/bookings/{reference}")).await;
    assert!(page.contains("Your place is no longer held"), "{page}");
    assert!(
        page.contains("Pay now to book it again while places are left"),
        "{page}"
    );
    assert!(page.contains("pay-button"), "{page}");
    // Within the cut-off the page says why it cannot be changed, and whom to write to.
    let soon = seed_session(&app.db, 5).await;
    sqlx::query("UPDATE training_sessions SET starts_at = $1 WHERE id = $2")
        .bind(app::db::now_ms() + 3_600_000)
        .bind(soon)
        .execute(app.db.writer())
        .await
        .unwrap();
    let (_, late, _) = book_online(&app, soon, "Lou Late").await;
    let (_, page) = app.get_page(&format!("/bookings/{late}")).await;
    assert!(!page.contains("changeable-until"), "{page}");
    assert!(page.contains("up to 24 hours before the session"), "{page}");
}

async fn the_same_athlete_is_not_booked_twice_into_one_session(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let session = seed_session_in(&app.db, 10, 3).await;
    let (_, first, _) = book_online(&app, session, "Twice Parent").await;
    let form = |athlete: &str| {
        let mut form = booking_form(session, "Twice Parent");
        for (key, value) in &mut form {
            match key.as_str() {
                "parent_email" => *value = "TWICE.parent@example.com".into(),
                "athlete_name" => *value = athlete.into(),
                _ => {}
            }
        }
        form
    };
    // The same child (whatever the case and spaces), the same address: refused, on its field.
    let first_child: String =
        sqlx::query_scalar("SELECT athlete_name FROM bookings WHERE reference = $1")
            .bind(&first)
            .fetch_one(app.db.reader())
            .await
            .unwrap();
    let again = app
        .server_fn(
            "book",
            &as_pairs(&form(&format!("  {} ", first_child.to_uppercase()))),
        )
        .await;
    assert_eq!(again.status, 422, "{}", again.body);
    assert!(
        again
            .body
            .contains("is already booked into this session with this email address"),
        "{}",
        again.body
    );
    assert!(again.body.contains("athlete_name"), "{}", again.body);
    // The link is never shown to whoever typed the form: it is mailed to the address.
    assert!(!again.body.contains(&first), "{}", again.body);
    let mailed: Vec<String> =
        sqlx::query_scalar("SELECT lower(recipient) FROM outbox WHERE kind = 'booking_lookup'")
            .fetch_all(app.db.reader())
            .await
            .unwrap();
    assert_eq!(mailed, ["twice.parent@example.com"]);
    assert_eq!(count(&app.db, "bookings").await, 1);

    // A brother in the same session is another booking.
    let brother = app.server_fn("book", &as_pairs(&form("Sam"))).await;
    assert_eq!(brother.status, 200, "{}", brother.body);
    // Once the first is cancelled, the child may be booked again.
    let cancel = app
        .server_fn("bookings/cancel", &[("reference", &first)])
        .await;
    assert_eq!(cancel.status, 200, "{}", cancel.body);
    let rebooked = app.server_fn("book", &as_pairs(&form(&first_child))).await;
    assert_eq!(rebooked.status, 200, "{}", rebooked.body);
}

async fn the_terms_are_one_click_from_the_checkbox_and_say_the_deadlines(backend: Backend) {
    let app = TestApp::spawn_with(backend, &[("CANCELLATION_CUTOFF_HOURS", "48")]).await;
    let (_, form) = app.get_page("/book").await;
    assert!(form.contains("href=\"/terms\""), "{form}");
    let (status, terms) = app.get_page("/terms").await;
    assert_eq!(status, 200);
    for words in [
        "holds its place for 35 minutes",
        "Up to 48 hours before the session starts",
        "refunds it in full",
        "Within 48 hours of the session",
    ] {
        assert!(terms.contains(words), "{words} in {terms}");
    }
}

on_both_databases!(
    the_booking_page_shows_its_deadlines,
    a_manual_booking_s_child_is_marked_at_the_track_like_any_other,
    a_booking_settled_outside_stripe_is_settled_everywhere_and_never_paid_again,
    a_refund_or_a_cancellation_says_what_happens_before_it_is_done,
    the_same_athlete_is_not_booked_twice_into_one_session,
    the_terms_are_one_click_from_the_checkbox_and_say_the_deadlines,
);
