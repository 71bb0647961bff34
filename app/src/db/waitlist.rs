//! The waitlist of full sessions: who waits, in order, and the offers of freed places. An
//! offer holds its place until it expires: every count of a session's places adds the offers
//! holding one (`offers_holding!`).

use super::{Db, Tx};
use domain::booking_form::BookingRequest;
use domain::WaitlistStatus;
use serde::{Deserialize, Serialize};

/// The offers holding a place in the session whose id is the SQL expression `$session`, at the
/// time bound to `$now`: a subquery counting them.
macro_rules! offers_holding {
    ($session:literal, $now:literal) => {
        concat!(
            "(SELECT COUNT(*) FROM waitlist w WHERE (w.training_session_id = ",
            $session,
            " OR w.term_id = (SELECT ts.term_id FROM training_sessions ts WHERE ts.id = ",
            $session,
            ")) AND w.status = 'offered' AND w.offer_expires_at > ",
            $now,
            ")"
        )
    };
}
pub(crate) use offers_holding;

/// One person waiting (or offered, or done), with the session they wait for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct WaitlistEntry {
    pub id: i64,
    pub training_session_id: i64,
    pub token: String,
    pub parent_name: String,
    pub parent_email: String,
    pub parent_phone: Option<String>,
    pub athlete_name: String,
    pub athlete_age: i64,
    pub notes: Option<String>,
    #[sqlx(try_from = "String")]
    pub status: WaitlistStatus,
    /// When its address confirmed it (`None`: not yet; it is not offered a place until then).
    pub confirmed_at: Option<i64>,
    pub offered_at: Option<i64>,
    pub offer_expires_at: Option<i64>,
    pub booking_id: Option<i64>,
    pub created_at: i64,
    /// The term it waits for, whole (its session is then the term's first).
    pub term_id: Option<i64>,
    pub session_title: String,
    pub session_starts_at: i64,
    pub session_location: String,
    pub session_price: i64,
    pub session_currency: String,
}

macro_rules! entry_select {
    () => {
        "SELECT w.id, w.training_session_id, w.token, w.parent_name, w.parent_email,
                w.parent_phone, w.athlete_name, w.athlete_age, w.notes, w.status, w.confirmed_at,
                w.offered_at,
                w.offer_expires_at, w.booking_id, w.created_at, w.term_id,
                s.title AS session_title, s.starts_at AS session_starts_at,
                s.location AS session_location, s.price_amount AS session_price,
                s.currency AS session_currency
         FROM waitlist w JOIN training_sessions s ON s.id = w.training_session_id"
    };
}

impl WaitlistEntry {
    /// The booking this entry makes when its offer is taken.
    pub fn request(&self) -> BookingRequest {
        BookingRequest {
            training_session_id: self.training_session_id,
            parent_name: self.parent_name.clone(),
            parent_email: self.parent_email.clone(),
            parent_phone: self.parent_phone.clone(),
            athlete_name: self.athlete_name.clone(),
            athlete_age: self.athlete_age,
            notes: self.notes.clone(),
            // The waitlist's form does not ask for them: the roster flags the missing contact.
            track: Default::default(),
        }
    }
}

/// Whether this athlete of this email already waits (or holds an offer) for the session.
pub async fn already_waiting(tx: &mut Tx, request: &BookingRequest) -> Result<bool, sqlx::Error> {
    let found: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM waitlist
         WHERE training_session_id = $1 AND lower(parent_email) = lower($2)
           AND lower(athlete_name) = lower($3) AND status IN ('waiting', 'offered')
         LIMIT 1",
    )
    .bind(request.training_session_id)
    .bind(&request.parent_email)
    .bind(&request.athlete_name)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(found.is_some())
}

/// How many places `email` has joined since `since` that are still waiting for its
/// confirmation.
pub async fn unconfirmed_of_email(
    tx: &mut Tx,
    email: &str,
    since: i64,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM waitlist
         WHERE lower(parent_email) = lower($1) AND confirmed_at IS NULL AND created_at > $2
           AND status = 'waiting'",
    )
    .bind(email.to_owned())
    .bind(since)
    .fetch_one(&mut **tx)
    .await
}

