//! `StripeEvent`: the few fields of a Stripe event the payment decision needs, read tolerantly
//! (unknown fields ignored, missing or oddly typed optional fields read as absent), so a Stripe
//! API version change cannot break the webhook.

use super::transition::{EventKind, PaymentSignal, SessionPayment};
use serde::{Deserialize, Serialize};
use serde_json::Value;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EventParseError {
    #[error("the body is not a JSON object")]
    NotJson,
    #[error("the event has no id")]
    MissingId,
    #[error("the event has no type")]
    MissingType,
}

/// The object an event is about (`data.object`): a Checkout Session, a Charge or a PaymentIntent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventObject {
    /// Stripe's `object` field: "checkout.session", "charge", "payment_intent".
    pub object: Option<String>,
    pub id: Option<String>,
    /// `metadata.bookingId`.
    pub booking_id: Option<String>,
    /// Checkout Sessions carry the booking id here too.
    pub client_reference_id: Option<String>,
    /// The PaymentIntent id (given as a string, or as an expanded object).
    pub payment_intent: Option<String>,
    /// A Checkout Session's `payment_status`.
    pub payment_status: Option<String>,
    /// A Checkout Session's `mode`: "payment" for ours ("subscription" and "setup" are others').
    #[serde(default)]
    pub mode: Option<String>,
    /// `amount` of a Charge or PaymentIntent, `amount_total` of a Checkout Session.
    pub amount: Option<i64>,
    pub amount_refunded: Option<i64>,
    pub refunded: Option<bool>,
    pub currency: Option<String>,
    /// Stripe's explanation of a failure, when the event carries one.
    pub failure_message: Option<String>,
    /// A refund's `status`: `pending`, `succeeded`, `failed`, `canceled`, `requires_action`.
    #[serde(default)]
    pub status: Option<String>,
    /// A Checkout Session's `total_details.amount_discount`: what its discounts took off.
    #[serde(default)]
    pub amount_discount: Option<i64>,
    /// The id (`promo_...`) of the promotion code a Checkout Session's discount came from.
    #[serde(default)]
    pub promotion_code_id: Option<String>,
    /// That promotion code's text (`SPRING10`), when the event carries the expanded object.
    #[serde(default)]
    pub promotion_code: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StripeEvent {
    pub id: String,
    #[serde(rename = "type")]
    pub event_type: String,
    /// Seconds since the epoch, when Stripe created the event.
    pub created: Option<i64>,
    pub livemode: Option<bool>,
    pub object: EventObject,
}

/// What an event means for the payment decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Interpretation {
    Signal(PaymentSignal),
    /// A type the webhook does not act on: answered 200, recorded in the ledger.
    Ignored,
    /// A refund's news (`refund.created`, `refund.updated`, `refund.failed`, or the older
    /// `charge.refund.updated`): it changes no payment status, but the refund's own.
    RefundUpdate,
    /// A type we act on, missing what the decision needs.
    Unusable(&'static str),
}

fn string_at<'a>(value: &'a Value, path: &[&str]) -> Option<&'a str> {
    path.iter()
        .try_fold(value, |v, key| v.get(key))
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
}

fn owned_string_at(value: &Value, path: &[&str]) -> Option<String> {
    string_at(value, path).map(str::to_owned)
}

fn integer_at(value: &Value, path: &[&str]) -> Option<i64> {
    path.iter()
        .try_fold(value, |v, key| v.get(key))
        .and_then(Value::as_i64)
}

impl StripeEvent {
    pub fn parse(body: &[u8]) -> Result<Self, EventParseError> {
        let value: Value = serde_json::from_slice(body).map_err(|_| EventParseError::NotJson)?;
        if !value.is_object() {
            return Err(EventParseError::NotJson);
        }
        let id = owned_string_at(&value, &["id"]).ok_or(EventParseError::MissingId)?;
        let event_type = owned_string_at(&value, &["type"]).ok_or(EventParseError::MissingType)?;
        let object = value
            .get("data")
            .and_then(|d| d.get("object"))
            .map(EventObject::read)
            .unwrap_or_default();
        Ok(Self {
            id,
            event_type,
            created: integer_at(&value, &["created"]),
            livemode: value.get("livemode").and_then(Value::as_bool),
            object,
        })
    }

