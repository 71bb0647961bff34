//! A term's page (issue 23): its sessions and their places, its families and how their
//! bookings stand, a child's sessions still to come refunded (the amount shown before it is
//! confirmed), and the whole term cancelled.

use crate::components::form::{FieldError, FormFeedback};
use crate::error::AppError;
use leptos::prelude::*;

/// A term as its page shows it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TermView {
    pub id: i64,
    pub title: String,
    /// "£300.00 per athlete for the whole term; sold only whole" (or the drop-in price).
    pub price: String,
    pub cancelled: bool,
    pub sessions: Vec<TermSession>,
    pub families: Vec<TermFamily>,
}

/// A child booked into the term, its parent, and how its bookings of the term stand.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TermFamily {
    pub athlete_name: String,
    pub parent_name: String,
    pub parent_email: String,
    pub booked: i64,
    pub paid: i64,
    pub refunded: i64,
    /// Its bookings in sessions still to come, and what refunding them gives back ("£166.65").
    pub to_come: i64,
    pub refund_to_come: String,
}

/// One session of a term: when, its places, whether it was cancelled or is past.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TermSession {
    pub id: i64,
    pub when: String,
    pub places_taken: i64,
    pub capacity: i64,
    pub cancelled: bool,
    pub past: bool,
}

#[server(endpoint = "admin/term")]
pub async fn admin_term(id: i64) -> Result<Option<TermView>, AppError> {
    use crate::state::AppState;
    use domain::Money;
    crate::access::require_admin().await?;
    let state = expect_context::<AppState>();
    let Some(term) = crate::db::terms::price_now(&state.db, id).await? else {
        return Ok(None);
    };
    let now = crate::db::now_ms();
    let sessions = crate::db::sessions::of_term(&state.db, id).await?;
    let dropin = match term.dropin_price_amount {
        Some(amount) => format!(
            "a session alone {}",
            Money::new(amount, term.currency.clone())
        ),
        None => "sold only whole".to_owned(),
    };
    Ok(Some(TermView {
        id,
        price: format!(
            "{} per athlete for the whole term; {dropin}",
            Money::new(term.price_amount, term.currency.clone())
        ),
        cancelled: term.cancelled_at.is_some(),
        sessions: sessions
            .into_iter()
            .map(|s| TermSession {
                id: s.id,
                when: domain::schedule::when(s.starts_at, state.settings.timezone),
                places_taken: s.places_taken,
                capacity: s.capacity,
                cancelled: s.cancelled_at.is_some(),
                past: s.starts_at <= now,
            })
            .collect(),
        families: crate::db::terms::families(&state.db, id, now)
            .await?
            .into_iter()
            .map(|f| TermFamily {
                athlete_name: f.athlete_name,
                parent_name: f.parent_name,
                parent_email: f.parent_email,
                booked: f.booked,
                paid: f.paid,
                refunded: f.refunded,
                to_come: f.to_come,
                refund_to_come: Money::new(f.refund_to_come, term.currency.clone()).to_string(),
            })
            .collect(),
        title: term.title,
    }))
}

/// Cancels the term: every session still to come cancelled and each paid booking refunded its
/// share (asked to confirm first), then back to the sessions list, which says what was done.
#[server(endpoint = "admin/terms/cancel")]
pub async fn admin_cancel_term(id: i64, confirm: Option<String>) -> Result<(), AppError> {
    use crate::state::AppState;
    let admin = crate::access::require_admin().await?;
    if confirm.as_deref() != Some("yes") {
        return Err(AppError::field(
            "confirm",
            "Tick the box to confirm: every session to come is cancelled and every family refunded.",
            Default::default(),
        ));
    }
    let state = expect_context::<AppState>();
    let done = crate::services::terms::cancel(&state.db, state.checkout.as_ref(), id, &admin.email)
        .await?;
    let refunds = done.iter().filter(|c| c.refund.is_some()).count();
    crate::components::sessions_notice::set(&state, &format!("cancelled.{}.{refunds}", done.len()));
    leptos_axum::redirect("/admin/sessions");
    Ok(())
}

/// Cancels a child's bookings of the term in sessions still to come and refunds each its
/// share (the amount was on the page; asked to confirm first), then back to the term's page.
#[server(endpoint = "admin/terms/refund-to-come")]
pub async fn admin_refund_to_come(
    id: i64,
    email: String,
    athlete: String,
    confirm: Option<String>,
) -> Result<(), AppError> {
    use crate::state::AppState;
    let admin = crate::access::require_admin().await?;
    if confirm.as_deref() != Some("yes") {
        return Err(AppError::field(
            "confirm_to_come",
            "Tick the box to confirm: these sessions are cancelled for this athlete and refunded.",
            Default::default(),
        ));
    }
    let state = expect_context::<AppState>();
    crate::services::term_families::refund_to_come(
        &state.db,
        state.checkout.as_ref(),
        id,
        &email,
        &athlete,
        &admin.email,
    )
    .await?;
    leptos_axum::redirect(&format!("/admin/terms/{id}"));
    Ok(())
}

