//! The kinds of mail, as the outbox names them.

use crate::status::{by_spelling, UnknownStatus};
use serde::{Deserialize, Serialize};

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
    /// A payment landed on a booking already cancelled: it is being returned in full.
    LatePaymentReturned,
    /// The session is close (`REMINDER_HOURS` ahead): when, where, and the way to pay if unpaid.
    Reminder,
    /// An admin's message to a session's families.
    SessionMessage,
    /// The session's time or place changed: the new one, with a replacing calendar entry.
    SessionChanged,
    /// A family's sign-in link (made when the mail goes).
    FamilySignIn,
    /// The link that confirms a family's new address (made when the mail goes).
    FamilyAddressChange,
}

impl MailKind {
    pub const ALL: [MailKind; 17] = [
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
        Self::LatePaymentReturned,
        Self::Reminder,
        Self::SessionMessage,
        Self::FamilySignIn,
        Self::FamilyAddressChange,
        Self::SessionChanged,
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
            Self::LatePaymentReturned => "late_payment_returned",
            Self::Reminder => "reminder",
            Self::SessionMessage => "session_message",
            Self::SessionChanged => "session_changed",
            Self::FamilySignIn => "family_sign_in",
            Self::FamilyAddressChange => "family_address_change",
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
