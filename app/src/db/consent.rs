//! The business's waiver or terms (`consent_texts`), one row per wording, and the version a
//! booking accepted (`bookings.consent_version`).

use super::{Db, Tx};

/// The current wording: its version and text.
pub async fn current(db: &Db) -> Result<Option<(i64, String)>, sqlx::Error> {
    sqlx::query_as("SELECT version, body FROM consent_texts ORDER BY version DESC LIMIT 1")
        .fetch_optional(db.reader())
        .await
}

/// [`current`]'s version, read in `tx` (a booking records it).
pub async fn current_version(tx: &mut Tx) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT MAX(version) FROM consent_texts")
        .fetch_one(&mut **tx)
        .await
}

/// Keeps a new wording; its version.
pub async fn insert(db: &Db, body: &str, by: &str, now: i64) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO consent_texts (body, created_by, created_at) VALUES ($1, $2, $3)
         RETURNING version",
    )
    .bind(body.to_owned())
    .bind(by.to_owned())
    .bind(now)
    .fetch_one(db.writer())
    .await
}

/// Records on booking `id` that its parent accepted wording `version`.
pub async fn accepted(tx: &mut Tx, id: i64, version: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE bookings SET consent_version = $1 WHERE id = $2")
        .bind(version)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}
