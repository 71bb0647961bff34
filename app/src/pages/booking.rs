//! A parent's own booking, found by its unguessable reference: details, payment state, paying
//! (again), and Stripe's return pages, which read the booking from the database and update
//! themselves until the webhook has landed.

use crate::components::form::{BUTTON_CLASS, SECONDARY_BUTTON_CLASS};
use crate::components::tag::PaymentTag;
use domain::{payable, AttendanceStatus, CheckoutRefusal, PaymentStatus};
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};
use serde::{Deserialize, Serialize};

/// What the parent sees of their booking.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParentBooking {
    pub reference: String,
    pub session_title: String,
    pub when: String,
    pub location: String,
    pub athlete_name: String,
    pub parent_name: String,
    pub amount: String,
    pub payment_status: PaymentStatus,
    pub attendance_status: AttendanceStatus,
    /// Stripe's words for the last failed payment, when the booking is failed.
    pub failure: Option<String>,
}

impl ParentBooking {
    pub fn can_pay(&self) -> bool {
        payable(self.payment_status, self.attendance_status).is_ok()
    }
}

#[server(endpoint = "bookings/view")]
pub async fn booking_view(reference: String) -> Result<Option<ParentBooking>, ServerFnError> {
    use crate::state::AppState;
    use domain::Money;
    let state = expect_context::<AppState>();
    let Some(booking) = crate::db::bookings::by_reference(&state.db, &reference)
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "reading a booking");
            ServerFnError::new("The booking could not be loaded; please try again.")
        })?
    else {
        return Ok(None);
    };
    let failure = if booking.payment_status == PaymentStatus::Failed {
        crate::db::payment_logs::last_failure(&state.db, booking.id)
            .await
            .unwrap_or(None)
    } else {
        None
    };
    Ok(Some(ParentBooking {
        when: domain::schedule::when(booking.session_starts_at, state.settings.timezone),
        amount: Money::new(booking.amount, booking.currency.clone()).to_string(),
        reference: booking.reference,
        session_title: booking.session_title,
        location: booking.session_location,
        athlete_name: booking.athlete_name,
        parent_name: booking.parent_name,
        payment_status: booking.payment_status,
        attendance_status: booking.attendance_status,
        failure,
    }))
}

/// Sends the parent to the checkout for this booking: the open session, or a new one.
#[server(endpoint = "bookings/pay")]
pub async fn pay(reference: String) -> Result<(), ServerFnError> {
    use crate::state::{answer_with, request_client, AppState};
    let state = expect_context::<AppState>();
    if let Err(wait_ms) = state
        .limits
        .check(&request_client(), &format!("booking:{reference}"))
    {
        answer_with(
            axum::http::StatusCode::TOO_MANY_REQUESTS,
            Some((wait_ms + 999) / 1000),
        );
        return Err(ServerFnError::new(format!(
            "Too many payment attempts. Please try again in {}.",
            domain::login::wait_text(wait_ms)
        )));
    }
    match crate::services::checkout::start_checkout(
        &state.db,
        &state.settings,
        state.checkout.as_ref(),
        &reference,
    )
    .await
    {
        Ok(url) => {
            leptos_axum::redirect(&url);
            Ok(())
        }
        Err(problem) => Err(ServerFnError::new(problem.refusal().for_parent())),
    }
}

/// Asks Stripe about this booking's payment now (the success page does, when the webhook is
/// late); at most once per 10 seconds per booking. True when something was applied.
#[server(endpoint = "bookings/check")]
pub async fn check_payment(reference: String) -> Result<bool, ServerFnError> {
    use crate::services::reconcile::{reconcile_booking, Reconciled};
    use crate::state::AppState;
    use domain::Applied;
    let state = expect_context::<AppState>();
    let Some(booking) = crate::db::bookings::by_reference(&state.db, &reference)
        .await
        .map_err(|_| ServerFnError::new("The booking could not be loaded."))?
    else {
        return Ok(false);
    };
    match reconcile_booking(&state.db, state.checkout.as_ref(), booking.id, 10_000).await {
        Ok(Reconciled::Applied(Applied::Decided { .. })) => Ok(true),
        Ok(_) => Ok(false),
        Err(error) => {
            tracing::warn!(booking_id = booking.id, %error, "payment check failed");
            Ok(false)
        }
    }
}

