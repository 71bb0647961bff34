//! Family accounts (`families`), the links mailed to them (`family_links`, by token hash), their
//! logins (`family_logins`, by token hash), and what a family's address reaches of the other
//! tables: its bookings (by `parent_email`, whatever the case) and waitlist places, moved to a
//! new address or erased.

use super::bookings::{booking_select, Booking};
use super::{Db, Tx};
use domain::family::LinkPurpose;

/// A family account.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Family {
    pub id: i64,
    pub email: String,
}

/// A mailed link, as stored.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Link {
    #[sqlx(try_from = "String")]
    pub purpose: LinkPurpose,
    pub email: String,
    pub family_id: Option<i64>,
    pub expires_at: i64,
    pub used_at: Option<i64>,
}

/// The family of `email` (lower-cased by the caller), made if there is none; its id.
pub async fn upsert(tx: &mut Tx, email: &str, now: i64) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO families (email, created_at) VALUES ($1, $2)
         ON CONFLICT (email) DO UPDATE SET email = excluded.email
         RETURNING id",
    )
    .bind(email.to_owned())
    .bind(now)
    .fetch_one(&mut **tx)
    .await
}

pub async fn by_id(db: &Db, id: i64) -> Result<Option<Family>, sqlx::Error> {
    sqlx::query_as("SELECT id, email FROM families WHERE id = $1")
        .bind(id)
        .fetch_optional(db.reader())
        .await
}

pub async fn by_email(db: &Db, email: &str) -> Result<Option<Family>, sqlx::Error> {
    sqlx::query_as("SELECT id, email FROM families WHERE email = lower($1)")
        .bind(email.to_owned())
        .fetch_optional(db.reader())
        .await
}

/// Keeps a new link (its hash only); every link expired before `stale_before` is forgotten.
pub async fn insert_link(
    db: &Db,
    token_hash: &str,
    purpose: LinkPurpose,
    email: &str,
    family_id: Option<i64>,
    now: i64,
    expires_at: i64,
) -> Result<(), sqlx::Error> {
    let mut tx = db.begin().await?;
    sqlx::query("DELETE FROM family_links WHERE expires_at < $1")
        .bind(now - 24 * 60 * 60 * 1000)
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "INSERT INTO family_links (token_hash, purpose, email, family_id, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(token_hash.to_owned())
    .bind(purpose.as_str())
    .bind(email.to_owned())
    .bind(family_id)
    .bind(now)
    .bind(expires_at)
    .execute(&mut *tx)
    .await?;
    tx.commit().await
}

pub async fn link(db: &Db, token_hash: &str) -> Result<Option<Link>, sqlx::Error> {
    sqlx::query_as(
        "SELECT purpose, email, family_id, expires_at, used_at FROM family_links
         WHERE token_hash = $1",
    )
    .bind(token_hash.to_owned())
    .fetch_optional(db.writer())
    .await
}

/// Marks the link used, if it is of `purpose`, unused and not expired at `now`: its
/// address and family then, `None` otherwise (two openings at once: one wins).
pub async fn take_link(
    tx: &mut Tx,
    token_hash: &str,
    purpose: LinkPurpose,
    now: i64,
) -> Result<Option<(String, Option<i64>)>, sqlx::Error> {
    sqlx::query_as(
        "UPDATE family_links SET used_at = $1
         WHERE token_hash = $2 AND purpose = $3 AND used_at IS NULL AND expires_at > $1
         RETURNING email, family_id",
    )
    .bind(now)
    .bind(token_hash.to_owned())
    .bind(purpose.as_str())
    .fetch_optional(&mut **tx)
    .await
}

pub async fn open_login(
    tx: &mut Tx,
    token_hash: &str,
    family_id: i64,
    now: i64,
    expires_at: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO family_logins (token_hash, family_id, created_at, expires_at, last_seen_at)
         VALUES ($1, $2, $3, $4, $3)",
    )
    .bind(token_hash.to_owned())
    .bind(family_id)
    .bind(now)
    .bind(expires_at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The family whose login has this token hash, while it lasts and was used after
/// `idle_since`.
pub async fn by_login(
    db: &Db,
    token_hash: &str,
    now: i64,
    idle_since: i64,
) -> Result<Option<Family>, sqlx::Error> {
    sqlx::query_as(
        "SELECT f.id, f.email FROM family_logins l JOIN families f ON f.id = l.family_id
         WHERE l.token_hash = $1 AND l.expires_at > $2 AND l.last_seen_at > $3",
    )
    .bind(token_hash.to_owned())
    .bind(now)
    .bind(idle_since)
    .fetch_optional(db.writer())
    .await
}

/// Marks the login used at `now`, unless it was after `fresh_since`.
pub async fn touch_login(
    db: &Db,
    token_hash: &str,
    now: i64,
    fresh_since: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE family_logins SET last_seen_at = $1 WHERE token_hash = $2 AND last_seen_at < $3",
    )
    .bind(now)
    .bind(token_hash.to_owned())
    .bind(fresh_since)
    .execute(db.writer())
    .await?;
    Ok(())
}

