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
}
