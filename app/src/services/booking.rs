//! Booking a place: the parent's form and the admin's manual booking, both under the session's
//! capacity, checked in the same transaction that inserts (the session row locked first, so two
//! bookings never take the last place).

use crate::db::bookings::{self, CreatedBooking};
use crate::db::{now_ms, Db};
use domain::booking::HOLD_MS;
use domain::booking_form::{BookingFormInput, BookingRequest, FieldErrors, SessionProblem};
use domain::BookingSource;

#[derive(Debug, thiserror::Error)]
pub enum BookError {
    #[error("the session cannot take the booking: {}", .0.message())]
    Session(SessionProblem),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Why a booking form was not booked.
#[derive(Debug, thiserror::Error)]
pub enum FormRefused {
    /// Problems to name on the form's fields (the session's among them).
    #[error("some fields need attention")]
    Invalid(FieldErrors),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Books `request` if its session has a place. An online booking also needs the session not
/// to have started; a manual one (an admin's entry) may be made late, and takes its place
/// without a hold.
pub async fn book(
    db: &Db,
    request: &BookingRequest,
    source: BookingSource,
) -> Result<CreatedBooking, BookError> {
    let now = now_ms();
    let mut tx = db.begin().await?;
    let terms = bookings::lock_session(&mut tx, request.training_session_id)
        .await?
        .ok_or(BookError::Session(SessionProblem::Unavailable))?;
    if terms.cancelled_at.is_some() {
        return Err(BookError::Session(SessionProblem::Unavailable));
    }
    if terms.starts_at <= now && source == BookingSource::Online {
        return Err(BookError::Session(SessionProblem::Started));
    }
    let taken = bookings::places_taken(&mut tx, request.training_session_id, now, 0).await?;
    if taken >= terms.capacity {
        return Err(BookError::Session(SessionProblem::Full));
    }
    let created = bookings::insert(&mut tx, request, source, &terms, now + HOLD_MS, now).await?;
    db.commit(tx, &[created.id]).await?;
    Ok(created)
}

/// Validates a booking form and books it, naming each refusal on its field. Shared by the
/// parents' form and the admin's manual booking.
pub async fn book_from_form(
    db: &Db,
    input: &BookingFormInput,
    source: BookingSource,
) -> Result<CreatedBooking, FormRefused> {
    let request = input.parse().map_err(FormRefused::Invalid)?;
    book(db, &request, source)
        .await
        .map_err(|error| match error {
            BookError::Session(problem) => FormRefused::Invalid(input.session_refused(problem)),
            BookError::Database(error) => FormRefused::Database(error),
        })
}
