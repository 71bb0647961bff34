//! The one place that writes `attendance_status` (after a booking is created): an admin's
//! decision. It never touches `payment_status`, and the webhook never calls it.

use super::{now_ms, Db};
use crate::domain::AttendanceStatus;
use crate::live::{commit_and_announce, LiveHub};

/// Sets a booking's attendance; false when there is no such booking.
pub async fn set(
    db: &Db,
    hub: &LiveHub,
    booking_id: i64,
    status: AttendanceStatus,
) -> Result<bool, sqlx::Error> {
    let mut tx = db.writer().begin().await?;
    let changed =
        sqlx::query("UPDATE bookings SET attendance_status = $1, updated_at = $2 WHERE id = $3")
            .bind(status.as_str())
            .bind(now_ms())
            .bind(booking_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
    if changed == 0 {
        tx.rollback().await?;
        return Ok(false);
    }
    commit_and_announce(tx, db, hub, &[booking_id]).await?;
    Ok(true)
}
