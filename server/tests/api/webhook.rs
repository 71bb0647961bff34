//! The Stripe webhook through HTTP on both databases: signatures (against Stripe's own signer),
//! rotation, every row of the transition table, duplicates, concurrency, the body bound.

use crate::support::*;
use serde_json::Value;
use server::simulated::events::{
    checkout_session, event, payment_intent, refunded_charge, SessionState,
};
use std::process::{Command, Stdio};

/// Stripe's official library (the `stripe` npm package), run through node.
fn stripe_node(args: &[&str], payload: &str) -> (bool, String) {
    use std::io::Write;
    let tool = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../end2end/tools/stripe-signature.cjs"
    );
    let mut child = Command::new("node")
        .arg(tool)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("node is installed (scripts/setup.sh installs the end2end packages)");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(payload.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.code().is_some_and(|c| c <= 1),
        "stripe tool failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

fn stripe_sign(payload: &str, secret: &str, timestamp: i64) -> String {
    let (ok, header) = stripe_node(&["sign", secret, &timestamp.to_string()], payload);
    assert!(ok);
    header
}

fn session<'a>(
    id: &'a str,
    booking: i64,
    payment_status: &'a str,
    status: &'a str,
) -> SessionState<'a> {
    SessionState {
        session_id: id,
        booking_id: booking,
        amount: 4500,
        currency: "usd",
        status,
        payment_status,
        payment_intent: Some("pi_for_test"),
        url: None,
        created: now_secs(),
        expires_at: now_secs() + 1800,
    }
}

fn completed(event_id: &str, booking: i64, payment_status: &str) -> Value {
    let session_id = format!("cs_{event_id}");
    event(
        event_id,
        "checkout.session.completed",
        now_secs(),
        checkout_session(&session(&session_id, booking, payment_status, "complete")),
    )
}

fn session_event(event_id: &str, event_type: &str, booking: i64, session_id: &str) -> Value {
    event(
        event_id,
        event_type,
        now_secs(),
        checkout_session(&session(session_id, booking, "unpaid", "expired")),
    )
}

fn intent_failed(event_id: &str, booking: Option<i64>) -> Value {
    event(
        event_id,
        "payment_intent.payment_failed",
        now_secs(),
        payment_intent(
            "pi_for_test",
            booking,
            4500,
            "usd",
            Some("Your card was declined."),
        ),
    )
}

fn refund(event_id: &str, booking: Option<i64>, refunded: i64) -> Value {
    event(
        event_id,
        "charge.refunded",
        now_secs(),
        refunded_charge("ch_for_test", "pi_for_test", booking, 4500, refunded, "usd"),
    )
}

