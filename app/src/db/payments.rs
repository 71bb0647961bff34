//! A booking's payment columns: read at the start of a payment decision, and written by it.
//! The decision itself is `domain::decide`; the use case that runs it is
//! `crate::services::payments`.

use super::sql::Binds;
use super::Tx;
use domain::{AttendanceStatus, PaymentChange, PaymentStatus};

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
    /// Read, never written, by a payment decision: a payment that lands on a cancelled booking
    /// is returned instead of confirming a place.
    #[sqlx(try_from = "String")]
    pub attendance_status: AttendanceStatus,
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
                amount, currency, parent_email, attendance_status,
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

/// Whether a conditional write of a payment change found the status it was decided from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Written {
    /// The booking still held `change.from`: the change is written.
    Applied,
    /// Another writer changed the status after it was read: nothing was written, and the
    /// change must be decided again from the new status.
    StatusChanged,
}

/// Writes `change` on the booking while it still holds `change.from`: one UPDATE for the
/// status, the Stripe ids of a settling session and the refunded amount; another only for an
/// expiry.
pub async fn apply(
    tx: &mut Tx,
    booking_id: i64,
    change: &PaymentChange,
    now: i64,
) -> Result<Written, sqlx::Error> {
    if change.writes_booking && apply_all(tx, &[(booking_id, change)], now).await? == 0 {
        return Ok(Written::StatusChanged);
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
    Ok(Written::Applied)
}

/// The payment state of each booking in `ids` (their rows locked for the transaction on
/// PostgreSQL, in id order, when `lock`).
pub async fn states(
    tx: &mut Tx,
    ids: &[i64],
    lock: bool,
) -> Result<Vec<PaymentState>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut binds = Binds::new();
    let list = binds.list(ids.iter().copied());
    let sql = format!(
        "SELECT id, payment_status, stripe_checkout_session_id, stripe_payment_intent_id,
                amount, currency, parent_email, attendance_status, 0 AS has_parked
         FROM bookings WHERE id IN ({list}) ORDER BY id{}",
        if lock { " FOR UPDATE" } else { "" }
    );
    binds
        .query_as::<PaymentState>(sql)?
        .fetch_all(&mut **tx)
        .await
}

/// Writes each `(booking, change)` while the booking still holds `change.from`, as
/// `payments::apply` does for one (never an expiry: those go one at a time). The number of
/// bookings written.
pub async fn apply_all(
    tx: &mut Tx,
    changes: &[(i64, &PaymentChange)],
    now: i64,
) -> Result<u64, sqlx::Error> {
    if changes.is_empty() {
        return Ok(0);
    }
    let mut binds = Binds::new();
    let now_at = binds.push(now);
    let rows = binds.rows(changes, |row, (booking, change)| {
        row.bind(*booking)
            .bind(change.to.as_str())
            .bind(change.from.as_str())
            .bind(change.checkout_session_id.as_deref())
            .bind(change.payment_intent_id.as_deref())
            .bind(change.amount_paid)
            .bind(change.amount_refunded.unwrap_or(0))
            .bind(i64::from(change.awaited));
    });
    let sql = format!(
        "WITH v (id, to_status, from_status, session_id, intent_id, paid, refunded, awaited) AS
             (VALUES {rows})
         UPDATE bookings
         SET payment_status = v.to_status, updated_at = {now_at},
             paid_at = CASE WHEN v.to_status = 'paid' AND bookings.paid_at IS NULL
                            THEN {now_at} ELSE bookings.paid_at END,
             stripe_checkout_session_id = COALESCE(v.session_id, bookings.stripe_checkout_session_id),
             stripe_payment_intent_id = COALESCE(bookings.stripe_payment_intent_id, v.intent_id),
             amount_paid = COALESCE(v.paid, bookings.amount_paid),
             amount_refunded = CASE WHEN v.refunded > bookings.amount_refunded
                                    THEN v.refunded ELSE bookings.amount_refunded END,
             payment_awaited_at = CASE WHEN v.awaited = 1 THEN {now_at}
                                       WHEN v.to_status <> v.from_status THEN NULL
                                       ELSE bookings.payment_awaited_at END
         FROM v
         WHERE bookings.id = v.id AND bookings.payment_status = v.from_status"
    );
    Ok(binds.query(sql)?.execute(&mut **tx).await?.rows_affected())
}
