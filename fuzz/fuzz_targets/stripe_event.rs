#![no_main]
//! Any bytes as a webhook body: the tolerant event parser never panics, and what it reads
//! round-trips through the summary stored in the ledger.

use domain::{decide, Interpretation, PaymentStatus, StripeEvent};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(event) = StripeEvent::parse(data) {
        let _ = event.named_booking();
        let _ = event.checkout_session_id();
        let _ = event.payment_intent_id();
        if let Interpretation::Signal(signal) = event.interpret() {
            for status in PaymentStatus::ALL {
                let _ = decide(signal, status);
            }
        }
        let back: StripeEvent = serde_json::from_str(&event.summary()).expect("summary parses");
        assert_eq!(back, event);
    }
});
