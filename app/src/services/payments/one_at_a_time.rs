//! The one-at-a-time path: an event's booking is found by whatever the event names (its id, its
//! client reference, its payment intent or session, an earlier ledger row), read without a lock,
//! decided, and written with an `UPDATE` conditional on the status read; when another writer
//! changed the booking in between, the event is decided again from the new status. Every event
//! the set-based batch does not take goes this way, and so does reconciliation.

use super::{arrives_late, expected, mail_of, seen, ApplyError};
use crate::db::ledger::{self, LedgerEntry, Recorded};
use crate::db::payments::{self, BookingKey, DiscountShare, PaymentState, Written};
use crate::db::{bookings, payment_logs, refunds as refund_rows, Tx};
use crate::services::mail;
use crate::services::refunds::{self, RefundError};
use domain::outcome::decision_log;
use domain::payment_check;
use domain::RefundStatus;
use domain::{
    decide, status_after, Actor, Applied, Decision, EventSource, Interpretation, LogLine,
    PaymentChange, PaymentSignal, StripeEvent, StripeMode,
};
use std::fmt;

/// How often a decision is taken again when another writer changes the booking meanwhile.
const DECISION_ATTEMPTS: usize = 4;

/// Whom an event is about.
pub(super) enum Lookup {
    Found(PaymentState),
    NotFound(NoBooking),
}

/// Why no booking was found for an event; its words are the ledger's and the log's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum NoBooking {
    /// `metadata.bookingId` is not a number.
    NotAnId(String),
    /// `metadata.bookingId` names no booking.
    UnknownId(i64),
    /// A `client_reference_id` and no bookingId, and no booking holds this session or payment.
    UnclaimedReference(String),
    /// Neither a bookingId nor a client reference, and no booking holds its payment.
    Unnamed,
}

impl NoBooking {
    /// Whether the event waits (parked) for a booking to claim its payment: it named no
    /// booking, and a session still on its way may tie its payment intent to one.
    pub(super) fn waits_for_a_claim(&self, event: &StripeEvent) -> bool {
        matches!(self, Self::UnclaimedReference(_) | Self::Unnamed)
            && event.payment_intent_id().is_some()
    }
}

impl fmt::Display for NoBooking {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotAnId(named) => write!(f, "bookingId {named:?} is not a booking id"),
            Self::UnknownId(id) => write!(f, "unknown bookingId {id}"),
            Self::UnclaimedReference(reference) => write!(
                f,
                "client_reference_id {reference:?} without a bookingId, and no booking holds this session or its payment"
            ),
            Self::Unnamed => f.write_str("missing bookingId (and no booking holds its payment)"),
        }
    }
}

/// Finds the booking an event is about: its `metadata.bookingId`; else the booking its
/// `client_reference_id` names, if that booking holds this very session; else the booking
/// whose PaymentIntent or Checkout Session it is (stored on it, or tied to it by the ledger).
pub(super) async fn find_booking(tx: &mut Tx, event: &StripeEvent) -> Result<Lookup, sqlx::Error> {
    let intent = event.payment_intent_id();
    if let Some(named) = event.named_booking() {
        let Ok(id) = named.parse::<i64>() else {
            return Ok(Lookup::NotFound(NoBooking::NotAnId(named.to_owned())));
        };
        return Ok(
            match payments::read(tx, BookingKey::Id(id), intent).await? {
                Some(found) => Lookup::Found(found),
                None => Lookup::NotFound(NoBooking::UnknownId(id)),
            },
        );
    }
    if let (Some(reference), Some(session)) =
        (event.client_reference(), event.checkout_session_id())
    {
        if let Ok(id) = reference.parse::<i64>() {
            if let Some(found) = payments::read(tx, BookingKey::Id(id), intent).await? {
                if found.checkout_session_id.as_deref() == Some(session) {
                    return Ok(Lookup::Found(found));
                }
            }
        }
    }
    if let Some(pi) = intent {
        if let Some(found) = payments::read(tx, BookingKey::PaymentIntent(pi), intent).await? {
            return Ok(Lookup::Found(found));
        }
        // An earlier event may have tied this payment to a booking without storing it there
        // (a session that succeeded after its booking was already settled, say).
        if let Some(id) = ledger::booking_of_payment_intent(tx, pi).await? {
            if let Some(found) = payments::read(tx, BookingKey::Id(id), intent).await? {
                return Ok(Lookup::Found(found));
            }
        }
    }
    if let Some(session) = event.checkout_session_id() {
        if let Some(found) =
            payments::read(tx, BookingKey::CheckoutSession(session), intent).await?
        {
            return Ok(Lookup::Found(found));
        }
    }
    Ok(Lookup::NotFound(match event.client_reference() {
        Some(reference) => NoBooking::UnclaimedReference(reference.to_owned()),
        None => NoBooking::Unnamed,
    }))
}

