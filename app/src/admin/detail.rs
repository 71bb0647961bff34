//! One booking for the admin: its details, Stripe ids, and the payment timeline from the ledger
//! and payment_logs (what Stripe sent, when, what it changed or why it was refused).

use crate::components::family_request::FamilyDataRequest;
use crate::components::live::LiveVersion;
use crate::components::medical::EmergencyDetails;
use crate::components::move_choice::{MoveOption, MoveSelect};
use crate::components::tag::{AttendanceTag, MoneyTag};
use crate::error::AppError;
use domain::timeline::TimelineEntry;
use domain::{AttendanceStatus, BookingSource, LogLevel, PaymentStatus, RefundStatus};
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
    /// How a manual booking was settled, in words.
    pub settled: Option<String>,
    pub amount: String,
    pub amount_paid: Option<String>,
    /// A promotion code's discount and its code (`domain::discount::describe`).
    pub discount: Option<String>,
    pub amount_refunded: String,
    pub payment_status: PaymentStatus,
    pub attendance_status: AttendanceStatus,
    pub checkout_session: Option<String>,
    pub payment_intent: Option<String>,
    pub created: String,
    pub timeline: Vec<TimelineItem>,
    pub refunds: Vec<RefundItem>,
    /// What can still be refunded, in major units for the form (`None`: nothing can).
    pub refundable: Option<String>,
    /// Sessions of the same price with a free place it can move to.
    pub move_options: Vec<MoveOption>,
    pub currency: String,
    /// A family's children paid in one checkout: the other bookings of that payment.
    pub paid_together: Option<String>,
    /// The athlete's emergency details, given with the booking or kept by its family.
    pub emergency: Option<domain::family::Emergency>,
    /// Who opened the athlete's medical notes from this booking, and when.
    pub note_views: Vec<String>,
}

/// A refund asked of Stripe, as the admin sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundItem {
    pub amount: String,
    pub status: RefundStatus,
    pub reason: String,
    pub by: String,
    pub at: String,
    pub failure: Option<String>,
}

#[server(endpoint = "admin/booking")]
pub async fn admin_booking(id: i64) -> Result<Option<AdminBookingDetail>, AppError> {
    use crate::state::AppState;
    use domain::schedule::when;
    use domain::Money;
    crate::access::require_admin().await?;
    let state = expect_context::<AppState>();
    let tz = state.settings.timezone;
    let Some(b) = crate::db::bookings::by_id(&state.db, id).await? else {
        return Ok(None);
    };
    let timeline = crate::db::timeline::of_booking(&state.db, id, tz).await?;
    let refunds = crate::db::refunds::of_booking(&state.db, id).await?;
    let left =
        crate::services::refunds::left_after(&b, refunds.iter().map(|r| (r.status, r.amount)));
    let refundable = domain::refund::refundable(b.payment_status, left)
        .map(|left| Money::format_major(left, &b.currency));
    let money = |amount: i64| Money::new(amount, b.currency.clone()).to_string();
    let move_options = if b.attendance_status == AttendanceStatus::Cancelled
        || b.payment_status == PaymentStatus::Refunded
    {
        Vec::new()
    } else {
        crate::components::move_choice::move_options(&state.db, tz, &b).await?
    };
    let paid_together = {
        let lead = b.paid_with.unwrap_or(b.id);
        let mut others: Vec<String> = crate::db::groups::followers_now(&state.db, lead)
            .await?
            .into_iter()
            .filter(|f| f.id != b.id)
            .map(|f| format!("{} (#{})", f.athlete_name, f.id))
            .collect();
        if b.paid_with.is_some() {
            others.insert(0, format!("booking #{lead}, which holds the payment"));
        }
        (!others.is_empty()).then(|| format!("One payment with {}", others.join(", ")))
    };
    let emergency = crate::services::medical::emergency(&state.db, b.id).await?;
    let note_views = crate::services::medical::views(&state.db, b.id)
        .await?
        .into_iter()
        .map(|(by, at)| format!("{by}, {}", when(at, tz)))
        .collect();
    Ok(Some(AdminBookingDetail {
        emergency,
        note_views,
        paid_together,
        move_options,
        id: b.id,
        session_when: when(b.session_starts_at, tz),
        amount: money(b.amount),
        amount_paid: b.amount_paid.map(money),
        discount: domain::discount::describe(
            b.amount_discount,
            &b.currency,
            b.promotion_code.as_deref(),
            b.promotion_code_id.as_deref(),
        ),
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
        settled: (b.source == BookingSource::Manual)
            .then(|| domain::ManualPayment::label_of(b.manual_payment.as_deref()).to_owned()),
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
        refunds: refunds
            .into_iter()
            .map(|r| RefundItem {
                amount: money(r.amount),
                status: r.status,
                reason: domain::refund::reason_label(&r.reason).to_lowercase(),
                by: domain::Actor::of_spelling(&r.requested_by).describe(),
                at: when(r.created_at, tz),
                failure: r.failure_reason,
            })
            .collect(),
        refundable,
        currency: b.currency.clone(),
    }))
}

