//! "Download our data" of the family's page: everything kept about the signed-in family's
//! address, as JSON (`app::services::family_data::export`). Never cached; a request without a
//! family's login is sent to the sign-in page.

use app::state::AppState;
use axum::{
    extract::{Path, State},
    http::{header, HeaderMap, StatusCode},
    response::{IntoResponse, Redirect, Response},
    routing::get,
    Router,
};

pub const PATH: &str = "/family/data.json";

/// The same download for an admin, for the family of a booking (a request by mail); behind
/// the admin's login like every `/admin` path (`crate::admin::require_login`).
pub const ADMIN_PATH: &str = "/admin/bookings/{id}/family-data.json";

pub fn router() -> Router<AppState> {
    Router::new()
        .route(PATH, get(download))
        .route(ADMIN_PATH, get(download_for_admin))
}

async fn download_for_admin(State(state): State<AppState>, Path(id): Path<i64>) -> Response {
    let booking = match app::db::bookings::by_id(&state.db, id).await {
        Ok(Some(booking)) => booking,
        Ok(None) => return (StatusCode::NOT_FOUND, "No such booking.\n").into_response(),
        Err(error) => return unavailable(error),
    };
    tracing::info!(booking_id = id, "a family's data exported by an admin");
    exported(&state, &booking.parent_email, "family-data.json").await
}

fn unavailable(error: impl std::fmt::Display) -> Response {
    tracing::error!(%error, "a family's data was not exported");
    (
        StatusCode::SERVICE_UNAVAILABLE,
        [(header::RETRY_AFTER, "1")],
        "Your data could not be read just now; try again.\n",
    )
        .into_response()
}

async fn download(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let family = match app::access::request_family(&state.db, &headers).await {
        Ok(Some(family)) => family,
        Ok(None) => return Redirect::to("/sign-in").into_response(),
        Err(error) => return unavailable(error),
    };
    exported(&state, &family.email, "our-data.json").await
}

/// Everything kept about `email`, as a JSON attachment named `filename`.
async fn exported(state: &AppState, email: &str, filename: &str) -> Response {
    let export =
        match app::services::family_data::export(&state.db, &state.settings.family.data_key, email)
            .await
        {
            Ok(export) => export,
            Err(error) => return unavailable(error),
        };
    match serde_json::to_string_pretty(&export) {
        Ok(json) => (
            [
                (header::CONTENT_TYPE, "application/json; charset=utf-8"),
                (
                    header::CONTENT_DISPOSITION,
                    &*format!("attachment; filename=\"{filename}\""),
                ),
            ],
            json,
        )
            .into_response(),
        Err(error) => unavailable(error),
    }
}
