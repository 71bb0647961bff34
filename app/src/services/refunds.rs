//! Refunds: a request is kept (with its idempotency key, unique across databases because it is
//! made from the booking's reference) in the transaction that decides it, then sent to the
//! provider. `payment_status` becomes `refunded` only when Stripe's webhook says so; until
//! then the booking shows a refund on its way. A request nobody answered (a crash, a timeout)
//! is sent again under the same key, so no one is refunded twice.

use super::gateway::{GatewayError, PaymentGateway, RefundRequest};
use crate::db::refunds::{self, NewRefund, Refund};
use crate::db::{bookings, now_ms, payment_logs, Db, Tx};
use domain::{LogLevel, LogLine, PaymentStatus, RefundStatus};

#[derive(Debug, thiserror::Error)]
pub enum RefundError {
    #[error("that booking does not exist")]
    NoSuchBooking,
    #[error("only a paid booking can be refunded")]
    NotPaid,
    #[error("the booking's payment is not known to Stripe yet")]
    NoPayment,
    #[error("at most {left} can still be refunded")]
    TooMuch { left: domain::Money },
    #[error("the amount must be more than zero")]
    Nothing,
    #[error("unknown reason {0:?}")]
    Reason(String),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// What can still be refunded of a booking (`domain::refund::left_to_refund`), read in `tx`.
pub async fn refundable(tx: &mut Tx, booking: &bookings::Booking) -> Result<i64, sqlx::Error> {
    let requests = refunds::amounts_in(tx, booking.id).await?;
    Ok(left_after(
        booking,
        requests.iter().map(|r| (r.status, r.amount)),
    ))
}

/// What can still be refunded of `booking` after its refund requests (`status`, amount): for
/// a page that shows the requests too (the admin's booking page and its confirmation step).
pub fn left_after(
    booking: &bookings::Booking,
    requests: impl IntoIterator<Item = (RefundStatus, i64)>,
) -> i64 {
    domain::refund::left_to_refund(
        booking.amount,
        booking.amount_paid,
        booking.amount_refunded,
        requests,
    )
}

/// Keeps a refund request for `booking` in `tx`: all that can still be refunded, or `amount`.
/// `key_suffix` names the request (`cancel` for the one a cancellation makes: a second
/// cancellation of the same booking is the same request); without it, the next number.
pub async fn keep_request(
    tx: &mut Tx,
    booking: &bookings::Booking,
    amount: Option<i64>,
    reason: &str,
    by: &str,
    key_suffix: Option<&str>,
    now: i64,
) -> Result<Option<i64>, RefundError> {
    if booking.payment_status != PaymentStatus::Paid {
        return Err(RefundError::NotPaid);
    }
    if booking.stripe_payment_intent_id.is_none() {
        return Err(RefundError::NoPayment);
    }
    if !domain::refund::REASONS
        .iter()
        .any(|(spelling, _)| *spelling == reason)
    {
        return Err(RefundError::Reason(reason.to_owned()));
    }
    let left = refundable(tx, booking).await?;
    let amount = amount.unwrap_or(left);
    if amount <= 0 {
        return Err(RefundError::Nothing);
    }
    if amount > left {
        return Err(RefundError::TooMuch {
            left: domain::Money::new(left, booking.currency.clone()),
        });
    }
    let suffix = match key_suffix {
        Some(suffix) => suffix.to_owned(),
        None => (refunds::count_of_booking(tx, booking.id).await? + 1).to_string(),
    };
    let key = format!("refund-{}-{suffix}", booking.reference);
    Ok(refunds::insert(
        tx,
        NewRefund {
            booking_id: booking.id,
            idempotency_key: &key,
            amount,
            currency: &booking.currency,
            reason,
            requested_by: by,
        },
        now,
    )
    .await?)
}

/// How long one sender holds a request it sends (longer than the provider's timeout).
const SEND_LEASE_MS: i64 = 60_000;
/// The wait before a request nobody answered is sent again.
const RETRY_AFTER_MS: i64 = 30_000;
/// Stripe keeps an idempotency key for 24 hours: past that, the same key no longer protects a
/// request from being a second refund, so a request unanswered for this long is given up (and
/// shown in payment issues) rather than sent again.
pub const IDEMPOTENCY_WINDOW_MS: i64 = 23 * 60 * 60 * 1000;

/// Sends a kept request to the provider and records its answer, unless another sender holds
/// it. An unanswered request stays `requested`, to be sent again under the same key.
pub async fn send(
    db: &Db,
    gateway: &dyn PaymentGateway,
    refund_id: i64,
) -> Result<Option<Refund>, sqlx::Error> {
    let Some(refund) = refunds::get(db, refund_id).await? else {
        return Ok(None);
    };
    let now = now_ms();
    if refund.status != RefundStatus::Requested
        || !refunds::claim(db, refund.id, now, now + SEND_LEASE_MS).await?
    {
        return Ok(Some(refund));
    }
    let Some(booking) = bookings::by_id(db, refund.booking_id).await? else {
        return Ok(Some(refund));
    };
    let Some(payment_intent) = booking.stripe_payment_intent_id.clone() else {
        return Ok(Some(refund));
    };
    // The whole payment: for a family's children paid together, the one charge of them all.
    let group = crate::db::groups::payment_total(db, booking.id).await?;
    let paid_amount = match group {
        Some(total) if total != booking.amount => total,
        _ => booking.amount_paid.unwrap_or(booking.amount),
    };
    let request = RefundRequest {
        booking_id: booking.id,
        payment_intent,
        amount: refund.amount,
        paid_amount,
        currency: refund.currency.clone(),
        reason: Some(refund.reason.clone()),
        idempotency_key: refund.idempotency_key.clone(),
    };
    match gateway.create_refund(&request).await {
        Ok(created) => {
            let status = RefundStatus::of_stripe(Some(&created.status));
            refunds::answered(
                db,
                refund.id,
                Some(&created.id),
                status,
                created.failure_reason.as_deref(),
                now,
            )
            .await?;
            if status == RefundStatus::Succeeded {
                // Stripe's answer: a family child's share is back (a booking paid alone waits
                // for its charge's webhook, as always).
                super::family_refunds::share_refund_succeeded(
                    db,
                    booking.id,
                    &created.id,
                    Some(refund.amount),
                    &refund.currency,
                )
                .await?;
            }
            if status == RefundStatus::Failed {
                log_failure(
                    db,
                    &booking,
                    created.failure_reason.as_deref().unwrap_or("refused"),
                )
                .await?;
            }
            tracing::info!(
                booking_id = booking.id,
                refund = refund.id,
                status = status.as_str(),
                "refund asked for"
            );
        }
        Err(error @ GatewayError::Refused(_)) => {
            let reason = error.to_string();
            refunds::answered(
                db,
                refund.id,
                None,
                RefundStatus::Failed,
                Some(&reason),
                now,
            )
            .await?;
            log_failure(db, &booking, &reason).await?;
        }
        // No answer, or the provider failed: the same request goes again later.
        Err(error) => {
            refunds::retried(db, refund.id, now, now + RETRY_AFTER_MS).await?;
            tracing::warn!(booking_id = booking.id, refund = refund.id, %error, "refund not answered; will retry");
        }
    }
    refunds::get(db, refund.id).await
}

/// A failed refund shows on the payment-issues view.
async fn log_failure(
    db: &Db,
    booking: &bookings::Booking,
    reason: &str,
) -> Result<(), sqlx::Error> {
    let line = LogLine {
        level: LogLevel::Error,
        message: format!("refund failed: {reason}"),
    };
    payment_logs::write_outside_event(db, booking.id, "refund", &line, now_ms()).await
}

/// Sends every kept request nobody answered and nobody holds; one unanswered past Stripe's
/// idempotency window is given up instead (failed, and shown in payment issues: refunding it
/// again under a forgotten key could refund twice). How many were looked at.
pub async fn resume(db: &Db, gateway: &dyn PaymentGateway) -> Result<usize, sqlx::Error> {
    let now = now_ms();
    let due = refunds::unanswered(db, now, 100).await?;
    let count = due.len();
    for refund in due {
        if refund.created_at < now - IDEMPOTENCY_WINDOW_MS {
            give_up(db, &refund, now).await?;
        } else {
            send(db, gateway, refund.id).await?;
        }
    }
    Ok(count)
}

/// A request Stripe never answered within its idempotency window: failed, with why, and a line
/// in payment issues for the admin to settle by hand.
async fn give_up(db: &Db, refund: &Refund, now: i64) -> Result<(), sqlx::Error> {
    let reason = "Stripe did not answer within its 24-hour idempotency window; not sent again: \
                  check the payment in Stripe and refund it by hand if it is owed";
    refunds::answered(db, refund.id, None, RefundStatus::Failed, Some(reason), now).await?;
    let line = LogLine {
        level: LogLevel::Error,
        message: format!("refund failed: {reason}"),
    };
    payment_logs::write_outside_event(db, refund.booking_id, "refund", &line, now).await?;
    tracing::warn!(
        booking_id = refund.booking_id,
        refund = refund.id,
        "refund given up: unanswered past the idempotency window"
    );
    Ok(())
}

/// An admin refunds (part of) a paid booking: kept, then sent.
pub async fn refund_by_admin(
    db: &Db,
    gateway: &dyn PaymentGateway,
    booking_id: i64,
    amount: Option<i64>,
    reason: &str,
    admin_email: &str,
) -> Result<Option<Refund>, RefundError> {
    let now = now_ms();
    let mut tx = db.begin().await?;
    let booking = bookings::lock_by_id(&mut tx, booking_id)
        .await?
        .ok_or(RefundError::NoSuchBooking)?;
    let kept = keep_request(
        &mut tx,
        &booking,
        amount,
        reason,
        &domain::Actor::Admin(admin_email.to_owned()).spelling(),
        None,
        now,
    )
    .await?;
    db.commit(tx, &[booking_id]).await?;
    match kept {
        Some(id) => Ok(send(db, gateway, id).await?),
        None => Ok(None),
    }
}
