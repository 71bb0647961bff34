//! Rules about one booking as a whole: where it came from, how long an unpaid one holds its
//! place, and whether it can be paid.

use crate::status::{by_spelling, AttendanceStatus, PaymentStatus, UnknownStatus};
use serde::{Deserialize, Serialize};
use std::fmt;

/// How long an unpaid booking holds its place (a Checkout Session lives at least 30 minutes).
pub const HOLD_MS: i64 = 35 * 60 * 1000;

/// How long an online booking's first mail waits for the payment, by default: a card paid on
/// Checkout lands well within it, and an unpaid place still has most of its hold left.
pub const FIRST_MAIL_DELAY_MS: i64 = 5 * 60 * 1000;

/// Whether an online booking's delayed first mail ("your place is held until ...") is still
/// true when its turn comes: not once a payment landed (the receipt, with the calendar entry,
/// confirmed the booking) nor once the booking was cancelled (its own mail said so).
pub const fn first_mail_still_due(payment: PaymentStatus, attendance: AttendanceStatus) -> bool {
    payment.is_unsettled() && !matches!(attendance, AttendanceStatus::Cancelled)
}

/// The cut-off before a session that a parent's cancellation keeps: none once the session
/// changed its time or place after the booking was made (a family the change does not suit
/// cancels with a full refund, whatever the usual deadline, until the session starts).
pub const fn cancellation_cutoff(cutoff_ms: i64, schedule_changes: i64) -> i64 {
    if schedule_changes > 0 {
        0
    } else {
        cutoff_ms
    }
}

/// How many places one email may hold unpaid: a script posting bookings must not fill
/// sessions nobody pays for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct HoldPolicy {
    /// Unpaid bookings holding places, across all sessions (`MAX_UNPAID_HOLDS_PER_EMAIL`).
    pub max_unpaid_per_email: i64,
    /// The share of one session's places one email may hold unpaid, in percent, at least one
    /// place (`MAX_UNPAID_SESSION_SHARE_PERCENT`).
    pub max_session_share_percent: i64,
    /// How long an online booking's first mail waits for its payment
    /// (`BOOKING_MAIL_DELAY_SECS`): paid by then, the receipt (with the calendar entry) is its
    /// one confirmation and the first mail is dropped; still unpaid, the first mail says until
    /// when the place is held. Zero sends the first mail at once, whatever follows.
    pub first_mail_delay_ms: i64,
}

impl Default for HoldPolicy {
    fn default() -> Self {
        Self {
            max_unpaid_per_email: 3,
            max_session_share_percent: 25,
            first_mail_delay_ms: FIRST_MAIL_DELAY_MS,
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

/// How an admin's entry was settled, said beside its payment tag: Stripe never takes its money.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ManualPayment {
    /// Paid outside Stripe (cash, bank transfer, a voucher).
    Outside,
    /// Given for free.
    Free,
}

impl ManualPayment {
    pub const ALL: [ManualPayment; 2] = [Self::Outside, Self::Free];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Outside => "outside",
            Self::Free => "free",
        }
    }

    /// How it reads beside the payment tag.
    pub const fn label(self) -> &'static str {
        match self {
            Self::Outside => "Paid outside Stripe",
            Self::Free => "Free",
        }
    }

    /// What a manual booking says when it was entered before this was asked.
    pub const UNKNOWN_LABEL: &'static str = "Manual entry";

    /// What a manual booking says beside its payment tag, from the stored spelling (none or
    /// an unknown one: entered before this was asked).
    pub fn label_of(stored: Option<&str>) -> &'static str {
        stored
            .and_then(|s| s.parse::<Self>().ok())
            .map_or(Self::UNKNOWN_LABEL, Self::label)
    }
}

