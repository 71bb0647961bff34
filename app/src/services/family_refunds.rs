//! A family's children paid in one checkout: one child's refund is that child's share, and
//! the child is `refunded` once Stripe says its own refunds came to it (the family's charge
//! stays paid for the others). Called with Stripe's answer to the request
//! (`services::refunds`) and with its webhook (`services::payments`).

use crate::db::{now_ms, Db, Tx};
use domain::mail::{BookingMail, PaymentFacts};

/// Stripe says a refund we asked for succeeded (its answer to the request, or its webhook):
/// for a child of a family paid together, its own share is back once its refunds cover it,
/// and its parent is told once per refund (`refund_key`: Stripe's refund id). True when the
/// booking became refunded now.
pub async fn share_refund_succeeded_in(
    tx: &mut Tx,
    booking_id: i64,
    refund_key: &str,
    amount: Option<i64>,
    currency: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let Some(email) = crate::db::payments::share_refunded(tx, booking_id, now).await? else {
        return Ok(false);
    };
    // One of a term's bookings cancelled together: their one mail said what comes back.
    let together = format!("-{}", domain::refund::TOGETHER);
    if crate::db::refunds::key_of(tx, refund_key)
        .await?
        .is_some_and(|key| key.ends_with(&together))
    {
        return Ok(true);
    }
    let facts = BookingMail::RefundCompleted(PaymentFacts {
        amount,
        currency: currency.to_owned(),
        payment_id: None,
        at: now,
    });
    crate::services::mail::queue(tx, booking_id, &email, Some(refund_key), &facts, now).await?;
    Ok(true)
}

/// [`share_refund_succeeded_in`] in a transaction of its own, announced.
pub async fn share_refund_succeeded(
    db: &Db,
    booking_id: i64,
    refund_key: &str,
    amount: Option<i64>,
    currency: &str,
) -> Result<bool, sqlx::Error> {
    let mut tx = db.begin().await?;
    let became =
        share_refund_succeeded_in(&mut tx, booking_id, refund_key, amount, currency, now_ms())
            .await?;
    db.commit(tx, &[booking_id]).await?;
    Ok(became)
}
