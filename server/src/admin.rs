//! The server's guards and streams for the admin side: the login check in front of every
//! admin page and admin API call, the Origin check on mutating API calls, the live updates
//! stream and the CSV export.

use app::state::AppState;
use axum::{
    body::Body,
    extract::{Request, State},
    http::{header, HeaderValue, Method, StatusCode, Uri},
    middleware::Next,
    response::{
        sse::{Event, KeepAlive, Sse},
        IntoResponse, Redirect, Response,
    },
    routing::get,
    Router,
};
use domain::filter::{encode_query_value, BookingFilter};
use domain::schedule::iso;
use domain::Money;
use futures_util::StreamExt;
use std::convert::Infallible;
use std::time::Duration;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/admin/live", get(live))
        .route("/admin/bookings.csv", get(export_csv))
        .route("/admin/sessions/{id}/roster.csv", get(roster_csv))
}

/// Paths anyone may reach under the admin prefixes: the login page and its server function.
fn is_public(path: &str) -> bool {
    path == "/admin/login" || path == "/api/admin/login"
}

fn needs_admin(path: &str) -> bool {
    (path == "/admin" || path.starts_with("/admin/") || path.starts_with("/api/admin/"))
        && !is_public(path)
}

/// Admin pages without a login go to the login page; admin API calls get a 401.
pub async fn require_login(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path();
    if !needs_admin(path) {
        return next.run(request).await;
    }
    match app::access::request_admin(&state.db, &state.settings, request.headers()).await {
        Ok(Some(_)) => next.run(request).await,
        Ok(None) if path.starts_with("/api/") || request.method() != Method::GET => (
            StatusCode::UNAUTHORIZED,
            [(header::CONTENT_TYPE, "application/json")],
            // An `AppError::Message`, as every server function's error reads: the page says it.
            r#"{"Message":"Your admin session has ended: log in again to go on."}"#,
        )
            .into_response(),
        Ok(None) => {
            let next_path = request
                .uri()
                .path_and_query()
                .map(|p| p.as_str().to_owned())
                .unwrap_or_else(|| "/admin".into());
            let target = format!("/admin/login?next={}", encode_query_value(&next_path));
            Redirect::to(&target).into_response()
        }
        Err(error) => {
            tracing::error!(%error, "login check failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "The database is unavailable; try again.\n",
            )
                .into_response()
        }
    }
}

/// The origin a request claims to come from must be ours (scheme, host and port).
fn same_origin(origin: &str, public_base_url: &str, host: Option<&str>) -> bool {
    let Ok(origin) = url::Url::parse(origin) else {
        return false;
    };
    let origin_host_port = match origin.port() {
        Some(port) => format!("{}:{port}", origin.host_str().unwrap_or("")),
        None => origin.host_str().unwrap_or("").to_owned(),
    };
    let ours = url::Url::parse(public_base_url)
        .map(|u| u.origin() == origin.origin())
        .unwrap_or(false);
    ours || host.is_some_and(|h| h.eq_ignore_ascii_case(&origin_host_port))
}

/// Mutating `/api` calls from another origin are refused (cross-site request forgery); the
/// Stripe webhook is exempt, its signature is its check.
pub async fn refuse_cross_origin(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let mutating = !matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    let path = request.uri().path();
    if !mutating || !path.starts_with("/api/") || path == crate::webhook::PATH {
        return next.run(request).await;
    }
    let headers = request.headers();
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    let allowed = match headers.get(header::ORIGIN).and_then(|o| o.to_str().ok()) {
        Some(origin) => same_origin(origin, &state.settings.public_base_url, host),
        // No Origin: not a browser's cross-site request, unless the browser says it is.
        None => headers
            .get("sec-fetch-site")
            .and_then(|v| v.to_str().ok())
            .is_none_or(|site| site == "same-origin" || site == "none"),
    };
    if allowed {
        next.run(request).await
    } else {
        tracing::warn!(path, "cross-origin request refused");
        (StatusCode::FORBIDDEN, "cross-origin request refused\n").into_response()
    }
}

/// How often an open live stream checks that its admin login still stands.
const LIVE_LOGIN_CHECK: Duration = Duration::from_secs(5);

/// Server-sent events: `booking` with the id of each booking that changed (0: reload all).
/// The stream ends when its admin login does (logged out, password changed, expired, idle).
async fn live(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
) -> Sse<impl futures_util::Stream<Item = Result<Event, Infallible>>> {
    let token = app::access::request_token(&headers).unwrap_or_default();
    let receiver = state.db.live().subscribe();
    let mut check = tokio::time::interval(LIVE_LOGIN_CHECK);
    check.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let stream = futures_util::stream::unfold(
        (receiver, check, state, token),
        |(mut receiver, mut check, state, token)| async move {
            let id = loop {
                tokio::select! {
                    received = receiver.recv() => break match received {
                        Ok(id) => id,
                        // Missed some: tell the page to reload everything.
                        Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {
                            app::db::live::EVERYTHING
                        }
                        Err(tokio::sync::broadcast::error::RecvError::Closed) => return None,
                    },
                    _ = check.tick() => {
                        let alive = app::services::admins::login_stands(
                            &state.db,
                            &token,
                            state.settings.admin_idle_ms,
                        )
                        .await;
                        // A database outage is not a logout: the stream stays until it is sure.
                        if matches!(alive, Ok(false)) {
                            return None;
                        }
                    }
                }
            };
            Some((
                Ok(Event::default().event("booking").data(id.to_string())),
                (receiver, check, state, token),
            ))
        },
    );
    Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
}

