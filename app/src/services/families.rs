//! A family's account (issue 22), without a password: its address gets a link, and the link
//! opens a login. Asking for a link does the same work whatever the address (one conditional
//! insert into the outbox), so neither the answer nor its timing tells a stranger whether the
//! address has bookings. The link's token is made when the mail goes (`with_new_link`, called
//! by the mail sender) and only its SHA-256 is kept; it opens once, within
//! `SIGN_IN_LINK_MINUTES`. A login is a random token in the `family` cookie, kept hashed, that
//! lasts `domain::family::LOGIN_MS` at most and ends after `LOGIN_IDLE_MS` unused.
//!
//! An address change mails the new address a link of its own; only opening it moves the
//! family's bookings, waitlist places and account to the new address.

use crate::db::families::{self, Family};
use crate::db::outbox::{self, NewMail};
use crate::db::{now_ms, Db};
use crate::settings::Settings;
use domain::family::{LinkPurpose, LinkRefusal, ADDRESS_LINK_MS, LOGIN_IDLE_MS, LOGIN_MS};
use domain::mail::{MailKind, UnbookedMail};
use sha2::{Digest, Sha256};

/// After a sign-in mail to an address is queued, no other is for this long (one link a
/// minute, however many ask; each of them is answered the same).
pub const SIGN_IN_QUIET_MS: i64 = 60 * 1000;
/// A login's last use is written at most this often.
const TOUCH_EVERY_MS: i64 = 60 * 1000;

