//! A booking's timeline: what Stripe (or reconciliation) said, the log lines it wrote, and the
//! changes of attendance and moves, in the order they happened, each in a sentence a coach
//! reads (amounts in the booking's currency). One entry per Stripe event: the log line an event
//! wrote is told within the event's entry, never as an entry of its own.

use crate::booking::Actor;
use crate::money::Money;
use crate::outcome::{EventSource, LogLevel};
use crate::status::{AttendanceStatus, PaymentStatus, RefundStatus};
use crate::stripe_event::StripeEvent;
use serde::{Deserialize, Serialize};

/// Whether an entry is a ledger event or a log line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimelineKind {
    /// A ledger row: what Stripe (or reconciliation) said and what it changed.
    Event,
    /// A payment log line that no event of the booking's ledger wrote.
    Log,
    /// An attendance change or a move, and who made it.
    Attendance,
}

/// One entry of a booking's payment timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimelineEntry {
    /// UTC milliseconds.
    pub at: i64,
    pub kind: TimelineKind,
    pub event_id: Option<String>,
    pub event_type: Option<String>,
    /// Where a ledger event came from.
    pub source: Option<EventSource>,
    /// The most serious level of the lines written with it (none: nothing was logged).
    pub level: Option<LogLevel>,
    /// What happened, in words.
    pub text: String,
    /// What Stripe sent, as recorded (empty when nothing came from Stripe).
    pub detail: String,
}

/// A ledger row of the booking, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedEvent {
    pub id: String,
    pub event_type: String,
    pub source: EventSource,
    /// The ledger's `outcome` ([`crate::Applied::outcome`]).
    pub outcome: String,
    /// The event as recorded ([`StripeEvent::summary`]).
    pub summary: String,
    pub at: i64,
}

/// A payment log line of the booking, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedLine {
    pub event_id: Option<String>,
    pub event_type: Option<String>,
    pub level: LogLevel,
    pub message: String,
    pub summary: String,
    pub at: i64,
}

/// The booking's payment entries: one per ledger event (its log lines told within it), and
/// one per log line that no event of the ledger wrote. `currency` is the booking's, for
/// events that do not name theirs.
pub fn payment_entries(
    events: Vec<RecordedEvent>,
    lines: Vec<RecordedLine>,
    currency: &str,
) -> Vec<TimelineEntry> {
    let mut lines: Vec<Option<RecordedLine>> = lines.into_iter().map(Some).collect();
    let mut entries = Vec::new();
    for event in events {
        let own: Vec<RecordedLine> = lines
            .iter_mut()
            .filter(|l| {
                l.as_ref()
                    .is_some_and(|l| l.event_id.as_deref() == Some(event.id.as_str()))
            })
            .filter_map(Option::take)
            .collect();
        let level = own.iter().map(|l| l.level).max_by_key(|l| severity(*l));
        let said = own
            .iter()
            .map(|l| l.message.as_str())
            .find(|m| !m.is_empty());
        entries.push(TimelineEntry {
            at: event.at,
            kind: TimelineKind::Event,
            text: event_words(
                &event.event_type,
                &event.summary,
                &event.outcome,
                said,
                currency,
            ),
            event_id: Some(event.id),
            event_type: Some(event.event_type),
            source: Some(event.source),
            level,
            detail: event.summary,
        });
    }
    entries.extend(lines.into_iter().flatten().map(|l| {
        let from_stripe = l.event_id.is_some();
        TimelineEntry {
            at: l.at,
            kind: TimelineKind::Log,
            text: line_words(l.event_type.as_deref(), &l.message),
            level: Some(l.level),
            source: None,
            detail: if from_stripe {
                l.summary
            } else {
                String::new()
            },
            event_id: l.event_id,
            event_type: l.event_type,
        }
    }));
    entries
}

const fn severity(level: LogLevel) -> u8 {
    match level {
        LogLevel::Info => 0,
        LogLevel::Warning => 1,
        LogLevel::Error => 2,
    }
}

