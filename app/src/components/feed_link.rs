//! Private calendar feeds: the coach's on the admin's sessions page, a family's on its page. A
//! button makes a new secret link (ending the old one) and shows it once, to paste into a
//! calendar app.

use crate::components::form::SECONDARY_BUTTON_CLASS;
use crate::error::AppError;
use leptos::prelude::*;

/// Makes a new feed link (every older one ends); its address.
#[server(endpoint = "admin/calendar-feed")]
pub async fn admin_new_calendar_feed() -> Result<String, AppError> {
    use crate::state::AppState;
    let admin = crate::access::require_admin().await?;
    let state = expect_context::<AppState>();
    Ok(crate::services::feeds::new_link(&state.db, &state.settings, &admin.email).await?)
}

#[component]
pub fn CalendarFeedLink() -> impl IntoView {
    let make = ServerAction::<AdminNewCalendarFeed>::new();
    view! {
        <section class="mt-8 rounded-xl bg-white p-4 shadow-sm" data-testid="calendar-feed">
            <h2 class="text-lg font-semibold">"Calendar feed"</h2>
            <p class="mt-1 text-sm text-slate-700">
                "Subscribe to the upcoming sessions from your calendar app (how many are booked and paid, cancelled ones struck). A new link ends the old one."
            </p>
            <ActionForm action=make attr:class="mt-3">
                <button type="submit" class=SECONDARY_BUTTON_CLASS data-testid="new-feed-link">"Make a new feed link"</button>
            </ActionForm>
            {move || make.value().get().map(|answer| match answer {
                Ok(url) => view! {
                    <p class="mt-3 text-sm">"Your feed (shown once; keep it private):"</p>
                    <p class="mt-1 break-all rounded bg-slate-100 p-2 font-mono text-sm" data-testid="feed-url">{url}</p>
                }.into_any(),
                Err(error) => view! { <p class="mt-3 text-red-800" role="alert">{error.to_string()}</p> }.into_any(),
            })}
        </section>
    }
}

/// Makes a new link to the signed-in family's feed of its bookings (its older one ends).
#[server(endpoint = "family/calendar-feed")]
pub async fn new_family_calendar_feed() -> Result<String, AppError> {
    use crate::state::AppState;
    let family = crate::access::require_family().await?;
    let state = expect_context::<AppState>();
    Ok(crate::services::feeds::new_family_link(&state.db, &state.settings, &family).await?)
}

#[component]
pub fn FamilyFeedLink() -> impl IntoView {
    let make = ServerAction::<NewFamilyCalendarFeed>::new();
    view! {
        <section class="mt-8" aria-labelledby="family-feed-title" data-testid="family-feed">
            <h2 id="family-feed-title" class="text-xl font-semibold">"Your calendar"</h2>
            <p class="mt-1 text-slate-700">"Subscribe to your bookings from your calendar app: a cancelled one is struck. A new link ends the old one."</p>
            <ActionForm action=make attr:class="mt-3">
                <button type="submit" class=SECONDARY_BUTTON_CLASS data-testid="new-family-feed">"Make a calendar link"</button>
            </ActionForm>
            {move || make.value().get().map(|answer| match answer {
                Ok(url) => view! {
                    <p class="mt-3 break-all rounded bg-slate-100 p-2 font-mono text-sm" data-testid="family-feed-url">{url}</p>
                }.into_any(),
                Err(error) => view! { <p class="mt-3 text-red-800" role="alert">{error.to_string()}</p> }.into_any(),
            })}
        </section>
    }
}
