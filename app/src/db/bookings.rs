//! Bookings: inserting one under its session's capacity, and reading one back.

use super::{Db, Tx};
use domain::booking_form::BookingRequest;
use domain::{AttendanceStatus, BookingSource, PaymentStatus};
use serde::{Deserialize, Serialize};

/// Whether booking `b` holds a place whatever the time: paid or manual, neither cancelled nor
/// refunded. Written exactly as the predicate of the index `bookings_firm` (migration
/// `place_counts`), so that a count of these reads that index alone.
macro_rules! firm_place {
    () => {
        "b.attendance_status <> 'cancelled' AND b.payment_status <> 'refunded'
           AND (b.payment_status = 'paid' OR b.source = 'manual')"
    };
}
pub(crate) use firm_place;

/// Whether booking `b` holds a place while its hold lasts: online, unpaid or failed, not
/// cancelled. Written exactly as the predicate of the index `bookings_held`.
macro_rules! held_place {
    () => {
        "b.attendance_status <> 'cancelled' AND b.payment_status IN ('unpaid', 'failed')
           AND b.source <> 'manual'"
    };
}

/// Whether booking `b` holds a place in its session at the time bound to `$now`: not cancelled
/// or refunded, and paid, manual, or still within its hold (firm, or held). Every query that
/// asks it of one booking uses it, each naming its own placeholder for the time; a count over
/// a session uses [`places_held`].
macro_rules! holds_place {
    ($now:literal) => {
        concat!(
            "((",
            $crate::db::bookings::firm_place!(),
            ") OR (",
            $crate::db::bookings::held_place!(),
            " AND b.held_until > ",
            $now,
            "))"
        )
    };
}
pub(crate) use holds_place;

/// How many bookings `b` of session `$session` meet `$condition`: the one form of a count
/// over a session's bookings, which [`firm_count`] and [`held_count`] fill in.
macro_rules! session_count {
    ($session:literal, $condition:expr) => {
        concat!(
            "(SELECT COUNT(*) FROM bookings b WHERE b.training_session_id = ",
            $session,
            " AND ",
            $condition,
            ")"
        )
    };
}

/// How many bookings of session `$session` are firm, read from `bookings_firm` alone.
macro_rules! firm_count {
    ($session:literal) => {
        $crate::db::bookings::session_count!($session, $crate::db::bookings::firm_place!())
    };
}

/// How many bookings of session `$session` are still held at `$now`, read from
/// `bookings_held` alone.
macro_rules! held_count {
    ($session:literal, $now:literal) => {
        $crate::db::bookings::session_count!(
            $session,
            concat!(
                $crate::db::bookings::held_place!(),
                " AND b.held_until > ",
                $now
            )
        )
    };
}

/// How many bookings of session `$session` hold a place at `$now`: the firm ones, then those
/// still held, each counted from its own partial index. Their number, not the session's whole
/// list of bookings, is what the count reads (docs/ARCHITECTURE.md, "Counting a session's
/// places").
macro_rules! places_held {
    ($session:literal, $now:literal) => {
        concat!(
            "(",
            $crate::db::bookings::firm_count!($session),
            " + ",
            $crate::db::bookings::held_count!($session, $now),
            ")"
        )
    };
}
pub(crate) use firm_count;
pub(crate) use held_count;
pub(crate) use held_place;
pub(crate) use places_held;
pub(crate) use session_count;

