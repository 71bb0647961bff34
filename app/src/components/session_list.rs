//! The public list of upcoming training sessions: the start page shows it, and the booking
//! and waitlist forms choose from it.

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// A session as the public sees it: times in the business's zone, the price in its currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionCard {
    pub id: i64,
    pub title: String,
    pub when: String,
    pub duration_minutes: i64,
    pub location: String,
    pub price: String,
    pub places_left: i64,
    /// What the session is about, the ages it is for ("ages 8 to 12") and its coach, when
    /// the admin gave them.
    pub description: Option<String>,
    pub ages: Option<String>,
    pub coach: Option<String>,
}

#[server(endpoint = "sessions/upcoming")]
pub async fn upcoming_sessions() -> Result<Vec<SessionCard>, AppError> {
    use crate::db::sessions::{list, Listing};
    use crate::state::AppState;
    use domain::Money;
    let state = expect_context::<AppState>();
    let sessions = list(&state.db, Listing::Upcoming, 100).await?;
    Ok(sessions
        .into_iter()
        .map(|s| SessionCard {
            id: s.id,
            when: domain::schedule::when(s.starts_at, state.settings.timezone),
            price: Money::new(s.price_amount, s.currency.clone()).to_string(),
            places_left: s.places_left(),
            ages: s.extra().age_range(),
            description: s.description,
            coach: s.coach,
            title: s.title,
            duration_minutes: s.duration_minutes,
            location: s.location,
        })
        .collect())
}

fn places_text(left: i64) -> String {
    match left {
        0 => "Full".to_owned(),
        1 => "1 place left".to_owned(),
        n => format!("{n} places left"),
    }
}

#[component]
pub fn SessionList() -> impl IntoView {
    let sessions = Resource::new(|| (), |_| upcoming_sessions());
    view! {
        <section aria-labelledby="upcoming-heading" class="mt-10">
            <h2 id="upcoming-heading" class="text-2xl font-bold">"Upcoming sessions"</h2>
            <Suspense fallback=|| view! { <p class="mt-4 text-slate-600">"Loading sessions…"</p> }>
                {move || Suspend::new(async move {
                    match sessions.await {
                        Err(error) => view! {
                            <p class="mt-4 rounded-lg bg-red-50 p-4 text-red-800" role="alert">{error.to_string()}</p>
                        }.into_any(),
                        Ok(list) if list.is_empty() => view! {
                            <p class="mt-4 text-slate-600">"No sessions are open for booking right now. Please check back soon."</p>
                        }.into_any(),
                        Ok(list) => view! {
                            <ul class="mt-4 grid gap-4 md:grid-cols-2" data-testid="session-list">
                                {list.into_iter().map(|s| view! { <SessionItem session=s/> }).collect_view()}
                            </ul>
                        }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

/// "Fully booked" as a status tag, not a button.
const FULL_TAG: &str =
    "inline-flex items-center rounded-full bg-red-100 px-2.5 py-0.5 text-sm font-semibold text-red-900";

/// A session's facts as rows of a `<dl>`: when, where, the price, its places left (`places`),
/// then its ages and coach when it has them. The card and the booking form show the same.
#[component]
pub fn SessionFacts(session: SessionCard, places: bool) -> impl IntoView {
    let full = session.places_left == 0;
    view! {
        <dt class="font-medium">"When"</dt>
        <dd>{session.when.clone()} " (" {session.duration_minutes} " min)"</dd>
        <dt class="font-medium">"Where"</dt>
        <dd>{session.location.clone()}</dd>
        <dt class="font-medium">"Price"</dt>
        <dd>{session.price.clone()}</dd>
        {places.then(|| view! {
            <dt class="font-medium">"Places"</dt>
            <dd class=if full { "font-semibold text-red-700" } else { "" }>{places_text(session.places_left)}</dd>
        })}
        {session.ages.map(|ages| view! {
            <dt class="font-medium">"For"</dt>
            <dd data-testid="session-ages">{ages}</dd>
        })}
        {session.coach.map(|coach| view! {
            <dt class="font-medium">"Coach"</dt>
            <dd data-testid="session-coach">{coach}</dd>
        })}
    }
}

#[component]
fn SessionItem(session: SessionCard) -> impl IntoView {
    let full = session.places_left == 0;
    let href = format!("/book?session={}", session.id);
    view! {
        <li class="flex flex-col rounded-xl border border-slate-200 bg-white p-5 shadow-sm" data-session-id=session.id>
            <h3 class="text-lg font-semibold">{session.title.clone()}</h3>
            <dl class="mt-2 grid grid-cols-[auto_1fr] gap-x-3 gap-y-1 text-sm text-slate-700">
                <SessionFacts session=session.clone() places=true/>
            </dl>
            {session.description.clone().map(|d| view! { <p class="mt-2 whitespace-pre-line text-sm text-slate-700" data-testid="session-description">{d}</p> })}
            <div class="mt-auto flex flex-wrap items-center gap-3 pt-4">
                {if full {
                    view! {
                        <span class=FULL_TAG data-testid="fully-booked">"Fully booked"</span>
                        <a href=format!("/waitlist/join?session={}", session.id) class="text-indigo-700 underline" data-testid="join-waitlist">
                            "Join the waitlist" <span class="sr-only">{format!(" for {}", session.title)}</span>
                        </a>
                    }.into_any()
                } else {
                    view! {
                        <a
                            href=href
                            class="inline-block rounded-lg bg-indigo-600 px-4 py-2 font-semibold text-white hover:bg-indigo-700 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 focus-visible:ring-offset-2"
                        >
                            "Book " <span class="sr-only">{session.title.clone()}</span>
                        </a>
                    }.into_any()
                }}
            </div>
        </li>
    }
}
