//! The mails of a booking's own life: it was made, cancelled (alone or with its session), or
//! moved to another session.

use super::body::Draft;
use super::{MailBooking, Sender};
use crate::money::Money;
use crate::schedule;

/// A booking cancelled by its parent or an admin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CancelFacts {
    /// Said to the parent after the cancellation (why it happened), if anything.
    pub reason: Option<String>,
    /// The full refund asked for along with the cancellation, if one was.
    pub refund: Option<Money>,
    /// For a family's bookings of a term cancelled together: how many sessions (the booking's
    /// own, the first, and those after it); the refund is then their shares together.
    pub sessions: Option<u32>,
}

/// A booking moved from one session to another.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MoveFacts {
    /// The session it was in: its title and start (UTC ms).
    pub from_title: String,
    pub from_starts_at: i64,
    /// How many times the calendar entry changed (a move sends a newer entry).
    pub sequence: u32,
    /// The session it was in was cancelled and this is its make-up place.
    pub make_up: bool,
}

/// The confirmation: the session, what to do next, the link and the calendar entry.
pub(super) fn created(b: &MailBooking, sender: &Sender<'_>, now: i64) -> Draft {
    let mut body = b.hello();
    body.say(format!(
        "Thank you for booking {} for {}.",
        b.session_title, b.athlete_name
    ));
    body.facts(b.session_facts(sender));
    match (b.manual, b.held_until) {
        (true, _) => {
            body.say("Your place is booked. The calendar entry is attached.");
        }
        (false, Some(until)) => {
            body.say(format!(
                "Your place is held until {}. It is confirmed once the payment of {} is received.",
                schedule::when(until, sender.timezone),
                b.price()
            ));
        }
        (false, None) => {
            body.say(format!("The price is {}.", b.price()));
        }
    }
    body.link("Your booking, to pay or cancel", b.link(sender));
    Draft {
        subject: format!("Your booking: {}, {}", b.session_title, b.when(sender)),
        body,
        ics: Some(b.calendar(sender, now, 0)),
    }
}

pub(super) fn cancelled(
    b: &MailBooking,
    facts: &CancelFacts,
    sender: &Sender<'_>,
    now: i64,
) -> Draft {
    let mut body = b.hello();
    if let Some(sessions) = facts.sessions {
        body.say(format!(
            "The bookings of {} for {sessions} session{} of {}, from {} on, are cancelled.",
            b.athlete_name,
            if sessions == 1 { "" } else { "s" },
            b.session_title,
            b.when(sender)
        ));
    } else {
        body.say(format!(
            "The booking of {} for {} on {} is cancelled.",
            b.athlete_name,
            b.session_title,
            b.when(sender)
        ));
    }
    if let Some(reason) = &facts.reason {
        body.say(reason.clone());
    }
    match (&facts.refund, facts.sessions) {
        (Some(refund), None) => {
            body.say(format!(
                "A full refund of {refund} has been asked for. We will write again when it is done; it usually reaches your account within 5 to 10 days."
            ));
        }
        (Some(refund), Some(_)) => {
            body.say(format!(
                "A refund of {refund}, what these sessions cost, has been asked for. It usually reaches your account within 5 to 10 days."
            ));
        }
        (None, _) => {}
    }
    body.link("Your booking", b.link(sender));
    if facts.sessions.is_some() {
        body.say("The attached calendar entry takes the first of these sessions out of your calendar; remove the others by hand.");
    } else {
        body.say("The attached calendar entry takes the session out of your calendar.");
    }
    let subject = match facts.sessions {
        Some(sessions) => format!(
            "Term bookings cancelled: {}, {sessions} session{} from {}",
            b.session_title,
            if sessions == 1 { "" } else { "s" },
            b.when(sender)
        ),
        None => format!("Booking cancelled: {}, {}", b.session_title, b.when(sender)),
    };
    Draft {
        subject,
        body,
        ics: Some(b.calendar_cancel(sender, now)),
    }
}

