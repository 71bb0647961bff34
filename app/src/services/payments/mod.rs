//! Applying a Stripe event to a booking: the one use case that changes `payment_status`. It
//! finds the booking, takes the decision (`domain::decide`), writes the ledger row, the change
//! and the log line inside the caller's transaction, and decides again when another writer
//! changed the booking meanwhile. `payment_writer` batches deliveries into transactions;
//! reconciliation calls `apply_event`, one event per transaction.
//!
//! Two ways, one decision: [`apply_in`] takes one event at a time (`one_at_a_time`), and
//! [`apply_all_in`] takes the common case of a batch, payment events naming their booking, as a
//! set with a constant number of statements (`batch`), handing the rest to [`apply_in`].

mod batch;
mod one_at_a_time;

use crate::db::payments::PaymentState;
use crate::db::{is_unavailable, now_ms, Db, Tx};
use domain::mail::{BookingMail, PaymentFacts};
use domain::outcome::DecidedFor;
use domain::payment_check::Expected;
use domain::{
    Applied, AttendanceStatus, Decision, EventSource, Interpretation, LogLine, PaymentSignal,
    PaymentStatus, StripeEvent, StripeMode,
};
use one_at_a_time::{Lookup, Note};

/// Why an event could not be applied; nothing of its transaction may be committed.
#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    /// Other writers kept changing the booking between our read and our write: the event is
    /// fine and so is the database; applying it again will do.
    #[error("booking {booking_id} kept changing under the payment decision")]
    Contention { booking_id: i64 },
}

impl ApplyError {
    /// The database could not be reached (rather than refusing a statement).
    pub fn is_unavailable(&self) -> bool {
        matches!(self, Self::Database(error) if is_unavailable(error))
    }
}

/// The mail a decision tells the parent of: the receipt of a payment, a failure with a way to
/// try again, a refund; what tells repeats apart, and its facts (which say its kind).
fn mail_of(
    booking: &PaymentState,
    event: &StripeEvent,
    signal: PaymentSignal,
    decision: Decision,
    now: i64,
) -> Option<(Option<String>, BookingMail)> {
    let money = |amount: Option<i64>| PaymentFacts {
        amount,
        currency: event
            .object
            .currency
            .clone()
            .unwrap_or_else(|| booking.currency.clone()),
        payment_id: event.payment_intent_id().map(str::to_owned),
        at: now,
    };
    let refunded = match signal {
        PaymentSignal::ChargeRefunded {
            amount_refunded, ..
        } => Some(amount_refunded),
        _ => None,
    };
    let (occurrence, facts) = match decision {
        // No place to confirm: the money goes back (see `one_at_a_time::return_late_payment`).
        Decision::Transition {
            to: PaymentStatus::Paid,
        } if arrives_late(booking, decision) => (
            None,
            BookingMail::LatePaymentReturned(money(event.object.amount)),
        ),
        Decision::Transition {
            to: PaymentStatus::Paid,
        } => (
            None,
            BookingMail::PaymentReceived(money(event.object.amount)),
        ),
        Decision::Transition {
            to: PaymentStatus::Failed,
        } => (
            Some(event.id.clone()),
            BookingMail::PaymentFailed {
                message: event.object.failure_message.clone(),
            },
        ),
        Decision::Transition {
            to: PaymentStatus::Refunded,
        } => (None, BookingMail::RefundCompleted(money(refunded))),
        Decision::PartialRefund { amount_refunded } => (
            Some(amount_refunded.to_string()),
            BookingMail::RefundCompleted(money(Some(amount_refunded))),
        ),
        _ => return None,
    };
    Some((occurrence, facts))
}

/// Whether a decision pays a booking that was already cancelled: the payment was on its way
/// (a bank debit clearing, a checkout left open) when the booking was cancelled, and is
/// returned in full.
fn arrives_late(booking: &PaymentState, decision: Decision) -> bool {
    booking.attendance_status == AttendanceStatus::Cancelled
        && decision
            == Decision::Transition {
                to: PaymentStatus::Paid,
            }
}

