//! What a family keeps and what is kept of it: its athletes' profiles (medical notes sealed
//! under the family data key, opened only for the family, and later its admins), the export of
//! everything about its address, its erasure, and the erasure of bookings past the retention
//! time. `export` and `erase` take an address, so the admin's side can call them too.

use crate::db::athletes::{self, AthleteRow, AthleteWrite};
use crate::db::{families, now_ms, outbox, Db};
use crate::services::sealed::{self, Unsealable};
use crate::settings::DataKey;
use domain::booking_form::TrackDetails;
use domain::family::{erased_email, AthleteProfile, ERASED};
use serde::Serialize;

/// Bookings erased per round of the retention job.
const RETENTION_BATCH: i64 = 200;

#[derive(Debug, thiserror::Error)]
pub enum FamilyDataError {
    #[error(transparent)]
    Sealed(#[from] Unsealable),
    #[error("no such athlete in this family")]
    NoSuchAthlete,
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// An athlete as the family (or an admin) reads it: the notes opened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Athlete {
    pub id: i64,
    pub name: String,
    pub date_of_birth: Option<String>,
    pub emergency_name: Option<String>,
    pub emergency_phone: Option<String>,
    pub medical_notes: Option<String>,
}

/// Opens one stored profile.
pub fn open_athlete(key: &DataKey, row: AthleteRow) -> Result<Athlete, Unsealable> {
    Ok(Athlete {
        medical_notes: row
            .medical_notes_sealed
            .as_deref()
            .map(|sealed| sealed::open(key, sealed::MEDICAL_NOTE, sealed))
            .transpose()?,
        id: row.id,
        name: row.name,
        date_of_birth: row.date_of_birth,
        emergency_name: row.emergency_name,
        emergency_phone: row.emergency_phone,
    })
}

/// The athletes of family `family`, their notes opened.
pub async fn athletes(
    db: &Db,
    key: &DataKey,
    family: i64,
) -> Result<Vec<Athlete>, FamilyDataError> {
    athletes::of_family(db, family)
        .await?
        .into_iter()
        .map(|row| open_athlete(key, row).map_err(FamilyDataError::from))
        .collect()
}

/// The athletes the family of `email` keeps (none when it has no account): for the admin.
pub async fn athletes_of_email(
    db: &Db,
    key: &DataKey,
    email: &str,
) -> Result<Vec<Athlete>, FamilyDataError> {
    match families::by_email(db, email).await? {
        Some(family) => athletes(db, key, family.id).await,
        None => Ok(Vec::new()),
    }
}

/// Adds an athlete to family `family`; its id.
pub async fn add_athlete(
    db: &Db,
    key: &DataKey,
    family: i64,
    profile: &AthleteProfile,
) -> Result<i64, sqlx::Error> {
    let sealed = profile
        .medical_notes
        .as_deref()
        .map(|notes| sealed::seal(key, sealed::MEDICAL_NOTE, notes));
    athletes::insert(db, family, write(profile, sealed.as_deref()), now_ms()).await
}

/// Rewrites athlete `id` of family `family`.
pub async fn update_athlete(
    db: &Db,
    key: &DataKey,
    family: i64,
    id: i64,
    profile: &AthleteProfile,
) -> Result<(), FamilyDataError> {
    let sealed = profile
        .medical_notes
        .as_deref()
        .map(|notes| sealed::seal(key, sealed::MEDICAL_NOTE, notes));
    if athletes::update(db, family, id, write(profile, sealed.as_deref()), now_ms()).await? {
        Ok(())
    } else {
        Err(FamilyDataError::NoSuchAthlete)
    }
}

/// Removes athlete `id` of family `family`.
pub async fn remove_athlete(db: &Db, family: i64, id: i64) -> Result<(), FamilyDataError> {
    if athletes::delete(db, family, id).await? {
        Ok(())
    } else {
        Err(FamilyDataError::NoSuchAthlete)
    }
}

fn write<'a>(profile: &'a AthleteProfile, sealed: Option<&'a str>) -> AthleteWrite<'a> {
    AthleteWrite {
        name: &profile.name,
        date_of_birth: profile.date_of_birth.as_deref(),
        emergency_name: profile.emergency_name.as_deref(),
        emergency_phone: profile.emergency_phone.as_deref(),
        medical_notes_sealed: sealed,
    }
}

/// One booking in an export: what the family typed, the session, and its payment as recorded.
#[derive(Debug, Clone, Serialize)]
pub struct ExportedBooking {
    pub reference: String,
    pub session_title: String,
    /// UTC ms.
    pub session_starts_at: i64,
    pub session_location: String,
    pub parent_name: String,
    pub parent_email: String,
    pub parent_phone: Option<String>,
    pub athlete_name: String,
    pub athlete_age: i64,
    pub notes: Option<String>,
    pub payment_status: String,
    pub attendance_status: String,
    pub amount: i64,
    pub amount_paid: Option<i64>,
    /// What a promotion code took off the price (0: none), and the code (its text and id).
    pub amount_discount: i64,
    pub promotion_code: Option<String>,
    pub promotion_code_id: Option<String>,
    pub amount_refunded: i64,
    pub currency: String,
    pub paid_at: Option<i64>,
    pub stripe_payment_intent_id: Option<String>,
    pub created_at: i64,
    /// The emergency contact and the medical notes (opened) given with the booking.
    pub emergency_contact_name: Option<String>,
    pub emergency_contact_phone: Option<String>,
    pub medical_notes: Option<String>,
}

/// One mail sent (or tried) to the address.
#[derive(Debug, Clone, Serialize)]
pub struct ExportedMail {
    pub kind: String,
    pub status: String,
    pub subject: Option<String>,
    pub created_at: i64,
    pub sent_at: Option<i64>,
}

/// Everything kept about an address.
#[derive(Debug, Clone, Serialize)]
pub struct FamilyExport {
    pub email: String,
    /// UTC ms.
    pub exported_at: i64,
    pub bookings: Vec<ExportedBooking>,
    pub athletes: Vec<Athlete>,
    pub mails: Vec<ExportedMail>,
}

/// Everything kept about `email`: its bookings (with their payments as recorded), its
/// family's athletes (notes opened) and the mails sent to it.
pub async fn export(db: &Db, key: &DataKey, email: &str) -> Result<FamilyExport, FamilyDataError> {
    let mut bookings = Vec::new();
    for b in families::bookings_of(db, email).await? {
        let track = given_with(db, key, b.id).await?;
        bookings.push(ExportedBooking {
            emergency_contact_name: track.contact_name,
            emergency_contact_phone: track.contact_phone,
            medical_notes: track.medical_notes,
            reference: b.reference,
            session_title: b.session_title,
            session_starts_at: b.session_starts_at,
            session_location: b.session_location,
            parent_name: b.parent_name,
            parent_email: b.parent_email,
            parent_phone: b.parent_phone,
            athlete_name: b.athlete_name,
            athlete_age: b.athlete_age,
            notes: b.notes,
            payment_status: b.payment_status.as_str().to_owned(),
            attendance_status: b.attendance_status.as_str().to_owned(),
            amount: b.amount,
            amount_paid: b.amount_paid,
            amount_discount: b.amount_discount,
            promotion_code: b.promotion_code,
            promotion_code_id: b.promotion_code_id,
            amount_refunded: b.amount_refunded,
            currency: b.currency,
            paid_at: b.paid_at,
            stripe_payment_intent_id: b.stripe_payment_intent_id,
            created_at: b.created_at,
        });
    }
    let mails = outbox::to_address(db, email)
        .await?
        .into_iter()
        .map(|m| ExportedMail {
            kind: m.kind.as_str().to_owned(),
            status: m.status.as_str().to_owned(),
            subject: m.subject,
            created_at: m.created_at,
            sent_at: m.sent_at,
        })
        .collect();
    Ok(FamilyExport {
        email: email.to_lowercase(),
        exported_at: now_ms(),
        bookings,
        athletes: athletes_of_email(db, key, email).await?,
        mails,
    })
}

/// The contact and notes (opened) given with booking `booking`, for its family's export.
pub async fn given_with(
    db: &Db,
    key: &DataKey,
    booking: i64,
) -> Result<TrackDetails, FamilyDataError> {
    let Some(row) = crate::db::emergency::of_booking(db, booking).await? else {
        return Ok(TrackDetails::default());
    };
    Ok(TrackDetails {
        contact_name: row.contact_name,
        contact_phone: row.contact_phone,
        medical_notes: row
            .medical_notes_sealed
            .as_deref()
            .map(|notes| sealed::open(key, sealed::MEDICAL_NOTE, notes))
            .transpose()?,
    })
}

/// What an erasure removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Erased {
    pub bookings: usize,
    pub athletes: i64,
}

