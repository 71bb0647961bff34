//! `/admin/bookings/:id/confirm`: a refund, or a cancellation (with its refund), is never one
//! click. The booking's page sends here what the admin chose; this page says what will happen
//! (how much, back to whom, what the parent is told) and only its button does it.

use crate::components::form::{BUTTON_CLASS, SECONDARY_BUTTON_CLASS};
use crate::error::AppError;
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};
use serde::{Deserialize, Serialize};

/// What a refund or a cancellation will do, in words, before it is confirmed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MoneyPreview {
    pub id: i64,
    pub title: String,
    /// What will happen, one sentence each.
    pub what: Vec<String>,
    /// Why it cannot be done, when it cannot (the page then offers only the way back).
    pub refused: Option<String>,
    /// The confirming button's words.
    pub confirm: String,
}

/// What refunding `amount` (major units; empty: all that is left) for `reason`, or cancelling
/// (`action` = `cancel`, refunding in full when `refund` is sent), will do to booking `id`.
#[server(endpoint = "admin/bookings/preview")]
pub async fn admin_money_preview(
    id: i64,
    action: String,
    amount: Option<String>,
    reason: Option<String>,
    refund: Option<String>,
) -> Result<Option<MoneyPreview>, AppError> {
    use crate::state::AppState;
    use domain::{Money, PaymentStatus};
    crate::access::require_admin().await?;
    let state = expect_context::<AppState>();
    let Some(b) = crate::db::bookings::by_id(&state.db, id).await? else {
        return Ok(None);
    };
    let refunds = crate::db::refunds::of_booking(&state.db, id).await?;
    let left =
        crate::services::refunds::left_after(&b, refunds.iter().map(|r| (r.status, r.amount)));
    let money = |minor: i64| Money::new(minor, b.currency.clone()).to_string();
    let parent = format!("{} <{}>", b.parent_name, b.parent_email);
    let when = domain::schedule::when(b.session_starts_at, state.settings.timezone);
    let preview = match action.as_str() {
        "refund" => {
            let reason = reason.unwrap_or_default();
            let asked = match amount.as_deref().map(str::trim).filter(|a| !a.is_empty()) {
                None => Ok(left),
                Some(text) => Money::parse_major(text, &b.currency)
                    .map_err(|message| format!("Amount: {message}.")),
            };
            let refused = match (domain::refund::refundable(b.payment_status, left), &asked) {
                (None, _) => Some("Nothing can be refunded: the booking is not paid, or all of it is refunded or on its way back.".to_owned()),
                (_, Err(message)) => Some(message.clone()),
                (Some(_), Ok(0)) => Some("The amount must be more than zero.".to_owned()),
                (Some(left), Ok(asked)) if *asked > left => {
                    Some(format!("At most {} can still be refunded.", money(left)))
                }
                _ => None,
            };
            let asked = asked.unwrap_or(0);
            let all = asked == left;
            MoneyPreview {
                id,
                title: format!("Refund {}?", money(asked)),
                what: vec![
                    format!(
                        "{} of the {} paid goes back to the card {} paid with.",
                        money(asked),
                        money(b.amount_paid.unwrap_or(b.amount)),
                        parent
                    ),
                    format!(
                        "Reason given to Stripe: {}.",
                        domain::refund::reason_label(&reason).to_lowercase()
                    ),
                    if all {
                        "Once Stripe confirms it, the booking shows as refunded and the parent is mailed that the refund is on its way (5 to 10 days to reach their account).".to_owned()
                    } else {
                        "Once Stripe confirms it, the booking stays paid with the refunded part shown, and the parent is mailed that the refund is on its way.".to_owned()
                    },
                ],
                refused,
                confirm: format!("Yes, refund {}", money(asked)),
            }
        }
        "cancel" => {
            let refunding = refund.is_some() && b.payment_status == PaymentStatus::Paid && left > 0;
            let mut what = vec![format!(
                "{}'s booking for {} on {when} is cancelled, and the place is free at once.",
                b.athlete_name, b.session_title
            )];
            if refunding {
                what.push(format!(
                    "{} goes back to the card {} paid with.",
                    money(left),
                    parent
                ));
            }
            what.push(if refunding {
                format!(
                    "{parent} is mailed that the booking is cancelled and the refund asked for."
                )
            } else {
                format!("{parent} is mailed that the booking is cancelled.")
            });
            MoneyPreview {
                id,
                title: "Cancel this booking?".into(),
                what,
                refused: (b.attendance_status == domain::AttendanceStatus::Cancelled)
                    .then(|| "This booking is already cancelled.".to_owned()),
                confirm: if refunding {
                    format!("Yes, cancel and refund {}", money(left))
                } else {
                    "Yes, cancel the booking".into()
                },
            }
        }
        _ => {
            return Err(AppError::unprocessable(
                "Choose a refund or a cancellation.",
            ))
        }
    };
    Ok(Some(preview))
}

