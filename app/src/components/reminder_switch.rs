//! A booking page's switch for the family's reminders before a session (on by default): the
//! server functions and the form, which works without JavaScript.

use crate::components::form::SECONDARY_BUTTON_CLASS;
use crate::error::AppError;
use leptos::prelude::*;

/// Whether the family of the booking `reference` gets reminders, and how many hours before a
/// session; `None` when this site sends none (`REMINDER_HOURS=0`).
#[server(endpoint = "bookings/reminders-state")]
pub async fn my_reminders(reference: String) -> Result<Option<(bool, i64)>, AppError> {
    use crate::state::AppState;
    let state = expect_context::<AppState>();
    let on = crate::services::reminders::reminders_on(&state.db, &reference)
        .await?
        .ok_or_else(|| AppError::not_found("Booking not found."))?;
    let hours = state.settings.reminder_ahead_ms / 3_600_000;
    Ok((hours > 0).then_some((on, hours)))
}

/// Turns the reminders of the booking `reference`'s family on (`on` = "true") or off; then
/// back to the booking's page.
#[server(endpoint = "bookings/reminders")]
pub async fn set_my_reminders(reference: String, on: String) -> Result<(), AppError> {
    use crate::state::AppState;
    let state = expect_context::<AppState>();
    let on = match on.as_str() {
        "true" => true,
        "false" => false,
        _ => return Err(AppError::unprocessable("Say true or false.")),
    };
    if !crate::services::reminders::set_reminders(&state.db, &reference, on).await? {
        return Err(AppError::not_found("Booking not found."));
    }
    leptos_axum::redirect(&format!("/bookings/{reference}"));
    Ok(())
}

/// "Reminders before a session: on. Turn off" (or back on): the state as the booking page read
/// it (the page reloads its data after the switch: the form posts and comes back to it).
#[component]
pub fn ReminderSwitch(reference: String, on: bool, hours: i64) -> impl IntoView {
    let switch = ServerAction::<SetMyReminders>::new();
    // With a script, the switch shows its own answer at once.
    let current = RwSignal::new(on);
    Effect::new(move |_| {
        if let Some(Ok(())) = switch.value().get() {
            current.update(|on| *on = !*on);
        }
    });
    view! {
        <ActionForm action=switch attr:class="mt-4 flex flex-wrap items-center gap-3" attr:data-testid="reminder-switch">
            <input type="hidden" name="reference" value=reference/>
            <input type="hidden" name="on" value=move || if current.get() { "false" } else { "true" }/>
            <p class="text-sm text-slate-700" data-testid="reminder-state">
                {move || if current.get() {
                    format!("We email you a reminder {hours} hours before the session.")
                } else {
                    "Reminders before the session are off.".to_owned()
                }}
            </p>
            <button type="submit" class=SECONDARY_BUTTON_CLASS disabled=move || switch.pending().get()>
                {move || if current.get() { "Turn reminders off" } else { "Turn reminders on" }}
            </button>
        </ActionForm>
    }
}
