//! Terms: blocks of weekly sessions sold together (`terms`; each session names its term in
//! `training_sessions.term_id`).

use super::{Db, Tx};
use domain::term::NewTerm;
use serde::{Deserialize, Serialize};

/// A term as the admin's list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct TermRow {
    pub id: i64,
    pub title: String,
    pub price_amount: i64,
    pub currency: String,
    pub dropin_price_amount: Option<i64>,
    pub cancelled_at: Option<i64>,
    /// Its sessions: how many, and the first's and last's starts (UTC ms).
    pub sessions: i64,
    pub first_start: Option<i64>,
    pub last_start: Option<i64>,
}

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

/// Every term, those starting last first.
pub async fn list(db: &Db) -> Result<Vec<TermRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT t.id, t.title, t.price_amount, t.currency, t.dropin_price_amount, t.cancelled_at,
                (SELECT COUNT(*) FROM training_sessions s WHERE s.term_id = t.id) AS sessions,
                (SELECT MIN(s.starts_at) FROM training_sessions s WHERE s.term_id = t.id)
                    AS first_start,
                (SELECT MAX(s.starts_at) FROM training_sessions s WHERE s.term_id = t.id)
                    AS last_start
         FROM terms t ORDER BY t.id DESC LIMIT 200",
    )
    .fetch_all(db.reader())
    .await
}

/// What booking a term needs of it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct TermPrice {
    pub title: String,
    pub price_amount: i64,
    pub currency: String,
    pub cancelled_at: Option<i64>,
}

/// Locks term `term` for a booking (on SQLite, the write lock first: a transaction that reads
/// before it writes cannot wait for the lock); its price, if there is such a term.
pub async fn lock(tx: &mut Tx, term: i64) -> Result<Option<TermPrice>, sqlx::Error> {
    sqlx::query_as(
        "UPDATE terms SET cancelled_at = cancelled_at WHERE id = $1
         RETURNING title, price_amount, currency, cancelled_at",
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
    sqlx::query_as("SELECT title, price_amount, currency, cancelled_at FROM terms WHERE id = $1")
        .bind(term)
        .fetch_optional(db.reader())
        .await
}
