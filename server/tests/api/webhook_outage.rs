//! The database goes away mid-delivery: 503 (so Stripe retries), nothing half-written; once it
//! is back the redelivery lands, without restarting our server.

use crate::support::*;
use server::simulated::events::{checkout_session, event, SessionState};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_outage_answers_503_and_the_redelivery_lands() {
    let cluster = PgCluster::start();
    let database = cluster.database().await;
    let app = TestApp::spawn_on(database, &[]).await;
    let booking = seed_booking(&app.db).await;
    let paid = event(
        "evt_during_outage",
        "checkout.session.completed",
        now_secs(),
        checkout_session(&SessionState {
            session_id: "cs_outage",
            booking_id: booking,
            amount: 4500,
            currency: "usd",
            status: "complete",
            payment_status: "paid",
            payment_intent: Some("pi_outage"),
            url: None,
            created: now_secs(),
            expires_at: now_secs() + 1800,
        }),
    );

    cluster.pause();
    let started = std::time::Instant::now();
    let response = app.deliver(&paid).await;
    assert_eq!(response.status(), 503);
    assert_eq!(response.headers()["retry-after"], "5");
    assert!(started.elapsed() < std::time::Duration::from_secs(15));
    let ready = app.client.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), 503);
    let alive = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(alive.status(), 200, "alive, though the database is not");
    assert_eq!(
        alive.json::<serde_json::Value>().await.unwrap()["database"],
        "down"
    );

    cluster.resume();
    // Nothing of the refused delivery was stored.
    assert_eq!(count(&app.db, "stripe_events").await, 0);
    assert_eq!(count(&app.db, "payment_logs").await, 0);
    assert_eq!(statuses(&app.db, booking).await.0, "unpaid");

    // Stripe delivers again: it lands, once.
    let response = app.deliver(&paid).await;
    assert_eq!(response.status(), 200);
    assert_eq!(statuses(&app.db, booking).await.0, "paid");
    assert_eq!(app.deliver(&paid).await.status(), 200);
    assert_eq!(count(&app.db, "stripe_events").await, 1);
    let ready = app.client.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), 200);
}
