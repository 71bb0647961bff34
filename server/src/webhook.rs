//! `POST /api/stripe/webhook`: raw body (bounded) -> signature -> tolerant parse -> one
//! transaction -> 200 after the commit, or 503 when the event could not be stored.

use app::services::payment_writer::WriteFailure;
use app::state::AppState;
use axum::{
    body::Bytes,
    extract::{DefaultBodyLimit, State},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    routing::post,
    Extension, Json, Router,
};
use domain::stripe_signature as signature;
use domain::{Applied, Decision, EventSource, StripeEvent};
use secrecy::SecretString;
use serde_json::json;
use std::sync::Arc;

pub const PATH: &str = "/api/stripe/webhook";

/// What the webhook needs beyond the shared state.
#[derive(Clone)]
pub struct WebhookSettings {
    pub secrets: Arc<Vec<SecretString>>,
    pub tolerance_secs: i64,
    pub body_limit: usize,
    pub metrics: crate::metrics::Metrics,
}

/// The metrics label of an outcome.
fn outcome_label(applied: &Applied) -> &'static str {
    match applied {
        Applied::Duplicate => "duplicate",
        Applied::Ignored => "ignored",
        Applied::Unusable { .. } => "unusable",
        Applied::NoBooking { .. } => "no_booking",
        Applied::Mismatched { .. } => "mismatch",
        Applied::RefundUpdated { .. } => "refund",
        Applied::Decided {
            decision: Decision::Transition { .. },
            ..
        } => "applied",
        Applied::Decided {
            decision: Decision::Refused { .. },
            ..
        } => "refused_transition",
        Applied::Decided { .. } => "recorded",
    }
}

pub fn router(settings: WebhookSettings) -> Router<AppState> {
    let limit = settings.body_limit;
    Router::new()
        .route(PATH, post(receive))
        .layer(DefaultBodyLimit::max(limit))
        .layer(Extension(settings))
}

fn refuse(status: StatusCode, reason: impl std::fmt::Display) -> Response {
    (status, format!("{reason}\n")).into_response()
}

#[tracing::instrument(
    name = "stripe_webhook",
    skip_all,
    fields(event_id, event_type, booking_id, outcome)
)]
async fn receive(
    State(state): State<AppState>,
    Extension(settings): Extension<WebhookSettings>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let started = std::time::Instant::now();
    let span = tracing::Span::current();
    let header = headers
        .get("stripe-signature")
        .and_then(|value| value.to_str().ok());
    let now = chrono::Utc::now().timestamp();
    if let Err(error) = signature::verify(
        &body,
        header,
        &settings.secrets,
        now,
        settings.tolerance_secs,
    ) {
        tracing::warn!(reason = %error, "webhook refused");
        settings
            .metrics
            .delivery("unverified", "bad_signature", started.elapsed());
        return refuse(StatusCode::BAD_REQUEST, error);
    }

    let event = match StripeEvent::parse(&body) {
        Ok(event) => event,
        Err(error) => {
            // Signed by a holder of our secret, yet not an event: nothing to store or retry.
            tracing::error!(reason = %error, "signed webhook body is not a Stripe event");
            settings
                .metrics
                .delivery("unparseable", "ignored", started.elapsed());
            return (
                StatusCode::OK,
                Json(json!({ "received": true, "ignored": error.to_string() })),
            )
                .into_response();
        }
    };
    span.record("event_id", event.id.as_str());
    span.record("event_type", event.event_type.as_str());

    match state
        .payments
        .apply(event.clone(), EventSource::Webhook)
        .await
    {
        Ok(applied) => {
            if let Some(id) = applied.booking_id() {
                span.record("booking_id", id);
            }
            span.record("outcome", applied.outcome().as_str());
            match &applied {
                Applied::Duplicate => tracing::info!("duplicate delivery: nothing changed"),
                Applied::Unusable { .. }
                | Applied::NoBooking { .. }
                | Applied::Mismatched { .. } => {
                    tracing::warn!("event recorded without a booking change")
                }
                _ => tracing::info!("event applied"),
            }
            settings.metrics.delivery(
                &event.event_type,
                outcome_label(&applied),
                started.elapsed(),
            );
            (StatusCode::OK, Json(json!({ "received": true }))).into_response()
        }
        Err(error) => {
            let (status, label) = match error.failure {
                WriteFailure::Unavailable => (StatusCode::SERVICE_UNAVAILABLE, "unavailable"),
                // Other writers kept changing the booking: a redelivery will go through.
                WriteFailure::Contention => (StatusCode::SERVICE_UNAVAILABLE, "contention"),
                WriteFailure::Failed => (StatusCode::INTERNAL_SERVER_ERROR, "error"),
            };
            tracing::error!(%error, failure = label, "event not stored; Stripe will deliver it again");
            settings
                .metrics
                .delivery(&event.event_type, label, started.elapsed());
            let mut response = refuse(status, "event not stored; please retry");
            response
                .headers_mut()
                .insert("retry-after", axum::http::HeaderValue::from_static("5"));
            response
        }
    }
}
