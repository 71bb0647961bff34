//! The one function that turns what Stripe said into a payment status change: `decide`, the
//! payment transition table of `docs/ARCHITECTURE.md`.

use super::status::PaymentStatus;
use serde::{Deserialize, Serialize};

/// `payment_status` of a Checkout Session as Stripe reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionPayment {
    Paid,
    NoPaymentRequired,
    Unpaid,
}

/// What a Stripe event says about one booking's money, stripped of the wire format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PaymentSignal {
    /// `checkout.session.completed`
    CheckoutCompleted { session_payment: SessionPayment },
    /// `checkout.session.async_payment_succeeded`
    AsyncPaymentSucceeded,
    /// `checkout.session.async_payment_failed`
    AsyncPaymentFailed,
    /// `payment_intent.payment_failed`
    PaymentIntentFailed,
    /// `checkout.session.payment_failed`: named in the original spec, never emitted by Stripe.
    CheckoutPaymentFailed,
    /// `checkout.session.expired`
    CheckoutExpired,
    /// `charge.refunded`; `fully` when the whole charge has been refunded.
    ChargeRefunded { fully: bool, amount_refunded: i64 },
}

/// The Stripe event types the payment decision acts on: the one table between Stripe's
/// spelling of an event type and the signal it carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventKind {
    CheckoutCompleted,
    AsyncPaymentSucceeded,
    AsyncPaymentFailed,
    PaymentIntentFailed,
    CheckoutPaymentFailed,
    CheckoutExpired,
    ChargeRefunded,
}

impl EventKind {
    pub const ALL: [EventKind; 7] = [
        Self::CheckoutCompleted,
        Self::AsyncPaymentSucceeded,
        Self::AsyncPaymentFailed,
        Self::PaymentIntentFailed,
        Self::CheckoutPaymentFailed,
        Self::CheckoutExpired,
        Self::ChargeRefunded,
    ];

    /// Stripe's spelling of the event type.
    pub const fn event_type(self) -> &'static str {
        match self {
            Self::CheckoutCompleted => "checkout.session.completed",
            Self::AsyncPaymentSucceeded => "checkout.session.async_payment_succeeded",
            Self::AsyncPaymentFailed => "checkout.session.async_payment_failed",
            Self::PaymentIntentFailed => "payment_intent.payment_failed",
            Self::CheckoutPaymentFailed => "checkout.session.payment_failed",
            Self::CheckoutExpired => "checkout.session.expired",
            Self::ChargeRefunded => "charge.refunded",
        }
    }

    /// The kind whose spelling is `event_type`; `None` for a type the decision ignores.
    pub fn of_event_type(event_type: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.event_type() == event_type)
    }
}

impl PaymentSignal {
    pub const fn kind(self) -> EventKind {
        match self {
            Self::CheckoutCompleted { .. } => EventKind::CheckoutCompleted,
            Self::AsyncPaymentSucceeded => EventKind::AsyncPaymentSucceeded,
            Self::AsyncPaymentFailed => EventKind::AsyncPaymentFailed,
            Self::PaymentIntentFailed => EventKind::PaymentIntentFailed,
            Self::CheckoutPaymentFailed => EventKind::CheckoutPaymentFailed,
            Self::CheckoutExpired => EventKind::CheckoutExpired,
            Self::ChargeRefunded { .. } => EventKind::ChargeRefunded,
        }
    }

    /// The Stripe event type this signal comes from.
    pub const fn event_type(self) -> &'static str {
        self.kind().event_type()
    }
}

/// Why a pair outside the table is refused; shown in payment logs and the booking timeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Refusal {
    /// `refunded` is final.
    RefundedIsFinal,
    /// `paid` is never downgraded to `failed` or `unpaid`.
    PaidIsNeverDowngraded,
    /// The booking is already in the status the event asks for.
    AlreadyInStatus,
    /// A partial refund only makes sense on a paid booking.
    PartialRefundOfUnpaid,
    /// An expired or awaiting session on a booking already settled.
    AlreadySettled,
}

impl Refusal {
    pub const fn message(self) -> &'static str {
        match self {
            Self::RefundedIsFinal => "refunded is final",
            Self::PaidIsNeverDowngraded => "paid is never downgraded",
            Self::AlreadyInStatus => "the booking is already in that status",
            Self::PartialRefundOfUnpaid => "a partial refund applies only to a paid booking",
            Self::AlreadySettled => "the booking is already settled",
        }
    }
}

