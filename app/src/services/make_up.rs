//! A session cancelled with make-up places (issue 23: the coach is ill): instead of a refund,
//! each family's booking moves to another session of the same kind (its title), keeping what
//! it paid, and is told its new time with a calendar entry. A booking that no longer fits is
//! cancelled and refunded as when the session is cancelled outright.

use super::cancellation::{self, CancelError, Cancelled};
use super::gateway::PaymentGateway;
use super::moves::{self, MoveError, Mover};
use crate::db::sessions::{self, Listing, TrainingSession};
use crate::db::{bookings, now_ms, Db};

#[derive(Debug, thiserror::Error)]
pub enum MakeUpError {
    /// The chosen session cannot take them (why, in words for the admin).
    #[error("{0}")]
    Unsuitable(String),
    #[error(transparent)]
    Cancel(#[from] CancelError),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// What the cancellation did: bookings moved, and those cancelled and refunded instead.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MadeUp {
    pub moved: usize,
    pub cancelled: Vec<Cancelled>,
}

/// The sessions that could take every booking of session `session` as make-up places: of its
/// title, still to come, open, with a place for each of them; soonest first.
pub async fn options(db: &Db, session: i64) -> Result<Vec<TrainingSession>, sqlx::Error> {
    let Some(from) = sessions::get(db, session).await? else {
        return Ok(Vec::new());
    };
    let standing =
        i64::try_from(bookings::standing_in_session(db, session).await?.len()).unwrap_or(i64::MAX);
    let now = now_ms();
    Ok(sessions::list(db, Listing::All, 500)
        .await?
        .into_iter()
        .filter(|s| {
            s.id != session
                && s.title == from.title
                && s.currency == from.currency
                && s.cancelled_at.is_none()
                && s.starts_at > now
                && s.places_left() >= standing
        })
        .collect())
}

/// Cancels session `session`, moving each of its bookings to session `to` as a make-up place
/// (those that no longer fit are cancelled and refunded). The waitlist of the cancelled session
/// is closed as for any cancelled session. Running it again finishes the work.
pub async fn cancel_with_make_up(
    db: &Db,
    gateway: &dyn PaymentGateway,
    session: i64,
    to: i64,
    admin_email: &str,
) -> Result<MadeUp, MakeUpError> {
    if !options(db, session).await?.iter().any(|s| s.id == to) {
        return Err(MakeUpError::Unsuitable(
            "That session cannot take these bookings: choose a session of the same kind, still to come, with a place for each."
                .into(),
        ));
    }
    sessions::cancel(db, session).await?;
    super::waitlist::close_for_cancelled_session(db, session).await?;
    let mut done = MadeUp::default();
    let mover = Mover::MakeUp(admin_email.to_owned());
    for id in bookings::standing_in_session(db, session).await? {
        match moves::move_booking(db, id, to, &mover).await {
            Ok(_) => done.moved += 1,
            // Taken meanwhile, or no longer movable: cancelled and refunded instead.
            Err(MoveError::Cannot(_) | MoveError::NoSuchBooking) => done.cancelled.extend(
                cancellation::cancel_in_cancelled_session(db, gateway, id, admin_email).await?,
            ),
            Err(MoveError::Database(error)) => return Err(error.into()),
        }
    }
    tracing::info!(
        session,
        to,
        moved = done.moved,
        cancelled = done.cancelled.len(),
        "session cancelled with make-up places"
    );
    Ok(done)
}
