//! Where a booking's payment stands as its parent's page follows it: whether a payment is on
//! its way (a bank debit that completed its checkout), whether a checkout is open (a payment
//! may land any moment), and from those what the page says and offers.

use crate::booking::{payable, BookingSource};
use crate::status::{AttendanceStatus, PaymentStatus};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentProgress {
    pub payment_status: PaymentStatus,
    pub attendance_status: AttendanceStatus,
    /// A delayed payment (a bank debit) completed its checkout after any failure: its money
    /// is on its way.
    pub awaited: bool,
    /// A checkout is open for it: a payment may land any moment.
    pub in_flight: bool,
    /// Made online, or an admin's entry (settled outside Stripe: never owed online).
    pub source: BookingSource,
}

impl PaymentProgress {
    /// Whether a delayed payment is on its way: one was announced (`awaited_since`, UTC ms)
    /// and no payment failed after it (`last_failure_at`).
    pub fn is_awaited(awaited_since: Option<i64>, last_failure_at: Option<i64>) -> bool {
        awaited_since.is_some_and(|since| last_failure_at.is_none_or(|failed| failed <= since))
    }

    /// Whether a checkout is open for an unsettled booking at `now` (UTC ms): it has a stored
    /// Checkout Session whose expiry (`expires_at`, Unix seconds as Stripe gives it) is ahead.
    pub fn is_in_flight(
        status: PaymentStatus,
        has_checkout: bool,
        expires_at: Option<i64>,
        now: i64,
    ) -> bool {
        status.is_unsettled() && has_checkout && expires_at.is_some_and(|at| at * 1000 > now)
    }

    /// The booking can be paid (the rule checkout applies too: `domain::payable`).
    pub fn can_pay(&self) -> bool {
        payable(self.payment_status, self.attendance_status, self.source).is_ok()
    }

    /// Its price is settled: paid through Stripe, or an admin's entry settled outside it.
    pub fn settled(&self) -> bool {
        self.payment_status == PaymentStatus::Paid || self.source == BookingSource::Manual
    }

    /// Whether the page says "Confirming your payment": a delayed payment is on its way, or
    /// the parent just came back (`returned`) from a checkout that has not been answered yet.
    pub fn confirming(&self, returned: bool) -> bool {
        self.source == BookingSource::Online
            && self.payment_status.is_unsettled()
            && self.attendance_status != AttendanceStatus::Cancelled
            && (self.awaited
                || (returned && self.in_flight && self.payment_status == PaymentStatus::Unpaid))
    }

    /// Whether the page keeps looking for news: while confirming, and on the return page as
    /// long as a checkout is in flight, whatever the last status said.
    pub fn follow(&self, returned: bool) -> bool {
        self.confirming(returned)
            || (returned && self.payment_status.is_unsettled() && self.in_flight)
    }

    /// Whether "Pay now" is offered: the booking can be paid and no payment is on its way.
    pub fn offer_payment(&self, returned: bool) -> bool {
        self.can_pay() && !self.confirming(returned)
    }
}

/// Which of the booking's pages the parent is on, and what brought them there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Visit {
    /// The booking's own page.
    Details,
    /// Back from Checkout having paid (Stripe's success_url).
    ReturnedPaid,
    /// Back from Checkout without paying (Stripe's cancel_url).
    ReturnedUnpaid,
    /// Just moved to another session.
    Moved,
}

/// What the top of the parent's page says, the latest thing that matters first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Headline {
    /// The coach cancelled the whole session.
    SessionCancelled,
    /// The booking was cancelled (by the parent, or an admin).
    Cancelled,
    /// Just moved to another session.
    Moved,
    /// An admin's entry, settled outside Stripe: nothing to pay online.
    Settled,
    /// A bank payment is on its way.
    ConfirmingBankPayment,
    /// Just back from a checkout not answered yet.
    Confirming,
    Paid,
    Refunded,
    Failed,
    /// The unpaid hold ran out.
    HoldOver,
    /// Back from Checkout without paying.
    CheckoutLeft,
    /// Unpaid, its place held.
    Awaiting,
}

/// The money tag beside the headline, saying the same thing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum MoneyTagWord {
    /// Stripe's word, as it is.
    Status(PaymentStatus),
    /// How an admin's entry was settled (its own words).
    Settled,
    /// A payment is on its way (a bank debit, or a checkout just completed).
    PaymentOnItsWay,
    /// The booking was cancelled and its refund is on its way.
    RefundOnItsWay,
}

/// What the page knows besides the payment's progress.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PageFacts {
    /// The coach cancelled the session.
    pub session_cancelled: bool,
    /// An unpaid hold's time passed.
    pub hold_over: bool,
    /// A refund was asked for and has not landed.
    pub refund_on_its_way: bool,
}

