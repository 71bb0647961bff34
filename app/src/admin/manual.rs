//! Manual bookings: an admin enters a booking that bypasses payment (attendance `manual`).

use crate::components::form::{
    ErrorSummary, FormFeedback, SessionChoice, SessionSelect, TextField, BUTTON_CLASS,
};
use crate::form_error::FormError;
use leptos::prelude::*;

const FORM_ORDER: [&str; 7] = [
    "session",
    "parent_name",
    "parent_email",
    "parent_phone",
    "athlete_name",
    "athlete_age",
    "notes",
];

#[server(endpoint = "admin/bookings/manual")]
pub async fn create_manual_booking(
    session: String,
    parent_name: String,
    parent_email: String,
    parent_phone: Option<String>,
    athlete_name: String,
    athlete_age: String,
    notes: Option<String>,
) -> Result<(), FormError> {
    use crate::services::booking::book_from_form;
    use crate::state::AppState;
    use domain::booking_form::BookingFormInput;
    use domain::BookingSource;
    let admin = super::require_admin()
        .await
        .map_err(|e| FormError::Message(crate::error_text(&e)))?;
    // The same rules as the parents' form; the admin confirms consent by entering it.
    let input = BookingFormInput {
        session,
        parent_name,
        parent_email,
        parent_phone,
        athlete_name,
        athlete_age,
        notes,
        consent: Some("admin".into()),
    };
    let state = expect_context::<AppState>();
    let created = book_from_form(
        &state.db,
        &input,
        BookingSource::Manual,
        state.settings.hold_policy,
    )
    .await?;
    tracing::info!(
        booking_id = created.id,
        admin = admin.id,
        "manual booking created"
    );
    leptos_axum::redirect(&format!("/admin/bookings/{}", created.id));
    Ok(())
}

#[component]
pub fn ManualBookingPage() -> impl IntoView {
    let action = ServerAction::<CreateManualBooking>::new();
    let feedback = FormFeedback::new(move || action.value().get());
    let sessions = Resource::new(|| (), |_| super::sessions::admin_sessions());
    // Every session not cancelled, with its places taken (a full one is refused on submit).
    let session_choices = move || async move {
        let list = sessions.await.unwrap_or_default();
        list.into_iter()
            .filter(|s| !s.cancelled)
            .map(|s| SessionChoice {
                id: s.id,
                label: format!(
                    "{} – {} ({}/{} taken)",
                    s.title, s.when, s.places_taken, s.capacity
                ),
                disabled: false,
            })
            .collect()
    };
    let chosen = feedback.value("session");
    view! {
        <section class="mx-auto max-w-2xl">
            <h1 class="text-2xl font-bold">"Manual booking"</h1>
            <p class="mt-1 text-slate-600">"For a booking paid outside Stripe or given for free. It takes a place and its attendance is \"manual\"."</p>
            <ErrorSummary feedback=feedback order=&FORM_ORDER/>
            <ActionForm action=action attr:class="mt-6 space-y-4 rounded-2xl bg-white p-6 shadow-sm" attr:novalidate="true">
                <SessionSelect choices=session_choices chosen=chosen error=feedback.error("session")/>
                <TextField name="parent_name" label="Parent's name" value=feedback.value("parent_name") error=feedback.error("parent_name")/>
                <TextField name="parent_email" label="Parent's email" kind="email" value=feedback.value("parent_email") error=feedback.error("parent_email")/>
                <TextField name="parent_phone" label="Phone" kind="tel" value=feedback.value("parent_phone") error=feedback.error("parent_phone") required=false/>
                <TextField name="athlete_name" label="Athlete's name" value=feedback.value("athlete_name") error=feedback.error("athlete_name")/>
                <TextField name="athlete_age" label="Athlete's age" inputmode="numeric" value=feedback.value("athlete_age") error=feedback.error("athlete_age")/>
                <TextField name="notes" label="Notes" value=feedback.value("notes") error=feedback.error("notes") required=false/>
                <button type="submit" class=BUTTON_CLASS disabled=move || action.pending().get()>"Create booking"</button>
            </ActionForm>
        </section>
    }
}
