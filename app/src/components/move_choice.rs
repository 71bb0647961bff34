//! Moving a booking to another session of the same price: the sessions it can go to, labelled
//! for a person, and the select that offers them (the parent's move page and the admin's
//! booking page both show it).

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// A session a booking can move to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MoveOption {
    pub id: i64,
    pub label: String,
}

/// The sessions `booking` can move to, soonest first, labelled in the business's zone.
#[cfg(feature = "ssr")]
pub async fn move_options(
    db: &crate::db::Db,
    timezone: chrono_tz::Tz,
    booking: &crate::db::bookings::Booking,
) -> Result<Vec<MoveOption>, sqlx::Error> {
    Ok(crate::services::moves::options(db, booking)
        .await?
        .into_iter()
        .map(|s| MoveOption {
            id: s.id,
            label: format!(
                "{} – {} – {} ({} left)",
                s.title,
                domain::schedule::when(s.starts_at, timezone),
                s.location,
                s.places_left()
            ),
        })
        .collect())
}

/// The labelled `session` select of a move form.
#[component]
pub fn MoveSelect(
    options: Vec<MoveOption>,
    label: &'static str,
    label_class: &'static str,
    select_class: &'static str,
) -> impl IntoView {
    view! {
        <label for="move-session" class=label_class>{label}</label>
        <select id="move-session" name="session" class=select_class>
            {options.into_iter().map(|o| view! { <option value=o.id>{o.label}</option> }).collect_view()}
        </select>
    }
}
