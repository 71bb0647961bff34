//! Live updates: every committed change to a booking is announced to open admin pages. On
//! PostgreSQL the announcement is a NOTIFY sent inside the transaction (delivered on commit to
//! every server instance, whose listener hands it to its hub); on SQLite, which serves one
//! instance, `Db::commit` hands it straight to the hub.

use super::Tx;
use sqlx::postgres::PgListener;
use std::time::Duration;
use tokio::sync::broadcast;

/// The channel PostgreSQL carries booking changes on.
pub const CHANNEL: &str = "booking_changed";

/// Booking id 0 means "anything may have changed" (sent after a missed-notification gap).
pub const EVERYTHING: i64 = 0;

#[derive(Clone, Debug)]
pub struct LiveHub {
    sender: broadcast::Sender<i64>,
}

impl Default for LiveHub {
    fn default() -> Self {
        Self::new()
    }
}

impl LiveHub {
    pub fn new() -> Self {
        let (sender, _) = broadcast::channel(1024);
        Self { sender }
    }

    pub fn subscribe(&self) -> broadcast::Receiver<i64> {
        self.sender.subscribe()
    }

    /// Hands a change to the pages open on this instance.
    pub fn publish_local(&self, booking_id: i64) {
        // No subscriber is fine: nobody is looking.
        let _ = self.sender.send(booking_id);
    }
}

/// Queues one notification naming `booking_ids` (comma-separated, well under the 8000-byte
/// payload limit for the batches the writers make); PostgreSQL delivers it on commit.
pub(super) async fn notify(tx: &mut Tx, booking_ids: &[i64]) -> Result<(), sqlx::Error> {
    let payload = booking_ids
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(",");
    sqlx::query("SELECT pg_notify($1, $2)")
        .bind(CHANNEL)
        .bind(payload)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Listens on the booking channel for as long as the process runs, reconnecting after outages,
/// and hands each notification to `hub`; after a gap (when notifications may have been missed)
/// it tells pages to reload everything.
pub fn spawn_postgres_listener(url: String, hub: LiveHub) {
    tokio::spawn(async move {
        let mut gap = false;
        loop {
            match listen(&url, &hub, &mut gap).await {
                Ok(()) => return,
                Err(error) => {
                    tracing::warn!(%error, "live updates: PostgreSQL listener lost; retrying");
                    gap = true;
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
            }
        }
    });
}

async fn listen(url: &str, hub: &LiveHub, gap: &mut bool) -> Result<(), sqlx::Error> {
    let mut listener = PgListener::connect(url).await?;
    listener.listen(CHANNEL).await?;
    if std::mem::take(gap) {
        hub.publish_local(EVERYTHING);
    }
    loop {
        // `try_recv` reports a lost connection as None instead of reconnecting silently.
        match listener.try_recv().await? {
            Some(notification) => {
                for id in notification.payload().split(',') {
                    match id.parse::<i64>() {
                        Ok(id) => hub.publish_local(id),
                        Err(_) => {
                            tracing::warn!(payload = notification.payload(), "odd live payload")
                        }
                    }
                }
            }
            None => {
                hub.publish_local(EVERYTHING);
            }
        }
    }
}
