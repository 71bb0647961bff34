//! Training sessions: what parents can book, with their capacity and price.

use super::bookings::places_held;
use super::{now_ms, Db, Tx};
use domain::session_form::{NewTrainingSession, SessionDetails};
use serde::{Deserialize, Serialize};

/// A stored training session, with the places its bookings hold right now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
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
    pub description: Option<String>,
    pub min_age: Option<i64>,
    pub max_age: Option<i64>,
    pub coach: Option<String>,
    /// Places held right now (paid, manual, or unpaid within their hold; or offered to someone
    /// waiting).
    pub places_taken: i64,
    /// The term it belongs to, if any, and that term's title.
    pub term_id: Option<i64>,
    pub term_title: Option<String>,
}

impl TrainingSession {
    pub fn places_left(&self) -> i64 {
        (self.capacity - self.places_taken).max(0)
    }

    /// The session's own fields, as the admin's form edits them.
    pub fn details(&self) -> NewTrainingSession {
        NewTrainingSession {
            title: self.title.clone(),
            starts_at: self.starts_at,
            duration_minutes: self.duration_minutes,
            location: self.location.clone(),
            capacity: self.capacity,
            price_amount: self.price_amount,
            currency: self.currency.clone(),
        }
    }

    /// Its description, age range and coach.
    pub fn extra(&self) -> SessionDetails {
        SessionDetails {
            description: self.description.clone(),
            min_age: self.min_age,
            max_age: self.max_age,
            coach: self.coach.clone(),
        }
    }

    /// Whether it starts after `now` (UTC ms).
    pub const fn upcoming(&self, now: i64) -> bool {
        self.starts_at > now
    }
}

/// The columns of a `TrainingSession`; the time its places are counted at is `$1`.
macro_rules! session_select {
    () => {
        concat!(
            "SELECT s.id, s.title, s.starts_at, s.duration_minutes, s.location, s.capacity,
                    s.price_amount, s.currency, s.cancelled_at,
                    s.description, s.min_age, s.max_age, s.coach, s.term_id,
                    (SELECT t.title FROM terms t WHERE t.id = s.term_id) AS term_title,
                    ",
            places_held!("s.id", "$1"),
            " + ",
            super::waitlist::offers_holding!("s.id", "$1"),
            " AS places_taken
             FROM training_sessions s"
        )
    };
}

/// Orders sessions to come (start after `$1`) first, soonest first, then past ones, most
/// recent first.
macro_rules! upcoming_first {
    ($starts:literal) => {
        concat!(
            "CASE WHEN ",
            $starts,
            " > $1 THEN 0 ELSE 1 END, CASE WHEN ",
            $starts,
            " > $1 THEN ",
            $starts,
            " ELSE -",
            $starts,
            " END"
        )
    };
}

/// Which sessions a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Listing {
    /// Not cancelled, starting after now, soonest first, sold alone (what parents can book).
    Upcoming,
    /// Every session: those still to come first, soonest first; then the past ones, most
    /// recent first (the admin's list).
    All,
}

impl Listing {
    /// The query of this list: the time at `$1`, the limit at `$2`.
    const fn sql(self) -> &'static str {
        match self {
            Self::Upcoming => concat!(
                session_select!(),
                " WHERE s.cancelled_at IS NULL AND s.starts_at > $1
                    AND (s.term_id IS NULL OR EXISTS (SELECT 1 FROM terms t
                         WHERE t.id = s.term_id AND t.dropin_price_amount IS NOT NULL))
                  ORDER BY s.starts_at, s.id LIMIT $2"
            ),
            Self::All => concat!(
                session_select!(),
                " ORDER BY ",
                upcoming_first!("s.starts_at"),
                ", s.id LIMIT $2"
            ),
        }
    }
}

pub async fn create(db: &Db, new: &NewTrainingSession) -> Result<i64, sqlx::Error> {
    let mut tx = db.begin().await?;
    let id = create_in(&mut tx, new).await?;
    tx.commit().await?;
    Ok(id)
}

/// [`create`] inside a transaction the caller commits.
pub async fn create_in(tx: &mut Tx, new: &NewTrainingSession) -> Result<i64, sqlx::Error> {
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
    .fetch_one(&mut **tx)
    .await
}

/// Saves the session with `id`; false when there is none.
pub async fn update(db: &Db, id: i64, new: &NewTrainingSession) -> Result<bool, sqlx::Error> {
    let mut tx = db.begin().await?;
    let changed = update_in(&mut tx, id, new).await?;
    tx.commit().await?;
    Ok(changed)
}

/// [`update`] inside a transaction the caller commits.
pub async fn update_in(
    tx: &mut Tx,
    id: i64,
    new: &NewTrainingSession,
) -> Result<bool, sqlx::Error> {
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
    .execute(&mut **tx)
    .await?
    .rows_affected();
    // Bookings keep a copy of their session's start for the admin list's index.
    sqlx::query("UPDATE bookings SET session_starts_at = $1 WHERE training_session_id = $2")
        .bind(new.starts_at)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(changed == 1)
}

