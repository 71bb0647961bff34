//! The parent's and athlete's fields of the booking form, which the waitlist's form shares.

use crate::components::form::{FieldError, FormFeedback, NotesField, TextField};
use domain::booking_form::{MAX_AGE, MIN_AGE};
use leptos::prelude::*;

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
                            "I am the athlete's parent or guardian, the athlete may take part, and I agree to the "
                            <a href="/terms" target="_blank" rel="noopener" class="text-indigo-700 underline" data-testid="terms-link">"booking terms (opens in a new tab)"</a>
                            "."
                        </label>
                    </div>
                    <FieldError id="field-consent-error" error=error("consent")/>
                </div>
    }
}
