//! The mails the app sent, is sending, or could not send, newest first; a failed one can be
//! sent again. Without an SMTP server (development) every mail stays here, unsent.

use crate::components::form::SECONDARY_BUTTON_CLASS;
use crate::components::live::LiveVersion;
use crate::error::AppError;
use domain::MailStatus;
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
    pub status: MailStatus,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub at: String,
    /// What the mail says, written from its stored facts (or why it cannot be written).
    pub said: MailText,
}

/// A mail's words, as the admin reads them on the list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum MailText {
    Written {
        subject: String,
        text: String,
    },
    /// A request for links that found no upcoming booking: no mail is sent.
    Nothing,
    Unwritable(String),
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
pub async fn admin_emails(status: Option<String>, page: i64) -> Result<EmailsPage, AppError> {
    use crate::state::AppState;
    crate::access::require_admin().await?;
    let state = expect_context::<AppState>();
    // An unknown status in the address lists every mail.
    let status = status.and_then(|s| s.parse::<MailStatus>().ok());
    let (rows, total) =
        crate::db::outbox::list(&state.db, status, PAGE, (page.max(1) - 1) * PAGE).await?;
    let tz = state.settings.timezone;
    let mut said = Vec::with_capacity(rows.len());
    for m in &rows {
        use crate::services::mail::{rendered, Unrenderable};
        said.push(
            match rendered(&state.db, &state.settings, &m.as_claimed()).await {
                Ok(mail) => MailText::Written {
                    subject: mail.subject,
                    text: mail.text,
                },
                Err(Unrenderable::NothingToSend) => MailText::Nothing,
                Err(Unrenderable::Database(e)) => return Err(e.into()),
                Err(other) => MailText::Unwritable(other.to_string()),
            },
        );
    }
    Ok(EmailsPage {
        rows: rows
            .into_iter()
            .zip(said)
            .map(|(m, said)| EmailRow {
                said,
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
pub async fn admin_resend_email(id: i64) -> Result<(), AppError> {
    use crate::state::AppState;
    crate::access::require_admin().await?;
    let state = expect_context::<AppState>();
    if !crate::services::mail::resend(&state.db, id).await? {
        return Err(AppError::conflict("That mail has not failed."));
    }
    Ok(())
}

#[component]
pub fn EmailsPage() -> impl IntoView {
    let query = use_query_map();
    let live = use_context::<LiveVersion>().map(|v| v.0);
    let resend = ServerAction::<AdminResendEmail>::new();
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
        |(status, page, _, _)| admin_emails(status, page),
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
                        Err(e) => view! { <p class="mt-4 rounded-lg bg-red-50 p-4 text-red-800" role="alert">{e.to_string()}</p> }.into_any(),
                        Ok(data) => view! {
                            {data.kept.then(|| view! {
                                <p class="mt-3 rounded-lg border border-amber-300 bg-amber-100 p-3 text-amber-900" role="status">
                                    "No SMTP server is configured (SMTP_URL): mails are kept here, not sent."
                                </p>
                            })}
                            <p class="mt-3 text-sm text-slate-600">{format!("{} in all", data.total)}</p>
                            <ul class="mt-2 space-y-2" data-testid="emails">
                                {data.rows.into_iter().map(|m| view! {
                                    <li class="rounded-lg bg-white p-3 text-sm shadow-sm" data-email-status=m.status.as_str()>
                                        <div class="flex flex-wrap gap-x-3 text-slate-600">
                                            <span class="font-semibold uppercase">{m.status.as_str()}</span>
                                            <span>{m.at.clone()}</span>
                                            <span>{m.kind.clone()}</span>
                                            <span>{format!("to {}", m.recipient)}</span>
                                            {(m.attempts > 0).then(|| view! { <span>{format!("{} tr{}", m.attempts, if m.attempts == 1 { "y" } else { "ies" })}</span> })}
                                        </div>
                                        <p class="mt-1 font-medium">{if m.subject.is_empty() { "(not sent yet)".to_owned() } else { m.subject.clone() }}</p>
                                        {m.last_error.clone().map(|e| view! { <p class="mt-1 text-red-700">{e}</p> })}
                                        <MailWords said=m.said.clone()/>
                                        <div class="mt-1 flex gap-3">
                                            {m.booking_id.map(|id| view! { <a class="text-indigo-700 underline" href=format!("/admin/bookings/{id}")>"The booking"</a> })}
                                            {(m.status == MailStatus::Failed).then(|| view! {
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

/// What a mail says, one click away: its subject and its text.
#[component]
fn MailWords(said: MailText) -> impl IntoView {
    let body = match said {
        MailText::Written { subject, text } => view! {
            <p class="font-semibold" data-testid="email-subject">{subject}</p>
            <pre class="mt-1 whitespace-pre-wrap break-words font-sans" data-testid="email-text">{text}</pre>
        }
        .into_any(),
        MailText::Nothing => view! {
            <p>"No upcoming booking for this address when it was written: no mail is sent."</p>
        }
        .into_any(),
        MailText::Unwritable(why) => view! { <p class="text-red-700">{why}</p> }.into_any(),
    };
    view! {
        <details class="mt-1" data-testid="email-words">
            <summary class="cursor-pointer text-indigo-700 underline">"What it says"</summary>
            <div class="mt-1 rounded bg-slate-50 p-2 text-slate-800">
                <p class="text-xs text-slate-600">"Written from the mail's facts, with the booking as it is now."</p>
                {body}
            </div>
        </details>
    }
}
