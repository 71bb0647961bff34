//! Rules about one booking as a whole: where it came from, how long an unpaid one holds its
//! place, and whether it can be paid.

use crate::status::{by_spelling, AttendanceStatus, PaymentStatus, UnknownStatus};
use serde::{Deserialize, Serialize};
use std::fmt;

/// How long an unpaid booking holds its place (a Checkout Session lives at least 30 minutes).
pub const HOLD_MS: i64 = 35 * 60 * 1000;

/// How many places one email may hold unpaid: a script posting bookings must not fill
/// sessions nobody pays for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct HoldPolicy {
    /// Unpaid bookings holding places, across all sessions (`MAX_UNPAID_HOLDS_PER_EMAIL`).
    pub max_unpaid_per_email: i64,
    /// The share of one session's places one email may hold unpaid, in percent, at least one
    /// place (`MAX_UNPAID_SESSION_SHARE_PERCENT`).
    pub max_session_share_percent: i64,
}

impl Default for HoldPolicy {
    fn default() -> Self {
        Self {
            max_unpaid_per_email: 3,
            max_session_share_percent: 25,
        }
    }
}

impl HoldPolicy {
    /// Unpaid places one email may hold in a session of `capacity`: its share, at least one.
    pub const fn max_unpaid_in_session(self, capacity: i64) -> i64 {
        let share = (capacity * self.max_session_share_percent + 99) / 100;
        if share < 1 {
            1
        } else {
            share
        }
    }

    /// Why one more unpaid booking by an email holding `held` places (`in_session` of them in
    /// a session of `capacity`) is refused, if it is.
    pub fn refuses(self, held: i64, in_session: i64, capacity: i64) -> Option<HoldLimit> {
        let per_session = self.max_unpaid_in_session(capacity);
        if held >= self.max_unpaid_per_email {
            Some(HoldLimit::Email {
                limit: self.max_unpaid_per_email,
            })
        } else if in_session >= per_session {
            Some(HoldLimit::Session { limit: per_session })
        } else {
            None
        }
    }
}

/// A hold limit an email reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HoldLimit {
    Email { limit: i64 },
    Session { limit: i64 },
}

impl HoldLimit {
    /// What the parent reads beside the email field.
    pub fn message(self) -> String {
        let bookings = |n: i64| {
            if n == 1 {
                "1 unpaid booking".to_owned()
            } else {
                format!("{n} unpaid bookings")
            }
        };
        match self {
            Self::Email { limit } => format!(
                "This email already holds {}. Pay for one of them, or wait until its place is released, before booking again.",
                bookings(limit)
            ),
            Self::Session { limit } => format!(
                "This email already holds {} in this session. Pay for it first, then book the next place.",
                bookings(limit)
            ),
        }
    }
}

/// Where a booking came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BookingSource {
    /// Booked by a parent through the public form; paid through Checkout.
    Online,
    /// Entered by an admin; bypasses payment.
    Manual,
}

impl BookingSource {
    pub const ALL: [BookingSource; 2] = [Self::Online, Self::Manual];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Online => "online",
            Self::Manual => "manual",
        }
    }

    /// The attendance a new booking starts with: an admin's entry is marked as such.
    pub const fn initial_attendance(self) -> AttendanceStatus {
        match self {
            Self::Online => AttendanceStatus::Pending,
            Self::Manual => AttendanceStatus::Manual,
        }
    }
}

impl std::str::FromStr for BookingSource {
    type Err = UnknownStatus;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        by_spelling(&Self::ALL, Self::as_str, s, "booking source")
    }
}

impl TryFrom<String> for BookingSource {
    type Error = UnknownStatus;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        text.parse()
    }
}

impl fmt::Display for BookingSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a booking cannot be paid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum NotPayable {
    #[error("this booking is already paid")]
    AlreadyPaid,
    #[error("this booking was refunded")]
    Refunded,
    #[error("this booking was cancelled")]
    Cancelled,
}

/// Whether a booking in these statuses may start a payment: it is unpaid (or its payment
/// failed) and it was not cancelled. The one statement of the rule, for the page that offers
/// "Pay now" and for the checkout that acts on it.
pub fn payable(payment: PaymentStatus, attendance: AttendanceStatus) -> Result<(), NotPayable> {
    match payment {
        PaymentStatus::Paid => Err(NotPayable::AlreadyPaid),
        PaymentStatus::Refunded => Err(NotPayable::Refunded),
        PaymentStatus::Unpaid | PaymentStatus::Failed
            if attendance == AttendanceStatus::Cancelled =>
        {
            Err(NotPayable::Cancelled)
        }
        PaymentStatus::Unpaid | PaymentStatus::Failed => Ok(()),
    }
}

