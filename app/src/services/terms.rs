//! Terms (issue 23): a block of weekly sessions made at once, each a session of its own that
//! names its term. Sold only together unless the term has a drop-in price.

use crate::db::{bookings, now_ms, sessions, terms, Db};
use domain::booking_form::FieldErrors;
use domain::session_form::NewTrainingSession;
use domain::term::{shares, NewTerm};

/// Creates term `term` and all its sessions, in one transaction; the term's id. Each session
/// costs the drop-in price when sold alone, or else its share of the term's price (what a
/// refund of that one session gives back).
pub async fn create(db: &Db, term: &NewTerm) -> Result<i64, sqlx::Error> {
    let now = now_ms();
    let mut tx = db.begin().await?;
    let id = terms::insert(&mut tx, term, now).await?;
    let prices = shares(term.price_amount, term.starts.len());
    for (start, share) in term.starts.iter().zip(prices) {
        let session = sessions::create_in(
            &mut tx,
            &NewTrainingSession {
                title: term.title.clone(),
                starts_at: *start,
                duration_minutes: term.duration_minutes,
                location: term.location.clone(),
                capacity: term.capacity,
                price_amount: term.dropin_price_amount.unwrap_or(share),
                currency: term.currency.clone(),
            },
        )
        .await?;
        terms::attach(&mut tx, id, session).await?;
    }
    tx.commit().await?;
    tracing::info!(term_id = id, sessions = term.starts.len(), "term created");
    Ok(id)
}

/// Cancels term `term`: the term is marked cancelled (no longer offered), then each of its
/// sessions still to come is cancelled as an admin cancels a session (every booking cancelled,
/// each paid one refunded its share, the waitlist closed).
/// Running it again after an interruption finishes the work, refunding no one twice.
pub async fn cancel(
    db: &Db,
    gateway: &dyn crate::services::gateway::PaymentGateway,
    term: i64,
    admin_email: &str,
) -> Result<Vec<super::cancellation::Cancelled>, super::cancellation::CancelError> {
    let now = now_ms();
    // Marked first: the places waiting for the whole term close with its first session.
    terms::mark_cancelled(db, term, now).await?;
    let mut done = Vec::new();
    for session in sessions::of_term(db, term).await? {
        if session.starts_at > now {
            done.extend(
                super::cancellation::cancel_session(db, gateway, session.id, admin_email).await?,
            );
        }
    }
    tracing::info!(term_id = term, bookings = done.len(), "term cancelled");
    Ok(done)
}

/// Why a term's change was refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum ChangeError {
    /// A field's problem, named on it.
    #[error("the change has problems")]
    Invalid(FieldErrors),
    #[error(transparent)]
    Cancel(#[from] super::cancellation::CancelError),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Changes term `term` before its first session: places (never fewer than any session has
/// taken), price and drop-in price (for bookings made from now on; each session's price its
/// share of the term's, or the drop-in price), and dates it no longer has, each such session
/// then cancelled as a session is (its bookings refunded their shares). How many sessions were
/// cancelled.
pub async fn change(
    db: &Db,
    gateway: &dyn crate::services::gateway::PaymentGateway,
    term: i64,
    fields: &domain::term_change::TermChangeFields,
    tz: chrono_tz::Tz,
    admin_email: &str,
) -> Result<usize, ChangeError> {
    let refuse = |field: &str, message: String| {
        let mut errors = FieldErrors::default();
        errors.add(field, message);
        errors.values = fields.values();
        ChangeError::Invalid(errors)
    };
    let now = now_ms();
    let mut tx = db.begin().await?;
    let Some(price) = terms::lock(&mut tx, term).await? else {
        return Err(refuse("capacity", "That term does not exist.".into()));
    };
    let change = fields
        .parse(&price.currency)
        .map_err(ChangeError::Invalid)?;
    if price.cancelled_at.is_some() {
        return Err(refuse("capacity", "This term was cancelled.".into()));
    }
    let mut kept = Vec::new();
    let mut skipped = Vec::new();
    for (session, starts_at) in terms::sessions_of(&mut tx, term).await? {
        let Some(standing) = bookings::lock_session(&mut tx, session).await? else {
            continue;
        };
        if standing.cancelled_at.is_some() {
            continue;
        }
        if starts_at <= now {
            return Err(refuse(
                "capacity",
                "This term has started: change its sessions one by one.".into(),
            ));
        }
        let day = chrono::DateTime::from_timestamp_millis(starts_at)
            .map(|at| at.with_timezone(&tz).date_naive());
        if day.is_some_and(|day| change.skip.contains(&day)) {
            skipped.push((session, day));
            continue;
        }
        let taken = bookings::places_taken(&mut tx, session, now, 0).await?;
        if taken > change.capacity {
            return Err(refuse(
                "capacity",
                format!(
                    "{taken} places are taken in the session on {}: the places cannot be fewer.",
                    domain::schedule::when(starts_at, tz)
                ),
            ));
        }
        kept.push(session);
    }
    if let Some(stray) = change
        .skip
        .iter()
        .find(|d| !skipped.iter().any(|(_, day)| day.as_ref() == Some(*d)))
    {
        return Err(refuse(
            "skip",
            format!("{stray} is not the date of one of this term's sessions still to come."),
        ));
    }
    if kept.is_empty() {
        return Err(refuse(
            "skip",
            "Every session would be cancelled: cancel the term instead.".into(),
        ));
    }
    terms::set_prices(
        &mut tx,
        term,
        change.price_amount,
        change.dropin_price_amount,
    )
    .await?;
    let prices = shares(change.price_amount, kept.len());
    for (session, share) in kept.iter().zip(prices) {
        let price = change.dropin_price_amount.unwrap_or(share);
        terms::set_session(&mut tx, *session, change.capacity, price).await?;
    }
    db.commit(tx, &[]).await?;
    for (session, _) in &skipped {
        super::cancellation::cancel_session(db, gateway, *session, admin_email).await?;
    }
    tracing::info!(term_id = term, cancelled = skipped.len(), "term changed");
    Ok(skipped.len())
}
