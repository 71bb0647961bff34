//! The ledger of Stripe events (`stripe_events`): one row per event id, which is what makes
//! applying an event exactly-once; the events parked until a booking claims their payment; and
//! the payment timeline an admin reads (ledger rows beside their `payment_logs` lines).

use super::{Db, Tx};
use domain::timeline::{TimelineEntry, TimelineKind};
use domain::{EventSource, LogLevel, StripeEvent};

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

#[derive(sqlx::FromRow)]
struct LedgerRow {
    id: String,
    event_type: String,
    #[sqlx(try_from = "String")]
    source: EventSource,
    outcome: String,
    summary: String,
    received_at: i64,
}

#[derive(sqlx::FromRow)]
struct LogRow {
    event_id: Option<String>,
    event_type: Option<String>,
    #[sqlx(try_from = "String")]
    level: LogLevel,
    error_message: Option<String>,
    stripe_event: String,
    created_at: i64,
}

/// A booking's ledger events and log lines, oldest first (an event before its own lines).
pub async fn timeline(db: &Db, booking_id: i64) -> Result<Vec<TimelineEntry>, sqlx::Error> {
    let events: Vec<LedgerRow> = sqlx::query_as(
        "SELECT id, event_type, source, outcome, summary, received_at FROM stripe_events
         WHERE booking_id = $1 ORDER BY received_at, id",
    )
    .bind(booking_id)
    .fetch_all(db.reader())
    .await?;
    let logs: Vec<LogRow> = sqlx::query_as(
        "SELECT event_id, event_type, level, error_message, stripe_event, created_at
         FROM payment_logs WHERE booking_id = $1 ORDER BY created_at, id",
    )
    .bind(booking_id)
    .fetch_all(db.reader())
    .await?;
    let mut entries: Vec<TimelineEntry> = events
        .into_iter()
        .map(|e| TimelineEntry {
            at: e.received_at,
            kind: TimelineKind::Event,
            event_id: Some(e.id),
            event_type: Some(e.event_type),
            source: Some(e.source),
            level: None,
            text: e.outcome,
            detail: e.summary,
        })
        .chain(logs.into_iter().map(|l| TimelineEntry {
            at: l.created_at,
            kind: TimelineKind::Log,
            event_id: l.event_id,
            event_type: l.event_type,
            source: None,
            level: Some(l.level),
            text: l.error_message.unwrap_or_default(),
            detail: l.stripe_event,
        }))
        .collect();
    domain::timeline::in_order(&mut entries);
    Ok(entries)
}
