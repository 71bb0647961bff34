//! The admin's login as HTTP sees it: the session cookie, and the admin a request comes from.

use crate::db::Db;
use crate::services::admins::{admin_for_token, Admin, SESSION_MS};
use crate::settings::Settings;

pub const COOKIE: &str = "admin_session";

/// The session token from a `Cookie` header.
pub fn token_from_cookie_header(header: &str) -> Option<String> {
    header.split(';').find_map(|pair| {
        let (name, value) = pair.trim().split_once('=')?;
        (name == COOKIE && !value.is_empty()).then(|| value.to_owned())
    })
}

/// The session token a request carries.
pub fn request_token(headers: &axum::http::HeaderMap) -> Option<String> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(token_from_cookie_header)
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

/// The admin of a request, from its cookie, while their session lasts and is in use.
pub async fn request_admin(
    db: &Db,
    settings: &Settings,
    headers: &axum::http::HeaderMap,
) -> Result<Option<Admin>, sqlx::Error> {
    match request_token(headers) {
        Some(token) => admin_for_token(db, &token, settings.admin_idle_ms).await,
        None => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
