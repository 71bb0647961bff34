//! A booking's payment columns: read at the start of a payment decision, and written by it.
//! The decision itself is `domain::decide`; the use case that runs it is
//! `crate::services::payments`.

use super::Tx;
use domain::{PaymentChange, PaymentStatus};

/// The payment side of a booking, as read at the start of a decision.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct PaymentState {
    pub id: i64,
    #[sqlx(try_from = "String")]
    pub payment_status: PaymentStatus,
    #[sqlx(rename = "stripe_checkout_session_id")]
    pub checkout_session_id: Option<String>,
    #[sqlx(rename = "stripe_payment_intent_id")]
    pub payment_intent_id: Option<String>,
    /// What the booking costs: minor units of `currency`.
    pub amount: i64,
    pub currency: String,
    /// Where the mails about its payment go.
    pub parent_email: String,
    /// 1 when events for the event's payment wait, parked, for a booking to claim it.
    has_parked: i64,
}

impl PaymentState {
    pub fn has_parked(&self) -> bool {
        self.has_parked != 0
    }
}

/// How an event points at a booking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BookingKey<'a> {
    Id(i64),
    PaymentIntent(&'a str),
    CheckoutSession(&'a str),
}

/// The columns of a `PaymentState`. One round trip also says whether events wait for the
/// payment at `$2` (rarely: a refund that overtook its payment), so the common case skips
/// looking for them.
macro_rules! payment_state_select {
    () => {
        "SELECT id, payment_status, stripe_checkout_session_id, stripe_payment_intent_id,
                amount, currency, parent_email,
                CASE WHEN EXISTS (SELECT 1 FROM stripe_events
                                  WHERE parked = 1 AND payment_intent_id = $2)
                     THEN 1 ELSE 0 END AS has_parked
         FROM bookings"
    };
}

/// Reads a booking's payment state. No lock is taken: `apply` is conditional on the status
/// read here, and the caller decides again if another writer got there first.
pub async fn read(
    tx: &mut Tx,
    key: BookingKey<'_>,
    payment_intent: Option<&str>,
) -> Result<Option<PaymentState>, sqlx::Error> {
    let query = match key {
        BookingKey::Id(id) => {
            sqlx::query_as::<_, PaymentState>(concat!(payment_state_select!(), " WHERE id = $1"))
                .bind(id)
        }
        BookingKey::PaymentIntent(pi) => sqlx::query_as(concat!(
            payment_state_select!(),
            " WHERE stripe_payment_intent_id = $1"
        ))
        .bind(pi.to_owned()),
        BookingKey::CheckoutSession(session) => sqlx::query_as(concat!(
            payment_state_select!(),
            " WHERE stripe_checkout_session_id = $1"
        ))
        .bind(session.to_owned()),
    };
    query
        .bind(payment_intent.map(str::to_owned))
        .fetch_optional(&mut **tx)
        .await
}

/// Writes `change` on the booking while it still holds `change.from`: one UPDATE for the
/// status, the Stripe ids of a settling session and the refunded amount; another only for an
/// expiry. False when the status changed meanwhile (nothing was written).
pub async fn apply(
    tx: &mut Tx,
    booking_id: i64,
    change: &PaymentChange,
    now: i64,
) -> Result<bool, sqlx::Error> {
    if change.writes_booking {
        let changed = sqlx::query(
            "UPDATE bookings
             SET payment_status = $1, updated_at = $2,
                 paid_at = CASE WHEN $1 = 'paid' AND paid_at IS NULL THEN $2 ELSE paid_at END,
                 stripe_checkout_session_id = COALESCE($3, stripe_checkout_session_id),
                 stripe_payment_intent_id = COALESCE(stripe_payment_intent_id, $4),
                 amount_paid = COALESCE($5, amount_paid),
                 amount_refunded = CASE WHEN $6 > amount_refunded THEN $6 ELSE amount_refunded END,
                 payment_awaited_at = CASE WHEN $9 = 1 THEN $2
                                           WHEN $1 <> $8 THEN NULL
                                           ELSE payment_awaited_at END
             WHERE id = $7 AND payment_status = $8",
        )
        .bind(change.to.as_str())
        .bind(now)
        .bind(change.checkout_session_id.clone())
        .bind(change.payment_intent_id.clone())
        .bind(change.amount_paid)
        .bind(change.amount_refunded.unwrap_or(0))
        .bind(booking_id)
        .bind(change.from.as_str())
        .bind(i64::from(change.awaited))
        .execute(&mut **tx)
        .await?
        .rows_affected();
        if changed == 0 {
            return Ok(false);
        }
    }
    if let Some(session) = &change.expired_session {
        // Only the session the booking still holds is cleared: a newer one stays.
        sqlx::query(
            "UPDATE bookings
             SET stripe_checkout_session_id = NULL, stripe_checkout_url = NULL,
                 stripe_checkout_expires_at = NULL, updated_at = $1
             WHERE id = $2 AND stripe_checkout_session_id = $3 AND payment_status = $4",
        )
        .bind(now)
        .bind(booking_id)
        .bind(session.clone())
        .bind(change.from.as_str())
        .execute(&mut **tx)
        .await?;
    }
    Ok(true)
}
