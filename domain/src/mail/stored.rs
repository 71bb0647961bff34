//! The facts as the outbox keeps them: one flat JSON object per mail, read by the kind of its
//! row. Its fields are the ones the outbox has held since it began (each left out when empty),
//! so rows queued before the facts were typed per kind read as new ones do:
//!
//! | kind | fields |
//! |---|---|
//! | `booking_created` | none (the row's payload is not read) |
//! | `payment_received`, `refund_completed` | `amount`?, `currency`, `payment_id`?, `at` |
//! | `payment_failed` | `message`? (Stripe's words) |
//! | `booking_cancelled`, `session_cancelled` | `message`? (the reason; a session's mail has none), and `amount`, `currency`, `refund_requested: true` when a refund was asked |
//! | `booking_moved` | `moved_from` (`[title, starts_at]`), `sequence` |
//! | `reminder` | `starts_at` (the session's start it reminds of) |
//! | `session_changed` | `from_starts_at`, `from_location` (where and when it was) |
//! | `session_message` | `message`: the admin's `subject` and `text`, the session's `session_title`, `starts_at`, `location` |
//! | `booking_lookup` | `bookings` (left out when empty) |
//! | `waitlist_joined`, `waitlist_offer`, `waitlist_closed` | `waitlist`: the place, with `held_until` for an offer |
//! | `family_sign_in` | `minutes` (the link itself is never stored) |
//! | `family_address_change` | `family` (the family's id; the link itself is never stored) |

use super::{
    BookingMail, CancelFacts, ListedBooking, MailFacts, MailKind, MessageFacts, MoveFacts,
    UnbookedMail, WaitlistFacts,
};
use crate::money::Money;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// The payload of an outbox row does not read as the facts of its kind: sending it again will
/// not help. (It says where, never what: the payload holds names and addresses.)
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the facts of this {} mail do not read: {problem}", .kind.as_str())]
pub struct StoredFactsError {
    pub kind: MailKind,
    problem: String,
}

impl StoredFactsError {
    fn new(kind: MailKind, problem: impl Into<String>) -> Self {
        Self {
            kind,
            problem: problem.into(),
        }
    }
}

fn read<T: DeserializeOwned>(kind: MailKind, payload: &str) -> Result<T, StoredFactsError> {
    serde_json::from_str(payload).map_err(|e| {
        let what = match e.classify() {
            serde_json::error::Category::Data => "a field is missing or of another type",
            _ => "not a JSON object",
        };
        StoredFactsError::new(
            kind,
            format!("{what} (line {}, column {})", e.line(), e.column()),
        )
    })
}

fn write(facts: &impl Serialize) -> String {
    // Plain structs with text keys always serialise; "{}" would fail to read, visibly.
    serde_json::to_string(facts).unwrap_or_else(|_| "{}".to_owned())
}

/// A payment failure.
#[derive(Serialize, Deserialize)]
struct Failure {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    message: Option<String>,
}

/// A cancellation, of a booking or of its session.
#[derive(Serialize, Deserialize)]
struct Cancellation {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    amount: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    currency: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    message: Option<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    refund_requested: bool,
    /// A term's bookings cancelled together: how many.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    sessions: Option<u32>,
}

impl Cancellation {
    fn of(reason: Option<&str>, refund: Option<&Money>) -> Self {
        Self {
            amount: refund.map(|m| m.amount),
            currency: refund.map(|m| m.currency.clone()),
            message: reason.map(str::to_owned),
            refund_requested: refund.is_some(),
            sessions: None,
        }
    }

    fn refund(&self, kind: MailKind) -> Result<Option<Money>, StoredFactsError> {
        if !self.refund_requested {
            return Ok(None);
        }
        match (self.amount, &self.currency) {
            (Some(amount), Some(currency)) => Ok(Some(Money::new(amount, currency.as_str()))),
            _ => Err(StoredFactsError::new(
                kind,
                "a refund asked for without its amount and currency",
            )),
        }
    }
}

/// A move: where from (title and start), and the calendar entry's new sequence.
#[derive(Serialize, Deserialize)]
struct Moved {
    moved_from: (String, i64),
    sequence: u32,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    make_up: bool,
}

/// An admin's message to a session.
#[derive(Serialize, Deserialize)]
struct Message {
    message: MessageFacts,
}

/// A session's change: where and when it was.
#[derive(Serialize, Deserialize)]
struct Changed {
    from_starts_at: i64,
    from_location: String,
}

