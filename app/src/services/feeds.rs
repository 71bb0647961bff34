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
    feeds::replace(&mut tx, &hash(&token), by, now_ms()).await?;
    tx.commit().await?;
    tracing::info!("a new calendar feed link was made; older ones end");
    Ok(format!(
        "{}/calendar/{token}/sessions.ics",
        settings.public_base_url
    ))
}

/// The feed for link `token`, or `None` when the link is not (or no longer) open.
pub async fn coach_feed(
    db: &Db,
    settings: &Settings,
    token: &str,
) -> Result<Option<String>, sqlx::Error> {
    if !feeds::is_open(db, &hash(token)).await? {
        return Ok(None);
    }
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
