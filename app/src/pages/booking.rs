//! A parent's own booking, found by its unguessable reference: details, payment state, paying
//! (again), and Stripe's return pages, which read the booking from the database and update
//! themselves until the webhook has landed.

use crate::components::form::{BUTTON_CLASS, SECONDARY_BUTTON_CLASS};
use crate::components::headline::{BannerWords, HeadlineBanner};
use crate::components::reminder_switch::ReminderSwitch;
use crate::components::tag::HeadlineTag;
use crate::components::term_cancel::TermCancelLink;
use crate::error::AppError;
use domain::booking::CancelOffer;
use domain::payment_progress::{Headline, PageFacts, Visit};
use domain::{CheckoutRefusal, PaymentProgress, PaymentStatus};
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
    /// Both statuses, and whether a payment is on its way or may land any moment.
    pub progress: PaymentProgress,
    /// Stripe's words for the last failed payment, when the booking is failed.
    pub failure: Option<String>,
    /// Whether the parent may cancel from this page.
    pub cancellation: CancelOffer,
    /// Where to write when this page cannot help, and who the business is.
    pub contact: String,
    pub business_name: String,
    /// What was refunded, or is on its way back, in words (`None` when nothing).
    pub refund: Option<String>,
    /// A refund was asked for and has not landed yet.
    pub refund_pending: bool,
    /// The coach cancelled the whole session (not the family its booking).
    pub session_cancelled: bool,
    /// How an admin's entry was settled ("Paid outside Stripe", "Free"); `None` online.
    pub settled: Option<String>,
    /// Until when an unpaid online booking holds its place (written out), and whether that
    /// time has passed.
    pub held_until: Option<String>,
    pub hold_over: bool,
    /// Until when the family may change or cancel online (written out), while it may.
    pub changeable_until: Option<String>,
    /// How many sessions it could move to now (counted only while it may change).
    pub move_targets: usize,
    /// Reminders before the session: on or off for the family, and how many hours ahead
    /// (`None`: this site sends none).
    pub reminders: Option<(bool, i64)>,
    /// For a term's booking: cancelling the family's whole term.
    pub term: Option<crate::components::term_cancel::TermCancelOffer>,
}

#[server(endpoint = "bookings/view")]
pub async fn booking_view(reference: String) -> Result<Option<ParentBooking>, AppError> {
    use crate::state::AppState;
    use domain::Money;
    let state = expect_context::<AppState>();
    let Some(booking) = crate::db::bookings::by_reference(&state.db, &reference).await? else {
        return Ok(None);
    };
    let now = crate::db::now_ms();
    let cutoff = domain::booking::cancellation_cutoff(
        state.settings.cancellation_cutoff_ms,
        booking.schedule_changes,
    );
    let cancellation = CancelOffer::of(domain::booking::parent_may_cancel(
        booking.payment_status,
        booking.attendance_status,
        booking.session_starts_at,
        now,
        cutoff,
    ));
    let on_its_way = crate::db::refunds::of_booking(&state.db, booking.id)
        .await?
        .iter()
        .any(|r| r.status.on_its_way());
    let refund = domain::refund::refund_note(
        booking.payment_status,
        booking.amount_paid,
        booking.amount_refunded,
        on_its_way,
        &booking.currency,
    );
    let move_targets = if cancellation == CancelOffer::Open {
        crate::services::moves::options(&state.db, &booking)
            .await?
            .len()
    } else {
        0
    };
    let last_failure = crate::db::payment_logs::last_failure(&state.db, booking.id).await?;
    let failure = (booking.payment_status == PaymentStatus::Failed)
        .then(|| last_failure.as_ref().and_then(|f| f.error_message.clone()))
        .flatten();
    let progress = PaymentProgress {
        payment_status: booking.payment_status,
        attendance_status: booking.attendance_status,
        awaited: PaymentProgress::is_awaited(
            booking.payment_awaited_at,
            last_failure.as_ref().map(|f| f.created_at),
        ),
        in_flight: PaymentProgress::is_in_flight(
            booking.payment_status,
            booking.stripe_checkout_session_id.is_some(),
            booking.stripe_checkout_expires_at,
            now,
        ),
        source: booking.source,
    };
    Ok(Some(ParentBooking {
        when: domain::schedule::when(booking.session_starts_at, state.settings.timezone),
        amount: Money::new(booking.amount, booking.currency.clone()).to_string(),
        reference: booking.reference,
        session_title: booking.session_title,
        location: booking.session_location,
        athlete_name: booking.athlete_name,
        parent_name: booking.parent_name,
        progress,
        failure,
        cancellation,
        contact: state.settings.mail.contact.clone(),
        business_name: state.settings.mail.business_name.clone(),
        refund,
        refund_pending: on_its_way,
        session_cancelled: booking.session_cancelled_at.is_some(),
        settled: (booking.source == domain::BookingSource::Manual)
            .then(|| domain::ManualPayment::label_of(booking.manual_payment.as_deref()).to_owned()),
        held_until: (progress.can_pay() && !progress.awaited)
            .then(|| domain::schedule::when(booking.held_until, state.settings.timezone)),
        hold_over: booking.held_until <= now,
        move_targets,
        term: crate::components::term_cancel::offer(&state, &reference).await?,
        reminders: crate::services::reminders::reminders_on(&state.db, &reference)
            .await?
            .zip(Some(state.settings.reminder_ahead_ms / 3_600_000).filter(|hours| *hours > 0)),
        changeable_until: (cancellation == CancelOffer::Open).then(|| {
            domain::schedule::when(booking.session_starts_at - cutoff, state.settings.timezone)
        }),
    }))
}

