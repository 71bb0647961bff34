//! Training sessions for the admin: the list, create, edit, cancel.

use crate::components::admin_sessions::{admin_sessions, SessionSummary};
use crate::components::feed_link::CalendarFeedLink;
use crate::components::form::{
    ErrorSummary, FieldError, FormFeedback, TextField, BUTTON_CLASS, INPUT_CLASS,
    SECONDARY_BUTTON_CLASS,
};
use crate::components::live::LiveVersion;
use crate::components::waiver::WaiverEditor;
use crate::error::AppError;
use domain::booking_form::{MAX_AGE, MIN_AGE};
use domain::session_form::{SessionFields, FORM_ORDER, MAX_DESCRIPTION};
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

#[server(endpoint = "admin/session")]
pub async fn admin_session(id: i64) -> Result<Option<SessionFields>, AppError> {
    use crate::state::AppState;
    crate::access::require_admin().await?;
    let state = expect_context::<AppState>();
    let Some(s) = crate::db::sessions::get(&state.db, id).await? else {
        return Ok(None);
    };
    Ok(Some(SessionFields::of(
        &s.details(),
        &s.extra(),
        state.settings.timezone,
    )))
}

#[server(endpoint = "admin/sessions/save")]
#[allow(clippy::too_many_arguments)]
pub async fn admin_save_session(
    id: Option<String>,
    title: String,
    date: String,
    time: String,
    duration: String,
    location: String,
    capacity: String,
    price: String,
    currency: String,
    description: Option<String>,
    min_age: Option<String>,
    max_age: Option<String>,
    coach: Option<String>,
) -> Result<(), AppError> {
    use crate::services::sessions::{save_from_form, Saved};
    use crate::state::AppState;
    crate::access::require_admin().await?;
    let state = expect_context::<AppState>();
    let fields = SessionFields {
        title,
        date,
        time,
        duration,
        location,
        capacity,
        price,
        currency,
        description: description.unwrap_or_default(),
        min_age: min_age.unwrap_or_default(),
        max_age: max_age.unwrap_or_default(),
        coach: coach.unwrap_or_default(),
    };
    let (session, details) = fields
        .parse(state.settings.timezone)
        .map_err(AppError::invalid)?;
    let id = match id.as_deref().map(str::trim).filter(|i| !i.is_empty()) {
        None => None,
        Some(id) => Some(
            id.parse::<i64>()
                .map_err(|_| AppError::not_found("That session no longer exists."))?,
        ),
    };
    match save_from_form(&state.db, id, &session, &details).await? {
        Saved::Done(_) => {}
        Saved::Missing => return Err(AppError::not_found("That session no longer exists.")),
        Saved::IntoThePast(why) => return Err(AppError::field("date", &why, fields.values())),
    }
    crate::components::sessions_notice::set(&state, "saved");
    leptos_axum::redirect("/admin/sessions");
    Ok(())
}

/// The message left by the last save or cancel, once.
#[server(endpoint = "admin/sessions/notice")]
pub async fn admin_sessions_notice() -> Result<Option<String>, AppError> {
    crate::access::require_admin().await?;
    let state = expect_context::<crate::state::AppState>();
    Ok(crate::components::sessions_notice::take(&state))
}

/// What cancelling session `id` will do: the bookings it cancels and the refunds it makes.
#[server(endpoint = "admin/sessions/cancel-summary")]
pub async fn admin_cancel_summary(
    id: i64,
) -> Result<Option<domain::booking::SessionCancellation>, AppError> {
    use crate::state::AppState;
    crate::access::require_admin().await?;
    let state = expect_context::<AppState>();
    Ok(crate::services::cancellation::session_summary(&state.db, id).await?)
}

/// The sessions that could give every booking of session `id` a make-up place: id and when.
#[server(endpoint = "admin/sessions/make-up-options")]
pub async fn admin_make_up_options(id: i64) -> Result<Vec<(i64, String)>, AppError> {
    use crate::state::AppState;
    crate::access::require_admin().await?;
    let state = expect_context::<AppState>();
    Ok(crate::services::make_up::options(&state.db, id)
        .await?
        .into_iter()
        .map(|s| {
            let when = domain::schedule::when(s.starts_at, state.settings.timezone);
            (s.id, format!("{when} ({} places left)", s.places_left()))
        })
        .collect())
}

