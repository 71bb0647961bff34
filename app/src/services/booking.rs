//! Booking a place: the parent's form and the admin's manual booking, both under the session's
//! capacity, checked in the same transaction that inserts (the session row locked first, so two
//! bookings never take the last place).

use super::mail;
use crate::db::bookings::{self, CreatedBooking};
use crate::db::{now_ms, Db, Tx};
use domain::booking::HOLD_MS;
use domain::booking_form::{BookingFormInput, BookingRequest, FieldErrors, SessionProblem};
use domain::mail::BookingMail;
use domain::{BookingSource, HoldLimit, HoldPolicy, ManualPayment};

#[derive(Debug, thiserror::Error)]
pub enum BookError {
    #[error("the session cannot take the booking: {}", .0.message())]
    Session(SessionProblem),
    /// The email holds as many unpaid places as it may; the first is released after
    /// `retry_after_ms`.
    #[error("{}", .limit.message())]
    Holds {
        limit: HoldLimit,
        retry_after_ms: i64,
    },
    /// The athlete's age is outside the session's range (`min` to `max`, either open).
    #[error("the session is for other ages")]
    Age { min: Option<i64>, max: Option<i64> },
    /// The same email already booked the same athlete into this session (a booking not
    /// cancelled): a second would be paid twice for one child.
    #[error("this athlete is already booked into this session")]
    AlreadyBooked,
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Why a booking form was not booked.
#[derive(Debug, thiserror::Error)]
pub enum FormRefused {
    /// Problems to name on the form's fields (the session's among them).
    #[error("some fields need attention")]
    Invalid(FieldErrors),
    /// A limit was reached: the form comes back with the problem named, to try again later.
    #[error("a limit was reached")]
    Limited {
        fields: FieldErrors,
        retry_after_ms: i64,
    },
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Who enters a booking: a parent online (paid through Checkout), or an admin, saying how it
/// was settled outside Stripe.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entry {
    Online,
    Manual(ManualPayment),
}

/// Books `request` if its session has a place. An online booking also needs the session not
/// to have started, and its email to hold no more unpaid places than `policy` allows; a manual
/// one (an admin's entry) may be made late, and takes its place without a hold.
pub async fn book(
    db: &Db,
    request: &BookingRequest,
    source: Entry,
    policy: HoldPolicy,
) -> Result<CreatedBooking, BookError> {
    let mut tx = db.begin().await?;
    let created = book_in(&mut tx, request, source, policy, now_ms()).await?;
    db.commit(tx, &[created.id]).await?;
    Ok(created)
}

/// [`book`] inside a transaction the caller commits (a waitlist offer taken in the same one).
pub async fn book_in(
    tx: &mut Tx,
    request: &BookingRequest,
    source: Entry,
    policy: HoldPolicy,
    now: i64,
) -> Result<CreatedBooking, BookError> {
    let (source, settled) = match source {
        Entry::Online => (BookingSource::Online, None),
        Entry::Manual(settled) => (BookingSource::Manual, Some(settled)),
    };
    let terms = bookings::lock_session(tx, request.training_session_id)
        .await?
        .ok_or(BookError::Session(SessionProblem::Unavailable))?;
    if terms.cancelled_at.is_some() {
        return Err(BookError::Session(SessionProblem::Unavailable));
    }
    if terms.starts_at <= now && source == BookingSource::Online {
        return Err(BookError::Session(SessionProblem::Started));
    }
    // A parent books within the session's ages; an admin's entry may make an exception.
    if source == BookingSource::Online
        && !domain::booking_form::age_fits(request.athlete_age, terms.min_age, terms.max_age)
    {
        return Err(BookError::Age {
            min: terms.min_age,
            max: terms.max_age,
        });
    }
    if source == BookingSource::Online
        && bookings::same_athlete_in_session(tx, request)
            .await?
            .is_some()
    {
        return Err(BookError::AlreadyBooked);
    }
    let taken = bookings::places_taken(tx, request.training_session_id, now, 0).await?;
    if taken >= terms.capacity {
        return Err(BookError::Session(SessionProblem::Full));
    }
    if source == BookingSource::Online {
        let holds =
            bookings::unpaid_holds(tx, &request.parent_email, request.training_session_id, now)
                .await?;
        if let Some(limit) = policy.refuses(holds.held, holds.in_session, terms.capacity) {
            return Err(BookError::Holds {
                limit,
                retry_after_ms: holds.first_release.map_or(HOLD_MS, |at| at - now),
            });
        }
    }
    let created =
        bookings::insert(tx, request, source, settled, &terms, now + HOLD_MS, now).await?;
    // An online booking's first mail waits for its payment: a card paid at once makes the
    // receipt its one confirmation (the first mail is then dropped unsent: `services::mail`).
    let send_after = (source == BookingSource::Online && policy.first_mail_delay_ms > 0)
        .then_some(now + policy.first_mail_delay_ms);
    mail::queue_after(
        tx,
        created.id,
        &request.parent_email,
        None,
        &BookingMail::BookingCreated,
        now,
        send_after,
    )
    .await?;
    Ok(created)
}

/// Validates a booking form and books it, naming each refusal on its field. Shared by the
/// parents' form and the admin's manual booking.
pub async fn book_from_form(
    db: &Db,
    input: &BookingFormInput,
    source: Entry,
    policy: HoldPolicy,
) -> Result<CreatedBooking, FormRefused> {
    let request = input.parse().map_err(FormRefused::Invalid)?;
    let booked = book(db, &request, source, policy).await;
    if let Err(BookError::AlreadyBooked) = booked {
        // Its link goes to the address that booked, never to this browser (whoever typed the
        // form may not own the address): the same mail as "find my booking", as rarely.
        super::lookup::mail_links(db, &request.parent_email).await?;
    }
    booked.map_err(|error| match error {
        BookError::Age { min, max } => FormRefused::Invalid(
            input
                .age_refused(request.athlete_age, min, max)
                .unwrap_or_else(|| FieldErrors::whole_form(error.to_string(), input.values())),
        ),
            BookError::AlreadyBooked => {
                let mut fields = FieldErrors::default();
                fields.add(
                    "athlete_name",
                    format!(
                        "{} is already booked into this session with this email address. We have emailed the booking's link to that address: from it you can pay, change or cancel.",
                        request.athlete_name.trim()
                    ),
                );
                fields.values = input.values();
                FormRefused::Invalid(fields)
            }
            BookError::Session(problem) => FormRefused::Invalid(input.session_refused(problem)),
            BookError::Holds {
                limit,
                retry_after_ms,
            } => {
                let mut fields = FieldErrors::default();
                fields.add("parent_email", limit.message());
                fields.values = input.values();
                FormRefused::Limited {
                    fields,
                    retry_after_ms,
                }
            }
            BookError::Database(error) => FormRefused::Database(error),
        })
}