impl std::str::FromStr for ManualPayment {
    type Err = UnknownStatus;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        by_spelling(&Self::ALL, Self::as_str, s, "manual payment")
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
    /// An admin's entry: paid outside Stripe or free, so never owed online (its
    /// `payment_status` stays Stripe's word, `unpaid`).
    #[error("this booking is settled outside online payment")]
    SettledOutside,
}

/// Whether a booking in these statuses, made this way, may start a payment: it was made
/// online (an admin's entry is settled outside Stripe), it is unpaid (or its payment failed)
/// and it was not cancelled. The one statement of the rule, for the page that offers "Pay
/// now" and for the checkout that acts on it.
pub fn payable(
    payment: PaymentStatus,
    attendance: AttendanceStatus,
    source: BookingSource,
) -> Result<(), NotPayable> {
    if source == BookingSource::Manual {
        return Err(NotPayable::SettledOutside);
    }
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

/// Who changed a booking's attendance, as its history records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Actor {
    /// An admin, by their login email.
    Admin(String),
    /// The parent, from their booking's private page.
    Parent,
    /// The app itself (a session cancelled, say).
    System,
}

impl Actor {
    /// How the history column spells it: `admin:coach@example.com`, `parent`, `system`.
    pub fn spelling(&self) -> String {
        match self {
            Self::Admin(email) => format!("admin:{email}"),
            Self::Parent => "parent".to_owned(),
            Self::System => "system".to_owned(),
        }
    }

    /// The actor a history row names.
    pub fn of_spelling(text: &str) -> Self {
        match text.strip_prefix("admin:") {
            Some(email) => Self::Admin(email.to_owned()),
            None if text == "parent" => Self::Parent,
            None => Self::System,
        }
    }

    /// Who it was, for people.
    pub fn describe(&self) -> String {
        match self {
            Self::Admin(email) => format!("admin {email}"),
            Self::Parent => "the parent".to_owned(),
            Self::System => "the system".to_owned(),
        }
    }
}

/// What cancelling a session will do, shown to the admin before it is done.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionCancellation {
    /// Bookings that stand (not cancelled), which will be cancelled and told.
    pub bookings: i64,
    /// Of them, the paid ones, each refunded in full.
    pub refunds: i64,
    /// What the refunds come to, minor units of `currency`.
    pub refund_total: i64,
    pub currency: String,
}

/// Why a parent cannot cancel their booking from its page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CannotCancel {
    #[error("this booking is already cancelled")]
    AlreadyCancelled,
    #[error("the session is too close: bookings can be cancelled up to {cutoff_hours} hours before it starts")]
    TooLate { cutoff_hours: i64 },
    #[error("this booking was refunded")]
    Refunded,
    #[error("this session has already taken place")]
    Over,
}

/// Why a booking cannot move to another session.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CannotMove {
    #[error("it is already in that session")]
    SameSession,
    #[error("that session is cancelled or has started")]
    SessionUnavailable,
    #[error("that session costs {to}, not {from}: only a session of the same price can take it")]
    PriceDiffers { from: String, to: String },
    #[error("that session is full")]
    Full,
    #[error("the athlete is already booked into that session")]
    AthleteThere,
    #[error("the session is too close: bookings can be changed up to {cutoff_hours} hours before it starts")]
    TooLate { cutoff_hours: i64 },
    #[error("{0}")]
    Closed(CannotCancel),
}

/// Whether a parent may move their booking (the same window as cancelling it).
pub fn parent_may_move(
    payment: PaymentStatus,
    attendance: AttendanceStatus,
    starts_at: i64,
    now: i64,
    cutoff_ms: i64,
) -> Result<(), CannotMove> {
    parent_may_cancel(payment, attendance, starts_at, now, cutoff_ms).map_err(|why| match why {
        CannotCancel::TooLate { cutoff_hours } => CannotMove::TooLate { cutoff_hours },
        other => CannotMove::Closed(other),
    })
}