/// Ends the login with this token hash, and every login expired by `now`.
pub async fn close_login(db: &Db, token_hash: &str, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM family_logins WHERE token_hash = $1 OR expires_at < $2")
        .bind(token_hash.to_owned())
        .bind(now)
        .execute(db.writer())
        .await?;
    Ok(())
}

/// Every booking of `email` (whatever its case), the latest session first.
pub async fn bookings_of(db: &Db, email: &str) -> Result<Vec<Booking>, sqlx::Error> {
    sqlx::query_as(concat!(
        booking_select!(),
        " WHERE lower(b.parent_email) = lower($1) ORDER BY s.starts_at DESC, b.id DESC LIMIT 500"
    ))
    .bind(email.to_owned())
    .fetch_all(db.reader())
    .await
}

/// Moves family `family_id`, its bookings and waitlist places from `old` to `new`; the ids of
/// the bookings moved.
pub async fn move_address(
    tx: &mut Tx,
    family_id: i64,
    old: &str,
    new: &str,
    now: i64,
) -> Result<Vec<i64>, sqlx::Error> {
    sqlx::query("UPDATE families SET email = $1 WHERE id = $2")
        .bind(new.to_owned())
        .bind(family_id)
        .execute(&mut **tx)
        .await?;
    let moved: Vec<i64> = sqlx::query_scalar(
        "UPDATE bookings SET parent_email = $1,
                search_text = lower(parent_name || ' ' || athlete_name || ' ' || $1),
                updated_at = $2
         WHERE lower(parent_email) = lower($3)
         RETURNING id",
    )
    .bind(new.to_owned())
    .bind(now)
    .bind(old.to_owned())
    .fetch_all(&mut **tx)
    .await?;
    sqlx::query(
        "UPDATE waitlist SET parent_email = $1, updated_at = $2
         WHERE lower(parent_email) = lower($3)",
    )
    .bind(new.to_owned())
    .bind(now)
    .bind(old.to_owned())
    .execute(&mut **tx)
    .await?;
    Ok(moved)
}

/// Replaces the names, contacts and notes of `email`'s bookings and waitlist places by
/// `erased` (a name) and `placeholder` (an address); amounts, statuses and Stripe's ids stay.
/// The ids of the bookings erased.
pub async fn erase_address(
    tx: &mut Tx,
    email: &str,
    erased: &str,
    placeholder: &str,
    now: i64,
) -> Result<Vec<i64>, sqlx::Error> {
    let ids: Vec<i64> = sqlx::query_scalar(
        "UPDATE bookings SET parent_name = $1, athlete_name = $1, parent_email = $2,
                parent_phone = NULL, notes = NULL, search_text = '', updated_at = $3
         WHERE lower(parent_email) = lower($4)
         RETURNING id",
    )
    .bind(erased.to_owned())
    .bind(placeholder.to_owned())
    .bind(now)
    .bind(email.to_owned())
    .fetch_all(&mut **tx)
    .await?;
    sqlx::query(
        "UPDATE waitlist SET parent_name = $1, athlete_name = $1, parent_email = $2,
                parent_phone = NULL, notes = NULL, updated_at = $3
         WHERE lower(parent_email) = lower($4)",
    )
    .bind(erased.to_owned())
    .bind(placeholder.to_owned())
    .bind(now)
    .bind(email.to_owned())
    .execute(&mut **tx)
    .await?;
    Ok(ids)
}

/// Up to `limit` bookings whose session ended before `ended_before` and whose family's
/// data is still there.
pub async fn ended_unerased(
    db: &Db,
    ended_before: i64,
    limit: i64,
) -> Result<Vec<(i64, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT b.id, b.parent_email FROM bookings b
         JOIN training_sessions s ON s.id = b.training_session_id
         WHERE s.starts_at + s.duration_minutes * 60000 < $1
           AND b.parent_email NOT LIKE 'erased-%@erased.invalid'
         ORDER BY b.id LIMIT $2",
    )
    .bind(ended_before)
    .bind(limit)
    .fetch_all(db.reader())
    .await
}

/// Erases booking `id` as [`erase_address`] does (its own placeholder address).
pub async fn erase_booking(
    tx: &mut Tx,
    id: i64,
    erased: &str,
    placeholder: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE bookings SET parent_name = $1, athlete_name = $1, parent_email = $2,
                parent_phone = NULL, notes = NULL, search_text = '', updated_at = $3
         WHERE id = $4",
    )
    .bind(erased.to_owned())
    .bind(placeholder.to_owned())
    .bind(now)
    .bind(id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Deletes the family of `email`, its logins, links and athletes; whether there was one.
pub async fn delete(tx: &mut Tx, email: &str) -> Result<bool, sqlx::Error> {
    let id: Option<i64> = sqlx::query_scalar("SELECT id FROM families WHERE email = lower($1)")
        .bind(email.to_owned())
        .fetch_optional(&mut **tx)
        .await?;
    let Some(id) = id else {
        return Ok(false);
    };
    for statement in [
        "DELETE FROM athletes WHERE family_id = $1",
        "DELETE FROM family_logins WHERE family_id = $1",
        "DELETE FROM family_links WHERE family_id = $1",
        "DELETE FROM families WHERE id = $1",
    ] {
        sqlx::query(statement).bind(id).execute(&mut **tx).await?;
    }
    Ok(true)
}
