//! The outbox: mails to send, written in the same transaction as the change that causes them
//! (so a crash between the commit and the send loses nothing), one row per change (its dedupe
//! key is unique), claimed by one sender at a time for a while (`locked_until`; PostgreSQL
//! also skips rows another transaction holds), then marked sent, retried later, or failed.

use super::sql::Binds;
use super::{Backend, Db, Tx};
use domain::mail::MailKind;
use domain::MailStatus;

/// A mail to write into the outbox.
#[derive(Debug, Clone, Copy)]
pub struct NewMail<'a> {
    pub kind: MailKind,
    pub dedupe_key: &'a str,
    pub booking_id: Option<i64>,
    pub recipient: &'a str,
    /// `domain::mail::MailFacts` as JSON.
    pub facts: &'a str,
    /// Not sent before this (UTC ms); `None` as soon as possible.
    pub send_after: Option<i64>,
}

/// Adds a mail to send as soon as possible; nothing when its key is already there (the same
/// change, seen again). True when it was added.
pub async fn enqueue(tx: &mut Tx, mail: NewMail<'_>, now: i64) -> Result<bool, sqlx::Error> {
    Ok(enqueue_all(tx, &[mail], now).await? == 1)
}

/// Queues several mails in one statement (a key already queued is the same mail, kept
/// once); how many were added.
pub async fn enqueue_all(tx: &mut Tx, mails: &[NewMail<'_>], now: i64) -> Result<u64, sqlx::Error> {
    if mails.is_empty() {
        return Ok(0);
    }
    let mut binds = Binds::on_connection(tx);
    let rows = binds.rows(mails, |row, mail| {
        row.bind(mail.dedupe_key)
            .bind(mail.kind.as_str())
            .bind(mail.booking_id)
            .bind(mail.recipient)
            .bind(mail.facts)
            .bind(mail.send_after.unwrap_or(now).max(now))
            .bind(now);
    });
    let sql = format!(
        "INSERT INTO outbox (dedupe_key, kind, booking_id, recipient, payload, next_attempt_at, created_at)
         VALUES {rows}
         ON CONFLICT (dedupe_key) DO NOTHING"
    );
    Ok(binds.query(sql)?.execute(&mut **tx).await?.rows_affected())
}

/// A mail a sender holds.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Claimed {
    pub id: i64,
    #[sqlx(try_from = "String")]
    pub kind: MailKind,
    pub booking_id: Option<i64>,
    pub recipient: String,
    pub payload: String,
    /// Tries before this one.
    pub attempts: i64,
    pub created_at: i64,
}

/// The claim, written once: the due rows that nobody holds, held until `$1` under the token
/// `$4`.
macro_rules! claim {
    ($lock:literal) => {
        concat!(
            "UPDATE outbox SET locked_until = $1, claim_token = $4
             WHERE id IN (SELECT id FROM outbox
                          WHERE status = 'pending' AND next_attempt_at <= $2 AND locked_until <= $2
                          ORDER BY id LIMIT $3",
            $lock,
            ")
             RETURNING id, kind, booking_id, recipient, payload, attempts, created_at"
        )
    };
}

/// Whether any mail is due (a read, so an idle sender does not take the writer).
pub async fn any_due(db: &Db, now: i64) -> Result<bool, sqlx::Error> {
    let due: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM outbox
         WHERE status = 'pending' AND next_attempt_at <= $1 AND locked_until <= $1 LIMIT 1",
    )
    .bind(now)
    .fetch_optional(db.reader())
    .await?;
    Ok(due.is_some())
}

/// Claims up to `limit` due mails for `lease_ms`, under `token`. On PostgreSQL the rows
/// another instance is claiming at the same moment are skipped, never waited for nor taken
/// twice.
pub async fn claim(
    db: &Db,
    now: i64,
    lease_ms: i64,
    limit: i64,
    token: &str,
) -> Result<Vec<Claimed>, sqlx::Error> {
    let sql = match db.backend() {
        Backend::Postgres => claim!(" FOR UPDATE SKIP LOCKED"),
        Backend::Sqlite => claim!(""),
    };
    sqlx::query_as(sql)
        .bind(now + lease_ms)
        .bind(now)
        .bind(limit)
        .bind(token.to_owned())
        .fetch_all(db.writer())
        .await
}

