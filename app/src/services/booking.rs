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
    /// The age of the form's `child`th athlete (from 0) is outside the session's range (`min`
    /// to `max`, either open).
    #[error("the session is for other ages")]
    Age {
        min: Option<i64>,
        max: Option<i64>,
        child: usize,
    },
    /// The same email already booked the form's `child`th athlete into this session (a booking
    /// not cancelled): a second would be paid twice for one child.
    #[error("this athlete is already booked into this session")]
    AlreadyBooked { child: usize },
    /// Several children were asked for and only `left` places are: none was booked.
    #[error("only {left} places are left")]
    NotAllFit { left: i64 },
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
    let mut created =
        book_children_in(tx, std::slice::from_ref(request), source, policy, 0, now).await?;
    Ok(created.remove(0))
}

/// Books every child of `requests` (one family, one session) in one transaction, all or none:
/// the first child's booking holds the checkout that pays for all, the others name it
/// (`paid_with`); the second child and each after costs `sibling_percent` less. When not all
/// fit, none is booked and the refusal says how many places are left.
pub async fn book_children_in(
    tx: &mut Tx,
    requests: &[BookingRequest],
    source: Entry,
    policy: HoldPolicy,
    sibling_percent: u8,
    now: i64,
) -> Result<Vec<CreatedBooking>, BookError> {
    let Some(first) = requests.first() else {
        return Ok(Vec::new());
    };
    let (source, settled) = match source {
        Entry::Online => (BookingSource::Online, None),
        Entry::Manual(settled) => (BookingSource::Manual, Some(settled)),
    };
    let terms = bookings::lock_session(tx, first.training_session_id)
        .await?
        .ok_or(BookError::Session(SessionProblem::Unavailable))?;
    if terms.cancelled_at.is_some() {
        return Err(BookError::Session(SessionProblem::Unavailable));
    }
    if terms.starts_at <= now && source == BookingSource::Online {
        return Err(BookError::Session(SessionProblem::Started));
    }
    // A term's session is sold alone only at its drop-in price (an admin may still enter a
    // child into it).
    if let (Some(term), BookingSource::Online) = (terms.term_id, source) {
        if !crate::db::terms::sells_singly(tx, term).await? {
            return Err(BookError::Session(SessionProblem::TermOnly));
        }
    }
    for (child, request) in requests.iter().enumerate() {
        // A parent books within the session's ages; an admin's entry may make an exception.
        if source == BookingSource::Online
            && !domain::booking_form::age_fits(request.athlete_age, terms.min_age, terms.max_age)
        {
            return Err(BookError::Age {
                min: terms.min_age,
                max: terms.max_age,
                child,
            });
        }
        if source == BookingSource::Online
            && bookings::same_athlete_in_session(tx, request)
                .await?
                .is_some()
        {
            return Err(BookError::AlreadyBooked { child });
        }
    }
    let wanted = i64::try_from(requests.len()).unwrap_or(i64::MAX);
    let taken = bookings::places_taken(tx, first.training_session_id, now, 0).await?;
    if taken >= terms.capacity {
        return Err(BookError::Session(SessionProblem::Full));
    }
    if taken + wanted > terms.capacity {
        return Err(BookError::NotAllFit {
            left: terms.capacity - taken,
        });
    }
    if source == BookingSource::Online {
        let holds =
            bookings::unpaid_holds(tx, &first.parent_email, first.training_session_id, now).await?;
        // Every child's place is held unpaid until the one checkout is paid.
        if let Some(limit) = policy.refuses(
            holds.held + wanted - 1,
            holds.in_session + wanted - 1,
            terms.capacity,
        ) {
            return Err(BookError::Holds {
                limit,
                retry_after_ms: holds.first_release.map_or(HOLD_MS, |at| at - now),
            });
        }
    }
    // A parent's booking records the wording of the waiver it accepted (an admin's entry
    // accepts none: the family has not seen it).
    let consent = match source {
        BookingSource::Online => crate::db::consent::current_version(tx).await?,
        BookingSource::Manual => None,
    };
    let shares = domain::siblings::shares(terms.price_amount, requests.len(), sibling_percent);
    let mut created: Vec<CreatedBooking> = Vec::with_capacity(requests.len());
    for (request, amount) in requests.iter().zip(shares) {
        let paid_with = created.first().map(|lead| lead.id);
        let place = bookings::NewPlace {
            amount,
            paid_with,
            held_until: now + HOLD_MS,
        };
        let booked = bookings::insert(tx, request, source, settled, &terms, place, now).await?;
        if let Some(version) = consent {
            crate::db::consent::accepted(tx, booked.id, version).await?;
        }
        created.push(booked);
    }
    // An online booking's first mail waits for its payment: a card paid at once makes the
    // receipt its one confirmation (the first mail is then dropped unsent: `services::mail`).
    // One mail for the family, about the booking that holds the payment (it names them all).
    let send_after = (source == BookingSource::Online && policy.first_mail_delay_ms > 0)
        .then_some(now + policy.first_mail_delay_ms);
    mail::queue_after(
        tx,
        created[0].id,
        &first.parent_email,
        None,
        &BookingMail::BookingCreated,
        now,
        send_after,
    )
    .await?;
    Ok(created)
}