/// Whether a booking of `price` (minor units of `currency`) may move to a session with these
/// terms at `now`: a different session of the same price, open and not started.
pub fn may_move_to(
    from_session: i64,
    price: (i64, &str),
    to_session: i64,
    to_price: (i64, &str),
    to_open: bool,
    to_starts_at: i64,
    now: i64,
) -> Result<(), CannotMove> {
    if from_session == to_session {
        return Err(CannotMove::SameSession);
    }
    if !to_open || to_starts_at <= now {
        return Err(CannotMove::SessionUnavailable);
    }
    if price.0 != to_price.0 || !price.1.eq_ignore_ascii_case(to_price.1) {
        return Err(CannotMove::PriceDiffers {
            from: crate::Money::new(price.0, price.1).to_string(),
            to: crate::Money::new(to_price.0, to_price.1).to_string(),
        });
    }
    Ok(())
}

/// Whether a parent may cancel a booking in these statuses, of a session starting at
/// `starts_at`, at `now`, with cancellations closing `cutoff_ms` before the start.
pub fn parent_may_cancel(
    payment: PaymentStatus,
    attendance: AttendanceStatus,
    starts_at: i64,
    now: i64,
    cutoff_ms: i64,
) -> Result<(), CannotCancel> {
    match attendance {
        AttendanceStatus::Cancelled => return Err(CannotCancel::AlreadyCancelled),
        AttendanceStatus::Completed | AttendanceStatus::NoShow => return Err(CannotCancel::Over),
        _ => {}
    }
    if payment == PaymentStatus::Refunded {
        return Err(CannotCancel::Refunded);
    }
    if starts_at <= now {
        return Err(CannotCancel::Over);
    }
    if now > starts_at - cutoff_ms {
        return Err(CannotCancel::TooLate {
            cutoff_hours: cutoff_ms / 3_600_000,
        });
    }
    Ok(())
}

/// Whether a booking can be cancelled from its page, as the page offers it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CancelOffer {
    Open,
    /// Past the cut-off: the parent is told to write instead.
    TooLate {
        cutoff_hours: i64,
    },
    /// Cancelled already, refunded, or over.
    Closed,
}

