//! The parent's and athlete's fields of the booking form, which the waitlist's form shares.

use crate::components::form::{FieldError, FormFeedback, NotesField, TextField};
use crate::error::AppError;
use domain::booking_form::{MAX_AGE, MIN_AGE};
use leptos::prelude::*;

/// The fields in the order the form shows them, for the error summary.
pub const FORM_ORDER: [&str; 17] = [
    "session",
    "parent_name",
    "parent_email",
    "parent_phone",
    "athlete_name",
    "athlete_age",
    "athlete_name_2",
    "athlete_age_2",
    "athlete_name_3",
    "athlete_age_3",
    "athlete_name_4",
    "athlete_age_4",
    "notes",
    "emergency_name",
    "emergency_phone",
    "medical_notes",
    "consent",
];

/// The sibling discount's words, as the booking page loads them (`None`: no discount).
pub type Discount = Resource<Result<Option<String>, crate::error::AppError>>;

/// The sibling discount this business gives, in the form's words ("10% off the second child
/// and each after"), if it gives one.
#[server(endpoint = "book/sibling-discount")]
pub async fn sibling_discount() -> Result<Option<String>, AppError> {
    use crate::state::AppState;
    let state = expect_context::<AppState>();
    Ok(domain::siblings::discount_text(
        state.settings.sibling_discount_percent,
    ))
}

/// The further children's fields: their names' and ages' field names and how they are called.
const MORE_CHILDREN: [(&str, &str, &str); 3] = [
    ("athlete_name_2", "athlete_age_2", "Second child"),
    ("athlete_name_3", "athlete_age_3", "Third child"),
    ("athlete_name_4", "athlete_age_4", "Fourth child"),
];

/// Brothers and sisters booked in the same form (the booking form only): each gets a place of
/// their own, all paid in one checkout. Folded away until wanted; works without JavaScript.
#[component]
pub fn MoreChildren(feedback: FormFeedback, discount: Discount) -> impl IntoView {
    let open = Signal::derive(move || {
        MORE_CHILDREN.iter().any(|(name, age, _)| {
            !feedback.value(name).get().is_empty() || !feedback.value(age).get().is_empty()
        })
    });
    view! {
        <details class="rounded-lg border border-slate-200 p-4" open=move || open.get() data-testid="more-children">
            <summary class="cursor-pointer font-semibold text-indigo-800">"Booking brothers or sisters too?"</summary>
            <p class="mt-2 text-sm text-slate-700">
                "Add up to three more children to this session: each gets a place of their own, and you pay for them all at once."
                <Suspense fallback=|| ()>
                    {move || Suspend::new(async move {
                        discount.await.ok().flatten().map(|text| view! {
                            <strong class="mt-1 block" data-testid="sibling-discount">{format!("Sibling discount: {text}.")}</strong>
                        })
                    })}
                </Suspense>
            </p>
            {MORE_CHILDREN.iter().map(|(name, age, who)| view! {
                <fieldset class="mt-4 space-y-3">
                    <legend class="font-medium text-slate-800">{*who}</legend>
                    <TextField name=*name label=format!("{who}'s name") value=feedback.value(name) error=feedback.error(name) required=false/>
                    <TextField name=*age label=format!("{who}'s age") kind="text" inputmode="numeric" value=feedback.value(age) error=feedback.error(age) required=false hint=format!("{MIN_AGE} to {MAX_AGE}")/>
                </fieldset>
            }).collect_view()}
        </details>
    }
}

/// Whom to call in an emergency and the athlete's medical notes (the booking form only): what
/// the coach has at the track. The contact is asked of every parent; the notes are optional and
/// kept sealed.
#[component]
fn TrackFields(feedback: FormFeedback) -> impl IntoView {
    let value = move |field: &'static str| feedback.value(field);
    let error = move |field: &'static str| feedback.error(field);
    view! {
        <fieldset class="space-y-4" data-testid="track-fields">
            <legend class="text-lg font-semibold">"In an emergency"</legend>
            <p class="text-sm text-slate-700">"Only the coaches see these, at the session. They are never put in an email."</p>
            <TextField name="emergency_name" label="Who should we call?" value=value("emergency_name") error=error("emergency_name") autocomplete="off" hint="Someone reachable during the session: you, or another adult."/>
            <TextField name="emergency_phone" label="Their phone" kind="tel" value=value("emergency_phone") error=error("emergency_phone") autocomplete="off"/>
            <NotesField name="medical_notes" max=domain::track_details::MAX_MEDICAL_NOTES label="Medical or allergy notes" value=value("medical_notes") error=error("medical_notes") hint=Some("Asthma, allergies, medication: what a coach should know. Kept encrypted; a coach opens them only when needed.".to_owned())/>
        </fieldset>
    }
}

/// The parent's and athlete's fields and the consent, shared by the booking form and the
/// waitlist's; the booking form also offers brothers and sisters (`siblings`: the discount's
/// words, if any) and asks for the emergency details (`track`).
#[component]
pub fn ParentAndAthlete(
    feedback: FormFeedback,
    #[prop(optional)] siblings: Option<Discount>,
    #[prop(optional)] track: bool,
) -> impl IntoView {
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
                    <NotesField label="Notes for the coach" value=value("notes") error=error("notes") hint=if track { Some("Medical details go under \"In an emergency\" below, kept private.".to_owned()) } else { None }/>
                </fieldset>

                {siblings.map(|discount| view! { <MoreChildren feedback=feedback discount=discount/> })}
                {track.then(|| view! { <TrackFields feedback=feedback/> })}

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
                            "I am the athlete's parent or guardian, the athlete may take part, and I agree to the "
                            <a href="/terms" target="_blank" rel="noopener" class="text-indigo-700 underline" data-testid="terms-link">"booking terms (opens in a new tab)"</a>
                            "."
                        </label>
                    </div>
                    <FieldError id="field-consent-error" error=error("consent")/>
                </div>
    }
}

/// The booking form's server function, whose values a filled form carries.
pub const BOOKING_FORM_PATH: &str = "/api/book";

/// Sends the browser to `page` with the booking form filled with `values` (a family's details,
/// without retyping): kept on the server for a minute like a refused form's, behind the same
/// small cookie, never in the address.
#[cfg(feature = "ssr")]
pub async fn fill_booking_form(
    page: &str,
    values: domain::booking_form::FieldErrors,
) -> Result<(), crate::error::AppError> {
    use base64::Engine;
    use leptos::server_fn::error::FromServerFnError;
    let state = expect_context::<crate::state::AppState>();
    let err = base64::engine::general_purpose::URL_SAFE
        .encode(crate::error::AppError::invalid(values).ser());
    let kept = crate::db::returned_forms::Kept {
        status: 200,
        path: BOOKING_FORM_PATH.to_owned(),
        err,
    };
    let token = crate::services::returned_forms::keep(&state.db, page, &kept).await?;
    let cookie = crate::form_return::cookie(Some(&token), state.settings.secure_cookies);
    if let Ok(value) = axum::http::HeaderValue::from_str(&cookie) {
        expect_context::<leptos_axum::ResponseOptions>()
            .append_header(axum::http::header::SET_COOKIE, value);
    }
    leptos_axum::redirect(page);
    Ok(())
}
