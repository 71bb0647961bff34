//! The batch writer under contention: a booking that keeps changing under the payment decision
//! fails on its own, with its own error, while the rest of its batch is stored.

use crate::support::*;
use app::db::Db;
use app::services::payment_writer::{PaymentWriter, WriteFailure};
use domain::{Applied, Decision, EventSource, PaymentStatus, StripeEvent, StripeMode};

/// Makes every payment update of `booking` touch no row, as if another writer changed the
/// booking each time between our read and our write.
async fn keep_changing(db: &Db, booking: i64) {
    let statements: Vec<String> = match db.backend() {
        Backend::Sqlite => vec![format!(
            "CREATE TRIGGER keeps_changing BEFORE UPDATE OF payment_status ON bookings
             WHEN OLD.id = {booking} BEGIN SELECT RAISE(IGNORE); END"
        )],
        Backend::Postgres => vec![
            format!(
                "CREATE FUNCTION keeps_changing() RETURNS trigger AS $$
                 BEGIN IF OLD.id = {booking} THEN RETURN NULL; END IF; RETURN NEW; END
                 $$ LANGUAGE plpgsql"
            ),
            "CREATE TRIGGER keeps_changing BEFORE UPDATE ON bookings
             FOR EACH ROW EXECUTE FUNCTION keeps_changing()"
                .to_owned(),
        ],
    };
    for statement in statements {
        sqlx::query(sqlx::AssertSqlSafe(statement))
            .execute(db.writer())
            .await
            .expect("install the trigger");
    }
}

async fn one_booking_that_keeps_changing_fails_alone(backend: Backend) {
    let database = TestDatabase::create(backend).await;
    let db = database.connect().await;
    let session = seed_session(&db, 10).await;
    let mut bookings = Vec::new();
    for n in 0..5 {
        bookings.push(
            create_booking(&db, &new_booking(session, &format!("Batch {n}")))
                .await
                .unwrap()
                .id,
        );
    }
    let stuck = bookings[2];
    keep_changing(&db, stuck).await;

    // On this single-threaded runtime every delivery is queued before the writer runs, so
    // the five land in one batch.
    let writer = PaymentWriter::start(db.clone(), StripeMode::Test);
    let deliveries = bookings.iter().map(|id| {
        let event = paid_event(&format!("evt_batch_{id}"), *id).to_string();
        writer.apply(
            StripeEvent::parse(event.as_bytes()).unwrap(),
            EventSource::Webhook,
        )
    });
    let results = futures_util::future::join_all(deliveries).await;

    for (id, result) in bookings.iter().zip(&results) {
        if *id == stuck {
            let error = result
                .as_ref()
                .expect_err("the stuck booking's event fails");
            assert_eq!(error.failure, WriteFailure::Contention, "{error}");
            assert!(error.message.contains("kept changing"), "{error}");
        } else {
            assert_eq!(
                result.as_ref().expect("the others are stored"),
                &Applied::Decided {
                    booking_id: *id,
                    from: PaymentStatus::Unpaid,
                    decision: Decision::Transition {
                        to: PaymentStatus::Paid
                    },
                },
            );
        }
    }
    for id in &bookings {
        let expected = if *id == stuck { "unpaid" } else { "paid" };
        assert_eq!(statuses(&db, *id).await.0, expected, "booking {id}");
    }
    // Nothing of the failed event was kept: a redelivery will be applied in full.
    let ledger: Vec<String> = sqlx::query_scalar("SELECT id FROM stripe_events ORDER BY id")
        .fetch_all(db.reader())
        .await
        .unwrap();
    assert_eq!(ledger.len(), 4);
    assert!(!ledger.contains(&format!("evt_batch_{stuck}")));
}

#[tokio::test]
async fn sqlite_one_booking_that_keeps_changing_fails_alone() {
    bounded(one_booking_that_keeps_changing_fails_alone(Backend::Sqlite)).await
}