/// A reminder: the start it is for.
#[derive(Serialize, Deserialize)]
struct Reminder {
    starts_at: i64,
}

#[derive(Serialize, Deserialize)]
struct Lookup {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    bookings: Vec<ListedBooking>,
}

#[derive(Serialize, Deserialize)]
struct Waitlist {
    waitlist: Place,
}

#[derive(Serialize, Deserialize)]
struct Place {
    #[serde(flatten)]
    place: WaitlistFacts,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    held_until: Option<i64>,
}

/// A family's link mail: what it needs to make the link when it goes, never the link.
#[derive(Serialize, Deserialize)]
struct FamilyLink {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    minutes: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    family: Option<i64>,
}

impl Waitlist {
    fn of(place: &WaitlistFacts, held_until: Option<i64>) -> Self {
        Self {
            waitlist: Place {
                place: place.clone(),
                held_until,
            },
        }
    }
}

impl MailFacts {
    /// The facts of an outbox row of `kind` whose payload is `payload`: always facts of that
    /// kind, or why they do not read.
    pub fn from_stored(kind: MailKind, payload: &str) -> Result<Self, StoredFactsError> {
        Ok(match kind {
            MailKind::BookingCreated => BookingMail::BookingCreated.into(),
            MailKind::PaymentReceived => BookingMail::PaymentReceived(read(kind, payload)?).into(),
            MailKind::RefundCompleted => BookingMail::RefundCompleted(read(kind, payload)?).into(),
            MailKind::LatePaymentReturned => {
                BookingMail::LatePaymentReturned(read(kind, payload)?).into()
            }
            MailKind::PaymentFailed => {
                let failure: Failure = read(kind, payload)?;
                BookingMail::PaymentFailed {
                    message: failure.message,
                }
                .into()
            }
            MailKind::BookingCancelled => {
                let stored: Cancellation = read(kind, payload)?;
                BookingMail::BookingCancelled(CancelFacts {
                    refund: stored.refund(kind)?,
                    reason: stored.message,
                    sessions: stored.sessions,
                })
                .into()
            }
            MailKind::SessionCancelled => {
                let stored: Cancellation = read(kind, payload)?;
                BookingMail::SessionCancelled {
                    refund: stored.refund(kind)?,
                }
                .into()
            }
            MailKind::BookingMoved => {
                let moved: Moved = read(kind, payload)?;
                BookingMail::BookingMoved(MoveFacts {
                    from_title: moved.moved_from.0,
                    from_starts_at: moved.moved_from.1,
                    sequence: moved.sequence,
                    make_up: moved.make_up,
                })
                .into()
            }
            MailKind::SessionChanged => {
                let changed: Changed = read(kind, payload)?;
                BookingMail::SessionChanged {
                    from_starts_at: changed.from_starts_at,
                    from_location: changed.from_location,
                }
                .into()
            }
            MailKind::Reminder => BookingMail::Reminder {
                starts_at: read::<Reminder>(kind, payload)?.starts_at,
            }
            .into(),
            MailKind::SessionMessage => {
                UnbookedMail::SessionMessage(read::<Message>(kind, payload)?.message).into()
            }
            MailKind::BookingLookup => {
                UnbookedMail::BookingLookup(read::<Lookup>(kind, payload)?.bookings).into()
            }
            MailKind::WaitlistJoined => {
                UnbookedMail::WaitlistJoined(read::<Waitlist>(kind, payload)?.waitlist.place).into()
            }
            MailKind::WaitlistClosed => {
                UnbookedMail::WaitlistClosed(read::<Waitlist>(kind, payload)?.waitlist.place).into()
            }
            MailKind::WaitlistOffer => {
                let Place { place, held_until } = read::<Waitlist>(kind, payload)?.waitlist;
                let held_until = held_until
                    .ok_or_else(|| StoredFactsError::new(kind, "an offer without its hold"))?;
                UnbookedMail::WaitlistOffer { place, held_until }.into()
            }
            MailKind::FamilySignIn => {
                let stored: FamilyLink = read(kind, payload)?;
                UnbookedMail::FamilySignIn {
                    link: None,
                    minutes: stored
                        .minutes
                        .ok_or_else(|| StoredFactsError::new(kind, "a link without its time"))?,
                }
                .into()
            }
            MailKind::FamilyAddressChange => {
                let stored: FamilyLink = read(kind, payload)?;
                UnbookedMail::FamilyAddressChange {
                    family: stored.family.ok_or_else(|| {
                        StoredFactsError::new(kind, "a change without its family")
                    })?,
                    link: None,
                }
                .into()
            }
        })
    }

