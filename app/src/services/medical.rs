//! What a coach needs of an athlete at the track: the emergency contact and medical notes given
//! with the booking (the booking form asks for them) or kept with the athlete's profile by its
//! family, whichever was saved last. The contact is shown with the booking and on the roster; the notes are opened only
//! when an admin asks, each opening recorded (who, when, from which booking). Neither goes into
//! a mail, a log line or the CSV.

use super::family_data::FamilyDataError;
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
        given_at: now_ms(),
    };
    emergency::keep(tx, booking, &row).await
}

/// What is kept for the track of booking `booking`'s athlete: given with the booking, and the
/// athlete's profile with its family.
struct Sources {
    given: Option<EmergencyRow>,
    profile: Option<athletes::AthleteRow>,
}

impl Sources {
    async fn of(db: &Db, booking: i64) -> Result<Self, sqlx::Error> {
        Ok(Self {
            given: emergency::of_booking(db, booking).await?,
            profile: athletes::of_booking(db, booking).await?,
        })
    }

    /// The contact to call: of the two, the one saved last that names one.
    fn contact(&self) -> (Option<String>, Option<String>) {
        let given = self
            .given
            .as_ref()
            .filter(|g| g.contact_name.is_some() || g.contact_phone.is_some())
            .map(|g| (g.given_at, g.contact_name.clone(), g.contact_phone.clone()));
        let profile = self
            .profile
            .as_ref()
            .filter(|p| p.emergency_name.is_some() || p.emergency_phone.is_some())
            .map(|p| {
                (
                    p.updated_at,
                    p.emergency_name.clone(),
                    p.emergency_phone.clone(),
                )
            });
        given
            .into_iter()
            .chain(profile)
            .max_by_key(|(at, _, _)| *at)
            .map_or((None, None), |(_, name, phone)| (name, phone))
    }

    /// The notes to open (sealed): of the two, the ones saved last; with the profile's id when
    /// they are the profile's.
    fn notes(&self) -> Option<(Option<i64>, String)> {
        let given = self
            .given
            .as_ref()
            .and_then(|g| Some((g.given_at, None, g.medical_notes_sealed.clone()?)));
        let profile = self
            .profile
            .as_ref()
            .and_then(|p| Some((p.updated_at, Some(p.id), p.medical_notes_sealed.clone()?)));
        given
            .into_iter()
            .chain(profile)
            .max_by_key(|(at, _, _)| *at)
            .map(|(_, athlete, sealed)| (athlete, sealed))
    }
}

/// The emergency details of booking `booking`'s athlete (`None`: nothing kept at all).
pub async fn emergency(db: &Db, booking: i64) -> Result<Option<Emergency>, sqlx::Error> {
    let sources = Sources::of(db, booking).await?;
    if sources.given.is_none() && sources.profile.is_none() {
        return Ok(None);
    }
    let (contact_name, contact_phone) = sources.contact();
    Ok(Some(Emergency {
        contact_name,
        contact_phone,
        has_notes: sources.notes().is_some(),
    }))
}

/// Opens the medical notes of booking `booking`'s athlete for the admin `admin`, recording
/// the opening first; `None` when no notes are kept.
pub async fn open_notes(
    db: &Db,
    key: &DataKey,
    booking: i64,
    admin: &str,
) -> Result<Option<String>, FamilyDataError> {
    let Some((athlete, sealed_notes)) = Sources::of(db, booking).await?.notes() else {
        return Ok(None);
    };
    athletes::record_note_view(db, athlete, booking, admin, now_ms()).await?;
    tracing::info!(booking_id = booking, "medical notes opened by an admin");
    Ok(Some(sealed::open(
        key,
        sealed::MEDICAL_NOTE,
        &sealed_notes,
    )?))
}

/// Who opened the notes from booking `booking`, and when (UTC ms), the latest first.
pub async fn views(db: &Db, booking: i64) -> Result<Vec<(String, i64)>, sqlx::Error> {
    athletes::note_views(db, booking).await
}
