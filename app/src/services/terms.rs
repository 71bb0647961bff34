//! Terms (issue 23): a block of weekly sessions made at once, each a session of its own that
//! names its term. Sold only together unless the term has a drop-in price.

use super::booking::FormRefused;
use crate::db::bookings::{self, CreatedBooking};
use crate::db::{now_ms, sessions, terms, Db};
use domain::booking::HOLD_MS;
use domain::booking_form::{BookingFormInput, FieldErrors};
use domain::mail::BookingMail;
use domain::session_form::NewTrainingSession;
use domain::term::{shares, NewTerm};
use domain::{BookingSource, HoldPolicy};

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

/// Books every child of `input` into every session of term `term` still to be held, in one
/// transaction (all or none): the first booking holds the one checkout for the term's price
/// (less a sibling discount for the second child and after), each booking the share of its
/// session, so that one session's refund gives back that share. Each problem is named on the
/// form's `session` field.
pub async fn book(
    db: &Db,
    term: i64,
    input: &BookingFormInput,
    policy: HoldPolicy,
    sibling_percent: u8,
    key: &crate::settings::DataKey,
) -> Result<Vec<CreatedBooking>, FormRefused> {
    let refuse = |message: String| {
        let mut fields = FieldErrors::default();
        fields.add("session", message);
        fields.values = input.values();
        FormRefused::Invalid(fields)
    };
    let mut tx = db.begin().await?;
    let Some(price) = terms::lock(&mut tx, term).await? else {
        return Err(refuse("That term does not exist.".into()));
    };
    let all = terms::sessions_of(&mut tx, term).await?;
    let (Some(&(first, _)), None) = (all.first(), price.cancelled_at) else {
        return Err(refuse("That term was cancelled.".into()));
    };
    let mut form = input.clone();
    form.session = first.to_string();
    let requests = form.parse_children(true).map_err(FormRefused::Invalid)?;
    let now = now_ms();
    let children = i64::try_from(requests.len()).unwrap_or(i64::MAX);
    // Locked in order (as every term booking does), then checked: none started, a place in each
    // for every child.
    let mut held = Vec::new();
    for &(session, _) in &all {
        let Some(terms_of) = bookings::lock_session(&mut tx, session).await? else {
            continue;
        };
        if terms_of.cancelled_at.is_some() {
            continue;
        }
        if terms_of.starts_at <= now {
            return Err(refuse(
                "This term has started: it can no longer be booked.".into(),
            ));
        }
        let taken = bookings::places_taken(&mut tx, session, now, 0).await?;
        if taken + children > terms_of.capacity {
            let left = (terms_of.capacity - taken).max(0);
            return Err(refuse(match left {
                0 => "This term is full.".to_owned(),
                left => format!(
                    "Only {left} place{} left in this term, and this form books {children}: book fewer children here.",
                    if left == 1 { " is" } else { "s are" }
                ),
            }));
        }
        for request in &requests {
            let mut in_session = request.clone();
            in_session.training_session_id = session;
            if bookings::same_athlete_in_session(&mut tx, &in_session)
                .await?
                .is_some()
            {
                return Err(refuse(format!(
                    "{} is already booked into a session of this term with this email address.",
                    request.athlete_name
                )));
            }
        }
        held.push((session, terms_of));
    }
    if held.is_empty() {
        return Err(refuse("This term has no session left to book.".into()));
    }
    let holds = bookings::unpaid_holds(&mut tx, &requests[0].parent_email, first, now).await?;
    if let Some(limit) = policy.refuses(
        holds.held + children - 1,
        holds.in_session + children - 1,
        held[0].1.capacity,
    ) {
        let mut fields = FieldErrors::default();
        fields.add("parent_email", limit.message());
        fields.values = input.values();
        return Err(FormRefused::Limited {
            fields,
            retry_after_ms: holds.first_release.map_or(HOLD_MS, |at| at - now),
        });
    }
    let consent = crate::db::consent::current_version(&mut tx).await?;
    let child_prices =
        domain::siblings::shares(price.price_amount, requests.len(), sibling_percent);
    let mut created: Vec<CreatedBooking> = Vec::new();
    for (request, child_price) in requests.iter().zip(child_prices) {
        // The child's price over the sessions still held (a session cancelled before is not
        // paid for: the term's price is for those it has).
        let per_session = shares(child_price, held.len());
        for (position, (session, terms_of)) in held.iter().enumerate() {
            let mut in_session = request.clone();
            in_session.training_session_id = *session;
            let place = bookings::NewPlace {
                amount: per_session[position],
                paid_with: created.first().map(|lead| lead.id),
                held_until: now + HOLD_MS,
            };
            let booked = bookings::insert(
                &mut tx,
                &in_session,
                BookingSource::Online,
                None,
                terms_of,
                place,
                now,
            )
            .await?;
            if let Some(version) = consent {
                crate::db::consent::accepted(&mut tx, booked.id, version).await?;
            }
            super::medical::keep(&mut tx, key, booked.id, &request.track).await?;
            created.push(booked);
        }
    }
    let send_after = (policy.first_mail_delay_ms > 0).then_some(now + policy.first_mail_delay_ms);
    super::mail::queue_after(
        &mut tx,
        created[0].id,
        &requests[0].parent_email,
        None,
        &BookingMail::BookingCreated,
        now,
        send_after,
    )
    .await?;
    let ids: Vec<i64> = created.iter().map(|c| c.id).collect();
    db.commit(tx, &ids).await?;
    tracing::info!(term_id = term, bookings = created.len(), "term booked");
    Ok(created)
}

/// Cancels term `term`: each of its sessions still to come is cancelled as an admin cancels a
/// session (every booking cancelled, each paid one refunded its share), then the term itself.
/// Running it again after an interruption finishes the work, refunding no one twice.
pub async fn cancel(
    db: &Db,
    gateway: &dyn crate::services::gateway::PaymentGateway,
    term: i64,
    admin_email: &str,
) -> Result<Vec<super::cancellation::Cancelled>, super::cancellation::CancelError> {
    let now = now_ms();
    let mut done = Vec::new();
    for session in sessions::of_term(db, term).await? {
        if session.starts_at > now {
            done.extend(
                super::cancellation::cancel_session(db, gateway, session.id, admin_email).await?,
            );
        }
    }
    terms::mark_cancelled(db, term, now).await?;
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
