//! The one place that writes `attendance_status` after a booking is created. It never touches
//! `payment_status`; the use case that calls it is `crate::services::attendance::set`, and the
//! webhook never does.

use super::{now_ms, Db};
use domain::AttendanceStatus;

/// Sets a booking's attendance and announces the change; false when there is no such booking.
pub async fn set(db: &Db, booking_id: i64, status: AttendanceStatus) -> Result<bool, sqlx::Error> {
    let mut tx = db.begin().await?;
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
    db.commit(tx, &[booking_id]).await?;
    Ok(true)
}
