//! The webhook writer's set-based statements: a batch of payment decisions is read and written
//! with a constant number of statements whatever its size (one multi-row statement per table),
//! where one event at a time would cost four or five statements each. What each row holds is
//! decided by `crate::services::payments`; the SQL for one event at a time stays in
//! `payments`, `ledger`, `payment_logs` and `outbox`. The SQL text is built from placeholders
//! only (`$1, $2, …`), never from data, which is all bound.

use super::ledger::LedgerEntry;
use super::outbox::NewMail;
use super::payments::PaymentState;
use super::Tx;
use domain::{LogLine, PaymentChange, StripeEvent};
use sqlx::AssertSqlSafe;
use std::collections::HashSet;

/// `$start, $start+1, …` for `count` values.
fn list(start: usize, count: usize) -> String {
    (start..start + count)
        .map(|n| format!("${n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `($1, $2), ($3, $4), …`: `rows` rows of `columns` placeholders.
fn rows(columns: usize, rows: usize) -> String {
    (0..rows)
        .map(|row| format!("({})", list(row * columns + 1, columns)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The event ids among `ids` the ledger already has.
pub async fn known_events(tx: &mut Tx, ids: &[&str]) -> Result<HashSet<String>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(HashSet::new());
    }
    let sql = format!(
        "SELECT id FROM stripe_events WHERE id IN ({})",
        list(1, ids.len())
    );
    let mut query = sqlx::query_scalar::<_, String>(AssertSqlSafe(sql));
    for id in ids {
        query = query.bind((*id).to_owned());
    }
    Ok(query.fetch_all(&mut **tx).await?.into_iter().collect())
}

/// The payment state of each booking in `ids` (their rows locked for the transaction on
/// PostgreSQL, in id order, when `lock`).
pub async fn states(
    tx: &mut Tx,
    ids: &[i64],
    lock: bool,
) -> Result<Vec<PaymentState>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT id, payment_status, stripe_checkout_session_id, stripe_payment_intent_id,
                amount, currency, parent_email, 0 AS has_parked
         FROM bookings WHERE id IN ({}) ORDER BY id{}",
        list(1, ids.len()),
        if lock { " FOR UPDATE" } else { "" }
    );
    let mut query = sqlx::query_as::<_, PaymentState>(AssertSqlSafe(sql));
    for id in ids {
        query = query.bind(*id);
    }
    query.fetch_all(&mut **tx).await
}

/// The payment intents among `intents` that parked events wait for.
pub async fn parked_intents(tx: &mut Tx, intents: &[&str]) -> Result<HashSet<String>, sqlx::Error> {
    if intents.is_empty() {
        return Ok(HashSet::new());
    }
    let sql = format!(
        "SELECT DISTINCT payment_intent_id FROM stripe_events
         WHERE parked = 1 AND payment_intent_id IN ({})",
        list(1, intents.len())
    );
    let mut query = sqlx::query_scalar::<_, String>(AssertSqlSafe(sql));
    for intent in intents {
        query = query.bind((*intent).to_owned());
    }
    Ok(query.fetch_all(&mut **tx).await?.into_iter().collect())
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
    let sql = format!(
        "INSERT INTO stripe_events
            (id, event_type, source, booking_id, outcome, summary, stripe_created, received_at,
             payment_intent_id, parked)
         VALUES {}
         ON CONFLICT (id) DO NOTHING",
        rows(10, entries.len())
    );
    let mut query = sqlx::query(AssertSqlSafe(sql));
    for entry in entries {
        let event = entry.event;
        query = query
            .bind(event.id.clone())
            .bind(event.event_type.clone())
            .bind(entry.source.as_str())
            .bind(entry.booking_id)
            .bind(entry.outcome.to_owned())
            .bind(entry.summary.to_owned())
            .bind(event.created)
            .bind(now)
            .bind(event.payment_intent_id().map(str::to_owned))
            .bind(i64::from(entry.parked));
    }
    Ok(query.execute(&mut **tx).await?.rows_affected())
}

/// Writes each `(booking, change)` while the booking still holds `change.from`, as
/// `payments::apply` does for one (never an expiry: those go one at a time). The number of
/// bookings written.
pub async fn apply_all(
    tx: &mut Tx,
    changes: &[(i64, &PaymentChange)],
    now: i64,
) -> Result<u64, sqlx::Error> {
    if changes.is_empty() {
        return Ok(0);
    }
    let sql = format!(
        "WITH v (id, to_status, from_status, session_id, intent_id, paid, refunded, awaited) AS
             (VALUES {})
         UPDATE bookings
         SET payment_status = v.to_status, updated_at = ${now_at},
             paid_at = CASE WHEN v.to_status = 'paid' AND bookings.paid_at IS NULL
                            THEN ${now_at} ELSE bookings.paid_at END,
             stripe_checkout_session_id = COALESCE(v.session_id, bookings.stripe_checkout_session_id),
             stripe_payment_intent_id = COALESCE(bookings.stripe_payment_intent_id, v.intent_id),
             amount_paid = COALESCE(v.paid, bookings.amount_paid),
             amount_refunded = CASE WHEN v.refunded > bookings.amount_refunded
                                    THEN v.refunded ELSE bookings.amount_refunded END,
             payment_awaited_at = CASE WHEN v.awaited = 1 THEN ${now_at}
                                       WHEN v.to_status <> v.from_status THEN NULL
                                       ELSE bookings.payment_awaited_at END
         FROM v
         WHERE bookings.id = v.id AND bookings.payment_status = v.from_status",
        rows(8, changes.len()),
        now_at = changes.len() * 8 + 1,
    );
    let mut query = sqlx::query(AssertSqlSafe(sql));
    for (booking, change) in changes {
        query = query
            .bind(*booking)
            .bind(change.to.as_str())
            .bind(change.from.as_str())
            .bind(change.checkout_session_id.clone())
            .bind(change.payment_intent_id.clone())
            .bind(change.amount_paid)
            .bind(change.amount_refunded.unwrap_or(0))
            .bind(i64::from(change.awaited));
    }
    Ok(query.bind(now).execute(&mut **tx).await?.rows_affected())
}

/// One payment log line of a batch.
pub struct LogRow<'a> {
    pub booking_id: Option<i64>,
    pub event: &'a StripeEvent,
    pub summary: &'a str,
    pub line: LogLine,
}

/// Writes the batch's payment log lines.
pub async fn write_logs(tx: &mut Tx, logs: &[LogRow<'_>], now: i64) -> Result<(), sqlx::Error> {
    if logs.is_empty() {
        return Ok(());
    }
    let sql = format!(
        "INSERT INTO payment_logs
            (booking_id, stripe_event, error_message, created_at, event_id, event_type, level)
         VALUES {}",
        rows(7, logs.len())
    );
    let mut query = sqlx::query(AssertSqlSafe(sql));
    for log in logs {
        query = query
            .bind(log.booking_id)
            .bind(log.summary.to_owned())
            .bind(log.line.message.clone())
            .bind(now)
            .bind(log.event.id.clone())
            .bind(log.event.event_type.clone())
            .bind(log.line.level.as_str());
    }
    query.execute(&mut **tx).await?;
    Ok(())
}

/// Queues the batch's mails (a key already queued is the same mail, kept once).
pub async fn enqueue_mails(
    tx: &mut Tx,
    mails: &[NewMail<'_>],
    now: i64,
) -> Result<(), sqlx::Error> {
    if mails.is_empty() {
        return Ok(());
    }
    let sql = format!(
        "INSERT INTO outbox (dedupe_key, kind, booking_id, recipient, payload, next_attempt_at, created_at)
         VALUES {}
         ON CONFLICT (dedupe_key) DO NOTHING",
        rows(7, mails.len())
    );
    let mut query = sqlx::query(AssertSqlSafe(sql));
    for mail in mails {
        query = query
            .bind(mail.dedupe_key.to_owned())
            .bind(mail.kind.as_str())
            .bind(mail.booking_id)
            .bind(mail.recipient.to_owned())
            .bind(mail.facts.to_owned())
            .bind(now)
            .bind(now);
    }
    query.execute(&mut **tx).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_number_rows_in_order() {
        assert_eq!(list(3, 2), "$3, $4");
        assert_eq!(rows(2, 2), "($1, $2), ($3, $4)");
    }
}
