//! Stripe mode against a local fake Stripe API (`STRIPE_API_BASE`) speaking Stripe's wire
//! format: what the create request carries, session reuse, and Stripe refusing, failing or
//! hanging, each leaving the booking unpaid with a plain message.

use crate::support::fake_stripe::{Behaviour, FakeStripe};
use crate::support::*;
use std::time::Duration;

async fn stripe_app(backend: Backend) -> (TestApp, FakeStripe) {
    let fake = FakeStripe::start().await;
    let app = TestApp::spawn_with(
        backend,
        &[
            ("PAYMENT_MODE", "stripe"),
            ("STRIPE_SECRET_KEY", "sk_test_fake_key_for_the_suite"),
            ("STRIPE_API_BASE", &fake.base_url),
            ("STRIPE_TIMEOUT_MS", "1000"),
            ("PUBLIC_BASE_URL", "https://book.example.com"),
        ],
    )
    .await;
    (app, fake)
}

async fn book(app: &TestApp, session: i64) -> (FnAnswer, app::db::bookings::Booking) {
    let answer = app
        .server_fn("book", &as_pairs(&booking_form(session, "Pat Parent")))
        .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    let id: i64 = sqlx::query_scalar("SELECT MAX(id) FROM bookings")
        .fetch_one(app.db.reader())
        .await
        .unwrap();
    let booking = app::db::bookings::by_id(&app.db, id)
        .await
        .unwrap()
        .unwrap();
    (answer, booking)
}

async fn the_create_request_carries_what_stripe_needs(backend: Backend) {
    let (app, fake) = stripe_app(backend).await;
    let session = seed_session(&app.db, 10).await;
    let (answer, booking) = book(&app, session).await;

    let requests = fake.requests();
    assert_eq!(requests.len(), 1);
    let create = &requests[0];
    assert_eq!(
        (create.method.as_str(), create.path.as_str()),
        ("POST", "/v1/checkout/sessions")
    );
    assert_eq!(
        create.headers["authorization"],
        "Bearer sk_test_fake_key_for_the_suite"
    );
    assert_eq!(
        create.headers["idempotency-key"],
        format!("checkout-{}-1", booking.reference)
    );
    let id = booking.id.to_string();
    let form = &create.form;
    let expect = [
        ("mode", "payment"),
        ("line_items[0][quantity]", "1"),
        ("line_items[0][price_data][unit_amount]", "4500"),
        ("line_items[0][price_data][currency]", "usd"),
        ("metadata[bookingId]", id.as_str()),
        ("payment_intent_data[metadata][bookingId]", id.as_str()),
        ("client_reference_id", id.as_str()),
        ("customer_email", "parent@example.com"),
    ];
    for (key, value) in expect {
        assert_eq!(
            form.get(key).map(String::as_str),
            Some(value),
            "{key}: {form:?}"
        );
    }
    assert!(
        form["line_items[0][price_data][product_data][name]"].starts_with("Sprint technique – ")
    );
    assert_eq!(
        form["success_url"],
        format!(
            "https://book.example.com/bookings/{}/paid?session_id={{CHECKOUT_SESSION_ID}}",
            booking.reference
        )
    );
    assert_eq!(
        form["cancel_url"],
        format!(
            "https://book.example.com/bookings/{}/cancelled",
            booking.reference
        )
    );
    let expires: i64 = form["expires_at"].parse().unwrap();
    assert!(
        (30 * 60..=32 * 60).contains(&(expires - now_secs())),
        "Stripe's minimum is 30 minutes"
    );
    // The browser never chose the price: no amount field was sent by it, none is accepted.

    let stored = booking.stripe_checkout_session_id.clone().unwrap();
    assert!(stored.starts_with("cs_test_"));
    assert_eq!(
        answer.redirect.as_deref(),
        Some(format!("https://checkout.stripe.com/c/pay/{stored}").as_str())
    );
    assert_eq!(booking.payment_status, domain::PaymentStatus::Unpaid);

    // Paying again while the session is open reuses it: no second request to Stripe.
    let again = app
        .server_fn("bookings/pay", &[("reference", &booking.reference)])
        .await;
    assert_eq!(again.redirect.as_deref(), answer.redirect.as_deref());
    assert_eq!(fake.requests().len(), 1);

    // A paid booking cannot pay again.
    sqlx::query("UPDATE bookings SET payment_status = 'paid' WHERE id = $1")
        .bind(booking.id)
        .execute(app.db.writer())
        .await
        .unwrap();
    let paid = app
        .server_fn("bookings/pay", &[("reference", &booking.reference)])
        .await;
    assert_eq!(paid.status, 409);
    assert!(paid.body.contains("already paid"), "{}", paid.body);
    assert_eq!(fake.requests().len(), 1);
}

async fn expect_unpaid_with_message(
    app: &TestApp,
    answer: &FnAnswer,
    booking: &app::db::bookings::Booking,
    code: &str,
) {
    assert_eq!(booking.payment_status, domain::PaymentStatus::Unpaid);
    assert_eq!(booking.stripe_checkout_session_id, None);
    let redirect = answer.redirect.clone().unwrap();
    assert_eq!(
        redirect,
        format!("/bookings/{}?checkout={code}", booking.reference)
    );
    let page = app.get_page(&redirect).await.1;
    assert!(
        page.contains("Your booking is saved and unpaid"),
        "a plain message"
    );
    assert!(page.contains("Pay now"), "and a retry button");
}

