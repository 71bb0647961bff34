//! The waitlist of full sessions: joining it, offering freed places in order, and booking an
//! offered place.
//!
//! A place frees when a booking is cancelled, refunded or moved away, when an unpaid hold runs
//! out, or when the admin raises the capacity. The offerer looks every few seconds: for each
//! open session someone waits for, it locks the session row, counts its places (bookings and
//! the offers still holding one) and offers each free place to the next person waiting, with
//! their mail, in that one transaction. Two offerers (two instances) serialise on the session
//! row and the second counts the first's offers, so a place is never offered twice; a crash
//! rolls the whole transaction back, offers and mails together.

use super::booking::{book_in, BookError, Entry, FormRefused};
use crate::db::bookings::{self, CreatedBooking};
use crate::db::outbox::{self, NewMail};
use crate::db::{now_ms, waitlist, Db, Tx};
use domain::booking_form::{BookingFormInput, FieldErrors, SessionProblem};
use domain::mail::{UnbookedMail, WaitlistFacts};
use domain::HoldPolicy;

/// The place, as its mails speak of it.
fn place(entry: &waitlist::WaitlistEntry) -> WaitlistFacts {
    WaitlistFacts {
        token: entry.token.clone(),
        parent_name: entry.parent_name.clone(),
        athlete_name: entry.athlete_name.clone(),
        session_title: match entry.term_id {
            Some(_) => format!(
                "{} (the whole term, from its first session)",
                entry.session_title
            ),
            None => entry.session_title.clone(),
        },
        starts_at: entry.session_starts_at,
        location: entry.session_location.clone(),
    }
}

/// Queues the mail of `facts` to the parent of `entry`, once per place and kind.
async fn queue_mail(
    tx: &mut Tx,
    entry: &waitlist::WaitlistEntry,
    facts: &UnbookedMail,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let kind = facts.kind();
    let key = format!("{}:{}", kind.as_str(), entry.id);
    outbox::enqueue(
        tx,
        NewMail {
            kind,
            dedupe_key: &key,
            booking_id: None,
            recipient: &entry.parent_email,
            facts: &facts.to_stored(),
            send_after: None,
        },
        now,
    )
    .await
}

/// Closes the waitlist of a session just cancelled: every place still waiting or offered is
/// closed and its parent mailed, in one transaction under the session's row lock (so the
/// offerer cannot offer one meanwhile). Run again, it finds nothing left to close.
pub async fn close_for_cancelled_session(db: &Db, session_id: i64) -> Result<usize, sqlx::Error> {
    let now = now_ms();
    let mut tx = db.begin().await?;
    bookings::lock_session(&mut tx, session_id).await?;
    let closed = waitlist::close_session(&mut tx, session_id, now).await?;
    // A place never confirmed from its address is closed without a word to it.
    for entry in closed.iter().filter(|entry| entry.confirmed_at.is_some()) {
        queue_mail(
            &mut tx,
            entry,
            &UnbookedMail::WaitlistClosed(place(entry)),
            now,
        )
        .await?;
    }
    tx.commit().await?;
    if !closed.is_empty() {
        tracing::info!(
            session = session_id,
            closed = closed.len(),
            "waitlist closed"
        );
    }
    Ok(closed.len())
}

/// How long the link confirming a waitlist place works, and places that wait for their
/// confirmation count against their address.
pub const CONFIRM_WITHIN_MS: i64 = 24 * 60 * 60 * 1000;
/// Places an address may have waiting for its confirmation at once: whoever types someone
/// else's address can make the business mail it only this often.
pub const MAX_UNCONFIRMED_PER_EMAIL: i64 = 3;

/// Forgets the places that waited a day for their address's confirmation in vain: what was
/// typed into them (a family's names and notes, perhaps by someone else) is kept no longer than
/// it could serve; how many went.
pub async fn forget_unconfirmed(db: &Db, now: i64) -> Result<u64, sqlx::Error> {
    let gone = waitlist::remove_unconfirmed(db, now - CONFIRM_WITHIN_MS).await?;
    if gone > 0 {
        tracing::info!(gone, "unconfirmed waitlist places forgotten");
    }
    Ok(gone)
}

