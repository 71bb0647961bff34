//! One booking for the admin: its details, Stripe ids, and the payment timeline from the ledger
//! and payment_logs (what Stripe sent, when, what it changed or why it was refused).

use super::layout::LiveVersion;
use crate::components::tag::{AttendanceTag, PaymentTag};
use domain::timeline::TimelineEntry;
use domain::{AttendanceStatus, BookingSource, LogLevel, PaymentStatus};
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use serde::{Deserialize, Serialize};

/// A timeline entry with its time written out in the business's zone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimelineItem {
    pub at: String,
    pub entry: TimelineEntry,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminBookingDetail {
    pub id: i64,
    pub reference: String,
    pub session_title: String,
    pub session_when: String,
    pub location: String,
    pub parent_name: String,
    pub parent_email: String,
    pub parent_phone: Option<String>,
    pub athlete_name: String,
    pub athlete_age: i64,
    pub notes: Option<String>,
    pub source: BookingSource,
    pub amount: String,
    pub amount_paid: Option<String>,
    pub amount_refunded: String,
    pub payment_status: PaymentStatus,
    pub attendance_status: AttendanceStatus,
    pub checkout_session: Option<String>,
    pub payment_intent: Option<String>,
    pub created: String,
    pub timeline: Vec<TimelineItem>,
}

#[server(endpoint = "admin/booking")]
pub async fn admin_booking(id: i64) -> Result<Option<AdminBookingDetail>, ServerFnError> {
    use crate::state::AppState;
    use domain::schedule::when;
    use domain::Money;
    super::require_admin().await?;
    let state = expect_context::<AppState>();
    let tz = state.settings.timezone;
    let Some(b) = crate::db::bookings::by_id(&state.db, id)
        .await
        .map_err(super::internal)?
    else {
        return Ok(None);
    };
    let timeline = crate::db::ledger::timeline(&state.db, id)
        .await
        .map_err(super::internal)?;
    let money = |amount: i64| Money::new(amount, b.currency.clone()).to_string();
    Ok(Some(AdminBookingDetail {
        id: b.id,
        session_when: when(b.session_starts_at, tz),
        amount: money(b.amount),
        amount_paid: b.amount_paid.map(money),
        amount_refunded: money(b.amount_refunded),
        created: when(b.created_at, tz),
        reference: b.reference,
        session_title: b.session_title,
        location: b.session_location,
        parent_name: b.parent_name,
        parent_email: b.parent_email,
        parent_phone: b.parent_phone,
        athlete_name: b.athlete_name,
        athlete_age: b.athlete_age,
        notes: b.notes,
        source: b.source,
        payment_status: b.payment_status,
        attendance_status: b.attendance_status,
        checkout_session: b.stripe_checkout_session_id,
        payment_intent: b.stripe_payment_intent_id,
        timeline: timeline
            .into_iter()
            .map(|entry| TimelineItem {
                at: when(entry.at, tz),
                entry,
            })
            .collect(),
    }))
}

