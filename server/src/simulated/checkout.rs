//! The simulated provider: makes Checkout Sessions, remembers them, and turns the checkout
//! page's buttons into signed events posted to our own webhook, as Stripe would post them.

use super::events::{
    checkout_session, event, payment_intent, refund, refunded_charge, SessionState,
};
use app::services::gateway::{
    CheckoutRequest, CreatedRefund, CreatedSession, GatewayError, PaymentGateway, RefundRequest,
    RetrievedSession,
};
use app::state::AppState;
use axum::{
    extract::{Path, State},
    response::{IntoResponse, Redirect, Response},
    routing::post,
    Extension, Router,
};
use secrecy::{ExposeSecret, SecretString};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Debug, Clone)]
struct SimulatedSession {
    booking_id: i64,
    amount: i64,
    currency: String,
    status: &'static str,
    payment_status: &'static str,
    payment_intent: String,
    expires_at: i64,
    created: i64,
}

/// The simulated payment provider, shared by the app (as its gateway) and the page's buttons.
pub struct Simulator {
    public_base_url: String,
    webhook_url: String,
    secret: SecretString,
    delay: Duration,
    client: reqwest::Client,
    sessions: Mutex<HashMap<String, SimulatedSession>>,
    /// Refunds made, by idempotency key (the same key again is the same refund), and what each
    /// payment has had refunded.
    refunds: Mutex<HashMap<String, CreatedRefund>>,
    refunded: Mutex<HashMap<String, i64>>,
}

/// Posts signed events to the webhook, as Stripe does.
#[derive(Clone)]
struct Delivery {
    webhook_url: String,
    secret: SecretString,
    client: reqwest::Client,
}

/// How long the simulator keeps redelivering an event the webhook did not take, and its first
/// pause between tries (doubled after each). Stripe retries a refused delivery for days; the
/// simulated page waits on its button, so it retries for seconds: long enough to get past a
/// moment's contention or a restarting database, short enough for a person waiting.
const RETRY_FOR: Duration = Duration::from_secs(10);
const FIRST_RETRY_AFTER: Duration = Duration::from_millis(200);

impl Delivery {
    /// Posts `event`, signed afresh for each try, until the webhook accepts it. A refusal the
    /// next try may get past (no answer, 429, 5xx) is tried again, the same event with the
    /// same id as Stripe redelivers it, within [`RETRY_FOR`]; any other refusal (a 4xx: the
    /// event itself was refused) is final.
    async fn deliver(&self, event: serde_json::Value) -> Result<(), String> {
        let body = event.to_string();
        let started = std::time::Instant::now();
        let mut pause = FIRST_RETRY_AFTER;
        loop {
            let error = match self.post(&body).await {
                Ok(status) if status.is_success() => return Ok(()),
                Ok(status)
                    if !(status.is_server_error()
                        || status == reqwest::StatusCode::TOO_MANY_REQUESTS) =>
                {
                    return Err(format!("the webhook answered {status}"));
                }
                Ok(status) => format!("the webhook answered {status}"),
                Err(error) => format!("the webhook could not be reached: {error}"),
            };
            if started.elapsed() + pause > RETRY_FOR {
                return Err(error);
            }
            tracing::warn!(%error, retry_in_ms = pause.as_millis() as u64, "simulated event refused; retrying");
            tokio::time::sleep(pause).await;
            pause *= 2;
        }
    }

    /// One try: `body` signed now and posted.
    async fn post(&self, body: &str) -> Result<reqwest::StatusCode, reqwest::Error> {
        let signature = domain::stripe_signature::header_value(
            self.secret.expose_secret(),
            now_secs(),
            body.as_bytes(),
        );
        let response = self
            .client
            .post(&self.webhook_url)
            .header("content-type", "application/json")
            .header("stripe-signature", signature)
            .body(body.to_owned())
            .send()
            .await?;
        Ok(response.status())
    }
}

fn random_id(prefix: &str) -> String {
    let bytes: [u8; 12] = rand::random();
    format!("{prefix}_sim_{}", hex::encode(bytes))
}

fn now_secs() -> i64 {
    chrono::Utc::now().timestamp()
}

impl Simulator {
    /// `webhook_url` is this server's own webhook; `secret` one it accepts.
    pub fn new(
        public_base_url: String,
        webhook_url: String,
        secret: SecretString,
        delay: Duration,
    ) -> Self {
        Self {
            public_base_url,
            webhook_url,
            secret,
            delay,
            client: reqwest::Client::builder()
                .timeout(Duration::from_secs(30))
                .build()
                .expect("an HTTP client without TLS always builds"),
            sessions: Mutex::new(HashMap::new()),
            refunds: Mutex::new(HashMap::new()),
            refunded: Mutex::new(HashMap::new()),
        }
    }

