//! Setting a booking's attendance: the only use case that changes `attendance_status` after a
//! booking is made, through the one writer `crate::db::attendance::set`. Payment is never
//! touched here, and attendance is never touched by a payment.

use crate::db::{attendance, Db};
use domain::AttendanceStatus;

#[derive(Debug, thiserror::Error)]
pub enum AttendanceError {
    #[error("that booking no longer exists")]
    NoSuchBooking,
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Sets booking `booking_id`'s attendance to `status`, as decided by the admin `by`.
pub async fn set(
    db: &Db,
    booking_id: i64,
    status: AttendanceStatus,
    by: &str,
) -> Result<AttendanceStatus, AttendanceError> {
    if !attendance::set(db, booking_id, status).await? {
        return Err(AttendanceError::NoSuchBooking);
    }
    tracing::info!(booking_id, by, attendance = %status, "attendance set");
    Ok(status)
}