/// Confirms the place of `token` from its address, if it was joined after `since` and still
/// waits; false otherwise (confirmed already, too old, or no longer waiting).
pub async fn confirm(db: &Db, token: &str, now: i64, since: i64) -> Result<bool, sqlx::Error> {
    Ok(sqlx::query(
        "UPDATE waitlist SET confirmed_at = $2, updated_at = $2
         WHERE token = $1 AND confirmed_at IS NULL AND status = 'waiting' AND created_at > $3",
    )
    .bind(token.to_owned())
    .bind(now)
    .bind(since)
    .execute(db.writer())
    .await?
    .rows_affected()
        == 1)
}

/// Removes the places joined before `before` that their address never confirmed (the names,
/// address and notes someone typed, kept for nobody); how many.
pub async fn remove_unconfirmed(db: &Db, before: i64) -> Result<u64, sqlx::Error> {
    Ok(sqlx::query(
        "DELETE FROM waitlist
         WHERE confirmed_at IS NULL AND status = 'waiting' AND created_at <= $1",
    )
    .bind(before)
    .execute(db.writer())
    .await?
    .rows_affected())
}

/// Adds `request` at the end of its session's waitlist, not yet confirmed; returns the new
/// entry's id.
pub async fn insert(
    tx: &mut Tx,
    request: &BookingRequest,
    term: Option<i64>,
    token: &str,
    now: i64,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO waitlist
            (training_session_id, token, parent_name, parent_email, parent_phone, athlete_name,
             athlete_age, notes, created_at, updated_at, term_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $10)
         RETURNING id",
    )
    .bind(request.training_session_id)
    .bind(token.to_owned())
    .bind(&request.parent_name)
    .bind(&request.parent_email)
    .bind(request.parent_phone.clone())
    .bind(&request.athlete_name)
    .bind(request.athlete_age)
    .bind(request.notes.clone())
    .bind(now)
    .bind(term)
    .fetch_one(&mut **tx)
    .await
}

pub async fn by_id(tx: &mut Tx, id: i64) -> Result<Option<WaitlistEntry>, sqlx::Error> {
    sqlx::query_as(concat!(entry_select!(), " WHERE w.id = $1"))
        .bind(id)
        .fetch_optional(&mut **tx)
        .await
}

pub async fn by_token(db: &Db, token: &str) -> Result<Option<WaitlistEntry>, sqlx::Error> {
    sqlx::query_as(concat!(entry_select!(), " WHERE w.token = $1"))
        .bind(token.to_owned())
        .fetch_optional(db.reader())
        .await
}

/// A session's waitlist, in its order (everyone, whatever their state).
pub async fn of_session(db: &Db, session_id: i64) -> Result<Vec<WaitlistEntry>, sqlx::Error> {
    sqlx::query_as(concat!(
        entry_select!(),
        " WHERE w.training_session_id = $1 ORDER BY w.id"
    ))
    .bind(session_id)
    .fetch_all(db.reader())
    .await
}

/// A place of no term, or of a cancelled one (`$row`: the waitlist row's name).
macro_rules! term_closed {
    ($row:literal) => {
        concat!(
            "(",
            $row,
            ".term_id IS NULL OR EXISTS (SELECT 1 FROM terms t WHERE t.id = ",
            $row,
            ".term_id AND t.cancelled_at IS NOT NULL))"
        )
    };
}

/// Closes the open places (waiting or offered) of a cancelled session; returns them as they
/// were, in order. A place closed once is not closed again. A place waiting for a whole term
/// closes only once its term is cancelled.
pub async fn close_session(
    tx: &mut Tx,
    session_id: i64,
    now: i64,
) -> Result<Vec<WaitlistEntry>, sqlx::Error> {
    let open: Vec<WaitlistEntry> = sqlx::query_as(concat!(
        entry_select!(),
        " WHERE w.training_session_id = $1 AND w.status IN ('waiting', 'offered') AND ",
        term_closed!("w"),
        " ORDER BY w.id"
    ))
    .bind(session_id)
    .fetch_all(&mut **tx)
    .await?;
    sqlx::query(concat!(
        "UPDATE waitlist SET status = 'closed', updated_at = $2
         WHERE training_session_id = $1 AND status IN ('waiting', 'offered') AND ",
        term_closed!("waitlist")
    ))
    .bind(session_id)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(open)
}

/// Ends the offers whose time ran out; their places are free again.
pub async fn expire_offers(db: &Db, now: i64) -> Result<u64, sqlx::Error> {
    Ok(sqlx::query(
        "UPDATE waitlist SET status = 'expired', updated_at = $1
         WHERE status = 'offered' AND offer_expires_at <= $1",
    )
    .bind(now)
    .execute(db.writer())
    .await?
    .rows_affected())
}

