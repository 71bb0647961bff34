//! The mails of a booking's money, as Stripe reports it: the receipt, a failed payment, a
//! refund completed.

use super::body::Draft;
use super::{MailBooking, Sender};
use crate::money::Money;
use crate::schedule;
use serde::{Deserialize, Serialize};

/// Money that moved through Stripe: a payment received or a refund completed. (Its fields are
/// its stored form too.)
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentFacts {
    /// Minor units of `currency`; the booking's price when Stripe did not say.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<i64>,
    pub currency: String,
    /// Stripe's id of the payment, when it gave one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_id: Option<String>,
    /// When it happened (UTC ms).
    pub at: i64,
}

impl PaymentFacts {
    fn money(&self, b: &MailBooking) -> String {
        Money::new(self.amount.unwrap_or(b.amount), self.currency.as_str()).to_string()
    }
}

/// The receipt, and the booking's one confirmation when it was paid at once: what was paid and
/// when, the session and the booking's reference in one table, and the calendar entry.
pub(super) fn received(
    b: &MailBooking,
    facts: &PaymentFacts,
    sender: &Sender<'_>,
    now: i64,
) -> Draft {
    let mut body = b.hello();
    body.say(if b.children > 1 {
        format!(
            "We received your payment. The places of {} are confirmed.",
            b.athlete_name
        )
    } else {
        format!(
            "We received your payment. {}'s place is confirmed.",
            b.athlete_name
        )
    });
    let mut receipt = vec![
        ("Amount paid", facts.money(b)),
        ("Paid on", schedule::when(facts.at, sender.timezone)),
    ];
    receipt.extend(b.session_facts(sender));
    body.facts(receipt);
    body.say("The calendar entry is attached.");
    body.link("Your booking, to change or cancel it", b.link(sender));
    Draft {
        subject: format!("Booking confirmed: {}, {}", b.session_title, b.when(sender)),
        body,
        ics: Some(b.calendar(sender, now, b.calendar_changes)),
    }
}

/// A payment that arrived after the booking was cancelled: there is no place to confirm, so
/// the money goes back in full.
pub(super) fn returned(b: &MailBooking, facts: &PaymentFacts, sender: &Sender<'_>) -> Draft {
    let mut body = b.hello();
    let amount = facts.money(b);
    body.say(format!(
        "Your payment of {amount} for {} arrived after the booking was cancelled, so there is no place to confirm. We are returning it to you in full: it usually reaches your account within 5 to 10 days.",
        b.session_title
    ));
    let mut details = vec![
        ("Payment", amount),
        ("Arrived on", schedule::when(facts.at, sender.timezone)),
    ];
    if let Some(id) = &facts.payment_id {
        details.push(("Stripe payment", id.clone()));
    }
    body.facts(details);
    body.facts(b.session_facts(sender));
    body.link("Your booking", b.link(sender));
    Draft::new(
        format!("Payment returned: {} was cancelled", b.session_title),
        body,
    )
}

/// Stripe's words for the failure (`message`), and a way to try again.
pub(super) fn failed(b: &MailBooking, message: Option<&str>, sender: &Sender<'_>) -> Draft {
    let mut body = b.hello();
    body.say(format!(
        "Your payment for {} did not go through: {}",
        b.session_title,
        message.unwrap_or("the payment failed.")
    ));
    body.say("Your booking is saved. You can try again with the same or another card:");
    body.link("Try paying again", b.link(sender));
    body.facts(b.session_facts(sender));
    Draft::new(format!("Payment failed: {}", b.session_title), body)
}

/// A refund on its way back: how much, when, of which payment.
pub(super) fn refunded(b: &MailBooking, facts: &PaymentFacts, sender: &Sender<'_>) -> Draft {
    let mut body = b.hello();
    let amount = facts.money(b);
    body.say(format!(
        "Your refund of {amount} for {} is on its way back to you. It usually reaches your account within 5 to 10 days.",
        b.session_title
    ));
    let mut details = vec![
        ("Refunded", amount.clone()),
        ("On", schedule::when(facts.at, sender.timezone)),
    ];
    if let Some(id) = &facts.payment_id {
        details.push(("Payment", id.clone()));
    }
    details.push(("Reference", b.reference.clone()));
    body.facts(details);
    body.link("Your booking", b.link(sender));
    Draft::new(format!("Refund completed: {amount}"), body)
}

#[cfg(test)]
mod family_tests {
    use super::super::fixtures::{booking, payment, sender};
    use super::super::BookingMail;

