//! Payment issues: the warnings and failures from payment_logs, newest first, for review.

use super::layout::LiveVersion;
use crate::components::form::SECONDARY_BUTTON_CLASS;
use domain::LogLevel;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssueRow {
    pub booking_id: Option<i64>,
    pub level: LogLevel,
    pub event_id: Option<String>,
    pub event_type: Option<String>,
    pub message: String,
    pub at: String,
}

#[server(endpoint = "admin/issues")]
pub async fn payment_issues(page: i64) -> Result<(Vec<IssueRow>, i64), ServerFnError> {
    use crate::state::AppState;
    super::require_admin().await?;
    let state = expect_context::<AppState>();
    let (issues, total) = crate::db::payment_logs::issues(&state.db, page)
        .await
        .map_err(super::internal)?;
    Ok((
        issues
            .into_iter()
            .map(|i| IssueRow {
                booking_id: i.booking_id,
                level: i.level,
                event_id: i.event_id,
                event_type: i.event_type,
                message: i.message.unwrap_or_default(),
                at: domain::schedule::when(i.created_at, state.settings.timezone),
            })
            .collect(),
        total,
    ))
}

#[component]
pub fn IssuesPage() -> impl IntoView {
    let query = use_query_map();
    let live = use_context::<LiveVersion>().map(|v| v.0);
    let page = move || {
        query
            .read()
            .get("page")
            .and_then(|p| p.parse::<i64>().ok())
            .filter(|p| *p >= 1)
            .unwrap_or(1)
    };
    let issues = Resource::new(
        move || (page(), live.map(|v| v.get()).unwrap_or(0)),
        |(page, _)| payment_issues(page),
    );
    view! {
        <section>
            <h1 class="text-2xl font-bold">"Payment issues"</h1>
            <p class="mt-1 text-slate-600">"Failed payments, refused transitions and events that named no known booking."</p>
            <Transition fallback=|| view! { <p class="mt-4 text-slate-600">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match issues.await {
                        Err(e) => view! { <p class="mt-4 rounded-lg bg-red-50 p-4 text-red-800" role="alert">{crate::error_text(&e)}</p> }.into_any(),
                        Ok((rows, total)) => {
                            let current = page();
                            let more = current * domain::filter::PAGE_SIZE < total;
                            view! {
                                <p class="mt-3 text-sm text-slate-600">{format!("{total} in all")}</p>
                                <ul class="mt-2 space-y-2" data-testid="issues">
                                    {rows.into_iter().map(|i| view! {
                                        <li class="rounded-lg bg-white p-3 text-sm shadow-sm">
                                            <div class="flex flex-wrap gap-x-3 text-slate-600">
                                                <span class=if i.level == LogLevel::Error { "font-semibold text-red-700 uppercase" } else { "font-semibold text-amber-700 uppercase" }>{i.level.as_str()}</span>
                                                <span>{i.at.clone()}</span>
                                                <span class="font-mono">{i.event_type.clone().unwrap_or_default()}</span>
                                                <span class="font-mono">{i.event_id.clone().unwrap_or_default()}</span>
                                            </div>
                                            <p class="mt-1">{i.message.clone()}</p>
                                            {i.booking_id.map(|id| view! { <a class="text-indigo-700 underline" href=format!("/admin/bookings/{id}")>"Open the booking"</a> })}
                                        </li>
                                    }).collect_view()}
                                </ul>
                                <nav class="mt-3 flex gap-3" aria-label="Pages">
                                    {(current > 1).then(|| view! { <a class=SECONDARY_BUTTON_CLASS href=format!("/admin/issues?page={}", current - 1)>"Newer"</a> })}
                                    {more.then(|| view! { <a class=SECONDARY_BUTTON_CLASS href=format!("/admin/issues?page={}", current + 1)>"Older"</a> })}
                                </nav>
                            }.into_any()
                        }
                    }
                })}
            </Transition>
        </section>
    }
}
