//! The mails a parent gets, in words: each kind of change, its subject, its plain-text and HTML
//! bodies (times in the business's zone, money in the booking's currency, the booking's private
//! link), and the calendar entry of a confirmation. Which change causes which mail, and when it
//! is sent, is the use cases' and the outbox's business.

use crate::ics::CalendarEvent;
use crate::money::Money;
use crate::schedule;
use crate::status::{by_spelling, UnknownStatus};
use serde::{Deserialize, Serialize};
use std::fmt::Write;

/// The kinds of mail, one per kind of change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MailKind {
    /// A booking was made: its link, what to do next, the calendar entry.
    BookingCreated,
    /// The payment landed: the receipt.
    PaymentReceived,
    /// A payment failed: Stripe's words and a way to try again.
    PaymentFailed,
    /// The booking was cancelled (by the parent or an admin).
    BookingCancelled,
    /// A refund reached the parent.
    RefundCompleted,
    /// The admin cancelled the whole session.
    SessionCancelled,
    /// "Find my booking": the links of an email's upcoming bookings.
    BookingLookup,
    /// Someone joined a full session's waitlist.
    WaitlistJoined,
    /// A place freed: it is held for the first person waiting, for a while.
    WaitlistOffer,
    /// The session waited for was cancelled: the waitlist place is closed.
    WaitlistClosed,
    /// The booking moved to another session: the new time and calendar entry.
    BookingMoved,
}

impl MailKind {
    pub const ALL: [MailKind; 11] = [
        Self::BookingCreated,
        Self::PaymentReceived,
        Self::PaymentFailed,
        Self::BookingCancelled,
        Self::RefundCompleted,
        Self::SessionCancelled,
        Self::BookingLookup,
        Self::WaitlistJoined,
        Self::WaitlistOffer,
        Self::WaitlistClosed,
        Self::BookingMoved,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::BookingCreated => "booking_created",
            Self::PaymentReceived => "payment_received",
            Self::PaymentFailed => "payment_failed",
            Self::BookingCancelled => "booking_cancelled",
            Self::RefundCompleted => "refund_completed",
            Self::SessionCancelled => "session_cancelled",
            Self::BookingLookup => "booking_lookup",
            Self::WaitlistJoined => "waitlist_joined",
            Self::WaitlistOffer => "waitlist_offer",
            Self::WaitlistClosed => "waitlist_closed",
            Self::BookingMoved => "booking_moved",
        }
    }

    /// The outbox key of the mail a change causes: one per booking and kind, or per booking,
    /// kind and `occurrence` for changes that can happen more than once (a failed payment, a
    /// refund). Writing the same key twice is the same mail, kept once.
    pub fn dedupe_key(self, booking_id: i64, occurrence: Option<&str>) -> String {
        match occurrence {
            Some(occurrence) => format!("{}:{booking_id}:{occurrence}", self.as_str()),
            None => format!("{}:{booking_id}", self.as_str()),
        }
    }
}

impl std::str::FromStr for MailKind {
    type Err = UnknownStatus;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        by_spelling(&Self::ALL, Self::as_str, s, "mail kind")
    }
}

impl TryFrom<String> for MailKind {
    type Error = UnknownStatus;

    fn try_from(text: String) -> Result<Self, UnknownStatus> {
        text.parse()
    }
}

/// The facts of the change a mail tells of, kept with it in the outbox (JSON).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailFacts {
    /// Money that moved (paid or refunded), minor units of `currency`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    /// Stripe's id of the payment (or refund).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_id: Option<String>,
    /// When it happened (UTC ms).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<i64>,
    /// Stripe's words for a failure, or why a booking was cancelled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// A refund of the booking's payment was asked for along with the change.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub refund_requested: bool,
    /// The bookings a "find my booking" mail lists.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub bookings: Vec<ListedBooking>,
    /// The waitlist place a waitlist mail is about.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waitlist: Option<WaitlistFacts>,
    /// Where a moved booking was before (session title and start, UTC ms).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub moved_from: Option<(String, i64)>,
    /// How many times the calendar entry changed (a move sends a newer entry).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sequence: Option<u32>,
}

/// A waitlist place, as its mails speak of it.
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
    /// Until when an offered place is held (UTC ms).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub held_until: Option<i64>,
}

/// One booking in a "find my booking" mail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListedBooking {
    pub reference: String,
    pub session_title: String,
    pub athlete_name: String,
    /// UTC ms.
    pub starts_at: i64,
}