impl CancelOffer {
    /// The offer that follows from [`parent_may_cancel`]'s answer.
    pub fn of(check: Result<(), CannotCancel>) -> Self {
        match check {
            Ok(()) => Self::Open,
            Err(CannotCancel::TooLate { cutoff_hours }) => Self::TooLate { cutoff_hours },
            Err(_) => Self::Closed,
        }
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
            Self::NotPayable(NotPayable::SettledOutside) => {
                "This booking is settled: there is nothing to pay online."
            }
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
    fn the_cancel_offer_follows_the_parents_right_to_cancel() {
        assert_eq!(CancelOffer::of(Ok(())), CancelOffer::Open);
        assert_eq!(
            CancelOffer::of(Err(CannotCancel::TooLate { cutoff_hours: 24 })),
            CancelOffer::TooLate { cutoff_hours: 24 }
        );
        for closed in [
            CannotCancel::AlreadyCancelled,
            CannotCancel::Refunded,
            CannotCancel::Over,
        ] {
            assert_eq!(CancelOffer::of(Err(closed)), CancelOffer::Closed);
        }
    }

    #[test]
    fn a_manual_booking_says_how_it_was_settled() {
        assert_eq!(
            ManualPayment::label_of(Some("outside")),
            "Paid outside Stripe"
        );
        assert_eq!(ManualPayment::label_of(Some("free")), "Free");
        assert_eq!(ManualPayment::label_of(None), ManualPayment::UNKNOWN_LABEL);
        assert_eq!(
            ManualPayment::label_of(Some("cash")),
            ManualPayment::UNKNOWN_LABEL
        );
    }

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
                    payable(payment, attendance, BookingSource::Online),
                    expected,
                    "{payment} {attendance}"
                );
                // An admin's entry is never owed online, whatever Stripe's word says.
                assert_eq!(
                    payable(payment, attendance, BookingSource::Manual),
                    Err(NotPayable::SettledOutside)
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
    fn a_parent_cancels_until_the_cut_off() {
        let hour = 3_600_000;
        let start = 100 * hour;
        let may = |payment, attendance, now| {
            parent_may_cancel(payment, attendance, start, now, 24 * hour)
        };
        use AttendanceStatus as A;
        use PaymentStatus as P;
        assert_eq!(may(P::Paid, A::Pending, start - 25 * hour), Ok(()));
        assert_eq!(may(P::Unpaid, A::Confirmed, start - 24 * hour), Ok(()));
        assert_eq!(
            may(P::Paid, A::Pending, start - 23 * hour),
            Err(CannotCancel::TooLate { cutoff_hours: 24 })
        );
        assert_eq!(
            may(P::Paid, A::Cancelled, 0),
            Err(CannotCancel::AlreadyCancelled)
        );
        assert_eq!(may(P::Refunded, A::Pending, 0), Err(CannotCancel::Refunded));
        assert_eq!(may(P::Paid, A::Pending, start + 1), Err(CannotCancel::Over));
        assert_eq!(may(P::Paid, A::Completed, 0), Err(CannotCancel::Over));
    }

    #[test]
    fn actors_read_back_their_spelling() {
        for actor in [
            Actor::Admin("coach@example.com".into()),
            Actor::Parent,
            Actor::System,
        ] {
            assert_eq!(Actor::of_spelling(&actor.spelling()), actor);
        }
        assert_eq!(Actor::Parent.describe(), "the parent");
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

    #[test]
    fn a_booking_moves_only_to_another_open_session_of_its_price() {
        let now = 1_000;
        let ok = may_move_to(1, (4500, "USD"), 2, (4500, "usd"), true, 2_000, now);
        assert_eq!(ok, Ok(()));
        assert_eq!(
            may_move_to(1, (4500, "USD"), 1, (4500, "USD"), true, 2_000, now),
            Err(CannotMove::SameSession)
        );
        assert_eq!(
            may_move_to(1, (4500, "USD"), 2, (4500, "USD"), false, 2_000, now),
            Err(CannotMove::SessionUnavailable)
        );
        assert_eq!(
            may_move_to(1, (4500, "USD"), 2, (4500, "USD"), true, 900, now),
            Err(CannotMove::SessionUnavailable)
        );
        let dearer = may_move_to(1, (4500, "USD"), 2, (5000, "USD"), true, 2_000, now);
        assert_eq!(
            dearer.unwrap_err().to_string(),
            "that session costs $50.00, not $45.00: only a session of the same price can take it"
        );
        let day = 24 * 3_600_000;
        assert_eq!(
            parent_may_move(
                PaymentStatus::Paid,
                AttendanceStatus::Pending,
                10 * day,
                9 * day + 1,
                day
            ),
            Err(CannotMove::TooLate { cutoff_hours: 24 })
        );
        assert_eq!(
            parent_may_move(
                PaymentStatus::Paid,
                AttendanceStatus::Pending,
                10 * day,
                day,
                day
            ),
            Ok(())
        );
    }

    #[test]
    fn a_held_places_mail_goes_only_while_the_place_is_held_unpaid() {
        use AttendanceStatus as A;
        use PaymentStatus as P;
        assert_eq!(cancellation_cutoff(86_400_000, 0), 86_400_000);
        assert_eq!(cancellation_cutoff(86_400_000, 2), 0);
        assert!(first_mail_still_due(P::Unpaid, A::Pending));
        assert!(first_mail_still_due(P::Failed, A::Pending));
        assert!(!first_mail_still_due(P::Paid, A::Pending));
        assert!(!first_mail_still_due(P::Refunded, A::Cancelled));
        assert!(!first_mail_still_due(P::Unpaid, A::Cancelled));
    }
}
