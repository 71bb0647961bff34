//! Whether an event is about this booking's own payment: the money it carries is the booking's
//! amount in the booking's currency, in the mode (test or live) of the configured Stripe key,
//! and a refund or a failure is of the payment the booking holds. A Stripe account's webhooks
//! cover the whole account (Payment Links, other apps), so an event naming a booking is not yet
//! proof that it pays for it.

use crate::money::Money;
use crate::stripe_event::StripeEvent;
use crate::transition::PaymentSignal;
use serde::{Deserialize, Serialize};

/// Test or live: which kind of Stripe key the deployment holds. Events of the other kind never
/// change a booking.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum StripeMode {
    Test,
    Live,
}

impl StripeMode {
    /// The mode of a secret or restricted key (`sk_live_...`, `rk_test_...`); simulated
    /// payments are test mode.
    pub fn of_key(key: Option<&str>) -> Self {
        match key {
            Some(key) if key.starts_with("sk_live_") || key.starts_with("rk_live_") => Self::Live,
            _ => Self::Test,
        }
    }

    pub const fn is_live(self) -> bool {
        matches!(self, Self::Live)
    }
}

/// What a booking expects of a payment that settles it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Expected<'a> {
    /// Minor units.
    pub amount: i64,
    /// What a promotion code took off the payment already made (0 before it, or without one):
    /// a refund or failure is of `amount` less this.
    pub discounted: i64,
    pub currency: &'a str,
    /// The PaymentIntent already tied to the booking, if any.
    pub payment_intent_id: Option<&'a str>,
}

/// Why an event is not this booking's payment.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Mismatch {
    #[error("livemode mismatch: a {} event, this deployment takes {} events", mode_word(*.event_live), mode_word(*.expected_live))]
    Livemode {
        event_live: bool,
        expected_live: bool,
    },
    #[error("amount mismatch: got {}, booking is {}", major(.got), major(.expected))]
    Amount { got: Money, expected: Money },
    /// A discounted session whose total and discount do not come to the booking's amount.
    #[error("amount mismatch: got {} with a discount of {}, booking is {}", major(.got), major(.discount), major(.expected))]
    Discounted {
        got: Money,
        discount: Money,
        expected: Money,
    },
    #[error("currency mismatch: got {got}, booking is in {expected}")]
    Currency { got: String, expected: String },
    #[error("the event carries no {0}, so it cannot be checked against the booking")]
    Missing(&'static str),
    #[error("mode mismatch: a {0} session, bookings are paid in payment mode")]
    Mode(String),
    #[error(
        "payment mismatch: the event is about PaymentIntent {got}, the booking's payment is {held}"
    )]
    OtherPayment { got: String, held: String },
}

fn mode_word(live: bool) -> &'static str {
    if live {
        "live"
    } else {
        "test"
    }
}

/// "45.00 USD": the amount in major units and the code, unambiguous in a log line.
fn major(money: &Money) -> String {
    format!(
        "{} {}",
        Money::format_major(money.amount, &money.currency),
        money.currency
    )
}

/// Whether a signal must carry the session's total: those that make (or promise) a payment.
fn must_carry_money(signal: PaymentSignal) -> bool {
    matches!(
        signal,
        PaymentSignal::CheckoutCompleted { .. } | PaymentSignal::AsyncPaymentSucceeded
    )
}

/// Whether a signal is about one PaymentIntent (and must be the booking's, once it has one).
fn names_a_payment(signal: PaymentSignal) -> bool {
    matches!(
        signal,
        PaymentSignal::ChargeRefunded { .. } | PaymentSignal::PaymentIntentFailed
    )
}

/// Whether a session's total `got` (and its discount, if any) settles the booking: with no
/// discount, the total is at least the booking's amount; with one (a promotion code), the
/// session itself accounts for the difference: its total and its discount come to exactly the
/// booking's amount.
fn settles(got: i64, discount: Option<i64>, expected: Expected<'_>) -> Result<(), Mismatch> {
    let money = |amount: i64| Money::new(amount, expected.currency);
    match discount.filter(|discount| *discount > 0) {
        None if got >= expected.amount => Ok(()),
        None => Err(Mismatch::Amount {
            got: money(got),
            expected: money(expected.amount),
        }),
        Some(discount) if got >= 0 && got.checked_add(discount) == Some(expected.amount) => Ok(()),
        Some(discount) => Err(Mismatch::Discounted {
            got: money(got),
            discount: money(discount),
            expected: money(expected.amount),
        }),
    }
}