    fn session_json(&self, id: &str, s: &SimulatedSession) -> serde_json::Value {
        let url = format!("{}/checkout/simulated/{id}", self.public_base_url);
        checkout_session(&SessionState {
            session_id: id,
            booking_id: s.booking_id,
            amount: s.amount,
            currency: &s.currency.to_ascii_lowercase(),
            status: s.status,
            payment_status: s.payment_status,
            payment_intent: Some(&s.payment_intent),
            url: (s.status == "open").then_some(url.as_str()),
            created: s.created,
            expires_at: s.expires_at,
        })
    }

    /// What delivering events needs, apart from the simulator's state (for a task).
    fn clone_for_delivery(&self) -> Delivery {
        Delivery {
            webhook_url: self.webhook_url.clone(),
            secret: self.secret.clone(),
            client: self.client.clone(),
        }
    }

    /// Signs `event` with the webhook secret and posts it to the webhook, as Stripe does.
    async fn deliver(&self, event: serde_json::Value) -> Result<(), String> {
        self.clone_for_delivery().deliver(event).await
    }

    /// Moves the session to a new state and returns the session object as it now is.
    fn update(
        &self,
        id: &str,
        status: &'static str,
        payment_status: &'static str,
    ) -> Option<serde_json::Value> {
        let mut sessions = self.sessions.lock().ok()?;
        let session = sessions.get_mut(id)?;
        session.status = status;
        session.payment_status = payment_status;
        let session = session.clone();
        drop(sessions);
        Some(self.session_json(id, &session))
    }

    fn get(&self, id: &str) -> Option<SimulatedSession> {
        self.sessions.lock().ok()?.get(id).cloned()
    }
}

#[async_trait::async_trait]
impl PaymentGateway for Simulator {
    /// Refunds at once, then delivers what Stripe would: `refund.updated` (succeeded) and
    /// `charge.refunded`, signed, through the real webhook.
    async fn create_refund(&self, request: &RefundRequest) -> Result<CreatedRefund, GatewayError> {
        let poisoned = || GatewayError::Failed("simulator state poisoned".into());
        if let Some(made) = self
            .refunds
            .lock()
            .map_err(|_| poisoned())?
            .get(&request.idempotency_key)
        {
            return Ok(made.clone());
        }
        let id = random_id("re");
        let total = {
            let mut refunded = self.refunded.lock().map_err(|_| poisoned())?;
            let total = refunded.entry(request.payment_intent.clone()).or_default();
            *total += request.amount;
            *total
        };
        let made = CreatedRefund {
            id: id.clone(),
            status: "pending".into(),
            failure_reason: None,
        };
        self.refunds
            .lock()
            .map_err(|_| poisoned())?
            .insert(request.idempotency_key.clone(), made.clone());
        // The charge carries its payment's metadata, as Stripe's does: the booking that paid
        // (a family's first child), whichever child's share this refund is.
        let payer = self
            .sessions
            .lock()
            .map_err(|_| poisoned())?
            .values()
            .find(|s| s.payment_intent == request.payment_intent)
            .map_or(request.booking_id, |s| s.booking_id);
        let simulator = self.clone_for_delivery();
        let request = request.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(300)).await;
            let currency = request.currency.to_ascii_lowercase();
            let refunded = refund(
                &id,
                &request.payment_intent,
                request.booking_id,
                request.amount,
                &currency,
                "succeeded",
            );
            let charge = refunded_charge(
                &random_id("ch"),
                &request.payment_intent,
                Some(payer),
                request.paid_amount,
                total,
                &currency,
            );
            for (kind, object) in [("refund.updated", refunded), ("charge.refunded", charge)] {
                let delivered = simulator
                    .deliver(event(&random_id("evt"), kind, now_secs(), object))
                    .await;
                if let Err(error) = delivered {
                    tracing::error!(%error, "simulated refund event not delivered");
                }
            }
        });
        Ok(made)
    }

    /// Simulated payments are test payments: their events say `livemode: false`.
    fn mode(&self) -> domain::StripeMode {
        domain::StripeMode::Test
    }

    async fn create_session(
        &self,
        request: &CheckoutRequest,
    ) -> Result<CreatedSession, GatewayError> {
        let id = random_id("cs");
        let session = SimulatedSession {
            booking_id: request.booking_id,
            amount: request.amount,
            currency: request.currency.clone(),
            status: "open",
            payment_status: "unpaid",
            payment_intent: random_id("pi"),
            expires_at: request.expires_at,
            created: now_secs(),
        };
        self.sessions
            .lock()
            .map_err(|_| GatewayError::Failed("simulator state poisoned".into()))?
            .insert(id.clone(), session);
        Ok(CreatedSession {
            url: format!("{}/checkout/simulated/{id}", self.public_base_url),
            expires_at: request.expires_at,
            id,
        })
    }

    /// Expires an open session, as Stripe does, and delivers `checkout.session.expired`; a
    /// session that is complete or expired already is refused with Stripe's words.
    async fn expire_session(&self, id: &str) -> Result<(), GatewayError> {
        let open = self
            .get(id)
            .ok_or_else(|| GatewayError::Refused(format!("No such checkout.session: '{id}'")))?
            .status
            == "open";
        let object = open
            .then(|| self.update(id, "expired", "unpaid"))
            .flatten()
            .ok_or_else(|| {
                GatewayError::Refused(
                    "Only Checkout Sessions with a status in [\"open\"] can be expired.".into(),
                )
            })?;
        let simulator = self.clone_for_delivery();
        tokio::spawn(async move {
            let expired = event(
                &random_id("evt"),
                "checkout.session.expired",
                now_secs(),
                object,
            );
            if let Err(error) = simulator.deliver(expired).await {
                tracing::error!(%error, "simulated expiry not delivered");
            }
        });
        Ok(())
    }

    async fn retrieve_session(&self, id: &str) -> Result<RetrievedSession, GatewayError> {
        let session = self
            .get(id)
            .ok_or_else(|| GatewayError::Refused(format!("No such checkout.session: '{id}'")))?;
        Ok(RetrievedSession {
            id: id.to_owned(),
            status: Some(session.status.to_owned()),
            payment_status: session.payment_status.to_owned(),
            payment_intent: Some(session.payment_intent),
            booking_id: Some(session.booking_id.to_string()),
            amount_total: Some(session.amount),
            currency: Some(session.currency.to_ascii_lowercase()),
            livemode: false,
            // The simulated checkout offers no promotion codes.
            discount: None,
        })
    }
}