/// Refunds all that is left of a paid booking, or `amount` (major units) of it, for `reason`;
/// then back to the booking's page.
#[server(endpoint = "admin/bookings/refund")]
pub async fn admin_refund_booking(id: i64, amount: String, reason: String) -> Result<(), AppError> {
    use crate::services::refunds::refund_by_admin;
    use crate::state::AppState;
    use domain::RefundStatus;
    let admin = crate::access::require_admin().await?;
    let state = expect_context::<AppState>();
    let booking = crate::db::bookings::by_id(&state.db, id)
        .await?
        .ok_or_else(|| AppError::not_found("That booking no longer exists."))?;
    let amount = match amount.trim() {
        "" => None,
        text => Some(
            domain::Money::parse_major(text, &booking.currency)
                .map_err(|message| AppError::unprocessable(format!("Amount: {message}.")))?,
        ),
    };
    let refund = refund_by_admin(
        &state.db,
        state.checkout.as_ref(),
        id,
        amount,
        &reason,
        &admin.email,
    )
    .await?;
    if let Some(refund) = refund.filter(|r| r.status == RefundStatus::Failed) {
        return Err(AppError::conflict(format!(
            "Stripe refused the refund: {}",
            refund.failure_reason.unwrap_or_default()
        )));
    }
    leptos_axum::redirect(&format!("/admin/bookings/{id}?done=refund"));
    Ok(())
}

/// Cancels a booking; refunds it in full too when `refund` is sent and it is paid. Then back
/// to the booking's page.
#[server(endpoint = "admin/bookings/cancel")]
pub async fn admin_cancel_booking(id: i64, refund: Option<String>) -> Result<(), AppError> {
    use crate::services::cancellation::cancel_by_admin;
    use crate::state::AppState;
    let admin = crate::access::require_admin().await?;
    let state = expect_context::<AppState>();
    cancel_by_admin(
        &state.db,
        state.checkout.as_ref(),
        id,
        &admin.email,
        refund.is_some(),
    )
    .await?;
    leptos_axum::redirect(&format!("/admin/bookings/{id}?done=cancel"));
    Ok(())
}

#[component]
pub fn ConfirmMoneyPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|i| i.parse::<i64>().ok())
            .unwrap_or(0)
    };
    let asked = move || {
        let q = query.read();
        (
            id(),
            q.get("action").unwrap_or_default(),
            q.get("amount"),
            q.get("reason"),
            q.get("refund"),
        )
    };
    let preview = Resource::new(asked, |(id, action, amount, reason, refund)| {
        admin_money_preview(id, action, amount, reason, refund)
    });
    let refund = ServerAction::<AdminRefundBooking>::new();
    let cancel = ServerAction::<AdminCancelBooking>::new();
    let failed = move || {
        refund
            .value()
            .get()
            .and_then(|r| r.err())
            .or_else(|| cancel.value().get().and_then(|r| r.err()))
            .map(|e| e.to_string())
    };
    view! {
        <section class="mx-auto max-w-2xl">
            <a href=move || format!("/admin/bookings/{}", id()) class="text-indigo-700 underline">"← The booking"</a>
            <Suspense fallback=|| view! { <p class="mt-4 text-slate-600">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match preview.await {
                        Err(e) => view! { <p class="mt-4 rounded-lg bg-red-50 p-4 text-red-800" role="alert">{e.to_string()}</p> }.into_any(),
                        Ok(None) => view! { <h1 class="mt-4 text-2xl font-bold">"Booking not found"</h1> }.into_any(),
                        Ok(Some(p)) => {
                            let (action, amount, reason, with_refund) = {
                                let q = query.read_untracked();
                                (q.get("action").unwrap_or_default(), q.get("amount").unwrap_or_default(), q.get("reason").unwrap_or_default(), q.get("refund").is_some())
                            };
                            let back = format!("/admin/bookings/{}", p.id);
                            view! {
                                <h1 class="mt-4 text-2xl font-bold">{p.title.clone()}</h1>
                                <ul class="mt-4 list-disc space-y-1 pl-5 text-slate-800" data-testid="money-preview">
                                    {p.what.iter().map(|line| view! { <li>{line.clone()}</li> }).collect_view()}
                                </ul>
                                {match p.refused.clone() {
                                    Some(why) => view! {
                                        <p class="mt-4 rounded-lg bg-amber-50 p-4 text-amber-900" role="alert" data-testid="money-refused">{why}</p>
                                        <a href=back class=format!("mt-4 {SECONDARY_BUTTON_CLASS}")>"Back"</a>
                                    }.into_any(),
                                    None if action == "refund" => view! {
                                        <ActionForm action=refund attr:class="mt-6 flex flex-wrap gap-3">
                                            <input type="hidden" name="id" value=p.id/>
                                            <input type="hidden" name="amount" value=amount/>
                                            <input type="hidden" name="reason" value=reason/>
                                            <button type="submit" class=BUTTON_CLASS data-testid="confirm-money" disabled=move || refund.pending().get()>{p.confirm.clone()}</button>
                                            <a href=back class=SECONDARY_BUTTON_CLASS>"No, go back"</a>
                                        </ActionForm>
                                    }.into_any(),
                                    None => view! {
                                        <ActionForm action=cancel attr:class="mt-6 flex flex-wrap gap-3">
                                            <input type="hidden" name="id" value=p.id/>
                                            {with_refund.then(|| view! { <input type="hidden" name="refund" value="on"/> })}
                                            <button type="submit" class="inline-flex items-center justify-center rounded-lg bg-red-700 px-5 py-2.5 font-semibold text-white hover:bg-red-800 focus:outline-none focus-visible:ring-2 focus-visible:ring-red-500 focus-visible:ring-offset-2 disabled:opacity-60" data-testid="confirm-money" disabled=move || cancel.pending().get()>{p.confirm.clone()}</button>
                                            <a href=back class=SECONDARY_BUTTON_CLASS>"No, keep it"</a>
                                        </ActionForm>
                                    }.into_any(),
                                }}
                            }.into_any()
                        }
                    }
                })}
            </Suspense>
            {move || failed().map(|m| view! { <p class="mt-4 rounded-lg bg-red-50 p-4 text-red-800" role="alert">{m}</p> })}
        </section>
    }
}
