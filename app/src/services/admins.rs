//! Admin accounts and logins: argon2 password hashes, server-side sessions (the browser holds
//! a random token, the database its SHA-256), failed logins limited per email and per client.

use crate::db::admins;
use crate::db::{now_ms, Db};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use sha2::{Digest, Sha256};

pub use crate::db::admins::Admin;

/// How long a login lasts.
pub const SESSION_MS: i64 = 12 * 60 * 60 * 1000;
/// The window failed logins are counted in, and the limits within it.
pub const ATTEMPT_WINDOW_MS: i64 = 15 * 60 * 1000;
pub const MAX_FAILURES_PER_EMAIL: i64 = 5;
pub const MAX_FAILURES_PER_CLIENT: i64 = 20;
/// The shortest password an admin may set.
pub const MIN_PASSWORD_CHARS: usize = 10;

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
    admins::upsert(
        db,
        &normalise_email(email),
        &hash_password(password),
        now_ms(),
    )
    .await
}

/// Creates the admin only if no admin has that email (the bootstrap on start).
pub async fn ensure_admin(db: &Db, email: &str, password: &str) -> Result<bool, sqlx::Error> {
    if admins::credentials(db, &normalise_email(email))
        .await?
        .is_some()
    {
        return Ok(false);
    }
    upsert_admin(db, email, password).await?;
    Ok(true)
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
        let (failures, oldest) = admins::recent_failures(db, key, since).await?;
        if failures >= limit {
            let oldest = oldest.unwrap_or(since);
            let minutes = ((oldest + ATTEMPT_WINDOW_MS - now) / 60_000).max(1);
            return Err(LoginError::TooManyAttempts { minutes });
        }
    }

    let found = admins::credentials(db, &email).await?;
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
            admins::record_failure(db, key, now).await?;
        }
        return Err(LoginError::Invalid);
    };

    admins::clear_failures(db, &email_key, since).await?;
    let token = hex::encode(rand::random::<[u8; 32]>());
    admins::open_session(db, &token_hash(&token), admin_id, now, now + SESSION_MS).await?;
    Ok(token)
}

/// The admin a session token belongs to, while the session lasts.
pub async fn admin_for_token(db: &Db, token: &str) -> Result<Option<Admin>, sqlx::Error> {
    admins::by_session(db, &token_hash(token), now_ms()).await
}

pub async fn logout(db: &Db, token: &str) -> Result<(), sqlx::Error> {
    admins::close_session(db, &token_hash(token), now_ms()).await
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
}
