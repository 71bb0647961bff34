//! What a coach needs of an athlete at the track, from the profile its family keeps: the
//! emergency contact (shown with the booking and on the roster), and the medical notes, opened
//! only when an admin asks, each opening recorded (who, when, from which booking). The notes
//! never go into a mail, a log line or the CSV.

use super::family_data::{open_athlete, FamilyDataError};
use crate::db::{athletes, now_ms, Db};
use crate::settings::DataKey;
use domain::family::Emergency;

/// The emergency details of booking `booking`'s athlete (`None`: no profile kept).
pub async fn emergency(db: &Db, booking: i64) -> Result<Option<Emergency>, sqlx::Error> {
    Ok(athletes::of_booking(db, booking)
        .await?
        .map(|row| Emergency {
            contact_name: row.emergency_name,
            contact_phone: row.emergency_phone,
            has_notes: row.medical_notes_sealed.is_some(),
        }))
}

/// Opens the medical notes of booking `booking`'s athlete for the admin `admin`, recording
/// the opening first; `None` when the family keeps no notes for the athlete.
pub async fn open_notes(
    db: &Db,
    key: &DataKey,
    booking: i64,
    admin: &str,
) -> Result<Option<String>, FamilyDataError> {
    let Some(row) = athletes::of_booking(db, booking).await? else {
        return Ok(None);
    };
    if row.medical_notes_sealed.is_none() {
        return Ok(None);
    }
    athletes::record_note_view(db, row.id, booking, admin, now_ms()).await?;
    tracing::info!(booking_id = booking, "medical notes opened by an admin");
    Ok(open_athlete(key, row)?.medical_notes)
}

/// Who opened the notes from booking `booking`, and when (UTC ms), the latest first.
pub async fn views(db: &Db, booking: i64) -> Result<Vec<(String, i64)>, sqlx::Error> {
    athletes::note_views(db, booking).await
}