/// The first letter in capitals.
fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// What a kind of Stripe event says, in a coach's words.
pub fn said(event_type: &str) -> &'static str {
    match event_type {
        "checkout.session.completed" => "Checkout completed",
        "checkout.session.async_payment_succeeded" => "Delayed payment succeeded",
        "checkout.session.async_payment_failed"
        | "checkout.session.payment_failed"
        | "payment_intent.payment_failed" => "Payment failed",
        "checkout.session.expired" => "Checkout expired",
        "charge.refunded" => "Refund confirmed",
        "refund.created" | "refund.updated" | "refund.failed" | "charge.refund.updated" => {
            "News of a refund"
        }
        _ => "News from Stripe",
    }
}

/// A ledger event in words: what it did to the booking, amounts in the currency.
pub fn event_words(
    event_type: &str,
    summary: &str,
    outcome: &str,
    log: Option<&str>,
    currency: &str,
) -> String {
    let event = serde_json::from_str::<StripeEvent>(summary).ok();
    let object = event.as_ref().map(|e| &e.object);
    let currency = object
        .and_then(|o| o.currency.clone())
        .unwrap_or_else(|| currency.to_owned());
    let money = |amount: Option<i64>| amount.map(|a| Money::new(a, currency.clone()).to_string());
    let amount = money(object.and_then(|o| o.amount));
    let refunded = money(object.and_then(|o| o.amount_refunded));
    let failure = object
        .and_then(|o| o.failure_message.clone())
        .or_else(|| log.map(str::to_owned));
    let (outcome, held) = match outcome.strip_suffix(" (held, then applied)") {
        Some(outcome) => (outcome, true),
        None => (outcome, false),
    };
    let what = said(event_type);
    let words = if let Some(reason) = outcome.strip_prefix("refused: ") {
        format!("{what}, not applied: {}", refusal(reason))
    } else if let Some(reason) = outcome.strip_prefix("unusable: ") {
        format!("{what}, not usable: {reason}")
    } else if let Some(reason) = outcome.strip_prefix("no booking: ") {
        format!("{what}, for no booking of ours: {reason}")
    } else if outcome == "ignored" {
        format!("{what}: nothing to change")
    } else if let Some(rest) = outcome.strip_prefix("refund ") {
        let status = rest.rsplit(": ").next().unwrap_or_default();
        refund_words(status.parse().ok(), amount.as_deref(), failure.as_deref())
    } else if let Some((_, to)) = outcome.split_once(" -> ") {
        match to.parse::<PaymentStatus>() {
            Ok(PaymentStatus::Paid) => match amount {
                Some(amount) => format!("Payment received: {amount}"),
                None => "Payment received".to_owned(),
            },
            Ok(PaymentStatus::Failed) => format!(
                "Payment failed: {}",
                failure.unwrap_or_else(|| "Stripe gave no reason".to_owned())
            ),
            Ok(PaymentStatus::Refunded) => match refunded.or(amount) {
                Some(amount) => format!("Refunded in full: {amount}"),
                None => "Refunded in full".to_owned(),
            },
            Ok(PaymentStatus::Unpaid) => format!("{what}: waiting for the payment"),
            Err(_) => format!("{what}: {outcome}"),
        }
    } else if outcome.ends_with(", awaiting payment") {
        "Checkout completed: the payment is on its way (a delayed payment method, such as a bank debit)".to_owned()
    } else if outcome.ends_with(", checkout session expired") {
        match log {
            Some(line) if line.starts_with("an earlier") => {
                "An earlier checkout expired unpaid: nothing changes".to_owned()
            }
            _ => "Checkout expired unpaid: the place is no longer held by it".to_owned(),
        }
    } else if outcome.contains(", partly refunded (") {
        match (refunded, amount) {
            (Some(refunded), Some(of)) => format!("Partly refunded: {refunded} of {of} so far"),
            (Some(refunded), None) => format!("Partly refunded: {refunded} so far"),
            _ => "Partly refunded".to_owned(),
        }
    } else {
        format!("{what}: {outcome}")
    };
    if held {
        format!("{words} (it came before the booking was found, and waited for it)")
    } else {
        words
    }
}

/// A refusal's reason without the status in brackets the ledger adds.
fn refusal(reason: &str) -> String {
    let reason = match reason.rfind(" (") {
        Some(at) if reason.ends_with(')') => &reason[..at],
        _ => reason,
    };
    reason.to_owned()
}

