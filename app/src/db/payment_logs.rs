//! `payment_logs`: the lines payment decisions write (failures, refusals, information), the
//! latest failure a parent is told about, and the warnings and errors an admin reviews.

use super::sql::Binds;
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
    let row = LogRow {
        booking_id,
        event,
        summary,
        line: line.clone(),
    };
    write_all(tx, &[row], now).await
}

/// One payment log line, as `write_all` writes it.
pub struct LogRow<'a> {
    pub booking_id: Option<i64>,
    pub event: &'a StripeEvent,
    pub summary: &'a str,
    pub line: LogLine,
}

/// Writes the batch's payment log lines.
pub async fn write_all(tx: &mut Tx, logs: &[LogRow<'_>], now: i64) -> Result<(), sqlx::Error> {
    if logs.is_empty() {
        return Ok(());
    }
    let mut binds = Binds::on_connection(tx);
    let rows = binds.rows(logs, |row, log| {
        row.bind(log.booking_id)
            .bind(log.summary)
            .bind(log.line.message.as_str())
            .bind(now)
            .bind(log.event.id.as_str())
            .bind(log.event.event_type.as_str())
            .bind(log.line.level.as_str());
    });
    let sql = format!(
        "INSERT INTO payment_logs
            (booking_id, stripe_event, error_message, created_at, event_id, event_type, level)
         VALUES {rows}"
    );
    binds.query(sql)?.execute(&mut **tx).await?;
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

/// The booking's latest failure: Stripe's message, and when it came.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Failure {
    pub error_message: Option<String>,
    pub created_at: i64,
}

pub async fn last_failure(db: &Db, booking_id: i64) -> Result<Option<Failure>, sqlx::Error> {
    sqlx::query_as(
        "SELECT error_message, created_at FROM payment_logs
         WHERE booking_id = $1 AND level = 'error'
         ORDER BY created_at DESC, id DESC LIMIT 1",
    )
    .bind(booking_id)
    .fetch_optional(db.reader())
    .await
}

/// Warnings and failures that say the same thing about the same booking, as one issue: how
/// often and when, the booking as it stands now, and whether an admin resolved it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct IssueGroup {
    /// The newest line of the group: the key an admin resolves it by.
    pub last_id: i64,
    pub booking_id: Option<i64>,
    #[sqlx(try_from = "String")]
    pub level: LogLevel,
    pub event_type: Option<String>,
    pub message: Option<String>,
    pub times: i64,
    pub first_at: i64,
    pub last_at: i64,
    pub resolved_at: Option<i64>,
    pub resolved_by: Option<String>,
    pub parent_name: Option<String>,
    pub athlete_name: Option<String>,
    pub session_title: Option<String>,
    pub payment_status: Option<String>,
    pub attendance_status: Option<String>,
}

/// One page of the open (or the resolved) issues, newest first, and how many there are.
pub async fn issue_groups(
    db: &Db,
    resolved: bool,
    page: i64,
) -> Result<(Vec<IssueGroup>, i64), sqlx::Error> {
    let total: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM (
             SELECT 1 FROM payment_logs
             WHERE level IN ('warning', 'error') AND (resolved_at IS NOT NULL) = $1
             GROUP BY booking_id, level, event_type, error_message
         ) grouped",
    )
    .bind(resolved)
    .fetch_one(db.reader())
    .await?;
    let rows: Vec<IssueGroup> = sqlx::query_as(
        "SELECT g.last_id, g.booking_id, g.level, g.event_type, g.message, g.times,
                g.first_at, g.last_at, g.resolved_at, g.resolved_by,
                b.parent_name, b.athlete_name, s.title AS session_title,
                b.payment_status, b.attendance_status
         FROM (
             SELECT MAX(id) AS last_id, booking_id, level, event_type,
                    error_message AS message, COUNT(*) AS times,
                    MIN(created_at) AS first_at, MAX(created_at) AS last_at,
                    MAX(resolved_at) AS resolved_at, MAX(resolved_by) AS resolved_by
             FROM payment_logs
             WHERE level IN ('warning', 'error') AND (resolved_at IS NOT NULL) = $1
             GROUP BY booking_id, level, event_type, error_message
         ) g
         LEFT JOIN bookings b ON b.id = g.booking_id
         LEFT JOIN training_sessions s ON s.id = b.training_session_id
         ORDER BY g.last_at DESC, g.last_id DESC LIMIT $2 OFFSET $3",
    )
    .bind(resolved)
    .bind(PAGE_SIZE)
    .bind((page.max(1) - 1) * PAGE_SIZE)
    .fetch_all(db.reader())
    .await?;
    Ok((rows, total))
}

/// Marks resolved the open lines of the issue whose newest line is `last_id` (lines that came
/// after it stay open: they were not seen). The number of lines resolved.
pub async fn resolve(db: &Db, last_id: i64, by: &str, now: i64) -> Result<u64, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE payment_logs SET resolved_at = $1, resolved_by = $2
         WHERE resolved_at IS NULL AND level IN ('warning', 'error') AND id <= $3
           AND EXISTS (
               SELECT 1 FROM payment_logs k
               WHERE k.id = $3
                 AND k.level = payment_logs.level
                 AND (k.booking_id = payment_logs.booking_id
                      OR (k.booking_id IS NULL AND payment_logs.booking_id IS NULL))
                 AND (k.event_type = payment_logs.event_type
                      OR (k.event_type IS NULL AND payment_logs.event_type IS NULL))
                 AND (k.error_message = payment_logs.error_message
                      OR (k.error_message IS NULL AND payment_logs.error_message IS NULL)))",
    )
    .bind(now)
    .bind(by.to_owned())
    .bind(last_id)
    .execute(db.writer())
    .await?;
    Ok(done.rows_affected())
}

/// The Stripe events that say a payment failed: the lines they write are settled by a later
/// payment of the same booking.
const PAYMENT_FAILURES: [&str; 3] = [
    "payment_intent.payment_failed",
    "checkout.session.async_payment_failed",
    "checkout.session.payment_failed",
];

/// Marks resolved, by `by`, the open payment-failure lines of those of `booking_ids` that are
/// paid now: the failure was followed by a payment, and nothing is left to do. The number of
/// lines resolved.
pub async fn resolve_failures_paid_since(
    tx: &mut Tx,
    booking_ids: &[i64],
    by: &str,
    now: i64,
) -> Result<u64, sqlx::Error> {
    if booking_ids.is_empty() {
        return Ok(0);
    }
    let mut binds = Binds::on_connection(tx);
    let ids = binds.list(booking_ids.iter().copied());
    let kinds = binds.list(PAYMENT_FAILURES);
    let by_at = binds.push(by.to_owned());
    let now_at = binds.push(now);
    let sql = format!(
        "UPDATE payment_logs SET resolved_by = {by_at}, resolved_at = {now_at}
         WHERE resolved_at IS NULL AND level = 'error' AND event_type IN ({kinds})
           AND booking_id IN ({ids})
           AND booking_id IN (SELECT id FROM bookings WHERE payment_status = 'paid')"
    );
    Ok(binds.query(sql)?.execute(&mut **tx).await?.rows_affected())
}
