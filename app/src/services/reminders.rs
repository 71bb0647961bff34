//! Reminders before a session: every family booked is mailed `REMINDER_HOURS` before the
//! session starts, once per booking and start (the outbox key `reminder:{booking}:{start}`:
//! any number of instances looking, any number of times, queue it once; a booking moved or a
//! session whose time changes is reminded of its new start). Whether it is still true is
//! checked again when it goes (`domain::mail::reminder_still_due`, in `services::mail`). A
//! family may turn reminders off from its booking page.

use crate::db::outbox::{self, NewMail};
use crate::db::{bookings, now_ms, reminders, Db};
use domain::mail::BookingMail;

/// Queues the reminders due at `now` for sessions starting within `ahead_ms`; how many were
/// queued.
pub async fn queue_due(db: &Db, ahead_ms: i64, now: i64) -> Result<u64, sqlx::Error> {
    if ahead_ms <= 0 {
        return Ok(0);
    }
    let mut tx = db.begin().await?;
    let due = reminders::due(&mut tx, now, now + ahead_ms, ahead_ms).await?;
    let rows: Vec<(String, String)> = due
        .iter()
        .map(|due| {
            let facts = BookingMail::Reminder {
                starts_at: due.starts_at,
            };
            let key = facts
                .kind()
                .dedupe_key(due.booking_id, Some(&due.starts_at.to_string()));
            (key, facts.to_stored())
        })
        .collect();
    let mails: Vec<NewMail<'_>> = due
        .iter()
        .zip(&rows)
        .map(|(due, (key, facts))| NewMail {
            kind: domain::mail::MailKind::Reminder,
            dedupe_key: key,
            booking_id: Some(due.booking_id),
            recipient: &due.parent_email,
            facts,
            send_after: None,
        })
        .collect();
    let queued = outbox::enqueue_all(&mut tx, &mails, now).await?;
    tx.commit().await?;
    Ok(queued)
}

/// Whether the family of the booking `reference` gets reminders (`None`: no such booking).
pub async fn reminders_on(db: &Db, reference: &str) -> Result<Option<bool>, sqlx::Error> {
    let Some(booking) = bookings::by_reference(db, reference).await? else {
        return Ok(None);
    };
    Ok(Some(
        !reminders::reminders_off(db, &booking.parent_email).await?,
    ))
}

/// Turns the reminders of the booking `reference`'s family on or off; false for an unknown
/// reference.
pub async fn set_reminders(db: &Db, reference: &str, on: bool) -> Result<bool, sqlx::Error> {
    let Some(booking) = bookings::by_reference(db, reference).await? else {
        return Ok(false);
    };
    reminders::set_reminders_off(db, &booking.parent_email, !on, now_ms()).await?;
    Ok(true)
}
