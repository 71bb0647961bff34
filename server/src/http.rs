//! The HTTP layers around every route: who the client is (through trusted proxies only),
//! request ids and request logs (booking references cut short), security headers, `no-store`
//! on private pages and `no-cache` on the others, compression of what the server writes (pages,
//! server function answers; static files come precompressed), caps on requests in flight (503 +
//! Retry-After past them, rather than collapsing): one per client (`client_limits`), one for
//! everyone, and the webhook's own, so public traffic cannot starve Stripe's deliveries; a
//! deadline for request bodies, and a request timeout.

use app::state::ClientKey;
use axum::{
    error_handling::HandleErrorLayer,
    extract::{ConnectInfo, Request},
    http::{header, HeaderName, HeaderValue, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
    BoxError, Router,
};
use domain::client::{client_address, client_key, TrustedProxies};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tower::ServiceBuilder;
use tower_http::compression::{
    predicate::{DefaultPredicate, NotForContentType, Predicate},
    CompressionLayer, CompressionLevel,
};
use tower_http::request_id::{
    MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};
use tower_http::trace::TraceLayer;

const X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

#[derive(Clone, Copy, Default)]
struct RandomRequestId;

impl MakeRequestId for RandomRequestId {
    fn make_request_id<B>(&mut self, _request: &axum::http::Request<B>) -> Option<RequestId> {
        let id = hex::encode(rand::random::<[u8; 8]>());
        HeaderValue::from_str(&id).ok().map(RequestId::new)
    }
}

/// Whether a path shows one family's booking or anything of the admin: never to be cached.
fn is_private(path: &str) -> bool {
    [
        "/bookings/",
        "/admin",
        "/api/admin/",
        "/api/bookings/",
        "/checkout/",
        "/api/waitlist/",
        "/family",
        "/api/family/",
        "/sign-in/",
        "/calendar/",
    ]
    .iter()
    .any(|prefix| path.starts_with(prefix))
        || waitlist_token(path).is_some()
}

/// The private token of a waitlist place's page (`/waitlist/{token}`, not the join form).
fn waitlist_token(path: &str) -> Option<&str> {
    path.strip_prefix("/waitlist/")
        .map(|rest| rest.split('/').next().unwrap_or(rest))
        .filter(|token| !token.is_empty() && !matches!(*token, "join" | "joined"))
}

/// A path as logs show it: a booking's reference or a waitlist place's token (each the private
/// key of a family's page) cut to four characters.
pub fn loggable_path(path: &str) -> String {
    for prefix in ["/sign-in/", "/family/address/"] {
        if let Some(token) = path.strip_prefix(prefix) {
            let shown: String = token.chars().take(4).collect();
            return format!("{prefix}{shown}…");
        }
    }
    for prefix in ["/bookings/", "/waitlist/", "/calendar/"] {
        if let Some(rest) = path.strip_prefix(prefix) {
            let (key, tail) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
            if matches!(key, "join" | "joined") {
                break;
            }
            let shown: String = key.chars().take(4).collect();
            return format!("{prefix}{shown}…{tail}");
        }
    }
    path.to_owned()
}

/// A client-supplied request id is kept only if it is short and plain (it reaches the logs).
fn acceptable_request_id(value: &HeaderValue) -> bool {
    let bytes = value.as_bytes();
    (1..=64).contains(&bytes.len())
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// Resolves the request's client (`ClientKey`) from its peer address and, through trusted
/// proxies only, `X-Forwarded-For`; drops a request id that is not acceptable.
async fn identify(trusted: Arc<TrustedProxies>, mut request: Request, next: Next) -> Response {
    let forwarded: Vec<&str> = request
        .headers()
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    let forwarded = (!forwarded.is_empty()).then(|| forwarded.join(","));
    let key = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| client_key(client_address(info.0.ip(), forwarded.as_deref(), &trusted)))
        .unwrap_or_else(|| "unknown".to_owned());
    request.extensions_mut().insert(ClientKey(key));
    if request
        .headers()
        .get(X_REQUEST_ID)
        .is_some_and(|id| !acceptable_request_id(id))
    {
        request.headers_mut().remove(X_REQUEST_ID);
    }
    next.run(request).await
}

/// A page's Content-Security-Policy, from the nonce its render used (see `app::shell`).
pub async fn page_csp(mut request: Request, next: Next) -> Response {
    let slot = app::state::PageNonce::default();
    request.extensions_mut().insert(slot.clone());
    let mut response = next.run(request).await;
    if let Some(value) = slot
        .0
        .get()
        .and_then(|nonce| HeaderValue::from_str(&app::page_csp(nonce)).ok())
    {
        response
            .headers_mut()
            .insert(header::CONTENT_SECURITY_POLICY, value);
    }
    response
}

/// Headers every response carries; a page's own (nonce-bearing) CSP is kept.
pub async fn security_headers(secure: bool, request: Request, next: Next) -> Response {
    let private = is_private(request.uri().path());
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    if private {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    } else if is_html(headers) {
        // A page is rendered for each request (its CSP nonce changes): revalidate every time.
        headers
            .entry(header::CACHE_CONTROL)
            .or_insert(HeaderValue::from_static(crate::assets::REVALIDATE));
    }
    let defaults = [
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        // Same-origin requests keep their Referer: the no-JavaScript form path needs it.
        (header::REFERRER_POLICY, "same-origin"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; frame-ancestors 'none'; base-uri 'none'",
        ),
    ];
    for (name, value) in defaults {
        headers
            .entry(name)
            .or_insert(HeaderValue::from_static(value));
    }
    if secure {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    response
}

fn is_html(headers: &axum::http::HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"))
}

/// Compresses what the server writes as it goes (brotli or gzip, as the client accepts) at a
/// level that costs little CPU: pages, server function answers, the few unhashed files.
/// Precompressed files already carry a `Content-Encoding` and are left alone, as are the live
/// updates stream (it must flush each event) and the CSV export (a long stream that gains
/// little against the CPU it would take from the database on two cores).
fn compression() -> CompressionLayer<impl Predicate> {
    CompressionLayer::new()
        .no_deflate()
        .no_zstd()
        .quality(CompressionLevel::Precise(5))
        .compress_when(DefaultPredicate::new().and(NotForContentType::const_new("text/csv")))
}

async fn overloaded_or_slow(error: BoxError) -> Response {
    let (status, message) = if error.is::<tower::load_shed::error::Overloaded>() {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            "the server is busy; retry shortly\n",
        )
    } else if error.is::<tower::timeout::error::Elapsed>() {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            "the request took too long; retry shortly\n",
        )
    } else {
        (StatusCode::INTERNAL_SERVER_ERROR, "internal error\n")
    };
    let mut response = (status, message).into_response();
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    response
}