/// Puts the form's athlete on the waitlist of its (full) session, or of the whole (full) term
/// `term`, with the same rules as a booking; returns the private token of their place. The
/// place waits for its address to confirm it (the joined mail carries the link, and nothing
/// typed in the form); until then it is offered nothing. A session or term with a free place
/// is booked instead, one athlete waits once per session, and an address has at most a few
/// places awaiting its confirmation.
pub async fn join(
    db: &Db,
    input: &BookingFormInput,
    term: Option<i64>,
) -> Result<String, FormRefused> {
    let mut input = input.clone();
    if let Some(term) = term {
        input.session = term_session(db, term).await?.to_string();
    }
    let input = &input;
    let request = input.parse().map_err(FormRefused::Invalid)?;
    let refused = |field: &str, message: &str| {
        let mut fields = FieldErrors::default();
        fields.add(field, message);
        fields.values = input.values();
        FormRefused::Invalid(fields)
    };
    let now = now_ms();
    let mut tx = db.begin().await?;
    let free = match term {
        Some(term) => match term_places_left(&mut tx, term, now).await? {
            Some(left) => left,
            None => {
                return Err(refused(
                    "session",
                    "This term is no longer open: it has started or was cancelled.",
                ))
            }
        },
        None => {
            let Some(terms) = bookings::lock_session(&mut tx, request.training_session_id).await?
            else {
                return Err(refused("session", "Choose a session."));
            };
            if terms.cancelled_at.is_some() || terms.starts_at <= now {
                return Err(refused(
                    "session",
                    "This session is no longer open; choose another.",
                ));
            }
            terms.capacity
                - bookings::places_taken(&mut tx, request.training_session_id, now, 0).await?
        }
    };
    if free > 0 {
        return Err(refused(
            "session",
            if term.is_some() {
                "This term has a free place: book it instead of waiting."
            } else {
                "This session has a free place: book it instead of waiting."
            },
        ));
    }
    if waitlist::already_waiting(&mut tx, &request).await? {
        return Err(refused(
            "athlete_name",
            "This athlete is already on this session's waitlist.",
        ));
    }
    let unconfirmed =
        waitlist::unconfirmed_of_email(&mut tx, &request.parent_email, now - CONFIRM_WITHIN_MS)
            .await?;
    if unconfirmed >= MAX_UNCONFIRMED_PER_EMAIL {
        return Err(refused(
            "parent_email",
            "This address already has waitlist places to confirm: open the links we mailed to it first.",
        ));
    }
    let token = bookings::new_reference();
    let id = waitlist::insert(&mut tx, &request, term, &token, now).await?;
    if let Some(entry) = waitlist::by_id(&mut tx, id).await? {
        // Nothing typed into the form is kept with its mail either: the address has not
        // confirmed, and the mail names nobody.
        let joined = UnbookedMail::WaitlistJoined(WaitlistFacts {
            parent_name: String::new(),
            athlete_name: String::new(),
            ..place(&entry)
        });
        queue_mail(&mut tx, &entry, &joined, now).await?;
    }
    tx.commit().await?;
    tracing::info!(
        waitlist = id,
        session = request.training_session_id,
        "joined the waitlist"
    );
    Ok(token)
}

/// The session a place waiting for term `term` waits in: its first not cancelled (0 when
/// there is none, which no form accepts).
pub async fn term_session(db: &Db, term: i64) -> Result<i64, sqlx::Error> {
    Ok(crate::db::sessions::of_term(db, term)
        .await?
        .into_iter()
        .find(|s| s.cancelled_at.is_none())
        .map_or(0, |s| s.id))
}

/// Offers every freed place to the next person waiting; the number of offers made.
pub async fn offer_free_places(db: &Db, offer_ms: i64, now: i64) -> Result<usize, sqlx::Error> {
    let expired = waitlist::expire_offers(db, now).await?;
    if expired > 0 {
        tracing::info!(expired, "waitlist offers expired");
    }
    let mut offered = 0;
    for session in waitlist::sessions_with_waiting(db, now).await? {
        offered += offer_in_session(db, session, offer_ms, now).await?;
    }
    for term in waitlist::terms_with_waiting(db, now).await? {
        offered += offer_in_term(db, term, offer_ms, now).await?;
    }
    Ok(offered)
}

/// The places left in term `term` (the fewest of its sessions to come), under the lock of the
/// term and each of its sessions, in order (as a term booking takes them); `None` when it is
/// cancelled or has started.
async fn term_places_left(tx: &mut Tx, term: i64, now: i64) -> Result<Option<i64>, sqlx::Error> {
    match crate::db::terms::lock(tx, term).await? {
        Some(price) if price.cancelled_at.is_none() => {}
        _ => return Ok(None),
    }
    let mut left: Option<i64> = None;
    for (session, _) in crate::db::terms::sessions_of(tx, term).await? {
        let Some(terms) = bookings::lock_session(tx, session).await? else {
            continue;
        };
        if terms.cancelled_at.is_some() {
            continue;
        }
        if terms.starts_at <= now {
            return Ok(None);
        }
        let free = terms.capacity - bookings::places_taken(tx, session, now, 0).await?;
        left = Some(left.map_or(free, |l| l.min(free)));
    }
    Ok(left)
}

/// Offers a place until `until` to each of `waiting` still waiting, with its mail; how many.
async fn offer_each(
    tx: &mut Tx,
    waiting: Vec<waitlist::WaitlistEntry>,
    until: i64,
    now: i64,
) -> Result<usize, sqlx::Error> {
    let mut offered = 0;
    for entry in waiting {
        if waitlist::offer(tx, entry.id, now, until).await? {
            let offer = UnbookedMail::WaitlistOffer {
                place: place(&entry),
                held_until: until,
            };
            queue_mail(tx, &entry, &offer, now).await?;
            offered += 1;
        }
    }
    Ok(offered)
}

