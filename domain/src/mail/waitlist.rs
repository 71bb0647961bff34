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

/// The confirmation of a place just joined. Its address has not said yet that the place is
/// its own, so the mail says nothing anyone typed when joining (no names): only the session,
/// which is the business's own words, and the link that confirms.
pub(super) fn joined(place: &WaitlistFacts, sender: &Sender<'_>) -> Draft {
    let when = place.when(sender);
    let mut body = Body::default();
    body.say("Hello,");
    body.say(format!(
        "Someone asked to put an athlete on the waitlist of {} on {when} with this email address. If it was you, confirm the place: until it is confirmed, no freed place is offered to it.",
        place.session_title
    ));
    body.link("Confirm the waitlist place", place.link(sender));
    body.say("If it was not you, ignore this mail: nothing more will be sent.");
    body.facts(vec![
        ("Session", place.session_title.clone()),
        ("When", when.clone()),
        ("Where", place.location.clone()),
    ]);
    Draft::new(
        format!(
            "Confirm your waitlist place: {}, {when}",
            place.session_title
        ),
        body,
    )
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
            "Confirm your waitlist place: Sprint technique, Sat 4 Jul 2026, 10:30 BST"
        );
        assert!(joined.text.contains(
            "Confirm the waitlist place: https://book.example.com/waitlist/tokentokentokentoken"
        ));
        assert!(joined.text.contains("Where: Track 2\n"), "{}", joined.text);
        // Its address has not confirmed yet: nothing typed when joining reaches it.
        for typed in ["Wendy", "Sam"] {
            assert!(!joined.text.contains(typed), "{typed} in {}", joined.text);
            assert!(!joined.html.contains(typed), "{typed} in {}", joined.html);
            assert!(!joined.subject.contains(typed));
        }
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