/// Which of the booking's pages is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BookingPageKind {
    Details,
    /// Stripe's success_url: confirming until the webhook lands.
    Paid,
    /// Stripe's cancel_url.
    Cancelled,
}

#[component]
pub fn BookingDetailsPage() -> impl IntoView {
    view! { <BookingPage kind=BookingPageKind::Details/> }
}

#[component]
pub fn BookingPaidPage() -> impl IntoView {
    view! { <BookingPage kind=BookingPageKind::Paid/> }
}

#[component]
pub fn BookingCancelledPage() -> impl IntoView {
    view! { <BookingPage kind=BookingPageKind::Cancelled/> }
}

/// How often the success page looks again while the payment is being confirmed.
const POLL_MS: u64 = 1500;
/// After this many looks without the webhook, the page asks for a check against Stripe.
const POLLS_BEFORE_CHECK: u32 = 4;

#[component]
fn BookingPage(kind: BookingPageKind) -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let reference = move || params.read().get("reference").unwrap_or_default();
    let (tick, set_tick) = signal(0u32);
    let booking = Resource::new(
        move || (reference(), tick.get()),
        |(reference, _)| booking_view(reference),
    );
    let pay_action = ServerAction::<Pay>::new();

    // While a payment is being confirmed, look again every POLL_MS (in the browser only).
    let confirming = move || {
        kind == BookingPageKind::Paid
            && booking
                .get()
                .and_then(|r| r.ok())
                .flatten()
                .is_some_and(|b| b.payment_status == PaymentStatus::Unpaid)
    };
    let (checked, set_checked) = signal(false);
    Effect::new(move |_| {
        if confirming() {
            if tick.get() >= POLLS_BEFORE_CHECK && !checked.get_untracked() {
                set_checked.set(true);
                let reference = reference();
                leptos::task::spawn_local(async move {
                    let _ = check_payment(reference).await;
                });
            }
            let handle = set_timeout_with_handle(
                move || set_tick.update(|t| *t += 1),
                std::time::Duration::from_millis(POLL_MS),
            );
            on_cleanup(move || {
                if let Ok(handle) = handle {
                    handle.clear();
                }
            });
        }
    });

    let checkout_message = move || {
        query
            .read()
            .get("checkout")
            .map(|code| CheckoutRefusal::from_code(&code).for_parent())
    };
    let pay_error = move || match pay_action.value().get() {
        Some(Err(e)) => Some(crate::error_text(&e)),
        _ => None,
    };

    view! {
        <section class="mx-auto max-w-2xl">
            <Transition fallback=|| view! { <p class="text-slate-600">"Loading your booking…"</p> }>
                {move || Suspend::new(async move {
                    match booking.await {
                        Err(e) => view! { <p class="rounded-lg bg-red-50 p-4 text-red-800" role="alert">{e.to_string()}</p> }.into_any(),
                        Ok(None) => view! {
                            <h1 class="text-2xl font-bold">"Booking not found"</h1>
                            <p class="mt-2 text-slate-600">"Check the link you were given. Booking links are private to the family that made them."</p>
                        }.into_any(),
                        Ok(Some(b)) => {
                            let can_pay = b.can_pay();
                            let reference = b.reference.clone();
                            view! {
                                <StatusBanner kind=kind booking=b.clone()/>
                                {checkout_message().filter(|_| can_pay).map(|m| view! {
                                    <p class="mt-4 rounded-lg bg-amber-50 p-4 text-amber-900" role="alert" data-testid="checkout-problem">{m}</p>
                                })}
                                <div class="mt-6 rounded-2xl bg-white p-6 shadow-sm">
                                    <div class="flex flex-wrap items-center justify-between gap-2">
                                        <h2 class="text-xl font-semibold">{b.session_title.clone()}</h2>
                                        <PaymentTag status=b.payment_status/>
                                    </div>
                                    <dl class="mt-4 grid grid-cols-[auto_1fr] gap-x-4 gap-y-2 text-slate-700">
                                        <dt class="font-medium">"When"</dt><dd>{b.when.clone()}</dd>
                                        <dt class="font-medium">"Where"</dt><dd>{b.location.clone()}</dd>
                                        <dt class="font-medium">"Athlete"</dt><dd>{b.athlete_name.clone()}</dd>
                                        <dt class="font-medium">"Booked by"</dt><dd>{b.parent_name.clone()}</dd>
                                        <dt class="font-medium">"Price"</dt><dd>{b.amount.clone()}</dd>
                                        <dt class="font-medium">"Reference"</dt><dd class="font-mono text-sm break-all">{b.reference.clone()}</dd>
                                    </dl>
                                    {can_pay.then(|| view! {
                                        <ActionForm action=pay_action attr:class="mt-6">
                                            <input type="hidden" name="reference" value=reference.clone()/>
                                            <button type="submit" class=BUTTON_CLASS disabled=move || pay_action.pending().get() data-testid="pay-button">
                                                {if b.payment_status == PaymentStatus::Failed { "Try paying again" } else { "Pay now" }}
                                            </button>
                                        </ActionForm>
                                    })}
                                    {move || pay_error().map(|m| view! {
                                        <p class="mt-3 rounded-lg bg-red-50 p-3 text-red-800" role="alert" data-testid="pay-error">{m}</p>
                                    })}
                                </div>
                                <p class="mt-4 text-sm text-slate-600">"Keep this page's address: it is your booking's private link."</p>
                            }.into_any()
                        }
                    }
                })}
            </Transition>
            <div class="mt-6">
                <a href="/" class=SECONDARY_BUTTON_CLASS>"All sessions"</a>
            </div>
        </section>
    }
}