/// The booking as a mail speaks of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailBooking {
    pub reference: String,
    pub parent_name: String,
    pub athlete_name: String,
    pub session_title: String,
    /// UTC ms.
    pub starts_at: i64,
    pub duration_minutes: i64,
    pub location: String,
    /// The price, minor units of `currency`.
    pub amount: i64,
    pub currency: String,
    /// The booking needs no payment (an admin's entry).
    pub manual: bool,
    /// How long an unpaid place is held, if it is (UTC ms of the end).
    pub held_until: Option<i64>,
}

/// Who is writing, and where the links point.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sender<'a> {
    pub business_name: &'a str,
    /// `https://book.example.com`, without a trailing slash.
    pub base_url: &'a str,
    pub timezone: chrono_tz::Tz,
    /// Where parents can write (replies, questions).
    pub contact: &'a str,
}

/// A mail ready to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedMail {
    pub subject: String,
    pub text: String,
    pub html: String,
    /// A calendar entry (`session.ics`), for a confirmation.
    pub ics: Option<String>,
}

/// Text for HTML: the five characters that could change its meaning, escaped.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A mail written once, as paragraphs, lines of facts and links, then rendered twice.
#[derive(Default)]
struct Body {
    parts: Vec<Part>,
}

enum Part {
    Paragraph(String),
    Facts(Vec<(String, String)>),
    Link { label: String, url: String },
}

impl Body {
    fn say(&mut self, text: impl Into<String>) -> &mut Self {
        self.parts.push(Part::Paragraph(text.into()));
        self
    }

    fn facts(&mut self, facts: Vec<(&str, String)>) -> &mut Self {
        self.parts.push(Part::Facts(
            facts.into_iter().map(|(k, v)| (k.to_owned(), v)).collect(),
        ));
        self
    }

    fn link(&mut self, label: impl Into<String>, url: impl Into<String>) -> &mut Self {
        self.parts.push(Part::Link {
            label: label.into(),
            url: url.into(),
        });
        self
    }

    fn text(&self) -> String {
        let mut out = String::new();
        for part in &self.parts {
            match part {
                Part::Paragraph(text) => {
                    let _ = writeln!(out, "{text}\n");
                }
                Part::Facts(facts) => {
                    for (label, value) in facts {
                        let _ = writeln!(out, "{label}: {value}");
                    }
                    out.push('\n');
                }
                Part::Link { label, url } => {
                    let _ = writeln!(out, "{label}: {url}\n");
                }
            }
        }
        out.trim_end().to_owned() + "\n"
    }

    fn html(&self, title: &str) -> String {
        let mut out = format!(
            "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{}</title></head>\
             <body style=\"font-family:sans-serif;color:#0f172a;line-height:1.5\">",
            escape(title)
        );
        for part in &self.parts {
            match part {
                Part::Paragraph(text) => {
                    let _ = write!(out, "<p>{}</p>", escape(text));
                }
                Part::Facts(facts) => {
                    out.push_str("<table role=\"presentation\">");
                    for (label, value) in facts {
                        let _ = write!(
                            out,
                            "<tr><th align=\"left\" style=\"padding-right:1em\">{}</th><td>{}</td></tr>",
                            escape(label),
                            escape(value)
                        );
                    }
                    out.push_str("</table>");
                }
                Part::Link { label, url } => {
                    let _ = write!(
                        out,
                        "<p><a href=\"{}\" style=\"color:#3730a3\">{}</a></p>",
                        escape(url),
                        escape(label)
                    );
                }
            }
        }
        out.push_str("</body></html>");
        out
    }
}

impl MailBooking {
    fn link(&self, sender: &Sender<'_>) -> String {
        format!("{}/bookings/{}", sender.base_url, self.reference)
    }

    fn when(&self, sender: &Sender<'_>) -> String {
        schedule::when(self.starts_at, sender.timezone)
    }

    fn price(&self) -> String {
        Money::new(self.amount, self.currency.clone()).to_string()
    }

    fn session_facts(&self, sender: &Sender<'_>) -> Vec<(&'static str, String)> {
        vec![
            ("Session", self.session_title.clone()),
            (
                "When",
                format!("{} ({} min)", self.when(sender), self.duration_minutes),
            ),
            ("Where", self.location.clone()),
            ("Athlete", self.athlete_name.clone()),
            ("Reference", self.reference.clone()),
        ]
    }