/// Cancels a session and every booking in it, refunding the paid ones (each its own request,
/// so running it again after an interruption finishes the work, refunding no one twice); or,
/// with `make_up`, moving each booking to that session instead.
#[server(endpoint = "admin/sessions/cancel")]
pub async fn admin_cancel_session(id: i64, make_up: Option<String>) -> Result<(), AppError> {
    use crate::services::make_up::{cancel_with_make_up, MakeUpError};
    use crate::state::AppState;
    let admin = crate::access::require_admin().await?;
    let state = expect_context::<AppState>();
    if let Some(to) = make_up.as_deref().filter(|to| !to.is_empty()) {
        let Ok(to) = to.parse::<i64>() else {
            return Err(AppError::field(
                "make_up",
                "Choose a session from the list.",
                Default::default(),
            ));
        };
        let done =
            match cancel_with_make_up(&state.db, state.checkout.as_ref(), id, to, &admin.email)
                .await
            {
                Ok(done) => done,
                Err(MakeUpError::Unsuitable(why)) => {
                    return Err(AppError::field("make_up", &why, Default::default()))
                }
                Err(MakeUpError::Cancel(error)) => return Err(error.into()),
                Err(MakeUpError::Database(error)) => return Err(error.into()),
            };
        let refunds = done.cancelled.iter().filter(|c| c.refund.is_some()).count();
        crate::components::sessions_notice::set(
            &state,
            &format!("madeup.{}.{refunds}", done.moved),
        );
        leptos_axum::redirect("/admin/sessions");
        return Ok(());
    }
    let done = crate::services::cancellation::cancel_session(
        &state.db,
        state.checkout.as_ref(),
        id,
        &admin.email,
    )
    .await?;
    tracing::info!(session = id, bookings = done.len(), "session cancelled");
    let refunds = done.iter().filter(|c| c.refund.is_some()).count();
    crate::components::sessions_notice::set(&state, &format!("cancelled.{}.{refunds}", done.len()));
    leptos_axum::redirect("/admin/sessions");
    Ok(())
}

