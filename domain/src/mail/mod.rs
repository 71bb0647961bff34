//! The mails a parent gets, in words: each kind of change, its subject, its plain-text and HTML
//! bodies (times in the business's zone, money in the booking's currency, the booking's private
//! link), and the calendar entry of a confirmation. Which change causes which mail, and when it
//! is sent, is the use cases' and the outbox's business.
//!
//! Each kind of mail has its own facts and its own function: the mails about one booking
//! ([`BookingMail`], rendered with that booking as it is when the mail is sent) are in
//! `booking.rs` and `payment.rs`; the others ([`UnbookedMail`]: "find my booking" and the
//! waitlist's) in `lookup.rs` and `waitlist.rs`. A mail's kind is read off its facts, so a kind
//! with another kind's facts cannot be written; `stored.rs` keeps the facts in the outbox.

mod body;
mod booking;
mod family;
mod kind;
mod lookup;
mod message;
mod payment;
mod reminder;
mod stored;
mod waitlist;

use crate::ics::CalendarEvent;
use crate::money::Money;
use crate::schedule;
use body::Body;

pub use booking::{CancelFacts, MoveFacts};
pub use kind::MailKind;
pub use lookup::ListedBooking;
pub use message::{message_text_max, MessageFacts, SessionNote};
pub use payment::PaymentFacts;
pub use reminder::reminder_still_due;
pub use stored::StoredFactsError;
pub use waitlist::WaitlistFacts;

/// The facts of a mail about one booking, one variant per kind: what the change was, beside
/// what the booking says when the mail is sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BookingMail {
    /// A booking was made: its link, what to do next, the calendar entry.
    BookingCreated,
    /// The payment landed: the receipt.
    PaymentReceived(PaymentFacts),
    /// A payment failed, with Stripe's words for why, when it gave them.
    PaymentFailed { message: Option<String> },
    /// The booking was cancelled (by the parent or an admin).
    BookingCancelled(CancelFacts),
    /// A refund reached the parent.
    RefundCompleted(PaymentFacts),
    /// The admin cancelled the whole session, and with it this booking; the refund asked for
    /// along with it, if one was.
    SessionCancelled { refund: Option<Money> },
    /// The booking moved to another session: the new time and calendar entry.
    BookingMoved(MoveFacts),
    /// A payment landed on a booking already cancelled: it is being returned in full (never
    /// "your place is confirmed").
    LatePaymentReturned(PaymentFacts),
    /// The session is close: a reminder for the session's start as it was when the reminder
    /// was queued (UTC ms; a later start gets its own reminder).
    Reminder { starts_at: i64 },
    /// The session's time or place changed (from `from_starts_at`, UTC ms, at `from_location`):
    /// the new ones, a calendar entry replacing the old, and a full refund on cancelling.
    SessionChanged {
        from_starts_at: i64,
        from_location: String,
    },
}

/// The facts of a mail about no single booking, one variant per kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UnbookedMail {
    /// "Find my booking": the links of an email's upcoming bookings.
    BookingLookup(Vec<ListedBooking>),
    /// Someone joined a full session's waitlist.
    WaitlistJoined(WaitlistFacts),
    /// A place freed: it is held for the first person waiting until `held_until` (UTC ms).
    WaitlistOffer {
        place: WaitlistFacts,
        held_until: i64,
    },
    /// The session waited for was cancelled: the waitlist place is closed.
    WaitlistClosed(WaitlistFacts),
    /// An admin's message to the families of a session.
    SessionMessage(MessageFacts),
    /// A family's sign-in link, valid `minutes`; `link` is made when the mail goes (never
    /// stored: the outbox keeps `None`).
    FamilySignIn { link: Option<String>, minutes: i64 },
    /// The link confirming family `family`'s new address (the recipient); `link` as above.
    FamilyAddressChange { family: i64, link: Option<String> },
}

/// The facts of any mail, as the outbox keeps them (see [`MailFacts::from_stored`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MailFacts {
    Booking(BookingMail),
    Unbooked(UnbookedMail),
}

impl BookingMail {
    pub const fn kind(&self) -> MailKind {
        match self {
            Self::BookingCreated => MailKind::BookingCreated,
            Self::PaymentReceived(_) => MailKind::PaymentReceived,
            Self::PaymentFailed { .. } => MailKind::PaymentFailed,
            Self::BookingCancelled(_) => MailKind::BookingCancelled,
            Self::RefundCompleted(_) => MailKind::RefundCompleted,
            Self::SessionCancelled { .. } => MailKind::SessionCancelled,
            Self::BookingMoved(_) => MailKind::BookingMoved,
            Self::LatePaymentReturned(_) => MailKind::LatePaymentReturned,
            Self::Reminder { .. } => MailKind::Reminder,
            Self::SessionChanged { .. } => MailKind::SessionChanged,
        }
    }