/// What the booking expects of the payment that settles it.
fn expected(booking: &PaymentState) -> Expected<'_> {
    Expected {
        // A family's children paid in one checkout: the payment is for all of them.
        amount: booking.group_amount,
        discounted: booking.group_discount,
        currency: &booking.currency,
        payment_intent_id: booking.payment_intent_id.as_deref(),
    }
}

/// The words the booking's log line uses, from the state the decision saw.
fn seen(booking: &PaymentState) -> DecidedFor<'_> {
    DecidedFor {
        payment_status: booking.payment_status,
        currency: &booking.currency,
        checkout_session_id: booking.checkout_session_id.as_deref(),
    }
}

/// Applies one event inside `tx`, in a deployment whose Stripe key is of `mode`: nothing is
/// written when its id is already in the ledger. Returns what was done; an `Err` means the
/// transaction must not be committed.
pub async fn apply_in(
    tx: &mut Tx,
    event: &StripeEvent,
    source: EventSource,
    mode: StripeMode,
    now: i64,
) -> Result<Applied, ApplyError> {
    let summary = event.summary();
    match event.interpret() {
        Interpretation::Ignored => {
            one_at_a_time::record_only(
                tx,
                event,
                source,
                &summary,
                Applied::Ignored,
                Note::None,
                now,
            )
            .await
        }
        Interpretation::RefundUpdate => {
            one_at_a_time::refund_update(tx, event, source, &summary, now).await
        }
        Interpretation::Unusable(reason) => {
            let applied = Applied::Unusable {
                reason: reason.to_owned(),
            };
            let note = Note::Line(LogLine::unusable(reason));
            one_at_a_time::record_only(tx, event, source, &summary, applied, note, now).await
        }
        Interpretation::Signal(signal) => match one_at_a_time::find_booking(tx, event).await? {
            Lookup::NotFound(why) => {
                let reason = why.to_string();
                let note = if why.waits_for_a_claim(event) {
                    Note::Parked(LogLine::no_booking(&reason, true))
                } else {
                    Note::Line(LogLine::no_booking(&reason, false))
                };
                let applied = Applied::NoBooking { reason };
                one_at_a_time::record_only(tx, event, source, &summary, applied, note, now).await
            }
            Lookup::Found(booking) => {
                one_at_a_time::decide_and_apply(
                    tx, event, source, &summary, signal, booking, mode, now,
                )
                .await
            }
        },
    }
}

/// Applies one Stripe event exactly once, in a transaction of its own: a second call with the
/// same event id changes nothing. An `Err` means nothing was stored (the caller answers so
/// that Stripe delivers it again).
pub async fn apply_event(
    db: &Db,
    event: &StripeEvent,
    source: EventSource,
    mode: StripeMode,
) -> Result<Applied, ApplyError> {
    let mut tx = db.begin().await?;
    let now = now_ms();
    let applied = apply_in(&mut tx, event, source, mode, now).await?;
    if applied == Applied::Duplicate {
        tx.rollback().await?;
        return Ok(applied);
    }
    let changed: Vec<i64> = applied.booking_id().into_iter().collect();
    crate::services::issues::settle_paid_failures(&mut tx, &changed, now).await?;
    db.commit(tx, &changed).await?;
    Ok(applied)
}

/// Applies a batch of events inside `tx`, as [`apply_in`] would one after the other, with a
/// constant number of statements for the common case: payment signals naming their booking,
/// one per booking in the batch. Their bookings are read in one statement (locked on
/// PostgreSQL when `lock`), decided in memory by the one `decide`, and written with one
/// statement per table. Anything else (an event naming no booking, a repeat for the same
/// booking, a payment mismatch, parked events, an expiry) goes one at a time through
/// `apply_in`. Results are in the order of `events`.
pub async fn apply_all_in(
    tx: &mut Tx,
    events: &[(&StripeEvent, EventSource)],
    lock: bool,
    mode: StripeMode,
    now: i64,
) -> Result<Vec<Applied>, ApplyError> {
    let applied = batch::apply_all(tx, events, lock, mode, now).await?;
    // A failed payment followed by a payment leaves nothing to do: its issue resolves itself.
    let touched: Vec<i64> = applied.iter().filter_map(Applied::booking_id).collect();
    crate::services::issues::settle_paid_failures(tx, &touched, now).await?;
    Ok(applied)
}
