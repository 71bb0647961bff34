//! A booking's timeline, as the admin reads it: what Stripe (or reconciliation) said and
//! changed (`stripe_events`), the lines those events wrote (`payment_logs`), and every change
//! of attendance (`attendance_changes`) and every move to another session (`booking_moves`),
//! in the order they happened.

use super::Db;
use domain::timeline::{TimelineEntry, TimelineKind};
use domain::{EventSource, LogLevel};

#[derive(sqlx::FromRow)]
struct LedgerRow {
    id: String,
    event_type: String,
    #[sqlx(try_from = "String")]
    source: EventSource,
    outcome: String,
    summary: String,
    received_at: i64,
}

#[derive(sqlx::FromRow)]
struct LogRow {
    event_id: Option<String>,
    event_type: Option<String>,
    #[sqlx(try_from = "String")]
    level: LogLevel,
    error_message: Option<String>,
    stripe_event: String,
    created_at: i64,
}

#[derive(sqlx::FromRow)]
struct AttendanceRow {
    from_status: String,
    to_status: String,
    changed_by: String,
    changed_at: i64,
}

/// A booking's story, oldest first: its ledger events and log lines (an event before its own
/// lines) and its attendance changes.
pub async fn of_booking(db: &Db, booking_id: i64) -> Result<Vec<TimelineEntry>, sqlx::Error> {
    let events: Vec<LedgerRow> = sqlx::query_as(
        "SELECT id, event_type, source, outcome, summary, received_at FROM stripe_events
         WHERE booking_id = $1 ORDER BY received_at, id",
    )
    .bind(booking_id)
    .fetch_all(db.reader())
    .await?;
    let logs: Vec<LogRow> = sqlx::query_as(
        "SELECT event_id, event_type, level, error_message, stripe_event, created_at
         FROM payment_logs WHERE booking_id = $1 ORDER BY created_at, id",
    )
    .bind(booking_id)
    .fetch_all(db.reader())
    .await?;
    let mut entries: Vec<TimelineEntry> = events
        .into_iter()
        .map(|e| TimelineEntry {
            at: e.received_at,
            kind: TimelineKind::Event,
            event_id: Some(e.id),
            event_type: Some(e.event_type),
            source: Some(e.source),
            level: None,
            text: e.outcome,
            detail: e.summary,
        })
        .chain(logs.into_iter().map(|l| TimelineEntry {
            at: l.created_at,
            kind: TimelineKind::Log,
            event_id: l.event_id,
            event_type: l.event_type,
            source: None,
            level: Some(l.level),
            text: l.error_message.unwrap_or_default(),
            detail: l.stripe_event,
        }))
        .collect();
    let changes: Vec<AttendanceRow> = sqlx::query_as(
        "SELECT from_status, to_status, changed_by, changed_at FROM attendance_changes
         WHERE booking_id = $1 ORDER BY changed_at, id",
    )
    .bind(booking_id)
    .fetch_all(db.reader())
    .await?;
    entries.extend(changes.into_iter().map(|c| TimelineEntry {
        at: c.changed_at,
        kind: TimelineKind::Attendance,
        event_id: None,
        event_type: None,
        source: None,
        level: None,
        text: format!(
            "attendance {} -> {} by {}",
            c.from_status,
            c.to_status,
            domain::Actor::of_spelling(&c.changed_by).describe()
        ),
        detail: String::new(),
    }));
    let moves = super::moves::of_booking(db, booking_id).await?;
    entries.extend(moves.into_iter().map(|m| TimelineEntry {
        at: m.moved_at,
        kind: TimelineKind::Attendance,
        event_id: None,
        event_type: None,
        source: None,
        level: None,
        text: format!(
            "moved from {} to {} by {}",
            m.from_title,
            m.to_title,
            domain::Actor::of_spelling(&m.moved_by).describe()
        ),
        detail: format!(
            "from the session starting {} to the one starting {} (UTC)",
            domain::schedule::iso(m.from_starts_at, chrono_tz::UTC),
            domain::schedule::iso(m.to_starts_at, chrono_tz::UTC)
        ),
    }));
    domain::timeline::in_order(&mut entries);
    Ok(entries)
}
