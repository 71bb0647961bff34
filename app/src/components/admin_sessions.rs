//! Every training session as the admin sees it: the sessions page lists them, and the manual
//! booking form chooses from them.

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionSummary {
    pub id: i64,
    pub title: String,
    pub when: String,
    pub duration_minutes: i64,
    pub location: String,
    pub capacity: i64,
    pub places_taken: i64,
    pub price: String,
    pub cancelled: bool,
    /// It has started: the lists show it apart, after those to come.
    pub past: bool,
    /// The term it belongs to, if any: its id and title.
    pub term: Option<(i64, String)>,
}

#[server(endpoint = "admin/sessions")]
pub async fn admin_sessions() -> Result<Vec<SessionSummary>, AppError> {
    use crate::db::sessions::{list, Listing};
    use crate::state::AppState;
    use domain::Money;
    crate::access::require_admin().await?;
    let state = expect_context::<AppState>();
    // Those to come first, soonest first; then the past ones, most recent first.
    let sessions = list(&state.db, Listing::All, 1000).await?;
    let now = crate::db::now_ms();
    Ok(sessions
        .into_iter()
        .map(|s| SessionSummary {
            id: s.id,
            when: domain::schedule::when(s.starts_at, state.settings.timezone),
            price: Money::new(s.price_amount, s.currency.clone()).to_string(),
            cancelled: s.cancelled_at.is_some(),
            past: !s.upcoming(now),
            title: s.title,
            duration_minutes: s.duration_minutes,
            location: s.location,
            capacity: s.capacity,
            places_taken: s.places_taken,
            term: s.term_id.zip(s.term_title),
        })
        .collect())
}
