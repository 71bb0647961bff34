//! A local fake of Stripe's API for Checkout Sessions and Refunds, speaking Stripe's wire
//! format: form-encoded requests in Stripe's bracket notation, each checked against the request
//! schema of Stripe's OpenAPI spec (see `stripe_spec`); answers shaped like Stripe's fixtures of
//! the resource, or `{"error": {...}}` bodies; Stripe's `Idempotency-Key` rule for POSTs.
//!
//! Served: `POST /v1/checkout/sessions`, `GET /v1/checkout/sessions/{session}`,
//! `POST /v1/checkout/sessions/{session}/expire`, `POST /v1/refunds`. Anything else gets
//! Stripe's 404 for an unknown URL.
#![allow(dead_code)]

use super::stripe_spec::{self, decode_form, Operation, ParamError};
use axum::{
    body::Bytes,
    extract::{Path, RawQuery, State},
    http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri},
    response::{IntoResponse, Response},
    routing::{get, post},
    Router,
};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tokio::sync::watch;

/// How the fake answers the next Checkout Session creates.
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

/// How the fake answers the next refund creates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefundBehaviour {
    /// A refund with status `succeeded`.
    Succeed,
    /// A refund with status `pending` (it still counts against the payment).
    Pending,
    /// A refund with status `failed` (the money stays with the merchant).
    Failed,
    /// 400 invalid_request_error with this message.
    Refuse(String),
    /// 500 api_error.
    Fail,
    /// Answers (with a succeeded refund) only after this long.
    Hang(Duration),
}

/// One request as the fake received it.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    /// Header names in lower case.
    pub headers: HashMap<String, String>,
    /// The form body's pairs as sent (`line_items[0][quantity]` → `1`).
    pub form: HashMap<String, String>,
    /// The query string's pairs.
    pub query: HashMap<String, String>,
    /// The body (or, for a GET, the query) decoded into nested JSON; `Null` if it did not decode.
    pub params: Value,
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

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FakeRefund {
    pub id: String,
    pub payment_intent: Option<String>,
    pub charge: Option<String>,
    pub amount: i64,
    pub currency: String,
    pub status: String,
    pub reason: Option<String>,
    pub metadata: HashMap<String, String>,
}

/// A request the fake refused on its own account (not because of a `Behaviour`): parameters
/// the spec does not accept, a key reused with other parameters, an unknown object or URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    pub method: String,
    pub path: String,
    pub status: u16,
    /// Stripe's `error.type`: `invalid_request_error` or `idempotency_error`.
    pub kind: String,
    pub code: Option<String>,
    pub param: Option<String>,
    pub message: String,
}

/// A response as first given, kept whole so a replay is byte-identical.
#[derive(Debug, Clone)]
struct Answer {
    status: StatusCode,
    body: String,
}

impl Answer {
    fn ok(object: &Value) -> Self {
        Self {
            status: StatusCode::OK,
            // Stripe pretty-prints its JSON.
            body: serde_json::to_string_pretty(object).unwrap_or_default(),
        }
    }

    fn error(status: StatusCode, kind: &str, message: &str) -> Self {
        Self::ok(&json!({ "error": { "type": kind, "message": message } })).with(status)
    }

    fn api_error() -> Self {
        Self::error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "api_error",
            "An unknown error occurred",
        )
    }

    fn with(mut self, status: StatusCode) -> Self {
        self.status = status;
        self
    }

    /// Stripe keeps a key's answer once execution began: successes and server errors, not
    /// 4xx refusals (keep it simple: those are not executions here).
    fn kept_under_key(&self) -> bool {
        self.status.is_success() || self.status.is_server_error()
    }

    fn into_response(self, replayed: bool) -> Response {
        let mut response = (
            self.status,
            [(header::CONTENT_TYPE, "application/json")],
            self.body,
        )
            .into_response();
        if replayed {
            response
                .headers_mut()
                .insert("idempotent-replayed", HeaderValue::from_static("true"));
        }
        response
    }
}

