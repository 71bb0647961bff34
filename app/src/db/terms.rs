//! Terms: blocks of weekly sessions sold together (`terms`; each session names its term in
//! `training_sessions.term_id`).

use super::{Db, Tx};
use domain::term::NewTerm;
use serde::{Deserialize, Serialize};

/// Stores term `term` (its sessions are made apart, naming it); its id.
pub async fn insert(tx: &mut Tx, term: &NewTerm, now: i64) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO terms (title, price_amount, currency, dropin_price_amount, created_at)
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(&term.title)
    .bind(term.price_amount)
    .bind(&term.currency)
    .bind(term.dropin_price_amount)
    .bind(now)
    .fetch_one(&mut **tx)
    .await
}

/// Makes session `session` one of term `term`'s.
pub async fn attach(tx: &mut Tx, term: i64, session: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE training_sessions SET term_id = $1 WHERE id = $2")
        .bind(term)
        .bind(session)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Whether term `term`'s sessions are sold alone too (it has a drop-in price).
pub async fn sells_singly(tx: &mut Tx, term: i64) -> Result<bool, sqlx::Error> {
    let dropin: Option<Option<i64>> =
        sqlx::query_scalar("SELECT dropin_price_amount FROM terms WHERE id = $1")
            .bind(term)
            .fetch_optional(&mut **tx)
            .await?;
    Ok(matches!(dropin, Some(Some(_))))
}

/// What booking a term needs of it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct TermPrice {
    pub title: String,
    pub price_amount: i64,
    pub currency: String,
    pub dropin_price_amount: Option<i64>,
    pub cancelled_at: Option<i64>,
}

/// Locks term `term` for a booking (on SQLite, the write lock first: a transaction that reads
/// before it writes cannot wait for the lock); its price, if there is such a term.
pub async fn lock(tx: &mut Tx, term: i64) -> Result<Option<TermPrice>, sqlx::Error> {
    sqlx::query_as(
        "UPDATE terms SET cancelled_at = cancelled_at WHERE id = $1
         RETURNING title, price_amount, currency, dropin_price_amount, cancelled_at",
    )
    .bind(term)
    .fetch_optional(&mut **tx)
    .await
}

/// Term `term`'s sessions, cancelled ones included, in order: id and start (UTC ms).
pub async fn sessions_of(tx: &mut Tx, term: i64) -> Result<Vec<(i64, i64)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, starts_at FROM training_sessions WHERE term_id = $1 ORDER BY starts_at, id",
    )
    .bind(term)
    .fetch_all(&mut **tx)
    .await
}

/// The terms parents can book: not cancelled, their first session still to come; the soonest
/// first.
pub async fn open(db: &Db, now: i64) -> Result<Vec<i64>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT t.id FROM terms t
         WHERE t.cancelled_at IS NULL
           AND (SELECT MIN(s.starts_at) FROM training_sessions s WHERE s.term_id = t.id) > $1
         ORDER BY (SELECT MIN(s.starts_at) FROM training_sessions s WHERE s.term_id = t.id), t.id
         LIMIT 50",
    )
    .bind(now)
    .fetch_all(db.reader())
    .await
}

/// Term `term`'s price and state, outside a transaction (its page).
pub async fn price_now(db: &Db, term: i64) -> Result<Option<TermPrice>, sqlx::Error> {
    sqlx::query_as(
        "SELECT title, price_amount, currency, dropin_price_amount, cancelled_at FROM terms
         WHERE id = $1",
    )
    .bind(term)
    .fetch_optional(db.reader())
    .await
}

/// Marks term `term` cancelled (once: a second time keeps the first time).
pub async fn mark_cancelled(db: &Db, term: i64, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE terms SET cancelled_at = COALESCE(cancelled_at, $2) WHERE id = $1")
        .bind(term)
        .bind(now)
        .execute(db.writer())
        .await?;
    Ok(())
}

