//! Manual bookings: an admin enters a booking that bypasses payment (attendance `manual`).

use crate::components::admin_sessions::admin_sessions;
use crate::components::form::{
    ErrorSummary, FieldError, FormFeedback, NotesField, SessionChoice, SessionSelect, TextField,
    BUTTON_CLASS,
};
use crate::error::AppError;
use leptos::prelude::*;

const FORM_ORDER: [&str; 8] = [
    "session",
    "settled",
    "parent_name",
    "parent_email",
    "parent_phone",
    "athlete_name",
    "athlete_age",
    "notes",
];

#[server(endpoint = "admin/bookings/manual")]
pub async fn admin_create_manual_booking(
    session: String,
    parent_name: String,
    parent_email: String,
    parent_phone: Option<String>,
    athlete_name: String,
    athlete_age: String,
    notes: Option<String>,
    settled: Option<String>,
) -> Result<(), AppError> {
    use crate::services::booking::{book_from_form, Entry};
    use crate::state::AppState;
    use domain::booking_form::BookingFormInput;
    use domain::ManualPayment;
    let admin = crate::access::require_admin().await?;
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
        more_athletes: Vec::new(),
        ..Default::default()
    };
    // How it was settled is asked every time: a manual booking is never just "unpaid".
    let Some(settled) = settled
        .as_deref()
        .and_then(|s| s.parse::<ManualPayment>().ok())
    else {
        let mut errors = input.parse().err().unwrap_or_default();
        errors.add(
            "settled",
            "Choose whether it was paid outside Stripe or is free.",
        );
        errors.values = input.values();
        return Err(AppError::invalid(errors));
    };
    // A refused form comes back with the choice still made.
    let keep_choice = |refused| match AppError::from(refused) {
        AppError::Invalid(mut fields) => {
            fields
                .values
                .insert("settled".into(), settled.as_str().into());
            AppError::Invalid(fields)
        }
        other => other,
    };
    let state = expect_context::<AppState>();
    let created = book_from_form(
        &state.db,
        &input,
        Entry::Manual(settled),
        state.settings.hold_policy,
        0,
        &state.settings.family.data_key,
    )
    .await
    .map_err(keep_choice)?;
    tracing::info!(
        booking_id = created[0].id,
        admin = admin.id,
        "manual booking created"
    );
    // The booking's page says it was saved (`?done=saved`), with or without JavaScript.
    leptos_axum::redirect(&format!("/admin/bookings/{}?done=saved", created[0].id));
    Ok(())
}

#[component]
pub fn ManualBookingPage() -> impl IntoView {
    let action = ServerAction::<AdminCreateManualBooking>::new();
    let feedback = FormFeedback::new(move || action.value().get());
    let sessions = Resource::new(|| (), |_| admin_sessions());
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
                past: s.past,
            })
            .collect()
    };
    let chosen = feedback.value("session");
    let settled = feedback.value("settled");
    let settled_error = feedback.error("settled");
    view! {
        <section class="mx-auto max-w-2xl">
            <h1 class="text-2xl font-bold">"Manual booking"</h1>
            <p class="mt-1 text-slate-600">"For a booking paid outside Stripe or given for free: it takes a place, no payment is asked of the parent, and the bookings list says which it was beside the payment tag."</p>
            <ErrorSummary feedback=feedback order=&FORM_ORDER/>
            <ActionForm action=action attr:class="mt-6 space-y-4 rounded-2xl bg-white p-6 shadow-sm" attr:novalidate="true">
                <SessionSelect choices=session_choices chosen=chosen error=feedback.error("session")/>
                <fieldset id="field-settled" tabindex="-1" aria-describedby="field-settled-error">
                    <legend class="font-medium text-slate-800">"How was it settled?"</legend>
                    <div class="mt-2 flex flex-col gap-2 sm:flex-row sm:gap-6">
                        {domain::ManualPayment::ALL.into_iter().map(|way| view! {
                            <label class="flex items-center gap-2 text-slate-800">
                                <input
                                    type="radio"
                                    name="settled"
                                    value=way.as_str()
                                    class="h-4 w-4 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500"
                                    checked=move || settled.get() == way.as_str()
                                    aria-invalid=move || settled_error.get().is_some().to_string()
                                />
                                {way.label()}
                            </label>
                        }).collect_view()}
                    </div>
                    <FieldError id="field-settled-error" error=settled_error/>
                </fieldset>
                <TextField name="parent_name" label="Parent's name" value=feedback.value("parent_name") error=feedback.error("parent_name")/>
                <TextField name="parent_email" label="Parent's email" kind="email" value=feedback.value("parent_email") error=feedback.error("parent_email")/>
                <TextField name="parent_phone" label="Phone" kind="tel" value=feedback.value("parent_phone") error=feedback.error("parent_phone") required=false/>
                <TextField name="athlete_name" label="Athlete's name" value=feedback.value("athlete_name") error=feedback.error("athlete_name")/>
                <TextField name="athlete_age" label="Athlete's age" inputmode="numeric" value=feedback.value("athlete_age") error=feedback.error("athlete_age")/>
                <NotesField label="Notes" value=feedback.value("notes") error=feedback.error("notes")/>
                <button type="submit" class=BUTTON_CLASS disabled=move || action.pending().get()>"Create booking"</button>
            </ActionForm>
        </section>
    }
}
