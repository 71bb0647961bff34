//! Moves of a booking from one session to another: the booking's session changes (its payment,
//! Stripe ids and statuses stay) and the move is recorded for its timeline.

use super::{Db, Tx};

/// Moves booking `booking_id` to session `to` (starting at `to_starts_at`) and records the
/// move by `by`; returns how many times it has moved, this one included.
pub async fn apply(
    tx: &mut Tx,
    booking_id: i64,
    from: (i64, i64),
    to: (i64, i64),
    by: &str,
    now: i64,
) -> Result<i64, sqlx::Error> {
    sqlx::query(
        "UPDATE bookings SET training_session_id = $1, session_starts_at = $2, updated_at = $3
         WHERE id = $4",
    )
    .bind(to.0)
    .bind(to.1)
    .bind(now)
    .bind(booking_id)
    .execute(&mut **tx)
    .await?;
    sqlx::query(
        "INSERT INTO booking_moves
            (booking_id, from_session, to_session, from_starts_at, to_starts_at, moved_by, moved_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(booking_id)
    .bind(from.0)
    .bind(to.0)
    .bind(from.1)
    .bind(to.1)
    .bind(by.to_owned())
    .bind(now)
    .execute(&mut **tx)
    .await?;
    sqlx::query_scalar("SELECT COUNT(*) FROM booking_moves WHERE booking_id = $1")
        .bind(booking_id)
        .fetch_one(&mut **tx)
        .await
}

/// One move, as the timeline tells it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Move {
    pub from_title: String,
    pub to_title: String,
    pub from_starts_at: i64,
    pub to_starts_at: i64,
    pub moved_by: String,
    pub moved_at: i64,
}

pub async fn of_booking(db: &Db, booking_id: i64) -> Result<Vec<Move>, sqlx::Error> {
    sqlx::query_as(
        "SELECT f.title AS from_title, t.title AS to_title, m.from_starts_at, m.to_starts_at,
                m.moved_by, m.moved_at
         FROM booking_moves m
         JOIN training_sessions f ON f.id = m.from_session
         JOIN training_sessions t ON t.id = m.to_session
         WHERE m.booking_id = $1 ORDER BY m.moved_at, m.id",
    )
    .bind(booking_id)
    .fetch_all(db.reader())
    .await
}
