//! Admin accounts and sessions: argon2 password hashes, server-side sessions in the database
//! (the cookie carries a random token, the table its SHA-256), rate-limited logins.

use crate::db::{now_ms, Db};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use sha2::{Digest, Sha256};

pub const COOKIE: &str = "admin_session";
/// How long a login lasts.
pub const SESSION_MS: i64 = 12 * 60 * 60 * 1000;
/// The window failed logins are counted in, and the limits within it.
pub const ATTEMPT_WINDOW_MS: i64 = 15 * 60 * 1000;
pub const MAX_FAILURES_PER_EMAIL: i64 = 5;
pub const MAX_FAILURES_PER_CLIENT: i64 = 20;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Admin {
    pub id: i64,
    pub email: String,
}

#[derive(Debug, thiserror::Error)]
pub enum LoginError {
    #[error("wrong email or password")]
    Invalid,
    #[error("too many failed attempts; try again in {minutes} minutes")]
    TooManyAttempts { minutes: i64 },
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

pub fn hash_password(password: &str) -> String {
    let salt = SaltString::encode_b64(&rand::random::<[u8; 16]>())
        .expect("16 bytes is a valid salt length");
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 hashes any password with a fresh salt")
        .to_string()
}

pub fn verify_password(hash: &str, password: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

fn normalise_email(email: &str) -> String {
    email.trim().to_lowercase()
}

fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Creates an admin, or sets the password of the one with that email.
pub async fn upsert_admin(db: &Db, email: &str, password: &str) -> Result<i64, sqlx::Error> {
    let hash = hash_password(password);
    sqlx::query_scalar(
        "INSERT INTO admin_users (email, password_hash, created_at) VALUES ($1, $2, $3)
         ON CONFLICT (email) DO UPDATE SET password_hash = excluded.password_hash
         RETURNING id",
    )
    .bind(normalise_email(email))
    .bind(hash)
    .bind(now_ms())
    .fetch_one(db.writer())
    .await
}

/// Creates the admin only if no admin has that email (the bootstrap on start).
pub async fn ensure_admin(db: &Db, email: &str, password: &str) -> Result<bool, sqlx::Error> {
    let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM admin_users WHERE email = $1")
        .bind(normalise_email(email))
        .fetch_optional(db.reader())
        .await?;
    if exists.is_some() {
        return Ok(false);
    }
    upsert_admin(db, email, password).await?;
    Ok(true)
}

async fn recent_failures(db: &Db, key: &str, since: i64) -> Result<(i64, i64), sqlx::Error> {
    let (count, oldest): (i64, Option<i64>) = sqlx::query_as(
        "SELECT COUNT(*), MIN(attempted_at) FROM login_attempts
         WHERE attempt_key = $1 AND attempted_at > $2",
    )
    .bind(key.to_owned())
    .bind(since)
    .fetch_one(db.reader())
    .await?;
    Ok((count, oldest.unwrap_or(since)))
}

/// Checks the password and opens a session; returns the token for the cookie. Failures are
/// counted per email and per client, and past the limits the attempt is refused unchecked.
pub async fn login(
    db: &Db,
    email: &str,
    password: &str,
    client: &str,
) -> Result<String, LoginError> {
    let email = normalise_email(email);
    let now = now_ms();
    let since = now - ATTEMPT_WINDOW_MS;
    let email_key = format!("email:{email}");
    let client_key = format!("client:{client}");
    for (key, limit) in [
        (&email_key, MAX_FAILURES_PER_EMAIL),
        (&client_key, MAX_FAILURES_PER_CLIENT),
    ] {
        let (failures, oldest) = recent_failures(db, key, since).await?;
        if failures >= limit {
            let minutes = ((oldest + ATTEMPT_WINDOW_MS - now) / 60_000).max(1);
            return Err(LoginError::TooManyAttempts { minutes });
        }
    }

    let found: Option<(i64, String)> =
        sqlx::query_as("SELECT id, password_hash FROM admin_users WHERE email = $1")
            .bind(&email)
            .fetch_optional(db.reader())
            .await?;
    // Hash even for an unknown email, so timing does not tell which emails exist.
    let verified = match &found {
        Some((_, hash)) => verify_password(hash, password),
        None => {
            verify_password(&hash_password("timing equaliser"), password);
            false
        }
    };
    let Some((admin_id, _)) = found.filter(|_| verified) else {
        for key in [&email_key, &client_key] {
            sqlx::query("INSERT INTO login_attempts (attempt_key, attempted_at) VALUES ($1, $2)")
                .bind(key.clone())
                .bind(now)
                .execute(db.writer())
                .await?;
        }
        return Err(LoginError::Invalid);
    };

    sqlx::query("DELETE FROM login_attempts WHERE attempt_key = $1 OR attempted_at < $2")
        .bind(email_key)
        .bind(since)
        .execute(db.writer())
        .await?;
    let token = hex::encode(rand::random::<[u8; 32]>());
    sqlx::query(
        "INSERT INTO admin_sessions (token_hash, admin_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(token_hash(&token))
    .bind(admin_id)
    .bind(now)
    .bind(now + SESSION_MS)
    .execute(db.writer())
    .await?;
    Ok(token)
}

/// The admin a session token belongs to, while the session lasts.
pub async fn admin_for_token(db: &Db, token: &str) -> Result<Option<Admin>, sqlx::Error> {
    let row: Option<(i64, String)> = sqlx::query_as(
        "SELECT a.id, a.email FROM admin_sessions s JOIN admin_users a ON a.id = s.admin_id
         WHERE s.token_hash = $1 AND s.expires_at > $2",
    )
    .bind(token_hash(token))
    .bind(now_ms())
    .fetch_optional(db.reader())
    .await?;
    Ok(row.map(|(id, email)| Admin { id, email }))
}

pub async fn logout(db: &Db, token: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM admin_sessions WHERE token_hash = $1 OR expires_at < $2")
        .bind(token_hash(token))
        .bind(now_ms())
        .execute(db.writer())
        .await?;
    Ok(())
}

/// The session token from a `Cookie` header.
pub fn token_from_cookie_header(header: &str) -> Option<String> {
    header.split(';').find_map(|pair| {
        let (name, value) = pair.trim().split_once('=')?;
        (name == COOKIE && !value.is_empty()).then(|| value.to_owned())
    })
}

/// The `Set-Cookie` value that opens (or, with `None`, ends) the admin session.
pub fn session_cookie(token: Option<&str>, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    match token {
        Some(token) => format!(
            "{COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{secure}",
            SESSION_MS / 1000
        ),
        None => format!("{COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}"),
    }
}

/// The admin of the request a server function or page is answering, from its cookie.
pub async fn request_admin(
    db: &Db,
    headers: &axum::http::HeaderMap,
) -> Result<Option<Admin>, sqlx::Error> {
    let Some(token) = headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(token_from_cookie_header)
    else {
        return Ok(None);
    };
    admin_for_token(db, &token).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_hash_with_a_salt_and_verify() {
        let a = hash_password("correct horse battery");
        let b = hash_password("correct horse battery");
        assert_ne!(a, b, "salted");
        assert!(a.starts_with("$argon2id$"));
        assert!(verify_password(&a, "correct horse battery"));
        assert!(!verify_password(&a, "correct horse batterY"));
        assert!(!verify_password("not a hash", "x"));
    }

    #[test]
    fn cookies_are_http_only_same_site_lax_and_secure_behind_https() {
        let cookie = session_cookie(Some("abc"), true);
        assert_eq!(
            cookie,
            "admin_session=abc; Path=/; HttpOnly; SameSite=Lax; Max-Age=43200; Secure"
        );
        assert!(!session_cookie(Some("abc"), false).contains("Secure"));
        assert!(session_cookie(None, false).contains("Max-Age=0"));
        assert_eq!(
            token_from_cookie_header("theme=dark; admin_session=tok123; x=y"),
            Some("tok123".into())
        );
        assert_eq!(token_from_cookie_header("admin_session="), None);
        assert_eq!(token_from_cookie_header("other=1"), None);
    }
}