/// The fields of the form's `child`th athlete (from 0): its name's and its age's.
fn child_fields(child: usize) -> (String, String) {
    match child {
        0 => ("athlete_name".into(), "athlete_age".into()),
        n => (
            format!("athlete_name_{}", n + 1),
            format!("athlete_age_{}", n + 1),
        ),
    }
}

/// Validates a booking form and books every child of it in one transaction (all or none),
/// naming each refusal on its field. Shared by the parents' form and the admin's manual
/// booking. The first booking returned holds the payment for all. A parent booking online
/// must name an emergency contact; what the form gives for the track is kept with each child's
/// booking, the notes sealed under `key`.
pub async fn book_from_form(
    db: &Db,
    input: &BookingFormInput,
    source: Entry,
    policy: HoldPolicy,
    sibling_percent: u8,
    key: &crate::settings::DataKey,
) -> Result<Vec<CreatedBooking>, FormRefused> {
    let requests = input
        .parse_children(matches!(source, Entry::Online))
        .map_err(FormRefused::Invalid)?;
    let booked = async {
        let mut tx = db.begin().await?;
        let created = book_children_in(
            &mut tx,
            &requests,
            source,
            policy,
            sibling_percent,
            now_ms(),
        )
        .await?;
        for (booking, request) in created.iter().zip(&requests) {
            super::medical::keep(&mut tx, key, booking.id, &request.track).await?;
        }
        let ids: Vec<i64> = created.iter().map(|c| c.id).collect();
        db.commit(tx, &ids).await?;
        Ok::<_, BookError>(created)
    }
    .await;
    let email = &requests[0].parent_email;
    if let Err(BookError::AlreadyBooked { .. }) = booked {
        // Its link goes to the address that booked, never to this browser (whoever typed the
        // form may not own the address): the same mail as "find my booking", as rarely.
        super::lookup::mail_links(db, email).await?;
    }
    let refused = |field: &str, message: String| {
        let mut fields = FieldErrors::default();
        fields.add(field, message);
        fields.values = input.values();
        FormRefused::Invalid(fields)
    };
    booked.map_err(|error| match error {
        BookError::Age { min, max, child } => {
            let (_, age_field) = child_fields(child);
            FormRefused::Invalid(
                input
                    .age_refused_on(&age_field, requests[child].athlete_age, min, max)
                    .unwrap_or_else(|| {
                        FieldErrors::whole_form(error.to_string(), input.values())
                    }),
            )
        }
        BookError::AlreadyBooked { child } => refused(
            &child_fields(child).0,
            format!(
                "{} is already booked into this session with this email address. We have emailed the booking's link to that address: from it you can pay, change or cancel.",
                requests[child].athlete_name.trim()
            ),
        ),
        BookError::NotAllFit { left } => refused(
            "session",
            format!(
                "Only {left} place{} left in this session, and this form books {}: book fewer children here, or join the waitlist for the others.",
                if left == 1 { " is" } else { "s are" },
                requests.len()
            ),
        ),
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