async fn deliver_ok(app: &TestApp, event: &Value) {
    let response = app.deliver(event).await;
    let status = response.status();
    let body = response.text().await.unwrap();
    assert_eq!(status, 200, "{body}");
    assert_eq!(body, r#"{"received":true}"#);
}

async fn set_attendance(app: &TestApp, booking: i64, attendance: &str) {
    sqlx::query("UPDATE bookings SET attendance_status = $1 WHERE id = $2")
        .bind(attendance)
        .bind(booking)
        .execute(app.db.writer())
        .await
        .unwrap();
}

async fn stripe_signatures_agree_with_stripes_library(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let booking = seed_booking(&app.db).await;
    let payload = completed("evt_signed_by_stripe", booking, "paid").to_string();
    let now = now_secs();

    // Stripe's signer -> our endpoint.
    let header = stripe_sign(&payload, WEBHOOK_SECRET, now);
    assert!(header.starts_with(&format!("t={now},v1=")), "{header}");
    let response = app.post_webhook(&payload, Some(&header)).await;
    assert_eq!(response.status(), 200);
    assert_eq!(statuses(&app.db, booking).await.0, "paid");

    // Our signer -> Stripe's verifier (the simulated checkout signs with it).
    let ours = sign(&payload, WEBHOOK_SECRET, now);
    assert_eq!(ours, header, "the same bytes for the same input");
    assert!(stripe_node(&["verify", WEBHOOK_SECRET, &ours], &payload).0);
    assert!(!stripe_node(&["verify", "whsec_other_secret_123", &ours], &payload).0);

    // Refusals: each 400 with its reason, nothing written.
    let ledger = count(&app.db, "stripe_events").await;
    let logs = count(&app.db, "payment_logs").await;
    let fresh = completed("evt_refused", booking, "paid").to_string();
    let mut tampered = fresh.clone().into_bytes();
    let position = tampered.len() / 2;
    tampered[position] ^= 0x01;
    let tampered = String::from_utf8_lossy(&tampered).into_owned();
    let good_header = stripe_sign(&fresh, WEBHOOK_SECRET, now);
    let cases: Vec<(&str, String, Option<String>, &str)> = vec![
        (
            "tampered byte",
            tampered,
            Some(good_header.clone()),
            "no signature matches the payload",
        ),
        (
            "wrong secret",
            fresh.clone(),
            Some(stripe_sign(&fresh, "whsec_not_our_secret_0123", now)),
            "no signature matches the payload",
        ),
        (
            "old timestamp",
            fresh.clone(),
            Some(stripe_sign(&fresh, WEBHOOK_SECRET, now - 302)),
            "timestamp outside the tolerance",
        ),
        (
            "future timestamp",
            fresh.clone(),
            Some(stripe_sign(&fresh, WEBHOOK_SECRET, now + 360)),
            "timestamp outside the tolerance",
        ),
        (
            "missing header",
            fresh.clone(),
            None,
            "missing Stripe-Signature header",
        ),
        (
            "garbage header",
            fresh.clone(),
            Some("this is not a signature".into()),
            "malformed Stripe-Signature header",
        ),
        (
            "v0 only",
            fresh.clone(),
            Some(good_header.replace("v1=", "v0=")),
            "malformed Stripe-Signature header: no v1 signature",
        ),
    ];
    for (name, body, header, reason) in cases {
        let response = app.post_webhook(&body, header.as_deref()).await;
        assert_eq!(response.status(), 400, "{name}");
        let text = response.text().await.unwrap();
        assert!(text.starts_with(reason), "{name}: {text}");
        assert_eq!(text.trim_end().lines().count(), 1, "{name}: one line");
    }
    assert_eq!(count(&app.db, "stripe_events").await, ledger);
    assert_eq!(count(&app.db, "payment_logs").await, logs);
    assert_eq!(statuses(&app.db, booking).await.0, "paid");
}

async fn rotation_accepts_either_secret_and_any_v1(backend: Backend) {
    let old = "whsec_rotation_old_0123456789";
    let new = "whsec_rotation_new_0123456789";
    let app = TestApp::spawn_with(
        backend,
        &[("STRIPE_WEBHOOK_SECRET", &format!("{old},{new}"))],
    )
    .await;
    let booking = seed_booking(&app.db).await;
    let now = now_secs();
    let other = "whsec_unrelated_secret_42";
    for (n, secrets_in_header) in [
        vec![old],
        vec![new],
        vec![old, new],
        vec![new, old],
        vec![other, new],
        vec![new, other],
    ]
    .into_iter()
    .enumerate()
    {
        let payload = event(
            &format!("evt_rotation_{n}"),
            "customer.created",
            now,
            serde_json::json!({"id": "cus_1", "object": "customer"}),
        )
        .to_string();
        let v1: Vec<String> = secrets_in_header
            .iter()
            .map(|s| {
                sign(&payload, s, now)
                    .split_once(",v1=")
                    .unwrap()
                    .1
                    .to_owned()
            })
            .collect();
        let header = format!("t={now},v1={}", v1.join(",v1="));
        let response = app.post_webhook(&payload, Some(&header)).await;
        assert_eq!(response.status(), 200, "{secrets_in_header:?}");
    }
    // A header signed only with a secret we do not hold is still refused.
    let payload = completed("evt_rotation_bad", booking, "paid").to_string();
    let response = app
        .post_webhook(&payload, Some(&sign(&payload, other, now)))
        .await;
    assert_eq!(response.status(), 400);
    assert_eq!(count(&app.db, "stripe_events").await, 6);
}

/// One row of the transition table: the booking starts in `from`, `event` arrives.
struct Row {
    name: &'static str,
    from: &'static str,
    event: fn(i64) -> Value,
    to: &'static str,
    /// The payment_logs row written for the booking: (level, text it contains).
    log: Option<(&'static str, &'static str)>,
}

fn table() -> Vec<Row> {
    fn row(
        name: &'static str,
        from: &'static str,
        event: fn(i64) -> Value,
        to: &'static str,
        log: Option<(&'static str, &'static str)>,
    ) -> Row {
        Row {
            name,
            from,
            event,
            to,
            log,
        }
    }
    let refused = Some(("warning", "refused"));
    vec![
        row(
            "completed paid from unpaid",
            "unpaid",
            |b| completed("evt_t", b, "paid"),
            "paid",
            None,
        ),
        row(
            "completed paid from failed",
            "failed",
            |b| completed("evt_t", b, "paid"),
            "paid",
            None,
        ),
        row(
            "completed paid from paid",
            "paid",
            |b| completed("evt_t", b, "paid"),
            "paid",
            Some(("info", "already in that status")),
        ),
        row(
            "completed paid from refunded",
            "refunded",
            |b| completed("evt_t", b, "paid"),
            "refunded",
            Some(("warning", "refunded is final")),
        ),
        row(
            "completed free from unpaid",
            "unpaid",
            |b| completed("evt_t", b, "no_payment_required"),
            "paid",
            None,
        ),
        row(
            "completed delayed from unpaid",
            "unpaid",
            |b| completed("evt_t", b, "unpaid"),
            "unpaid",
            Some(("info", "awaiting payment")),
        ),
        row(
            "completed delayed from failed",
            "failed",
            |b| completed("evt_t", b, "unpaid"),
            "failed",
            Some(("info", "awaiting payment")),
        ),
        row(
            "async succeeded from unpaid",
            "unpaid",
            |b| {
                session_event(
                    "evt_t",
                    "checkout.session.async_payment_succeeded",
                    b,
                    "cs_x",
                )
            },
            "paid",
            None,
        ),
        row(
            "async succeeded from failed",
            "failed",
            |b| {
                session_event(
                    "evt_t",
                    "checkout.session.async_payment_succeeded",
                    b,
                    "cs_x",
                )
            },
            "paid",
            None,
        ),
        row(
            "async succeeded from refunded",
            "refunded",
            |b| {
                session_event(
                    "evt_t",
                    "checkout.session.async_payment_succeeded",
                    b,
                    "cs_x",
                )
            },
            "refunded",
            refused,
        ),
        row(
            "async failed from unpaid",
            "unpaid",
            |b| session_event("evt_t", "checkout.session.async_payment_failed", b, "cs_x"),
            "failed",
            Some(("error", "the payment failed")),
        ),
        row(
            "async failed from paid",
            "paid",
            |b| session_event("evt_t", "checkout.session.async_payment_failed", b, "cs_x"),
            "paid",
            Some(("warning", "paid is never downgraded")),
        ),
        row(
            "intent failed from unpaid",
            "unpaid",
            |b| intent_failed("evt_t", Some(b)),
            "failed",
            Some(("error", "Your card was declined.")),
        ),
        row(
            "intent failed from paid",
            "paid",
            |b| intent_failed("evt_t", Some(b)),
            "paid",
            Some(("warning", "paid is never downgraded")),
        ),
        row(
            "intent failed from failed",
            "failed",
            |b| intent_failed("evt_t", Some(b)),
            "failed",
            Some(("info", "already in that status")),
        ),
        row(
            "session payment_failed alias from unpaid",
            "unpaid",
            |b| session_event("evt_t", "checkout.session.payment_failed", b, "cs_x"),
            "failed",
            Some(("error", "the payment failed")),
        ),
        row(
            "expired from unpaid",
            "unpaid",
            |b| session_event("evt_t", "checkout.session.expired", b, "cs_x"),
            "unpaid",
            Some(("info", "expired")),
        ),
        row(
            "expired from failed",
            "failed",
            |b| session_event("evt_t", "checkout.session.expired", b, "cs_x"),
            "failed",
            Some(("info", "expired")),
        ),
        row(
            "expired from paid",
            "paid",
            |b| session_event("evt_t", "checkout.session.expired", b, "cs_x"),
            "paid",
            refused,
        ),
        row(
            "full refund from paid",
            "paid",
            |b| refund("evt_t", Some(b), 4500),
            "refunded",
            Some(("info", "refunded in full ($45.00)")),
        ),
        row(
            "full refund from unpaid",
            "unpaid",
            |b| refund("evt_t", Some(b), 4500),
            "refunded",
            Some(("info", "refunded in full")),
        ),
        row(
            "full refund from failed",
            "failed",
            |b| refund("evt_t", Some(b), 4500),
            "refunded",
            Some(("info", "refunded in full")),
        ),
        row(
            "full refund from refunded",
            "refunded",
            |b| refund("evt_t", Some(b), 4500),
            "refunded",
            Some(("warning", "refunded is final")),
        ),
        row(
            "full refund found by payment intent",
            "paid",
            |_| refund("evt_t", None, 4500),
            "refunded",
            Some(("info", "refunded in full")),
        ),
        row(
            "partial refund from paid",
            "paid",
            |b| refund("evt_t", Some(b), 1000),
            "paid",
            Some(("info", "partly refunded ($10.00")),
        ),
        row(
            "partial refund from unpaid",
            "unpaid",
            |b| refund("evt_t", Some(b), 1000),
            "unpaid",
            Some(("warning", "partial refund applies only to a paid booking")),
        ),
    ]
}

async fn every_row_of_the_transition_table(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    for row in table() {
        let booking = seed_booking(&app.db).await;
        // Unique event ids per booking: the ledger is global.
        set_attendance(&app, booking, "confirmed").await;
        let rename = |mut e: Value, suffix: &str| {
            e["id"] = Value::String(format!("{}_{booking}_{suffix}", e["id"].as_str().unwrap()));
            e
        };
        // Put the booking in `from` through the webhook, as Stripe would.
        match row.from {
            "unpaid" => {}
            "paid" => {
                deliver_ok(
                    &app,
                    &rename(completed("evt_setup_paid", booking, "paid"), "s"),
                )
                .await
            }
            "failed" => {
                deliver_ok(
                    &app,
                    &rename(intent_failed("evt_setup_failed", Some(booking)), "s"),
                )
                .await
            }
            "refunded" => {
                deliver_ok(
                    &app,
                    &rename(completed("evt_setup_paid", booking, "paid"), "s"),
                )
                .await;
                deliver_ok(
                    &app,
                    &rename(refund("evt_setup_refund", Some(booking), 4500), "s"),
                )
                .await;
            }
            _ => unreachable!(),
        }
        assert_eq!(
            statuses(&app.db, booking).await.0,
            row.from,
            "{}: setup",
            row.name
        );
        if row.name == "full refund found by payment intent" {
            // The charge carries no bookingId: found by the payment intent stored at completion.
            let stored: Option<String> =
                sqlx::query_scalar("SELECT stripe_payment_intent_id FROM bookings WHERE id = $1")
                    .bind(booking)
                    .fetch_one(app.db.reader())
                    .await
                    .unwrap();
            assert_eq!(stored.as_deref(), Some("pi_for_test"));
            // Other bookings in this database hold the same test payment intent; make it unique.
            sqlx::query("UPDATE bookings SET stripe_payment_intent_id = NULL WHERE id <> $1")
                .bind(booking)
                .execute(app.db.writer())
                .await
                .unwrap();
        }

        let logs_before = payment_logs(&app.db).await.len();
        deliver_ok(&app, &rename((row.event)(booking), "t")).await;
        let (payment, attendance) = statuses(&app.db, booking).await;
        assert_eq!(payment, row.to, "{}", row.name);
        assert_eq!(
            attendance, "confirmed",
            "{}: attendance untouched",
            row.name
        );

        let logs = payment_logs(&app.db).await;
        let new_logs = &logs[logs_before..];
        match row.log {
            None => assert!(new_logs.is_empty(), "{}: {new_logs:?}", row.name),
            Some((level, text)) => {
                assert_eq!(new_logs.len(), 1, "{}: {new_logs:?}", row.name);
                assert_eq!(new_logs[0].booking_id, Some(booking), "{}", row.name);
                assert_eq!(new_logs[0].level, level, "{}: {new_logs:?}", row.name);
                let message = new_logs[0].message.as_deref().unwrap_or("");
                assert!(message.contains(text), "{}: {message:?}", row.name);
            }
        }
    }
}

async fn a_completed_session_stores_its_stripe_ids_and_amount(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let booking = seed_booking(&app.db).await;
    deliver_ok(&app, &completed("evt_ids", booking, "paid")).await;
    let (session, intent, amount, paid_at): (
        Option<String>,
        Option<String>,
        Option<i64>,
        Option<i64>,
    ) = sqlx::query_as(
        "SELECT stripe_checkout_session_id, stripe_payment_intent_id, amount_paid, paid_at
             FROM bookings WHERE id = $1",
    )
    .bind(booking)
    .fetch_one(app.db.reader())
    .await
    .unwrap();
    assert_eq!(session.as_deref(), Some("cs_evt_ids"));
    assert_eq!(intent.as_deref(), Some("pi_for_test"));
    assert_eq!(amount, Some(4500));
    assert!(paid_at.is_some());
    let (booking_id, outcome, source): (Option<i64>, String, String) = sqlx::query_as(
        "SELECT booking_id, outcome, source FROM stripe_events WHERE id = 'evt_ids'",
    )
    .fetch_one(app.db.reader())
    .await
    .unwrap();
    assert_eq!(booking_id, Some(booking));
    assert_eq!(outcome, "unpaid -> paid");
    assert_eq!(source, "webhook");
}

async fn expiry_clears_only_the_session_the_booking_holds(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let booking = seed_booking(&app.db).await;
    sqlx::query("UPDATE bookings SET stripe_checkout_session_id = 'cs_current', stripe_checkout_url = 'https://checkout.stripe.com/c/pay/cs_current' WHERE id = $1")
        .bind(booking)
        .execute(app.db.writer())
        .await
        .unwrap();
    let held = || async {
        sqlx::query_scalar::<_, Option<String>>(
            "SELECT stripe_checkout_session_id FROM bookings WHERE id = $1",
        )
        .bind(booking)
        .fetch_one(app.db.reader())
        .await
        .unwrap()
    };
    deliver_ok(
        &app,
        &session_event(
            "evt_exp_old",
            "checkout.session.expired",
            booking,
            "cs_older",
        ),
    )
    .await;
    assert_eq!(held().await.as_deref(), Some("cs_current"));
    deliver_ok(
        &app,
        &session_event(
            "evt_exp_cur",
            "checkout.session.expired",
            booking,
            "cs_current",
        ),
    )
    .await;
    assert_eq!(held().await, None);
    assert_eq!(statuses(&app.db, booking).await.0, "unpaid");
}

async fn events_without_a_known_booking_are_logged_and_answered_200(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let mut orphan = completed("evt_orphan", 1, "paid");
    orphan["data"]["object"]["metadata"] = serde_json::json!({});
    orphan["data"]["object"]["client_reference_id"] = Value::Null;
    let mut unknown = completed("evt_unknown", 999_999, "paid");
    unknown["data"]["object"]["client_reference_id"] = Value::Null;
    let mut garbled = completed("evt_garbled", 1, "paid");
    garbled["data"]["object"]["metadata"]["bookingId"] = Value::String("abc".into());
    let other = event(
        "evt_other",
        "customer.created",
        now_secs(),
        serde_json::json!({"id": "cus_1"}),
    );
    for e in [&orphan, &unknown, &garbled, &other] {
        deliver_ok(&app, e).await;
    }
    let logs = payment_logs(&app.db).await;
    let messages: Vec<(Option<i64>, String)> = logs
        .iter()
        .map(|l| (l.booking_id, l.message.clone().unwrap_or_default()))
        .collect();
    assert_eq!(
        messages,
        vec![
            (
                None,
                "missing bookingId (and no booking holds its payment); held until a booking claims this payment"
                    .to_owned()
            ),
            (None, "unknown bookingId 999999".to_owned()),
            (None, "bookingId \"abc\" is not a booking id".to_owned()),
        ]
    );
    let levels: Vec<&str> = logs.iter().map(|l| l.level.as_str()).collect();
    assert_eq!(levels, ["warning", "error", "error"]);
    assert_eq!(count(&app.db, "stripe_events").await, 4);
    let ignored: String =
        sqlx::query_scalar("SELECT outcome FROM stripe_events WHERE id = 'evt_other'")
            .fetch_one(app.db.reader())
            .await
            .unwrap();
    assert_eq!(ignored, "ignored");

    // Signed by us, yet not an event: still never a 4xx, and nothing is stored.
    let body = "[1, 2, 3]";
    let response = app
        .post_webhook(body, Some(&sign(body, WEBHOOK_SECRET, now_secs())))
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(count(&app.db, "stripe_events").await, 4);
}

async fn a_refund_that_overtakes_its_payment_is_held_then_applied(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let booking = seed_booking(&app.db).await;
    // The charge names no booking, and no booking holds its payment intent yet.
    deliver_ok(&app, &refund("evt_early_refund", None, 4500)).await;
    assert_eq!(statuses(&app.db, booking).await.0, "unpaid");
    let parked: i64 =
        sqlx::query_scalar("SELECT parked FROM stripe_events WHERE id = 'evt_early_refund'")
            .fetch_one(app.db.reader())
            .await
            .unwrap();
    assert_eq!(parked, 1);

    // The session that claims the payment arrives: paid, then the held refund applies.
    deliver_ok(&app, &completed("evt_late_completed", booking, "paid")).await;
    assert_eq!(statuses(&app.db, booking).await.0, "refunded");
    let (booking_id, outcome, parked): (Option<i64>, String, i64) = sqlx::query_as(
        "SELECT booking_id, outcome, parked FROM stripe_events WHERE id = 'evt_early_refund'",
    )
    .fetch_one(app.db.reader())
    .await
    .unwrap();
    assert_eq!(booking_id, Some(booking));
    assert_eq!(outcome, "paid -> refunded (held, then applied)");
    assert_eq!(parked, 0);
    let refunded: i64 = sqlx::query_scalar("SELECT amount_refunded FROM bookings WHERE id = $1")
        .bind(booking)
        .fetch_one(app.db.reader())
        .await
        .unwrap();
    assert_eq!(refunded, 4500);
    // A redelivery of either changes nothing.
    deliver_ok(&app, &refund("evt_early_refund", None, 4500)).await;
    deliver_ok(&app, &completed("evt_late_completed", booking, "paid")).await;
    assert_eq!(count(&app.db, "stripe_events").await, 2);
}

async fn a_redelivery_changes_nothing(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let booking = seed_booking(&app.db).await;
    let failure = intent_failed("evt_twice", Some(booking));
    for _ in 0..3 {
        deliver_ok(&app, &failure).await;
    }
    assert_eq!(statuses(&app.db, booking).await.0, "failed");
    assert_eq!(count(&app.db, "stripe_events").await, 1);
    assert_eq!(payment_logs(&app.db).await.len(), 1);
}

async fn fifty_concurrent_deliveries_of_one_event_apply_once(backend: Backend) {
    let app = std::sync::Arc::new(TestApp::spawn(backend).await);
    let booking = seed_booking(&app.db).await;
    let failure = intent_failed("evt_concurrent", Some(booking));
    let mut tasks = Vec::new();
    for _ in 0..50 {
        let app = app.clone();
        let failure = failure.clone();
        tasks.push(tokio::spawn(
            async move { app.deliver(&failure).await.status() },
        ));
    }
    for task in tasks {
        assert_eq!(task.await.unwrap(), 200);
    }
    assert_eq!(statuses(&app.db, booking).await.0, "failed");
    assert_eq!(count(&app.db, "stripe_events").await, 1);
    let logs = payment_logs(&app.db).await;
    assert_eq!(logs.len(), 1, "{logs:?}");
    let updated: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM stripe_events WHERE booking_id = $1 AND outcome = 'unpaid -> failed'",
    )
    .bind(booking)
    .fetch_one(app.db.reader())
    .await
    .unwrap();
    assert_eq!(updated, 1);
}

