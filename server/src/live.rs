//! Fans PostgreSQL notifications of booking changes out to this instance's open pages.

use app::live::{LiveHub, CHANNEL, EVERYTHING};
use sqlx::postgres::PgListener;
use std::time::Duration;

/// Listens on the booking channel for as long as the process runs, reconnecting after outages;
/// after a gap (when notifications may have been missed) it tells pages to reload everything.
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
