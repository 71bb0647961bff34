//! What a coach needs of an athlete at the track: the emergency contact and medical notes given
//! with the booking (the booking form asks for them), or else those of the profile its family
//! keeps. The contact is shown with the booking and on the roster; the notes are opened only
//! when an admin asks, each opening recorded (who, when, from which booking). Neither goes into
//! a mail, a log line or the CSV.

use super::family_data::{open_athlete, FamilyDataError};
use super::sealed;
use crate::db::emergency::{self, EmergencyRow};
use crate::db::{athletes, now_ms, Db, Tx};
use crate::settings::DataKey;
use domain::booking_form::TrackDetails;
use domain::family::Emergency;

/// Keeps `details` with booking `booking`, in the booking's transaction, the notes sealed
/// (nothing kept when the form gave nothing).
pub async fn keep(
    tx: &mut Tx,
    key: &DataKey,
    booking: i64,
    details: &TrackDetails,
) -> Result<(), sqlx::Error> {
    if details.is_empty() {
        return Ok(());
    }
    let row = EmergencyRow {
        contact_name: details.contact_name.clone(),
        contact_phone: details.contact_phone.clone(),
        medical_notes_sealed: details
            .medical_notes
            .as_deref()
            .map(|notes| sealed::seal(key, sealed::MEDICAL_NOTE, notes)),
    };
    emergency::keep(tx, booking, &row).await
}

/// The emergency details of booking `booking`'s athlete: the contact given with the booking,
/// or else its profile's; notes when either keeps some (`None`: nothing at all).
pub async fn emergency(db: &Db, booking: i64) -> Result<Option<Emergency>, sqlx::Error> {
    let given = emergency::of_booking(db, booking).await?;
    let profile = athletes::of_booking(db, booking).await?;
    let given_contact = given
        .as_ref()
        .filter(|g| g.contact_name.is_some() || g.contact_phone.is_some());
    let (contact_name, contact_phone) = match (given_contact, &profile) {
        (Some(g), _) => (g.contact_name.clone(), g.contact_phone.clone()),
        (None, Some(p)) => (p.emergency_name.clone(), p.emergency_phone.clone()),
        (None, None) => (None, None),
    };
    let has_notes = given
        .as_ref()
        .is_some_and(|g| g.medical_notes_sealed.is_some())
        || profile
            .as_ref()
            .is_some_and(|p| p.medical_notes_sealed.is_some());
    if contact_name.is_none() && contact_phone.is_none() && !has_notes && profile.is_none() {
        return Ok(None);
    }
    Ok(Some(Emergency {
        contact_name,
        contact_phone,
        has_notes,
    }))
}

/// Opens the medical notes of booking `booking`'s athlete for the admin `admin` (those given
/// with the booking, or else its profile's), recording the opening first; `None` when no notes
/// are kept.
pub async fn open_notes(
    db: &Db,
    key: &DataKey,
    booking: i64,
    admin: &str,
) -> Result<Option<String>, FamilyDataError> {
    if let Some(sealed_notes) = emergency::of_booking(db, booking)
        .await?
        .and_then(|given| given.medical_notes_sealed)
    {
        athletes::record_note_view(db, None, booking, admin, now_ms()).await?;
        tracing::info!(booking_id = booking, "medical notes opened by an admin");
        return Ok(Some(sealed::open(
            key,
            sealed::MEDICAL_NOTE,
            &sealed_notes,
        )?));
    }
    let Some(row) = athletes::of_booking(db, booking).await? else {
        return Ok(None);
    };
    if row.medical_notes_sealed.is_none() {
        return Ok(None);
    }
    athletes::record_note_view(db, Some(row.id), booking, admin, now_ms()).await?;
    tracing::info!(booking_id = booking, "medical notes opened by an admin");
    Ok(open_athlete(key, row)?.medical_notes)
}

/// Who opened the notes from booking `booking`, and when (UTC ms), the latest first.
pub async fn views(db: &Db, booking: i64) -> Result<Vec<(String, i64)>, sqlx::Error> {
    athletes::note_views(db, booking).await
}
