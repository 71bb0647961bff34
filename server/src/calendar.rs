//! The booking page's "Add to calendar": the booking's calendar entry as it stands (the one its
//! mails carry, moved with it, withdrawn once it is cancelled), at the booking's private
//! address (never cached, its reference cut in the logs: see `http`).

use app::state::AppState;
use axum::{
    extract::{Path, State},
    http::{header, StatusCode},
    response::{IntoResponse, Response},
    routing::get,
    Router,
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/bookings/{reference}/calendar.ics", get(entry))
        .route("/calendar/{token}/sessions.ics", get(coach_feed))
}

/// A private calendar feed at its secret link (`services::feeds`): the coach's sessions, or a
/// family's bookings; a link replaced since is refused (404).
async fn coach_feed(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    match app::services::feeds::feed(&state.db, &state.settings, &token).await {
        Ok(Some(ics)) => (
            [(header::CONTENT_TYPE, "text/calendar; charset=utf-8")],
            ics,
        )
            .into_response(),
        Ok(None) => (StatusCode::NOT_FOUND, "No calendar has this link.\n").into_response(),
        Err(error) => {
            tracing::error!(%error, "calendar feed not read");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                [(header::RETRY_AFTER, "1")],
                "The database is unavailable; try again.\n",
            )
                .into_response()
        }
    }
}

async fn entry(State(state): State<AppState>, Path(reference): Path<String>) -> Response {
    match app::services::mail::calendar_entry(&state.db, &state.settings, &reference).await {
        Ok(Some(ics)) => (
            [
                (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"booking.ics\"",
                ),
            ],
            ics,
        )
            .into_response(),
        Ok(None) => (StatusCode::NOT_FOUND, "No booking has this link.\n").into_response(),
        Err(error) => {
            tracing::error!(%error, "calendar entry not read");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                [(header::RETRY_AFTER, "1")],
                "The database is unavailable; try again.\n",
            )
                .into_response()
        }
    }
}
