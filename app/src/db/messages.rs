//! An admin's messages to a session's families (`session_messages`), whom they go to, and
//! how their mails stand (their outbox rows, keyed `session_message:{id}:{address}`).

use super::Tx;
use serde::{Deserialize, Serialize};

/// The addresses of the families of session `session` (bookings standing: not cancelled, not
/// refunded), and of those on its waitlist still waiting or offered a place when `waitlist`;
/// lower-cased, each once.
pub async fn recipients(
    tx: &mut Tx,
    session: i64,
    waitlist: bool,
) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT DISTINCT lower(parent_email) FROM bookings
         WHERE training_session_id = $1 AND attendance_status <> 'cancelled'
           AND payment_status <> 'refunded'
         UNION
         SELECT DISTINCT lower(parent_email) FROM waitlist
         WHERE $2 = 1 AND training_session_id = $1 AND status IN ('waiting', 'offered')
           AND confirmed_at IS NOT NULL
         ORDER BY 1",
    )
    .bind(session)
    .bind(i64::from(waitlist))
    .fetch_all(&mut **tx)
    .await
}

/// What an admin wrote, kept before its mails are queued.
#[derive(Debug, Clone, Copy)]
pub struct NewMessage<'a> {
    pub session: i64,
    pub subject: &'a str,
    pub body: &'a str,
    pub include_waitlist: bool,
    pub recipients: i64,
    pub sent_by: &'a str,
}

/// Keeps a message; its id.
pub async fn insert(tx: &mut Tx, message: NewMessage<'_>, now: i64) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO session_messages
             (training_session_id, subject, body, include_waitlist, recipients, sent_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(message.session)
    .bind(message.subject.to_owned())
    .bind(message.body.to_owned())
    .bind(i64::from(message.include_waitlist))
    .bind(message.recipients)
    .bind(message.sent_by.to_owned())
    .bind(now)
    .fetch_one(&mut **tx)
    .await
}

/// A message as the session's page lists it, with how its mails stand.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct SentMessage {
    pub id: i64,
    pub subject: String,
    pub body: String,
    pub include_waitlist: i64,
    pub recipients: i64,
    pub sent_by: String,
    pub created_at: i64,
    pub delivered: i64,
    pub failed: i64,
}

/// The messages of session `session`, newest first, with their mails' delivery counts.
pub async fn of_session(db: &super::Db, session: i64) -> Result<Vec<SentMessage>, sqlx::Error> {
    sqlx::query_as(
        "SELECT m.id, m.subject, m.body, m.include_waitlist, m.recipients, m.sent_by,
                m.created_at,
                (SELECT COUNT(*) FROM outbox o
                 WHERE o.kind = 'session_message' AND o.status = 'sent'
                   AND o.dedupe_key LIKE 'session_message:' || m.id || ':%') AS delivered,
                (SELECT COUNT(*) FROM outbox o
                 WHERE o.kind = 'session_message' AND o.status = 'failed'
                   AND o.dedupe_key LIKE 'session_message:' || m.id || ':%') AS failed
         FROM session_messages m WHERE m.training_session_id = $1
         ORDER BY m.created_at DESC, m.id DESC",
    )
    .bind(session)
    .fetch_all(db.reader())
    .await
}
