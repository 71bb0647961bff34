//! A form posted without JavaScript that comes back with errors: Leptos answers such a post
//! with a redirect to the form's page carrying the error, and what was typed, in the URL
//! (`?__path=…&__err=…`). Names, emails and notes in a URL end up in the browser's history
//! and in access logs, so this layer moves them out: the redirect goes to the clean page and
//! the error travels in a short-lived, HttpOnly cookie, which the next request for that page
//! (and only that page) takes back and removes. The page is then answered with the status
//! the refusal had (422, 401, 429), and `app::form_return` shows the form as it was left.

use app::form_return::ReturnedForm;
use axum::{
    extract::Request,
    http::{header, HeaderMap, HeaderValue, Method, StatusCode},
    middleware::Next,
    response::Response,
};
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};

const COOKIE: &str = "form_return";
/// Cookies are kept under 4 KiB each; a returned form is split over at most this many.
const CHUNK: usize = 3_500;
const MAX_CHUNKS: usize = 4;
/// Long enough to follow the redirect; short enough that nothing lingers.
const LIFETIME_SECS: u32 = 60;

/// What one cookie set carries: the page to show, and the error for it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Carried {
    status: u16,
    page: String,
    returned: ReturnedForm,
}

impl Carried {
    fn encode(&self) -> String {
        format!(
            "{}.{}.{}.{}",
            self.status,
            URL_SAFE_NO_PAD.encode(&self.page),
            URL_SAFE_NO_PAD.encode(&self.returned.path),
            // Leptos's error is URL-safe base64 already.
            self.returned.err.trim_end_matches('=')
        )
    }

    fn decode(value: &str) -> Option<Self> {
        let mut parts = value.splitn(4, '.');
        let status = parts.next()?.parse().ok()?;
        let text = |part: Option<&str>| {
            URL_SAFE_NO_PAD
                .decode(part?)
                .ok()
                .and_then(|bytes| String::from_utf8(bytes).ok())
        };
        let page = text(parts.next())?;
        let path = text(parts.next())?;
        let err = parts.next()?;
        // Back to the padded form Leptos decodes.
        let padding = (4 - err.len() % 4) % 4;
        Some(Self {
            status,
            page,
            returned: ReturnedForm {
                path,
                err: format!("{err}{}", "=".repeat(padding)),
            },
        })
    }
}

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

fn cookie_headers(value: Option<&str>, secure: bool) -> Vec<HeaderValue> {
    let secure = if secure { "; Secure" } else { "" };
    let chunks: Vec<&str> = value
        .map(|v| {
            v.as_bytes()
                .chunks(CHUNK)
                .map(|c| std::str::from_utf8(c).unwrap_or_default())
                .collect()
        })
        .unwrap_or_default();
    (0..MAX_CHUNKS)
        .filter_map(|i| {
            let cookie = match chunks.get(i) {
                Some(chunk) => format!(
                    "{COOKIE}{i}={chunk}; Path=/; Max-Age={LIFETIME_SECS}; HttpOnly; SameSite=Lax{secure}"
                ),
                None => format!("{COOKIE}{i}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax{secure}"),
            };
            HeaderValue::from_str(&cookie).ok()
        })
        .collect()
}

/// The carried form in the request's cookies, if a complete one is there.
fn carried(headers: &HeaderMap) -> Option<Carried> {
    let mut chunks: [Option<String>; MAX_CHUNKS] = Default::default();
    for value in headers.get_all(header::COOKIE) {
        for pair in value.to_str().ok()?.split(';') {
            let Some((name, value)) = pair.trim().split_once('=') else {
                continue;
            };
            if let Some(index) = name.strip_prefix(COOKIE) {
                if let Ok(i) = index.parse::<usize>() {
                    if i < MAX_CHUNKS && !value.is_empty() {
                        chunks[i] = Some(value.to_owned());
                    }
                }
            }
        }
    }
    let joined: String = chunks.iter().map_while(|c| c.clone()).collect();
    (!joined.is_empty())
        .then(|| Carried::decode(&joined))
        .flatten()
}

/// The layer; `secure` marks the cookies `Secure` (HTTPS deployments).
pub async fn layer(secure: bool, mut request: Request, next: Next) -> Response {
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
            {
                let carried = Carried {
                    status: response.status().as_u16(),
                    page: page.clone(),
                    returned,
                };
                let encoded = carried.encode();
                let headers = response.headers_mut();
                if let Ok(clean) = HeaderValue::from_str(&page) {
                    headers.insert(header::LOCATION, clean);
                }
                // Too large to carry (only a hostile post gets there): the page comes back
                // clean rather than with the values in its address.
                if encoded.len() <= CHUNK * MAX_CHUNKS {
                    for cookie in cookie_headers(Some(&encoded), secure) {
                        headers.append(header::SET_COOKIE, cookie);
                    }
                }
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
    let Some(carried) = carried(request.headers()) else {
        return next.run(request).await;
    };
    let asked = request
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_default();
    if asked != carried.page {
        return next.run(request).await;
    }
    request.extensions_mut().insert(carried.returned.clone());
    let mut response = next.run(request).await;
    for cookie in cookie_headers(None, secure) {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    let refused = StatusCode::from_u16(carried.status)
        .ok()
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
    fn the_error_leaves_the_address_and_comes_back_whole() {
        let location = "http://localhost:3000/book?session=3&__path=%2Fapi%2Fbook&__err=eyJJbnZhbGlkIjp7fX0%3D";
        let (page, returned) = split_location(location).unwrap();
        assert_eq!(page, "/book?session=3");
        assert_eq!(returned.path, "/api/book");
        assert_eq!(returned.err, "eyJJbnZhbGlkIjp7fX0=");
        let carried = Carried {
            status: 422,
            page,
            returned,
        };
        let encoded = carried.encode();
        assert!(!encoded.contains("session=3&"), "{encoded}");
        assert_eq!(Carried::decode(&encoded), Some(carried));
    }

    #[test]
    fn a_redirect_without_an_error_is_not_carried() {
        assert_eq!(split_location("/bookings/abc"), None);
        assert_eq!(split_location("http://localhost/book?session=2"), None);
    }

    #[test]
    fn a_long_form_is_split_over_cookies_and_joined_again() {
        let original = Carried {
            status: 422,
            page: "/book".into(),
            returned: ReturnedForm {
                path: "/api/book".into(),
                err: "A".repeat(9_000),
            },
        };
        let encoded = original.encode();
        let mut headers = HeaderMap::new();
        let set = cookie_headers(Some(&encoded), true);
        assert_eq!(set.len(), MAX_CHUNKS);
        let sent: Vec<String> = set
            .iter()
            .map(|h| h.to_str().unwrap().split(';').next().unwrap().to_owned())
            .collect();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_str(&format!("other=1; {}", sent.join("; "))).unwrap(),
        );
        assert_eq!(carried(&headers), Some(original));
        assert!(set.iter().all(|h| h.to_str().unwrap().contains("HttpOnly")));
    }
}
