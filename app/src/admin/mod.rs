//! The admin's side: login, the live bookings table with both status tags, attendance,
//! booking detail, payment issues, training sessions and manual bookings. Every page and
//! server function here checks the admin session on the server.

pub mod bookings;
pub mod detail;
pub mod emails;
pub mod issues;
pub mod layout;
pub mod login;
pub mod manual;
pub mod roster;
pub mod routes;
#[cfg(feature = "ssr")]
pub mod session;
pub mod sessions;

#[cfg(feature = "ssr")]
use leptos::prelude::*;

/// The admin the current request is from; otherwise the answer becomes a 401 and the server
/// function returns an error carrying no data.
#[cfg(feature = "ssr")]
pub async fn require_admin() -> Result<crate::services::admins::Admin, ServerFnError> {
    use crate::state::AppState;
    let state = expect_context::<AppState>();
    let parts = use_context::<axum::http::request::Parts>();
    let admin = match parts {
        Some(parts) => session::request_admin(&state.db, &state.settings, &parts.headers)
            .await
            .map_err(|_| ServerFnError::new("The database is unavailable; try again."))?,
        None => None,
    };
    admin.ok_or_else(|| {
        if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
            response.set_status(axum::http::StatusCode::UNAUTHORIZED);
        }
        ServerFnError::new("Please log in.")
    })
}

/// Internal failures are logged, and the admin reads a plain sentence.
#[cfg(feature = "ssr")]
pub fn internal(error: impl std::fmt::Display) -> ServerFnError {
    tracing::error!(%error, "admin request failed");
    ServerFnError::new("Something went wrong on the server; try again.")
}
