//! The set-based batch: the payment events of a batch that name their booking, decided
//! together with a constant number of statements whatever the batch's size. Their bookings are
//! read in one statement (locked on PostgreSQL when asked), the ledger asked about them in
//! another, each decided in memory by the one `decide`, and their writes made with one
//! statement per table. What does not fit goes through the one-at-a-time path.

use super::{apply_in, arrives_late, expected, mail_of, seen, ApplyError};
use crate::db::ledger::{self, LedgerEntry};
use crate::db::outbox::{self, NewMail};
use crate::db::payments::{self, PaymentState};
use crate::db::{payment_logs, Tx};
use domain::mail::MailKind;
use domain::outcome::decision_log;
use domain::payment_check;
use domain::{
    decide, Applied, EventSource, Interpretation, LogLine, PaymentChange, PaymentSignal,
    StripeEvent, StripeMode,
};
use std::collections::{HashMap, HashSet};

/// How the batch takes an event.
#[derive(Debug, Clone, Copy)]
enum Route {
    /// A payment signal naming its booking by id: decided with the others of the set.
    Named {
        booking_id: i64,
        signal: PaymentSignal,
    },
    /// Anything else: applied one at a time, before the set.
    OneAtATime,
}

impl Route {
    fn of(event: &StripeEvent) -> Self {
        let Interpretation::Signal(signal) = event.interpret() else {
            return Self::OneAtATime;
        };
        match event
            .named_booking()
            .and_then(|named| named.parse::<i64>().ok())
        {
            Some(booking_id) => Self::Named { booking_id, signal },
            None => Self::OneAtATime,
        }
    }
}

/// What the set does with one of its new events once the bookings and the ledger are read.
// A plan lives on the stack until it is moved into the batch's list: boxing the large variant
// would cost an allocation per event.
#[allow(clippy::large_enum_variant)]
enum Plan {
    /// Not for the set after all: the booking is not there, has another event in the batch,
    /// has events parked for the payment, or is not the one this payment is for; or the
    /// decision clears an expired session. Applied one at a time.
    OneAtATime,
    /// Decided; written with the others.
    Set(Planned),
}

/// A decision of the set, ready to be written with the others of its batch.
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

/// What the batch knows when it plans: the bookings of the set, and the payment intents that
/// parked events wait for.
struct Read<'a> {
    states: &'a HashMap<i64, PaymentState>,
    parked: &'a HashSet<String>,
    /// How many events of the set each booking has.
    per_booking: &'a HashMap<i64, usize>,
    mode: StripeMode,
    now: i64,
}

/// Plans one new event of the set (see [`Plan`]).
fn plan(
    read: &Read<'_>,
    index: usize,
    event: &StripeEvent,
    booking_id: i64,
    signal: PaymentSignal,
) -> Plan {
    let usual = read.states.get(&booking_id).filter(|state| {
        // A payment for several children changes them all: one at a time.
        !state.pays_for_others()
            && read.per_booking.get(&booking_id) == Some(&1)
            && !event
                .payment_intent_id()
                .is_some_and(|pi| read.parked.contains(pi))
            && payment_check::check(event, signal, expected(state), read.mode).is_ok()
    });
    let Some(state) = usual else {
        return Plan::OneAtATime;
    };
    let decision = decide(signal, state.payment_status);
    let change = PaymentChange::of(event, signal, state.payment_status, decision);
    // An expiry, a discounted payment (its discount is written apart), or a payment that lands
    // on a cancelled booking (returned: a refund is kept), is rare enough to go one at a time.
    if change.expired_session.is_some()
        || change.discount.is_some()
        || arrives_late(state, decision)
    {
        return Plan::OneAtATime;
    }
    let applied = Applied::Decided {
        booking_id,
        from: state.payment_status,
        decision,
    };
    let now = read.now;
    let mail = mail_of(state, event, signal, decision, now).map(|(occurrence, facts)| {
        (
            facts.kind(),
            facts.kind().dedupe_key(booking_id, occurrence.as_deref()),
            state.parent_email.clone(),
            facts.to_stored(),
        )
    });
    Plan::Set(Planned {
        index,
        booking_id,
        outcome: applied.outcome(),
        applied,
        summary: event.summary(),
        log: decision_log(event, signal, seen(state), decision),
        change,
        mail,
    })
}

