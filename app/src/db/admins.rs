//! Admin accounts (`admin_users`), their logins (`admin_logins`, by token hash) and the
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

/// Records an attempt under `key` before its password is checked (so that parallel guesses
/// see each other); returns its id.
pub async fn record_attempt(db: &Db, key: &str, now: i64) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO login_attempts (attempt_key, attempted_at) VALUES ($1, $2) RETURNING id",
    )
    .bind(key.to_owned())
    .bind(now)
    .fetch_one(db.writer())
    .await
}

/// When the other attempts under `key` since `since` were made (every one but `except`).
pub async fn attempts_since(
    db: &Db,
    key: &str,
    since: i64,
    except: i64,
) -> Result<Vec<i64>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT attempted_at FROM login_attempts
         WHERE attempt_key = $1 AND attempted_at > $2 AND id <> $3",
    )
    .bind(key.to_owned())
    .bind(since)
    .bind(except)
    .fetch_all(db.writer())
    .await
}

/// Forgets the attempts with these ids (an attempt turned away unchecked is no failure).
pub async fn forget_attempts(db: &Db, ids: &[i64]) -> Result<(), sqlx::Error> {
    for id in ids {
        sqlx::query("DELETE FROM login_attempts WHERE id = $1")
            .bind(*id)
            .execute(db.writer())
            .await?;
    }
    Ok(())
}

/// Forgets the attempts under `key`, and every attempt from before `stale_before`.
pub async fn clear_attempts(db: &Db, key: &str, stale_before: i64) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM login_attempts WHERE attempt_key = $1 OR attempted_at < $2")
        .bind(key.to_owned())
        .bind(stale_before)
        .execute(db.writer())
        .await?;
    Ok(())
}

pub async fn open_login(
    db: &Db,
    token_hash: &str,
    admin_id: i64,
    now: i64,
    expires_at: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO admin_logins (token_hash, admin_id, created_at, expires_at, last_seen_at)
         VALUES ($1, $2, $3, $4, $3)",
    )
    .bind(token_hash.to_owned())
    .bind(admin_id)
    .bind(now)
    .bind(expires_at)
    .execute(db.writer())
    .await?;
    Ok(())
}

/// The admin whose login has this token hash, while it lasts and was used after
/// `idle_since`.
pub async fn by_login(
    db: &Db,
    token_hash: &str,
    now: i64,
    idle_since: i64,
) -> Result<Option<Admin>, sqlx::Error> {
    sqlx::query_as(
        "SELECT a.id, a.email FROM admin_logins s JOIN admin_users a ON a.id = s.admin_id
         WHERE s.token_hash = $1 AND s.expires_at > $2 AND s.last_seen_at > $3",
    )
    .bind(token_hash.to_owned())
    .bind(now)
    .bind(idle_since)
    .fetch_optional(db.reader())
    .await
}

/// Marks the login used at `now`, unless it was marked after `fresh_since` (one write a
/// minute at most, not one per request).
pub async fn touch_login(
    db: &Db,
    token_hash: &str,
    now: i64,
    fresh_since: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE admin_logins SET last_seen_at = $1 WHERE token_hash = $2 AND last_seen_at < $3",
    )
    .bind(now)
    .bind(token_hash.to_owned())
    .bind(fresh_since)
    .execute(db.writer())
    .await?;
    Ok(())
}

/// Ends the login with this token hash, and every login expired by `now`.
pub async fn close_login(db: &Db, token_hash: &str, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM admin_logins WHERE token_hash = $1 OR expires_at < $2")
        .bind(token_hash.to_owned())
        .bind(now)
        .execute(db.writer())
        .await?;
    Ok(())
}

/// Ends every login of an admin (their password changed).
pub async fn close_logins_of(db: &Db, admin_id: i64) -> Result<u64, sqlx::Error> {
    Ok(sqlx::query("DELETE FROM admin_logins WHERE admin_id = $1")
        .bind(admin_id)
        .execute(db.writer())
        .await?
        .rows_affected())
}
