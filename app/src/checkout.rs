//! Starting a payment for a booking: the Checkout Session is made on the server only (price from
//! the training session, never from the browser), an open one is reused, a paid booking cannot
//! pay again, and each attempt carries its own idempotency key.

use crate::db::bookings::{booking_select, Booking};
use crate::db::sessions::holds_place;
use crate::db::{now_ms, Db};
use crate::domain::PaymentStatus;
use crate::live::{commit_and_announce, LiveHub};
use crate::state::Settings;

/// What the server asks the payment provider for.
#[derive(Debug, Clone, PartialEq, Eq)]
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

/// The payment provider: Stripe, or the simulated checkout.
#[async_trait::async_trait]
pub trait CheckoutGateway: Send + Sync + 'static {
    async fn create_session(
        &self,
        request: &CheckoutRequest,
    ) -> Result<CreatedSession, GatewayError>;
    async fn retrieve_session(&self, id: &str) -> Result<RetrievedSession, GatewayError>;
}

#[derive(Debug, thiserror::Error)]
pub enum CheckoutProblem {
    #[error("booking not found")]
    NotFound,
    #[error("this booking is already paid")]
    AlreadyPaid,
    #[error("this booking was refunded")]
    Refunded,
    #[error("this booking was cancelled")]
    Cancelled,
    #[error("the session has already started")]
    SessionStarted,
    #[error("the session is no longer available")]
    SessionUnavailable,
    #[error("the session filled up while this booking was unpaid")]
    SessionFull,
    #[error(transparent)]
    Gateway(#[from] GatewayError),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

impl CheckoutProblem {
    /// What the parent reads: plain words, no internals.
    pub fn for_parent(&self) -> String {
        match self {
            Self::NotFound => "We could not find that booking.".into(),
            Self::AlreadyPaid => "This booking is already paid. Thank you!".into(),
            Self::Refunded => "This booking was refunded, so it cannot be paid again.".into(),
            Self::Cancelled => "This booking was cancelled.".into(),
            Self::SessionStarted => "This session has already started, so it can no longer be paid online.".into(),
            Self::SessionUnavailable => "This session is no longer available.".into(),
            Self::SessionFull => "Sorry, this session filled up while the booking was unpaid.".into(),
            Self::Gateway(GatewayError::Refused(_)) => {
                "The payment provider could not start a checkout for this booking. Your booking is saved and unpaid; please try again, or contact us.".into()
            }
            Self::Gateway(GatewayError::Failed(_) | GatewayError::Unreachable(_)) => {
                "We could not reach the payment provider just now. Your booking is saved and unpaid; please try again in a moment.".into()
            }
            Self::Database(_) => "Something went wrong on our side. Your booking is saved; please try again in a moment.".into(),
        }
    }
}

/// A Checkout Session lives 31 minutes (Stripe's minimum is 30).
const SESSION_LIFETIME_SECS: i64 = 31 * 60;
/// A stored session is reused while it has at least this long left.
const REUSE_MARGIN_MS: i64 = 2 * 60 * 1000;
/// The place stays held this long past the session's expiry (webhooks can be late).
const HOLD_PAST_EXPIRY_MS: i64 = 5 * 60 * 1000;

/// The address of Stripe's return pages for a booking.
pub fn return_urls(settings: &Settings, reference: &str) -> (String, String) {
    let base = &settings.public_base_url;
    (
        format!("{base}/bookings/{reference}/paid?session_id={{CHECKOUT_SESSION_ID}}"),
        format!("{base}/bookings/{reference}/cancelled"),
    )
}

fn product_name(booking: &Booking, settings: &Settings) -> String {
    format!(
        "{} – {} ({})",
        booking.session_title,
        crate::schedule::when(booking.session_starts_at, settings.timezone),
        booking.athlete_name
    )
}

/// Returns the checkout URL to send the parent to: the open session, or a new one.
pub async fn start_checkout(
    db: &Db,
    hub: &LiveHub,
    settings: &Settings,
    gateway: &dyn CheckoutGateway,
    reference: &str,
) -> Result<String, CheckoutProblem> {
    let now = now_ms();
    let mut tx = db.writer().begin().await?;
    // Lock the booking while deciding (the no-op UPDATE both databases accept).
    let locked = sqlx::query("UPDATE bookings SET updated_at = updated_at WHERE reference = $1")
        .bind(reference.to_owned())
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if locked == 0 {
        return Err(CheckoutProblem::NotFound);
    }
    let row = sqlx::query(concat!(booking_select!(), " WHERE b.reference = $1"))
        .bind(reference.to_owned())
        .fetch_one(&mut *tx)
        .await?;
    let booking = Booking::from_row(&row)?;
    match booking.payment_status {
        PaymentStatus::Paid => return Err(CheckoutProblem::AlreadyPaid),
        PaymentStatus::Refunded => return Err(CheckoutProblem::Refunded),
        PaymentStatus::Unpaid | PaymentStatus::Failed => {}
    }
    if booking.attendance_status == crate::domain::AttendanceStatus::Cancelled {
        return Err(CheckoutProblem::Cancelled);
    }
    if let (Some(url), Some(expires)) = (
        &booking.stripe_checkout_url,
        booking.stripe_checkout_expires_at,
    ) {
        if expires * 1000 > now + REUSE_MARGIN_MS {
            tx.commit().await?;
            return Ok(url.clone());
        }
    }
    let (cancelled_at, starts_at, capacity): (Option<i64>, i64, i64) = sqlx::query_as(
        "SELECT cancelled_at, starts_at, capacity FROM training_sessions WHERE id = $1",
    )
    .bind(booking.training_session_id)
    .fetch_one(&mut *tx)
    .await?;
    if cancelled_at.is_some() {
        return Err(CheckoutProblem::SessionUnavailable);
    }
    if starts_at <= now {
        return Err(CheckoutProblem::SessionStarted);
    }
    if booking.held_until <= now {
        // The hold lapsed: the place must still be free.
        let others: i64 = sqlx::query_scalar(concat!(
            "SELECT COUNT(*) FROM bookings b WHERE b.training_session_id = $2 AND b.id <> $3 AND ",
            holds_place!()
        ))
        .bind(now)
        .bind(booking.training_session_id)
        .bind(booking.id)
        .fetch_one(&mut *tx)
        .await?;
        if others >= capacity {
            return Err(CheckoutProblem::SessionFull);
        }
    }
    tx.commit().await?;

    // The key names the attempt: a retry after a timeout reuses it (Stripe then answers with
    // the session it may already have made); after any answer the next attempt gets a new one.
    let attempt = booking.checkout_attempts + 1;
    let (success_url, cancel_url) = return_urls(settings, &booking.reference);
    let request = CheckoutRequest {
        booking_id: booking.id,
        reference: booking.reference.clone(),
        amount: booking.amount,
        currency: booking.currency.clone(),
        product_name: product_name(&booking, settings),
        customer_email: booking.parent_email.clone(),
        success_url,
        cancel_url,
        idempotency_key: format!("booking-{}-checkout-{attempt}", booking.id),
        expires_at: now / 1000 + SESSION_LIFETIME_SECS,
    };
    let created = match gateway.create_session(&request).await {
        Ok(created) => created,
        Err(error) => {
            if error.answered() {
                sqlx::query(
                    "UPDATE bookings SET checkout_attempts = $1 WHERE id = $2 AND checkout_attempts = $3",
                )
                .bind(attempt)
                .bind(booking.id)
                .bind(booking.checkout_attempts)
                .execute(db.writer())
                .await?;
            }
            tracing::warn!(booking_id = booking.id, %error, "checkout session not created");
            return Err(error.into());
        }
    };

    let mut tx = db.writer().begin().await?;
    let stored = sqlx::query(
        "UPDATE bookings
         SET stripe_checkout_session_id = $1, stripe_checkout_url = $2,
             stripe_checkout_expires_at = $3, checkout_attempts = $4,
             held_until = CASE WHEN held_until > $5 THEN held_until ELSE $5 END, updated_at = $6,
             checkout_started_at = $6
         WHERE id = $7 AND checkout_attempts = $8 AND payment_status IN ('unpaid', 'failed')",
    )
    .bind(&created.id)
    .bind(&created.url)
    .bind(created.expires_at)
    .bind(attempt)
    .bind(created.expires_at * 1000 + HOLD_PAST_EXPIRY_MS)
    .bind(now_ms())
    .bind(booking.id)
    .bind(booking.checkout_attempts)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    commit_and_announce(tx, db, hub, &[booking.id]).await?;
    if stored == 1 {
        tracing::info!(booking_id = booking.id, session = %created.id, "checkout session created");
        return Ok(created.url);
    }
    // Another request got there first (same key, so the same session), or the booking was paid.
    let now_booking = crate::db::bookings::by_id(db, booking.id)
        .await?
        .ok_or(CheckoutProblem::NotFound)?;
    match (now_booking.payment_status, now_booking.stripe_checkout_url) {
        (PaymentStatus::Paid, _) => Err(CheckoutProblem::AlreadyPaid),
        (PaymentStatus::Refunded, _) => Err(CheckoutProblem::Refunded),
        (_, Some(url)) => Ok(url),
        (_, None) => Ok(created.url),
    }
}
