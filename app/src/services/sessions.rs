//! Training sessions for the admin: create and save; and the demo sessions of a fresh
//! simulated install. (Cancelling one, with its bookings, refunds and waitlist, is
//! `services::cancellation::cancel_session`.)

use crate::db::{sessions, Db};
use domain::session_form::NewTrainingSession;

/// Creates a session; returns its id.
pub async fn create(db: &Db, session: &NewTrainingSession) -> Result<i64, sqlx::Error> {
    sessions::create(db, session).await
}

/// Saves the session with `id`; false when there is none.
pub async fn save(db: &Db, id: i64, session: &NewTrainingSession) -> Result<bool, sqlx::Error> {
    sessions::update(db, id, session).await
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