/// Why a checkout could not be started, as the parent is told. Each has a short code, so the
/// no-JavaScript path can carry it in a redirect and the page can say it again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckoutRefusal {
    NotFound,
    NotPayable(NotPayable),
    SessionStarted,
    SessionUnavailable,
    SessionFull,
    /// The payment provider answered no.
    ProviderRefused,
    /// The payment provider did not answer, or failed.
    ProviderUnavailable,
    /// Our own fault (the database).
    Ours,
}

impl CheckoutRefusal {
    /// The code a redirect carries (`?checkout=...`).
    pub const fn code(self) -> &'static str {
        match self {
            Self::SessionFull => "full",
            Self::ProviderRefused => "refused",
            _ => "unavailable",
        }
    }

    /// The refusal a code stands for (an unknown code reads as "unavailable").
    pub fn from_code(code: &str) -> Self {
        match code {
            "full" => Self::SessionFull,
            "refused" => Self::ProviderRefused,
            _ => Self::ProviderUnavailable,
        }
    }

    /// What the parent reads: plain words, no internals.
    pub const fn for_parent(self) -> &'static str {
        match self {
            Self::NotFound => "We could not find that booking.",
            Self::NotPayable(NotPayable::AlreadyPaid) => "This booking is already paid. Thank you!",
            Self::NotPayable(NotPayable::Refunded) => {
                "This booking was refunded, so it cannot be paid again."
            }
            Self::NotPayable(NotPayable::Cancelled) => "This booking was cancelled.",
            Self::SessionStarted => {
                "This session has already started, so it can no longer be paid online."
            }
            Self::SessionUnavailable => "This session is no longer available.",
            Self::SessionFull => "Sorry, this session filled up while the booking was unpaid.",
            Self::ProviderRefused => {
                "The payment provider could not start a checkout for this booking. Your booking is saved and unpaid; please try again, or contact us."
            }
            Self::ProviderUnavailable => {
                "We could not reach the payment provider just now. Your booking is saved and unpaid; please try again in a moment."
            }
            Self::Ours => {
                "Something went wrong on our side. Your booking is saved; please try again in a moment."
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_an_unsettled_booking_that_stands_can_be_paid() {
        for payment in PaymentStatus::ALL {
            for attendance in AttendanceStatus::ALL {
                let expected = match (payment, attendance) {
                    (PaymentStatus::Paid, _) => Err(NotPayable::AlreadyPaid),
                    (PaymentStatus::Refunded, _) => Err(NotPayable::Refunded),
                    (_, AttendanceStatus::Cancelled) => Err(NotPayable::Cancelled),
                    _ => Ok(()),
                };
                assert_eq!(
                    payable(payment, attendance),
                    expected,
                    "{payment} {attendance}"
                );
            }
        }
    }

    #[test]
    fn an_email_holds_a_few_places_unpaid_and_a_quarter_of_a_session() {
        let policy = HoldPolicy::default();
        assert_eq!(policy.refuses(0, 0, 10), None);
        assert_eq!(policy.refuses(2, 2, 10), None);
        assert_eq!(
            policy.refuses(3, 0, 10),
            Some(HoldLimit::Email { limit: 3 })
        );
        assert_eq!(
            policy.refuses(1, 1, 4),
            Some(HoldLimit::Session { limit: 1 })
        );
        assert_eq!(
            (1..=9)
                .map(|capacity| policy.max_unpaid_in_session(capacity))
                .collect::<Vec<_>>(),
            [1, 1, 1, 1, 2, 2, 2, 2, 3]
        );
        let whole = HoldPolicy {
            max_session_share_percent: 100,
            ..policy
        };
        assert_eq!(whole.max_unpaid_in_session(7), 7);
        assert!(HoldLimit::Email { limit: 3 }
            .message()
            .contains("3 unpaid bookings"));
        assert!(HoldLimit::Session { limit: 1 }
            .message()
            .contains("1 unpaid booking in this session"));
    }

    #[test]
    fn refusal_codes_say_the_same_thing_again() {
        for refusal in [
            CheckoutRefusal::SessionFull,
            CheckoutRefusal::ProviderRefused,
            CheckoutRefusal::ProviderUnavailable,
        ] {
            assert_eq!(CheckoutRefusal::from_code(refusal.code()), refusal);
        }
        assert_eq!(
            CheckoutRefusal::from_code("anything").for_parent(),
            CheckoutRefusal::ProviderUnavailable.for_parent()
        );
    }

    #[test]
    fn sources_round_trip_and_start_their_own_attendance() {
        for source in BookingSource::ALL {
            assert_eq!(source.as_str().parse::<BookingSource>(), Ok(source));
            assert_eq!(BookingSource::try_from(source.to_string()).unwrap(), source);
        }
        assert!("Manual".parse::<BookingSource>().is_err());
        assert_eq!(
            BookingSource::Manual.initial_attendance(),
            AttendanceStatus::Manual
        );
        assert_eq!(
            BookingSource::Online.initial_attendance(),
            AttendanceStatus::Pending
        );
    }
}
