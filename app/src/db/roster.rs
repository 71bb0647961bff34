//! A session's roster: its bookings as the coach reads them at the track, and the "today"
//! overview of the admin's start page.

use super::bookings::{firm_count, held_count, holds_place};
use super::{Db, Tx};
use domain::{AttendanceStatus, BookingSource, PaymentStatus};

/// One booking of a session, for the roster.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct RosterRow {
    pub id: i64,
    pub reference: String,
    pub athlete_name: String,
    pub athlete_age: i64,
    pub parent_name: String,
    pub parent_email: String,
    pub parent_phone: Option<String>,
    pub notes: Option<String>,
    #[sqlx(try_from = "String")]
    pub payment_status: PaymentStatus,
    #[sqlx(try_from = "String")]
    pub attendance_status: AttendanceStatus,
    #[sqlx(try_from = "String")]
    pub source: BookingSource,
    pub manual_payment: Option<String>,
    /// 1 when it holds a place now (paid, manual, or unpaid within its hold), else 0.
    pub holds_place: i64,
    /// 1 when its parent accepted the waiver's current wording (or no wording is set), else 0.
    pub consent_current: i64,
}

/// The bookings of a session, by athlete name; a cancelled one last.
pub async fn of_session(db: &Db, session_id: i64, now: i64) -> Result<Vec<RosterRow>, sqlx::Error> {
    sqlx::query_as(concat!(
        "SELECT b.id, b.reference, b.athlete_name, b.athlete_age, b.parent_name, b.parent_email,
                b.parent_phone, b.notes, b.payment_status, b.attendance_status, b.source,
                b.manual_payment,
                CAST(CASE WHEN NOT EXISTS (SELECT 1 FROM consent_texts)
                            OR b.consent_version = (SELECT MAX(version) FROM consent_texts)
                          THEN 1 ELSE 0 END AS BIGINT) AS consent_current,
                CAST(CASE WHEN ",
        holds_place!("$2"),
        " THEN 1 ELSE 0 END AS BIGINT) AS holds_place
         FROM bookings b WHERE b.training_session_id = $1
         ORDER BY CASE WHEN b.attendance_status = 'cancelled' THEN 1 ELSE 0 END,
                  lower(b.athlete_name), b.id"
    ))
    .bind(session_id)
    .bind(now)
    .fetch_all(db.reader())
    .await
}

/// The bookings of a session not yet marked (pending, confirmed, or a manual booking's, as
/// `AttendanceStatus::is_unmarked` says), with their attendance.
pub async fn not_yet_marked(
    tx: &mut Tx,
    session_id: i64,
) -> Result<Vec<(i64, AttendanceStatus)>, sqlx::Error> {
    let rows: Vec<(i64, String)> = sqlx::query_as(
        "SELECT id, attendance_status FROM bookings
         WHERE training_session_id = $1 AND attendance_status IN ('pending', 'confirmed', 'manual')
         ORDER BY id",
    )
    .bind(session_id)
    .fetch_all(&mut **tx)
    .await?;
    rows.into_iter()
        .map(|(id, status)| {
            status
                .parse()
                .map(|s| (id, s))
                .map_err(|e| sqlx::Error::Decode(Box::new(e)))
        })
        .collect()
}

/// A session between `from` and `to` with its counts, for the "today" view.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct DaySession {
    pub id: i64,
    pub title: String,
    pub starts_at: i64,
    pub location: String,
    pub capacity: i64,
    /// Bookings holding a place now.
    pub booked: i64,
    /// Of them, the firm ones: paid or manual (neither cancelled nor refunded).
    pub paid: i64,
    /// Bookings marked present.
    pub present: i64,
    pub waiting: i64,
}

/// The sessions starting in `[from, to)`, not cancelled, soonest first, with their counts.
pub async fn sessions_between(
    db: &Db,
    from: i64,
    to: i64,
    now: i64,
) -> Result<Vec<DaySession>, sqlx::Error> {
    // Each count reads its own partial index (migration `place_counts`): the bookings it
    // counts, never the session's whole list. The firm ones are counted once: they are the
    // paid, and with those still held, the booked.
    sqlx::query_as(concat!(
        "SELECT id, title, starts_at, location, capacity, paid + held AS booked, paid, present,
                waiting
         FROM (SELECT s.id, s.title, s.starts_at, s.location, s.capacity,
                      ",
        firm_count!("s.id"),
        " AS paid, ",
        held_count!("s.id", "$3"),
        " AS held,
                      (SELECT COUNT(*) FROM bookings b WHERE b.training_session_id = s.id
                         AND b.attendance_status = 'completed') AS present,
                      (SELECT COUNT(*) FROM waitlist w WHERE w.training_session_id = s.id
                         AND w.status = 'waiting') AS waiting
               FROM training_sessions s
               WHERE s.cancelled_at IS NULL AND s.starts_at >= $1 AND s.starts_at < $2) counted
         ORDER BY starts_at, id"
    ))
    .bind(from)
    .bind(to)
    .bind(now)
    .fetch_all(db.reader())
    .await
}

/// A booking whose session is over but whose attendance nobody marked.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Unmarked {
    pub id: i64,
    pub athlete_name: String,
    pub session_id: i64,
    pub session_title: String,
    pub starts_at: i64,
}

/// Bookings of sessions ended before `now` whose attendance is still unmarked (pending,
/// confirmed, manual),
/// most recent session first.
pub async fn unmarked_after_session(
    db: &Db,
    now: i64,
    limit: i64,
) -> Result<Vec<Unmarked>, sqlx::Error> {
    sqlx::query_as(
        "SELECT b.id, b.athlete_name, s.id AS session_id, s.title AS session_title, s.starts_at
         FROM bookings b JOIN training_sessions s ON s.id = b.training_session_id
         WHERE b.attendance_status IN ('pending', 'confirmed', 'manual') AND s.cancelled_at IS NULL
           AND s.starts_at + s.duration_minutes * 60000 < $1
         ORDER BY s.starts_at DESC, b.id LIMIT $2",
    )
    .bind(now)
    .bind(limit)
    .fetch_all(db.reader())
    .await
}