/// Holds a claimed mail until `until` for one try, counted; false when the claim of `token`
/// is no longer its own (its lease ran out and another sender took it, or it was sent).
pub async fn hold_for_try(db: &Db, id: i64, token: &str, until: i64) -> Result<bool, sqlx::Error> {
    let held = sqlx::query(
        "UPDATE outbox SET locked_until = $1, attempts = attempts + 1
         WHERE id = $2 AND claim_token = $3 AND status = 'pending'",
    )
    .bind(until)
    .bind(id)
    .bind(token.to_owned())
    .execute(db.writer())
    .await?
    .rows_affected();
    Ok(held == 1)
}

/// The mail went out (under the claim of `token`).
pub async fn sent(
    db: &Db,
    id: i64,
    token: &str,
    subject: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE outbox SET status = 'sent', sent_at = $1, subject = $2, locked_until = 0,
                last_error = NULL
         WHERE id = $3 AND claim_token = $4",
    )
    .bind(now)
    .bind(subject.to_owned())
    .bind(id)
    .bind(token.to_owned())
    .execute(db.writer())
    .await?;
    Ok(())
}

/// A mail that turned out to have nothing to say (a "find my booking" for an address with no
/// upcoming booking): removed, never sent.
pub async fn discard(db: &Db, id: i64, token: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM outbox WHERE id = $1 AND claim_token = $2 AND status = 'pending'")
        .bind(id)
        .bind(token.to_owned())
        .execute(db.writer())
        .await?;
    Ok(())
}

/// Queues a "find my booking" mail to `recipient`, unless one was queued for it since
/// `quiet_since`: the same statement whatever the address. True when it was queued.
pub async fn enqueue_lookup(
    db: &Db,
    mail: NewMail<'_>,
    now: i64,
    quiet_since: i64,
) -> Result<bool, sqlx::Error> {
    let added = sqlx::query(
        "INSERT INTO outbox (dedupe_key, kind, booking_id, recipient, payload, next_attempt_at, created_at)
         SELECT $1, $2, NULL, $3, $4, $5, $5
         WHERE NOT EXISTS (SELECT 1 FROM outbox
                           WHERE kind = 'booking_lookup' AND recipient = $3 AND created_at > $6)
         ON CONFLICT (dedupe_key) DO NOTHING",
    )
    .bind(mail.dedupe_key.to_owned())
    .bind(mail.kind.as_str())
    .bind(mail.recipient.to_owned())
    .bind(mail.facts.to_owned())
    .bind(now)
    .bind(quiet_since)
    .execute(db.writer())
    .await?
    .rows_affected();
    Ok(added == 1)
}

/// The mail could not go out this time: try again at `next_attempt_at`, or (`give_up`) no
/// more, until an admin asks for it again.
pub async fn not_sent(
    db: &Db,
    id: i64,
    token: &str,
    error: &str,
    next_attempt_at: i64,
    give_up: bool,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE outbox SET status = $1, last_error = $2, next_attempt_at = $3, locked_until = 0
         WHERE id = $4 AND claim_token = $5 AND status = 'pending'",
    )
    .bind(
        if give_up {
            MailStatus::Failed
        } else {
            MailStatus::Pending
        }
        .as_str(),
    )
    .bind(error.to_owned())
    .bind(next_attempt_at)
    .bind(id)
    .bind(token.to_owned())
    .execute(db.writer())
    .await?;
    Ok(())
}

/// An admin asks for a mail that failed to be tried again; false when it had not failed.
pub async fn resend(db: &Db, id: i64, now: i64) -> Result<bool, sqlx::Error> {
    let changed = sqlx::query(
        "UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = $1,
                locked_until = 0, last_error = NULL
         WHERE id = $2 AND status = 'failed'",
    )
    .bind(now)
    .bind(id)
    .execute(db.writer())
    .await?
    .rows_affected();
    Ok(changed == 1)
}

/// One mail as the admin's list shows it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Listed {
    pub id: i64,
    #[sqlx(try_from = "String")]
    pub kind: MailKind,
    pub booking_id: Option<i64>,
    pub recipient: String,
    #[sqlx(try_from = "String")]
    pub status: MailStatus,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub subject: Option<String>,
    pub created_at: i64,
    pub sent_at: Option<i64>,
    /// The facts the mail is written from.
    pub payload: String,
}

