//! A family's bookings of a term cancelled together: the parent's whole term, before its first
//! session's cut-off, or the admin's refund of a child's sessions still to come once the term
//! has started. Each booking is cancelled and refunded its share as one booking is
//! (`services::cancellation`), and the family gets one mail for them all.

use super::cancellation::{cancel_together, CancelError, Cancelled};
use super::gateway::PaymentGateway;
use crate::db::{bookings, now_ms, sessions, terms, Db};
use crate::settings::Settings;
use domain::booking::{cancellation_cutoff, parent_may_cancel, CannotCancel};
use domain::{Actor, PaymentStatus};

/// A family's bookings of a term still to come, as a cancellation would take them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TermPart {
    pub term_id: i64,
    pub term_title: String,
    /// The bookings, the soonest first.
    pub bookings: Vec<bookings::Booking>,
    /// What their refunds come to (minor units of `currency`): each paid booking's share not
    /// refunded yet.
    pub refund: i64,
    pub currency: String,
    /// The children, each once, in booking order.
    pub children: Vec<String>,
    /// The term's first session (UTC ms), held or not.
    pub first_starts_at: i64,
}

impl TermPart {
    /// How many sessions the bookings are of (a family of two has two bookings a session).
    pub fn sessions(&self) -> usize {
        let mut starts: Vec<i64> = self.bookings.iter().map(|b| b.session_starts_at).collect();
        starts.dedup();
        starts.len()
    }
}

/// The part of term `term` made of bookings `ids`; `None` when none stands.
async fn part_of(db: &Db, term: i64, ids: Vec<i64>) -> Result<Option<TermPart>, sqlx::Error> {
    let Some(price) = terms::price_now(db, term).await? else {
        return Ok(None);
    };
    let mut part = TermPart {
        term_id: term,
        term_title: price.title,
        bookings: Vec::with_capacity(ids.len()),
        refund: 0,
        currency: price.currency,
        children: Vec::new(),
        first_starts_at: sessions::of_term(db, term)
            .await?
            .iter()
            .filter(|s| s.cancelled_at.is_none())
            .map(|s| s.starts_at)
            .min()
            .unwrap_or(0),
    };
    for id in ids {
        let Some(booking) = bookings::by_id(db, id).await? else {
            continue;
        };
        if booking.payment_status == PaymentStatus::Paid {
            part.refund +=
                (booking.amount_paid.unwrap_or(booking.amount) - booking.amount_refunded).max(0);
        }
        if !part.children.contains(&booking.athlete_name) {
            part.children.push(booking.athlete_name.clone());
        }
        part.bookings.push(booking);
    }
    Ok((!part.bookings.is_empty()).then_some(part))
}

/// The term booking `reference` is part of, as its family's whole term: every booking paid
/// together with it still to come. `None` for a booking of no term.
pub async fn of_booking(db: &Db, reference: &str) -> Result<Option<TermPart>, sqlx::Error> {
    let Some(booking) = bookings::by_reference(db, reference).await? else {
        return Ok(None);
    };
    let Some(term) = sessions::get(db, booking.training_session_id)
        .await?
        .and_then(|s| s.term_id)
    else {
        return Ok(None);
    };
    let lead = booking.paid_with.unwrap_or(booking.id);
    let ids = terms::standing_to_come(db, term, Some(lead), None, now_ms()).await?;
    part_of(db, term, ids).await
}

/// Whether the parent may cancel the whole term `part` now: before the cut-off of the term's
/// first session, with nothing refunded or held yet.
pub fn parent_may_cancel_term(
    part: &TermPart,
    settings: &Settings,
    now: i64,
) -> Result<(), CannotCancel> {
    let first = &part.bookings[0];
    let cutoff = cancellation_cutoff(settings.cancellation_cutoff_ms, first.schedule_changes);
    parent_may_cancel(
        first.payment_status,
        first.attendance_status,
        part.first_starts_at.min(first.session_starts_at),
        now,
        cutoff,
    )
}

/// The parent cancels their whole term from one of its bookings' pages: every booking paid
/// together with it (every child, every session) cancelled, and what was paid refunded.
pub async fn cancel_by_parent(
    db: &Db,
    gateway: &dyn PaymentGateway,
    settings: &Settings,
    reference: &str,
) -> Result<Vec<Cancelled>, CancelError> {
    let part = of_booking(db, reference)
        .await?
        .ok_or(CancelError::NoSuchBooking)?;
    parent_may_cancel_term(&part, settings, now_ms()).map_err(CancelError::Cannot)?;
    let ids: Vec<i64> = part.bookings.iter().map(|b| b.id).collect();
    let done = cancel_together(
        db,
        gateway,
        &ids,
        Actor::Parent,
        true,
        "You cancelled the whole term from your booking page.",
    )
    .await?;
    tracing::info!(
        term_id = part.term_id,
        bookings = done.len(),
        "term cancelled by its family"
    );
    Ok(done)
}

/// A child's bookings of term `term` still to come (the child `athlete` of the parent at
/// `email`), as the admin's refund of them would take them.
pub async fn child_to_come(
    db: &Db,
    term: i64,
    email: &str,
    athlete: &str,
) -> Result<Option<TermPart>, sqlx::Error> {
    let ids = terms::standing_to_come(db, term, None, Some((email, athlete)), now_ms()).await?;
    part_of(db, term, ids).await
}

/// The admin cancels a child's sessions of term `term` still to come and refunds each its
/// share (the amount shown on the term's page before it is confirmed).
pub async fn refund_to_come(
    db: &Db,
    gateway: &dyn PaymentGateway,
    term: i64,
    email: &str,
    athlete: &str,
    admin_email: &str,
) -> Result<Vec<Cancelled>, CancelError> {
    let Some(part) = child_to_come(db, term, email, athlete).await? else {
        return Ok(Vec::new());
    };
    let ids: Vec<i64> = part.bookings.iter().map(|b| b.id).collect();
    let done = cancel_together(
        db,
        gateway,
        &ids,
        Actor::Admin(admin_email.to_owned()),
        true,
        "The term's sessions still to come are cancelled for this athlete, and what they cost refunded.",
    )
    .await?;
    tracing::info!(
        term_id = term,
        bookings = done.len(),
        "term's sessions to come refunded"
    );
    Ok(done)
}
