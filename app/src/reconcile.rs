//! Reconciliation: asks Stripe about checkout sessions whose webhook has not arrived and applies
//! what Stripe says through the same decision and ledger as the webhook (source `reconcile`).
//! Stripe delivers at least once, late, or (rarely) never; this covers the "never".

use crate::checkout::{CheckoutGateway, GatewayError, RetrievedSession};
use crate::db::payments::{apply_event, Applied, EventSource};
use crate::db::{now_ms, Db};
use crate::domain::{EventObject, StripeEvent};
use crate::live::LiveHub;

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
    let (event_type, tag) = match (session.status.as_deref(), session.payment_status.as_str()) {
        (Some("complete"), "paid" | "no_payment_required") => {
            ("checkout.session.completed", "paid")
        }
        (Some("expired"), _) => ("checkout.session.expired", "expired"),
        _ => return None,
    };
    Some(StripeEvent {
        id: format!("reconcile_{}_{tag}", session.id),
        event_type: event_type.to_owned(),
        created: None,
        livemode: None,
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
            amount: session.amount_total,
            amount_refunded: None,
            refunded: None,
            currency: session.currency.as_ref().map(|c| c.to_ascii_uppercase()),
            failure_message: None,
        },
    })
}

/// Asks Stripe about one booking's checkout session and applies the answer. `min_gap_ms`
/// throttles repeated asks about the same booking.
pub async fn reconcile_booking(
    db: &Db,
    hub: &LiveHub,
    gateway: &dyn CheckoutGateway,
    booking_id: i64,
    min_gap_ms: i64,
) -> Result<Reconciled, ReconcileError> {
    let now = now_ms();
    // Claim the ask: only one caller per gap gets through (a conditional UPDATE).
    let session: Option<String> = sqlx::query_scalar(
        "UPDATE bookings SET reconciled_at = $1
         WHERE id = $2 AND payment_status IN ('unpaid', 'failed')
           AND stripe_checkout_session_id IS NOT NULL
           AND (reconciled_at IS NULL OR reconciled_at <= $3)
         RETURNING stripe_checkout_session_id",
    )
    .bind(now)
    .bind(booking_id)
    .bind(now - min_gap_ms)
    .fetch_optional(db.writer())
    .await?
    .flatten();
    let Some(session_id) = session else {
        let exists: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM bookings WHERE id = $1 AND payment_status IN ('unpaid', 'failed')
             AND stripe_checkout_session_id IS NOT NULL",
        )
        .bind(booking_id)
        .fetch_optional(db.reader())
        .await?;
        return Ok(if exists.is_some() {
            Reconciled::Throttled
        } else {
            Reconciled::NotApplicable
        });
    };
    let session = gateway.retrieve_session(&session_id).await?;
    match event_for(&session, booking_id) {
        None => Ok(Reconciled::NothingYet),
        Some(event) => {
            let applied = apply_event(db, hub, &event, EventSource::Reconcile).await?;
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
    hub: &LiveHub,
    gateway: &dyn CheckoutGateway,
    older_than_ms: i64,
    limit: i64,
) -> Result<Report, sqlx::Error> {
    let now = now_ms();
    let due: Vec<i64> = sqlx::query_scalar(
        "SELECT id FROM bookings
         WHERE stripe_checkout_session_id IS NOT NULL AND checkout_started_at <= $1
           AND payment_status IN ('unpaid', 'failed')
         ORDER BY checkout_started_at LIMIT $2",
    )
    .bind(now - older_than_ms)
    .bind(limit)
    .fetch_all(db.reader())
    .await?;
    let mut report = Report::default();
    for id in due {
        report.checked += 1;
        match reconcile_booking(db, hub, gateway, id, 0).await {
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