fn refund_words(status: Option<RefundStatus>, amount: Option<&str>, why: Option<&str>) -> String {
    let refund = match amount {
        Some(amount) => format!("Refund of {amount}"),
        None => "Refund".to_owned(),
    };
    match status {
        Some(RefundStatus::Succeeded) => format!("{refund} sent"),
        Some(RefundStatus::Failed) => match why {
            Some(why) => format!("{refund} failed: {why}"),
            None => format!("{refund} failed"),
        },
        Some(RefundStatus::Pending | RefundStatus::Requested) | None => {
            format!("{refund} on its way")
        }
    }
}

/// A log line no ledger event of the booking wrote (a refund Stripe refused when asked, say).
pub fn line_words(event_type: Option<&str>, message: &str) -> String {
    match event_type {
        Some("refund") => format!("Refund: {message}"),
        Some(kind) if said(kind) != "News from Stripe" => format!("{}: {message}", said(kind)),
        _ => capitalised(message),
    }
}

/// Who did it, for a coach: an admin by their email.
pub fn who(actor: &Actor) -> String {
    match actor {
        Actor::Admin(email) => email.clone(),
        other => other.describe(),
    }
}

/// An attendance change: the new value as the roster's buttons say it, and who set it.
pub fn attendance_words(to: &str, by: &Actor) -> String {
    let label = to
        .parse::<AttendanceStatus>()
        .map(AttendanceStatus::label)
        .unwrap_or(to);
    format!("Attendance: {label} (by {})", who(by))
}

/// A move to another session, each named with its time.
pub fn move_words(from: &str, to: &str, by: &Actor) -> String {
    format!("Moved from {from} to {to} by {}", who(by))
}

