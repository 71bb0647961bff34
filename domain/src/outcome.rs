//! What applying a Stripe event did, in words: the ledger's `outcome` column and the
//! `payment_logs` line a decision writes. Text only; where it is stored is the database's job.

use crate::money::Money;
use crate::status::{by_spelling, PaymentStatus, RefundStatus, UnknownStatus};
use crate::stripe_event::StripeEvent;
use crate::transition::{Decision, PaymentSignal, Refusal};
use serde::{Deserialize, Serialize};

/// Where an event came from; recorded in the ledger.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventSource {
    /// A signed delivery to the webhook.
    Webhook,
    /// Read back from Stripe's API by reconciliation.
    Reconcile,
}

impl EventSource {
    pub const ALL: [EventSource; 2] = [Self::Webhook, Self::Reconcile];

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
    /// The event names a booking but is not its payment (another amount, currency, mode or
    /// payment): nothing changes, and the booking's timeline says why.
    Mismatched { booking_id: i64, reason: String },
    /// News of a refund we asked for: its status, recorded.
    RefundUpdated {
        booking_id: i64,
        refund_id: String,
        status: RefundStatus,
    },
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
            Self::Mismatched { reason, .. } => format!("refused: {reason}"),
            Self::RefundUpdated {
                refund_id, status, ..
            } => format!("refund {refund_id}: {status}"),
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

    /// The outcome of an event that waited (parked) for its booking, once applied.
    pub fn outcome_after_parking(&self) -> String {
        format!("{} (held, then applied)", self.outcome())
    }

    /// The booking the event is recorded against.
    pub fn booking_id(&self) -> Option<i64> {
        match self {
            Self::Decided { booking_id, .. }
            | Self::Mismatched { booking_id, .. }
            | Self::RefundUpdated { booking_id, .. } => Some(*booking_id),
            _ => None,
        }
    }
}

/// The level of a `payment_logs` row; warnings and errors show on the payment-issues view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LogLevel {
    Info,
    Warning,
    Error,
}

impl LogLevel {
    pub const ALL: [LogLevel; 3] = [Self::Info, Self::Warning, Self::Error];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Info => "info",
            Self::Warning => "warning",
            Self::Error => "error",
        }
    }
}

/// Both read back from their database columns: an unknown spelling is an error.
macro_rules! spelled {
    ($($kind:ty => $what:literal),*) => {$(
        impl std::str::FromStr for $kind {
            type Err = UnknownStatus;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                by_spelling(&Self::ALL, Self::as_str, s, $what)
            }
        }

        impl TryFrom<String> for $kind {
            type Error = UnknownStatus;

            fn try_from(text: String) -> Result<Self, UnknownStatus> {
                text.parse()
            }
        }

        impl std::fmt::Display for $kind {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    )*};
}
spelled!(EventSource => "event source", LogLevel => "log level");

/// One `payment_logs` row's level and text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogLine {
    pub level: LogLevel,
    pub message: String,
}

impl LogLine {
    fn new(level: LogLevel, message: impl Into<String>) -> Self {
        Self {
            level,
            message: message.into(),
        }
    }

    /// An event of a type we act on that lacks what the decision needs.
    pub fn unusable(reason: &str) -> Self {
        Self::new(LogLevel::Error, reason)
    }

    /// Something that went wrong with a booking's money (an event that is not its payment, a
    /// refund that failed): it shows on the payment-issues view.
    pub fn error(message: &str) -> Self {
        Self::new(LogLevel::Error, message)
    }

    /// A payment that landed on a booking already cancelled: it is returned in full (a refund
    /// is kept), and the admin sees it among payment issues.
    pub fn late_payment(kept: Result<(), &str>) -> Self {
        match kept {
            Ok(()) => Self::new(
                LogLevel::Warning,
                "payment arrived after the booking was cancelled: a full refund is on its way",
            ),
            Err(why) => Self::new(
                LogLevel::Error,
                format!(
                    "payment arrived after the booking was cancelled, and could not be refunded: {why}; refund it by hand"
                ),
            ),
        }
    }

    /// An event whose booking was not found; `parked` when it waits for one to claim its payment.
    pub fn no_booking(reason: &str, parked: bool) -> Self {
        if parked {
            Self::new(
                LogLevel::Warning,
                format!("{reason}; held until a booking claims this payment"),
            )
        } else {
            Self::new(LogLevel::Error, reason)
        }
    }
}

/// The booking as the decision saw it, for the words of its log line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DecidedFor<'a> {
    pub payment_status: PaymentStatus,
    pub currency: &'a str,
    /// The Checkout Session the booking holds.
    pub checkout_session_id: Option<&'a str>,
}

