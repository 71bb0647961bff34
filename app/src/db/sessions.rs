//! Training sessions: what parents can book, with their capacity and price.

use super::{now_ms, Db};
use serde::{Deserialize, Serialize};
use sqlx::any::AnyRow;
use sqlx::Row;

/// Whether a booking holds a place in its session at `$1` (now, ms): not cancelled or refunded,
/// and paid, manual, or still within its hold. Shared by every query that counts places.
macro_rules! holds_place {
    () => {
        "(b.attendance_status <> 'cancelled' AND b.payment_status <> 'refunded'
          AND (b.payment_status = 'paid' OR b.source = 'manual' OR b.held_until > $1))"
    };
}
pub(crate) use holds_place;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewTrainingSession {
    pub title: String,
    /// UTC milliseconds.
    pub starts_at: i64,
    pub duration_minutes: i64,
    pub location: String,
    pub capacity: i64,
    /// Minor units of `currency`.
    pub price_amount: i64,
    pub currency: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrainingSession {
    pub id: i64,
    pub title: String,
    pub starts_at: i64,
    pub duration_minutes: i64,
    pub location: String,
    pub capacity: i64,
    pub price_amount: i64,
    pub currency: String,
    pub cancelled_at: Option<i64>,
    /// Places held right now (paid, manual, or unpaid within their hold).
    pub places_taken: i64,
}

impl TrainingSession {
    pub fn places_left(&self) -> i64 {
        (self.capacity - self.places_taken).max(0)
    }

    fn from_row(row: &AnyRow) -> Result<Self, sqlx::Error> {
        Ok(Self {
            id: row.try_get("id")?,
            title: row.try_get("title")?,
            starts_at: row.try_get("starts_at")?,
            duration_minutes: row.try_get("duration_minutes")?,
            location: row.try_get("location")?,
            capacity: row.try_get("capacity")?,
            price_amount: row.try_get("price_amount")?,
            currency: row.try_get("currency")?,
            cancelled_at: row.try_get("cancelled_at")?,
            places_taken: row.try_get("places_taken")?,
        })
    }
}

macro_rules! session_select {
    () => {
        concat!(
            "SELECT s.id, s.title, s.starts_at, s.duration_minutes, s.location, s.capacity,
                    s.price_amount, s.currency, s.cancelled_at,
                    (SELECT COUNT(*) FROM bookings b
                     WHERE b.training_session_id = s.id AND ",
            holds_place!(),
            ") AS places_taken
             FROM training_sessions s"
        )
    };
}

pub async fn create(db: &Db, new: &NewTrainingSession) -> Result<i64, sqlx::Error> {
    let now = now_ms();
    sqlx::query_scalar(
        "INSERT INTO training_sessions
            (title, starts_at, duration_minutes, location, capacity, price_amount, currency,
             created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)
         RETURNING id",
    )
    .bind(&new.title)
    .bind(new.starts_at)
    .bind(new.duration_minutes)
    .bind(&new.location)
    .bind(new.capacity)
    .bind(new.price_amount)
    .bind(&new.currency)
    .bind(now)
    .fetch_one(db.writer())
    .await
}

pub async fn update(db: &Db, id: i64, new: &NewTrainingSession) -> Result<bool, sqlx::Error> {
    let mut tx = db.writer().begin().await?;
    let changed = sqlx::query(
        "UPDATE training_sessions
         SET title = $1, starts_at = $2, duration_minutes = $3, location = $4, capacity = $5,
             price_amount = $6, currency = $7, updated_at = $8
         WHERE id = $9",
    )
    .bind(&new.title)
    .bind(new.starts_at)
    .bind(new.duration_minutes)
    .bind(&new.location)
    .bind(new.capacity)
    .bind(new.price_amount)
    .bind(&new.currency)
    .bind(now_ms())
    .bind(id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    // Bookings keep a copy of their session's start for the admin list's index.
    sqlx::query("UPDATE bookings SET session_starts_at = $1 WHERE training_session_id = $2")
        .bind(new.starts_at)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(changed == 1)
}

/// Cancels a session: it leaves the public list and takes no more bookings.
pub async fn cancel(db: &Db, id: i64) -> Result<bool, sqlx::Error> {
    let now = now_ms();
    let changed = sqlx::query(
        "UPDATE training_sessions SET cancelled_at = $1, updated_at = $1
         WHERE id = $2 AND cancelled_at IS NULL",
    )
    .bind(now)
    .bind(id)
    .execute(db.writer())
    .await?
    .rows_affected();
    Ok(changed == 1)
}

pub async fn get(db: &Db, id: i64) -> Result<Option<TrainingSession>, sqlx::Error> {
    let row = sqlx::query(concat!(session_select!(), " WHERE s.id = $2"))
        .bind(now_ms())
        .bind(id)
        .fetch_optional(db.reader())
        .await?;
    row.as_ref().map(TrainingSession::from_row).transpose()
}

/// Sessions not cancelled that start after now, soonest first.
pub async fn upcoming(db: &Db, limit: i64) -> Result<Vec<TrainingSession>, sqlx::Error> {
    let rows = sqlx::query(concat!(
        session_select!(),
        " WHERE s.cancelled_at IS NULL AND s.starts_at > $1 ORDER BY s.starts_at, s.id LIMIT $2"
    ))
    .bind(now_ms())
    .bind(limit)
    .fetch_all(db.reader())
    .await?;
    rows.iter().map(TrainingSession::from_row).collect()
}

/// Every session, newest start first (the admin's list).
pub async fn all(db: &Db, limit: i64) -> Result<Vec<TrainingSession>, sqlx::Error> {
    let rows = sqlx::query(concat!(
        session_select!(),
        " ORDER BY s.starts_at DESC, s.id DESC LIMIT $2"
    ))
    .bind(now_ms())
    .bind(limit)
    .fetch_all(db.reader())
    .await?;
    rows.iter().map(TrainingSession::from_row).collect()
}

/// Every session's id, title and start, newest first (choices for filters and forms).
pub async fn options(db: &Db, limit: i64) -> Result<Vec<(i64, String, i64)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, title, starts_at FROM training_sessions ORDER BY starts_at DESC, id DESC LIMIT $1",
    )
    .bind(limit)
    .fetch_all(db.reader())
    .await
}

pub async fn count(db: &Db) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM training_sessions")
        .fetch_one(db.reader())
        .await
}
