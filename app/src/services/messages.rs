//! An admin's message to a session's families (issue 24): one mail per address (each to that
//! address alone, so no family sees another's), queued with the message in one transaction;
//! the session keeps the message with who wrote it and when, and each mail's delivery state
//! is its outbox row's.

use crate::db::messages::{self, NewMessage};
use crate::db::outbox::{self, NewMail};
use crate::db::{now_ms, sessions, Db};
use domain::mail::{MessageFacts, SessionNote, UnbookedMail};

#[derive(Debug, thiserror::Error)]
pub enum MessageError {
    #[error("no such session")]
    NoSuchSession,
    /// Nobody is booked (or waiting, when asked): there is no one to write to.
    #[error("nobody is booked into this session yet")]
    NobodyToWrite,
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// What was sent: the message's id and to how many addresses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sent {
    pub id: i64,
    pub recipients: usize,
}

/// Writes `note` to every family booked into `session` (and to those waiting when
/// `include_waitlist`), from the admin `by`.
pub async fn send_to_session(
    db: &Db,
    session: i64,
    note: &SessionNote,
    include_waitlist: bool,
    by: &str,
) -> Result<Sent, MessageError> {
    let facts = sessions::get(db, session)
        .await?
        .ok_or(MessageError::NoSuchSession)?;
    let now = now_ms();
    let mut tx = db.begin().await?;
    let to = messages::recipients(&mut tx, session, include_waitlist).await?;
    if to.is_empty() {
        return Err(MessageError::NobodyToWrite);
    }
    let id = messages::insert(
        &mut tx,
        NewMessage {
            session,
            subject: &note.subject,
            body: &note.text,
            include_waitlist,
            recipients: i64::try_from(to.len()).unwrap_or(i64::MAX),
            sent_by: by,
        },
        now,
    )
    .await?;
    let mail = UnbookedMail::SessionMessage(MessageFacts {
        subject: note.subject.clone(),
        text: note.text.clone(),
        session_title: facts.title,
        starts_at: facts.starts_at,
        location: facts.location,
    });
    let stored = mail.to_stored();
    let keys: Vec<String> = to
        .iter()
        .map(|address| format!("session_message:{id}:{address}"))
        .collect();
    let mails: Vec<NewMail<'_>> = to
        .iter()
        .zip(&keys)
        .map(|(address, key)| NewMail {
            kind: mail.kind(),
            dedupe_key: key,
            booking_id: None,
            recipient: address,
            facts: &stored,
            send_after: None,
        })
        .collect();
    outbox::enqueue_all(&mut tx, &mails, now).await?;
    tx.commit().await?;
    tracing::info!(
        session,
        message = id,
        recipients = to.len(),
        "session message queued"
    );
    Ok(Sent {
        id,
        recipients: to.len(),
    })
}
