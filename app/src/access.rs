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

/// The family's login cookie (a family's account: `services::families`).
pub const FAMILY_COOKIE: &str = "family";

/// The family login token a request carries.
pub fn family_token(headers: &axum::http::HeaderMap) -> Option<String> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|header| header.split(';'))
        .find_map(|pair| {
            let (name, value) = pair.trim().split_once('=')?;
            (name == FAMILY_COOKIE && !value.is_empty()).then(|| value.to_owned())
        })
}

/// The `Set-Cookie` value that opens (or, with `None`, ends) a family's login.
pub fn family_cookie(token: Option<&str>, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    match token {
        Some(token) => format!(
            "{FAMILY_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{secure}",
            domain::family::LOGIN_MS / 1000
        ),
        None => format!("{FAMILY_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}"),
    }
}

/// The family of a request, from its cookie, while its login lasts and is in use.
pub async fn request_family(
    db: &Db,
    headers: &axum::http::HeaderMap,
) -> Result<Option<crate::db::families::Family>, sqlx::Error> {
    match family_token(headers) {
        Some(token) => crate::services::families::family_for_token(db, &token).await,
        None => Ok(None),
    }
}

/// The family the current server function is answering; otherwise a 401.
pub async fn require_family() -> Result<crate::db::families::Family, AppError> {
    use leptos::prelude::{expect_context, use_context};
    let state = expect_context::<crate::state::AppState>();
    let family = match use_context::<axum::http::request::Parts>() {
        Some(parts) => request_family(&state.db, &parts.headers).await?,
        None => None,
    };
    family.ok_or_else(|| AppError::unauthorized("Please sign in."))
}

/// Sets the family's login cookie (or ends it) on the current server function's answer.
pub fn set_family_cookie(token: Option<&str>, secure: bool) {
    if let (Some(response), Ok(value)) = (
        leptos::prelude::use_context::<leptos_axum::ResponseOptions>(),
        axum::http::HeaderValue::from_str(&family_cookie(token, secure)),
    ) {
        response.append_header(axum::http::header::SET_COOKIE, value);
    }
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

    #[test]
    fn the_family_cookie_is_http_only_same_site_lax_and_secure_behind_https() {
        let cookie = family_cookie(Some("abc"), true);
        assert_eq!(
            cookie,
            "family=abc; Path=/; HttpOnly; SameSite=Lax; Max-Age=2592000; Secure"
        );
        assert!(family_cookie(None, false).contains("Max-Age=0"));
        let mut headers = axum::http::HeaderMap::new();
        headers.insert(
            axum::http::header::COOKIE,
            "admin_session=x; family=tok".parse().unwrap(),
        );
        assert_eq!(family_token(&headers), Some("tok".into()));
    }
}
