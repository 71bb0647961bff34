//! Setting a booking's attendance: the use case behind the admin's control, through the one
//! writer `crate::db::attendance::set_in` (which also records the change in the history).
//! Payment is never touched here, and attendance is never touched by a payment.

use crate::db::{attendance, bookings, now_ms, Db};
use domain::{Actor, AttendanceStatus};

#[derive(Debug, thiserror::Error)]
pub enum AttendanceError {
    #[error("that booking no longer exists")]
    NoSuchBooking,
    /// A cancelled booking put back takes a place again, and the session has none left (its
    /// place may have gone to someone waiting).
    #[error("the session is full: its place has gone to someone else")]
    Full,
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Sets booking `booking_id`'s attendance to `status`, as decided by `by`. A cancelled booking
/// put back takes a place again: the session's capacity is checked as for a new booking,
/// under the session's lock.
pub async fn set(
    db: &Db,
    booking_id: i64,
    status: AttendanceStatus,
    by: &Actor,
) -> Result<AttendanceStatus, AttendanceError> {
    let now = now_ms();
    let booking = bookings::by_id(db, booking_id)
        .await?
        .ok_or(AttendanceError::NoSuchBooking)?;
    let mut tx = db.begin().await?;
    if booking.attendance_status == AttendanceStatus::Cancelled
        && status != AttendanceStatus::Cancelled
    {
        let session = booking.training_session_id;
        let capacity = bookings::lock_session(&mut tx, session)
            .await?
            .map_or(0, |terms| terms.capacity);
        if bookings::places_taken(&mut tx, session, now, booking_id).await? >= capacity {
            tx.rollback().await?;
            return Err(AttendanceError::Full);
        }
    }
    if attendance::set_in(&mut tx, booking_id, status, by, now)
        .await?
        .is_none()
    {
        tx.rollback().await?;
        return Err(AttendanceError::NoSuchBooking);
    }
    db.commit(tx, &[booking_id]).await?;
    tracing::info!(booking_id, by = %by.spelling(), attendance = %status, "attendance set");
    Ok(status)
}

/// The roster's "mark everyone not yet marked as present": every booking of the session still
/// pending or confirmed becomes completed, through the one writer. Returns what each had, for
/// an undo.
pub async fn complete_remaining(
    db: &Db,
    session_id: i64,
    by: &Actor,
) -> Result<Vec<(i64, AttendanceStatus)>, AttendanceError> {
    let now = now_ms();
    let mut tx = db.begin().await?;
    let mut changed = Vec::new();
    for (id, from) in crate::db::roster::not_yet_marked(&mut tx, session_id).await? {
        if attendance::set_in_if(&mut tx, id, from, AttendanceStatus::Completed, by, now).await?
            == Some(from)
        {
            changed.push((id, from));
        }
    }
    let ids: Vec<i64> = changed.iter().map(|(id, _)| *id).collect();
    db.commit(tx, &ids).await?;
    tracing::info!(session_id, marked = changed.len(), by = %by.spelling(), "remaining marked present");
    Ok(changed)
}

/// Undoes [`complete_remaining`]: each booking goes back to what it had, if it is still
/// completed (a change made since stays). Returns how many went back.
pub async fn undo_complete(
    db: &Db,
    changes: &[(i64, AttendanceStatus)],
    by: &Actor,
) -> Result<usize, AttendanceError> {
    let now = now_ms();
    let mut tx = db.begin().await?;
    let mut undone = Vec::new();
    for (id, back) in changes {
        let had = attendance::set_in_if(&mut tx, *id, AttendanceStatus::Completed, *back, by, now)
            .await?;
        if had == Some(AttendanceStatus::Completed) {
            undone.push(*id);
        }
    }
    db.commit(tx, &undone).await?;
    Ok(undone.len())
}
