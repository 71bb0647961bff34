//! Moving a booking to another session of the same price: by an admin at any time before the
//! session, by the parent up to the cancellation cut-off. The booking keeps its payment, Stripe
//! ids and statuses; only its session changes, under the new session's capacity (checked as for
//! a new booking, in the same transaction). The parent is mailed the new time and calendar
//! entry, and the move joins the booking's timeline. The place it leaves is offered to the
//! waitlist by the offerer.

use super::mail;
use crate::db::{bookings, moves, now_ms, Db};
use domain::booking::{may_move_to, parent_may_move, CannotCancel, CannotMove};
use domain::mail::{BookingMail, MoveFacts};
use domain::{Actor, AttendanceStatus, PaymentStatus};

#[derive(Debug, thiserror::Error)]
pub enum MoveError {
    #[error("that booking no longer exists")]
    NoSuchBooking,
    #[error("{0}")]
    Cannot(CannotMove),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

impl From<CannotMove> for MoveError {
    fn from(why: CannotMove) -> Self {
        Self::Cannot(why)
    }
}

/// Who asks for the move: an admin, or the parent (bound by the cut-off, in ms before start).
#[derive(Debug, Clone)]
pub enum Mover {
    Admin(String),
    Parent {
        cutoff_ms: i64,
    },
    /// An admin gives a make-up place for a cancelled session: the booking keeps what it paid,
    /// whatever the other session's price.
    MakeUp(String),
}

/// Moves booking `booking_id` to session `to`; returns the booking's reference.
pub async fn move_booking(
    db: &Db,
    booking_id: i64,
    to: i64,
    mover: &Mover,
) -> Result<String, MoveError> {
    let now = now_ms();
    let mut tx = db.begin().await?;
    let booking = bookings::lock_by_id(&mut tx, booking_id)
        .await?
        .ok_or(MoveError::NoSuchBooking)?;
    if booking.attendance_status == AttendanceStatus::Cancelled {
        return Err(CannotMove::Closed(CannotCancel::AlreadyCancelled).into());
    }
    if booking.payment_status == PaymentStatus::Refunded {
        return Err(CannotMove::Closed(CannotCancel::Refunded).into());
    }
    let actor = match mover {
        Mover::Parent { cutoff_ms } => {
            parent_may_move(
                booking.payment_status,
                booking.attendance_status,
                booking.session_starts_at,
                now,
                *cutoff_ms,
            )?;
            Actor::Parent
        }
        Mover::Admin(email) | Mover::MakeUp(email) => Actor::Admin(email.clone()),
    };
    let terms = bookings::lock_session(&mut tx, to)
        .await?
        .ok_or(CannotMove::SessionUnavailable)?;
    let to_price = match mover {
        Mover::MakeUp(_) => booking.amount,
        _ => terms.price_amount,
    };
    may_move_to(
        booking.training_session_id,
        (booking.amount, &booking.currency),
        to,
        (to_price, &terms.currency),
        terms.cancelled_at.is_none(),
        terms.starts_at,
        now,
    )?;
    if bookings::places_taken(&mut tx, to, now, booking.id).await? >= terms.capacity {
        return Err(CannotMove::Full.into());
    }
    if bookings::athlete_in_session(&mut tx, to, &booking.parent_email, &booking.athlete_name)
        .await?
        .is_some()
    {
        return Err(CannotMove::AthleteThere.into());
    }
    let moved = moves::apply(
        &mut tx,
        booking.id,
        (booking.training_session_id, booking.session_starts_at),
        (to, terms.starts_at),
        &actor.spelling(),
        now,
    )
    .await?;
    mail::queue(
        &mut tx,
        booking.id,
        &booking.parent_email,
        Some(&moved.to_string()),
        &BookingMail::BookingMoved(MoveFacts {
            from_title: booking.session_title.clone(),
            from_starts_at: booking.session_starts_at,
            sequence: u32::try_from(moved).unwrap_or(u32::MAX),
            make_up: matches!(mover, Mover::MakeUp(_)),
        }),
        now,
    )
    .await?;
    db.commit(tx, &[booking.id]).await?;
    tracing::info!(
        booking_id = booking.id,
        from = booking.training_session_id,
        to,
        by = %actor.spelling(),
        "booking moved"
    );
    Ok(booking.reference)
}

/// The sessions booking `booking_id` could move to now: open, not started, of its price, with
/// a free place, soonest first.
pub async fn options(
    db: &Db,
    booking: &bookings::Booking,
) -> Result<Vec<crate::db::sessions::TrainingSession>, sqlx::Error> {
    use crate::db::sessions::{list, Listing};
    let now = now_ms();
    Ok(list(db, Listing::Upcoming, 500)
        .await?
        .into_iter()
        .filter(|s| {
            may_move_to(
                booking.training_session_id,
                (booking.amount, &booking.currency),
                s.id,
                (s.price_amount, &s.currency),
                s.cancelled_at.is_none(),
                s.starts_at,
                now,
            )
            .is_ok()
                && s.places_left() > 0
        })
        .collect())
}
