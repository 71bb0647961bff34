#![no_main]
//! Any bytes as the booking form's eight fields: parsing never panics, a valid result is within
//! every bound, and an invalid one names at least one field and keeps bounded values.

use domain::booking_form::BookingFormInput;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut fields = text.split('\u{0}').map(str::to_owned);
    let mut next = || fields.next().unwrap_or_default();
    let input = BookingFormInput {
        session: next(),
        parent_name: next(),
        parent_email: next(),
        parent_phone: Some(next()).filter(|p| !p.is_empty()),
        athlete_name: next(),
        athlete_age: next(),
        notes: Some(next()).filter(|n| !n.is_empty()),
        consent: Some(next()).filter(|c| !c.is_empty()),
        more_athletes: Vec::new(),
        ..Default::default()    };
    match input.parse() {
        Ok(request) => {
            assert!(request.training_session_id > 0);
            assert!((3..=99).contains(&request.athlete_age));
            assert!(!request.parent_name.is_empty() && request.parent_name.chars().count() <= 100);
            assert!(request.parent_email.contains('@'));
            assert!(request
                .notes
                .as_ref()
                .is_none_or(|n| n.chars().count() <= 1000));
        }
        Err(errors) => {
            assert!(!errors.errors.is_empty());
            assert!(errors.values.values().all(|v| v.chars().count() <= 5000));
        }
    }
});
