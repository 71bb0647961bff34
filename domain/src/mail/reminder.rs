//! The reminder a family gets before a session (`REMINDER_HOURS` ahead): when and where, the
//! athlete, the booking's link and calendar entry, and for an unpaid booking the way to pay.
//! It is sent only while it is still true ([`reminder_still_due`]). And the mail that says a
//! session's time or place changed.

use super::body::Draft;
use super::{MailBooking, Sender};
use crate::status::{AttendanceStatus, PaymentStatus};

/// Whether a reminder queued for a session starting at `reminded_start` is still true when
/// its turn comes: the booking stands (not cancelled, not refunded), its session is not
/// cancelled and still starts then (a changed time or a move gets a reminder of its own), the
/// session has not begun, and the family has not turned reminders off.
pub fn reminder_still_due(
    payment: PaymentStatus,
    attendance: AttendanceStatus,
    session_cancelled: bool,
    reminded_start: i64,
    starts_at: i64,
    reminders_off: bool,
    now: i64,
) -> bool {
    attendance != AttendanceStatus::Cancelled
        && payment != PaymentStatus::Refunded
        && !session_cancelled
        && reminded_start == starts_at
        && now < starts_at
        && !reminders_off
}

pub(super) fn reminder(b: &MailBooking, sender: &Sender<'_>, now: i64) -> Draft {
    let mut body = b.hello();
    body.say(format!(
        "A reminder: {} is booked into {} on {}.",
        b.athlete_name,
        b.session_title,
        b.when(sender)
    ));
    body.facts(b.session_facts(sender));
    if b.held_until.is_some() {
        body.say(format!(
            "This booking is not paid yet ({}). Pay from your booking page to keep the place.",
            b.price()
        ));
        body.link("Your booking, to pay", b.link(sender));
    } else {
        body.link("Your booking, to change or cancel", b.link(sender));
    }
    body.say(
        "The calendar entry is attached. You can turn these reminders off from your booking page.",
    );
    Draft {
        subject: format!("Reminder: {}, {}", b.session_title, b.when(sender)),
        body,
        ics: Some(b.calendar(sender, now, b.calendar_changes)),
    }
}

/// The session moved in time or place: the new ones, a calendar entry replacing the old (the
/// same uid, a newer sequence), and the family's way out with a full refund.
pub(super) fn changed(
    b: &MailBooking,
    from_starts_at: i64,
    from_location: &str,
    sender: &Sender<'_>,
    now: i64,
) -> Draft {
    let mut body = b.hello();
    let before = crate::schedule::when(from_starts_at, sender.timezone);
    let moved = match (from_starts_at != b.starts_at, from_location != b.location) {
        (true, true) => format!(
            "{} moved from {before} at {from_location} to {} at {}.",
            b.session_title,
            b.when(sender),
            b.location
        ),
        (true, false) => format!(
            "{} moved from {before} to {}.",
            b.session_title,
            b.when(sender)
        ),
        _ => format!(
            "{} on {} moved from {from_location} to {}.",
            b.session_title,
            b.when(sender),
            b.location
        ),
    };
    body.say(moved);
    body.say(format!(
        "{}'s booking moves with it. The attached calendar entry replaces the old one.",
        b.athlete_name
    ));
    body.facts(b.session_facts(sender));
    body.say("If the new time or place does not suit you, you can cancel from your booking page with a full refund, whatever the usual deadline.");
    body.link("Your booking", b.link(sender));
    Draft {
        subject: format!("Session changed: {}, {}", b.session_title, b.when(sender)),
        body,
        ics: Some(b.calendar(sender, now, b.calendar_changes)),
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{booking, sender};
    use super::super::BookingMail;
    use super::*;
    use AttendanceStatus as A;
    use PaymentStatus as P;

    #[test]
    fn a_reminder_says_when_and_where_and_how_to_pay_if_unpaid() {
        let start = booking().starts_at;
        let unpaid = BookingMail::Reminder { starts_at: start }.render(&booking(), &sender(), 0);
        assert!(unpaid.subject.starts_with("Reminder: Sprint technique, "));
        assert!(unpaid
            .text
            .contains("A reminder: Alex is booked into Sprint technique on"));
        assert!(unpaid.text.contains("Track 2"));
        assert!(unpaid
            .text
            .contains("This booking is not paid yet (£45.00)"));
        assert!(unpaid.ics.unwrap().contains("SEQUENCE:0"));
        let mut paid_booking = booking();
        paid_booking.held_until = None;
        paid_booking.calendar_changes = 2;
        let paid = BookingMail::Reminder { starts_at: start }.render(&paid_booking, &sender(), 0);
        assert!(!paid.text.contains("not paid"), "{}", paid.text);
        assert!(paid.text.contains("turn these reminders off"));
        assert!(paid.ics.unwrap().contains("SEQUENCE:2"));
    }

    #[test]
    fn a_changed_session_says_from_what_to_what_with_a_newer_calendar_entry() {
        let mut b = booking();
        b.calendar_changes = 1;
        let mail = BookingMail::SessionChanged {
            from_starts_at: b.starts_at - 3_600_000,
            from_location: "Track 1".into(),
        }
        .render(&b, &sender(), 0);
        assert!(mail
            .subject
            .starts_with("Session changed: Sprint technique"));
        assert!(mail.text.contains("at Track 1 to "), "{}", mail.text);
        assert!(mail
            .text
            .contains("with a full refund, whatever the usual deadline"));
        let ics = mail.ics.unwrap();
        assert!(ics.contains("SEQUENCE:1") && ics.contains("UID:booking-abcdefghjkmnpqrstvwx@"));
    }

    #[test]
    fn a_reminder_goes_only_while_it_is_true() {
        let due = |p, a, cancelled, start, off, now| {
            reminder_still_due(p, a, cancelled, 1_000, start, off, now)
        };
        assert!(due(P::Paid, A::Confirmed, false, 1_000, false, 0));
        assert!(due(P::Unpaid, A::Pending, false, 1_000, false, 0));
        assert!(!due(P::Paid, A::Cancelled, false, 1_000, false, 0));
        assert!(!due(P::Refunded, A::Pending, false, 1_000, false, 0));
        assert!(!due(P::Paid, A::Confirmed, true, 1_000, false, 0));
        assert!(!due(P::Paid, A::Confirmed, false, 2_000, false, 0), "moved");
        assert!(!due(P::Paid, A::Confirmed, false, 1_000, true, 0), "off");
        assert!(
            !due(P::Paid, A::Confirmed, false, 1_000, false, 1_000),
            "begun"
        );
    }
}