/// Applies a batch of events inside `tx` (see [`super::apply_all_in`]); results in the order
/// of `events`.
pub(super) async fn apply_all(
    tx: &mut Tx,
    events: &[(&StripeEvent, EventSource)],
    lock: bool,
    mode: StripeMode,
    now: i64,
) -> Result<Vec<Applied>, ApplyError> {
    let mut results: Vec<Option<Applied>> = (0..events.len()).map(|_| None).collect();
    let routes: Vec<Route> = events.iter().map(|(event, _)| Route::of(event)).collect();
    // The others first: the reads below then see what they wrote.
    let mut set = Vec::new();
    for (index, ((event, source), route)) in events.iter().zip(&routes).enumerate() {
        match route {
            Route::OneAtATime => {
                results[index] = Some(apply_in(tx, event, *source, mode, now).await?);
            }
            Route::Named { booking_id, signal } => set.push((index, *booking_id, *signal)),
        }
    }
    if set.is_empty() {
        return Ok(results.into_iter().flatten().collect());
    }
    // The bookings are read (and locked) before the ledger is asked about the events: a
    // writer holding the same event for the same booking commits before this one reads.
    let mut booking_ids: Vec<i64> = set.iter().map(|(_, booking_id, _)| *booking_id).collect();
    booking_ids.sort_unstable();
    booking_ids.dedup();
    let states: HashMap<i64, PaymentState> = payments::states(tx, &booking_ids, lock)
        .await?
        .into_iter()
        .map(|state| (state.id, state))
        .collect();
    let ids: Vec<&str> = set
        .iter()
        .map(|(i, _, _)| events[*i].0.id.as_str())
        .collect();
    let known = ledger::known(tx, &ids).await?;
    let mut seen_ids = HashSet::new();
    let mut per_booking: HashMap<i64, usize> = HashMap::new();
    let mut candidates = Vec::new();
    for (index, booking_id, signal) in set {
        let id = events[index].0.id.as_str();
        if known.contains(id) || !seen_ids.insert(id) {
            results[index] = Some(Applied::Duplicate);
            continue;
        }
        *per_booking.entry(booking_id).or_default() += 1;
        candidates.push((index, booking_id, signal));
    }
    let mut intents: Vec<&str> = candidates
        .iter()
        .filter_map(|(i, _, _)| events[*i].0.payment_intent_id())
        .collect();
    intents.sort_unstable();
    intents.dedup();
    let parked = ledger::parked_intents(tx, &intents).await?;

    let read = Read {
        states: &states,
        parked: &parked,
        per_booking: &per_booking,
        mode,
        now,
    };
    let mut planned = Vec::new();
    let mut singles = Vec::new();
    for (index, booking_id, signal) in candidates {
        match plan(&read, index, events[index].0, booking_id, signal) {
            Plan::Set(decided) => planned.push(decided),
            Plan::OneAtATime => singles.push(index),
        }
    }
    for index in singles {
        let (event, source) = events[index];
        results[index] = Some(apply_in(tx, event, source, mode, now).await?);
    }
    write(tx, events, &planned, now).await?;
    for p in planned {
        results[p.index] = Some(p.applied);
    }
    Ok(results.into_iter().flatten().collect())
}

/// Writes the set's decisions: one statement for the ledger, the bookings, the log lines and
/// the mails each. Another writer recording one of these events (or changing one of these
/// bookings) since they were read is a race this batch loses: it is rolled back and applied
/// event by event.
async fn write(
    tx: &mut Tx,
    events: &[(&StripeEvent, EventSource)],
    planned: &[Planned],
    now: i64,
) -> Result<(), ApplyError> {
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
                    send_after: None,
                })
        })
        .collect();
    outbox::enqueue_all(tx, &mails, now).await?;
    Ok(())
}