#[component]
pub fn BookingDetailPage() -> impl IntoView {
    let live = use_context::<LiveVersion>().map(|v| v.0);
    let params = use_params_map();
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
    provide_context(DetailActions {
        moving: ServerAction::<AdminMoveBooking>::new(),
    });
    view! {
        <section>
            <a href="/admin" class="text-indigo-700 underline">"← All bookings"</a>
            <Transition fallback=|| view! { <p class="mt-4 text-slate-600">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match detail.await {
                        Err(e) => view! { <p class="mt-4 rounded-lg bg-red-50 p-4 text-red-800" role="alert">{e.to_string()}</p> }.into_any(),
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
            <MoneyTag status=b.payment_status settled=b.settled.clone()/>
            <AttendanceTag status=b.attendance_status/>
        </div>
        <div class="mt-4 grid grid-cols-1 gap-4 md:grid-cols-2">
            <dl class="grid grid-cols-[auto_minmax(0,1fr)] break-words gap-x-4 gap-y-1 rounded-xl bg-white p-4 text-sm shadow-sm">
                <dt class="font-medium">"Reference"</dt><dd class="font-mono break-all">{b.reference.clone()}</dd>
                <dt class="font-medium">"Session"</dt><dd>{b.session_when.clone()} ", " {b.location.clone()}</dd>
                <dt class="font-medium">"Parent"</dt><dd>{b.parent_name.clone()} " <" {b.parent_email.clone()} ">"</dd>
                <dt class="font-medium">"Phone"</dt><dd>{optional(b.parent_phone.clone())}</dd>
                <dt class="font-medium">"Athlete"</dt><dd>{b.athlete_name.clone()} ", " {b.athlete_age} " years"</dd>
                <dt class="font-medium">"Notes"</dt><dd>{optional(b.notes.clone())}</dd>
                {b.emergency.clone().map(|emergency| view! {
                    <dt class="font-medium">"Emergency"</dt><dd><EmergencyDetails booking_id=b.id emergency=emergency/></dd>
                })}
                {(!b.note_views.is_empty()).then(|| view! {
                    <dt class="font-medium">"Notes opened"</dt>
                    <dd data-testid="note-views">{b.note_views.join("; ")}</dd>
                })}
                <dt class="font-medium">"Booked"</dt><dd>{b.created.clone()} " (" {b.source.as_str()} ")"</dd>
            </dl>
            <dl class="grid grid-cols-[auto_minmax(0,1fr)] break-words gap-x-4 gap-y-1 rounded-xl bg-white p-4 text-sm shadow-sm">
                <dt class="font-medium">"Price"</dt><dd>{b.amount.clone()}</dd>
                <dt class="font-medium">"Paid"</dt><dd>{optional(b.amount_paid.clone())}</dd>
                {b.discount.clone().map(|text| view! { <dt class="font-medium">"Discount"</dt><dd data-testid="discount">{text}</dd> })}
                {b.paid_together.clone().map(|text| view! { <dt class="font-medium">"Family"</dt><dd data-testid="paid-together">{text}</dd> })}
                <dt class="font-medium">"Refunded"</dt><dd>{b.amount_refunded.clone()}</dd>
                <dt class="font-medium">"Checkout Session"</dt><dd class="font-mono break-all">{optional(b.checkout_session.clone())}</dd>
                <dt class="font-medium">"PaymentIntent"</dt><dd class="font-mono break-all">{optional(b.payment_intent.clone())}</dd>
            </dl>
        </div>
        <Actions b=b.clone()/>
        <h2 class="mt-6 text-xl font-semibold">"Timeline"</h2>
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
                        // The raw event, one click away, only where Stripe sent one.
                        let raw = item.event_id.clone().map(|id| {
                            let kind = item.event_type.clone().unwrap_or_default();
                            let via = item.source.map(|s| format!(" · via {}", s.as_str())).unwrap_or_default();
                            let sent = serde_json::from_str::<serde_json::Value>(&item.detail)
                                .and_then(|v| serde_json::to_string_pretty(&v))
                                .unwrap_or_else(|_| item.detail.clone());
                            view! {
                                <details class="mt-1">
                                    <summary class="cursor-pointer text-slate-600">"What Stripe sent"</summary>
                                    <p class="mt-1 font-mono text-xs break-all text-slate-700" data-testid="raw-event">{format!("{kind} · {id}{via}")}</p>
                                    <pre class="mt-1 overflow-x-auto rounded bg-slate-50 p-2 text-xs">{sent}</pre>
                                </details>
                            }
                        });
                        view! {
                            <li class=format!("rounded-lg border-l-4 bg-white p-3 text-sm shadow-sm {tone}") data-testid="timeline-entry">
                                <p class="text-slate-600">{at}</p>
                                <p class="mt-1 font-medium">{item.text.clone()}</p>
                                {raw}
                            </li>
                        }
                    }).collect_view()}
                </ol>
            }.into_any()
        }}
    }
}

