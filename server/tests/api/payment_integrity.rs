//! A booking is paid only by the payment made for it: the webhook covers the whole Stripe
//! account, so an event naming a booking must also carry its amount, its currency, the mode of
//! our key, and (for refunds and failures) its own payment. Anything else changes nothing, is
//! recorded as an error, shows on the payment-issues view, and is answered 200.

use crate::support::*;
use serde_json::{json, Value};
use server::simulated::events::{event, refunded_charge};

/// A `checkout.session.completed` as Stripe sends it, with the parts an attacker (or another
/// app on the same account) controls given explicitly.
fn completed(id: &str, object: Value) -> Value {
    let mut session = json!({
        "id": format!("cs_{id}"), "object": "checkout.session", "mode": "payment",
        "status": "complete", "payment_status": "paid", "amount_total": 4500,
        "currency": "usd", "payment_intent": format!("pi_{id}"), "livemode": false,
    });
    for (key, value) in object.as_object().unwrap() {
        session[key] = value.clone();
    }
    let mut delivered = event(
        id,
        "checkout.session.completed",
        now_secs(),
        session.clone(),
    );
    // The envelope says which mode the event belongs to, as the object does.
    delivered["livemode"] = session["livemode"].clone();
    delivered
}

async fn deliver_ok(app: &TestApp, event: &Value) {
    let response = app.deliver(event).await;
    assert_eq!(response.status(), 200, "a refusal is still answered 200");
}

/// The error lines logged against `booking`.
async fn errors_for(app: &TestApp, booking: i64) -> Vec<String> {
    payment_logs(&app.db)
        .await
        .into_iter()
        .filter(|l| l.booking_id == Some(booking) && l.level == "error")
        .filter_map(|l| l.message)
        .collect()
}

async fn outcome_of(app: &TestApp, event_id: &str) -> (Option<i64>, String) {
    sqlx::query_as("SELECT booking_id, outcome FROM stripe_events WHERE id = $1")
        .bind(event_id)
        .fetch_one(app.db.reader())
        .await
        .unwrap()
}

async fn one_cent_does_not_pay_a_booking(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let booking = seed_booking(&app.db).await;
    let cheap = completed(
        "evt_cent",
        json!({"amount_total": 1, "metadata": {"bookingId": booking.to_string()}}),
    );
    deliver_ok(&app, &cheap).await;
    assert_eq!(statuses(&app.db, booking).await.0, "unpaid");
    assert_eq!(
        errors_for(&app, booking).await,
        ["amount mismatch: got 0.01 USD, booking is 45.00 USD"]
    );
    assert_eq!(
        outcome_of(&app, "evt_cent").await,
        (
            Some(booking),
            "refused: amount mismatch: got 0.01 USD, booking is 45.00 USD".to_owned()
        )
    );

    // It shows on the payment-issues view, with a link to the booking.
    app.login_admin().await;
    let issues = app
        .server_fn("admin/issues", &[("resolved", "false"), ("page", "1")])
        .await;
    assert_eq!(issues.status, 200, "{}", issues.body);
    let (rows, total) = (&issues.json()[0], &issues.json()[1]);
    assert_eq!(total, 1);
    assert_eq!(rows[0]["booking"]["id"], booking);
    assert_eq!(rows[0]["level"], "error");
    assert!(rows[0]["message"]
        .as_str()
        .unwrap()
        .starts_with("amount mismatch"));

    // The real payment still goes through afterwards.
    deliver_ok(&app, &paid_event("evt_real", booking)).await;
    assert_eq!(statuses(&app.db, booking).await.0, "paid");
}

async fn another_currency_or_the_other_mode_does_not_pay_it(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let booking = seed_booking(&app.db).await;
    let named = json!({"bookingId": booking.to_string()});
    deliver_ok(
        &app,
        &completed("evt_eur", json!({"currency": "eur", "metadata": named})),
    )
    .await;
    deliver_ok(
        &app,
        &completed("evt_live", json!({"livemode": true, "metadata": named})),
    )
    .await;
    // A delayed payment's completion ties its session to the booking: checked too.
    deliver_ok(
        &app,
        &completed(
            "evt_bank",
            json!({"payment_status": "unpaid", "amount_total": 100, "metadata": named}),
        ),
    )
    .await;
    assert_eq!(statuses(&app.db, booking).await.0, "unpaid");
    let errors = errors_for(&app, booking).await;
    assert_eq!(errors.len(), 3, "{errors:?}");
    assert_eq!(errors[0], "currency mismatch: got EUR, booking is in USD");
    assert_eq!(
        errors[1],
        "livemode mismatch: a live event, this deployment takes test events"
    );
    assert!(errors[2].starts_with("amount mismatch"), "{errors:?}");
    let stored: Option<String> =
        sqlx::query_scalar("SELECT stripe_payment_intent_id FROM bookings WHERE id = $1")
            .bind(booking)
            .fetch_one(app.db.reader())
            .await
            .unwrap();
    assert_eq!(
        stored, None,
        "a foreign session's payment is not tied to the booking"
    );
}