/// Offers the places free in every session of term `term` to the first people waiting for it.
async fn offer_in_term(db: &Db, term: i64, offer_ms: i64, now: i64) -> Result<usize, sqlx::Error> {
    let mut tx = db.begin().await?;
    let Some(free) = term_places_left(&mut tx, term, now).await? else {
        return Ok(0);
    };
    if free <= 0 {
        return Ok(0);
    }
    let waiting = waitlist::first_waiting_for_term(&mut tx, term, free).await?;
    let offered = offer_each(&mut tx, waiting, now + offer_ms, now).await?;
    tx.commit().await?;
    if offered > 0 {
        tracing::info!(term, offered, "term waitlist places offered");
    }
    Ok(offered)
}

async fn offer_in_session(
    db: &Db,
    session: i64,
    offer_ms: i64,
    now: i64,
) -> Result<usize, sqlx::Error> {
    let mut tx = db.begin().await?;
    let Some(terms) = bookings::lock_session(&mut tx, session).await? else {
        return Ok(0);
    };
    if terms.cancelled_at.is_some() || terms.starts_at <= now {
        return Ok(0);
    }
    let free = terms.capacity - bookings::places_taken(&mut tx, session, now, 0).await?;
    if free <= 0 {
        return Ok(0);
    }
    let waiting = waitlist::first_waiting(&mut tx, session, free).await?;
    let offered = offer_each(&mut tx, waiting, now + offer_ms, now).await?;
    tx.commit().await?;
    if offered > 0 {
        tracing::info!(session, offered, "waitlist places offered");
    }
    Ok(offered)
}

/// Confirms the place of `token` from its address (the link of its joined mail); false when
/// there is nothing to confirm (confirmed already, no longer waiting, or the link is older than
/// a day).
pub async fn confirm(db: &Db, token: &str) -> Result<bool, sqlx::Error> {
    let now = now_ms();
    let confirmed = waitlist::confirm(db, token, now, now - CONFIRM_WITHIN_MS).await?;
    if confirmed {
        tracing::info!("waitlist place confirmed");
    }
    Ok(confirmed)
}

/// Takes the place of `token` off the waitlist (its holder no longer wants it); false when it
/// was no longer waiting or offered.
pub async fn leave(db: &Db, token: &str) -> Result<bool, sqlx::Error> {
    waitlist::withdraw(db, token, now_ms()).await
}

/// Why an offered place cannot be booked.
#[derive(Debug, thiserror::Error)]
pub enum OfferProblem {
    #[error("this waitlist place does not exist")]
    NotFound,
    #[error("this place is not (or no longer) offered to you")]
    NotOffered,
    #[error("the place could not be booked: {0}")]
    Refused(String),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Books the place offered under `token`, in the transaction that takes the offer.
pub async fn book_offer(
    db: &Db,
    token: &str,
    policy: HoldPolicy,
) -> Result<CreatedBooking, OfferProblem> {
    let now = now_ms();
    let mut tx = db.begin().await?;
    let Some(id) = waitlist::take_offer(&mut tx, token, now).await? else {
        return Err(match waitlist::by_token(db, token).await? {
            None => OfferProblem::NotFound,
            Some(_) => OfferProblem::NotOffered,
        });
    };
    let entry = waitlist::by_id(&mut tx, id)
        .await?
        .ok_or(OfferProblem::NotFound)?;
    let created = match book_in(&mut tx, &entry.request(), Entry::Online, policy, now).await {
        Ok(created) => created,
        Err(BookError::Database(error)) => return Err(error.into()),
        Err(BookError::Session(problem)) => {
            return Err(OfferProblem::Refused(problem.message().to_owned()))
        }
        Err(BookError::Holds { limit, .. }) => return Err(OfferProblem::Refused(limit.message())),
        Err(BookError::Age { .. }) => {
            return Err(OfferProblem::Refused(
                "the session is for other ages than this athlete's".into(),
            ))
        }
        Err(BookError::AlreadyBooked { .. }) => {
            return Err(OfferProblem::Refused(
                "this athlete already has a booking in this session".into(),
            ))
        }
        // One child at a time: the offer's one place is held for it.
        Err(BookError::NotAllFit { .. }) => {
            return Err(OfferProblem::Refused(
                SessionProblem::Full.message().to_owned(),
            ))
        }
    };
    waitlist::set_booking(&mut tx, id, created.id).await?;
    db.commit(tx, &[created.id]).await?;
    tracing::info!(
        waitlist = id,
        booking_id = created.id,
        "waitlist offer booked"
    );
    Ok(created)
}
