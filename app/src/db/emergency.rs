//! The emergency contact and medical notes given with a booking (`booking_emergency`), the
//! notes sealed (`services::sealed`) before they reach this module.

use super::{Db, Tx};

/// What a booking keeps for the track (the notes sealed).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct EmergencyRow {
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    pub medical_notes_sealed: Option<String>,
    /// When the parent gave them (UTC ms).
    pub given_at: i64,
}

/// Keeps `row` with booking `booking` (in the booking's transaction).
pub async fn keep(tx: &mut Tx, booking: i64, row: &EmergencyRow) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO booking_emergency
           (booking_id, contact_name, contact_phone, medical_notes_sealed, given_at)
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(booking)
    .bind(row.contact_name.clone())
    .bind(row.contact_phone.clone())
    .bind(row.medical_notes_sealed.clone())
    .bind(row.given_at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// What booking `booking` keeps, if anything.
pub async fn of_booking(db: &Db, booking: i64) -> Result<Option<EmergencyRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT contact_name, contact_phone, medical_notes_sealed, given_at FROM booking_emergency
         WHERE booking_id = $1",
    )
    .bind(booking)
    .fetch_optional(db.reader())
    .await
}

/// Forgets what booking `booking` keeps (its family's data erased).
pub async fn forget(tx: &mut Tx, booking: i64) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM booking_emergency WHERE booking_id = $1")
        .bind(booking)
        .execute(&mut **tx)
        .await?;
    Ok(())
}
