//! The mails the app sent, is sending, or could not send, newest first; a failed one can be
//! sent again. Without an SMTP server (development) every mail stays here, unsent.

use super::layout::LiveVersion;
use crate::components::form::SECONDARY_BUTTON_CLASS;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmailRow {
    pub id: i64,
    pub kind: String,
    pub booking_id: Option<i64>,
    pub recipient: String,
    pub subject: String,
    /// `pending`, `sent` or `failed`.
    pub status: String,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmailsPage {
    pub rows: Vec<EmailRow>,
    pub total: i64,
    /// No SMTP server: mails are kept, not sent.
    pub kept: bool,
}

const PAGE: i64 = 50;

#[server(endpoint = "admin/emails")]
pub async fn emails(status: Option<String>, page: i64) -> Result<EmailsPage, ServerFnError> {
    use crate::state::AppState;
    super::require_admin().await?;
    let state = expect_context::<AppState>();
    let status = status.filter(|s| ["pending", "sent", "failed"].contains(&s.as_str()));
    let (rows, total) =
        crate::db::outbox::list(&state.db, status.as_deref(), PAGE, (page.max(1) - 1) * PAGE)
            .await
            .map_err(super::internal)?;
    let tz = state.settings.timezone;
    Ok(EmailsPage {
        rows: rows
            .into_iter()
            .map(|m| EmailRow {
                id: m.id,
                kind: m.kind.as_str().replace('_', " "),
                booking_id: m.booking_id,
                recipient: m.recipient,
                subject: m.subject.unwrap_or_default(),
                at: domain::schedule::when(m.sent_at.unwrap_or(m.created_at), tz),
                status: m.status,
                attempts: m.attempts,
                last_error: m.last_error,
            })
            .collect(),
        total,
        kept: !state.settings.mail_sending,
    })
}

/// Sends a failed mail again.
#[server(endpoint = "admin/emails/resend")]
pub async fn resend(id: i64) -> Result<(), ServerFnError> {
    use crate::state::AppState;
    super::require_admin().await?;
    let state = expect_context::<AppState>();
    let again = crate::db::outbox::resend(&state.db, id, crate::db::now_ms())
        .await
        .map_err(super::internal)?;
    if !again {
        return Err(crate::state::refuse(
            axum::http::StatusCode::CONFLICT,
            "That mail has not failed.",
        ));
    }
    Ok(())
}

#[component]
pub fn EmailsPage() -> impl IntoView {
    let query = use_query_map();
    let live = use_context::<LiveVersion>().map(|v| v.0);
    let resend = ServerAction::<Resend>::new();
    let status = move || query.read().get("status");
    let page = move || {
        query
            .read()
            .get("page")
            .and_then(|p| p.parse::<i64>().ok())
            .unwrap_or(1)
    };
    let list = Resource::new(
        move || {
            (
                status(),
                page(),
                resend.version().get(),
                live.map(|v| v.get()).unwrap_or(0),
            )
        },
        |(status, page, _, _)| emails(status, page),
    );
    view! {
        <section>
            <h1 class="text-2xl font-bold">"Emails"</h1>
            <nav class="mt-2 flex gap-3 text-sm" aria-label="Filter emails">
                <a href="/admin/emails" class="underline">"All"</a>
                <a href="/admin/emails?status=pending" class="underline">"Waiting"</a>
                <a href="/admin/emails?status=failed" class="underline">"Failed"</a>
                <a href="/admin/emails?status=sent" class="underline">"Sent"</a>
            </nav>
            <Transition fallback=|| view! { <p class="mt-4 text-slate-600">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match list.await {
                        Err(e) => view! { <p class="mt-4 rounded-lg bg-red-50 p-4 text-red-800" role="alert">{crate::error_text(&e)}</p> }.into_any(),
                        Ok(data) => view! {
                            {data.kept.then(|| view! {
                                <p class="mt-3 rounded-lg border border-amber-300 bg-amber-100 p-3 text-amber-900" role="status">
                                    "No SMTP server is configured (SMTP_URL): mails are kept here, not sent."
                                </p>
                            })}
                            <p class="mt-3 text-sm text-slate-600">{format!("{} in all", data.total)}</p>
                            <ul class="mt-2 space-y-2" data-testid="emails">
                                {data.rows.into_iter().map(|m| view! {
                                    <li class="rounded-lg bg-white p-3 text-sm shadow-sm" data-email-status=m.status.clone()>
                                        <div class="flex flex-wrap gap-x-3 text-slate-600">
                                            <span class="font-semibold uppercase">{m.status.clone()}</span>
                                            <span>{m.at.clone()}</span>
                                            <span>{m.kind.clone()}</span>
                                            <span>{format!("to {}", m.recipient)}</span>
                                            {(m.attempts > 0).then(|| view! { <span>{format!("{} tr{}", m.attempts, if m.attempts == 1 { "y" } else { "ies" })}</span> })}
                                        </div>
                                        <p class="mt-1 font-medium">{if m.subject.is_empty() { "(not sent yet)".to_owned() } else { m.subject.clone() }}</p>
                                        {m.last_error.clone().map(|e| view! { <p class="mt-1 text-red-700">{e}</p> })}
                                        <div class="mt-1 flex gap-3">
                                            {m.booking_id.map(|id| view! { <a class="text-indigo-700 underline" href=format!("/admin/bookings/{id}")>"The booking"</a> })}
                                            {(m.status == "failed").then(|| view! {
                                                <ActionForm action=resend>
                                                    <input type="hidden" name="id" value=m.id/>
                                                    <button type="submit" class="text-indigo-700 underline">"Send again"</button>
                                                </ActionForm>
                                            })}
                                        </div>
                                    </li>
                                }).collect_view()}
                            </ul>
                            {(page() * PAGE < data.total).then(|| view! {
                                <a class=SECONDARY_BUTTON_CLASS href=format!("/admin/emails?page={}", page() + 1)>"Older"</a>
                            })}
                        }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}
