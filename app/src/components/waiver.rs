//! The business's waiver on the admin's sessions page: its current wording, and saving a new
//! one (a new version: the bookings made before it show on the roster as not consenting to the
//! current waiver). The parents read it on `/terms`, which the booking form's checkbox links to.

use crate::components::form::{BUTTON_CLASS, INPUT_CLASS};
use crate::error::AppError;
use leptos::prelude::*;

/// The longest waiver an admin may write.
const WAIVER_MAX: usize = 10_000;

/// The current wording: its version and text.
#[server(endpoint = "admin/waiver")]
pub async fn admin_waiver() -> Result<Option<(i64, String)>, AppError> {
    use crate::state::AppState;
    crate::access::require_admin().await?;
    let state = expect_context::<AppState>();
    Ok(crate::db::consent::current(&state.db).await?)
}

/// Saves `text` as the waiver's new version; the version.
#[server(endpoint = "admin/waiver/save")]
pub async fn admin_save_waiver(text: String) -> Result<i64, AppError> {
    use crate::state::AppState;
    let admin = crate::access::require_admin().await?;
    let text = text.trim();
    if text.is_empty() || text.chars().count() > WAIVER_MAX {
        return Err(AppError::unprocessable(format!(
            "Write the waiver (at most {WAIVER_MAX} characters)."
        )));
    }
    let state = expect_context::<AppState>();
    Ok(crate::services::sessions::new_waiver(&state.db, text, &admin.email).await?)
}

#[component]
pub fn WaiverEditor() -> impl IntoView {
    let save = ServerAction::<AdminSaveWaiver>::new();
    let current = Resource::new(move || save.version().get(), |_| admin_waiver());
    view! {
        <section class="mt-8 rounded-xl bg-white p-4 shadow-sm" data-testid="waiver-editor">
            <h2 class="text-lg font-semibold">"Waiver"</h2>
            <p class="mt-1 text-sm text-slate-700">"What a parent accepts when booking (shown on the booking terms). Saving new words makes a new version: the roster flags the athletes booked before it."</p>
            <Transition fallback=|| ()>
                {move || current.get().and_then(Result::ok).map(|waiver| {
                    let (label, text) = match waiver {
                        Some((version, text)) => (format!("Version {version}"), text),
                        None => ("No waiver yet".to_owned(), String::new()),
                    };
                    view! {
                        <ActionForm action=save attr:class="mt-3 space-y-3">
                            <label for="waiver-text" class="block font-medium">{label}</label>
                            <textarea id="waiver-text" name="text" rows="5" class=INPUT_CLASS maxlength=WAIVER_MAX prop:value=text.clone()>{text.clone()}</textarea>
                            <button type="submit" class=BUTTON_CLASS data-testid="save-waiver">"Save as a new version"</button>
                        </ActionForm>
                    }
                })}
            </Transition>
            {move || save.value().get().and_then(Result::err).map(|e| view! {
                <p class="mt-2 rounded-lg bg-red-50 p-3 text-red-800" role="alert">{e.to_string()}</p>
            })}
        </section>
    }
}
