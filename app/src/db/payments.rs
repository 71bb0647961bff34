//! Applying a Stripe event to a booking: the domain decision, the ledger row, the conditional
//! UPDATE and the payment_logs rows, inside one transaction. The only writer of
//! `payment_status`. (`payment_writer` batches many events into one transaction.)

use super::{now_ms, Db};
use crate::domain::{
    decide, status_after, Decision, Interpretation, Money, PaymentSignal, PaymentStatus, Refusal,
    StripeEvent,
};
use crate::live::{commit_and_announce, LiveHub};
use sqlx::{Any, Row, Transaction};

/// Where an event came from; recorded in the ledger.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventSource {
    /// A signed delivery to the webhook.
    Webhook,
    /// Read back from Stripe's API by reconciliation.
    Reconcile,
}

impl EventSource {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Webhook => "webhook",
            Self::Reconcile => "reconcile",
        }
    }
}

/// What applying an event did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Applied {
    /// The event id is already in the ledger: nothing changed.
    Duplicate,
    /// A type the webhook does not act on (recorded in the ledger).
    Ignored,
    /// A type we act on, missing what the decision needs (logged).
    Unusable { reason: String },
    /// The event names no booking, or one that does not exist (logged with booking_id NULL).
    NoBooking { reason: String },
    /// The decision for the booking, applied.
    Decided {
        booking_id: i64,
        from: PaymentStatus,
        decision: Decision,
    },
}

impl Applied {
    /// One short line for logs and the ledger's `outcome` column.
    pub fn outcome(&self) -> String {
        match self {
            Self::Duplicate => "duplicate".to_owned(),
            Self::Ignored => "ignored".to_owned(),
            Self::Unusable { reason } => format!("unusable: {reason}"),
            Self::NoBooking { reason } => format!("no booking: {reason}"),
            Self::Decided { from, decision, .. } => match decision {
                Decision::Transition { to } => format!("{from} -> {to}"),
                Decision::AwaitingPayment => format!("{from}, awaiting payment"),
                Decision::SessionExpired => format!("{from}, checkout session expired"),
                Decision::PartialRefund { amount_refunded } => {
                    format!("{from}, partly refunded ({amount_refunded})")
                }
                Decision::Refused { why } => format!("refused: {} ({from})", why.message()),
            },
        }
    }

    pub fn booking_id(&self) -> Option<i64> {
        match self {
            Self::Decided { booking_id, .. } => Some(*booking_id),
            _ => None,
        }
    }
}

/// The payment side of a booking, as read at the start of a decision.
struct BookingPayment {
    id: i64,
    payment_status: PaymentStatus,
    checkout_session_id: Option<String>,
    currency: String,
    /// Events for the event's payment wait, parked, for a booking to claim it.
    has_parked: bool,
}