/// What to do with a booking whose payment status is `current` when a signal arrives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "decision", rename_all = "snake_case")]
pub enum Decision {
    /// Move the booking from `current` to `to` (applied with a conditional UPDATE on `current`).
    Transition { to: PaymentStatus },
    /// A delayed method (bank debit) completed the session; the money is not there yet.
    AwaitingPayment,
    /// The checkout session expired unpaid; the stored session is cleared so a new one is made.
    SessionExpired,
    /// Part of a paid charge was refunded; the booking stays paid.
    PartialRefund { amount_refunded: i64 },
    /// Not in the table: nothing changes, the refusal is logged.
    Refused { why: Refusal },
}

/// The payment transition table (`docs/ARCHITECTURE.md`), and nothing else. Pure: no I/O, no clock.
pub fn decide(signal: PaymentSignal, current: PaymentStatus) -> Decision {
    use PaymentStatus::*;

    let to_paid = || match current {
        Unpaid | Failed => Decision::Transition { to: Paid },
        Paid => Decision::Refused {
            why: Refusal::AlreadyInStatus,
        },
        Refunded => Decision::Refused {
            why: Refusal::RefundedIsFinal,
        },
    };
    let to_failed = || match current {
        Unpaid => Decision::Transition { to: Failed },
        Failed => Decision::Refused {
            why: Refusal::AlreadyInStatus,
        },
        Paid => Decision::Refused {
            why: Refusal::PaidIsNeverDowngraded,
        },
        Refunded => Decision::Refused {
            why: Refusal::RefundedIsFinal,
        },
    };
    let unsettled_only = |decision: Decision| match current {
        Unpaid | Failed => decision,
        Paid => Decision::Refused {
            why: Refusal::AlreadySettled,
        },
        Refunded => Decision::Refused {
            why: Refusal::RefundedIsFinal,
        },
    };

    match signal {
        PaymentSignal::CheckoutCompleted {
            session_payment: SessionPayment::Paid | SessionPayment::NoPaymentRequired,
        }
        | PaymentSignal::AsyncPaymentSucceeded => to_paid(),
        PaymentSignal::CheckoutCompleted {
            session_payment: SessionPayment::Unpaid,
        } => unsettled_only(Decision::AwaitingPayment),
        PaymentSignal::AsyncPaymentFailed
        | PaymentSignal::PaymentIntentFailed
        | PaymentSignal::CheckoutPaymentFailed => to_failed(),
        PaymentSignal::CheckoutExpired => unsettled_only(Decision::SessionExpired),
        PaymentSignal::ChargeRefunded { fully: true, .. } => match current {
            Unpaid | Failed | Paid => Decision::Transition { to: Refunded },
            Refunded => Decision::Refused {
                why: Refusal::RefundedIsFinal,
            },
        },
        PaymentSignal::ChargeRefunded {
            fully: false,
            amount_refunded,
        } => match current {
            Paid => Decision::PartialRefund { amount_refunded },
            Refunded => Decision::Refused {
                why: Refusal::RefundedIsFinal,
            },
            Unpaid | Failed => Decision::Refused {
                why: Refusal::PartialRefundOfUnpaid,
            },
        },
    }
}

