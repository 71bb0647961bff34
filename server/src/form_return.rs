//! A form posted without JavaScript that comes back with errors: Leptos answers such a post
//! with a redirect to the form's page carrying the error, and what was typed, in the URL
//! (`?__path=…&__err=…`). Names, emails and notes in a URL end up in the browser's history
//! and in access logs, so this layer moves them out: the redirect goes to the clean page, what
//! was typed is kept on the server for a minute (`app::services::returned_forms`), and the
//! browser holds only a random token in a short-lived, HttpOnly cookie (`__Host-` under https,
//! a few dozen bytes whatever was typed, so no proxy's header limit is near), which the next
//! request for that page (and only that page) takes back. The page is then answered with the
//! status the refusal had (422, 401, 429), and `app::form_return` shows the form as it was
//! left.

use app::db::returned_forms::Kept;
use app::db::Db;
use app::form_return::ReturnedForm;
use axum::{
    extract::Request,
    http::{header, HeaderMap, HeaderValue, Method, StatusCode},
    middleware::Next,
    response::Response,
};

use app::form_return::cookie_name;

/// Splits `location` (an absolute or site-relative URL) into the page it should show, without
/// Leptos's error parameters, and the error those parameters carried.
fn split_location(location: &str) -> Option<(String, ReturnedForm)> {
    let base = url::Url::parse("http://site.invalid/").ok()?;
    let url = base.join(location).ok()?;
    let mut path = None;
    let mut err = None;
    let mut kept = url::form_urlencoded::Serializer::new(String::new());
    for (key, value) in url.query_pairs() {
        match key.as_ref() {
            "__path" => path = Some(value.into_owned()),
            "__err" => err = Some(value.into_owned()),
            _ => {
                kept.append_pair(&key, &value);
            }
        }
    }
    let returned = ReturnedForm {
        path: path?,
        err: err?,
    };
    let query = kept.finish();
    let page = if query.is_empty() {
        url.path().to_owned()
    } else {
        format!("{}?{query}", url.path())
    };
    Some((page, returned))
}

/// The `Set-Cookie` that hands the browser `token` (or, with `None`, takes it back).
fn cookie_header(token: Option<&str>, secure: bool) -> Option<HeaderValue> {
    HeaderValue::from_str(&app::form_return::cookie(token, secure)).ok()
}

/// The token of a refused form the request's cookies carry.
fn token(headers: &HeaderMap, secure: bool) -> Option<String> {
    let name = cookie_name(secure);
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, value)| *key == name && !value.is_empty())
        .map(|(_, value)| value.to_owned())
}

/// The layer; `secure` marks the cookie `Secure` (HTTPS deployments).
pub async fn layer(db: Db, secure: bool, mut request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let from_form = method == Method::POST
        && request.uri().path().starts_with("/api/")
        && request
            .headers()
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("text/html"));
    if from_form {
        let mut response = next.run(request).await;
        let location = response
            .headers()
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let Some(location) = location else {
            return response;
        };
        if let Some((page, returned)) = split_location(&location) {
            let kept = Kept {
                status: i64::from(response.status().as_u16()),
                path: returned.path,
                err: returned.err,
            };
            let token = app::services::returned_forms::keep(&db, &page, &kept).await;
            let headers = response.headers_mut();
            if let Ok(clean) = HeaderValue::from_str(&page) {
                headers.insert(header::LOCATION, clean);
            }
            match token {
                Ok(token) => {
                    if let Some(cookie) = cookie_header(Some(&token), secure) {
                        headers.append(header::SET_COOKIE, cookie);
                    }
                }
                // The database away: the page comes back clean rather than with the values in
                // its address.
                Err(error) => tracing::warn!(%error, "a refused form was not kept"),
            }
        }
        // Leptos keeps a refusal's status (401, 422, 429) on its redirect, which a browser
        // does not follow: a form post's redirect is always a 303.
        if !response.status().is_redirection() {
            *response.status_mut() = StatusCode::SEE_OTHER;
        }
        return response;
    }

    if method != Method::GET {
        return next.run(request).await;
    }
    let Some(token) = token(request.headers(), secure) else {
        return next.run(request).await;
    };
    let asked = request
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_default();
    let kept = match app::services::returned_forms::take(&db, &token, &asked).await {
        Ok(Some(kept)) => kept,
        // Another page, or gone: the cookie waits for its page (or its minute).
        Ok(None) => return next.run(request).await,
        Err(error) => {
            tracing::warn!(%error, "a refused form could not be read back");
            return next.run(request).await;
        }
    };
    request.extensions_mut().insert(ReturnedForm {
        path: kept.path,
        err: kept.err,
    });
    let mut response = next.run(request).await;
    if let Some(cookie) = cookie_header(None, secure) {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    let refused = u16::try_from(kept.status)
        .ok()
        .and_then(|s| StatusCode::from_u16(s).ok())
        .filter(|s| s.is_client_error());
    if let (Some(status), true) = (refused, response.status() == StatusCode::OK) {
        *response.status_mut() = status;
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_error_leaves_the_address() {
        let location = "http://localhost:3000/book?session=3&__path=%2Fapi%2Fbook&__err=eyJJbnZhbGlkIjp7fX0%3D";
        let (page, returned) = split_location(location).unwrap();
        assert_eq!(page, "/book?session=3");
        assert_eq!(returned.path, "/api/book");
        assert_eq!(returned.err, "eyJJbnZhbGlkIjp7fX0=");
    }

    #[test]
    fn a_redirect_without_an_error_is_not_carried() {
        assert_eq!(split_location("/bookings/abc"), None);
        assert_eq!(split_location("http://localhost/book?session=2"), None);
    }

    #[test]
    fn the_cookie_is_small_http_only_and_host_only_under_https() {
        let token = "0123456789abcdef0123456789abcdef";
        let secure = cookie_header(Some(token), true).unwrap();
        let secure = secure.to_str().unwrap();
        assert!(secure.starts_with("__Host-form_return="), "{secure}");
        assert!(
            secure.contains("; Secure") && secure.contains("Path=/"),
            "{secure}"
        );
        assert!(!secure.contains("Domain"), "{secure}");
        assert!(secure.len() < 200, "{secure}");
        let plain = cookie_header(Some(token), false).unwrap();
        assert!(plain.to_str().unwrap().starts_with("form_return="));
        assert!(plain.to_str().unwrap().contains("HttpOnly"));
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_str(&format!("other=1; __Host-form_return={token}")).unwrap(),
        );
        assert_eq!(super::token(&headers, true).as_deref(), Some(token));
        assert_eq!(super::token(&headers, false), None);
    }
}
