//! A booking's timeline, as the admin reads it: what Stripe (or reconciliation) said and
//! changed (`stripe_events`), the lines those events wrote (`payment_logs`, told within their
//! event's entry), and every change of attendance (`attendance_changes`) and every move to
//! another session (`booking_moves`), in the order they happened and in words.

use super::Db;
use chrono_tz::Tz;
use domain::timeline::{RecordedEvent, RecordedLine, TimelineEntry, TimelineKind};
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
    to_status: String,
    changed_by: String,
    changed_at: i64,
}

/// A booking's story, oldest first, in words: its ledger events (each once, with the lines it
/// wrote), the log lines no event wrote, its attendance changes and its moves (sessions named
/// with their times in `tz`).
pub async fn of_booking(
    db: &Db,
    booking_id: i64,
    tz: Tz,
) -> Result<Vec<TimelineEntry>, sqlx::Error> {
    let currency: Option<String> =
        sqlx::query_scalar("SELECT currency FROM bookings WHERE id = $1")
            .bind(booking_id)
            .fetch_optional(db.reader())
            .await?;
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
    let events = events
        .into_iter()
        .map(|e| RecordedEvent {
            id: e.id,
            event_type: e.event_type,
            source: e.source,
            outcome: e.outcome,
            summary: e.summary,
            at: e.received_at,
        })
        .collect();
    let lines = logs
        .into_iter()
        .map(|l| RecordedLine {
            event_id: l.event_id,
            event_type: l.event_type,
            level: l.level,
            message: l.error_message.unwrap_or_default(),
            summary: l.stripe_event,
            at: l.created_at,
        })
        .collect();
    let mut entries =
        domain::timeline::payment_entries(events, lines, currency.as_deref().unwrap_or("USD"));
    let changes: Vec<AttendanceRow> = sqlx::query_as(
        "SELECT to_status, changed_by, changed_at FROM attendance_changes
         WHERE booking_id = $1 ORDER BY changed_at, id",
    )
    .bind(booking_id)
    .fetch_all(db.reader())
    .await?;
    let said = |at: i64, text: String| TimelineEntry {
        at,
        kind: TimelineKind::Attendance,
        event_id: None,
        event_type: None,
        source: None,
        level: None,
        text,
        detail: String::new(),
    };
    entries.extend(changes.into_iter().map(|c| {
        let by = domain::Actor::of_spelling(&c.changed_by);
        said(
            c.changed_at,
            domain::timeline::attendance_words(&c.to_status, &by),
        )
    }));
    let moves = super::moves::of_booking(db, booking_id).await?;
    let session = |title: &str, starts_at: i64| {
        format!("{title} ({})", domain::schedule::when(starts_at, tz))
    };
    entries.extend(moves.into_iter().map(|m| {
        let by = domain::Actor::of_spelling(&m.moved_by);
        said(
            m.moved_at,
            domain::timeline::move_words(
                &session(&m.from_title, m.from_starts_at),
                &session(&m.to_title, m.to_starts_at),
                &by,
            ),
        )
    }));
    domain::timeline::in_order(&mut entries);
    Ok(entries)
}
