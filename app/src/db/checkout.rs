//! A booking's Checkout Session columns: the attempts that make one, the session stored for
//! reuse, and the claims reconciliation takes before asking Stripe about it.

use super::{Db, Tx};

/// A session the provider made, as stored on its booking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredSession<'a> {
    pub id: &'a str,
    pub url: &'a str,
    /// Seconds since the epoch.
    pub expires_at: i64,
    /// The booking's place is held at least until then (UTC ms).
    pub hold_until: i64,
}

/// Keeps the request of attempt `attempts_before + 1` before it is sent, so that a retry of
/// an attempt nobody answered sends the very same request. False if another request counted
/// an attempt, or kept its own request for this one, meanwhile.
pub async fn remember_request(
    db: &Db,
    booking_id: i64,
    attempts_before: i64,
    request: &str,
) -> Result<bool, sqlx::Error> {
    let kept = sqlx::query(
        "UPDATE bookings SET checkout_request = $1
         WHERE id = $2 AND checkout_attempts = $3 AND checkout_request IS NULL",
    )
    .bind(request.to_owned())
    .bind(booking_id)
    .bind(attempts_before)
    .execute(db.writer())
    .await?
    .rows_affected();
    Ok(kept == 1)
}

/// Closes attempt `attempts_before + 1` without a session (the provider answered no, or its
/// request grew too old to send again), so the next one gets a new idempotency key; nothing
/// happens if another request counted it first.
pub async fn count_failed_attempt(
    db: &Db,
    booking_id: i64,
    attempts_before: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE bookings SET checkout_attempts = $1, checkout_request = NULL
         WHERE id = $2 AND checkout_attempts = $3",
    )
    .bind(attempts_before + 1)
    .bind(booking_id)
    .bind(attempts_before)
    .execute(db.writer())
    .await?;
    Ok(())
}

/// Stores the session made by attempt `attempts_before + 1`, if no other attempt has been
/// counted since and the booking is still unsettled; false otherwise.
pub async fn store_session(
    tx: &mut Tx,
    booking_id: i64,
    attempts_before: i64,
    session: &StoredSession<'_>,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let stored = sqlx::query(
        "UPDATE bookings
         SET stripe_checkout_session_id = $1, stripe_checkout_url = $2,
             stripe_checkout_expires_at = $3, checkout_attempts = $4,
             held_until = CASE WHEN held_until > $5 THEN held_until ELSE $5 END, updated_at = $6,
             checkout_started_at = $6, checkout_request = NULL
         WHERE id = $7 AND checkout_attempts = $8 AND payment_status IN ('unpaid', 'failed')",
    )
    .bind(session.id.to_owned())
    .bind(session.url.to_owned())
    .bind(session.expires_at)
    .bind(attempts_before + 1)
    .bind(session.hold_until)
    .bind(now)
    .bind(booking_id)
    .bind(attempts_before)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(stored == 1)
}

/// Claims the right to ask the provider about the booking's checkout session: only one caller
/// per `min_gap_ms` gets it (a conditional UPDATE). Returns the session to ask about.
pub async fn claim_reconcile(
    db: &Db,
    booking_id: i64,
    now: i64,
    min_gap_ms: i64,
) -> Result<Option<String>, sqlx::Error> {
    Ok(sqlx::query_scalar(
        "UPDATE bookings SET reconciled_at = $1
         WHERE id = $2 AND payment_status IN ('unpaid', 'failed')
           AND stripe_checkout_session_id IS NOT NULL
           AND (reconciled_at IS NULL OR reconciled_at <= $3)
         RETURNING stripe_checkout_session_id",
    )
    .bind(now)
    .bind(booking_id)
    .bind(now - min_gap_ms)
    .fetch_optional(db.writer())
    .await?
    .flatten())
}

/// Whether the booking is unsettled and holds a checkout session (something to reconcile).
pub async fn awaits_reconcile(db: &Db, booking_id: i64) -> Result<bool, sqlx::Error> {
    let found: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM bookings WHERE id = $1 AND payment_status IN ('unpaid', 'failed')
         AND stripe_checkout_session_id IS NOT NULL",
    )
    .bind(booking_id)
    .fetch_optional(db.reader())
    .await?;
    Ok(found.is_some())
}

/// Unsettled bookings whose checkout started before `started_before` (UTC ms), oldest first.
pub async fn due_for_reconcile(
    db: &Db,
    started_before: i64,
    limit: i64,
) -> Result<Vec<i64>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT id FROM bookings
         WHERE stripe_checkout_session_id IS NOT NULL AND checkout_started_at <= $1
           AND payment_status IN ('unpaid', 'failed')
         ORDER BY checkout_started_at LIMIT $2",
    )
    .bind(started_before)
    .bind(limit)
    .fetch_all(db.reader())
    .await
}
