#![no_main]
//! Any bytes as a `Stripe-Signature` header and body: parsing and verifying never panic, and
//! nothing but a correct signature is accepted.

use domain::stripe_signature::{header_value, parse_header, verify};
use libfuzzer_sys::fuzz_target;
use secrecy::SecretString;

fuzz_target!(|data: &[u8]| {
    let split = data.iter().position(|b| *b == b'\n').unwrap_or(data.len());
    let (header, body) = data.split_at(split);
    let Ok(header) = std::str::from_utf8(header) else {
        return;
    };
    let _ = parse_header(header);
    let secrets = [SecretString::from("whsec_fuzz".to_owned())];
    let now = 1_700_000_000;
    if verify(body, Some(header), &secrets, now, 300).is_ok() {
        // Only a header carrying the real signature can pass.
        let genuine = header_value("whsec_fuzz", 0, body);
        let signature = genuine.split_once(",v1=").map(|(_, s)| s).unwrap_or("");
        assert!(header.contains(signature));
    }
});
