//! Payment issues: an admin marks one resolved once looked at.

use crate::db::{now_ms, payment_logs, Db};

/// Marks the issue whose newest line is `key` resolved by `admin`: its lines up to `key`
/// (a newer line opens a new issue). Returns how many lines it resolved (0: already done).
pub async fn resolve(db: &Db, key: i64, admin: &str) -> Result<u64, sqlx::Error> {
    payment_logs::resolve(db, key, admin, now_ms()).await
}