/// The `payment_logs` line a decision writes, if any. A payment that goes through writes none
/// (the ledger says it); failures are errors, refusals warnings, the rest information.
pub fn decision_log(
    event: &StripeEvent,
    signal: PaymentSignal,
    booking: DecidedFor<'_>,
    decision: Decision,
) -> Option<LogLine> {
    let currency = event
        .object
        .currency
        .clone()
        .unwrap_or_else(|| booking.currency.to_owned());
    let money = |amount: i64| Money::new(amount, currency.clone()).to_string();
    let line = match decision {
        Decision::Transition {
            to: PaymentStatus::Paid | PaymentStatus::Unpaid,
        } => return None,
        Decision::Transition {
            to: PaymentStatus::Failed,
        } => LogLine::new(
            LogLevel::Error,
            event
                .object
                .failure_message
                .clone()
                .unwrap_or_else(|| "the payment failed".to_owned()),
        ),
        Decision::Transition {
            to: PaymentStatus::Refunded,
        } => LogLine::new(
            LogLevel::Info,
            match signal {
                PaymentSignal::ChargeRefunded {
                    amount_refunded, ..
                } => format!("refunded in full ({})", money(amount_refunded)),
                _ => "refunded in full".to_owned(),
            },
        ),
        Decision::AwaitingPayment => LogLine::new(
            LogLevel::Info,
            "checkout completed with a delayed payment method; awaiting payment",
        ),
        Decision::SessionExpired => LogLine::new(
            LogLevel::Info,
            if event.checkout_session_id().is_some()
                && event.checkout_session_id() == booking.checkout_session_id
            {
                "checkout session expired unpaid; cleared from the booking"
            } else {
                "an earlier checkout session expired unpaid"
            },
        ),
        Decision::PartialRefund { amount_refunded } => LogLine::new(
            LogLevel::Info,
            format!("partly refunded ({} so far)", money(amount_refunded)),
        ),
        Decision::Refused { why } => LogLine::new(
            // Being told again what is already so (reconciliation got there first) is no issue.
            if why == Refusal::AlreadyInStatus {
                LogLevel::Info
            } else {
                LogLevel::Warning
            },
            format!(
                "{} refused: {} (booking is {})",
                event.event_type,
                why.message(),
                booking.payment_status
            ),
        ),
    };
    Some(line)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stripe_event::StripeEvent;
    use crate::transition::{decide, SessionPayment};

    fn event(body: &str) -> StripeEvent {
        StripeEvent::parse(body.as_bytes()).unwrap()
    }

    #[test]
    fn levels_and_sources_read_back_their_spellings() {
        for level in LogLevel::ALL {
            assert_eq!(LogLevel::try_from(level.to_string()), Ok(level));
        }
        for source in EventSource::ALL {
            assert_eq!(source.as_str().parse::<EventSource>(), Ok(source));
        }
        assert!("Error".parse::<LogLevel>().is_err());
    }

    #[test]
    fn outcomes_read_as_one_line() {
        let decided = |decision| Applied::Decided {
            booking_id: 7,
            from: PaymentStatus::Unpaid,
            decision,
        };
        assert_eq!(
            decided(Decision::Transition {
                to: PaymentStatus::Paid
            })
            .outcome(),
            "unpaid -> paid"
        );
        assert_eq!(
            decided(Decision::Refused {
                why: Refusal::RefundedIsFinal
            })
            .outcome(),
            "refused: refunded is final (unpaid)"
        );
        assert_eq!(
            decided(Decision::AwaitingPayment).outcome_after_parking(),
            "unpaid, awaiting payment (held, then applied)"
        );
        assert_eq!(decided(Decision::SessionExpired).booking_id(), Some(7));
        assert_eq!(Applied::Duplicate.booking_id(), None);
    }

    #[test]
    fn each_decision_writes_its_log_line() {
        let failed = event(
            r#"{"id":"e","type":"payment_intent.payment_failed","data":{"object":{"last_payment_error":{"message":"Your card was declined."}}}}"#,
        );
        let booking = DecidedFor {
            payment_status: PaymentStatus::Unpaid,
            currency: "USD",
            checkout_session_id: Some("cs_1"),
        };
        let signal = PaymentSignal::PaymentIntentFailed;
        let line = decision_log(
            &failed,
            signal,
            booking,
            decide(signal, PaymentStatus::Unpaid),
        );
        assert_eq!(
            line,
            Some(LogLine::new(LogLevel::Error, "Your card was declined."))
        );

        let paid = PaymentSignal::CheckoutCompleted {
            session_payment: SessionPayment::Paid,
        };
        let completed = event(r#"{"id":"e","type":"checkout.session.completed"}"#);
        assert_eq!(
            decision_log(
                &completed,
                paid,
                booking,
                decide(paid, PaymentStatus::Unpaid)
            ),
            None
        );
        let refused = decision_log(
            &completed,
            paid,
            DecidedFor {
                payment_status: PaymentStatus::Refunded,
                ..booking
            },
            decide(paid, PaymentStatus::Refunded),
        )
        .unwrap();
        assert_eq!(refused.level, LogLevel::Warning);
        assert_eq!(
            refused.message,
            "checkout.session.completed refused: refunded is final (booking is refunded)"
        );

        let refund = event(
            r#"{"id":"e","type":"charge.refunded","data":{"object":{"amount":4500,"amount_refunded":1000,"currency":"eur"}}}"#,
        );
        let PaymentSignal::ChargeRefunded { .. } = refund_signal(&refund) else {
            unreachable!()
        };
        let line = decision_log(
            &refund,
            refund_signal(&refund),
            DecidedFor {
                payment_status: PaymentStatus::Paid,
                ..booking
            },
            decide(refund_signal(&refund), PaymentStatus::Paid),
        )
        .unwrap();
        assert_eq!(line.message, "partly refunded (€10.00 so far)");

        let expired = event(
            r#"{"id":"e","type":"checkout.session.expired","data":{"object":{"object":"checkout.session","id":"cs_1"}}}"#,
        );
        let line = decision_log(
            &expired,
            PaymentSignal::CheckoutExpired,
            booking,
            Decision::SessionExpired,
        )
        .unwrap();
        assert_eq!(
            line.message,
            "checkout session expired unpaid; cleared from the booking"
        );
        assert_eq!(
            LogLine::no_booking("unknown bookingId 9", true).level,
            LogLevel::Warning
        );
    }

    fn refund_signal(event: &StripeEvent) -> PaymentSignal {
        match event.interpret() {
            crate::stripe_event::Interpretation::Signal(signal) => signal,
            other => panic!("{other:?}"),
        }
    }
}
