//! Applying a Stripe event to a booking: ledger insert, the domain decision, the conditional
//! UPDATE and the payment_logs rows, in one transaction. The only writer of `payment_status`.

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

struct LockedBooking {
    id: i64,
    payment_status: PaymentStatus,
    checkout_session_id: Option<String>,
    currency: String,
}

/// How an event points at a booking.
enum BookingKey<'a> {
    Id(i64),
    PaymentIntent(&'a str),
    CheckoutSession(&'a str),
}

/// Reads the booking and, on PostgreSQL, locks its row until the transaction ends (a no-op
/// UPDATE is the one way to lock a row that both databases accept).
async fn lock_booking(
    tx: &mut Transaction<'static, Any>,
    key: BookingKey<'_>,
) -> Result<Option<LockedBooking>, sqlx::Error> {
    let query = match key {
        BookingKey::Id(id) => sqlx::query(
            "UPDATE bookings SET updated_at = updated_at WHERE id = $1
             RETURNING id, payment_status, stripe_checkout_session_id, currency",
        )
        .bind(id),
        BookingKey::PaymentIntent(pi) => sqlx::query(
            "UPDATE bookings SET updated_at = updated_at WHERE stripe_payment_intent_id = $1
             RETURNING id, payment_status, stripe_checkout_session_id, currency",
        )
        .bind(pi.to_owned()),
        BookingKey::CheckoutSession(session) => sqlx::query(
            "UPDATE bookings SET updated_at = updated_at WHERE stripe_checkout_session_id = $1
             RETURNING id, payment_status, stripe_checkout_session_id, currency",
        )
        .bind(session.to_owned()),
    };
    let Some(row) = query.fetch_optional(&mut **tx).await? else {
        return Ok(None);
    };
    let status: String = row.try_get("payment_status")?;
    Ok(Some(LockedBooking {
        id: row.try_get("id")?,
        payment_status: status
            .parse()
            .map_err(|e| sqlx::Error::Decode(Box::new(e)))?,
        checkout_session_id: row.try_get("stripe_checkout_session_id")?,
        currency: row.try_get("currency")?,
    }))
}

/// Finds the booking an event is about: its bookingId, else the PaymentIntent or Checkout
/// Session stored on a booking.
async fn find_booking(
    tx: &mut Transaction<'static, Any>,
    event: &StripeEvent,
) -> Result<Result<LockedBooking, String>, sqlx::Error> {
    if let Some(named) = event.named_booking() {
        let Ok(id) = named.parse::<i64>() else {
            return Ok(Err(format!("bookingId {named:?} is not a booking id")));
        };
        return Ok(lock_booking(tx, BookingKey::Id(id))
            .await?
            .ok_or_else(|| format!("unknown bookingId {id}")));
    }
    if let Some(pi) = event.payment_intent_id() {
        if let Some(found) = lock_booking(tx, BookingKey::PaymentIntent(pi)).await? {
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
            if let Some(found) = lock_booking(tx, BookingKey::Id(id)).await? {
                return Ok(Ok(found));
            }
        }
    }
    if let Some(session) = event.checkout_session_id() {
        if let Some(found) = lock_booking(tx, BookingKey::CheckoutSession(session)).await? {
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
    booking: &LockedBooking,
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

/// Carries out `decision` on the locked booking: one conditional UPDATE for the status, the
/// Stripe ids of a settling session and the refunded amount; another only for an expiry.
async fn apply_decision(
    tx: &mut Transaction<'static, Any>,
    event: &StripeEvent,
    signal: PaymentSignal,
    booking: &LockedBooking,
    decision: Decision,
    now: i64,
) -> Result<(), sqlx::Error> {
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
        if changed != 1 {
            // The row is locked, so this cannot happen unless the lock failed: refuse to go on.
            return Err(sqlx::Error::Protocol(format!(
                "booking {} left {} under a lock",
                booking.id, booking.payment_status
            )));
        }
    }

    if decision == Decision::SessionExpired {
        if let Some(session) = event.checkout_session_id() {
            // Only the session the booking still holds is cleared: a newer one stays.
            sqlx::query(
                "UPDATE bookings
                 SET stripe_checkout_session_id = NULL, stripe_checkout_url = NULL,
                     stripe_checkout_expires_at = NULL, updated_at = $1
                 WHERE id = $2 AND stripe_checkout_session_id = $3",
            )
            .bind(now)
            .bind(booking.id)
            .bind(session.to_owned())
            .execute(&mut **tx)
            .await?;
        }
    }
    Ok(())
}

/// Decides and applies `signal` for the locked booking, with its log row; returns the decision.
async fn settle(
    tx: &mut Transaction<'static, Any>,
    event: &StripeEvent,
    summary: &str,
    signal: PaymentSignal,
    booking: &LockedBooking,
    now: i64,
) -> Result<Decision, sqlx::Error> {
    let decision = decide(signal, booking.payment_status);
    apply_decision(tx, event, signal, booking, decision, now).await?;
    if let Some((level, message)) = log_line(event, signal, booking, decision) {
        write_log(tx, Some(booking.id), event, summary, level, &message, now).await?;
    }
    Ok(decision)
}

/// Applies the events parked for `payment_intent` (delivered before any booking held that
/// payment) to the booking that now holds it, in the order they arrived.
async fn release_parked(
    tx: &mut Transaction<'static, Any>,
    booking: &mut LockedBooking,
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
        let decision = settle(tx, &event, &summary, signal, booking, now).await?;
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

/// Inserts the event's ledger row with its outcome; false when the event id is already there
/// (a redelivery: the caller rolls back and changes nothing).
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

/// Applies one Stripe event exactly once: a second call with the same event id changes nothing.
/// An `Err` means nothing was stored (the caller answers so that Stripe delivers it again).
///
/// The booking is locked and the decision taken first; then the ledger row goes in (its
/// primary key refuses a redelivery, which rolls everything back) and the decision is applied.
pub async fn apply_event(
    db: &Db,
    hub: &LiveHub,
    event: &StripeEvent,
    source: EventSource,
) -> Result<Applied, sqlx::Error> {
    let now = now_ms();
    let summary = event.summary();
    let mut tx = db.writer().begin().await?;

    let duplicate = |tx: Transaction<'static, Any>| async move {
        tx.rollback().await?;
        Ok::<_, sqlx::Error>(Applied::Duplicate)
    };
    let applied = match event.interpret() {
        Interpretation::Ignored => {
            let applied = Applied::Ignored;
            if !record_in_ledger(&mut tx, event, source, &summary, &applied, false, now).await? {
                return duplicate(tx).await;
            }
            applied
        }
        Interpretation::Unusable(reason) => {
            let applied = Applied::Unusable {
                reason: reason.to_owned(),
            };
            if !record_in_ledger(&mut tx, event, source, &summary, &applied, false, now).await? {
                return duplicate(tx).await;
            }
            write_log(&mut tx, None, event, &summary, "error", reason, now).await?;
            applied
        }
        Interpretation::Signal(signal) => match find_booking(&mut tx, event).await? {
            Err(reason) => {
                // A payment no booking holds yet may be claimed by a session still on its way.
                let parked = event.named_booking().is_none() && event.payment_intent_id().is_some();
                let applied = Applied::NoBooking {
                    reason: reason.clone(),
                };
                if !record_in_ledger(&mut tx, event, source, &summary, &applied, parked, now)
                    .await?
                {
                    return duplicate(tx).await;
                }
                let (level, message) = if parked {
                    (
                        "warning",
                        format!("{reason}; held until a booking claims this payment"),
                    )
                } else {
                    ("error", reason)
                };
                write_log(&mut tx, None, event, &summary, level, &message, now).await?;
                applied
            }
            Ok(mut booking) => {
                let decision = decide(signal, booking.payment_status);
                let applied = Applied::Decided {
                    booking_id: booking.id,
                    from: booking.payment_status,
                    decision,
                };
                if !record_in_ledger(&mut tx, event, source, &summary, &applied, false, now).await?
                {
                    return duplicate(tx).await;
                }
                apply_decision(&mut tx, event, signal, &booking, decision, now).await?;
                if let Some((level, message)) = log_line(event, signal, &booking, decision) {
                    write_log(
                        &mut tx,
                        Some(booking.id),
                        event,
                        &summary,
                        level,
                        &message,
                        now,
                    )
                    .await?;
                }
                if let Some(pi) = event.payment_intent_id() {
                    booking.payment_status = status_after(booking.payment_status, decision);
                    release_parked(&mut tx, &mut booking, pi, now).await?;
                }
                applied
            }
        },
    };

    let changed: Vec<i64> = applied.booking_id().into_iter().collect();
    commit_and_announce(tx, db, hub, &changed).await?;
    Ok(applied)
}
