//! Stripe events and objects in Stripe's own JSON shape, for simulated payments and the tests'
//! fake Stripe. Only what Stripe really sends, with the fields our parser reads and a few more.

use serde_json::{json, Value};

/// An `event` envelope around `object`, as Stripe delivers it to a webhook endpoint.
pub fn event(id: &str, event_type: &str, created: i64, object: Value) -> Value {
    json!({
        "id": id,
        "object": "event",
        "api_version": "2026-09-30.endive",
        "created": created,
        "data": { "object": object },
        "livemode": false,
        "pending_webhooks": 1,
        "request": { "id": null, "idempotency_key": null },
        "type": event_type,
    })
}

/// What a Checkout Session is like at one moment of its life.
#[derive(Debug, Clone)]
pub struct SessionState<'a> {
    pub session_id: &'a str,
    pub booking_id: i64,
    pub amount: i64,
    /// Lower-case ISO code, as Stripe writes it.
    pub currency: &'a str,
    /// "open", "complete" or "expired".
    pub status: &'a str,
    /// "paid", "unpaid" or "no_payment_required".
    pub payment_status: &'a str,
    pub payment_intent: Option<&'a str>,
    pub url: Option<&'a str>,
    pub created: i64,
    pub expires_at: i64,
}

/// A `checkout.session` object.
pub fn checkout_session(s: &SessionState<'_>) -> Value {
    let booking = s.booking_id.to_string();
    json!({
        "id": s.session_id,
        "object": "checkout.session",
        "amount_subtotal": s.amount,
        "amount_total": s.amount,
        "automatic_tax": { "enabled": false, "liability": null, "status": null },
        "cancel_url": null,
        "client_reference_id": booking,
        "created": s.created,
        "currency": s.currency,
        "custom_fields": [],
        "custom_text": { "after_submit": null, "shipping_address": null, "submit": null, "terms_of_service_acceptance": null },
        "customer": null,
        "customer_email": null,
        "expires_at": s.expires_at,
        "livemode": false,
        "metadata": { "bookingId": booking },
        "mode": "payment",
        "payment_intent": s.payment_intent,
        "payment_method_types": ["card"],
        "payment_status": s.payment_status,
        "shipping_options": [],
        "status": s.status,
        "success_url": null,
        "url": s.url,
    })
}

/// `metadata` carrying the booking id, as our Checkout Sessions set it (or empty).
fn booking_metadata(booking_id: Option<i64>) -> Value {
    match booking_id {
        Some(b) => json!({ "bookingId": b.to_string() }),
        None => json!({}),
    }
}

/// A `payment_intent` object, failed with `failure` when given.
pub fn payment_intent(
    id: &str,
    booking_id: Option<i64>,
    amount: i64,
    currency: &str,
    failure: Option<&str>,
) -> Value {
    let metadata = booking_metadata(booking_id);
    json!({
        "id": id,
        "object": "payment_intent",
        "amount": amount,
        "currency": currency,
        "livemode": false,
        "metadata": metadata,
        "last_payment_error": failure.map(|message| json!({
            "code": "card_declined",
            "decline_code": "generic_decline",
            "message": message,
            "type": "card_error",
        })),
        "status": if failure.is_some() { "requires_payment_method" } else { "succeeded" },
    })
}

/// A `charge` object after `amount_refunded` of `amount` has been refunded.
pub fn refunded_charge(
    id: &str,
    payment_intent: &str,
    booking_id: Option<i64>,
    amount: i64,
    amount_refunded: i64,
    currency: &str,
) -> Value {
    let metadata = booking_metadata(booking_id);
    json!({
        "id": id,
        "object": "charge",
        "amount": amount,
        "amount_captured": amount,
        "amount_refunded": amount_refunded,
        "captured": true,
        "currency": currency,
        "livemode": false,
        "metadata": metadata,
        "paid": true,
        "payment_intent": payment_intent,
        "refunded": amount_refunded >= amount,
        "status": "succeeded",
    })
}

/// A `refund` object of `amount` from `payment_intent`, in `status`.
pub fn refund(
    id: &str,
    payment_intent: &str,
    booking_id: i64,
    amount: i64,
    currency: &str,
    status: &str,
) -> Value {
    json!({
        "id": id,
        "object": "refund",
        "amount": amount,
        "currency": currency,
        "metadata": booking_metadata(Some(booking_id)),
        "payment_intent": payment_intent,
        "reason": "requested_by_customer",
        "status": status,
        "failure_reason": null,
    })
}
