//! Admin accounts (`admin_users`), their sessions (`admin_sessions`, by token hash) and the
//! failed logins counted against them (`login_attempts`).

use super::Db;

/// An admin account.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Admin {
    pub id: i64,
    pub email: String,
}

/// Creates an admin, or sets the password hash of the one with that email; returns its id.
pub async fn upsert(
    db: &Db,
    email: &str,
    password_hash: &str,
    now: i64,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO admin_users (email, password_hash, created_at) VALUES ($1, $2, $3)
         ON CONFLICT (email) DO UPDATE SET password_hash = excluded.password_hash
         RETURNING id",
    )
    .bind(email.to_owned())
    .bind(password_hash.to_owned())
    .bind(now)
    .fetch_one(db.writer())
    .await
}

/// The admin with `email` and their password hash.
pub async fn credentials(db: &Db, email: &str) -> Result<Option<(i64, String)>, sqlx::Error> {
    sqlx::query_as("SELECT id, password_hash FROM admin_users WHERE email = $1")
        .bind(email.to_owned())
        .fetch_optional(db.reader())
        .await
}

/// Failed attempts under `key` after `since`, and when the oldest of them was.
pub async fn recent_failures(
    db: &Db,
    key: &str,
    since: i64,
) -> Result<(i64, Option<i64>), sqlx::Error> {
    sqlx::query_as(
        "SELECT COUNT(*), MIN(attempted_at) FROM login_attempts
         WHERE attempt_key = $1 AND attempted_at > $2",
    )
    .bind(key.to_owned())
    .bind(since)
    .fetch_one(db.reader())
    .await
}

pub async fn record_failure(db: &Db, key: &str, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO login_attempts (attempt_key, attempted_at) VALUES ($1, $2)")
        .bind(key.to_owned())
        .bind(now)
        .execute(db.writer())
        .await?;
    Ok(())
}

/// Forgets the failures under `key`, and every failure from before `stale_before`.
pub async fn clear_failures(db: &Db, key: &str, stale_before: i64) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM login_attempts WHERE attempt_key = $1 OR attempted_at < $2")
        .bind(key.to_owned())
        .bind(stale_before)
        .execute(db.writer())
        .await?;
    Ok(())
}

pub async fn open_session(
    db: &Db,
    token_hash: &str,
    admin_id: i64,
    now: i64,
    expires_at: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO admin_sessions (token_hash, admin_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(token_hash.to_owned())
    .bind(admin_id)
    .bind(now)
    .bind(expires_at)
    .execute(db.writer())
    .await?;
    Ok(())
}

/// The admin whose session has this token hash, while it lasts.
pub async fn by_session(db: &Db, token_hash: &str, now: i64) -> Result<Option<Admin>, sqlx::Error> {
    sqlx::query_as(
        "SELECT a.id, a.email FROM admin_sessions s JOIN admin_users a ON a.id = s.admin_id
         WHERE s.token_hash = $1 AND s.expires_at > $2",
    )
    .bind(token_hash.to_owned())
    .bind(now)
    .fetch_optional(db.reader())
    .await
}

/// Ends the session with this token hash, and every session expired by `now`.
pub async fn close_session(db: &Db, token_hash: &str, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM admin_sessions WHERE token_hash = $1 OR expires_at < $2")
        .bind(token_hash.to_owned())
        .bind(now)
        .execute(db.writer())
        .await?;
    Ok(())
}