/// Checks `event` (carrying `signal`) against the booking, in a deployment of `mode`.
pub fn check(
    event: &StripeEvent,
    signal: PaymentSignal,
    expected: Expected<'_>,
    mode: StripeMode,
) -> Result<(), Mismatch> {
    if let Some(event_live) = event.livemode {
        if event_live != mode.is_live() {
            return Err(Mismatch::Livemode {
                event_live,
                expected_live: mode.is_live(),
            });
        }
    }
    // An expiry moves no money: whichever session it is, nothing is paid by it.
    if signal == PaymentSignal::CheckoutExpired {
        return Ok(());
    }
    let object = &event.object;
    if let Some(mode) = object.mode.as_deref().filter(|mode| *mode != "payment") {
        return Err(Mismatch::Mode(mode.to_owned()));
    }
    match (&object.currency, must_carry_money(signal)) {
        (Some(got), _) if !got.eq_ignore_ascii_case(expected.currency) => {
            return Err(Mismatch::Currency {
                got: got.to_ascii_uppercase(),
                expected: expected.currency.to_ascii_uppercase(),
            })
        }
        (None, true) => return Err(Mismatch::Missing("currency")),
        _ => {}
    }
    let money = |amount: i64| Money::new(amount, expected.currency);
    match (object.amount, must_carry_money(signal)) {
        (Some(got), true) => settles(got, object.amount_discount, expected)?,
        // A refund or a failure is of the payment made: the booking's amount, less its discount.
        (Some(got), false) if got < expected.amount - expected.discounted => {
            return Err(Mismatch::Amount {
                got: money(got),
                expected: money(expected.amount - expected.discounted),
            })
        }
        (None, true) => return Err(Mismatch::Missing("amount")),
        _ => {}
    }
    if names_a_payment(signal) {
        if let (Some(held), Some(got)) = (expected.payment_intent_id, event.payment_intent_id()) {
            if held != got {
                return Err(Mismatch::OtherPayment {
                    got: got.to_owned(),
                    held: held.to_owned(),
                });
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stripe_event::Interpretation;

    fn event(body: serde_json::Value) -> (StripeEvent, PaymentSignal) {
        let event = StripeEvent::parse(body.to_string().as_bytes()).unwrap();
        let Interpretation::Signal(signal) = event.interpret() else {
            panic!("{body}")
        };
        (event, signal)
    }

    fn completed(amount: serde_json::Value, currency: &str, livemode: bool) -> serde_json::Value {
        serde_json::json!({"id": "evt_1", "type": "checkout.session.completed", "livemode": livemode,
            "data": {"object": {"object": "checkout.session", "id": "cs_1", "payment_status": "paid",
            "amount_total": amount, "currency": currency, "metadata": {"bookingId": "7"}}}})
    }

    const BOOKING: Expected<'static> = Expected {
        amount: 4500,
        discounted: 0,
        currency: "USD",
        payment_intent_id: None,
    };

    #[test]
    fn the_booking_amount_in_its_currency_pays_it() {
        for amount in [4500, 5000] {
            let (e, s) = event(completed(amount.into(), "usd", false));
            assert_eq!(check(&e, s, BOOKING, StripeMode::Test), Ok(()));
        }
    }

    #[test]
    fn one_cent_or_another_currency_does_not() {
        let (e, s) = event(completed(1.into(), "usd", false));
        let err = check(&e, s, BOOKING, StripeMode::Test).unwrap_err();
        assert_eq!(
            err.to_string(),
            "amount mismatch: got 0.01 USD, booking is 45.00 USD"
        );
        let (e, s) = event(completed(4500.into(), "eur", false));
        assert_eq!(
            check(&e, s, BOOKING, StripeMode::Test)
                .unwrap_err()
                .to_string(),
            "currency mismatch: got EUR, booking is in USD"
        );
        let (e, s) = event(completed(serde_json::Value::Null, "usd", false));
        assert_eq!(
            check(&e, s, BOOKING, StripeMode::Test),
            Err(Mismatch::Missing("amount"))
        );
    }

    fn discounted(total: i64, discount: serde_json::Value) -> (StripeEvent, PaymentSignal) {
        let mut body = completed(total.into(), "usd", false);
        body["data"]["object"]["total_details"] =
            serde_json::json!({"amount_discount": discount, "amount_tax": 0});
        body["data"]["object"]["discounts"] = serde_json::json!([{"promotion_code": "promo_1"}]);
        event(body)
    }

    #[test]
    fn a_session_that_accounts_for_its_discount_pays_the_booking() {
        let (e, s) = discounted(3500, 1000.into());
        assert_eq!(check(&e, s, BOOKING, StripeMode::Test), Ok(()));
        // A code that takes it all: nothing to pay, and still the booking's own session.
        let (e, s) = discounted(0, 4500.into());
        assert_eq!(check(&e, s, BOOKING, StripeMode::Test), Ok(()));
        // A discount of nothing is no discount: the total alone must do, as always.
        let (e, s) = discounted(4500, 0.into());
        assert_eq!(check(&e, s, BOOKING, StripeMode::Test), Ok(()));
    }

    #[test]
    fn a_short_payment_without_a_discount_that_makes_it_up_does_not() {
        let (e, s) = discounted(3500, 0.into());
        assert_eq!(
            check(&e, s, BOOKING, StripeMode::Test)
                .unwrap_err()
                .to_string(),
            "amount mismatch: got 35.00 USD, booking is 45.00 USD"
        );
        let (e, s) = discounted(3500, serde_json::Value::Null);
        assert!(matches!(
            check(&e, s, BOOKING, StripeMode::Test),
            Err(Mismatch::Amount { .. })
        ));
        // The discount does not add up: too short, or a session for another price.
        for (total, discount) in [(3000, 1000), (4500, 1000), (3500, 999)] {
            let (e, s) = discounted(total, discount.into());
            assert!(
                matches!(
                    check(&e, s, BOOKING, StripeMode::Test),
                    Err(Mismatch::Discounted { .. })
                ),
                "{total} + {discount}"
            );
        }
        let (e, s) = discounted(3000, 1000.into());
        assert_eq!(
            check(&e, s, BOOKING, StripeMode::Test)
                .unwrap_err()
                .to_string(),
            "amount mismatch: got 30.00 USD with a discount of 10.00 USD, booking is 45.00 USD"
        );
        let (e, s) = discounted(-1000, 5500.into());
        assert!(check(&e, s, BOOKING, StripeMode::Test).is_err());
        let (e, s) = discounted(i64::MAX, 1.into());
        assert!(check(&e, s, BOOKING, StripeMode::Test).is_err());
    }

    #[test]
    fn a_refund_of_a_discounted_payment_is_checked_against_what_was_paid() {
        let refund = |amount: i64| {
            event(
                serde_json::json!({"id": "evt_r", "type": "charge.refunded", "data": {"object": {
                "object": "charge", "payment_intent": "pi_mine", "amount": amount,
                "amount_refunded": amount, "refunded": true, "currency": "usd"}}}),
            )
        };
        let paid = Expected {
            discounted: 1000,
            payment_intent_id: Some("pi_mine"),
            ..BOOKING
        };
        let (e, s) = refund(3500);
        assert_eq!(check(&e, s, paid, StripeMode::Test), Ok(()));
        let (e, s) = refund(3400);
        assert_eq!(
            check(&e, s, paid, StripeMode::Test)
                .unwrap_err()
                .to_string(),
            "amount mismatch: got 34.00 USD, booking is 35.00 USD"
        );
    }

    #[test]
    fn a_test_event_never_changes_a_live_deployment_nor_the_reverse() {
        let (e, s) = event(completed(4500.into(), "usd", false));
        assert!(matches!(
            check(&e, s, BOOKING, StripeMode::Live),
            Err(Mismatch::Livemode {
                event_live: false,
                expected_live: true
            })
        ));
        let (e, s) = event(completed(4500.into(), "usd", true));
        assert!(check(&e, s, BOOKING, StripeMode::Test).is_err());
        assert_eq!(check(&e, s, BOOKING, StripeMode::Live), Ok(()));
        assert_eq!(StripeMode::of_key(Some("sk_live_x")), StripeMode::Live);
        assert_eq!(StripeMode::of_key(Some("rk_test_x")), StripeMode::Test);
        assert_eq!(StripeMode::of_key(None), StripeMode::Test);
    }

    #[test]
    fn a_refund_must_be_of_the_booking_s_own_payment() {
        let refund = |pi: &str, amount: i64| {
            event(
                serde_json::json!({"id": "evt_r", "type": "charge.refunded", "data": {"object": {
                "object": "charge", "payment_intent": pi, "amount": amount, "amount_refunded": amount,
                "refunded": true, "currency": "usd"}}}),
            )
        };
        let held = Expected {
            payment_intent_id: Some("pi_mine"),
            ..BOOKING
        };
        let (e, s) = refund("pi_mine", 4500);
        assert_eq!(check(&e, s, held, StripeMode::Test), Ok(()));
        let (e, s) = refund("pi_other", 4500);
        assert!(matches!(
            check(&e, s, held, StripeMode::Test),
            Err(Mismatch::OtherPayment { .. })
        ));
        let (e, s) = refund("pi_mine", 100);
        assert!(matches!(
            check(&e, s, held, StripeMode::Test),
            Err(Mismatch::Amount { .. })
        ));
        // Before any payment is tied to the booking, a refund is matched by its metadata.
        let (e, s) = refund("pi_other", 4500);
        assert_eq!(check(&e, s, BOOKING, StripeMode::Test), Ok(()));
    }

    #[test]
    fn a_subscription_or_setup_session_pays_no_booking() {
        for mode in ["subscription", "setup"] {
            let mut body = completed(4500.into(), "usd", false);
            body["data"]["object"]["mode"] = mode.into();
            let (e, s) = event(body);
            assert_eq!(
                check(&e, s, BOOKING, StripeMode::Test),
                Err(Mismatch::Mode(mode.to_owned()))
            );
        }
    }

    #[test]
    fn an_expiry_moves_no_money_and_is_not_checked_for_it() {
        let (e, s) = event(
            serde_json::json!({"id": "evt_x", "type": "checkout.session.expired",
            "data": {"object": {"object": "checkout.session", "id": "cs_9", "amount_total": 1, "currency": "eur"}}}),
        );
        assert_eq!(check(&e, s, BOOKING, StripeMode::Test), Ok(()));
    }
}
