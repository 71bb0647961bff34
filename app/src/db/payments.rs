//! A booking's payment columns: read at the start of a payment decision, and written by it.
//! The decision itself is `domain::decide`; the use case that runs it is
//! `crate::services::payments`.

use super::sql::Binds;
use super::Tx;
use domain::discount::Discount;
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
    /// How many other bookings (a family's further children) its payment is for.
    pub followers: i64,
    /// What its payment must come to: its own amount and its followers'.
    pub group_amount: i64,
    /// What a promotion code took off its payment, once paid: its own part and its followers'.
    pub group_discount: i64,
}

impl PaymentState {
    pub fn has_parked(&self) -> bool {
        self.has_parked != 0
    }

    /// Whether its payment pays for other bookings too.
    pub fn pays_for_others(&self) -> bool {
        self.followers > 0
    }
}

/// The followers of the booking `b`, what its payment comes to (its own amount and that of
/// its followers not cancelled unpaid) and what a promotion code took off it, for a
/// `PaymentState`.
macro_rules! group_columns {
    () => {
        "(SELECT COUNT(*) FROM bookings f WHERE f.paid_with = b.id) AS followers,
         b.amount + CAST(COALESCE((SELECT SUM(f.amount) FROM bookings f WHERE f.paid_with = b.id), 0)
                          AS BIGINT)
             AS group_amount,
         b.amount_discount
             + CAST(COALESCE((SELECT SUM(f.amount_discount) FROM bookings f
                              WHERE f.paid_with = b.id), 0) AS BIGINT)
             AS group_discount"
    };
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
        concat!(
            "SELECT b.id, b.payment_status, b.stripe_checkout_session_id,
                    b.stripe_payment_intent_id, b.amount, b.currency, b.parent_email,
                    b.attendance_status,
                    CASE WHEN EXISTS (SELECT 1 FROM stripe_events
                                      WHERE parked = 1 AND payment_intent_id = $2)
                         THEN 1 ELSE 0 END AS has_parked, ",
            group_columns!(),
            " FROM bookings b"
        )
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
            sqlx::query_as::<_, PaymentState>(concat!(payment_state_select!(), " WHERE b.id = $1"))
                .bind(id)
        }
        BookingKey::PaymentIntent(pi) => sqlx::query_as(concat!(
            payment_state_select!(),
            // A family's further children hold the payment's intent too: the lead is its booking.
            " WHERE b.stripe_payment_intent_id = $1 AND b.paid_with IS NULL"
        ))
        .bind(pi.to_owned()),
        BookingKey::CheckoutSession(session) => sqlx::query_as(concat!(
            payment_state_select!(),
            " WHERE b.stripe_checkout_session_id = $1"
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
/// expiry, or for a payment's discount.
pub async fn apply(
    tx: &mut Tx,
    booking_id: i64,
    change: &PaymentChange,
    now: i64,
) -> Result<Written, sqlx::Error> {
    if change.writes_booking && apply_all(tx, &[(booking_id, change)], now).await? == 0 {
        return Ok(Written::StatusChanged);
    }
    if let (Some(discount), Some(paid)) = (&change.discount, change.amount_paid) {
        let share = DiscountShare {
            booking_id,
            paid,
            discount: discount.amount,
        };
        record_discount(tx, &[share], discount, now).await?;
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
    let mut binds = Binds::on_connection(tx);
    let list = binds.list(ids.iter().copied());
    let sql = format!(
        "SELECT b.id, b.payment_status, b.stripe_checkout_session_id, b.stripe_payment_intent_id,
                b.amount, b.currency, b.parent_email, b.attendance_status, 0 AS has_parked, {}
         FROM bookings b WHERE b.id IN ({list}) ORDER BY b.id{}",
        group_columns!(),
        if lock { " FOR UPDATE OF b" } else { "" }
    );
    binds
        .query_as::<PaymentState>(sql)?
        .fetch_all(&mut **tx)
        .await
}

/// Writes each `(booking, change)` while the booking still holds `change.from`, as
/// `payments::apply` does for one (never an expiry nor a discounted payment: those go one at a
/// time). The number of bookings written.
pub async fn apply_all(
    tx: &mut Tx,
    changes: &[(i64, &PaymentChange)],
    now: i64,
) -> Result<u64, sqlx::Error> {
    if changes.is_empty() {
        return Ok(0);
    }
    let mut binds = Binds::on_connection(tx);
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

/// Brings the followers of `lead` (a family's further children, paid by its checkout) to the
/// status `change` gave the lead, those still where the lead was: paid with it (each its own
/// share), failed or refunded with it. When the payment lands, the lead keeps its own share as
/// what it paid (a discounted payment's shares are then written by `record_discount`). The
/// followers changed.
pub async fn follow(
    tx: &mut Tx,
    lead: i64,
    change: &PaymentChange,
    now: i64,
) -> Result<Vec<i64>, sqlx::Error> {
    if !change.writes_booking {
        return Ok(Vec::new());
    }
    if change.amount_paid.is_some() {
        sqlx::query(
            "UPDATE bookings SET amount_paid = amount WHERE id = $1 AND payment_status = 'paid'",
        )
        .bind(lead)
        .execute(&mut **tx)
        .await?;
    }
    sqlx::query_scalar(
        "UPDATE bookings
         SET payment_status = $2, updated_at = $3,
             paid_at = CASE WHEN $2 = 'paid' AND paid_at IS NULL THEN $3 ELSE paid_at END,
             amount_paid = CASE WHEN $2 = 'paid' AND $6 <> 'paid' THEN amount
                                ELSE amount_paid END,
             amount_refunded = CASE WHEN $2 = 'refunded' THEN COALESCE(amount_paid, 0)
                                    ELSE amount_refunded END,
             stripe_payment_intent_id = COALESCE(stripe_payment_intent_id, $4),
             payment_awaited_at = CASE WHEN $5 = 1 THEN $3 WHEN $2 <> $6 THEN NULL
                                       ELSE payment_awaited_at END
         WHERE paid_with = $1 AND payment_status = $6
         RETURNING id",
    )
    .bind(lead)
    .bind(change.to.as_str())
    .bind(now)
    .bind(change.payment_intent_id.as_deref())
    .bind(i64::from(change.awaited))
    .bind(change.from.as_str())
    .fetch_all(&mut **tx)
    .await
}

/// One booking's part of a discounted payment: what it paid, and what the discount took off
/// its price.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DiscountShare {
    pub booking_id: i64,
    pub paid: i64,
    pub discount: i64,
}

/// Records a promotion code's discount on the bookings it paid (those still paid): each its
/// share of what was paid (`amount_paid`) and of the discount, and the code.
pub async fn record_discount(
    tx: &mut Tx,
    shares: &[DiscountShare],
    discount: &Discount,
    now: i64,
) -> Result<(), sqlx::Error> {
    if shares.is_empty() {
        return Ok(());
    }
    let mut binds = Binds::on_connection(tx);
    let now_at = binds.push(now);
    let code = binds.push(discount.promotion_code.clone());
    let code_id = binds.push(discount.promotion_code_id.clone());
    let rows = binds.rows(shares, |row, share| {
        row.bind(share.booking_id)
            .bind(share.paid)
            .bind(share.discount);
    });
    let sql = format!(
        "WITH v (id, paid, discount) AS (VALUES {rows})
         UPDATE bookings
         SET amount_paid = v.paid, amount_discount = v.discount, promotion_code = {code},
             promotion_code_id = {code_id}, updated_at = {now_at}
         FROM v
         WHERE bookings.id = v.id AND bookings.payment_status = 'paid'"
    );
    binds.query(sql)?.execute(&mut **tx).await?;
    Ok(())
}

/// The bookings `lead`'s payment is for, the lead first, each with its price: what a
/// discounted payment is shared among.
pub async fn group_prices(tx: &mut Tx, lead: i64) -> Result<Vec<(i64, i64)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, amount FROM bookings WHERE id = $1 OR paid_with = $1
         ORDER BY CASE WHEN id = $1 THEN 0 ELSE 1 END, id",
    )
    .bind(lead)
    .fetch_all(&mut **tx)
    .await
}

/// The whole charge of `lead`'s payment was refunded: every booking of the group still paid
/// (its share not refunded on its own before) is refunded. The bookings changed.
pub async fn refund_group(tx: &mut Tx, lead: i64, now: i64) -> Result<Vec<i64>, sqlx::Error> {
    sqlx::query_scalar(
        "UPDATE bookings
         SET payment_status = 'refunded', amount_refunded = COALESCE(amount_paid, 0),
             updated_at = $2
         WHERE (id = $1 OR paid_with = $1) AND payment_status = 'paid'
         RETURNING id",
    )
    .bind(lead)
    .bind(now)
    .fetch_all(&mut **tx)
    .await
}

/// A refund of `booking`'s own share succeeded (Stripe said so of the refund we asked for):
/// when the booking is one of a group paid together, what it had refunded is the sum of its
/// refunds that succeeded, and once that is its whole share it is `refunded`. Its parent's
/// address when it became refunded now. (A booking paid alone is refunded by its charge's
/// `charge.refunded`.)
pub async fn share_refunded(
    tx: &mut Tx,
    booking: i64,
    now: i64,
) -> Result<Option<String>, sqlx::Error> {
    let became: Option<(String, String)> = sqlx::query_as(
        "UPDATE bookings
         SET amount_refunded = CAST((SELECT COALESCE(SUM(r.amount), 0) FROM refunds r
                                     WHERE r.booking_id = bookings.id AND r.status = 'succeeded')
                                    AS BIGINT),
             payment_status = CASE
                 WHEN (SELECT COALESCE(SUM(r.amount), 0) FROM refunds r
                       WHERE r.booking_id = bookings.id AND r.status = 'succeeded')
                      >= COALESCE(amount_paid, amount)
                 THEN 'refunded' ELSE payment_status END,
             updated_at = $2
         WHERE id = $1 AND payment_status = 'paid'
           AND (paid_with IS NOT NULL
                OR EXISTS (SELECT 1 FROM bookings f WHERE f.paid_with = bookings.id))
         RETURNING payment_status, parent_email",
    )
    .bind(booking)
    .bind(now)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(became.and_then(|(status, email)| (status == "refunded").then_some(email)))
}
