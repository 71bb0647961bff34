//! Live updates: every committed change to a booking is announced to open admin pages. On
//! PostgreSQL the announcement is a NOTIFY sent inside the transaction (delivered on commit to
//! every server instance); on SQLite, which serves one instance, it goes straight to this hub.

use crate::db::{Backend, Db};
use sqlx::{Any, Transaction};
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

/// Commits `tx` and announces the bookings it changed, once the change is durable.
pub async fn commit_and_announce(
    mut tx: Transaction<'static, Any>,
    db: &Db,
    hub: &LiveHub,
    booking_ids: &[i64],
) -> Result<(), sqlx::Error> {
    if db.backend() == Backend::Postgres && !booking_ids.is_empty() {
        // One notification per transaction: the ids, comma-separated (well under the 8000-byte
        // payload limit for the batches the writers make).
        let payload = booking_ids
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(",");
        sqlx::query("SELECT pg_notify($1, $2)")
            .bind(CHANNEL)
            .bind(payload)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    if db.backend() == Backend::Sqlite {
        for id in booking_ids {
            hub.publish_local(*id);
        }
    }
    Ok(())
}
