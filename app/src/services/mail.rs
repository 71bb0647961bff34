//! Mail: use cases queue a mail in the outbox inside the transaction of their change
//! (`queue`); a sender (`jobs::send_mail`) delivers the outbox through a `MailTransport` (SMTP:
//! `infra::smtp`), retries with growing waits when the server is away, and gives up after a
//! bound (the admin's Emails page shows it, with a "resend"). Without an SMTP server
//! (development), mails stay in the outbox.

use crate::db::outbox::{self, Claimed, NewMail};
use crate::db::{bookings, now_ms, Db, Tx};
use crate::settings::Settings;
use domain::mail::{
    BookingMail, MailBooking, MailFacts, MailKind, RenderedMail, Sender, StoredFactsError,
    UnbookedMail,
};

/// Tries per mail before it is left failed.
pub const MAX_ATTEMPTS: i64 = 10;
/// Mails claimed at a time.
const BATCH: i64 = 20;

/// A mail ready for the wire: whom it is to, its words, and the outbox row it comes from (its
/// Message-ID is made from the row, the same on every try).
#[derive(Debug, Clone, Copy)]
pub struct Outgoing<'a> {
    pub row: i64,
    pub created_at: i64,
    pub to: &'a str,
    pub mail: &'a RenderedMail,
}

/// Why a mail did not go: `permanent` when trying again cannot help (a refused address).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotSent {
    pub error: String,
    pub permanent: bool,
}

/// What delivers a mail: SMTP (`infra::smtp`), or a test's stand-in.
#[async_trait::async_trait]
pub trait MailTransport: Send + Sync + 'static {
    async fn send(&self, mail: Outgoing<'_>) -> Result<(), NotSent>;
}

/// Queues the mail about `booking_id` to `recipient`, for the change whose facts are `facts`
/// (they say its kind), in the transaction that makes the change. `occurrence` tells
/// repeatable changes apart (a failed payment's event id); the same change queued twice is one
/// mail.
pub async fn queue(
    tx: &mut Tx,
    booking_id: i64,
    recipient: &str,
    occurrence: Option<&str>,
    facts: &BookingMail,
    now: i64,
) -> Result<bool, sqlx::Error> {
    queue_after(tx, booking_id, recipient, occurrence, facts, now, None).await
}

/// [`queue`], not sent before `send_after` (UTC ms) when given.
pub async fn queue_after(
    tx: &mut Tx,
    booking_id: i64,
    recipient: &str,
    occurrence: Option<&str>,
    facts: &BookingMail,
    now: i64,
    send_after: Option<i64>,
) -> Result<bool, sqlx::Error> {
    let kind = facts.kind();
    let key = kind.dedupe_key(booking_id, occurrence);
    outbox::enqueue(
        tx,
        NewMail {
            kind,
            dedupe_key: &key,
            booking_id: Some(booking_id),
            recipient,
            facts: &facts.to_stored(),
            send_after,
        },
        now,
    )
    .await
}

/// Queues a mail that is about no single booking (`key` names the change).
pub async fn queue_unbooked(
    db: &Db,
    key: &str,
    recipient: &str,
    facts: &UnbookedMail,
) -> Result<bool, sqlx::Error> {
    let mut tx = db.begin().await?;
    let added = outbox::enqueue(
        &mut tx,
        NewMail {
            kind: facts.kind(),
            dedupe_key: key,
            booking_id: None,
            recipient,
            facts: &facts.to_stored(),
            send_after: None,
        },
        now_ms(),
    )
    .await?;
    tx.commit().await?;
    Ok(added)
}

/// An admin asks for a mail that failed to be sent again (from its first try); false when it
/// had not failed.
pub async fn resend(db: &Db, id: i64) -> Result<bool, sqlx::Error> {
    outbox::resend(db, id, now_ms()).await
}