async fn a_body_past_the_bound_is_refused_413(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let booking = seed_booking(&app.db).await;
    let mut big = completed("evt_big", booking, "paid");
    big["data"]["object"]["padding"] = Value::String("x".repeat(2 * 1024 * 1024));
    let response = app.deliver(&big).await;
    assert_eq!(response.status(), 413);
    assert_eq!(count(&app.db, "stripe_events").await, 0);
    assert_eq!(statuses(&app.db, booking).await.0, "unpaid");

    // Just under the bound is fine.
    let mut fits = completed("evt_fits", booking, "paid");
    fits["data"]["object"]["padding"] = Value::String("x".repeat(2 * 1024 * 1024 - 4096));
    deliver_ok(&app, &fits).await;
    assert_eq!(statuses(&app.db, booking).await.0, "paid");
}

on_both_databases!(
    stripe_signatures_agree_with_stripes_library,
    rotation_accepts_either_secret_and_any_v1,
    every_row_of_the_transition_table,
    a_completed_session_stores_its_stripe_ids_and_amount,
    expiry_clears_only_the_session_the_booking_holds,
    events_without_a_known_booking_are_logged_and_answered_200,
    a_refund_that_overtakes_its_payment_is_held_then_applied,
    a_redelivery_changes_nothing,
    fifty_concurrent_deliveries_of_one_event_apply_once,
    a_body_past_the_bound_is_refused_413,
);
