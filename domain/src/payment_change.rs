//! What a decision writes on the booking: the status it moves to and the Stripe facts that
//! come with it. Computed here, written by `app::db::payments`.

use crate::discount::Discount;
use crate::status::PaymentStatus;
use crate::stripe_event::StripeEvent;
use crate::transition::{status_after, Decision, PaymentSignal};

/// The booking columns one decision writes, applied only while the booking still holds `from`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentChange {
    /// The status the decision was taken from; the write is conditional on it.
    pub from: PaymentStatus,
    pub to: PaymentStatus,
    /// The Checkout Session that settled the booking (kept when absent).
    pub checkout_session_id: Option<String>,
    /// The PaymentIntent that paid (or refunded) the booking (the first one stored is kept).
    pub payment_intent_id: Option<String>,
    /// What the settling session charged, when it moved the booking to `paid`.
    pub amount_paid: Option<i64>,
    /// The promotion code's discount on that session, if it had one.
    pub discount: Option<Discount>,
    /// Stripe's refunded total for the charge (the largest seen is kept).
    pub amount_refunded: Option<i64>,
    /// A delayed payment method completed the checkout: its money is awaited.
    pub awaited: bool,
    /// Whether the booking row is written at all.
    pub writes_booking: bool,
    /// An expired session to clear from the booking, if the booking still holds it.
    pub expired_session: Option<String>,
}

