//! The athletes a family keeps (`athletes`): a profile each, its medical notes sealed
//! (`services::sealed`) before they reach this module.

use super::{Db, Tx};

/// An athlete's profile as stored (the notes sealed).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AthleteRow {
    pub id: i64,
    pub family_id: i64,
    pub name: String,
    pub date_of_birth: Option<String>,
    pub emergency_name: Option<String>,
    pub emergency_phone: Option<String>,
    pub medical_notes_sealed: Option<String>,
    /// When the family last saved it (UTC ms).
    pub updated_at: i64,
}

/// What is written of a profile.
#[derive(Debug, Clone, Copy)]
pub struct AthleteWrite<'a> {
    pub name: &'a str,
    pub date_of_birth: Option<&'a str>,
    pub emergency_name: Option<&'a str>,
    pub emergency_phone: Option<&'a str>,
    pub medical_notes_sealed: Option<&'a str>,
}

/// The athletes of family `family_id`, in the order they were added.
pub async fn of_family(db: &Db, family_id: i64) -> Result<Vec<AthleteRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, family_id, name, date_of_birth, emergency_name, emergency_phone,
                medical_notes_sealed, updated_at
         FROM athletes WHERE family_id = $1 ORDER BY id LIMIT 100",
    )
    .bind(family_id)
    .fetch_all(db.reader())
    .await
}

pub async fn insert(
    db: &Db,
    family_id: i64,
    athlete: AthleteWrite<'_>,
    now: i64,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO athletes (family_id, name, date_of_birth, emergency_name, emergency_phone,
                               medical_notes_sealed, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id",
    )
    .bind(family_id)
    .bind(athlete.name.to_owned())
    .bind(athlete.date_of_birth.map(str::to_owned))
    .bind(athlete.emergency_name.map(str::to_owned))
    .bind(athlete.emergency_phone.map(str::to_owned))
    .bind(athlete.medical_notes_sealed.map(str::to_owned))
    .bind(now)
    .fetch_one(db.writer())
    .await
}

/// Rewrites athlete `id` of family `family_id`; false when it has no such athlete.
pub async fn update(
    db: &Db,
    family_id: i64,
    id: i64,
    athlete: AthleteWrite<'_>,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let changed = sqlx::query(
        "UPDATE athletes SET name = $1, date_of_birth = $2, emergency_name = $3,
                emergency_phone = $4, medical_notes_sealed = $5, updated_at = $6
         WHERE id = $7 AND family_id = $8",
    )
    .bind(athlete.name.to_owned())
    .bind(athlete.date_of_birth.map(str::to_owned))
    .bind(athlete.emergency_name.map(str::to_owned))
    .bind(athlete.emergency_phone.map(str::to_owned))
    .bind(athlete.medical_notes_sealed.map(str::to_owned))
    .bind(now)
    .bind(id)
    .bind(family_id)
    .execute(db.writer())
    .await?
    .rows_affected();
    Ok(changed == 1)
}

/// Deletes athlete `id` of family `family_id`; false when it has no such athlete.
pub async fn delete(db: &Db, family_id: i64, id: i64) -> Result<bool, sqlx::Error> {
    let deleted = sqlx::query("DELETE FROM athletes WHERE id = $1 AND family_id = $2")
        .bind(id)
        .bind(family_id)
        .execute(db.writer())
        .await?
        .rows_affected();
    Ok(deleted == 1)
}

/// How many athletes the family of `email` keeps (before an erasure deletes them).
pub async fn count_of_email(tx: &mut Tx, email: &str) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM athletes a JOIN families f ON f.id = a.family_id
         WHERE f.email = lower($1)",
    )
    .bind(email.to_owned())
    .fetch_one(&mut **tx)
    .await
}

/// The profile a booking's athlete has with its family (the family of the booking's address,
/// the athlete of the booking's name, whatever the case), if the family keeps one.
pub async fn of_booking(db: &Db, booking: i64) -> Result<Option<AthleteRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT a.id, a.family_id, a.name, a.date_of_birth, a.emergency_name, a.emergency_phone,
                a.medical_notes_sealed, a.updated_at
         FROM bookings b
         JOIN families f ON f.email = lower(b.parent_email)
         JOIN athletes a ON a.family_id = f.id AND lower(a.name) = lower(b.athlete_name)
         WHERE b.id = $1
         ORDER BY a.id LIMIT 1",
    )
    .bind(booking)
    .fetch_optional(db.reader())
    .await
}

/// Records that `admin` opened medical notes from booking `booking`: athlete `athlete`'s
/// profile's, or (`None`) those given with the booking.
pub async fn record_note_view(
    db: &Db,
    athlete: Option<i64>,
    booking: i64,
    admin: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO medical_note_views (athlete_id, booking_id, viewed_by, viewed_at)
         VALUES ($1, $2, $3, $4)",
    )
    .bind(athlete)
    .bind(booking)
    .bind(admin.to_owned())
    .bind(now)
    .execute(db.writer())
    .await?;
    Ok(())
}

/// Who opened the medical notes from booking `booking`, and when, the latest first.
pub async fn note_views(db: &Db, booking: i64) -> Result<Vec<(String, i64)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT viewed_by, viewed_at FROM medical_note_views
         WHERE booking_id = $1 ORDER BY viewed_at DESC, id DESC LIMIT 50",
    )
    .bind(booking)
    .fetch_all(db.reader())
    .await
}
