//! "Download our data" of the family's page: everything kept about the signed-in family's
//! address, as JSON (`app::services::family_data::export`). Never cached; a request without a
//! family's login is sent to the sign-in page.

use app::state::AppState;
use axum::{
    extract::State,
    http::{header, HeaderMap, StatusCode},
    response::{IntoResponse, Redirect, Response},
    routing::get,
    Router,
};

pub const PATH: &str = "/family/data.json";

pub fn router() -> Router<AppState> {
    Router::new().route(PATH, get(download))
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
    let export = match app::services::family_data::export(
        &state.db,
        &state.settings.family.data_key,
        &family.email,
    )
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
                    "attachment; filename=\"our-data.json\"",
                ),
            ],
            json,
        )
            .into_response(),
        Err(error) => unavailable(error),
    }
}
