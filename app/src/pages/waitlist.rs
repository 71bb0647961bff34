//! The waitlist of a full session, for parents: joining it (the booking form's fields, no
//! payment), the page that asks to confirm it from the mail, and the private page of a
//! waitlist place, where it is confirmed and an offered place is booked.

use crate::components::booking_fields::{ParentAndAthlete, FORM_ORDER};
use crate::components::form::{
    ErrorSummary, FormFeedback, SessionChoice, SessionSelect, BUTTON_CLASS, SECONDARY_BUTTON_CLASS,
};
use crate::components::session_list::upcoming_sessions;
use crate::error::AppError;
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};
use serde::{Deserialize, Serialize};

/// Puts an athlete on a full session's waitlist; the place's link goes to the address typed
/// (only its owner can confirm it), and the browser to a page that says so.
#[server(endpoint = "waitlist/join")]
#[allow(clippy::too_many_arguments)]
pub async fn join_waitlist(
    session: String,
    term: Option<String>,
    parent_name: String,
    parent_email: String,
    parent_phone: Option<String>,
    athlete_name: String,
    athlete_age: String,
    notes: Option<String>,
    consent: Option<String>,
) -> Result<(), AppError> {
    use crate::state::AppState;
    use domain::booking_form::BookingFormInput;
    let mut input = BookingFormInput {
        session,
        parent_name,
        parent_email,
        parent_phone,
        athlete_name,
        athlete_age,
        notes,
        consent,
        more_athletes: Vec::new(),
        ..Default::default()
    };
    let state = expect_context::<AppState>();
    let term = match term.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        Some(term) => Some(
            term.parse::<i64>()
                .map_err(|_| AppError::not_found("We could not find that term."))?,
        ),
        None => None,
    };
    if let Some(term) = term {
        input.session = crate::services::waitlist::term_session(&state.db, term)
            .await?
            .to_string();
    }
    // Only a form that passes its checks spends the address's allowance: junk posted with a
    // family's address cannot make the family wait.
    input.parse().map_err(AppError::invalid)?;
    state
        .limit(&input.parent_email)
        .map_err(|wait_ms| AppError::limited_form(&input, wait_ms))?;
    crate::services::waitlist::join(&state.db, &input, term).await?;
    leptos_axum::redirect("/waitlist/joined");
    Ok(())
}

/// Confirms the place of `token` from its address (the button of its page, reached from the
/// mailed link).
#[server(endpoint = "waitlist/confirm")]
pub async fn confirm_waitlist_place(token: String) -> Result<(), AppError> {
    use crate::state::AppState;
    let state = expect_context::<AppState>();
    if !crate::services::waitlist::confirm(&state.db, &token).await? {
        return Err(AppError::conflict(
            "There is nothing to confirm: this place is confirmed already, no longer waiting, or its link is more than a day old.",
        ));
    }
    leptos_axum::redirect(&format!("/waitlist/{token}"));
    Ok(())
}

/// A waitlist place as its holder sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WaitlistPlaceView {
    pub athlete_name: String,
    pub session_title: String,
    pub when: String,
    pub location: String,
    pub price: String,
    pub state: PlaceState,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum PlaceState {
    /// Joined, not yet confirmed from its address.
    Unconfirmed,
    Waiting {
        position: usize,
    },
    Offered {
        until: String,
    },
    Booked {
        reference: Option<String>,
    },
    Expired,
    Withdrawn,
    Closed,
}