/// The open, not yet started sessions someone is waiting for.
pub async fn sessions_with_waiting(db: &Db, now: i64) -> Result<Vec<i64>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT DISTINCT w.training_session_id FROM waitlist w
         JOIN training_sessions s ON s.id = w.training_session_id
         WHERE w.status = 'waiting' AND w.confirmed_at IS NOT NULL AND w.term_id IS NULL
           AND s.cancelled_at IS NULL AND s.starts_at > $1",
    )
    .bind(now)
    .fetch_all(db.reader())
    .await
}

/// The first `count` people still waiting for a session (confirmed from their address), in
/// order.
pub async fn first_waiting(
    tx: &mut Tx,
    session_id: i64,
    count: i64,
) -> Result<Vec<WaitlistEntry>, sqlx::Error> {
    sqlx::query_as(concat!(
        entry_select!(),
        " WHERE w.training_session_id = $1 AND w.status = 'waiting' AND w.confirmed_at IS NOT NULL
            AND w.term_id IS NULL
          ORDER BY w.id LIMIT $2"
    ))
    .bind(session_id)
    .bind(count)
    .fetch_all(&mut **tx)
    .await
}

/// Offers entry `id` a place until `expires_at`; false when it no longer waits.
pub async fn offer(tx: &mut Tx, id: i64, now: i64, expires_at: i64) -> Result<bool, sqlx::Error> {
    Ok(sqlx::query(
        "UPDATE waitlist SET status = 'offered', offered_at = $1, offer_expires_at = $2,
                             updated_at = $1
         WHERE id = $3 AND status = 'waiting'",
    )
    .bind(now)
    .bind(expires_at)
    .bind(id)
    .execute(&mut **tx)
    .await?
    .rows_affected()
        == 1)
}

/// Takes the offer of `token` while it still holds its place: the entry is booked (its place
/// no longer counts as an offer; the booking made in the same transaction takes it).
pub async fn take_offer(tx: &mut Tx, token: &str, now: i64) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar(
        "UPDATE waitlist SET status = 'booked', updated_at = $2
         WHERE token = $1 AND status = 'offered' AND offer_expires_at > $2
         RETURNING id",
    )
    .bind(token.to_owned())
    .bind(now)
    .fetch_optional(&mut **tx)
    .await
}

pub async fn set_booking(tx: &mut Tx, id: i64, booking_id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE waitlist SET booking_id = $1 WHERE id = $2")
        .bind(booking_id)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Takes someone off the waitlist (they asked); false when they were not waiting or offered.
pub async fn withdraw(db: &Db, token: &str, now: i64) -> Result<bool, sqlx::Error> {
    Ok(sqlx::query(
        "UPDATE waitlist SET status = 'withdrawn', updated_at = $2
         WHERE token = $1 AND status IN ('waiting', 'offered')",
    )
    .bind(token.to_owned())
    .bind(now)
    .execute(db.writer())
    .await?
    .rows_affected()
        == 1)
}

/// The open terms, not yet started, someone is waiting for whole.
pub async fn terms_with_waiting(db: &Db, now: i64) -> Result<Vec<i64>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT DISTINCT w.term_id FROM waitlist w JOIN terms t ON t.id = w.term_id
         WHERE w.status = 'waiting' AND w.confirmed_at IS NOT NULL AND t.cancelled_at IS NULL
           AND NOT EXISTS (SELECT 1 FROM training_sessions s
                           WHERE s.term_id = t.id AND s.cancelled_at IS NULL AND s.starts_at <= $1)",
    )
    .bind(now)
    .fetch_all(db.reader())
    .await
}

/// The first `count` people still waiting for term `term` (confirmed), in order.
pub async fn first_waiting_for_term(
    tx: &mut Tx,
    term: i64,
    count: i64,
) -> Result<Vec<WaitlistEntry>, sqlx::Error> {
    sqlx::query_as(concat!(
        entry_select!(),
        " WHERE w.term_id = $1 AND w.status = 'waiting' AND w.confirmed_at IS NOT NULL
          ORDER BY w.id LIMIT $2"
    ))
    .bind(term)
    .bind(count)
    .fetch_all(&mut **tx)
    .await
}