impl PaymentChange {
    pub fn of(
        event: &StripeEvent,
        signal: PaymentSignal,
        from: PaymentStatus,
        decision: Decision,
    ) -> Self {
        let to = status_after(from, decision);
        // A completed session that moved the booking (or awaits its bank) is the booking's payment.
        let settles = matches!(signal, PaymentSignal::CheckoutCompleted { .. })
            && matches!(
                decision,
                Decision::Transition { .. } | Decision::AwaitingPayment
            );
        // The refunded amount is Stripe's fact about the charge, whatever the status decision:
        // recording it even when a refund overtakes its payment keeps the final state
        // independent of delivery order.
        let amount_refunded = match signal {
            PaymentSignal::ChargeRefunded {
                amount_refunded, ..
            } => Some(amount_refunded),
            _ => None,
        };
        // The session's money is the booking's once it moves the booking to `paid`: when it
        // completes, or when its delayed payment succeeds (the event carries the same session).
        let pays = to == PaymentStatus::Paid
            && from != PaymentStatus::Paid
            && matches!(
                signal,
                PaymentSignal::CheckoutCompleted { .. } | PaymentSignal::AsyncPaymentSucceeded
            );
        let owned = |id: Option<&str>| id.map(str::to_owned);
        Self {
            from,
            to,
            checkout_session_id: owned(settles.then(|| event.checkout_session_id()).flatten()),
            payment_intent_id: owned(
                (settles || amount_refunded.is_some())
                    .then(|| event.payment_intent_id())
                    .flatten(),
            ),
            amount_paid: pays.then_some(event.object.amount).flatten(),
            discount: pays.then(|| Discount::of(&event.object)).flatten(),
            amount_refunded,
            awaited: decision == Decision::AwaitingPayment,
            writes_booking: to != from || settles || amount_refunded.is_some(),
            expired_session: owned(
                (decision == Decision::SessionExpired)
                    .then(|| event.checkout_session_id())
                    .flatten(),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transition::{decide, SessionPayment};

    fn event(body: &str) -> StripeEvent {
        StripeEvent::parse(body.as_bytes()).unwrap()
    }

    #[test]
    fn a_completed_session_carries_its_ids_and_amount() {
        let completed = event(
            r#"{"id":"e","type":"checkout.session.completed","data":{"object":{"object":"checkout.session","id":"cs_1","payment_intent":"pi_1","amount_total":4500,"payment_status":"paid"}}}"#,
        );
        let signal = PaymentSignal::CheckoutCompleted {
            session_payment: SessionPayment::Paid,
        };
        let change = PaymentChange::of(
            &completed,
            signal,
            PaymentStatus::Unpaid,
            decide(signal, PaymentStatus::Unpaid),
        );
        assert_eq!(change.to, PaymentStatus::Paid);
        assert_eq!(change.checkout_session_id.as_deref(), Some("cs_1"));
        assert_eq!(change.payment_intent_id.as_deref(), Some("pi_1"));
        assert_eq!(change.amount_paid, Some(4500));
        assert!(change.writes_booking);

        // Refused (already paid): nothing is written.
        let again = PaymentChange::of(
            &completed,
            signal,
            PaymentStatus::Paid,
            decide(signal, PaymentStatus::Paid),
        );
        assert!(!again.writes_booking);
        assert_eq!(again.checkout_session_id, None);
    }

    #[test]
    fn a_discounted_session_carries_what_was_paid_and_its_discount_when_it_pays() {
        let body = |kind: &str, payment_status: &str| {
            format!(
                r#"{{"id":"e","type":"{kind}","data":{{"object":{{"object":"checkout.session","id":"cs_1",
                "payment_intent":"pi_1","amount_total":3500,"payment_status":"{payment_status}",
                "total_details":{{"amount_discount":1000}},"discounts":[{{"promotion_code":"promo_1"}}]}}}}}}"#
            )
        };
        let discount = Some(Discount {
            amount: 1000,
            promotion_code: None,
            promotion_code_id: Some("promo_1".into()),
        });
        let paid = event(&body("checkout.session.completed", "paid"));
        let signal = PaymentSignal::CheckoutCompleted {
            session_payment: SessionPayment::Paid,
        };
        let change = PaymentChange::of(
            &paid,
            signal,
            PaymentStatus::Unpaid,
            decide(signal, PaymentStatus::Unpaid),
        );
        assert_eq!(
            (change.amount_paid, change.discount.clone()),
            (Some(3500), discount.clone())
        );
        // A bank debit: nothing paid yet when the session completes; its success pays.
        let awaiting = event(&body("checkout.session.completed", "unpaid"));
        let signal = PaymentSignal::CheckoutCompleted {
            session_payment: SessionPayment::Unpaid,
        };
        let change = PaymentChange::of(
            &awaiting,
            signal,
            PaymentStatus::Unpaid,
            decide(signal, PaymentStatus::Unpaid),
        );
        assert_eq!((change.amount_paid, change.discount), (None, None));
        let succeeded = event(&body("checkout.session.async_payment_succeeded", "paid"));
        let signal = PaymentSignal::AsyncPaymentSucceeded;
        let change = PaymentChange::of(
            &succeeded,
            signal,
            PaymentStatus::Unpaid,
            decide(signal, PaymentStatus::Unpaid),
        );
        assert_eq!(
            (change.amount_paid, change.discount),
            (Some(3500), discount)
        );
        // Already paid: nothing of it is written again.
        let again = PaymentChange::of(
            &succeeded,
            signal,
            PaymentStatus::Paid,
            decide(signal, PaymentStatus::Paid),
        );
        assert_eq!((again.amount_paid, again.discount), (None, None));
    }

    #[test]
    fn a_refund_records_its_amount_whatever_the_decision() {
        let refund = event(
            r#"{"id":"e","type":"charge.refunded","data":{"object":{"object":"charge","payment_intent":"pi_2","amount":4500,"amount_refunded":4500,"refunded":true}}}"#,
        );
        let signal = PaymentSignal::ChargeRefunded {
            fully: true,
            amount_refunded: 4500,
        };
        for from in PaymentStatus::ALL {
            let change = PaymentChange::of(&refund, signal, from, decide(signal, from));
            assert_eq!(change.amount_refunded, Some(4500));
            assert_eq!(change.payment_intent_id.as_deref(), Some("pi_2"));
            assert!(change.writes_booking);
        }
    }

    #[test]
    fn an_expiry_names_the_session_to_clear() {
        let expired = event(
            r#"{"id":"e","type":"checkout.session.expired","data":{"object":{"object":"checkout.session","id":"cs_old"}}}"#,
        );
        let change = PaymentChange::of(
            &expired,
            PaymentSignal::CheckoutExpired,
            PaymentStatus::Unpaid,
            Decision::SessionExpired,
        );
        assert_eq!(change.expired_session.as_deref(), Some("cs_old"));
        assert!(!change.writes_booking);
    }
}