    /// The calendar entry of the session, for this booking; `sequence` counts its changes (a
    /// calendar replaces an entry by a newer sequence of the same uid).
    pub fn calendar(&self, sender: &Sender<'_>, stamp: i64, sequence: u32) -> String {
        let uid = format!(
            "booking-{}@{}",
            self.reference,
            sender.business_name.replace(' ', "-")
        );
        let summary = format!("{} ({})", self.session_title, self.athlete_name);
        let description = format!("Your booking: {}", self.link(sender));
        CalendarEvent {
            uid: &uid,
            summary: &summary,
            location: &self.location,
            description: &description,
            starts_at: self.starts_at,
            ends_at: self.starts_at + self.duration_minutes * 60 * 1000,
            stamp,
            sequence: sequence.into(),
        }
        .to_ics()
    }
}

fn money(amount: Option<i64>, currency: Option<&str>, booking: &MailBooking) -> String {
    Money::new(
        amount.unwrap_or(booking.amount),
        currency.unwrap_or(&booking.currency),
    )
    .to_string()
}

/// The mail of `kind` about `booking` (none for a "find my booking" mail), with the facts of
/// its change; `now` stamps the calendar entry.
pub fn render(
    kind: MailKind,
    booking: Option<&MailBooking>,
    facts: &MailFacts,
    sender: &Sender<'_>,
    now: i64,
) -> RenderedMail {
    let mut body = Body::default();
    let mut ics = None;
    let subject = match (kind, booking) {
        (MailKind::WaitlistJoined | MailKind::WaitlistOffer | MailKind::WaitlistClosed, _)
            if facts.waitlist.is_some() =>
        {
            let w = facts.waitlist.as_ref().expect("checked above");
            let link = format!("{}/waitlist/{}", sender.base_url, w.token);
            let when = schedule::when(w.starts_at, sender.timezone);
            body.say(format!("Hello {},", w.parent_name));
            let subject = if kind == MailKind::WaitlistClosed {
                body.say(format!(
                    "We are sorry: {} on {when} is cancelled, so its waitlist is closed and no place will be offered to {}.",
                    w.session_title, w.athlete_name
                ));
                body.link("Book another session", format!("{}/book", sender.base_url));
                format!("Cancelled: {}, {when}", w.session_title)
            } else if kind == MailKind::WaitlistOffer {
                let until = w
                    .held_until
                    .map(|at| schedule::when(at, sender.timezone))
                    .unwrap_or_default();
                body.say(format!(
                    "Good news: a place is free in {} on {when}, and it is held for {} until {until}.",
                    w.session_title, w.athlete_name
                ));
                body.link("Book the place", link);
                body.say("If you do not book it by then, it goes to the next person waiting.");
                format!("A place is free: {}, {when}", w.session_title)
            } else {
                body.say(format!(
                    "{} is on the waitlist of {} on {when}. If a place frees, we email you a link that holds it for you for a while.",
                    w.athlete_name, w.session_title
                ));
                body.link("Your waitlist place", link);
                format!("On the waitlist: {}, {when}", w.session_title)
            };
            body.facts(vec![
                ("Session", w.session_title.clone()),
                ("When", when),
                ("Where", w.location.clone()),
                ("Athlete", w.athlete_name.clone()),
            ]);
            subject
        }
        (MailKind::BookingLookup, _) | (_, None) => {
            body.say("Hello,").say(
                "You asked for the links to your bookings. Each link is private: keep it to yourself.",
            );
            for listed in &facts.bookings {
                body.link(
                    format!(
                        "{} – {} ({})",
                        listed.session_title,
                        schedule::when(listed.starts_at, sender.timezone),
                        listed.athlete_name
                    ),
                    format!("{}/bookings/{}", sender.base_url, listed.reference),
                );
            }
            body.say("If you did not ask for this mail, you can ignore it.");
            format!("Your bookings with {}", sender.business_name)
        }
        (MailKind::BookingCreated, Some(b)) => {
            body.say(format!("Hello {},", b.parent_name));
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
            ics = Some(b.calendar(sender, now, 0));
            format!("Your booking: {}, {}", b.session_title, b.when(sender))
        }
        (MailKind::PaymentReceived, Some(b)) => {
            body.say(format!("Hello {},", b.parent_name));
            body.say(format!(
                "We received your payment. {}'s place is confirmed.",
                b.athlete_name
            ));
            let mut receipt = vec![(
                "Amount paid",
                money(facts.amount, facts.currency.as_deref(), b),
            )];
            if let Some(at) = facts.at {
                receipt.push(("Paid on", schedule::when(at, sender.timezone)));
            }
            if let Some(id) = &facts.payment_id {
                receipt.push(("Payment", id.clone()));
            }
            body.facts(receipt);
            body.facts(b.session_facts(sender));
            body.link("Your booking", b.link(sender));
            format!("Payment received: {}, {}", b.session_title, b.when(sender))
        }
        (MailKind::PaymentFailed, Some(b)) => {
            body.say(format!("Hello {},", b.parent_name));
            body.say(format!(
                "Your payment for {} did not go through: {}",
                b.session_title,
                facts
                    .message
                    .clone()
                    .unwrap_or_else(|| "the payment failed.".to_owned())
            ));
            body.say("Your booking is saved. You can try again with the same or another card:");
            body.link("Try paying again", b.link(sender));
            body.facts(b.session_facts(sender));
            format!("Payment failed: {}", b.session_title)
        }
        (MailKind::BookingCancelled, Some(b)) => {
            body.say(format!("Hello {},", b.parent_name));
            body.say(format!(
                "The booking of {} for {} on {} is cancelled.",
                b.athlete_name,
                b.session_title,
                b.when(sender)
            ));
            if let Some(reason) = &facts.message {
                body.say(reason.clone());
            }
            if facts.refund_requested {
                body.say(format!(
                    "A full refund of {} has been asked for. We will write again when it is done; it usually reaches your account within 5 to 10 days.",
                    money(facts.amount, facts.currency.as_deref(), b)
                ));
            }
            body.link("Your booking", b.link(sender));
            format!("Booking cancelled: {}, {}", b.session_title, b.when(sender))
        }
        (MailKind::RefundCompleted, Some(b)) => {
            body.say(format!("Hello {},", b.parent_name));
            let amount = money(facts.amount, facts.currency.as_deref(), b);
            body.say(format!(
                "Your refund of {amount} for {} is on its way back to you. It usually reaches your account within 5 to 10 days.",
                b.session_title
            ));
            let mut details = vec![("Refunded", amount.clone())];
            if let Some(at) = facts.at {
                details.push(("On", schedule::when(at, sender.timezone)));
            }
            if let Some(id) = &facts.payment_id {
                details.push(("Payment", id.clone()));
            }
            details.push(("Reference", b.reference.clone()));
            body.facts(details);
            body.link("Your booking", b.link(sender));
            format!("Refund completed: {amount}")
        }
        (MailKind::BookingMoved, Some(b)) => {
            body.say(format!("Hello {},", b.parent_name));
            let before = facts
                .moved_from
                .as_ref()
                .map(|(title, at)| {
                    format!(" from {title} on {}", schedule::when(*at, sender.timezone))
                })
                .unwrap_or_default();
            body.say(format!(
                "{}'s booking moved{before} to {} on {}. The new calendar entry is attached; your payment goes with the booking.",
                b.athlete_name,
                b.session_title,
                b.when(sender)
            ));
            body.facts(b.session_facts(sender));
            body.link("Your booking", b.link(sender));
            ics = Some(b.calendar(sender, now, facts.sequence.unwrap_or(1)));
            format!("Booking moved: {}, {}", b.session_title, b.when(sender))
        }
        (
            MailKind::WaitlistJoined | MailKind::WaitlistOffer | MailKind::WaitlistClosed,
            Some(_),
        ) => {
            body.say("Hello,");
            body.say("Your waitlist place changed.");
            format!("Waitlist: {}", sender.business_name)
        }
        (MailKind::SessionCancelled, Some(b)) => {
            body.say(format!("Hello {},", b.parent_name));
            body.say(format!(
                "We are sorry: {} on {} is cancelled, so {}'s booking is cancelled too.",
                b.session_title,
                b.when(sender),
                b.athlete_name
            ));
            if facts.refund_requested {
                body.say(format!(
                    "A full refund of {} has been asked for. We will write again when it is done.",
                    money(facts.amount, facts.currency.as_deref(), b)
                ));
            }
            body.link("Your booking", b.link(sender));
            format!("Session cancelled: {}, {}", b.session_title, b.when(sender))
        }
    };
    body.say(format!(
        "Questions? Write to {}.\n{}",
        sender.contact, sender.business_name
    ));
    RenderedMail {
        html: body.html(&subject),
        text: body.text(),
        subject,
        ics,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sender() -> Sender<'static> {
        Sender {
            business_name: "Riverside Coaching",
            base_url: "https://book.example.com",
            timezone: chrono_tz::Europe::London,
            contact: "coach@example.com",
        }
    }

    fn booking() -> MailBooking {
        MailBooking {
            reference: "abcdefghjkmnpqrstvwx".into(),
            parent_name: "Pat <Parent>".into(),
            athlete_name: "Alex".into(),
            session_title: "Sprint technique".into(),
            starts_at: 1_783_157_400_000,
            duration_minutes: 60,
            location: "Track 2".into(),
            amount: 4500,
            currency: "GBP".into(),
            manual: false,
            held_until: Some(1_783_000_000_000),
        }
    }

    #[test]
    fn a_confirmation_has_the_link_the_local_time_and_a_calendar_entry() {
        let mail = render(
            MailKind::BookingCreated,
            Some(&booking()),
            &MailFacts::default(),
            &sender(),
            0,
        );
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
    }

    #[test]
    fn the_receipt_says_what_was_paid_when_and_by_which_payment() {
        let facts = MailFacts {
            amount: Some(4500),
            currency: Some("GBP".into()),
            payment_id: Some("pi_123".into()),
            at: Some(1_783_157_400_000),
            ..MailFacts::default()
        };
        let mail = render(
            MailKind::PaymentReceived,
            Some(&booking()),
            &facts,
            &sender(),
            0,
        );
        assert!(mail.subject.starts_with("Payment received"));
        for fact in [
            "Amount paid: £45.00",
            "Paid on: Sat 4 Jul 2026, 10:30 BST",
            "Payment: pi_123",
        ] {
            assert!(mail.text.contains(fact), "{fact} in {}", mail.text);
        }
        assert_eq!(mail.ics, None);
    }

    #[test]
    fn every_kind_renders_and_keys_are_per_booking_and_kind() {
        for kind in MailKind::ALL {
            let mail = render(kind, Some(&booking()), &MailFacts::default(), &sender(), 0);
            assert!(
                !mail.subject.is_empty() && mail.text.ends_with('\n'),
                "{kind:?}"
            );
            assert!(mail.text.contains("coach@example.com"));
            assert_eq!(kind.as_str().parse::<MailKind>(), Ok(kind));
        }
        assert_eq!(
            MailKind::PaymentReceived.dedupe_key(7, None),
            "payment_received:7"
        );
        assert_eq!(
            MailKind::PaymentFailed.dedupe_key(7, Some("evt_1")),
            "payment_failed:7:evt_1"
        );
    }

    #[test]
    fn a_lookup_lists_each_booking_s_link() {
        let facts = MailFacts {
            bookings: vec![ListedBooking {
                reference: "ref1".into(),
                session_title: "Sprint".into(),
                athlete_name: "Alex".into(),
                starts_at: 1_783_157_400_000,
            }],
            ..MailFacts::default()
        };
        let mail = render(MailKind::BookingLookup, None, &facts, &sender(), 0);
        assert!(mail.text.contains("https://book.example.com/bookings/ref1"));
        assert!(mail
            .html
            .contains("href=\"https://book.example.com/bookings/ref1\""));
    }

    #[test]
    fn a_waitlist_offer_says_until_when_the_place_is_held_and_links_it() {
        let facts = MailFacts {
            waitlist: Some(WaitlistFacts {
                token: "tokentokentokentoken".into(),
                parent_name: "Wendy".into(),
                athlete_name: "Sam".into(),
                session_title: "Sprint technique".into(),
                starts_at: 1_783_157_400_000,
                location: "Track 2".into(),
                held_until: Some(1_783_000_000_000),
            }),
            ..MailFacts::default()
        };
        let mail = render(MailKind::WaitlistOffer, None, &facts, &sender(), 0);
        assert!(mail
            .subject
            .starts_with("A place is free: Sprint technique"));
        assert!(mail
            .text
            .contains("Book the place: https://book.example.com/waitlist/tokentokentokentoken"));
        assert!(mail.text.contains("held for Sam until"), "{}", mail.text);
        let joined = render(MailKind::WaitlistJoined, None, &facts, &sender(), 0);
        assert!(joined.subject.starts_with("On the waitlist"));
        let closed = render(MailKind::WaitlistClosed, None, &facts, &sender(), 0);
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

    #[test]
    fn a_moved_booking_sends_a_newer_calendar_entry() {
        let facts = MailFacts {
            moved_from: Some(("Hurdles".into(), 1_783_000_000_000)),
            sequence: Some(2),
            ..MailFacts::default()
        };
        let mail = render(
            MailKind::BookingMoved,
            Some(&booking()),
            &facts,
            &sender(),
            0,
        );
        assert!(mail.subject.starts_with("Booking moved: Sprint technique"));
        assert!(mail.text.contains("moved from Hurdles on"), "{}", mail.text);
        assert!(mail.ics.unwrap().contains("SEQUENCE:2"));
    }
}
