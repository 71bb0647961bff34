//! Payment issues: an admin marks one resolved once looked at; a failed payment followed by a
//! payment resolves itself.

use crate::db::{now_ms, payment_logs, Db, Tx};

/// Who resolved a failure that a later payment settled.
pub const PAID_SINCE: &str = "the later payment";

/// Marks the issue whose newest line is `key` resolved by `admin`: its lines up to `key`
/// (a newer line opens a new issue). Returns how many lines it resolved (0: already done).
pub async fn resolve(db: &Db, key: i64, admin: &str) -> Result<u64, sqlx::Error> {
    payment_logs::resolve(db, key, admin, now_ms()).await
}

/// In the payment's transaction: the open "payment failed" issues of those of `booking_ids`
/// that are paid now are resolved (by [`PAID_SINCE`], `now`): nothing is left to do.
pub async fn settle_paid_failures(
    tx: &mut Tx,
    booking_ids: &[i64],
    now: i64,
) -> Result<u64, sqlx::Error> {
    payment_logs::resolve_failures_paid_since(tx, booking_ids, PAID_SINCE, now).await
}