#[tokio::test]
async fn postgres_one_booking_that_keeps_changing_fails_alone() {
    bounded(one_booking_that_keeps_changing_fails_alone(
        Backend::Postgres,
    ))
    .await
}

/// One batch mixing what the set-based path takes (payments naming their booking) with what
/// it leaves to the one-at-a-time path (a second event for the same booking, a redelivery,
/// an unknown booking, an event naming none): every result is what applying them one by one
/// gives, each booking paid once, each payment mailed once.
async fn a_mixed_batch_gives_what_one_at_a_time_gives(backend: Backend) {
    let database = TestDatabase::create(backend).await;
    let db = database.connect().await;
    let session = seed_session(&db, 100).await;
    let mut bookings = Vec::new();
    for n in 0..40 {
        bookings.push(
            create_booking(&db, &new_booking(session, &format!("Mixed {n}")))
                .await
                .unwrap()
                .id,
        );
    }
    let parse =
        |value: serde_json::Value| StripeEvent::parse(value.to_string().as_bytes()).unwrap();
    let mut events = Vec::new();
    for id in &bookings {
        events.push(parse(paid_event(&format!("evt_mixed_{id}"), *id)));
    }
    // The same event twice in the batch, a second event for one booking, an unknown booking,
    // and an event naming no booking at all.
    events.push(parse(paid_event(
        &format!("evt_mixed_{}", bookings[0]),
        bookings[0],
    )));
    let mut failed = paid_event("evt_mixed_second", bookings[1]);
    failed["type"] = "checkout.session.expired".into();
    failed["data"]["object"]["status"] = "expired".into();
    failed["data"]["object"]["payment_status"] = "unpaid".into();
    events.push(parse(failed));
    events.push(parse(paid_event("evt_mixed_unknown", 987_654)));
    let mut nameless = paid_event("evt_mixed_nameless", bookings[2]);
    nameless["data"]["object"]["metadata"] = serde_json::json!({});
    nameless["data"]["object"]["client_reference_id"] = serde_json::Value::Null;
    events.push(parse(nameless));

    let writer = PaymentWriter::start(db.clone(), StripeMode::Test);
    let deliveries = events
        .into_iter()
        .map(|event| writer.apply(event, EventSource::Webhook));
    let results = futures_util::future::join_all(deliveries).await;
    let results: Vec<Applied> = results.into_iter().map(|r| r.unwrap()).collect();

    for (n, id) in bookings.iter().enumerate() {
        assert_eq!(statuses(&db, *id).await.0, "paid", "booking {id}");
        if n > 0 {
            assert_eq!(
                results[n],
                Applied::Decided {
                    booking_id: *id,
                    from: PaymentStatus::Unpaid,
                    decision: Decision::Transition {
                        to: PaymentStatus::Paid
                    },
                }
            );
        }
    }
    let duplicates = results.iter().filter(|r| **r == Applied::Duplicate).count();
    assert_eq!(duplicates, 1, "{results:#?}");
    assert!(matches!(
        results[bookings.len() + 2],
        Applied::NoBooking { .. }
    ));
    let ledger = count(&db, "stripe_events").await;
    assert_eq!(ledger, bookings.len() as i64 + 3);
    let receipts: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE kind = 'payment_received'")
            .fetch_one(db.reader())
            .await
            .unwrap();
    assert_eq!(receipts, bookings.len() as i64);
    let paid_at_set: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM bookings WHERE paid_at IS NOT NULL AND amount_paid = 4500",
    )
    .fetch_one(db.reader())
    .await
    .unwrap();
    assert_eq!(paid_at_set, bookings.len() as i64);
}

#[tokio::test]
async fn sqlite_a_mixed_batch_gives_what_one_at_a_time_gives() {
    bounded(a_mixed_batch_gives_what_one_at_a_time_gives(
        Backend::Sqlite,
    ))
    .await
}

#[tokio::test]
async fn postgres_a_mixed_batch_gives_what_one_at_a_time_gives() {
    bounded(a_mixed_batch_gives_what_one_at_a_time_gives(
        Backend::Postgres,
    ))
    .await
}