    /// The mail about `booking` (as it is now), with the facts of its change; `now` stamps a
    /// calendar entry.
    pub fn render(&self, booking: &MailBooking, sender: &Sender<'_>, now: i64) -> RenderedMail {
        match self {
            Self::BookingCreated => booking::created(booking, sender, now),
            Self::PaymentReceived(facts) => payment::received(booking, facts, sender, now),
            Self::PaymentFailed { message } => payment::failed(booking, message.as_deref(), sender),
            Self::BookingCancelled(facts) => booking::cancelled(booking, facts, sender, now),
            Self::RefundCompleted(facts) => payment::refunded(booking, facts, sender),
            Self::SessionCancelled { refund } => {
                booking::session_cancelled(booking, refund.as_ref(), sender, now)
            }
            Self::BookingMoved(facts) => booking::moved(booking, facts, sender, now),
            Self::LatePaymentReturned(facts) => payment::returned(booking, facts, sender),
            Self::Reminder { .. } => reminder::reminder(booking, sender, now),
            Self::SessionChanged {
                from_starts_at,
                from_location,
            } => reminder::changed(booking, *from_starts_at, from_location, sender, now),
        }
        .finish(sender)
    }
}

impl UnbookedMail {
    pub const fn kind(&self) -> MailKind {
        match self {
            Self::BookingLookup(_) => MailKind::BookingLookup,
            Self::WaitlistJoined(_) => MailKind::WaitlistJoined,
            Self::WaitlistOffer { .. } => MailKind::WaitlistOffer,
            Self::WaitlistClosed(_) => MailKind::WaitlistClosed,
            Self::SessionMessage(_) => MailKind::SessionMessage,
            Self::FamilySignIn { .. } => MailKind::FamilySignIn,
            Self::FamilyAddressChange { .. } => MailKind::FamilyAddressChange,
        }
    }

    /// The mail, from its facts alone.
    pub fn render(&self, sender: &Sender<'_>) -> RenderedMail {
        match self {
            Self::BookingLookup(listed) => lookup::lookup(listed, sender),
            Self::WaitlistJoined(place) => waitlist::joined(place, sender),
            Self::WaitlistOffer { place, held_until } => {
                waitlist::offer(place, *held_until, sender)
            }
            Self::WaitlistClosed(place) => waitlist::closed(place, sender),
            Self::SessionMessage(facts) => message::message(facts, sender),
            Self::FamilySignIn { link, minutes } => {
                family::sign_in(link.as_deref(), *minutes, sender)
            }
            Self::FamilyAddressChange { link, .. } => {
                family::address_change(link.as_deref(), sender)
            }
        }
        .finish(sender)
    }
}

impl MailFacts {
    pub const fn kind(&self) -> MailKind {
        match self {
            Self::Booking(mail) => mail.kind(),
            Self::Unbooked(mail) => mail.kind(),
        }
    }
}

impl From<BookingMail> for MailFacts {
    fn from(mail: BookingMail) -> Self {
        Self::Booking(mail)
    }
}

impl From<UnbookedMail> for MailFacts {
    fn from(mail: UnbookedMail) -> Self {
        Self::Unbooked(mail)
    }
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
    /// How many times its calendar entry changed (each move sends a newer one).
    pub calendar_changes: u32,
    /// How many children the mail is about: more than one for a family's payment, whose
    /// `athlete_name` then names them all ("Alex and Sam") and `amount` is their total.
    pub children: u32,
    /// For a term paid at once: how many sessions, and the last one's start (UTC ms); the
    /// booking's own session is the first. `None` for one session.
    pub term: Option<(u32, i64)>,
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

impl MailBooking {
    /// A body that starts by greeting the booking's parent.
    fn hello(&self) -> Body {
        let mut body = Body::default();
        body.say(format!("Hello {},", self.parent_name));
        body
    }

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
        ]
        .into_iter()
        .chain(self.term.map(|(sessions, last)| {
            (
                "Term",
                format!(
                    "{sessions} weekly sessions, the last on {}",
                    schedule::when(last, sender.timezone)
                ),
            )
        }))
        .chain([
            ("Athlete", self.athlete_name.clone()),
            ("Reference", self.reference.clone()),
        ])
        .collect()
    }

    /// The calendar entry of the session, for this booking; `sequence` counts its changes (a
    /// calendar replaces an entry by a newer sequence of the same uid).
    pub fn calendar(&self, sender: &Sender<'_>, stamp: i64, sequence: u32) -> String {
        self.calendar_event(sender, stamp, sequence, false)
    }

    /// The entry that withdraws the booking's event from a calendar: the same uid, a newer
    /// sequence than any sent before.
    pub fn calendar_cancel(&self, sender: &Sender<'_>, stamp: i64) -> String {
        self.calendar_event(sender, stamp, self.calendar_changes + 1, true)
    }

    fn calendar_event(
        &self,
        sender: &Sender<'_>,
        stamp: i64,
        sequence: u32,
        cancelled: bool,
    ) -> String {
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
            cancelled,
        }
        .to_ics()
    }
}

#[cfg(test)]
mod fixtures {
    use super::*;