/// The wait before try number `attempts + 1`: 5 s, doubling, at most half an hour.
pub fn backoff_ms(attempts: i64) -> i64 {
    let doublings = (attempts.max(1) - 1).min(20) as u32;
    (5_000_i64 << doublings).min(30 * 60 * 1000)
}

/// Who writes, for the words of the mails.
pub fn sender(settings: &Settings) -> Sender<'_> {
    Sender {
        business_name: &settings.mail.business_name,
        base_url: &settings.public_base_url,
        timezone: settings.timezone,
        contact: &settings.mail.contact,
    }
}

/// Why a claimed row is not written as a mail: the database (try again), or the row itself
/// (trying again will not change it).
#[derive(Debug, thiserror::Error)]
pub enum Unrenderable {
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    #[error(transparent)]
    Facts(#[from] StoredFactsError),
    /// A booking's mail queued without its booking (never done: `queue` always names one).
    #[error("this {} mail names no booking", .0.as_str())]
    NoBooking(MailKind),
    /// A booking's mail whose booking is not there (never seen: bookings are not deleted, and
    /// the outbox's reference to them forbids it).
    #[error("booking {id} of this {} mail is not found", .kind.as_str())]
    BookingNotFound { kind: MailKind, id: i64 },
    /// A "find my booking" for an address with no upcoming booking, a booking's first mail
    /// that its payment or cancellation made untrue, or a reminder no longer true: no mail.
    #[error("nothing to send")]
    NothingToSend,
}

/// The mail of a claimed row, as it reads now (a booking's mail: the booking as it is, the
/// change's facts as they were), or why it cannot be written.
pub async fn rendered(
    db: &Db,
    settings: &Settings,
    claimed: &Claimed,
) -> Result<RenderedMail, Unrenderable> {
    let facts = MailFacts::from_stored(claimed.kind, &claimed.payload)?;
    let mail = match facts {
        // The links are those of the address's upcoming bookings when the mail goes (a request
        // is queued the same way whatever the address: see `services::lookup`).
        MailFacts::Unbooked(UnbookedMail::BookingLookup(listed)) if listed.is_empty() => {
            let upcoming = crate::services::lookup::upcoming(db, &claimed.recipient).await?;
            if upcoming.is_empty() {
                return Err(Unrenderable::NothingToSend);
            }
            UnbookedMail::BookingLookup(upcoming).render(&sender(settings))
        }
        MailFacts::Unbooked(mail) => mail.render(&sender(settings)),
        MailFacts::Booking(mail) => {
            let id = claimed
                .booking_id
                .ok_or(Unrenderable::NoBooking(claimed.kind))?;
            let b = bookings::by_id(db, id)
                .await?
                .ok_or(Unrenderable::BookingNotFound {
                    kind: claimed.kind,
                    id,
                })?;
            // An online booking's first mail waited for the payment: paid (or cancelled) by
            // now, the receipt (or the cancellation) said it all.
            if mail.kind() == MailKind::BookingCreated
                && settings.hold_policy.first_mail_delay_ms > 0
                && b.source == domain::BookingSource::Online
                && !domain::booking::first_mail_still_due(b.payment_status, b.attendance_status)
            {
                return Err(Unrenderable::NothingToSend);
            }
            // A reminder goes only while it is true: the booking and its session stand, the
            // session still starts when it was queued for, and the family still wants them.
            if let BookingMail::Reminder { starts_at } = mail {
                let off = crate::db::reminders::reminders_off(db, &b.parent_email).await?;
                if !domain::mail::reminder_still_due(
                    b.payment_status,
                    b.attendance_status,
                    b.session_cancelled_at.is_some(),
                    starts_at,
                    b.session_starts_at,
                    off,
                    now_ms(),
                ) {
                    return Err(Unrenderable::NothingToSend);
                }
            }
            // The mails about a family's one payment speak of every child it is for.
            let family = matches!(
                mail.kind(),
                MailKind::BookingCreated
                    | MailKind::PaymentReceived
                    | MailKind::PaymentFailed
                    | MailKind::LatePaymentReturned
            );
            let mut booking = as_mailed(db, b).await?;
            if family {
                with_family(db, id, &mut booking).await?;
            }
            mail.render(&booking, &sender(settings), now_ms())
        }
    };
    Ok(mail)
}

/// [`rendered`], for the wire: a family's link mail gets its link, made now (its token is in
/// the mail only; see `services::families::with_new_link`).
async fn rendered_to_send(
    db: &Db,
    settings: &Settings,
    claimed: &Claimed,
) -> Result<RenderedMail, Unrenderable> {
    if matches!(
        claimed.kind,
        MailKind::FamilySignIn | MailKind::FamilyAddressChange
    ) {
        if let MailFacts::Unbooked(facts) = MailFacts::from_stored(claimed.kind, &claimed.payload)?
        {
            return match crate::services::families::with_new_link(
                db,
                settings,
                &claimed.recipient,
                facts,
            )
            .await?
            {
                Some(facts) => Ok(facts.render(&sender(settings))),
                None => Err(Unrenderable::NothingToSend),
            };
        }
    }
    rendered(db, settings, claimed).await
}

/// A booking as its mails speak of it, now.
async fn as_mailed(db: &Db, b: bookings::Booking) -> Result<MailBooking, sqlx::Error> {
    // A calendar entry must be as new as every one sent before (one per move), and a
    // withdrawn one newer.
    let calendar_changes = crate::db::moves::of_booking(db, b.id).await?.len()
        + usize::try_from(b.schedule_changes).unwrap_or(0);
    Ok(MailBooking {
        calendar_changes: u32::try_from(calendar_changes).unwrap_or(u32::MAX),
        children: 1,
        term: None,
        held_until: (b.payment_status.is_unsettled() && b.source == domain::BookingSource::Online)
            .then_some(b.held_until),
        reference: b.reference,
        parent_name: b.parent_name,
        athlete_name: b.athlete_name,
        session_title: b.session_title,
        starts_at: b.session_starts_at,
        duration_minutes: b.session_duration_minutes,
        location: b.session_location,
        amount: b.amount,
        currency: b.currency,
        manual: b.source == domain::BookingSource::Manual,
    })
}

/// A booking whose payment is also for a family's further children, as the mails about that
/// payment speak of it: every child named, the price of them all.
async fn with_family(db: &Db, lead: i64, booking: &mut MailBooking) -> Result<(), sqlx::Error> {
    let followers = crate::db::groups::followers_now(db, lead).await?;
    if followers.is_empty() {
        return Ok(());
    }
    // Each child once (a term's bookings are one per child and session).
    let mut names: Vec<&str> = vec![booking.athlete_name.as_str()];
    for f in &followers {
        if !names.contains(&f.athlete_name.as_str()) {
            names.push(f.athlete_name.as_str());
        }
    }
    let children = u32::try_from(names.len()).unwrap_or(u32::MAX);
    if let Some(last) = names.pop().filter(|_| !names.is_empty()) {
        booking.athlete_name = format!("{} and {last}", names.join(", "));
    }
    let mut starts: Vec<i64> = std::iter::once(booking.starts_at)
        .chain(followers.iter().map(|f| f.session_starts_at))
        .collect();
    starts.sort_unstable();
    starts.dedup();
    if starts.len() > 1 {
        let last = starts[starts.len() - 1];
        booking.term = Some((u32::try_from(starts.len()).unwrap_or(u32::MAX), last));
    }
    booking.amount += followers.iter().map(|f| f.amount).sum::<i64>();
    booking.children = children;
    Ok(())
}

/// The booking's calendar entry as it stands (the booking page's "Add to calendar"): its
/// event, or the entry that withdraws it once the booking is cancelled; `None` for an unknown
/// reference.
pub async fn calendar_entry(
    db: &Db,
    settings: &Settings,
    reference: &str,
) -> Result<Option<String>, sqlx::Error> {
    let Some(b) = bookings::by_reference(db, reference).await? else {
        return Ok(None);
    };
    let cancelled = b.attendance_status == domain::AttendanceStatus::Cancelled;
    let booking = as_mailed(db, b).await?;
    let sender = sender(settings);
    Ok(Some(if cancelled {
        booking.calendar_cancel(&sender, now_ms())
    } else {
        booking.calendar(&sender, now_ms(), booking.calendar_changes)
    }))
}

/// Sends one claimed mail (claimed under `token`) and records what happened. The mail is held
/// for this one try just before it (`outbox::hold_for_try`): if this sender's claim ran out
/// meanwhile and another sender took the mail, it is left to that one. A try never outlasts
/// its hold, so no two senders ever send one mail.
async fn deliver(
    db: &Db,
    settings: &Settings,
    transport: &dyn MailTransport,
    claimed: Claimed,
    token: &str,
) -> Result<(), sqlx::Error> {
    let timeout = settings.mail_send_timeout_ms;
    if !outbox::hold_for_try(db, claimed.id, token, now_ms() + 2 * timeout).await? {
        tracing::debug!(mail = claimed.id, "mail taken by another sender");
        return Ok(());
    }
    let mail = match rendered_to_send(db, settings, &claimed).await {
        Ok(mail) => mail,
        Err(Unrenderable::Database(error)) => return Err(error),
        Err(Unrenderable::NothingToSend) => return outbox::discard(db, claimed.id, token).await,
        Err(problem) => {
            let error = problem.to_string();
            outbox::not_sent(db, claimed.id, token, &error, now_ms(), true).await?;
            tracing::warn!(mail = claimed.id, %error, "mail not written");
            return Ok(());
        }
    };
    let send = transport.send(Outgoing {
        row: claimed.id,
        created_at: claimed.created_at,
        to: &claimed.recipient,
        mail: &mail,
    });
    let outcome = match tokio::time::timeout(
        std::time::Duration::from_millis(timeout.unsigned_abs()),
        send,
    )
    .await
    {
        Ok(outcome) => outcome,
        Err(_) => Err(NotSent {
            error: "the mail server did not answer in time".into(),
            permanent: false,
        }),
    };
    let now = now_ms();
    // This try, counted.
    let tries = claimed.attempts + 1;
    match outcome {
        Ok(_) => {
            outbox::sent(db, claimed.id, token, &mail.subject, now).await?;
            tracing::info!(mail = claimed.id, kind = claimed.kind.as_str(), "mail sent");
        }
        Err(NotSent { error, permanent }) => {
            let give_up = permanent || tries >= MAX_ATTEMPTS;
            let next = now + backoff_ms(tries);
            outbox::not_sent(db, claimed.id, token, &error, next, give_up).await?;
            // An SMTP server's words name the recipient: not in the logs.
            let error = domain::redact::without_addresses(&error);
            tracing::warn!(mail = claimed.id, %error, give_up, "mail not sent");
        }
    }
    Ok(())
}

/// One round: claims the due mails under a token of this round, and sends them one by one;
/// how many were claimed.
pub async fn send_due(
    db: &Db,
    settings: &Settings,
    transport: &dyn MailTransport,
) -> Result<usize, sqlx::Error> {
    let now = now_ms();
    if !outbox::any_due(db, now).await? {
        return Ok(0);
    }
    let token = hex::encode(rand::random::<[u8; 12]>());
    let lease = 2 * settings.mail_send_timeout_ms;
    let claimed = outbox::claim(db, now, lease, BATCH, &token).await?;
    let tried = claimed.len();
    for mail in claimed {
        deliver(db, settings, transport, mail, &token).await?;
    }
    Ok(tried)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_grow_from_five_seconds_to_half_an_hour() {
        assert_eq!(
            (1..=5).map(backoff_ms).collect::<Vec<_>>(),
            [5_000, 10_000, 20_000, 40_000, 80_000]
        );
        assert_eq!(backoff_ms(30), 30 * 60 * 1000);
    }
}
