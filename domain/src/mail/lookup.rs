//! "Find my booking": the private links of an email's upcoming bookings.

use super::body::{Body, Draft};
use super::Sender;
use crate::schedule;
use serde::{Deserialize, Serialize};

/// One booking in a "find my booking" mail. (Its fields are its stored form too.)
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListedBooking {
    pub reference: String,
    pub session_title: String,
    pub athlete_name: String,
    /// UTC ms.
    pub starts_at: i64,
}

pub(super) fn lookup(listed: &[ListedBooking], sender: &Sender<'_>) -> Draft {
    let mut body = Body::default();
    body.say("Hello,").say(
        "You asked for the links to your bookings. Each link is private: keep it to yourself.",
    );
    for booking in listed {
        body.link(
            format!(
                "{} – {} ({})",
                booking.session_title,
                schedule::when(booking.starts_at, sender.timezone),
                booking.athlete_name
            ),
            format!("{}/bookings/{}", sender.base_url, booking.reference),
        );
    }
    body.say("If you did not ask for this mail, you can ignore it.");
    Draft::new(format!("Your bookings with {}", sender.business_name), body)
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::sender;
    use super::super::UnbookedMail;
    use super::*;

    #[test]
    fn a_lookup_lists_each_booking_s_link() {
        let listed = vec![
            ListedBooking {
                reference: "ref1".into(),
                session_title: "Sprint".into(),
                athlete_name: "Alex".into(),
                starts_at: 1_783_157_400_000,
            },
            ListedBooking {
                reference: "ref2".into(),
                session_title: "Hurdles".into(),
                athlete_name: "Sam".into(),
                starts_at: 1_783_157_400_000,
            },
        ];
        let mail = UnbookedMail::BookingLookup(listed).render(&sender());
        assert_eq!(mail.subject, "Your bookings with Riverside Coaching");
        assert!(mail.text.contains("https://book.example.com/bookings/ref1"));
        assert!(mail
            .html
            .contains("href=\"https://book.example.com/bookings/ref1\""));
        assert!(mail.text.contains(
            "Hurdles – Sat 4 Jul 2026, 10:30 BST (Sam): https://book.example.com/bookings/ref2"
        ));
        assert!(mail.text.find("ref1") < mail.text.find("ref2"));
    }
}