#[component]
pub fn BookingDetailPage() -> impl IntoView {
    let params = use_params_map();
    let live = use_context::<LiveVersion>().map(|v| v.0);
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|i| i.parse::<i64>().ok())
            .unwrap_or(0)
    };
    let detail = Resource::new(
        move || (id(), live.map(|v| v.get()).unwrap_or(0)),
        |(id, _)| admin_booking(id),
    );
    view! {
        <section>
            <a href="/admin" class="text-indigo-700 underline">"← All bookings"</a>
            <Transition fallback=|| view! { <p class="mt-4 text-slate-600">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match detail.await {
                        Err(e) => view! { <p class="mt-4 rounded-lg bg-red-50 p-4 text-red-800" role="alert">{crate::error_text(&e)}</p> }.into_any(),
                        Ok(None) => view! { <h1 class="mt-4 text-2xl font-bold">"Booking not found"</h1> }.into_any(),
                        Ok(Some(b)) => view! { <Detail b=b/> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

fn optional(value: Option<String>) -> String {
    value.unwrap_or_else(|| "—".to_owned())
}

#[component]
fn Detail(b: AdminBookingDetail) -> impl IntoView {
    view! {
        <div class="mt-4 flex flex-wrap items-center gap-3">
            <h1 class="text-2xl font-bold">{format!("{} for {}", b.session_title, b.athlete_name)}</h1>
            <PaymentTag status=b.payment_status/>
            <AttendanceTag status=b.attendance_status/>
        </div>
        <div class="mt-4 grid gap-4 md:grid-cols-2">
            <dl class="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 rounded-xl bg-white p-4 text-sm shadow-sm">
                <dt class="font-medium">"Reference"</dt><dd class="font-mono break-all">{b.reference.clone()}</dd>
                <dt class="font-medium">"Session"</dt><dd>{b.session_when.clone()} ", " {b.location.clone()}</dd>
                <dt class="font-medium">"Parent"</dt><dd>{b.parent_name.clone()} " <" {b.parent_email.clone()} ">"</dd>
                <dt class="font-medium">"Phone"</dt><dd>{optional(b.parent_phone.clone())}</dd>
                <dt class="font-medium">"Athlete"</dt><dd>{b.athlete_name.clone()} ", " {b.athlete_age} " years"</dd>
                <dt class="font-medium">"Notes"</dt><dd>{optional(b.notes.clone())}</dd>
                <dt class="font-medium">"Booked"</dt><dd>{b.created.clone()} " (" {b.source.as_str()} ")"</dd>
            </dl>
            <dl class="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 rounded-xl bg-white p-4 text-sm shadow-sm">
                <dt class="font-medium">"Price"</dt><dd>{b.amount.clone()}</dd>
                <dt class="font-medium">"Paid"</dt><dd>{optional(b.amount_paid.clone())}</dd>
                <dt class="font-medium">"Refunded"</dt><dd>{b.amount_refunded.clone()}</dd>
                <dt class="font-medium">"Checkout Session"</dt><dd class="font-mono break-all">{optional(b.checkout_session.clone())}</dd>
                <dt class="font-medium">"PaymentIntent"</dt><dd class="font-mono break-all">{optional(b.payment_intent.clone())}</dd>
            </dl>
        </div>
        <h2 class="mt-6 text-xl font-semibold">"Payment timeline"</h2>
        {if b.timeline.is_empty() {
            view! { <p class="mt-2 text-slate-600">"Nothing from Stripe yet."</p> }.into_any()
        } else {
            view! {
                <ol class="mt-2 space-y-2" data-testid="timeline">
                    {b.timeline.into_iter().map(|TimelineItem { at, entry: item }| {
                        let tone = match item.level {
                            Some(LogLevel::Error) => "border-red-300",
                            Some(LogLevel::Warning) => "border-amber-300",
                            _ => "border-slate-200",
                        };
                        view! {
                            <li class=format!("rounded-lg border-l-4 bg-white p-3 text-sm shadow-sm {tone}")>
                                <div class="flex flex-wrap gap-x-3 text-slate-600">
                                    <span>{at}</span>
                                    <span class="font-mono">{item.event_type.clone().unwrap_or_default()}</span>
                                    {item.source.map(|s| view! { <span>"via " {s.as_str()}</span> })}
                                    {item.level.map(|l| view! { <span class="font-semibold uppercase">{l.as_str()}</span> })}
                                </div>
                                <p class="mt-1 font-medium">{item.text.clone()}</p>
                                <details class="mt-1">
                                    <summary class="cursor-pointer text-slate-600">{format!("What Stripe sent ({})", item.event_id.clone().unwrap_or_default())}</summary>
                                    <pre class="mt-1 overflow-x-auto rounded bg-slate-50 p-2 text-xs">{item.detail.clone()}</pre>
                                </details>
                            </li>
                        }
                    }).collect_view()}
                </ol>
            }.into_any()
        }}
    }
}
