//! Prometheus metrics: webhook deliveries by event type and outcome, and their latency. Served
//! at `/metrics` only to holders of `METRICS_TOKEN` (not public: without a token it is a 404).

use axum::{
    extract::State,
    http::{header, HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    routing::get,
    Router,
};
use secrecy::{ExposeSecret, SecretString};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use subtle::ConstantTimeEq;

/// Latency buckets, seconds.
const BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
];

#[derive(Default)]
struct Inner {
    deliveries: BTreeMap<(String, &'static str), u64>,
    bucket_counts: [u64; BUCKETS.len()],
    latency_sum: f64,
    latency_count: u64,
}

#[derive(Clone, Default)]
pub struct Metrics {
    inner: Arc<Mutex<Inner>>,
}

impl Metrics {
    /// Counts one webhook delivery. `event_type` is "unverified" when the signature failed.
    pub fn delivery(&self, event_type: &str, outcome: &'static str, elapsed: Duration) {
        let Ok(mut inner) = self.inner.lock() else {
            return;
        };
        // Only Stripe's own spelling of types is kept as a label; anything else is "other".
        let label = if event_type.len() <= 64
            && event_type
                .chars()
                .all(|c| c.is_ascii_lowercase() || c == '.' || c == '_')
        {
            event_type.to_owned()
        } else {
            "other".to_owned()
        };
        *inner.deliveries.entry((label, outcome)).or_default() += 1;
        let secs = elapsed.as_secs_f64();
        for (i, bound) in BUCKETS.iter().enumerate() {
            if secs <= *bound {
                inner.bucket_counts[i] += 1;
            }
        }
        inner.latency_sum += secs;
        inner.latency_count += 1;
    }

    pub fn render(&self) -> String {
        let Ok(inner) = self.inner.lock() else {
            return String::new();
        };
        let mut out = String::new();
        out.push_str("# HELP webhook_deliveries_total Stripe webhook deliveries by event type and outcome.\n");
        out.push_str("# TYPE webhook_deliveries_total counter\n");
        for ((event_type, outcome), count) in &inner.deliveries {
            out.push_str(&format!(
                "webhook_deliveries_total{{type=\"{event_type}\",outcome=\"{outcome}\"}} {count}\n"
            ));
        }
        out.push_str("# HELP webhook_duration_seconds Time to answer a webhook delivery.\n");
        out.push_str("# TYPE webhook_duration_seconds histogram\n");
        for (bound, count) in BUCKETS.iter().zip(inner.bucket_counts) {
            out.push_str(&format!(
                "webhook_duration_seconds_bucket{{le=\"{bound}\"}} {count}\n"
            ));
        }
        out.push_str(&format!(
            "webhook_duration_seconds_bucket{{le=\"+Inf\"}} {}\n",
            inner.latency_count
        ));
        out.push_str(&format!(
            "webhook_duration_seconds_sum {}\nwebhook_duration_seconds_count {}\n",
            inner.latency_sum, inner.latency_count
        ));
        out
    }
}

#[derive(Clone)]
struct Guarded {
    metrics: Metrics,
    token: Arc<SecretString>,
}

/// `/metrics`, present only when a token is configured.
pub fn router<S>(metrics: Metrics, token: Option<SecretString>) -> Router<S>
where
    S: Clone + Send + Sync + 'static,
{
    match token {
        None => Router::new(),
        Some(token) => Router::new().route(
            "/metrics",
            get(scrape).with_state(Guarded {
                metrics,
                token: Arc::new(token),
            }),
        ),
    }
}

async fn scrape(State(guarded): State<Guarded>, headers: HeaderMap) -> Response {
    let presented = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("");
    let expected = guarded.token.expose_secret().as_bytes();
    if !bool::from(presented.as_bytes().ct_eq(expected)) {
        return StatusCode::NOT_FOUND.into_response();
    }
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        guarded.metrics.render(),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters_and_a_histogram() {
        let metrics = Metrics::default();
        metrics.delivery(
            "checkout.session.completed",
            "applied",
            Duration::from_millis(3),
        );
        metrics.delivery(
            "checkout.session.completed",
            "applied",
            Duration::from_millis(30),
        );
        metrics.delivery("Weird<Type>", "duplicate", Duration::from_millis(1));
        let text = metrics.render();
        assert!(text.contains(
            "webhook_deliveries_total{type=\"checkout.session.completed\",outcome=\"applied\"} 2"
        ));
        assert!(text.contains("webhook_deliveries_total{type=\"other\",outcome=\"duplicate\"} 1"));
        assert!(text.contains("webhook_duration_seconds_bucket{le=\"0.005\"} 2"));
        assert!(text.contains("webhook_duration_seconds_bucket{le=\"+Inf\"} 3"));
        assert!(text.contains("webhook_duration_seconds_count 3"));
    }
}
