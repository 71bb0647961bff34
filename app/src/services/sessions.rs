//! Training sessions for the admin: create and save; and the demo sessions of a fresh
//! simulated install. (Cancelling one, with its bookings, refunds and waitlist, is
//! `services::cancellation::cancel_session`.)

use super::mail;
use crate::db::{now_ms, sessions, Db, Tx};
use domain::mail::BookingMail;
use domain::session_form::{start_change_refused, NewTrainingSession, SessionDetails};

/// Creates a session; returns its id.
pub async fn create(db: &Db, session: &NewTrainingSession) -> Result<i64, sqlx::Error> {
    sessions::create(db, session).await
}

/// Saves the session with `id`; false when there is none.
pub async fn save(db: &Db, id: i64, session: &NewTrainingSession) -> Result<bool, sqlx::Error> {
    sessions::update(db, id, session).await
}

/// What saving a session from the admin's form came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Saved {
    /// Created or saved; its id.
    Done(i64),
    /// There is no session with that id.
    Missing,
    /// Refused: the new start is in the past; why, for the form's date field.
    IntoThePast(String),
}

/// Creates a session with its details (`id` `None`) or saves session `id`; an edit never moves
/// a start into the past (an unchanged past start stays as it is).
pub async fn save_from_form(
    db: &Db,
    id: Option<i64>,
    session: &NewTrainingSession,
    details: &SessionDetails,
) -> Result<Saved, sqlx::Error> {
    // One transaction: the session and its details together, and the check of its start
    // against the row as it is locked (a booking made meanwhile waits and is counted).
    let mut tx = db.begin().await?;
    let id = match id {
        None => sessions::create_in(&mut tx, session).await?,
        Some(id) => {
            let Some((stored_start, active)) = sessions::lock_for_edit(&mut tx, id).await? else {
                return Ok(Saved::Missing);
            };
            if let Some(why) =
                start_change_refused(stored_start, session.starts_at, now_ms(), active)
            {
                return Ok(Saved::IntoThePast(why));
            }
            let before = sessions::time_and_place(&mut tx, id).await?;
            if !sessions::update_in(&mut tx, id, session).await? {
                return Ok(Saved::Missing);
            }
            if let Some((from_starts_at, from_location)) = before {
                if from_starts_at != session.starts_at || from_location != session.location {
                    tell_of_change(&mut tx, id, from_starts_at, from_location).await?;
                }
            }
            id
        }
    };
    sessions::set_details(&mut tx, id, details).await?;
    tx.commit().await?;
    Ok(Saved::Done(id))
}

/// Every family booked into session `id` is mailed its new time or place, with a calendar entry
/// that replaces the old one; each booking counts the change (its calendar's sequence, and a
/// cancellation with a full refund whatever the cut-off).
async fn tell_of_change(
    tx: &mut Tx,
    id: i64,
    from_starts_at: i64,
    from_location: String,
) -> Result<(), sqlx::Error> {
    let now = now_ms();
    let told = sessions::count_schedule_change(tx, id, now).await?;
    let facts = BookingMail::SessionChanged {
        from_starts_at,
        from_location,
    };
    for booking in &told {
        let change = booking.schedule_changes.to_string();
        mail::queue(
            tx,
            booking.id,
            &booking.parent_email,
            Some(&change),
            &facts,
            now,
        )
        .await?;
    }
    tracing::info!(
        session = id,
        bookings = told.len(),
        "session changed: families told"
    );
    Ok(())
}

/// Saves the business's waiver in new words (a new version) from the admin `by`; its version.
pub async fn new_waiver(db: &Db, text: &str, by: &str) -> Result<i64, sqlx::Error> {
    let version = crate::db::consent::insert(db, text, by, now_ms()).await?;
    tracing::info!(version, "a new waiver wording");
    Ok(version)
}

/// Creates `plan` when there are no sessions at all (a fresh install); returns how many.
pub async fn seed_if_empty(db: &Db, plan: &[NewTrainingSession]) -> Result<usize, sqlx::Error> {
    if sessions::count(db).await? > 0 {
        return Ok(0);
    }
    for session in plan {
        sessions::create(db, session).await?;
    }
    Ok(plan.len())
}
