//! A new term (issue 23): a block of weekly sessions made at once, each at the same local time
//! in the business's time zone.

use crate::components::form::{
    ErrorSummary, FieldError, FormFeedback, TextField, BUTTON_CLASS, SECONDARY_BUTTON_CLASS,
};
use crate::error::AppError;
use domain::term::{FORM_ORDER, MAX_SESSIONS};
use leptos::prelude::*;

/// Creates the term and its sessions, then goes back to the sessions list, which says how many
/// were made.
#[server(endpoint = "admin/terms/create")]
#[allow(clippy::too_many_arguments)]
pub async fn admin_create_term(
    title: String,
    first_date: String,
    time: String,
    duration: String,
    weeks: Option<String>,
    last_date: Option<String>,
    skip: Option<String>,
    location: String,
    capacity: String,
    price: String,
    currency: String,
    dropin_price: Option<String>,
) -> Result<(), AppError> {
    use crate::state::AppState;
    use domain::term::TermFields;
    crate::access::require_admin().await?;
    let state = expect_context::<AppState>();
    let fields = TermFields {
        title,
        first_date,
        time,
        duration,
        weeks: weeks.unwrap_or_default(),
        last_date: last_date.unwrap_or_default(),
        skip: skip.unwrap_or_default(),
        location,
        capacity,
        price,
        currency,
        dropin_price: dropin_price.unwrap_or_default(),
    };
    let term = fields
        .parse(state.settings.timezone)
        .map_err(AppError::invalid)?;
    crate::services::terms::create(&state.db, &term).await?;
    crate::components::sessions_notice::set(&state, &format!("term.{}", term.starts.len()));
    leptos_axum::redirect("/admin/sessions");
    Ok(())
}

#[component]
pub fn NewTermPage() -> impl IntoView {
    let action = ServerAction::<AdminCreateTerm>::new();
    let feedback = FormFeedback::new(move || action.value().get());
    let field = move |name: &'static str, default: &'static str| {
        let returned = feedback.returned();
        let value = feedback.value(name);
        Signal::derive(move || {
            if returned.get() {
                value.get()
            } else {
                default.to_owned()
            }
        })
    };
    view! {
        <section class="mx-auto max-w-2xl">
            <h1 class="text-2xl font-bold">"New term"</h1>
            <p class="mt-2 text-slate-700">
                {format!("A session every week on the first date's weekday, at the same local time (a clock change keeps it), up to {MAX_SESSIONS} sessions. Parents book and pay for the whole term at once.")}
            </p>
            <ErrorSummary feedback=feedback order=&FORM_ORDER/>
            <ActionForm action=action attr:class="mt-6 grid gap-4 rounded-2xl bg-white p-6 shadow-sm md:grid-cols-2" attr:novalidate="true">
                <div class="md:col-span-2">
                    <TextField name="title" label="Title" value=field("title", "") error=feedback.error("title") hint="For example: Tuesday sprinters, autumn"/>
                </div>
                <TextField name="first_date" label="First session" kind="date" value=field("first_date", "") error=feedback.error("first_date")/>
                <TextField name="time" label="Start time" kind="time" value=field("time", "") error=feedback.error("time") hint="In the business's time zone"/>
                <TextField name="weeks" label="Weeks" required=false inputmode="numeric" value=field("weeks", "") error=feedback.error("weeks") hint="Or give the last date"/>
                <TextField name="last_date" label="Last session" kind="date" required=false value=field("last_date", "") error=feedback.error("last_date") hint="Or give the weeks"/>
                <div class="md:col-span-2">
                    <TextField name="skip" label="Dates without a session" required=false value=field("skip", "") error=feedback.error("skip") hint="YYYY-MM-DD, separated by commas: half-term, holidays"/>
                </div>
                <TextField name="duration" label="Length (minutes)" inputmode="numeric" value=field("duration", "60") error=feedback.error("duration")/>
                <TextField name="capacity" label="Places" inputmode="numeric" value=field("capacity", "") error=feedback.error("capacity")/>
                <div class="md:col-span-2">
                    <TextField name="location" label="Place" value=field("location", "") error=feedback.error("location")/>
                </div>
                <TextField name="price" label="Price of the whole term" inputmode="decimal" value=field("price", "") error=feedback.error("price") hint="Per athlete, for example 300"/>
                <TextField name="currency" label="Currency" value=field("currency", "USD") error=feedback.error("currency")/>
                <div class="md:col-span-2">
                    <TextField name="dropin_price" label="Drop-in price of one session" required=false inputmode="decimal" value=field("dropin_price", "") error=feedback.error("dropin_price") hint="Leave empty to sell the sessions only as the term"/>
                </div>
                <div class="flex gap-3 md:col-span-2">
                    <button type="submit" class=BUTTON_CLASS disabled=move || action.pending().get()>"Create the term"</button>
                    <a href="/admin/sessions" class=SECONDARY_BUTTON_CLASS>"Back"</a>
                </div>
            </ActionForm>
        </section>
    }
}