#[component]
pub fn TermPage() -> impl IntoView {
    let params = leptos_router::hooks::use_params_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|i| i.parse::<i64>().ok())
            .unwrap_or(0)
    };
    let refund = ServerAction::<AdminRefundToCome>::new();
    let term = Resource::new(
        move || (id(), refund.version().get()),
        |(id, _)| admin_term(id),
    );
    let cancel = ServerAction::<AdminCancelTerm>::new();
    let feedback = FormFeedback::new(move || cancel.value().get());
    let refund_feedback = FormFeedback::new(move || refund.value().get());
    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match term.await {
                    Ok(Some(t)) => view! { <TermDetails term=t cancel=cancel feedback=feedback refund=refund refund_feedback=refund_feedback/> }.into_any(),
                    Ok(None) => view! { <h1 class="text-2xl font-bold">"Term not found"</h1> }.into_any(),
                    Err(e) => view! { <p class="rounded-lg bg-red-50 p-4 text-red-800" role="alert">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn TermDetails(
    term: TermView,
    cancel: ServerAction<AdminCancelTerm>,
    feedback: FormFeedback,
    refund: ServerAction<AdminRefundToCome>,
    refund_feedback: FormFeedback,
) -> impl IntoView {
    let id = term.id;
    let cancelled = term.cancelled;
    let to_come = term
        .sessions
        .iter()
        .filter(|s| !s.cancelled && !s.past)
        .count();
    view! {
        <section class="mx-auto max-w-3xl">
            <h1 class="text-2xl font-bold">{term.title.clone()}</h1>
            <p class="mt-1 text-slate-700">{term.price.clone()}</p>
            {term.cancelled.then(|| view! { <p class="mt-2 inline-block rounded bg-gray-600 px-2 text-white" data-testid="term-cancelled">"Cancelled"</p> })}
            {(!term.cancelled && !term.sessions.iter().any(|s| s.past && !s.cancelled)).then(|| view! {
                <p class="mt-2"><a class="text-indigo-700 underline" href=format!("/admin/terms/{id}/change") data-testid="change-term">"Change places, prices or dates"</a></p>
            })}
            <h2 class="mt-6 text-lg font-semibold">"Sessions"</h2>
            <ul class="mt-2 space-y-2" data-testid="term-sessions">
                {term.sessions.into_iter().map(|s| view! {
                    <li class="flex flex-wrap items-baseline justify-between gap-2 rounded-xl bg-white p-3 shadow-sm" data-session-id=s.id>
                        <span>
                            {s.when.clone()}
                            {s.cancelled.then(|| view! { <span class="ml-2 rounded bg-gray-600 px-1.5 text-xs text-white">"Cancelled"</span> })}
                        </span>
                        <span class="text-sm text-slate-700">{format!("{}/{} places taken", s.places_taken, s.capacity)}</span>
                        <a class="inline-block py-1 text-indigo-700 underline" href=format!("/admin/sessions/{}/roster", s.id)>"Roster"</a>
                    </li>
                }).collect_view()}
            </ul>
            <h2 class="mt-6 text-lg font-semibold">"Families"</h2>
            <FieldError id="field-confirm_to_come-error" error=refund_feedback.error("confirm_to_come")/>
            {if term.families.is_empty() {
                view! { <p class="mt-2 text-slate-600">"No one has booked this term yet."</p> }.into_any()
            } else {
                view! {
                    <ul class="mt-2 space-y-2" data-testid="term-families">
                        {term.families.into_iter().map(|f| view! {
                            <li class="rounded-xl bg-white p-3 shadow-sm">
                                <p class="font-semibold">{f.athlete_name.clone()}</p>
                                <p class="text-sm text-slate-700">{format!("{} <{}>", f.parent_name, f.parent_email)}</p>
                                <p class="text-sm text-slate-700">{format!("{} sessions booked: {} paid, {} refunded", f.booked, f.paid, f.refunded)}</p>
                                {(f.to_come > 0 && !cancelled).then(|| view! {
                                    <ActionForm action=refund attr:class="mt-2 space-y-2 border-t border-slate-100 pt-2" attr:novalidate="true">
                                        <input type="hidden" name="id" value=id.to_string()/>
                                        <input type="hidden" name="email" value=f.parent_email.clone()/>
                                        <input type="hidden" name="athlete" value=f.athlete_name.clone()/>
                                        <label class="flex items-start gap-3 text-sm">
                                            <input name="confirm" type="checkbox" value="yes" class="mt-0.5 h-5 w-5"/>
                                            {format!("Cancel {}'s {} to come and refund {}.", f.athlete_name, if f.to_come == 1 { "session".to_owned() } else { format!("{} sessions", f.to_come) }, f.refund_to_come)}
                                        </label>
                                        <button type="submit" class="rounded-lg border border-red-300 px-3 py-1.5 text-sm font-semibold text-red-800 hover:bg-red-50" data-testid="refund-to-come">
                                            {format!("Refund {}", f.refund_to_come)}
                                        </button>
                                    </ActionForm>
                                })}
                            </li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
            {(!term.cancelled && to_come > 0).then(|| view! {
                <ActionForm action=cancel attr:class="mt-8 space-y-3 rounded-2xl border border-red-200 bg-white p-4" attr:novalidate="true">
                    <h2 class="text-lg font-semibold text-red-900">"Cancel the term"</h2>
                    <input type="hidden" name="id" value=id.to_string()/>
                    <div class="flex items-start gap-3">
                        <input id="field-confirm" name="confirm" type="checkbox" value="yes" class="mt-1 h-5 w-5" aria-describedby="field-confirm-error"/>
                        <label for="field-confirm">{format!("Cancel its {to_come} sessions to come and refund every family what they paid for them.")}</label>
                    </div>
                    <FieldError id="field-confirm-error" error=feedback.error("confirm")/>
                    <button type="submit" class="rounded-lg bg-red-700 px-5 py-2.5 font-semibold text-white hover:bg-red-800" data-testid="cancel-term">"Cancel the term"</button>
                </ActionForm>
            })}
        </section>
    }
}
