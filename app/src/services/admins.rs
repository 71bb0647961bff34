//! Admin accounts and logins: argon2 password hashes, server-side logins (the browser holds
//! a random token, the database its SHA-256) that end when unused for a while, and failed
//! logins that slow further attempts down (`domain::login`) without locking anyone out.

use crate::db::admins;
use crate::db::{now_ms, Db};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use domain::login::{Throttle, PER_CLIENT, PER_EMAIL_AND_CLIENT, WINDOW_MS};
use sha2::{Digest, Sha256};
use std::sync::OnceLock;
use tokio::sync::Semaphore;

pub use crate::db::admins::Admin;

/// How long a login lasts at most.
pub const LOGIN_MS: i64 = 12 * 60 * 60 * 1000;
/// A login's last use is written at most this often.
const TOUCH_EVERY_MS: i64 = 60 * 1000;
/// The shortest password an admin may set.
pub const MIN_PASSWORD_CHARS: usize = 10;
/// Password hashes computed at once: argon2 takes a core for tens of milliseconds, so a burst
/// of logins must queue here rather than occupy every worker (the webhook shares them).
static HASHING: Semaphore = Semaphore::const_new(2);

#[derive(Debug, thiserror::Error)]
pub enum LoginError {
    #[error("wrong email or password")]
    Invalid,
    #[error("too many failed attempts; try again in {}", domain::login::wait_text(*retry_after_ms))]
    TooManyAttempts { retry_after_ms: i64 },
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

/// Verifies on a blocking thread, a few at a time.
async fn verify_off_the_workers(hash: String, password: String) -> bool {
    let _permit = HASHING
        .acquire()
        .await
        .expect("the semaphore is never closed");
    tokio::task::spawn_blocking(move || verify_password(&hash, &password))
        .await
        .unwrap_or(false)
}

/// A hash of no one's password, made once: an unknown email costs the same single argon2 run
/// as a known one, so timing does not tell which emails are admins.
fn dummy_hash() -> String {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY
        .get_or_init(|| hash_password("no admin has this password"))
        .clone()
}

fn normalise_email(email: &str) -> String {
    email.trim().to_lowercase()
}

fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Creates an admin, or sets the password of the one with that email and ends their logins
/// (whoever held one must log in with the new password).
pub async fn upsert_admin(db: &Db, email: &str, password: &str) -> Result<i64, sqlx::Error> {
    let hash = hash_password(password);
    let id = admins::upsert(db, &normalise_email(email), &hash, now_ms()).await?;
    let ended = admins::close_logins_of(db, id).await?;
    if ended > 0 {
        tracing::info!(admin = id, logins = ended, "password set: logins ended");
    }
    Ok(id)
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

/// Checks the password and opens a login; returns the token for the cookie. Each attempt is
/// recorded before it is counted; past the free tries an attempt must wait (per email and
/// client, and per client), and is turned away unchecked until then.
pub async fn login(
    db: &Db,
    email: &str,
    password: &str,
    client: &str,
) -> Result<String, LoginError> {
    let email = normalise_email(email);
    let now = now_ms();
    let since = now - WINDOW_MS;
    let pair_key = format!("email:{email}|client:{client}");
    let client_key = format!("client:{client}");
    let keys: [(&str, Throttle); 2] =
        [(&pair_key, PER_EMAIL_AND_CLIENT), (&client_key, PER_CLIENT)];
    let mut recorded = Vec::with_capacity(keys.len());
    for (key, _) in keys {
        recorded.push(admins::record_attempt(db, key, now).await?);
    }
    let mut wait = 0;
    for ((key, throttle), own) in keys.iter().zip(&recorded) {
        let earlier = admins::attempts_since(db, key, since, *own).await?;
        wait = wait.max(throttle.wait_ms(&earlier, now).unwrap_or(0));
    }
    if wait > 0 {
        admins::forget_attempts(db, &recorded).await?;
        return Err(LoginError::TooManyAttempts {
            retry_after_ms: wait,
        });
    }

    let found = admins::credentials(db, &email).await?;
    let hash = found
        .as_ref()
        .map(|(_, hash)| hash.clone())
        .unwrap_or_else(dummy_hash);
    let verified = verify_off_the_workers(hash, password.to_owned()).await;
    let Some((admin_id, _)) = found.filter(|_| verified) else {
        // The recorded attempts stay: they are the failures that slow the next ones.
        return Err(LoginError::Invalid);
    };

    admins::clear_attempts(db, &pair_key, since).await?;
    admins::forget_attempts(db, &recorded[1..]).await?;
    let token = hex::encode(rand::random::<[u8; 32]>());
    admins::open_login(db, &token_hash(&token), admin_id, now, now + LOGIN_MS).await?;
    Ok(token)
}

/// The admin a login token belongs to, while the login lasts and has been used within
/// `idle_ms`; the use is recorded.
pub async fn admin_for_token(
    db: &Db,
    token: &str,
    idle_ms: i64,
) -> Result<Option<Admin>, sqlx::Error> {
    let now = now_ms();
    let hash = token_hash(token);
    let admin = admins::by_login(db, &hash, now, now - idle_ms).await?;
    if admin.is_some() {
        admins::touch_login(db, &hash, now, now - TOUCH_EVERY_MS).await?;
    }
    Ok(admin)
}

/// Whether the login of `token` still stands (without counting this as a use: an open
/// dashboard nobody looks at still goes idle).
pub async fn login_stands(db: &Db, token: &str, idle_ms: i64) -> Result<bool, sqlx::Error> {
    let now = now_ms();
    Ok(admins::by_login(db, &token_hash(token), now, now - idle_ms)
        .await?
        .is_some())
}

pub async fn logout(db: &Db, token: &str) -> Result<(), sqlx::Error> {
    admins::close_login(db, &token_hash(token), now_ms()).await
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