async fn stripe_refusing_failing_or_hanging_leaves_the_booking_unpaid(backend: Backend) {
    let (app, fake) = stripe_app(backend).await;
    let session = seed_session(&app.db, 10).await;

    fake.behave(Behaviour::Refuse("Invalid currency: xyz".into()));
    let (answer, refused) = book(&app, session).await;
    expect_unpaid_with_message(&app, &answer, &refused, "refused").await;

    fake.behave(Behaviour::Fail);
    let (answer, failed) = book(&app, session).await;
    expect_unpaid_with_message(&app, &answer, &failed, "unavailable").await;

    fake.behave(Behaviour::Hang(Duration::from_secs(3)));
    let (answer, hung) = book(&app, session).await;
    expect_unpaid_with_message(&app, &answer, &hung, "unavailable").await;

    // Retries: after an answer (400, 500) a new idempotency key; after no answer, the same.
    // (While the hung request still runs at Stripe, a repeat under its key is answered 409:
    // wait until it is done.)
    fake.behave(Behaviour::Succeed);
    tokio::time::sleep(Duration::from_millis(2500)).await;
    for booking in [&refused, &failed, &hung] {
        let retry = app
            .server_fn("bookings/pay", &[("reference", &booking.reference)])
            .await;
        assert_eq!(retry.status, 200, "{}", retry.body);
        assert!(retry
            .redirect
            .unwrap()
            .starts_with("https://checkout.stripe.com/c/pay/cs_test_"));
    }
    let keys: Vec<String> = fake
        .requests()
        .iter()
        .map(|r| r.headers["idempotency-key"].clone())
        .collect();
    assert_eq!(
        keys,
        vec![
            format!("checkout-{}-1", refused.reference),
            format!("checkout-{}-1", failed.reference),
            format!("checkout-{}-1", hung.reference),
            format!("checkout-{}-2", refused.reference),
            format!("checkout-{}-2", failed.reference),
            format!("checkout-{}-1", hung.reference),
        ]
    );
    // The retry under the hung attempt's key repeats its request exactly (a later expiry would
    // be a different request to Stripe: 400 idempotency_error).
    let hung_requests: Vec<_> = fake
        .requests()
        .into_iter()
        .filter(|r| r.headers["idempotency-key"] == format!("checkout-{}-1", hung.reference))
        .collect();
    assert_eq!(hung_requests.len(), 2);
    assert_eq!(hung_requests[0].form, hung_requests[1].form);
    // The retried hung request is answered with the session Stripe may have made the first time.
    for booking in [&refused, &failed, &hung] {
        let now = app::db::bookings::by_id(&app.db, booking.id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(now.payment_status, domain::PaymentStatus::Unpaid);
        assert!(now.stripe_checkout_session_id.is_some());
    }
}

async fn a_refusal_on_retry_is_shown_beside_the_button(backend: Backend) {
    let (app, fake) = stripe_app(backend).await;
    let session = seed_session(&app.db, 10).await;
    fake.behave(Behaviour::Fail);
    let (_, booking) = book(&app, session).await;
    let retry = app
        .server_fn("bookings/pay", &[("reference", &booking.reference)])
        .await;
    assert_eq!(retry.status, 503);
    assert!(
        retry
            .body
            .contains("We could not reach the payment provider"),
        "{}",
        retry.body
    );
    assert!(
        !retry.body.contains("api_error"),
        "no internals reach the parent"
    );
}

async fn a_kept_request_too_old_to_send_again_starts_a_new_attempt(backend: Backend) {
    let (app, fake) = stripe_app(backend).await;
    let session = seed_session(&app.db, 10).await;
    fake.behave(Behaviour::Hang(Duration::from_secs(3)));
    let (_, hung) = book(&app, session).await;
    // Twenty minutes later its expiry would be under Stripe's 30-minute minimum.
    let kept: String = sqlx::query_scalar("SELECT checkout_request FROM bookings WHERE id = $1")
        .bind(hung.id)
        .fetch_one(app.db.reader())
        .await
        .unwrap();
    let mut request: serde_json::Value = serde_json::from_str(&kept).unwrap();
    request["expires_at"] = (now_secs() + 11 * 60).into();
    sqlx::query("UPDATE bookings SET checkout_request = $1 WHERE id = $2")
        .bind(request.to_string())
        .bind(hung.id)
        .execute(app.db.writer())
        .await
        .unwrap();

    fake.behave(Behaviour::Succeed);
    let retry = app
        .server_fn("bookings/pay", &[("reference", &hung.reference)])
        .await;
    assert_eq!(retry.status, 200, "{}", retry.body);
    let last = fake.requests().pop().unwrap();
    assert_eq!(
        last.headers["idempotency-key"],
        format!("checkout-{}-2", hung.reference)
    );
    let expires: i64 = last.form["expires_at"].parse().unwrap();
    assert!(expires >= now_secs() + 30 * 60, "a fresh request");
    let after = app::db::bookings::by_id(&app.db, hung.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(after.checkout_attempts, 2);
    assert_eq!(after.checkout_request, None, "answered: nothing kept");
}

on_both_databases!(
    a_kept_request_too_old_to_send_again_starts_a_new_attempt,
    the_create_request_carries_what_stripe_needs,
    stripe_refusing_failing_or_hanging_leaves_the_booking_unpaid,
    a_refusal_on_retry_is_shown_beside_the_button,
);