/// Everything stored about one booking, with its session's title, start and place.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct Booking {
    pub id: i64,
    pub reference: String,
    pub training_session_id: i64,
    pub session_title: String,
    pub session_starts_at: i64,
    pub session_duration_minutes: i64,
    pub session_location: String,
    /// When the coach cancelled the whole session, if they did.
    pub session_cancelled_at: Option<i64>,
    pub parent_name: String,
    pub parent_email: String,
    pub parent_phone: Option<String>,
    pub athlete_name: String,
    pub athlete_age: i64,
    pub notes: Option<String>,
    #[sqlx(try_from = "String")]
    pub source: BookingSource,
    #[sqlx(try_from = "String")]
    pub payment_status: PaymentStatus,
    #[sqlx(try_from = "String")]
    pub attendance_status: AttendanceStatus,
    pub amount: i64,
    pub currency: String,
    pub held_until: i64,
    pub stripe_checkout_session_id: Option<String>,
    pub stripe_checkout_url: Option<String>,
    pub stripe_checkout_expires_at: Option<i64>,
    pub checkout_attempts: i64,
    /// The request of the checkout attempt in flight (JSON), if one was not answered.
    pub checkout_request: Option<String>,
    pub stripe_payment_intent_id: Option<String>,
    pub amount_paid: Option<i64>,
    /// What a promotion code took off its price (0: none), and that code's text and id.
    pub amount_discount: i64,
    pub promotion_code: Option<String>,
    pub promotion_code_id: Option<String>,
    pub amount_refunded: i64,
    pub paid_at: Option<i64>,
    /// Since when a delayed payment (a bank debit) is awaited, if one is.
    pub payment_awaited_at: Option<i64>,
    /// How an admin's entry was settled: `outside` Stripe, or `free`.
    pub manual_payment: Option<String>,
    pub checkout_started_at: Option<i64>,
    /// The booking whose checkout pays for this one too (a family's first child), if any.
    pub paid_with: Option<i64>,
    /// How many times its session changed its time or place while it stood.
    pub schedule_changes: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

/// The columns of a `Booking`, for one booking chosen by the WHERE clause appended to it.
macro_rules! booking_select {
    () => {
        "SELECT b.id, b.reference, b.training_session_id, s.title AS session_title,
                s.starts_at AS session_starts_at, s.duration_minutes AS session_duration_minutes,
                s.location AS session_location, s.cancelled_at AS session_cancelled_at,
                b.parent_name, b.parent_email, b.parent_phone, b.athlete_name, b.athlete_age,
                b.notes, b.source, b.payment_status, b.attendance_status, b.amount, b.currency,
                b.held_until, b.stripe_checkout_session_id, b.stripe_checkout_url,
                b.stripe_checkout_expires_at, b.checkout_attempts, b.checkout_request,
                b.stripe_payment_intent_id,
                b.amount_paid, b.amount_discount, b.promotion_code, b.promotion_code_id,
                b.amount_refunded, b.paid_at, b.payment_awaited_at,
                b.manual_payment, b.checkout_started_at, b.paid_with, b.schedule_changes, b.created_at,
                b.updated_at
         FROM bookings b JOIN training_sessions s ON s.id = b.training_session_id"
    };
}
pub(crate) use booking_select;

const BY_ID: &str = concat!(booking_select!(), " WHERE b.id = $1");
const BY_REFERENCE: &str = concat!(booking_select!(), " WHERE b.reference = $1");
const BY_CHECKOUT_SESSION: &str = concat!(
    booking_select!(),
    " WHERE b.stripe_checkout_session_id = $1"
);

/// A new booking's id and its private reference.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatedBooking {
    pub id: i64,
    pub reference: String,
}

/// What a booking needs of its session, read with the session locked.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SessionTerms {
    pub capacity: i64,
    pub price_amount: i64,
    pub currency: String,
    pub starts_at: i64,
    pub cancelled_at: Option<i64>,
    /// The ages the session is for, when it says.
    pub min_age: Option<i64>,
    pub max_age: Option<i64>,
    /// The term it belongs to, if any.
    pub term_id: Option<i64>,
}

/// An unguessable booking reference: 100 random bits in Crockford's base32 (20 characters).
pub fn new_reference() -> String {
    const ALPHABET: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";
    let bytes: [u8; 20] = rand::random();
    bytes
        .iter()
        .map(|b| ALPHABET[(*b & 31) as usize] as char)
        .collect()
}

/// Locks a training session for the rest of `tx` (the no-op UPDATE both databases accept) and
/// reads its terms, so that two transactions never count the same last place.
pub async fn lock_session(
    tx: &mut Tx,
    session_id: i64,
) -> Result<Option<SessionTerms>, sqlx::Error> {
    sqlx::query_as(
        "UPDATE training_sessions SET updated_at = updated_at WHERE id = $1
         RETURNING capacity, price_amount, currency, starts_at, cancelled_at, min_age, max_age,
                   term_id",
    )
    .bind(session_id)
    .fetch_optional(&mut **tx)
    .await
}

