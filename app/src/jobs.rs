//! The background jobs of an instance: each runs one use case over and over for as long as
//! the process runs. A failed round (the database away) is logged and the job goes on; several
//! instances may run the same jobs, since each use case claims or locks what it works on.

use crate::db::{now_ms, Db};
use crate::services::gateway::PaymentGateway;
use crate::services::mail::MailTransport;
use crate::services::{mail, reconcile, refunds, reminders, waitlist};
use crate::settings::Settings;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

/// How often an idle mail sender looks for due mails.
const MAIL_POLL: Duration = Duration::from_millis(500);
/// How often freed waitlist places are looked for.
const WAITLIST_EVERY: Duration = Duration::from_secs(2);
/// How often waitlist places never confirmed are looked for.
const UNCONFIRMED_EVERY: Duration = Duration::from_secs(600);
/// How often reminders coming due are looked for.
const REMINDERS_EVERY: Duration = Duration::from_secs(60);
/// How often bookings past the retention time are looked for.
const RETENTION_EVERY: Duration = Duration::from_secs(3600);
/// How often refund requests nobody holds are sent (again).
const REFUNDS_EVERY: Duration = Duration::from_secs(5);

/// Runs `round` every `interval` (the first after one interval when `wait_first`), in a task
/// of its own; a round that fails is logged as `what` and the next one comes.
fn every<F, Fut, T, E>(interval: Duration, wait_first: bool, what: &'static str, mut round: F)
where
    F: FnMut() -> Fut + Send + 'static,
    Fut: Future<Output = Result<T, E>> + Send,
    E: std::fmt::Display,
{
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(interval);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        if wait_first {
            ticker.tick().await;
        }
        loop {
            ticker.tick().await;
            if let Err(error) = round().await {
                tracing::warn!(%error, "{what}: this round failed");
            }
        }
    });
}

/// Offers freed places to the people waiting (`services::waitlist::offer_free_places`).
pub fn offer_waitlist_places(db: Db, offer_ms: i64) {
    every(WAITLIST_EVERY, false, "waitlist offers", move || {
        let db = db.clone();
        async move { waitlist::offer_free_places(&db, offer_ms, now_ms()).await }
    });
}

/// Forgets the waitlist places their address never confirmed within a day
/// (`services::waitlist::forget_unconfirmed`).
pub fn forget_unconfirmed_waitlist_places(db: Db) {
    every(
        UNCONFIRMED_EVERY,
        false,
        "unconfirmed waitlist places",
        move || {
            let db = db.clone();
            async move { waitlist::forget_unconfirmed(&db, now_ms()).await }
        },
    );
}

/// Queues the reminders coming due (`services::reminders::queue_due`); none when `ahead_ms` is
/// zero.
pub fn queue_reminders(db: Db, ahead_ms: i64) {
    if ahead_ms <= 0 {
        return;
    }
    every(REMINDERS_EVERY, false, "reminders", move || {
        let db = db.clone();
        async move { reminders::queue_due(&db, ahead_ms, now_ms()).await }
    });
}

/// Erases the personal data of bookings whose session ended more than `months` ago
/// (`services::family_data::erase_past`), every hour from the start.
pub fn erase_past_personal_data(db: Db, months: u32) {
    every(RETENTION_EVERY, false, "data retention", move || {
        let db = db.clone();
        async move { crate::services::family_data::erase_past(&db, months, now_ms()).await }
    });
}

/// Sends the refund requests nobody answered and nobody holds (`services::refunds::resume`).
pub fn resume_refunds(db: Db, gateway: Arc<dyn PaymentGateway>) {
    every(REFUNDS_EVERY, false, "refund resumer", move || {
        let (db, gateway) = (db.clone(), gateway.clone());
        async move { refunds::resume(&db, gateway.as_ref()).await }
    });
}

/// Every `interval`, asks the provider about checkouts older than `after` whose webhook never
/// came (`services::reconcile::reconcile_due`, one batch a round).
pub fn reconcile_payments(
    db: Db,
    gateway: Arc<dyn PaymentGateway>,
    interval: Duration,
    after: Duration,
) {
    every(interval, true, "reconciliation", move || {
        let (db, gateway) = (db.clone(), gateway.clone());
        async move {
            let report = reconcile::reconcile_due(
                &db,
                gateway.as_ref(),
                after.as_millis() as i64,
                reconcile::BATCH,
            )
            .await?;
            if report.checked > 0 {
                tracing::info!(
                    checked = report.checked,
                    applied = report.applied,
                    failed = report.failed,
                    "reconciliation pass"
                );
            }
            Ok::<_, sqlx::Error>(())
        }
    });
}

/// Sends the outbox's due mails (`services::mail::send_due`), at once again while there were
/// some, shortly after when there were none.
pub fn send_mail(db: Db, settings: Arc<Settings>, transport: Arc<dyn MailTransport>) {
    tokio::spawn(async move {
        loop {
            match mail::send_due(&db, &settings, transport.as_ref()).await {
                Ok(tried) if tried > 0 => continue,
                Ok(_) => {}
                Err(error) => tracing::warn!(%error, "mail sender: this round failed"),
            }
            tokio::time::sleep(MAIL_POLL).await;
        }
    });
}