/// Cancels the booking (the parent's own, by its reference), before the cut-off; a paid one
/// is refunded in full. Then back to the booking's page.
#[server(endpoint = "bookings/cancel")]
pub async fn cancel_my_booking(reference: String) -> Result<(), AppError> {
    use crate::services::cancellation::cancel_by_parent;
    use crate::state::AppState;
    let state = expect_context::<AppState>();
    cancel_by_parent(
        &state.db,
        state.checkout.as_ref(),
        &state.settings,
        &reference,
    )
    .await?;
    leptos_axum::redirect(&format!("/bookings/{reference}"));
    Ok(())
}

/// Sends the parent to the checkout for this booking: the open session, or a new one.
#[server(endpoint = "bookings/pay")]
pub async fn pay_booking(reference: String) -> Result<(), AppError> {
    use crate::state::AppState;
    let state = expect_context::<AppState>();
    state
        .limit(&format!("booking:{reference}"))
        .map_err(|wait_ms| {
            AppError::too_many(wait_ms, |wait| {
                format!("Too many payment attempts. Please try again in {wait}.")
            })
        })?;
    let url = crate::services::checkout::start_checkout(
        &state.db,
        &state.settings,
        state.checkout.as_ref(),
        &reference,
    )
    .await?;
    leptos_axum::redirect(&url);
    Ok(())
}

