//! "Find my booking": mails the links of an email's upcoming bookings to that email.

use super::mail;
use crate::db::{bookings, now_ms, Db};
use domain::mail::{ListedBooking, MailKind, UnbookedMail};

/// Queues the mail listing `email`'s upcoming bookings; nothing when it has none (the page
/// says the same either way). True when a mail was queued.
pub async fn mail_links(db: &Db, email: &str) -> Result<bool, sqlx::Error> {
    let now = now_ms();
    let upcoming = bookings::upcoming_for_email(db, email, now).await?;
    if upcoming.is_empty() {
        return Ok(false);
    }
    let facts = UnbookedMail::BookingLookup(
        upcoming
            .into_iter()
            .map(|b| ListedBooking {
                reference: b.reference,
                session_title: b.session_title,
                athlete_name: b.athlete_name,
                starts_at: b.session_starts_at,
            })
            .collect(),
    );
    // Each request is its own mail (the address asked again).
    let key = format!("{}:{email}:{now}", MailKind::BookingLookup.as_str());
    mail::queue_unbooked(db, &key, email, &facts).await
}