impl Headline {
    /// The headline for a booking whose payment stands at `progress`, seen on `visit`.
    pub fn of(progress: &PaymentProgress, visit: Visit, facts: PageFacts) -> Self {
        let returned = visit == Visit::ReturnedPaid;
        if progress.attendance_status == AttendanceStatus::Cancelled {
            return if facts.session_cancelled {
                Self::SessionCancelled
            } else {
                Self::Cancelled
            };
        }
        if visit == Visit::Moved {
            return Self::Moved;
        }
        if progress.source == BookingSource::Manual {
            return Self::Settled;
        }
        if progress.confirming(returned) {
            return if progress.awaited {
                Self::ConfirmingBankPayment
            } else {
                Self::Confirming
            };
        }
        match (progress.payment_status, visit) {
            (PaymentStatus::Paid, _) => Self::Paid,
            (PaymentStatus::Refunded, _) => Self::Refunded,
            (PaymentStatus::Failed, _) => Self::Failed,
            // Back from paying, the answer not in: the page follows it.
            (PaymentStatus::Unpaid, Visit::ReturnedPaid) => Self::Confirming,
            (PaymentStatus::Unpaid, _) if facts.hold_over => Self::HoldOver,
            (PaymentStatus::Unpaid, Visit::ReturnedUnpaid) => Self::CheckoutLeft,
            (PaymentStatus::Unpaid, _) => Self::Awaiting,
        }
    }