#[derive(Debug, thiserror::Error)]
pub enum FamilyError {
    #[error("{}", .0.sentence())]
    Link(LinkRefusal),
    /// The new address already has a family account of its own.
    #[error("that address already has a family account: sign in with it instead")]
    AddressTaken,
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// The SHA-256 of a token (hex): all that is kept of a link or a login.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

fn new_token() -> String {
    hex::encode(rand::random::<[u8; 32]>())
}

/// Queues the sign-in mail of `email` (lower-cased, checked by the caller), unless one was
/// queued in the last minute. True when it was queued.
pub async fn mail_sign_in_link(
    db: &Db,
    settings: &Settings,
    email: &str,
) -> Result<bool, sqlx::Error> {
    let now = now_ms();
    let key = format!(
        "{}:{email}:{}",
        MailKind::FamilySignIn.as_str(),
        now / SIGN_IN_QUIET_MS
    );
    let facts = UnbookedMail::FamilySignIn {
        link: None,
        minutes: settings.family.sign_in_link_ms / 60_000,
    }
    .to_stored();
    outbox::enqueue_unless_recent(
        db,
        NewMail {
            kind: MailKind::FamilySignIn,
            dedupe_key: &key,
            booking_id: None,
            recipient: email,
            facts: &facts,
            send_after: None,
        },
        now,
        now - SIGN_IN_QUIET_MS,
    )
    .await
}

/// A family's link mail with its link, made now for `recipient` (the token's hash kept, the
/// token only in the mail); `None` when there is nothing to send (the family is gone), and the
/// facts unchanged for any other mail.
pub async fn with_new_link(
    db: &Db,
    settings: &Settings,
    recipient: &str,
    facts: UnbookedMail,
) -> Result<Option<UnbookedMail>, sqlx::Error> {
    let now = now_ms();
    let token = new_token();
    Ok(Some(match facts {
        UnbookedMail::FamilySignIn { minutes, .. } => {
            families::insert_link(
                db,
                &token_hash(&token),
                LinkPurpose::SignIn,
                recipient,
                None,
                now,
                now + settings.family.sign_in_link_ms,
            )
            .await?;
            UnbookedMail::FamilySignIn {
                link: Some(format!("{}/sign-in/{token}", settings.public_base_url)),
                minutes,
            }
        }
        UnbookedMail::FamilyAddressChange { family, .. } => {
            if families::by_id(db, family).await?.is_none() {
                return Ok(None);
            }
            families::insert_link(
                db,
                &token_hash(&token),
                LinkPurpose::AddressChange,
                recipient,
                Some(family),
                now,
                now + ADDRESS_LINK_MS,
            )
            .await?;
            UnbookedMail::FamilyAddressChange {
                family,
                link: Some(format!(
                    "{}/family/address/{token}",
                    settings.public_base_url
                )),
            }
        }
        other => other,
    }))
}

/// Whether the link of `token` would open (for `purpose`): `None` when it would, or why not.
/// Reading it spends nothing (a mail scanner's visit leaves it whole).
pub async fn link_refusal(
    db: &Db,
    token: &str,
    purpose: LinkPurpose,
) -> Result<Option<LinkRefusal>, sqlx::Error> {
    Ok(match families::link(db, &token_hash(token)).await? {
        Some(link) if link.purpose == purpose => {
            LinkRefusal::of(link.used_at.is_some(), link.expires_at, now_ms())
        }
        _ => Some(LinkRefusal::Unknown),
    })
}

/// Opens the sign-in link of `token` (once): the family of its address (made now if it had
/// none: its bookings are its address's) gets a login; returns the login's token.
pub async fn sign_in(db: &Db, token: &str) -> Result<String, FamilyError> {
    let now = now_ms();
    let hash = token_hash(token);
    let mut tx = db.begin().await?;
    let Some((email, _)) = families::take_link(&mut tx, &hash, LinkPurpose::SignIn, now).await?
    else {
        drop(tx);
        let why = link_refusal(db, token, LinkPurpose::SignIn)
            .await?
            .unwrap_or(LinkRefusal::Used);
        return Err(FamilyError::Link(why));
    };
    let family = families::upsert(&mut tx, &email.to_lowercase(), now).await?;
    let login = new_token();
    families::open_login(&mut tx, &token_hash(&login), family, now, now + LOGIN_MS).await?;
    tx.commit().await?;
    tracing::info!(family, "family signed in");
    Ok(login)
}

/// The family a login token belongs to, while the login lasts and is in use; the use is
/// recorded.
pub async fn family_for_token(db: &Db, token: &str) -> Result<Option<Family>, sqlx::Error> {
    let now = now_ms();
    let hash = token_hash(token);
    let family = families::by_login(db, &hash, now, now - LOGIN_IDLE_MS).await?;
    if family.is_some() {
        families::touch_login(db, &hash, now, now - TOUCH_EVERY_MS).await?;
    }
    Ok(family)
}

pub async fn sign_out(db: &Db, token: &str) -> Result<(), sqlx::Error> {
    families::close_login(db, &token_hash(token), now_ms()).await
}

/// Mails `new_email` (lower-cased, checked by the caller) the link that confirms it as
/// family `family`'s address. True when it was queued (one a minute per address).
pub async fn ask_address_change(
    db: &Db,
    family: i64,
    new_email: &str,
) -> Result<bool, sqlx::Error> {
    let now = now_ms();
    let key = format!(
        "{}:{family}:{new_email}:{}",
        MailKind::FamilyAddressChange.as_str(),
        now / SIGN_IN_QUIET_MS
    );
    let facts = UnbookedMail::FamilyAddressChange { family, link: None }.to_stored();
    outbox::enqueue_unless_recent(
        db,
        NewMail {
            kind: MailKind::FamilyAddressChange,
            dedupe_key: &key,
            booking_id: None,
            recipient: new_email,
            facts: &facts,
            send_after: None,
        },
        now,
        now - SIGN_IN_QUIET_MS,
    )
    .await
}

/// Opens an address change's link (once): the family, its bookings and its waitlist places
/// move to the address the link was mailed to. Returns the new address.
pub async fn confirm_address(db: &Db, token: &str) -> Result<String, FamilyError> {
    let now = now_ms();
    let hash = token_hash(token);
    let mut tx = db.begin().await?;
    let Some((new_email, Some(family))) =
        families::take_link(&mut tx, &hash, LinkPurpose::AddressChange, now).await?
    else {
        drop(tx);
        let why = link_refusal(db, token, LinkPurpose::AddressChange)
            .await?
            .unwrap_or(LinkRefusal::Used);
        return Err(FamilyError::Link(why));
    };
    let new_email = new_email.to_lowercase();
    if families::by_email(db, &new_email)
        .await?
        .is_some_and(|other| other.id != family)
    {
        return Err(FamilyError::AddressTaken);
    }
    let Some(current) = families::by_id(db, family).await? else {
        return Err(FamilyError::Link(LinkRefusal::Unknown));
    };
    let moved = families::move_address(&mut tx, family, &current.email, &new_email, now).await?;
    db.commit(tx, &moved).await?;
    tracing::info!(family, bookings = moved.len(), "family address changed");
    Ok(new_email)
}
