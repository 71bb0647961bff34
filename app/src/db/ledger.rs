//! The ledger of Stripe events (`stripe_events`): one row per event id, which is what makes
//! applying an event exactly-once, and the events parked until a booking claims their payment.

use super::sql::Binds;
use super::Tx;
use domain::{EventSource, StripeEvent};
use std::collections::HashSet;

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

/// Whether an event's ledger row went in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recorded {
    /// The event is new: its row is in, and what it causes is to be written with it.
    New,
    /// The event id is already there (a redelivery): nothing has been written for it, and
    /// nothing must be.
    AlreadyKnown,
}

/// Inserts the event's row, unless the event id is already there.
pub async fn record(
    tx: &mut Tx,
    entry: LedgerEntry<'_>,
    now: i64,
) -> Result<Recorded, sqlx::Error> {
    Ok(if record_all(tx, &[entry], now).await? == 1 {
        Recorded::New
    } else {
        Recorded::AlreadyKnown
    })
}

/// Inserts the ledger rows of `entries`; the number inserted (fewer than asked means another
/// writer recorded one of them first).
pub async fn record_all(
    tx: &mut Tx,
    entries: &[LedgerEntry<'_>],
    now: i64,
) -> Result<u64, sqlx::Error> {
    if entries.is_empty() {
        return Ok(0);
    }
    let mut binds = Binds::on_connection(tx);
    let rows = binds.rows(entries, |row, entry| {
        let event = entry.event;
        row.bind(event.id.as_str())
            .bind(event.event_type.as_str())
            .bind(entry.source.as_str())
            .bind(entry.booking_id)
            .bind(entry.outcome)
            .bind(entry.summary)
            .bind(event.created)
            .bind(now)
            .bind(event.payment_intent_id())
            .bind(i64::from(entry.parked));
    });
    let sql = format!(
        "INSERT INTO stripe_events
            (id, event_type, source, booking_id, outcome, summary, stripe_created, received_at,
             payment_intent_id, parked)
         VALUES {rows}
         ON CONFLICT (id) DO NOTHING"
    );
    Ok(binds.query(sql)?.execute(&mut **tx).await?.rows_affected())
}

/// The event ids among `ids` the ledger already has.
pub async fn known(tx: &mut Tx, ids: &[&str]) -> Result<HashSet<String>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(HashSet::new());
    }
    let mut binds = Binds::on_connection(tx);
    let list = binds.list(ids.iter().copied());
    let sql = format!("SELECT id FROM stripe_events WHERE id IN ({list})");
    Ok(binds
        .query_scalar::<String>(sql)?
        .fetch_all(&mut **tx)
        .await?
        .into_iter()
        .collect())
}

/// The payment intents among `intents` that parked events wait for.
pub async fn parked_intents(tx: &mut Tx, intents: &[&str]) -> Result<HashSet<String>, sqlx::Error> {
    if intents.is_empty() {
        return Ok(HashSet::new());
    }
    let mut binds = Binds::on_connection(tx);
    let list = binds.list(intents.iter().copied());
    let sql = format!(
        "SELECT DISTINCT payment_intent_id FROM stripe_events
         WHERE parked = 1 AND payment_intent_id IN ({list})"
    );
    Ok(binds
        .query_scalar::<String>(sql)?
        .fetch_all(&mut **tx)
        .await?
        .into_iter()
        .collect())
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
