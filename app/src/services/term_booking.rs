//! Booking a whole term (issue 23): a place in every session still to come for every child,
//! all or none, paid in one checkout; from the parent's form, or from an offer of the term's
//! waitlist.

use super::booking::FormRefused;
use crate::db::bookings::{self, CreatedBooking};
use crate::db::{now_ms, terms, waitlist, Db, Tx};
use domain::booking::HOLD_MS;
use domain::booking_form::{BookingFormInput, FieldErrors};
use domain::mail::BookingMail;
use domain::term::shares;
use domain::{BookingSource, HoldPolicy};

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
    let mut tx = db.begin().await?;
    let booking = Booking {
        policy,
        sibling_percent,
        key,
        require_track: true,
    };
    let created = book_in(&mut tx, term, input, &booking).await?;
    let ids: Vec<i64> = created.iter().map(|c| c.id).collect();
    db.commit(tx, &ids).await?;
    tracing::info!(term_id = term, bookings = created.len(), "term booked");
    Ok(created)
}

/// How a term is booked: the hold policy, the sibling discount, the key that seals medical
/// notes, and whether the emergency contact is required (it is of a parent's form; a place
/// from the waitlist goes without, and the roster flags it).
struct Booking<'a> {
    policy: HoldPolicy,
    sibling_percent: u8,
    key: &'a crate::settings::DataKey,
    require_track: bool,
}

/// [`book`], in `tx`.
async fn book_in(
    tx: &mut Tx,
    term: i64,
    input: &BookingFormInput,
    how: &Booking<'_>,
) -> Result<Vec<CreatedBooking>, FormRefused> {
    let Booking {
        policy,
        sibling_percent,
        key,
        require_track,
    } = *how;
    let refuse = |message: String| {
        let mut fields = FieldErrors::default();
        fields.add("session", message);
        fields.values = input.values();
        FormRefused::Invalid(fields)
    };
    let Some(price) = terms::lock(tx, term).await? else {
        return Err(refuse("That term does not exist.".into()));
    };
    let all = terms::sessions_of(tx, term).await?;
    let (Some(&(first, _)), None) = (all.first(), price.cancelled_at) else {
        return Err(refuse("That term was cancelled.".into()));
    };
    let mut form = input.clone();
    form.session = first.to_string();
    let requests = form
        .parse_children(require_track)
        .map_err(FormRefused::Invalid)?;
    let now = now_ms();
    let children = i64::try_from(requests.len()).unwrap_or(i64::MAX);
    // Locked in order (as every term booking does), then checked: none started, a place in each
    // for every child.
    let mut held = Vec::new();
    for &(session, _) in &all {
        let Some(terms_of) = bookings::lock_session(tx, session).await? else {
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
        let taken = bookings::places_taken(tx, session, now, 0).await?;
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
            if bookings::same_athlete_in_session(tx, &in_session)
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
    let holds = bookings::unpaid_holds(tx, &requests[0].parent_email, first, now).await?;
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
    let consent = crate::db::consent::current_version(tx).await?;
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
                tx,
                &in_session,
                BookingSource::Online,
                None,
                terms_of,
                place,
                now,
            )
            .await?;
            if let Some(version) = consent {
                crate::db::consent::accepted(tx, booked.id, version).await?;
            }
            super::medical::keep(tx, key, booked.id, &request.track).await?;
            created.push(booked);
        }
    }
    let send_after = (policy.first_mail_delay_ms > 0).then_some(now + policy.first_mail_delay_ms);
    super::mail::queue_after(
        tx,
        created[0].id,
        &requests[0].parent_email,
        None,
        &BookingMail::BookingCreated,
        now,
        send_after,
    )
    .await?;
    Ok(created)
}

/// Books the whole term offered under waitlist `token` for its child, in the transaction that
/// takes the offer (its places are held for it until then).
pub async fn book_offer(
    db: &Db,
    token: &str,
    policy: HoldPolicy,
    sibling_percent: u8,
    key: &crate::settings::DataKey,
) -> Result<Vec<CreatedBooking>, super::waitlist::OfferProblem> {
    use super::waitlist::OfferProblem;
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
    let term = entry.term_id.ok_or(OfferProblem::NotFound)?;
    let input = BookingFormInput {
        session: entry.training_session_id.to_string(),
        parent_name: entry.parent_name.clone(),
        parent_email: entry.parent_email.clone(),
        parent_phone: entry.parent_phone.clone(),
        athlete_name: entry.athlete_name.clone(),
        athlete_age: entry.athlete_age.to_string(),
        notes: entry.notes.clone(),
        // Agreed to when joining the waitlist, which asks it as the booking form does.
        consent: Some("on".into()),
        ..Default::default()
    };
    let how = Booking {
        policy,
        sibling_percent,
        key,
        require_track: false,
    };
    let created = match book_in(&mut tx, term, &input, &how).await {
        Ok(created) => created,
        Err(FormRefused::Database(error)) => return Err(error.into()),
        Err(FormRefused::Invalid(fields) | FormRefused::Limited { fields, .. }) => {
            let why = fields
                .form
                .or_else(|| fields.errors.into_values().next())
                .unwrap_or_default();
            return Err(OfferProblem::Refused(why));
        }
    };
    waitlist::set_booking(&mut tx, id, created[0].id).await?;
    let ids: Vec<i64> = created.iter().map(|c| c.id).collect();
    db.commit(tx, &ids).await?;
    tracing::info!(
        waitlist = id,
        term_id = term,
        bookings = ids.len(),
        "term waitlist offer booked"
    );
    Ok(created)
}
