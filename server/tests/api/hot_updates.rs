//! A payment's update of a booking changes no indexed column (docs/ARCHITECTURE.md, "Payment
//! updates in place"): on PostgreSQL it is a HOT update, and the tables that index the payment
//! status and the payment intent instead stay in step with the bookings, so the admin list's
//! payment filter and sort and the lookup by payment intent still find what the bookings say.

use crate::support::*;
use app::db::admin_list::bookings_page;
use app::db::payments::{self, BookingKey};
use app::db::Db;
use domain::filter::{BookingFilter, SortKey};
use domain::{PaymentChange, PaymentStatus};

/// The change a completed checkout session makes: unpaid to paid, its intent and amount.
fn paid(session: &str, intent: &str) -> PaymentChange {
    PaymentChange {
        from: PaymentStatus::Unpaid,
        to: PaymentStatus::Paid,
        checkout_session_id: Some(session.to_owned()),
        payment_intent_id: Some(intent.to_owned()),
        amount_paid: Some(4500),
        discount: None,
        amount_refunded: None,
        awaited: false,
        writes_booking: true,
        expired_session: None,
    }
}

/// PostgreSQL's count of this connection's updates of `bookings` not yet reported, and how many
/// of them were HOT (both grow within a transaction; they may include earlier transactions').
async fn update_counts(tx: &mut app::db::Tx, backend: Backend) -> (i64, i64) {
    if backend != Backend::Postgres {
        return (0, 0);
    }
    sqlx::query_as(
        "SELECT pg_stat_get_xact_tuples_updated(c.oid), pg_stat_get_xact_tuples_hot_updated(c.oid)
         FROM pg_class c WHERE c.relname = 'bookings'",
    )
    .fetch_one(&mut **tx)
    .await
    .unwrap()
}

async fn ids_listed(db: &Db, filter: BookingFilter) -> (Vec<i64>, i64) {
    let (rows, count) = bookings_page(db, &filter, chrono_tz::UTC).await.unwrap();
    (rows.iter().map(|r| r.id).collect(), count.total)
}

async fn payments_are_indexed_apart_from_the_booking(backend: Backend) {
    let database = TestDatabase::create(backend).await;
    let db = database.connect().await;
    let session = seed_session(&db, 10).await;
    let mut bookings = Vec::new();
    for n in 0..4 {
        let id = create_booking(&db, &new_booking(session, &format!("Hot {n}")))
            .await
            .unwrap()
            .id;
        // As checkout leaves it: the booking holds its session before Stripe says it is paid.
        sqlx::query("UPDATE bookings SET stripe_checkout_session_id = $1 WHERE id = $2")
            .bind(format!("cs_hot_{id}"))
            .bind(id)
            .execute(db.writer())
            .await
            .unwrap();
        bookings.push(id);
    }
    let (paid_ones, unpaid) = bookings.split_at(3);

    // Three paid in one batch, as the webhook's writer does.
    let changes: Vec<(i64, PaymentChange)> = paid_ones
        .iter()
        .map(|id| (*id, paid(&format!("cs_hot_{id}"), &format!("pi_hot_{id}"))))
        .collect();
    let borrowed: Vec<(i64, &PaymentChange)> = changes.iter().map(|(id, c)| (*id, c)).collect();
    let mut tx = db.begin().await.unwrap();
    let before = update_counts(&mut tx, backend).await;
    let written = payments::apply_all(&mut tx, &borrowed, 1_000)
        .await
        .unwrap();
    assert_eq!(written, 3);
    if backend == Backend::Postgres {
        // Every booking update was made in place.
        let after = update_counts(&mut tx, backend).await;
        assert_eq!(
            (after.0 - before.0, after.1 - before.1),
            (3, 3),
            "updates, of which HOT"
        );
    }
    tx.commit().await.unwrap();

    // The lookup by payment intent finds each paid booking, and no other.
    for id in paid_ones {
        let mut tx = db.begin().await.unwrap();
        let intent = format!("pi_hot_{id}");
        let state = payments::read(&mut tx, BookingKey::PaymentIntent(&intent), None)
            .await
            .unwrap()
            .expect("found by its intent");
        assert_eq!(state.id, *id);
        tx.rollback().await.unwrap();
    }
    let mut tx = db.begin().await.unwrap();
    let none = payments::read(&mut tx, BookingKey::PaymentIntent("pi_hot_none"), None)
        .await
        .unwrap();
    assert!(none.is_none());
    tx.rollback().await.unwrap();

    // The list's payment filter, in each order, and its sort by payment.
    let by_payment = |payment, descending| BookingFilter {
        payment: Some(payment),
        descending,
        ..BookingFilter::default()
    };
    let (listed, total) = ids_listed(&db, by_payment(PaymentStatus::Paid, false)).await;
    assert_eq!((listed.as_slice(), total), (paid_ones, 3));
    let (listed, total) = ids_listed(&db, by_payment(PaymentStatus::Paid, true)).await;
    let newest_first: Vec<i64> = paid_ones.iter().rev().copied().collect();
    assert_eq!((listed, total), (newest_first, 3));
    let (listed, total) = ids_listed(&db, by_payment(PaymentStatus::Unpaid, false)).await;
    assert_eq!((listed.as_slice(), total), (unpaid, 1));
    let sorted = BookingFilter {
        sort: SortKey::Payment,
        descending: false,
        ..BookingFilter::default()
    };
    // "paid" sorts before "unpaid"; ties by creation.
    let (listed, total) = ids_listed(&db, sorted).await;
    assert_eq!((listed.as_slice(), total), (bookings.as_slice(), 4));

    // A refund moves the booking out of "paid" in the list as well.
    let refund = PaymentChange {
        from: PaymentStatus::Paid,
        to: PaymentStatus::Refunded,
        checkout_session_id: None,
        payment_intent_id: None,
        amount_paid: None,
        amount_refunded: Some(4500),
        ..paid("", "")
    };
    let mut tx = db.begin().await.unwrap();
    let written = payments::apply_all(&mut tx, &[(paid_ones[0], &refund)], 2_000)
        .await
        .unwrap();
    assert_eq!(written, 1);
    tx.commit().await.unwrap();
    let (listed, total) = ids_listed(&db, by_payment(PaymentStatus::Paid, false)).await;
    assert_eq!((listed.as_slice(), total), (&paid_ones[1..], 2));
    let (listed, _) = ids_listed(&db, by_payment(PaymentStatus::Refunded, false)).await;
    assert_eq!(listed, vec![paid_ones[0]]);
}

on_both_databases!(payments_are_indexed_apart_from_the_booking);