struct Payment {
    charge: String,
    amount: i64,
    currency: String,
}

enum KeyState {
    /// Executing: later requests with the key wait for this to turn true.
    Running(watch::Receiver<bool>),
    Done(Answer),
}

struct Keyed {
    path: String,
    params: Value,
    state: KeyState,
}

#[derive(Default)]
struct Inner {
    behaviour: Option<Behaviour>,
    refund_behaviour: Option<RefundBehaviour>,
    requests: Vec<Recorded>,
    rejections: Vec<Rejection>,
    /// Checkout Sessions as Stripe would return them now.
    sessions: HashMap<String, Value>,
    /// Payments that can be refunded, by PaymentIntent id.
    payments: HashMap<String, Payment>,
    refunds: Vec<Value>,
    keys: HashMap<String, Keyed>,
    counter: u64,
}

impl Inner {
    fn next(&mut self) -> u64 {
        self.counter += 1;
        self.counter
    }

    /// Records the refusal and gives the answer for it.
    fn refuse(
        &mut self,
        method: &str,
        path: &str,
        status: StatusCode,
        kind: &str,
        error: &ParamError,
    ) -> Answer {
        // The app under test only says "refused": the test's output should say why.
        eprintln!("fake Stripe refused {method} {path}: {}", error.message);
        self.rejections.push(Rejection {
            method: method.to_owned(),
            path: path.to_owned(),
            status: status.as_u16(),
            kind: kind.to_owned(),
            code: error.code.map(str::to_owned),
            param: error.param.clone(),
            message: error.message.clone(),
        });
        let mut body = error.body();
        body["error"]["type"] = json!(kind);
        Answer::ok(&body).with(status)
    }

    fn invalid(&mut self, method: &str, path: &str, error: &ParamError) -> Answer {
        self.refuse(
            method,
            path,
            StatusCode::BAD_REQUEST,
            "invalid_request_error",
            error,
        )
    }
}

#[derive(Clone, Default)]
pub struct FakeStripe {
    inner: Arc<Mutex<Inner>>,
    pub base_url: String,
}

/// The POST endpoints, each with its spec operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Create {
    Session,
    Refund,
}

impl Create {
    fn path(self) -> &'static str {
        match self {
            Create::Session => "/v1/checkout/sessions",
            Create::Refund => "/v1/refunds",
        }
    }

    fn operation(self) -> &'static Operation {
        stripe_spec::operation("POST", self.path())
    }
}

/// What a create does once accepted, fixed when it arrives.
enum Plan {
    Session(Behaviour),
    Refund(RefundBehaviour),
}

fn now_secs() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

