//! A family's bookings paid in one checkout: the first child's booking (the lead) holds the
//! checkout and the payment, the others name it in `paid_with`. Reading the group, holding its
//! places while the checkout is open, and keeping a lead when the lead is cancelled unpaid.

use super::Tx;
use domain::{AttendanceStatus, PaymentStatus};

/// A booking of a group, as the checkout and the mails need it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Member {
    pub id: i64,
    pub reference: String,
    pub athlete_name: String,
    pub amount: i64,
    /// Its session: a family's children share the lead's, a term's bookings are each another.
    pub training_session_id: i64,
    /// Its session's start (UTC ms).
    pub session_starts_at: i64,
    #[sqlx(try_from = "String")]
    pub payment_status: PaymentStatus,
    #[sqlx(try_from = "String")]
    pub attendance_status: AttendanceStatus,
}

const FOLLOWERS: &str =
    "SELECT id, reference, athlete_name, amount, training_session_id, session_starts_at,
            payment_status, attendance_status
     FROM bookings WHERE paid_with = $1 AND attendance_status <> 'cancelled' ORDER BY id";

/// The bookings that `lead` pays for besides itself (not cancelled), in the order booked.
pub async fn followers(tx: &mut Tx, lead: i64) -> Result<Vec<Member>, sqlx::Error> {
    sqlx::query_as(FOLLOWERS)
        .bind(lead)
        .fetch_all(&mut **tx)
        .await
}

/// [`followers`], outside a transaction (the mails).
pub async fn followers_now(db: &super::Db, lead: i64) -> Result<Vec<Member>, sqlx::Error> {
    sqlx::query_as(FOLLOWERS)
        .bind(lead)
        .fetch_all(db.reader())
        .await
}

/// The reference of the booking whose checkout pays for `booking`: its lead's, or its own.
pub async fn payer_reference(tx: &mut Tx, booking: i64) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT l.reference FROM bookings b JOIN bookings l ON l.id = COALESCE(b.paid_with, b.id)
         WHERE b.id = $1",
    )
    .bind(booking)
    .fetch_optional(&mut **tx)
    .await
}

/// Holds the unpaid places of `lead`'s followers until `until`, as the lead's checkout holds
/// its own.
pub async fn hold_followers(
    tx: &mut Tx,
    lead: i64,
    until: i64,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE bookings SET held_until = $2, updated_at = $3
         WHERE paid_with = $1 AND payment_status IN ('unpaid', 'failed')
           AND attendance_status <> 'cancelled' AND held_until < $2",
    )
    .bind(lead)
    .bind(until)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Takes `booking` out of its group before it is cancelled unpaid: a follower no longer
/// counts in the group's payment; a lead hands the payment of the others to the first of them
/// (which then needs a checkout of its own). The bookings changed, for the announcement.
pub async fn leave_unpaid(tx: &mut Tx, booking: i64, now: i64) -> Result<Vec<i64>, sqlx::Error> {
    let follower: Vec<i64> = sqlx::query_scalar(
        "UPDATE bookings SET paid_with = NULL, updated_at = $2
         WHERE id = $1 AND paid_with IS NOT NULL RETURNING id",
    )
    .bind(booking)
    .bind(now)
    .fetch_all(&mut **tx)
    .await?;
    if !follower.is_empty() {
        return Ok(follower);
    }
    let next: Option<i64> = sqlx::query_scalar(
        "SELECT MIN(id) FROM bookings WHERE paid_with = $1 AND attendance_status <> 'cancelled'",
    )
    .bind(booking)
    .fetch_one(&mut **tx)
    .await?;
    let Some(next) = next else {
        return Ok(Vec::new());
    };
    sqlx::query_scalar(
        "UPDATE bookings SET paid_with = CASE WHEN id = $2 THEN NULL ELSE $2 END, updated_at = $3
         WHERE paid_with = $1 RETURNING id",
    )
    .bind(booking)
    .bind(next)
    .bind(now)
    .fetch_all(&mut **tx)
    .await
}

/// What the payment that paid `booking` came to: what it paid (its amount, until it is paid),
/// or for a family paid together what the lead and every booking it paid for paid (each its
/// share of a discounted payment).
pub async fn payment_total(db: &super::Db, booking: i64) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT CAST(SUM(COALESCE(g.amount_paid, g.amount)) AS BIGINT) FROM bookings b
         JOIN bookings g ON g.id = COALESCE(b.paid_with, b.id)
                         OR g.paid_with = COALESCE(b.paid_with, b.id)
         WHERE b.id = $1",
    )
    .bind(booking)
    .fetch_one(db.reader())
    .await
}

/// Forgets the checkout `lead` holds while unpaid (its total no longer stands): the next
/// payment makes a new one.
pub async fn forget_checkout(tx: &mut Tx, lead: i64, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE bookings
         SET stripe_checkout_session_id = NULL, stripe_checkout_url = NULL,
             stripe_checkout_expires_at = NULL, checkout_request = NULL, updated_at = $2
         WHERE id = $1 AND payment_status IN ('unpaid', 'failed')",
    )
    .bind(lead)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