/// A term as its page shows it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TermView {
    pub id: i64,
    pub title: String,
    /// "£300.00 per athlete for the whole term; sold only whole" (or the drop-in price).
    pub price: String,
    pub cancelled: bool,
    pub sessions: Vec<TermSession>,
    pub families: Vec<TermFamily>,
}

/// A child booked into the term, its parent, and how its bookings of the term stand.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TermFamily {
    pub athlete_name: String,
    pub parent_name: String,
    pub parent_email: String,
    pub booked: i64,
    pub paid: i64,
    pub refunded: i64,
}

/// One session of a term: when, its places, whether it was cancelled or is past.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TermSession {
    pub id: i64,
    pub when: String,
    pub places_taken: i64,
    pub capacity: i64,
    pub cancelled: bool,
    pub past: bool,
}

#[server(endpoint = "admin/term")]
pub async fn admin_term(id: i64) -> Result<Option<TermView>, AppError> {
    use crate::state::AppState;
    use domain::Money;
    crate::access::require_admin().await?;
    let state = expect_context::<AppState>();
    let Some(term) = crate::db::terms::price_now(&state.db, id).await? else {
        return Ok(None);
    };
    let now = crate::db::now_ms();
    let sessions = crate::db::sessions::of_term(&state.db, id).await?;
    let dropin = match term.dropin_price_amount {
        Some(amount) => format!(
            "a session alone {}",
            Money::new(amount, term.currency.clone())
        ),
        None => "sold only whole".to_owned(),
    };
    Ok(Some(TermView {
        id,
        price: format!(
            "{} per athlete for the whole term; {dropin}",
            Money::new(term.price_amount, term.currency.clone())
        ),
        cancelled: term.cancelled_at.is_some(),
        sessions: sessions
            .into_iter()
            .map(|s| TermSession {
                id: s.id,
                when: domain::schedule::when(s.starts_at, state.settings.timezone),
                places_taken: s.places_taken,
                capacity: s.capacity,
                cancelled: s.cancelled_at.is_some(),
                past: s.starts_at <= now,
            })
            .collect(),
        families: crate::db::terms::families(&state.db, id)
            .await?
            .into_iter()
            .map(|f| TermFamily {
                athlete_name: f.athlete_name,
                parent_name: f.parent_name,
                parent_email: f.parent_email,
                booked: f.booked,
                paid: f.paid,
                refunded: f.refunded,
            })
            .collect(),
        title: term.title,
    }))
}

/// Cancels the term: every session still to come cancelled and each paid booking refunded its
/// share (asked to confirm first), then back to the sessions list, which says what was done.
#[server(endpoint = "admin/terms/cancel")]
pub async fn admin_cancel_term(id: i64, confirm: Option<String>) -> Result<(), AppError> {
    use crate::state::AppState;
    let admin = crate::access::require_admin().await?;
    if confirm.as_deref() != Some("yes") {
        return Err(AppError::field(
            "confirm",
            "Tick the box to confirm: every session to come is cancelled and every family refunded.",
            Default::default(),
        ));
    }
    let state = expect_context::<AppState>();
    let done = crate::services::terms::cancel(&state.db, state.checkout.as_ref(), id, &admin.email)
        .await?;
    let refunds = done.iter().filter(|c| c.refund.is_some()).count();
    crate::components::sessions_notice::set(&state, &format!("cancelled.{}.{refunds}", done.len()));
    leptos_axum::redirect("/admin/sessions");
    Ok(())
}

