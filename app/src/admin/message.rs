//! Writing to a session's families (`/admin/sessions/:id/message`): a subject and a text, to
//! every family booked (and, if asked, those waiting), one mail each; below, the messages
//! already sent, by whom and when, with how their mails stand.

use crate::components::form::{
    ErrorSummary, FieldError, FormFeedback, TextField, BUTTON_CLASS, INPUT_CLASS,
    SECONDARY_BUTTON_CLASS,
};
use crate::error::AppError;
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};
use serde::{Deserialize, Serialize};

const FORM_ORDER: [&str; 2] = ["subject", "text"];

/// A message sent, as the page lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SentLine {
    pub subject: String,
    pub text: String,
    pub sent: String,
    pub by: String,
    pub to: String,
    pub state: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessagePage {
    pub session_id: i64,
    pub title: String,
    pub when: String,
    pub sent: Vec<SentLine>,
}

#[server(endpoint = "admin/sessions/messages")]
pub async fn admin_session_messages(id: i64) -> Result<Option<MessagePage>, AppError> {
    use crate::state::AppState;
    use domain::schedule::when;
    crate::access::require_admin().await?;
    let state = expect_context::<AppState>();
    let tz = state.settings.timezone;
    let Some(session) = crate::db::sessions::get(&state.db, id).await? else {
        return Ok(None);
    };
    let sent = crate::db::messages::of_session(&state.db, id)
        .await?
        .into_iter()
        .map(|m| {
            let waiting = m.delivered + m.failed < m.recipients;
            SentLine {
                subject: m.subject,
                text: m.body,
                sent: when(m.created_at, tz),
                by: m.sent_by,
                to: format!(
                    "{} famil{}{}",
                    m.recipients,
                    if m.recipients == 1 { "y" } else { "ies" },
                    if m.include_waitlist == 1 {
                        ", with those waiting"
                    } else {
                        ""
                    }
                ),
                state: format!(
                    "{} delivered{}{}",
                    m.delivered,
                    if m.failed > 0 {
                        format!(", {} failed (see Emails)", m.failed)
                    } else {
                        String::new()
                    },
                    if waiting {
                        ", the rest on their way"
                    } else {
                        ""
                    }
                ),
            }
        })
        .collect();
    Ok(Some(MessagePage {
        session_id: id,
        title: session.title,
        when: when(session.starts_at, tz),
        sent,
    }))
}

/// Writes to the session's families; back to this page, which says to how many.
#[server(endpoint = "admin/sessions/message")]
pub async fn admin_message_session(
    id: i64,
    subject: String,
    text: String,
    include_waitlist: Option<String>,
) -> Result<(), AppError> {
    use crate::state::AppState;
    let admin = crate::access::require_admin().await?;
    let state = expect_context::<AppState>();
    let note = domain::mail::SessionNote::parse(&subject, &text).map_err(AppError::invalid)?;
    let sent = crate::services::messages::send_to_session(
        &state.db,
        id,
        &note,
        include_waitlist.is_some(),
        &admin.email,
    )
    .await?;
    leptos_axum::redirect(&format!(
        "/admin/sessions/{id}/message?sent={}",
        sent.recipients
    ));
    Ok(())
}

#[component]
pub fn SessionMessagePage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|i| i.parse::<i64>().ok())
            .unwrap_or(0)
    };
    let send = ServerAction::<AdminMessageSession>::new();
    let page = Resource::new(
        move || (id(), send.version().get()),
        |(id, _)| admin_session_messages(id),
    );
    let feedback = FormFeedback::new(move || send.value().get());
    let sent = move || query.read().get("sent");
    view! {
        <section class="mx-auto max-w-2xl">
            <h1 class="text-2xl font-bold">"Write to the families"</h1>
            {move || sent().map(|n| view! {
                <p class="mt-4 rounded-lg border border-green-300 bg-green-50 p-3 font-medium text-green-900" role="status" data-testid="message-sent">
                    {format!("Your message is on its way to {n} address{}, one mail each.", if n == "1" { "" } else { "es" })}
                </p>
            })}
            <Transition fallback=|| view! { <p class="mt-4">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match page.await {
                        Ok(Some(p)) => view! {
                            <p class="mt-2 text-slate-700" data-testid="message-session">{format!("{}, {}", p.title, p.when)}</p>
                            <ErrorSummary feedback=feedback order=&FORM_ORDER/>
                            <ActionForm action=send attr:class="mt-6 space-y-4" attr:data-testid="message-form">
                                <input type="hidden" name="id" value=p.session_id/>
                                <TextField name="subject" label="Subject" value=feedback.value("subject") error=feedback.error("subject") hint="For example: Rain: we train in the hall"/>
                                <div>
                                    <label for="field-text" class="block font-medium text-slate-800">"Message"</label>
                                    <textarea id="field-text" name="text" rows="6" maxlength=domain::mail::message_text_max() class=INPUT_CLASS
                                        aria-describedby="field-text-error" aria-invalid=move || feedback.error("text").get().is_some().to_string()
                                        prop:value=move || feedback.value("text").get()>{move || feedback.value("text").get()}</textarea>
                                    <FieldError id="field-text-error" error=feedback.error("text")/>
                                </div>
                                <label class="flex items-center gap-2 text-slate-800">
                                    <input type="checkbox" name="include_waitlist" value="yes" class="h-5 w-5"/>
                                    "Also write to the families on the waitlist"
                                </label>
                                <p class="text-sm text-slate-600">"Each family gets its own mail: no family sees another's address."</p>
                                <div class="flex flex-wrap gap-3">
                                    <button type="submit" class=BUTTON_CLASS disabled=move || send.pending().get() data-testid="send-message">"Send to every family"</button>
                                    <a href=format!("/admin/sessions/{}/roster", p.session_id) class=SECONDARY_BUTTON_CLASS>"Back to the roster"</a>
                                </div>
                            </ActionForm>
                            <h2 class="mt-10 text-xl font-semibold">"Messages sent"</h2>
                            {if p.sent.is_empty() {
                                view! { <p class="mt-2 text-slate-600">"None yet."</p> }.into_any()
                            } else {
                                view! {
                                    <ul class="mt-2 space-y-4" data-testid="messages-sent">
                                        {p.sent.into_iter().map(|m| view! {
                                            <li class="rounded-lg bg-white p-4 shadow-sm">
                                                <p class="font-semibold">{m.subject}</p>
                                                <p class="mt-1 whitespace-pre-line text-slate-700">{m.text}</p>
                                                <p class="mt-2 text-sm text-slate-600">{format!("{} by {}, to {}: {}.", m.sent, m.by, m.to, m.state)}</p>
                                            </li>
                                        }).collect_view()}
                                    </ul>
                                }.into_any()
                            }}
                        }.into_any(),
                        Ok(None) => view! { <p class="mt-4">"Session not found."</p> }.into_any(),
                        Err(e) => view! { <p class="mt-4 rounded-lg bg-red-50 p-4 text-red-800" role="alert">{e.to_string()}</p> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}