/// `/admin/sessions/:id/cancel`: what cancelling will do, then the button that does it.
#[component]
pub fn CancelSessionPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|i| i.parse::<i64>().ok())
            .unwrap_or(0)
    };
    let summary = Resource::new(id, admin_cancel_summary);
    let make_up = Resource::new(id, admin_make_up_options);
    let cancel = ServerAction::<AdminCancelSession>::new();
    let feedback = crate::components::form::FormFeedback::new(move || cancel.value().get());
    view! {
        <section class="mx-auto max-w-2xl">
            <h1 class="text-2xl font-bold">"Cancel this session?"</h1>
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    let options = make_up.await.unwrap_or_default();
                    match summary.await {
                        Ok(Some(s)) => {
                            let total = domain::Money::new(s.refund_total, s.currency.clone()).to_string();
                            view! {
                                <ul class="mt-4 list-disc pl-5 text-slate-800" data-testid="cancel-summary">
                                    <li>{format!("{} booking{} will be cancelled, and each family told by mail.", s.bookings, if s.bookings == 1 { "" } else { "s" })}</li>
                                    <li>{format!("{} paid booking{} will be refunded in full: {total} in all.", s.refunds, if s.refunds == 1 { "" } else { "s" })}</li>
                                    <li>"The session leaves the public list and takes no more bookings."</li>
                                </ul>
                                <ActionForm action=cancel attr:class="mt-6 flex flex-wrap gap-3">
                                    <input type="hidden" name="id" value=id()/>
                                    {(!options.is_empty() && s.bookings > 0).then(|| view! {
                                        <div class="w-full">
                                            <label for="field-make_up" class="block font-medium">"Instead of refunds, a make-up place for everyone in"</label>
                                            <select id="field-make_up" name="make_up" class="mt-1 w-full rounded-lg border border-slate-300 p-2" aria-describedby="field-make_up-error" data-testid="make-up">
                                                <option value="">"No make-up: cancel and refund"</option>
                                                {options.into_iter().map(|(session, when)| view! { <option value=session.to_string()>{when}</option> }).collect_view()}
                                            </select>
                                            <p class="mt-1 text-sm text-slate-600">"Each booking moves there keeping what it paid, and the family gets the new time by mail."</p>
                                            <crate::components::form::FieldError id="field-make_up-error" error=feedback.error("make_up")/>
                                        </div>
                                    })}
                                    <button type="submit" class="rounded-lg bg-red-700 px-5 py-2.5 font-semibold text-white hover:bg-red-800" data-testid="confirm-cancel-session">"Cancel the session"</button>
                                    <a href="/admin/sessions" class=SECONDARY_BUTTON_CLASS>"Back"</a>
                                </ActionForm>
                            }.into_any()
                        }
                        Ok(None) => view! { <p class="mt-4">"Session not found."</p> }.into_any(),
                        Err(e) => view! { <p class="mt-4 rounded-lg bg-red-50 p-4 text-red-800" role="alert">{e.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
pub fn SessionsPage() -> impl IntoView {
    let live = use_context::<LiveVersion>().map(|v| v.0);
    let sessions = Resource::new(
        move || live.map(|v| v.get()).unwrap_or(0),
        |_| admin_sessions(),
    );
    let notice = Resource::new_blocking(|| (), |_| admin_sessions_notice());
    view! {
        <section>
            <div class="flex flex-wrap items-center justify-between gap-3">
                <h1 class="text-2xl font-bold">"Training sessions"</h1>
                <div class="flex flex-wrap gap-3">
                    <a href="/admin/terms/new" class=SECONDARY_BUTTON_CLASS>"New term"</a>
                    <a href="/admin/sessions/new" class=BUTTON_CLASS>"New session"</a>
                </div>
            </div>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    notice.await.ok().flatten().map(|text| view! {
                        <p class="mt-4 rounded-lg border border-green-300 bg-green-50 p-3 font-medium text-green-900" role="status" data-testid="sessions-notice">{text}</p>
                    })
                })}
            </Suspense>
            <Transition fallback=|| view! { <p class="mt-4">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match sessions.await {
                        Err(e) => view! { <p class="mt-4 rounded-lg bg-red-50 p-4 text-red-800" role="alert">{e.to_string()}</p> }.into_any(),
                        Ok(list) => {
                            let (past, upcoming): (Vec<_>, Vec<_>) = list.into_iter().partition(|s| s.past);
                            view! {
                                <SessionGroup heading="Upcoming sessions" key="upcoming" list=upcoming empty="No sessions to come: add one with New session."/>
                                {(!past.is_empty()).then(|| view! {
                                    <SessionGroup heading="Past sessions" key="past" list=past empty=""/>
                                })}
                            }.into_any()
                        }
                    }
                })}
            </Transition>
            // Outside the list's transition: each has its own data, owned by the page.
            <CalendarFeedLink/>
            <WaiverEditor/>
        </section>
    }
}