    pub(super) fn sender() -> Sender<'static> {
        Sender {
            business_name: "Riverside Coaching",
            base_url: "https://book.example.com",
            timezone: chrono_tz::Europe::London,
            contact: "coach@example.com",
        }
    }

    pub(super) fn booking() -> MailBooking {
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
            calendar_changes: 0,
            children: 1,
            term: None,
        }
    }

    pub(super) fn place() -> WaitlistFacts {
        WaitlistFacts {
            token: "tokentokentokentoken".into(),
            parent_name: "Wendy".into(),
            athlete_name: "Sam".into(),
            session_title: "Sprint technique".into(),
            starts_at: 1_783_157_400_000,
            location: "Track 2".into(),
        }
    }

    pub(super) fn payment() -> PaymentFacts {
        PaymentFacts {
            amount: Some(4500),
            currency: "GBP".into(),
            payment_id: Some("pi_123".into()),
            at: 1_783_157_400_000,
        }
    }

    /// The mail of `facts`, about [`booking`] when it is a booking's.
    pub(super) fn render(facts: &MailFacts) -> RenderedMail {
        match facts {
            MailFacts::Booking(mail) => mail.render(&booking(), &sender(), 0),
            MailFacts::Unbooked(mail) => mail.render(&sender()),
        }
    }

    /// Facts of every kind of mail, one each.
    pub(super) fn one_of_each() -> Vec<MailFacts> {
        vec![
            BookingMail::BookingCreated.into(),
            BookingMail::PaymentReceived(payment()).into(),
            BookingMail::PaymentFailed { message: None }.into(),
            BookingMail::BookingCancelled(CancelFacts {
                reason: None,
                refund: None,
                sessions: Some(9),
            })
            .into(),
            BookingMail::RefundCompleted(payment()).into(),
            BookingMail::SessionCancelled { refund: None }.into(),
            UnbookedMail::BookingLookup(vec![]).into(),
            UnbookedMail::WaitlistJoined(place()).into(),
            UnbookedMail::WaitlistOffer {
                place: place(),
                held_until: 1_783_000_000_000,
            }
            .into(),
            UnbookedMail::WaitlistClosed(place()).into(),
            BookingMail::BookingMoved(MoveFacts {
                from_title: "Hurdles".into(),
                from_starts_at: 1_783_000_000_000,
                sequence: 1,
                make_up: true,
            })
            .into(),
            BookingMail::LatePaymentReturned(payment()).into(),
            BookingMail::Reminder {
                starts_at: 1_783_157_400_000,
            }
            .into(),
            UnbookedMail::SessionMessage(MessageFacts {
                subject: "Rain".into(),
                text: "We train in the hall.".into(),
                session_title: "Sprint technique".into(),
                starts_at: 1_783_157_400_000,
                location: "Track 2".into(),
            })
            .into(),
            UnbookedMail::FamilySignIn {
                link: None,
                minutes: 15,
            }
            .into(),
            UnbookedMail::FamilyAddressChange {
                family: 3,
                link: None,
            }
            .into(),
            BookingMail::SessionChanged {
                from_starts_at: 1_783_000_000_000,
                from_location: "Track 1".into(),
            }
            .into(),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::fixtures::*;
    use super::*;

    #[test]
    fn every_kind_renders_and_keys_are_per_booking_and_kind() {
        let facts = one_of_each();
        assert_eq!(
            facts.iter().map(MailFacts::kind).collect::<Vec<_>>(),
            MailKind::ALL,
            "one example per kind, in order"
        );
        for facts in facts {
            let kind = facts.kind();
            let mail = render(&facts);
            assert!(
                !mail.subject.is_empty() && mail.text.ends_with('\n'),
                "{kind:?}"
            );
            assert!(mail.text.contains("coach@example.com"));
            assert!(mail
                .text
                .ends_with("Questions? Write to coach@example.com.\nRiverside Coaching\n"));
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
    fn a_confirmation_a_receipt_a_move_a_reminder_and_a_cancellation_carry_a_calendar_entry() {
        for facts in one_of_each() {
            let ics = render(&facts).ics;
            let cancels = matches!(
                facts,
                MailFacts::Booking(
                    BookingMail::BookingCancelled(_) | BookingMail::SessionCancelled { .. }
                )
            );
            assert_eq!(
                ics.is_some(),
                cancels
                    || matches!(
                        facts,
                        MailFacts::Booking(
                            BookingMail::BookingCreated
                                | BookingMail::PaymentReceived(_)
                                | BookingMail::BookingMoved(_)
                                | BookingMail::Reminder { .. }
                                | BookingMail::SessionChanged { .. }
                        )
                    ),
                "{:?}",
                facts.kind()
            );
            // A cancellation withdraws the same event (its uid) with a newer sequence.
            if let (true, Some(ics)) = (cancels, ics) {
                assert!(ics.contains("\r\nMETHOD:CANCEL\r\n"), "{ics}");
                assert!(ics.contains("\r\nSTATUS:CANCELLED\r\n"), "{ics}");
                assert!(ics.contains("UID:booking-abcdefghjkmnpqrstvwx@"), "{ics}");
                assert!(ics.contains("\r\nSEQUENCE:1\r\n"), "{ics}");
            }
        }
    }
}
