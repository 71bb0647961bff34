//! "Find my booking": mails the links of an email's upcoming bookings to that email. The
//! request does the same work whatever the address (one conditional insert into the outbox),
//! so neither its answer nor its timing tells a stranger whether the address has bookings; the
//! links are looked up when the mail goes, and an address with none gets no mail. One mail per
//! address per ten minutes at most, however many ask.

use crate::db::outbox::{self, NewMail};
use crate::db::{bookings, now_ms, Db};
use domain::mail::{ListedBooking, MailKind, UnbookedMail};

/// How long after a "find my booking" mail to an address another may be queued for it.
pub const LOOKUP_QUIET_MS: i64 = 10 * 60 * 1000;

/// Queues the lookup mail of `email`, unless one was queued in the last ten minutes. True
/// when it was queued.
pub async fn mail_links(db: &Db, email: &str) -> Result<bool, sqlx::Error> {
    let now = now_ms();
    // The key makes two requests in the same moment one mail; the quiet period, any two in
    // ten minutes.
    let key = format!(
        "{}:{email}:{}",
        MailKind::BookingLookup.as_str(),
        now / LOOKUP_QUIET_MS
    );
    let facts = UnbookedMail::BookingLookup(Vec::new()).to_stored();
    outbox::enqueue_lookup(
        db,
        NewMail {
            kind: MailKind::BookingLookup,
            dedupe_key: &key,
            booking_id: None,
            recipient: email,
            facts: &facts,
            send_after: None,
        },
        now,
        now - LOOKUP_QUIET_MS,
    )
    .await
}

/// The upcoming bookings of `email`, as its lookup mail lists them.
pub async fn upcoming(db: &Db, email: &str) -> Result<Vec<ListedBooking>, sqlx::Error> {
    Ok(bookings::upcoming_for_email(db, email, now_ms())
        .await?
        .into_iter()
        .map(|b| ListedBooking {
            reference: b.reference,
            session_title: b.session_title,
            athlete_name: b.athlete_name,
            starts_at: b.session_starts_at,
        })
        .collect())
}
