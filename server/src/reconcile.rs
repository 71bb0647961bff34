//! Reconciliation from the server: the periodic task and the `server reconcile` command.

use app::checkout::CheckoutGateway;
use app::db::Db;
use app::live::LiveHub;
use std::sync::Arc;
use std::time::Duration;

/// Bookings reconciled per pass at most (the rest wait for the next pass).
pub const BATCH: i64 = 200;

/// Every `interval`, asks Stripe about sessions older than `after` whose webhook never came.
pub fn spawn_periodic(
    db: Db,
    hub: LiveHub,
    gateway: Arc<dyn CheckoutGateway>,
    interval: Duration,
    after: Duration,
) {
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(interval);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        ticker.tick().await;
        loop {
            ticker.tick().await;
            match app::reconcile::reconcile_due(
                &db,
                &hub,
                gateway.as_ref(),
                after.as_millis() as i64,
                BATCH,
            )
            .await
            {
                Ok(report) if report.checked > 0 => tracing::info!(
                    checked = report.checked,
                    applied = report.applied,
                    failed = report.failed,
                    "reconciliation pass"
                ),
                Ok(_) => {}
                Err(error) => tracing::warn!(%error, "reconciliation pass failed"),
            }
        }
    });
}
