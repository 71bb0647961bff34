//! The one place that writes `attendance_status` after a booking is created, and its history:
//! every change records who made it, when, and from which value. It never touches
//! `payment_status`; the use cases that call it are in `crate::services::attendance` and
//! `crate::services::cancellation`, and the webhook never does.

use super::Tx;
use domain::{Actor, AttendanceStatus};

/// How often a change is tried again when another writer changed the attendance in between.
const ATTEMPTS: usize = 4;

/// Sets a booking's attendance inside `tx` and records the change; the value it had, or
/// `None` when there is no such booking. Setting the value it already has records nothing.
pub async fn set_in(
    tx: &mut Tx,
    booking_id: i64,
    status: AttendanceStatus,
    by: &Actor,
    now: i64,
) -> Result<Option<AttendanceStatus>, sqlx::Error> {
    write(tx, booking_id, None, status, by, now).await
}

/// [`set_in`], only while the attendance is still `from` (an undo must not overwrite a change
/// made since); the value it had, which is not `from` when nothing was written.
pub async fn set_in_if(
    tx: &mut Tx,
    booking_id: i64,
    from: AttendanceStatus,
    status: AttendanceStatus,
    by: &Actor,
    now: i64,
) -> Result<Option<AttendanceStatus>, sqlx::Error> {
    write(tx, booking_id, Some(from), status, by, now).await
}

async fn write(
    tx: &mut Tx,
    booking_id: i64,
    only_from: Option<AttendanceStatus>,
    status: AttendanceStatus,
    by: &Actor,
    now: i64,
) -> Result<Option<AttendanceStatus>, sqlx::Error> {
    for _ in 0..ATTEMPTS {
        let current: Option<String> =
            sqlx::query_scalar("SELECT attendance_status FROM bookings WHERE id = $1")
                .bind(booking_id)
                .fetch_optional(&mut **tx)
                .await?;
        let Some(current) = current else {
            return Ok(None);
        };
        let from: AttendanceStatus = current
            .parse()
            .map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
        if from == status || only_from.is_some_and(|only| only != from) {
            return Ok(Some(from));
        }
        let changed = sqlx::query(
            "UPDATE bookings SET attendance_status = $1, updated_at = $2
             WHERE id = $3 AND attendance_status = $4",
        )
        .bind(status.as_str())
        .bind(now)
        .bind(booking_id)
        .bind(from.as_str())
        .execute(&mut **tx)
        .await?
        .rows_affected();
        if changed == 1 {
            sqlx::query(
                "INSERT INTO attendance_changes
                    (booking_id, from_status, to_status, changed_by, changed_at)
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(booking_id)
            .bind(from.as_str())
            .bind(status.as_str())
            .bind(by.spelling())
            .bind(now)
            .execute(&mut **tx)
            .await?;
            return Ok(Some(from));
        }
    }
    Err(sqlx::Error::Protocol(format!(
        "booking {booking_id}'s attendance kept changing"
    )))
}
