//! A new term (issue 23): a block of weekly sessions made at once, each at the same local time
//! in the business's time zone.

use crate::components::form::{
    ErrorSummary, FormFeedback, TextField, BUTTON_CLASS, SECONDARY_BUTTON_CLASS,
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

/// A term as its change form starts: its title, and its places and prices as they stand.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TermChangeStart {
    pub title: String,
    pub fields: domain::term_change::TermChangeFields,
    /// Its first session has started, or it was cancelled: no longer changed here.
    pub closed: bool,
}

#[server(endpoint = "admin/terms/change-start")]
pub async fn admin_term_change_start(id: i64) -> Result<Option<TermChangeStart>, AppError> {
    use crate::state::AppState;
    use domain::Money;
    crate::access::require_admin().await?;
    let state = expect_context::<AppState>();
    let Some(term) = crate::db::terms::price_now(&state.db, id).await? else {
        return Ok(None);
    };
    let sessions = crate::db::sessions::of_term(&state.db, id).await?;
    let standing: Vec<_> = sessions
        .iter()
        .filter(|s| s.cancelled_at.is_none())
        .collect();
    let now = crate::db::now_ms();
    Ok(Some(TermChangeStart {
        closed: term.cancelled_at.is_some() || standing.iter().any(|s| s.starts_at <= now),
        fields: domain::term_change::TermChangeFields {
            capacity: standing
                .first()
                .map(|s| s.capacity.to_string())
                .unwrap_or_default(),
            price: Money::format_major(term.price_amount, &term.currency),
            dropin_price: term
                .dropin_price_amount
                .map(|amount| Money::format_major(amount, &term.currency))
                .unwrap_or_default(),
            skip: String::new(),
        },
        title: term.title,
    }))
}

/// Changes the term (before it starts), then back to its page.
#[server(endpoint = "admin/terms/change")]
pub async fn admin_change_term(
    id: i64,
    capacity: String,
    price: String,
    dropin_price: Option<String>,
    skip: Option<String>,
) -> Result<(), AppError> {
    use crate::services::terms::ChangeError;
    use crate::state::AppState;
    let admin = crate::access::require_admin().await?;
    let state = expect_context::<AppState>();
    let fields = domain::term_change::TermChangeFields {
        capacity,
        price,
        dropin_price: dropin_price.unwrap_or_default(),
        skip: skip.unwrap_or_default(),
    };
    match crate::services::terms::change(
        &state.db,
        state.checkout.as_ref(),
        id,
        &fields,
        state.settings.timezone,
        &admin.email,
    )
    .await
    {
        Ok(_) => {}
        Err(ChangeError::Invalid(errors)) => return Err(AppError::invalid(errors)),
        Err(ChangeError::Cancel(error)) => return Err(error.into()),
        Err(ChangeError::Database(error)) => return Err(error.into()),
    }
    leptos_axum::redirect(&format!("/admin/terms/{id}"));
    Ok(())
}

/// `/admin/terms/:id/change`: the term's places, prices and dates to drop, before it starts.
#[component]
pub fn ChangeTermPage() -> impl IntoView {
    let params = leptos_router::hooks::use_params_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|i| i.parse::<i64>().ok())
            .unwrap_or(0)
    };
    let start = Resource::new(id, admin_term_change_start);
    let action = ServerAction::<AdminChangeTerm>::new();
    let feedback = FormFeedback::new(move || action.value().get());
    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match start.await {
                    Ok(Some(term)) if !term.closed => {
                        let field = move |name: &'static str, now: String| {
                            let returned = feedback.returned();
                            let value = feedback.value(name);
                            Signal::derive(move || if returned.get() { value.get() } else { now.clone() })
                        };
                        view! {
                            <section class="mx-auto max-w-2xl">
                                <h1 class="text-2xl font-bold">{format!("Change {}", term.title)}</h1>
                                <p class="mt-2 text-slate-700">"New places and prices apply to every session still to come; families who booked keep what they paid. A date dropped cancels its session: each family booked is told and refunded that session's share."</p>
                                <ErrorSummary feedback=feedback order=&domain::term_change::CHANGE_ORDER/>
                                <ActionForm action=action attr:class="mt-6 grid gap-4 rounded-2xl bg-white p-6 shadow-sm md:grid-cols-2" attr:novalidate="true">
                                    <input type="hidden" name="id" value=id().to_string()/>
                                    <TextField name="capacity" label="Places" inputmode="numeric" value=field("capacity", term.fields.capacity.clone()) error=feedback.error("capacity")/>
                                    <TextField name="price" label="Price of the whole term" inputmode="decimal" value=field("price", term.fields.price.clone()) error=feedback.error("price")/>
                                    <div class="md:col-span-2">
                                        <TextField name="dropin_price" label="Drop-in price of one session" required=false inputmode="decimal" value=field("dropin_price", term.fields.dropin_price.clone()) error=feedback.error("dropin_price") hint="Leave empty to sell the sessions only as the term"/>
                                    </div>
                                    <div class="md:col-span-2">
                                        <TextField name="skip" label="Dates to drop" required=false value=field("skip", String::new()) error=feedback.error("skip") hint="YYYY-MM-DD, separated by commas: each cancels that session"/>
                                    </div>
                                    <div class="flex gap-3 md:col-span-2">
                                        <button type="submit" class=BUTTON_CLASS disabled=move || action.pending().get()>"Save the term"</button>
                                        <a href=format!("/admin/terms/{}", id()) class=SECONDARY_BUTTON_CLASS>"Back"</a>
                                    </div>
                                </ActionForm>
                            </section>
                        }.into_any()
                    }
                    Ok(Some(term)) => view! {
                        <h1 class="text-2xl font-bold">{format!("{} can no longer be changed", term.title)}</h1>
                        <p class="mt-2 text-slate-700">"Its first session has started, or it was cancelled: change its sessions one by one."</p>
                    }.into_any(),
                    Ok(None) => view! { <h1 class="text-2xl font-bold">"Term not found"</h1> }.into_any(),
                    Err(e) => view! { <p class="rounded-lg bg-red-50 p-4 text-red-800" role="alert">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}
