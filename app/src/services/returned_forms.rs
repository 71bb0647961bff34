//! A form posted without JavaScript that came back refused: what was typed is kept on the
//! server for a minute under a random token (its hash stored), and the browser holds only the
//! token, so neither the address nor a cookie carries names, emails or notes, and the cookie
//! stays small whatever was typed.

use crate::db::returned_forms::{self, Kept};
use crate::db::{now_ms, Db};
use sha2::{Digest, Sha256};

/// How long a refused form waits for its page.
const LIFETIME_MS: i64 = 60_000;

fn hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Keeps `form`, refused on `page`; the token for the browser's cookie.
pub async fn keep(db: &Db, page: &str, form: &Kept) -> Result<String, sqlx::Error> {
    let token = hex::encode(rand::random::<[u8; 16]>());
    let now = now_ms();
    returned_forms::keep(db, &hash(&token), page, form, now, now + LIFETIME_MS).await?;
    Ok(token)
}

/// The form kept under `token` for `page`, once: taking it removes it.
pub async fn take(db: &Db, token: &str, page: &str) -> Result<Option<Kept>, sqlx::Error> {
    returned_forms::take(db, &hash(token), page, now_ms()).await
}
