//! Liveness and readiness. `GET /healthz`: the process answers (200) and says whether the
//! database does. `GET /readyz`: 200 only when the database answers, so a load balancer sends
//! traffic elsewhere (and Stripe's retries wait) while it is down.

use app::state::AppState;
use axum::{extract::State, http::StatusCode, response::IntoResponse, routing::get, Json, Router};
use serde_json::json;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
}

async fn report(state: &AppState) -> (bool, serde_json::Value) {
    let database = state.db.ping().await;
    (
        database,
        json!({
            "status": if database { "ok" } else { "degraded" },
            "database": if database { "up" } else { "down" },
            "backend": state.db.backend().name(),
        }),
    )
}

#[tracing::instrument(skip_all)]
async fn healthz(State(state): State<AppState>) -> impl IntoResponse {
    let (_, body) = report(&state).await;
    (StatusCode::OK, Json(body))
}

#[tracing::instrument(skip_all)]
async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    let (ready, body) = report(&state).await;
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, Json(body))
}
