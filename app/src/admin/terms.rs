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