/// The status a booking holds after `decision` is applied to `current`.
pub fn status_after(current: PaymentStatus, decision: Decision) -> PaymentStatus {
    match decision {
        Decision::Transition { to } => to,
        _ => current,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use PaymentStatus::*;

    fn moves(to: PaymentStatus) -> Decision {
        Decision::Transition { to }
    }
    fn refused(why: Refusal) -> Decision {
        Decision::Refused { why }
    }

    /// Every (signal, current status) pair, written out as the table in `docs/ARCHITECTURE.md` reads.
    #[test]
    fn every_pair_of_the_table() {
        let completed_paid = PaymentSignal::CheckoutCompleted {
            session_payment: SessionPayment::Paid,
        };
        let completed_free = PaymentSignal::CheckoutCompleted {
            session_payment: SessionPayment::NoPaymentRequired,
        };
        let completed_unpaid = PaymentSignal::CheckoutCompleted {
            session_payment: SessionPayment::Unpaid,
        };
        let full_refund = PaymentSignal::ChargeRefunded {
            fully: true,
            amount_refunded: 4500,
        };
        let partial_refund = PaymentSignal::ChargeRefunded {
            fully: false,
            amount_refunded: 1000,
        };
        let partial = Decision::PartialRefund {
            amount_refunded: 1000,
        };

        let table: Vec<(PaymentSignal, [Decision; 4])> = vec![
            // columns: from unpaid, paid, failed, refunded
            (
                completed_paid,
                [
                    moves(Paid),
                    refused(Refusal::AlreadyInStatus),
                    moves(Paid),
                    refused(Refusal::RefundedIsFinal),
                ],
            ),
            (
                completed_free,
                [
                    moves(Paid),
                    refused(Refusal::AlreadyInStatus),
                    moves(Paid),
                    refused(Refusal::RefundedIsFinal),
                ],
            ),
            (
                completed_unpaid,
                [
                    Decision::AwaitingPayment,
                    refused(Refusal::AlreadySettled),
                    Decision::AwaitingPayment,
                    refused(Refusal::RefundedIsFinal),
                ],
            ),
            (
                PaymentSignal::AsyncPaymentSucceeded,
                [
                    moves(Paid),
                    refused(Refusal::AlreadyInStatus),
                    moves(Paid),
                    refused(Refusal::RefundedIsFinal),
                ],
            ),
            (
                PaymentSignal::AsyncPaymentFailed,
                [
                    moves(Failed),
                    refused(Refusal::PaidIsNeverDowngraded),
                    refused(Refusal::AlreadyInStatus),
                    refused(Refusal::RefundedIsFinal),
                ],
            ),
            (
                PaymentSignal::PaymentIntentFailed,
                [
                    moves(Failed),
                    refused(Refusal::PaidIsNeverDowngraded),
                    refused(Refusal::AlreadyInStatus),
                    refused(Refusal::RefundedIsFinal),
                ],
            ),
            (
                PaymentSignal::CheckoutPaymentFailed,
                [
                    moves(Failed),
                    refused(Refusal::PaidIsNeverDowngraded),
                    refused(Refusal::AlreadyInStatus),
                    refused(Refusal::RefundedIsFinal),
                ],
            ),
            (
                PaymentSignal::CheckoutExpired,
                [
                    Decision::SessionExpired,
                    refused(Refusal::AlreadySettled),
                    Decision::SessionExpired,
                    refused(Refusal::RefundedIsFinal),
                ],
            ),
            (
                full_refund,
                [
                    moves(Refunded),
                    moves(Refunded),
                    moves(Refunded),
                    refused(Refusal::RefundedIsFinal),
                ],
            ),
            (
                partial_refund,
                [
                    refused(Refusal::PartialRefundOfUnpaid),
                    partial,
                    refused(Refusal::PartialRefundOfUnpaid),
                    refused(Refusal::RefundedIsFinal),
                ],
            ),
        ];

        let mut pairs = 0;
        for (signal, expected) in table {
            for (current, want) in [Unpaid, Paid, Failed, Refunded].into_iter().zip(expected) {
                assert_eq!(
                    decide(signal, current),
                    want,
                    "{} from {current}",
                    signal.event_type()
                );
                pairs += 1;
            }
        }
        assert_eq!(pairs, 40);
    }

    #[test]
    fn paid_is_never_downgraded_and_refunded_is_final() {
        let signals = [
            PaymentSignal::CheckoutCompleted {
                session_payment: SessionPayment::Paid,
            },
            PaymentSignal::CheckoutCompleted {
                session_payment: SessionPayment::Unpaid,
            },
            PaymentSignal::AsyncPaymentSucceeded,
            PaymentSignal::AsyncPaymentFailed,
            PaymentSignal::PaymentIntentFailed,
            PaymentSignal::CheckoutPaymentFailed,
            PaymentSignal::CheckoutExpired,
            PaymentSignal::ChargeRefunded {
                fully: false,
                amount_refunded: 1,
            },
        ];
        for signal in signals {
            let after_paid = status_after(Paid, decide(signal, Paid));
            assert!(matches!(after_paid, Paid), "{signal:?}");
            assert_eq!(status_after(Refunded, decide(signal, Refunded)), Refunded);
        }
    }

    #[test]
    fn every_kind_is_found_by_its_own_spelling() {
        for kind in EventKind::ALL {
            assert_eq!(EventKind::of_event_type(kind.event_type()), Some(kind));
        }
        assert_eq!(EventKind::of_event_type("invoice.paid"), None);
        assert_eq!(EventKind::of_event_type("checkout.session"), None);
    }

    #[test]
    fn event_types_are_stripes_spellings() {
        assert_eq!(
            PaymentSignal::CheckoutExpired.event_type(),
            "checkout.session.expired"
        );
        assert_eq!(
            PaymentSignal::ChargeRefunded {
                fully: true,
                amount_refunded: 0
            }
            .event_type(),
            "charge.refunded"
        );
    }
}