    /// The payload to keep in the outbox beside `self.kind()`.
    pub fn to_stored(&self) -> String {
        match self {
            Self::Booking(mail) => mail.to_stored(),
            Self::Unbooked(mail) => mail.to_stored(),
        }
    }
}

impl BookingMail {
    /// The payload to keep in the outbox beside `self.kind()`.
    pub fn to_stored(&self) -> String {
        match self {
            Self::BookingCreated => "{}".to_owned(),
            Self::PaymentReceived(facts)
            | Self::RefundCompleted(facts)
            | Self::LatePaymentReturned(facts) => write(facts),
            Self::PaymentFailed { message } => write(&Failure {
                message: message.clone(),
            }),
            Self::BookingCancelled(facts) => write(&Cancellation {
                sessions: facts.sessions,
                ..Cancellation::of(facts.reason.as_deref(), facts.refund.as_ref())
            }),
            Self::SessionCancelled { refund } => write(&Cancellation::of(None, refund.as_ref())),
            Self::BookingMoved(facts) => write(&Moved {
                moved_from: (facts.from_title.clone(), facts.from_starts_at),
                sequence: facts.sequence,
                make_up: facts.make_up,
            }),
            Self::Reminder { starts_at } => write(&Reminder {
                starts_at: *starts_at,
            }),
            Self::SessionChanged {
                from_starts_at,
                from_location,
            } => write(&Changed {
                from_starts_at: *from_starts_at,
                from_location: from_location.clone(),
            }),
        }
    }
}

