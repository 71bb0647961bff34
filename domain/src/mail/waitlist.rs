//! The mails of a waitlist place: joined, a place offered for a while, closed with its
//! cancelled session. They are about no booking: the place's facts are all they say.

use super::body::{Body, Draft};
use super::Sender;
use crate::schedule;
use serde::{Deserialize, Serialize};

/// A waitlist place, as its mails speak of it. (Its fields are its stored form too.)
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WaitlistFacts {
    /// The private link's token: `/waitlist/{token}`.
    pub token: String,
    pub parent_name: String,
    pub athlete_name: String,
    pub session_title: String,
    /// UTC ms.
    pub starts_at: i64,
    pub location: String,
}

impl WaitlistFacts {
    fn link(&self, sender: &Sender<'_>) -> String {
        format!("{}/waitlist/{}", sender.base_url, self.token)
    }

    fn when(&self, sender: &Sender<'_>) -> String {
        schedule::when(self.starts_at, sender.timezone)
    }

    /// Every waitlist mail reads the same way around its own words (`write`, given the
    /// session's time): a greeting first, the session's facts last.
    fn draft(
        &self,
        sender: &Sender<'_>,
        subject: &str,
        write: impl FnOnce(&mut Body, &str),
    ) -> Draft {
        let when = self.when(sender);
        let mut body = Body::default();
        body.say(format!("Hello {},", self.parent_name));
        write(&mut body, &when);
        let subject = format!("{subject}: {}, {when}", self.session_title);
        body.facts(vec![
            ("Session", self.session_title.clone()),
            ("When", when),
            ("Where", self.location.clone()),
            ("Athlete", self.athlete_name.clone()),
        ]);
        Draft::new(subject, body)
    }
}

pub(super) fn joined(place: &WaitlistFacts, sender: &Sender<'_>) -> Draft {
    place.draft(sender, "On the waitlist", |body, when| {
        body.say(format!(
            "{} is on the waitlist of {} on {when}. If a place frees, we email you a link that holds it for you for a while.",
            place.athlete_name, place.session_title
        ));
        body.link("Your waitlist place", place.link(sender));
    })
}

/// The place held for this person until `held_until` (UTC ms), and its link.
pub(super) fn offer(place: &WaitlistFacts, held_until: i64, sender: &Sender<'_>) -> Draft {
    place.draft(sender, "A place is free", |body, when| {
        body.say(format!(
            "Good news: a place is free in {} on {when}, and it is held for {} until {}.",
            place.session_title,
            place.athlete_name,
            schedule::when(held_until, sender.timezone)
        ));
        body.link("Book the place", place.link(sender));
        body.say("If you do not book it by then, it goes to the next person waiting.");
    })
}

/// The session is cancelled: no place will come; the link is to book another session.
pub(super) fn closed(place: &WaitlistFacts, sender: &Sender<'_>) -> Draft {
    place.draft(sender, "Cancelled", |body, when| {
        body.say(format!(
            "We are sorry: {} on {when} is cancelled, so its waitlist is closed and no place will be offered to {}.",
            place.session_title, place.athlete_name
        ));
        body.link("Book another session", format!("{}/book", sender.base_url));
    })
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{place, sender};
    use super::super::UnbookedMail;

    #[test]
    fn a_waitlist_offer_says_until_when_the_place_is_held_and_links_it() {
        let mail = UnbookedMail::WaitlistOffer {
            place: place(),
            held_until: 1_783_000_000_000,
        }
        .render(&sender());
        assert!(mail
            .subject
            .starts_with("A place is free: Sprint technique"));
        assert!(mail
            .text
            .contains("Book the place: https://book.example.com/waitlist/tokentokentokentoken"));
        assert!(mail.text.contains("held for Sam until"), "{}", mail.text);
        assert!(
            mail.text.contains("until Thu 2 Jul 2026, 14:46 BST."),
            "{}",
            mail.text
        );
        assert!(mail
            .text
            .contains("If you do not book it by then, it goes to the next person waiting."));
    }

    #[test]
    fn joining_links_the_place_and_a_closed_waitlist_links_the_booking_page_instead() {
        let joined = UnbookedMail::WaitlistJoined(place()).render(&sender());
        assert_eq!(
            joined.subject,
            "On the waitlist: Sprint technique, Sat 4 Jul 2026, 10:30 BST"
        );
        assert!(joined
            .text
            .starts_with("Hello Wendy,\n\nSam is on the waitlist of Sprint technique"));
        assert!(joined.text.contains(
            "Your waitlist place: https://book.example.com/waitlist/tokentokentokentoken"
        ));
        assert!(joined.text.contains("Where: Track 2\nAthlete: Sam\n"));
        let closed = UnbookedMail::WaitlistClosed(place()).render(&sender());
        assert!(closed.subject.starts_with("Cancelled: Sprint technique"));
        assert!(
            closed.text.contains("no place will be offered to Sam"),
            "{}",
            closed.text
        );
        assert!(closed
            .text
            .contains("Book another session: https://book.example.com/book"));
        assert!(
            !closed.text.contains("tokentokentokentoken"),
            "{}",
            closed.text
        );
    }
}
