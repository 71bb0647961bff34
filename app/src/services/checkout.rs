//! Starting a payment for a booking: the Checkout Session is made on the server only (price from
//! the training session, never from the browser), an open one is reused, a booking that cannot
//! be paid is refused (`domain::payable`), and each attempt carries its own idempotency key.

use super::gateway::{CheckoutLine, CheckoutRequest, GatewayError, PaymentGateway};
use crate::db::bookings::{self, Booking};
use crate::db::checkout::{self as stored, StoredSession};
use crate::db::groups::{self, Member};
use crate::db::{now_ms, Db};
use crate::settings::Settings;
use domain::{payable, CheckoutRefusal, NotPayable};

#[derive(Debug, thiserror::Error)]
pub enum CheckoutProblem {
    #[error("booking not found")]
    NotFound,
    #[error("{0}")]
    NotPayable(NotPayable),
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
    /// The refusal the parent is told about.
    pub fn refusal(&self) -> CheckoutRefusal {
        match self {
            Self::NotFound => CheckoutRefusal::NotFound,
            Self::NotPayable(why) => CheckoutRefusal::NotPayable(*why),
            Self::SessionStarted => CheckoutRefusal::SessionStarted,
            Self::SessionUnavailable => CheckoutRefusal::SessionUnavailable,
            Self::SessionFull => CheckoutRefusal::SessionFull,
            Self::Gateway(GatewayError::Refused(_)) => CheckoutRefusal::ProviderRefused,
            Self::Gateway(GatewayError::Failed(_) | GatewayError::Unreachable(_)) => {
                CheckoutRefusal::ProviderUnavailable
            }
            Self::Database(_) => CheckoutRefusal::Ours,
        }
    }
}

/// A Checkout Session lives 31 minutes (Stripe's minimum is 30).
const SESSION_LIFETIME_SECS: i64 = 31 * 60;
/// A kept request is sent again only while its expiry is still acceptable to Stripe (at least
/// 30 minutes ahead) with a margin for the trip; past that its attempt is closed instead.
const RESEND_MIN_SECS: i64 = 30 * 60 + 20;
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

/// What the checkout page and the receipt call the purchase.
pub fn product_name(booking: &Booking, tz: chrono_tz::Tz) -> String {
    format!(
        "{} – {} ({})",
        booking.session_title,
        domain::schedule::when(booking.session_starts_at, tz),
        booking.athlete_name
    )
}

/// The idempotency key of a booking's `attempt`th checkout: the booking's random reference
/// makes it unique across databases (staging and production on one Stripe account, or a
/// database restored from a backup).
pub fn idempotency_key(reference: &str, attempt: i64) -> String {
    format!("checkout-{reference}-{attempt}")
}

/// The request kept for the booking's current attempt, if one was sent and never answered.
fn kept_request(booking: &Booking) -> Option<CheckoutRequest> {
    booking
        .checkout_request
        .as_deref()
        .and_then(|json| serde_json::from_str::<CheckoutRequest>(json).ok())
        .filter(|kept| {
            kept.idempotency_key
                == idempotency_key(&booking.reference, booking.checkout_attempts + 1)
        })
}

/// A new checkout request for `booking`'s `attempt`th try; a family's further children it
/// pays for (`followers`) each get a line of their own.
fn new_request(
    booking: &Booking,
    followers: &[Member],
    settings: &Settings,
    attempt: i64,
    now: i64,
) -> CheckoutRequest {
    let (success_url, cancel_url) = return_urls(settings, &booking.reference);
    let lines = if followers.is_empty() {
        Vec::new()
    } else {
        // One line per child and session (a term's sessions each at their own time).
        std::iter::once((
            booking.athlete_name.as_str(),
            booking.amount,
            booking.session_starts_at,
        ))
        .chain(
            followers
                .iter()
                .map(|f| (f.athlete_name.as_str(), f.amount, f.session_starts_at)),
        )
        .map(|(athlete, amount, starts_at)| CheckoutLine {
            name: format!(
                "{} – {} ({athlete})",
                booking.session_title,
                domain::schedule::when(starts_at, settings.timezone)
            ),
            amount,
        })
        .collect()
    };
    CheckoutRequest {
        lines,
        booking_id: booking.id,
        reference: booking.reference.clone(),
        amount: booking.amount + followers.iter().map(|f| f.amount).sum::<i64>(),
        currency: booking.currency.clone(),
        product_name: product_name(booking, settings.timezone),
        customer_email: booking.parent_email.clone(),
        success_url,
        cancel_url,
        idempotency_key: idempotency_key(&booking.reference, attempt),
        expires_at: now / 1000 + SESSION_LIFETIME_SECS,
        allow_promotion_codes: settings.promotion_codes,
    }
}

