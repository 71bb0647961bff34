//! The HTTP layers around every route: request ids and request logs, security headers, a cap on
//! requests in flight (503 + Retry-After past it, rather than collapsing), a request timeout.

use axum::{
    error_handling::HandleErrorLayer,
    extract::Request,
    http::{header, HeaderName, HeaderValue, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
    BoxError, Router,
};
use std::time::Duration;
use tower::ServiceBuilder;
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

/// Headers every response carries; a page's own (nonce-bearing) CSP is kept.
pub async fn security_headers(secure: bool, request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
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

/// Wraps the router in the layers above. The limit and the timeout wrap the router as one
/// service (a `Router::layer` would give each route its own limit).
pub fn layered(router: Router, max_in_flight: usize, timeout: Duration, secure: bool) -> Router {
    let limited = ServiceBuilder::new()
        .layer(HandleErrorLayer::new(overloaded_or_slow))
        .load_shed()
        .concurrency_limit(max_in_flight)
        .timeout(timeout)
        .service(router);
    Router::new()
        .fallback_service(limited)
        .layer(axum::middleware::from_fn(move |request, next| {
            security_headers(secure, request, next)
        }))
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
                        // The path only: query strings can carry search terms.
                        tracing::info_span!(
                            "request",
                            request_id = %id,
                            method = %request.method(),
                            path = %request.uri().path(),
                        )
                    }),
                )
                .layer(PropagateRequestIdLayer::new(X_REQUEST_ID)),
        )
}
