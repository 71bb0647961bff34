//! "Book again": the booking form filled for a family without retyping. From one of its
//! bookings (its private link, or the family's page), the same parent and athlete and the next
//! session of the same kind (same title, still to come, not cancelled).

use crate::db::{bookings, now_ms, sessions, Db};
use domain::booking_form::FieldErrors;

/// What the form is filled with: the fields' values, and the session to choose (none when no
/// session of the kind is to come).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Again {
    pub values: FieldErrors,
    pub session: Option<i64>,
}

/// The form filled again from booking `reference` (`None`: no such booking). The consent is
/// asked again: it is given for each booking.
pub async fn from_booking(db: &Db, reference: &str) -> Result<Option<Again>, sqlx::Error> {
    let Some(b) = bookings::by_reference(db, reference).await? else {
        return Ok(None);
    };
    let after = b.session_starts_at.max(now_ms());
    let session = sessions::next_of_title(db, &b.session_title, after).await?;
    // Whom to call, as given last time (never the medical notes: they stay sealed, and this
    // form's values are kept in the clear for a minute).
    let contact = crate::db::emergency::of_booking(db, b.id).await?;
    let mut values = FieldErrors::default();
    for (field, value) in [
        ("parent_name", b.parent_name),
        ("parent_email", b.parent_email),
        ("parent_phone", b.parent_phone.unwrap_or_default()),
        ("athlete_name", b.athlete_name),
        ("athlete_age", b.athlete_age.to_string()),
        (
            "emergency_name",
            contact
                .as_ref()
                .and_then(|c| c.contact_name.clone())
                .unwrap_or_default(),
        ),
        (
            "emergency_phone",
            contact.and_then(|c| c.contact_phone).unwrap_or_default(),
        ),
    ] {
        values.values.insert(field.to_owned(), value);
    }
    if let Some(session) = session {
        values
            .values
            .insert("session".to_owned(), session.to_string());
    }
    Ok(Some(Again { values, session }))
}

/// The form filled for athlete `athlete` of the signed-in `family`: the family's address, the
/// parent's name and phone as on its latest booking, the athlete's name and age (from its date
/// of birth) and emergency contact (its medical notes are used from the profile, not copied). `None` when the family keeps no such athlete.
pub async fn from_athlete(
    db: &Db,
    family: &crate::db::families::Family,
    athlete: i64,
) -> Result<Option<FieldErrors>, sqlx::Error> {
    let Some(profile) = crate::db::athletes::of_family(db, family.id)
        .await?
        .into_iter()
        .find(|a| a.id == athlete)
    else {
        return Ok(None);
    };
    let latest = crate::db::families::bookings_of(db, &family.email)
        .await?
        .into_iter()
        .max_by_key(|b| b.created_at);
    let mut values = FieldErrors::default();
    let mut put = |field: &str, value: String| {
        values.values.insert(field.to_owned(), value);
    };
    put("parent_email", family.email.clone());
    if let Some(latest) = latest {
        put("parent_name", latest.parent_name);
        put("parent_phone", latest.parent_phone.unwrap_or_default());
    }
    put("athlete_name", profile.name);
    put("emergency_name", profile.emergency_name.unwrap_or_default());
    put(
        "emergency_phone",
        profile.emergency_phone.unwrap_or_default(),
    );
    if let Some(age) = profile
        .date_of_birth
        .as_deref()
        .and_then(|born| domain::family::age_on(born, now_ms()))
    {
        put("athlete_age", age.to_string());
    }
    Ok(Some(values))
}