    #[test]
    fn a_familys_receipt_confirms_every_childs_place() {
        let mut family = booking();
        family.athlete_name = "Alex and Sam".into();
        family.children = 2;
        let mail = BookingMail::PaymentReceived(payment()).render(&family, &sender(), 0);
        assert!(
            mail.text
                .contains("We received your payment. The places of Alex and Sam are confirmed."),
            "{}",
            mail.text
        );
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{booking, payment, sender};
    use super::super::BookingMail;
    use super::*;

    #[test]
    fn the_receipt_confirms_the_booking_with_its_reference_and_calendar_entry() {
        let mail = BookingMail::PaymentReceived(payment()).render(&booking(), &sender(), 0);
        assert!(mail
            .subject
            .starts_with("Booking confirmed: Sprint technique"));
        for fact in [
            "Amount paid: £45.00",
            "Paid on: Sat 4 Jul 2026, 10:30 BST",
            "Reference: abcdefghjkmnpqrstvwx",
            "The calendar entry is attached.",
        ] {
            assert!(mail.text.contains(fact), "{fact} in {}", mail.text);
        }
        // Stripe's id of the payment means nothing to a parent.
        assert!(!mail.text.contains("pi_123"), "{}", mail.text);
        assert!(!mail.html.contains("pi_123"), "{}", mail.html);
        // One table, so its columns line up: the receipt and the session together.
        assert_eq!(mail.html.matches("<table").count(), 1, "{}", mail.html);
        let ics = mail.ics.expect("the calendar entry");
        assert!(ics.contains("UID:booking-abcdefghjkmnpqrstvwx@"), "{ics}");
        assert!(!ics.contains("METHOD:CANCEL"), "{ics}");
    }

    #[test]
    fn without_stripe_s_amount_the_receipt_shows_the_price_in_stripe_s_currency() {
        let facts = PaymentFacts {
            amount: None,
            currency: "usd".into(),
            payment_id: None,
            ..payment()
        };
        let mail = BookingMail::PaymentReceived(facts).render(&booking(), &sender(), 0);
        assert!(mail.text.contains("Amount paid: $45.00"), "{}", mail.text);
        assert!(!mail.text.contains("Payment: "), "{}", mail.text);
    }

    #[test]
    fn a_failed_payment_gives_stripe_s_words_and_a_way_to_try_again() {
        let declined = BookingMail::PaymentFailed {
            message: Some("Your card was declined.".into()),
        }
        .render(&booking(), &sender(), 0);
        assert_eq!(declined.subject, "Payment failed: Sprint technique");
        assert!(declined.text.contains(
            "Your payment for Sprint technique did not go through: Your card was declined."
        ));
        assert!(declined
            .text
            .contains("Try paying again: https://book.example.com/bookings/abcdefghjkmnpqrstvwx"));
        let silent = BookingMail::PaymentFailed { message: None }.render(&booking(), &sender(), 0);
        assert!(silent
            .text
            .contains("did not go through: the payment failed."));
    }

    #[test]
    fn a_refund_says_how_much_when_and_of_which_booking() {
        let facts = PaymentFacts {
            amount: Some(1500),
            ..payment()
        };
        let mail = BookingMail::RefundCompleted(facts).render(&booking(), &sender(), 0);
        assert_eq!(mail.subject, "Refund completed: £15.00");
        for fact in [
            "Your refund of £15.00 for Sprint technique is on its way back to you.",
            "Refunded: £15.00",
            "On: Sat 4 Jul 2026, 10:30 BST",
            "Payment: pi_123",
            "Reference: abcdefghjkmnpqrstvwx",
        ] {
            assert!(mail.text.contains(fact), "{fact} in {}", mail.text);
        }
    }

    #[test]
    fn a_payment_after_the_cancellation_is_returned_and_confirms_no_place() {
        let mail = BookingMail::LatePaymentReturned(payment()).render(&booking(), &sender(), 0);
        assert_eq!(
            mail.subject,
            "Payment returned: Sprint technique was cancelled"
        );
        assert!(
            mail.text
                .contains("arrived after the booking was cancelled"),
            "{}",
            mail.text
        );
        assert!(
            mail.text.contains("returning it to you in full"),
            "{}",
            mail.text
        );
        assert!(mail.text.contains("Payment: £45.00"), "{}", mail.text);
        assert!(
            !mail.text.to_lowercase().contains("confirmed"),
            "{}",
            mail.text
        );
        assert_eq!(mail.ics, None);
    }
}
