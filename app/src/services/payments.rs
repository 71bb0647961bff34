//! Applying a Stripe event to a booking: the one use case that changes `payment_status`. It
//! finds the booking, takes the decision (`domain::decide`), writes the ledger row, the change
//! and the log line inside the caller's transaction, and decides again when another writer
//! changed the booking meanwhile. `payment_writer` batches deliveries into transactions;
//! reconciliation calls `apply_event`, one event per transaction.

use super::mail;
use crate::db::ledger::{self, LedgerEntry};
use crate::db::outbox::NewMail;
use crate::db::payments::{self, BookingKey, PaymentState};
use crate::db::{is_unavailable, now_ms, payment_logs, refunds, Db, Tx};
use domain::mail::{BookingMail, MailKind, PaymentFacts};
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
async fn refund_update(
    tx: &mut Tx,
    event: &StripeEvent,
    source: EventSource,
    summary: &str,
    now: i64,
) -> Result<Applied, ApplyError> {
    let refund_id = event.object.id.clone().unwrap_or_default();
    let status = domain::RefundStatus::of_stripe(event.object.status.as_deref());
    let failure = event.object.failure_message.as_deref();
    let Some((_, booking_id)) =
        refunds::update_from_stripe(tx, &refund_id, status, failure, now).await?
    else {
        return record_only(tx, event, source, summary, Applied::Ignored, None, now).await;
    };
    let applied = Applied::RefundUpdated {
        booking_id,
        refund_id,
        status,
    };
    let log = (status == domain::RefundStatus::Failed).then(|| {
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

/// A decision of [`apply_all_in`], ready to be written with the others of its batch.
struct Planned {
    index: usize,
    booking_id: i64,
    applied: Applied,
    outcome: String,
    summary: String,
    change: PaymentChange,
    log: Option<LogLine>,
    mail: Option<(MailKind, String, String, String)>,
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
    use std::collections::{HashMap, HashSet};
    let mut results: Vec<Option<Applied>> = (0..events.len()).map(|_| None).collect();
    let named: Vec<Option<(i64, PaymentSignal)>> = events
        .iter()
        .map(|(event, _)| match event.interpret() {
            Interpretation::Signal(signal) => event
                .named_booking()
                .and_then(|named| named.parse::<i64>().ok())
                .map(|id| (id, signal)),
            _ => None,
        })
        .collect();
    // The others first: the reads below then see what they wrote.
    for (index, (event, source)) in events.iter().enumerate() {
        if named[index].is_none() {
            results[index] = Some(apply_in(tx, event, *source, mode, now).await?);
        }
    }
    let set: Vec<usize> = (0..events.len()).filter(|i| named[*i].is_some()).collect();
    if set.is_empty() {
        return Ok(results.into_iter().flatten().collect());
    }
    // The bookings are read (and locked) before the ledger is asked about the events: a
    // writer holding the same event for the same booking commits before this one reads.
    let mut booking_ids: Vec<i64> = set
        .iter()
        .filter_map(|i| named[*i].map(|(b, _)| b))
        .collect();
    booking_ids.sort_unstable();
    booking_ids.dedup();
    let states: HashMap<i64, PaymentState> = payments::states(tx, &booking_ids, lock)
        .await?
        .into_iter()
        .map(|state| (state.id, state))
        .collect();
    let ids: Vec<&str> = set.iter().map(|i| events[*i].0.id.as_str()).collect();
    let known = ledger::known(tx, &ids).await?;
    let mut seen_ids = HashSet::new();
    let mut per_booking: HashMap<i64, usize> = HashMap::new();
    let mut candidates = Vec::new();
    for index in set {
        let id = events[index].0.id.as_str();
        if known.contains(id) || !seen_ids.insert(id) {
            results[index] = Some(Applied::Duplicate);
            continue;
        }
        if let Some((booking, _)) = named[index] {
            *per_booking.entry(booking).or_default() += 1;
        }
        candidates.push(index);
    }
    let mut intents: Vec<&str> = candidates
        .iter()
        .filter_map(|i| events[*i].0.payment_intent_id())
        .collect();
    intents.sort_unstable();
    intents.dedup();
    let parked = ledger::parked_intents(tx, &intents).await?;

    let mut planned = Vec::new();
    let mut singles = Vec::new();
    for index in candidates {
        let (event, _) = events[index];
        let Some((booking_id, signal)) = named[index] else {
            continue;
        };
        let usual = states.get(&booking_id).filter(|state| {
            per_booking.get(&booking_id) == Some(&1)
                && !event
                    .payment_intent_id()
                    .is_some_and(|pi| parked.contains(pi))
                && payment_check::check(event, signal, expected(state), mode).is_ok()
        });
        let Some(state) = usual else {
            singles.push(index);
            continue;
        };
        let decision = decide(signal, state.payment_status);
        let change = PaymentChange::of(event, signal, state.payment_status, decision);
        if change.expired_session.is_some() {
            singles.push(index);
            continue;
        }
        let applied = Applied::Decided {
            booking_id,
            from: state.payment_status,
            decision,
        };
        let mail = mail_of(state, event, signal, decision, now).map(|(occurrence, facts)| {
            (
                facts.kind(),
                facts.kind().dedupe_key(booking_id, occurrence.as_deref()),
                state.parent_email.clone(),
                facts.to_stored(),
            )
        });
        planned.push(Planned {
            index,
            booking_id,
            outcome: applied.outcome(),
            applied,
            summary: event.summary(),
            log: decision_log(event, signal, seen(state), decision),
            change,
            mail,
        });
    }
    for index in singles {
        let (event, source) = events[index];
        results[index] = Some(apply_in(tx, event, source, mode, now).await?);
    }

    let entries: Vec<LedgerEntry<'_>> = planned
        .iter()
        .map(|p| LedgerEntry {
            event: events[p.index].0,
            source: events[p.index].1,
            summary: &p.summary,
            booking_id: Some(p.booking_id),
            outcome: &p.outcome,
            parked: false,
        })
        .collect();
    // Another writer recording one of these events (or changing one of these bookings) since
    // they were read is a race this batch loses: it is rolled back and applied event by event.
    let raced = || ApplyError::Contention {
        booking_id: planned.first().map_or(0, |p| p.booking_id),
    };
    if ledger::record_all(tx, &entries, now).await? != entries.len() as u64 {
        return Err(raced());
    }
    let changes: Vec<(i64, &PaymentChange)> = planned
        .iter()
        .filter(|p| p.change.writes_booking)
        .map(|p| (p.booking_id, &p.change))
        .collect();
    if payments::apply_all(tx, &changes, now).await? != changes.len() as u64 {
        return Err(raced());
    }
    let logs: Vec<payment_logs::LogRow<'_>> = planned
        .iter()
        .filter_map(|p| {
            p.log.clone().map(|line| payment_logs::LogRow {
                booking_id: Some(p.booking_id),
                event: events[p.index].0,
                summary: &p.summary,
                line,
            })
        })
        .collect();
    payment_logs::write_all(tx, &logs, now).await?;
    let mails: Vec<NewMail<'_>> = planned
        .iter()
        .filter_map(|p| {
            p.mail
                .as_ref()
                .map(|(kind, key, recipient, facts)| NewMail {
                    kind: *kind,
                    dedupe_key: key,
                    booking_id: Some(p.booking_id),
                    recipient,
                    facts,
                })
        })
        .collect();
    crate::db::outbox::enqueue_all(tx, &mails, now).await?;
    for p in planned {
        results[p.index] = Some(p.applied);
    }
    Ok(results.into_iter().flatten().collect())
}