impl FakeStripe {
    pub async fn start() -> Self {
        let mut fake = FakeStripe::default();
        let app = Router::new()
            .route("/v1/checkout/sessions", post(create_session))
            .route("/v1/checkout/sessions/{session}", get(retrieve_session))
            .route(
                "/v1/checkout/sessions/{session}/expire",
                post(expire_session),
            )
            .route("/v1/refunds", post(create_refund))
            .fallback(unknown_url)
            .with_state(fake.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        fake.base_url = format!("http://{}/", listener.local_addr().unwrap());
        tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        fake
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A test that panicked while holding the lock must not hide the state from the others.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// How the next Checkout Session creates are answered.
    pub fn behave(&self, behaviour: Behaviour) {
        self.lock().behaviour = Some(behaviour);
    }

    /// How the next refund creates are answered.
    pub fn refund_behave(&self, behaviour: RefundBehaviour) {
        self.lock().refund_behaviour = Some(behaviour);
    }

    /// Every request received, in order, including refused ones.
    pub fn requests(&self) -> Vec<Recorded> {
        self.lock().requests.clone()
    }

    /// Every request the fake refused on its own (validation, idempotency, unknown objects).
    pub fn rejections(&self) -> Vec<Rejection> {
        self.lock().rejections.clone()
    }

    pub fn session(&self, id: &str) -> Option<FakeSession> {
        self.lock().sessions.get(id).map(fake_session)
    }

    /// The Checkout Session object as `GET /v1/checkout/sessions/{id}` returns it now.
    pub fn session_object(&self, id: &str) -> Option<Value> {
        self.lock().sessions.get(id).cloned()
    }

    /// What Stripe would report after the customer paid (or not), for reconciliation. The
    /// session gets a PaymentIntent `pi_fake_{id}`, which can then be refunded up to the
    /// session's amount.
    pub fn set_session(&self, id: &str, status: &str, payment_status: &str) {
        let mut inner = self.lock();
        let session = inner.sessions.get_mut(id).expect("a session the fake made");
        let intent = format!("pi_fake_{id}");
        session["status"] = json!(status);
        session["payment_status"] = json!(payment_status);
        session["payment_intent"] = json!(intent);
        // Stripe drops the URL once the session is no longer open.
        if status != "open" {
            session["url"] = Value::Null;
        }
        let amount = session["amount_total"].as_i64().unwrap_or(0);
        let currency = session["currency"].as_str().unwrap_or("usd").to_owned();
        register(&mut inner, &intent, amount, &currency);
    }

    /// The customer enters a promotion code on the session's page, as Checkout allows only
    /// when the session was made with `allow_promotion_codes`: its discount (`amount_off`, at
    /// most the subtotal) comes off `amount_total`, and the session shows it as Stripe's do,
    /// in `total_details.amount_discount` and `discounts` (the coupon's and the code's ids).
    /// Before `set_session`, whose payment is then the discounted total.
    pub fn enter_promotion_code(&self, id: &str, promotion_code: &str, amount_off: i64) {
        let mut inner = self.lock();
        let coupon = format!("co_fake_{}", inner.next());
        let session = inner.sessions.get_mut(id).expect("a session the fake made");
        assert_eq!(
            session["allow_promotion_codes"], true,
            "Checkout shows no promotion-code field on a session made without allow_promotion_codes"
        );
        assert_eq!(
            session["status"], "open",
            "a code is entered on an open session"
        );
        let subtotal = session["amount_subtotal"].as_i64().unwrap_or(0);
        let discount = amount_off.clamp(0, subtotal);
        session["amount_total"] = json!(subtotal - discount);
        session["total_details"]["amount_discount"] = json!(discount);
        session["discounts"] = json!([{ "coupon": coupon, "promotion_code": promotion_code }]);
    }

    /// Changes what a session reports it charged (a session made elsewhere on the account, as
    /// reconciliation might find it).
    pub fn set_session_total(&self, id: &str, amount_total: i64, currency: &str) {
        let mut inner = self.lock();
        let session = inner.sessions.get_mut(id).expect("a session the fake made");
        session["amount_total"] = json!(amount_total);
        session["amount_subtotal"] = json!(amount_total);
        session["currency"] = json!(currency);
    }

    /// Makes a paid PaymentIntent known, for refunds; returns its charge's id.
    pub fn register_payment(&self, payment_intent: &str, amount: i64, currency: &str) -> String {
        register(&mut self.lock(), payment_intent, amount, currency)
    }

    /// Every refund made, in order.
    pub fn refunds(&self) -> Vec<FakeRefund> {
        self.lock().refunds.iter().map(fake_refund).collect()
    }

    fn record(&self, method: &str, path: &str, headers: &HeaderMap, body: &[u8], query: &str) {
        let pairs = |raw: &[u8]| -> HashMap<String, String> {
            url::form_urlencoded::parse(raw).into_owned().collect()
        };
        let params = decode_form(if method == "GET" {
            query.as_bytes()
        } else {
            body
        })
        .unwrap_or(Value::Null);
        let headers = headers
            .iter()
            .map(|(k, v)| (k.as_str().to_owned(), v.to_str().unwrap_or("").to_owned()))
            .collect();
        self.lock().requests.push(Recorded {
            method: method.into(),
            path: path.into(),
            headers,
            form: pairs(body),
            query: pairs(query.as_bytes()),
            params,
        });
    }

    /// A POST: Stripe's idempotency rule, then the spec's check, then the create itself.
    async fn create(&self, create: Create, headers: &HeaderMap, body: &[u8]) -> Response {
        let path = create.path();
        self.record("POST", path, headers, body, "");
        let key = headers
            .get("idempotency-key")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let params = match decode_form(body) {
            Ok(params) => params,
            Err(error) => {
                return self
                    .lock()
                    .invalid("POST", path, &error)
                    .into_response(false);
            }
        };
        let (typed, plan, done) = {
            let mut inner = self.lock();
            match key.as_ref().and_then(|k| inner.keys.get(k)) {
                Some(keyed) if keyed.path != path || keyed.params != params => {
                    let key = key.as_deref().unwrap_or_default();
                    let error = ParamError {
                        code: None,
                        param: None,
                        message: format!(
                            "Keys for idempotent requests can only be used with the same \
                             parameters they were first used with. Try using a key other \
                             than '{key}' if you meant to execute a different request."
                        ),
                    };
                    return inner
                        .refuse(
                            "POST",
                            path,
                            StatusCode::BAD_REQUEST,
                            "idempotency_error",
                            &error,
                        )
                        .into_response(false);
                }
                Some(Keyed {
                    state: KeyState::Done(answer),
                    ..
                }) => return answer.clone().into_response(true),
                // Stripe does not queue a repeat behind the request still running under
                // its key: it answers 409 at once, storing nothing for the repeat.
                Some(Keyed {
                    state: KeyState::Running(_),
                    ..
                }) => {
                    let key = key.as_deref().unwrap_or_default();
                    let error = ParamError {
                        code: Some("idempotency_key_in_use"),
                        param: None,
                        message: format!(
                            "There is currently another in-progress request using this \
                             Idempotent Key (that probably means you submitted twice, and \
                             the other request is still going through): {key}. Please try \
                             again later."
                        ),
                    };
                    return inner
                        .refuse(
                            "POST",
                            path,
                            StatusCode::CONFLICT,
                            "idempotency_error",
                            &error,
                        )
                        .into_response(false);
                }
                None => {
                    let typed = match create.operation().check_body(&params) {
                        Ok(typed) => typed,
                        Err(error) => {
                            return inner.invalid("POST", path, &error).into_response(false);
                        }
                    };
                    let plan = match create {
                        Create::Session => {
                            Plan::Session(inner.behaviour.clone().unwrap_or(Behaviour::Succeed))
                        }
                        Create::Refund => Plan::Refund(
                            inner
                                .refund_behaviour
                                .clone()
                                .unwrap_or(RefundBehaviour::Succeed),
                        ),
                    };
                    let (done, running) = watch::channel(false);
                    if let Some(key) = &key {
                        inner.keys.insert(
                            key.clone(),
                            Keyed {
                                path: path.to_owned(),
                                params: params.clone(),
                                state: KeyState::Running(running),
                            },
                        );
                    }
                    (typed, plan, done)
                }
            }
        };
        // Executed apart from this connection, as on Stripe's side: a client that times out
        // and hangs up does not stop the session from being made and kept under the key.
        let fake = self.clone();
        let execution = tokio::spawn(async move {
            let answer = fake.execute(&plan, &typed, key.as_deref()).await;
            {
                let mut inner = fake.lock();
                if let Some(key) = &key {
                    if answer.kept_under_key() {
                        if let Some(keyed) = inner.keys.get_mut(key) {
                            keyed.state = KeyState::Done(answer.clone());
                        }
                    } else {
                        inner.keys.remove(key);
                    }
                }
            }
            let _ = done.send(true);
            answer
        });
        match execution.await {
            Ok(answer) => answer.into_response(false),
            Err(_) => Answer::api_error().into_response(false),
        }
    }

    async fn execute(&self, plan: &Plan, params: &Value, key: Option<&str>) -> Answer {
        match plan {
            Plan::Session(Behaviour::Refuse(message))
            | Plan::Refund(RefundBehaviour::Refuse(message)) => {
                return Answer::error(StatusCode::BAD_REQUEST, "invalid_request_error", message);
            }
            Plan::Session(Behaviour::Fail) | Plan::Refund(RefundBehaviour::Fail) => {
                return Answer::api_error();
            }
            Plan::Session(Behaviour::Hang(delay)) | Plan::Refund(RefundBehaviour::Hang(delay)) => {
                tokio::time::sleep(*delay).await
            }
            _ => {}
        }
        let mut inner = self.lock();
        let made = match plan {
            Plan::Session(_) => new_session(&mut inner, params, key),
            Plan::Refund(behaviour) => {
                let status = match behaviour {
                    RefundBehaviour::Pending => "pending",
                    RefundBehaviour::Failed => "failed",
                    _ => "succeeded",
                };
                new_refund(&mut inner, params, status)
            }
        };
        let path = match plan {
            Plan::Session(_) => Create::Session.path(),
            Plan::Refund(_) => Create::Refund.path(),
        };
        match made {
            Ok(object) => Answer::ok(&object),
            Err(error) => inner.invalid("POST", path, &error),
        }
    }
}

fn register(inner: &mut Inner, payment_intent: &str, amount: i64, currency: &str) -> String {
    let charge = format!(
        "ch_{}",
        payment_intent.strip_prefix("pi_").unwrap_or(payment_intent)
    );
    inner.payments.insert(
        payment_intent.to_owned(),
        Payment {
            charge: charge.clone(),
            amount,
            currency: currency.to_ascii_lowercase(),
        },
    );
    charge
}

/// A Checkout Session: Stripe's fixture, with everything the request decides written over it
/// and the fixture's sample values that would contradict the request cleared.
fn new_session(inner: &mut Inner, params: &Value, key: Option<&str>) -> Result<Value, ParamError> {
    let now = now_secs();
    let mut total = 0;
    let mut currency = None;
    for (i, item) in params["line_items"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
    {
        let at = format!("line_items[{i}]");
        if let Some(price) = item["price"].as_str() {
            // The fake keeps no catalogue of Prices.
            return Err(ParamError {
                code: Some("resource_missing"),
                param: Some(format!("{at}[price]")),
                message: format!("No such price: '{price}'"),
            });
        }
        let data = &item["price_data"];
        if data.is_null() {
            return Err(ParamError::invalid(
                &at,
                format!("You must specify either `price` or `price_data` in `{at}`."),
            ));
        }
        let unit = match (&data["unit_amount"], data["unit_amount_decimal"].as_str()) {
            (Value::Number(n), _) => n.as_i64().unwrap_or(0),
            (_, Some(decimal)) => decimal
                .parse::<f64>()
                .map(|d| d.round() as i64)
                .unwrap_or(0),
            _ => {
                return Err(ParamError::missing(&format!(
                    "{at}[price_data][unit_amount]"
                )));
            }
        };
        total += unit * item["quantity"].as_i64().unwrap_or(1);
        currency = currency.or_else(|| data["currency"].as_str().map(str::to_ascii_lowercase));
    }
    // Stripe takes codes typed by the customer or a discount given by the request, not both.
    if params["allow_promotion_codes"] == true
        && params["discounts"]
            .as_array()
            .is_some_and(|d| !d.is_empty())
    {
        return Err(ParamError::invalid(
            "discounts",
            "You may only specify one of these parameters: allow_promotion_codes, discounts."
                .into(),
        ));
    }
    let expires_at = params["expires_at"].as_i64().unwrap_or(now + 24 * 3600);
    // The window the spec describes for `expires_at`: 30 minutes to 24 hours from creation.
    if expires_at < now + 30 * 60 {
        return Err(ParamError::invalid(
            "expires_at",
            "The `expires_at` timestamp must be at least 30 minutes from Checkout Session creation."
                .into(),
        ));
    }
    if expires_at > now + 24 * 3600 {
        return Err(ParamError::invalid(
            "expires_at",
            "The `expires_at` timestamp must be less than 24 hours from Checkout Session creation."
                .into(),
        ));
    }

    let n = inner.next();
    // Named after the idempotency key (as before), within the spec's 66 characters for an id.
    let id: String = match key {
        Some(key) => {
            let tail: String = key
                .chars()
                .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
                .collect();
            format!("cs_test_{n}_{tail}").chars().take(66).collect()
        }
        None => format!("cs_test_{n}"),
    };
    let mut session = stripe_spec::fixture("checkout.session");
    let given = |name: &str| params.get(name).cloned().unwrap_or(Value::Null);
    let overrides = json!({
        "id": id,
        "object": "checkout.session",
        "livemode": false,
        "created": now,
        "expires_at": expires_at,
        "url": format!("https://checkout.stripe.com/c/pay/{id}"),
        "status": "open",
        "payment_status": "unpaid",
        "payment_intent": null,
        "mode": params["mode"].as_str().unwrap_or("payment"),
        "currency": currency,
        "amount_subtotal": total,
        "amount_total": total,
        "metadata": params["metadata"].as_object().cloned().unwrap_or_default(),
        "client_reference_id": given("client_reference_id"),
        "customer_email": given("customer_email"),
        "customer": given("customer"),
        "success_url": given("success_url"),
        "cancel_url": given("cancel_url"),
        "locale": given("locale"),
        "allow_promotion_codes": given("allow_promotion_codes"),
        "billing_address_collection": given("billing_address_collection"),
        "submit_type": given("submit_type"),
        "payment_method_types": params
            .get("payment_method_types")
            .cloned()
            .unwrap_or_else(|| json!(["card"])),
        // Nothing is known of the customer, shipping, tax or discounts before they pay.
        "customer_details": null,
        "collected_information": null,
        "total_details": { "amount_discount": 0, "amount_shipping": 0, "amount_tax": 0 },
        "discounts": [],
        "shipping_cost": null,
        "shipping_address_collection": null,
        "shipping_options": [],
        "after_expiration": null,
        "consent": null,
        "consent_collection": null,
        "currency_conversion": null,
        "custom_text": {
            "after_submit": null,
            "shipping_address": null,
            "submit": null,
            "terms_of_service_acceptance": null
        },
    });
    for (field, value) in overrides.as_object().into_iter().flatten() {
        session[field] = value.clone();
    }
    session["invoice_creation"]["enabled"] = json!(params["invoice_creation"]["enabled"] == true);
    inner.sessions.insert(id, session.clone());
    Ok(session)
}

/// A refund of a registered payment: Stripe's fixture with the request's values.
fn new_refund(inner: &mut Inner, params: &Value, status: &str) -> Result<Value, ParamError> {
    let by_intent = params["payment_intent"].as_str();
    let by_charge = params["charge"].as_str();
    let found = match (by_intent, by_charge) {
        (Some(intent), _) => inner
            .payments
            .get_key_value(intent)
            .ok_or_else(|| no_such("payment_intent", intent)),
        (None, Some(charge)) => inner
            .payments
            .iter()
            .find(|(_, p)| p.charge == charge)
            .ok_or_else(|| no_such("charge", charge)),
        (None, None) => Err(ParamError {
            code: Some("parameter_missing"),
            param: None,
            message: "One of `charge` or `payment_intent` is required.".into(),
        }),
    }?;
    let (intent, payment) = (found.0.clone(), found.1);
    if by_charge.is_some_and(|c| c != payment.charge) {
        return Err(ParamError::invalid(
            "charge",
            format!("Invalid charge: it does not belong to {intent}"),
        ));
    }
    if let Some(currency) = params["currency"].as_str() {
        if !currency.eq_ignore_ascii_case(&payment.currency) {
            return Err(ParamError::invalid(
                "currency",
                format!("Invalid currency: the payment is in {}", payment.currency),
            ));
        }
    }
    // Pending refunds hold their amount; failed ones gave it back.
    let refunded: i64 = inner
        .refunds
        .iter()
        .filter(|r| r["payment_intent"] == intent.as_str() && r["status"] != "failed")
        .filter_map(|r| r["amount"].as_i64())
        .sum();
    let left = payment.amount - refunded;
    if left <= 0 {
        return Err(ParamError {
            code: Some("charge_already_refunded"),
            param: None,
            message: format!("Charge {} has already been refunded.", payment.charge),
        });
    }
    let amount = params["amount"].as_i64().unwrap_or(left);
    if amount <= 0 {
        return Err(ParamError::invalid(
            "amount",
            "Invalid positive integer".into(),
        ));
    }
    if amount > left {
        return Err(ParamError {
            code: Some("amount_too_large"),
            param: Some("amount".into()),
            message: format!(
                "Refund amount ({amount} {currency}) is greater than unrefunded amount on charge \
                 ({left} {currency})",
                currency = payment.currency
            ),
        });
    }
    let (charge, currency) = (payment.charge.clone(), payment.currency.clone());
    let n = inner.next();
    let mut refund = stripe_spec::fixture("refund");
    let overrides = json!({
        "id": format!("re_fake_{n}"),
        "object": "refund",
        "created": now_secs(),
        "amount": amount,
        "currency": currency,
        "payment_intent": intent,
        "charge": charge,
        "metadata": params["metadata"].as_object().cloned().unwrap_or_default(),
        "reason": params.get("reason").cloned().unwrap_or(Value::Null),
        "status": status,
    });
    for (field, value) in overrides.as_object().into_iter().flatten() {
        refund[field] = value.clone();
    }
    if status == "failed" {
        refund["failure_reason"] = json!("unknown");
    }
    inner.refunds.push(refund.clone());
    Ok(refund)
}

fn no_such(param: &str, id: &str) -> ParamError {
    ParamError {
        code: Some("resource_missing"),
        param: Some(param.to_owned()),
        message: format!("No such {param}: '{id}'"),
    }
}

fn text(value: &Value) -> String {
    value.as_str().unwrap_or_default().to_owned()
}

fn fake_session(session: &Value) -> FakeSession {
    FakeSession {
        id: text(&session["id"]),
        booking_id: session["metadata"]["bookingId"]
            .as_str()
            .and_then(|b| b.parse().ok())
            .unwrap_or(0),
        amount: session["amount_total"].as_i64().unwrap_or(0),
        currency: text(&session["currency"]),
        status: text(&session["status"]),
        payment_status: text(&session["payment_status"]),
        payment_intent: session["payment_intent"].as_str().map(str::to_owned),
        expires_at: session["expires_at"].as_i64().unwrap_or(0),
    }
}

fn fake_refund(refund: &Value) -> FakeRefund {
    FakeRefund {
        id: text(&refund["id"]),
        payment_intent: refund["payment_intent"].as_str().map(str::to_owned),
        charge: refund["charge"].as_str().map(str::to_owned),
        amount: refund["amount"].as_i64().unwrap_or(0),
        currency: text(&refund["currency"]),
        status: text(&refund["status"]),
        reason: refund["reason"].as_str().map(str::to_owned),
        metadata: refund["metadata"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(k, v)| (k.clone(), text(v)))
            .collect(),
    }
}

async fn create_session(
    State(fake): State<FakeStripe>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    fake.create(Create::Session, &headers, &body).await
}

async fn create_refund(
    State(fake): State<FakeStripe>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    fake.create(Create::Refund, &headers, &body).await
}

async fn retrieve_session(
    State(fake): State<FakeStripe>,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = format!("/v1/checkout/sessions/{id}");
    let query = query.unwrap_or_default();
    fake.record("GET", &path, &headers, &body, &query);
    let operation = stripe_spec::operation("GET", "/v1/checkout/sessions/{session}");
    let checked = decode_form(query.as_bytes())
        .and_then(|params| operation.check_query(&params))
        .and_then(|_| decode_form(&body))
        .and_then(|params| operation.check_body(&params))
        .and_then(|_| operation.check_path_param("session", &id));
    let mut inner = fake.lock();
    if let Err(error) = checked {
        return inner.invalid("GET", &path, &error).into_response(false);
    }
    // `expand[]` passes the check but expands nothing: the fake's sessions link only ids.
    match inner.sessions.get(&id) {
        Some(session) => Answer::ok(session).into_response(false),
        None => {
            let error = ParamError {
                code: Some("resource_missing"),
                param: Some("session".into()),
                message: format!("No such checkout.session: '{id}'"),
            };
            inner
                .refuse(
                    "GET",
                    &path,
                    StatusCode::NOT_FOUND,
                    "invalid_request_error",
                    &error,
                )
                .into_response(false)
        }
    }
}

/// Expires an open session, as Stripe does (a complete or expired one is refused), under
/// Stripe's idempotency rule when the request carries a key.
async fn expire_session(
    State(fake): State<FakeStripe>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = format!("/v1/checkout/sessions/{id}/expire");
    fake.record("POST", &path, &headers, &body, "");
    let operation = stripe_spec::operation("POST", "/v1/checkout/sessions/{session}/expire");
    let params = match decode_form(&body).and_then(|params| {
        operation.check_body(&params)?;
        operation.check_path_param("session", &id)?;
        Ok(params)
    }) {
        Ok(params) => params,
        Err(error) => {
            return fake
                .lock()
                .invalid("POST", &path, &error)
                .into_response(false)
        }
    };
    let key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let mut inner = fake.lock();
    if let Some(keyed) = key.as_ref().and_then(|k| inner.keys.get(k)) {
        if keyed.path != path || keyed.params != params {
            let error = ParamError {
                code: None,
                param: None,
                message: "Keys for idempotent requests can only be used with the same parameters \
                          they were first used with."
                    .into(),
            };
            return inner
                .refuse(
                    "POST",
                    &path,
                    StatusCode::BAD_REQUEST,
                    "idempotency_error",
                    &error,
                )
                .into_response(false);
        }
        if let KeyState::Done(answer) = &keyed.state {
            return answer.clone().into_response(true);
        }
    }
    let answer = match inner.sessions.get_mut(&id) {
        None => {
            let error = ParamError {
                code: Some("resource_missing"),
                param: Some("session".into()),
                message: format!("No such checkout.session: '{id}'"),
            };
            inner.refuse(
                "POST",
                &path,
                StatusCode::NOT_FOUND,
                "invalid_request_error",
                &error,
            )
        }
        Some(session) if session["status"] != "open" => {
            let error = ParamError {
                code: None,
                param: None,
                message: "Only Checkout Sessions with a status in [\"open\"] can be expired."
                    .into(),
            };
            inner.invalid("POST", &path, &error)
        }
        Some(session) => {
            session["status"] = json!("expired");
            session["url"] = Value::Null;
            Answer::ok(session)
        }
    };
    if let (Some(key), true) = (key, answer.kept_under_key()) {
        inner.keys.insert(
            key,
            Keyed {
                path,
                params,
                state: KeyState::Done(answer.clone()),
            },
        );
    }
    answer.into_response(false)
}

async fn unknown_url(
    State(fake): State<FakeStripe>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = uri.path().to_owned();
    fake.record(
        method.as_str(),
        &path,
        &headers,
        &body,
        uri.query().unwrap_or_default(),
    );
    let error = ParamError {
        code: None,
        param: None,
        message: format!(
            "Unrecognized request URL ({method}: {path}). The fake Stripe serves only Checkout \
             Session create/retrieve and refund create."
        ),
    };
    fake.lock()
        .refuse(
            method.as_str(),
            &path,
            StatusCode::NOT_FOUND,
            "invalid_request_error",
            &error,
        )
        .into_response(false)
}
