//! The payment provider as the use cases see it: Stripe in production (`server`'s
//! `StripeGateway`), the simulated checkout in development. Its requests and answers are plain
//! data, so the use cases never touch a provider's wire format.

/// What the server asks the payment provider for. Kept (as JSON) with its attempt until it is
/// answered, so that a retry under the same idempotency key sends exactly the same request.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CheckoutRequest {
    pub booking_id: i64,
    pub reference: String,
    /// Minor units of `currency`, from the training session.
    pub amount: i64,
    pub currency: String,
    pub product_name: String,
    pub customer_email: String,
    pub success_url: String,
    pub cancel_url: String,
    pub idempotency_key: String,
    /// Seconds since the epoch; Stripe accepts 30 minutes to 24 hours ahead.
    pub expires_at: i64,
    /// For a family's children paid together, one line per child (their amounts sum to
    /// `amount`); empty for one booking, whose line is `product_name` at `amount`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lines: Vec<CheckoutLine>,
    /// Checkout offers its promotion-code field (`PROMOTION_CODES`). Left out of the kept
    /// JSON when false, so a request kept before the setting reads (and is sent again) the same.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub allow_promotion_codes: bool,
}

/// One line of a checkout: what Checkout shows, and its price in minor units.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CheckoutLine {
    pub name: String,
    pub amount: i64,
}

/// A Checkout Session the provider made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreatedSession {
    pub id: String,
    pub url: String,
    /// Seconds since the epoch.
    pub expires_at: i64,
}

/// A Checkout Session as the provider reports it now (for reconciliation).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetrievedSession {
    pub id: String,
    /// "open", "complete" or "expired".
    pub status: Option<String>,
    /// "paid", "unpaid" or "no_payment_required".
    pub payment_status: String,
    pub payment_intent: Option<String>,
    pub booking_id: Option<String>,
    pub amount_total: Option<i64>,
    pub currency: Option<String>,
    pub livemode: bool,
    /// What a promotion code took off (`total_details.amount_discount`), and which code.
    pub discount: Option<domain::discount::Discount>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GatewayError {
    /// The provider answered and said no (Stripe's 4xx), with its message.
    #[error("the payment provider refused: {0}")]
    Refused(String),
    /// The provider answered with its own failure (a 5xx).
    #[error("the payment provider failed: {0}")]
    Failed(String),
    /// No answer: a timeout, a connection failure, a rate limit.
    #[error("the payment provider is unreachable: {0}")]
    Unreachable(String),
}

impl GatewayError {
    /// Whether the provider answered. Stripe keeps an answered request's result under its
    /// idempotency key (even a 500), so only an unanswered one may be retried with the same key.
    pub fn answered(&self) -> bool {
        matches!(self, Self::Refused(_) | Self::Failed(_))
    }
}

/// A refund the server asks the provider for: the booking's payment, all of it or a part.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RefundRequest {
    pub booking_id: i64,
    pub payment_intent: String,
    /// Minor units.
    pub amount: i64,
    /// What the payment was, and in which currency (the simulated provider needs it; Stripe
    /// knows it).
    pub paid_amount: i64,
    pub currency: String,
    /// Stripe's reason: `requested_by_customer`, `duplicate` or `fraudulent`.
    pub reason: Option<String>,
    pub idempotency_key: String,
}

/// What the provider answered to a refund request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreatedRefund {
    pub id: String,
    /// `pending`, `succeeded`, `failed`, `requires_action` or `canceled`.
    pub status: String,
    pub failure_reason: Option<String>,
}

/// The payment provider: Stripe, or the simulated checkout.
#[async_trait::async_trait]
pub trait PaymentGateway: Send + Sync + 'static {
    /// Test or live, as the provider's key is: events of the other mode change nothing.
    fn mode(&self) -> domain::StripeMode;
    async fn create_session(
        &self,
        request: &CheckoutRequest,
    ) -> Result<CreatedSession, GatewayError>;
    async fn retrieve_session(&self, id: &str) -> Result<RetrievedSession, GatewayError>;
    /// Closes an open Checkout Session so that it can no longer be paid (a session already
    /// completed or expired is refused).
    async fn expire_session(&self, id: &str) -> Result<(), GatewayError>;
    /// Refunds (part of) a payment; the same key again is the same refund.
    async fn create_refund(&self, request: &RefundRequest) -> Result<CreatedRefund, GatewayError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_kept_before_promotion_codes_reads_and_is_sent_the_same() {
        let kept = r#"{"booking_id":7,"reference":"r","amount":4500,"currency":"USD",
            "product_name":"p","customer_email":"e@example.com","success_url":"s",
            "cancel_url":"c","idempotency_key":"checkout-r-1","expires_at":1}"#;
        let request: CheckoutRequest = serde_json::from_str(kept).unwrap();
        assert!(!request.allow_promotion_codes);
        let again = serde_json::to_string(&request).unwrap();
        assert!(!again.contains("allow_promotion_codes"), "{again}");
        let offered = CheckoutRequest {
            allow_promotion_codes: true,
            ..request
        };
        let json = serde_json::to_string(&offered).unwrap();
        assert!(json.contains(r#""allow_promotion_codes":true"#), "{json}");
        assert_eq!(
            serde_json::from_str::<CheckoutRequest>(&json).unwrap(),
            offered
        );
    }
}
