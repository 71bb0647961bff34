//! Refunds asked of Stripe (`refunds`): each kept, with its idempotency key, before the request
//! is sent, then updated with what Stripe answered and, later, what its webhook said.

use super::{Db, Tx};
use domain::RefundStatus;

/// A refund to ask for.
#[derive(Debug, Clone, Copy)]
pub struct NewRefund<'a> {
    pub booking_id: i64,
    pub idempotency_key: &'a str,
    /// Minor units of `currency`.
    pub amount: i64,
    pub currency: &'a str,
    pub reason: &'a str,
    pub requested_by: &'a str,
}

/// Keeps a refund request; `None` when its key is already kept (the same request, again).
pub async fn insert(
    tx: &mut Tx,
    refund: NewRefund<'_>,
    now: i64,
) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO refunds
            (booking_id, idempotency_key, amount, currency, reason, requested_by, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7)
         ON CONFLICT (idempotency_key) DO NOTHING
         RETURNING id",
    )
    .bind(refund.booking_id)
    .bind(refund.idempotency_key.to_owned())
    .bind(refund.amount)
    .bind(refund.currency.to_owned())
    .bind(refund.reason.to_owned())
    .bind(refund.requested_by.to_owned())
    .bind(now)
    .fetch_optional(&mut **tx)
    .await
}

/// A kept refund request.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, sqlx::FromRow)]
pub struct Refund {
    pub id: i64,
    pub booking_id: i64,
    pub idempotency_key: String,
    pub amount: i64,
    pub currency: String,
    pub reason: String,
    pub requested_by: String,
    #[sqlx(try_from = "String")]
    pub status: RefundStatus,
    pub stripe_refund_id: Option<String>,
    pub failure_reason: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

macro_rules! refund_select {
    () => {
        "SELECT id, booking_id, idempotency_key, amount, currency, reason, requested_by, status,
                stripe_refund_id, failure_reason, created_at, updated_at
         FROM refunds"
    };
}

pub async fn get(db: &Db, id: i64) -> Result<Option<Refund>, sqlx::Error> {
    sqlx::query_as(concat!(refund_select!(), " WHERE id = $1"))
        .bind(id)
        .fetch_optional(db.reader())
        .await
}

/// A booking's refunds, oldest first.
pub async fn of_booking(db: &Db, booking_id: i64) -> Result<Vec<Refund>, sqlx::Error> {
    sqlx::query_as(concat!(
        refund_select!(),
        " WHERE booking_id = $1 ORDER BY id"
    ))
    .bind(booking_id)
    .fetch_all(db.reader())
    .await
}

/// Requests kept, not answered, and held by no sender at `now` (a crash between keeping one
/// and sending it, no answer from Stripe, or one kept to be sent by the resumer): to send,
/// under their key.
pub async fn unanswered(db: &Db, now: i64, limit: i64) -> Result<Vec<Refund>, sqlx::Error> {
    sqlx::query_as(concat!(
        refund_select!(),
        " WHERE status = 'requested' AND sending_until <= $1 ORDER BY id LIMIT $2"
    ))
    .bind(now)
    .bind(limit)
    .fetch_all(db.reader())
    .await
}

/// Claims a request for one sender until `until`; false when it is answered or another sender
/// holds it.
pub async fn claim(db: &Db, id: i64, now: i64, until: i64) -> Result<bool, sqlx::Error> {
    let claimed = sqlx::query(
        "UPDATE refunds SET sending_until = $1
         WHERE id = $2 AND status = 'requested' AND sending_until <= $3",
    )
    .bind(until)
    .bind(id)
    .bind(now)
    .execute(db.writer())
    .await?
    .rows_affected();
    Ok(claimed == 1)
}

/// A refund's amount and status: what decides how much of a payment is still refundable
/// (`domain::refund`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::FromRow)]
pub struct RefundAmount {
    #[sqlx(try_from = "String")]
    pub status: RefundStatus,
    pub amount: i64,
}

/// The amounts of a booking's refund requests, inside `tx` (under the booking's lock).
pub async fn amounts_in(tx: &mut Tx, booking_id: i64) -> Result<Vec<RefundAmount>, sqlx::Error> {
    sqlx::query_as("SELECT status, amount FROM refunds WHERE booking_id = $1")
        .bind(booking_id)
        .fetch_all(&mut **tx)
        .await
}

/// How many refunds a booking has had asked for (to number the next one's key).
pub async fn count_of_booking(tx: &mut Tx, booking_id: i64) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM refunds WHERE booking_id = $1")
        .bind(booking_id)
        .fetch_one(&mut **tx)
        .await
}

/// Records Stripe's answer to a request: its refund id and status (and why it failed).
pub async fn answered(
    db: &Db,
    id: i64,
    stripe_refund_id: Option<&str>,
    status: RefundStatus,
    failure_reason: Option<&str>,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE refunds SET stripe_refund_id = COALESCE($1, stripe_refund_id), status = $2,
                failure_reason = $3, updated_at = $4, sending_until = 0
         WHERE id = $5",
    )
    .bind(stripe_refund_id.map(str::to_owned))
    .bind(status.as_str())
    .bind(failure_reason.map(str::to_owned))
    .bind(now)
    .bind(id)
    .execute(db.writer())
    .await?;
    Ok(())
}

/// Marks a request as still unanswered at `now`, to be tried again from `next_at`.
pub async fn retried(db: &Db, id: i64, now: i64, next_at: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE refunds SET updated_at = $1, sending_until = $2
         WHERE id = $3 AND status = 'requested'",
    )
    .bind(now)
    .bind(next_at)
    .bind(id)
    .execute(db.writer())
    .await?;
    Ok(())
}

/// What Stripe's webhook says of a refund, inside the event's transaction: the booking it is
/// of, when the refund is one we asked for.
pub async fn update_from_stripe(
    tx: &mut Tx,
    stripe_refund_id: &str,
    status: RefundStatus,
    failure_reason: Option<&str>,
    now: i64,
) -> Result<Option<(i64, i64)>, sqlx::Error> {
    sqlx::query_as(
        "UPDATE refunds SET status = $1, failure_reason = COALESCE($2, failure_reason),
                updated_at = $3
         WHERE stripe_refund_id = $4
         RETURNING id, booking_id",
    )
    .bind(status.as_str())
    .bind(failure_reason.map(str::to_owned))
    .bind(now)
    .bind(stripe_refund_id.to_owned())
    .fetch_optional(&mut **tx)
    .await
}

/// The idempotency key of the refund Stripe calls `stripe_refund_id`, if it is one we asked for.
pub async fn key_of(tx: &mut Tx, stripe_refund_id: &str) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT idempotency_key FROM refunds WHERE stripe_refund_id = $1")
        .bind(stripe_refund_id.to_owned())
        .fetch_optional(&mut **tx)
        .await
}