    pub fn interpret(&self) -> Interpretation {
        let o = &self.object;
        let Some(kind) = EventKind::of_event_type(&self.event_type) else {
            return match self.event_type.as_str() {
                "refund.created" | "refund.updated" | "refund.failed" | "charge.refund.updated"
                    if o.object.as_deref() == Some("refund") && o.id.is_some() =>
                {
                    Interpretation::RefundUpdate
                }
                _ => Interpretation::Ignored,
            };
        };
        let signal = match kind {
            EventKind::CheckoutCompleted => {
                let session_payment = match o.payment_status.as_deref() {
                    Some("paid") => SessionPayment::Paid,
                    Some("no_payment_required") => SessionPayment::NoPaymentRequired,
                    Some("unpaid") => SessionPayment::Unpaid,
                    _ => {
                        return Interpretation::Unusable(
                            "checkout.session.completed without a known payment_status",
                        )
                    }
                };
                PaymentSignal::CheckoutCompleted { session_payment }
            }
            EventKind::AsyncPaymentSucceeded => PaymentSignal::AsyncPaymentSucceeded,
            EventKind::AsyncPaymentFailed => PaymentSignal::AsyncPaymentFailed,
            EventKind::CheckoutPaymentFailed => PaymentSignal::CheckoutPaymentFailed,
            EventKind::CheckoutExpired => PaymentSignal::CheckoutExpired,
            EventKind::PaymentIntentFailed => PaymentSignal::PaymentIntentFailed,
            EventKind::ChargeRefunded => {
                let amount_refunded = o.amount_refunded.unwrap_or(0);
                let fully = o.refunded == Some(true)
                    || o.amount
                        .is_some_and(|amount| amount > 0 && amount_refunded >= amount);
                PaymentSignal::ChargeRefunded {
                    fully,
                    amount_refunded,
                }
            }
        };
        Interpretation::Signal(signal)
    }

    /// The booking id the event names in `metadata.bookingId`, which only our own Checkout
    /// Sessions and their PaymentIntents carry.
    pub fn named_booking(&self) -> Option<&str> {
        self.object.booking_id.as_deref()
    }

    /// A session's `client_reference_id`: anyone can set it (a Payment Link takes it from the
    /// URL), so it names a booking only together with the session that booking holds.
    pub fn client_reference(&self) -> Option<&str> {
        self.object.client_reference_id.as_deref()
    }

    /// The Checkout Session id, when the event is about one.
    pub fn checkout_session_id(&self) -> Option<&str> {
        (self.object.object.as_deref() == Some("checkout.session")
            || self.event_type.starts_with("checkout.session."))
        .then_some(self.object.id.as_deref())
        .flatten()
    }

    /// The PaymentIntent id: the object itself, or the one a session or charge points to.
    pub fn payment_intent_id(&self) -> Option<&str> {
        if self.object.object.as_deref() == Some("payment_intent")
            || self.event_type.starts_with("payment_intent.")
        {
            return self.object.id.as_deref();
        }
        self.object.payment_intent.as_deref()
    }

    /// The parsed fields as JSON: what the ledger and payment logs record of the event.
    pub fn summary(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| "{}".to_owned())
    }
}

/// The promotion code a session's discounts name: `discounts[].promotion_code` (newer API
/// versions), else `total_details.breakdown.discounts[].discount.promotion_code` (an expanded
/// breakdown); each an id, or an expanded object with its `id` and `code`. Its id and its text.
fn promotion_code(object: &Value) -> (Option<String>, Option<String>) {
    let listed = |path: &[&str]| -> Vec<&Value> {
        path.iter()
            .try_fold(object, |v, key| v.get(key))
            .and_then(Value::as_array)
            .map(|items| items.iter().collect())
            .unwrap_or_default()
    };
    let direct = listed(&["discounts"])
        .into_iter()
        .filter_map(|discount| discount.get("promotion_code"));
    let broken_down = listed(&["total_details", "breakdown", "discounts"])
        .into_iter()
        .filter_map(|amount| amount.get("discount")?.get("promotion_code"));
    direct
        .chain(broken_down)
        .find_map(|code| match code {
            Value::String(id) if !id.is_empty() => Some((Some(id.clone()), None)),
            Value::Object(_) => {
                let id = owned_string_at(code, &["id"]);
                let text = owned_string_at(code, &["code"]);
                (id.is_some() || text.is_some()).then_some((id, text))
            }
            _ => None,
        })
        .unwrap_or_default()
}

