//! `payment_logs`: the lines payment decisions write (failures, refusals, information), the
//! latest failure a parent is told about, and the warnings and errors an admin reviews.

use super::{Db, Tx};
use domain::filter::PAGE_SIZE;
use domain::{LogLevel, LogLine, StripeEvent};

/// Writes one line about `event` (with its recorded summary), for `booking_id` when known.
pub async fn write(
    tx: &mut Tx,
    booking_id: Option<i64>,
    event: &StripeEvent,
    summary: &str,
    line: &LogLine,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO payment_logs
            (booking_id, stripe_event, error_message, created_at, event_id, event_type, level)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(booking_id)
    .bind(summary.to_owned())
    .bind(line.message.clone())
    .bind(now)
    .bind(&event.id)
    .bind(&event.event_type)
    .bind(line.level.as_str())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Writes one line about a booking that no Stripe event caused (a refund Stripe refused when
/// asked, say), under `event_type`.
pub async fn write_outside_event(
    db: &Db,
    booking_id: i64,
    event_type: &str,
    line: &LogLine,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO payment_logs
            (booking_id, stripe_event, error_message, created_at, event_type, level)
         VALUES ($1, '{}', $2, $3, $4, $5)",
    )
    .bind(booking_id)
    .bind(line.message.clone())
    .bind(now)
    .bind(event_type.to_owned())
    .bind(line.level.as_str())
    .execute(db.writer())
    .await?;
    Ok(())
}

/// Stripe's message for the booking's latest failed payment, if any.
pub async fn last_failure(db: &Db, booking_id: i64) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT error_message FROM payment_logs
         WHERE booking_id = $1 AND level = 'error'
         ORDER BY created_at DESC, id DESC LIMIT 1",
    )
    .bind(booking_id)
    .fetch_optional(db.reader())
    .await
    .map(Option::flatten)
}

/// A warning or failure from the payment logs, for review.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Issue {
    pub id: i64,
    pub booking_id: Option<i64>,
    #[sqlx(try_from = "String")]
    pub level: LogLevel,
    pub event_id: Option<String>,
    pub event_type: Option<String>,
    pub message: Option<String>,
    pub created_at: i64,
}

/// One page of the warnings and errors, newest first, and how many there are.
pub async fn issues(db: &Db, page: i64) -> Result<(Vec<Issue>, i64), sqlx::Error> {
    let total: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM payment_logs WHERE level IN ('warning', 'error')")
            .fetch_one(db.reader())
            .await?;
    let rows: Vec<Issue> = sqlx::query_as(
        "SELECT id, booking_id, level, event_id, event_type, error_message AS message, created_at
         FROM payment_logs WHERE level IN ('warning', 'error')
         ORDER BY created_at DESC, id DESC LIMIT $1 OFFSET $2",
    )
    .bind(PAGE_SIZE)
    .bind((page.max(1) - 1) * PAGE_SIZE)
    .fetch_all(db.reader())
    .await?;
    Ok((rows, total))
}
