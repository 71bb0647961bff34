//! Applying a Stripe event to a booking: the one use case that changes `payment_status`. It
//! finds the booking, takes the decision (`domain::decide`), writes the ledger row, the change
//! and the log line inside the caller's transaction, and decides again when another writer
//! changed the booking meanwhile. `payment_writer` batches deliveries into transactions;
//! reconciliation calls `apply_event`, one event per transaction.

use super::mail;
use crate::db::ledger::{self, LedgerEntry};
use crate::db::payments::{self, BookingKey, PaymentState};
use crate::db::{is_unavailable, now_ms, payment_logs, refunds, Db, Tx};
use domain::mail::{MailFacts, MailKind};
use domain::outcome::{decision_log, DecidedFor};
use domain::payment_check::{self, Expected};
use domain::{
    decide, status_after, Applied, Decision, EventSource, Interpretation, LogLine, PaymentChange,
    PaymentSignal, PaymentStatus, StripeEvent, StripeMode,
};

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

/// How often a decision is taken again when another writer changes the booking meanwhile.
const DECISION_ATTEMPTS: usize = 4;

/// Finds the booking an event is about: its `metadata.bookingId`; else the booking its
/// `client_reference_id` names, if that booking holds this very session; else the booking
/// whose PaymentIntent or Checkout Session it is (stored on it, or tied to it by the ledger).
/// `Err` says why none.
async fn find_booking(
    tx: &mut Tx,
    event: &StripeEvent,
) -> Result<Result<PaymentState, String>, sqlx::Error> {
    let intent = event.payment_intent_id();
    if let Some(named) = event.named_booking() {
        let Ok(id) = named.parse::<i64>() else {
            return Ok(Err(format!("bookingId {named:?} is not a booking id")));
        };
        return Ok(payments::read(tx, BookingKey::Id(id), intent)
            .await?
            .ok_or_else(|| format!("unknown bookingId {id}")));
    }
    if let (Some(reference), Some(session)) =
        (event.client_reference(), event.checkout_session_id())
    {
        if let Ok(id) = reference.parse::<i64>() {
            if let Some(found) = payments::read(tx, BookingKey::Id(id), intent).await? {
                if found.checkout_session_id.as_deref() == Some(session) {
                    return Ok(Ok(found));
                }
            }
        }
    }
    if let Some(pi) = intent {
        if let Some(found) = payments::read(tx, BookingKey::PaymentIntent(pi), intent).await? {
            return Ok(Ok(found));
        }
        // An earlier event may have tied this payment to a booking without storing it there
        // (a session that succeeded after its booking was already settled, say).
        if let Some(id) = ledger::booking_of_payment_intent(tx, pi).await? {
            if let Some(found) = payments::read(tx, BookingKey::Id(id), intent).await? {
                return Ok(Ok(found));
            }
        }
    }
    if let Some(session) = event.checkout_session_id() {
        if let Some(found) =
            payments::read(tx, BookingKey::CheckoutSession(session), intent).await?
        {
            return Ok(Ok(found));
        }
    }
    Ok(Err(match event.client_reference() {
        Some(reference) => format!(
            "client_reference_id {reference:?} without a bookingId, and no booking holds this session or its payment"
        ),
        None => "missing bookingId (and no booking holds its payment)".to_owned(),
    }))
}

/// Queues the mail a decision tells the parent of, in its transaction: the receipt of a
/// payment, a failure with a way to try again, a refund.
async fn mail_for(
    tx: &mut Tx,
    booking: &PaymentState,
    event: &StripeEvent,
    signal: PaymentSignal,
    decision: Decision,
    now: i64,
) -> Result<(), sqlx::Error> {
    let money = |amount: Option<i64>| MailFacts {
        amount,
        currency: Some(
            event
                .object
                .currency
                .clone()
                .unwrap_or_else(|| booking.currency.clone()),
        ),
        payment_id: event.payment_intent_id().map(str::to_owned),
        at: Some(now),
        ..MailFacts::default()
    };
    let refunded = match signal {
        PaymentSignal::ChargeRefunded {
            amount_refunded, ..
        } => Some(amount_refunded),
        _ => None,
    };
    let (kind, occurrence, facts) = match decision {
        Decision::Transition {
            to: PaymentStatus::Paid,
        } => (MailKind::PaymentReceived, None, money(event.object.amount)),
        Decision::Transition {
            to: PaymentStatus::Failed,
        } => (
            MailKind::PaymentFailed,
            Some(event.id.clone()),
            MailFacts {
                message: event.object.failure_message.clone(),
                ..MailFacts::default()
            },
        ),
        Decision::Transition {
            to: PaymentStatus::Refunded,
        } => (MailKind::RefundCompleted, None, money(refunded)),
        Decision::PartialRefund { amount_refunded } => (
            MailKind::RefundCompleted,
            Some(amount_refunded.to_string()),
            money(Some(amount_refunded)),
        ),
        _ => return Ok(()),
    };
    mail::queue(
        tx,
        kind,
        booking.id,
        &booking.parent_email,
        occurrence.as_deref(),
        &facts,
        now,
    )
    .await?;
    Ok(())
}

