//! Who a request comes from, for the admin's side: the admin's login as HTTP sees it (its
//! cookie, holding a token whose hash the database keeps), the admin a request carries, and the
//! guard every admin server function starts with. (A "login" is the admin's; a "session" is
//! always a training session, and a "checkout" is Stripe's Checkout Session.)

use crate::db::Db;
use crate::error::AppError;
use crate::services::admins::{admin_for_token, Admin, LOGIN_MS};
use crate::settings::Settings;

/// The login cookie's name (kept from the first release, so logins survive an upgrade).
pub const COOKIE: &str = "admin_session";

/// The login token from a `Cookie` header.
pub fn token_from_cookie_header(header: &str) -> Option<String> {
    header.split(';').find_map(|pair| {
        let (name, value) = pair.trim().split_once('=')?;
        (name == COOKIE && !value.is_empty()).then(|| value.to_owned())
    })
}

/// The login token a request carries.
pub fn request_token(headers: &axum::http::HeaderMap) -> Option<String> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(token_from_cookie_header)
}

/// The `Set-Cookie` value that opens (or, with `None`, ends) the admin's login.
pub fn login_cookie(token: Option<&str>, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    match token {
        Some(token) => format!(
            "{COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{secure}",
            LOGIN_MS / 1000
        ),
        None => format!("{COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}"),
    }
}

/// The admin of a request, from its cookie, while their login lasts and is in use.
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

/// The admin the current server function is answering; otherwise the answer is a 401 and the
/// server function returns an error carrying no data.
pub async fn require_admin() -> Result<Admin, AppError> {
    use leptos::prelude::{expect_context, use_context};
    let state = expect_context::<crate::state::AppState>();
    let admin = match use_context::<axum::http::request::Parts>() {
        Some(parts) => request_admin(&state.db, &state.settings, &parts.headers).await?,
        None => None,
    };
    admin.ok_or_else(|| AppError::unauthorized("Please log in."))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_http_only_same_site_lax_and_secure_behind_https() {
        let cookie = login_cookie(Some("abc"), true);
        assert_eq!(
            cookie,
            "admin_session=abc; Path=/; HttpOnly; SameSite=Lax; Max-Age=43200; Secure"
        );
        assert!(!login_cookie(Some("abc"), false).contains("Secure"));
        assert!(login_cookie(None, false).contains("Max-Age=0"));
        assert_eq!(
            token_from_cookie_header("theme=dark; admin_session=tok123; x=y"),
            Some("tok123".into())
        );
        assert_eq!(token_from_cookie_header("admin_session="), None);
        assert_eq!(token_from_cookie_header("other=1"), None);
    }
}
