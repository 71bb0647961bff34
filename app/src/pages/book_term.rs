//! Booking a whole term (issue 23): the term's dates and price, the same parent, athlete and
//! emergency fields as the booking form, one checkout for the whole term. Works without
//! JavaScript.

use crate::components::booking_fields::{ParentAndAthlete, FORM_ORDER};
use crate::components::form::{ErrorSummary, FieldError, FormFeedback, BUTTON_CLASS};
use crate::components::term_list::{TermFacts, TermOffer};
use crate::error::AppError;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

/// Term `id` as offered (`None`: it cannot be booked).
#[server(endpoint = "terms/offer")]
pub async fn offered_term(id: i64) -> Result<Option<TermOffer>, AppError> {
    use crate::state::AppState;
    let state = expect_context::<AppState>();
    Ok(crate::components::term_list::offer(&state.db, state.settings.timezone, id).await?)
}

/// Books every child into every session of the term, then sends the parent to pay for it all.
#[server(endpoint = "book/term")]
#[allow(clippy::too_many_arguments)]
pub async fn submit_term_booking(
    term: String,
    parent_name: String,
    parent_email: String,
    parent_phone: Option<String>,
    athlete_name: String,
    athlete_age: String,
    notes: Option<String>,
    consent: Option<String>,
    athlete_name_2: Option<String>,
    athlete_age_2: Option<String>,
    athlete_name_3: Option<String>,
    athlete_age_3: Option<String>,
    athlete_name_4: Option<String>,
    athlete_age_4: Option<String>,
    emergency_name: Option<String>,
    emergency_phone: Option<String>,
    medical_notes: Option<String>,
) -> Result<(), AppError> {
    use crate::state::AppState;
    use domain::booking_form::BookingFormInput;
    let input = BookingFormInput {
        session: term.clone(),
        parent_name,
        parent_email,
        parent_phone,
        athlete_name,
        athlete_age,
        notes,
        consent,
        more_athletes: BookingFormInput::further_children([
            (athlete_name_2, athlete_age_2),
            (athlete_name_3, athlete_age_3),
            (athlete_name_4, athlete_age_4),
        ]),
        emergency_name,
        emergency_phone,
        medical_notes,
    };
    let term: i64 = term
        .trim()
        .parse()
        .map_err(|_| AppError::not_found("We could not find that term."))?;
    let state = expect_context::<AppState>();
    input.parse_children(true).map_err(AppError::invalid)?;
    state
        .limit(&input.parent_email)
        .map_err(|wait_ms| AppError::limited_form(&input, wait_ms))?;
    let created = crate::services::term_booking::book(
        &state.db,
        term,
        &input,
        state.settings.hold_policy,
        state.settings.sibling_discount_percent,
        &state.settings.family.data_key,
    )
    .await?;
    // One checkout for the whole term: the first booking holds it.
    state.go_to_checkout(&created[0].reference).await;
    Ok(())
}

#[component]
pub fn BookTermPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|i| i.parse::<i64>().ok())
            .unwrap_or(0)
    };
    let offer = Resource::new(id, offered_term);
    let discount = Resource::new(
        || (),
        |_| crate::components::booking_fields::sibling_discount(),
    );
    let action = ServerAction::<SubmitTermBooking>::new();
    let feedback = FormFeedback::new(move || action.value().get());
    view! {
        <section class="mx-auto max-w-2xl">
            <h1 class="text-3xl font-bold tracking-tight">"Book a term"</h1>
            <Suspense fallback=|| view! { <p class="mt-4">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match offer.await {
                        Ok(Some(term)) => view! {
                            <div class="mt-4 rounded-xl border border-slate-200 bg-white p-4 shadow-sm" data-testid="term-offer">
                                <h2 class="text-xl font-semibold">{term.title.clone()}</h2>
                                <TermFacts term=term.clone()/>
                                {(term.places_left == 0).then(|| view! {
                                    <p class="mt-2" data-testid="term-full">
                                        "This term is full. "
                                        <a class="text-indigo-700 underline" href=format!("/waitlist/join?term={}", term.id)>"Join its waitlist"</a>
                                        " and we will email you if a place frees in every session."
                                    </p>
                                })}
                                <FieldError id="field-session-error" error=feedback.error("session")/>
                            </div>
                        }.into_any(),
                        Ok(None) => view! {
                            <p class="mt-4 rounded-lg border border-amber-300 bg-amber-50 p-3 text-amber-900" role="status" data-testid="term-unavailable">
                                "That term cannot be booked (it has started, was cancelled, or does not exist). "
                                <a class="text-indigo-700 underline" href="/book">"See what can be booked"</a>
                            </p>
                        }.into_any(),
                        Err(e) => view! { <p class="mt-4 rounded-lg bg-red-50 p-4 text-red-800" role="alert">{e.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
            <p class="mt-4 text-slate-600">"All fields are required unless marked optional. You pay for the whole term on the next page."</p>
            <ErrorSummary feedback=feedback order=&FORM_ORDER/>
            <ActionForm action=action attr:class="mt-6 space-y-5 rounded-2xl bg-white p-6 shadow-sm" attr:novalidate="true">
                <input type="hidden" name="term" value=move || id().to_string()/>
                <ParentAndAthlete feedback=feedback siblings=discount track=true/>
                <button type="submit" class=BUTTON_CLASS disabled=move || action.pending().get()>
                    {move || if action.pending().get() { "Booking…" } else { "Continue to payment" }}
                </button>
            </ActionForm>
        </section>
    }
}