/// Erases what is kept about `email`, in one transaction: the names, contacts and notes of its
/// bookings (their emergency details and medical notes too) and waitlist places (replaced by "Erased" and an address of its own that receives
/// no mail), its family account with its athletes and logins, and what its mails said. Amounts,
/// statuses, Stripe's ids, the ledger and refunds stay (they are the business's records).
pub async fn erase(db: &Db, email: &str) -> Result<Erased, sqlx::Error> {
    let now = now_ms();
    let placeholder = erased_email(&hex::encode(rand::random::<[u8; 8]>()));
    let mut tx = db.begin().await?;
    let athletes = athletes::count_of_email(&mut tx, email).await?;
    let ids = families::erase_address(&mut tx, email, ERASED, &placeholder, now).await?;
    for id in &ids {
        crate::db::emergency::forget(&mut tx, *id).await?;
    }
    outbox::strip_to_address(&mut tx, email, &placeholder).await?;
    families::delete(&mut tx, email).await?;
    db.commit(tx, &ids).await?;
    tracing::info!(bookings = ids.len(), athletes, "a family's data was erased");
    Ok(Erased {
        bookings: ids.len(),
        athletes,
    })
}

/// Erases, by the same rule as [`erase`], the bookings whose session ended more than `months`
/// months (of 30 days) before `now`; how many. The family accounts stay (their athletes are not
/// tied to a session).
pub async fn erase_past(db: &Db, months: u32, now: i64) -> Result<usize, sqlx::Error> {
    let cutoff = now - i64::from(months) * 30 * 24 * 60 * 60 * 1000;
    let mut erased = 0;
    loop {
        let due = families::ended_unerased(db, cutoff, RETENTION_BATCH).await?;
        if due.is_empty() {
            break;
        }
        let mut tx = db.begin().await?;
        let mut ids = Vec::with_capacity(due.len());
        for (id, _) in &due {
            let placeholder = erased_email(&format!("b{id}"));
            families::erase_booking(&mut tx, *id, ERASED, &placeholder, now).await?;
            crate::db::emergency::forget(&mut tx, *id).await?;
            outbox::strip_of_booking(&mut tx, *id, &placeholder).await?;
            ids.push(*id);
        }
        db.commit(tx, &ids).await?;
        erased += due.len();
        if (due.len() as i64) < RETENTION_BATCH {
            break;
        }
    }
    if erased > 0 {
        tracing::info!(bookings = erased, "personal data past its retention erased");
    }
    Ok(erased)
}