#[server(endpoint = "waitlist/view")]
pub async fn waitlist_place(token: String) -> Result<Option<WaitlistPlaceView>, AppError> {
    use crate::state::AppState;
    use domain::schedule::when;
    use domain::WaitlistStatus;
    let state = expect_context::<AppState>();
    let tz = state.settings.timezone;
    let db = &state.db;
    let Some(entry) = crate::db::waitlist::by_token(db, &token).await? else {
        if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
            response.set_status(axum::http::StatusCode::NOT_FOUND);
        }
        return Ok(None);
    };
    let now = crate::db::now_ms();
    let state_now = match entry.status {
        WaitlistStatus::Waiting if entry.confirmed_at.is_none() => PlaceState::Unconfirmed,
        WaitlistStatus::Waiting => {
            let line = crate::db::waitlist::of_session(db, entry.training_session_id).await?;
            let position = line
                .iter()
                .filter(|w| {
                    w.status == WaitlistStatus::Waiting
                        && w.confirmed_at.is_some()
                        && w.id <= entry.id
                })
                .count();
            PlaceState::Waiting { position }
        }
        WaitlistStatus::Offered => match entry.offer_expires_at.filter(|until| *until > now) {
            Some(until) => PlaceState::Offered {
                until: when(until, tz),
            },
            None => PlaceState::Expired,
        },
        WaitlistStatus::Expired => PlaceState::Expired,
        WaitlistStatus::Booked => {
            let reference = match entry.booking_id {
                Some(id) => crate::db::bookings::by_id(db, id)
                    .await?
                    .map(|b| b.reference),
                None => None,
            };
            PlaceState::Booked { reference }
        }
        WaitlistStatus::Closed => PlaceState::Closed,
        WaitlistStatus::Withdrawn => PlaceState::Withdrawn,
    };
    Ok(Some(WaitlistPlaceView {
        when: when(entry.session_starts_at, tz),
        price: domain::Money::new(entry.session_price, entry.session_currency.clone()).to_string(),
        athlete_name: entry.athlete_name,
        session_title: entry.session_title,
        location: entry.session_location,
        state: state_now,
    }))
}

/// Books the place offered under `token` and sends the parent to pay for it.
#[server(endpoint = "waitlist/book")]
pub async fn take_offered_place(token: String) -> Result<(), AppError> {
    use crate::services::waitlist::book_offer;
    use crate::state::AppState;
    let state = expect_context::<AppState>();
    let whole_term = crate::db::waitlist::by_token(&state.db, &token)
        .await?
        .is_some_and(|entry| entry.term_id.is_some());
    let reference = if whole_term {
        // The whole term: one checkout, held by its first booking.
        crate::services::term_booking::book_offer(
            &state.db,
            &token,
            state.settings.hold_policy,
            state.settings.sibling_discount_percent,
            &state.settings.family.data_key,
        )
        .await?
        .swap_remove(0)
        .reference
    } else {
        book_offer(&state.db, &token, state.settings.hold_policy)
            .await?
            .reference
    };
    state.go_to_checkout(&reference).await;
    Ok(())
}

/// Takes a place off the waitlist (its holder no longer wants it).
#[server(endpoint = "waitlist/leave")]
pub async fn leave_waitlist(token: String) -> Result<(), AppError> {
    use crate::state::AppState;
    let state = expect_context::<AppState>();
    if !crate::services::waitlist::leave(&state.db, &token).await? {
        return Err(AppError::conflict(
            "This place is no longer on the waitlist.",
        ));
    }
    leptos_axum::redirect(&format!("/waitlist/{token}"));
    Ok(())
}

/// Term `id` as its waitlist's page names it (`None`: no longer open).
#[server(endpoint = "waitlist/term")]
pub async fn waitlist_term(
    id: i64,
) -> Result<Option<crate::components::term_list::TermOffer>, AppError> {
    use crate::state::AppState;
    let state = expect_context::<AppState>();
    Ok(crate::components::term_list::offer(&state.db, state.settings.timezone, id).await?)
}

