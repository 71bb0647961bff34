//! Bookings: creation under the session's capacity, and reading one booking back.

use super::sessions::holds_place;
use super::{now_ms, Db};
use crate::domain::{AttendanceStatus, PaymentStatus};
use crate::live::{commit_and_announce, LiveHub};
use serde::{Deserialize, Serialize};
use sqlx::any::AnyRow;
use sqlx::Row;

/// How long an unpaid booking holds its place (a Checkout Session lives at least 30 minutes).
pub const HOLD_MS: i64 = 35 * 60 * 1000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BookingSource {
    /// Booked by a parent through the public form; paid through Checkout.
    Online,
    /// Entered by an admin; bypasses payment.
    Manual,
}

impl BookingSource {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Online => "online",
            Self::Manual => "manual",
        }
    }
}

/// A booking as validated at the edge; every field already checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewBooking {
    pub training_session_id: i64,
    pub parent_name: String,
    pub parent_email: String,
    pub parent_phone: Option<String>,
    pub athlete_name: String,
    pub athlete_age: i64,
    pub notes: Option<String>,
    pub source: BookingSource,
}

#[derive(Debug, thiserror::Error)]
pub enum CreateBookingError {
    #[error("that session does not exist")]
    SessionNotFound,
    #[error("that session has been cancelled")]
    SessionCancelled,
    #[error("that session has already started")]
    SessionStarted,
    #[error("that session is full")]
    SessionFull,
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatedBooking {
    pub id: i64,
    pub reference: String,
}

/// Everything stored about one booking, with its session's title and time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Booking {
    pub id: i64,
    pub reference: String,
    pub training_session_id: i64,
    pub session_title: String,
    pub session_starts_at: i64,
    pub session_location: String,
    pub parent_name: String,
    pub parent_email: String,
    pub parent_phone: Option<String>,
    pub athlete_name: String,
    pub athlete_age: i64,
    pub notes: Option<String>,
    pub source: String,
    pub payment_status: PaymentStatus,
    pub attendance_status: AttendanceStatus,
    pub amount: i64,
    pub currency: String,
    pub held_until: i64,
    pub stripe_checkout_session_id: Option<String>,
    pub stripe_checkout_url: Option<String>,
    pub stripe_checkout_expires_at: Option<i64>,
    pub checkout_attempts: i64,
    pub stripe_payment_intent_id: Option<String>,
    pub amount_paid: Option<i64>,
    pub amount_refunded: i64,
    pub paid_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// A status column read as its domain type; an unknown spelling is a decode error.
pub(crate) fn decode_status<T: std::str::FromStr>(
    row: &AnyRow,
    column: &str,
) -> Result<T, sqlx::Error>
where
    T::Err: std::error::Error + Send + Sync + 'static,
{
    let text: String = row.try_get(column)?;
    text.parse::<T>()
        .map_err(|e| sqlx::Error::Decode(Box::new(e)))
}

impl Booking {
    pub fn from_row(row: &AnyRow) -> Result<Self, sqlx::Error> {
        Ok(Self {
            id: row.try_get("id")?,
            reference: row.try_get("reference")?,
            training_session_id: row.try_get("training_session_id")?,
            session_title: row.try_get("session_title")?,
            session_starts_at: row.try_get("session_starts_at")?,
            session_location: row.try_get("session_location")?,
            parent_name: row.try_get("parent_name")?,
            parent_email: row.try_get("parent_email")?,
            parent_phone: row.try_get("parent_phone")?,
            athlete_name: row.try_get("athlete_name")?,
            athlete_age: row.try_get("athlete_age")?,
            notes: row.try_get("notes")?,
            source: row.try_get("source")?,
            payment_status: decode_status(row, "payment_status")?,
            attendance_status: decode_status(row, "attendance_status")?,
            amount: row.try_get("amount")?,
            currency: row.try_get("currency")?,
            held_until: row.try_get("held_until")?,
            stripe_checkout_session_id: row.try_get("stripe_checkout_session_id")?,
            stripe_checkout_url: row.try_get("stripe_checkout_url")?,
            stripe_checkout_expires_at: row.try_get("stripe_checkout_expires_at")?,
            checkout_attempts: row.try_get("checkout_attempts")?,
            stripe_payment_intent_id: row.try_get("stripe_payment_intent_id")?,
            amount_paid: row.try_get("amount_paid")?,
            amount_refunded: row.try_get("amount_refunded")?,
            paid_at: row.try_get("paid_at")?,
            created_at: row.try_get("created_at")?,
            updated_at: row.try_get("updated_at")?,
        })
    }
}

macro_rules! booking_select {
    () => {
        "SELECT b.id, b.reference, b.training_session_id, s.title AS session_title,
                s.starts_at AS session_starts_at, s.location AS session_location,
                b.parent_name, b.parent_email, b.parent_phone, b.athlete_name, b.athlete_age,
                b.notes, b.source, b.payment_status, b.attendance_status, b.amount, b.currency,
                b.held_until, b.stripe_checkout_session_id, b.stripe_checkout_url,
                b.stripe_checkout_expires_at, b.checkout_attempts, b.stripe_payment_intent_id,
                b.amount_paid, b.amount_refunded, b.paid_at, b.created_at, b.updated_at
         FROM bookings b JOIN training_sessions s ON s.id = b.training_session_id"
    };
}
pub(crate) use booking_select;

/// An unguessable booking reference: 100 random bits in Crockford's base32 (20 characters).
pub fn new_reference() -> String {
    const ALPHABET: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";
    let bytes: [u8; 20] = rand::random();
    bytes
        .iter()
        .map(|b| ALPHABET[(*b & 31) as usize] as char)
        .collect()
}

/// Creates a booking if its session has a place, checking capacity in the same transaction
/// that inserts (the session row is locked first, so two bookings never take the last place).
pub async fn create(
    db: &Db,
    hub: &LiveHub,
    new: &NewBooking,
) -> Result<CreatedBooking, CreateBookingError> {
    let now = now_ms();
    let mut tx = db.writer().begin().await?;
    let session = sqlx::query(
        "UPDATE training_sessions SET updated_at = updated_at WHERE id = $1
         RETURNING capacity, price_amount, currency, starts_at, cancelled_at",
    )
    .bind(new.training_session_id)
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(CreateBookingError::SessionNotFound)?;
    let capacity: i64 = session.try_get("capacity")?;
    let price: i64 = session.try_get("price_amount")?;
    let currency: String = session.try_get("currency")?;
    let starts_at: i64 = session.try_get("starts_at")?;
    let cancelled_at: Option<i64> = session.try_get("cancelled_at")?;
    if cancelled_at.is_some() {
        return Err(CreateBookingError::SessionCancelled);
    }
    if starts_at <= now && new.source == BookingSource::Online {
        return Err(CreateBookingError::SessionStarted);
    }
    let taken: i64 = sqlx::query_scalar(concat!(
        "SELECT COUNT(*) FROM bookings b WHERE b.training_session_id = $2 AND ",
        holds_place!()
    ))
    .bind(now)
    .bind(new.training_session_id)
    .fetch_one(&mut *tx)
    .await?;
    if taken >= capacity {
        return Err(CreateBookingError::SessionFull);
    }

    let reference = new_reference();
    let attendance = match new.source {
        BookingSource::Online => AttendanceStatus::Pending,
        BookingSource::Manual => AttendanceStatus::Manual,
    };
    let search_text = format!(
        "{} {} {}",
        new.parent_name, new.athlete_name, new.parent_email
    )
    .to_lowercase();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO bookings
            (reference, training_session_id, parent_name, parent_email, parent_phone,
             athlete_name, athlete_age, notes, consent_at, source, attendance_status,
             amount, currency, held_until, search_text, created_at, updated_at, session_starts_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $16, $17)
         RETURNING id",
    )
    .bind(&reference)
    .bind(new.training_session_id)
    .bind(&new.parent_name)
    .bind(&new.parent_email)
    .bind(new.parent_phone.clone())
    .bind(&new.athlete_name)
    .bind(new.athlete_age)
    .bind(new.notes.clone())
    .bind((new.source == BookingSource::Online).then_some(now))
    .bind(new.source.as_str())
    .bind(attendance.as_str())
    .bind(price)
    .bind(&currency)
    .bind(now + HOLD_MS)
    .bind(search_text)
    .bind(now)
    .bind(starts_at)
    .fetch_one(&mut *tx)
    .await?;
    commit_and_announce(tx, db, hub, &[id]).await?;
    Ok(CreatedBooking { id, reference })
}