    /// The money tag that agrees with this headline (`None`: no money to speak of, a cancelled
    /// booking nobody paid for).
    pub fn money_tag(self, progress: &PaymentProgress, facts: PageFacts) -> Option<MoneyTagWord> {
        let status = progress.payment_status;
        if progress.source == BookingSource::Manual {
            return Some(MoneyTagWord::Settled);
        }
        Some(match self {
            Self::SessionCancelled | Self::Cancelled => {
                if status == PaymentStatus::Paid && facts.refund_on_its_way {
                    MoneyTagWord::RefundOnItsWay
                } else if status.is_unsettled() {
                    return None;
                } else {
                    MoneyTagWord::Status(status)
                }
            }
            Self::ConfirmingBankPayment | Self::Confirming => MoneyTagWord::PaymentOnItsWay,
            _ => MoneyTagWord::Status(status),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use AttendanceStatus::{Cancelled, Pending};
    use PaymentStatus::{Failed, Paid, Unpaid};

    fn progress(payment_status: PaymentStatus, awaited: bool, in_flight: bool) -> PaymentProgress {
        PaymentProgress {
            payment_status,
            attendance_status: Pending,
            awaited,
            in_flight,
            source: BookingSource::Online,
        }
    }

    #[test]
    fn a_delayed_payment_is_awaited_until_a_later_failure() {
        assert!(!PaymentProgress::is_awaited(None, None));
        assert!(PaymentProgress::is_awaited(Some(100), None));
        assert!(PaymentProgress::is_awaited(Some(100), Some(50)));
        assert!(PaymentProgress::is_awaited(Some(100), Some(100)));
        assert!(!PaymentProgress::is_awaited(Some(100), Some(150)));
    }

    #[test]
    fn a_checkout_is_in_flight_while_open_for_an_unsettled_booking() {
        let now = 1_000_000;
        assert!(PaymentProgress::is_in_flight(
            Unpaid,
            true,
            Some(1_001),
            now
        ));
        assert!(PaymentProgress::is_in_flight(
            Failed,
            true,
            Some(1_001),
            now
        ));
        assert!(!PaymentProgress::is_in_flight(
            Unpaid,
            true,
            Some(1_000),
            now
        ));
        assert!(!PaymentProgress::is_in_flight(Unpaid, true, None, now));
        assert!(!PaymentProgress::is_in_flight(
            Unpaid,
            false,
            Some(2_000),
            now
        ));
        assert!(!PaymentProgress::is_in_flight(Paid, true, Some(2_000), now));
    }

    #[test]
    fn the_page_confirms_follows_and_offers_payment_as_the_payment_stands() {
        // A bank payment on its way: confirming on every page, no "Pay now".
        let awaited = progress(Unpaid, true, false);
        assert!(awaited.confirming(false) && awaited.follow(false));
        assert!(!awaited.offer_payment(false));
        // Back from a checkout not yet answered: confirming there only.
        let open = progress(Unpaid, false, true);
        assert!(open.confirming(true) && open.follow(true));
        assert!(!open.confirming(false) && !open.follow(false));
        assert!(open.offer_payment(false) && !open.offer_payment(true));
        // A failed card with a checkout still open: followed, not "confirming", payable again.
        let failed = progress(Failed, false, true);
        assert!(!failed.confirming(true) && failed.follow(true));
        assert!(failed.offer_payment(true));
        // Paid: nothing to follow or pay.
        let paid = progress(Paid, false, false);
        assert!(!paid.follow(true) && !paid.offer_payment(false) && !paid.can_pay());
        // Cancelled: never confirming, never payable.
        let cancelled = PaymentProgress {
            attendance_status: Cancelled,
            ..progress(Unpaid, true, true)
        };
        assert!(!cancelled.confirming(true) && !cancelled.offer_payment(true));
        // An admin's entry is settled: nothing to confirm, follow or pay, whatever Stripe says.
        let manual = PaymentProgress {
            source: BookingSource::Manual,
            ..progress(Unpaid, false, false)
        };
        assert!(manual.settled() && !manual.can_pay() && !manual.offer_payment(true));
        assert!(!manual.confirming(true) && !manual.follow(true));
        assert!(paid.settled() && !progress(Unpaid, true, true).settled());
    }

    fn online(
        payment_status: PaymentStatus,
        attendance_status: AttendanceStatus,
    ) -> PaymentProgress {
        PaymentProgress {
            payment_status,
            attendance_status,
            awaited: false,
            in_flight: false,
            source: BookingSource::Online,
        }
    }

    #[test]
    fn the_headline_says_what_just_happened_and_its_tag_agrees() {
        let none = PageFacts::default();
        let words = |p: PaymentProgress, visit: Visit, facts: PageFacts| {
            let headline = Headline::of(&p, visit, facts);
            (headline, headline.money_tag(&p, facts))
        };
        // Cancelled with its refund on its way: never "Cancelled" beside a green Paid.
        let refunding = PageFacts {
            refund_on_its_way: true,
            ..none
        };
        assert_eq!(
            words(online(Paid, Cancelled), Visit::Details, refunding),
            (Headline::Cancelled, Some(MoneyTagWord::RefundOnItsWay))
        );
        assert_eq!(
            words(
                online(PaymentStatus::Refunded, Cancelled),
                Visit::Details,
                none
            ),
            (
                Headline::Cancelled,
                Some(MoneyTagWord::Status(PaymentStatus::Refunded))
            )
        );
        // Nobody paid: no money tag at all beside "cancelled".
        assert_eq!(
            words(online(Unpaid, Cancelled), Visit::Details, none),
            (Headline::Cancelled, None)
        );
        // The coach cancelled the session: said as such.
        let by_coach = PageFacts {
            session_cancelled: true,
            ..refunding
        };
        assert_eq!(
            words(online(Paid, Cancelled), Visit::Details, by_coach).0,
            Headline::SessionCancelled
        );
        // A bank payment on its way: "on its way" beside it, not Unpaid.
        let bank = PaymentProgress {
            awaited: true,
            ..online(Unpaid, Pending)
        };
        assert_eq!(
            words(bank, Visit::Details, none),
            (
                Headline::ConfirmingBankPayment,
                Some(MoneyTagWord::PaymentOnItsWay)
            )
        );
        let just_back = PaymentProgress {
            in_flight: true,
            ..online(Unpaid, Pending)
        };
        assert_eq!(
            words(just_back, Visit::ReturnedPaid, none),
            (Headline::Confirming, Some(MoneyTagWord::PaymentOnItsWay))
        );
        // After a move the page says the move, beside the payment as it is.
        assert_eq!(
            words(online(Paid, Pending), Visit::Moved, none),
            (Headline::Moved, Some(MoneyTagWord::Status(Paid)))
        );
        assert_eq!(
            words(online(Paid, Pending), Visit::Details, none).0,
            Headline::Paid
        );
        let held_over = PageFacts {
            hold_over: true,
            ..none
        };
        assert_eq!(
            words(online(Unpaid, Pending), Visit::Details, held_over).0,
            Headline::HoldOver
        );
        assert_eq!(
            words(online(Unpaid, Pending), Visit::ReturnedUnpaid, none).0,
            Headline::CheckoutLeft
        );
        assert_eq!(
            words(online(Failed, Pending), Visit::Details, none),
            (Headline::Failed, Some(MoneyTagWord::Status(Failed)))
        );
        let manual = PaymentProgress {
            source: BookingSource::Manual,
            ..online(Unpaid, AttendanceStatus::Manual)
        };
        assert_eq!(
            words(manual, Visit::Details, none),
            (Headline::Settled, Some(MoneyTagWord::Settled))
        );
    }
}