/// News of a refund: the refund we asked for (found by Stripe's id) takes its new status; a
/// failed one shows on the payment-issues view. A refund we did not ask for is ignored here
/// (its `charge.refunded` is what moves the booking).
async fn refund_update(
    tx: &mut Tx,
    event: &StripeEvent,
    source: EventSource,
    summary: &str,
    now: i64,
) -> Result<Applied, ApplyError> {
    let refund_id = event.object.id.clone().unwrap_or_default();
    let status = match event.object.status.as_deref() {
        Some("succeeded") => "succeeded",
        Some("failed" | "canceled") => "failed",
        _ => "pending",
    };
    let failure = event.object.failure_message.as_deref();
    let Some((_, booking_id)) =
        refunds::update_from_stripe(tx, &refund_id, status, failure, now).await?
    else {
        return record_only(tx, event, source, summary, Applied::Ignored, None, now).await;
    };
    let applied = Applied::RefundUpdated {
        booking_id,
        refund_id,
        status: status.to_owned(),
    };
    let log = (status == "failed").then(|| {
        (
            LogLine::error(&format!(
                "refund failed: {}",
                failure.unwrap_or("Stripe gave no reason")
            )),
            false,
        )
    });
    record_only(tx, event, source, summary, applied, log, now).await
}

/// What the booking expects of the payment that settles it.
fn expected(booking: &PaymentState) -> Expected<'_> {
    Expected {
        amount: booking.amount,
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

/// Records an event that changes no booking (against the booking it names, if any);
/// `Duplicate` when the ledger already has it.
async fn record_only(
    tx: &mut Tx,
    event: &StripeEvent,
    source: EventSource,
    summary: &str,
    applied: Applied,
    log: Option<(LogLine, bool)>,
    now: i64,
) -> Result<Applied, ApplyError> {
    let parked = log.as_ref().is_some_and(|(_, parked)| *parked);
    let booking_id = applied.booking_id();
    let entry = LedgerEntry {
        event,
        source,
        summary,
        booking_id,
        outcome: &applied.outcome(),
        parked,
    };
    if !ledger::record(tx, entry, now).await? {
        return Ok(Applied::Duplicate);
    }
    if let Some((line, _)) = log {
        payment_logs::write(tx, booking_id, event, summary, &line, now).await?;
    }
    Ok(applied)
}

/// Decides `signal` for `booking` and applies it, deciding again if another writer changes
/// the booking meanwhile. The event's ledger row goes in with the first decision (a
/// redelivery stops there, having written nothing); a later decision corrects its outcome.
async fn decide_and_apply(
    tx: &mut Tx,
    event: &StripeEvent,
    source: EventSource,
    summary: &str,
    signal: PaymentSignal,
    mut booking: PaymentState,
    mode: StripeMode,
    now: i64,
) -> Result<Applied, ApplyError> {
    if let Err(mismatch) = payment_check::check(event, signal, expected(&booking), mode) {
        let reason = mismatch.to_string();
        let log = (LogLine::error(&reason), false);
        let applied = Applied::Mismatched {
            booking_id: booking.id,
            reason,
        };
        return record_only(tx, event, source, summary, applied, Some(log), now).await;
    }
    for attempt in 0..DECISION_ATTEMPTS {
        let decision = decide(signal, booking.payment_status);
        let applied = Applied::Decided {
            booking_id: booking.id,
            from: booking.payment_status,
            decision,
        };
        let outcome = applied.outcome();
        if attempt == 0 {
            let entry = LedgerEntry {
                event,
                source,
                summary,
                booking_id: Some(booking.id),
                outcome: &outcome,
                parked: false,
            };
            if !ledger::record(tx, entry, now).await? {
                return Ok(Applied::Duplicate);
            }
        } else {
            ledger::set_outcome(tx, &event.id, &outcome).await?;
        }
        let change = PaymentChange::of(event, signal, booking.payment_status, decision);
        if !payments::apply(tx, booking.id, &change, now).await? {
            // Another writer changed the status after our read: read again, decide again.
            booking = payments::read(tx, BookingKey::Id(booking.id), event.payment_intent_id())
                .await?
                .ok_or(sqlx::Error::RowNotFound)?;
            continue;
        }
        if let Some(line) = decision_log(event, signal, seen(&booking), decision) {
            payment_logs::write(tx, Some(booking.id), event, summary, &line, now).await?;
        }
        mail_for(tx, &booking, event, signal, decision, now).await?;
        if let (Some(pi), true) = (event.payment_intent_id(), booking.has_parked()) {
            booking.payment_status = status_after(booking.payment_status, decision);
            release_parked(tx, &mut booking, pi, mode, now).await?;
        }
        return Ok(applied);
    }
    Err(ApplyError::Contention {
        booking_id: booking.id,
    })
}

/// Applies the events parked for `payment_intent` (delivered before any booking held that
/// payment) to the booking that now holds it, in the order they arrived.
async fn release_parked(
    tx: &mut Tx,
    booking: &mut PaymentState,
    payment_intent: &str,
    mode: StripeMode,
    now: i64,
) -> Result<(), sqlx::Error> {
    for parked in ledger::parked(tx, payment_intent).await? {
        let Ok(event) = serde_json::from_str::<StripeEvent>(&parked.summary) else {
            continue;
        };
        let Interpretation::Signal(signal) = event.interpret() else {
            continue;
        };
        if let Err(mismatch) = payment_check::check(&event, signal, expected(booking), mode) {
            let reason = mismatch.to_string();
            let line = LogLine::error(&reason);
            payment_logs::write(tx, Some(booking.id), &event, &parked.summary, &line, now).await?;
            let applied = Applied::Mismatched {
                booking_id: booking.id,
                reason,
            };
            ledger::unpark(tx, &parked.id, booking.id, &applied.outcome_after_parking()).await?;
            continue;
        }
        let decision = decide(signal, booking.payment_status);
        let change = PaymentChange::of(&event, signal, booking.payment_status, decision);
        // The booking was just written under this transaction: no other writer can change it.
        if !payments::apply(tx, booking.id, &change, now).await? {
            continue;
        }
        if let Some(line) = decision_log(&event, signal, seen(booking), decision) {
            payment_logs::write(tx, Some(booking.id), &event, &parked.summary, &line, now).await?;
        }
        mail_for(tx, booking, &event, signal, decision, now).await?;
        let applied = Applied::Decided {
            booking_id: booking.id,
            from: booking.payment_status,
            decision,
        };
        ledger::unpark(tx, &parked.id, booking.id, &applied.outcome_after_parking()).await?;
        booking.payment_status = status_after(booking.payment_status, decision);
    }
    Ok(())
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
            record_only(tx, event, source, &summary, Applied::Ignored, None, now).await
        }
        Interpretation::RefundUpdate => refund_update(tx, event, source, &summary, now).await,
        Interpretation::Unusable(reason) => {
            let applied = Applied::Unusable {
                reason: reason.to_owned(),
            };
            let log = (LogLine::unusable(reason), false);
            record_only(tx, event, source, &summary, applied, Some(log), now).await
        }
        Interpretation::Signal(signal) => match find_booking(tx, event).await? {
            Err(reason) => {
                // A payment no booking holds yet may be claimed by a session still on its way.
                let parked = event.named_booking().is_none() && event.payment_intent_id().is_some();
                let log = (LogLine::no_booking(&reason, parked), parked);
                let applied = Applied::NoBooking { reason };
                record_only(tx, event, source, &summary, applied, Some(log), now).await
            }
            Ok(booking) => {
                decide_and_apply(tx, event, source, &summary, signal, booking, mode, now).await
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
    let applied = apply_in(&mut tx, event, source, mode, now_ms()).await?;
    if applied == Applied::Duplicate {
        tx.rollback().await?;
        return Ok(applied);
    }
    let changed: Vec<i64> = applied.booking_id().into_iter().collect();
    db.commit(tx, &changed).await?;
    Ok(applied)
}