/// How an event points at a booking.
enum BookingKey<'a> {
    Id(i64),
    PaymentIntent(&'a str),
    CheckoutSession(&'a str),
}

/// Reads a booking's payment state. No lock is taken: the UPDATE that applies a decision is
/// conditional on the status read here, and a decision is taken again if another writer got
/// there first.
async fn read_booking(
    tx: &mut Transaction<'static, Any>,
    key: BookingKey<'_>,
    payment_intent: Option<&str>,
) -> Result<Option<BookingPayment>, sqlx::Error> {
    // One round trip also says whether events wait for this payment (rarely: a refund that
    // overtook its payment), so the common case skips looking for them.
    let query = match key {
        BookingKey::Id(id) => sqlx::query(
            "SELECT id, payment_status, stripe_checkout_session_id, currency,
                    CASE WHEN EXISTS (SELECT 1 FROM stripe_events
                                      WHERE parked = 1 AND payment_intent_id = $2)
                         THEN 1 ELSE 0 END AS has_parked
             FROM bookings WHERE id = $1",
        )
        .bind(id),
        BookingKey::PaymentIntent(pi) => sqlx::query(
            "SELECT id, payment_status, stripe_checkout_session_id, currency,
                    CASE WHEN EXISTS (SELECT 1 FROM stripe_events
                                      WHERE parked = 1 AND payment_intent_id = $2)
                         THEN 1 ELSE 0 END AS has_parked
             FROM bookings WHERE stripe_payment_intent_id = $1",
        )
        .bind(pi.to_owned()),
        BookingKey::CheckoutSession(session) => sqlx::query(
            "SELECT id, payment_status, stripe_checkout_session_id, currency,
                    CASE WHEN EXISTS (SELECT 1 FROM stripe_events
                                      WHERE parked = 1 AND payment_intent_id = $2)
                         THEN 1 ELSE 0 END AS has_parked
             FROM bookings WHERE stripe_checkout_session_id = $1",
        )
        .bind(session.to_owned()),
    };
    let Some(row) = query
        .bind(payment_intent.map(str::to_owned))
        .fetch_optional(&mut **tx)
        .await?
    else {
        return Ok(None);
    };
    let status: String = row.try_get("payment_status")?;
    Ok(Some(BookingPayment {
        id: row.try_get("id")?,
        payment_status: status
            .parse()
            .map_err(|e| sqlx::Error::Decode(Box::new(e)))?,
        checkout_session_id: row.try_get("stripe_checkout_session_id")?,
        currency: row.try_get("currency")?,
        has_parked: row.try_get::<i64, _>("has_parked")? != 0,
    }))
}

/// Finds the booking an event is about: its bookingId, else the PaymentIntent or Checkout
/// Session stored on (or already tied by the ledger to) a booking.
async fn find_booking(
    tx: &mut Transaction<'static, Any>,
    event: &StripeEvent,
) -> Result<Result<BookingPayment, String>, sqlx::Error> {
    if let Some(named) = event.named_booking() {
        let Ok(id) = named.parse::<i64>() else {
            return Ok(Err(format!("bookingId {named:?} is not a booking id")));
        };
        return Ok(
            read_booking(tx, BookingKey::Id(id), event.payment_intent_id())
                .await?
                .ok_or_else(|| format!("unknown bookingId {id}")),
        );
    }
    if let Some(pi) = event.payment_intent_id() {
        if let Some(found) = read_booking(tx, BookingKey::PaymentIntent(pi), Some(pi)).await? {
            return Ok(Ok(found));
        }
        // An earlier event may have tied this payment to a booking without storing it there
        // (a session that succeeded after its booking was already settled, say).
        let seen: Option<i64> = sqlx::query_scalar(
            "SELECT booking_id FROM stripe_events
             WHERE payment_intent_id = $1 AND booking_id IS NOT NULL
             ORDER BY received_at LIMIT 1",
        )
        .bind(pi.to_owned())
        .fetch_optional(&mut **tx)
        .await?;
        if let Some(id) = seen {
            if let Some(found) =
                read_booking(tx, BookingKey::Id(id), event.payment_intent_id()).await?
            {
                return Ok(Ok(found));
            }
        }
    }
    if let Some(session) = event.checkout_session_id() {
        if let Some(found) = read_booking(
            tx,
            BookingKey::CheckoutSession(session),
            event.payment_intent_id(),
        )
        .await?
        {
            return Ok(Ok(found));
        }
    }
    Ok(Err(
        "missing bookingId (and no booking holds its payment)".to_owned()
    ))
}

async fn write_log(
    tx: &mut Transaction<'static, Any>,
    booking_id: Option<i64>,
    event: &StripeEvent,
    summary: &str,
    level: &str,
    message: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO payment_logs
            (booking_id, stripe_event, error_message, created_at, event_id, event_type, level)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(booking_id)
    .bind(summary)
    .bind(message)
    .bind(now)
    .bind(&event.id)
    .bind(&event.event_type)
    .bind(level)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The payment_logs row a decision writes, if any: (level, message).
fn log_line(
    event: &StripeEvent,
    signal: PaymentSignal,
    booking: &BookingPayment,
    decision: Decision,
) -> Option<(&'static str, String)> {
    let currency = event
        .object
        .currency
        .clone()
        .unwrap_or_else(|| booking.currency.clone());
    let money = |amount: i64| Money::new(amount, currency.clone()).to_string();
    match decision {
        Decision::Transition {
            to: PaymentStatus::Paid,
        } => None,
        Decision::Transition {
            to: PaymentStatus::Failed,
        } => Some((
            "error",
            event
                .object
                .failure_message
                .clone()
                .unwrap_or_else(|| "the payment failed".to_owned()),
        )),
        Decision::Transition {
            to: PaymentStatus::Refunded,
        } => Some((
            "info",
            match signal {
                PaymentSignal::ChargeRefunded {
                    amount_refunded, ..
                } => format!("refunded in full ({})", money(amount_refunded)),
                _ => "refunded in full".to_owned(),
            },
        )),
        Decision::Transition {
            to: PaymentStatus::Unpaid,
        } => None,
        Decision::AwaitingPayment => Some((
            "info",
            "checkout completed with a delayed payment method; awaiting payment".to_owned(),
        )),
        Decision::SessionExpired => Some((
            "info",
            if event.checkout_session_id().is_some()
                && event.checkout_session_id() == booking.checkout_session_id.as_deref()
            {
                "checkout session expired unpaid; cleared from the booking".to_owned()
            } else {
                "an earlier checkout session expired unpaid".to_owned()
            },
        )),
        Decision::PartialRefund { amount_refunded } => Some((
            "info",
            format!("partly refunded ({} so far)", money(amount_refunded)),
        )),
        Decision::Refused { why } => Some((
            // Being told again what is already so (reconciliation got there first) is no issue.
            if why == Refusal::AlreadyInStatus {
                "info"
            } else {
                "warning"
            },
            format!(
                "{} refused: {} (booking is {})",
                event.event_type,
                why.message(),
                booking.payment_status
            ),
        )),
    }
}

/// Carries out `decision`: one UPDATE, conditional on the status the decision was taken from,
/// for the status, the Stripe ids of a settling session and the refunded amount; another only
/// for an expiry. False when the status changed meanwhile (the caller decides again).
async fn apply_decision(
    tx: &mut Transaction<'static, Any>,
    event: &StripeEvent,
    signal: PaymentSignal,
    booking: &BookingPayment,
    decision: Decision,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let to = status_after(booking.payment_status, decision);
    // A completed session that moved the booking (or awaits its bank) is the booking's payment.
    let settles = matches!(signal, PaymentSignal::CheckoutCompleted { .. })
        && matches!(
            decision,
            Decision::Transition { .. } | Decision::AwaitingPayment
        );
    // The refunded amount is Stripe's fact about the charge, whatever the status decision:
    // recording it even when a refund overtakes its payment keeps the final state
    // independent of delivery order.
    let refunded = match signal {
        PaymentSignal::ChargeRefunded {
            amount_refunded, ..
        } => Some(amount_refunded),
        _ => None,
    };
    if to != booking.payment_status || settles || refunded.is_some() {
        let session = settles.then(|| event.checkout_session_id()).flatten();
        let intent = (settles || refunded.is_some())
            .then(|| event.payment_intent_id())
            .flatten();
        let amount_paid = (settles && to == PaymentStatus::Paid)
            .then_some(event.object.amount)
            .flatten();
        let changed = sqlx::query(
            "UPDATE bookings
             SET payment_status = $1, updated_at = $2,
                 paid_at = CASE WHEN $1 = 'paid' AND paid_at IS NULL THEN $2 ELSE paid_at END,
                 stripe_checkout_session_id = COALESCE($3, stripe_checkout_session_id),
                 stripe_payment_intent_id = COALESCE(stripe_payment_intent_id, $4),
                 amount_paid = COALESCE($5, amount_paid),
                 amount_refunded = CASE WHEN $6 > amount_refunded THEN $6 ELSE amount_refunded END
             WHERE id = $7 AND payment_status = $8",
        )
        .bind(to.as_str())
        .bind(now)
        .bind(session.map(str::to_owned))
        .bind(intent.map(str::to_owned))
        .bind(amount_paid)
        .bind(refunded.unwrap_or(0))
        .bind(booking.id)
        .bind(booking.payment_status.as_str())
        .execute(&mut **tx)
        .await?
        .rows_affected();
        if changed == 0 {
            return Ok(false);
        }
    }

    if decision == Decision::SessionExpired {
        if let Some(session) = event.checkout_session_id() {
            // Only the session the booking still holds is cleared: a newer one stays.
            sqlx::query(
                "UPDATE bookings
                 SET stripe_checkout_session_id = NULL, stripe_checkout_url = NULL,
                     stripe_checkout_expires_at = NULL, updated_at = $1
                 WHERE id = $2 AND stripe_checkout_session_id = $3 AND payment_status = $4",
            )
            .bind(now)
            .bind(booking.id)
            .bind(session.to_owned())
            .bind(booking.payment_status.as_str())
            .execute(&mut **tx)
            .await?;
        }
    }
    Ok(true)
}

/// Inserts the event's ledger row with its outcome; false when the event id is already there
/// (a redelivery: nothing has been written for it, and nothing will be).
async fn record_in_ledger(
    tx: &mut Transaction<'static, Any>,
    event: &StripeEvent,
    source: EventSource,
    summary: &str,
    applied: &Applied,
    parked: bool,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let inserted = sqlx::query(
        "INSERT INTO stripe_events
            (id, event_type, source, booking_id, outcome, summary, stripe_created, received_at,
             payment_intent_id, parked)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
         ON CONFLICT (id) DO NOTHING",
    )
    .bind(&event.id)
    .bind(&event.event_type)
    .bind(source.as_str())
    .bind(applied.booking_id())
    .bind(applied.outcome())
    .bind(summary)
    .bind(event.created)
    .bind(now)
    .bind(event.payment_intent_id().map(str::to_owned))
    .bind(i64::from(parked))
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(inserted == 1)
}

/// How often a decision is taken again when another writer changes the booking meanwhile.
const DECISION_ATTEMPTS: usize = 4;

/// Decides `signal` for `booking` and applies it, deciding again if another writer changes
/// the booking meanwhile. The event's ledger row goes in with the first decision (a
/// redelivery stops there, having written nothing); a later decision corrects its outcome.
async fn decide_and_apply(
    tx: &mut Transaction<'static, Any>,
    event: &StripeEvent,
    source: EventSource,
    summary: &str,
    signal: PaymentSignal,
    mut booking: BookingPayment,
    now: i64,
) -> Result<Applied, sqlx::Error> {
    for attempt in 0..DECISION_ATTEMPTS {
        let decision = decide(signal, booking.payment_status);
        let applied = Applied::Decided {
            booking_id: booking.id,
            from: booking.payment_status,
            decision,
        };
        if attempt == 0 {
            if !record_in_ledger(tx, event, source, summary, &applied, false, now).await? {
                return Ok(Applied::Duplicate);
            }
        } else {
            sqlx::query("UPDATE stripe_events SET outcome = $1 WHERE id = $2")
                .bind(applied.outcome())
                .bind(&event.id)
                .execute(&mut **tx)
                .await?;
        }
        if !apply_decision(tx, event, signal, &booking, decision, now).await? {
            // Another writer changed the status after our read: read again, decide again.
            booking = read_booking(tx, BookingKey::Id(booking.id), event.payment_intent_id())
                .await?
                .ok_or_else(|| sqlx::Error::RowNotFound)?;
            continue;
        }
        if let Some((level, message)) = log_line(event, signal, &booking, decision) {
            write_log(tx, Some(booking.id), event, summary, level, &message, now).await?;
        }
        if let (Some(pi), true) = (event.payment_intent_id(), booking.has_parked) {
            booking.payment_status = status_after(booking.payment_status, decision);
            release_parked(tx, &mut booking, pi, now).await?;
        }
        return Ok(applied);
    }
    Err(sqlx::Error::Protocol(format!(
        "booking {} kept changing under the payment decision",
        booking.id
    )))
}

/// Applies the events parked for `payment_intent` (delivered before any booking held that
/// payment) to the booking that now holds it, in the order they arrived.
async fn release_parked(
    tx: &mut Transaction<'static, Any>,
    booking: &mut BookingPayment,
    payment_intent: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    let parked: Vec<(String, String)> = sqlx::query_as(
        "SELECT id, summary FROM stripe_events
         WHERE parked = 1 AND payment_intent_id = $1
         ORDER BY received_at, id",
    )
    .bind(payment_intent.to_owned())
    .fetch_all(&mut **tx)
    .await?;
    for (id, summary) in parked {
        let Ok(event) = serde_json::from_str::<StripeEvent>(&summary) else {
            continue;
        };
        let Interpretation::Signal(signal) = event.interpret() else {
            continue;
        };
        let decision = decide(signal, booking.payment_status);
        // The booking was just written under this transaction: no other writer can change it.
        if !apply_decision(tx, &event, signal, booking, decision, now).await? {
            continue;
        }
        if let Some((level, message)) = log_line(&event, signal, booking, decision) {
            write_log(tx, Some(booking.id), &event, &summary, level, &message, now).await?;
        }
        let applied = Applied::Decided {
            booking_id: booking.id,
            from: booking.payment_status,
            decision,
        };
        sqlx::query(
            "UPDATE stripe_events SET booking_id = $1, outcome = $2, parked = 0 WHERE id = $3",
        )
        .bind(booking.id)
        .bind(format!("{} (held, then applied)", applied.outcome()))
        .bind(id)
        .execute(&mut **tx)
        .await?;
        booking.payment_status = status_after(booking.payment_status, decision);
    }
    Ok(())
}

/// Applies one event inside `tx`: nothing is written when its id is already in the ledger.
/// Returns what was done; an `Err` means the transaction must not be committed.
pub async fn apply_in(
    tx: &mut Transaction<'static, Any>,
    event: &StripeEvent,
    source: EventSource,
    now: i64,
) -> Result<Applied, sqlx::Error> {
    let summary = event.summary();
    match event.interpret() {
        Interpretation::Ignored => {
            let applied = Applied::Ignored;
            if !record_in_ledger(tx, event, source, &summary, &applied, false, now).await? {
                return Ok(Applied::Duplicate);
            }
            Ok(applied)
        }
        Interpretation::Unusable(reason) => {
            let applied = Applied::Unusable {
                reason: reason.to_owned(),
            };
            if !record_in_ledger(tx, event, source, &summary, &applied, false, now).await? {
                return Ok(Applied::Duplicate);
            }
            write_log(tx, None, event, &summary, "error", reason, now).await?;
            Ok(applied)
        }
        Interpretation::Signal(signal) => match find_booking(tx, event).await? {
            Err(reason) => {
                // A payment no booking holds yet may be claimed by a session still on its way.
                let parked = event.named_booking().is_none() && event.payment_intent_id().is_some();
                let applied = Applied::NoBooking {
                    reason: reason.clone(),
                };
                if !record_in_ledger(tx, event, source, &summary, &applied, parked, now).await? {
                    return Ok(Applied::Duplicate);
                }
                let (level, message) = if parked {
                    (
                        "warning",
                        format!("{reason}; held until a booking claims this payment"),
                    )
                } else {
                    ("error", reason)
                };
                write_log(tx, None, event, &summary, level, &message, now).await?;
                Ok(applied)
            }
            Ok(booking) => {
                decide_and_apply(tx, event, source, &summary, signal, booking, now).await
            }
        },
    }
}

/// Applies one Stripe event exactly once, in a transaction of its own: a second call with the
/// same event id changes nothing. An `Err` means nothing was stored (the caller answers so
/// that Stripe delivers it again).
pub async fn apply_event(
    db: &Db,
    hub: &LiveHub,
    event: &StripeEvent,
    source: EventSource,
) -> Result<Applied, sqlx::Error> {
    let mut tx = db.writer().begin().await?;
    let applied = apply_in(&mut tx, event, source, now_ms()).await?;
    if applied == Applied::Duplicate {
        tx.rollback().await?;
        return Ok(applied);
    }
    let changed: Vec<i64> = applied.booking_id().into_iter().collect();
    commit_and_announce(tx, db, hub, &changed).await?;
    Ok(applied)
}