impl EventObject {
    fn read(object: &Value) -> Self {
        let (promotion_code_id, promotion_code) = promotion_code(object);
        let payment_intent = match object.get("payment_intent") {
            Some(Value::String(id)) if !id.is_empty() => Some(id.clone()),
            Some(expanded @ Value::Object(_)) => owned_string_at(expanded, &["id"]),
            _ => None,
        };
        let metadata_booking = match object.get("metadata").and_then(|m| m.get("bookingId")) {
            Some(Value::String(id)) if !id.trim().is_empty() => Some(id.trim().to_owned()),
            Some(Value::Number(n)) => Some(n.to_string()),
            _ => None,
        };
        Self {
            object: owned_string_at(object, &["object"]),
            id: owned_string_at(object, &["id"]),
            booking_id: metadata_booking,
            client_reference_id: owned_string_at(object, &["client_reference_id"]),
            payment_intent,
            payment_status: owned_string_at(object, &["payment_status"]),
            mode: owned_string_at(object, &["mode"]),
            amount: integer_at(object, &["amount"])
                .or_else(|| integer_at(object, &["amount_total"])),
            amount_refunded: integer_at(object, &["amount_refunded"]),
            refunded: object.get("refunded").and_then(Value::as_bool),
            currency: owned_string_at(object, &["currency"]).map(|c| c.to_ascii_uppercase()),
            failure_message: owned_string_at(object, &["last_payment_error", "message"])
                .or_else(|| owned_string_at(object, &["failure_message"]))
                .or_else(|| owned_string_at(object, &["failure_reason"])),
            status: owned_string_at(object, &["status"]),
            amount_discount: integer_at(object, &["total_details", "amount_discount"]),
            promotion_code_id,
            promotion_code,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_checkout_session_completed_event() {
        let body = br#"{
            "id": "evt_1", "object": "event", "api_version": "2099-01-01.future", "type": "checkout.session.completed",
            "created": 1700000000, "livemode": false, "pending_webhooks": 1, "brand_new_field": {"x": [1, 2]},
            "data": {"object": {
                "id": "cs_test_1", "object": "checkout.session", "payment_status": "paid", "status": "complete",
                "amount_total": 4500, "currency": "usd", "client_reference_id": "42",
                "metadata": {"bookingId": "42", "other": "x"}, "payment_intent": "pi_1",
                "customer_details": {"email": "pat@example.com"}
            }}
        }"#;
        let event = StripeEvent::parse(body).unwrap();
        assert_eq!(event.id, "evt_1");
        assert_eq!(event.created, Some(1_700_000_000));
        assert_eq!(event.named_booking(), Some("42"));
        assert_eq!(event.checkout_session_id(), Some("cs_test_1"));
        assert_eq!(event.payment_intent_id(), Some("pi_1"));
        assert_eq!(event.object.amount, Some(4500));
        assert_eq!(event.object.currency.as_deref(), Some("USD"));
        assert_eq!(
            event.interpret(),
            Interpretation::Signal(PaymentSignal::CheckoutCompleted {
                session_payment: SessionPayment::Paid
            })
        );
    }

    #[test]
    fn reads_a_session_s_discount_and_its_promotion_code() {
        let session = |object: &str| {
            let body = format!(
                r#"{{"id":"evt_d","type":"checkout.session.completed","data":{{"object":{{
                "object":"checkout.session","id":"cs_d","amount_subtotal":4500,"amount_total":3500,
                "payment_status":"paid",{object}}}}}}}"#
            );
            StripeEvent::parse(body.as_bytes()).unwrap().object
        };
        // As a webhook carries it: the promotion code's id.
        let plain = session(
            r#""total_details":{"amount_discount":1000,"amount_shipping":0,"amount_tax":0},
               "discounts":[{"coupon":"Z4OV52SU","promotion_code":"promo_1"}]"#,
        );
        assert_eq!(plain.amount, Some(3500));
        assert_eq!(plain.amount_discount, Some(1000));
        assert_eq!(plain.promotion_code_id.as_deref(), Some("promo_1"));
        assert_eq!(plain.promotion_code, None);
        // Expanded: its text too.
        let expanded = session(
            r#""total_details":{"amount_discount":1000,"amount_tax":0},
               "discounts":[{"coupon":null,"promotion_code":{"id":"promo_2","object":"promotion_code","code":"SPRING10"}}]"#,
        );
        assert_eq!(expanded.promotion_code_id.as_deref(), Some("promo_2"));
        assert_eq!(expanded.promotion_code.as_deref(), Some("SPRING10"));
        // An older API version's expanded breakdown.
        let breakdown = session(
            r#""total_details":{"amount_discount":500,"amount_tax":0,"breakdown":{"taxes":[],
               "discounts":[{"amount":500,"discount":{"id":"di_1","object":"discount","promotion_code":"promo_3"}}]}}"#,
        );
        assert_eq!(breakdown.amount_discount, Some(500));
        assert_eq!(breakdown.promotion_code_id.as_deref(), Some("promo_3"));
        // Odd shapes read as absent.
        let odd = session(r#""total_details":[1],"discounts":{"promotion_code":"promo_4"}"#);
        assert_eq!(
            (
                odd.amount_discount,
                odd.promotion_code_id,
                odd.promotion_code
            ),
            (None, None, None)
        );
        // A summary kept before these fields existed still reads.
        let old: EventObject = serde_json::from_str(
            r#"{"object":null,"id":null,"booking_id":null,
            "client_reference_id":null,"payment_intent":null,"payment_status":null,"amount":4500,
            "amount_refunded":null,"refunded":null,"currency":"USD","failure_message":null}"#,
        )
        .unwrap();
        assert_eq!(old.amount_discount, None);
    }

    #[test]
    fn reads_charges_and_payment_intents() {
        let refund = br#"{"id":"evt_2","type":"charge.refunded","data":{"object":{
            "id":"ch_1","object":"charge","amount":4500,"amount_refunded":1000,"refunded":false,
            "payment_intent":{"id":"pi_9","object":"payment_intent"},"metadata":{}}}}"#;
        let event = StripeEvent::parse(refund).unwrap();
        assert_eq!(event.named_booking(), None);
        assert_eq!(event.payment_intent_id(), Some("pi_9"));
        assert_eq!(event.checkout_session_id(), None);
        assert_eq!(
            event.interpret(),
            Interpretation::Signal(PaymentSignal::ChargeRefunded {
                fully: false,
                amount_refunded: 1000
            })
        );

        let full = br#"{"id":"evt_3","type":"charge.refunded","data":{"object":{"amount":4500,"amount_refunded":4500}}}"#;
        assert_eq!(
            StripeEvent::parse(full).unwrap().interpret(),
            Interpretation::Signal(PaymentSignal::ChargeRefunded {
                fully: true,
                amount_refunded: 4500
            })
        );

        let failed = br#"{"id":"evt_4","type":"payment_intent.payment_failed","data":{"object":{
            "id":"pi_5","object":"payment_intent","metadata":{"bookingId":"7"},
            "last_payment_error":{"message":"Your card was declined.","code":"card_declined"}}}}"#;
        let event = StripeEvent::parse(failed).unwrap();
        assert_eq!(event.payment_intent_id(), Some("pi_5"));
        assert_eq!(event.named_booking(), Some("7"));
        assert_eq!(
            event.object.failure_message.as_deref(),
            Some("Your card was declined.")
        );
        assert_eq!(
            event.interpret(),
            Interpretation::Signal(PaymentSignal::PaymentIntentFailed)
        );
    }

    #[test]
    fn tolerates_missing_and_oddly_typed_fields() {
        let odd = br#"{"id":"evt_5","type":"checkout.session.expired","data":{"object":{
            "id":12,"metadata":"not a map","amount_total":"45.00","payment_intent":null}}}"#;
        let event = StripeEvent::parse(odd).unwrap();
        assert_eq!(event.object, EventObject::default());
        assert_eq!(
            event.interpret(),
            Interpretation::Signal(PaymentSignal::CheckoutExpired)
        );

        let bare = br#"{"id":"evt_6","type":"checkout.session.completed"}"#;
        assert!(matches!(
            StripeEvent::parse(bare).unwrap().interpret(),
            Interpretation::Unusable(_)
        ));
        let refund = br#"{"id":"evt_8","type":"refund.failed","data":{"object":{
            "id":"re_1","object":"refund","status":"failed","failure_reason":"expired_or_canceled_card"}}}"#;
        let event = StripeEvent::parse(refund).unwrap();
        assert_eq!(event.interpret(), Interpretation::RefundUpdate);
        assert_eq!(event.object.status.as_deref(), Some("failed"));
        assert_eq!(
            event.object.failure_message.as_deref(),
            Some("expired_or_canceled_card")
        );
        let other = br#"{"id":"evt_7","type":"customer.created","data":{"object":{}}}"#;
        assert_eq!(
            StripeEvent::parse(other).unwrap().interpret(),
            Interpretation::Ignored
        );
    }

    #[test]
    fn refuses_what_is_not_an_event() {
        assert_eq!(
            StripeEvent::parse(b"").unwrap_err(),
            EventParseError::NotJson
        );
        assert_eq!(
            StripeEvent::parse(b"[1]").unwrap_err(),
            EventParseError::NotJson
        );
        assert_eq!(
            StripeEvent::parse(b"{}").unwrap_err(),
            EventParseError::MissingId
        );
        assert_eq!(
            StripeEvent::parse(br#"{"id":"evt_1"}"#).unwrap_err(),
            EventParseError::MissingType
        );
    }

    #[test]
    fn the_summary_round_trips() {
        let body = br#"{"id":"evt_1","type":"charge.refunded","data":{"object":{"amount":100,"refunded":true}}}"#;
        let event = StripeEvent::parse(body).unwrap();
        let back: StripeEvent = serde_json::from_str(&event.summary()).unwrap();
        assert_eq!(back, event);
    }

    mod fuzz {
        //! The parser under generated input: arbitrary bytes, and JSON trees that use the keys
        //! it looks for with values of every type. It must never panic.
        use super::super::*;
        use proptest::prelude::*;

        fn json_value() -> impl Strategy<Value = Value> {
            let key = prop_oneof![
                Just("id".to_owned()),
                Just("type".to_owned()),
                Just("data".to_owned()),
                Just("object".to_owned()),
                Just("metadata".to_owned()),
                Just("bookingId".to_owned()),
                Just("payment_intent".to_owned()),
                Just("payment_status".to_owned()),
                Just("amount".to_owned()),
                Just("amount_refunded".to_owned()),
                Just("refunded".to_owned()),
                Just("last_payment_error".to_owned()),
                Just("message".to_owned()),
                Just("total_details".to_owned()),
                Just("amount_discount".to_owned()),
                Just("discounts".to_owned()),
                Just("promotion_code".to_owned()),
                Just("breakdown".to_owned()),
                Just("discount".to_owned()),
                Just("code".to_owned()),
                "[a-z_]{1,12}",
            ];
            let leaf = prop_oneof![
                Just(Value::Null),
                any::<bool>().prop_map(Value::Bool),
                any::<i64>().prop_map(|n| Value::Number(n.into())),
                any::<f64>().prop_map(|f| serde_json::Number::from_f64(f)
                    .map(Value::Number)
                    .unwrap_or(Value::Null)),
                prop_oneof![
                    Just("checkout.session.completed".to_owned()),
                    Just("charge.refunded".to_owned()),
                    Just("paid".to_owned()),
                    Just("unpaid".to_owned()),
                    ".{0,20}",
                ]
                .prop_map(Value::String),
            ];
            leaf.prop_recursive(5, 64, 8, move |inner| {
                prop_oneof![
                    prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                    prop::collection::btree_map(key.clone(), inner, 0..6)
                        .prop_map(|m| Value::Object(m.into_iter().collect())),
                ]
            })
        }

        fn exercise(event: &StripeEvent) {
            let _ = event.interpret();
            let _ = event.named_booking();
            let _ = event.client_reference();
            let _ = event.checkout_session_id();
            let _ = event.payment_intent_id();
            let back: StripeEvent = serde_json::from_str(&event.summary()).unwrap();
            assert_eq!(&back, event);
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(2000))]

            #[test]
            fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
                if let Ok(event) = StripeEvent::parse(&bytes) {
                    exercise(&event);
                }
            }

            #[test]
            fn arbitrary_json_never_panics(value in json_value()) {
                let body = value.to_string();
                if let Ok(event) = StripeEvent::parse(body.as_bytes()) {
                    exercise(&event);
                }
            }

            #[test]
            fn arbitrary_objects_inside_a_real_envelope_never_panic(object in json_value(), kind in prop_oneof![
                Just("checkout.session.completed"), Just("checkout.session.expired"),
                Just("charge.refunded"), Just("payment_intent.payment_failed"), Just("invoice.paid"),
            ]) {
                let body = serde_json::json!({"id": "evt_f", "type": kind, "data": {"object": object}});
                let event = StripeEvent::parse(body.to_string().as_bytes()).unwrap();
                exercise(&event);
            }
        }
    }
}
