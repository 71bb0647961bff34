//! "Find my booking": a parent who lost their booking's link types the email they booked with,
//! and the links of that email's upcoming bookings are mailed to it. The page says the same
//! whether or not the address has bookings, so it tells a stranger nothing.

use crate::components::form::{TextField, BUTTON_CLASS};
use crate::error::AppError;
use leptos::prelude::*;

/// What the page says after any valid request.
pub const SENT: &str = "If there are upcoming bookings for that address, we have sent their links to it. Check your inbox (and the spam folder) in a minute.";

#[server(endpoint = "bookings/find")]
pub async fn find_bookings(email: String) -> Result<String, AppError> {
    use crate::state::AppState;
    let state = expect_context::<AppState>();
    let email = email.trim().to_lowercase();
    if !domain::booking_form::is_plausible_email(&email) || email.len() > 254 {
        return Err(AppError::unprocessable(
            "Enter the email address you booked with, like name@example.com.",
        ));
    }
    state.limit(&format!("find:{email}")).map_err(|wait_ms| {
        AppError::too_many(wait_ms, |wait| {
            format!("Too many requests. Please try again in {wait}.")
        })
    })?;
    crate::services::lookup::mail_links(&state.db, &email).await?;
    Ok(SENT.to_owned())
}

#[component]
pub fn FindBookingPage() -> impl IntoView {
    let action = ServerAction::<FindBookings>::new();
    let no_error = Signal::derive(|| None::<String>);
    view! {
        <section class="mx-auto max-w-md">
            <h1 class="text-2xl font-bold">"Find my booking"</h1>
            <p class="mt-2 text-slate-700">"Type the email address you booked with: we send it the links to your upcoming bookings."</p>
            <ActionForm action=action attr:class="mt-6 space-y-4 rounded-2xl bg-white p-6 shadow-sm">
                <TextField name="email" label="Email" kind="email" value=Signal::derive(String::new) error=no_error autocomplete="email"/>
                <button type="submit" class=BUTTON_CLASS disabled=move || action.pending().get()>"Send me the links"</button>
            </ActionForm>
            {move || action.value().get().map(|answer| match answer {
                Ok(message) => view! { <p class="mt-4 rounded-lg bg-green-50 p-4 text-green-900" role="status" data-testid="find-sent">{message}</p> }.into_any(),
                Err(e) => view! { <p class="mt-4 rounded-lg bg-red-50 p-4 text-red-800" role="alert">{e.to_string()}</p> }.into_any(),
            })}
        </section>
    }
}
