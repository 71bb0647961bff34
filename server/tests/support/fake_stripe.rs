//! A local fake of Stripe's API for the checkout endpoints, speaking Stripe's wire format:
//! form-encoded requests in, Checkout Session objects or `{"error": ...}` bodies out.
#![allow(dead_code)]

use axum::{
    body::Bytes,
    extract::{Path, State},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    routing::{get, post},
    Json, Router,
};
use server::simulated::events::{checkout_session, SessionState};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How the fake answers the next create requests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Behaviour {
    Succeed,
    /// 400 invalid_request_error with this message.
    Refuse(String),
    /// 500 api_error.
    Fail,
    /// Answers only after this long.
    Hang(Duration),
}

#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    pub headers: HashMap<String, String>,
    pub form: HashMap<String, String>,
}

#[derive(Debug, Clone)]
pub struct FakeSession {
    pub id: String,
    pub booking_id: i64,
    pub amount: i64,
    pub currency: String,
    pub status: String,
    pub payment_status: String,
    pub payment_intent: Option<String>,
    pub expires_at: i64,
}

#[derive(Default)]
struct Inner {
    behaviour: Option<Behaviour>,
    requests: Vec<Recorded>,
    sessions: HashMap<String, FakeSession>,
    counter: u64,
}

#[derive(Clone, Default)]
pub struct FakeStripe {
    inner: Arc<Mutex<Inner>>,
    pub base_url: String,
}

fn stripe_error(status: StatusCode, kind: &str, message: &str) -> Response {
    (
        status,
        Json(serde_json::json!({ "error": { "type": kind, "message": message } })),
    )
        .into_response()
}

impl FakeStripe {
    pub async fn start() -> Self {
        let mut fake = FakeStripe::default();
        let app = Router::new()
            .route("/v1/checkout/sessions", post(create))
            .route("/v1/checkout/sessions/{id}", get(retrieve))
            .with_state(fake.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        fake.base_url = format!("http://{}/", listener.local_addr().unwrap());
        tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        fake
    }

    pub fn behave(&self, behaviour: Behaviour) {
        self.inner.lock().unwrap().behaviour = Some(behaviour);
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.inner.lock().unwrap().requests.clone()
    }

    pub fn session(&self, id: &str) -> Option<FakeSession> {
        self.inner.lock().unwrap().sessions.get(id).cloned()
    }

    /// What Stripe would report after the customer paid (or not), for reconciliation.
    pub fn set_session(&self, id: &str, status: &str, payment_status: &str) {
        let mut inner = self.inner.lock().unwrap();
        let session = inner.sessions.get_mut(id).expect("a session the fake made");
        session.status = status.to_owned();
        session.payment_status = payment_status.to_owned();
        session.payment_intent = Some(format!("pi_fake_{id}"));
    }

    fn json(session: &FakeSession) -> serde_json::Value {
        let url = format!("https://checkout.stripe.com/c/pay/{}", session.id);
        checkout_session(&SessionState {
            session_id: &session.id,
            booking_id: session.booking_id,
            amount: session.amount,
            currency: &session.currency,
            status: &session.status,
            payment_status: &session.payment_status,
            payment_intent: session.payment_intent.as_deref(),
            url: (session.status == "open").then_some(url.as_str()),
            created: 1_700_000_000,
            expires_at: session.expires_at,
        })
    }
}

fn record(fake: &FakeStripe, method: &str, path: String, headers: &HeaderMap, body: &[u8]) {
    let form: HashMap<String, String> = serde_urlencoded_pairs(body);
    let headers = headers
        .iter()
        .map(|(k, v)| (k.as_str().to_owned(), v.to_str().unwrap_or("").to_owned()))
        .collect();
    fake.inner.lock().unwrap().requests.push(Recorded {
        method: method.into(),
        path,
        headers,
        form,
    });
}

/// Decodes `application/x-www-form-urlencoded` (brackets arrive unencoded, as Stripe's
/// clients send them; `+` is a space).
fn serde_urlencoded_pairs(body: &[u8]) -> HashMap<String, String> {
    url::form_urlencoded::parse(body).into_owned().collect()
}

async fn create(State(fake): State<FakeStripe>, headers: HeaderMap, body: Bytes) -> Response {
    record(
        &fake,
        "POST",
        "/v1/checkout/sessions".into(),
        &headers,
        &body,
    );
    let behaviour = fake
        .inner
        .lock()
        .unwrap()
        .behaviour
        .clone()
        .unwrap_or(Behaviour::Succeed);
    match behaviour {
        Behaviour::Refuse(message) => {
            return stripe_error(StatusCode::BAD_REQUEST, "invalid_request_error", &message)
        }
        Behaviour::Fail => {
            return stripe_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "api_error",
                "An unknown error occurred",
            )
        }
        Behaviour::Hang(delay) => tokio::time::sleep(delay).await,
        Behaviour::Succeed => {}
    }
    let form = serde_urlencoded_pairs(&body);
    let field = |k: &str| form.get(k).cloned().unwrap_or_default();
    let mut inner = fake.inner.lock().unwrap();
    // Stripe's idempotency: the same key gives back the same session.
    let key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    if let Some(existing) = key.as_ref().and_then(|k| {
        inner
            .sessions
            .values()
            .find(|s| s.id.ends_with(&format!("_{}", k.replace('-', "_"))))
            .cloned()
    }) {
        return Json(FakeStripe::json(&existing)).into_response();
    }
    inner.counter += 1;
    let id = match &key {
        Some(k) => format!("cs_test_{}_{}", inner.counter, k.replace('-', "_")),
        None => format!("cs_test_{}", inner.counter),
    };
    let session = FakeSession {
        id: id.clone(),
        booking_id: field("metadata[bookingId]").parse().unwrap_or(0),
        amount: field("line_items[0][price_data][unit_amount]")
            .parse()
            .unwrap_or(0),
        currency: field("line_items[0][price_data][currency]"),
        status: "open".into(),
        payment_status: "unpaid".into(),
        payment_intent: None,
        expires_at: field("expires_at").parse().unwrap_or(1_700_001_800),
    };
    inner.sessions.insert(id, session.clone());
    Json(FakeStripe::json(&session)).into_response()
}

async fn retrieve(
    State(fake): State<FakeStripe>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    record(
        &fake,
        "GET",
        format!("/v1/checkout/sessions/{id}"),
        &headers,
        b"",
    );
    let session = fake.inner.lock().unwrap().sessions.get(&id).cloned();
    match session {
        Some(session) => Json(FakeStripe::json(&session)).into_response(),
        None => stripe_error(
            StatusCode::NOT_FOUND,
            "invalid_request_error",
            &format!("No such checkout.session: '{id}'"),
        ),
    }
}
