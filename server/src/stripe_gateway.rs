//! The Stripe API client (async-stripe): creates, retrieves and expires Checkout Sessions,
//! creates refunds. Its base URL comes from `STRIPE_API_BASE`, so tests point it at a local fake that
//! speaks Stripe's format.

use app::services::gateway::{
    CheckoutRequest, CreatedRefund, CreatedSession, GatewayError, PaymentGateway, RefundRequest,
    RetrievedSession,
};
use secrecy::{ExposeSecret, SecretString};
use std::collections::HashMap;
use std::time::Duration;
use stripe::{IdempotencyKey, RequestStrategy, StripeError, StripeRequest};
use stripe_checkout::checkout_session::{
    CreateCheckoutSession, CreateCheckoutSessionLineItems, CreateCheckoutSessionLineItemsPriceData,
    CreateCheckoutSessionPaymentIntentData, ExpireCheckoutSession, ProductData,
    RetrieveCheckoutSession,
};
use stripe_checkout::CheckoutSessionMode;

pub struct StripeGateway {
    client: stripe::Client,
    mode: domain::StripeMode,
}

impl StripeGateway {
    pub fn new(secret: &SecretString, base: &url::Url, timeout: Duration) -> Result<Self, String> {
        let client = stripe::ClientBuilder::new(secret.expose_secret())
            .url(base.as_str())
            .timeout(timeout)
            .request_strategy(RequestStrategy::Once)
            .build()
            .map_err(|e| format!("the Stripe client cannot be built: {}", describe(&e)))?;
        Ok(Self {
            client,
            mode: domain::StripeMode::of_key(Some(secret.expose_secret())),
        })
    }
}

/// One line for logs and the parent's error: Stripe's message, never the request.
fn describe(error: &StripeError) -> String {
    match error {
        StripeError::Stripe(api, status) => format!(
            "{status} {}: {}",
            api.type_.as_str(),
            api.message.as_deref().unwrap_or("no message")
        ),
        StripeError::Timeout => "timed out".to_owned(),
        StripeError::ClientError(message) => format!("connection failed ({message})"),
        StripeError::JSONDeserialize(message) => format!("unexpected answer ({message})"),
        StripeError::ConfigError(message) => format!("configuration ({message})"),
    }
}

fn classify(error: StripeError) -> GatewayError {
    let line = describe(&error);
    match error {
        // A rate limit is not executed (nothing is kept under the key): like no answer. Nor is
        // a repeat sent while the first request under its key is still running (409): the
        // same key may be tried again, and will be answered with the first one's result.
        StripeError::Stripe(_, 429 | 409) => GatewayError::Unreachable(line),
        StripeError::Stripe(_, status) if (400..500).contains(&status) => {
            GatewayError::Refused(line)
        }
        StripeError::Stripe(..) | StripeError::JSONDeserialize(_) => GatewayError::Failed(line),
        _ => GatewayError::Unreachable(line),
    }
}

#[async_trait::async_trait]
impl PaymentGateway for StripeGateway {
    fn mode(&self) -> domain::StripeMode {
        self.mode
    }

    #[tracing::instrument(skip_all, fields(booking_id = request.booking_id))]
    async fn create_session(
        &self,
        request: &CheckoutRequest,
    ) -> Result<CreatedSession, GatewayError> {
        let booking = request.booking_id.to_string();
        let metadata = HashMap::from([("bookingId".to_owned(), booking.clone())]);

        // One line per child of a family paid together (their sum is the amount); else one.
        let lines = if request.lines.is_empty() {
            vec![(request.product_name.clone(), request.amount)]
        } else {
            request
                .lines
                .iter()
                .map(|line| (line.name.clone(), line.amount))
                .collect()
        };
        let currency = request
            .currency
            .to_ascii_lowercase()
            .parse::<stripe_types::Currency>()
            .unwrap_or_else(|never| match never {});
        let line_items: Vec<CreateCheckoutSessionLineItems> = lines
            .into_iter()
            .map(|(name, amount)| {
                let mut price = CreateCheckoutSessionLineItemsPriceData::new(currency.clone());
                price.unit_amount = Some(amount);
                price.product_data = Some(ProductData::new(name));
                let mut line = CreateCheckoutSessionLineItems::new();
                line.price_data = Some(price);
                line.quantity = Some(1);
                line
            })
            .collect();
        let mut intent = CreateCheckoutSessionPaymentIntentData::new();
        intent.metadata = Some(metadata.clone());

        let key = IdempotencyKey::new(request.idempotency_key.clone())
            .map_err(|e| GatewayError::Refused(format!("bad idempotency key: {e:?}")))?;
        let mut create = CreateCheckoutSession::new();
        if request.allow_promotion_codes {
            // Checkout shows its promotion-code field; the codes live in Stripe's Dashboard.
            create = create.allow_promotion_codes(true);
        }
        let session = create
            .mode(CheckoutSessionMode::Payment)
            .line_items(line_items)
            .client_reference_id(booking)
            .metadata(metadata)
            .payment_intent_data(intent)
            .customer_email(request.customer_email.clone())
            .success_url(request.success_url.clone())
            .cancel_url(request.cancel_url.clone())
            .expires_at(request.expires_at)
            .customize()
            .request_strategy(RequestStrategy::Idempotent(key))
            .send(&self.client)
            .await
            .map_err(classify)?;
        let url = session
            .url
            .clone()
            .ok_or_else(|| GatewayError::Failed("the session has no checkout URL".into()))?;
        Ok(CreatedSession {
            id: session.id.as_str().to_owned(),
            url,
            expires_at: session.expires_at,
        })
    }

