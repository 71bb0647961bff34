//! The coach's private calendar feed: the upcoming sessions (title, place, how many are booked
//! and paid), a cancelled one kept as `STATUS:CANCELLED`; its secret link is made anew from the
//! admin, which ends the old one. Only the link's hash is kept.

use crate::db::{feeds, now_ms, Db};
use crate::settings::Settings;
use domain::ics::CalendarEvent;
use sha2::{Digest, Sha256};

/// How far back the feed reaches: the last week's sessions stay in the calendar.
const PAST_MS: i64 = 7 * 24 * 60 * 60 * 1000;

fn hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A new feed link's address (every older one ends), made by the admin `by`.
pub async fn new_link(db: &Db, settings: &Settings, by: &str) -> Result<String, sqlx::Error> {
    let token = hex::encode(rand::random::<[u8; 24]>());
    let mut tx = db.begin().await?;
    feeds::replace(&mut tx, &hash(&token), None, by, now_ms()).await?;
    tx.commit().await?;
    tracing::info!("a new calendar feed link was made; older ones end");
    Ok(format!(
        "{}/calendar/{token}/sessions.ics",
        settings.public_base_url
    ))
}

/// A new link to family `family`'s feed of its own bookings (its older link ends).
pub async fn new_family_link(
    db: &Db,
    settings: &Settings,
    family: &crate::db::families::Family,
) -> Result<String, sqlx::Error> {
    let token = hex::encode(rand::random::<[u8; 24]>());
    let mut tx = db.begin().await?;
    feeds::replace(&mut tx, &hash(&token), Some(family.id), "family", now_ms()).await?;
    tx.commit().await?;
    Ok(format!(
        "{}/calendar/{token}/sessions.ics",
        settings.public_base_url
    ))
}

/// The feed of link `token`: the coach's sessions, or a family's own bookings (each the entry
/// its mails carry, a cancelled one struck); `None` when the link is not (or no longer) open.
pub async fn feed(
    db: &Db,
    settings: &Settings,
    token: &str,
) -> Result<Option<String>, sqlx::Error> {
    match feeds::open_feed(db, &hash(token)).await? {
        None => Ok(None),
        Some(None) => coach_feed(db, settings, token).await,
        Some(Some(family)) => family_feed(db, settings, family).await.map(Some),
    }
}

/// The bookings of family `family`'s address whose session is still to come or was in the last
/// week.
async fn family_feed(db: &Db, settings: &Settings, family: i64) -> Result<String, sqlx::Error> {
    let Some(family) = crate::db::families::by_id(db, family).await? else {
        return Ok(domain::ics::feed(&settings.mail.business_name, &[]));
    };
    let since = now_ms() - PAST_MS;
    let bookings: Vec<_> = crate::db::families::bookings_of(db, &family.email)
        .await?
        .into_iter()
        .filter(|b| b.session_starts_at > since)
        .collect();
    let site = settings.mail.business_name.replace(' ', "-");
    let texts: Vec<(String, String, String)> = bookings
        .iter()
        .map(|b| {
            (
                format!("booking-{}@{site}", b.reference),
                format!("{} ({})", b.session_title, b.athlete_name),
                format!(
                    "Your booking: {}/bookings/{}",
                    settings.public_base_url, b.reference
                ),
            )
        })
        .collect();
    let events: Vec<CalendarEvent<'_>> = bookings
        .iter()
        .zip(&texts)
        .map(|(b, (uid, summary, description))| CalendarEvent {
            uid,
            summary,
            location: &b.session_location,
            description,
            starts_at: b.session_starts_at,
            ends_at: b.session_starts_at + b.session_duration_minutes * 60 * 1000,
            stamp: b.updated_at,
            sequence: 0,
            cancelled: b.attendance_status == domain::AttendanceStatus::Cancelled
                || b.session_cancelled_at.is_some(),
        })
        .collect();
    Ok(domain::ics::feed(
        &format!("{} bookings", settings.mail.business_name),
        &events,
    ))
}

/// The coach's feed (link `token`, checked open by [`feed`]).
async fn coach_feed(
    db: &Db,
    settings: &Settings,
    _token: &str,
) -> Result<Option<String>, sqlx::Error> {
    let now = now_ms();
    let sessions = feeds::sessions(db, now - PAST_MS).await?;
    let site = settings.mail.business_name.replace(' ', "-");
    let texts: Vec<(String, String)> = sessions
        .iter()
        .map(|s| {
            (
                format!("session-{}@{site}", s.id),
                format!(
                    "{} booked, {} paid. Roster: {}/admin/sessions/{}/roster",
                    s.booked, s.paid, settings.public_base_url, s.id
                ),
            )
        })
        .collect();
    let events: Vec<CalendarEvent<'_>> = sessions
        .iter()
        .zip(&texts)
        .map(|(s, (uid, description))| CalendarEvent {
            uid,
            summary: &s.title,
            location: &s.location,
            description,
            starts_at: s.starts_at,
            ends_at: s.starts_at + s.duration_minutes * 60 * 1000,
            stamp: s.updated_at,
            sequence: 0,
            cancelled: s.cancelled_at.is_some(),
        })
        .collect();
    Ok(Some(domain::ics::feed(
        &settings.mail.business_name,
        &events,
    )))
}
