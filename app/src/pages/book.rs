//! The booking form: validated on the server, each problem named beside its field, what was
//! typed kept; works without JavaScript (ActionForm posts it) and better with it.

use crate::components::form::{
    ErrorSummary, FieldError, FormFeedback, NotesField, SessionChoice, SessionSelect, TextField,
    BUTTON_CLASS,
};
use crate::form_error::FormError;
use crate::pages::sessions::upcoming_sessions;
use domain::booking_form::{MAX_AGE, MIN_AGE};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// Creates the booking, then sends the parent to pay. Every field arrives as text and is
/// checked here, so a bad value is named back instead of failing to parse.
#[server(endpoint = "book")]
pub async fn book(
    session: String,
    parent_name: String,
    parent_email: String,
    parent_phone: Option<String>,
    athlete_name: String,
    athlete_age: String,
    notes: Option<String>,
    consent: Option<String>,
) -> Result<(), FormError> {
    use crate::services::booking::{book_from_form, Entry};
    use crate::state::AppState;
    use domain::booking_form::BookingFormInput;

    let input = BookingFormInput {
        session,
        parent_name,
        parent_email,
        parent_phone,
        athlete_name,
        athlete_age,
        notes,
        consent,
    };
    let state = expect_context::<AppState>();
    refuse_if_limited(&state, &input)?;
    let created =
        book_from_form(&state.db, &input, Entry::Online, state.settings.hold_policy).await?;
    tracing::info!(booking_id = created.id, "booking created");

    go_to_checkout(&state, &created.reference).await;
    Ok(())
}

/// Sends the browser of a booking just made to its checkout; when none could be started, to
/// the booking's page, which says why and offers to pay again.
#[cfg(feature = "ssr")]
pub async fn go_to_checkout(state: &crate::state::AppState, reference: &str) {
    let destination = match crate::services::checkout::start_checkout(
        &state.db,
        &state.settings,
        state.checkout.as_ref(),
        reference,
    )
    .await
    {
        Ok(url) => url,
        Err(problem) => format!(
            "/bookings/{reference}?checkout={}",
            problem.refusal().code()
        ),
    };
    leptos_axum::redirect(&destination);
}

/// Refuses a form sent too often from this client or for this email: 429, with the wait in
/// words, the form kept as typed.
#[cfg(feature = "ssr")]
pub fn refuse_if_limited(
    state: &crate::state::AppState,
    input: &domain::booking_form::BookingFormInput,
) -> Result<(), FormError> {
    use crate::state::{answer_with, request_client};
    let Err(wait_ms) = state.limits.check(&request_client(), &input.parent_email) else {
        return Ok(());
    };
    tracing::warn!("form refused: too many requests");
    answer_with(
        axum::http::StatusCode::TOO_MANY_REQUESTS,
        Some((wait_ms + 999) / 1000),
    );
    Err(FormError::Invalid(
        domain::booking_form::FieldErrors::whole_form(
            format!(
                "Too many attempts from this connection or email. Please try again in {}.",
                domain::login::wait_text(wait_ms)
            ),
            input.values(),
        ),
    ))
}

/// The fields in the order the form shows them, for the error summary.
pub const FORM_ORDER: [&str; 8] = [
    "session",
    "parent_name",
    "parent_email",
    "parent_phone",
    "athlete_name",
    "athlete_age",
    "notes",
    "consent",
];

#[component]
pub fn BookPage() -> impl IntoView {
    let action = ServerAction::<Book>::new();
    let query = use_query_map();
    let sessions = Resource::new(|| (), |_| upcoming_sessions());
    // A full session stays in the list, shown as full and not choosable.
    let session_choices = move || async move {
        let list = sessions.await.unwrap_or_default();
        list.into_iter()
            .map(|s| SessionChoice {
                id: s.id,
                label: if s.places_left == 0 {
                    format!("{} – {} – full", s.title, s.when)
                } else {
                    format!(
                        "{} – {} – {} ({} left)",
                        s.title, s.when, s.price, s.places_left
                    )
                },
                disabled: s.places_left == 0,
            })
            .collect()
    };

    let feedback = FormFeedback::new(move || action.value().get());
    let error = move |field: &'static str| feedback.error(field);
    let chosen_session = feedback.value_or("session", move || {
        query.read().get("session").unwrap_or_default()
    });

    view! {
        <section class="mx-auto max-w-2xl">
            <h1 class="text-3xl font-bold tracking-tight">"Book a session"</h1>
            <p class="mt-2 text-slate-600">"All fields are required unless marked optional. You pay on the next page."</p>

            <ErrorSummary feedback=feedback order=&FORM_ORDER/>

            <ActionForm action=action attr:class="mt-6 space-y-5 rounded-2xl bg-white p-6 shadow-sm" attr:novalidate="true">
                <SessionSelect choices=session_choices chosen=chosen_session error=error("session")/>
                <p class="text-sm text-slate-700">
                    "A full session has a waitlist: "
                    <a class="text-indigo-700 underline" href=move || format!("/waitlist/join?session={}", chosen_session.get())>"join it"</a>
                    " and we email you if a place frees."
                </p>

                <ParentAndAthlete feedback=feedback/>

                <button type="submit" class=BUTTON_CLASS disabled=move || action.pending().get()>
                    {move || if action.pending().get() { "Booking…" } else { "Continue to payment" }}
                </button>
            </ActionForm>
        </section>
    }
}

/// The parent's and athlete's fields and the consent, shared by the booking form and the
/// waitlist's.
#[component]
pub fn ParentAndAthlete(feedback: FormFeedback) -> impl IntoView {
    let value = move |field: &'static str| feedback.value(field);
    let error = move |field: &'static str| feedback.error(field);
    let consent_checked = feedback.was_sent("consent");
    view! {
                <fieldset class="space-y-4">
                    <legend class="text-lg font-semibold">"You"</legend>
                    <TextField name="parent_name" label="Your name" value=value("parent_name") error=error("parent_name") autocomplete="name"/>
                    <TextField name="parent_email" label="Email" kind="email" value=value("parent_email") error=error("parent_email") autocomplete="email" hint="We send nothing else to this address."/>
                    <TextField name="parent_phone" label="Phone" kind="tel" value=value("parent_phone") error=error("parent_phone") autocomplete="tel" required=false/>
                </fieldset>

                <fieldset class="space-y-4">
                    <legend class="text-lg font-semibold">"Your athlete"</legend>
                    <TextField name="athlete_name" label="Athlete's name" value=value("athlete_name") error=error("athlete_name")/>
                    <TextField name="athlete_age" label="Athlete's age" kind="text" inputmode="numeric" value=value("athlete_age") error=error("athlete_age") hint=format!("{MIN_AGE} to {MAX_AGE}")/>
                    <NotesField label="Notes for the coach" value=value("notes") error=error("notes")/>
                </fieldset>

                <div>
                    <div class="flex items-start gap-3">
                        <input
                            id="field-consent"
                            name="consent"
                            type="checkbox"
                            class="mt-1 h-5 w-5 rounded border-slate-400 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500"
                            checked=move || consent_checked.get()
                            aria-describedby="field-consent-error"
                            aria-invalid=move || error("consent").get().is_some().to_string()
                        />
                        <label for="field-consent" class="text-slate-800">
                            "I am the athlete's parent or guardian, the athlete may take part, and I agree to the booking terms."
                        </label>
                    </div>
                    <FieldError id="field-consent-error" error=error("consent")/>
                </div>
    }
}