/// The places of session `$1` held at `$3` (by its bookings, and by waitlist offers), not
/// counting booking `$2` (0 counts them all): the query of [`places_taken`], public so that a
/// test can ask the database how it reads it.
pub const PLACES_TAKEN_SQL: &str = concat!(
    "SELECT ",
    places_held!("$1", "$3"),
    " - (SELECT COUNT(*) FROM bookings b
     WHERE b.id = $2 AND b.training_session_id = $1 AND ",
    holds_place!("$3"),
    ") + ",
    super::waitlist::offers_holding!("$1", "$3")
);

/// The places of a session held at `now` (by its bookings, and by waitlist offers), not
/// counting booking `except` (0 counts them all).
pub async fn places_taken(
    tx: &mut Tx,
    session_id: i64,
    now: i64,
    except: i64,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(PLACES_TAKEN_SQL)
        .bind(session_id)
        .bind(except)
        .bind(now)
        .fetch_one(&mut **tx)
        .await
}

/// An email's unpaid online bookings holding a place at `now`: how many, how many of them in
/// session `session_id`, and when the first of their holds ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::FromRow)]
pub struct UnpaidHolds {
    pub held: i64,
    pub in_session: i64,
    pub first_release: Option<i64>,
}

pub async fn unpaid_holds(
    tx: &mut Tx,
    email: &str,
    session_id: i64,
    now: i64,
) -> Result<UnpaidHolds, sqlx::Error> {
    sqlx::query_as(
        "SELECT COUNT(*) AS held,
                COALESCE(SUM(CASE WHEN b.training_session_id = $2 THEN 1 ELSE 0 END), 0) AS in_session,
                MIN(b.held_until) AS first_release
         FROM bookings b
         WHERE lower(b.parent_email) = lower($1) AND b.held_until > $3
           AND b.source = 'online' AND b.payment_status IN ('unpaid', 'failed')
           AND b.attendance_status <> 'cancelled'",
    )
    .bind(email.to_owned())
    .bind(session_id)
    .bind(now)
    .fetch_one(&mut **tx)
    .await
}

/// A standing (not cancelled) booking of the same athlete (its name, whatever the case and
/// spaces around it) by the same email in the session, if there is one.
pub async fn same_athlete_in_session(
    tx: &mut Tx,
    request: &BookingRequest,
) -> Result<Option<i64>, sqlx::Error> {
    athlete_in_session(
        tx,
        request.training_session_id,
        &request.parent_email,
        &request.athlete_name,
    )
    .await
}

/// [`same_athlete_in_session`], by the session, the parent's email and the athlete's name.
pub async fn athlete_in_session(
    tx: &mut Tx,
    session: i64,
    parent_email: &str,
    athlete_name: &str,
) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT id FROM bookings
         WHERE training_session_id = $1 AND lower(parent_email) = lower($2)
           AND lower(trim(athlete_name)) = lower(trim($3))
           AND attendance_status <> 'cancelled'
         LIMIT 1",
    )
    .bind(session)
    .bind(parent_email.to_owned())
    .bind(athlete_name.to_owned())
    .fetch_optional(&mut **tx)
    .await
}

/// Inserts a booking of `request` at the session's price, holding its place until
/// `held_until`. Capacity is the caller's check, made in the same transaction.
/// What a new booking's place costs and how it is paid: its price (a sibling's may be less
/// than the session's), the booking whose checkout pays for it too (a family's first child),
/// and until when it is held unpaid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NewPlace {
    pub amount: i64,
    pub paid_with: Option<i64>,
    pub held_until: i64,
}