impl Listed {
    /// The row as a sender reads it, to write its mail out.
    pub fn as_claimed(&self) -> Claimed {
        Claimed {
            id: self.id,
            kind: self.kind,
            booking_id: self.booking_id,
            recipient: self.recipient.clone(),
            payload: self.payload.clone(),
            attempts: self.attempts,
            created_at: self.created_at,
        }
    }
}

/// A page of mails, newest first, and how many there are (of `status` only, when given).
pub async fn list(
    db: &Db,
    status: Option<MailStatus>,
    limit: i64,
    offset: i64,
) -> Result<(Vec<Listed>, i64), sqlx::Error> {
    let status = status.map(MailStatus::as_str);
    let total: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE $1 IS NULL OR status = $1")
            .bind(status)
            .fetch_one(db.reader())
            .await?;
    let rows = sqlx::query_as(
        "SELECT id, kind, booking_id, recipient, status, attempts, last_error, subject, created_at,
                sent_at, payload
         FROM outbox WHERE $1 IS NULL OR status = $1
         ORDER BY id DESC LIMIT $2 OFFSET $3",
    )
    .bind(status)
    .bind(limit)
    .bind(offset)
    .fetch_all(db.reader())
    .await?;
    Ok((rows, total))
}

/// Queues `mail` unless one of its kind was queued for its recipient since `quiet_since` (a
/// family's sign-in link): the same statement whatever the address. True when it was queued.
pub async fn enqueue_unless_recent(
    db: &Db,
    mail: NewMail<'_>,
    now: i64,
    quiet_since: i64,
) -> Result<bool, sqlx::Error> {
    let added = sqlx::query(
        "INSERT INTO outbox (dedupe_key, kind, booking_id, recipient, payload, next_attempt_at, created_at)
         SELECT $1, $2, NULL, $3, $4, $5, $5
         WHERE NOT EXISTS (SELECT 1 FROM outbox
                           WHERE lower(recipient) = lower($3) AND created_at > $6 AND kind = $2)
         ON CONFLICT (dedupe_key) DO NOTHING",
    )
    .bind(mail.dedupe_key.to_owned())
    .bind(mail.kind.as_str())
    .bind(mail.recipient.to_owned())
    .bind(mail.facts.to_owned())
    .bind(now)
    .bind(quiet_since)
    .execute(db.writer())
    .await?
    .rows_affected();
    Ok(added == 1)
}

/// The mails to `email` (whatever its case), oldest first.
pub async fn to_address(db: &Db, email: &str) -> Result<Vec<Listed>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, kind, booking_id, recipient, status, attempts, last_error, subject, created_at,
                sent_at, payload
         FROM outbox WHERE lower(recipient) = lower($1) ORDER BY id LIMIT 2000",
    )
    .bind(email.to_owned())
    .fetch_all(db.reader())
    .await
}

/// Strips the mails to `email` of what they said of the family: a mail not sent yet is
/// dropped; a sent or failed one keeps its kind, status and times, addressed to `placeholder`.
pub async fn strip_to_address(
    tx: &mut Tx,
    email: &str,
    placeholder: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM outbox WHERE lower(recipient) = lower($1) AND status = 'pending'")
        .bind(email.to_owned())
        .execute(&mut **tx)
        .await?;
    sqlx::query(
        "UPDATE outbox SET recipient = $1, payload = '{}', subject = NULL, last_error = NULL
         WHERE lower(recipient) = lower($2)",
    )
    .bind(placeholder.to_owned())
    .bind(email.to_owned())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// [`strip_to_address`] for the mails about booking `booking_id`.
pub async fn strip_of_booking(
    tx: &mut Tx,
    booking_id: i64,
    placeholder: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM outbox WHERE booking_id = $1 AND status = 'pending'")
        .bind(booking_id)
        .execute(&mut **tx)
        .await?;
    sqlx::query(
        "UPDATE outbox SET recipient = $1, payload = '{}', subject = NULL, last_error = NULL
         WHERE booking_id = $2",
    )
    .bind(placeholder.to_owned())
    .bind(booking_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