async fn a_client_reference_alone_names_no_booking(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let booking = seed_booking(&app.db).await;
    // A Payment Link buyer sets ?client_reference_id=N themselves, and pays the full price.
    let link = completed(
        "evt_link",
        json!({"client_reference_id": booking.to_string(), "metadata": {}}),
    );
    deliver_ok(&app, &link).await;
    assert_eq!(statuses(&app.db, booking).await.0, "unpaid");
    let logs = payment_logs(&app.db).await;
    assert_eq!(logs.len(), 1, "{logs:?}");
    assert_eq!(logs[0].booking_id, None);
    assert!(
        logs[0]
            .message
            .as_deref()
            .unwrap()
            .contains("client_reference_id"),
        "{logs:?}"
    );

    // With the session the booking holds, the same reference is ours.
    sqlx::query("UPDATE bookings SET stripe_checkout_session_id = 'cs_evt_ours' WHERE id = $1")
        .bind(booking)
        .execute(app.db.writer())
        .await
        .unwrap();
    deliver_ok(
        &app,
        &completed(
            "evt_ours",
            json!({"client_reference_id": booking.to_string(), "metadata": {}}),
        ),
    )
    .await;
    assert_eq!(statuses(&app.db, booking).await.0, "paid");
}

async fn a_refund_of_another_payment_leaves_a_paid_booking_paid(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let booking = seed_booking(&app.db).await;
    deliver_ok(&app, &paid_event("evt_pay", booking)).await;
    assert_eq!(statuses(&app.db, booking).await.0, "paid");
    let foreign = refunded_charge("ch_other", "pi_other", Some(booking), 4500, 4500, "usd");
    deliver_ok(
        &app,
        &event("evt_refund_other", "charge.refunded", now_secs(), foreign),
    )
    .await;
    let small = refunded_charge("ch_small", "pi_evt_pay", Some(booking), 100, 100, "usd");
    deliver_ok(
        &app,
        &event("evt_refund_small", "charge.refunded", now_secs(), small),
    )
    .await;
    assert_eq!(statuses(&app.db, booking).await.0, "paid");
    let errors = errors_for(&app, booking).await;
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(errors[0].starts_with("payment mismatch"), "{errors:?}");
    assert!(errors[1].starts_with("amount mismatch"), "{errors:?}");

    // Its own payment's refund is applied.
    let own = refunded_charge("ch_own", "pi_evt_pay", Some(booking), 4500, 4500, "usd");
    deliver_ok(
        &app,
        &event("evt_refund_own", "charge.refunded", now_secs(), own),
    )
    .await;
    assert_eq!(statuses(&app.db, booking).await.0, "refunded");
}

async fn reconciliation_checks_the_money_too(backend: Backend) {
    let fake = crate::support::fake_stripe::FakeStripe::start().await;
    let app = TestApp::spawn_with(
        backend,
        &[
            ("PAYMENT_MODE", "stripe"),
            ("STRIPE_SECRET_KEY", "sk_test_integrity_suite_key"),
            ("STRIPE_API_BASE", &fake.base_url),
        ],
    )
    .await;
    let session = seed_session(&app.db, 10).await;
    let answer = app
        .server_fn("book", &as_pairs(&booking_form(session, "Recon Parent")))
        .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    let booking = app::db::bookings::by_id(&app.db, 1).await.unwrap().unwrap();
    let session_id = booking.stripe_checkout_session_id.clone().unwrap();
    // Stripe reports the session complete and paid, but for one cent.
    fake.set_session(&session_id, "complete", "paid");
    fake.set_session_total(&session_id, 1, "usd");
    let check = app
        .server_fn("bookings/check", &[("reference", &booking.reference)])
        .await;
    assert_eq!(check.status, 200, "{}", check.body);
    assert_eq!(check.json(), false, "nothing applied");
    assert_eq!(statuses(&app.db, booking.id).await.0, "unpaid");
    assert_eq!(
        errors_for(&app, booking.id).await,
        ["amount mismatch: got 0.01 USD, booking is 45.00 USD"]
    );
}

on_both_databases!(
    reconciliation_checks_the_money_too,
    one_cent_does_not_pay_a_booking,
    another_currency_or_the_other_mode_does_not_pay_it,
    a_client_reference_alone_names_no_booking,
    a_refund_of_another_payment_leaves_a_paid_booking_paid,
);
