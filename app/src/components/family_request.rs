//! A family's request by mail, on the admin's booking page: its data downloaded (everything
//! kept about the booking's address, as JSON), or erased as the family itself could
//! (`services::family_data::erase`: names, contacts and notes go, payments stay).

use crate::error::AppError;
use leptos::prelude::*;

/// Erases what is kept about booking `id`'s address, once the admin confirms the family asked.
#[server(endpoint = "admin/bookings/erase-family")]
pub async fn admin_erase_family(id: i64, confirm: Option<String>) -> Result<(), AppError> {
    use crate::state::AppState;
    let admin = crate::access::require_admin().await?;
    if confirm.is_none() {
        return Err(AppError::unprocessable(
            "Tick the box to confirm the family asked for its data to be erased.",
        ));
    }
    let state = expect_context::<AppState>();
    let booking = crate::db::bookings::by_id(&state.db, id)
        .await?
        .ok_or_else(|| AppError::not_found("We could not find that booking."))?;
    let erased = crate::services::family_data::erase(&state.db, &booking.parent_email).await?;
    tracing::info!(
        booking_id = id,
        by = %admin.email,
        bookings = erased.bookings,
        "a family's data erased at its request"
    );
    leptos_axum::redirect(&format!("/admin/bookings/{id}?done=erased"));
    Ok(())
}

/// "The family's data": download, or erase after a confirmation box.
#[component]
pub fn FamilyDataRequest(booking_id: i64) -> impl IntoView {
    let erase = ServerAction::<AdminEraseFamily>::new();
    view! {
        <section class="mt-6 rounded-xl bg-white p-4 shadow-sm" data-testid="family-data">
            <h2 class="text-lg font-semibold">"The family's data"</h2>
            <p class="mt-1 text-sm text-slate-700">"When a family asks by mail: everything kept about this booking's address."</p>
            <p class="mt-2">
                <a class="text-indigo-700 underline" rel="external" download="family-data.json" href=format!("/admin/bookings/{booking_id}/family-data.json")>"Download it (JSON)"</a>
            </p>
            <ActionForm action=erase attr:class="mt-3 flex flex-wrap items-center gap-3">
                <input type="hidden" name="id" value=booking_id/>
                <label class="flex items-center gap-2 text-sm">
                    <input type="checkbox" name="confirm" value="yes" class="h-5 w-5"/>
                    "The family asked: erase its names, contacts and notes (payments are kept)"
                </label>
                <button type="submit" class="rounded-lg border border-red-300 px-4 py-2 font-semibold text-red-800 hover:bg-red-50" data-testid="erase-family">"Erase the family's data"</button>
            </ActionForm>
            {move || erase.value().get().and_then(Result::err).map(|e| view! {
                <p class="mt-2 rounded-lg bg-red-50 p-3 text-red-800" role="alert">{e.to_string()}</p>
            })}
        </section>
    }
}