/// Queues the mail of a decision (see [`mail_of`]) in its transaction.
async fn mail_for(
    tx: &mut Tx,
    booking: &PaymentState,
    event: &StripeEvent,
    signal: PaymentSignal,
    decision: Decision,
    now: i64,
) -> Result<(), sqlx::Error> {
    let Some((occurrence, facts)) = mail_of(booking, event, signal, decision, now) else {
        return Ok(());
    };
    mail::queue(
        tx,
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
pub(super) async fn refund_update(
    tx: &mut Tx,
    event: &StripeEvent,
    source: EventSource,
    summary: &str,
    now: i64,
) -> Result<Applied, ApplyError> {
    let refund_id = event.object.id.clone().unwrap_or_default();
    let news = RefundStatus::of_stripe(event.object.status.as_deref());
    let failure = event.object.failure_message.as_deref();
    let Some((_, booking_id)) =
        refund_rows::update_from_stripe(tx, &refund_id, news, failure, now).await?
    else {
        return record_only(
            tx,
            event,
            source,
            summary,
            Applied::Ignored,
            Note::None,
            now,
        )
        .await;
    };
    if news == RefundStatus::Succeeded {
        let currency = event.object.currency.clone().unwrap_or_default();
        crate::services::family_refunds::share_refund_succeeded_in(
            tx,
            booking_id,
            &refund_id,
            event.object.amount,
            &currency,
            now,
        )
        .await?;
    }
    let applied = Applied::RefundUpdated {
        booking_id,
        refund_id,
        status: news,
    };
    let note = match news {
        RefundStatus::Failed => Note::Line(LogLine::error(&format!(
            "refund failed: {}",
            failure.unwrap_or("Stripe gave no reason")
        ))),
        RefundStatus::Requested | RefundStatus::Pending | RefundStatus::Succeeded => Note::None,
    };
    record_only(tx, event, source, summary, applied, note, now).await
}

/// What an event that changes no booking leaves besides its ledger row.
pub(super) enum Note {
    /// Nothing: the ledger row says it all.
    None,
    /// A `payment_logs` line.
    Line(LogLine),
    /// A `payment_logs` line, and the event parked until a booking claims its payment.
    Parked(LogLine),
}

/// Records an event that changes no booking (against the booking it names, if any), with its
/// note; `Duplicate` when the ledger already has it.
pub(super) async fn record_only(
    tx: &mut Tx,
    event: &StripeEvent,
    source: EventSource,
    summary: &str,
    applied: Applied,
    note: Note,
    now: i64,
) -> Result<Applied, ApplyError> {
    let booking_id = applied.booking_id();
    let entry = LedgerEntry {
        event,
        source,
        summary,
        booking_id,
        outcome: &applied.outcome(),
        parked: matches!(note, Note::Parked(_)),
    };
    if ledger::record(tx, entry, now).await? == Recorded::AlreadyKnown {
        return Ok(Applied::Duplicate);
    }
    if let Note::Line(line) | Note::Parked(line) = note {
        payment_logs::write(tx, booking_id, event, summary, &line, now).await?;
    }
    Ok(applied)
}

/// Decides `signal` for `booking` and applies it, deciding again if another writer changes
/// the booking meanwhile. The event's ledger row goes in with the first decision (a
/// redelivery stops there, having written nothing); a later decision corrects its outcome.
pub(super) async fn decide_and_apply(
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
        let note = Note::Line(LogLine::error(&reason));
        let applied = Applied::Mismatched {
            booking_id: booking.id,
            reason,
        };
        return record_only(tx, event, source, summary, applied, note, now).await;
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
            if ledger::record(tx, entry, now).await? == Recorded::AlreadyKnown {
                return Ok(Applied::Duplicate);
            }
        } else {
            ledger::set_outcome(tx, &event.id, &outcome).await?;
        }
        let mut change = PaymentChange::of(event, signal, booking.payment_status, decision);
        if booking.pays_for_others() {
            // The charge's refunded total is the family's, not this child's: each child's own
            // refunds say what it had back (`payments::share_refunded`).
            change.amount_refunded = None;
        }
        match payments::apply(tx, booking.id, &change, now).await? {
            Written::Applied => {}
            Written::StatusChanged => {
                // Another writer changed the status after our read: read again, decide again.
                booking = payments::read(tx, BookingKey::Id(booking.id), event.payment_intent_id())
                    .await?
                    .ok_or(sqlx::Error::RowNotFound)?;
                continue;
            }
        }
        if let Some(line) = decision_log(event, signal, seen(&booking), decision) {
            payment_logs::write(tx, Some(booking.id), event, summary, &line, now).await?;
        }
        let family_share_refunded =
            booking.pays_for_others() && matches!(decision, Decision::PartialRefund { .. });
        if !family_share_refunded {
            mail_for(tx, &booking, event, signal, decision, now).await?;
        }
        if booking.pays_for_others() {
            follow_lead(tx, &booking, &change, signal, now).await?;
        }
        if arrives_late(&booking, decision) {
            return_late_payment(tx, booking.id, event, summary, now).await?;
        }
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

/// The further children paid by `lead`'s payment follow what the decision did to it: paid,
/// failed, or refunded with the whole charge (also when the lead's own share was refunded
/// before, so its own status did not move). A discounted payment is shared among them in
/// proportion to their prices (`domain::discount::shares`): each booking's `amount_paid` is
/// its share of the charge, so no one booking's refund is more than it paid.
async fn follow_lead(
    tx: &mut Tx,
    lead: &PaymentState,
    change: &PaymentChange,
    signal: PaymentSignal,
    now: i64,
) -> Result<(), sqlx::Error> {
    let mut changed = payments::follow(tx, lead.id, change, now).await?;
    if let (Some(discount), Some(paid)) = (&change.discount, change.amount_paid) {
        let group = payments::group_prices(tx, lead.id).await?;
        let prices: Vec<i64> = group.iter().map(|(_, price)| *price).collect();
        let shares: Vec<DiscountShare> = group
            .iter()
            .zip(domain::discount::shares(paid, &prices))
            .map(|((booking_id, price), paid)| DiscountShare {
                booking_id: *booking_id,
                paid,
                discount: price - paid,
            })
            .collect();
        payments::record_discount(tx, &shares, discount, now).await?;
    }
    if let PaymentSignal::ChargeRefunded { fully: true, .. } = signal {
        changed.extend(payments::refund_group(tx, lead.id, now).await?);
    }
    if !changed.is_empty() {
        tracing::info!(
            booking_id = lead.id,
            followers = changed.len(),
            to = change.to.as_str(),
            "family bookings follow their payment"
        );
    }
    Ok(())
}

/// A payment that landed on a cancelled booking (now paid, in `tx`) goes back: a full refund
/// is kept under its own key (`refund-{reference}-late`; the refund job sends it), and the
/// admin sees a line in payment issues. If no refund can be kept, the line says so.
async fn return_late_payment(
    tx: &mut Tx,
    booking_id: i64,
    event: &StripeEvent,
    summary: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    let paid = bookings::lock_by_id(tx, booking_id)
        .await?
        .ok_or(sqlx::Error::RowNotFound)?;
    let kept = refunds::keep_request(
        tx,
        &paid,
        None,
        "requested_by_customer",
        &Actor::System.spelling(),
        Some("late"),
        now,
    )
    .await;
    let line = match kept {
        Ok(_) => LogLine::late_payment(Ok(())),
        Err(RefundError::Database(error)) => return Err(error),
        Err(refused) => LogLine::late_payment(Err(&refused.to_string())),
    };
    payment_logs::write(tx, Some(booking_id), event, summary, &line, now).await
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
        if payments::apply(tx, booking.id, &change, now).await? == Written::StatusChanged {
            continue;
        }
        if let Some(line) = decision_log(&event, signal, seen(booking), decision) {
            payment_logs::write(tx, Some(booking.id), &event, &parked.summary, &line, now).await?;
        }
        mail_for(tx, booking, &event, signal, decision, now).await?;
        if arrives_late(booking, decision) {
            return_late_payment(tx, booking.id, &event, &parked.summary, now).await?;
        }
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