/// What the layers need to know.
pub struct Layers {
    pub max_in_flight: usize,
    /// Requests one client may have in flight (the webhook's are counted apart).
    pub max_in_flight_per_client: usize,
    /// How long a request's whole body may take to arrive.
    pub body_deadline: Duration,
    pub webhook_max_in_flight: usize,
    pub timeout: Duration,
    pub secure: bool,
    pub trusted_proxies: Arc<TrustedProxies>,
    /// Where refused no-JavaScript forms wait for their page.
    pub db: app::db::Db,
}

/// Wraps the router, and the webhook's own router for its path, in the layers above. Each limit
/// and the timeout wrap a router as one service (a `Router::layer` would give each route its
/// own limit): one for the webhook's path, one for everything else.
pub fn layered(router: Router, webhook: Router, layers: Layers) -> Router {
    let limited = |max: usize, router: Router| {
        ServiceBuilder::new()
            .layer(HandleErrorLayer::new(overloaded_or_slow))
            .load_shed()
            .concurrency_limit(max)
            .timeout(layers.timeout)
            .service(router)
    };
    let secure = layers.secure;
    let trusted = layers.trusted_proxies.clone();
    let db = layers.db.clone();
    let in_flight = Arc::new(crate::client_limits::InFlight::default());
    let (per_client, body_deadline) = (layers.max_in_flight_per_client, layers.body_deadline);
    // The public's requests: each client within its own cap, then all within the global one.
    let public = ServiceBuilder::new()
        .layer(axum::middleware::from_fn(move |request, next| {
            crate::client_limits::per_client(
                in_flight.clone(),
                per_client,
                body_deadline,
                request,
                next,
            )
        }))
        .service(limited(layers.max_in_flight, router));
    // Stripe's deliveries come from a few addresses, many at once: the webhook's own budget,
    // its body due by the same deadline.
    let webhook = ServiceBuilder::new()
        .map_request(move |request: Request| {
            crate::client_limits::with_body_deadline(request, body_deadline)
        })
        .service(limited(layers.webhook_max_in_flight, webhook));
    Router::new()
        .route_service(crate::webhook::PATH, webhook)
        .fallback_service(public)
        .layer(axum::middleware::from_fn(move |request, next| {
            crate::form_return::layer(db.clone(), secure, request, next)
        }))
        .layer(axum::middleware::from_fn(move |request, next| {
            security_headers(secure, request, next)
        }))
        .layer(compression())
        .layer(
            ServiceBuilder::new()
                .layer(SetRequestIdLayer::new(X_REQUEST_ID, RandomRequestId))
                .layer(
                    TraceLayer::new_for_http().make_span_with(|request: &Request| {
                        let id = request
                            .headers()
                            .get(X_REQUEST_ID)
                            .and_then(|v| v.to_str().ok())
                            .unwrap_or("-");
                        // The path only (query strings can carry search terms), references cut.
                        tracing::info_span!(
                            "request",
                            request_id = %id,
                            method = %request.method(),
                            path = %loggable_path(request.uri().path()),
                        )
                    }),
                )
                .layer(PropagateRequestIdLayer::new(X_REQUEST_ID)),
        )
        .layer(axum::middleware::from_fn(move |request, next| {
            identify(trusted.clone(), request, next)
        }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_are_cut_short_in_logged_paths() {
        assert_eq!(
            loggable_path("/calendar/0123456789abcdef0123456789abcdef/sessions.ics"),
            "/calendar/0123…/sessions.ics"
        );
        assert_eq!(
            loggable_path("/bookings/abcdefghjkmnpqrstvwx/paid"),
            "/bookings/abcd…/paid"
        );
        assert_eq!(
            loggable_path("/bookings/abcdefghjkmnpqrstvwx"),
            "/bookings/abcd…"
        );
        assert_eq!(loggable_path("/admin/bookings/7"), "/admin/bookings/7");
        assert_eq!(
            loggable_path("/waitlist/k3j4h5g6f7d8s9a0q1w2e3r4"),
            "/waitlist/k3j4…"
        );
        assert_eq!(loggable_path("/waitlist/join"), "/waitlist/join");
        assert_eq!(
            loggable_path(&format!("/sign-in/{}", "ab".repeat(32))),
            "/sign-in/abab…"
        );
        assert_eq!(
            loggable_path(&format!("/family/address/{}", "cd".repeat(32))),
            "/family/address/cdcd…"
        );
        assert_eq!(loggable_path("/sign-in"), "/sign-in");
    }

    #[test]
    fn only_plain_short_request_ids_are_kept() {
        for good in ["abc-123", "0f1e2d3c4b5a6978", "req_1.2"] {
            assert!(
                acceptable_request_id(&HeaderValue::from_static(good)),
                "{good}"
            );
        }
        let long = "x".repeat(65);
        for bad in ["", "a b", "<script>", "id\u{7f}", long.as_str()] {
            let value = HeaderValue::from_str(bad).unwrap_or(HeaderValue::from_static(" "));
            assert!(!acceptable_request_id(&value), "{bad:?}");
        }
    }

    #[test]
    fn private_pages_are_never_cached() {
        for path in [
            "/bookings/abc",
            "/admin",
            "/admin/issues",
            "/api/admin/bookings",
            "/api/bookings/pay",
            "/checkout/simulated/cs_1",
            "/waitlist/k3j4h5g6f7d8s9a0q1w2e3r4",
            "/api/waitlist/view",
            "/family",
            "/family/data.json",
            "/api/family/view",
            "/sign-in/abcd",
        ] {
            assert!(is_private(path), "{path}");
        }
        for path in [
            "/",
            "/book",
            "/pkg/booking.js",
            "/api/book",
            "/healthz",
            "/waitlist/join",
            "/sign-in",
        ] {
            assert!(!is_private(path), "{path}");
        }
    }
}