/// Moves a booking to another session of the same price (at any time before it starts).
#[server(endpoint = "admin/bookings/move")]
pub async fn admin_move_booking(id: i64, session: String) -> Result<String, AppError> {
    use crate::services::moves::{move_booking, Mover};
    use crate::state::AppState;
    let admin = crate::access::require_admin().await?;
    let state = expect_context::<AppState>();
    let to = session
        .trim()
        .parse::<i64>()
        .map_err(|_| AppError::unprocessable("Choose a session."))?;
    move_booking(&state.db, id, to, &Mover::Admin(admin.email)).await?;
    Ok("Moved: the parent is emailed the new time.".into())
}

/// The page's actions, made once per page: the detail re-renders on every live update, and
/// what an action answered must outlive that.
#[derive(Clone, Copy)]
struct DetailActions {
    moving: ServerAction<AdminMoveBooking>,
}

/// Refund and cancel, with what was refunded so far.
#[component]
fn Actions(b: AdminBookingDetail) -> impl IntoView {
    let DetailActions { moving } = expect_context::<DetailActions>();
    // What the confirming page did, back here (`?done=`).
    let query = leptos_router::hooks::use_query_map();
    let saved = format!(
        "Booking saved for {} in {}, {}: its place is taken, and nothing is asked of the parent online.",
        b.athlete_name, b.session_title, b.session_when
    );
    let done = move || {
        query.read().get("done").and_then(|done| match done.as_str() {
            "refund" => Some("Refund asked of Stripe: the booking shows it once Stripe confirms, and the parent is mailed then.".to_owned()),
            "cancel" => Some("Booking cancelled: the parent is mailed, and a refund, if one was asked for, shows once Stripe confirms.".to_owned()),
            "saved" => Some(saved.clone()),
            "erased" => Some("The family's data is erased: names, contacts and notes are gone; the payments are kept.".to_owned()),
            _ => None,
        })
    };
    let said = move |value: Option<Result<String, AppError>>| match value {
        Some(Ok(message)) => Some((false, message)),
        Some(Err(e)) => Some((true, e.to_string())),
        None => None,
    };
    let cancellable = b.attendance_status != AttendanceStatus::Cancelled;
    let paid = b.payment_status == PaymentStatus::Paid;
    view! {
        {(!b.refunds.is_empty()).then(|| view! {
            <h2 class="mt-6 text-xl font-semibold">"Refunds"</h2>
            <ul class="mt-2 space-y-1 text-sm" data-testid="refunds">
                {b.refunds.iter().map(|r| {
                    view! {
                        <li class="rounded-lg bg-white p-2 shadow-sm" data-refund-status=r.status.as_str()>
                            {format!("{} · {} · {} · asked by {} on {}", r.amount, r.status.label(), r.reason, r.by, r.at)}
                            {r.failure.clone().map(|f| view! { <span class="ml-2 text-red-700">{f}</span> })}
                        </li>
                    }
                }).collect_view()}
            </ul>
        })}
        <div class="mt-6 flex flex-wrap gap-4">
            // Each goes to a page that says what will happen before it is done.
            {b.refundable.clone().map(|left| view! {
                <form method="get" action=format!("/admin/bookings/{}/confirm", b.id) class="flex flex-wrap items-end gap-2 rounded-xl bg-white p-4 shadow-sm">
                    <input type="hidden" name="action" value="refund"/>
                    <div>
                        <label for="refund-amount" class="block text-sm font-medium">{format!("Amount ({})", b.currency)}</label>
                        <input id="refund-amount" name="amount" inputmode="decimal" class="mt-1 w-28 rounded border border-slate-300 px-2 py-1" placeholder=left.clone() aria-describedby="refund-amount-hint"/>
                        <p id="refund-amount-hint" class="text-xs text-slate-600">{format!("Empty: all of {left}")}</p>
                    </div>
                    <div>
                        <label for="refund-reason" class="block text-sm font-medium">"Reason"</label>
                        <select id="refund-reason" name="reason" class="mt-1 rounded border border-slate-300 px-2 py-1">
                            {domain::refund::REASONS.into_iter().map(|(value, label)| view! { <option value=value>{label}</option> }).collect_view()}
                        </select>
                    </div>
                    <button type="submit" class="rounded-lg border border-slate-300 px-4 py-2 font-semibold hover:bg-slate-100" data-testid="refund-button">"Refund…"</button>
                </form>
            })}
            {cancellable.then(|| view! {
                <form method="get" action=format!("/admin/bookings/{}/confirm", b.id) class="flex flex-wrap items-end gap-2 rounded-xl bg-white p-4 shadow-sm">
                    <input type="hidden" name="action" value="cancel"/>
                    {paid.then(|| view! {
                        <label class="flex items-center gap-2 text-sm">
                            <input type="checkbox" name="refund" value="on" checked=true/>
                            "Refund in full"
                        </label>
                    })}
                    <button type="submit" class="rounded-lg bg-red-700 px-4 py-2 font-semibold text-white hover:bg-red-800" data-testid="cancel-booking">
                        {if paid { "Cancel and refund…" } else { "Cancel booking…" }}
                    </button>
                </form>
            })}
        </div>
        {(!b.move_options.is_empty()).then(|| view! {
            <ActionForm action=moving attr:class="mt-4 flex flex-wrap items-end gap-2 rounded-xl bg-white p-4 shadow-sm">
                <input type="hidden" name="id" value=b.id/>
                <div class="min-w-0 flex-1">
                    <MoveSelect options=b.move_options.clone() label="Move to another session of the same price" label_class="block text-sm font-medium" select_class="mt-1 w-full rounded border border-slate-300 px-2 py-1"/>
                </div>
                <button type="submit" class="rounded-lg border border-slate-300 px-4 py-2 font-semibold hover:bg-slate-100" data-testid="move-button">"Move"</button>
            </ActionForm>
        })}
        {move || said(moving.value().get()).map(|(error, m)| view! {
            <p class=if error { "mt-2 rounded-lg bg-red-50 p-3 text-red-800" } else { "mt-2 rounded-lg bg-green-50 p-3 text-green-900" } role="status" data-testid="move-result">{m}</p>
        })}
        {move || done().map(|m| view! {
            <p class="mt-2 rounded-lg bg-green-50 p-3 text-green-900" role="status" data-testid="money-done">{m}</p>
        })}
        <FamilyDataRequest booking_id=b.id/>
    }
}