/// Sorts entries by time, an event before the log lines written with it.
pub fn in_order(entries: &mut [TimelineEntry]) {
    entries.sort_by_key(|e| (e.at, e.kind));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(at: i64, kind: TimelineKind, text: &str) -> TimelineEntry {
        TimelineEntry {
            at,
            kind,
            event_id: None,
            event_type: None,
            source: None,
            level: None,
            text: text.to_owned(),
            detail: String::new(),
        }
    }

    #[test]
    fn an_event_comes_before_its_own_log_line() {
        let mut entries = vec![
            entry(2, TimelineKind::Log, "declined"),
            entry(2, TimelineKind::Event, "unpaid -> failed"),
            entry(1, TimelineKind::Event, "created"),
        ];
        in_order(&mut entries);
        let texts: Vec<&str> = entries.iter().map(|e| e.text.as_str()).collect();
        assert_eq!(texts, ["created", "unpaid -> failed", "declined"]);
    }

    fn summary(event_type: &str, object: &str) -> String {
        let body =
            format!(r#"{{"id":"evt_1","type":"{event_type}","data":{{"object":{object}}}}}"#);
        StripeEvent::parse(body.as_bytes()).unwrap().summary()
    }

    fn recorded(id: &str, event_type: &str, outcome: &str, summary: String) -> RecordedEvent {
        RecordedEvent {
            id: id.to_owned(),
            event_type: event_type.to_owned(),
            source: EventSource::Webhook,
            outcome: outcome.to_owned(),
            summary,
            at: 10,
        }
    }

    #[test]
    fn payments_and_refunds_read_in_words_with_amounts_in_the_currency() {
        let paid = summary(
            "checkout.session.completed",
            r#"{"object":"checkout.session","payment_status":"paid","amount_total":4500,"currency":"gbp"}"#,
        );
        assert_eq!(
            event_words(
                "checkout.session.completed",
                &paid,
                "unpaid -> paid",
                None,
                "USD"
            ),
            "Payment received: £45.00"
        );
        let failed = summary(
            "payment_intent.payment_failed",
            r#"{"object":"payment_intent","amount":4500,"currency":"gbp","last_payment_error":{"message":"Your card was declined."}}"#,
        );
        assert_eq!(
            event_words(
                "payment_intent.payment_failed",
                &failed,
                "unpaid -> failed",
                Some("Your card was declined."),
                "GBP"
            ),
            "Payment failed: Your card was declined."
        );
        let partly = summary(
            "charge.refunded",
            r#"{"object":"charge","amount":4500,"amount_refunded":1000,"currency":"gbp"}"#,
        );
        let words = event_words(
            "charge.refunded",
            &partly,
            "paid, partly refunded (1000)",
            Some("partly refunded (£10.00 so far)"),
            "GBP",
        );
        assert_eq!(words, "Partly refunded: £10.00 of £45.00 so far");
        let refund = summary(
            "refund.updated",
            r#"{"object":"refund","id":"re_1","amount":1000,"currency":"eur","status":"succeeded"}"#,
        );
        assert_eq!(
            event_words(
                "refund.updated",
                &refund,
                "refund re_1: succeeded",
                None,
                "EUR"
            ),
            "Refund of €10.00 sent"
        );
        let full = summary(
            "charge.refunded",
            r#"{"object":"charge","amount":4500,"amount_refunded":4500,"refunded":true,"currency":"usd"}"#,
        );
        assert_eq!(
            event_words("charge.refunded", &full, "paid -> refunded", None, "USD"),
            "Refunded in full: $45.00"
        );
    }

    #[test]
    fn refusals_and_the_rest_say_what_happened_without_stripes_words() {
        let paid = summary("checkout.session.completed", r#"{"amount_total":4500}"#);
        let words = event_words(
            "checkout.session.completed",
            &paid,
            "refused: the booking is already in that status (paid)",
            None,
            "USD",
        );
        assert_eq!(
            words,
            "Checkout completed, not applied: the booking is already in that status"
        );
        let held = event_words(
            "checkout.session.completed",
            &paid,
            "unpaid -> paid (held, then applied)",
            None,
            "USD",
        );
        assert!(held.starts_with("Payment received: $45.00 ("), "{held}");
        for words in [words, held] {
            assert!(!words.contains("checkout.session"), "{words}");
            assert!(!words.contains("->"), "{words}");
            assert!(!words.contains("()"), "{words}");
        }
        assert_eq!(
            line_words(Some("refund"), "Stripe refused the refund"),
            "Refund: Stripe refused the refund"
        );
    }

    #[test]
    fn each_event_is_one_entry_with_its_log_line_told_within() {
        let failed = summary(
            "payment_intent.payment_failed",
            r#"{"object":"payment_intent","amount":4500,"currency":"usd"}"#,
        );
        let events = vec![recorded(
            "evt_declined",
            "payment_intent.payment_failed",
            "unpaid -> failed",
            failed.clone(),
        )];
        let line = |event_id: Option<&str>, message: &str| RecordedLine {
            event_id: event_id.map(str::to_owned),
            event_type: Some(if event_id.is_some() {
                "payment_intent.payment_failed".to_owned()
            } else {
                "refund".to_owned()
            }),
            level: LogLevel::Error,
            message: message.to_owned(),
            summary: if event_id.is_some() {
                failed.clone()
            } else {
                "{}".to_owned()
            },
            at: 11,
        };
        let lines = vec![
            line(Some("evt_declined"), "Your card was declined."),
            line(None, "Stripe refused the refund"),
        ];
        let entries = payment_entries(events, lines, "USD");
        assert_eq!(entries.len(), 2, "{entries:#?}");
        assert_eq!(entries[0].text, "Payment failed: Your card was declined.");
        assert_eq!(entries[0].level, Some(LogLevel::Error));
        assert_eq!(entries[0].event_id.as_deref(), Some("evt_declined"));
        assert_eq!(entries[1].text, "Refund: Stripe refused the refund");
        assert_eq!(entries[1].detail, "", "nothing came from Stripe");
    }

    #[test]
    fn attendance_and_moves_say_who_by_their_email() {
        let coach = Actor::Admin("coach@example.com".to_owned());
        assert_eq!(
            attendance_words("completed", &coach),
            "Attendance: Present (by coach@example.com)"
        );
        assert_eq!(
            move_words("Sprint (Mon 7 Dec)", "Sprint (Mon 14 Dec)", &Actor::Parent),
            "Moved from Sprint (Mon 7 Dec) to Sprint (Mon 14 Dec) by the parent"
        );
    }
}