fn csv_field(value: &str) -> String {
    // Quote every field; a leading formula character is neutralised for spreadsheets.
    let guarded = if value.starts_with(['=', '+', '-', '@']) {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    format!("\"{}\"", guarded.replace('"', "\"\""))
}

fn csv_response(body: Body, filename: &str) -> Response {
    let mut response = Response::new(body);
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{filename}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn csv_line(fields: &[String]) -> String {
    let mut line = fields
        .iter()
        .map(|f| csv_field(f))
        .collect::<Vec<_>>()
        .join(",");
    line.push('\n');
    line
}

/// One session's roster as CSV: who comes, how to reach them, and how each stands.
async fn roster_csv(
    State(state): State<AppState>,
    axum::extract::Path(id): axum::extract::Path<i64>,
) -> Response {
    let rows = match app::db::roster::of_session(&state.db, id, app::db::now_ms()).await {
        Ok(rows) => rows,
        Err(error) => {
            tracing::error!(%error, "roster not read");
            return (
                axum::http::StatusCode::SERVICE_UNAVAILABLE,
                "The database is unavailable; try again.\n",
            )
                .into_response();
        }
    };
    let mut csv = String::from(
        "athlete_name,athlete_age,parent_name,parent_email,parent_phone,notes,payment_status,manual_payment,attendance_status,holds_place\n",
    );
    for r in rows {
        csv.push_str(&csv_line(&[
            r.athlete_name,
            r.athlete_age.to_string(),
            r.parent_name,
            r.parent_email,
            r.parent_phone.unwrap_or_default(),
            r.notes.unwrap_or_default(),
            r.payment_status.to_string(),
            r.manual_payment.unwrap_or_default(),
            r.attendance_status.to_string(),
            (r.holds_place == 1).to_string(),
        ]));
    }
    csv_response(Body::from(csv), &format!("roster-{id}.csv"))
}

/// The filtered bookings as CSV, streamed row by row.
async fn export_csv(State(state): State<AppState>, uri: Uri) -> Response {
    let filter = BookingFilter::from_query_string(uri.query().unwrap_or(""));
    let tz = state.settings.timezone;
    // Amounts in major units and times in ISO 8601, so a spreadsheet sums and sorts them.
    let header_line = "reference,parent_name,parent_email,parent_phone,athlete_name,athlete_age,session,session_starts,amount,currency,payment_status,manual_payment,attendance_status,source,notes,created\n";
    let rows = app::db::admin_list::bookings_stream(&state.db, &filter, tz).map(move |row| {
        row.map(|r| {
            let fields = [
                r.reference,
                r.parent_name,
                r.parent_email,
                r.parent_phone.unwrap_or_default(),
                r.athlete_name,
                r.athlete_age.to_string(),
                r.session_title,
                iso(r.session_starts_at, tz),
                Money::format_major(r.amount, &r.currency),
                r.currency,
                r.payment_status.to_string(),
                r.manual_payment.unwrap_or_default(),
                r.attendance_status.to_string(),
                r.source.to_string(),
                r.notes.unwrap_or_default(),
                iso(r.created_at, tz),
            ];
            axum::body::Bytes::from(csv_line(&fields))
        })
    });
    let body = futures_util::stream::once(async move {
        Ok::<_, sqlx::Error>(axum::body::Bytes::from_static(header_line.as_bytes()))
    })
    .chain(rows);
    csv_response(Body::from_stream(body), "bookings.csv")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_our_origin_may_mutate() {
        let ours = "https://book.example.com";
        assert!(same_origin("https://book.example.com", ours, None));
        assert!(same_origin(
            "http://127.0.0.1:3000",
            ours,
            Some("127.0.0.1:3000")
        ));
        assert!(!same_origin(
            "https://evil.example",
            ours,
            Some("book.example.com")
        ));
        assert!(
            !same_origin("http://book.example.com", ours, None),
            "scheme matters"
        );
        assert!(!same_origin("null", ours, Some("book.example.com")));
    }

    #[test]
    fn admin_paths_need_a_session_except_login() {
        for path in [
            "/admin",
            "/admin/issues",
            "/admin/bookings.csv",
            "/api/admin/bookings",
            "/api/admin/live",
        ] {
            assert!(needs_admin(path), "{path}");
        }
        for path in [
            "/admin/login",
            "/api/admin/login",
            "/",
            "/administrator",
            "/api/book",
        ] {
            assert!(!needs_admin(path), "{path}");
        }
    }

    #[test]
    fn csv_fields_are_quoted_and_formulas_neutralised() {
        assert_eq!(csv_field("Pat \"P\" Parent"), "\"Pat \"\"P\"\" Parent\"");
        assert_eq!(csv_field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
    }
}