/// `/waitlist/join?session=…` (or `?term=…`, for a whole term): the booking form's fields, to
/// wait for a full session or term.
#[component]
pub fn JoinWaitlistPage() -> impl IntoView {
    let action = ServerAction::<JoinWaitlist>::new();
    let query = use_query_map();
    let term_id = move || query.read().get("term").and_then(|t| t.parse::<i64>().ok());
    let term = Resource::new(term_id, |id| async move {
        match id {
            Some(id) => waitlist_term(id).await.ok().flatten(),
            None => None,
        }
    });
    let sessions = Resource::new(|| (), |_| upcoming_sessions());
    let session_choices = move || async move {
        sessions
            .await
            .unwrap_or_default()
            .into_iter()
            .map(|s| SessionChoice {
                id: s.id,
                label: if s.places_left == 0 {
                    format!("{} – {} – full", s.title, s.when)
                } else {
                    format!("{} – {} – has places: book it instead", s.title, s.when)
                },
                disabled: s.places_left > 0,
                past: false,
            })
            .collect()
    };
    let feedback = FormFeedback::new(move || action.value().get());
    let chosen = feedback.value_or("session", move || {
        query.read().get("session").unwrap_or_default()
    });
    view! {
        <section class="mx-auto max-w-2xl">
            <h1 class="text-3xl font-bold tracking-tight">"Join the waitlist"</h1>
            <p class="mt-2 text-slate-700">"When a place frees, the first person waiting gets an email with a link that holds the place for a while. Nothing is paid until then."</p>
            <ErrorSummary feedback=feedback order=&FORM_ORDER/>
            <ActionForm action=action attr:class="mt-6 space-y-5 rounded-2xl bg-white p-6 shadow-sm" attr:novalidate="true">
                {move || match term_id() {
                    Some(id) => view! {
                        <input type="hidden" name="term" value=id.to_string()/>
                        <input type="hidden" name="session" value=""/>
                        <Suspense fallback=|| ()>
                            {move || Suspend::new(async move {
                                term.await.map(|t| view! {
                                    <p class="rounded-lg bg-slate-100 p-3" data-testid="waitlist-term">
                                        {format!("For the whole term {}: {}, {} sessions from {}, {} for the whole term.", t.title, t.schedule, t.dates.len(), t.dates.first().cloned().unwrap_or_default(), t.price)}
                                    </p>
                                })
                            })}
                        </Suspense>
                        <crate::components::form::FieldError id="field-session-error" error=feedback.error("session")/>
                    }.into_any(),
                    None => view! { <SessionSelect choices=session_choices chosen=chosen error=feedback.error("session")/> }.into_any(),
                }}
                <ParentAndAthlete feedback=feedback/>
                <button type="submit" class=BUTTON_CLASS disabled=move || action.pending().get()>"Join the waitlist"</button>
            </ActionForm>
        </section>
    }
}

