//! The top of the admin's start page: today's and tomorrow's sessions with their counts, and
//! attendance left unmarked after a session, live.

use crate::components::live::LiveVersion;
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// A session of today or tomorrow, with its counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayItem {
    pub id: i64,
    pub title: String,
    pub when: String,
    pub location: String,
    pub capacity: i64,
    pub booked: i64,
    pub paid: i64,
    pub present: i64,
    pub waiting: i64,
    pub today: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnmarkedItem {
    pub booking_id: i64,
    pub athlete_name: String,
    pub session_id: i64,
    pub session: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TodayData {
    pub sessions: Vec<DayItem>,
    pub unmarked: Vec<UnmarkedItem>,
}

#[server(endpoint = "admin/today")]
pub async fn admin_today() -> Result<TodayData, AppError> {
    use crate::state::AppState;
    use chrono::{Duration, TimeZone};
    use domain::schedule::when;
    crate::access::require_admin().await?;
    let state = expect_context::<AppState>();
    let tz = state.settings.timezone;
    let now = crate::db::now_ms();
    // Today's midnight in the business's zone, and two days on.
    let local_day = chrono::DateTime::from_timestamp_millis(now)
        .unwrap_or_default()
        .with_timezone(&tz)
        .date_naive();
    let midnight = |day: chrono::NaiveDate| {
        tz.from_local_datetime(&day.and_hms_opt(0, 0, 0).unwrap_or_default())
            .earliest()
            .map(|t| t.timestamp_millis())
            .unwrap_or(now)
    };
    let start = midnight(local_day);
    let tomorrow = midnight(local_day + Duration::days(1));
    let end = midnight(local_day + Duration::days(2));
    let sessions = crate::db::roster::sessions_between(&state.db, start, end, now).await?;
    let unmarked = crate::db::roster::unmarked_after_session(&state.db, now, 20).await?;
    Ok(TodayData {
        sessions: sessions
            .into_iter()
            .map(|s| DayItem {
                id: s.id,
                when: when(s.starts_at, tz),
                today: s.starts_at < tomorrow,
                title: s.title,
                location: s.location,
                capacity: s.capacity,
                booked: s.booked,
                paid: s.paid,
                present: s.present,
                waiting: s.waiting,
            })
            .collect(),
        unmarked: unmarked
            .into_iter()
            .map(|u| UnmarkedItem {
                booking_id: u.id,
                athlete_name: u.athlete_name,
                session_id: u.session_id,
                session: format!("{}, {}", u.session_title, when(u.starts_at, tz)),
            })
            .collect(),
    })
}

/// The top of the admin's start page: today's and tomorrow's sessions, and attendance left
/// unmarked after a session.
#[component]
pub fn TodayPanel() -> impl IntoView {
    let live = use_context::<LiveVersion>().map(|v| v.0);
    let data = Resource::new(
        move || live.map(|v| v.get()).unwrap_or(0),
        |_| admin_today(),
    );
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                data.await.ok().map(|t| view! {
                    <section class="mb-6 rounded-xl bg-white p-4 shadow-sm" aria-labelledby="today-heading" data-testid="today">
                        <h2 id="today-heading" class="text-xl font-bold">"Today and tomorrow"</h2>
                        {if t.sessions.is_empty() {
                            view! { <p class="mt-1 text-slate-700">"No sessions today or tomorrow."</p> }.into_any()
                        } else {
                            view! {
                                <ul class="mt-2 grid gap-2 md:grid-cols-2">
                                    {t.sessions.into_iter().map(|s| view! {
                                        <li class="rounded-lg border border-slate-200 p-3" data-today-session=s.id>
                                            <a class="font-semibold text-indigo-700 underline" href=format!("/admin/sessions/{}/roster", s.id)>
                                                {format!("{}{}", if s.today { "Today: " } else { "Tomorrow: " }, s.title)}
                                            </a>
                                            <p class="text-sm text-slate-700">{format!("{} · {}", s.when, s.location)}</p>
                                            <p class="text-sm text-slate-700">{format!("{}/{} booked · {} paid · {} present{}", s.booked, s.capacity, s.paid, s.present, if s.waiting > 0 { format!(" · {} waiting", s.waiting) } else { String::new() })}</p>
                                        </li>
                                    }).collect_view()}
                                </ul>
                            }.into_any()
                        }}
                        {(!t.unmarked.is_empty()).then(|| view! {
                            <h3 class="mt-4 font-semibold">"Attendance still to mark"</h3>
                            <ul class="mt-1 list-disc pl-5 text-sm" data-testid="unmarked">
                                {t.unmarked.into_iter().map(|u| view! {
                                    <li>
                                        {format!("{} · ", u.athlete_name)}
                                        <a class="text-indigo-700 underline" href=format!("/admin/sessions/{}/roster", u.session_id)>{u.session}</a>
                                    </li>
                                }).collect_view()}
                            </ul>
                        })}
                    </section>
                })
            })}
        </Transition>
    }
}
