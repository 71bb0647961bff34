//! Payment issues: the warnings and failures from payment_logs, grouped when they say the same
//! thing about the same booking, with the booking as it stands now (a failed card later paid
//! shows as paid), each marked resolved by an admin once looked at.

use crate::components::form::SECONDARY_BUTTON_CLASS;
use crate::components::live::LiveVersion;
use crate::components::tag::{AttendanceTag, PaymentTag};
use crate::error::AppError;
use domain::{AttendanceStatus, LogLevel, PaymentStatus};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};

/// The booking an issue is about, as it stands now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssueBooking {
    pub id: i64,
    pub parent_name: String,
    pub athlete_name: String,
    pub session_title: String,
    pub payment_status: PaymentStatus,
    pub attendance_status: AttendanceStatus,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssueRow {
    /// The key the issue is resolved by.
    pub key: i64,
    pub level: LogLevel,
    pub event_type: Option<String>,
    pub message: String,
    pub times: i64,
    pub first: String,
    pub last: String,
    pub booking: Option<IssueBooking>,
    /// Who resolved it and when, in words.
    pub resolved: Option<String>,
}

#[server(endpoint = "admin/issues")]
pub async fn admin_payment_issues(
    resolved: bool,
    page: i64,
) -> Result<(Vec<IssueRow>, i64), AppError> {
    use crate::state::AppState;
    use domain::schedule::when;
    crate::access::require_admin().await?;
    let state = expect_context::<AppState>();
    let tz = state.settings.timezone;
    let (groups, total) = crate::db::payment_logs::issue_groups(&state.db, resolved, page).await?;
    // A booking's statuses as stored: an unknown spelling is an error, never a default.
    fn status<T: std::str::FromStr<Err = domain::UnknownStatus>>(
        stored: Option<String>,
    ) -> Result<T, AppError> {
        stored
            .unwrap_or_default()
            .parse()
            .map_err(|e: domain::UnknownStatus| AppError::internal(e))
    }
    let rows = groups
        .into_iter()
        .map(|g| {
            let booking = match (g.booking_id, g.parent_name) {
                (Some(id), Some(parent_name)) => Some(IssueBooking {
                    id,
                    parent_name,
                    athlete_name: g.athlete_name.unwrap_or_default(),
                    session_title: g.session_title.unwrap_or_default(),
                    payment_status: status(g.payment_status)?,
                    attendance_status: status(g.attendance_status)?,
                }),
                _ => None,
            };
            Ok(IssueRow {
                key: g.last_id,
                level: g.level,
                event_type: g.event_type,
                message: g.message.unwrap_or_default(),
                times: g.times,
                first: when(g.first_at, tz),
                last: when(g.last_at, tz),
                booking,
                resolved: g.resolved_at.map(|at| {
                    format!(
                        "Resolved by {} on {}",
                        g.resolved_by.unwrap_or_else(|| "an admin".into()),
                        when(at, tz)
                    )
                }),
            })
        })
        .collect::<Result<_, AppError>>()?;
    Ok((rows, total))
}

/// Marks an issue resolved: its lines up to `key` (newer ones stay open).
#[server(endpoint = "admin/issues/resolve")]
pub async fn admin_resolve_issue(key: i64) -> Result<(), AppError> {
    use crate::state::AppState;
    let admin = crate::access::require_admin().await?;
    let state = expect_context::<AppState>();
    let resolved = crate::services::issues::resolve(&state.db, key, &admin.email).await?;
    if resolved == 0 {
        return Err(AppError::conflict("That issue was already resolved."));
    }
    tracing::info!(key, lines = resolved, "payment issue resolved");
    Ok(())
}

/// What the current payment status says about a failure that came before it.
fn since(booking: &IssueBooking) -> Option<&'static str> {
    match booking.payment_status {
        PaymentStatus::Paid => Some("Paid since: likely nothing left to do."),
        PaymentStatus::Refunded => Some("Refunded since."),
        _ if booking.attendance_status == AttendanceStatus::Cancelled => {
            Some("The booking was cancelled since.")
        }
        _ => None,
    }
}