/// One part of the sessions list: a table at a desk, cards on a phone.
#[component]
fn SessionGroup(
    heading: &'static str,
    key: &'static str,
    list: Vec<SessionSummary>,
    empty: &'static str,
) -> impl IntoView {
    if list.is_empty() {
        return view! {
            <h2 class="mt-6 text-lg font-semibold">{heading}</h2>
            <p class="mt-2 text-slate-600">{empty}</p>
        }
        .into_any();
    }
    let cards = list.clone();
    view! {
        <h2 class="mt-6 text-lg font-semibold" id=format!("sessions-{key}")>{heading}</h2>
        <div class="relative mt-2 hidden overflow-x-auto rounded-xl bg-white shadow-sm md:block">
            <table class="min-w-full text-sm" data-testid=format!("sessions-table-{key}") aria-labelledby=format!("sessions-{key}")>
                <thead class="border-b border-slate-200 bg-slate-50 text-left">
                    <tr>
                        <th scope="col" class="px-3 py-2">"Session"</th>
                        <th scope="col" class="px-3 py-2">"When"</th>
                        <th scope="col" class="px-3 py-2">"Where"</th>
                        <th scope="col" class="px-3 py-2">"Places"</th>
                        <th scope="col" class="px-3 py-2">"Price"</th>
                        <th scope="col" class="px-3 py-2"><span class="sr-only">"Actions"</span></th>
                    </tr>
                </thead>
                <tbody>
                    {list.into_iter().map(|s| view! {
                        <tr class="border-b border-slate-100" data-session-id=s.id>
                            <td class="px-3 py-2">
                                {s.title.clone()}
                                {s.cancelled.then(|| view! { <span class="ml-2 rounded bg-gray-600 px-1.5 text-xs text-white">"Cancelled"</span> })}
                                <TermTag term=s.term.clone()/>
                            </td>
                            <td class="whitespace-nowrap px-3 py-2">{s.when.clone()} " · " {s.duration_minutes} " min"</td>
                            <td class="px-3 py-2">{s.location.clone()}</td>
                            <td class="px-3 py-2">{format!("{}/{}", s.places_taken, s.capacity)}</td>
                            <td class="whitespace-nowrap px-3 py-2">{s.price.clone()}</td>
                            <td class="px-3 py-2"><SessionLinks id=s.id cancelled=s.cancelled/></td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        <ul class="mt-2 space-y-3 md:hidden" data-testid=format!("session-cards-{key}") aria-labelledby=format!("sessions-{key}")>
            {cards.into_iter().map(|s| view! {
                <li class="rounded-xl bg-white p-4 shadow-sm" data-session-id=s.id>
                    <div class="flex items-baseline justify-between gap-3">
                        <h3 class="font-semibold">
                            {s.title.clone()}
                            {s.cancelled.then(|| view! { <span class="ml-2 rounded bg-gray-600 px-1.5 text-xs font-normal text-white">"Cancelled"</span> })}
                            <TermTag term=s.term.clone()/>
                        </h3>
                        <span class="whitespace-nowrap font-semibold" data-testid="card-price">{s.price.clone()}</span>
                    </div>
                    <p class="mt-1 text-sm text-slate-700">{s.when.clone()} " · " {s.duration_minutes} " min"</p>
                    <p class="text-sm text-slate-700">{s.location.clone()} " · " {format!("{}/{} places taken", s.places_taken, s.capacity)}</p>
                    <div class="mt-2"><SessionLinks id=s.id cancelled=s.cancelled/></div>
                </li>
            }).collect_view()}
        </ul>
    }
    .into_any()
}

/// The term a session belongs to, if any.
#[component]
fn TermTag(term: Option<(i64, String)>) -> impl IntoView {
    term.map(|(id, title)| view! {
        <a class="ml-2 rounded bg-indigo-100 px-1.5 text-xs font-normal text-indigo-900 underline" href=format!("/admin/terms/{id}") data-testid="term-tag">{format!("Term: {title}")}</a>
    })
}

/// A session's Roster, Edit, Message and Cancel links, big enough to tap.
#[component]
fn SessionLinks(id: i64, cancelled: bool) -> impl IntoView {
    view! {
        <div class="flex flex-wrap gap-x-4 gap-y-1">
            <a class="inline-block py-1 text-indigo-700 underline" href=format!("/admin/sessions/{id}/roster")>"Roster"</a>
            <a class="inline-block py-1 text-indigo-700 underline" href=format!("/admin/sessions/{id}")>"Edit"</a>
            <a class="inline-block py-1 text-indigo-700 underline" href=format!("/admin/sessions/{id}/message")>"Message"</a>
            {(!cancelled).then(|| view! {
                <a class="inline-block py-1 text-red-700 underline" href=format!("/admin/sessions/{id}/cancel")>"Cancel…"</a>
            })}
        </div>
    }
}

#[component]
pub fn NewSessionPage() -> impl IntoView {
    view! { <SessionForm id=None stored=SessionFields { currency: "USD".into(), duration: "60".into(), ..SessionFields::default() }/> }
}

#[component]
pub fn EditSessionPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|i| i.parse::<i64>().ok())
            .unwrap_or(0)
    };
    let stored = Resource::new(id, admin_session);
    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match stored.await {
                    Ok(Some(fields)) => view! { <SessionForm id=Some(id()) stored=fields/> }.into_any(),
                    Ok(None) => view! { <h1 class="text-2xl font-bold">"Session not found"</h1> }.into_any(),
                    Err(e) => view! { <p class="rounded-lg bg-red-50 p-4 text-red-800" role="alert">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn SessionForm(id: Option<i64>, stored: SessionFields) -> impl IntoView {
    let action = ServerAction::<AdminSaveSession>::new();
    let feedback = FormFeedback::new(move || action.value().get());
    let field = move |name: &'static str, stored_value: String| {
        let returned = feedback.returned();
        let value = feedback.value(name);
        Signal::derive(move || {
            if returned.get() {
                value.get()
            } else {
                stored_value.clone()
            }
        })
    };
    view! {
        <section class="mx-auto max-w-2xl">
            <h1 class="text-2xl font-bold">{if id.is_some() { "Edit session" } else { "New session" }}</h1>
            <ErrorSummary feedback=feedback order=&FORM_ORDER/>
            <ActionForm action=action attr:class="mt-6 grid gap-4 rounded-2xl bg-white p-6 shadow-sm md:grid-cols-2" attr:novalidate="true">
                <input type="hidden" name="id" value=id.map(|i| i.to_string()).unwrap_or_default()/>
                <div class="md:col-span-2">
                    <TextField name="title" label="Title" value=field("title", stored.title.clone()) error=feedback.error("title")/>
                </div>
                <TextField name="date" label="Date" kind="date" value=field("date", stored.date.clone()) error=feedback.error("date")/>
                <TextField name="time" label="Start time" kind="time" value=field("time", stored.time.clone()) error=feedback.error("time") hint="In the business's time zone"/>
                <TextField name="duration" label="Length (minutes)" inputmode="numeric" value=field("duration", stored.duration.clone()) error=feedback.error("duration")/>
                <TextField name="capacity" label="Places" inputmode="numeric" value=field("capacity", stored.capacity.clone()) error=feedback.error("capacity")/>
                <div class="md:col-span-2">
                    <TextField name="location" label="Place" value=field("location", stored.location.clone()) error=feedback.error("location")/>
                </div>
                <TextField name="price" label="Price" inputmode="decimal" value=field("price", stored.price.clone()) error=feedback.error("price") hint="For example 45 or 45.50"/>
                <TextField name="currency" label="Currency" value=field("currency", stored.currency.clone()) error=feedback.error("currency")/>
                <div class="md:col-span-2">
                    <TextField name="coach" label="Coach's name" required=false value=field("coach", stored.coach.clone()) error=feedback.error("coach")/>
                </div>
                <TextField name="min_age" label="Youngest age" required=false inputmode="numeric" value=field("min_age", stored.min_age.clone()) error=feedback.error("min_age") hint=format!("{MIN_AGE} to {MAX_AGE}; the booking form refuses other ages")/>
                <TextField name="max_age" label="Oldest age" required=false inputmode="numeric" value=field("max_age", stored.max_age.clone()) error=feedback.error("max_age") hint=format!("{MIN_AGE} to {MAX_AGE}; the booking form refuses other ages")/>
                <div class="md:col-span-2">
                    <DescriptionField value=field("description", stored.description.clone()) error=feedback.error("description")/>
                </div>
                <div class="flex gap-3 md:col-span-2">
                    <button type="submit" class=BUTTON_CLASS disabled=move || action.pending().get()>"Save"</button>
                    <a href="/admin/sessions" class=SECONDARY_BUTTON_CLASS>"Back"</a>
                </div>
            </ActionForm>
        </section>
    }
}

/// The session's optional description: what it is about, shown to parents.
#[component]
fn DescriptionField(value: Signal<String>, error: Signal<Option<String>>) -> impl IntoView {
    view! {
        <label for="field-description" class="block font-medium text-slate-800">
            "Description" <span class="font-normal text-slate-500">" (optional)"</span>
        </label>
        <textarea
            id="field-description"
            name="description"
            rows="3"
            maxlength=MAX_DESCRIPTION
            class=INPUT_CLASS
            aria-describedby="field-description-error"
            aria-invalid=move || error.get().is_some().to_string()
            prop:value=move || value.get()
        >{move || value.get()}</textarea>
        <FieldError id="field-description-error" error=error/>
    }
}