/// `/waitlist/:token`: where someone waiting stands, and the offered place to book.
#[component]
pub fn WaitlistPlacePage() -> impl IntoView {
    let params = use_params_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let book = ServerAction::<TakeOfferedPlace>::new();
    let leave = ServerAction::<LeaveWaitlist>::new();
    let confirm = ServerAction::<ConfirmWaitlistPlace>::new();
    let place = Resource::new(
        move || (token(), leave.version().get(), confirm.version().get()),
        |(token, _, _)| waitlist_place(token),
    );
    let failed = move || {
        book.value()
            .get()
            .and_then(|r| r.err())
            .or_else(|| leave.value().get().and_then(|r| r.err()))
            .or_else(|| confirm.value().get().and_then(|r| r.err()))
            .map(|e| e.to_string())
    };
    view! {
        <section class="mx-auto max-w-xl">
            <Suspense fallback=|| view! { <p class="text-slate-600">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match place.await {
                        Err(e) => view! { <p class="rounded-lg bg-red-50 p-4 text-red-800" role="alert">{e.to_string()}</p> }.into_any(),
                        Ok(None) => view! {
                            <h1 class="text-2xl font-bold">"Waitlist place not found"</h1>
                            <p class="mt-2 text-slate-700">"Check the link in your email."</p>
                        }.into_any(),
                        Ok(Some(p)) => {
                            let token = token();
                            let leave_token = token.clone();
                            let (title, detail): (String, String) = match &p.state {
                                PlaceState::Unconfirmed => (
                                    "Confirm your waitlist place".into(),
                                    format!("Confirm that {} waits for this session: until then, no freed place is offered to this place.", p.athlete_name),
                                ),
                                PlaceState::Waiting { position } => (
                                    "You are on the waitlist".into(),
                                    format!("{} is number {position} in line. If a place frees, we email you a link that holds it for you.", p.athlete_name),
                                ),
                                PlaceState::Offered { until } => (
                                    "A place is free for you".into(),
                                    format!("It is held for {} until {until}. Book it now and pay on the next page.", p.athlete_name),
                                ),
                                PlaceState::Booked { .. } => ("Place booked".into(), format!("{} has this place.", p.athlete_name)),
                                PlaceState::Expired => ("The offer has ended".into(), "The place was held for a while and went to the next person waiting.".into()),
                                PlaceState::Withdrawn => ("You left the waitlist".into(), "This place is no longer held or waited for.".into()),
                                PlaceState::Closed => ("This session is cancelled".into(), "Its waitlist is closed: no place will be offered. Another session may have a place.".into()),
                            };
                            view! {
                                <div class="rounded-2xl border border-indigo-200 bg-indigo-50 p-5 text-indigo-950" role="status" data-testid="waitlist-banner">
                                    <h1 class="text-2xl font-bold">{title}</h1>
                                    <p class="mt-1">{detail}</p>
                                </div>
                                <dl class="mt-4 grid grid-cols-[auto_1fr] gap-x-3 gap-y-1 rounded-xl bg-white p-4 shadow-sm">
                                    <dt class="font-medium">"Session"</dt><dd>{p.session_title.clone()}</dd>
                                    <dt class="font-medium">"When"</dt><dd>{p.when.clone()}</dd>
                                    <dt class="font-medium">"Where"</dt><dd>{p.location.clone()}</dd>
                                    <dt class="font-medium">"Price"</dt><dd>{p.price.clone()}</dd>
                                </dl>
                                {match p.state.clone() {
                                    PlaceState::Unconfirmed => view! {
                                        <ActionForm action=confirm attr:class="mt-4">
                                            <input type="hidden" name="token" value=token.clone()/>
                                            <button type="submit" class=BUTTON_CLASS data-testid="confirm-waitlist" disabled=move || confirm.pending().get()>"Confirm my place"</button>
                                        </ActionForm>
                                    }.into_any(),
                                    PlaceState::Offered { .. } => view! {
                                        <ActionForm action=book attr:class="mt-4">
                                            <input type="hidden" name="token" value=token.clone()/>
                                            <button type="submit" class=BUTTON_CLASS data-testid="book-offer" disabled=move || book.pending().get()>"Book this place"</button>
                                        </ActionForm>
                                    }.into_any(),
                                    PlaceState::Booked { reference: Some(reference) } => view! {
                                        <a class="mt-4 inline-block text-indigo-700 underline" href=format!("/bookings/{reference}")>"Your booking"</a>
                                    }.into_any(),
                                    PlaceState::Closed => view! {
                                        <a class="mt-4 inline-block text-indigo-700 underline" href="/book">"Book another session"</a>
                                    }.into_any(),
                                    _ => ().into_any(),
                                }}
                                {matches!(p.state, PlaceState::Unconfirmed | PlaceState::Waiting { .. } | PlaceState::Offered { .. }).then(|| view! {
                                    <ActionForm action=leave attr:class="mt-3">
                                        <input type="hidden" name="token" value=leave_token/>
                                        <button type="submit" class=SECONDARY_BUTTON_CLASS data-testid="leave-waitlist">"Leave the waitlist"</button>
                                    </ActionForm>
                                })}
                            }.into_any()
                        }
                    }
                })}
            </Suspense>
            {move || failed().map(|m| view! { <p class="mt-3 rounded-lg bg-red-50 p-3 text-red-800" role="alert">{m}</p> })}
        </section>
    }
}

/// `/waitlist/joined`: where the browser goes after joining. The place's own link went to the
/// address typed, so only its owner can confirm it.
#[component]
pub fn WaitlistJoinedPage() -> impl IntoView {
    view! {
        <section class="mx-auto max-w-xl">
            <div class="rounded-2xl border border-indigo-200 bg-indigo-50 p-5 text-indigo-950" role="status" data-testid="waitlist-joined">
                <h1 class="text-2xl font-bold">"Check your email"</h1>
                <p class="mt-1">"We have sent a link to the address you gave. Open it to confirm the waitlist place: until it is confirmed, no freed place is offered to it. The link works for a day."</p>
            </div>
            <a href="/" class="mt-4 inline-block text-indigo-700 underline">"All sessions"</a>
        </section>
    }
}
