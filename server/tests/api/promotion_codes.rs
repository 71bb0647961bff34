//! Promotion codes (issue 23), on both databases, against the fake Stripe: Checkout offers its
//! promotion-code field only with `PROMOTION_CODES`; a payment a session's discount accounts for
//! pays the booking, which records what was paid, the discount and the code (the admin sees
//! it), and refunds never exceed what was paid; a short payment, or a discount that does not
//! add up, is refused as any amount mismatch is; a family's discounted payment is shared among
//! its children, each refunded no more than its share.

use crate::support::fake_stripe::FakeStripe;
use crate::support::*;
use serde_json::{json, Value};
use server::simulated::events::{checkout_session, event, refunded_charge, SessionState};
use std::time::Duration;

/// The app in Stripe mode against a fake Stripe, with `PROMOTION_CODES` as given.
async fn stripe_app(backend: Backend, extra: &[(&str, &str)]) -> (TestApp, FakeStripe) {
    let fake = FakeStripe::start().await;
    let mut vars = vec![
        ("PAYMENT_MODE", "stripe"),
        ("STRIPE_SECRET_KEY", "sk_test_promotion_codes_suite"),
        ("STRIPE_API_BASE", fake.base_url.as_str()),
        ("STRIPE_TIMEOUT_MS", "2000"),
    ];
    vars.extend_from_slice(extra);
    let app = TestApp::spawn_with(backend, &vars).await;
    (app, fake)
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
struct Paid {
    id: i64,
    reference: String,
    amount: i64,
    payment_status: String,
    amount_paid: Option<i64>,
    amount_discount: i64,
    promotion_code: Option<String>,
    promotion_code_id: Option<String>,
    amount_refunded: i64,
}

/// The bookings of `email`, in the order they were made.
async fn bookings_of(db: &app::db::Db, email: &str) -> Vec<Paid> {
    sqlx::query_as(
        "SELECT id, reference, amount, payment_status, amount_paid, amount_discount,
                promotion_code, promotion_code_id, amount_refunded
         FROM bookings WHERE parent_email = $1 ORDER BY id",
    )
    .bind(email.to_owned())
    .fetch_all(db.reader())
    .await
    .unwrap()
}

/// Waits until `check` holds of `email`'s bookings (or fails after 10 s).
async fn until(
    db: &app::db::Db,
    email: &str,
    what: &str,
    check: impl Fn(&[Paid]) -> bool,
) -> Vec<Paid> {
    for _ in 0..100 {
        let rows = bookings_of(db, email).await;
        if check(&rows) {
            return rows;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{what}: {:#?}", bookings_of(db, email).await);
}

/// Books through the form as `email`, with more children when given; the checkout session.
async fn book(app: &TestApp, session: i64, email: &str, more: &[&str]) -> String {
    let mut form = booking_form(session, "Pat Promo");
    for (key, value) in &mut form {
        if key == "parent_email" {
            *value = email.to_owned();
        }
    }
    for (i, name) in more.iter().enumerate() {
        form.push((format!("athlete_name_{}", i + 2), (*name).to_owned()));
        form.push((format!("athlete_age_{}", i + 2), "9".to_owned()));
    }
    let answer = app.server_fn("book", &as_pairs(&form)).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    let checkout = answer.redirect.expect("to Stripe's checkout");
    checkout.rsplit('/').next().unwrap().to_owned()
}

/// The customer types a code worth `off` on the fake's checkout page and pays: the
/// `checkout.session.completed` Stripe then sends, with the session as it is.
fn pay_with_code(fake: &FakeStripe, session: &str, code: &str, off: i64, id: &str) -> Value {
    fake.enter_promotion_code(session, code, off);
    fake.set_session(session, "complete", "paid");
    let object = fake.session_object(session).unwrap();
    event(id, "checkout.session.completed", now_secs(), object)
}

async fn checkout_offers_the_promotion_code_field_only_when_asked(backend: Backend) {
    let (app, fake) = stripe_app(backend, &[("PROMOTION_CODES", "true")]).await;
    let session = seed_session_in(&app.db, 10, 3).await;
    let id = book(&app, session, "offered@example.com", &[]).await;
    let creates: Vec<_> = fake
        .requests()
        .into_iter()
        .filter(|r| r.path == "/v1/checkout/sessions")
        .collect();
    assert_eq!(creates.len(), 1);
    assert_eq!(
        creates[0]
            .form
            .get("allow_promotion_codes")
            .map(String::as_str),
        Some("true"),
        "{:?}",
        creates[0].form
    );
    assert_eq!(
        fake.session_object(&id).unwrap()["allow_promotion_codes"],
        true
    );
    assert!(fake.rejections().is_empty(), "{:?}", fake.rejections());
    drop(app);

    // Without the setting: no field, and no code can be typed.
    let (app, fake) = stripe_app(backend, &[]).await;
    let session = seed_session_in(&app.db, 10, 3).await;
    let id = book(&app, session, "plain@example.com", &[]).await;
    let create = &fake.requests()[0];
    assert_eq!(create.path, "/v1/checkout/sessions");
    assert!(
        !create.form.contains_key("allow_promotion_codes"),
        "{:?}",
        create.form
    );
    assert_eq!(
        fake.session_object(&id).unwrap()["allow_promotion_codes"],
        Value::Null
    );
}

async fn a_discounted_payment_pays_the_booking_and_no_more_than_it_is_refunded(backend: Backend) {
    let (app, fake) = stripe_app(backend, &[("PROMOTION_CODES", "true")]).await;
    let session = seed_session_in(&app.db, 10, 3).await;
    let email = "discounted@example.com";
    let checkout = book(&app, session, email, &[]).await;
    let paid = pay_with_code(
        &fake,
        &checkout,
        "promo_fake_spring10",
        1000,
        "evt_promo_paid",
    );
    assert_eq!(
        (
            &paid["data"]["object"]["amount_total"],
            &paid["data"]["object"]["total_details"]["amount_discount"]
        ),
        (&json!(3500), &json!(1000))
    );
    assert_eq!(app.deliver(&paid).await.status(), 200);
    let rows = bookings_of(&app.db, email).await;
    let booking = rows[0].clone();
    assert_eq!(
        (
            booking.amount,
            booking.payment_status.as_str(),
            booking.amount_paid,
            booking.amount_discount,
            booking.promotion_code_id.as_deref(),
        ),
        (4500, "paid", Some(3500), 1000, Some("promo_fake_spring10"))
    );
    let issues = payment_logs(&app.db)
        .await
        .into_iter()
        .filter(|l| l.level != "info")
        .collect::<Vec<_>>();
    assert!(issues.is_empty(), "{issues:#?}");

    // The admin sees the discount and its code.
    app.login_admin().await;
    let (status, detail) = app
        .get_page(&format!("/admin/bookings/{}", booking.id))
        .await;
    assert_eq!(status, 200);
    assert!(
        detail.contains("$10.00 (promotion code promo_fake_spring10)"),
        "{detail}"
    );
    assert!(detail.contains("$35.00"), "what was paid");
    // The family's export says it too.
    let key = app::settings::DataKey::from_text(TEST_FAMILY_DATA_KEY).unwrap();
    let export = app::services::family_data::export(&app.db, &key, email)
        .await
        .unwrap();
    assert_eq!(
        (
            export.bookings[0].amount_paid,
            export.bookings[0].amount_discount,
            export.bookings[0].promotion_code_id.as_deref()
        ),
        (Some(3500), 1000, Some("promo_fake_spring10"))
    );

    // Cancelled by the parent: what was paid comes back, not the price.
    let cancel = app
        .server_fn(
            "bookings/cancel",
            &[("reference", booking.reference.as_str())],
        )
        .await;
    assert_eq!(cancel.status, 200, "{}", cancel.body);
    let refunds = fake.refunds();
    assert_eq!(
        refunds.iter().map(|r| r.amount).collect::<Vec<_>>(),
        [3500],
        "{:?}",
        fake.rejections()
    );
    assert_eq!(refunds[0].status, "succeeded");
    let asked: Vec<(i64, String)> =
        sqlx::query_as("SELECT amount, status FROM refunds WHERE booking_id = $1")
            .bind(booking.id)
            .fetch_all(app.db.reader())
            .await
            .unwrap();
    assert_eq!(asked, [(3500, "succeeded".to_owned())]);
    // Stripe's news of the charge refunded in full is the booking's own payment.
    let intent = fake.session(&checkout).unwrap().payment_intent.unwrap();
    let charge = refunded_charge("ch_promo", &intent, Some(booking.id), 3500, 3500, "usd");
    let refunded = event("evt_promo_refunded", "charge.refunded", now_secs(), charge);
    assert_eq!(app.deliver(&refunded).await.status(), 200);
    let rows = bookings_of(&app.db, email).await;
    assert_eq!(
        (rows[0].payment_status.as_str(), rows[0].amount_refunded),
        ("refunded", 3500)
    );
    let errors: Vec<_> = payment_logs(&app.db)
        .await
        .into_iter()
        .filter(|l| l.level == "error")
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

/// A `checkout.session.completed` for `booking` charging `total`, with a discount of
/// `discount` when given (a session made elsewhere on the account, or tampered with).
fn completed(id: &str, booking: i64, total: i64, discount: Option<i64>) -> Value {
    let mut session = checkout_session(&SessionState {
        session_id: &format!("cs_{id}"),
        booking_id: booking,
        amount: total,
        currency: "usd",
        status: "complete",
        payment_status: "paid",
        payment_intent: Some(&format!("pi_{id}")),
        url: None,
        created: now_secs(),
        expires_at: now_secs() + 1800,
    });
    if let Some(discount) = discount {
        session["amount_subtotal"] = json!(total + discount);
        session["total_details"] =
            json!({"amount_discount": discount, "amount_shipping": 0, "amount_tax": 0});
        session["discounts"] = json!([{"coupon": "co_x", "promotion_code": "promo_x"}]);
    }
    event(id, "checkout.session.completed", now_secs(), session)
}

async fn a_short_payment_is_refused_unless_its_discount_makes_it_up(backend: Backend) {
    let app = TestApp::spawn_with(backend, &[("PROMOTION_CODES", "true")]).await;
    let booking = seed_booking(&app.db).await;
    let outcome = |id: &'static str| {
        let db = app.db.clone();
        async move {
            sqlx::query_scalar::<_, String>("SELECT outcome FROM stripe_events WHERE id = $1")
                .bind(id)
                .fetch_one(db.reader())
                .await
                .unwrap()
        }
    };
    let read = || bookings_of(&app.db, "pat.parent@example.com");

    // Short, no discount.
    let short = app
        .deliver(&completed("evt_short", booking, 3500, None))
        .await;
    assert_eq!(short.status(), 200);
    // Short, with a discount that does not add up to the price.
    let odd = app
        .deliver(&completed("evt_odd", booking, 3000, Some(1000)))
        .await;
    assert_eq!(odd.status(), 200);
    let rows = read().await;
    assert_eq!(
        (
            rows[0].payment_status.as_str(),
            rows[0].amount_paid,
            rows[0].amount_discount
        ),
        ("unpaid", None, 0)
    );
    assert_eq!(
        outcome("evt_short").await,
        "refused: amount mismatch: got 35.00 USD, booking is 45.00 USD"
    );
    assert_eq!(
        outcome("evt_odd").await,
        "refused: amount mismatch: got 30.00 USD with a discount of 10.00 USD, booking is 45.00 USD"
    );
    // Both are payment issues, as every amount mismatch is.
    app.login_admin().await;
    let issues = app
        .server_fn("admin/issues", &[("resolved", "false"), ("page", "1")])
        .await;
    assert_eq!(issues.status, 200, "{}", issues.body);
    assert_eq!(issues.json()[1], 2, "{}", issues.body);
    let messages: Vec<String> = issues.json()[0]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| {
            assert_eq!(row["booking"]["id"], booking);
            assert_eq!(row["level"], "error");
            row["message"].as_str().unwrap().to_owned()
        })
        .collect();
    assert!(
        messages
            .iter()
            .all(|m| m.starts_with("amount mismatch: got ")),
        "{messages:?}"
    );

    // The discount that does make it up pays it.
    let right = app
        .deliver(&completed("evt_right", booking, 3500, Some(1000)))
        .await;
    assert_eq!(right.status(), 200);
    let rows = read().await;
    assert_eq!(
        (
            rows[0].payment_status.as_str(),
            rows[0].amount_paid,
            rows[0].amount_discount,
            rows[0].promotion_code_id.as_deref()
        ),
        ("paid", Some(3500), 1000, Some("promo_x"))
    );
}

async fn a_familys_discounted_payment_is_shared_and_one_child_refunded_its_share(backend: Backend) {
    let (app, fake) = stripe_app(
        backend,
        &[
            ("PROMOTION_CODES", "true"),
            ("SIBLING_DISCOUNT_PERCENT", "10"),
        ],
    )
    .await;
    let session = seed_session_in(&app.db, 10, 3).await;
    let email = "family.promo@example.com";
    let checkout = book(&app, session, email, &["Sam"]).await;
    let rows = bookings_of(&app.db, email).await;
    assert_eq!(
        rows.iter().map(|r| r.amount).collect::<Vec<_>>(),
        [4500, 4050]
    );
    // 85.50 less 10.00: 75.50 paid, shared in proportion to the prices.
    let paid = pay_with_code(
        &fake,
        &checkout,
        "promo_fake_family",
        1000,
        "evt_family_paid",
    );
    assert_eq!(paid["data"]["object"]["amount_total"], 7550);
    assert_eq!(app.deliver(&paid).await.status(), 200);
    let rows = until(&app.db, email, "both paid", |rows| {
        rows.iter().all(|r| r.payment_status == "paid")
    })
    .await;
    let shares: Vec<Option<i64>> = rows.iter().map(|r| r.amount_paid).collect();
    assert_eq!(shares, [Some(3974), Some(3576)]);
    assert_eq!(shares.iter().flatten().sum::<i64>(), 7550, "the charge");
    assert_eq!(
        rows.iter().map(|r| r.amount_discount).collect::<Vec<_>>(),
        [526, 474]
    );
    assert!(rows
        .iter()
        .all(|r| r.promotion_code_id.as_deref() == Some("promo_fake_family")));
    app.login_admin().await;
    let (_, detail) = app
        .get_page(&format!("/admin/bookings/{}", rows[1].id))
        .await;
    assert!(
        detail.contains("$4.74 (promotion code promo_fake_family)"),
        "{detail}"
    );

    // The second child is cancelled: its share comes back, not its price.
    let cancel = app
        .server_fn(
            "bookings/cancel",
            &[("reference", rows[1].reference.as_str())],
        )
        .await;
    assert_eq!(cancel.status, 200, "{}", cancel.body);
    assert_eq!(
        fake.refunds().iter().map(|r| r.amount).collect::<Vec<_>>(),
        [3576],
        "{:?}",
        fake.rejections()
    );
    let rows = until(&app.db, email, "the second child refunded", |rows| {
        rows[1].payment_status == "refunded"
    })
    .await;
    assert_eq!(rows[1].amount_refunded, 3576);
    // Stripe's news of the charge, partly refunded, leaves the first child its own share.
    let intent = fake.session(&checkout).unwrap().payment_intent.unwrap();
    let charge = refunded_charge("ch_family", &intent, Some(rows[0].id), 7550, 3576, "usd");
    let news = event("evt_family_partial", "charge.refunded", now_secs(), charge);
    assert_eq!(app.deliver(&news).await.status(), 200);
    let rows = bookings_of(&app.db, email).await;
    assert_eq!(
        (
            rows[0].payment_status.as_str(),
            rows[0].amount_paid,
            rows[0].amount_refunded
        ),
        ("paid", Some(3974), 0)
    );
    assert_eq!(rows[1].amount_paid, Some(3576));
    // What is left to refund of the first child is what it paid.
    let (_, detail) = app
        .get_page(&format!("/admin/bookings/{}", rows[0].id))
        .await;
    assert!(detail.contains("Empty: all of 39.74"), "{detail}");
    let errors: Vec<_> = payment_logs(&app.db)
        .await
        .into_iter()
        .filter(|l| l.level == "error")
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

async fn reconciliation_takes_a_discounted_session_as_the_webhook_does(backend: Backend) {
    let (app, fake) = stripe_app(backend, &[("PROMOTION_CODES", "true")]).await;
    let session = seed_session_in(&app.db, 10, 3).await;
    let email = "reconciled@example.com";
    let checkout = book(&app, session, email, &[]).await;
    // Paid with a code; the webhook never came.
    pay_with_code(&fake, &checkout, "promo_fake_late", 1000, "evt_unsent");
    let reference = bookings_of(&app.db, email).await[0].reference.clone();
    let check = app
        .server_fn("bookings/check", &[("reference", reference.as_str())])
        .await;
    assert_eq!(check.status, 200, "{}", check.body);
    assert_eq!(check.json(), true, "applied");
    let rows = bookings_of(&app.db, email).await;
    assert_eq!(
        (
            rows[0].payment_status.as_str(),
            rows[0].amount_paid,
            rows[0].amount_discount,
            rows[0].promotion_code_id.as_deref()
        ),
        ("paid", Some(3500), 1000, Some("promo_fake_late"))
    );
}

on_both_databases!(
    checkout_offers_the_promotion_code_field_only_when_asked,
    a_discounted_payment_pays_the_booking_and_no_more_than_it_is_refunded,
    a_short_payment_is_refused_unless_its_discount_makes_it_up,
    a_familys_discounted_payment_is_shared_and_one_child_refunded_its_share,
    reconciliation_takes_a_discounted_session_as_the_webhook_does,
);
