//! The batch writer under contention: a booking that keeps changing under the payment decision
//! fails on its own, with its own error, while the rest of its batch is stored.

mod support;

use app::db::Db;
use app::services::payment_writer::{PaymentWriter, WriteFailure};
use domain::{Applied, Decision, EventSource, PaymentStatus, StripeEvent, StripeMode};
use support::*;

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
