//! Real webhook payloads from public Stripe integrations (`tests/data/stripe-events/`, API
//! versions 2018 to 2025) through the real webhook: each with a fresh id and a booking of its
//! own named in its metadata, signed as Stripe signs. The parser takes every one, and each
//! does to its booking what the transition table and the payment checks say.

use crate::support::*;
use serde_json::{json, Value};
use std::path::Path;

/// What a fixture must leave its booking at (payment status), and why.
fn expected(file: &str) -> (&'static str, &'static str) {
    match file {
        // A one-off payment session, paid, test mode, the booking's amount: paid.
        "stripe-ruby-mock__checkout.session.completed.json" => ("paid", "paid"),
        // A subscription or setup session pays no booking; a live event changes no test
        // deployment; an open session's expiry is not the booking's.
        "pay__checkout.session.completed.json"
        | "stripe-ruby-mock__checkout.session.completed.setup_mode.json"
        | "stripe-sync-engine__checkout_session_completed.json"
        | "stripe-openapi__checkout.session.json" => ("unpaid", "unchanged"),
        // A full refund of the booking's amount, before any payment: refunded (order-proof).
        "stripe-ruby-mock__charge.refunded.json" | "stripe-sync-engine__charge_refunded.json" => {
            ("refunded", "refunded")
        }
        // A partial refund of an unpaid booking is refused.
        "pay__charge.refunded.json" => ("unpaid", "refused"),
        "lago__2020-08-27__payment_intent_payment_failed.json"
        | "lago__2025-04-30.basil__payment_intent_payment_failed.json"
        | "stripe-ruby-mock__payment_intent.payment_failed.json" => ("failed", "failed"),
        // Types the decision does not act on.
        _ => ("unpaid", "ignored"),
    }
}

/// The event a fixture file holds: an envelope, a list answer holding one, or (for files that
/// keep only the object) an envelope made around it.
fn envelope(file: &str, mut value: Value) -> Value {
    if value["object"] == "list" {
        value = value["data"][0].clone();
    }
    if value.get("type").is_some() {
        return value;
    }
    let object = value
        .get("object")
        .filter(|o| o.is_object())
        .cloned()
        .unwrap_or(value);
    let event_type = if file.contains("charge.refunded") {
        "charge.refunded"
    } else if file.starts_with("stripe-openapi__") {
        "checkout.session.expired"
    } else {
        "checkout.session.completed"
    };
    json!({"object": "event", "type": event_type, "data": {"object": object}})
}

/// The money an object carries, for its booking's price (default 45.00 USD).
fn price_of(object: &Value) -> (i64, String) {
    let amount = object["amount_total"]
        .as_i64()
        .or_else(|| object["amount"].as_i64())
        .unwrap_or(4500);
    let currency = object["currency"]
        .as_str()
        .unwrap_or("usd")
        .to_ascii_uppercase();
    (amount, currency)
}

async fn every_fixture_is_read_and_does_what_the_table_says(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/stripe-events");
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".json"))
        .collect();
    files.sort();
    assert_eq!(files.len(), 21, "the 21 fixtures");

    for (n, file) in files.iter().enumerate() {
        let raw: Value = serde_json::from_str(&std::fs::read_to_string(dir.join(file)).unwrap())
            .unwrap_or_else(|e| panic!("{file}: {e}"));
        let mut event = envelope(file, raw);
        let (amount, currency) = price_of(&event["data"]["object"]);
        let session = app::services::sessions::create(
            &app.db,
            &domain::session_form::NewTrainingSession {
                title: format!("For {file}"),
                starts_at: (chrono::Utc::now() + chrono::Duration::days(2)).timestamp_millis(),
                duration_minutes: 60,
                location: "Track".into(),
                capacity: 5,
                price_amount: amount,
                currency,
            },
        )
        .await
        .unwrap();
        let booking = create_booking(&app.db, &new_booking(session, &format!("Fixture {n}")))
            .await
            .unwrap()
            .id;
        let id = format!("evt_fixture_{n}");
        event["id"] = id.clone().into();
        let object = &mut event["data"]["object"];
        if !object["metadata"].is_object() {
            object["metadata"] = json!({});
        }
        object["metadata"]["bookingId"] = booking.to_string().into();

        let response = app.deliver(&event).await;
        assert_eq!(
            response.status(),
            200,
            "{file}: {}",
            response.text().await.unwrap()
        );
        let (status, outcome) = expected(file);
        let (payment, attendance) = statuses(&app.db, booking).await;
        assert_eq!(payment, status, "{file}");
        assert_eq!(
            attendance, "pending",
            "{file}: the webhook never touches attendance"
        );
        let recorded: (String, String) =
            sqlx::query_as("SELECT event_type, outcome FROM stripe_events WHERE id = $1")
                .bind(&id)
                .fetch_one(app.db.reader())
                .await
                .unwrap_or_else(|e| panic!("{file}: not in the ledger: {e}"));
        match outcome {
            "ignored" => assert_eq!(recorded.1, "ignored", "{file}"),
            "unchanged" | "refused" => {
                assert!(
                    recorded.1.starts_with("refused") || recorded.1.contains("expired"),
                    "{file}: {recorded:?}"
                )
            }
            moved => assert!(recorded.1.ends_with(moved), "{file}: {recorded:?}"),
        }
        // A redelivery changes nothing.
        assert_eq!(app.deliver(&event).await.status(), 200);
        assert_eq!(statuses(&app.db, booking).await.0, status, "{file}");
    }
    assert_eq!(count(&app.db, "stripe_events").await, 21);
}

on_both_databases!(every_fixture_is_read_and_does_what_the_table_says);