    #[tracing::instrument(skip_all, fields(booking_id = request.booking_id))]
    async fn create_refund(&self, request: &RefundRequest) -> Result<CreatedRefund, GatewayError> {
        use stripe_core::refund::{CreateRefund, CreateRefundReason};
        let key = IdempotencyKey::new(request.idempotency_key.clone())
            .map_err(|e| GatewayError::Refused(format!("bad idempotency key: {e:?}")))?;
        let mut create = CreateRefund::new()
            .payment_intent(request.payment_intent.clone())
            .amount(request.amount)
            .metadata(HashMap::from([(
                "bookingId".to_owned(),
                request.booking_id.to_string(),
            )]));
        if let Some(reason) = &request.reason {
            create = create.reason(match reason.as_str() {
                "duplicate" => CreateRefundReason::Duplicate,
                "fraudulent" => CreateRefundReason::Fraudulent,
                _ => CreateRefundReason::RequestedByCustomer,
            });
        }
        let refund = create
            .customize()
            .request_strategy(RequestStrategy::Idempotent(key))
            .send(&self.client)
            .await
            .map_err(classify)?;
        Ok(CreatedRefund {
            id: refund.id.as_str().to_owned(),
            status: refund
                .status
                .clone()
                .unwrap_or_else(|| "pending".to_owned()),
            failure_reason: refund.failure_reason.clone(),
        })
    }

    #[tracing::instrument(skip_all)]
    async fn expire_session(&self, id: &str) -> Result<(), GatewayError> {
        ExpireCheckoutSession::new(id)
            .send(&self.client)
            .await
            .map(|_| ())
            .map_err(classify)
    }

    #[tracing::instrument(skip_all)]
    async fn retrieve_session(&self, id: &str) -> Result<RetrievedSession, GatewayError> {
        let session = RetrieveCheckoutSession::new(id)
            .send(&self.client)
            .await
            .map_err(classify)?;
        Ok(RetrievedSession {
            id: session.id.as_str().to_owned(),
            status: session.status.as_ref().map(|s| s.as_str().to_owned()),
            payment_status: session.payment_status.as_str().to_owned(),
            payment_intent: session
                .payment_intent
                .as_ref()
                .map(|p| p.id().as_str().to_owned()),
            booking_id: session
                .metadata
                .as_ref()
                .and_then(|m| m.get("bookingId").cloned())
                .or(session.client_reference_id.clone()),
            amount_total: session.amount_total,
            currency: session.currency.as_ref().map(|c| c.to_string()),
            livemode: session.livemode,
            discount: discount_of(&session),
        })
    }
}

/// What a retrieved session's promotion code took off, read as the webhook's parser reads an
/// event's session (`domain::StripeEvent`): `total_details.amount_discount`, and the code of
/// its first discount that names one (an id, or the expanded object with its text).
fn discount_of(session: &stripe_checkout::CheckoutSession) -> Option<domain::discount::Discount> {
    use stripe_types::Expandable;
    let amount = session.total_details.as_ref()?.amount_discount;
    let code = session
        .discounts
        .iter()
        .flatten()
        .find_map(|discount| discount.promotion_code.as_ref());
    let (promotion_code_id, promotion_code) = match code {
        Some(Expandable::Id(id)) => (Some(id.as_str().to_owned()), None),
        Some(Expandable::Object(code)) => {
            (Some(code.id.as_str().to_owned()), Some(code.code.clone()))
        }
        None => (None, None),
    };
    (amount > 0).then_some(domain::discount::Discount {
        amount,
        promotion_code,
        promotion_code_id,
    })
}