#[component]
pub fn IssuesPage() -> impl IntoView {
    let query = use_query_map();
    let live = use_context::<LiveVersion>().map(|v| v.0);
    let resolve = ServerAction::<AdminResolveIssue>::new();
    let page = move || {
        query
            .read()
            .get("page")
            .and_then(|p| p.parse::<i64>().ok())
            .filter(|p| *p >= 1)
            .unwrap_or(1)
    };
    let showing_resolved = move || query.read().get("show").as_deref() == Some("resolved");
    let issues = Resource::new(
        move || {
            (
                showing_resolved(),
                page(),
                live.map(|v| v.get()).unwrap_or(0),
                resolve.version().get(),
            )
        },
        |(resolved, page, _, _)| admin_payment_issues(resolved, page),
    );
    let tab = |active: bool| {
        if active {
            "rounded-lg bg-indigo-700 px-3 py-1.5 font-semibold text-white"
        } else {
            "rounded-lg px-3 py-1.5 font-semibold text-indigo-800 underline"
        }
    };
    view! {
        <section>
            <h1 class="text-2xl font-bold">"Payment issues"</h1>
            <p class="mt-1 text-slate-600">"Failed payments, refused transitions and events that named no known booking. Repeats about the same booking are counted once; mark an issue resolved once it is dealt with."</p>
            <nav class="mt-3 flex gap-2" aria-label="Issues shown">
                <a href="/admin/issues" class=move || tab(!showing_resolved()) aria-current=move || (!showing_resolved()).then_some("page")>"Open"</a>
                <a href="/admin/issues?show=resolved" class=move || tab(showing_resolved()) aria-current=move || showing_resolved().then_some("page")>"Resolved"</a>
            </nav>
            {move || resolve.value().get().and_then(|r| r.err()).map(|e| view! {
                <p class="mt-3 rounded-lg bg-red-50 p-3 text-red-800" role="alert">{e.to_string()}</p>
            })}
            <Transition fallback=|| view! { <p class="mt-4 text-slate-600">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match issues.await {
                        Err(e) => view! { <p class="mt-4 rounded-lg bg-red-50 p-4 text-red-800" role="alert">{e.to_string()}</p> }.into_any(),
                        Ok((rows, total)) => {
                            let current = page();
                            let more = current * domain::filter::PAGE_SIZE < total;
                            let base = if showing_resolved() { "/admin/issues?show=resolved&" } else { "/admin/issues?" };
                            let noun = if total == 1 { "issue" } else { "issues" };
                            view! {
                                <p class="mt-3 text-sm text-slate-600" data-testid="issues-total">{format!("{total} {noun}")}</p>
                                <ul class="mt-2 space-y-2" data-testid="issues">
                                    {rows.into_iter().map(|i| view! { <Issue issue=i resolve=resolve/> }).collect_view()}
                                </ul>
                                <nav class="mt-3 flex gap-3" aria-label="Pages">
                                    {(current > 1).then(|| view! { <a class=SECONDARY_BUTTON_CLASS href=format!("{base}page={}", current - 1)>"Newer"</a> })}
                                    {more.then(|| view! { <a class=SECONDARY_BUTTON_CLASS href=format!("{base}page={}", current + 1)>"Older"</a> })}
                                </nav>
                            }.into_any()
                        }
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn Issue(issue: IssueRow, resolve: ServerAction<AdminResolveIssue>) -> impl IntoView {
    let level_class = if issue.level == LogLevel::Error {
        "font-semibold text-red-800 uppercase"
    } else {
        "font-semibold text-amber-800 uppercase"
    };
    let times = if issue.times == 1 {
        format!("Once, {}", issue.last)
    } else {
        format!("{} times, {} to {}", issue.times, issue.first, issue.last)
    };
    let open = issue.resolved.is_none();
    view! {
        <li class="rounded-lg bg-white p-3 text-sm shadow-sm" data-testid="issue">
            <div class="flex flex-wrap items-center gap-x-3 gap-y-1 text-slate-700">
                <span class=level_class>{issue.level.as_str()}</span>
                {(issue.times > 1).then(|| view! {
                    <span class="rounded-full bg-slate-200 px-2 py-0.5 text-xs font-semibold text-slate-900" data-testid="issue-times">{format!("×{}", issue.times)}</span>
                })}
                <span>{times}</span>
                <span class="font-mono">{issue.event_type.clone().unwrap_or_default()}</span>
            </div>
            <p class="mt-1 font-medium">{issue.message.clone()}</p>
            {match issue.booking.clone() {
                Some(b) => view! {
                    <div class="mt-2 flex flex-wrap items-center gap-2" data-testid="issue-booking">
                        <a class="text-indigo-700 underline" href=format!("/admin/bookings/{}", b.id)>
                            {format!("{} for {} · {}", b.parent_name, b.athlete_name, b.session_title)}
                        </a>
                        <PaymentTag status=b.payment_status/>
                        <AttendanceTag status=b.attendance_status/>
                        {since(&b).map(|note| view! { <span class="text-slate-700" data-testid="issue-since">{note}</span> })}
                    </div>
                }.into_any(),
                None => view! { <p class="mt-2 text-slate-700">"No booking of ours was named."</p> }.into_any(),
            }}
            {match issue.resolved.clone() {
                Some(text) => view! { <p class="mt-2 text-green-800" data-testid="issue-resolved">{text}</p> }.into_any(),
                None => view! {
                    <ActionForm action=resolve attr:class="mt-2">
                        <input type="hidden" name="key" value=issue.key/>
                        <button type="submit" class=SECONDARY_BUTTON_CLASS data-testid="resolve-issue" disabled=move || !open || resolve.pending().get()>"Mark resolved"</button>
                    </ActionForm>
                }.into_any(),
            }}
        </li>
    }
}
