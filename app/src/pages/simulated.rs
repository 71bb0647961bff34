//! The simulated checkout page (simulated payment mode only): stands in for Stripe's hosted
//! page. Its buttons post to the server, which delivers correctly signed Stripe events through
//! the real webhook, then sends the parent back as Stripe would.

use crate::components::form::{BUTTON_CLASS, SECONDARY_BUTTON_CLASS};
use crate::error::AppError;
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SimulatedCheckoutView {
    pub session_id: String,
    pub reference: String,
    pub description: String,
    pub amount: String,
    pub email: String,
    pub open: bool,
}

#[server(endpoint = "simulated/checkout")]
pub async fn simulated_checkout(
    session_id: String,
) -> Result<Option<SimulatedCheckoutView>, AppError> {
    use crate::state::AppState;
    use domain::{payable, Money};
    let state = expect_context::<AppState>();
    if !state.settings.simulated_payments {
        return Ok(None);
    }
    let Some(b) = crate::db::bookings::by_checkout_session(&state.db, &session_id).await? else {
        return Ok(None);
    };
    // A family's children paid together: the checkout is for all of them.
    let followers = crate::db::groups::followers_now(&state.db, b.id).await?;
    let total = b.amount + followers.iter().map(|f| f.amount).sum::<i64>();
    let mut description = crate::services::checkout::product_name(&b, state.settings.timezone);
    for follower in &followers {
        description.push_str(&format!(", and {}", follower.athlete_name));
    }
    let open = payable(b.payment_status, b.attendance_status, b.source).is_ok()
        && b.stripe_checkout_expires_at.unwrap_or(0) * 1000 > crate::db::now_ms();
    Ok(Some(SimulatedCheckoutView {
        session_id,
        description,
        amount: Money::new(total, b.currency.clone()).to_string(),
        reference: b.reference,
        email: b.parent_email,
        open,
    }))
}

#[component]
pub fn SimulatedCheckoutPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let session_id = move || params.read().get("session_id").unwrap_or_default();
    let checkout = Resource::new(session_id, simulated_checkout);
    let problem = move || {
        query.read().get("problem").map(|code| match code.as_str() {
            "closed" => "This checkout is closed: it was paid, cancelled or has expired.",
            "unavailable" => {
                "The simulated payment could not be completed just now; please try again."
            }
            _ => "This checkout does not exist.",
        })
    };
    view! {
        <section class="mx-auto max-w-md">
            <p class="rounded-lg bg-amber-100 p-3 text-sm text-amber-900" role="note">
                "Simulated payments: no real money moves. These buttons send the same signed events Stripe would."
            </p>
            {move || problem().map(|m| view! { <p class="mt-4 rounded-lg bg-red-50 p-4 text-red-800" role="alert" data-testid="checkout-refused">{m}</p> })}
            <Suspense fallback=|| view! { <p class="mt-6 text-slate-600">"Loading checkout…"</p> }>
                {move || Suspend::new(async move {
                    match checkout.await {
                        Ok(Some(c)) if c.open => {
                            let action = |outcome: &str| format!("/api/simulated/checkout/{}/{outcome}", c.session_id);
                            view! {
                                <div class="mt-6 rounded-2xl bg-white p-6 shadow-sm">
                                    <h1 class="text-2xl font-bold">"Pay " {c.amount.clone()}</h1>
                                    <p class="mt-2 text-slate-700">{c.description.clone()}</p>
                                    <p class="mt-1 text-sm text-slate-600">"Receipt to " {c.email.clone()}</p>
                                    <div class="mt-6 flex flex-col gap-3">
                                        <form method="post" action=action("pay")>
                                            <button type="submit" class=format!("{BUTTON_CLASS} w-full") data-testid="simulated-pay">"Pay " {c.amount.clone()}</button>
                                        </form>
                                        <form method="post" action=action("delayed")>
                                            <button type="submit" class=format!("{SECONDARY_BUTTON_CLASS} w-full") data-testid="simulated-delayed">"Pay by bank (delayed)"</button>
                                        </form>
                                        <form method="post" action=action("decline")>
                                            <button type="submit" class=format!("{SECONDARY_BUTTON_CLASS} w-full") data-testid="simulated-decline">"Decline the card"</button>
                                        </form>
                                        <a href=format!("/bookings/{}/cancelled", c.reference) class="text-center text-indigo-700 underline">"Back (cancel)"</a>
                                    </div>
                                </div>
                            }.into_any()
                        }
                        Ok(Some(c)) => view! {
                            <div class="mt-6 rounded-2xl bg-white p-6 shadow-sm">
                                <h1 class="text-2xl font-bold">"This checkout is closed"</h1>
                                <a href=format!("/bookings/{}", c.reference) class="mt-4 inline-block text-indigo-700 underline">"Back to the booking"</a>
                            </div>
                        }.into_any(),
                        _ => view! {
                            <h1 class="mt-6 text-2xl font-bold">"Checkout not found"</h1>
                            <a href="/" class="mt-4 inline-block text-indigo-700 underline">"Back to the sessions"</a>
                        }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}
