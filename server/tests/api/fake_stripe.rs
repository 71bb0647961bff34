//! The fake Stripe itself, spoken to with a plain HTTP client: requests checked against Stripe's
//! spec, answers shaped like Stripe's fixtures, Stripe's idempotency rule, and refunds.

use crate::support::fake_stripe::*;
use crate::support::stripe_spec;
use serde_json::{json, Value};
use std::time::Duration;

const SESSIONS: &str = "v1/checkout/sessions";
const REFUNDS: &str = "v1/refunds";

struct Answer {
    status: u16,
    body: String,
    replayed: bool,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }

    fn error(&self) -> Value {
        self.json()["error"].clone()
    }
}

fn pairs(form: &[(&str, &str)]) -> Vec<(String, String)> {
    form.iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

async fn send(request: reqwest::RequestBuilder) -> Result<Answer, reqwest::Error> {
    let response = request
        .header("authorization", "Bearer sk_test_fake_suite")
        .send()
        .await?;
    let status = response.status().as_u16();
    let replayed = response.headers().get("idempotent-replayed").is_some();
    Ok(Answer {
        status,
        body: response.text().await?,
        replayed,
    })
}

async fn post(
    fake: &FakeStripe,
    path: &str,
    key: Option<&str>,
    form: &[(String, String)],
) -> Answer {
    let mut request = reqwest::Client::new()
        .post(format!("{}{path}", fake.base_url))
        .form(form);
    if let Some(key) = key {
        request = request.header("idempotency-key", key);
    }
    send(request).await.expect("the fake answers")
}

async fn get(fake: &FakeStripe, path: &str) -> Answer {
    send(reqwest::Client::new().get(format!("{}{path}", fake.base_url)))
        .await
        .expect("the fake answers")
}

fn now() -> i64 {
    crate::support::now_secs()
}

/// What the booking app sends for one booking (see `server/src/stripe_gateway.rs`).
fn checkout_form(booking: i64) -> Vec<(String, String)> {
    let booking = booking.to_string();
    let expires = (now() + 31 * 60).to_string();
    pairs(&[
        ("mode", "payment"),
        ("line_items[0][price_data][currency]", "usd"),
        ("line_items[0][price_data][unit_amount]", "4500"),
        (
            "line_items[0][price_data][product_data][name]",
            "Sprint technique – Mon 9:00 (Alex)",
        ),
        ("line_items[0][quantity]", "1"),
        ("client_reference_id", &booking),
        ("metadata[bookingId]", &booking),
        ("payment_intent_data[metadata][bookingId]", &booking),
        ("customer_email", "parent@example.com"),
        (
            "success_url",
            "https://book.example.com/bookings/B1/paid?session_id={CHECKOUT_SESSION_ID}",
        ),
        (
            "cancel_url",
            "https://book.example.com/bookings/B1/cancelled",
        ),
        ("expires_at", &expires),
    ])
}

fn with(form: &[(String, String)], key: &str, value: &str) -> Vec<(String, String)> {
    let mut form: Vec<_> = form.iter().filter(|(k, _)| k != key).cloned().collect();
    form.push((key.to_owned(), value.to_owned()));
    form
}

fn without(form: &[(String, String)], key: &str) -> Vec<(String, String)> {
    form.iter().filter(|(k, _)| k != key).cloned().collect()
}

/// Every field of Stripe's fixture is in `object` (the shape is Stripe's).
fn assert_shaped_like(resource: &str, object: &Value) {
    let fixture = stripe_spec::fixture(resource);
    for field in fixture.as_object().unwrap().keys() {
        assert!(
            object.get(field).is_some(),
            "{resource} lacks {field}: {object}"
        );
    }
}

#[test]
fn the_extracted_spec_uses_only_what_the_checker_supports() {
    assert_eq!(stripe_spec::api_version(), "2023-08-16");
    assert_eq!(stripe_spec::unsupported_constructs(), Vec::<String>::new());
}

#[test]
fn bracket_notation_decodes_into_nested_json() {
    let raw = "line_items[0][price_data][currency]=usd&line_items[0][quantity]=1\
               &line_items[1][price]=price_1&metadata[bookingId]=7\
               &payment_method_types[0]=card&payment_method_types[1]=link\
               &expand[]=payment_intent&customer_email=a%2Bb%40example.com&note=two+words\
               &metadata%5Bsource%5D=web";
    assert_eq!(
        stripe_spec::decode_form(raw.as_bytes()).unwrap(),
        json!({
            "line_items": [
                { "price_data": { "currency": "usd" }, "quantity": "1" },
                { "price": "price_1" }
            ],
            "metadata": { "bookingId": "7", "source": "web" },
            "payment_method_types": ["card", "link"],
            "expand": ["payment_intent"],
            "customer_email": "a+b@example.com",
            "note": "two words"
        })
    );
    let mixed = stripe_spec::decode_form(b"metadata=x&metadata[a]=b").unwrap_err();
    assert_eq!(mixed.param.as_deref(), Some("metadata"));
    let gap = stripe_spec::decode_form(b"line_items[0][quantity]=1&line_items[2][quantity]=1")
        .unwrap_err();
    assert_eq!(
        (gap.param.as_deref(), gap.message.as_str()),
        (Some("line_items"), "Invalid array")
    );
}

#[tokio::test]
async fn a_valid_create_passes_and_answers_with_the_fixtures_shape() {
    let fake = FakeStripe::start().await;
    // Brackets sent raw, as Stripe's own libraries send them.
    let raw = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(checkout_form(7))
        .finish()
        .replace("%5B", "[")
        .replace("%5D", "]");
    let answer = send(
        reqwest::Client::new()
            .post(format!("{}{SESSIONS}", fake.base_url))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("idempotency-key", "create-7")
            .body(raw),
    )
    .await
    .unwrap();
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert!(!answer.replayed);
    let session = answer.json();
    assert_shaped_like("checkout.session", &session);
    let id = session["id"].as_str().unwrap().to_owned();
    assert!(
        id.starts_with("cs_test_") && id.ends_with("_create_7"),
        "{id}"
    );
    let expected = json!({
        "object": "checkout.session",
        "url": format!("https://checkout.stripe.com/c/pay/{id}"),
        "amount_total": 4500,
        "amount_subtotal": 4500,
        "currency": "usd",
        "metadata": { "bookingId": "7" },
        "client_reference_id": "7",
        "customer_email": "parent@example.com",
        "mode": "payment",
        "payment_intent": null,
        "status": "open",
        "payment_status": "unpaid",
        "livemode": false,
        "cancel_url": "https://book.example.com/bookings/B1/cancelled",
    });
    for (field, value) in expected.as_object().unwrap() {
        assert_eq!(&session[field], value, "{field}");
    }
    let expires = session["expires_at"].as_i64().unwrap();
    assert!((30 * 60..=32 * 60).contains(&(expires - now())));
    assert_eq!(fake.rejections(), vec![]);

    // Retrieved as it is now, with query parameters the spec allows.
    let got = get(&fake, &format!("{SESSIONS}/{id}?expand[0]=payment_intent")).await;
    assert_eq!(got.status, 200, "{}", got.body);
    assert_eq!(got.json(), session);
    fake.set_session(&id, "complete", "paid");
    let paid = get(&fake, &format!("{SESSIONS}/{id}")).await.json();
    assert_eq!(
        (
            &paid["status"],
            &paid["payment_status"],
            &paid["payment_intent"],
            &paid["url"]
        ),
        (
            &json!("complete"),
            &json!("paid"),
            &json!(format!("pi_fake_{id}")),
            &Value::Null
        )
    );
    let view = fake.session(&id).unwrap();
    assert_eq!(
        (
            view.booking_id,
            view.amount,
            view.currency.as_str(),
            view.expires_at
        ),
        (7, 4500, "usd", expires)
    );

    let recorded = fake.requests();
    assert_eq!(recorded.len(), 3);
    assert_eq!(recorded[0].form["metadata[bookingId]"], "7");
    assert_eq!(recorded[0].params["line_items"][0]["quantity"], "1");
    assert_eq!(recorded[1].query["expand[0]"], "payment_intent");
}

/// A form, and the `param`, `message` and `code` Stripe refuses it with.
type Refusal = (
    Vec<(String, String)>,
    &'static str,
    &'static str,
    Option<&'static str>,
);

#[tokio::test]
async fn requests_the_spec_does_not_accept_are_refused_in_stripes_words() {
    let fake = FakeStripe::start().await;
    let valid = checkout_form(8);
    let long = "x".repeat(201);
    let cases: Vec<Refusal> = vec![
        (
            with(&valid, "colour", "blue"),
            "colour",
            "Received unknown parameter: colour",
            Some("parameter_unknown"),
        ),
        (
            with(&valid, "line_items[0][price_data][colour]", "blue"),
            "line_items[0][price_data][colour]",
            "Received unknown parameter: line_items[0][price_data][colour]",
            Some("parameter_unknown"),
        ),
        (
            without(&valid, "success_url"),
            "success_url",
            "Missing required param: success_url.",
            Some("parameter_missing"),
        ),
        (
            with(
                &without(&valid, "line_items[0][price_data][product_data][name]"),
                "line_items[0][price_data][product_data][description]",
                "60 minutes on track 2",
            ),
            "line_items[0][price_data][product_data][name]",
            "Missing required param: line_items[0][price_data][product_data][name].",
            Some("parameter_missing"),
        ),
        (
            with(&valid, "expires_at", "in half an hour"),
            "expires_at",
            "Invalid integer: in half an hour",
            Some("parameter_invalid_integer"),
        ),
        (
            with(&valid, "line_items[0][quantity]", "1.5"),
            "line_items[0][quantity]",
            "Invalid integer: 1.5",
            Some("parameter_invalid_integer"),
        ),
        (
            with(&valid, "mode", "bogus"),
            "mode",
            "Invalid mode: must be one of payment, setup, or subscription",
            None,
        ),
        (
            with(&valid, "allow_promotion_codes", "yes"),
            "allow_promotion_codes",
            "Invalid boolean: yes",
            None,
        ),
        (
            with(&valid, "client_reference_id", &long),
            "client_reference_id",
            "Invalid client_reference_id: must be at most 200 characters",
            None,
        ),
        (
            with(&without(&valid, "metadata[bookingId]"), "metadata", "8"),
            "metadata",
            "Invalid hash",
            None,
        ),
        (
            with(&valid, "payment_method_types", "card"),
            "payment_method_types",
            "Invalid array",
            None,
        ),
    ];
    for (form, param, message, code) in &cases {
        // A refused request keeps nothing under its key: the same key works afterwards.
        let answer = post(&fake, SESSIONS, Some("refused-then-valid"), form).await;
        assert_eq!(answer.status, 400, "{param}: {}", answer.body);
        let mut expected = json!({
            "type": "invalid_request_error",
            "message": message,
            "param": param,
        });
        if let Some(code) = code {
            expected["code"] = json!(code);
        }
        assert_eq!(answer.error(), expected);
    }
    let rejections = fake.rejections();
    assert_eq!(rejections.len(), cases.len());
    assert!(rejections
        .iter()
        .zip(&cases)
        .all(|(r, c)| r.param.as_deref() == Some(c.1) && r.message == c.2 && r.status == 400));

    let fine = post(&fake, SESSIONS, Some("refused-then-valid"), &valid).await;
    assert_eq!(fine.status, 200, "{}", fine.body);
    // `x-stripeBypassValidation` enums take values the 2023 list lacks, as the spec says.
    let newer = with(&valid, "payment_method_types[0]", "a_newer_method");
    assert_eq!(post(&fake, SESSIONS, None, &newer).await.status, 200);
}

#[tokio::test]
async fn retrieving_is_checked_too() {
    let fake = FakeStripe::start().await;
    let missing = get(&fake, &format!("{SESSIONS}/cs_test_nothing")).await;
    assert_eq!(missing.status, 404);
    assert_eq!(
        missing.error(),
        json!({
            "type": "invalid_request_error",
            "code": "resource_missing",
            "param": "session",
            "message": "No such checkout.session: 'cs_test_nothing'"
        })
    );
    let unknown = get(&fake, &format!("{SESSIONS}/cs_test_nothing?limit=3")).await;
    assert_eq!(unknown.status, 400);
    assert_eq!(
        unknown.error()["message"],
        "Received unknown parameter: limit"
    );
    let too_long = get(&fake, &format!("{SESSIONS}/cs_{}", "x".repeat(70))).await;
    assert_eq!(too_long.status, 400, "{}", too_long.body);
    let elsewhere = post(
        &fake,
        "v1/payment_intents",
        None,
        &pairs(&[("amount", "1")]),
    )
    .await;
    assert_eq!(elsewhere.status, 404);
    assert_eq!(fake.rejections().len(), 4);
}

#[tokio::test]
async fn the_same_key_with_the_same_parameters_replays_the_first_answer() {
    let fake = FakeStripe::start().await;
    let form = checkout_form(9);
    let first = post(&fake, SESSIONS, Some("key-9"), &form).await;
    assert_eq!(first.status, 200);
    // The same parameters in another order are the same request.
    let mut reordered = form.clone();
    reordered.reverse();
    let again = post(&fake, SESSIONS, Some("key-9"), &reordered).await;
    assert_eq!((again.status, &again.body), (200, &first.body));
    assert!(again.replayed);
    // A replay is the first answer, not the session as it is now.
    let id = first.json()["id"].as_str().unwrap().to_owned();
    fake.set_session(&id, "complete", "paid");
    let later = post(&fake, SESSIONS, Some("key-9"), &form).await;
    assert_eq!(later.body, first.body);
    assert_eq!(fake.requests().len(), 3);
    assert_eq!(fake.rejections(), vec![]);
}

fn idempotency_error(key: &str) -> Value {
    json!({
        "type": "idempotency_error",
        "message": format!(
            "Keys for idempotent requests can only be used with the same parameters they were \
             first used with. Try using a key other than '{key}' if you meant to execute a \
             different request."
        )
    })
}

#[tokio::test]
async fn the_same_key_with_other_parameters_is_an_idempotency_error() {
    let fake = FakeStripe::start().await;
    let form = checkout_form(10);
    assert_eq!(
        post(&fake, SESSIONS, Some("key-10"), &form).await.status,
        200
    );
    let later = with(&form, "expires_at", &(now() + 40 * 60).to_string());
    let answer = post(&fake, SESSIONS, Some("key-10"), &later).await;
    assert_eq!(answer.status, 400);
    assert_eq!(answer.error(), idempotency_error("key-10"));
    // Even if the other parameters are invalid: the key is checked first.
    let answer = post(
        &fake,
        SESSIONS,
        Some("key-10"),
        &with(&form, "mode", "bogus"),
    )
    .await;
    assert_eq!(answer.error()["type"], "idempotency_error");
    let kinds: Vec<String> = fake.rejections().into_iter().map(|r| r.kind).collect();
    assert_eq!(kinds, vec!["idempotency_error", "idempotency_error"]);
}

#[tokio::test]
async fn a_failure_is_replayed_under_its_key_and_a_refusal_is_not() {
    let fake = FakeStripe::start().await;
    let form = checkout_form(11);
    fake.behave(Behaviour::Fail);
    let failed = post(&fake, SESSIONS, Some("fail-11"), &form).await;
    assert_eq!(failed.status, 500);
    assert_eq!(failed.error()["type"], "api_error");
    fake.behave(Behaviour::Succeed);
    let again = post(&fake, SESSIONS, Some("fail-11"), &form).await;
    assert_eq!((again.status, &again.body), (500, &failed.body));

    fake.behave(Behaviour::Refuse("Invalid currency: xyz".into()));
    let refused = post(&fake, SESSIONS, Some("refuse-11"), &form).await;
    assert_eq!(refused.status, 400);
    assert_eq!(refused.error()["message"], "Invalid currency: xyz");
    fake.behave(Behaviour::Succeed);
    assert_eq!(
        post(&fake, SESSIONS, Some("refuse-11"), &form).await.status,
        200
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_hanging_create_keeps_its_key_until_it_answers() {
    let fake = FakeStripe::start().await;
    fake.behave(Behaviour::Hang(Duration::from_millis(1500)));
    let form = checkout_form(12);
    let impatient = reqwest::Client::builder()
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let started = std::time::Instant::now();
    let gave_up = send(
        impatient
            .post(format!("{}{SESSIONS}", fake.base_url))
            .header("idempotency-key", "hang-12")
            .form(&form),
    )
    .await;
    assert!(gave_up.is_err_and(|e| e.is_timeout()));
    fake.behave(Behaviour::Succeed);

    // Other parameters under the key are refused at once, while the first still runs.
    let other = with(&form, "customer_email", "someone.else@example.com");
    let refused = post(&fake, SESSIONS, Some("hang-12"), &other).await;
    assert_eq!(refused.error(), idempotency_error("hang-12"));
    assert!(started.elapsed() < Duration::from_millis(1200));

    // The same parameters, while the first still runs, are answered 409 at once (nothing is
    // kept for them); once it has finished, they get its answer.
    let early = post(&fake, SESSIONS, Some("hang-12"), &form).await;
    assert_eq!(early.status, 409, "{}", early.body);
    assert_eq!(early.json()["error"]["code"], "idempotency_key_in_use");
    assert_eq!(early.json()["error"]["type"], "idempotency_error");
    tokio::time::sleep(
        Duration::from_millis(1500).saturating_sub(started.elapsed()) + Duration::from_millis(200),
    )
    .await;
    let retry = post(&fake, SESSIONS, Some("hang-12"), &form).await;
    assert!(started.elapsed() >= Duration::from_millis(1400));
    assert_eq!(retry.status, 200, "{}", retry.body);
    assert!(retry.replayed, "the answer is the first request's");
    let id = retry.json()["id"].as_str().unwrap().to_owned();
    let replay = post(&fake, SESSIONS, Some("hang-12"), &form).await;
    assert_eq!(replay.body, retry.body);
    assert_eq!(fake.session(&id).unwrap().booking_id, 12);
    let made = fake
        .requests()
        .iter()
        .filter(|r| r.headers.get("idempotency-key").map(String::as_str) == Some("hang-12"))
        .count();
    assert_eq!(made, 5, "five requests, one session");
    assert!(get(&fake, &format!("{SESSIONS}/{id}")).await.status == 200);
}

/// A paid session for `booking`, as the booking app would have it; returns its PaymentIntent.
async fn paid_session(fake: &FakeStripe, booking: i64) -> String {
    let created = post(fake, SESSIONS, None, &checkout_form(booking))
        .await
        .json();
    let id = created["id"].as_str().unwrap();
    fake.set_session(id, "complete", "paid");
    fake.session(id).unwrap().payment_intent.unwrap()
}

#[tokio::test]
async fn a_refund_is_the_whole_payment_unless_an_amount_is_given() {
    let fake = FakeStripe::start().await;
    let intent = paid_session(&fake, 20).await;
    let form = pairs(&[
        ("payment_intent", &intent),
        ("reason", "requested_by_customer"),
        ("metadata[bookingId]", "20"),
    ]);
    let answer = post(&fake, REFUNDS, Some("refund-20"), &form).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    let refund = answer.json();
    assert_shaped_like("refund", &refund);
    assert!(refund["id"].as_str().unwrap().starts_with("re_"));
    let charge = format!("ch_{}", intent.strip_prefix("pi_").unwrap());
    for (field, value) in [
        ("object", json!("refund")),
        ("amount", json!(4500)),
        ("currency", json!("usd")),
        ("payment_intent", json!(intent)),
        ("charge", json!(charge)),
        ("status", json!("succeeded")),
        ("reason", json!("requested_by_customer")),
        ("metadata", json!({ "bookingId": "20" })),
    ] {
        assert_eq!(refund[field], value, "{field}");
    }
    assert_eq!(
        fake.refunds(),
        vec![FakeRefund {
            id: refund["id"].as_str().unwrap().to_owned(),
            payment_intent: Some(intent.clone()),
            charge: Some(charge.clone()),
            amount: 4500,
            currency: "usd".into(),
            status: "succeeded".into(),
            reason: Some("requested_by_customer".into()),
            metadata: [("bookingId".to_owned(), "20".to_owned())].into(),
        }]
    );

    // Replayed under its key; other parameters under it are refused.
    let again = post(&fake, REFUNDS, Some("refund-20"), &form).await;
    assert_eq!((again.status, &again.body), (200, &answer.body));
    let other = post(
        &fake,
        REFUNDS,
        Some("refund-20"),
        &with(&form, "amount", "100"),
    )
    .await;
    assert_eq!(other.error(), idempotency_error("refund-20"));
    // A key used for a session is not a refund's key.
    let crossed = post(&fake, REFUNDS, Some("refund-20"), &checkout_form(20)).await;
    assert_eq!(crossed.error()["type"], "idempotency_error");
    assert_eq!(fake.refunds().len(), 1);

    // Nothing is left to refund.
    let twice = post(&fake, REFUNDS, None, &pairs(&[("charge", &charge)])).await;
    assert_eq!(twice.status, 400);
    assert_eq!(twice.error()["code"], "charge_already_refunded");
}

#[tokio::test]
async fn a_promotion_code_comes_off_the_total_and_off_what_can_be_refunded() {
    let fake = FakeStripe::start().await;
    let form = with(&checkout_form(30), "allow_promotion_codes", "true");
    let created = post(&fake, SESSIONS, Some("promo-30"), &form).await;
    assert_eq!(created.status, 200, "{}", created.body);
    let session = created.json();
    assert_eq!(session["allow_promotion_codes"], true);
    assert_eq!(session["discounts"], json!([]));
    let id = session["id"].as_str().unwrap().to_owned();
    // Without the parameter the field is not offered, as Stripe answers it.
    let plain = post(&fake, SESSIONS, None, &checkout_form(31)).await.json();
    assert_eq!(plain["allow_promotion_codes"], Value::Null);

    fake.enter_promotion_code(&id, "promo_fake_spring", 1000);
    let discounted = get(&fake, &format!("{SESSIONS}/{id}")).await.json();
    assert_shaped_like("checkout.session", &discounted);
    assert_eq!(
        (
            &discounted["amount_subtotal"],
            &discounted["amount_total"],
            &discounted["total_details"]["amount_discount"],
            &discounted["discounts"][0]["promotion_code"],
        ),
        (
            &json!(4500),
            &json!(3500),
            &json!(1000),
            &json!("promo_fake_spring")
        )
    );
    // Stripe's idempotency rule still holds: the same create replays its first answer.
    let again = post(&fake, SESSIONS, Some("promo-30"), &form).await;
    assert!(again.replayed);
    assert_eq!(again.body, created.body);

    // What was paid is what can be refunded: the discounted total.
    fake.set_session(&id, "complete", "paid");
    let intent = fake.session(&id).unwrap().payment_intent.unwrap();
    let whole = pairs(&[("payment_intent", &intent), ("amount", "4500")]);
    let refused = post(&fake, REFUNDS, None, &whole).await;
    assert_eq!(
        refused.error()["code"],
        "amount_too_large",
        "{}",
        refused.body
    );
    let all = post(&fake, REFUNDS, None, &pairs(&[("payment_intent", &intent)])).await;
    assert_eq!(all.json()["amount"], 3500, "{}", all.body);

    // Codes typed by the customer or a discount given by the request, not both.
    let both = with(&form, "discounts[0][coupon]", "co_given");
    let refused = post(&fake, SESSIONS, None, &both).await;
    assert_eq!(refused.status, 400);
    assert_eq!(refused.error()["param"], "discounts", "{}", refused.body);
}

#[tokio::test]
async fn partial_refunds_add_up_to_the_payment_at_most() {
    let fake = FakeStripe::start().await;
    let charge = fake.register_payment("pi_partial", 4500, "USD");
    let refund = |amount: &'static str| {
        let fake = fake.clone();
        async move {
            post(
                &fake,
                REFUNDS,
                None,
                &pairs(&[("payment_intent", "pi_partial"), ("amount", amount)]),
            )
            .await
        }
    };
    assert_eq!(refund("1500").await.json()["amount"], 1500);
    let too_much = refund("3001").await;
    assert_eq!(too_much.status, 400);
    assert_eq!(too_much.error()["code"], "amount_too_large");
    assert_eq!(refund("0").await.error()["param"], "amount");
    assert_eq!(
        refund("lots").await.error()["message"],
        "Invalid integer: lots"
    );
    let rest = post(&fake, REFUNDS, None, &pairs(&[("charge", &charge)])).await;
    assert_eq!(rest.json()["amount"], 3000);
    assert_eq!(fake.refunds().iter().map(|r| r.amount).sum::<i64>(), 4500);
}

#[tokio::test]
async fn refund_requests_are_checked_against_the_spec() {
    let fake = FakeStripe::start().await;
    fake.register_payment("pi_checked", 4500, "usd");
    let cases = [
        (
            vec![("payment_intent", "pi_checked"), ("reason", "changed_mind")],
            400,
            "reason",
        ),
        (
            vec![("payment_intent", "pi_checked"), ("booking", "1")],
            400,
            "booking",
        ),
        (
            vec![("payment_intent", "pi_unknown")],
            400,
            "payment_intent",
        ),
        (
            vec![("payment_intent", "pi_checked"), ("metadata", "x")],
            400,
            "metadata",
        ),
    ];
    for (form, status, param) in cases {
        let answer = post(&fake, REFUNDS, None, &pairs(&form)).await;
        assert_eq!(answer.status, status, "{}", answer.body);
        assert_eq!(answer.error()["param"], param, "{}", answer.body);
    }
    let none = post(&fake, REFUNDS, None, &[]).await;
    assert_eq!(none.error()["code"], "parameter_missing");
    // Metadata may be emptied with "", per the spec's anyOf.
    let emptied = post(
        &fake,
        REFUNDS,
        None,
        &pairs(&[("payment_intent", "pi_checked"), ("metadata", "")]),
    )
    .await;
    assert_eq!(emptied.status, 200, "{}", emptied.body);
    assert_eq!(emptied.json()["metadata"], json!({}));
    assert_eq!(fake.rejections().len(), 5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn refund_behaviours() {
    let fake = FakeStripe::start().await;
    fake.register_payment("pi_behave", 4500, "usd");
    let form = pairs(&[("payment_intent", "pi_behave"), ("amount", "1000")]);

    fake.refund_behave(RefundBehaviour::Pending);
    assert_eq!(
        post(&fake, REFUNDS, None, &form).await.json()["status"],
        "pending"
    );
    fake.refund_behave(RefundBehaviour::Failed);
    let failed = post(&fake, REFUNDS, None, &form).await.json();
    assert_eq!(
        (&failed["status"], &failed["failure_reason"]),
        (&json!("failed"), &json!("unknown"))
    );
    fake.refund_behave(RefundBehaviour::Refuse("Charge is disputed".into()));
    let refused = post(&fake, REFUNDS, Some("r-1"), &form).await;
    assert_eq!(
        (refused.status, refused.error()["message"].clone()),
        (400, json!("Charge is disputed"))
    );
    fake.refund_behave(RefundBehaviour::Fail);
    let failing = post(&fake, REFUNDS, Some("r-2"), &form).await;
    assert_eq!(failing.status, 500);
    fake.refund_behave(RefundBehaviour::Succeed);
    assert_eq!(
        post(&fake, REFUNDS, Some("r-2"), &form).await.status,
        500,
        "kept"
    );
    assert_eq!(
        post(&fake, REFUNDS, Some("r-1"), &form).await.status,
        200,
        "not kept"
    );

    fake.refund_behave(RefundBehaviour::Hang(Duration::from_millis(800)));
    let first = tokio::spawn({
        let (fake, form) = (fake.clone(), form.clone());
        async move { post(&fake, REFUNDS, Some("r-3"), &form).await }
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    let other = post(&fake, REFUNDS, Some("r-3"), &with(&form, "amount", "999")).await;
    assert_eq!(other.error(), idempotency_error("r-3"));
    let early = post(&fake, REFUNDS, Some("r-3"), &form).await;
    assert_eq!(early.status, 409, "{}", early.body);
    let first = first.await.unwrap();
    let same = post(&fake, REFUNDS, Some("r-3"), &form).await;
    assert_eq!((first.status, &first.body), (200, &same.body));

    let statuses: Vec<String> = fake.refunds().into_iter().map(|r| r.status).collect();
    assert_eq!(
        statuses,
        vec!["pending", "failed", "succeeded", "succeeded"]
    );
    // Pending refunds hold their amount, failed ones do not: 4500 - 3 × 1000 is left.
    fake.refund_behave(RefundBehaviour::Succeed);
    let rest = post(
        &fake,
        REFUNDS,
        None,
        &pairs(&[("payment_intent", "pi_behave")]),
    )
    .await;
    assert_eq!(rest.json()["amount"], 1500);
}