/// Locks session `id` for an edit (bookings of it wait until the edit commits); its start
/// (UTC ms) and how many of its bookings stand (not cancelled), or `None` when there is none.
pub async fn lock_for_edit(tx: &mut Tx, id: i64) -> Result<Option<(i64, i64)>, sqlx::Error> {
    let Some(starts_at): Option<i64> = sqlx::query_scalar(
        "UPDATE training_sessions SET updated_at = updated_at WHERE id = $1 RETURNING starts_at",
    )
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?
    else {
        return Ok(None);
    };
    let active: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM bookings
         WHERE training_session_id = $1 AND attendance_status <> 'cancelled'",
    )
    .bind(id)
    .fetch_one(&mut **tx)
    .await?;
    Ok(Some((starts_at, active)))
}

/// Cancels a session: it leaves the public list and takes no more bookings. False when it
/// does not exist or was already cancelled.
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
    sqlx::query_as(concat!(session_select!(), " WHERE s.id = $2"))
        .bind(now_ms())
        .bind(id)
        .fetch_optional(db.reader())
        .await
}

/// The sessions of term `term`, in order, with their places taken now.
pub async fn of_term(db: &Db, term: i64) -> Result<Vec<TrainingSession>, sqlx::Error> {
    sqlx::query_as(concat!(
        session_select!(),
        " WHERE s.term_id = $2 ORDER BY s.starts_at, s.id"
    ))
    .bind(now_ms())
    .bind(term)
    .fetch_all(db.reader())
    .await
}

/// The sessions of `listing`, at most `limit`.
pub async fn list(
    db: &Db,
    listing: Listing,
    limit: i64,
) -> Result<Vec<TrainingSession>, sqlx::Error> {
    sqlx::query_as(listing.sql())
        .bind(now_ms())
        .bind(limit)
        .fetch_all(db.reader())
        .await
}

/// Every session's id, title and start (choices for filters and forms): those still to come
/// first, soonest first; then the past ones, most recent first.
pub async fn options(db: &Db, limit: i64) -> Result<Vec<(i64, String, i64)>, sqlx::Error> {
    sqlx::query_as(concat!(
        "SELECT id, title, starts_at FROM training_sessions ORDER BY ",
        upcoming_first!("starts_at"),
        ", id LIMIT $2"
    ))
    .bind(now_ms())
    .bind(limit)
    .fetch_all(db.reader())
    .await
}

/// Saves a session's description, age range and coach; false when there is no session `id`.
pub async fn set_details(
    tx: &mut Tx,
    id: i64,
    details: &SessionDetails,
) -> Result<bool, sqlx::Error> {
    let changed = sqlx::query(
        "UPDATE training_sessions SET description = $1, min_age = $2, max_age = $3, coach = $4
         WHERE id = $5",
    )
    .bind(&details.description)
    .bind(details.min_age)
    .bind(details.max_age)
    .bind(&details.coach)
    .bind(id)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(changed == 1)
}

pub async fn count(db: &Db) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM training_sessions")
        .fetch_one(db.reader())
        .await
}

/// The first session titled `title` starting after `after` (UTC ms) that is not cancelled.
pub async fn next_of_title(db: &Db, title: &str, after: i64) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT id FROM training_sessions
         WHERE title = $1 AND starts_at > $2 AND cancelled_at IS NULL
         ORDER BY starts_at, id LIMIT 1",
    )
    .bind(title.to_owned())
    .bind(after)
    .fetch_optional(db.reader())
    .await
}

/// Where and when session `id` is, as stored (read under the edit's lock): start (UTC ms) and
/// place.
pub async fn time_and_place(tx: &mut Tx, id: i64) -> Result<Option<(i64, String)>, sqlx::Error> {
    sqlx::query_as("SELECT starts_at, location FROM training_sessions WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut **tx)
        .await
}

/// A booking told of its session's change: its id, address, and the change's number.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ToldOfChange {
    pub id: i64,
    pub parent_email: String,
    pub schedule_changes: i64,
}

/// Counts a change of session `id`'s time or place on each of its standing bookings (not
/// cancelled, not refunded); those bookings.
pub async fn count_schedule_change(
    tx: &mut Tx,
    id: i64,
    now: i64,
) -> Result<Vec<ToldOfChange>, sqlx::Error> {
    sqlx::query_as(
        "UPDATE bookings SET schedule_changes = schedule_changes + 1, updated_at = $2
         WHERE training_session_id = $1 AND attendance_status <> 'cancelled'
           AND payment_status <> 'refunded'
         RETURNING id, parent_email, schedule_changes",
    )
    .bind(id)
    .bind(now)
    .fetch_all(&mut **tx)
    .await
}