#[component]
pub fn TermPage() -> impl IntoView {
    let params = leptos_router::hooks::use_params_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|i| i.parse::<i64>().ok())
            .unwrap_or(0)
    };
    let term = Resource::new(id, admin_term);
    let cancel = ServerAction::<AdminCancelTerm>::new();
    let feedback = FormFeedback::new(move || cancel.value().get());
    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match term.await {
                    Ok(Some(t)) => view! { <TermDetails term=t cancel=cancel feedback=feedback/> }.into_any(),
                    Ok(None) => view! { <h1 class="text-2xl font-bold">"Term not found"</h1> }.into_any(),
                    Err(e) => view! { <p class="rounded-lg bg-red-50 p-4 text-red-800" role="alert">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn TermDetails(
    term: TermView,
    cancel: ServerAction<AdminCancelTerm>,
    feedback: FormFeedback,
) -> impl IntoView {
    let id = term.id;
    let to_come = term
        .sessions
        .iter()
        .filter(|s| !s.cancelled && !s.past)
        .count();
    view! {
        <section class="mx-auto max-w-3xl">
            <h1 class="text-2xl font-bold">{term.title.clone()}</h1>
            <p class="mt-1 text-slate-700">{term.price.clone()}</p>
            {term.cancelled.then(|| view! { <p class="mt-2 inline-block rounded bg-gray-600 px-2 text-white" data-testid="term-cancelled">"Cancelled"</p> })}
            <h2 class="mt-6 text-lg font-semibold">"Sessions"</h2>
            <ul class="mt-2 space-y-2" data-testid="term-sessions">
                {term.sessions.into_iter().map(|s| view! {
                    <li class="flex flex-wrap items-baseline justify-between gap-2 rounded-xl bg-white p-3 shadow-sm" data-session-id=s.id>
                        <span>
                            {s.when.clone()}
                            {s.cancelled.then(|| view! { <span class="ml-2 rounded bg-gray-600 px-1.5 text-xs text-white">"Cancelled"</span> })}
                        </span>
                        <span class="text-sm text-slate-700">{format!("{}/{} places taken", s.places_taken, s.capacity)}</span>
                        <a class="inline-block py-1 text-indigo-700 underline" href=format!("/admin/sessions/{}/roster", s.id)>"Roster"</a>
                    </li>
                }).collect_view()}
            </ul>
            <h2 class="mt-6 text-lg font-semibold">"Families"</h2>
            {if term.families.is_empty() {
                view! { <p class="mt-2 text-slate-600">"No one has booked this term yet."</p> }.into_any()
            } else {
                view! {
                    <ul class="mt-2 space-y-2" data-testid="term-families">
                        {term.families.into_iter().map(|f| view! {
                            <li class="rounded-xl bg-white p-3 shadow-sm">
                                <p class="font-semibold">{f.athlete_name.clone()}</p>
                                <p class="text-sm text-slate-700">{format!("{} <{}>", f.parent_name, f.parent_email)}</p>
                                <p class="text-sm text-slate-700">{format!("{} sessions booked: {} paid, {} refunded", f.booked, f.paid, f.refunded)}</p>
                            </li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
            {(!term.cancelled && to_come > 0).then(|| view! {
                <ActionForm action=cancel attr:class="mt-8 space-y-3 rounded-2xl border border-red-200 bg-white p-4" attr:novalidate="true">
                    <h2 class="text-lg font-semibold text-red-900">"Cancel the term"</h2>
                    <input type="hidden" name="id" value=id.to_string()/>
                    <div class="flex items-start gap-3">
                        <input id="field-confirm" name="confirm" type="checkbox" value="yes" class="mt-1 h-5 w-5" aria-describedby="field-confirm-error"/>
                        <label for="field-confirm">{format!("Cancel its {to_come} sessions to come and refund every family what they paid for them.")}</label>
                    </div>
                    <FieldError id="field-confirm-error" error=feedback.error("confirm")/>
                    <button type="submit" class="rounded-lg bg-red-700 px-5 py-2.5 font-semibold text-white hover:bg-red-800" data-testid="cancel-term">"Cancel the term"</button>
                </ActionForm>
            })}
        </section>
    }
}
