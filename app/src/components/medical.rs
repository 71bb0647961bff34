//! An athlete's emergency details for the admin (the booking page and the roster): the
//! contact to call, one tap away on a phone, and the medical notes behind a button whose every
//! use is recorded (`services::medical`).

use crate::components::form::SECONDARY_BUTTON_CLASS;
use crate::error::AppError;
use leptos::prelude::*;

pub use domain::family::Emergency;

/// Opens the medical notes of booking `booking_id`'s athlete (recorded: who, when).
#[server(endpoint = "admin/medical-notes")]
pub async fn admin_medical_notes(booking_id: i64) -> Result<Option<String>, AppError> {
    use crate::state::AppState;
    let admin = crate::access::require_admin().await?;
    let state = expect_context::<AppState>();
    Ok(crate::services::medical::open_notes(
        &state.db,
        &state.settings.family.data_key,
        booking_id,
        &admin.email,
    )
    .await?)
}

/// The emergency contact (a `tel:` link) and, when notes are kept, the button that opens them.
#[component]
pub fn EmergencyDetails(booking_id: i64, emergency: Emergency) -> impl IntoView {
    let notes = ServerAction::<AdminMedicalNotes>::new();
    let contact = match (emergency.contact_name, emergency.contact_phone) {
        (None, None) => None,
        (name, phone) => Some((name.unwrap_or_else(|| "Emergency contact".into()), phone)),
    };
    view! {
        <div class="mt-1 text-sm text-slate-800" data-testid="emergency">
            {contact.map(|(name, phone)| view! {
                <p>
                    <span class="font-medium">"In an emergency: "</span>{name}
                    {phone.map(|phone| view! {
                        " " <a class="inline-block py-1 font-semibold text-indigo-700 underline" href=format!("tel:{}", phone.replace(' ', ""))>{phone.clone()}</a>
                    })}
                </p>
            })}
            {emergency.has_notes.then(|| view! {
                {move || match notes.value().get() {
                    Some(Ok(Some(text))) => view! {
                        <p class="mt-1 whitespace-pre-line rounded-lg bg-amber-50 p-2 text-amber-950" data-testid="medical-notes">{text}</p>
                    }.into_any(),
                    Some(Ok(None)) => view! { <p class="mt-1">"No medical notes are kept."</p> }.into_any(),
                    Some(Err(error)) => view! { <p class="mt-1 text-red-800" role="alert">{error.to_string()}</p> }.into_any(),
                    None => view! {
                        <button type="button" class=SECONDARY_BUTTON_CLASS data-testid="show-medical-notes"
                            on:click=move |_| { notes.dispatch(AdminMedicalNotes { booking_id }); }>
                            "Medical notes (your opening is recorded)"
                        </button>
                    }.into_any(),
                }}
            })}
        </div>
    }
}
