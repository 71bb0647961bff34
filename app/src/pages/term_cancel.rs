//! `/bookings/:reference/cancel-term`: what cancelling the family's whole term does (every
//! child, every session, what comes back), and the button that does it, before the cut-off of
//! the term's first session.

use crate::components::form::SECONDARY_BUTTON_CLASS;
use crate::components::term_cancel::TermCancelOffer;
use crate::error::AppError;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

#[server(endpoint = "bookings/term-cancel-offer")]
pub async fn whole_term_offer(reference: String) -> Result<Option<TermCancelOffer>, AppError> {
    use crate::state::AppState;
    let state = expect_context::<AppState>();
    Ok(crate::components::term_cancel::offer(&state, &reference).await?)
}

/// Cancels every booking of the family's term paid together with booking `reference`, and
/// refunds what was paid; then back to the booking's page.
#[server(endpoint = "bookings/cancel-term")]
pub async fn cancel_my_term(reference: String) -> Result<(), AppError> {
    use crate::state::AppState;
    let state = expect_context::<AppState>();
    crate::services::term_families::cancel_by_parent(
        &state.db,
        state.checkout.as_ref(),
        &state.settings,
        &reference,
    )
    .await?;
    leptos_axum::redirect(&format!("/bookings/{reference}"));
    Ok(())
}

#[component]
pub fn TermCancelPage() -> impl IntoView {
    let params = use_params_map();
    let reference = move || params.read().get("reference").unwrap_or_default();
    let cancel = ServerAction::<CancelMyTerm>::new();
    let offer = Resource::new(
        move || (reference(), cancel.version().get()),
        |(reference, _)| whole_term_offer(reference),
    );
    let problem = move || match cancel.value().get() {
        Some(Err(e)) => Some(e.to_string()),
        _ => None,
    };
    view! {
        <section class="mx-auto max-w-2xl">
            <Suspense fallback=|| view! { <p class="text-slate-600">"Loading your term…"</p> }>
                {move || Suspend::new(async move {
                    match offer.await {
                        Ok(Some(o)) if o.until.is_some() => view! {
                            <h1 class="text-2xl font-bold">"Cancel the whole term?"</h1>
                            <p class="mt-3 text-slate-700" data-testid="term-cancel-what">
                                {format!("{}: the {} sessions still to come, for {}.", o.term_title, o.sessions, o.children)}
                            </p>
                            <p class="mt-3 text-slate-700" data-testid="term-cancel-refund">
                                {match &o.refund {
                                    Some(refund) => format!("Every place is released at once and the {refund} you paid for them is refunded to your card."),
                                    None => "Every place is released at once. Nothing was charged.".to_owned(),
                                }}
                            </p>
                            <ActionForm action=cancel attr:class="mt-6 flex flex-wrap gap-3">
                                <input type="hidden" name="reference" value=o.reference.clone()/>
                                <button type="submit" class="inline-flex items-center justify-center rounded-lg bg-red-700 px-5 py-2.5 font-semibold text-white hover:bg-red-800 focus:outline-none focus-visible:ring-2 focus-visible:ring-red-500 focus-visible:ring-offset-2 disabled:opacity-60" disabled=move || cancel.pending().get() data-testid="confirm-cancel-term">
                                    "Yes, cancel the whole term"
                                </button>
                                <a href=format!("/bookings/{}", o.reference) class=SECONDARY_BUTTON_CLASS>"No, keep it"</a>
                            </ActionForm>
                        }.into_any(),
                        Ok(Some(o)) => view! {
                            <h1 class="text-2xl font-bold">"This term cannot be cancelled here"</h1>
                            <p class="mt-3 text-slate-700">"The term's first session is too close, or has taken place. Single sessions may still be cancelled from their pages; for the rest, please write to us."</p>
                            <a href=format!("/bookings/{}", o.reference) class="mt-4 inline-block text-indigo-700 underline">"Back to the booking"</a>
                        }.into_any(),
                        _ => view! { <h1 class="text-2xl font-bold">"No term to cancel"</h1> }.into_any(),
                    }
                })}
            </Suspense>
            {move || problem().map(|m| view! { <p class="mt-4 rounded-lg bg-red-50 p-4 text-red-800" role="alert">{m}</p> })}
        </section>
    }
}
