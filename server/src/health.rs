//! Liveness and readiness: `GET /healthz` reports whether the database answers.

use app::state::AppState;
use axum::{extract::State, http::StatusCode, response::IntoResponse, routing::get, Json, Router};
use serde_json::json;

pub fn router() -> Router<AppState> {
    Router::new().route("/healthz", get(healthz))
}

#[tracing::instrument(skip_all)]
async fn healthz(State(state): State<AppState>) -> impl IntoResponse {
    let database = state.db.ping().await;
    let status = if database {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (
        status,
        Json(json!({
            "status": if database { "ok" } else { "degraded" },
            "database": if database { "up" } else { "down" },
            "backend": state.db.backend().name(),
        })),
    )
}
