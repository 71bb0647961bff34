//! The ledger of Stripe events (`stripe_events`): one row per event id, which is what makes
//! applying an event exactly-once, and the events parked until a booking claims their payment.

use super::Tx;
use domain::{EventSource, StripeEvent};

/// An event's ledger row as it goes in.
#[derive(Debug, Clone, Copy)]
pub struct LedgerEntry<'a> {
    pub event: &'a StripeEvent,
    pub source: EventSource,
    /// The parsed fields as JSON (`StripeEvent::summary`).
    pub summary: &'a str,
    pub booking_id: Option<i64>,
    pub outcome: &'a str,
    /// Waits for a booking to claim its payment intent.
    pub parked: bool,
}

/// Inserts the event's row; false when the event id is already there (a redelivery: nothing
/// has been written for it, and nothing must be).
pub async fn record(tx: &mut Tx, entry: LedgerEntry<'_>, now: i64) -> Result<bool, sqlx::Error> {
    let event = entry.event;
    let inserted = sqlx::query(
        "INSERT INTO stripe_events
            (id, event_type, source, booking_id, outcome, summary, stripe_created, received_at,
             payment_intent_id, parked)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
         ON CONFLICT (id) DO NOTHING",
    )
    .bind(&event.id)
    .bind(&event.event_type)
    .bind(entry.source.as_str())
    .bind(entry.booking_id)
    .bind(entry.outcome.to_owned())
    .bind(entry.summary.to_owned())
    .bind(event.created)
    .bind(now)
    .bind(event.payment_intent_id().map(str::to_owned))
    .bind(i64::from(entry.parked))
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(inserted == 1)
}

/// Corrects the outcome of an event recorded earlier in the same transaction.
pub async fn set_outcome(tx: &mut Tx, event_id: &str, outcome: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE stripe_events SET outcome = $1 WHERE id = $2")
        .bind(outcome.to_owned())
        .bind(event_id.to_owned())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// The booking an earlier event tied `payment_intent` to, if any.
pub async fn booking_of_payment_intent(
    tx: &mut Tx,
    payment_intent: &str,
) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT booking_id FROM stripe_events
         WHERE payment_intent_id = $1 AND booking_id IS NOT NULL
         ORDER BY received_at LIMIT 1",
    )
    .bind(payment_intent.to_owned())
    .fetch_optional(&mut **tx)
    .await
}

/// An event parked until a booking claims its payment: its id and recorded summary.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Parked {
    pub id: String,
    pub summary: String,
}

/// The events parked for `payment_intent`, in the order they arrived.
pub async fn parked(tx: &mut Tx, payment_intent: &str) -> Result<Vec<Parked>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, summary FROM stripe_events
         WHERE parked = 1 AND payment_intent_id = $1
         ORDER BY received_at, id",
    )
    .bind(payment_intent.to_owned())
    .fetch_all(&mut **tx)
    .await
}

/// A parked event, now applied to `booking_id` with `outcome`.
pub async fn unpark(
    tx: &mut Tx,
    event_id: &str,
    booking_id: i64,
    outcome: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE stripe_events SET booking_id = $1, outcome = $2, parked = 0 WHERE id = $3")
        .bind(booking_id)
        .bind(outcome.to_owned())
        .bind(event_id.to_owned())
        .execute(&mut **tx)
        .await?;
    Ok(())
}
