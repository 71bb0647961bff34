//! Setting a booking's attendance: the use case behind the admin's control, through the one
//! writer `crate::db::attendance::set_in` (which also records the change in the history).
//! Payment is never touched here, and attendance is never touched by a payment.

use crate::db::{attendance, now_ms, Db};
use domain::{Actor, AttendanceStatus};

#[derive(Debug, thiserror::Error)]
pub enum AttendanceError {
    #[error("that booking no longer exists")]
    NoSuchBooking,
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Sets booking `booking_id`'s attendance to `status`, as decided by `by`.
pub async fn set(
    db: &Db,
    booking_id: i64,
    status: AttendanceStatus,
    by: &Actor,
) -> Result<AttendanceStatus, AttendanceError> {
    let mut tx = db.begin().await?;
    if attendance::set_in(&mut tx, booking_id, status, by, now_ms())
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