/// A family's part in a term: a child, its parent, and its bookings of the term's sessions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct TermFamily {
    pub athlete_name: String,
    pub parent_name: String,
    pub parent_email: String,
    /// Its bookings of the term's sessions not cancelled, those paid, those refunded.
    pub booked: i64,
    pub paid: i64,
    pub refunded: i64,
    /// Its bookings standing in sessions still to come, and what refunding them would give
    /// back (the paid ones' shares not refunded yet, minor units).
    pub to_come: i64,
    pub refund_to_come: i64,
}

/// The children booked into term `term` (in any of its sessions), by name, with what is still
/// to come after `now`.
pub async fn families(db: &Db, term: i64, now: i64) -> Result<Vec<TermFamily>, sqlx::Error> {
    sqlx::query_as(
        "SELECT b.athlete_name, MIN(b.parent_name) AS parent_name, lower(b.parent_email) AS parent_email,
                CAST(SUM(CASE WHEN b.attendance_status <> 'cancelled' THEN 1 ELSE 0 END) AS BIGINT)
                    AS booked,
                CAST(SUM(CASE WHEN b.payment_status = 'paid' THEN 1 ELSE 0 END) AS BIGINT) AS paid,
                CAST(SUM(CASE WHEN b.payment_status = 'refunded' THEN 1 ELSE 0 END) AS BIGINT)
                    AS refunded,
                CAST(SUM(CASE WHEN s.starts_at > $2 AND s.cancelled_at IS NULL
                               AND b.attendance_status <> 'cancelled' THEN 1 ELSE 0 END) AS BIGINT)
                    AS to_come,
                CAST(SUM(CASE WHEN s.starts_at > $2 AND s.cancelled_at IS NULL
                               AND b.attendance_status <> 'cancelled' AND b.payment_status = 'paid'
                          THEN COALESCE(b.amount_paid, b.amount) - b.amount_refunded ELSE 0 END)
                     AS BIGINT) AS refund_to_come
         FROM bookings b JOIN training_sessions s ON s.id = b.training_session_id
         WHERE s.term_id = $1
         GROUP BY lower(b.parent_email), b.athlete_name
         ORDER BY b.athlete_name, lower(b.parent_email) LIMIT 500",
    )
    .bind(term)
    .bind(now)
    .fetch_all(db.reader())
    .await
}

/// The bookings of term `term` still standing in its sessions still to come (after `now`, not
/// cancelled), first the soonest: those paid together with booking `lead` (a family's whole
/// term), or, with `lead` `None`, those of the child `athlete` of the parent at `email`.
pub async fn standing_to_come(
    db: &Db,
    term: i64,
    lead: Option<i64>,
    child: Option<(&str, &str)>,
    now: i64,
) -> Result<Vec<i64>, sqlx::Error> {
    let (email, athlete) = child.unzip();
    sqlx::query_scalar(
        "SELECT b.id FROM bookings b JOIN training_sessions s ON s.id = b.training_session_id
         WHERE s.term_id = $1 AND s.starts_at > $2 AND s.cancelled_at IS NULL
           AND b.attendance_status <> 'cancelled'
           AND ($3 IS NULL OR b.id = $3 OR b.paid_with = $3)
           AND (CAST($4 AS TEXT) IS NULL
                OR (lower(b.parent_email) = lower(CAST($4 AS TEXT)) AND b.athlete_name = $5))
         ORDER BY s.starts_at, b.id LIMIT 200",
    )
    .bind(term)
    .bind(now)
    .bind(lead)
    .bind(email.map(str::to_owned))
    .bind(athlete.map(str::to_owned))
    .fetch_all(db.reader())
    .await
}

/// Sets term `term`'s price and drop-in price.
pub async fn set_prices(
    tx: &mut Tx,
    term: i64,
    price: i64,
    dropin: Option<i64>,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE terms SET price_amount = $1, dropin_price_amount = $2 WHERE id = $3")
        .bind(price)
        .bind(dropin)
        .bind(term)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Sets the places and the price of session `session` of a term.
pub async fn set_session(
    tx: &mut Tx,
    session: i64,
    capacity: i64,
    price: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE training_sessions SET capacity = $1, price_amount = $2 WHERE id = $3")
        .bind(capacity)
        .bind(price)
        .bind(session)
        .execute(&mut **tx)
        .await?;
    Ok(())
}
