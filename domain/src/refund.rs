//! How much of a booking's payment can still be refunded, and what the parent is told of its
//! refunds: one rule for the admin's refund form, the refund use case and the parent's page.

use crate::money::Money;
use crate::status::{PaymentStatus, RefundStatus};

/// What is left to refund of a payment: what was paid (the price, while Stripe has not said
/// how much), less what is refunded or asked for. Stripe's refunded total and our requests
/// that are not failed count the same money, so the larger of the two is taken, not the sum.
pub fn left_to_refund(
    price: i64,
    amount_paid: Option<i64>,
    refunded: i64,
    requests: impl IntoIterator<Item = (RefundStatus, i64)>,
) -> i64 {
    let asked: i64 = requests
        .into_iter()
        .filter(|(status, _)| status.commits_money())
        .map(|(_, amount)| amount)
        .sum();
    (amount_paid.unwrap_or(price) - asked.max(refunded)).max(0)
}

/// What an admin may still refund of a booking: something left, of a paid booking.
pub fn refundable(status: PaymentStatus, left: i64) -> Option<i64> {
    (status == PaymentStatus::Paid && left > 0).then_some(left)
}

/// The reasons an admin may give Stripe for a refund (what the parent's bank statement shows),
/// each with its words for the admin.
pub const REASONS: [(&str, &str); 3] = [
    ("requested_by_customer", "Asked by the parent"),
    ("duplicate", "Paid twice"),
    ("fraudulent", "Fraud"),
];

/// A refund reason in the admin's words (Stripe's spelling when it is none of ours).
pub fn reason_label(reason: &str) -> String {
    REASONS
        .iter()
        .find(|(spelling, _)| *spelling == reason)
        .map_or_else(
            || reason.replace('_', " "),
            |(_, label)| (*label).to_owned(),
        )
}

/// What the parent's page says of the booking's refunds (`None`: nothing to say).
pub fn refund_note(
    status: PaymentStatus,
    amount_paid: Option<i64>,
    refunded: i64,
    on_its_way: bool,
    currency: &str,
) -> Option<String> {
    let money = |amount: i64| Money::new(amount, currency).to_string();
    match (status, on_its_way) {
        (PaymentStatus::Refunded, _) => Some(format!(
            "{} was refunded.",
            money(refunded.max(amount_paid.unwrap_or(0)))
        )),
        (_, true) => Some(
            "A refund is on its way: it usually reaches your account within 5 to 10 days."
                .to_owned(),
        ),
        (_, false) if refunded > 0 => Some(format!("{} was refunded.", money(refunded))),
        _ => None,
    }
}

/// The key suffix of a refund asked for when a family's bookings of a term are cancelled
/// together: its success is not mailed on its own (the cancellation's one mail gave the
/// total).
pub const TOGETHER: &str = "term";

#[cfg(test)]
mod tests {
    use super::*;
    use RefundStatus::*;

    #[test]
    fn what_is_left_counts_paid_money_less_refunds_once() {
        // Nothing refunded: all of what was paid, or of the price while unknown.
        assert_eq!(left_to_refund(5000, Some(4500), 0, []), 4500);
        assert_eq!(left_to_refund(5000, None, 0, []), 5000);
        // A request on its way and Stripe's total for the same money count once.
        assert_eq!(
            left_to_refund(5000, Some(5000), 2000, [(Succeeded, 2000)]),
            3000
        );
        assert_eq!(
            left_to_refund(5000, Some(5000), 0, [(Requested, 1000), (Pending, 500)]),
            3500
        );
        // A failed request gave nothing back.
        assert_eq!(left_to_refund(5000, Some(5000), 0, [(Failed, 5000)]), 5000);
        // Stripe's total is larger (a refund made in Stripe's dashboard): it wins.
        assert_eq!(
            left_to_refund(5000, Some(5000), 4000, [(Succeeded, 1000)]),
            1000
        );
        // Never below zero.
        assert_eq!(left_to_refund(5000, Some(5000), 6000, []), 0);
    }

    #[test]
    fn refund_reasons_read_in_the_admin_s_words() {
        assert_eq!(reason_label("requested_by_customer"), "Asked by the parent");
        assert_eq!(reason_label("duplicate"), "Paid twice");
        assert_eq!(
            reason_label("expired_uncaptured_charge"),
            "expired uncaptured charge"
        );
    }

    #[test]
    fn only_a_paid_booking_with_money_left_is_refundable() {
        assert_eq!(refundable(PaymentStatus::Paid, 100), Some(100));
        assert_eq!(refundable(PaymentStatus::Paid, 0), None);
        for status in [
            PaymentStatus::Unpaid,
            PaymentStatus::Failed,
            PaymentStatus::Refunded,
        ] {
            assert_eq!(refundable(status, 100), None);
        }
    }

    #[test]
    fn the_parent_is_told_what_was_refunded_or_is_on_its_way() {
        use PaymentStatus::*;
        assert_eq!(
            refund_note(Refunded, Some(5000), 0, false, "eur").as_deref(),
            Some("€50.00 was refunded.")
        );
        assert_eq!(
            refund_note(Refunded, Some(5000), 5500, false, "eur").as_deref(),
            Some("€55.00 was refunded.")
        );
        assert!(refund_note(Paid, Some(5000), 0, true, "eur")
            .unwrap()
            .starts_with("A refund is on its way"));
        assert_eq!(
            refund_note(Paid, Some(5000), 1000, false, "eur").as_deref(),
            Some("€10.00 was refunded.")
        );
        assert_eq!(refund_note(Paid, Some(5000), 0, false, "eur"), None);
        assert_eq!(refund_note(Unpaid, None, 0, false, "eur"), None);
    }
}
