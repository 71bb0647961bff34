//! The booking form: validated on the server, each problem named beside its field, what was
//! typed kept; works without JavaScript (ActionForm posts it) and better with it.

use crate::components::booking_fields::{ParentAndAthlete, FORM_ORDER};
use crate::components::form::{
    ErrorSummary, FormFeedback, SessionChoice, SessionSelect, BUTTON_CLASS,
};
use crate::components::session_list::{upcoming_sessions, SessionCard, SessionFacts};
use crate::error::AppError;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// Creates the booking, then sends the parent to pay. Every field arrives as text and is
/// checked here, so a bad value is named back instead of failing to parse.
#[server(endpoint = "book")]
pub async fn submit_booking(
    session: String,
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
        more_athletes: BookingFormInput::further_children([
            (athlete_name_2, athlete_age_2),
            (athlete_name_3, athlete_age_3),
            (athlete_name_4, athlete_age_4),
        ]),
        emergency_name,
        emergency_phone,
        medical_notes,
    };
    let state = expect_context::<AppState>();
    // Only a form that passes its checks spends the address's allowance: junk posted with a
    // family's address cannot make the family wait.
    input.parse_children(true).map_err(AppError::invalid)?;
    state
        .limit(&input.parent_email)
        .map_err(|wait_ms| AppError::limited_form(&input, wait_ms))?;
    let created = book_from_form(
        &state.db,
        &input,
        Entry::Online,
        state.settings.hold_policy,
        state.settings.sibling_discount_percent,
        &state.settings.family.data_key,
    )
    .await?;
    tracing::info!(
        booking_id = created[0].id,
        children = created.len(),
        "booking created"
    );
    // One checkout for every child: the first booking holds it.
    state.go_to_checkout(&created[0].reference).await;
    Ok(())
}

/// "Book again" (a plain form post from the family's page): the booking form filled with
/// booking `reference`'s parent and athlete and the next session of its kind. What it is filled
/// with waits on the server, as a refused form's values do, never in the address.
#[server(endpoint = "book/again")]
pub async fn book_again(reference: String) -> Result<(), AppError> {
    use crate::state::AppState;
    use leptos::server_fn::ServerFn;
    let state = expect_context::<AppState>();
    let again = crate::services::rebook::from_booking(&state.db, &reference)
        .await?
        .ok_or_else(|| AppError::not_found("We could not find that booking."))?;
    debug_assert_eq!(
        SubmitBooking::PATH,
        crate::components::booking_fields::BOOKING_FORM_PATH
    );
    let page = match again.session {
        Some(session) => format!("/book?session={session}"),
        None => "/book".to_owned(),
    };
    crate::components::booking_fields::fill_booking_form(&page, again.values).await
}

#[component]
pub fn BookPage() -> impl IntoView {
    let action = ServerAction::<SubmitBooking>::new();
    let query = use_query_map();
    let sessions = Resource::new(|| (), |_| upcoming_sessions());
    let discount = Resource::new(
        || (),
        |_| crate::components::booking_fields::sibling_discount(),
    );
    let terms = Resource::new(|| (), |_| crate::components::term_list::open_terms());
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
                past: false,
            })
            .collect()
    };

    let feedback = FormFeedback::new(move || action.value().get());
    let error = move |field: &'static str| feedback.error(field);
    let chosen_session = feedback.value_or("session", move || {
        query.read().get("session").unwrap_or_default()
    });

    // The session chosen in the select (or asked for in the address), followed as it changes.
    let (picked, set_picked) = signal(None::<String>);
    let chosen_id = Signal::derive(move || picked.get().unwrap_or_else(|| chosen_session.get()));
    let asked = move || query.read().get("session").filter(|s| !s.trim().is_empty());

    view! {
        <section class="mx-auto max-w-2xl">
            <h1 class="text-3xl font-bold tracking-tight">"Book a session"</h1>
            <p class="mt-2 text-slate-600">"All fields are required unless marked optional. You pay on the next page."</p>
            <crate::components::term_list::TermList terms=terms/>

            <ErrorSummary feedback=feedback order=&FORM_ORDER/>

            <ActionForm action=action attr:class="mt-6 space-y-5 rounded-2xl bg-white p-6 shadow-sm" attr:novalidate="true">
                <div on:change=move |event| set_picked.set(Some(event_target_value(&event)))>
                    <SessionSelect choices=session_choices chosen=chosen_session error=error("session")/>
                </div>
                <Suspense fallback=|| ()>
                    {move || Suspend::new(async move {
                        let list = sessions.await.unwrap_or_default();
                        let id = chosen_id.get();
                        let found = list.iter().find(|s| s.id.to_string() == id).cloned();
                        match (found, asked()) {
                            (Some(session), _) => view! { <ChosenSession session=session/> }.into_any(),
                            (None, Some(asked)) if asked == id => view! {
                                <p class="rounded-lg border border-amber-300 bg-amber-50 p-3 text-amber-900" role="status" data-testid="session-unavailable">
                                    "That session is not available (it has passed or does not exist); choose another."
                                </p>
                            }.into_any(),
                            _ => ().into_any(),
                        }
                    })}
                </Suspense>
                <p class="text-sm text-slate-700">
                    "A full session has a waitlist: "
                    <a class="text-indigo-700 underline" href=move || format!("/waitlist/join?session={}", chosen_session.get())>"join it"</a>
                    " and we email you if a place frees."
                </p>

                <ParentAndAthlete feedback=feedback siblings=discount track=true/>

                <button type="submit" class=BUTTON_CLASS disabled=move || action.pending().get()>
                    {move || if action.pending().get() { "Booking…" } else { "Continue to payment" }}
                </button>
            </ActionForm>
        </section>
    }
}

/// The chosen session in full, wrapping on a phone where the select cuts its name off; a full
/// one says so and offers its waitlist.
#[component]
fn ChosenSession(session: SessionCard) -> impl IntoView {
    let full = session.places_left == 0;
    let waitlist = format!("/waitlist/join?session={}", session.id);
    view! {
        <div class="rounded-lg border border-slate-200 bg-slate-50 p-3 text-sm text-slate-800" data-testid="chosen-session" aria-live="polite">
            <p class="font-semibold">{session.title.clone()}</p>
            <dl class="mt-1 grid grid-cols-[auto_1fr] gap-x-3 gap-y-0.5">
                <SessionFacts session=session.clone() places=false/>
            </dl>
            {session.description.clone().map(|d| view! { <p class="mt-1 whitespace-pre-line">{d}</p> })}
            {full.then(|| view! {
                <p class="mt-2 font-semibold text-red-800" role="status" data-testid="session-full">
                    "That session is full. " <a class="text-indigo-700 underline" href=waitlist>"Join its waitlist"</a> " and we email you if a place frees, or choose another."
                </p>
            })}
        </div>
    }
}
