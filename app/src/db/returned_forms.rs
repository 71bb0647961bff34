//! Refused no-JavaScript forms waiting for their page (`returned_forms`), by token hash.

use super::Db;

/// A refused form as kept: the page to show it on, the status it was refused with, and
/// Leptos's error for it (the server function's path and its encoded error).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Kept {
    pub status: i64,
    pub path: String,
    pub err: String,
}

/// Keeps a refused form until `expires_at`, and forgets the ones expired by `now`.
pub async fn keep(
    db: &Db,
    token_hash: &str,
    page: &str,
    form: &Kept,
    now: i64,
    expires_at: i64,
) -> Result<(), sqlx::Error> {
    let mut tx = db.begin().await?;
    sqlx::query("DELETE FROM returned_forms WHERE expires_at <= $1")
        .bind(now)
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "INSERT INTO returned_forms (token_hash, page, status, path, err, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(token_hash.to_owned())
    .bind(page.to_owned())
    .bind(form.status)
    .bind(form.path.clone())
    .bind(form.err.clone())
    .bind(expires_at)
    .execute(&mut *tx)
    .await?;
    tx.commit().await
}

/// Takes (and removes) the form kept under `token_hash` for `page`, if it has not expired.
pub async fn take(
    db: &Db,
    token_hash: &str,
    page: &str,
    now: i64,
) -> Result<Option<Kept>, sqlx::Error> {
    sqlx::query_as(
        "DELETE FROM returned_forms WHERE token_hash = $1 AND page = $2 AND expires_at > $3
         RETURNING status, path, err",
    )
    .bind(token_hash.to_owned())
    .bind(page.to_owned())
    .bind(now)
    .fetch_optional(db.writer())
    .await
}
