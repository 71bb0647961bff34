//! `/terms`: the booking terms the form's checkbox agrees to, with this business's own numbers
//! (how long an unpaid place is held, until when a booking can be changed or cancelled online,
//! how long a waitlist offer lasts, where to write).

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The numbers and names the terms are written with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TermsFacts {
    pub business_name: String,
    pub contact: String,
    pub hold_minutes: i64,
    pub cutoff_hours: i64,
    pub offer_hours: i64,
    /// The business's own waiver, when it set one: its version and words.
    pub waiver: Option<(i64, String)>,
}

#[server(endpoint = "terms")]
pub async fn booking_terms() -> Result<TermsFacts, AppError> {
    use crate::state::AppState;
    let state = expect_context::<AppState>();
    let hour = 3_600_000;
    Ok(TermsFacts {
        business_name: state.settings.mail.business_name.clone(),
        contact: state.settings.mail.contact.clone(),
        hold_minutes: domain::booking::HOLD_MS / 60_000,
        cutoff_hours: state.settings.cancellation_cutoff_ms / hour,
        offer_hours: (state.settings.waitlist_offer_ms + hour - 1) / hour,
        waiver: crate::db::consent::current(&state.db).await?,
    })
}

#[component]
pub fn TermsPage() -> impl IntoView {
    let terms = Resource::new(|| (), |_| booking_terms());
    view! {
        <section class="mx-auto max-w-2xl rounded-2xl bg-white p-6 shadow-sm" data-testid="terms">
            <h1 class="text-2xl font-bold">"Booking terms"</h1>
            <Suspense fallback=|| view! { <p class="mt-2 text-slate-600">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match terms.await {
                        Err(e) => view! { <p class="mt-2 rounded-lg bg-red-50 p-4 text-red-800" role="alert">{e.to_string()}</p> }.into_any(),
                        Ok(t) => view! {
                            <h2 class="mt-6 text-lg font-semibold">"Booking and paying"</h2>
                            <p class="mt-2 text-slate-700">{format!(
                                "A booking made online holds its place for {} minutes while you pay on Stripe's secure checkout. Once paid it is confirmed, and we email you the receipt with a calendar entry. Unpaid after that, the place is released; paying later books it again while places are left.",
                                t.hold_minutes
                            )}</p>
                            <h2 class="mt-6 text-lg font-semibold">"Changing or cancelling"</h2>
                            <p class="mt-2 text-slate-700" data-testid="terms-cutoff">{format!(
                                "Up to {} hours before the session starts you can, from your booking's page, move it to another session of the same price that has a free place, or cancel it. Cancelling a paid booking refunds it in full to the card that paid; a refund usually reaches your account within 5 to 10 days.",
                                t.cutoff_hours
                            )}</p>
                            <p class="mt-2 text-slate-700">{format!(
                                "Within {} hours of the session, bookings cannot be changed or cancelled online: please write to {}.",
                                t.cutoff_hours, t.contact
                            )}</p>
                            <h2 class="mt-6 text-lg font-semibold">"If we cancel"</h2>
                            <p class="mt-2 text-slate-700">{format!(
                                "If {} cancels a session, every booking in it is cancelled and refunded in full, and we email you.",
                                t.business_name
                            )}</p>
                            <h2 class="mt-6 text-lg font-semibold">"Waitlist"</h2>
                            <p class="mt-2 text-slate-700">{format!(
                                "When a session is full you can join its waitlist. When a place frees, the first family waiting gets an email whose link holds the place for {} hours.",
                                t.offer_hours
                            )}</p>
                            <h2 class="mt-6 text-lg font-semibold">"Taking part"</h2>
                            <p class="mt-2 text-slate-700">"By booking you confirm that you are the athlete's parent or guardian and that the athlete may take part. Tell the coach in the booking's notes anything they should know."</p>
                            {t.waiver.clone().map(|(version, text)| view! {
                                <h2 class="mt-6 text-lg font-semibold">{format!("Waiver (version {version})")}</h2>
                                <p class="mt-2 whitespace-pre-line text-slate-700" data-testid="waiver">{text}</p>
                            })}
                            <p class="mt-6 text-slate-700">{format!("Questions: {}.", t.contact)}</p>
                        }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}