/// Asks Stripe about this booking's payment now (the success page does, when the webhook is
/// late); at most once per 10 seconds per booking. True when something was applied.
#[server(endpoint = "bookings/check")]
pub async fn check_payment(reference: String) -> Result<bool, AppError> {
    use crate::services::reconcile::{reconcile_booking, Reconciled};
    use crate::state::AppState;
    use domain::Applied;
    let state = expect_context::<AppState>();
    let Some(booking) = crate::db::bookings::by_reference(&state.db, &reference).await? else {
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
    let pay_action = ServerAction::<PayBooking>::new();

    // While a payment may land, look again every POLL_MS (in the browser only).
    let returned = kind == BookingPageKind::Paid;
    let visit = move || match kind {
        BookingPageKind::Paid => Visit::ReturnedPaid,
        BookingPageKind::Cancelled => Visit::ReturnedUnpaid,
        BookingPageKind::Details if query.read().get("moved").is_some() => Visit::Moved,
        BookingPageKind::Details => Visit::Details,
    };
    let following = move || {
        booking
            .get()
            .and_then(|r| r.ok())
            .flatten()
            .is_some_and(|b| b.progress.follow(returned))
    };
    let (checked, set_checked) = signal(false);
    Effect::new(move |_| {
        if following() {
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
        Some(Err(e)) => Some(e.to_string()),
        _ => None,
    };

    view! {
        <section class="mx-auto max-w-2xl">
            <Transition fallback=|| view! { <p class="text-slate-600">"Loading your booking…"</p> }>
                {move || Suspend::new(async move {
                    match booking.await {
                        Err(e) => view! { <p class="rounded-lg bg-red-50 p-4 text-red-800" role="alert">{e.to_string()}</p> }.into_any(),
                        Ok(None) => {
                            #[cfg(feature = "ssr")]
                            if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
                                response.set_status(axum::http::StatusCode::NOT_FOUND);
                            }
                            view! {
                                <h1 class="text-2xl font-bold">"Booking not found"</h1>
                                <p class="mt-2 text-slate-600">"Check the link you were given. Booking links are private to the family that made them."</p>
                                <p class="mt-2"><a href="/find" class="text-indigo-700 underline">"Find my booking by email"</a></p>
                            }.into_any()
                        }
                        Ok(Some(b)) => {
                            let can_pay = b.progress.offer_payment(returned);
                            let follow = b.progress.follow(returned);
                            let reference = b.reference.clone();
                            view! {
                                // Without JavaScript the page cannot update itself: it reloads.
                                {follow.then(|| view! { <noscript><meta http-equiv="refresh" content="4"/></noscript> })}
                                <HeadlineBanner headline=Headline::of(&b.progress, visit(), b.page_facts()) words=b.banner_words()/>
                                {checkout_message().filter(|_| can_pay).map(|m| view! {
                                    <p class="mt-4 rounded-lg bg-amber-50 p-4 text-amber-900" role="alert" data-testid="checkout-problem">{m}</p>
                                })}
                                <div class="mt-6 rounded-2xl bg-white p-6 shadow-sm">
                                    <div class="flex flex-wrap items-center justify-between gap-2">
                                        <h2 class="text-xl font-semibold">{b.session_title.clone()}</h2>
                                        {Headline::of(&b.progress, visit(), b.page_facts())
                                            .money_tag(&b.progress, b.page_facts())
                                            .map(|word| view! { <HeadlineTag word=word settled=b.settled.clone()/> })}
                                    </div>
                                    <dl class="mt-4 grid grid-cols-[auto_1fr] gap-x-4 gap-y-2 text-slate-700">
                                        <dt class="font-medium">"When"</dt><dd>{b.when.clone()}</dd>
                                        <dt class="font-medium">"Where"</dt><dd>{b.location.clone()}</dd>
                                        <dt class="font-medium">"Athlete"</dt><dd>{b.athlete_name.clone()}</dd>
                                        <dt class="font-medium">"Booked by"</dt><dd>{b.parent_name.clone()}</dd>
                                        <dt class="font-medium">"Price"</dt><dd>{b.amount.clone()}</dd>
                                        <dt class="font-medium">"Reference"</dt><dd class="font-mono text-sm break-all">{b.reference.clone()}</dd>
                                    </dl>
                                    {b.calendar_offered().then(|| view! {
                                        <p class="mt-4">
                                            <a href=format!("/bookings/{}/calendar.ics", b.reference) download="booking.ics" rel="external" class="text-indigo-700 underline" data-testid="add-to-calendar">"Add to calendar"</a>
                                        </p>
                                    })}
                                    {can_pay.then(|| view! {
                                        <ActionForm action=pay_action attr:class="mt-6">
                                            <input type="hidden" name="reference" value=reference.clone()/>
                                            <button type="submit" class=BUTTON_CLASS disabled=move || pay_action.pending().get() data-testid="pay-button">
                                                {if b.progress.payment_status == PaymentStatus::Failed { "Try paying again" } else { "Pay now" }}
                                            </button>
                                        </ActionForm>
                                    })}
                                    {move || pay_error().map(|m| view! {
                                        <p class="mt-3 rounded-lg bg-red-50 p-3 text-red-800" role="alert" data-testid="pay-error">{m}</p>
                                    })}
                                </div>
                                {b.refund.clone().map(|text| view! {
                                    <p class="mt-4 rounded-lg bg-slate-100 p-4 text-slate-800" data-testid="refund-note">{text}</p>
                                })}
                                {match b.cancellation {
                                    CancelOffer::Open => view! {
                                        {b.changeable_until.clone().map(|until| view! {
                                            <p class="mt-4 text-sm text-slate-700" data-testid="changeable-until">
                                                {format!("You can change or cancel this booking online until {until}.")}
                                            </p>
                                        })}
                                        <p class="mt-2 flex flex-wrap gap-x-6 gap-y-2">
                                            {(b.move_targets > 0).then(|| view! {
                                                <a href=format!("/bookings/{}/move", b.reference) class="text-indigo-700 underline" data-testid="move-link">
                                                    {format!("Change session ({} with a free place at this price)", b.move_targets)}
                                                </a>
                                            })}
                                            <a href=format!("/bookings/{}/cancel", b.reference) class="text-red-700 underline" data-testid="cancel-link">"Cancel this booking"</a>
                                        </p>
                                        {b.term.clone().map(|offer| view! { <TermCancelLink offer=offer/> })}
                                        {(b.move_targets == 0).then(|| view! {
                                            <p class="mt-2 text-sm text-slate-600" data-testid="no-move">"No other session at this price has a free place to change to just now."</p>
                                        })}
                                    }.into_any(),
                                    CancelOffer::TooLate { cutoff_hours } => view! {
                                        <p class="mt-4 text-sm text-slate-700" data-testid="cancel-too-late">
                                            {format!("Bookings can be cancelled online up to {cutoff_hours} hours before the session. To cancel now, please write to {}.", b.contact)}
                                        </p>
                                    }.into_any(),
                                    CancelOffer::Closed => ().into_any(),
                                }}
                                {b.reminders.filter(|_| !matches!(b.cancellation, CancelOffer::Closed)).map(|(on, hours)| view! { <ReminderSwitch reference=b.reference.clone() on=on hours=hours/> })}
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

impl ParentBooking {
    /// "Add to calendar" once the place is sure: paid, or settled by an admin; not cancelled.
    fn calendar_offered(&self) -> bool {
        self.progress.settled()
            && self.progress.attendance_status != domain::AttendanceStatus::Cancelled
    }

    fn banner_words(&self) -> BannerWords {
        BannerWords {
            athlete_name: self.athlete_name.clone(),
            session_title: self.session_title.clone(),
            when: self.when.clone(),
            business_name: self.business_name.clone(),
            settled: self.settled.clone(),
            failure: self.failure.clone(),
            held_until: self.held_until.clone(),
        }
    }

    fn page_facts(&self) -> PageFacts {
        PageFacts {
            session_cancelled: self.session_cancelled,
            hold_over: self.hold_over && self.held_until.is_some(),
            refund_on_its_way: self.refund_pending,
        }
    }
}

/// `/bookings/:reference/cancel`: what cancelling does, and the button that does it.
#[component]
pub fn BookingCancelPage() -> impl IntoView {
    let params = use_params_map();
    let reference = move || params.read().get("reference").unwrap_or_default();
    let cancel = ServerAction::<CancelMyBooking>::new();
    // Read again after a refused cancellation: if it can no longer be cancelled here, the page
    // says whom to write to.
    let booking = Resource::new(
        move || (reference(), cancel.version().get()),
        |(reference, _)| booking_view(reference),
    );
    let problem = move || match cancel.value().get() {
        Some(Err(e)) => Some(e.to_string()),
        _ => None,
    };
    view! {
        <section class="mx-auto max-w-2xl">
            <Suspense fallback=|| view! { <p class="text-slate-600">"Loading your booking…"</p> }>
                {move || Suspend::new(async move {
                    match booking.await {
                        Ok(Some(b)) if b.cancellation == CancelOffer::Open => {
                            let paid = b.progress.payment_status == PaymentStatus::Paid;
                            view! {
                                <h1 class="text-2xl font-bold">"Cancel this booking?"</h1>
                                <p class="mt-3 text-slate-700">
                                    {format!("{} – {}, for {}.", b.session_title, b.when, b.athlete_name)}
                                </p>
                                <p class="mt-3 text-slate-700">
                                    {if paid {
                                        format!("The place is released at once and the {} you paid is refunded in full to your card.", b.amount)
                                    } else {
                                        "The place is released at once. Nothing was charged.".to_owned()
                                    }}
                                </p>
                                <ActionForm action=cancel attr:class="mt-6 flex flex-wrap gap-3">
                                    <input type="hidden" name="reference" value=b.reference.clone()/>
                                    <button type="submit" class="inline-flex items-center justify-center rounded-lg bg-red-700 px-5 py-2.5 font-semibold text-white hover:bg-red-800 focus:outline-none focus-visible:ring-2 focus-visible:ring-red-500 focus-visible:ring-offset-2 disabled:opacity-60" disabled=move || cancel.pending().get() data-testid="confirm-cancel">
                                        "Yes, cancel my booking"
                                    </button>
                                    <a href=format!("/bookings/{}", b.reference) class=SECONDARY_BUTTON_CLASS>"No, keep it"</a>
                                </ActionForm>
                            }.into_any()
                        }
                        Ok(Some(b)) => view! {
                            <h1 class="text-2xl font-bold">"This booking cannot be cancelled here"</h1>
                            <p class="mt-3 text-slate-700">{format!("Please write to {}.", b.contact)}</p>
                            <a href=format!("/bookings/{}", b.reference) class="mt-4 inline-block text-indigo-700 underline">"Back to the booking"</a>
                        }.into_any(),
                        _ => view! { <h1 class="text-2xl font-bold">"Booking not found"</h1> }.into_any(),
                    }
                })}
            </Suspense>
            {move || problem().map(|m| view! { <p class="mt-4 rounded-lg bg-red-50 p-4 text-red-800" role="alert">{m}</p> })}
        </section>
    }
}