pub async fn insert(
    tx: &mut Tx,
    request: &BookingRequest,
    source: BookingSource,
    settled: Option<domain::ManualPayment>,
    terms: &SessionTerms,
    place: NewPlace,
    now: i64,
) -> Result<CreatedBooking, sqlx::Error> {
    let reference = new_reference();
    let search_text = format!(
        "{} {} {}",
        request.parent_name, request.athlete_name, request.parent_email
    )
    .to_lowercase();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO bookings
            (reference, training_session_id, parent_name, parent_email, parent_phone,
             athlete_name, athlete_age, notes, consent_at, source, attendance_status,
             amount, currency, held_until, search_text, created_at, updated_at, session_starts_at,
             manual_payment, paid_with)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $16, $17,
                 $18, $19)
         RETURNING id",
    )
    .bind(&reference)
    .bind(request.training_session_id)
    .bind(&request.parent_name)
    .bind(&request.parent_email)
    .bind(request.parent_phone.clone())
    .bind(&request.athlete_name)
    .bind(request.athlete_age)
    .bind(request.notes.clone())
    .bind((source == BookingSource::Online).then_some(now))
    .bind(source.as_str())
    .bind(source.initial_attendance().as_str())
    .bind(place.amount)
    .bind(&terms.currency)
    .bind(place.held_until)
    .bind(search_text)
    .bind(now)
    .bind(terms.starts_at)
    .bind(settled.map(|s| s.as_str()))
    .bind(place.paid_with)
    .fetch_one(&mut **tx)
    .await?;
    Ok(CreatedBooking { id, reference })
}

pub async fn by_id(db: &Db, id: i64) -> Result<Option<Booking>, sqlx::Error> {
    sqlx::query_as(BY_ID)
        .bind(id)
        .fetch_optional(db.reader())
        .await
}

pub async fn by_reference(db: &Db, reference: &str) -> Result<Option<Booking>, sqlx::Error> {
    sqlx::query_as(BY_REFERENCE)
        .bind(reference.to_owned())
        .fetch_optional(db.reader())
        .await
}

/// The booking holding a checkout session (the simulated checkout page looks it up so).
pub async fn by_checkout_session(
    db: &Db,
    session_id: &str,
) -> Result<Option<Booking>, sqlx::Error> {
    sqlx::query_as(BY_CHECKOUT_SESSION)
        .bind(session_id.to_owned())
        .fetch_optional(db.reader())
        .await
}

/// An email's bookings whose session is still to come and that are not cancelled, soonest
/// first.
pub async fn upcoming_for_email(
    db: &Db,
    email: &str,
    now: i64,
) -> Result<Vec<Booking>, sqlx::Error> {
    sqlx::query_as(concat!(
        booking_select!(),
        " WHERE lower(b.parent_email) = lower($1) AND s.starts_at > $2
            AND b.attendance_status <> 'cancelled'
          ORDER BY s.starts_at, b.id LIMIT 50"
    ))
    .bind(email.to_owned())
    .bind(now)
    .fetch_all(db.reader())
    .await
}

/// Locks the booking with `id` for the rest of `tx` and reads it.
pub async fn lock_by_id(tx: &mut Tx, id: i64) -> Result<Option<Booking>, sqlx::Error> {
    let locked = sqlx::query("UPDATE bookings SET updated_at = updated_at WHERE id = $1")
        .bind(id)
        .execute(&mut **tx)
        .await?
        .rows_affected();
    if locked == 0 {
        return Ok(None);
    }
    sqlx::query_as(BY_ID)
        .bind(id)
        .fetch_optional(&mut **tx)
        .await
}

/// The ids of a session's bookings that are not cancelled, oldest first.
pub async fn standing_in_session(db: &Db, session_id: i64) -> Result<Vec<i64>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT id FROM bookings
         WHERE training_session_id = $1 AND attendance_status <> 'cancelled'
         ORDER BY id",
    )
    .bind(session_id)
    .fetch_all(db.reader())
    .await
}

/// Locks the booking with `reference` for the rest of `tx` and reads it.
pub async fn lock_by_reference(
    tx: &mut Tx,
    reference: &str,
) -> Result<Option<Booking>, sqlx::Error> {
    let locked = sqlx::query("UPDATE bookings SET updated_at = updated_at WHERE reference = $1")
        .bind(reference.to_owned())
        .execute(&mut **tx)
        .await?
        .rows_affected();
    if locked == 0 {
        return Ok(None);
    }
    sqlx::query_as(BY_REFERENCE)
        .bind(reference.to_owned())
        .fetch_optional(&mut **tx)
        .await
}