pub async fn by_id(db: &Db, id: i64) -> Result<Option<Booking>, sqlx::Error> {
    let row = sqlx::query(concat!(booking_select!(), " WHERE b.id = $1"))
        .bind(id)
        .fetch_optional(db.reader())
        .await?;
    row.as_ref().map(Booking::from_row).transpose()
}

pub async fn by_reference(db: &Db, reference: &str) -> Result<Option<Booking>, sqlx::Error> {
    let row = sqlx::query(concat!(booking_select!(), " WHERE b.reference = $1"))
        .bind(reference.to_owned())
        .fetch_optional(db.reader())
        .await?;
    row.as_ref().map(Booking::from_row).transpose()
}

/// Stripe's message for the booking's latest failed payment, if any.
pub async fn last_failure(db: &Db, booking_id: i64) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT error_message FROM payment_logs
         WHERE booking_id = $1 AND level = 'error'
         ORDER BY created_at DESC, id DESC LIMIT 1",
    )
    .bind(booking_id)
    .fetch_optional(db.reader())
    .await
    .map(Option::flatten)
}

/// The booking holding a checkout session (the simulated checkout page looks it up so).
pub async fn by_checkout_session(
    db: &Db,
    session_id: &str,
) -> Result<Option<Booking>, sqlx::Error> {
    let row = sqlx::query(concat!(
        booking_select!(),
        " WHERE b.stripe_checkout_session_id = $1"
    ))
    .bind(session_id.to_owned())
    .fetch_optional(db.reader())
    .await?;
    row.as_ref().map(Booking::from_row).transpose()
}