pub fn router(simulator: Arc<Simulator>) -> Router<AppState> {
    Router::new()
        .route(
            "/api/simulated/checkout/{session_id}/{outcome}",
            post(complete),
        )
        .layer(Extension(simulator))
}

/// A refusal, as a page: back to the simulated checkout page, which says what went wrong in
/// words and offers a way back to the booking.
fn problem(session_id: &str, code: &str) -> Response {
    Redirect::to(&format!("/checkout/simulated/{session_id}?problem={code}")).into_response()
}

/// A button of the simulated checkout page: pay, pay by bank (delayed), or decline.
#[tracing::instrument(skip(state, simulator))]
async fn complete(
    State(state): State<AppState>,
    Extension(simulator): Extension<Arc<Simulator>>,
    Path((session_id, outcome)): Path<(String, String)>,
) -> Response {
    let Some(session) = simulator.get(&session_id) else {
        return problem(&session_id, "missing");
    };
    if session.status != "open" || session.expires_at < now_secs() {
        return problem(&session_id, "closed");
    }
    let booking = match app::db::bookings::by_id(&state.db, session.booking_id).await {
        Ok(Some(booking)) => booking,
        Ok(None) => return problem(&session_id, "missing"),
        Err(_) => return problem(&session_id, "unavailable"),
    };
    let paid_page = format!(
        "/bookings/{}/paid?session_id={session_id}",
        booking.reference
    );

    let result = match outcome.as_str() {
        "pay" => match simulator.update(&session_id, "complete", "paid") {
            Some(object) => {
                simulator
                    .deliver(event(
                        &random_id("evt"),
                        "checkout.session.completed",
                        now_secs(),
                        object,
                    ))
                    .await
            }
            None => Err("the session vanished".into()),
        },
        "delayed" => match simulator.update(&session_id, "complete", "unpaid") {
            Some(object) => {
                let first = simulator
                    .deliver(event(
                        &random_id("evt"),
                        "checkout.session.completed",
                        now_secs(),
                        object,
                    ))
                    .await;
                if first.is_ok() {
                    // The bank debit clears a little later, as it would (much later) for real.
                    let simulator = simulator.clone();
                    let session_id = session_id.clone();
                    tokio::spawn(async move {
                        tokio::time::sleep(simulator.delay).await;
                        if let Some(object) = simulator.update(&session_id, "complete", "paid") {
                            let delivered = simulator
                                .deliver(event(
                                    &random_id("evt"),
                                    "checkout.session.async_payment_succeeded",
                                    now_secs(),
                                    object,
                                ))
                                .await;
                            if let Err(error) = delivered {
                                tracing::error!(%error, "simulated bank payment not delivered");
                            }
                        }
                    });
                }
                first
            }
            None => Err("the session vanished".into()),
        },
        "decline" => {
            let intent = payment_intent(
                &session.payment_intent,
                Some(session.booking_id),
                session.amount,
                &session.currency.to_ascii_lowercase(),
                Some("Your card was declined."),
            );
            simulator
                .deliver(event(
                    &random_id("evt"),
                    "payment_intent.payment_failed",
                    now_secs(),
                    intent,
                ))
                .await
        }
        _ => return problem(&session_id, "missing"),
    };
    match result {
        Ok(()) if outcome == "decline" => {
            Redirect::to(&format!("/bookings/{}", booking.reference)).into_response()
        }
        Ok(()) => Redirect::to(&paid_page).into_response(),
        Err(error) => {
            tracing::error!(%error, "simulated event not delivered");
            problem(&session_id, "unavailable")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::{body::Bytes, http::HeaderMap, http::StatusCode, routing::post};

    /// A webhook that answers each delivery with the next of `answers` (then 200), keeping
    /// what it received: the body and whether its signature was valid when it arrived.
    async fn webhook(answers: Vec<StatusCode>) -> (String, Arc<Mutex<Vec<(String, bool)>>>) {
        let received = Arc::new(Mutex::new(Vec::new()));
        let answers = Arc::new(Mutex::new(answers.into_iter()));
        let kept = received.clone();
        let app = axum::Router::new().route(
            "/webhook",
            post(move |headers: HeaderMap, body: Bytes| {
                let kept = kept.clone();
                let answers = answers.clone();
                async move {
                    let signature = headers
                        .get("stripe-signature")
                        .and_then(|v| v.to_str().ok());
                    let valid = domain::stripe_signature::verify(
                        &body,
                        signature,
                        &[SecretString::from("whsec_retry")],
                        now_secs(),
                        300,
                    )
                    .is_ok();
                    kept.lock()
                        .unwrap()
                        .push((String::from_utf8(body.to_vec()).unwrap(), valid));
                    answers.lock().unwrap().next().unwrap_or(StatusCode::OK)
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/webhook", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        (url, received)
    }

    fn delivery(url: String) -> Delivery {
        Delivery {
            webhook_url: url,
            secret: SecretString::from("whsec_retry"),
            client: reqwest::Client::new(),
        }
    }

    #[tokio::test]
    async fn a_delivery_refused_for_a_moment_is_made_again_until_taken() {
        let (url, received) = webhook(vec![
            StatusCode::SERVICE_UNAVAILABLE,
            StatusCode::TOO_MANY_REQUESTS,
            StatusCode::INTERNAL_SERVER_ERROR,
        ])
        .await;
        let event =
            serde_json::json!({"id": "evt_sim_retry", "type": "checkout.session.completed"});
        delivery(url).deliver(event.clone()).await.unwrap();
        let received = received.lock().unwrap();
        assert_eq!(received.len(), 4, "three refusals, then the delivery taken");
        for (body, valid) in received.iter() {
            assert_eq!(
                serde_json::from_str::<serde_json::Value>(body).unwrap(),
                event
            );
            assert!(valid, "each try is signed");
        }
    }

    #[tokio::test]
    async fn an_event_the_webhook_refuses_is_not_sent_again() {
        let (url, received) = webhook(vec![StatusCode::BAD_REQUEST]).await;
        let error = delivery(url)
            .deliver(serde_json::json!({"id": "evt_sim_bad"}))
            .await
            .unwrap_err();
        assert!(error.contains("400"), "{error}");
        assert_eq!(received.lock().unwrap().len(), 1);
    }

    #[tokio::test]
    async fn a_webhook_down_for_longer_is_given_up_on_within_seconds() {
        let (url, received) = webhook(vec![StatusCode::SERVICE_UNAVAILABLE; 100]).await;
        let started = std::time::Instant::now();
        let error = delivery(url)
            .deliver(serde_json::json!({"id": "evt_sim_down"}))
            .await
            .unwrap_err();
        assert!(error.contains("503"), "{error}");
        assert!(started.elapsed() <= RETRY_FOR, "{:?}", started.elapsed());
        let tries = received.lock().unwrap().len();
        assert!((4..=7).contains(&tries), "{tries} tries in {RETRY_FOR:?}");
    }
}