impl UnbookedMail {
    /// The payload to keep in the outbox beside `self.kind()`.
    pub fn to_stored(&self) -> String {
        match self {
            Self::BookingLookup(listed) => write(&Lookup {
                bookings: listed.clone(),
            }),
            Self::WaitlistJoined(place) | Self::WaitlistClosed(place) => {
                write(&Waitlist::of(place, None))
            }
            Self::WaitlistOffer { place, held_until } => {
                write(&Waitlist::of(place, Some(*held_until)))
            }
            Self::SessionMessage(facts) => write(&Message {
                message: facts.clone(),
            }),
            // The link is never kept: it is made when the mail goes.
            Self::FamilySignIn { minutes, .. } => write(&FamilyLink {
                minutes: Some(*minutes),
                family: None,
            }),
            Self::FamilyAddressChange { family, .. } => write(&FamilyLink {
                minutes: None,
                family: Some(*family),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{one_of_each, place};
    use super::super::PaymentFacts;
    use super::*;

    fn payment(amount: Option<i64>, currency: &str, id: Option<&str>) -> PaymentFacts {
        PaymentFacts {
            amount,
            currency: currency.into(),
            payment_id: id.map(str::to_owned),
            at: 1_783_157_400_000,
        }
    }

    fn cancel(reason: Option<&str>, refund: Option<(i64, &str)>) -> CancelFacts {
        CancelFacts {
            reason: reason.map(str::to_owned),
            refund: refund.map(|(amount, currency)| Money::new(amount, currency)),
            sessions: None,
        }
    }

    const PLACE: &str = r#""token":"tokentokentokentoken","parent_name":"Wendy","athlete_name":"Sam","session_title":"Sprint technique","starts_at":1783157400000,"location":"Track 2""#;

    /// Payloads as the outbox has held them since it began (the one `MailFacts` of every kind,
    /// each field left out when empty), written by hand, with the facts each one reads as;
    /// `true` when a new row of the same facts is the very same text.
    fn old_rows() -> Vec<(MailKind, String, MailFacts, bool)> {
        let b = |mail: BookingMail| MailFacts::Booking(mail);
        let u = |mail: UnbookedMail| MailFacts::Unbooked(mail);
        vec![
            (MailKind::BookingCreated, "{}".into(), b(BookingMail::BookingCreated), true),
            (
                MailKind::PaymentReceived,
                r#"{"amount":4500,"currency":"gbp","payment_id":"pi_123","at":1783157400000}"#.into(),
                b(BookingMail::PaymentReceived(payment(Some(4500), "gbp", Some("pi_123")))),
                true,
            ),
            (
                MailKind::PaymentReceived,
                r#"{"currency":"usd","at":1783157400000}"#.into(),
                b(BookingMail::PaymentReceived(payment(None, "usd", None))),
                true,
            ),
            // A kind of mail newer than the typed facts: the same shape as a receipt.
            (
                MailKind::LatePaymentReturned,
                r#"{"amount":4500,"currency":"gbp","payment_id":"pi_123","at":1783157400000}"#.into(),
                b(BookingMail::LatePaymentReturned(payment(Some(4500), "gbp", Some("pi_123")))),
                true,
            ),
            (
                MailKind::SessionChanged,
                r#"{"from_starts_at":1783000000000,"from_location":"Track 1"}"#.into(),
                b(BookingMail::SessionChanged {
                    from_starts_at: 1_783_000_000_000,
                    from_location: "Track 1".into(),
                }),
                true,
            ),
            (
                MailKind::SessionMessage,
                r#"{"message":{"subject":"Rain","text":"Hall","session_title":"Sprint technique","starts_at":1783157400000,"location":"Track 2"}}"#.into(),
                u(UnbookedMail::SessionMessage(MessageFacts {
                    subject: "Rain".into(),
                    text: "Hall".into(),
                    session_title: "Sprint technique".into(),
                    starts_at: 1_783_157_400_000,
                    location: "Track 2".into(),
                })),
                true,
            ),
            (
                MailKind::Reminder,
                r#"{"starts_at":1783157400000}"#.into(),
                b(BookingMail::Reminder {
                    starts_at: 1_783_157_400_000,
                }),
                true,
            ),
            (
                MailKind::PaymentFailed,
                r#"{"message":"Your card was declined."}"#.into(),
                b(BookingMail::PaymentFailed {
                    message: Some("Your card was declined.".into()),
                }),
                true,
            ),
            (
                MailKind::PaymentFailed,
                "{}".into(),
                b(BookingMail::PaymentFailed { message: None }),
                true,
            ),
            (
                MailKind::BookingCancelled,
                r#"{"amount":4500,"currency":"GBP","message":"You cancelled it from your booking page.","refund_requested":true}"#.into(),
                b(BookingMail::BookingCancelled(cancel(
                    Some("You cancelled it from your booking page."),
                    Some((4500, "GBP")),
                ))),
                true,
            ),
            // Without a refund, the booking's currency was kept and never read.
            (
                MailKind::BookingCancelled,
                r#"{"currency":"GBP","message":"You cancelled it from your booking page."}"#.into(),
                b(BookingMail::BookingCancelled(cancel(
                    Some("You cancelled it from your booking page."),
                    None,
                ))),
                false,
            ),
            (
                MailKind::BookingCancelled,
                r#"{"currency":"GBP"}"#.into(),
                b(BookingMail::BookingCancelled(cancel(None, None))),
                false,
            ),
            (
                MailKind::SessionCancelled,
                r#"{"amount":4000,"currency":"USD","refund_requested":true}"#.into(),
                b(BookingMail::SessionCancelled {
                    refund: Some(Money::new(4000, "USD")),
                }),
                true,
            ),
            (
                MailKind::SessionCancelled,
                r#"{"currency":"USD"}"#.into(),
                b(BookingMail::SessionCancelled { refund: None }),
                false,
            ),
            (
                MailKind::RefundCompleted,
                r#"{"amount":1500,"currency":"gbp","payment_id":"pi_9","at":1783157400000}"#.into(),
                b(BookingMail::RefundCompleted(payment(Some(1500), "gbp", Some("pi_9")))),
                true,
            ),
            (
                MailKind::BookingLookup,
                r#"{"bookings":[{"reference":"ref1","session_title":"Sprint","athlete_name":"Alex","starts_at":1783157400000}]}"#.into(),
                u(UnbookedMail::BookingLookup(vec![ListedBooking {
                    reference: "ref1".into(),
                    session_title: "Sprint".into(),
                    athlete_name: "Alex".into(),
                    starts_at: 1_783_157_400_000,
                }])),
                true,
            ),
            (
                MailKind::WaitlistJoined,
                format!(r#"{{"waitlist":{{{PLACE}}}}}"#),
                u(UnbookedMail::WaitlistJoined(place())),
                true,
            ),
            (
                MailKind::WaitlistOffer,
                format!(r#"{{"waitlist":{{{PLACE},"held_until":1783000000000}}}}"#),
                u(UnbookedMail::WaitlistOffer {
                    place: place(),
                    held_until: 1_783_000_000_000,
                }),
                true,
            ),
            (
                MailKind::WaitlistClosed,
                format!(r#"{{"waitlist":{{{PLACE}}}}}"#),
                u(UnbookedMail::WaitlistClosed(place())),
                true,
            ),
            (
                MailKind::BookingMoved,
                r#"{"moved_from":["Hurdles",1783000000000],"sequence":2}"#.into(),
                b(BookingMail::BookingMoved(MoveFacts {
                    from_title: "Hurdles".into(),
                    from_starts_at: 1_783_000_000_000,
                    sequence: 2,
                    make_up: false,
                })),
                true,
            ),
            (
                MailKind::FamilySignIn,
                r#"{"minutes":15}"#.into(),
                u(UnbookedMail::FamilySignIn {
                    link: None,
                    minutes: 15,
                }),
                true,
            ),
            (
                MailKind::FamilyAddressChange,
                r#"{"family":3}"#.into(),
                u(UnbookedMail::FamilyAddressChange {
                    family: 3,
                    link: None,
                }),
                true,
            ),
        ]
    }

    #[test]
    fn rows_queued_before_the_facts_were_typed_read_for_every_kind() {
        let rows = old_rows();
        for kind in MailKind::ALL {
            assert!(rows.iter().any(|(k, ..)| *k == kind), "{kind:?} has a row");
        }
        for (kind, payload, facts, same_text) in rows {
            let read = MailFacts::from_stored(kind, &payload);
            assert_eq!(read.as_ref(), Ok(&facts), "{payload}");
            assert_eq!(facts.kind(), kind);
            assert_eq!(facts.to_stored() == payload, same_text, "{payload}");
        }
    }

    #[test]
    fn the_facts_of_every_kind_read_back_as_written_and_as_their_own_kind() {
        for facts in one_of_each() {
            let stored = facts.to_stored();
            assert_eq!(
                MailFacts::from_stored(facts.kind(), &stored),
                Ok(facts.clone()),
                "{stored}"
            );
        }
        // The same payload read as another kind is that kind's, or refused: never the first's.
        let offer = UnbookedMail::WaitlistOffer {
            place: place(),
            held_until: 1,
        };
        let read = MailFacts::from_stored(MailKind::WaitlistClosed, &offer.to_stored());
        assert_eq!(read, Ok(UnbookedMail::WaitlistClosed(place()).into()));
        assert!(MailFacts::from_stored(MailKind::BookingMoved, &offer.to_stored()).is_err());
    }

    #[test]
    fn payloads_that_do_not_fit_their_kind_are_refused_without_saying_what_they_hold() {
        for (kind, payload) in [
            (
                MailKind::PaymentReceived,
                r#"{"amount":"Pat Parent","currency":"gbp","at":1}"#,
            ),
            (MailKind::PaymentReceived, r#"{"amount":4500}"#),
            (MailKind::RefundCompleted, "Pat Parent"),
            (MailKind::PaymentFailed, r#"{"message":["Pat Parent"]}"#),
            (
                MailKind::BookingCancelled,
                r#"{"refund_requested":true,"message":"Pat Parent"}"#,
            ),
            (
                MailKind::SessionCancelled,
                r#"{"refund_requested":true,"currency":"GBP"}"#,
            ),
            (
                MailKind::BookingMoved,
                r#"{"moved_from":"Pat Parent","sequence":1}"#,
            ),
            (MailKind::BookingMoved, "{}"),
            (
                MailKind::BookingLookup,
                r#"{"bookings":[{"reference":"Pat Parent"}]}"#,
            ),
            (MailKind::WaitlistJoined, "{}"),
            (
                MailKind::WaitlistOffer,
                &format!(r#"{{"waitlist":{{{PLACE}}}}}"#),
            ),
            (
                MailKind::WaitlistClosed,
                r#"{"waitlist":{"token":"Pat Parent"}}"#,
            ),
        ] {
            let error = MailFacts::from_stored(kind, payload).expect_err(payload);
            assert_eq!(error.kind, kind);
            let said = error.to_string();
            assert!(said.contains(kind.as_str()), "{said}");
            for private in ["Pat", "Parent"] {
                assert!(!said.contains(private), "{said}");
            }
        }
        // A confirmation needs no facts: whatever its row holds, it is sent.
        assert_eq!(
            MailFacts::from_stored(MailKind::BookingCreated, "not JSON"),
            Ok(BookingMail::BookingCreated.into())
        );
    }
}