pub(super) fn session_cancelled(
    b: &MailBooking,
    refund: Option<&Money>,
    sender: &Sender<'_>,
    now: i64,
) -> Draft {
    let mut body = b.hello();
    body.say(format!(
        "We are sorry: {} on {} is cancelled, so {}'s booking is cancelled too.",
        b.session_title,
        b.when(sender),
        b.athlete_name
    ));
    if let Some(refund) = refund {
        body.say(format!(
            "A full refund of {refund} has been asked for. We will write again when it is done."
        ));
    }
    body.link("Your booking", b.link(sender));
    body.say("The attached calendar entry takes the session out of your calendar.");
    Draft {
        subject: format!("Session cancelled: {}, {}", b.session_title, b.when(sender)),
        body,
        ics: Some(b.calendar_cancel(sender, now)),
    }
}

/// The new session and a calendar entry that replaces the old one.
pub(super) fn moved(b: &MailBooking, facts: &MoveFacts, sender: &Sender<'_>, now: i64) -> Draft {
    let mut body = b.hello();
    let from = schedule::when(facts.from_starts_at, sender.timezone);
    if facts.make_up {
        body.say(format!(
            "We are sorry: {} on {from} is cancelled. In its place, {} has a make-up place in {} on {}. The new calendar entry is attached; your payment goes with the booking.",
            facts.from_title,
            b.athlete_name,
            b.session_title,
            b.when(sender)
        ));
    } else {
        body.say(format!(
            "{}'s booking moved from {} on {from} to {} on {}. The new calendar entry is attached; your payment goes with the booking.",
            b.athlete_name,
            facts.from_title,
            b.session_title,
            b.when(sender)
        ));
    }
    body.facts(b.session_facts(sender));
    body.link("Your booking", b.link(sender));
    Draft {
        subject: format!("Booking moved: {}, {}", b.session_title, b.when(sender)),
        body,
        ics: Some(b.calendar(sender, now, facts.sequence)),
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{booking, sender};
    use super::super::BookingMail;
    use super::*;

    #[test]
    fn a_confirmation_has_the_link_the_local_time_and_a_calendar_entry() {
        let mail = BookingMail::BookingCreated.render(&booking(), &sender(), 0);
        assert_eq!(
            mail.subject,
            "Your booking: Sprint technique, Sat 4 Jul 2026, 10:30 BST"
        );
        assert!(mail
            .text
            .contains("https://book.example.com/bookings/abcdefghjkmnpqrstvwx"));
        assert!(mail.text.contains("£45.00"));
        assert!(
            mail.html.contains("Hello Pat &lt;Parent&gt;,"),
            "{}",
            mail.html
        );
        assert!(!mail.html.contains("<Parent>"));
        let ics = mail.ics.unwrap();
        assert!(ics.contains("DTSTART:20260704T093000Z"));
        assert!(ics.contains("LOCATION:Track 2"));
        assert!(ics.contains("SEQUENCE:0"), "{ics}");
    }

    #[test]
    fn a_confirmation_says_what_comes_next_for_a_held_a_manual_and_a_settled_place() {
        let held = BookingMail::BookingCreated.render(&booking(), &sender(), 0);
        assert!(
            held.text.contains(
                "Your place is held until Thu 2 Jul 2026, 14:46 BST. It is confirmed once the payment of £45.00 is received."
            ),
            "{}",
            held.text
        );
        let manual = MailBooking {
            manual: true,
            ..booking()
        };
        let manual = BookingMail::BookingCreated.render(&manual, &sender(), 0);
        assert!(manual
            .text
            .contains("Your place is booked. The calendar entry is attached."));
        assert!(!manual.text.contains("£45.00"), "{}", manual.text);
        let settled = MailBooking {
            held_until: None,
            ..booking()
        };
        let settled = BookingMail::BookingCreated.render(&settled, &sender(), 0);
        assert!(settled.text.contains("The price is £45.00."));
        assert!(!settled.text.contains("held until"));
    }

    #[test]
    fn a_cancellation_gives_its_reason_and_the_refund_asked_for_if_any() {
        let facts = CancelFacts {
            reason: Some("You cancelled it from your booking page.".into()),
            refund: Some(Money::new(4000, "gbp")),
            sessions: None,
        };
        let mail = BookingMail::BookingCancelled(facts).render(&booking(), &sender(), 0);
        assert_eq!(
            mail.subject,
            "Booking cancelled: Sprint technique, Sat 4 Jul 2026, 10:30 BST"
        );
        for said in [
            "The booking of Alex for Sprint technique on Sat 4 Jul 2026, 10:30 BST is cancelled.",
            "You cancelled it from your booking page.",
            "A full refund of £40.00 has been asked for.",
            "Your booking: https://book.example.com/bookings/abcdefghjkmnpqrstvwx",
        ] {
            assert!(mail.text.contains(said), "{said} in {}", mail.text);
        }
        let quiet = BookingMail::BookingCancelled(CancelFacts {
            reason: None,
            refund: None,
            sessions: None,
        })
        .render(&booking(), &sender(), 0);
        assert!(!quiet.text.contains("refund"), "{}", quiet.text);
        assert!(!quiet.text.contains("booking page."), "{}", quiet.text);
        // After two moves, the withdrawal is the third change of the entry.
        let moved_twice = MailBooking {
            calendar_changes: 2,
            children: 1,
            term: None,
            ..booking()
        };
        let ics = BookingMail::BookingCancelled(CancelFacts {
            reason: None,
            refund: None,
            sessions: None,
        })
        .render(&moved_twice, &sender(), 0)
        .ics
        .unwrap();
        assert!(ics.contains("\r\nSEQUENCE:3\r\n"), "{ics}");
    }

    #[test]
    fn a_make_up_place_says_the_session_was_cancelled_and_where_the_place_is() {
        let facts = MoveFacts {
            from_title: "Sprint technique".into(),
            from_starts_at: 1_783_000_000_000,
            sequence: 1,
            make_up: true,
        };
        let mail = BookingMail::BookingMoved(facts).render(&booking(), &sender(), 0);
        assert!(
            mail.text.contains("We are sorry: Sprint technique on Thu 2 Jul 2026, 14:46 BST is cancelled. In its place, Alex has a make-up place in Sprint technique on Sat 4 Jul 2026, 10:30 BST."),
            "{}",
            mail.text
        );
        assert!(mail.ics.unwrap().contains("SEQUENCE:1"));
    }

    #[test]
    fn a_terms_bookings_cancelled_together_are_one_mail_with_their_refund() {
        let facts = CancelFacts {
            reason: Some("You cancelled the whole term from your booking page.".into()),
            refund: Some(Money::new(27000, "gbp")),
            sessions: Some(9),
        };
        let mail = BookingMail::BookingCancelled(facts).render(&booking(), &sender(), 0);
        assert_eq!(
            mail.subject,
            "Term bookings cancelled: Sprint technique, 9 sessions from Sat 4 Jul 2026, 10:30 BST"
        );
        for said in [
            "The bookings of Alex for 9 sessions of Sprint technique, from Sat 4 Jul 2026, 10:30 BST on, are cancelled.",
            "You cancelled the whole term from your booking page.",
            "A refund of £270.00, what these sessions cost, has been asked for.",
            "remove the others by hand",
        ] {
            assert!(mail.text.contains(said), "{said} in {}", mail.text);
        }
        assert!(!mail.text.contains("We will write again"), "{}", mail.text);
    }

    #[test]
    fn a_cancelled_session_says_so_and_the_refund_asked_for_if_any() {
        let mail = BookingMail::SessionCancelled {
            refund: Some(Money::new(4500, "GBP")),
        }
        .render(&booking(), &sender(), 0);
        assert!(mail
            .subject
            .starts_with("Session cancelled: Sprint technique"));
        assert!(mail.text.contains(
            "We are sorry: Sprint technique on Sat 4 Jul 2026, 10:30 BST is cancelled, so Alex's booking is cancelled too."
        ));
        assert!(mail.text.contains(
            "A full refund of £45.00 has been asked for. We will write again when it is done."
        ));
        let unpaid =
            BookingMail::SessionCancelled { refund: None }.render(&booking(), &sender(), 0);
        assert!(!unpaid.text.contains("refund"), "{}", unpaid.text);
    }

    #[test]
    fn a_moved_booking_sends_a_newer_calendar_entry() {
        let facts = MoveFacts {
            from_title: "Hurdles".into(),
            from_starts_at: 1_783_000_000_000,
            sequence: 2,
            make_up: false,
        };
        let mail = BookingMail::BookingMoved(facts).render(&booking(), &sender(), 0);
        assert!(mail.subject.starts_with("Booking moved: Sprint technique"));
        assert!(mail.text.contains("moved from Hurdles on"), "{}", mail.text);
        assert!(mail.ics.unwrap().contains("SEQUENCE:2"));
    }
}