#[component]
fn StatusBanner(kind: BookingPageKind, booking: ParentBooking) -> impl IntoView {
    let (tone, title, detail): (&str, String, String) = match (booking.payment_status, kind) {
        (PaymentStatus::Paid, _) => (
            "border-green-300 bg-green-50 text-green-900",
            "Payment received".into(),
            format!("Thank you! {}'s place is confirmed.", booking.athlete_name),
        ),
        (PaymentStatus::Refunded, _) => (
            "border-slate-300 bg-slate-50 text-slate-900",
            "Refunded".into(),
            "This booking was refunded.".into(),
        ),
        (PaymentStatus::Failed, _) => (
            "border-red-300 bg-red-50 text-red-900",
            "Payment failed".into(),
            format!(
                "{} Your booking is saved; you can try again.",
                booking
                    .failure
                    .clone()
                    .unwrap_or_else(|| "The payment did not go through.".into())
            ),
        ),
        (PaymentStatus::Unpaid, BookingPageKind::Paid) => (
            "border-indigo-300 bg-indigo-50 text-indigo-900",
            "Confirming your payment".into(),
            "This usually takes a few seconds. This page updates by itself.".into(),
        ),
        (PaymentStatus::Unpaid, BookingPageKind::Cancelled) => (
            "border-amber-300 bg-amber-50 text-amber-900",
            "Payment cancelled".into(),
            "Nothing was charged. Your booking is saved but unpaid: pay when you are ready.".into(),
        ),
        (PaymentStatus::Unpaid, BookingPageKind::Details) => (
            "border-amber-300 bg-amber-50 text-amber-900",
            "Awaiting payment".into(),
            "Your place is held for a short while; pay now to confirm it.".into(),
        ),
    };
    view! {
        <div class=format!("rounded-2xl border p-5 {tone}") role="status" aria-live="polite" data-testid="payment-banner">
            <h1 class="text-2xl font-bold">{title}</h1>
            <p class="mt-1">{detail}</p>
        </div>
    }
}
