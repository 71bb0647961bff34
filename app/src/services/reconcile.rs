//! Reconciliation: asks Stripe about checkout sessions whose webhook has not arrived and applies
//! what Stripe says through the same decision and ledger as the webhook (source `reconcile`).
//! Stripe delivers at least once, late, or (rarely) never; this covers the "never".

use super::gateway::{GatewayError, PaymentGateway, RetrievedSession};
use super::payments::{apply_event, ApplyError};
use crate::db::{checkout, now_ms, Db};
use domain::{Applied, EventKind, EventObject, EventSource, StripeEvent};

/// What reconciling one booking did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reconciled {
    /// Stripe reports nothing to apply yet (session open, or awaiting a bank payment).
    NothingYet,
    /// Applied (or already applied: then `Applied::Duplicate`).
    Applied(Applied),
    /// Asked too recently; not asked again.
    Throttled,
    /// The booking has no checkout session to ask about, or is settled.
    NotApplicable,
}

/// The ledger event that stands for what Stripe reports about a session, if anything is to be
/// applied: its id is derived from the session and its outcome, so asking twice applies once.
pub fn event_for(session: &RetrievedSession, booking_id: i64) -> Option<StripeEvent> {
    let (kind, tag) = match (session.status.as_deref(), session.payment_status.as_str()) {
        (Some("complete"), "paid" | "no_payment_required") => {
            (EventKind::CheckoutCompleted, "paid")
        }
        (Some("expired"), _) => (EventKind::CheckoutExpired, "expired"),
        _ => return None,
    };
    Some(StripeEvent {
        id: format!("reconcile_{}_{tag}", session.id),
        event_type: kind.event_type().to_owned(),
        created: None,
        livemode: Some(session.livemode),
        object: EventObject {
            object: Some("checkout.session".to_owned()),
            id: Some(session.id.clone()),
            booking_id: Some(
                session
                    .booking_id
                    .clone()
                    .unwrap_or_else(|| booking_id.to_string()),
            ),
            client_reference_id: None,
            payment_intent: session.payment_intent.clone(),
            payment_status: Some(session.payment_status.clone()),
            // The session was retrieved by the id its booking holds: it is one we made.
            mode: None,
            status: session.status.clone(),
            amount: session.amount_total,
            amount_refunded: None,
            refunded: None,
            currency: session.currency.as_ref().map(|c| c.to_ascii_uppercase()),
            failure_message: None,
            // The same money rule as the webhook's: a discount the session accounts for.
            amount_discount: session.discount.as_ref().map(|d| d.amount),
            promotion_code_id: session
                .discount
                .as_ref()
                .and_then(|d| d.promotion_code_id.clone()),
            promotion_code: session
                .discount
                .as_ref()
                .and_then(|d| d.promotion_code.clone()),
        },
    })
}

/// Asks Stripe about one booking's checkout session and applies the answer. `min_gap_ms`
/// throttles repeated asks about the same booking.
pub async fn reconcile_booking(
    db: &Db,
    gateway: &dyn PaymentGateway,
    booking_id: i64,
    min_gap_ms: i64,
) -> Result<Reconciled, ReconcileError> {
    let Some(session_id) = checkout::claim_reconcile(db, booking_id, now_ms(), min_gap_ms).await?
    else {
        return Ok(if checkout::awaits_reconcile(db, booking_id).await? {
            Reconciled::Throttled
        } else {
            Reconciled::NotApplicable
        });
    };
    let session = gateway.retrieve_session(&session_id).await?;
    match event_for(&session, booking_id) {
        None => Ok(Reconciled::NothingYet),
        Some(event) => {
            let applied = apply_event(db, &event, EventSource::Reconcile, gateway.mode()).await?;
            tracing::info!(booking_id, session = %session_id, outcome = %applied.outcome(), "reconciled");
            Ok(Reconciled::Applied(applied))
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ReconcileError {
    #[error(transparent)]
    Gateway(#[from] GatewayError),
    #[error(transparent)]
    Apply(#[from] ApplyError),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// A summary of one reconciliation pass.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    pub checked: usize,
    pub applied: usize,
    pub failed: usize,
}

/// Reconciles every unpaid or failed booking whose checkout session is older than
/// `older_than_ms` (up to `limit` of them, oldest first).
pub async fn reconcile_due(
    db: &Db,
    gateway: &dyn PaymentGateway,
    older_than_ms: i64,
    limit: i64,
) -> Result<Report, sqlx::Error> {
    let due = checkout::due_for_reconcile(db, now_ms() - older_than_ms, limit).await?;
    let mut report = Report::default();
    for id in due {
        report.checked += 1;
        match reconcile_booking(db, gateway, id, 0).await {
            Ok(Reconciled::Applied(Applied::Decided { .. })) => report.applied += 1,
            Ok(_) => {}
            Err(error) => {
                report.failed += 1;
                tracing::warn!(booking_id = id, %error, "reconciliation failed");
            }
        }
    }
    Ok(report)
}

/// Bookings reconciled per pass at most (the rest wait for the next pass).
pub const BATCH: i64 = 200;

/// Passes until no booking is due (a full pass that applied nothing new also stops): the
/// `server reconcile` command.
pub async fn reconcile_all(
    db: &Db,
    gateway: &dyn PaymentGateway,
    older_than_ms: i64,
) -> Result<Report, sqlx::Error> {
    let mut total = Report::default();
    loop {
        let report = reconcile_due(db, gateway, older_than_ms, BATCH).await?;
        total.checked += report.checked;
        total.applied += report.applied;
        total.failed += report.failed;
        if (report.checked as i64) < BATCH || report.applied == 0 {
            return Ok(total);
        }
    }
}