/// Returns the checkout URL to send the parent to: the open session, or a new one.
pub async fn start_checkout(
    db: &Db,
    settings: &Settings,
    gateway: &dyn PaymentGateway,
    reference: &str,
) -> Result<String, CheckoutProblem> {
    let now = now_ms();
    let mut tx = db.begin().await?;
    // The booking stays locked while deciding.
    let booking = bookings::lock_by_reference(&mut tx, reference)
        .await?
        .ok_or(CheckoutProblem::NotFound)?;
    if booking.paid_with.is_some() {
        // A family's further child: the first child's checkout pays for it.
        let payer = groups::payer_reference(&mut tx, booking.id)
            .await?
            .ok_or(CheckoutProblem::NotFound)?;
        tx.commit().await?;
        return Box::pin(start_checkout(db, settings, gateway, &payer)).await;
    }
    let followers = groups::followers(&mut tx, booking.id).await?;
    payable(
        booking.payment_status,
        booking.attendance_status,
        booking.source,
    )
    .map_err(CheckoutProblem::NotPayable)?;
    if let (Some(url), Some(expires)) = (
        &booking.stripe_checkout_url,
        booking.stripe_checkout_expires_at,
    ) {
        if expires * 1000 > now + REUSE_MARGIN_MS {
            tx.commit().await?;
            return Ok(url.clone());
        }
    }
    let terms = bookings::lock_session(&mut tx, booking.training_session_id)
        .await?
        .ok_or(CheckoutProblem::SessionUnavailable)?;
    if terms.cancelled_at.is_some() {
        return Err(CheckoutProblem::SessionUnavailable);
    }
    if terms.starts_at <= now {
        return Err(CheckoutProblem::SessionStarted);
    }
    if booking.held_until <= now {
        // The hold lapsed: the places must still be free (a family's followers lapsed with it,
        // in the lead's session or, for a term, in each of its others).
        let in_session = |session: i64| {
            i64::try_from(
                followers
                    .iter()
                    .filter(|f| f.training_session_id == session)
                    .count(),
            )
            .unwrap_or(i64::MAX)
        };
        let others =
            bookings::places_taken(&mut tx, booking.training_session_id, now, booking.id).await?;
        if others + in_session(booking.training_session_id) >= terms.capacity {
            return Err(CheckoutProblem::SessionFull);
        }
        let mut sessions: Vec<i64> = followers
            .iter()
            .map(|f| f.training_session_id)
            .filter(|s| *s != booking.training_session_id)
            .collect();
        sessions.sort_unstable();
        sessions.dedup();
        for session in sessions {
            let other = bookings::lock_session(&mut tx, session)
                .await?
                .ok_or(CheckoutProblem::SessionUnavailable)?;
            let taken = bookings::places_taken(&mut tx, session, now, 0).await?;
            if other.cancelled_at.is_none() && taken + in_session(session) > other.capacity {
                return Err(CheckoutProblem::SessionFull);
            }
        }
    }
    tx.commit().await?;

    // The key names the attempt: a retry after a timeout reuses it, with the request kept for
    // it (Stripe refuses a key reused with other parameters, and answers a true repeat with the
    // session it may already have made); after any answer the next attempt gets a new key.
    let mut attempts_before = booking.checkout_attempts;
    let kept = kept_request(&booking);
    let request = match kept {
        Some(kept) if kept.expires_at >= now / 1000 + RESEND_MIN_SECS => kept,
        stale => {
            if stale.is_some() {
                // Nobody ever saw that session's address: give the attempt up.
                stored::count_failed_attempt(db, booking.id, attempts_before).await?;
                attempts_before += 1;
            }
            let request = new_request(&booking, &followers, settings, attempts_before + 1, now);
            let json = serde_json::to_string(&request).unwrap_or_default();
            if stored::remember_request(db, booking.id, attempts_before, &json).await? {
                request
            } else {
                // A request at the same moment (a double click) kept its own: send that one.
                bookings::by_id(db, booking.id)
                    .await?
                    .as_ref()
                    .and_then(kept_request)
                    .filter(|kept| kept.idempotency_key == request.idempotency_key)
                    .ok_or(CheckoutProblem::Gateway(GatewayError::Unreachable(
                        "another checkout attempt started at the same time".into(),
                    )))?
            }
        }
    };
    let created = match gateway.create_session(&request).await {
        Ok(created) => created,
        Err(error) => {
            if error.answered() {
                stored::count_failed_attempt(db, booking.id, attempts_before).await?;
            }
            tracing::warn!(booking_id = booking.id, %error, "checkout session not created");
            return Err(error.into());
        }
    };

    let mut tx = db.begin().await?;
    let session = StoredSession {
        id: &created.id,
        url: &created.url,
        expires_at: created.expires_at,
        hold_until: created.expires_at * 1000 + HOLD_PAST_EXPIRY_MS,
    };
    let stored =
        stored::store_session(&mut tx, booking.id, attempts_before, &session, now_ms()).await?;
    if stored {
        groups::hold_followers(&mut tx, booking.id, session.hold_until, now_ms()).await?;
    }
    let mut changed = vec![booking.id];
    changed.extend(followers.iter().map(|f| f.id));
    db.commit(tx, &changed).await?;
    if stored {
        tracing::info!(booking_id = booking.id, session = %created.id, "checkout session created");
        return Ok(created.url);
    }
    // Another request got there first (same key, so the same session), or the booking was paid.
    let now_booking = bookings::by_id(db, booking.id)
        .await?
        .ok_or(CheckoutProblem::NotFound)?;
    payable(
        now_booking.payment_status,
        now_booking.attendance_status,
        now_booking.source,
    )
    .map_err(CheckoutProblem::NotPayable)?;
    Ok(now_booking.stripe_checkout_url.unwrap_or(created.url))
}

/// Where to send the browser of a booking just made: its checkout, or, when none could be
/// started, the booking's page, which says why (`?checkout=<code>`) and offers to pay again.
pub async fn checkout_or_booking_page(
    db: &Db,
    settings: &Settings,
    gateway: &dyn PaymentGateway,
    reference: &str,
) -> String {
    match start_checkout(db, settings, gateway, reference).await {
        Ok(url) => url,
        Err(problem) => format!(
            "/bookings/{reference}?checkout={}",
            problem.refusal().code()
        ),
    }
}
