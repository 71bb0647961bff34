//! The coach's calendar feed (`calendar_feeds`): its links by the hash of their token, and the
//! sessions it lists with their counts.

use super::{Db, Tx};

/// Ends every open link of the coach's feed (`family` `None`) or of family `family`'s, and
/// opens the one whose token hashes to `token_hash`.
pub async fn replace(
    tx: &mut Tx,
    token_hash: &str,
    family: Option<i64>,
    by: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE calendar_feeds SET revoked_at = $1
         WHERE revoked_at IS NULL AND COALESCE(family_id, 0) = COALESCE($2, 0)",
    )
    .bind(now)
    .bind(family)
    .execute(&mut **tx)
    .await?;
    sqlx::query(
        "INSERT INTO calendar_feeds (token_hash, family_id, created_by, created_at)
         VALUES ($1, $2, $3, $4)",
    )
    .bind(token_hash.to_owned())
    .bind(family)
    .bind(by.to_owned())
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Whose feed the open link whose token hashes to `token_hash` is: `Some(None)` the coach's,
/// `Some(Some(family))` a family's, `None` no open link.
pub async fn open_feed(db: &Db, token_hash: &str) -> Result<Option<Option<i64>>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT family_id FROM calendar_feeds WHERE token_hash = $1 AND revoked_at IS NULL",
    )
    .bind(token_hash.to_owned())
    .fetch_optional(db.reader())
    .await
}

/// A session as the feed lists it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct FeedSession {
    pub id: i64,
    pub title: String,
    pub starts_at: i64,
    pub duration_minutes: i64,
    pub location: String,
    pub cancelled_at: Option<i64>,
    pub updated_at: i64,
    /// Bookings standing (not cancelled, not refunded), and of them paid or settled.
    pub booked: i64,
    pub paid: i64,
}

/// The sessions starting after `from` (UTC ms), cancelled ones too, soonest first, at most 500.
pub async fn sessions(db: &Db, from: i64) -> Result<Vec<FeedSession>, sqlx::Error> {
    sqlx::query_as(
        "SELECT s.id, s.title, s.starts_at, s.duration_minutes, s.location, s.cancelled_at,
                s.updated_at,
                (SELECT COUNT(*) FROM bookings b WHERE b.training_session_id = s.id
                   AND b.attendance_status <> 'cancelled' AND b.payment_status <> 'refunded')
                    AS booked,
                (SELECT COUNT(*) FROM bookings b WHERE b.training_session_id = s.id
                   AND b.attendance_status <> 'cancelled'
                   AND (b.payment_status = 'paid' OR b.source = 'manual')) AS paid
         FROM training_sessions s WHERE s.starts_at > $1
         ORDER BY s.starts_at, s.id LIMIT 500",
    )
    .bind(from)
    .fetch_all(db.reader())
    .await
}
