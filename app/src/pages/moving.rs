//! `/bookings/:reference/move`: a parent moves their booking to another session of the same
//! price, up to the cancellation cut-off. The payment goes with the booking.

use crate::components::form::{BUTTON_CLASS, INPUT_CLASS};
use crate::components::move_choice::{MoveOption, MoveSelect};
use crate::error::AppError;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use serde::{Deserialize, Serialize};

/// What the move page shows: the booking's session now, and where it can go (or why not).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MovePlanView {
    pub athlete_name: String,
    pub current: String,
    pub options: Vec<MoveOption>,
    /// Why the booking cannot move from this page, in words.
    pub closed: Option<String>,
}

#[server(endpoint = "bookings/move-plan")]
pub async fn move_plan(reference: String) -> Result<Option<MovePlanView>, AppError> {
    use crate::state::AppState;
    let state = expect_context::<AppState>();
    let Some(booking) = crate::db::bookings::by_reference(&state.db, &reference).await? else {
        if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
            response.set_status(axum::http::StatusCode::NOT_FOUND);
        }
        return Ok(None);
    };
    let closed = domain::booking::parent_may_move(
        booking.payment_status,
        booking.attendance_status,
        booking.session_starts_at,
        crate::db::now_ms(),
        state.settings.cancellation_cutoff_ms,
    )
    .err()
    .map(|why| format!("This booking cannot be changed online: {why}."));
    let options = if closed.is_none() {
        crate::components::move_choice::move_options(&state.db, state.settings.timezone, &booking)
            .await?
    } else {
        Vec::new()
    };
    Ok(Some(MovePlanView {
        current: format!(
            "{}, {}",
            booking.session_title,
            domain::schedule::when(booking.session_starts_at, state.settings.timezone)
        ),
        athlete_name: booking.athlete_name,
        options,
        closed,
    }))
}

/// Moves the booking `reference` to `session`, as its parent.
#[server(endpoint = "bookings/move")]
pub async fn move_my_booking(reference: String, session: String) -> Result<(), AppError> {
    use crate::services::moves::{move_booking, Mover};
    use crate::state::AppState;
    let state = expect_context::<AppState>();
    let to = session
        .trim()
        .parse::<i64>()
        .map_err(|_| AppError::unprocessable("Choose a session."))?;
    let booking = crate::db::bookings::by_reference(&state.db, &reference)
        .await?
        .ok_or_else(|| AppError::not_found("We could not find that booking."))?;
    let mover = Mover::Parent {
        cutoff_ms: state.settings.cancellation_cutoff_ms,
    };
    let reference = move_booking(&state.db, booking.id, to, &mover).await?;
    leptos_axum::redirect(&format!("/bookings/{reference}?moved=1"));
    Ok(())
}

#[component]
pub fn MoveBookingPage() -> impl IntoView {
    let params = use_params_map();
    let reference = move || params.read().get("reference").unwrap_or_default();
    let plan = Resource::new(reference, move_plan);
    let action = ServerAction::<MoveMyBooking>::new();
    view! {
        <section class="mx-auto max-w-xl">
            <h1 class="text-2xl font-bold">"Change session"</h1>
            <Suspense fallback=|| view! { <p class="text-slate-600">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match plan.await {
                        Err(e) => view! { <p class="mt-4 rounded-lg bg-red-50 p-4 text-red-800" role="alert">{e.to_string()}</p> }.into_any(),
                        Ok(None) => view! { <p class="mt-4">"Booking not found. Check the link you were given."</p> }.into_any(),
                        Ok(Some(p)) => {
                            let back = format!("/bookings/{}", reference());
                            view! {
                                <p class="mt-2 text-slate-700">{format!("{} is booked for {}. Move the booking to another session of the same price; your payment goes with it.", p.athlete_name, p.current)}</p>
                                {match (p.closed.clone(), p.options.is_empty()) {
                                    (Some(why), _) => view! { <p class="mt-4 rounded-lg bg-amber-50 p-4 text-amber-900" role="alert">{why}</p> }.into_any(),
                                    (None, true) => view! { <p class="mt-4 rounded-lg bg-slate-100 p-4 text-slate-800" data-testid="no-move-options">"No other session of the same price has a free place right now."</p> }.into_any(),
                                    (None, false) => view! {
                                        <ActionForm action=action attr:class="mt-4 space-y-4 rounded-2xl bg-white p-5 shadow-sm">
                                            <input type="hidden" name="reference" value=reference()/>
                                            <div>
                                                <MoveSelect options=p.options.clone() label="New session" label_class="block font-medium text-slate-800" select_class=INPUT_CLASS/>
                                            </div>
                                            <button type="submit" class=BUTTON_CLASS data-testid="confirm-move" disabled=move || action.pending().get()>"Move the booking"</button>
                                        </ActionForm>
                                    }.into_any(),
                                }}
                                <a href=back class="mt-4 inline-block text-indigo-700 underline">"Back to the booking"</a>
                            }.into_any()
                        }
                    }
                })}
            </Suspense>
            {move || action.value().get().and_then(|r| r.err()).map(|e| view! {
                <p class="mt-3 rounded-lg bg-red-50 p-3 text-red-800" role="alert" data-testid="move-error">{e.to_string()}</p>
            })}
        </section>
    }
}
