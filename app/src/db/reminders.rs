//! Reminders before a session: the bookings due one, and the families' choice to get none
//! (`mail_preferences`). The reminder itself is an outbox row keyed by booking and start, so
//! it is queued once whoever looks and however often.

use super::{Db, Tx};

/// A booking a reminder is due for: whom to write to, and the start it is for.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct DueReminder {
    pub booking_id: i64,
    pub parent_email: String,
    pub starts_at: i64,
}

/// The bookings whose session starts after `$1` and no later than `$2`, not cancelled (nor
/// the session), not refunded, made at least `$3` ms before the start (a booking made closer
/// to it had its confirmation), whose family did not turn reminders off, and not reminded of
/// this start yet (no outbox row `reminder:{booking}:{start}`).
pub async fn due(
    tx: &mut Tx,
    after: i64,
    until: i64,
    ahead_ms: i64,
) -> Result<Vec<DueReminder>, sqlx::Error> {
    sqlx::query_as(
        "SELECT b.id AS booking_id, b.parent_email, s.starts_at
         FROM training_sessions s
         JOIN bookings b ON b.training_session_id = s.id
         WHERE s.starts_at > $1 AND s.starts_at <= $2 AND s.cancelled_at IS NULL
           AND b.attendance_status <> 'cancelled' AND b.payment_status <> 'refunded'
           AND b.created_at <= s.starts_at - $3
           AND NOT EXISTS (SELECT 1 FROM mail_preferences p
                           WHERE p.email = lower(b.parent_email) AND p.reminders_off = 1)
           AND NOT EXISTS (SELECT 1 FROM outbox o
                           WHERE o.dedupe_key = 'reminder:' || b.id || ':' || s.starts_at)
         ORDER BY s.starts_at, b.id",
    )
    .bind(after)
    .bind(until)
    .bind(ahead_ms)
    .fetch_all(&mut **tx)
    .await
}

/// Whether the family of `email` turned reminders off.
pub async fn reminders_off(db: &Db, email: &str) -> Result<bool, sqlx::Error> {
    let off: Option<i64> =
        sqlx::query_scalar("SELECT reminders_off FROM mail_preferences WHERE email = $1")
            .bind(email.to_lowercase())
            .fetch_optional(db.reader())
            .await?;
    Ok(off == Some(1))
}

/// Turns the reminders of `email`'s family off or back on.
pub async fn set_reminders_off(
    db: &Db,
    email: &str,
    off: bool,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO mail_preferences (email, reminders_off, updated_at) VALUES ($1, $2, $3)
         ON CONFLICT (email) DO UPDATE SET reminders_off = $2, updated_at = $3",
    )
    .bind(email.to_lowercase())
    .bind(i64::from(off))
    .bind(now)
    .execute(db.writer())
    .await?;
    Ok(())
}
